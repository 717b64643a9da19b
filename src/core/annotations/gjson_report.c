/*
 * gjson_report — where the annotation reader is and what it says: the JSON
 * path of the value being read, and errors and warnings prefixed with
 * "FILE:LINE:COL: feature N (ID): ".
 *
 * Positions: jansson reports line:column for syntax errors but keeps no
 * positions once parsed. For structural errors the reader tracks the JSON
 * path it is validating (features[3].geometry.coordinates[0][2]) and, only
 * when reporting, walks the original text along that path with a small
 * iterative scanner (jsontext.h) to find the line and column. The text is
 * known to be valid JSON at that point (jansson parsed it), so the scanner
 * stays simple. A path is located inside the current feature's text only,
 * and a feature's line:column is found by advancing one cursor through the
 * file, so the positions of all messages cost O(file size) together.
 *
 * Warnings are capped per kind (GJSON_WARN_PER_KIND shown, then one
 * "... and N more" line per kind); a warning past a cap is counted without
 * being formatted or located, which keeps 100,000 warnings linear.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "gjson_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void gjson_path_key(struct reader *r, const char *key)
{
    if (r->path.depth < JSONTEXT_MAX_DEPTH)
        r->path.steps[r->path.depth] = (struct jsontext_step){key, 0};
    r->path.depth++;
}

void gjson_path_index(struct reader *r, size_t index)
{
    if (r->path.depth < JSONTEXT_MAX_DEPTH)
        r->path.steps[r->path.depth] = (struct jsontext_step){NULL, index};
    r->path.depth++;
}

void gjson_path_pop(struct reader *r)
{
    if (r->path.depth)
        r->path.depth--;
}

/* "NAME:LINE:COL: feature N (ID): " prefix for the current path. Costs
 * O(size of the current value) plus the cursor's advance to it. */
static void message_prefix(struct reader *r, char *buf, size_t cap)
{
    size_t offset;
    int n;
    if (jsontext_locate(r->text + r->base, r->span, &r->path, r->origin, &offset)) {
        offset += r->base;
        if (!r->base_known) {
            if (r->base < r->cursor.offset) /* an earlier feature: count from the start */
                r->cursor = (struct jsontext_cursor){0, 1, 1};
            if (r->stats)
                r->stats->scanned += r->base - r->cursor.offset;
            jsontext_advance(r->text, &r->cursor, r->base);
            r->base_cursor = r->cursor;
            r->base_known = true;
        }
        struct jsontext_cursor at = r->base_cursor;
        jsontext_advance(r->text, &at, offset);
        if (r->stats)
            r->stats->scanned += 2 * (offset - r->base);
        n = snprintf(buf, cap, "%s:%d:%d: ", r->name, at.line, at.column);
    } else {
        n = snprintf(buf, cap, "%s: ", r->name);
    }
    if (n < 0 || (size_t)n >= cap)
        return;
    if (r->in_feature) {
        if (r->feature_id)
            snprintf(buf + n, cap - (size_t)n, "feature %zu (%s): ", r->feature_index,
                     r->feature_id);
        else
            snprintf(buf + n, cap - (size_t)n, "feature %zu: ", r->feature_index);
    }
}

/* Records "<position prefix><message>" as the error or as a warning. */
static void report(struct reader *r, bool error, const char *fmt, va_list ap)
{
    char prefix[512], msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    message_prefix(r, prefix, sizeof prefix);
    if (error)
        diag_error(r->dg, "%s%s", prefix, msg);
    else
        diag_warn(r->dg, "%s%s", prefix, msg);
}

__attribute__((format(printf, 2, 3))) bool gjson_fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(r, true, fmt, ap);
    va_end(ap);
    return false;
}

/* A warning: shown when its kind (fmt) has shown fewer than
 * GJSON_WARN_PER_KIND and the diag has room; else only counted, without
 * formatting or locating it (that is what keeps 100,000 warnings linear). */
__attribute__((format(printf, 2, 3))) void gjson_warn(struct reader *r, const char *fmt, ...)
{
    struct warn_kind *kind = NULL;
    for (size_t k = 0; k < GJSON_WARN_KINDS && !kind; k++)
        if (r->kinds[k].fmt == fmt || !r->kinds[k].fmt)
            kind = &r->kinds[k];
    if (kind && !kind->fmt)
        kind->fmt = fmt;
    if (r->stats)
        r->stats->warnings++;
    if ((kind && kind->shown >= GJSON_WARN_PER_KIND) || diag_warnings_full(r->dg)) {
        if (kind && kind->shown >= GJSON_WARN_PER_KIND)
            kind->suppressed++;
        else
            diag_warn_dropped(r->dg);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (kind && kind->shown++ == 0) {
        va_list copy;
        va_copy(copy, ap);
        vsnprintf(kind->example, sizeof kind->example, fmt, copy);
        va_end(copy);
    }
    report(r, false, fmt, ap);
    va_end(ap);
}

/* One line per kind that had warnings past the cap. */
void gjson_warn_summaries(struct reader *r)
{
    for (size_t k = 0; k < GJSON_WARN_KINDS && r->kinds[k].fmt; k++) {
        const struct warn_kind *kind = &r->kinds[k];
        if (!kind->suppressed)
            continue;
        char count[32], digits[32];
        int len = snprintf(digits, sizeof digits, "%zu", kind->suppressed);
        size_t o = 0;
        for (int i = 0; i < len; i++) {
            if (i > 0 && (len - i) % 3 == 0)
                count[o++] = ',';
            count[o++] = digits[i];
        }
        count[o] = '\0';
        bool cut = strlen(kind->example) + 1 >= sizeof kind->example;
        diag_warn(r->dg, "%s: ... and %s more warning%s like this one, not shown: %s%s", r->name,
                  count, kind->suppressed == 1 ? "" : "s", kind->example, cut ? "..." : "");
    }
}

const char *gjson_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}
