/*
 * jsontext — a small scanner over JSON text that is already known to be (or
 * is about to be checked as) valid JSON: skipping whitespace and values,
 * locating the value a path of keys and indices leads to, and turning byte
 * offsets into LINE:COLUMN. gjson uses it to give positions in messages
 * (jansson keeps none once parsed) and to split a FeatureCollection's
 * features array into one text per feature (docs/scale.md).
 *
 * Iterative (no recursion on the text's depth); every function reads only
 * t[0, len) and never past it, also on text that is not JSON (it then
 * returns len or false). Columns are 1-based and count UTF-8 code points,
 * like jansson's. No allocation, no globals.
 */
#ifndef SATMARK_JSONTEXT_H
#define SATMARK_JSONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#define JSONTEXT_MAX_DEPTH 16

struct jsontext_step {
    const char *key; /* NULL: array index */
    size_t index;
};

struct jsontext_path {
    struct jsontext_step steps[JSONTEXT_MAX_DEPTH];
    size_t depth; /* may exceed JSONTEXT_MAX_DEPTH; extra steps are not located */
};

/* A position in the text: byte offset and the line:column it is at. */
struct jsontext_cursor {
    size_t offset;
    int line, column;
};

/* The first position at or after pos that is not JSON whitespace (or len). */
size_t jsontext_skip_ws(const char *t, size_t len, size_t pos);
/* The position just after the value starting at pos (or len). */
size_t jsontext_skip_value(const char *t, size_t len, size_t pos);
/* Offset of the value at path's steps [first, depth) in t (the text of the
 * value that steps [0, first) lead to); false when it cannot be found. Costs
 * O(offset). */
bool jsontext_locate(const char *t, size_t len, const struct jsontext_path *path,
                     size_t first, size_t *offset);
/* Moves c forward to offset (>= c->offset), counting lines and columns. */
void jsontext_advance(const char *t, struct jsontext_cursor *c, size_t offset);
/* [start, end) of the array that is the value of the root object's first
 * member named key (borrowed); false when there is none or it is not an
 * array. */
bool jsontext_find_array(const char *t, size_t len, const char *key, size_t *start,
                         size_t *end);

#endif
