/*
 * locate — the one rule for finding the files an annotation file depends on:
 * its claims catalog and the tiles its observations name.
 *
 * The investigation root is the directory holding `annotations/`: the parent
 * of the annotation file's directory when that directory is named
 * `annotations`, else the current directory when it has an `annotations/`
 * directory, else there is none.
 *
 * Catalog: `claims.json` beside the annotation file, then
 * `ROOT/annotations/claims.json`. Without an annotation file only the second.
 * Tile named N (an observation's image, a file name without directory): beside
 * the annotation file, its `tiles/` subdirectory, `ROOT/tiles/N`, then
 * `ROOT/assets/tiles/N`.
 *
 * Every lookup records the paths it tried in order, so front-ends can print
 * where they looked (`--verbose`) or name those places in a warning.
 * No terminal output and no globals; paths are built, never canonicalised.
 */
#ifndef SATMARK_LOCATE_H
#define SATMARK_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

#define LOCATE_MAX_TRIED 4
#define LOCATE_PATH_MAX 4096

struct locate_result {
    char path[LOCATE_PATH_MAX]; /* the file found, "" when none */
    size_t ntried;
    char tried[LOCATE_MAX_TRIED][LOCATE_PATH_MAX]; /* in the order tried */
};

/* The investigation root for annot_path (borrowed; NULL: none given) into
 * out (cap bytes), without a trailing slash ("." for the current directory).
 * False (out = "") when there is none. */
bool locate_root(const char *annot_path, char *out, size_t cap);

/* The claims catalog for annot_path (borrowed; may be NULL). False when no
 * candidate exists (out->path = ""); out->tried lists the candidates. */
bool locate_catalog(const char *annot_path, struct locate_result *out);

/* The tile file `image` (a file name; borrowed) for annot_path (borrowed; may
 * be NULL). A name with a '/' is refused (false, nothing tried). */
bool locate_tile(const char *annot_path, const char *image, struct locate_result *out);

/* "looked for WHAT in A, B: using B" or "...: none found" into buf (cap
 * bytes, always terminated). what is borrowed. */
void locate_describe(const struct locate_result *r, const char *what, char *buf, size_t cap);

#endif
