/*
 * georef — georeferencing without a geotransform: images located by ground
 * control points (GCPs) or rational polynomial coefficients (RPCs), and the
 * making of such a file from a picture (a photo published with an article)
 * and GCPs a user picked.
 *
 * Why: commercial imagery often carries RPCs instead of a geotransform, and a
 * picture from a news story has no georeferencing at all. Rather than teach
 * every reader, drawer and viewer about transformers, such an image is seen
 * through a GDAL warped VRT: a north-up grid with a geotransform, computed
 * on the fly from the original file, which is never modified. Everything
 * downstream (info, render, batch, mark, view) then works unchanged.
 *
 * Invariants:
 *   - The source dataset is borrowed by the warped dataset: close the warped
 *     one first (georef_warp's caller keeps both and closes in that order).
 *   - Residuals are ground distances in metres between where a GCP says a
 *     pixel is and where the fitted transformer puts it (geodesic on WGS84
 *     when the GCPs are in a geographic CRS, planar in the CRS's unit,
 *     assumed metres, otherwise). A thin-plate spline passes through every
 *     GCP, so its fit residuals are 0 by construction: for TPS the residual
 *     reported is leave-one-out (the GCP's distance from a spline fitted
 *     without it), which is what tells a user a GCP is wrong.
 *   - Output files are written atomically (safefile), and record the
 *     original's SHA-256, the GCPs and the method, so a reader can redo it.
 */
#ifndef SATMARK_GEOREF_H
#define SATMARK_GEOREF_H

#include <stdbool.h>
#include <stddef.h>

#include <gdal.h>

#include "diag.h"

enum georef_method {
    GEOREF_AUTO,  /* RPC when the image has RPCs, else a polynomial of the
                     highest order its GCP count supports, up to 2 */
    GEOREF_POLY1, /* affine: >= 3 GCPs */
    GEOREF_POLY2, /* >= 6 GCPs */
    GEOREF_POLY3, /* >= 10 GCPs */
    GEOREF_TPS,   /* thin-plate spline: >= 3 GCPs, exact at every GCP */
    GEOREF_RPC,
};

/* "auto", "poly1", "poly2", "poly3", "tps", "rpc"; static string. */
const char *georef_method_name(enum georef_method m);
/* Parses those names; false (out untouched) when unknown. */
bool georef_method_from_name(const char *name, enum georef_method *out);

struct georef_gcp {
    double px, py;   /* pixel/line of the image, pixel-corner convention */
    double lon, lat; /* degrees, WGS84 */
};

/* How a warped view was made (filled by georef_warp). */
struct georef_fit {
    enum georef_method method; /* the one used (never GEOREF_AUTO) */
    size_t gcp_count;          /* 0 for RPC */
    double rms_m;              /* root mean square of the residuals; 0 for RPC */
    double max_m;              /* largest residual; 0 for RPC */
    bool leave_one_out;        /* residuals are leave-one-out (TPS) */
};

/* A north-up warped view of src (borrowed; must outlive the result) through
 * its RPCs or GCPs, per method (GEOREF_AUTO as described; a method the image
 * cannot support is an error naming the reason). dem (borrowed, may be NULL)
 * is a DEM file for the RPC transformer's heights. The target CRS is the UTM
 * zone of the image's centre, so ground distances are equal along both axes.
 * Returns the new dataset (close with GDALClose before src) and fills *fit,
 * or NULL with "name: reason" on dg. name (borrowed) is used in messages. */
GDALDatasetH georef_warp(GDALDatasetH src, const char *name, enum georef_method method,
                         const char *dem, struct georef_fit *fit, struct diag *dg);

/* Largest extent (degrees of longitude) shown in one UTM zone's projection:
 * beyond it the scale error at the edges passes ~1 %, and a whole-world
 * image has no "centre" worth projecting around. */
#define GEOREF_CONFORMAL_MAX_DEGREES 6.0

/* For an image in a geographic CRS (degrees), a north-up warped view in the
 * UTM zone of its centre, where a metre is the same on screen along both
 * axes (square degree pixels are ~1.5x too wide at 50 N). NULL without an
 * error when the image is not geographic, spans more than
 * GEOREF_CONFORMAL_MAX_DEGREES of longitude, or reaches beyond 84 degrees of
 * latitude (UTM's limit); NULL with an error on dg when the view cannot be
 * built. src borrowed, must outlive the result (close the view first). */
GDALDatasetH georef_conformal_view(GDALDatasetH src, const char *name, struct diag *dg);

/* Residuals of gcps (n, borrowed) under method (a polynomial or TPS), in
 * metres, into residual_m (caller's array of n) and *fit. false with a reason
 * on dg when the method needs more GCPs than given or the fit fails. */
bool georef_residuals(const struct georef_gcp *gcps, size_t n, enum georef_method method,
                      double *residual_m, struct georef_fit *fit, struct diag *dg);

/* How many GCPs method needs (poly1 3, poly2 6, poly3 10, tps 4: three to
 * fit and a fourth so each can be checked against a spline of the others);
 * GEOREF_AUTO needs what poly1 does; 0 for RPC. */
size_t georef_gcps_needed(enum georef_method method);

/* A fitted pixel -> lon/lat mapping of a picture through gcps (n, borrowed,
 * copied) and method (a polynomial or TPS; GEOREF_AUTO as in
 * georef_residuals): what a front-end uses to draw the picture where the
 * fit puts it. New (free with georef_transform_free), or NULL with the
 * reason on dg (too few GCPs, a degenerate fit). */
struct georef_transform;
struct georef_transform *georef_transform_new(const struct georef_gcp *gcps, size_t n,
                                              enum georef_method method, struct diag *dg);
/* Picture pixel (pixel-corner convention) -> lon/lat in degrees; false
 * where the fit cannot place it. t borrowed. */
bool georef_transform_pixel(const struct georef_transform *t, double px, double py, double *lon,
                            double *lat);
/* Accepts NULL. */
void georef_transform_free(struct georef_transform *t);

/* Writes out_path (borrowed) for the picture at image_path (borrowed, never
 * modified) located by gcps (n, borrowed) with method:
 *   - ".vrt": a VRT that refers to the picture (relative path when it sits
 *     beside it) and carries the GCPs, in EPSG:4326, plus the method:
 *     satmark opens it georeferenced through the method; QGIS and GDAL see
 *     the GCPs.
 *   - ".tif"/".tiff": a north-up GeoTIFF warped through the method (UTM of
 *     the centre), a working copy that any GIS opens.
 * Both record SATMARK_GEOREF_SOURCE (the picture's file name),
 * SATMARK_GEOREF_SOURCE_SHA256, SATMARK_GEOREF_METHOD, SATMARK_GEOREF_GCPS
 * ("px,py,lon,lat;...") and SATMARK_GEOREF_RMS_M in their metadata.
 * Residuals go to residual_m (caller's array of n, may be NULL) and *fit.
 * false with "path: reason" on dg; nothing is left at out_path then. */
bool georef_write(const char *image_path, const struct georef_gcp *gcps, size_t n,
                  enum georef_method method, const char *out_path, double *residual_m,
                  struct georef_fit *fit, struct diag *dg);

/* What the GCPs' lon/lat were read off (the viewer's reference tile): its
 * file name and SHA-256, borrowed; a NULL or "" field is left out. */
struct georef_reference {
    const char *name;
    const char *sha256;
};

/* georef_write, also recording reference (may be NULL) as
 * SATMARK_GEOREF_REFERENCE and SATMARK_GEOREF_REFERENCE_SHA256, so a reader
 * knows which imagery the points were placed on. */
bool georef_write_from(const char *image_path, const struct georef_gcp *gcps, size_t n,
                       enum georef_method method, const struct georef_reference *reference,
                       const char *out_path, double *residual_m, struct georef_fit *fit,
                       struct diag *dg);

#endif
