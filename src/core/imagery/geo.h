/*
 * geo — pixel <-> image CRS <-> WGS84 lon/lat through PROJ, and geodesic
 * measurement on the WGS84 ellipsoid through PROJ's geodesic.h.
 *
 * Why: annotations are stored in WGS84 lon/lat, images are in their own CRS;
 * every mark drawn or measured crosses this module, so it is the one place
 * where axis order, units and pixel conventions are decided.
 *
 * Conventions (hold everywhere in this module):
 *   - Geographic coordinates are (lon, lat) in degrees, in that order,
 *     always (PROJ's axis order is normalised with
 *     proj_normalize_for_visualization). Longitudes are in [-180, 180].
 *   - Pixel coordinates are on the full-resolution grid with the pixel-corner
 *     convention: (0,0) is the top-left corner of the top-left pixel, the
 *     centre of pixel i is i + 0.5; x to the right, y down the rows.
 *   - Image CRS coordinates are in the CRS's own units and axis order as
 *     GDAL's geotransform uses them (x = easting/lon, y = northing/lat for
 *     the traditional GIS order GDAL applies).
 *   - Distances in metres, areas in square metres, angles in degrees.
 *   - A failing point is never silently garbage: functions return false, and
 *     batch functions set the failing outputs to NaN and count them.
 *
 * Thread safety: a geo_ref owns its own PJ_CONTEXT and PJ objects; use one
 * geo_ref from one thread at a time (create one per thread, that is cheap).
 * The geodesic functions (geo_inverse...) are pure and thread-safe.
 */
#ifndef SATMARK_GEO_H
#define SATMARK_GEO_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct geo_ref;
struct raster;

/* New geo_ref for an image with geotransform gt (6 doubles, GDAL order,
 * copied; NULL = no georeferencing: pixel space, gt = 0,1,0,0,0,1) and CRS
 * crs_def (borrowed: WKT, "EPSG:n" or any definition PROJ accepts; NULL or
 * "" = no CRS: pixel <-> CRS works, lon/lat functions fail with a clear
 * error). label (borrowed, copied; may be NULL) names the image in errors.
 * Returns NULL with "label: reason" on dg when the CRS is not understood or
 * the geotransform is not invertible. Free with geo_ref_free. */
struct geo_ref *geo_ref_new(const double gt[6], const char *crs_def, const char *label,
                            struct diag *dg);
/* New geo_ref from an open raster's geotransform and CRS (r borrowed only
 * during the call). A raster without geotransform gives a pixel-space
 * geo_ref. Free with geo_ref_free. */
struct geo_ref *geo_ref_from_raster(const struct raster *r, struct diag *dg);
/* A new geo_ref doing exactly what g does (the same PROJ operation, cloned
 * into a context of its own), for another thread: g is only read, so the
 * caller must not use g on another thread during the call. NULL with the
 * reason on dg on failure. Free with geo_ref_free. */
struct geo_ref *geo_ref_clone(const struct geo_ref *g, struct diag *dg);
/* Frees g and its PROJ objects; accepts NULL. */
void geo_ref_free(struct geo_ref *g);

bool geo_ref_has_geotransform(const struct geo_ref *g);
bool geo_ref_has_crs(const struct geo_ref *g);
/* True when the CRS is geographic (degrees). */
bool geo_ref_is_geographic(const struct geo_ref *g);
/* The geotransform in use (GDAL order) into gt (caller's 6 doubles). */
void geo_ref_geotransform(const struct geo_ref *g, double gt[6]);

/* Pixel <-> image CRS through the (affine) geotransform; never fails. */
void geo_pixel_to_crs(const struct geo_ref *g, double px, double py, double *x, double *y);
void geo_crs_to_pixel(const struct geo_ref *g, double x, double y, double *px, double *py);

/* Image CRS <-> lon/lat. Fail (message on dg) without a CRS or outside the
 * projection's domain. */
bool geo_crs_to_lonlat(struct geo_ref *g, double x, double y, double *lon, double *lat,
                       struct diag *dg);
bool geo_lonlat_to_crs(struct geo_ref *g, double lon, double lat, double *x, double *y,
                       struct diag *dg);

/* Pixel <-> lon/lat (compositions of the above). */
bool geo_pixel_to_lonlat(struct geo_ref *g, double px, double py, double *lon, double *lat,
                         struct diag *dg);
bool geo_lonlat_to_pixel(struct geo_ref *g, double lon, double lat, double *px, double *py,
                         struct diag *dg);

/* Batch versions: n points, inputs borrowed, outputs in the caller's arrays
 * (may alias the inputs: in = out works). Points that fail become NaN in both
 * outputs; *n_failed (may be NULL) receives their count. Return false only
 * when the transformation is unavailable at all (no CRS). */
bool geo_pixels_to_lonlat(struct geo_ref *g, size_t n, const double *px, const double *py,
                          double *lon, double *lat, size_t *n_failed, struct diag *dg);
bool geo_lonlats_to_pixels(struct geo_ref *g, size_t n, const double *lon, const double *lat,
                           double *px, double *py, size_t *n_failed, struct diag *dg);

struct geo_bounds {
    double west, south, east, north; /* lon/lat degrees, or CRS units for geo_bounds_crs */
};

/* Lon/lat bounds of the width x height image from its densified edges
 * (GEO_BOUNDS_EDGE_POINTS per edge). Points outside the projection domain are
 * skipped; false when no point is valid. An image crossing the antimeridian
 * gets west > east (as in RFC 7946 bboxes). */
bool geo_bounds_lonlat(struct geo_ref *g, int width, int height, struct geo_bounds *out,
                       struct diag *dg);
/* Bounds of the four corners in the image CRS; never fails. */
void geo_bounds_crs(const struct geo_ref *g, int width, int height, struct geo_bounds *out);

#define GEO_BOUNDS_EDGE_POINTS 21

/* Ground size in metres of one pixel at pixel (px, py): geodesic length of
 * the pixel's x step (res_x_m) and y step (res_y_m). */
bool geo_ground_resolution_at(struct geo_ref *g, double px, double py, double *res_x_m,
                              double *res_y_m, struct diag *dg);
/* The same at the centre of a width x height image. */
bool geo_ground_resolution(struct geo_ref *g, int width, int height, double *res_x_m,
                           double *res_y_m, struct diag *dg);

/* Direction of true north at pixel (px, py), as an angle in image space
 * measured clockwise (on screen: x right, y down) from "up" (decreasing y):
 * 0 = north is up, +90 = north points to the right (+x). Captures UTM grid
 * convergence, rotated and south-up geotransforms (180 for south-up). */
bool geo_true_north_deg(struct geo_ref *g, double px, double py, double *angle_deg,
                        struct diag *dg);

/* ---- geodesics on the WGS84 ellipsoid (pure, thread-safe) ---------------- */

/* Geodesic distance in metres between two lon/lat points. */
double geo_distance_m(double lon1, double lat1, double lon2, double lat2);
/* Inverse problem: distance (m) and forward azimuths at both ends (degrees
 * clockwise from north, in (-180, 180]); outputs may be NULL. */
void geo_inverse(double lon1, double lat1, double lon2, double lat2, double *dist_m,
                 double *azi1_deg, double *azi2_deg);
/* Direct problem: the point dist_m metres from (lon1, lat1) along azimuth azi_deg. */
void geo_direct(double lon1, double lat1, double azi_deg, double dist_m, double *lon2,
                double *lat2);
/* Area (m^2, always >= 0 whatever the winding) and perimeter (m; may be NULL)
 * of the geodesic polygon with n vertices lon[i], lat[i] (borrowed; the ring
 * need not be closed: a repeated last vertex is ignored). */
double geo_polygon_area_m2(size_t n, const double *lon, const double *lat, double *perimeter_m);

#endif
