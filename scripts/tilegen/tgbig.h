/*
 * tgbig — large generated annotation files for the scale benchmark and the
 * scale tests (issue 14): what investigators bring besides hand-drawn marks.
 *
 *   points    detector output: Points with the id as a property ("id":
 *             "det-N"), no feature id, class container_stack, a score
 *   qgis      a QGIS export: Points with numeric feature ids 0..N-1 and a
 *             "fid" property
 *   polygons  building footprints: Polygons of 5..50 vertices (star-shaped,
 *             counter-clockwise, closed), string ids "bldg-N"
 *
 * Deterministic: the same kind, count, bbox and seed give the same bytes (a
 * splitmix64 sequence, coordinates printed with 7 decimals). Written with
 * stdio in one pass, one feature per line, so generating a million features
 * takes about a second and constant memory.
 */
#ifndef SATMARK_TGBIG_H
#define SATMARK_TGBIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum tgbig_kind { TGBIG_POINTS, TGBIG_QGIS, TGBIG_POLYGONS };

struct tgbig_options {
    enum tgbig_kind kind;
    size_t count;
    double west, south, east, north; /* where the features go (lon/lat) */
    unsigned long long seed;
    bool clockwise;    /* polygons: wind exterior rings clockwise (each one warns) */
    const char *image; /* NULL, or an observation {image, acquired: date} on each feature */
    const char *date;  /* YYYY-MM-DD; with image */
};

/* Parses "points", "qgis" or "polygons"; false for anything else. */
bool tgbig_kind_from_name(const char *name, enum tgbig_kind *out);
/* Writes the file at path (borrowed; replaced). False with dg set on error. */
bool tgbig_write(const struct tgbig_options *opt, const char *path, struct diag *dg);

#endif
