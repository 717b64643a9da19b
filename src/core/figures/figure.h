/*
 * figure — a whole publishable figure: imagery + marks + furniture (title,
 * legend, scale bar, north arrow, caption with citations, imagery credit,
 * locator inset), written as a georeferenced PNG with provenance metadata.
 *
 * Why: `satmark render` and `satmark batch` make the same figures from the
 * same description (struct figure_spec), so a manifest entry and a command
 * line give identical bytes.
 *
 * Layout (output pixels): a title band on top and a caption band at the
 * bottom (both white, opaque), the map in between. The requested window
 * (whole tile, lon/lat box, or feature + padding) is fitted into the map area
 * with render_view_place; with RENDER_FIT_EXPAND the imagery fills the whole
 * PNG (also under the bands), so the PNG's georeferencing (world file) is one
 * affine transform for every pixel. Legend (top right), north arrow (top
 * left, right of the inset), scale bar (bottom left) and credit (bottom
 * right) sit on translucent boxes inside the map area; labels keep clear of
 * them.
 *
 * Determinism: no clock, no absolute paths in the metadata (file names
 * only), fixed fonts and hinting off: the same inputs give the same bytes.
 */
#ifndef SATMARK_FIGURE_H
#define SATMARK_FIGURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "imgopt.h"
#include "ramp.h"
#include "render.h"

enum figure_view_kind { FIGURE_VIEW_TILE, FIGURE_VIEW_BBOX, FIGURE_VIEW_FEATURE };

/* Everything that defines a figure. Strings and arrays are borrowed for the
 * duration of figure_run. Initialise with figure_spec_init. */
struct figure_spec {
    const char *tile;                 /* image path (required) */
    const char *const *annotations;   /* annotation files (GeoJSON); may be empty */
    size_t nannotations;
    const char *out_path;             /* PNG path (required, ends in .png) */
    enum figure_view_kind view;       /* default FIGURE_VIEW_TILE */
    double bbox[4];                   /* west, south, east, north (FIGURE_VIEW_BBOX) */
    const char *feature_id;           /* FIGURE_VIEW_FEATURE */
    double pad_m;                     /* padding around the feature, metres (default 150) */
    int width, height;                /* output pixels; height 0 = from the window's aspect */
    int bands[3];                     /* 1-based R,G,B source bands; 0,0,0 = auto */
    enum ramp_kind ramp;              /* a single band shown through this ramp (default
                                         grey); the legend then shows the ramp and the
                                         stretch's low and high values */
    struct imgopt image;              /* how the tile is opened: georef method, DEM,
                                         degrees kept, subdataset (imgopt.h) */
    const char *claims_path;          /* catalog; NULL = locate_catalog of the first
                                         annotation file, or of none (locate.h) */
    const char *const *claim_ids;     /* claims the figure illustrates; none = every claim
                                         linked by a mark in the requested window */
    size_t nclaim_ids;
    const char *title;                /* NULL = annotation set title + acquisition date */
    const char *caption;              /* free text shown before the citations; may be NULL */
    const char *style_path;           /* NULL = assets/style.json (style_load_default_file),
                                         falling back to the compiled-in palette */
    const char *font;                 /* NULL = RENDER_DEFAULT_FONT */
    enum render_fit fit;              /* default RENDER_FIT_EXPAND */
    bool legend, scalebar, north, show_caption, credit, inset, labels, title_band;
    bool hash_tile;                   /* SHA-256 of the tile in the metadata (default true;
                                         not possible for remote tiles: turn it off) */
    bool allow_remote;                /* let GDAL read /vsicurl/, /vsis3/... (default false) */
    bool all_marks;                   /* draw every mark, also those whose observations name
                                         other images (default false: only marks observed on
                                         this tile, and marks with no observations) */
    const char *parameters;           /* how the figure was asked for, stored in the PNG
                                         metadata (e.g. the manifest entry); may be NULL */
    int threads;                      /* threads for reading and compressing; 0 = the
                                         online CPUs, 1 = everything on the calling
                                         thread (the bytes never depend on it) */
    const char *imagery_path;         /* imagery register; NULL = imagery.json beside the
                                         first annotation file when it exists. The PNG
                                         metadata says what the register knows of the tile
                                         (satmark_imagery). */
    bool record_custody;              /* append a "figure" entry to the register's custody
                                         log after writing (default false; the CLI turns it
                                         on; custody_recording_enabled() can veto it) */
    const char *tile_sha256;          /* the tile's SHA-256 (64 lowercase hex digits)
                                         when the caller already has it (batch hashes
                                         each tile once); NULL = hash the tile */
    bool tile_sha256_cached;          /* tile_sha256 was taken from the hash cache */
    bool verify_hash;                 /* hash the tile again, whatever the hash cache
                                         says (render --verify-hash); the PNG records
                                         whether its hash was computed or cached */
};

void figure_spec_init(struct figure_spec *spec);

/* What a finished figure shows (for batch summaries and tests). */
struct figure_result {
    struct render_view view;     /* final view (tile pixels -> PNG pixels) */
    double geotransform[6];      /* PNG pixel -> image CRS (GDAL order) */
    bool georeferenced;          /* false when the tile has no geotransform */
    double north_deg;            /* north arrow angle drawn (clockwise from up) */
    bool has_north;
    double scalebar_m;           /* scale bar length, metres (0 when none) */
    struct render_marks_stats marks;
    /* wall time of each phase, milliseconds (for `render --timings` and the
     * benchmark; never part of the output): opening the tile and reading the
     * annotations, style and catalog; reading the imagery; drawing marks and
     * furniture; encoding and writing the PNG and its side files */
    double ms_load, ms_imagery, ms_draw, ms_write;
};

/* Makes the figure described by spec and writes spec->out_path (atomic) plus
 * its world file and .aux.xml. result may be NULL. Warnings (labels skipped,
 * no CRS...) go to dg. On failure returns false with "FILE: reason" on dg and
 * writes nothing. */
bool figure_run(const struct figure_spec *spec, struct figure_result *result, struct diag *dg);

/* Loads, once per process, what every figure needs and would otherwise load
 * for itself (GDAL's drivers, fontconfig's configuration). A process that
 * forks one worker per figure (batch) calls it before forking so the workers
 * inherit it; calling it is never required. */
void figure_prepare(void);

/* Parses "1600x1200", "1600x" or "1600x0" (auto height) into width/height;
 * 16..16384 per side. */
bool figure_parse_size(const char *text, int *width, int *height);
/* Parses a padding "150", "150m", "1.5km" into metres (>= 0). */
bool figure_parse_distance(const char *text, double *metres);
/* Parses "W,S,E,N" in degrees. */
bool figure_parse_bbox(const char *text, double bbox[4]);
/* Parses "3,2,1" or one band "4" shown as grey (1-based, 1..65535). */
bool figure_parse_bands(const char *text, int bands[3]);

/* The round scale bar length for a bar of at most max_m metres: the largest
 * 1, 2 or 5 x 10^k not above max_m (max_m > 0). */
double figure_round_length(double max_m);

#endif
