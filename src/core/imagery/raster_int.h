/*
 * raster_int — what raster_open.c, raster_describe.c and raster_read.c share,
 * and nothing else (as SQLite's btreeInt.h): the handle's layout and the few
 * helpers more than one of them calls. Not part of the API: only the
 * raster_*.c files include it (the functions below are named raster_* like
 * the API, but nothing else calls them); everyone else uses raster.h.
 *
 * The three files:
 *   raster_open.c      driver allow-list and netguard registration, path
 *                      checks (remote, VRT sources, subdatasets), the warped
 *                      or UTM view, opening and closing a handle;
 *   raster_describe.c  what the file declares (bands, overviews, CRS,
 *                      geotransform, dates, credit, hash), warnings, and
 *                      which bands are displayed;
 *   raster_read.c      the block-size guard, the contrast stretch, windows
 *                      read as RGBA8 (with the Byte fast path) and values of
 *                      one pixel.
 *
 * Invariants of struct raster (all three files keep them):
 *   - r->info only points into storage owned by r (freed by raster_close);
 *   - ds is what pixels are read from; when it is a warped or UTM view,
 *     source_ds is the file itself (its metadata lives there: file_ds);
 *   - disp[] are valid 1-based band numbers once raster_open returned;
 *   - stretch.high > stretch.low for every channel once stretch_ready;
 *   - block_problem non-empty means no pixel is ever read.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#ifndef SATMARK_RASTER_INT_H
#define SATMARK_RASTER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <gdal.h>

#include "raster.h"

#define MAX_FILE_STRING 1024 /* cap on any string copied from the file */

enum display_mode { DISPLAY_GREY, DISPLAY_RGB, DISPLAY_PALETTE };

struct band_private {
    GDALDataType type;
    bool signed_byte; /* GDAL 3.6 exposes Int8 as Byte + PIXELTYPE=SIGNEDBYTE */
    bool complex;
};

struct raster {
    GDALDatasetH ds;        /* what pixels are read from: the file, or a warped view of it */
    GDALDatasetH source_ds; /* the file itself when ds is a warped view (GCP/RPC), else NULL */
    char *georef_by;        /* georef method name when ds is a warped view, else NULL */
    char *reprojected_from; /* the file's geographic CRS when ds is its UTM view, else NULL */
    char **sub_names, **sub_descs; /* the container's subdatasets (CSL lists), or NULL */
    char *path;
    bool allow_remote;
    struct raster_info info;
    struct raster_band_info *bands;
    struct band_private *priv;
    struct raster_size *overviews;
    char *driver, *driver_long, *crs_name, *crs_wkt, *acquired_source, *credit, *site;
    char **warnings;
    size_t warning_count;
    bool have_sha256;
    char sha256[HASH_SHA256_HEX_LEN + 1];
    enum raster_resampling resampling;
    enum display_mode mode;
    int disp[3];
    int alpha;
    bool use_mask; /* read GDAL's per-dataset mask of disp[0] */
    uint8_t *palette;  /* palette_count RGBA entries */
    int palette_count;
    bool stretch_ready;
    struct raster_stretch stretch;
    char block_problem[160]; /* non-empty: pixels are not read (absurd block size) */
    bool force_slow_path; /* settings raster_slow_path at open: no Byte fast path (tests) */
    struct raster_open_options opt; /* as opened (for raster_open_sibling) */
};

/* The dataset of the file itself: its metadata (dates, provenance, RPCs,
 * GCPs) is there, not on a warped view of it. Borrowed from r. */
static inline GDALDatasetH file_ds(const struct raster *r)
{
    return r->source_ds ? r->source_ds : r->ds;
}

/* ---- defined in raster_describe.c ---- */

/* A copy of s (borrowed; NULL = "") with control characters replaced and at
 * most MAX_FILE_STRING bytes, safe to print. New: the caller frees it; NULL
 * on out of memory. */
char *raster_copy_clean(const char *s);
/* Reports "PATH: text" on dg as a warning and keeps the text in r->info's
 * warnings (owned by r). False on out of memory. */
bool raster_warn(struct raster *r, struct diag *dg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fills r->info (and the storage it points into) from the open dataset, or
 * with like set (borrowed: an open handle on the same file) takes like's
 * georeferencing and provenance, then chooses the displayed bands of opt
 * (borrowed). False with a reason on dg; r is then to be closed. */
bool raster_describe(struct raster *r, const struct raster_open_options *opt,
                     const struct raster *like, struct diag *dg);

/* ---- defined in raster_read.c ---- */

/* Sets r->block_problem when reading a block of ds (or of the file under a
 * warped view) would make GDAL allocate more than satmark allows. */
void raster_check_block_sizes(struct raster *r);

#endif
