/*
 * raster — open a georeferenced image with GDAL and read windows of it as RGBA8.
 *
 * Why: an image is evidence only if the tool says exactly what it shows. This
 * module opens a file through an allow-list of GDAL drivers (no network unless
 * asked), reports what the file declares (size, bands, CRS, geotransform, date,
 * credit, hash) and turns any window of the full-resolution pixel grid into
 * straight RGBA8 at the size the caller asks, through the best overview level.
 *
 * Invariants and conventions:
 *   - Pixel coordinates are those of the full-resolution grid, pixel-corner
 *     convention: (0,0) is the top-left corner of the top-left pixel, the
 *     centre of pixel i is i + 0.5. A window may extend beyond the image; the
 *     outside is transparent (alpha 0).
 *   - Output is straight (non-premultiplied) RGBA8, bytes R,G,B,A in memory
 *     order, rows top to bottom, out_w * 4 bytes per row, no padding.
 *   - Memory is bounded by the output size: nothing ever allocates
 *     width * height of the source image, whatever the file declares.
 *   - Errors (ours and GDAL's, captured per call with CPLPushErrorHandlerEx,
 *     never through a global handler) go to the caller's diag as
 *     "PATH: reason". Warnings do not fail an operation.
 *   - Thread safety: a struct raster owns its own GDALDatasetH and is NOT
 *     thread-safe. Use one handle per thread (a worker thread opens its own
 *     handle on the same path; copy the UI handle's stretch into it with
 *     raster_get_stretch / raster_set_stretch so both render identically).
 *     Different handles may be used concurrently from different threads.
 */
#ifndef SATMARK_RASTER_H
#define SATMARK_RASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "hash.h"
#include "ramp.h"

struct raster;

enum raster_resampling {
    RASTER_RESAMPLE_NEAREST = 0, /* default: crisp pixels, what an analyst wants when zoomed in */
    RASTER_RESAMPLE_AVERAGE = 1, /* smoother when zoomed out far (GDAL "average") */
};

/* Options for raster_open. Initialise with raster_open_options_init; passing
 * NULL to raster_open means the defaults. */
struct raster_open_options {
    /* false (default): refuse /vsicurl/, /vsis3/, /vsigs/, /vsiaz/, /vsihttp...,
     * http://, https://, ftp:// and any other network path with a clear error. */
    bool allow_remote;
    /* 1-based source bands mapped to R, G, B. All 0 (default) = auto: a palette
     * band is expanded; 3+ bands use the bands whose colour interpretation is
     * Red/Green/Blue, else bands 1,2,3; 1-2 bands show band 1 as grey.
     * bands[0] > 0 with bands[1] == bands[2] == 0 shows that one band as grey. */
    int bands[3];
    /* 1-based band used as alpha; 0 (default) = auto (a band whose colour
     * interpretation is Alpha, else the GDAL mask / nodata); -1 = none (only
     * nodata and the GDAL mask make pixels transparent). */
    int alpha_band;
    /* Containers (netCDF, HDF5, multi-page TIFF, GPKG with several tables):
     * 1-based index into the SUBDATASETS list; 0 (default) = auto: use the
     * file itself when it has raster bands, else the first subdataset (with a
     * warning naming it and how many there are). */
    int subdataset;
    enum raster_resampling resampling;
    /* Images located only by RPCs or GCPs are opened through a north-up
     * warped view (georef.h). NULL/"" or "auto" = RPC when present, else a
     * polynomial of the highest order the GCPs support (up to 2), or the
     * method the file records (SATMARK_GEOREF_METHOD); "poly1", "poly2",
     * "poly3", "tps", "rpc" force one; "none" keeps pixel space. Borrowed
     * for the call. */
    const char *georef_method;
    /* A DEM file for the RPC transformer's heights; NULL = height 0. Borrowed. */
    const char *dem;
    /* Images in a geographic CRS (degrees) are shown through a view in the
     * UTM zone of their centre, so a metre is a metre along both axes
     * (georef_conformal_view: up to 6 degrees wide, |lat| <= 84); true keeps
     * them in degrees as stored. */
    bool keep_degrees;
    /* When one band is shown as grey (not a palette): its stretched levels
     * mapped through this colour ramp (ramp.h); RAMP_GREY (default) = grey.
     * Ignored for R,G,B and palette display. */
    enum ramp_kind ramp;
};

/* Fills opt with the defaults described above. */
void raster_open_options_init(struct raster_open_options *opt);

#define RASTER_TYPE_NAME_MAX 32
#define RASTER_DATE_MAX 32

struct raster_band_info {
    char type_name[RASTER_TYPE_NAME_MAX];    /* GDAL name: "Byte", "UInt16", "Int8", "Float32", "CInt16"... */
    char color_interp[RASTER_TYPE_NAME_MAX]; /* GDAL name: "Gray", "Red", "Alpha", "Palette", "Undefined"... */
    bool has_nodata;
    double nodata; /* valid when has_nodata; may be NaN (compare with isnan) */
    bool has_palette;
    int bits; /* significant bits when the file says (NBITS=12), else the type's width */
};

struct raster_size {
    int width, height;
};

/* Everything raster_open learned about the file; cheap (no pixel is read to
 * fill it). Strings are NUL-terminated, "" when unknown, never NULL. */
struct raster_info {
    const char *path;          /* as given to raster_open */
    const char *driver;        /* GDAL short name, e.g. "GTiff" */
    const char *driver_long;   /* e.g. "GeoTIFF" */
    int width, height;         /* full-resolution grid */
    int band_count;            /* >= 1 (raster_open refuses files without bands) */
    const struct raster_band_info *bands; /* band_count entries, band 1 first */
    int overview_count;
    const struct raster_size *overviews;  /* of band 1, as GDAL lists them */

    bool has_geotransform;
    double geotransform[6];    /* GDAL order; rotation and south-up kept as the file says */
    bool has_crs;
    const char *crs_name;      /* e.g. "WGS 84 / UTM zone 52N" */
    int epsg;                  /* EPSG code of the CRS, 0 when it has none */
    const char *crs_wkt;       /* WKT2 (2019) */
    bool has_rpc;              /* RPC metadata present */
    bool has_gcps;             /* GCPs present */
    /* Non-empty ("rpc", "poly1", "poly2", "poly3", "tps") when the file has no
     * geotransform of its own and is seen through a warped view located by
     * its RPCs or GCPs: then geotransform and CRS are the view's (UTM of the
     * centre), and pixel positions are the view's, not the file's. */
    const char *georef_by;
    /* Non-empty (the file's CRS name, e.g. "WGS 84") when the file is in
     * degrees and is seen through its UTM view (keep_degrees off). */
    const char *reprojected_from;
    /* A container's subdatasets (netCDF variables, HDF5 arrays, TIFF pages)
     * when it has more than one: the names any command opens one with
     * (e.g. NETCDF:"file.nc":var) and GDAL's descriptions; count 0 else. */
    size_t subdataset_count;
    const char *const *subdataset_names;
    const char *const *subdataset_descriptions;
    size_t gcp_count;          /* GCPs used (0 for RPC) */
    double gcp_rms_m;          /* RMS of the GCP residuals, metres */
    double gcp_max_m;          /* largest residual, metres */
    bool gcp_leave_one_out;    /* residuals are leave-one-out (TPS) */

    /* From SATMARK_ACQUIRED, ACQUISITION_DATE, ACQUISITIONDATE, DATE_ACQUIRED,
     * ACQUISITION_START_TIME, SENSING_TIME, DATETIME (first found), else
     * TIFFTAG_DATETIME with a warning (that is the file's write time). */
    char acquired[RASTER_DATE_MAX];  /* "YYYY-MM-DD" or ISO 8601 time, "" when unknown */
    const char *acquired_source;     /* metadata item it came from, e.g. "ACQUISITION_DATE" */
    bool synthetic;            /* SATMARK_SYNTHETIC=YES: a generated demo tile, not real imagery */
    const char *credit;        /* SATMARK_CREDIT, else the TIFF copyright/artist, else "" */
    const char *site;          /* SATMARK_SITE, else "" */

    /* Displayed bands after auto selection: 1-based R,G,B (all three equal
     * for grey) and alpha band (0 = none); palette_expanded when band 1's
     * colour table is used. */
    int display_bands[3];
    int display_alpha_band;
    /* Why these bands (static text): "chosen" (given by the caller), "colour
     * interpretation", "band descriptions", "Landsat 8/9 band order", ...;
     * "" when bands 1,2,3 were taken because the file says nothing. */
    const char *display_reason;
    bool palette_expanded;

    size_t warning_count;      /* things the user should know (no georeferencing, RPC only, rotated...) */
    const char *const *warnings;
};

/* Opens path (borrowed) with the allow-listed drivers. Cheap: reads headers
 * only. opt may be NULL (defaults). Returns a new handle (free with
 * raster_close) or NULL with "path: reason" on dg. The info warnings are also
 * added to dg as warnings. Refused: remote paths unless allowed, inline XML,
 * formats outside the allow-list, files without bands, VRTs whose sources are
 * missing (or remote when remote access is off). A file whose blocks exceed
 * 256 MB opens (info works) but every pixel read fails with a clear error. */
struct raster *raster_open(const char *path, const struct raster_open_options *opt,
                           struct diag *dg);
/* A second handle on like's file (borrowed) with like's open options, for
 * another thread (handles are not thread-safe; separate handles are). Faster
 * than raster_open: the georeferencing, provenance and stretch are taken
 * from like instead of being read again (the CRS lookup alone costs GDAL
 * ~15 ms). like's warnings are not repeated. New; free with raster_close.
 * NULL with "path: reason" on dg. */
struct raster *raster_open_sibling(const struct raster *like, struct diag *dg);
/* Registers GDAL's drivers (once per process; raster_open does it when
 * needed). Calling it early lets a process that forks workers do it once. */
void raster_init(void);
/* As raster_init, asking for remote access first: GDAL's network file
 * systems stay usable in this process only when this is the first
 * registration (netguard.h); true when remote access is on. */
bool raster_init_remote(bool allow_remote);
/* Closes the dataset and frees r; accepts NULL. */
void raster_close(struct raster *r);

/* Borrowed until raster_close(r) (or raster_set_bands, which refreshes the
 * display_* fields). Never NULL for an open handle. */
const struct raster_info *raster_get_info(const struct raster *r);

/* Comma-separated short names of the drivers raster_open accepts (static string). */
const char *raster_allowed_drivers(void);

/* True when path names a network resource (/vsicurl/, http://, ...). path borrowed. */
bool raster_path_is_remote(const char *path);

/* True when path (borrowed) names a file on a local file system, whose bytes
 * can be read (e.g. hashed) directly: not a network path and not a GDAL
 * virtual file system (/vsi...). */
bool raster_path_is_local(const char *path);

/* The file whose bytes stand for raster `name` (borrowed) when it is hashed:
 * the container file of a subdataset name (NETCDF:"file.nc":var,
 * HDF5:"file.h5"://path, GTIFF_DIR:2:file.tif, ...), else name itself.
 * Written into out (cap bytes); returns out. */
const char *raster_hashed_file(const char *name, char *out, size_t cap);

/* SHA-256 of the file as lowercase hex into hex (caller's buffer). Reads the
 * whole file the first time; the result is cached on r. Fails for remote and
 * virtual (/vsi...) paths. */
bool raster_sha256(struct raster *r, char hex[HASH_SHA256_HEX_LEN + 1], struct diag *dg);

/* Changes the displayed bands (same meaning as the open options bands /
 * alpha_band); resets the stretch. Fails naming the bad band. */
bool raster_set_bands(struct raster *r, const int bands[3], int alpha_band, struct diag *dg);

void raster_set_resampling(struct raster *r, enum raster_resampling resampling);

/* Linear contrast stretch from source values to 0..255 for each output
 * channel: v <= low -> 0, v >= high -> 255. For Byte bands (and palettes) the
 * default is the identity 0..255; for other types it is the 2%..98%
 * percentile clip of valid values (NaN and nodata ignored) computed once per
 * handle from a small overview or decimated read. An image without valid
 * values gets low = 0, high = 1 (so no division by zero). */
struct raster_stretch {
    double low[3];
    double high[3]; /* high > low always */
};

/* Current stretch (computing it if needed) into out (caller's). */
bool raster_get_stretch(struct raster *r, struct raster_stretch *out, struct diag *dg);
/* Uses s (copied) from now on; fails when high <= low or a value is not finite. */
bool raster_set_stretch(struct raster *r, const struct raster_stretch *s, struct diag *dg);

/* Reads the source window (src_x, src_y, src_w, src_h) of the full-resolution
 * grid resampled to out_w x out_h into rgba_out (caller's buffer of
 * out_w * out_h * 4 bytes, straight RGBA8, see top). Uses the coarsest
 * overview that still has at least the requested resolution. Outside the
 * image, nodata, mask and NaN pixels get alpha 0 (RGB 0).
 * On a partial read failure (corrupt tile, missing VRT source) every part
 * that can be read is filled, the unreadable parts are transparent, and the
 * call returns false with "path: reason" (GDAL's reason) on dg: the caller
 * may show the partial image but must tell the user.
 * Fails without reading when src_w/src_h <= 0, out_w/out_h <= 0 or
 * out_w * out_h > RASTER_MAX_OUT_PIXELS.
 * Unsigned Byte bands with the identity stretch and no palette take a fast
 * path (Byte reads straight into rgba_out) that gives the same bytes as the
 * general Float64 path; for tests only, the installed settings'
 * raster_slow_path (SATMARK_RASTER_SLOW_PATH=1, settings.h) when raster_open
 * runs makes that handle use the general path. */
bool raster_read_rgba(struct raster *r, double src_x, double src_y, double src_w, double src_h,
                      int out_w, int out_h, uint8_t *rgba_out, struct diag *dg);

#define RASTER_MAX_OUT_PIXELS (16384L * 16384L)

/* The source values of full-resolution pixel (x, y) in bands 1.. (at most
 * max_bands) into values (caller's), and whether each is valid (not nodata,
 * not NaN) into valid (caller's). Returns how many bands were read: 0 when
 * (x, y) is outside the image, -1 on a read error (reason on dg). */
int raster_read_pixel_values(struct raster *r, int x, int y, double *values, bool *valid,
                             int max_bands, struct diag *dg);

#endif
