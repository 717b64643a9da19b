/*
 * render_overlay — building and reading the overlay of render.h. The overlay
 * stores, per feature, a list of parts (points, a line, or a ring) whose
 * positions are already in tile pixel coordinates, so drawing is an affine
 * map per vertex, cheap enough for a viewer frame; PROJ is called only here.
 * Each feature also gets its label anchor: a point's position, the middle
 * (by length) of its longest line, or the centroid of its largest ring
 * (annot_geometry's ring arithmetic).
 *
 * Building is three passes: the features' parts are collected with their
 * lon/lat positions (arrays sized once from the sets), all positions are
 * projected in one go (by two threads from OV_PARALLEL_MIN positions on,
 * each with its own copy of the PROJ operation: PROJ objects are not shared
 * between threads), then each feature gets its box and anchor, and one with
 * a position that did not project is taken out. The result does not depend
 * on the number of threads: every position is projected alone, by the same
 * operation.
 *
 * Invariants: the overlay owns copies of everything it keeps (ids, labels,
 * claims, dates); it is immutable once returned; a feature that cannot be
 * projected is left out whole (its parts and positions removed).
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "render_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpucount.h"
#include "geo.h"

/* Positions from which a second thread projects half of them: below, the
 * thread and the PROJ copy cost more than they save (~0.2 us a position). */
#define OV_PARALLEL_MIN 16384

/* Bytes of a text block (struct ov_text); a longer text gets its own. */
#define OV_TEXT_BLOCK ((size_t)64 << 10)

/* Frees what f owns (its id and label belong to the overlay's text). */
static void free_feature(struct ov_feature *f)
{
    free(f->dates);
    free(f->dated_label);
    for (size_t k = 0; k < f->nclaims; k++)
        free(f->claims[k]);
    free(f->claims);
    free(f->stances);
}

static void free_text(struct ov_text *list)
{
    while (list) {
        struct ov_text *next = list->next;
        free(list);
        list = next;
    }
}

void render_overlay_free(struct render_overlay *ov)
{
    if (!ov)
        return;
    for (size_t i = 0; i < ov->n; i++)
        free_feature(&ov->features[i]);
    free_text(ov->text);
    free(ov->features);
    free(ov->parts);
    free(ov->xy);
    free(ov);
}

/* n bytes in the text blocks *list (borrowed from it); NULL on out of memory. */
static char *text_alloc(struct ov_text **list, size_t n)
{
    struct ov_text *b = *list;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > OV_TEXT_BLOCK ? n : OV_TEXT_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = *list;
        b->used = 0;
        b->cap = cap;
        *list = b;
    }
    char *at = b->data + b->used;
    b->used += n;
    return at;
}

/* Makes room for exactly `need` elements when there is less (the overlay's
 * arrays are sized once from the sets: no doubling, no slack). */
static bool reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    void *q = realloc(*p, need * elem);
    if (!q)
        return false;
    *p = q;
    *cap = need;
    return true;
}

/* Parts and positions of g, members included, added to *nparts and *npts. */
static void count_geometry(const struct annot_geometry *g, size_t *nparts, size_t *npts)
{
    *nparts += g->nparts;
    for (size_t p = 0; p < g->nparts; p++)
        *npts += g->parts[p].n;
    for (size_t m = 0; m < g->nmembers; m++)
        count_geometry(&g->members[m], nparts, npts);
}

bool render_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return false;
    *p = q;
    *cap = nc;
    return true;
}

/* Where one thread builds its share of the overlay: features [from, to)
 * counted across the sets, written into the overlay's arrays (sized for
 * all) from the slots *_at on, which no other range writes. */
struct ov_range {
    struct render_overlay *ov;
    const struct annot_set *const *sets;
    size_t nsets, from, to;
    const struct markdate_image *img;
    bool keep_other;
    struct geo_ref *g; /* borrowed; used by this range's thread only */
    size_t feat_at, part_at, pt_at;
    /* results */
    size_t nfeat, nparts, npts; /* slots filled */
    size_t other_dates, unprojected;
    struct ov_text *text; /* owned: its ids and labels, until handed to ov */
    bool oom, no_transform;
};

/* Adds the parts of g (members included) with their lon/lat positions to
 * r's slots (projected afterwards). */
static void add_geometry_parts(struct ov_range *r, const struct annot_geometry *g)
{
    struct render_overlay *ov = r->ov;
    for (size_t p = 0; p < g->nparts; p++) {
        const struct annot_part *part = &g->parts[p];
        enum part_kind kind = PART_POINTS;
        if (g->type == ANNOT_GEOM_LINESTRING || g->type == ANNOT_GEOM_MULTILINESTRING)
            kind = PART_LINE;
        else if (g->type == ANNOT_GEOM_POLYGON || g->type == ANNOT_GEOM_MULTIPOLYGON)
            kind = PART_RING;
        size_t at = r->pt_at + r->npts;
        ov->parts[r->part_at + r->nparts++] = (struct ov_part){kind, at, part->n};
        for (size_t i = 0; i < part->n; i++)
            ov->xy[at + i] = (struct annot_xy){part->pts[i].lon, part->pts[i].lat};
        r->npts += part->n;
    }
    for (size_t m = 0; m < g->nmembers; m++)
        add_geometry_parts(r, &g->members[m]);
}

/* Label anchor of f in tile px: a point's position, the middle (by length) of
 * the longest line, the area centroid of the largest ring. */
static void compute_anchor(struct render_overlay *ov, struct ov_feature *f)
{
    double best = -1;
    f->anchor_x = f->bbox.x + f->bbox.w / 2;
    f->anchor_y = f->bbox.y + f->bbox.h / 2;
    f->anchor_kind = PART_RING;
    /* points win over lines over rings */
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &ov->parts[f->part_start + p];
        const struct annot_xy *xy = ov->xy + part->start;
        if (part->kind == PART_POINTS && part->n > 0) {
            f->anchor_x = xy[0].x;
            f->anchor_y = xy[0].y;
            f->anchor_kind = PART_POINTS;
            return;
        }
    }
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &ov->parts[f->part_start + p];
        const struct annot_xy *xy = ov->xy + part->start;
        if (part->kind == PART_LINE) {
            double len = 0;
            for (size_t i = 1; i < part->n; i++)
                len += hypot(xy[i].x - xy[i - 1].x, xy[i].y - xy[i - 1].y);
            if (len <= best)
                continue;
            best = len;
            double half = len / 2, acc = 0;
            for (size_t i = 1; i < part->n; i++) {
                double seg = hypot(xy[i].x - xy[i - 1].x, xy[i].y - xy[i - 1].y);
                if (acc + seg >= half && seg > 0) {
                    double t = (half - acc) / seg;
                    f->anchor_x = xy[i - 1].x + t * (xy[i].x - xy[i - 1].x);
                    f->anchor_y = xy[i - 1].y + t * (xy[i].y - xy[i - 1].y);
                    break;
                }
                acc += seg;
            }
            f->anchor_kind = PART_LINE;
        }
    }
    if (f->anchor_kind == PART_LINE)
        return;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &ov->parts[f->part_start + p];
        const struct annot_xy *xy = ov->xy + part->start;
        if (part->kind != PART_RING || part->n < 3)
            continue;
        double a = fabs(annot_ring_area2(xy, part->n));
        struct annot_xy c;
        if (a > best && a > 1e-9 && annot_ring_centroid(xy, part->n, &c)) {
            best = a;
            f->anchor_x = c.x;
            f->anchor_y = c.y;
        }
    }
}

/* One thread's share of the positions: projected in place from lon/lat to
 * tile px, a position that cannot be projected becoming NaN. */
struct project_job {
    struct geo_ref *g; /* borrowed; used by this job's thread only */
    struct annot_xy *xy;
    size_t n;
    bool ok; /* false: the transformation is unavailable */
};

static void project_points(struct project_job *j)
{
    enum { CHUNK = 1024 };
    double lon[CHUNK], lat[CHUNK];
    j->ok = true;
    for (size_t at = 0; at < j->n && j->ok; at += CHUNK) {
        size_t k = j->n - at < CHUNK ? j->n - at : CHUNK;
        for (size_t i = 0; i < k; i++) {
            lon[i] = j->xy[at + i].x;
            lat[i] = j->xy[at + i].y;
        }
        /* no diag: the only failure it could carry (no CRS) was ruled out by the caller */
        j->ok = geo_lonlats_to_pixels(j->g, k, lon, lat, lon, lat, NULL, NULL);
        for (size_t i = 0; i < k; i++)
            j->xy[at + i] = (struct annot_xy){lon[i], lat[i]};
    }
}

/* Where f's positions are in ov->xy: [*first, *first + *n) (its parts are
 * contiguous; none for a feature without geometry). */
static void feature_span(const struct render_overlay *ov, const struct ov_feature *f,
                         size_t *first, size_t *n)
{
    *first = *n = 0;
    if (f->nparts) {
        const struct ov_part *last = &ov->parts[f->part_start + f->nparts - 1];
        *first = ov->parts[f->part_start].start;
        *n = last->start + last->n - *first;
    }
}

/* Gives f its box and label anchor from its projected positions; false
 * (f untouched) when one of them did not project. */
static bool place_feature(struct render_overlay *ov, struct ov_feature *f)
{
    size_t first, n;
    feature_span(ov, f, &first, &n);
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        const struct annot_xy *p = &ov->xy[first + k];
        if (!isfinite(p->x) || !isfinite(p->y))
            return false;
        minx = fmin(minx, p->x);
        maxx = fmax(maxx, p->x);
        miny = fmin(miny, p->y);
        maxy = fmax(maxy, p->y);
    }
    if (n) {
        f->has_bbox = true;
        f->bbox = (struct render_rect){minx, miny, maxx - minx, maxy - miny};
        compute_anchor(ov, f);
    }
    return true;
}

/* Gives each feature its box and label anchor, and takes out those with a
 * position that did not project (their parts and positions too, the rest
 * moved down in order). Returns how many were taken out; the first one's
 * id in *first_skipped (borrowed from ov's text). */
static size_t finish_features(struct render_overlay *ov, const char **first_skipped)
{
    size_t kept = 0, nparts = 0, npts = 0, skipped = 0;
    for (size_t i = 0; i < ov->n; i++) {
        struct ov_feature *f = &ov->features[i];
        size_t first, n;
        feature_span(ov, f, &first, &n);
        if (!place_feature(ov, f)) {
            if (!skipped++)
                *first_skipped = f->id;
            free_feature(f);
            continue;
        }
        if (skipped) { /* move down over what was taken out */
            for (size_t p = 0; p < f->nparts; p++) {
                struct ov_part part = ov->parts[f->part_start + p];
                part.start = part.start - first + npts;
                ov->parts[nparts + p] = part;
            }
            memmove(ov->xy + npts, ov->xy + first, n * sizeof *ov->xy);
            f->part_start = nparts;
        }
        nparts += f->nparts;
        npts += n;
        if (skipped) /* box and anchor from the positions where they now lie */
            place_feature(ov, f);
        if (kept != i)
            ov->features[kept] = *f;
        kept++;
    }
    ov->n = kept;
    ov->nparts = nparts;
    ov->npts = npts;
    return skipped;
}

/* "id\0label\0" in the text blocks *list ("" for NULL); NULL on out of memory. */
static char *id_and_label(struct ov_text **list, const char *id, const char *label)
{
    id = id ? id : "";
    label = label ? label : "";
    size_t ni = strlen(id) + 1, nl = strlen(label) + 1;
    char *d = text_alloc(list, ni + nl);
    if (d) {
        memcpy(d, id, ni);
        memcpy(d + ni, label, nl);
    }
    return d;
}

static char *dup_str(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* For a mark of other dates, its dates and its label followed by them,
 * into f (only those: a million marks of this image allocate nothing more);
 * false on out of memory. */
static bool set_dates(struct ov_feature *f, const struct annot_feature *af)
{
    if (f->rel != MARKDATE_OTHER_DATES)
        return true;
    char dates[512];
    markdate_dates(af, dates, sizeof dates);
    f->dates = dup_str(dates);
    if (!f->dates)
        return false;
    size_t n = strlen(f->label) + strlen(dates) + 4;
    f->dated_label = malloc(n);
    if (!f->dated_label)
        return false;
    if (f->label[0])
        snprintf(f->dated_label, n, "%s (%s)", f->label, dates);
    else
        snprintf(f->dated_label, n, "%s", dates);
    return true;
}

static struct render_overlay *overlay_build(struct geo_ref *g,
                                            const struct annot_set *const *sets, size_t nsets,
                                            const struct markdate_image *img, bool keep_other,
                                            size_t *other_dates, struct diag *dg);

struct render_overlay *render_overlay_new(struct geo_ref *g, const struct annot_set *const *sets,
                                          size_t nsets, struct diag *dg)
{
    return overlay_build(g, sets, nsets, NULL, true, NULL, dg);
}

struct render_overlay *render_overlay_new_dated(struct geo_ref *g,
                                                const struct annot_set *const *sets,
                                                size_t nsets, const struct markdate_image *img,
                                                bool keep_other_dates, size_t *other_dates,
                                                struct diag *dg)
{
    return overlay_build(g, sets, nsets, img, keep_other_dates, other_dates, dg);
}

struct render_overlay *render_overlay_new_observed(struct geo_ref *g,
                                                   const struct annot_set *const *sets,
                                                   size_t nsets,
                                                   const struct markdate_image *match,
                                                   size_t *skipped, struct diag *dg)
{
    return overlay_build(g, sets, nsets, match, false, skipped, dg);
}

/* Builds r's features (those kept), projects their positions and gives
 * each its box and anchor; a feature with a position that did not project
 * is counted in r->unprojected (taken out afterwards, finish_features). */
static void build_range(struct ov_range *r)
{
    struct render_overlay *ov = r->ov;
    size_t base = 0;
    for (size_t s = 0; s < r->nsets && !r->oom; s++) {
        size_t count = annot_count(r->sets[s]);
        size_t lo = r->from > base ? r->from - base : 0;
        size_t hi = r->to - base < count ? r->to - base : count;
        for (size_t i = lo; r->to > base && i < hi; i++) {
            const struct annot_feature *af = annot_get(r->sets[s], i);
            enum markdate_relation rel = markdate_classify(af, r->img);
            if (rel == MARKDATE_OTHER_DATES) {
                r->other_dates++;
                if (!r->keep_other)
                    continue;
            }
            struct ov_feature *f = &ov->features[r->feat_at + r->nfeat];
            memset(f, 0, sizeof *f);
            f->cls = af->cls;
            f->rel = rel;
            f->part_start = r->part_at + r->nparts;
            if ((f->id = id_and_label(&r->text, af->id, af->label)))
                f->label = f->id + strlen(f->id) + 1;
            f->claims = af->nclaims ? calloc(af->nclaims, sizeof *f->claims) : NULL;
            f->stances = af->nclaims ? calloc(af->nclaims, sizeof *f->stances) : NULL;
            if (!f->id || !set_dates(f, af) || (af->nclaims && (!f->claims || !f->stances))) {
                free_feature(f);
                r->oom = true;
                break;
            }
            for (size_t k = 0; k < af->nclaims && !r->oom; k++) {
                f->claims[k] = dup_str(af->claims[k].claim);
                f->stances[k] = af->claims[k].stance;
                if (!f->claims[k]) {
                    f->nclaims = k;
                    free_feature(f);
                    r->oom = true;
                }
            }
            if (r->oom)
                break;
            f->nclaims = af->nclaims;
            add_geometry_parts(r, &af->geom);
            f->nparts = r->part_at + r->nparts - f->part_start;
            r->nfeat++;
        }
        base += count;
    }
    if (r->oom)
        return;
    struct project_job job = {r->g, ov->xy + r->pt_at, r->npts, false};
    project_points(&job);
    if (!job.ok) {
        r->no_transform = true;
        return;
    }
    for (size_t i = 0; i < r->nfeat; i++)
        r->unprojected += !place_feature(ov, &ov->features[r->feat_at + i]);
}

static void *run_range(void *arg)
{
    build_range(arg);
    return NULL;
}

/* The features, parts and positions that features [from, to) (across the
 * sets) add to the overlay, kept ones only: where the range after them
 * starts writing. */
static void count_kept(const struct annot_set *const *sets, size_t nsets, size_t to,
                       const struct markdate_image *img, bool keep_other, size_t *nfeat,
                       size_t *nparts, size_t *npts)
{
    *nfeat = *nparts = *npts = 0;
    size_t base = 0;
    for (size_t s = 0; s < nsets && base < to; s++) {
        size_t count = annot_count(sets[s]);
        for (size_t i = 0; i < count && base + i < to; i++) {
            const struct annot_feature *af = annot_get(sets[s], i);
            if (!keep_other && markdate_classify(af, img) == MARKDATE_OTHER_DATES)
                continue;
            (*nfeat)++;
            count_geometry(&af->geom, nparts, npts);
        }
        base += count;
    }
}

static struct render_overlay *overlay_build(struct geo_ref *g,
                                            const struct annot_set *const *sets, size_t nsets,
                                            const struct markdate_image *img, bool keep_other,
                                            size_t *other_dates, struct diag *dg)
{
    if (other_dates)
        *other_dates = 0;
    struct render_overlay *ov = calloc(1, sizeof *ov);
    if (!ov) {
        diag_error(dg, "render: out of memory");
        return NULL;
    }
    size_t total = 0, total_parts = 0, total_pts = 0;
    for (size_t s = 0; s < nsets; s++)
        total += annot_count(sets[s]);
    if (total == 0)
        return ov;
    if (!geo_ref_has_crs(g)) {
        diag_warn(dg, "the image has no CRS: %zu mark(s) cannot be placed on it", total);
        return ov;
    }
    for (size_t s = 0; s < nsets; s++)
        for (size_t i = 0; i < annot_count(sets[s]); i++)
            count_geometry(&annot_get(sets[s], i)->geom, &total_parts, &total_pts);
    if (!reserve((void **)&ov->features, &ov->cap, total, sizeof *ov->features) ||
        !reserve((void **)&ov->parts, &ov->capparts, total_parts, sizeof *ov->parts) ||
        !reserve((void **)&ov->xy, &ov->cappts, total_pts, sizeof *ov->xy)) {
        diag_error(dg, "render: out of memory");
        render_overlay_free(ov);
        return NULL;
    }
    /* two halves by position count would balance better; by feature count
     * is as good for the common case (a detector's points) and simpler */
    struct ov_range ranges[2] = {{.ov = ov, .sets = sets, .nsets = nsets, .to = total,
                                  .img = img, .keep_other = keep_other, .g = g}};
    size_t nranges = 1;
    struct geo_ref *copy = NULL;
    if (total_pts >= OV_PARALLEL_MIN && total >= 2 && cpucount_online() > 1 &&
        (copy = geo_ref_clone(g, NULL)) != NULL) {
        size_t half = total / 2, nfeat, nparts, npts;
        count_kept(sets, nsets, half, img, keep_other, &nfeat, &nparts, &npts);
        ranges[1] = ranges[0];
        ranges[0].to = half;
        ranges[1].from = half;
        ranges[1].g = copy;
        ranges[1].feat_at = nfeat;
        ranges[1].part_at = nparts;
        ranges[1].pt_at = npts;
        nranges = 2;
    }
    pthread_t thread;
    bool threaded = nranges == 2 && pthread_create(&thread, NULL, run_range, &ranges[1]) == 0;
    build_range(&ranges[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else if (nranges == 2)
        build_range(&ranges[1]); /* no thread: the same work here, with the copy */
    geo_ref_free(copy);
    bool oom = false, no_transform = false;
    size_t unprojected = 0;
    for (size_t k = 0; k < nranges; k++) {
        struct ov_range *r = &ranges[k];
        oom = oom || r->oom;
        no_transform = no_transform || r->no_transform;
        unprojected += r->unprojected;
        if (other_dates)
            *other_dates += r->other_dates;
        struct ov_text **tail = &r->text;
        while (*tail)
            tail = &(*tail)->next;
        *tail = ov->text;
        ov->text = r->text;
    }
    /* the first range fills exactly the slots count_kept found for it, so
     * the second's follow on: the arrays are contiguous */
    ov->n = ranges[0].nfeat + (nranges == 2 ? ranges[1].nfeat : 0);
    ov->nparts = ranges[0].nparts + (nranges == 2 ? ranges[1].nparts : 0);
    ov->npts = ranges[0].npts + (nranges == 2 ? ranges[1].npts : 0);
    if (oom || no_transform) {
        if (nranges == 2 && ranges[0].nfeat != ranges[1].feat_at) /* stopped early */
            for (size_t i = 0; i < ranges[1].nfeat; i++)
                free_feature(&ov->features[ranges[1].feat_at + i]);
        if (nranges == 2 && ranges[0].nfeat != ranges[1].feat_at)
            ov->n = ranges[0].nfeat;
        diag_error(dg, oom ? "render: out of memory"
                           : "render: the marks cannot be projected onto the image");
        render_overlay_free(ov);
        return NULL;
    }
    if (unprojected) {
        const char *first_skipped = NULL;
        size_t skipped = finish_features(ov, &first_skipped);
        diag_warn(dg, "%zu mark(s) lie outside the image's projection and are not drawn "
                      "(first: %s)", skipped, first_skipped);
    }
    return ov;
}

size_t render_overlay_count(const struct render_overlay *ov) { return ov ? ov->n : 0; }

const char *render_overlay_id(const struct render_overlay *ov, size_t i)
{
    return ov->features[i].id;
}

enum annot_class render_overlay_class(const struct render_overlay *ov, size_t i)
{
    return ov->features[i].cls;
}

bool render_overlay_bbox(const struct render_overlay *ov, size_t i, struct render_rect *box)
{
    if (!ov->features[i].has_bbox)
        return false;
    *box = ov->features[i].bbox;
    return true;
}

bool render_overlay_visible(const struct render_overlay *ov, size_t i,
                            const struct render_view *view)
{
    const struct ov_feature *f = &ov->features[i];
    if (!f->has_bbox)
        return false;
    return f->bbox.x <= view->src_x + view->src_w && f->bbox.x + f->bbox.w >= view->src_x &&
           f->bbox.y <= view->src_y + view->src_h && f->bbox.y + f->bbox.h >= view->src_y;
}

enum render_mark_kind render_overlay_kind(const struct render_overlay *ov, size_t i)
{
    switch (ov->features[i].anchor_kind) {
    case PART_POINTS:
        return RENDER_MARK_POINT;
    case PART_LINE:
        return RENDER_MARK_LINE;
    default:
        return RENDER_MARK_AREA;
    }
}

size_t render_overlay_claim_count(const struct render_overlay *ov, size_t i)
{
    return ov->features[i].nclaims;
}

const char *render_overlay_claim(const struct render_overlay *ov, size_t i, size_t k)
{
    return ov->features[i].claims[k];
}

enum annot_stance render_overlay_claim_stance(const struct render_overlay *ov, size_t i, size_t k)
{
    return ov->features[i].stances[k];
}

enum markdate_relation render_overlay_relation(const struct render_overlay *ov, size_t i)
{
    return ov->features[i].rel;
}

const char *render_overlay_dates(const struct render_overlay *ov, size_t i)
{
    return ov->features[i].dates ? ov->features[i].dates : "";
}
