/*
 * gjfast — a fast path in front of the annotation reader (gjson) for large,
 * plain FeatureCollections: a detector's million points, building
 * footprints. Same result as gjson_read_file, only faster (issue 14).
 *
 * The features array is read by a small strict scanner straight into
 * struct annot_feature, without building a jansson tree per feature. The
 * path takes only what it can read exactly as gjson does and where gjson
 * would neither warn nor fail: Point, LineString and Polygon geometries with
 * 2D positions in range, the satmark properties and scalar extra
 * properties, strings without escapes, valid UTF-8, no duplicate keys, ids
 * that are strings. Anything else — a syntax error, a numeric id, a
 * clockwise ring, a foreign member, an escape, a 3D position — and the whole
 * document is handed to gjson_read_buffer, which then gives its errors and
 * warnings exactly as before (nothing of the fast attempt remains on the
 * diag). So every message the user can see comes from gjson; the only one
 * this path writes itself are the id lines of idassign_warn (ids taken from
 * "id" properties, repeats, generated ids), as gjson writes them, when it
 * succeeds.
 *
 * A large features array is read by two threads: the second starts at a
 * guessed element boundary past the middle, and its features are used only
 * when the first thread's scan arrives exactly there, so the result is that
 * of a single scan (a wrong guess costs time, never a difference).
 *
 * Invariant (tested against gjson on generated, bundled and mutated files,
 * tests/test_gjfast.c): for any input, success, the error, the warnings and
 * the set written back by gjwrite are those of gjson_read_buffer.
 */
#ifndef SATMARK_GJFAST_H
#define SATMARK_GJFAST_H

#include <stdbool.h>
#include <stddef.h>

#include "annot.h"
#include "diag.h"

/* As gjson_read_file (path borrowed; on success *out is a new set, free with
 * annot_set_free; on failure *out is NULL and dg holds gjson's error).
 * Memory: the file is mapped (rfile_map), not copied, and what the scan has
 * read is released as it goes, so the peak holds the set and a few MiB of
 * text; the features array becomes the set's own, and the map idassign
 * built of their ids its id index (annot_adopt_features).
 * When the fast path declines, gjson_read_file reads the file again. */
bool gjfast_read_file(const char *path, struct annot_set **out, struct diag *dg);

/* As gjson_read_buffer (name and data borrowed; data need not be
 * NUL-terminated). */
bool gjfast_read_buffer(const char *name, const char *data, size_t len, struct annot_set **out,
                        struct diag *dg);

/* What one read did, for tests that check the path was taken and stays
 * linear: `fast` when the fast path produced the set (else gjson did);
 * bytes the scanner walked, features it read, generated-id candidates
 * tried; `split` when the features array was read by two threads (from a
 * features array of split_min bytes on: set by the caller, 0 for the
 * default of 4 MiB). Counts of a declined attempt are kept. */
struct gjfast_stats {
    bool fast;
    size_t scanned;
    size_t features;
    size_t ids_tried;
    bool split;
    size_t split_min;
};

/* As gjfast_read_buffer, adding this read's counts to *stats (borrowed;
 * may be NULL). */
bool gjfast_read_buffer_stats(const char *name, const char *data, size_t len,
                              struct annot_set **out, struct diag *dg, struct gjfast_stats *stats);

#endif
