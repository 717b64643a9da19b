/*
 * render_overlay — building and reading the overlay of render.h. The overlay
 * stores, per feature, a list of parts (points, a line, or a ring) whose
 * positions are already in tile pixel coordinates, so drawing is an affine
 * map per vertex, cheap enough for a viewer frame; PROJ is called only here.
 * Each feature also gets its label anchor: a point's position, the middle
 * (by length) of its longest line, or the centroid of its largest ring
 * (annot_geometry's ring arithmetic).
 *
 * Invariants: the overlay owns copies of everything it keeps (ids, labels,
 * claims, dates); it is immutable once returned; a feature that cannot be
 * projected is left out whole (its parts and positions rolled back).
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "render_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"

static void free_feature(struct ov_feature *f)
{
    free(f->id); /* the label shares its block (ids_and_label) */
    free(f->dates);
    free(f->dated_label);
    for (size_t k = 0; k < f->nclaims; k++)
        free(f->claims[k]);
    free(f->claims);
    free(f->stances);
}

void render_overlay_free(struct render_overlay *ov)
{
    if (!ov)
        return;
    for (size_t i = 0; i < ov->n; i++)
        free_feature(&ov->features[i]);
    free(ov->features);
    free(ov->parts);
    free(ov->xy);
    free(ov);
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

/* Adds the parts of g (members included) with lon/lat positions; xy gets
 * the lon/lat for now, projected afterwards per feature. */
static bool add_geometry_parts(struct render_overlay *ov, const struct annot_geometry *g)
{
    for (size_t p = 0; p < g->nparts; p++) {
        const struct annot_part *part = &g->parts[p];
        enum part_kind kind = PART_POINTS;
        if (g->type == ANNOT_GEOM_LINESTRING || g->type == ANNOT_GEOM_MULTILINESTRING)
            kind = PART_LINE;
        else if (g->type == ANNOT_GEOM_POLYGON || g->type == ANNOT_GEOM_MULTIPOLYGON)
            kind = PART_RING;
        if (!render_grow((void **)&ov->parts, &ov->capparts, ov->nparts + 1, sizeof *ov->parts) ||
            !render_grow((void **)&ov->xy, &ov->cappts, ov->npts + part->n, sizeof *ov->xy))
            return false;
        ov->parts[ov->nparts++] = (struct ov_part){kind, ov->npts, part->n};
        for (size_t i = 0; i < part->n; i++) {
            ov->xy[ov->npts] = (struct annot_xy){part->pts[i].lon, part->pts[i].lat};
            ov->npts++;
        }
    }
    for (size_t m = 0; m < g->nmembers; m++)
        if (!add_geometry_parts(ov, &g->members[m]))
            return false;
    return true;
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

/* Projects the parts of the last feature (f) from lon/lat to tile px.
 * Returns false when a position cannot be projected. */
/* Scratch positions for project_feature, reused from feature to feature. */
struct project_scratch {
    double *lonlat; /* 2 * cap */
    size_t cap;
};

static bool project_feature(struct render_overlay *ov, struct ov_feature *f, struct geo_ref *g,
                            struct project_scratch *sc)
{
    if (f->nparts == 0)
        return true;
    size_t first = ov->parts[f->part_start].start;
    size_t n = ov->npts - first;
    /* one buffer for every feature (a detector's 100,000 points: two
     * allocations each were ~30% of building the overlay) */
    if (n > sc->cap) {
        double *grown = realloc(sc->lonlat, 2 * n * sizeof *grown);
        if (!grown)
            return false;
        sc->lonlat = grown;
        sc->cap = n;
    }
    double *lon = sc->lonlat, *lat = sc->lonlat + n;
    for (size_t i = 0; i < n; i++) {
        lon[i] = ov->xy[first + i].x;
        lat[i] = ov->xy[first + i].y;
    }
    size_t failed = 0;
    /* no diag: the only failure it could carry (no CRS) was ruled out by the caller */
    bool ok = geo_lonlats_to_pixels(g, n, lon, lat, lon, lat, &failed, NULL) && failed == 0;
    if (ok) {
        double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            ov->xy[first + i] = (struct annot_xy){lon[i], lat[i]};
        }
        render_grow_bounds(n, lon, lat, &minx, &miny, &maxx, &maxy);
        f->has_bbox = true;
        f->bbox = (struct render_rect){minx, miny, maxx - minx, maxy - miny};
        compute_anchor(ov, f);
    }
    return ok;
}

/* "id\0label\0" in one new block ("" for NULL); free() the result. */
static char *id_and_label(const char *id, const char *label)
{
    id = id ? id : "";
    label = label ? label : "";
    size_t ni = strlen(id) + 1, nl = strlen(label) + 1;
    char *d = malloc(ni + nl);
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
    size_t total = 0;
    for (size_t s = 0; s < nsets; s++)
        total += annot_count(sets[s]);
    if (total == 0)
        return ov;
    if (!geo_ref_has_crs(g)) {
        diag_warn(dg, "the image has no CRS: %zu mark(s) cannot be placed on it", total);
        return ov;
    }
    size_t skipped = 0;
    const char *first_skipped = NULL;
    struct project_scratch scratch = {NULL, 0};
    for (size_t s = 0; s < nsets; s++) {
        for (size_t i = 0; i < annot_count(sets[s]); i++) {
            const struct annot_feature *af = annot_get(sets[s], i);
            enum markdate_relation rel = markdate_classify(af, img);
            if (rel == MARKDATE_OTHER_DATES) {
                if (other_dates)
                    (*other_dates)++;
                if (!keep_other)
                    continue;
            }
            if (!render_grow((void **)&ov->features, &ov->cap, ov->n + 1, sizeof *ov->features))
                goto oom;
            struct ov_feature *f = &ov->features[ov->n];
            memset(f, 0, sizeof *f);
            f->cls = af->cls;
            f->rel = rel;
            f->part_start = ov->nparts;
            if ((f->id = id_and_label(af->id, af->label)))
                f->label = f->id + strlen(f->id) + 1;
            f->claims = af->nclaims ? calloc(af->nclaims, sizeof *f->claims) : NULL;
            f->stances = af->nclaims ? calloc(af->nclaims, sizeof *f->stances) : NULL;
            if (!f->id || !f->label || !set_dates(f, af) ||
                (af->nclaims && (!f->claims || !f->stances))) {
                free_feature(f);
                goto oom;
            }
            for (size_t k = 0; k < af->nclaims; k++) {
                f->claims[k] = dup_str(af->claims[k].claim);
                f->stances[k] = af->claims[k].stance;
                if (!f->claims[k]) {
                    f->nclaims = k;
                    free_feature(f);
                    goto oom;
                }
            }
            f->nclaims = af->nclaims;
            size_t pts_before = ov->npts;
            if (!add_geometry_parts(ov, &af->geom)) {
                free_feature(f);
                goto oom;
            }
            f->nparts = ov->nparts - f->part_start;
            if (!project_feature(ov, f, g, &scratch)) {
                if (!first_skipped)
                    first_skipped = af->id;
                skipped++;
                free_feature(f);
                ov->nparts = f->part_start;
                ov->npts = pts_before;
                continue;
            }
            ov->n++;
        }
    }
    free(scratch.lonlat);
    if (skipped)
        diag_warn(dg, "%zu mark(s) lie outside the image's projection and are not drawn "
                      "(first: %s)", skipped, first_skipped);
    return ov;
oom:
    free(scratch.lonlat);
    diag_error(dg, "render: out of memory");
    render_overlay_free(ov);
    return NULL;
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
