/*
 * gjson — annotation GeoJSON reading (strict), writing (deterministic) and
 * atomic saving. The rules are listed in gjson.h and docs/annotations.md.
 *
 * Positions in messages: jansson reports line:column for syntax errors but
 * keeps no positions once parsed. For structural errors the reader tracks the
 * JSON path it is validating (features[3].geometry.coordinates[0][2]) and,
 * only when reporting, walks the original text along that path with a small
 * iterative scanner to find the line and column. The text is known to be
 * valid JSON at that point (jansson parsed it), so the scanner stays simple.
 *
 * Columns are 1-based and count UTF-8 code points, like jansson's.
 * Coordinates are rounded to 7 decimals on reading (to the value the writer
 * will produce), so what is shown and checked is exactly what gets saved.
 */
#include "gjson.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- numbers ---------------------------------------------------------------- */

char *gjson_format_number(double value, char *out, size_t cap)
{
    if (!isfinite(value)) {
        snprintf(out, cap, "0");
        return out;
    }
    if (fabs(value) >= 1e15) {
        /* Far outside any coordinate; keep it exact rather than pretty. */
        snprintf(out, cap, "%.17g", value);
        return out;
    }
    snprintf(out, cap, "%.7f", value);
    char *dot = strchr(out, '.');
    if (dot) {
        char *end = out + strlen(out) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    if (strcmp(out, "-0") == 0)
        snprintf(out, cap, "0");
    return out;
}

static double round7(double v)
{
    char buf[64];
    return strtod(gjson_format_number(v, buf, sizeof buf), NULL);
}

/* ---- growable output buffer ---------------------------------------------------- */

struct outbuf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

static void out_reserve(struct outbuf *b, size_t more)
{
    if (b->failed || b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1) {
        if (cap > GJSON_MAX_FILE_SIZE) {
            b->failed = true;
            return;
        }
        cap *= 2;
    }
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return;
    }
    b->data = grown;
    b->cap = cap;
}

static void out_mem(struct outbuf *b, const char *s, size_t n)
{
    out_reserve(b, n);
    if (b->failed)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void out_str(struct outbuf *b, const char *s)
{
    out_mem(b, s, strlen(s));
}

static void out_num(struct outbuf *b, double v)
{
    char buf[64];
    out_str(b, gjson_format_number(v, buf, sizeof buf));
}

static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return false;
        }
        p++;
        for (size_t i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (*p & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
    }
    return true;
}

/* A JSON string literal; invalid UTF-8 marks the buffer failed (caller reports). */
static void out_json_string(struct outbuf *b, const char *s, bool *bad_utf8)
{
    if (!s)
        s = "";
    if (!utf8_valid(s)) {
        *bad_utf8 = true;
        b->failed = true;
        return;
    }
    out_mem(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        const char *esc = NULL;
        char ubuf[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(ubuf, sizeof ubuf, "\\u%04x", c);
                esc = ubuf;
            }
        }
        if (esc) {
            out_mem(b, run, (size_t)(p - run));
            out_str(b, esc);
            run = p + 1;
        }
    }
    out_mem(b, run, strlen(run));
    out_mem(b, "\"", 1);
}

static int compare_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Compact JSON of any value, object keys sorted, reals in shortest
 * round-trip form. Recursion depth is bounded by jansson's parse depth limit
 * (JSON_PARSER_MAX_DEPTH), as every value written here was parsed by it. */
static void out_json_value(struct outbuf *b, json_t *v, bool *bad_utf8)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        const char **keys = n ? malloc(n * sizeof *keys) : NULL;
        if (n && !keys) {
            b->failed = true;
            return;
        }
        size_t k = 0;
        const char *key;
        json_t *value;
        json_object_foreach(v, key, value) keys[k++] = key;
        if (n > 1)
            qsort(keys, n, sizeof *keys, compare_cstr);
        out_mem(b, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                out_mem(b, ", ", 2);
            out_json_string(b, keys[i], bad_utf8);
            out_mem(b, ": ", 2);
            out_json_value(b, json_object_get(v, keys[i]), bad_utf8);
        }
        out_mem(b, "}", 1);
        free(keys);
        return;
    }
    case JSON_ARRAY:
        out_mem(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                out_mem(b, ", ", 2);
            out_json_value(b, json_array_get(v, i), bad_utf8);
        }
        out_mem(b, "]", 1);
        return;
    case JSON_STRING:
        out_json_string(b, json_string_value(v), bad_utf8);
        return;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        out_str(b, num);
        return;
    case JSON_REAL: {
        double d = json_real_value(v);
        snprintf(num, sizeof num, "%.15g", d);
        if (strtod(num, NULL) != d)
            snprintf(num, sizeof num, "%.17g", d);
        if (!strpbrk(num, ".eEn"))
            strcat(num, ".0"); /* stays a real when read back */
        out_str(b, num);
        return;
    }
    case JSON_TRUE: out_str(b, "true"); return;
    case JSON_FALSE: out_str(b, "false"); return;
    case JSON_NULL: out_str(b, "null"); return;
    }
}

/* ---- locating a JSON path in the text --------------------------------------------- */

#define PATH_MAX_DEPTH 16

struct path_step {
    const char *key; /* NULL: array index */
    size_t index;
};

struct jpath {
    struct path_step steps[PATH_MAX_DEPTH];
    size_t depth; /* may exceed PATH_MAX_DEPTH; extra steps are not located */
};

static size_t skip_ws(const char *t, size_t len, size_t pos)
{
    while (pos < len && (t[pos] == ' ' || t[pos] == '\t' || t[pos] == '\n' || t[pos] == '\r'))
        pos++;
    return pos;
}

/* pos at an opening quote; returns the position after the closing quote. */
static size_t skip_string(const char *t, size_t len, size_t pos)
{
    for (pos++; pos < len; pos++) {
        if (t[pos] == '\\')
            pos++;
        else if (t[pos] == '"')
            return pos + 1;
    }
    return len;
}

/* Skips one value starting at pos, iteratively (no recursion on depth). */
static size_t skip_value(const char *t, size_t len, size_t pos)
{
    if (pos >= len)
        return len;
    if (t[pos] == '"')
        return skip_string(t, len, pos);
    if (t[pos] != '{' && t[pos] != '[') {
        while (pos < len && !strchr(",]} \t\r\n", t[pos]))
            pos++;
        return pos;
    }
    size_t depth = 0;
    while (pos < len) {
        char c = t[pos];
        if (c == '"') {
            pos = skip_string(t, len, pos);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return pos + 1;
        }
        pos++;
    }
    return len;
}

/* Offset of the value at path; false when it cannot be found. */
static bool locate_path(const char *t, size_t len, const struct jpath *path, size_t *offset)
{
    size_t pos = skip_ws(t, len, 0);
    size_t depth = path->depth < PATH_MAX_DEPTH ? path->depth : PATH_MAX_DEPTH;
    for (size_t s = 0; s < depth; s++) {
        const struct path_step *st = &path->steps[s];
        if (st->key) {
            if (pos >= len || t[pos] != '{')
                return false;
            pos++;
            size_t klen = strlen(st->key);
            for (;;) {
                pos = skip_ws(t, len, pos);
                if (pos >= len || t[pos] != '"')
                    return false;
                size_t kstart = pos + 1;
                pos = skip_string(t, len, pos);
                bool match = pos - 1 - kstart == klen && memcmp(t + kstart, st->key, klen) == 0;
                pos = skip_ws(t, len, pos);
                if (pos >= len || t[pos] != ':')
                    return false;
                pos = skip_ws(t, len, pos + 1);
                if (match)
                    break;
                pos = skip_ws(t, len, skip_value(t, len, pos));
                if (pos >= len || t[pos] != ',')
                    return false;
                pos++;
            }
        } else {
            if (pos >= len || t[pos] != '[')
                return false;
            pos = skip_ws(t, len, pos + 1);
            for (size_t i = 0; i < st->index; i++) {
                pos = skip_ws(t, len, skip_value(t, len, pos));
                if (pos >= len || t[pos] != ',')
                    return false;
                pos = skip_ws(t, len, pos + 1);
            }
        }
    }
    *offset = pos;
    return true;
}

static void offset_to_line_column(const char *t, size_t offset, int *line, int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

/* ---- reader ----------------------------------------------------------------------- */

struct reader {
    const char *name;
    const char *text;
    size_t len;
    struct diag *dg;
    struct jpath path;
    bool in_feature;
    size_t feature_index;
    const char *feature_id; /* borrowed from the JSON tree, may be NULL */
    bool warned_4d;
    bool warned_jump; /* once per feature */
};

static void path_key(struct reader *r, const char *key)
{
    if (r->path.depth < PATH_MAX_DEPTH)
        r->path.steps[r->path.depth] = (struct path_step){key, 0};
    r->path.depth++;
}

static void path_index(struct reader *r, size_t index)
{
    if (r->path.depth < PATH_MAX_DEPTH)
        r->path.steps[r->path.depth] = (struct path_step){NULL, index};
    r->path.depth++;
}

static void path_pop(struct reader *r)
{
    if (r->path.depth)
        r->path.depth--;
}

/* "NAME:LINE:COL: feature N (ID): " prefix for the current path. */
static void message_prefix(const struct reader *r, char *buf, size_t cap)
{
    size_t offset;
    int line, column;
    int n;
    if (locate_path(r->text, r->len, &r->path, &offset)) {
        offset_to_line_column(r->text, offset, &line, &column);
        n = snprintf(buf, cap, "%s:%d:%d: ", r->name, line, column);
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

__attribute__((format(printf, 2, 3))) static bool fail(struct reader *r, const char *fmt, ...)
{
    char prefix[512], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    message_prefix(r, prefix, sizeof prefix);
    diag_error(r->dg, "%s%s", prefix, msg);
    return false;
}

__attribute__((format(printf, 2, 3))) static void warn(struct reader *r, const char *fmt, ...)
{
    char prefix[512], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    message_prefix(r, prefix, sizeof prefix);
    diag_warn(r->dg, "%s%s", prefix, msg);
}

static const char *json_type_name(const json_t *v)
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

static bool copy_string(struct reader *r, char **dst, const char *s)
{
    size_t n = strlen(s) + 1;
    *dst = malloc(n);
    if (!*dst) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    memcpy(*dst, s, n);
    return true;
}

/* Members a given GeoJSON object must not have (RFC 7946 §7.1). */
static bool check_forbidden(struct reader *r, json_t *obj, const char *what,
                            const char *const *forbidden)
{
    for (const char *const *k = forbidden; *k; k++)
        if (json_object_get(obj, *k)) {
            path_key(r, *k);
            fail(r, "a %s must not have a \"%s\" member (RFC 7946 section 7.1)", what, *k);
            path_pop(r);
            return false;
        }
    return true;
}

static bool check_bbox(struct reader *r, json_t *obj)
{
    json_t *bbox = json_object_get(obj, "bbox");
    if (!bbox)
        return true;
    path_key(r, "bbox");
    bool ok = true;
    if (!json_is_array(bbox)) {
        ok = fail(r, "bbox must be an array of numbers, found %s", json_type_name(bbox));
    } else if (json_array_size(bbox) != 4 && json_array_size(bbox) != 6) {
        ok = fail(r, "bbox must have 4 or 6 numbers, found %zu", json_array_size(bbox));
    } else {
        for (size_t i = 0; ok && i < json_array_size(bbox); i++)
            if (!json_is_number(json_array_get(bbox, i))) {
                path_index(r, i);
                ok = fail(r, "bbox element must be a number, found %s",
                          json_type_name(json_array_get(bbox, i)));
                path_pop(r);
            }
    }
    path_pop(r);
    return ok;
}

/* ---- geometry ---------------------------------------------------------------------- */

enum { DIM_UNSET = 0 };

/* One position into out/alt; *dims (2 or 3) must match across a part. */
static bool read_position(struct reader *r, json_t *pos, struct annot_lonlat *out, double *alt,
                          int *dims)
{
    if (!json_is_array(pos))
        return fail(r, "expected a position (an array of 2 or 3 numbers), found %s",
                    json_type_name(pos));
    size_t n = json_array_size(pos);
    if (n < 2)
        return fail(r, "a position needs at least 2 numbers (longitude, latitude), found %zu",
                    n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(pos, i);
        if (!json_is_number(v)) {
            path_index(r, i);
            fail(r, "each element of a position must be a number, found %s", json_type_name(v));
            path_pop(r);
            return false;
        }
    }
    if (n > 3 && !r->warned_4d) {
        r->warned_4d = true;
        warn(r, "position with %zu numbers: only longitude, latitude and altitude are kept", n);
    }
    int d = n >= 3 ? 3 : 2;
    if (*dims != DIM_UNSET && *dims != d)
        return fail(r, "positions mix 2 and 3 dimensions within one %s",
                    "coordinate sequence");
    *dims = d;
    double lon = json_number_value(json_array_get(pos, 0));
    double lat = json_number_value(json_array_get(pos, 1));
    if (!isfinite(lon) || !isfinite(lat))
        return fail(r, "position is not a finite number");
    if (lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0) {
        const char *hint = "";
        if (fabs(lon) > 360.0 || fabs(lat) > 360.0)
            hint = " (coordinates look projected, not WGS84 degrees; reproject with "
                   "ogr2ogr -t_srs EPSG:4326)";
        else if (fabs(lat) > 90.5 && fabs(lat) <= 180.0 && fabs(lon) <= 90.0)
            hint = " (this looks like latitude, longitude order; GeoJSON positions are "
                   "longitude first)";
        else if (fabs(lat) > 90.0)
            hint = " (latitude beyond the pole)";
        else
            hint = " (longitudes must be wrapped into [-180, 180])";
        return fail(r, "position (%.10g, %.10g) is outside longitude [-180, 180], latitude "
                       "[-90, 90]%s",
                    lon, lat, hint);
    }
    out->lon = round7(lon);
    out->lat = round7(lat);
    if (alt)
        *alt = n >= 3 ? round7(json_number_value(json_array_get(pos, 2))) : 0.0;
    return true;
}

/* An array of positions into part (min_n positions at least; ring: closed). */
static bool read_sequence(struct reader *r, json_t *arr, struct annot_part *part, size_t min_n,
                          bool ring, size_t member)
{
    memset(part, 0, sizeof *part);
    part->member = member;
    if (!json_is_array(arr))
        return fail(r, "expected an array of positions, found %s", json_type_name(arr));
    size_t n = json_array_size(arr);
    if (n < min_n)
        return fail(r, "%s needs at least %zu positions, found %zu",
                    ring ? "a linear ring" : min_n == 2 ? "a line" : "this geometry", min_n, n);
    if (n == 0)
        return true;
    part->pts = malloc(n * sizeof *part->pts);
    double *alt = malloc(n * sizeof *alt);
    if (!part->pts || !alt) {
        free(alt);
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    int dims = DIM_UNSET;
    for (size_t i = 0; i < n; i++) {
        path_index(r, i);
        bool ok = read_position(r, json_array_get(arr, i), &part->pts[i], &alt[i], &dims);
        path_pop(r);
        if (!ok) {
            free(alt);
            part->n = 0;
            return false;
        }
        part->n = i + 1;
    }
    if (dims == 3)
        part->alt = alt;
    else
        free(alt);
    size_t jumps = 0;
    for (size_t i = 0; i + 1 < n; i++)
        jumps += fabs(part->pts[i + 1].lon - part->pts[i].lon) > 180.0;
    if (jumps && !r->warned_jump) {
        r->warned_jump = true;
        warn(r, "%zu segment%s jump%s more than 180 degrees in longitude: drawn the long way "
                "round; to cross the antimeridian, cut the geometry at +-180 (RFC 7946 "
                "section 3.1.9)",
             jumps, jumps == 1 ? "" : "s", jumps == 1 ? "s" : "");
    }
    if (ring) {
        struct annot_lonlat a = part->pts[0], b = part->pts[n - 1];
        bool closed = a.lon == b.lon && a.lat == b.lat &&
                      (!part->alt || part->alt[0] == part->alt[n - 1]);
        if (!closed)
            return fail(r, "linear ring is not closed: the first position (%.10g, %.10g) and "
                           "the last (%.10g, %.10g) must be the same",
                        a.lon, a.lat, b.lon, b.lat);
    }
    return true;
}

/* Appends a zeroed part to g; NULL on out of memory (error recorded). */
static struct annot_part *add_part(struct reader *r, struct annot_geometry *g)
{
    struct annot_part *grown = realloc(g->parts, (g->nparts + 1) * sizeof *grown);
    if (!grown) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return NULL;
    }
    g->parts = grown;
    memset(&g->parts[g->nparts], 0, sizeof *g->parts);
    return &g->parts[g->nparts++];
}

static bool geom_type_from_name(const char *s, enum annot_geom_type *out)
{
    static const struct {
        const char *name;
        enum annot_geom_type type;
    } types[] = {
        {"Point", ANNOT_GEOM_POINT},
        {"LineString", ANNOT_GEOM_LINESTRING},
        {"Polygon", ANNOT_GEOM_POLYGON},
        {"MultiPoint", ANNOT_GEOM_MULTIPOINT},
        {"MultiLineString", ANNOT_GEOM_MULTILINESTRING},
        {"MultiPolygon", ANNOT_GEOM_MULTIPOLYGON},
        {"GeometryCollection", ANNOT_GEOM_COLLECTION},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(s, types[i].name) == 0) {
            *out = types[i].type;
            return true;
        }
    return false;
}

/* Polygon rings (coordinates of a Polygon) appended to g with member m. */
static bool read_rings(struct reader *r, json_t *rings, struct annot_geometry *g, size_t member)
{
    if (!json_is_array(rings))
        return fail(r, "expected an array of linear rings, found %s", json_type_name(rings));
    if (json_array_size(rings) == 0)
        return fail(r, "a polygon needs at least its exterior ring");
    for (size_t i = 0; i < json_array_size(rings); i++) {
        struct annot_part *p = add_part(r, g);
        if (!p)
            return false;
        path_index(r, i);
        bool ok = read_sequence(r, json_array_get(rings, i), p, 4, true, member);
        path_pop(r);
        if (!ok)
            return false;
    }
    return true;
}

static bool read_geometry(struct reader *r, json_t *obj, struct annot_geometry *g, bool nested);

static bool read_coordinates(struct reader *r, json_t *coords, struct annot_geometry *g)
{
    struct annot_part *p;
    switch (g->type) {
    case ANNOT_GEOM_POINT: {
        int dims = DIM_UNSET;
        double alt = 0;
        if (!(p = add_part(r, g)))
            return false;
        p->pts = malloc(sizeof *p->pts);
        if (!p->pts) {
            diag_error(r->dg, "%s: out of memory", r->name);
            return false;
        }
        if (!read_position(r, coords, &p->pts[0], &alt, &dims))
            return false;
        p->n = 1;
        if (dims == 3) {
            p->alt = malloc(sizeof *p->alt);
            if (!p->alt) {
                diag_error(r->dg, "%s: out of memory", r->name);
                return false;
            }
            p->alt[0] = alt;
        }
        return true;
    }
    case ANNOT_GEOM_LINESTRING:
        return (p = add_part(r, g)) && read_sequence(r, coords, p, 2, false, 0);
    case ANNOT_GEOM_MULTIPOINT:
        if (!json_is_array(coords))
            return fail(r, "expected an array of positions, found %s", json_type_name(coords));
        if (json_array_size(coords) == 0)
            return true;
        return (p = add_part(r, g)) && read_sequence(r, coords, p, 1, false, 0);
    case ANNOT_GEOM_POLYGON:
        return read_rings(r, coords, g, 0);
    case ANNOT_GEOM_MULTILINESTRING:
    case ANNOT_GEOM_MULTIPOLYGON:
        if (!json_is_array(coords))
            return fail(r, "expected an array of %s, found %s",
                        g->type == ANNOT_GEOM_MULTIPOLYGON ? "polygons" : "line strings",
                        json_type_name(coords));
        for (size_t i = 0; i < json_array_size(coords); i++) {
            path_index(r, i);
            bool ok;
            if (g->type == ANNOT_GEOM_MULTIPOLYGON)
                ok = read_rings(r, json_array_get(coords, i), g, i);
            else
                ok = (p = add_part(r, g)) &&
                     read_sequence(r, json_array_get(coords, i), p, 2, false, i);
            path_pop(r);
            if (!ok)
                return false;
        }
        return true;
    default:
        return fail(r, "internal: unexpected geometry type");
    }
}

static bool read_geometry(struct reader *r, json_t *obj, struct annot_geometry *g, bool nested)
{
    memset(g, 0, sizeof *g);
    g->type = ANNOT_GEOM_NONE;
    if (!json_is_object(obj))
        return fail(r, "a geometry must be an object, found %s", json_type_name(obj));
    json_t *type = json_object_get(obj, "type");
    if (!type)
        return fail(r, "geometry has no \"type\" member");
    if (!json_is_string(type)) {
        path_key(r, "type");
        fail(r, "geometry \"type\" must be a string, found %s", json_type_name(type));
        path_pop(r);
        return false;
    }
    enum annot_geom_type gt;
    if (!geom_type_from_name(json_string_value(type), &gt)) {
        path_key(r, "type");
        fail(r, "unknown geometry type \"%s\" (expected Point, LineString, Polygon, "
                "MultiPoint, MultiLineString, MultiPolygon or GeometryCollection; the names "
                "are case-sensitive)",
             json_string_value(type));
        path_pop(r);
        return false;
    }
    static const char *const forbidden[] = {"geometry", "properties", "features", NULL};
    if (!check_forbidden(r, obj, "geometry", forbidden) || !check_bbox(r, obj))
        return false;
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "bbox") &&
            strcmp(key, gt == ANNOT_GEOM_COLLECTION ? "geometries" : "coordinates")) {
            path_key(r, key);
            if (strcmp(key, "crs") == 0)
                warn(r, "\"crs\" member ignored (RFC 7946 GeoJSON is always WGS84 lon/lat)");
            else
                warn(r, "foreign member \"%s\" of a geometry is not kept", key);
            path_pop(r);
        }
    }
    g->type = gt;
    if (gt == ANNOT_GEOM_COLLECTION) {
        if (nested)
            return fail(r, "nested GeometryCollection is not supported (RFC 7946 section 3.1.8 "
                           "says to avoid it)");
        json_t *geoms = json_object_get(obj, "geometries");
        if (!geoms)
            return fail(r, "GeometryCollection has no \"geometries\" member");
        path_key(r, "geometries");
        bool ok = true;
        if (!json_is_array(geoms))
            ok = fail(r, "\"geometries\" must be an array, found %s", json_type_name(geoms));
        size_t n = ok ? json_array_size(geoms) : 0;
        if (ok && n) {
            g->members = calloc(n, sizeof *g->members);
            if (!g->members) {
                diag_error(r->dg, "%s: out of memory", r->name);
                ok = false;
            }
        }
        if (ok && n == 1)
            warn(r, "GeometryCollection with a single member (RFC 7946 says to use the member "
                    "itself)");
        for (size_t i = 0; ok && i < n; i++) {
            path_index(r, i);
            ok = read_geometry(r, json_array_get(geoms, i), &g->members[i], true);
            g->nmembers = i + 1;
            path_pop(r);
        }
        path_pop(r);
        return ok;
    }
    json_t *coords = json_object_get(obj, "coordinates");
    if (!coords)
        return fail(r, "%s has no \"coordinates\" member", json_string_value(type));
    path_key(r, "coordinates");
    bool ok = read_coordinates(r, coords, g);
    path_pop(r);
    return ok;
}

/* ---- properties ------------------------------------------------------------------- */

static bool is_iso_utc(const char *s)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pattern[i])
            return false;
    return true;
}

static bool is_date_prefix(const char *s)
{
    static const char pattern[] = "dddd-dd-dd";
    if (strlen(s) < sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pattern[i])
            return false;
    return true;
}

/* A string property (null -> ""); other types are an error. */
static bool read_string_prop(struct reader *r, json_t *props, const char *key, char **dst)
{
    json_t *v = json_object_get(props, key);
    if (!v || json_is_null(v))
        return copy_string(r, dst, "");
    if (!json_is_string(v)) {
        path_key(r, key);
        fail(r, "property \"%s\" must be a string, found %s", key, json_type_name(v));
        path_pop(r);
        return false;
    }
    return copy_string(r, dst, json_string_value(v));
}

static bool read_time_prop(struct reader *r, json_t *props, const char *key, char **dst)
{
    json_t *v = json_object_get(props, key);
    *dst = NULL;
    if (!v || json_is_null(v))
        return true;
    path_key(r, key);
    bool ok = true;
    if (!json_is_string(v))
        ok = fail(r, "property \"%s\" must be a time string or null, found %s", key,
                  json_type_name(v));
    else if (!is_iso_utc(json_string_value(v)))
        warn(r, "property \"%s\" is \"%s\", not YYYY-MM-DDTHH:MM:SSZ", key,
             json_string_value(v));
    if (ok)
        ok = copy_string(r, dst, json_string_value(v));
    path_pop(r);
    return ok;
}

static bool read_observations(struct reader *r, json_t *arr, struct annot_feature *f)
{
    if (!arr || json_is_null(arr))
        return true;
    path_key(r, "observations");
    bool ok = true;
    if (!json_is_array(arr))
        ok = fail(r, "\"observations\" must be an array, found %s", json_type_name(arr));
    size_t n = ok ? json_array_size(arr) : 0;
    if (ok && n) {
        f->obs = calloc(n, sizeof *f->obs);
        if (!f->obs) {
            diag_error(r->dg, "%s: out of memory", r->name);
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_array_get(arr, i);
        path_index(r, i);
        f->nobs = i + 1;
        struct annot_observation *obs = &f->obs[i];
        if (!json_is_object(o)) {
            ok = fail(r, "an observation must be an object {image, sha256, acquired}, found %s",
                      json_type_name(o));
        } else {
            ok = read_string_prop(r, o, "image", &obs->image) &&
                 read_string_prop(r, o, "sha256", &obs->sha256) &&
                 read_string_prop(r, o, "acquired", &obs->acquired);
            if (ok && !*obs->image)
                ok = fail(r, "observation without an \"image\"");
            if (ok && *obs->sha256) {
                bool hex = strlen(obs->sha256) == 64;
                for (const char *c = obs->sha256; hex && *c; c++)
                    hex = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f');
                if (!hex) {
                    path_key(r, "sha256");
                    ok = fail(r, "\"sha256\" must be 64 lowercase hexadecimal digits");
                    path_pop(r);
                }
            }
            if (ok && *obs->acquired && !is_date_prefix(obs->acquired)) {
                path_key(r, "acquired");
                warn(r, "\"acquired\" is \"%s\", not YYYY-MM-DD", obs->acquired);
                path_pop(r);
            }
            const char *key;
            json_t *value;
            json_object_foreach(o, key, value)
            {
                if (ok && strcmp(key, "image") && strcmp(key, "sha256") &&
                    strcmp(key, "acquired")) {
                    path_key(r, key);
                    warn(r, "unknown observation member \"%s\" is not kept", key);
                    path_pop(r);
                }
            }
        }
        path_pop(r);
    }
    path_pop(r);
    return ok;
}

static bool read_claim_links(struct reader *r, json_t *arr, struct annot_feature *f)
{
    if (!arr || json_is_null(arr))
        return true;
    path_key(r, "claims");
    bool ok = true;
    if (!json_is_array(arr))
        ok = fail(r, "\"claims\" must be an array, found %s", json_type_name(arr));
    size_t n = ok ? json_array_size(arr) : 0;
    if (ok && n) {
        f->claims = calloc(n, sizeof *f->claims);
        if (!f->claims) {
            diag_error(r->dg, "%s: out of memory", r->name);
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_array_get(arr, i);
        path_index(r, i);
        f->nclaims = i + 1;
        json_t *claim = json_is_object(o) ? json_object_get(o, "claim") : NULL;
        json_t *stance = json_is_object(o) ? json_object_get(o, "stance") : NULL;
        if (!json_is_object(o)) {
            ok = fail(r, "a claim link must be an object {claim, stance}, found %s",
                      json_type_name(o));
        } else if (!json_is_string(claim) || !*json_string_value(claim)) {
            ok = fail(r, "a claim link needs a non-empty \"claim\" id string");
        } else if (!json_is_string(stance) ||
                   !annot_stance_from_name(json_string_value(stance), &f->claims[i].stance)) {
            path_key(r, "stance");
            ok = fail(r, "\"stance\" must be \"supports\", \"contradicts\" or \"context\"");
            path_pop(r);
        } else {
            for (size_t k = 0; ok && k < i; k++)
                if (strcmp(f->claims[k].claim, json_string_value(claim)) == 0)
                    ok = fail(r, "claim \"%s\" is linked twice", json_string_value(claim));
            ok = ok && copy_string(r, &f->claims[i].claim, json_string_value(claim));
        }
        path_pop(r);
    }
    path_pop(r);
    return ok;
}

static bool dump_object(struct reader *r, json_t *obj, char **dst)
{
    *dst = NULL;
    if (json_object_size(obj) == 0)
        return true;
    struct outbuf b = {0};
    bool bad = false;
    out_json_value(&b, obj, &bad);
    if (b.failed) {
        free(b.data);
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    *dst = b.data;
    return true;
}

static bool read_properties(struct reader *r, json_t *props, struct annot_feature *f)
{
    path_key(r, "properties");
    bool ok = true;
    json_t *extra = json_object();
    if (!extra) {
        diag_error(r->dg, "%s: out of memory", r->name);
        ok = false;
    }
    if (ok && props && !json_is_null(props) && !json_is_object(props))
        ok = fail(r, "\"properties\" must be an object or null, found %s",
                  json_type_name(props));
    if (!ok || !props || json_is_null(props)) {
        props = NULL;
    }
    json_t *empty = NULL;
    if (ok && !props) {
        empty = json_object();
        props = empty;
        if (!props) {
            diag_error(r->dg, "%s: out of memory", r->name);
            ok = false;
        }
    }
    if (ok) {
        json_t *cls = json_object_get(props, "class");
        f->cls = ANNOT_CLASS_OTHER;
        if (cls && !json_is_null(cls)) {
            path_key(r, "class");
            if (!json_is_string(cls))
                ok = fail(r, "property \"class\" must be a string, found %s",
                          json_type_name(cls));
            else if (!annot_class_from_name(json_string_value(cls), &f->cls))
                warn(r, "unknown class \"%s\" read as \"other\"", json_string_value(cls));
            path_pop(r);
        }
    }
    if (ok) {
        json_t *label = json_object_get(props, "label");
        json_t *name = json_object_get(props, "name");
        json_t *title = json_object_get(props, "title");
        if ((!label || json_is_null(label)) && json_is_string(name))
            ok = copy_string(r, &f->label, json_string_value(name));
        else if ((!label || json_is_null(label)) && json_is_string(title))
            ok = copy_string(r, &f->label, json_string_value(title));
        else
            ok = read_string_prop(r, props, "label", &f->label);
    }
    ok = ok && read_observations(r, json_object_get(props, "observations"), f) &&
         read_claim_links(r, json_object_get(props, "claims"), f) &&
         read_string_prop(r, props, "note", &f->note) &&
         read_time_prop(r, props, "created", &f->created) &&
         read_time_prop(r, props, "modified", &f->modified) &&
         read_string_prop(r, props, "author", &f->author);
    if (ok) {
        static const char *const known[] = {"class", "label", "observations", "claims", "note",
                                            "created", "modified", "author", NULL};
        const char *key;
        json_t *value;
        json_object_foreach(props, key, value)
        {
            bool is_known = false;
            for (const char *const *k = known; *k && !is_known; k++)
                is_known = strcmp(key, *k) == 0;
            if (!is_known && json_object_set(extra, key, value) != 0) {
                diag_error(r->dg, "%s: out of memory", r->name);
                ok = false;
                break;
            }
        }
    }
    ok = ok && dump_object(r, extra, &f->extra_properties);
    json_decref(extra);
    json_decref(empty);
    path_pop(r);
    return ok;
}

/* ---- features and the document ------------------------------------------------------ */

struct pending {
    struct annot_feature *features;
    size_t count;
    bool *id_given;
};

static void pending_free(struct pending *p)
{
    for (size_t i = 0; i < p->count; i++)
        annot_feature_clear(&p->features[i]);
    free(p->features);
    free(p->id_given);
}

static bool read_id(struct reader *r, json_t *id, struct annot_feature *f, bool *given)
{
    *given = false;
    if (!id || json_is_null(id))
        return true;
    path_key(r, "id");
    bool ok = true;
    char buf[64];
    if (json_is_string(id)) {
        if (!*json_string_value(id))
            ok = fail(r, "feature \"id\" is an empty string");
        else
            ok = copy_string(r, &f->id, json_string_value(id));
    } else if (json_is_integer(id)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        warn(r, "numeric feature id %s is written back as the string \"%s\"", buf, buf);
        ok = copy_string(r, &f->id, buf);
    } else if (json_is_real(id)) {
        snprintf(buf, sizeof buf, "%.17g", json_real_value(id));
        warn(r, "numeric feature id %s is written back as the string \"%s\"", buf, buf);
        ok = copy_string(r, &f->id, buf);
    } else {
        ok = fail(r, "feature \"id\" must be a string or a number, found %s",
                  json_type_name(id));
    }
    path_pop(r);
    *given = ok;
    return ok;
}

static bool read_feature(struct reader *r, json_t *obj, struct annot_feature *f, bool *id_given)
{
    annot_feature_init(f);
    *id_given = false;
    r->feature_id = NULL;
    r->warned_4d = false;
    r->warned_jump = false;
    if (!json_is_object(obj))
        return fail(r, "a feature must be an object, found %s", json_type_name(obj));
    json_t *type = json_object_get(obj, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "Feature") != 0) {
        if (type)
            path_key(r, "type");
        if (!type)
            fail(r, "feature has no \"type\" member");
        else if (!json_is_string(type))
            fail(r, "\"type\" must be a string, found %s", json_type_name(type));
        else
            fail(r, "expected \"type\": \"Feature\" here, found \"%s\"",
                 json_string_value(type));
        if (type)
            path_pop(r);
        return false;
    }
    json_t *id = json_object_get(obj, "id");
    if (json_is_string(id))
        r->feature_id = json_string_value(id);
    static const char *const forbidden[] = {"coordinates", "geometries", "features", NULL};
    if (!check_forbidden(r, obj, "Feature", forbidden) || !check_bbox(r, obj) ||
        !read_id(r, id, f, id_given))
        return false;
    json_t *geom = json_object_get(obj, "geometry");
    if (!json_object_get(obj, "geometry") && !json_object_get(obj, "properties"))
        return fail(r, "a Feature needs \"geometry\" and \"properties\" members (either may "
                       "be null)");
    if (!geom)
        return fail(r, "a Feature needs a \"geometry\" member (an object or null)");
    if (!json_object_get(obj, "properties"))
        return fail(r, "a Feature needs a \"properties\" member (an object or null)");
    if (!json_is_null(geom)) {
        path_key(r, "geometry");
        bool ok = read_geometry(r, geom, &f->geom, false);
        if (ok && annot_geometry_normalize_winding(&f->geom))
            warn(r, "ring winding corrected: exterior rings are written counter-clockwise, "
                    "holes clockwise (RFC 7946 section 3.1.6)");
        path_pop(r);
        if (!ok)
            return false;
    }
    if (!read_properties(r, json_object_get(obj, "properties"), f))
        return false;
    /* Foreign members of the Feature are kept. */
    json_t *extra = json_object();
    if (!extra) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "id") && strcmp(key, "geometry") &&
            strcmp(key, "properties") && strcmp(key, "bbox"))
            json_object_set(extra, key, value);
    }
    bool ok = dump_object(r, extra, &f->extra_members);
    json_decref(extra);
    return ok;
}

static bool pending_add(struct reader *r, struct pending *p, json_t *obj, size_t index)
{
    struct annot_feature *ff = realloc(p->features, (p->count + 1) * sizeof *ff);
    if (ff)
        p->features = ff;
    bool *given = realloc(p->id_given, (p->count + 1) * sizeof *given);
    if (given)
        p->id_given = given;
    if (!ff || !given) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    r->in_feature = true;
    r->feature_index = index;
    bool ok = read_feature(r, obj, &p->features[p->count], &p->id_given[p->count]);
    p->count++; /* also on failure: the partial feature is freed with the rest */
    if (ok)
        r->in_feature = false;
    return ok;
}

static bool read_satmark_member(struct reader *r, json_t *meta, struct annot_set *set)
{
    path_key(r, "satmark");
    bool ok = true;
    if (!json_is_object(meta)) {
        ok = fail(r, "\"satmark\" must be an object {version, site, title}, found %s",
                  json_type_name(meta));
    } else {
        json_t *version = json_object_get(meta, "version");
        json_t *site = json_object_get(meta, "site");
        json_t *title = json_object_get(meta, "title");
        if (version && !json_is_integer(version))
            ok = fail(r, "\"satmark.version\" must be an integer");
        else if (version && json_integer_value(version) > 1)
            ok = fail(r, "format version %" JSON_INTEGER_FORMAT
                         " is newer than this satmark understands (1)",
                      json_integer_value(version));
        else if ((site && !json_is_string(site) && !json_is_null(site)) ||
                 (title && !json_is_string(title) && !json_is_null(title)))
            ok = fail(r, "\"satmark.site\" and \"satmark.title\" must be strings");
        if (ok)
            ok = annot_set_meta(set, json_is_string(site) ? json_string_value(site) : "",
                                json_is_string(title) ? json_string_value(title) : "", r->dg);
        const char *key;
        json_t *value;
        json_object_foreach(meta, key, value)
        {
            if (ok && strcmp(key, "version") && strcmp(key, "site") && strcmp(key, "title")) {
                path_key(r, key);
                warn(r, "unknown member \"satmark.%s\" is not kept", key);
                path_pop(r);
            }
        }
    }
    path_pop(r);
    return ok;
}

static bool read_collection(struct reader *r, json_t *root, struct pending *p,
                            struct annot_set *set)
{
    static const char *const forbidden[] = {"coordinates", "geometries", "geometry",
                                            "properties", NULL};
    if (!check_forbidden(r, root, "FeatureCollection", forbidden) || !check_bbox(r, root))
        return false;
    json_t *features = json_object_get(root, "features");
    if (!features)
        return fail(r, "FeatureCollection has no \"features\" member");
    json_t *meta = json_object_get(root, "satmark");
    if (meta && !read_satmark_member(r, meta, set))
        return false;
    json_t *extra = json_object();
    if (!extra) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    const char *key;
    json_t *value;
    bool ok = true;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "crs") == 0) {
            path_key(r, "crs");
            warn(r, "\"crs\" member dropped (RFC 7946 GeoJSON is always WGS84 lon/lat)");
            path_pop(r);
        } else if (strcmp(key, "type") && strcmp(key, "features") && strcmp(key, "bbox") &&
                   strcmp(key, "satmark")) {
            json_object_set(extra, key, value);
        }
    }
    char *extra_text = NULL;
    ok = dump_object(r, extra, &extra_text) &&
         annot_set_set_extra_members(set, extra_text, r->dg);
    free(extra_text);
    json_decref(extra);
    if (!ok)
        return false;
    path_key(r, "features");
    if (!json_is_array(features)) {
        fail(r, "\"features\" must be an array, found %s", json_type_name(features));
        path_pop(r);
        return false;
    }
    for (size_t i = 0; i < json_array_size(features); i++) {
        path_index(r, i);
        ok = pending_add(r, p, json_array_get(features, i), i);
        path_pop(r);
        if (!ok)
            break;
    }
    path_pop(r);
    return ok;
}

/* Bare geometry at the root: one feature with default properties. */
static bool read_bare_geometry(struct reader *r, json_t *root, struct pending *p)
{
    struct annot_feature *ff = calloc(1, sizeof *ff);
    bool *given = calloc(1, sizeof *given);
    if (!ff || !given) {
        free(ff);
        free(given);
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    p->features = ff;
    p->id_given = given;
    p->count = 1;
    annot_feature_init(ff);
    bool ok = read_geometry(r, root, &ff->geom, false);
    if (ok && annot_geometry_normalize_winding(&ff->geom))
        warn(r, "ring winding corrected: exterior rings are written counter-clockwise, "
                "holes clockwise (RFC 7946 section 3.1.6)");
    return ok && read_properties(r, NULL, ff);
}

struct id_ref {
    const char *id;
    size_t index;
};

static int compare_id_ref(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Rejects duplicate ids (naming the later one) and generates "f-<n>" ids for
 * features without one, avoiding every id present. */
static bool assign_ids(struct reader *r, struct pending *p, bool collection)
{
    struct id_ref *refs = p->count ? malloc(p->count * sizeof *refs) : NULL;
    if (p->count && !refs) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        if (p->features[i].id)
            refs[n++] = (struct id_ref){p->features[i].id, i};
    if (n > 1)
        qsort(refs, n, sizeof *refs, compare_id_ref);
    for (size_t i = 1; i < n; i++)
        if (strcmp(refs[i].id, refs[i - 1].id) == 0) {
            size_t dup = refs[i].index;
            r->path.depth = 0;
            if (collection) {
                path_key(r, "features");
                path_index(r, dup);
            }
            path_key(r, "id");
            r->in_feature = true;
            r->feature_index = dup;
            r->feature_id = refs[i].id;
            fail(r, "duplicate feature id \"%s\" (also used by feature %zu)", refs[i].id,
                 refs[i - 1].index);
            free(refs);
            return false;
        }
    unsigned long next = 1;
    bool ok = true;
    for (size_t i = 0; ok && i < p->count; i++) {
        if (p->features[i].id)
            continue;
        char id[32];
        for (;;) {
            snprintf(id, sizeof id, "f-%lu", next++);
            struct id_ref key = {id, 0};
            /* bsearch by id only: compare_id_ref also orders by index, so search
             * with a comparator on the id alone. */
            bool used = false;
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(refs[mid].id, key.id);
                if (c == 0) {
                    used = true;
                    break;
                }
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (!used)
                break;
        }
        ok = copy_string(r, &p->features[i].id, id);
    }
    size_t generated = 0;
    for (size_t i = 0; i < p->count; i++)
        generated += !p->id_given[i];
    if (ok && generated)
        diag_warn(r->dg, "%s: %zu feature%s without an id got generated ids (f-1, f-2, ...)",
                  r->name, generated, generated == 1 ? "" : "s");
    free(refs);
    return ok;
}

static bool read_document(struct reader *r, struct annot_set **out)
{
    json_error_t jerr;
    json_t *root = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        const char *hint = "";
        if (strstr(jerr.text, "unable to decode byte") || strstr(jerr.text, "invalid UTF-8") ||
            strstr(jerr.text, "Invalid UTF-8"))
            hint = " (the file must be UTF-8 encoded)";
        else if (strstr(jerr.text, "duplicate object key"))
            hint = " (duplicate keys are ambiguous in JSON)";
        else if (strstr(jerr.text, "maximum parsing depth"))
            hint = " (nesting deeper than any GeoJSON needs)";
        if (jerr.line >= 1)
            diag_error(r->dg, "%s:%d:%d: %s%s", r->name, jerr.line,
                       jerr.column >= 1 ? jerr.column : 1, jerr.text, hint);
        else
            diag_error(r->dg, "%s: %s%s", r->name, jerr.text, hint);
        return false;
    }
    struct annot_set *set = annot_set_new();
    struct pending p = {0};
    bool ok = set != NULL;
    if (!ok)
        diag_error(r->dg, "%s: out of memory", r->name);
    bool collection = false;
    json_t *type = json_object_get(root, "type");
    if (ok && !json_is_object(root)) {
        ok = fail(r, "a GeoJSON document must be an object, found %s", json_type_name(root));
    } else if (ok && !type) {
        ok = fail(r, "GeoJSON object has no \"type\" member");
    } else if (ok && !json_is_string(type)) {
        path_key(r, "type");
        ok = fail(r, "\"type\" must be a string, found %s", json_type_name(type));
    } else if (ok) {
        const char *t = json_string_value(type);
        if (strcmp(t, "FeatureCollection") == 0) {
            collection = true;
            ok = read_collection(r, root, &p, set);
        } else if (strcmp(t, "Feature") == 0) {
            struct annot_feature *ff = calloc(1, sizeof *ff);
            bool *given = calloc(1, sizeof *given);
            if (!ff || !given) {
                free(ff);
                free(given);
                diag_error(r->dg, "%s: out of memory", r->name);
                ok = false;
            } else {
                p.features = ff;
                p.id_given = given;
                p.count = 1;
                r->in_feature = true;
                ok = read_feature(r, root, ff, given);
                r->in_feature = false;
            }
        } else {
            enum annot_geom_type gt;
            if (!geom_type_from_name(t, &gt)) {
                path_key(r, "type");
                ok = fail(r, "unknown GeoJSON type \"%s\" (expected FeatureCollection, "
                             "Feature or a geometry type; the names are case-sensitive)",
                          t);
            } else {
                ok = read_bare_geometry(r, root, &p);
            }
        }
    }
    ok = ok && assign_ids(r, &p, collection);
    for (size_t i = 0; ok && i < p.count; i++)
        ok = annot_load_feature(set, &p.features[i], r->dg);
    if (ok && diag_failed(r->dg))
        ok = false;
    pending_free(&p);
    json_decref(root);
    if (!ok) {
        annot_set_free(set);
        return false;
    }
    annot_clear_history(set);
    annot_mark_saved(set);
    *out = set;
    return true;
}

bool gjson_read_buffer(const char *name, const char *data, size_t len,
                       struct annot_set **out, struct diag *dg)
{
    *out = NULL;
    struct reader r = {.name = name, .text = data, .len = len, .dg = dg};
    if (len > GJSON_MAX_FILE_SIZE) {
        diag_error(dg, "%s: file too large (%zu bytes, limit %zu)", name, len,
                   GJSON_MAX_FILE_SIZE);
        return false;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        diag_warn(dg, "%s: UTF-8 byte order mark ignored (RFC 7946 section 11.2)", name);
        r.text += 3;
        r.len -= 3;
    }
    size_t first = skip_ws(r.text, r.len, 0);
    if (first == r.len) {
        diag_error(dg, "%s:1:1: empty file (expected a GeoJSON object)", name);
        return false;
    }
    return read_document(&r, out);
}

bool gjson_read_file(const char *path, struct annot_set **out, struct diag *dg)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        diag_error(dg, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: not a regular file", path);
        fclose(fp);
        return false;
    }
    if ((unsigned long long)st.st_size > GJSON_MAX_FILE_SIZE) {
        diag_error(dg, "%s: file too large (%lld bytes, limit %zu)", path,
                   (long long)st.st_size, GJSON_MAX_FILE_SIZE);
        fclose(fp);
        return false;
    }
    size_t size = (size_t)st.st_size;
    char *data = malloc(size ? size : 1);
    if (!data) {
        diag_error(dg, "%s: out of memory", path);
        fclose(fp);
        return false;
    }
    size_t got = fread(data, 1, size, fp);
    bool read_error = ferror(fp) != 0;
    fclose(fp);
    if (read_error || got != size) {
        diag_error(dg, "%s: read error%s", path, read_error ? "" : " (file changed size)");
        free(data);
        return false;
    }
    bool ok = gjson_read_buffer(path, data, size, out, dg);
    free(data);
    return ok;
}

/* ---- writer ------------------------------------------------------------------------ */

static void out_position(struct outbuf *b, const struct annot_part *p, size_t k)
{
    out_mem(b, "[", 1);
    out_num(b, p->pts[k].lon);
    out_mem(b, ", ", 2);
    out_num(b, p->pts[k].lat);
    if (p->alt) {
        out_mem(b, ", ", 2);
        out_num(b, p->alt[k]);
    }
    out_mem(b, "]", 1);
}

static void out_sequence(struct outbuf *b, const struct annot_part *p)
{
    out_mem(b, "[", 1);
    for (size_t k = 0; k < p->n; k++) {
        if (k)
            out_mem(b, ", ", 2);
        out_position(b, p, k);
    }
    out_mem(b, "]", 1);
}

static void out_geometry(struct outbuf *b, const struct annot_geometry *g, bool *bad)
{
    if (g->type == ANNOT_GEOM_NONE) {
        out_str(b, "null");
        return;
    }
    out_str(b, "{\"type\": \"");
    out_str(b, annot_geom_type_name(g->type));
    if (g->type == ANNOT_GEOM_COLLECTION) {
        out_str(b, "\", \"geometries\": [");
        for (size_t i = 0; i < g->nmembers; i++) {
            if (i)
                out_mem(b, ", ", 2);
            out_geometry(b, &g->members[i], bad);
        }
        out_str(b, "]}");
        return;
    }
    out_str(b, "\", \"coordinates\": ");
    switch (g->type) {
    case ANNOT_GEOM_POINT:
        out_position(b, &g->parts[0], 0);
        break;
    case ANNOT_GEOM_LINESTRING:
        out_sequence(b, &g->parts[0]);
        break;
    case ANNOT_GEOM_MULTIPOINT:
        if (g->nparts)
            out_sequence(b, &g->parts[0]);
        else
            out_str(b, "[]");
        break;
    case ANNOT_GEOM_POLYGON:
    case ANNOT_GEOM_MULTILINESTRING:
        out_mem(b, "[", 1);
        for (size_t i = 0; i < g->nparts; i++) {
            if (i)
                out_mem(b, ", ", 2);
            out_sequence(b, &g->parts[i]);
        }
        out_mem(b, "]", 1);
        break;
    case ANNOT_GEOM_MULTIPOLYGON:
        out_mem(b, "[", 1);
        for (size_t i = 0; i < g->nparts; i++) {
            bool first_of_member = i == 0 || g->parts[i].member != g->parts[i - 1].member;
            if (first_of_member)
                out_str(b, i ? "], [" : "[");
            else
                out_mem(b, ", ", 2);
            out_sequence(b, &g->parts[i]);
        }
        out_str(b, g->nparts ? "]]" : "]");
        break;
    default:
        break;
    }
    out_mem(b, "}", 1);
}

/* Writes the members of a stored JSON object text, one per line, with a
 * leading ",\n" each. */
static void out_extra_members(struct outbuf *b, const char *json, const char *indent, bool *bad)
{
    if (!json)
        return;
    json_error_t err;
    json_t *obj = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(obj)) {
        json_decref(obj);
        b->failed = true;
        return;
    }
    size_t n = json_object_size(obj);
    const char **keys = n ? malloc(n * sizeof *keys) : NULL;
    if (n && !keys) {
        json_decref(obj);
        b->failed = true;
        return;
    }
    size_t k = 0;
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) keys[k++] = key;
    if (n > 1)
        qsort(keys, n, sizeof *keys, compare_cstr);
    for (size_t i = 0; i < n; i++) {
        out_str(b, ",\n");
        out_str(b, indent);
        out_json_string(b, keys[i], bad);
        out_str(b, ": ");
        out_json_value(b, json_object_get(obj, keys[i]), bad);
    }
    free(keys);
    json_decref(obj);
}

static void out_nullable_string(struct outbuf *b, const char *s, bool *bad)
{
    if (s)
        out_json_string(b, s, bad);
    else
        out_str(b, "null");
}

static void out_feature(struct outbuf *b, const struct annot_feature *f, const char *ind,
                        bool *bad)
{
    /* ind: indentation of the feature's braces. */
    char in1[32], in2[32], in3[32];
    snprintf(in1, sizeof in1, "%s  ", ind);
    snprintf(in2, sizeof in2, "%s    ", ind);
    snprintf(in3, sizeof in3, "%s      ", ind);
    out_str(b, "{\n");
    out_str(b, in1);
    out_str(b, "\"type\": \"Feature\",\n");
    out_str(b, in1);
    out_str(b, "\"id\": ");
    out_json_string(b, f->id, bad);
    out_str(b, ",\n");
    out_str(b, in1);
    out_str(b, "\"geometry\": ");
    out_geometry(b, &f->geom, bad);
    out_str(b, ",\n");
    out_str(b, in1);
    out_str(b, "\"properties\": {\n");
    out_str(b, in2);
    out_str(b, "\"class\": ");
    out_json_string(b, annot_class_name(f->cls), bad);
    out_str(b, ",\n");
    out_str(b, in2);
    out_str(b, "\"label\": ");
    out_json_string(b, f->label, bad);
    out_str(b, ",\n");
    out_str(b, in2);
    out_str(b, "\"observations\": [");
    for (size_t i = 0; i < f->nobs; i++) {
        out_str(b, i ? ",\n" : "\n");
        out_str(b, in3);
        out_str(b, "{\"image\": ");
        out_json_string(b, f->obs[i].image, bad);
        out_str(b, ", \"sha256\": ");
        out_json_string(b, f->obs[i].sha256, bad);
        out_str(b, ", \"acquired\": ");
        out_json_string(b, f->obs[i].acquired, bad);
        out_str(b, "}");
    }
    if (f->nobs) {
        out_str(b, "\n");
        out_str(b, in2);
    }
    out_str(b, "],\n");
    out_str(b, in2);
    out_str(b, "\"claims\": [");
    for (size_t i = 0; i < f->nclaims; i++) {
        out_str(b, i ? ",\n" : "\n");
        out_str(b, in3);
        out_str(b, "{\"claim\": ");
        out_json_string(b, f->claims[i].claim, bad);
        out_str(b, ", \"stance\": ");
        out_json_string(b, annot_stance_name(f->claims[i].stance), bad);
        out_str(b, "}");
    }
    if (f->nclaims) {
        out_str(b, "\n");
        out_str(b, in2);
    }
    out_str(b, "],\n");
    out_str(b, in2);
    out_str(b, "\"note\": ");
    out_json_string(b, f->note, bad);
    out_str(b, ",\n");
    out_str(b, in2);
    out_str(b, "\"created\": ");
    out_nullable_string(b, f->created, bad);
    out_str(b, ",\n");
    out_str(b, in2);
    out_str(b, "\"modified\": ");
    out_nullable_string(b, f->modified, bad);
    out_str(b, ",\n");
    out_str(b, in2);
    out_str(b, "\"author\": ");
    out_json_string(b, f->author, bad);
    out_extra_members(b, f->extra_properties, in2, bad);
    out_str(b, "\n");
    out_str(b, in1);
    out_str(b, "}");
    out_extra_members(b, f->extra_members, in1, bad);
    out_str(b, "\n");
    out_str(b, ind);
    out_str(b, "}");
}

static char *finish(struct outbuf *b, bool bad, size_t *len, struct diag *dg)
{
    if (b->failed) {
        if (bad)
            diag_error(dg, "cannot write: a text field is not valid UTF-8");
        else
            diag_error(dg, "out of memory (or output over %zu bytes)", GJSON_MAX_FILE_SIZE);
        free(b->data);
        return NULL;
    }
    if (len)
        *len = b->len;
    return b->data;
}

char *gjson_feature_string(const struct annot_feature *f, struct diag *dg)
{
    struct outbuf b = {0};
    bool bad = false;
    out_feature(&b, f, "", &bad);
    return finish(&b, bad, NULL, dg);
}

char *gjson_write_string(const struct annot_set *set, size_t *len, struct diag *dg)
{
    struct outbuf b = {0};
    bool bad = false;
    out_str(&b, "{\n  \"type\": \"FeatureCollection\",\n  \"satmark\": {\"version\": 1, "
                "\"site\": ");
    out_json_string(&b, annot_set_site(set), &bad);
    out_str(&b, ", \"title\": ");
    out_json_string(&b, annot_set_title(set), &bad);
    out_str(&b, "}");
    out_extra_members(&b, annot_set_extra_members(set), "  ", &bad);
    out_str(&b, ",\n  \"features\": [");
    for (size_t i = 0; i < annot_count(set); i++) {
        out_str(&b, i ? ",\n    " : "\n    ");
        out_feature(&b, annot_get(set, i), "    ", &bad);
    }
    out_str(&b, annot_count(set) ? "\n  ]\n}\n" : "]\n}\n");
    return finish(&b, bad, len, dg);
}

/* ---- atomic save ------------------------------------------------------------------- */

static bool write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Directory part of path ("." when none); new string, free with free(). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

static bool fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || errno == EINVAL; /* some file systems cannot */
    close(fd);
    return ok;
}

/* Creates a unique temporary file "<path><suffix>XXXXXX" holding data, fsync'ed.
 * *tmp_out: new string (free with free()). */
static bool write_temp(const char *path, const char *suffix, const char *data, size_t len,
                       mode_t mode, char **tmp_out, struct diag *dg)
{
    size_t n = strlen(path) + strlen(suffix) + 7;
    char *tmp = malloc(n);
    if (!tmp) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    snprintf(tmp, n, "%s%sXXXXXX", path, suffix);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_error(dg, "%s: cannot create a temporary file next to it: %s", path,
                   strerror(errno));
        free(tmp);
        return false;
    }
    bool ok = fchmod(fd, mode) == 0 && write_all(fd, data, len) && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        diag_error(dg, "%s: cannot write %s: %s", path, tmp, strerror(saved));
        unlink(tmp);
        free(tmp);
        return false;
    }
    *tmp_out = tmp;
    return true;
}

/* FILE~ becomes the current FILE: hard link to a temporary name, then rename
 * over FILE~, so FILE~ is at every moment a whole old version. Where hard
 * links are not supported the content is copied to a temporary file instead. */
static bool keep_backup(const char *path, mode_t mode, struct diag *dg)
{
    size_t n = strlen(path) + 2;
    char *backup = malloc(n);
    if (!backup) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    snprintf(backup, n, "%s~", path);
    char *tmp = NULL;
    bool ok = false;
    size_t tn = strlen(path) + 16;
    tmp = malloc(tn);
    if (!tmp) {
        free(backup);
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    /* mkstemp reserves a unique name; link() needs it absent, so unlink first.
     * A racing process could take the name in between; link then fails with
     * EEXIST and we retry with a new name. */
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, tn, "%s~.lnkXXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            ok = false;
            break;
        }
        close(fd);
        unlink(tmp);
        if (link(path, tmp) == 0) {
            ok = true;
            break;
        }
        if (errno != EEXIST) {
            ok = false;
            break;
        }
    }
    if (!ok) {
        /* No hard links here: copy. */
        free(tmp);
        tmp = NULL;
        FILE *fp = fopen(path, "rb");
        char *data = NULL;
        size_t len = 0;
        if (fp) {
            struct stat st;
            if (fstat(fileno(fp), &st) == 0 && (size_t)st.st_size <= GJSON_MAX_FILE_SIZE) {
                len = (size_t)st.st_size;
                data = malloc(len ? len : 1);
                if (data && fread(data, 1, len, fp) != len) {
                    free(data);
                    data = NULL;
                }
            }
            fclose(fp);
        }
        ok = data && write_temp(path, "~.cpy", data, len, mode, &tmp, dg);
        if (!data)
            diag_error(dg, "%s: cannot read it to keep a backup copy", path);
        free(data);
    }
    if (ok && rename(tmp, backup) != 0) {
        diag_error(dg, "%s: cannot keep the previous version as %s: %s", path, backup,
                   strerror(errno));
        unlink(tmp);
        ok = false;
    }
    free(tmp);
    free(backup);
    return ok;
}

bool gjson_write_file(const char *path, const struct annot_set *set, struct diag *dg)
{
    size_t len;
    char *data = gjson_write_string(set, &len, dg);
    if (!data) {
        if (!diag_failed(dg))
            diag_error(dg, "%s: out of memory", path);
        return false;
    }
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: not a regular file; not overwriting it", path);
        free(data);
        return false;
    }
    mode_t mode = exists ? (st.st_mode & 07777) : 0644;
    char *tmp = NULL;
    bool ok = write_temp(path, ".tmp", data, len, mode, &tmp, dg);
    free(data);
    if (!ok)
        return false;
    if (exists && !keep_backup(path, mode, dg)) {
        unlink(tmp);
        free(tmp);
        return false;
    }
    if (rename(tmp, path) != 0) {
        diag_error(dg, "%s: cannot replace it with %s: %s", path, tmp, strerror(errno));
        unlink(tmp);
        free(tmp);
        return false;
    }
    free(tmp);
    char *dir = dir_of(path);
    if (!dir || !fsync_dir(dir)) {
        diag_error(dg, "%s: saved, but syncing its directory failed: %s", path,
                   dir ? strerror(errno) : "out of memory");
        free(dir);
        return false;
    }
    free(dir);
    return true;
}
