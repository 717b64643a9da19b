/*
 * manifest — the figure list `satmark batch` renders (docs/manifest.md).
 *
 * A manifest is UTF-8 JSON, read with jansson (duplicate keys rejected):
 * either an array of figure objects, or an object
 * {"satmark_manifest": 1, "defaults": {...}, "figures": [...]} where every
 * figure inherits the members of "defaults" it does not set itself. Relative
 * paths are relative to the manifest's directory, so a manifest works from
 * any current directory. Unknown members are errors (a typo such as
 * "inest": true must not silently give a different figure).
 *
 * Each figure becomes a ready figure_spec whose strings the manifest owns;
 * its PNG is OUT_DIR/NAME.png, names are unique and limited to
 * [A-Za-z0-9._-] so they cannot escape OUT_DIR.
 */
#ifndef SATMARK_MANIFEST_H
#define SATMARK_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "figure.h"

#define MANIFEST_MAX_FIGURES 100000
#define MANIFEST_MAX_FILE_SIZE ((size_t)64 * 1024 * 1024)

struct manifest;

struct manifest_figure {
    const char *name;       /* unique, [A-Za-z0-9._-]+ */
    struct figure_spec spec; /* strings and arrays owned by the manifest */
};

/* Reads the manifest at path (borrowed); output PNGs go to out_dir (borrowed,
 * copied; need not exist yet). Errors read "PATH:LINE:COLUMN: reason" for JSON
 * syntax and "PATH: figures[I] (NAME): MEMBER: reason" for content. New; free
 * with manifest_free. */
bool manifest_read(const char *path, const char *out_dir, struct manifest **out,
                   struct diag *dg);
void manifest_free(struct manifest *m);

size_t manifest_count(const struct manifest *m);
/* Figure i (manifest order); borrowed until manifest_free. */
const struct manifest_figure *manifest_figure_at(const struct manifest *m, size_t i);

/* Parses a shard "I/N" (0 <= I < N <= 1000000). Figure k belongs to shard I
 * when k % N == I. */
bool manifest_parse_shard(const char *text, size_t *index, size_t *count);

#endif
