/*
 * gjson — read and write annotation files (RFC 7946 GeoJSON, docs/formats.md).
 *
 * Reading is strict because an annotation file is evidence: JSON is parsed by
 * jansson with duplicate keys rejected and nesting bounded (no recursion on
 * attacker-controlled depth in our code either); errors are
 * "FILE:LINE:COLUMN: reason" where the position is known, else
 * "FILE: feature N (ID): reason". Accepted with a warning: a UTF-8 BOM,
 * clockwise exterior rings (rewound), positions with more than 3 numbers
 * (extras dropped), unknown classes (-> other), missing ids (generated),
 * numeric ids (turned into strings). Plain GeoJSON from QGIS, geojson.io or
 * ogr2ogr reads with satmark properties defaulted. A FeatureCollection, a
 * single Feature or a bare geometry (-> one feature) is accepted.
 *
 * Writing is deterministic: fixed key order, numbers with at most 7 decimals
 * (trailing zeros trimmed, no exponent), exterior rings counter-clockwise,
 * holes clockwise, no crs member, two-space indentation, one position per
 * line pair. So read -> write -> read yields the same set, and writing the
 * read of a written file is byte-identical.
 *
 * Saving is atomic: the new content goes to a temporary file in the target's
 * directory which is flushed and fsync'ed, the previous file is kept as
 * FILE~ (hard link, replaced atomically through rename), the temporary file
 * is renamed over FILE and the directory is fsync'ed. A crash at any moment
 * leaves FILE either the old or the new version, whole.
 */
#ifndef SATMARK_GJSON_H
#define SATMARK_GJSON_H

#include <stdbool.h>
#include <stddef.h>

#include "annot.h"
#include "diag.h"

/* Maximum accepted file size (bytes); larger files are refused before parsing. */
#define GJSON_MAX_FILE_SIZE ((size_t)512 * 1024 * 1024)

/* Reads the annotation file at path (borrowed). On success *out is a new set
 * (clean, empty undo log; free with annot_set_free) and warnings are on dg.
 * On failure *out is NULL and dg holds the error. */
bool gjson_read_file(const char *path, struct annot_set **out, struct diag *dg);
/* As gjson_read_file from memory: data (borrowed, len bytes, need not be
 * NUL-terminated); name (borrowed) is used in messages in place of the path. */
bool gjson_read_buffer(const char *name, const char *data, size_t len,
                       struct annot_set **out, struct diag *dg);

/* The file content for set (borrowed): new NUL-terminated string, free with
 * free(); *len (if not NULL) receives its length. NULL on out of memory. */
char *gjson_write_string(const struct annot_set *set, size_t *len, struct diag *dg);
/* One feature as a GeoJSON Feature object (same formatting, no trailing
 * newline, indented as at top level); new string, free with free(). */
char *gjson_feature_string(const struct annot_feature *f, struct diag *dg);
/* Atomic save of set to path as described above. Does not change the set;
 * callers call annot_mark_saved afterwards. */
bool gjson_write_file(const char *path, const struct annot_set *set, struct diag *dg);

/* Formats a coordinate with at most 7 decimals, trailing zeros trimmed and
 * "-0" written as "0", into out (cap >= 32). Returns out. */
char *gjson_format_number(double value, char *out, size_t cap);

#endif
