/*
 * tgwrite — writes a painted scene as a Cloud-Optimized GeoTIFF (JPEG/YCbCr,
 * 512-pixel tiles, internal overviews) with the site/date/synthetic metadata.
 * Strips are painted straight into a GDAL dataset (in memory for tiles up to
 * TGWRITE_MEM_LIMIT bytes, otherwise a temporary tiled GeoTIFF next to the
 * output), which the COG driver then copies. Output is byte-deterministic:
 * every metadata value (including TIFFTAG_DATETIME) comes from the inputs,
 * PAM side-car files are disabled and GDAL runs single-threaded.
 */
#ifndef SATMARK_TGWRITE_H
#define SATMARK_TGWRITE_H

#include <stdbool.h>

#include "diag.h"
#include "tgscene.h"

#define TGWRITE_MEM_LIMIT ((size_t)300 * 1024 * 1024)

struct tgwrite_options {
    int size;       /* pixels per side */
    double pixel;   /* metres */
    int quality;    /* JPEG quality */
    bool quiet;
};

/* Paints scene (borrowed) and writes it to path (borrowed). false + dg on failure;
 * a partial output file is removed. */
bool tgwrite_tile(const struct tgscene *scene, const struct tgwrite_options *opt,
                  const char *path, struct diag *dg);

#endif
