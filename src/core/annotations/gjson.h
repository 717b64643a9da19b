/*
 * gjson — read and validate annotation files (RFC 7946 GeoJSON, docs/formats.md).
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
 * Writing (deterministic format, atomic save) is gjwrite's (gjwrite.h); the
 * reader rounds coordinates with gjwrite_number so what is read is what will
 * be written.
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

/* Operation counts of one read, for tests that check the reader stays linear
 * (issue 14): bytes of text the reader's own scanners walk (splitting
 * features, locating message positions), features read, warnings raised
 * (shown or not), generated-id candidates tried, array growths. */
struct gjson_stats {
    size_t scanned;
    size_t features;
    size_t warnings;
    size_t ids_tried;
    size_t allocations;
};

/* As gjson_read_buffer, adding this read's counts to *stats (borrowed; may be
 * NULL). */
bool gjson_read_buffer_stats(const char *name, const char *data, size_t len,
                             struct annot_set **out, struct diag *dg, struct gjson_stats *stats);

#endif
