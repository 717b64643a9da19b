/*
 * pngout — write an RGBA8 image as a PNG with metadata, and the sidecar files
 * (world file + .aux.xml) that let GDAL and QGIS place it on the map.
 *
 * Why: a published figure must say what it shows (tile, its SHA-256, date,
 * CRS, the claims and sources) inside the file itself, and a GIS user must be
 * able to overlay it on other data. The PNG text chunks carry the metadata;
 * the world file (.pgw) carries the affine geotransform and the .aux.xml the
 * spatial reference, both read by GDAL's PNG driver.
 *
 * Invariants:
 *   - Deterministic: the same pixels, text and options give the same bytes
 *     (no tIME chunk, no timestamps, text chunks in the caller's order).
 *   - Atomic: every file (PNG, world file, .aux.xml) is saved through
 *     safefile (protocol in safefile.h): a temporary name in the destination
 *     directory, flushed (fsync unless opt->sync is false), then renamed over
 *     the target; a crash leaves either the old file or the new one, never a
 *     truncated one.
 *   - libpng reports errors with longjmp; that is confined to one static
 *     function in pngout.c and never crosses into our code. libpng writes
 *     the signature, IHDR, text chunks and frames every chunk (CRCs); the
 *     IDAT payload is deflated here in fixed bands of rows on several
 *     threads (ISA-L igzip), because compression dominates the time to write
 *     a figure.
 *   - Input pixels are straight (non-premultiplied) RGBA8, R,G,B,A byte order.
 *     When every pixel is opaque the PNG is written as RGB (smaller, and
 *     what a GIS expects of a figure); otherwise as RGBA.
 */
#ifndef SATMARK_PNGOUT_H
#define SATMARK_PNGOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* One text chunk. key: 1..79 printable Latin-1 characters without leading,
 * trailing or double spaces (PNG keyword rules; checked). value: UTF-8; pure
 * ASCII values go in tEXt, others in iTXt (uncompressed, so any PNG reader
 * shows them). Both borrowed for the duration of the call. */
struct pngout_text {
    const char *key;
    const char *value;
};

enum pngout_format {
    PNGOUT_RGBA8,   /* straight RGBA, bytes R,G,B,A in memory order (default) */
    PNGOUT_ARGB32,  /* Cairo's CAIRO_FORMAT_ARGB32: native-endian 32-bit words
                       0xAARRGGBB, premultiplied alpha (un-premultiplied here) */
};

struct pngout_options {
    /* ISA-L igzip level 0..3. Default 2: on imagery with the Up filter it is
     * the fastest and the smallest of igzip's levels (level 3 is slower and
     * larger), 4x faster than zlib's level 1 and still smaller than
     * MapServer's PNGs (docs/render.md). */
    int level;
    /* PNG filter type used on every row: 0 none, 1 sub, 2 up (default 2,
     * the smallest output on imagery in our measurements, and cheap). */
    int filter;
    /* Worker threads for filtering and compression; 0 (default) = the online
     * CPUs, at most 8. The output bytes do not depend on it: the image is
     * always cut into the same bands of rows, each deflated on its own
     * (pigz's approach) and joined into one zlib stream. */
    int threads;
    /* fsync the file before the rename (default true). Figures, which can be
     * rendered again from their inputs, turn it off for speed. */
    bool sync;
    enum pngout_format format;
};

/* Fills opt with the defaults described above. */
void pngout_options_init(struct pngout_options *opt);

/* Writes the width x height image rgba (borrowed; stride bytes per row,
 * >= width * 4; straight RGBA8 unless opt->format says otherwise) to path
 * (borrowed) atomically, with the ntexts text
 * chunks texts (borrowed; may be NULL when ntexts is 0). opt may be NULL
 * (defaults). On failure returns false with "path: reason" on dg and leaves
 * any existing file at path untouched. */
bool pngout_write(const char *path, const uint8_t *rgba, int width, int height, size_t stride,
                  const struct pngout_text *texts, size_t ntexts,
                  const struct pngout_options *opt, struct diag *dg);

/* Writes the sidecars of png_path (borrowed, must end in ".png"): the world
 * file png_path with ".pgw" in place of ".png" from geotransform gt (GDAL
 * order, 6 doubles, borrowed; describes the PNG's own pixel grid), and
 * png_path + ".aux.xml" holding srs_wkt (borrowed; NULL or "" = no CRS, then
 * no .aux.xml is written and a stale one is removed). Atomic like
 * pngout_write. Returns false with "path: reason" on dg. */
bool pngout_write_georef(const char *png_path, const double gt[6], const char *srs_wkt,
                         struct diag *dg);
/* The same, with opt->sync deciding about fsync (opt may be NULL: defaults). */
bool pngout_write_georef_opt(const char *png_path, const double gt[6], const char *srs_wkt,
                             const struct pngout_options *opt, struct diag *dg);

/* Path of the world file for png_path: new string ("x.png" -> "x.pgw", other
 * names get ".pgw" appended); free with free(). NULL on out of memory. */
char *pngout_world_file_path(const char *png_path);

/* Reads a PNG's text chunks back (for tests and `satmark info`): calls
 * visit(key, value, user) for each tEXt/zTXt/iTXt chunk in file order (key and
 * value borrowed for the call; value UTF-8 for iTXt, Latin-1 for tEXt).
 * Optionally returns the image size (width/height may be NULL). Returns false
 * with "path: reason" on dg when the file is not a readable PNG. */
bool pngout_read_text(const char *path,
                      void (*visit)(const char *key, const char *value, void *user), void *user,
                      int *width, int *height, struct diag *dg);

/* Reads a PNG (8-bit RGB/RGBA/grey, as pngout writes) into a new straight
 * RGBA8 buffer of *width x *height (free with free()). For tests comparing
 * against reference images. NULL with "path: reason" on dg on failure. */
uint8_t *pngout_read_rgba(const char *path, int *width, int *height, struct diag *dg);

#endif
