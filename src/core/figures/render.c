/*
 * render — see render.h. The overlay stores, per feature, a list of parts
 * (points, a line, or a ring) whose vertices are already in tile pixel
 * coordinates; drawing is then an affine map per vertex, cheap enough for a
 * viewer frame. Labels are placed after all geometry: each label tries up to
 * eight positions around its anchor and takes the first that stays inside the
 * output and meets no label, symbol or keep-clear rectangle placed before it;
 * when all collide it is skipped (counted in the stats). Placement order is
 * the emphasised feature, then points, lines and polygons, so the small
 * things an investigator points at win over area names.
 */
#include "render.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "labelgroup.h"

#define RENDER_PI 3.14159265358979323846

/* ---- views ----------------------------------------------------------------- */

void render_view_to_out(const struct render_view *v, double tile_x, double tile_y,
                        double *out_x, double *out_y)
{
    *out_x = (tile_x - v->src_x) * v->out_w / v->src_w;
    *out_y = (tile_y - v->src_y) * v->out_h / v->src_h;
}

void render_view_to_tile(const struct render_view *v, double out_x, double out_y,
                         double *tile_x, double *tile_y)
{
    *tile_x = v->src_x + out_x * v->src_w / v->out_w;
    *tile_y = v->src_y + out_y * v->src_h / v->out_h;
}

static bool rect_ok(const struct render_rect *r)
{
    return isfinite(r->x) && isfinite(r->y) && isfinite(r->w) && isfinite(r->h) && r->w > 0 &&
           r->h > 0;
}

bool render_view_place(const struct render_rect *req, int out_w, int out_h,
                       const struct render_rect *area, struct render_view *view,
                       struct render_rect *placed, struct diag *dg)
{
    if (!rect_ok(req) || !rect_ok(area) || out_w <= 0 || out_h <= 0) {
        diag_error(dg, "render: empty or invalid view (window %gx%g, output %dx%d)", req->w,
                   req->h, out_w, out_h);
        return false;
    }
    double s = fmin(area->w / req->w, area->h / req->h);
    struct render_rect p = {
        .x = area->x + (area->w - req->w * s) / 2,
        .y = area->y + (area->h - req->h * s) / 2,
        .w = req->w * s,
        .h = req->h * s,
    };
    view->out_w = out_w;
    view->out_h = out_h;
    view->src_w = out_w / s;
    view->src_h = out_h / s;
    view->src_x = req->x - p.x / s;
    view->src_y = req->y - p.y / s;
    if (placed)
        *placed = p;
    return true;
}

void render_request_tile(int width, int height, struct render_rect *req)
{
    req->x = 0;
    req->y = 0;
    req->w = width;
    req->h = height;
}

/* Grows [min,max] bounds with the finite points among n. */
static size_t grow_bounds(size_t n, const double *x, const double *y, double *minx,
                          double *miny, double *maxx, double *maxy)
{
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        *minx = fmin(*minx, x[i]);
        *maxx = fmax(*maxx, x[i]);
        *miny = fmin(*miny, y[i]);
        *maxy = fmax(*maxy, y[i]);
        used++;
    }
    return used;
}

bool render_request_bbox(struct geo_ref *g, double west, double south, double east,
                         double north, struct render_rect *req, struct diag *dg)
{
    if (!(west < east) || !(south < north) || west < -180 || east > 180 || south < -90 ||
        north > 90) {
        diag_error(dg, "bbox %g,%g,%g,%g: need W < E and S < N within -180..180, -90..90", west,
                   south, east, north);
        return false;
    }
    enum { K = GEO_BOUNDS_EDGE_POINTS };
    double lon[4 * K], lat[4 * K], px[4 * K], py[4 * K];
    for (int i = 0; i < K; i++) {
        double t = (double)i / (K - 1);
        lon[i] = west + t * (east - west), lat[i] = south;
        lon[K + i] = west + t * (east - west), lat[K + i] = north;
        lon[2 * K + i] = west, lat[2 * K + i] = south + t * (north - south);
        lon[3 * K + i] = east, lat[3 * K + i] = south + t * (north - south);
    }
    if (!geo_lonlats_to_pixels(g, 4 * K, lon, lat, px, py, NULL, dg))
        return false;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    if (grow_bounds(4 * K, px, py, &minx, &miny, &maxx, &maxy) == 0 || !(maxx > minx) ||
        !(maxy > miny)) {
        diag_error(dg, "bbox %g,%g,%g,%g: outside the image's projection", west, south, east,
                   north);
        return false;
    }
    req->x = minx;
    req->y = miny;
    req->w = maxx - minx;
    req->h = maxy - miny;
    return true;
}

/* Appends every position of g (members included) to lon/lat (grown as needed). */
static bool collect_positions(const struct annot_geometry *g, double **lon, double **lat,
                              size_t *n, size_t *cap)
{
    for (size_t p = 0; p < g->nparts; p++) {
        const struct annot_part *part = &g->parts[p];
        if (*n + part->n > *cap) {
            size_t nc = (*cap ? *cap : 64);
            while (nc < *n + part->n)
                nc *= 2;
            double *a = realloc(*lon, nc * sizeof *a);
            if (!a)
                return false;
            *lon = a;
            double *b = realloc(*lat, nc * sizeof *b);
            if (!b)
                return false;
            *lat = b;
            *cap = nc;
        }
        for (size_t i = 0; i < part->n; i++) {
            (*lon)[*n] = part->pts[i].lon;
            (*lat)[*n] = part->pts[i].lat;
            (*n)++;
        }
    }
    for (size_t m = 0; m < g->nmembers; m++)
        if (!collect_positions(&g->members[m], lon, lat, n, cap))
            return false;
    return true;
}

bool render_request_feature(struct geo_ref *g, const struct annot_feature *f, double pad_m,
                            struct render_rect *req, struct diag *dg)
{
    if (!(pad_m >= 0) || !isfinite(pad_m)) {
        diag_error(dg, "feature %s: padding must be a number of metres >= 0", f->id);
        return false;
    }
    double *lon = NULL, *lat = NULL;
    size_t n = 0, cap = 0;
    if (!collect_positions(&f->geom, &lon, &lat, &n, &cap)) {
        free(lon);
        free(lat);
        diag_error(dg, "feature %s: out of memory", f->id);
        return false;
    }
    if (n == 0) {
        free(lon);
        free(lat);
        diag_error(dg, "feature %s: has no geometry to frame", f->id);
        return false;
    }
    bool ok = geo_lonlats_to_pixels(g, n, lon, lat, lon, lat, NULL, dg);
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    if (ok && grow_bounds(n, lon, lat, &minx, &miny, &maxx, &maxy) == 0) {
        diag_error(dg, "feature %s: outside the image's projection", f->id);
        ok = false;
    }
    free(lon);
    free(lat);
    if (!ok)
        return false;
    double rx = 1, ry = 1;
    if (!geo_ground_resolution_at(g, (minx + maxx) / 2, (miny + maxy) / 2, &rx, &ry, dg))
        return false;
    double padx = pad_m / rx, pady = pad_m / ry;
    /* A point with no padding would give an empty window: show 50 px around it. */
    if (maxx - minx + 2 * padx < 1)
        padx = 25;
    if (maxy - miny + 2 * pady < 1)
        pady = 25;
    req->x = minx - padx;
    req->y = miny - pady;
    req->w = maxx - minx + 2 * padx;
    req->h = maxy - miny + 2 * pady;
    return true;
}

/* ---- overlay --------------------------------------------------------------- */

enum part_kind { PART_POINTS, PART_LINE, PART_RING };

struct ov_part {
    enum part_kind kind;
    size_t start, n; /* into overlay xy (pairs) */
};

struct ov_feature {
    char *id;
    char *label;
    enum annot_class cls;
    size_t part_start, nparts;
    char **claims;
    enum annot_stance *stances;
    size_t nclaims;
    bool has_bbox;
    struct render_rect bbox; /* tile px */
    double anchor_x, anchor_y; /* label anchor, tile px */
    enum part_kind anchor_kind;
    enum markdate_relation rel;
    char *dates;       /* markdate_dates of the feature */
    char *dated_label; /* "label (dates)" for other-date marks, else NULL */
};

struct render_overlay {
    struct ov_feature *features;
    size_t n, cap;
    struct ov_part *parts;
    size_t nparts, capparts;
    double *xy; /* tile px, x,y pairs */
    size_t npts, cappts;
};

static void free_feature(struct ov_feature *f)
{
    free(f->id);
    free(f->label);
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

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
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
        if (!grow((void **)&ov->parts, &ov->capparts, ov->nparts + 1, sizeof *ov->parts) ||
            !grow((void **)&ov->xy, &ov->cappts, 2 * (ov->npts + part->n), sizeof *ov->xy))
            return false;
        ov->parts[ov->nparts++] = (struct ov_part){kind, ov->npts, part->n};
        for (size_t i = 0; i < part->n; i++) {
            ov->xy[2 * ov->npts] = part->pts[i].lon;
            ov->xy[2 * ov->npts + 1] = part->pts[i].lat;
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
        const double *xy = ov->xy + 2 * part->start;
        if (part->kind == PART_POINTS && part->n > 0) {
            f->anchor_x = xy[0];
            f->anchor_y = xy[1];
            f->anchor_kind = PART_POINTS;
            return;
        }
    }
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &ov->parts[f->part_start + p];
        const double *xy = ov->xy + 2 * part->start;
        if (part->kind == PART_LINE) {
            double len = 0;
            for (size_t i = 1; i < part->n; i++)
                len += hypot(xy[2 * i] - xy[2 * i - 2], xy[2 * i + 1] - xy[2 * i - 1]);
            if (len <= best)
                continue;
            best = len;
            double half = len / 2, acc = 0;
            for (size_t i = 1; i < part->n; i++) {
                double seg = hypot(xy[2 * i] - xy[2 * i - 2], xy[2 * i + 1] - xy[2 * i - 1]);
                if (acc + seg >= half && seg > 0) {
                    double t = (half - acc) / seg;
                    f->anchor_x = xy[2 * i - 2] + t * (xy[2 * i] - xy[2 * i - 2]);
                    f->anchor_y = xy[2 * i - 1] + t * (xy[2 * i + 1] - xy[2 * i - 1]);
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
        const double *xy = ov->xy + 2 * part->start;
        if (part->kind != PART_RING || part->n < 3)
            continue;
        double a = 0, cx = 0, cy = 0;
        for (size_t i = 0; i + 1 < part->n; i++) {
            double cross = xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
            a += cross;
            cx += (xy[2 * i] + xy[2 * i + 2]) * cross;
            cy += (xy[2 * i + 1] + xy[2 * i + 3]) * cross;
        }
        if (fabs(a) > best && fabs(a) > 1e-9) {
            best = fabs(a);
            f->anchor_x = cx / (3 * a);
            f->anchor_y = cy / (3 * a);
        }
    }
}

/* Projects the parts of the last feature (f) from lon/lat to tile px.
 * Returns false when a position cannot be projected. */
static bool project_feature(struct render_overlay *ov, struct ov_feature *f, struct geo_ref *g)
{
    if (f->nparts == 0)
        return true;
    size_t first = ov->parts[f->part_start].start;
    size_t n = ov->npts - first;
    double *lon = malloc(n * sizeof *lon), *lat = malloc(n * sizeof *lat);
    if (!lon || !lat) {
        free(lon);
        free(lat);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        lon[i] = ov->xy[2 * (first + i)];
        lat[i] = ov->xy[2 * (first + i) + 1];
    }
    size_t failed = 0;
    struct diag *quiet = diag_new();
    bool ok = quiet && geo_lonlats_to_pixels(g, n, lon, lat, lon, lat, &failed, quiet) &&
              failed == 0;
    diag_free(quiet);
    if (ok) {
        double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            ov->xy[2 * (first + i)] = lon[i];
            ov->xy[2 * (first + i) + 1] = lat[i];
        }
        grow_bounds(n, lon, lat, &minx, &miny, &maxx, &maxy);
        f->has_bbox = true;
        f->bbox = (struct render_rect){minx, miny, maxx - minx, maxy - miny};
        compute_anchor(ov, f);
    }
    free(lon);
    free(lat);
    return ok;
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
            if (!grow((void **)&ov->features, &ov->cap, ov->n + 1, sizeof *ov->features))
                goto oom;
            struct ov_feature *f = &ov->features[ov->n];
            memset(f, 0, sizeof *f);
            f->cls = af->cls;
            f->rel = rel;
            f->part_start = ov->nparts;
            f->id = dup_str(af->id);
            f->label = dup_str(af->label);
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
            if (!project_feature(ov, f, g)) {
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
    if (skipped)
        diag_warn(dg, "%zu mark(s) lie outside the image's projection and are not drawn "
                      "(first: %s)", skipped, first_skipped);
    return ov;
oom:
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

/* ---- drawing --------------------------------------------------------------- */

void render_marks_options_init(struct render_marks_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->scale = 1;
    opt->labels = true;
    opt->font = NULL;
    opt->font_px = 12;
}

static void set_rgb(cairo_t *cr, struct style_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

/* Hinting off and grey anti-aliasing: the same glyph shapes on every
 * machine with the same fonts, whatever the screen settings. */
static void setup_text_context(cairo_t *cr, PangoLayout *layout)
{
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    PangoContext *pc = pango_layout_get_context(layout);
    pango_cairo_context_set_font_options(pc, fo);
    pango_cairo_update_context(cr, pc);
    pango_layout_context_changed(layout);
    cairo_font_options_destroy(fo);
}

/* New layout for cr with font family list `font` at px; free with g_object_unref. */
static PangoLayout *new_layout(cairo_t *cr, const char *font, double px)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    setup_text_context(cr, layout);
    PangoFontDescription *desc = pango_font_description_from_string(font ? font : RENDER_DEFAULT_FONT);
    pango_font_description_set_absolute_size(desc, px * PANGO_SCALE);
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    return layout;
}

/* Draws layout at (x, y): halo outline first (when halo_px > 0), then fill. */
/* Draws layout at (x, y): halo first (when halo_px > 0), then the text.
 * The halo is the text drawn in the halo colour at 8 offsets on a circle of
 * radius halo_px (16 when the radius is over 4.5 px), not the stroked glyph
 * outlines: Cairo draws cached glyphs far faster than it strokes their
 * curves (about a third of the time per label), and at these radii the two
 * look the same. The copies overlap, so the halo is opaque. */
static void show_layout(cairo_t *cr, PangoLayout *layout, double x, double y,
                        struct style_rgb rgb, double halo_px, struct style_rgb halo)
{
    if (halo_px > 0) {
        set_rgb(cr, halo, 1.0);
        int steps = halo_px > 4.5 ? 16 : 8;
        for (int k = 0; k < steps; k++) {
            double a = 2 * 3.14159265358979323846 * k / steps;
            cairo_move_to(cr, x + halo_px * cos(a), y + halo_px * sin(a));
            pango_cairo_show_layout(cr, layout);
        }
    }
    cairo_move_to(cr, x, y);
    set_rgb(cr, rgb, 1.0);
    pango_cairo_show_layout(cr, layout);
    cairo_new_path(cr);
}

static void text_common(cairo_t *cr, const char *text, bool markup, const char *font,
                        double px, double x, double y, double wrap_w, struct style_rgb rgb,
                        double halo_px, struct style_rgb halo, bool measure_only, double *w,
                        double *h)
{
    PangoLayout *layout = new_layout(cr, font, px);
    if (wrap_w > 0) {
        pango_layout_set_width(layout, (int)(wrap_w * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    if (markup)
        pango_layout_set_markup(layout, text, -1);
    else
        pango_layout_set_text(layout, text, -1);
    PangoRectangle logical;
    pango_layout_get_pixel_extents(layout, NULL, &logical);
    if (w)
        *w = logical.width;
    if (h)
        *h = logical.height;
    if (!measure_only)
        show_layout(cr, layout, x, y, rgb, halo_px, halo);
    g_object_unref(layout);
}

void render_text(cairo_t *cr, const char *text, const char *font, double px, double x,
                 double y, double wrap_w, struct style_rgb rgb, double halo_px,
                 struct style_rgb halo, bool measure_only, double *w, double *h)
{
    text_common(cr, text, false, font, px, x, y, wrap_w, rgb, halo_px, halo, measure_only, w,
                h);
}

void render_markup(cairo_t *cr, const char *markup, const char *font, double px, double x,
                   double y, double wrap_w, struct style_rgb rgb, bool measure_only, double *w,
                   double *h)
{
    struct style_rgb none = {0, 0, 0};
    text_common(cr, markup, true, font, px, x, y, wrap_w, rgb, 0, none, measure_only, w, h);
}

static void symbol_path(cairo_t *cr, enum style_symbol sym, double x, double y, double r)
{
    switch (sym) {
    case STYLE_SYMBOL_SQUARE:
        cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r);
        break;
    case STYLE_SYMBOL_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.1);
        cairo_line_to(cr, x + r, y + r * 0.75);
        cairo_line_to(cr, x - r, y + r * 0.75);
        cairo_close_path(cr);
        break;
    case STYLE_SYMBOL_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r, y);
        cairo_line_to(cr, x, y + r * 1.15);
        cairo_line_to(cr, x - r, y);
        cairo_close_path(cr);
        break;
    case STYLE_SYMBOL_CROSS: {
        double a = r * 0.35;
        cairo_move_to(cr, x - a, y - r);
        cairo_line_to(cr, x + a, y - r);
        cairo_line_to(cr, x + a, y - a);
        cairo_line_to(cr, x + r, y - a);
        cairo_line_to(cr, x + r, y + a);
        cairo_line_to(cr, x + a, y + a);
        cairo_line_to(cr, x + a, y + r);
        cairo_line_to(cr, x - a, y + r);
        cairo_line_to(cr, x - a, y + a);
        cairo_line_to(cr, x - r, y + a);
        cairo_line_to(cr, x - r, y - a);
        cairo_line_to(cr, x - a, y - a);
        cairo_close_path(cr);
        break;
    }
    case STYLE_SYMBOL_CIRCLE:
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * RENDER_PI);
        break;
    }
}

/* Obstacles for label placement: output-pixel rectangles. */
struct boxes {
    struct render_rect *r;
    size_t n, cap;
};

static bool boxes_add(struct boxes *b, struct render_rect r)
{
    if (!grow((void **)&b->r, &b->cap, b->n + 1, sizeof *b->r))
        return false;
    b->r[b->n++] = r;
    return true;
}

static bool boxes_hit(const struct boxes *b, const struct render_rect *r)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct render_rect *q = &b->r[i];
        if (r->x < q->x + q->w && q->x < r->x + r->w && r->y < q->y + q->h && q->y < r->y + r->h)
            return true;
    }
    return false;
}

struct draw_ctx {
    cairo_t *cr;
    const struct render_view *view;
    const struct render_overlay *ov;
    const struct style *st;
    const struct render_marks_options *opt;
    double sx, sy; /* tile px -> out px */
};

static void part_path(const struct draw_ctx *d, const struct ov_part *part)
{
    const double *xy = d->ov->xy + 2 * part->start;
    for (size_t i = 0; i < part->n; i++) {
        double x = (xy[2 * i] - d->view->src_x) * d->sx;
        double y = (xy[2 * i + 1] - d->view->src_y) * d->sy;
        if (i == 0)
            cairo_move_to(d->cr, x, y);
        else
            cairo_line_to(d->cr, x, y);
    }
    if (part->kind == PART_RING)
        cairo_close_path(d->cr);
}

static void set_dash(cairo_t *cr, const struct style_class *sc, double scale)
{
    if (sc->ndash == 0) {
        cairo_set_dash(cr, NULL, 0, 0);
        return;
    }
    double dash[STYLE_MAX_DASH];
    for (size_t i = 0; i < sc->ndash && i < STYLE_MAX_DASH; i++)
        dash[i] = sc->dash[i] * scale;
    cairo_set_dash(cr, dash, (int)sc->ndash, 0);
}

/* Adds the parts of kind of feature f to the current path (points as their
 * symbols); false when f has none. Points record label obstacles. */
static bool feature_path(const struct draw_ctx *d, const struct ov_feature *f,
                         enum part_kind kind, double r, double halo, struct boxes *obstacles)
{
    cairo_t *cr = d->cr;
    const struct style_class *sc = style_for_class(d->st, f->cls);
    bool any = false;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &d->ov->parts[f->part_start + p];
        if (part->kind != kind)
            continue;
        any = true;
        if (kind != PART_POINTS) {
            part_path(d, part);
            continue;
        }
        const double *xy = d->ov->xy + 2 * part->start;
        for (size_t i = 0; i < part->n; i++) {
            double x = (xy[2 * i] - d->view->src_x) * d->sx;
            double y = (xy[2 * i + 1] - d->view->src_y) * d->sy;
            if (x < -4 * r || y < -4 * r || x > d->view->out_w + 4 * r ||
                y > d->view->out_h + 4 * r)
                continue;
            symbol_path(cr, sc->symbol, x, y, r);
            if (obstacles)
                boxes_add(obstacles, (struct render_rect){x - r - halo, y - r - halo,
                                                          2 * (r + halo), 2 * (r + halo)});
        }
    }
    return any;
}

/* Draws the parts of one kind of the n features whose indices (into d->ov)
 * are in feats, all of one class. Their outlines are stroked as one path
 * (halo, then the styled line): each Cairo stroke has a fixed cost, so a
 * figure with hundreds of marks draws in far less time. Fills stay per
 * feature, so a ring's holes (even-odd) never interact with another
 * feature. */
static void draw_group(const struct draw_ctx *d, const size_t *feats, size_t n,
                       enum part_kind kind, bool emphasis, struct boxes *obstacles)
{
    if (n == 0)
        return;
    cairo_t *cr = d->cr;
    const struct style_class *sc = style_for_class(d->st, d->ov->features[feats[0]].cls);
    double scale = d->opt->scale * (emphasis ? 1.5 : 1.0);
    double lw = sc->line_width * scale;
    double halo = fmax(1.0, 1.0 * d->opt->scale);
    double r = sc->symbol_size * scale / 2;
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (kind == PART_RING && sc->fill_opacity > 0) {
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        set_rgb(cr, sc->colour, sc->fill_opacity);
        for (size_t k = 0; k < n; k++) {
            cairo_new_path(cr);
            if (feature_path(d, &d->ov->features[feats[k]], kind, r, halo, NULL))
                cairo_fill(cr);
        }
    }
    cairo_new_path(cr);
    bool any = false;
    for (size_t k = 0; k < n; k++)
        any |= feature_path(d, &d->ov->features[feats[k]], kind, r, halo, obstacles);
    if (!any)
        return;
    if (kind == PART_POINTS) {
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        set_rgb(cr, sc->colour, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_set_line_width(cr, 1.5 * halo);
        set_rgb(cr, sc->halo_colour, 0.95);
        cairo_stroke(cr);
        return;
    }
    /* halo under the line, solid, then the styled line */
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_width(cr, lw + 2 * halo * (emphasis ? 2 : 1));
    set_rgb(cr, emphasis ? (struct style_rgb){255, 255, 255} : sc->halo_colour,
            emphasis ? 1.0 : 0.75);
    cairo_stroke_preserve(cr);
    set_dash(cr, sc, d->opt->scale);
    cairo_set_line_width(cr, lw);
    set_rgb(cr, sc->colour, 1.0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

size_t render_dense_limit(const struct render_view *view)
{
    /* one mark per 2,000 output pixels (a 2048x2048 figure: 2,097), at least 500 */
    size_t limit = (size_t)view->out_w * (size_t)view->out_h / 2000;
    return limit < 500 ? 500 : limit;
}

/* The margin around the view within which marks are still drawn (their
 * symbols and labels reach in). */
static struct render_view grown_view(const struct render_view *view, double scale)
{
    struct render_view grown = *view;
    double margin = 40 * scale / (view->out_w / view->src_w);
    grown.src_x -= margin, grown.src_y -= margin;
    grown.src_w += 2 * margin, grown.src_h += 2 * margin;
    return grown;
}

unsigned render_dense_classes(const struct render_overlay *ov, const struct render_view *view,
                              unsigned hidden_classes)
{
    if (!ov || view->src_w <= 0 || view->src_h <= 0 || view->out_w <= 0 || view->out_h <= 0)
        return 0;
    struct render_view grown = grown_view(view, 1.0);
    size_t count[ANNOT_CLASS_COUNT] = {0};
    for (size_t i = 0; i < ov->n; i++) {
        enum annot_class c = ov->features[i].cls;
        if (!(hidden_classes & (1u << c)) && ov->features[i].rel != MARKDATE_OTHER_DATES &&
            render_overlay_visible(ov, i, &grown))
            count[c]++;
    }
    unsigned dense = 0;
    size_t limit = render_dense_limit(view);
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (count[c] > limit)
            dense |= 1u << c;
    return dense;
}

/* The n features feats (one class) as a density layer: each feature's
 * anchor counted in a grid of RENDER_DENSITY_CELL output pixels, each
 * non-empty cell painted in the class colour, more opaque where more marks
 * are (log scale), as one image scaled up without smoothing. */
static void draw_density(const struct draw_ctx *d, const size_t *feats, size_t n)
{
    if (n == 0)
        return;
    int cols = (d->view->out_w + RENDER_DENSITY_CELL - 1) / RENDER_DENSITY_CELL;
    int rows = (d->view->out_h + RENDER_DENSITY_CELL - 1) / RENDER_DENSITY_CELL;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, cols, rows);
    uint32_t *count = calloc((size_t)cols * (size_t)rows, sizeof *count);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS || !count) {
        cairo_surface_destroy(img);
        free(count);
        return;
    }
    uint32_t most = 0;
    for (size_t k = 0; k < n; k++) {
        const struct ov_feature *f = &d->ov->features[feats[k]];
        double x = (f->anchor_x - d->view->src_x) * d->sx / RENDER_DENSITY_CELL;
        double y = (f->anchor_y - d->view->src_y) * d->sy / RENDER_DENSITY_CELL;
        if (!(x >= 0 && y >= 0 && x < cols && y < rows))
            continue;
        uint32_t *c = &count[(size_t)y * (size_t)cols + (size_t)x];
        if (++*c > most)
            most = *c;
    }
    const struct style_class *sc = style_for_class(d->st, d->ov->features[feats[0]].cls);
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    double log_most = log1p((double)most);
    for (int y = 0; y < rows; y++) {
        uint32_t *row = (uint32_t *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < cols; x++) {
            uint32_t c = count[(size_t)y * (size_t)cols + (size_t)x];
            if (!c) {
                row[x] = 0;
                continue;
            }
            double a = 0.35 + 0.6 * (log_most > 0 ? log1p((double)c) / log_most : 1.0);
            unsigned alpha = (unsigned)lround(a * 255);
            row[x] = (uint32_t)alpha << 24 | (uint32_t)lround(sc->colour.r * a) << 16 |
                     (uint32_t)lround(sc->colour.g * a) << 8 | (uint32_t)lround(sc->colour.b * a);
        }
    }
    cairo_surface_mark_dirty(img);
    free(count);
    cairo_save(d->cr);
    cairo_scale(d->cr, RENDER_DENSITY_CELL, RENDER_DENSITY_CELL);
    cairo_set_source_surface(d->cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(d->cr), CAIRO_FILTER_NEAREST);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    cairo_surface_destroy(img);
}

/* The colour of a mark of other dates: its class colour mixed with a light
 * grey, so it keeps a hint of its class but never reads as this image's. */
static struct style_rgb ghost_rgb(struct style_rgb c)
{
    const double keep = 0.35, grey = 205;
    return (struct style_rgb){(unsigned char)lround(c.r * keep + grey * (1 - keep)),
                              (unsigned char)lround(c.g * keep + grey * (1 - keep)),
                              (unsigned char)lround(c.b * keep + grey * (1 - keep))};
}

static bool is_ghost(const struct ov_feature *f, const struct render_marks_options *opt)
{
    return f->rel == MARKDATE_OTHER_DATES && opt->other_dates == RENDER_OTHER_GHOSTED;
}

/* Draws the n features in feats (indices into d->ov) as marks of other
 * dates: every part outlined thin and dashed in the ghost colour over a
 * translucent dark halo, nothing filled (a ghost never hides the imagery of
 * this date). Points record label obstacles like draw_group's. */
static void draw_ghosts(const struct draw_ctx *d, const size_t *feats, size_t n,
                        bool emphasis, struct boxes *obstacles)
{
    cairo_t *cr = d->cr;
    double scale = d->opt->scale * (emphasis ? 1.6 : 1.0);
    double dash[2] = {5 * scale, 4 * scale};
    static const enum part_kind kinds[3] = {PART_RING, PART_LINE, PART_POINTS};
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (size_t k = 0; k < n; k++) {
        const struct ov_feature *f = &d->ov->features[feats[k]];
        const struct style_class *sc = style_for_class(d->st, f->cls);
        double lw = fmax(1.25, 0.6 * sc->line_width) * scale;
        double r = sc->symbol_size * scale / 2;
        for (int j = 0; j < 3; j++) {
            cairo_new_path(cr);
            if (!feature_path(d, f, kinds[j], r, 1.0, kinds[j] == PART_POINTS ? obstacles : NULL))
                continue;
            cairo_set_dash(cr, dash, 2, 0);
            cairo_set_line_width(cr, lw + 2 * fmax(1.0, scale));
            if (emphasis) /* selected: a white halo, as draw_group's emphasis */
                set_rgb(cr, (struct style_rgb){255, 255, 255}, 0.9);
            else
                set_rgb(cr, sc->halo_colour, 0.45);
            cairo_stroke_preserve(cr);
            cairo_set_line_width(cr, lw);
            set_rgb(cr, ghost_rgb(sc->colour), 0.9);
            cairo_stroke(cr);
        }
    }
    cairo_set_dash(cr, NULL, 0, 0);
}

/* Candidate label positions (top-left corners) around an anchor at (ax, ay)
 * for a label w x h with clearance gap; returns how many were written. */
static size_t label_candidates(enum part_kind kind, double ax, double ay, double w, double h,
                               double gap, double (*out)[2])
{
    size_t n = 0;
    if (kind == PART_RING) {
        out[n][0] = ax - w / 2, out[n][1] = ay - h / 2, n++;
        out[n][0] = ax - w / 2, out[n][1] = ay - h - h / 2, n++;
        out[n][0] = ax - w / 2, out[n][1] = ay + h / 2, n++;
        out[n][0] = ax + gap, out[n][1] = ay - h / 2, n++;
        out[n][0] = ax - w - gap, out[n][1] = ay - h / 2, n++;
        return n;
    }
    out[n][0] = ax + gap, out[n][1] = ay - h / 2, n++;          /* right */
    out[n][0] = ax - w - gap, out[n][1] = ay - h / 2, n++;      /* left */
    out[n][0] = ax - w / 2, out[n][1] = ay - gap - h, n++;      /* above */
    out[n][0] = ax - w / 2, out[n][1] = ay + gap, n++;          /* below */
    out[n][0] = ax + gap * 0.7, out[n][1] = ay - gap * 0.7 - h, n++; /* upper right */
    out[n][0] = ax + gap * 0.7, out[n][1] = ay + gap * 0.7, n++;     /* lower right */
    out[n][0] = ax - w - gap * 0.7, out[n][1] = ay - gap * 0.7 - h, n++;
    out[n][0] = ax - w - gap * 0.7, out[n][1] = ay + gap * 0.7, n++;
    return n;
}

static int label_rank(const struct ov_feature *f, const struct render_marks_options *opt)
{
    const char *highlight = opt->highlight_id;
    if (highlight && strcmp(f->id, highlight) == 0)
        return 0;
    if (is_ghost(f, opt))
        return 5; /* after every label of this image */
    if (f->anchor_kind == PART_POINTS)
        return 1;
    if (f->anchor_kind == PART_LINE)
        return 2;
    return f->cls == ANNOT_CLASS_AOI ? 4 : 3;
}

/* True when output point (x, y) is inside f's rings (even-odd over all of
 * them, so holes exclude). */
static bool inside_rings(const struct draw_ctx *d, const struct ov_feature *f, double x,
                         double y)
{
    /* test in tile px */
    double tx = d->view->src_x + x / d->sx, ty = d->view->src_y + y / d->sy;
    bool in = false;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &d->ov->parts[f->part_start + p];
        if (part->kind != PART_RING)
            continue;
        const double *xy = d->ov->xy + 2 * part->start;
        for (size_t i = 0, j = part->n - 1; i < part->n; j = i++) {
            double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
            if ((yi > ty) != (yj > ty) && tx < (xj - xi) * (ty - yi) / (yj - yi) + xi)
                in = !in;
        }
    }
    return in;
}

/* Candidate positions for the label of a large area: label centres on a grid
 * over its box, inside the area, nearest to the anchor first. */
static size_t area_candidates(const struct draw_ctx *d, const struct ov_feature *f, double ax,
                              double ay, double w, double h, double (*out)[2], size_t cap)
{
    double bx = (f->bbox.x - d->view->src_x) * d->sx, by = (f->bbox.y - d->view->src_y) * d->sy;
    double bw = f->bbox.w * d->sx, bh = f->bbox.h * d->sy;
    enum { G = 7 };
    double cx[G * G], cy[G * G], dist[G * G];
    size_t n = 0;
    for (int i = 0; i < G; i++)
        for (int j = 0; j < G; j++) {
            double x = bx + bw * (i + 0.5) / G, y = by + bh * (j + 0.5) / G;
            if (!inside_rings(d, f, x, y))
                continue;
            cx[n] = x, cy[n] = y, dist[n] = hypot(x - ax, y - ay);
            n++;
        }
    size_t k = 0;
    while (k < cap && n > 0) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (dist[i] < dist[best])
                best = i;
        out[k][0] = cx[best] - w / 2;
        out[k][1] = cy[best] - h / 2;
        k++;
        cx[best] = cx[n - 1], cy[best] = cy[n - 1], dist[best] = dist[n - 1];
        n--;
    }
    return k;
}

/* Output bounding box of f; true when f is small on the output (a pit, a
 * ship, a short line): such marks are obstacles for labels and get their
 * label beside them, like a point, instead of on top of them. */
static bool small_mark_box(const struct draw_ctx *d, const struct ov_feature *f,
                           struct render_rect *box)
{
    box->x = (f->bbox.x - d->view->src_x) * d->sx;
    box->y = (f->bbox.y - d->view->src_y) * d->sy;
    box->w = f->bbox.w * d->sx;
    box->h = f->bbox.h * d->sy;
    double ow = d->view->out_w, oh = d->view->out_h;
    return f->anchor_kind != PART_POINTS && box->w * box->h < 0.01 * ow * oh &&
           box->w < ow / 6 && box->h < oh / 6;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool draw_labels(const struct draw_ctx *d, const size_t *visible, size_t nvisible,
                        struct boxes *obstacles, struct render_marks_stats *stats)
{
    cairo_t *cr = d->cr;
    const struct render_marks_options *opt = d->opt;
    double px = opt->font_px * opt->scale;
    double halo_px = fmax(1.5, 1.6 * opt->scale);
    PangoLayout *layout = new_layout(cr, opt->font, px);
    if (!layout)
        return false;
    double fx = 0, fy = 0, fw = d->view->out_w, fh = d->view->out_h;
    if (opt->frame.w > 0 && opt->frame.h > 0) {
        fx = opt->frame.x, fy = opt->frame.y, fw = opt->frame.w, fh = opt->frame.h;
    }
    /* Neighbouring marks of one class with the same label get one label for
     * the group (labelgroup.h); the emphasised feature keeps its own. */
    struct labelgroup_item *items = malloc((nvisible ? nvisible : 1) * sizeof *items);
    size_t *leader = malloc((nvisible ? nvisible : 1) * sizeof *leader);
    size_t *count = malloc((nvisible ? nvisible : 1) * sizeof *count);
    if (!items || !leader || !count) {
        free(items);
        free(leader);
        free(count);
        g_object_unref(layout);
        return false;
    }
    for (size_t v = 0; v < nvisible; v++) {
        const struct ov_feature *f = &d->ov->features[visible[v]];
        double ax = (f->anchor_x - d->view->src_x) * d->sx;
        double ay = (f->anchor_y - d->view->src_y) * d->sy;
        /* a group counts only marks whose anchor is in the frame (those in
         * the margin outside it are not what the reader sees) */
        bool own = label_rank(f, opt) == 0 || ax < fx || ay < fy || ax > fx + fw || ay > fy + fh;
        /* marks of other dates (ghosts) group only among themselves */
        int key = (int)f->cls + (is_ghost(f, opt) ? ANNOT_CLASS_COUNT : 0);
        items[v] = (struct labelgroup_item){own ? NULL : (f->dated_label ? f->dated_label : f->label),
                                            key, ax, ay};
    }
    labelgroup_assign(items, nvisible, RENDER_LABEL_GROUP_GAP_EM * px, leader, count);
    /* the texts placed, to report the most repeated one (stats) */
    const char **placed_text = malloc((nvisible ? nvisible : 1) * sizeof *placed_text);
    size_t nplaced_text = 0;
    if (!placed_text) {
        free(items);
        free(leader);
        free(count);
        g_object_unref(layout);
        return false;
    }
    for (int rank = 0; rank <= 5; rank++) {
        for (size_t v = 0; v < nvisible; v++) {
            const struct ov_feature *f = &d->ov->features[visible[v]];
            const char *label = f->dated_label ? f->dated_label : f->label;
            if (!label[0] || label_rank(f, opt) != rank)
                continue;
            if (leader[v] != v) {
                stats->labels_grouped++;
                continue;
            }
            const struct style_class *sc = style_for_class(d->st, f->cls);
            bool ghost = is_ghost(f, opt);
            char caption[700];
            if (count[v] >= LABELGROUP_MIN) {
                /* "Container yard blocks (13)", with the dates of a ghost after */
                const char *base = f->label[0] ? f->label : label;
                labelgroup_caption(base, count[v], caption, sizeof caption);
                size_t ll = strlen(base);
                if (f->dated_label && base == f->label && strncmp(f->dated_label, base, ll) == 0) {
                    size_t cl = strlen(caption);
                    snprintf(caption + cl, sizeof caption - cl, "%s", f->dated_label + ll);
                }
                pango_layout_set_text(layout, caption, -1);
            } else {
                pango_layout_set_text(layout, label, -1);
            }
            PangoRectangle ink, logical;
            pango_layout_get_pixel_extents(layout, &ink, &logical);
            double w = logical.width + 2 * halo_px, h = logical.height;
            /* a group's label goes beside its leader, else beside another
             * member (leader first) */
            bool placed = false;
            bool grouped = count[v] >= LABELGROUP_MIN;
            for (size_t t = 0; t <= (grouped ? nvisible : 0) && !placed; t++) {
                size_t m = t == 0 ? v : t - 1;
                if (t > 0 && (m == v || leader[m] != v))
                    continue;
                const struct ov_feature *g = &d->ov->features[visible[m]];
                double ax = (g->anchor_x - d->view->src_x) * d->sx;
                double ay = (g->anchor_y - d->view->src_y) * d->sy;
                double gap = sc->symbol_size * opt->scale / 2 + 3 * opt->scale;
                enum part_kind kind = g->anchor_kind;
                struct render_rect mb;
                if (small_mark_box(d, g, &mb)) {
                    /* beside the small mark, around its box's centre */
                    kind = PART_POINTS;
                    ax = mb.x + mb.w / 2;
                    ay = mb.y + mb.h / 2;
                    gap = fmax(mb.w, mb.h) / 2 + 3 * opt->scale;
                } else if (g->anchor_kind != PART_POINTS) {
                    gap = sc->line_width * opt->scale + 4 * opt->scale;
                }
                double cand[32][2];
                size_t nc = 0;
                if (g->cls == ANNOT_CLASS_AOI && g->anchor_kind == PART_RING) {
                    /* an area's name goes inside its top-left corner (of the part
                     * in the frame), where it reads as the area's title; along
                     * that top edge and a little below when furniture is there */
                    double bx = (g->bbox.x - d->view->src_x) * d->sx;
                    double by = (g->bbox.y - d->view->src_y) * d->sy;
                    double bx2 = (g->bbox.x + g->bbox.w - d->view->src_x) * d->sx;
                    double x0 = fmax(bx, fx) + gap, y0 = fmax(by, fy) + gap;
                    for (int row = 0; row < 3; row++)
                        for (int col = 0; col < 8 && nc < 24; col++) {
                            double x = x0 + col * (w * 0.75);
                            if (x + w > fmin(bx2, fx + fw))
                                break;
                            /* a rotated area's box corner is outside it */
                            if (!inside_rings(d, g, x, y0 + row * h * 1.2) ||
                                !inside_rings(d, g, x + w, y0 + row * h * 1.2 + h))
                                continue;
                            cand[nc][0] = x;
                            cand[nc][1] = y0 + row * h * 1.2;
                            nc++;
                        }
                }
                nc += label_candidates(kind, ax, ay, w, h, gap, cand + nc);
                if (kind == PART_RING && nc < 32)
                    nc += area_candidates(d, g, ax, ay, w, h, cand + nc, 32 - nc);
                for (size_t c = 0; c < nc && !placed; c++) {
                    struct render_rect r = {cand[c][0], cand[c][1], w, h};
                    if (r.x < fx + 2 || r.y < fy + 2 || r.x + r.w > fx + fw - 2 ||
                        r.y + r.h > fy + fh - 2)
                        continue;
                    if (boxes_hit(obstacles, &r))
                        continue;
                    show_layout(cr, layout, r.x + halo_px, r.y,
                                ghost ? ghost_rgb(sc->label_colour) : sc->label_colour, halo_px,
                                sc->halo_colour);
                    boxes_add(obstacles, r);
                    placed = true;
                }
            }
            if (placed) {
                stats->labels_placed++;
                if (count[v] < LABELGROUP_MIN) /* a group's text differs: "... (17)" */
                    placed_text[nplaced_text++] = label;
            } else {
                stats->labels_skipped++;
            }
        }
    }
    qsort(placed_text, nplaced_text, sizeof *placed_text, compare_text);
    for (size_t i = 0, run = 0; i < nplaced_text; i++) {
        run = i > 0 && strcmp(placed_text[i], placed_text[i - 1]) == 0 ? run + 1 : 1;
        if (run > stats->label_max_repeat)
            stats->label_max_repeat = run;
    }
    free(placed_text);
    free(items);
    free(leader);
    free(count);
    g_object_unref(layout);
    return true;
}

bool render_overlay_draw(cairo_t *cr, const struct render_view *view,
                         const struct render_overlay *ov, const struct style *st,
                         const struct render_marks_options *opt,
                         struct render_marks_stats *stats, struct diag *dg)
{
    struct render_marks_options defaults;
    if (!opt) {
        render_marks_options_init(&defaults);
        opt = &defaults;
    }
    struct render_marks_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!ov || ov->n == 0)
        return true;
    if (view->src_w <= 0 || view->src_h <= 0 || view->out_w <= 0 || view->out_h <= 0) {
        diag_error(dg, "render: empty view");
        return false;
    }
    struct draw_ctx d = {cr, view, ov, st, opt, view->out_w / view->src_w,
                         view->out_h / view->src_h};
    size_t *visible = malloc(ov->n * sizeof *visible);
    size_t *group = malloc(ov->n * sizeof *group);
    struct boxes obstacles = {0};
    if (!visible || !group) {
        free(visible);
        free(group);
        diag_error(dg, "render: out of memory");
        return false;
    }
    /* a margin so symbols and labels of marks just outside the edge still show */
    struct render_view grown = grown_view(view, opt->scale);
    size_t nvisible = 0;
    size_t per_class[ANNOT_CLASS_COUNT] = {0};
    for (size_t i = 0; i < ov->n; i++) {
        const struct ov_feature *f = &ov->features[i];
        if (opt->hidden_classes & (1u << f->cls))
            continue;
        if (f->rel == MARKDATE_OTHER_DATES && opt->other_dates == RENDER_OTHER_HIDDEN)
            continue;
        if (render_overlay_visible(ov, i, &grown)) {
            visible[nvisible++] = i;
            per_class[f->cls] += !is_ghost(f, opt); /* ghosts are drawn apart */
        }
    }
    unsigned dense = 0;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (per_class[c] > render_dense_limit(view))
            dense |= 1u << c;
    stats->classes_dense = dense;
    for (size_t k = 0; k < opt->nkeep_clear; k++)
        boxes_add(&obstacles, opt->keep_clear[k]);
    for (size_t v = 0; v < nvisible; v++) {
        struct render_rect mb;
        const struct ov_feature *f = &ov->features[visible[v]];
        if ((dense & (1u << f->cls)) && !is_ghost(f, opt))
            continue; /* a density layer is not an obstacle: its labels are off */
        if (small_mark_box(&d, &ov->features[visible[v]], &mb)) {
            double m = 1.5 * opt->scale;
            boxes_add(&obstacles, (struct render_rect){mb.x - m, mb.y - m, mb.w + 2 * m,
                                                       mb.h + 2 * m});
        }
    }

    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    /* the visible features grouped by class once (counting sort, order kept
     * within a class); the emphasised feature is drawn on its own, last */
    size_t start[ANNOT_CLASS_COUNT + 1] = {0};
    size_t emphasised = SIZE_MAX;
    size_t nghosts = 0; /* marks of other dates, drawn apart at the end of group */
    for (size_t v = 0; v < nvisible; v++) {
        const struct ov_feature *f = &ov->features[visible[v]];
        if (opt->highlight_id && emphasised == SIZE_MAX && strcmp(f->id, opt->highlight_id) == 0)
            emphasised = visible[v];
        else if (is_ghost(f, opt))
            nghosts++;
        else
            start[f->cls + 1]++;
    }
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        start[c + 1] += start[c];
    size_t fill[ANNOT_CLASS_COUNT];
    memcpy(fill, start, sizeof fill);
    size_t *ghosts = group + start[ANNOT_CLASS_COUNT];
    size_t nghost_filled = 0;
    for (size_t v = 0; v < nvisible; v++) {
        if (visible[v] == emphasised)
            continue;
        if (is_ghost(&ov->features[visible[v]], opt))
            ghosts[nghost_filled++] = visible[v];
        else
            group[fill[ov->features[visible[v]].cls]++] = visible[v];
    }
    /* polygons (areas of interest underneath), lines, points, emphasis on
     * top; within a pass one group per class, in class order */
    static const enum part_kind pass_kind[4] = {PART_RING, PART_RING, PART_LINE, PART_POINTS};
    for (int pass = 0; pass < 4; pass++) {
        /* marks of other dates over this image's areas, under its lines and points */
        if (pass == 2)
            draw_ghosts(&d, ghosts, nghosts, false, &obstacles);
        for (int cls = 0; cls < ANNOT_CLASS_COUNT; cls++) {
            if ((pass == 0) != (cls == ANNOT_CLASS_AOI) && pass < 2)
                continue;
            const size_t *members = group + start[cls];
            size_t n = start[cls + 1] - start[cls];
            /* a dashed line drawn over another of its class must keep its own
             * halo under it, or the dashes of the two fill each other's gaps */
            bool dashed = style_for_class(st, (enum annot_class)cls)->ndash > 0;
            struct boxes *obst = pass == 3 ? &obstacles : NULL;
            if (dense & (1u << cls)) {
                if (pass == (cls == ANNOT_CLASS_AOI ? 0 : 1)) /* the class's first pass */
                    draw_density(&d, members, n);
                continue;
            }
            if (dashed && pass_kind[pass] != PART_POINTS) {
                for (size_t k = 0; k < n; k++)
                    draw_group(&d, &members[k], 1, pass_kind[pass], false, obst);
            } else {
                draw_group(&d, members, n, pass_kind[pass], false, obst);
            }
        }
    }
    if (emphasised != SIZE_MAX && is_ghost(&ov->features[emphasised], opt)) {
        /* a selected mark of another date stays a ghost */
        draw_ghosts(&d, &emphasised, 1, true, &obstacles);
    } else if (emphasised != SIZE_MAX) {
        draw_group(&d, &emphasised, 1, PART_RING, true, NULL);
        draw_group(&d, &emphasised, 1, PART_LINE, true, NULL);
        draw_group(&d, &emphasised, 1, PART_POINTS, true, &obstacles);
    }
    for (size_t v = 0; v < nvisible; v++) {
        stats->classes_drawn |= 1u << ov->features[visible[v]].cls;
        if (ov->features[visible[v]].rel == MARKDATE_OTHER_DATES)
            stats->other_dates_drawn++;
    }
    stats->drawn = nvisible;
    bool ok = true;
    if (opt->labels && dense) { /* labels thinned: none for marks in density layers */
        size_t kept = 0;
        for (size_t v = 0; v < nvisible; v++) {
            const struct ov_feature *f = &ov->features[visible[v]];
            if ((dense & (1u << f->cls)) && !is_ghost(f, opt) && visible[v] != emphasised)
                stats->labels_thinned += f->label[0] != '\0';
            else
                visible[kept++] = visible[v];
        }
        nvisible = kept;
    }
    if (opt->labels)
        ok = draw_labels(&d, visible, nvisible, &obstacles, stats);
    cairo_restore(cr);
    free(visible);
    free(group);
    free(obstacles.r);
    cairo_status_t cs = cairo_status(cr);
    if (!ok || cs != CAIRO_STATUS_SUCCESS) {
        diag_error(dg, "render: drawing failed: %s", cairo_status_to_string(cs));
        return false;
    }
    return true;
}

void render_legend_swatch_other_dates(cairo_t *cr, double x, double y, double w, double h,
                                      double scale)
{
    cairo_save(cr);
    cairo_new_path(cr);
    double dash[2] = {5 * scale, 4 * scale};
    double lw = 1.5 * scale;
    cairo_rectangle(cr, x + lw + 1, y + lw + 1, w - 2 * lw - 2, h - 2 * lw - 2);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, lw + 2 * fmax(1.0, scale));
    set_rgb(cr, (struct style_rgb){0, 0, 0}, 0.45);
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, lw);
    set_rgb(cr, ghost_rgb((struct style_rgb){128, 128, 128}), 1.0);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void render_legend_swatch(cairo_t *cr, const struct style_class *sc, enum render_mark_kind kind,
                          double x, double y, double w, double h, double scale)
{
    cairo_save(cr);
    cairo_new_path(cr);
    double halo = fmax(1.0, scale);
    if (kind == RENDER_MARK_POINT) {
        double r = fmin(sc->symbol_size * scale / 2, h / 2 - 1);
        symbol_path(cr, sc->symbol, x + w / 2, y + h / 2, r);
        set_rgb(cr, sc->colour, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 1.5 * halo);
        set_rgb(cr, sc->halo_colour, 0.95);
        cairo_stroke(cr);
    } else if (kind == RENDER_MARK_LINE) {
        cairo_move_to(cr, x + 1, y + h / 2);
        cairo_line_to(cr, x + w - 1, y + h / 2);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        cairo_set_line_width(cr, sc->line_width * scale + 2 * halo);
        set_rgb(cr, sc->halo_colour, 0.75);
        cairo_stroke_preserve(cr);
        set_dash(cr, sc, scale);
        cairo_set_line_width(cr, sc->line_width * scale);
        set_rgb(cr, sc->colour, 1.0);
        cairo_stroke(cr);
    } else {
        double lw = sc->line_width * scale;
        cairo_rectangle(cr, x + lw / 2 + 1, y + lw / 2 + 1, w - lw - 2, h - lw - 2);
        set_rgb(cr, sc->colour, fmax(sc->fill_opacity, 0.15));
        cairo_fill_preserve(cr);
        set_dash(cr, sc, scale);
        cairo_set_line_width(cr, lw);
        set_rgb(cr, sc->colour, 1.0);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}
