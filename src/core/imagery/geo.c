/*
 * geo — pixel <-> image CRS <-> WGS84 lon/lat, and geodesics (see geo.h).
 *
 * Pixel <-> CRS is GDAL's affine geotransform (pixel-corner convention:
 * (0,0) is the top-left corner of the top-left pixel) and its inverse,
 * computed once. CRS <-> lon/lat is one PROJ operation from the image CRS to
 * EPSG:4326, normalised with proj_normalize_for_visualization so both sides
 * use the (x = east/lon, y = north/lat) order GDAL's geotransform uses and
 * our lon,lat order. Each geo_ref owns its PJ_CONTEXT (PROJ contexts are not
 * shareable across threads), with PROJ logging silenced: errors are read back
 * with proj_context_errno and put on the caller's diag.
 * Failing points (outside the projection domain) come back from PROJ as
 * HUGE_VAL; every result is checked with isfinite so none leaks out as a
 * coordinate. Geodesics use PROJ's geodesic.h on the WGS84 ellipsoid.
 */
#include "geo.h"

#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "raster.h"

#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)
#define GEO_PI 3.14159265358979323846

struct geo_ref {
    double gt[6];     /* pixel -> CRS */
    double inv_gt[6]; /* CRS -> pixel */
    bool has_geotransform;
    bool geographic;
    char *label;
    PJ_CONTEXT *ctx;
    PJ *to_lonlat; /* NULL when the image has no CRS */
};

static const char *label_of(const struct geo_ref *g)
{
    return g->label ? g->label : "image";
}

static bool invert_geotransform(const double gt[6], double inv[6])
{
    double det = gt[1] * gt[5] - gt[2] * gt[4];
    if (!isfinite(det) || fabs(det) < 1e-300)
        return false;
    inv[1] = gt[5] / det;
    inv[2] = -gt[2] / det;
    inv[4] = -gt[4] / det;
    inv[5] = gt[1] / det;
    inv[0] = -(inv[1] * gt[0] + inv[2] * gt[3]);
    inv[3] = -(inv[4] * gt[0] + inv[5] * gt[3]);
    return true;
}

static const char *proj_reason(PJ_CONTEXT *ctx)
{
    int err = proj_context_errno(ctx);
    const char *msg = err ? proj_context_errno_string(ctx, err) : NULL;
    return msg ? msg : "unknown PROJ error";
}

/* g's own PROJ context, quiet and offline; false with the reason on dg. */
static bool open_context(struct geo_ref *g, struct diag *dg)
{
    g->ctx = proj_context_create();
    if (!g->ctx) {
        diag_error(dg, "%s: cannot create a PROJ context", label_of(g));
        return false;
    }
    proj_log_level(g->ctx, PJ_LOG_NONE);
    proj_context_set_enable_network(g->ctx, 0);
    return true;
}

struct geo_ref *geo_ref_new(const double gt[6], const char *crs_def, const char *label,
                            struct diag *dg)
{
    struct geo_ref *g = calloc(1, sizeof *g);
    if (!g) {
        diag_error(dg, "%s: out of memory", label ? label : "image");
        return NULL;
    }
    if (label && !(g->label = strdup(label))) {
        diag_error(dg, "%s: out of memory", label);
        geo_ref_free(g);
        return NULL;
    }
    static const double identity[6] = {0, 1, 0, 0, 0, 1};
    g->has_geotransform = gt != NULL;
    memcpy(g->gt, gt ? gt : identity, sizeof g->gt);
    for (int i = 0; i < 6; i++) {
        if (!isfinite(g->gt[i])) {
            diag_error(dg, "%s: geotransform has a non-finite coefficient", label_of(g));
            geo_ref_free(g);
            return NULL;
        }
    }
    if (!invert_geotransform(g->gt, g->inv_gt)) {
        diag_error(dg, "%s: geotransform is not invertible (zero pixel size)", label_of(g));
        geo_ref_free(g);
        return NULL;
    }
    if (!crs_def || !*crs_def)
        return g;

    if (!open_context(g, dg)) {
        geo_ref_free(g);
        return NULL;
    }

    PJ *src = proj_create(g->ctx, crs_def);
    PJ *dst = src ? proj_create(g->ctx, "EPSG:4326") : NULL;
    if (!src || !dst || !proj_is_crs(src)) {
        diag_error(dg, "%s: CRS not understood by PROJ: %s", label_of(g),
                   src && !proj_is_crs(src) ? "not a CRS" : proj_reason(g->ctx));
        proj_destroy(src);
        proj_destroy(dst);
        geo_ref_free(g);
        return NULL;
    }
    PJ_TYPE type = proj_get_type(src);
    g->geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
    PJ *op = proj_create_crs_to_crs_from_pj(g->ctx, src, dst, NULL, NULL);
    proj_destroy(src);
    proj_destroy(dst);
    if (!op) {
        diag_error(dg, "%s: no transformation from the image CRS to WGS84: %s", label_of(g),
                   proj_reason(g->ctx));
        geo_ref_free(g);
        return NULL;
    }
    g->to_lonlat = proj_normalize_for_visualization(g->ctx, op);
    proj_destroy(op);
    if (!g->to_lonlat) {
        diag_error(dg, "%s: cannot normalise the CRS axis order: %s", label_of(g),
                   proj_reason(g->ctx));
        geo_ref_free(g);
        return NULL;
    }
    return g;
}

struct geo_ref *geo_ref_from_raster(const struct raster *r, struct diag *dg)
{
    const struct raster_info *info = raster_get_info(r);
    /* Without a geotransform pixel coordinates are not CRS coordinates, so a
     * CRS alone must not produce lon/lat. */
    bool georef = info->has_geotransform;
    return geo_ref_new(georef ? info->geotransform : NULL,
                       georef && info->has_crs ? info->crs_wkt : NULL, info->path, dg);
}

struct geo_ref *geo_ref_clone(const struct geo_ref *g, struct diag *dg)
{
    struct geo_ref *c = calloc(1, sizeof *c);
    if (!c) {
        diag_error(dg, "%s: out of memory", label_of(g));
        return NULL;
    }
    *c = *g;
    c->label = NULL;
    c->ctx = NULL;
    c->to_lonlat = NULL;
    if (g->label && !(c->label = strdup(g->label))) {
        diag_error(dg, "%s: out of memory", label_of(g));
        geo_ref_free(c);
        return NULL;
    }
    if (!g->to_lonlat)
        return c;
    if (!open_context(c, dg)) {
        geo_ref_free(c);
        return NULL;
    }
    c->to_lonlat = proj_clone(c->ctx, g->to_lonlat);
    if (!c->to_lonlat) {
        diag_error(dg, "%s: cannot copy the transformation to WGS84: %s", label_of(g),
                   proj_reason(c->ctx));
        geo_ref_free(c);
        return NULL;
    }
    return c;
}

void geo_ref_free(struct geo_ref *g)
{
    if (!g)
        return;
    proj_destroy(g->to_lonlat);
    if (g->ctx)
        proj_context_destroy(g->ctx);
    free(g->label);
    free(g);
}

bool geo_ref_has_geotransform(const struct geo_ref *g) { return g->has_geotransform; }
bool geo_ref_has_crs(const struct geo_ref *g) { return g->to_lonlat != NULL; }
bool geo_ref_is_geographic(const struct geo_ref *g) { return g->geographic; }

void geo_ref_geotransform(const struct geo_ref *g, double gt[6])
{
    memcpy(gt, g->gt, sizeof g->gt);
}

void geo_pixel_to_crs(const struct geo_ref *g, double px, double py, double *x, double *y)
{
    *x = g->gt[0] + px * g->gt[1] + py * g->gt[2];
    *y = g->gt[3] + px * g->gt[4] + py * g->gt[5];
}

void geo_crs_to_pixel(const struct geo_ref *g, double x, double y, double *px, double *py)
{
    *px = g->inv_gt[0] + x * g->inv_gt[1] + y * g->inv_gt[2];
    *py = g->inv_gt[3] + x * g->inv_gt[4] + y * g->inv_gt[5];
}

static bool require_crs(const struct geo_ref *g, struct diag *dg)
{
    if (g->to_lonlat)
        return true;
    diag_error(dg, "%s: image has no CRS, so lon/lat are unknown (pixel coordinates only)",
               label_of(g));
    return false;
}

/* One point through the PROJ operation; false (outputs NaN) outside the domain. */
static bool trans_point(struct geo_ref *g, PJ_DIRECTION dir, double a, double b, double *out_a,
                        double *out_b)
{
    *out_a = *out_b = NAN;
    if (!isfinite(a) || !isfinite(b))
        return false;
    proj_errno_reset(g->to_lonlat);
    PJ_COORD c = proj_coord(a, b, 0, 0);
    PJ_COORD r = proj_trans(g->to_lonlat, dir, c);
    if (!isfinite(r.xy.x) || !isfinite(r.xy.y) || fabs(r.xy.x) >= HUGE_VAL / 2)
        return false;
    if (dir == PJ_FWD && (fabs(r.xy.y) > 90.0 + 1e-9 || fabs(r.xy.x) > 540.0))
        return false;
    *out_a = r.xy.x;
    *out_b = r.xy.y;
    return true;
}

bool geo_crs_to_lonlat(struct geo_ref *g, double x, double y, double *lon, double *lat,
                       struct diag *dg)
{
    if (!require_crs(g, dg))
        return false;
    if (!trans_point(g, PJ_FWD, x, y, lon, lat)) {
        diag_error(dg, "%s: point (%.10g, %.10g) cannot be converted to lon/lat: %s",
                   label_of(g), x, y, proj_reason(g->ctx));
        return false;
    }
    if (*lon > 180.0)
        *lon -= 360.0;
    else if (*lon < -180.0)
        *lon += 360.0;
    return true;
}

bool geo_lonlat_to_crs(struct geo_ref *g, double lon, double lat, double *x, double *y,
                       struct diag *dg)
{
    if (!require_crs(g, dg))
        return false;
    if (!isfinite(lon) || !isfinite(lat) || fabs(lat) > 90.0 ||
        !trans_point(g, PJ_INV, lon, lat, x, y)) {
        diag_error(dg, "%s: lon/lat (%.9g, %.9g) cannot be converted to the image CRS: %s",
                   label_of(g), lon, lat,
                   isfinite(lat) && fabs(lat) <= 90.0 ? proj_reason(g->ctx) : "invalid latitude");
        return false;
    }
    return true;
}

bool geo_pixel_to_lonlat(struct geo_ref *g, double px, double py, double *lon, double *lat,
                         struct diag *dg)
{
    double x, y;
    geo_pixel_to_crs(g, px, py, &x, &y);
    return geo_crs_to_lonlat(g, x, y, lon, lat, dg);
}

bool geo_lonlat_to_pixel(struct geo_ref *g, double lon, double lat, double *px, double *py,
                         struct diag *dg)
{
    double x, y;
    if (!geo_lonlat_to_crs(g, lon, lat, &x, &y, dg))
        return false;
    geo_crs_to_pixel(g, x, y, px, py);
    return true;
}

bool geo_pixels_to_lonlat(struct geo_ref *g, size_t n, const double *px, const double *py,
                          double *lon, double *lat, size_t *n_failed, struct diag *dg)
{
    if (n_failed)
        *n_failed = 0;
    if (!require_crs(g, dg))
        return false;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        double x, y;
        geo_pixel_to_crs(g, px[i], py[i], &x, &y);
        double lo, la;
        if (trans_point(g, PJ_FWD, x, y, &lo, &la)) {
            if (lo > 180.0)
                lo -= 360.0;
            else if (lo < -180.0)
                lo += 360.0;
        } else {
            failed++;
        }
        lon[i] = lo;
        lat[i] = la;
    }
    if (n_failed)
        *n_failed = failed;
    return true;
}

bool geo_lonlats_to_pixels(struct geo_ref *g, size_t n, const double *lon, const double *lat,
                           double *px, double *py, size_t *n_failed, struct diag *dg)
{
    if (n_failed)
        *n_failed = 0;
    if (!require_crs(g, dg))
        return false;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        double x = NAN, y = NAN, outx = NAN, outy = NAN;
        if (fabs(lat[i]) <= 90.0 && trans_point(g, PJ_INV, lon[i], lat[i], &x, &y))
            geo_crs_to_pixel(g, x, y, &outx, &outy);
        else
            failed++;
        px[i] = outx;
        py[i] = outy;
    }
    if (n_failed)
        *n_failed = failed;
    return true;
}

void geo_bounds_crs(const struct geo_ref *g, int width, int height, struct geo_bounds *out)
{
    const double cx[4] = {0, width, 0, width}, cy[4] = {0, 0, height, height};
    out->west = out->south = HUGE_VAL;
    out->east = out->north = -HUGE_VAL;
    for (int i = 0; i < 4; i++) {
        double x, y;
        geo_pixel_to_crs(g, cx[i], cy[i], &x, &y);
        out->west = fmin(out->west, x);
        out->east = fmax(out->east, x);
        out->south = fmin(out->south, y);
        out->north = fmax(out->north, y);
    }
}

/* Adds the lon/lat of pixel (px, py) to the running bounds; longitudes are
 * unwrapped to within 180 degrees of ref_lon so an image crossing the
 * antimeridian gets a contiguous range. */
static bool pixel_valid(struct geo_ref *g, double px, double py)
{
    double x, y, lon, lat;
    geo_pixel_to_crs(g, px, py, &x, &y);
    return trans_point(g, PJ_FWD, x, y, &lon, &lat);
}

static bool bounds_add(struct geo_ref *g, double px, double py, double ref_lon,
                       struct geo_bounds *b, size_t *valid)
{
    double x, y, lon, lat;
    geo_pixel_to_crs(g, px, py, &x, &y);
    if (!trans_point(g, PJ_FWD, x, y, &lon, &lat))
        return false;
    while (lon > ref_lon + 180.0)
        lon -= 360.0;
    while (lon < ref_lon - 180.0)
        lon += 360.0;
    b->west = fmin(b->west, lon);
    b->east = fmax(b->east, lon);
    b->south = fmin(b->south, lat);
    b->north = fmax(b->north, lat);
    (*valid)++;
    return true;
}

/* Between pixel a (validity unknown, recomputed) and pixel c (valid_c): when
 * exactly one is valid, bisect towards the domain border and add the last
 * valid point. */
static void bounds_bisect(struct geo_ref *g, double ax, double ay, double cx, double cy,
                          bool valid_c, double ref_lon, struct geo_bounds *b, size_t *valid)
{
    bool valid_a = pixel_valid(g, ax, ay);
    if (valid_a == valid_c)
        return;
    double gx = valid_a ? ax : cx, gy = valid_a ? ay : cy; /* valid end */
    double bx = valid_a ? cx : ax, by = valid_a ? cy : ay; /* failing end */
    for (int k = 0; k < 30; k++) {
        double mx = (gx + bx) / 2, my = (gy + by) / 2;
        if (pixel_valid(g, mx, my))
            gx = mx, gy = my;
        else
            bx = mx, by = my;
    }
    bounds_add(g, gx, gy, ref_lon, b, valid);
}

static bool pole_inside(struct geo_ref *g, double lat, int width, int height)
{
    double x, y, px, py;
    if (!trans_point(g, PJ_INV, 0.0, lat, &x, &y))
        return false;
    geo_crs_to_pixel(g, x, y, &px, &py);
    return px >= 0 && px <= width && py >= 0 && py <= height;
}

bool geo_bounds_lonlat(struct geo_ref *g, int width, int height, struct geo_bounds *out,
                       struct diag *dg)
{
    if (!require_crs(g, dg))
        return false;
    const int n = GEO_BOUNDS_EDGE_POINTS;
    double ref_lon = 0.0, ref_lat;
    if (!trans_point(g, PJ_FWD, g->gt[0] + width / 2.0 * g->gt[1] + height / 2.0 * g->gt[2],
                     g->gt[3] + width / 2.0 * g->gt[4] + height / 2.0 * g->gt[5], &ref_lon,
                     &ref_lat))
        ref_lon = 0.0;
    struct geo_bounds b = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    size_t valid = 0;
    for (int i = 0; i < n; i++) {
        double t = (double)i / (n - 1);
        bounds_add(g, t * width, 0, ref_lon, &b, &valid);
        bounds_add(g, t * width, height, ref_lon, &b, &valid);
        bounds_add(g, 0, t * height, ref_lon, &b, &valid);
        bounds_add(g, width, t * height, ref_lon, &b, &valid);
    }
    if (valid < (size_t)(4 * n)) {
        /* Part of the edge lies outside the projection's domain (a
         * geostationary disc, a polar cap): the valid area's border is then
         * inside the image. Sample a finer grid and, between a valid and a
         * failing neighbour, bisect to the domain's border. */
        const int m = 2 * GEO_BOUNDS_EDGE_POINTS - 1;
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < m; i++) {
                double px = (double)i / (m - 1) * width, py = (double)j / (m - 1) * height;
                bool ok_here = bounds_add(g, px, py, ref_lon, &b, &valid);
                if (i > 0)
                    bounds_bisect(g, px - (double)width / (m - 1), py, px, py, ok_here, ref_lon,
                                  &b, &valid);
                if (j > 0)
                    bounds_bisect(g, px, py - (double)height / (m - 1), px, py, ok_here, ref_lon,
                                  &b, &valid);
            }
        }
    }
    if (valid == 0) {
        diag_error(dg, "%s: no point of the image can be converted to lon/lat "
                       "(outside the projection's domain)", label_of(g));
        return false;
    }
    if (pole_inside(g, 90.0, width, height)) {
        b.north = 90.0;
        b.west = -180.0;
        b.east = 180.0;
    }
    if (pole_inside(g, -90.0, width, height)) {
        b.south = -90.0;
        b.west = -180.0;
        b.east = 180.0;
    }
    if (b.east - b.west >= 360.0 - 1e-9) {
        b.west = -180.0;
        b.east = 180.0;
    } else {
        if (b.west < -180.0 - 1e-9)
            b.west += 360.0;
        if (b.east > 180.0 + 1e-9)
            b.east -= 360.0;
    }
    *out = b;
    return true;
}

bool geo_ground_resolution_at(struct geo_ref *g, double px, double py, double *res_x_m,
                              double *res_y_m, struct diag *dg)
{
    double lon0, lat0, lon1, lat1, lon2, lat2, lon3, lat3;
    if (!geo_pixel_to_lonlat(g, px - 0.5, py, &lon0, &lat0, dg) ||
        !geo_pixel_to_lonlat(g, px + 0.5, py, &lon1, &lat1, dg) ||
        !geo_pixel_to_lonlat(g, px, py - 0.5, &lon2, &lat2, dg) ||
        !geo_pixel_to_lonlat(g, px, py + 0.5, &lon3, &lat3, dg))
        return false;
    *res_x_m = geo_distance_m(lon0, lat0, lon1, lat1);
    *res_y_m = geo_distance_m(lon2, lat2, lon3, lat3);
    return true;
}

bool geo_ground_resolution(struct geo_ref *g, int width, int height, double *res_x_m,
                           double *res_y_m, struct diag *dg)
{
    return geo_ground_resolution_at(g, width / 2.0, height / 2.0, res_x_m, res_y_m, dg);
}

bool geo_true_north_deg(struct geo_ref *g, double px, double py, double *angle_deg,
                        struct diag *dg)
{
    double lon, lat;
    if (!geo_pixel_to_lonlat(g, px, py, &lon, &lat, dg))
        return false;
    /* A step north about a tenth of a pixel (bounded so it stays numerically
     * meaningful), taken south instead near the north pole. */
    double res_x, res_y;
    double step_m = 1.0;
    if (geo_ground_resolution_at(g, px, py, &res_x, &res_y, NULL) && res_y > 0)
        step_m = fmin(fmax(res_y * 0.1, 0.01), 10000.0);
    double sign = lat > 89.0 ? -1.0 : 1.0;
    double lon2, lat2, px2, py2;
    geo_direct(lon, lat, sign > 0 ? 0.0 : 180.0, step_m, &lon2, &lat2);
    if (!geo_lonlat_to_pixel(g, lon2, lat2, &px2, &py2, dg))
        return false;
    double dx = (px2 - px) * sign, dy = (py2 - py) * sign;
    if (!isfinite(dx) || !isfinite(dy) || (dx == 0 && dy == 0)) {
        diag_error(dg, "%s: north direction undefined at pixel (%g, %g)", label_of(g), px, py);
        return false;
    }
    *angle_deg = atan2(dx, -dy) * 180.0 / GEO_PI;
    return true;
}

double geo_distance_m(double lon1, double lat1, double lon2, double lat2)
{
    double d;
    geo_inverse(lon1, lat1, lon2, lat2, &d, NULL, NULL);
    return d;
}

void geo_inverse(double lon1, double lat1, double lon2, double lat2, double *dist_m,
                 double *azi1_deg, double *azi2_deg)
{
    /* A local ellipsoid per call keeps these functions free of shared state. */
    struct geod_geodesic gd;
    geod_init(&gd, WGS84_A, WGS84_F);
    double s12, azi1, azi2;
    geod_inverse(&gd, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
    if (dist_m)
        *dist_m = s12;
    if (azi1_deg)
        *azi1_deg = azi1;
    if (azi2_deg)
        *azi2_deg = azi2;
}

void geo_direct(double lon1, double lat1, double azi_deg, double dist_m, double *lon2,
                double *lat2)
{
    struct geod_geodesic gd;
    geod_init(&gd, WGS84_A, WGS84_F);
    geod_direct(&gd, lat1, lon1, azi_deg, dist_m, lat2, lon2, NULL);
}

double geo_polygon_area_m2(size_t n, const double *lon, const double *lat, double *perimeter_m)
{
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1])
        n--;
    struct geod_geodesic gd;
    geod_init(&gd, WGS84_A, WGS84_F);
    struct geod_polygon poly;
    geod_polygon_init(&poly, 0);
    for (size_t i = 0; i < n; i++)
        geod_polygon_addpoint(&gd, &poly, lat[i], lon[i]);
    double area = 0, perimeter = 0;
    if (n >= 3)
        geod_polygon_compute(&gd, &poly, 0, 1, &area, &perimeter);
    else if (n == 2)
        perimeter = 2 * geo_distance_m(lon[0], lat[0], lon[1], lat[1]);
    if (perimeter_m)
        *perimeter_m = perimeter;
    return fabs(area);
}
