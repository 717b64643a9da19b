/*
 * tgannot — see tgannot.h. Features are collected in scene order of the first
 * image, then new ones of later images; a feature seen again gains an
 * observation. Bench mode gives unlabelled objects generated ids.
 *
 * The file is built as a struct annot_set (with the set's clock fixed to the
 * options' timestamp, so output is deterministic) and written by the core
 * writer (gjwrite) through safefile, so a generated file has exactly the
 * format `satmark mark` writes and a later edit changes only what it edits.
 * No FILE~ backup is kept: the generator's output is reproducible.
 */
#include "tgannot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "gjwrite.h"
#include "safefile.h"
#include "tgnoise.h"

#define TGANNOT_AUTHOR "satmark demo (synthetic)"

/* annot clock that always answers the options' timestamp (ctx). */
static void fixed_clock(char out[21], void *ctx)
{
    snprintf(out, 21, "%s", (const char *)ctx);
}

/* n scene points (x, y metres) as lon/lat into out (caller's, n entries). */
static bool to_lonlat(struct tggeo *geo, const struct tgscene *sc, const double *p, int n,
                      struct annot_lonlat *out, struct diag *dg)
{
    for (int i = 0; i < n; i++)
        if (!tggeo_to_lonlat(geo, sc->origin_e + p[2 * i], sc->origin_n + p[2 * i + 1],
                             &out[i].lon, &out[i].lat, dg))
            return false;
    return true;
}

/* Geometry of type from n scene points; rings are closed and wound
 * counter-clockwise by annot_geometry_from_points. */
static bool geometry_from_scene(struct tggeo *geo, const struct tgscene *sc, const double *p,
                                int n, enum annot_geom_type type, struct annot_geometry *g,
                                struct diag *dg)
{
    struct annot_lonlat *ll = malloc((size_t)n * sizeof *ll);
    if (!ll) {
        diag_error(dg, "%s: out of memory", sc->site);
        return false;
    }
    bool ok = to_lonlat(geo, sc, p, n, ll, dg) &&
              annot_geometry_from_points(g, type, ll, (size_t)n, dg);
    free(ll);
    return ok;
}

/* Liang-Barsky clip of segment a-b to the square [-h, h]^2; false if outside. */
static bool clip_segment(double h, double *ax, double *ay, double *bx, double *by)
{
    double t0 = 0, t1 = 1, dx = *bx - *ax, dy = *by - *ay;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {*ax + h, h - *ax, *ay + h, h - *ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0 && t > t0)
            t0 = t;
        else if (p[i] > 0 && t < t1)
            t1 = t;
        if (t0 > t1)
            return false;
    }
    double x0 = *ax + t0 * dx, y0 = *ay + t0 * dy, x1 = *ax + t1 * dx, y1 = *ay + t1 * dy;
    *ax = x0, *ay = y0, *bx = x1, *by = y1;
    return true;
}

/* The part of a polyline inside the tile, as new points in out (2 * n doubles);
 * returns the count (0 when the line misses the tile). Lines of the scene cross
 * the tile once, so the clipped part is one piece. */
static int clip_polyline(const double *p, int n, double h, double *out)
{
    int k = 0;
    for (int i = 0; i + 1 < n; i++) {
        double ax = p[2 * i], ay = p[2 * i + 1], bx = p[2 * i + 2], by = p[2 * i + 3];
        if (!clip_segment(h, &ax, &ay, &bx, &by))
            continue;
        if (k == 0 || fabs(out[2 * k - 2] - ax) > 1e-6 || fabs(out[2 * k - 1] - ay) > 1e-6) {
            out[2 * k] = ax, out[2 * k + 1] = ay;
            k++;
        }
        out[2 * k] = bx, out[2 * k + 1] = by;
        k++;
    }
    return k;
}

static bool geometry(struct tggeo *geo, const struct tgscene *sc, const struct tgscene_obj *o,
                     enum tgscene_geom g, double half_extent, struct annot_geometry *out,
                     struct diag *dg)
{
    double xy[8];
    switch (g) {
    case TGGEOM_RECT:
        tgscene_rect_corners(o, xy);
        return geometry_from_scene(geo, sc, xy, 4, ANNOT_GEOM_POLYGON, out, dg);
    case TGGEOM_POLYGON:
        return geometry_from_scene(geo, sc, o->pts, o->npts, ANNOT_GEOM_POLYGON, out, dg);
    case TGGEOM_LINE: {
        double *clipped = malloc((size_t)o->npts * 4 * sizeof *clipped);
        int n = clipped ? clip_polyline(o->pts, o->npts, half_extent, clipped) : 0;
        bool ok = n >= 2 &&
                  geometry_from_scene(geo, sc, clipped, n, ANNOT_GEOM_LINESTRING, out, dg);
        free(clipped);
        if (n < 2)
            diag_error(dg, "%s: line does not cross the tile", sc->site);
        return ok;
    }
    case TGGEOM_POINT: {
        double c[2] = {o->cx, o->cy};
        return geometry_from_scene(geo, sc, c, 1, ANNOT_GEOM_POINT, out, dg);
    }
    }
    return false;
}

/* Generated annotation for an unlabelled object in bench mode, or NULL. */
static bool bench_annot(const struct tgscene_obj *o, size_t index, struct tgscene_annot *a)
{
    static const struct {
        enum tgscene_kind kind;
        const char *cls, *label;
        enum tgscene_geom geom;
    } kinds[] = {{TGK_SHIP, "ship", "Ship", TGGEOM_RECT},
                 {TGK_STACK, "container_stack", "Container stack", TGGEOM_RECT},
                 {TGK_CRANE, "crane", "Crane", TGGEOM_POINT},
                 {TGK_BUILDING, "building", "Building", TGGEOM_RECT},
                 {TGK_PIT, "munitions_pit", "Pit", TGGEOM_RECT},
                 {TGK_BOAT, "other", "Small craft", TGGEOM_RECT},
                 {TGK_RAILCAR, "other", "Rail car", TGGEOM_RECT}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (kinds[k].kind != o->kind)
            continue;
        memset(a, 0, sizeof *a);
        snprintf(a->id, sizeof a->id, "b-%s-%05zu", kinds[k].cls, index);
        snprintf(a->label, sizeof a->label, "%s %zu", kinds[k].label, index);
        snprintf(a->note, sizeof a->note, "Procedural benchmark mark on a synthetic tile.");
        a->cls = kinds[k].cls;
        a->geom = kinds[k].geom;
        return true;
    }
    return false;
}

/* The observation of image im (strings borrowed from im; annot copies them). */
static struct annot_observation observation(const struct tgannot_image *im)
{
    return (struct annot_observation){(char *)im->image, (char *)im->sha256,
                                      (char *)im->scene->date};
}

/* Adds the feature for object o marked a, observed on im, to set. */
static bool add_feature(struct annot_set *set, struct tggeo *geo, const struct tgannot_image *im,
                        const struct tgscene_obj *o, const struct tgscene_annot *a,
                        const struct tgannot_options *opt, struct diag *dg)
{
    struct annot_feature f;
    annot_feature_init(&f);
    if (!annot_class_from_name(a->cls, &f.cls)) {
        diag_error(dg, "%s: unknown class \"%s\"", a->id, a->cls);
        return false;
    }
    if (!geometry(geo, im->scene, o, a->geom, opt->half_extent, &f.geom, dg))
        return false;
    /* The template borrows the scene's strings; annot_add copies everything. */
    struct annot_observation ob = observation(im);
    struct annot_claim_link links[TGSCENE_MAX_CLAIMS];
    bool ok = true;
    for (int i = 0; ok && i < a->nclaims; i++) {
        links[i].claim = (char *)a->claims[i].claim;
        ok = annot_stance_from_name(a->claims[i].stance, &links[i].stance);
        if (!ok)
            diag_error(dg, "%s: unknown stance \"%s\"", a->id, a->claims[i].stance);
    }
    f.id = (char *)a->id;
    f.label = (char *)a->label;
    f.note = (char *)a->note;
    f.obs = &ob;
    f.nobs = 1;
    f.claims = a->nclaims ? links : NULL;
    f.nclaims = (size_t)a->nclaims;
    ok = ok && annot_add(set, &f, NULL, dg);
    annot_geometry_clear(&f.geom);
    return ok;
}

/* A new empty set for the scene, with the fixed clock and the demo author. */
static struct annot_set *new_set(const struct tgscene *sc, const struct tgannot_options *opt,
                                 struct diag *dg)
{
    struct annot_set *set = annot_set_new();
    if (!set) {
        diag_error(dg, "%s: out of memory", sc->site);
        return NULL;
    }
    annot_set_clock(set, fixed_clock, (void *)opt->timestamp);
    if (!annot_set_author(set, TGANNOT_AUTHOR, dg) ||
        !annot_set_meta(set, sc->site, sc->title, dg)) {
        annot_set_free(set);
        return NULL;
    }
    return set;
}

/* Keeps max of the set's features, an even spread over the scene so every
 * class stays represented. Replaces *set. */
static bool keep_spread(struct annot_set **set, const struct tgscene *sc,
                        const struct tgannot_options *opt, struct diag *dg)
{
    struct annot_set *kept = new_set(sc, opt, dg);
    size_t total = annot_count(*set);
    bool ok = kept != NULL;
    for (size_t k = 0; ok && k < opt->max_features; k++)
        ok = annot_add(kept, annot_get(*set, k * total / opt->max_features), NULL, dg);
    if (!ok) {
        annot_set_free(kept);
        return false;
    }
    annot_set_free(*set);
    *set = kept;
    return true;
}

/* Too few drawn objects for the requested count: tops up with filler marks
 * spread over the tile (said so in their note) so a benchmark gets N marks. */
static bool add_fillers(struct annot_set *set, struct tggeo *geo, const struct tgannot_image *im,
                        const struct tgannot_options *opt, struct diag *dg)
{
    static const char *const classes[] = {"container_stack", "building", "crane", "other",
                                          "munitions_pit", "ship"};
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, tgnoise_string_seed(im->scene->site) ^ 0xf111ULL);
    bool ok = true;
    for (size_t k = 1; ok && annot_count(set) < opt->max_features; k++) {
        struct tgscene_obj o = {0};
        struct tgscene_annot a = {0};
        double h = opt->half_extent * 0.95;
        o.cx = tgnoise_range(&rng, -h, h);
        o.cy = tgnoise_range(&rng, -h, h);
        o.len = tgnoise_range(&rng, 8, 40);
        o.wid = tgnoise_range(&rng, 4, 20);
        o.angle = tgnoise_range(&rng, 0, 3.14159);
        snprintf(a.id, sizeof a.id, "b-extra-%05zu", k);
        a.cls = classes[k % (sizeof classes / sizeof classes[0])];
        snprintf(a.label, sizeof a.label, "Benchmark mark %zu", k);
        snprintf(a.note, sizeof a.note,
                 "Benchmark filler mark: no object is drawn here on the synthetic tile.");
        a.geom = strcmp(a.cls, "crane") == 0 ? TGGEOM_POINT : TGGEOM_RECT;
        ok = add_feature(set, geo, im, &o, &a, opt, dg);
    }
    return ok;
}

static bool inside_tile(const struct tgscene_obj *o, double h)
{
    if (o->pts && o->npts > 1) {
        for (int i = 0; i + 1 < o->npts; i++) {
            double ax = o->pts[2 * i], ay = o->pts[2 * i + 1];
            double bx = o->pts[2 * i + 2], by = o->pts[2 * i + 3];
            if (clip_segment(h, &ax, &ay, &bx, &by) && hypot(bx - ax, by - ay) > 1.0)
                return true;
        }
        return false;
    }
    return fabs(o->cx) < h && fabs(o->cy) < h;
}

bool tgannot_write(const struct tgannot_image *images, int nimages, struct tggeo *geo,
                   const struct tgannot_options *opt, const char *path, struct diag *dg)
{
    const struct tgscene *first = images[0].scene;
    struct annot_set *set = new_set(first, opt, dg);
    bool ok = set != NULL;
    for (int im = 0; ok && im < nimages; im++) {
        const struct tgscene *sc = images[im].scene;
        size_t auto_no = 0;
        for (size_t i = 0; ok && i < sc->nobjs; i++) {
            const struct tgscene_obj *o = &sc->objs[i];
            struct tgscene_annot generated;
            const struct tgscene_annot *a = o->annot;
            if (!a && opt->bench && bench_annot(o, ++auto_no, &generated))
                a = &generated;
            if (!a || !inside_tile(o, opt->half_extent))
                continue;
            if (annot_find(set, a->id)) {
                struct annot_observation ob = observation(&images[im]);
                ok = annot_edit_add_observation(set, a->id, &ob, dg);
            } else {
                ok = add_feature(set, geo, &images[im], o, a, opt, dg);
            }
        }
    }
    if (ok && opt->max_features && annot_count(set) > opt->max_features)
        ok = keep_spread(&set, first, opt, dg);
    if (ok && opt->max_features && annot_count(set) < opt->max_features)
        ok = add_fillers(set, geo, &images[0], opt, dg);
    size_t len = 0;
    char *text = ok ? gjwrite_string(set, &len, dg) : NULL;
    ok = text != NULL;
    if (ok) {
        const struct safefile_options save = {.keep_backup = false, .new_file_mode = 0644};
        ok = safefile_write(path, text, len, &save, dg);
    } else if (!diag_failed(dg)) {
        diag_error(dg, "%s: cannot build the annotation file", path);
    }
    free(text);
    annot_set_free(set);
    return ok;
}
