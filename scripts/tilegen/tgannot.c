/*
 * tgannot — see tgannot.h. Features are collected in scene order of the first
 * image, then new ones of later images; a feature seen again gains an
 * observation. Bench mode gives unlabelled objects generated ids.
 */
#include "tgannot.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgnoise.h"

static double round7(double v)
{
    return round(v * 1e7) / 1e7;
}

static json_t *lonlat(struct tggeo *geo, const struct tgscene *sc, double x, double y,
                      struct diag *dg)
{
    double lon, lat;
    if (!tggeo_to_lonlat(geo, sc->origin_e + x, sc->origin_n + y, &lon, &lat, dg))
        return NULL;
    return json_pack("[ff]", round7(lon), round7(lat));
}

/* Ring (closed, counter-clockwise in lon/lat) or line from n scene points. */
static json_t *coords(struct tggeo *geo, const struct tgscene *sc, const double *p, int n,
                      bool ring, struct diag *dg)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *c = lonlat(geo, sc, p[2 * i], p[2 * i + 1], dg);
        if (!c) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, c);
    }
    if (ring) {
        double area = 0;
        for (int i = 0; i < n; i++) {
            json_t *a = json_array_get(arr, (size_t)i), *b = json_array_get(arr, (size_t)((i + 1) % n));
            area += json_real_value(json_array_get(a, 0)) * json_real_value(json_array_get(b, 1)) -
                    json_real_value(json_array_get(b, 0)) * json_real_value(json_array_get(a, 1));
        }
        if (area < 0) {
            json_t *rev = json_array();
            for (int i = n - 1; i >= 0; i--)
                json_array_append(rev, json_array_get(arr, (size_t)i));
            json_decref(arr);
            arr = rev;
        }
        json_array_append(arr, json_array_get(arr, 0));
    }
    return arr;
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

static json_t *geometry(struct tggeo *geo, const struct tgscene *sc, const struct tgscene_obj *o,
                        enum tgscene_geom g, double half_extent, struct diag *dg)
{
    double xy[8];
    json_t *c = NULL;
    int n;
    switch (g) {
    case TGGEOM_RECT:
        tgscene_rect_corners(o, xy);
        c = coords(geo, sc, xy, 4, true, dg);
        return c ? json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", c) : NULL;
    case TGGEOM_POLYGON:
        c = coords(geo, sc, o->pts, o->npts, true, dg);
        return c ? json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", c) : NULL;
    case TGGEOM_LINE: {
        double *clipped = malloc((size_t)o->npts * 4 * sizeof *clipped);
        n = clipped ? clip_polyline(o->pts, o->npts, half_extent, clipped) : 0;
        c = n >= 2 ? coords(geo, sc, clipped, n, false, dg) : NULL;
        free(clipped);
        if (n < 2)
            diag_error(dg, "%s: line does not cross the tile", sc->site);
        return c ? json_pack("{s:s, s:o}", "type", "LineString", "coordinates", c) : NULL;
    }
    case TGGEOM_POINT:
        c = lonlat(geo, sc, o->cx, o->cy, dg);
        return c ? json_pack("{s:s, s:o}", "type", "Point", "coordinates", c) : NULL;
    }
    return NULL;
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

static json_t *observation(const struct tgannot_image *im)
{
    return json_pack("{s:s, s:s, s:s}", "image", im->image, "sha256", im->sha256, "acquired",
                     im->scene->date);
}

static json_t *feature(struct tggeo *geo, const struct tgannot_image *im,
                       const struct tgscene_obj *o, const struct tgscene_annot *a,
                       const struct tgannot_options *opt, struct diag *dg)
{
    json_t *g = geometry(geo, im->scene, o, a->geom, opt->half_extent, dg);
    if (!g)
        return NULL;
    json_t *claims = json_array();
    for (int i = 0; i < a->nclaims; i++)
        json_array_append_new(claims, json_pack("{s:s, s:s}", "claim", a->claims[i].claim,
                                                "stance", a->claims[i].stance));
    json_t *props = json_pack("{s:s, s:s, s:[o], s:o, s:s, s:s, s:s, s:s}", "class", a->cls,
                              "label", a->label, "observations", observation(im), "claims",
                              claims, "note", a->note, "created", opt->timestamp, "modified",
                              opt->timestamp, "author", "satmark demo (synthetic)");
    return json_pack("{s:s, s:s, s:o, s:o}", "type", "Feature", "id", a->id, "geometry", g,
                     "properties", props);
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
    json_t *features = json_array(), *index = json_object();
    bool ok = true;
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
            json_t *at = json_object_get(index, a->id);
            if (at) {
                json_t *f = json_array_get(features, (size_t)json_integer_value(at));
                json_t *obs = json_object_get(json_object_get(f, "properties"), "observations");
                json_array_append_new(obs, observation(&images[im]));
                continue;
            }
            json_t *f = feature(geo, &images[im], o, a, opt, dg);
            if (!f) {
                ok = false;
                break;
            }
            json_object_set_new(index, a->id, json_integer((json_int_t)json_array_size(features)));
            json_array_append_new(features, f);
        }
    }
    json_decref(index);
    if (ok && opt->max_features && json_array_size(features) > opt->max_features) {
        /* keep an even spread over the scene so every class stays represented */
        json_t *kept = json_array();
        size_t total = json_array_size(features);
        for (size_t k = 0; k < opt->max_features; k++)
            json_array_append(kept, json_array_get(features, k * total / opt->max_features));
        json_decref(features);
        features = kept;
    }
    /* too few drawn objects for the requested count: top up with filler marks
     * spread over the tile (said so in their note) so a benchmark gets N marks */
    if (ok && opt->max_features && json_array_size(features) < opt->max_features) {
        static const char *const classes[] = {"container_stack", "building", "crane", "other",
                                              "munitions_pit", "ship"};
        const struct tgscene *sc = images[0].scene;
        struct tgnoise_rng rng;
        tgnoise_seed(&rng, tgnoise_string_seed(sc->site) ^ 0xf111ULL);
        for (size_t k = 1; ok && json_array_size(features) < opt->max_features; k++) {
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
            json_t *f = feature(geo, &images[0], &o, &a, opt, dg);
            if (!f)
                ok = false;
            else
                json_array_append_new(features, f);
        }
    }
    const struct tgscene *first = images[0].scene;
    json_t *root = NULL;
    if (ok) {
        root = json_pack(
            "{s:s, s:{s:i, s:s, s:s}, s:o}", "type", "FeatureCollection", "satmark", "version",
            1, "site", first->site, "title", first->title, "features", features);
        features = NULL;
        ok = root != NULL;
    }
    json_decref(features);
    if (ok) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *fp = fopen(tmp, "w");
        ok = fp && json_dumpf(root, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
                                            JSON_REAL_PRECISION(10)) == 0;
        if (fp) {
            ok = fputc('\n', fp) != EOF && ok;
            ok = fclose(fp) == 0 && ok;
        }
        if (ok && rename(tmp, path) != 0)
            ok = false;
        if (!ok) {
            remove(tmp);
            diag_error(dg, "%s: cannot write the annotation file", path);
        }
    }
    json_decref(root);
    return ok;
}
