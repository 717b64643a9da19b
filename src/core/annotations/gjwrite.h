/*
 * gjwrite — write annotation files (RFC 7946 GeoJSON, docs/formats.md); the
 * reading side is gjson.
 *
 * Writing is deterministic: fixed key order, numbers with at most 7 decimals
 * (trailing zeros trimmed, no exponent), exterior rings counter-clockwise,
 * holes clockwise, no crs member, two-space indentation, one position per
 * line pair. So read -> write -> read yields the same set, and writing the
 * read of a written file is byte-identical. Every writer of the satmark
 * annotation format (satmark mark, the viewer, the journal, the demo-tile
 * generator) goes through here, so all files have exactly one format; so
 * does satmark export's GeoJSON (gjwrite_export_*): the only GeoJSON writer.
 *
 * Saving is atomic through safefile (protocol in safefile.h): temporary file
 * beside FILE, fsync, the previous file kept as FILE~, rename, directory
 * fsync. A crash at any moment leaves FILE either the old or the new
 * version, whole.
 */
#ifndef SATMARK_GJWRITE_H
#define SATMARK_GJWRITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "annot.h"
#include "diag.h"
#include "dynbuf.h"

/* The file content for set (borrowed): new NUL-terminated string, free with
 * free(); *len (if not NULL) receives its length. NULL (error on dg) on out of
 * memory or a text field that is not valid UTF-8. */
char *gjwrite_string(const struct annot_set *set, size_t *len, struct diag *dg);
/* One feature as a GeoJSON Feature object (same formatting, no trailing
 * newline, indented as at top level); new string, free with free(). */
char *gjwrite_feature_string(const struct annot_feature *f, struct diag *dg);
/* Atomic save of set (borrowed) to path (borrowed) as described above, FILE~
 * kept. Does not change the set; callers call annot_mark_saved afterwards. */
bool gjwrite_file(const char *path, const struct annot_set *set, struct diag *dg);

/* Formats a coordinate with at most 7 decimals, trailing zeros trimmed and
 * "-0" written as "0", into out (cap >= 32). Returns out. */
char *gjwrite_number(double value, char *out, size_t cap);

/* Compact JSON text of value (borrowed) as the writer formats unknown
 * members: object keys sorted, reals in shortest round-trip form. New
 * string, free with free(); NULL on out of memory. */
char *gjwrite_json_value(json_t *value);

/* A JSON real as gjwrite_json_value writes it (%.15g, or %.17g when that
 * does not read back to value; ".0" added to an integral value so it stays
 * a real), into out (cap >= 32). Returns out. */
char *gjwrite_real(double value, char *out, size_t cap);

/* Exports (satmark export's .geojson): compact RFC 7946 text for other
 * tools, written into out (a sticky-error dynbuf: check it once at the end).
 * Layout: begin, then one gjwrite_export_feature per feature (`last` on the
 * final one), then end:
 *   {"type": "FeatureCollection", "<member>": <value>, "features": [
 *   {"type":"Feature","id":"...","geometry":{...},"properties":{...}},
 *   ]}
 * The foreign member (RFC 7946 §6.1; export's provenance) comes ahead of the
 * features so a reader meets it first. Values (borrowed) are written by
 * jansson in their insertion order; geometry as the annotation format's but
 * compact, positions with at most lon, lat and altitude, rings rewound
 * (exteriors counter-clockwise, holes clockwise) whatever the input. */
void gjwrite_export_begin(struct dynbuf *out, const char *member, json_t *value);
void gjwrite_export_feature(struct dynbuf *out, const char *id, const struct annot_geometry *g,
                            json_t *props, bool last);
void gjwrite_export_end(struct dynbuf *out);

/* A coordinate (degrees) as the writer will save it, to 7 decimals: the
 * value strtod gives for gjwrite_number's text. Both readers (gjson, gjfast)
 * round with it on reading, so a read-write-read cycle is stable. */
double gjwrite_round_coordinate(double v);

#endif
