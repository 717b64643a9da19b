/*
 * render_view — the view arithmetic of render.h: tile pixels <-> output
 * pixels, placing a requested window in an output rectangle with square
 * pixels, and the requested window of the whole tile, a lon/lat box (edges
 * densified) or a feature plus padding in metres.
 *
 * Invariants: a view built here has src_w, src_h > 0 and is never rotated
 * relative to the tile grid; nothing here allocates beyond the call.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "render_int.h"

#include <math.h>
#include <stdlib.h>

#include "geo.h"

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
size_t render_grow_bounds(size_t n, const double *x, const double *y, double *minx,
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
    if (render_grow_bounds(4 * K, px, py, &minx, &miny, &maxx, &maxy) == 0 || !(maxx > minx) ||
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
    if (ok && render_grow_bounds(n, lon, lat, &minx, &miny, &maxx, &maxy) == 0) {
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
