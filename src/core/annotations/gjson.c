/*
 * gjson — annotation GeoJSON reading (strict) and RFC 7946 validation. The
 * rules are listed in gjson.h and docs/annotations.md; writing is gjwrite's.
 *
 * Positions in messages: jansson reports line:column for syntax errors but
 * keeps no positions once parsed. For structural errors the reader tracks the
 * JSON path it is validating (features[3].geometry.coordinates[0][2]) and,
 * only when reporting, walks the original text along that path with a small
 * iterative scanner (jsontext.h) to find the line and column. The text is
 * known to be valid JSON at that point (jansson parsed it), so the scanner
 * stays simple.
 *
 * Scale (issue 14): a FeatureCollection is read one feature at a time. The
 * text is split at the top level by the same small scanner (the features
 * array's elements), the rest of the document is parsed with "features": []
 * in place of the array, and each element is parsed alone by jansson and
 * freed once read, so memory holds one feature's JSON tree, not the file's.
 * A path is located inside the current feature's text only, and a feature's
 * line:column is found by advancing one cursor through the file, so the
 * positions of all messages cost O(file size) together. Warnings are capped
 * per kind (GJSON_WARN_PER_KIND shown, then one "... and N more" line per
 * kind), and a warning past a cap is counted without being located. When
 * anything fails in this streaming read (a syntax or a structural error),
 * the file is read again the whole-document way, so errors are exactly those
 * of a whole-document parse (jansson's syntax errors win over structure).
 *
 * Columns are 1-based and count UTF-8 code points, like jansson's.
 * Coordinates are rounded to 7 decimals on reading (to the value the writer
 * will produce), so what is shown and checked is exactly what gets saved.
 */
#include "gjson.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gjwrite.h"
#include "jsontext.h"
#include "hash.h"
#include "rfile.h"

/* A coordinate as the writer will save it: strtod of gjwrite_number's text.
 *
 * Fast path (every ordinary coordinate, |v| < 1000): scaled = v * 1e7 carries
 * an error below 1e-6, so when it is not within 1e-5 of a half the nearest
 * integer r is the exact 7-decimal rounding printf would produce, and r / 1e7
 * (both exact doubles, one correctly rounded division) is the double strtod
 * returns for that decimal text. Values near a half, and large or non-finite
 * ones, take the text route. r == 0 gives +0, as the writer prints "0" for
 * "-0". Formatting per coordinate used to be ~7% of loading a large file. */
static double round7(double v)
{
    if (fabs(v) < 1000.0) {
        double scaled = v * 1e7;
        double r = nearbyint(scaled);
        double off = fabs(scaled - r);
        if (off < 0.5 - 1e-5)
            return r == 0.0 ? 0.0 : r / 1e7;
    }
    char buf[64];
    return strtod(gjwrite_number(v, buf, sizeof buf), NULL);
}

/* ---- reader ----------------------------------------------------------------------- */

/* Warnings of one kind (one format string) shown before the rest are counted. */
#define GJSON_WARN_PER_KIND 20
#define GJSON_WARN_KINDS 32

struct warn_kind {
    const char *fmt; /* identity of the kind; NULL: free slot */
    size_t shown, suppressed;
    char example[96]; /* the first one's message, for the summary line */
};

struct reader {
    const char *name;
    const char *text;
    size_t len;
    struct diag *dg;
    struct jsontext_path path;
    /* The value being read is text[base, base + span), reached by the path's
     * first `origin` steps (0, len, 0 for the whole document). */
    size_t base, span, origin;
    struct jsontext_cursor base_cursor; /* line:column of text[base], valid when base_known */
    bool base_known;
    struct jsontext_cursor cursor;      /* monotonic: the furthest base located so far */
    struct warn_kind kinds[GJSON_WARN_KINDS];
    struct gjson_stats *stats;      /* NULL, or operation counts to add to */
    /* Streaming read: the features array is text[features_start, features_end)
     * and the parsed root has "features": [] in its place. */
    bool streaming;
    size_t features_start, features_end;
    bool in_feature;
    size_t feature_index;
    const char *feature_id; /* borrowed from the JSON tree, may be NULL */
    bool warned_4d;
    bool warned_jump; /* once per feature */
};

static void path_key(struct reader *r, const char *key)
{
    if (r->path.depth < JSONTEXT_MAX_DEPTH)
        r->path.steps[r->path.depth] = (struct jsontext_step){key, 0};
    r->path.depth++;
}

static void path_index(struct reader *r, size_t index)
{
    if (r->path.depth < JSONTEXT_MAX_DEPTH)
        r->path.steps[r->path.depth] = (struct jsontext_step){NULL, index};
    r->path.depth++;
}

static void path_pop(struct reader *r)
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

__attribute__((format(printf, 2, 3))) static bool fail(struct reader *r, const char *fmt, ...)
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
__attribute__((format(printf, 2, 3))) static void warn(struct reader *r, const char *fmt, ...)
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
static void warn_summaries(struct reader *r)
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
        /* [W, S, E, N] or [W, S, Zmin, E, N, Zmax]: W > E crosses the
         * antimeridian (RFC 7946 5.2), but S > N is no box at all. */
        size_t half = json_array_size(bbox) / 2;
        double south = json_number_value(json_array_get(bbox, 1));
        double north = json_number_value(json_array_get(bbox, half + 1));
        if (ok && (south > north || south < -90 || north > 90))
            ok = fail(r, "bbox south %g and north %g are not latitudes with south <= north",
                      south, north);
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

/* Numbers after the altitude of the positions just read into part (`single`:
 * positions is one position, else an array of them): kept in part->extra when
 * every position has the same count, else dropped with a warning. */
static bool keep_extras(struct reader *r, json_t *positions, bool single,
                        struct annot_part *part)
{
    size_t n = single ? 1 : json_array_size(positions), len = 0;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        size_t m = json_array_size(single ? positions : json_array_get(positions, i));
        same = same && (i == 0 || m == len);
        len = m > len ? m : len;
    }
    if (len <= 3)
        return true;
    if (same && part->alt && !r->warned_4d) {
        r->warned_4d = true;
        warn(r, "positions with %zu numbers: the numbers after the altitude are kept and "
                "written back, not used",
             len);
    }
    if (!same || !part->alt) {
        if (!r->warned_4d) {
            r->warned_4d = true;
            warn(r, "positions with %zu numbers and fewer in one coordinate sequence: only "
                    "longitude, latitude and altitude are kept",
                 len);
        }
        return true;
    }
    part->nextra = len - 3;
    part->extra = malloc(n * part->nextra * sizeof *part->extra);
    if (!part->extra) {
        part->nextra = 0;
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *pos = single ? positions : json_array_get(positions, i);
        for (size_t e = 0; e < part->nextra; e++)
            part->extra[i * part->nextra + e] = json_number_value(json_array_get(pos, 3 + e));
    }
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
    if (!keep_extras(r, arr, false, part))
        return false;
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
        return keep_extras(r, coords, true, p);
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

/* The array member key (arr, present): checks its type and allocates *items,
 * *n zeroed elements of elem_size (new; the caller stores it in the feature,
 * which frees it). False with the error recorded. */
static bool open_array(struct reader *r, json_t *arr, const char *key, size_t elem_size,
                       void **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!json_is_array(arr))
        return fail(r, "\"%s\" must be an array, found %s", key, json_type_name(arr));
    *n = json_array_size(arr);
    if (*n && !(*items = calloc(*n, elem_size))) {
        *n = 0;
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    return true;
}

static bool read_observations(struct reader *r, json_t *arr, struct annot_feature *f)
{
    if (!arr || json_is_null(arr))
        return true;
    path_key(r, "observations");
    size_t n = 0;
    void *items = NULL;
    bool ok = open_array(r, arr, "observations", sizeof *f->obs, &items, &n);
    f->obs = items;
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
            if (ok && *obs->sha256 && !hash_is_sha256_hex(obs->sha256)) {
                path_key(r, "sha256");
                ok = fail(r, "\"sha256\" must be 64 lowercase hexadecimal digits");
                path_pop(r);
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
    size_t n = 0;
    void *items = NULL;
    bool ok = open_array(r, arr, "claims", sizeof *f->claims, &items, &n);
    f->claims = items;
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
    *dst = gjwrite_json_value(obj);
    if (!*dst) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    /* The writer's buffer starts at 4 KiB: kept per feature, that was 4 KiB
     * of a million-feature file's memory each. */
    char *fit = realloc(*dst, strlen(*dst) + 1);
    if (fit)
        *dst = fit;
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
                warn(r, "unknown class \"%s\" treated as \"other\" (kept as written in "
                        "the file)",
                     json_string_value(cls));
            /* a spelling other than the canonical name is written back as is */
            if (ok && json_is_string(cls) &&
                strcmp(json_string_value(cls), annot_class_name(f->cls)) != 0)
                ok = copy_string(r, &f->class_text, json_string_value(cls));
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
    size_t count, cap;
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
        else if (diag_has_control(json_string_value(id)))
            ok = fail(r, "feature \"id\" contains control characters");
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

/* Reads obj as feature `index` into a new slot of p; the arrays grow by
 * doubling (one element at a time was quadratic). */
static bool pending_add(struct reader *r, struct pending *p, json_t *obj, size_t index)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        struct annot_feature *ff = realloc(p->features, cap * sizeof *ff);
        if (ff)
            p->features = ff;
        bool *given = realloc(p->id_given, cap * sizeof *given);
        if (given)
            p->id_given = given;
        if (!ff || !given) {
            diag_error(r->dg, "%s: out of memory", r->name);
            return false;
        }
        p->cap = cap;
        if (r->stats)
            r->stats->allocations++;
    }
    r->in_feature = true;
    r->feature_index = index;
    bool ok = read_feature(r, obj, &p->features[p->count], &p->id_given[p->count]);
    p->count++; /* also on failure: the partial feature is freed with the rest */
    if (ok)
        r->in_feature = false;
    return ok;
}

/* "next_ids": {"ship": 3, ...}: per class, the number the next generated id
 * starts from (ids of deleted features are never reused). Unknown classes are
 * ignored with a warning. */
static bool read_next_ids(struct reader *r, json_t *next_ids, struct annot_set *set)
{
    path_key(r, "next_ids");
    bool ok = true;
    if (!json_is_object(next_ids)) {
        ok = fail(r, "\"satmark.next_ids\" must be an object {class: number}, found %s",
                  json_type_name(next_ids));
    } else {
        const char *key;
        json_t *value;
        json_object_foreach(next_ids, key, value)
        {
            enum annot_class cls;
            path_key(r, key);
            if (!json_is_integer(value))
                ok = fail(r, "must be a positive integer, found %s", json_type_name(value));
            else if (json_integer_value(value) < 1)
                ok = fail(r, "must be a positive integer, found %" JSON_INTEGER_FORMAT,
                          json_integer_value(value));
            else if (!annot_class_from_name(key, &cls))
                warn(r, "unknown class \"%s\" in next_ids is ignored", key);
            else
                annot_reserve_id_number(set, cls, (unsigned long long)json_integer_value(value));
            path_pop(r);
            if (!ok)
                break;
        }
    }
    path_pop(r);
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
        /* a number with an integer value (a real when the file holds an
         * integer beyond 64 bits and every integer was read as a double) */
        if (version && (!json_is_number(version) ||
                        json_number_value(version) != floor(json_number_value(version))))
            ok = fail(r, "\"satmark.version\" must be an integer");
        else if (version && json_number_value(version) > 1)
            ok = fail(r, "format version %.0f is newer than this satmark understands (1)",
                      json_number_value(version));
        else if ((site && !json_is_string(site) && !json_is_null(site)) ||
                 (title && !json_is_string(title) && !json_is_null(title)))
            ok = fail(r, "\"satmark.site\" and \"satmark.title\" must be strings");
        if (ok)
            ok = annot_set_meta(set, json_is_string(site) ? json_string_value(site) : "",
                                json_is_string(title) ? json_string_value(title) : "", r->dg);
        json_t *next_ids = json_object_get(meta, "next_ids");
        if (ok && next_ids)
            ok = read_next_ids(r, next_ids, set);
        const char *key;
        json_t *value;
        json_object_foreach(meta, key, value)
        {
            if (ok && strcmp(key, "version") && strcmp(key, "site") && strcmp(key, "title") &&
                strcmp(key, "next_ids")) {
                path_key(r, key);
                warn(r, "unknown member \"satmark.%s\" is not kept", key);
                path_pop(r);
            }
        }
    }
    path_pop(r);
    return ok;
}

/* The elements of the features array, parsed from the text one at a time
 * (see the top of the file). False on any error, also on text a
 * whole-document parse would reject: the caller then reads that way. */
static bool read_features_streaming(struct reader *r, struct pending *p)
{
    const char *t = r->text;
    size_t end = r->features_end;
    size_t pos = jsontext_skip_ws(t, end, r->features_start + 1);
    bool ok = true;
    if (pos < end && t[pos] == ']')
        return true;
    for (size_t i = 0; ok; i++) {
        size_t start = pos;
        pos = jsontext_skip_value(t, end, pos);
        json_error_t jerr;
        json_t *obj = json_loadb(t + start, pos - start,
                                 JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!obj)
            return false;
        path_index(r, i);
        r->base = start;
        r->span = pos - start;
        r->origin = r->path.depth;
        r->base_known = false;
        if (r->stats) {
            r->stats->scanned += pos - start;
            r->stats->features++;
        }
        ok = pending_add(r, p, obj, i);
        json_decref(obj);
        path_pop(r);
        r->base = 0;
        r->span = r->len;
        r->origin = 0;
        r->base_known = false;
        pos = jsontext_skip_ws(t, end, pos);
        if (pos < end && t[pos] == ',')
            pos = jsontext_skip_ws(t, end, pos + 1);
        else if (pos + 1 == end && t[pos] == ']')
            break;
        else
            return false;
    }
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
    if (r->streaming) {
        ok = read_features_streaming(r, p);
        path_pop(r);
        return ok;
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
            if (r->stats)
                r->stats->ids_tried++;
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

/* Reads the document whose parsed root is root (reference taken over). */
static bool read_tree(struct reader *r, json_t *root, struct annot_set **out)
{
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
        ok = annot_adopt_feature(set, &p.features[i], r->dg);
    if (ok && diag_failed(r->dg))
        ok = false;
    if (ok)
        warn_summaries(r);
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


/* The streaming read of a FeatureCollection (top of the file). False when it
 * does not apply or did not succeed; r and dg are then as they were. */
static bool read_streaming(struct reader *r, struct annot_set **out)
{
    size_t fs, fe;
    if (diag_failed(r->dg) || !jsontext_find_array(r->text, r->len, "features", &fs, &fe))
        return false;
    size_t n = fs + 2 + (r->len - fe);
    char *skeleton = malloc(n);
    if (!skeleton)
        return false;
    memcpy(skeleton, r->text, fs);
    memcpy(skeleton + fs, "[]", 2);
    memcpy(skeleton + fs + 2, r->text + fe, r->len - fe);
    json_error_t jerr;
    json_t *root = json_loadb(skeleton, n, JSON_REJECT_DUPLICATES, &jerr);
    free(skeleton);
    json_t *type = json_object_get(root, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "FeatureCollection") != 0) {
        json_decref(root);
        return false;
    }
    struct reader saved = *r;
    size_t mark = diag_warnings_total(r->dg);
    r->streaming = true;
    r->features_start = fs;
    r->features_end = fe;
    if (read_tree(r, root, out))
        return true;
    diag_clear_error(r->dg);
    diag_rollback(r->dg, mark);
    *r = saved;
    return false;
}

static bool read_document(struct reader *r, struct annot_set **out)
{
    if (read_streaming(r, out))
        return true;
    json_error_t jerr;
    json_t *root = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root && strstr(jerr.text, "too big integer")) {
        /* Valid JSON (RFC 8259 sets no limit): jansson keeps integers in 64
         * bits, so such a file is read with every integer as a double. */
        json_error_t again;
        root = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
                          &again);
        if (root)
            diag_warn(r->dg, "%s:%d:%d: an integer beyond 64 bits: integers are read as "
                             "floating-point numbers (digits after the 17th are not kept)",
                      r->name, jerr.line, jerr.column >= 1 ? jerr.column : 1);
    }
    if (!root) {
        diag_limit_quote(jerr.text);
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
    return read_tree(r, root, out);
}

bool gjson_read_buffer(const char *name, const char *data, size_t len,
                       struct annot_set **out, struct diag *dg)
{
    return gjson_read_buffer_stats(name, data, len, out, dg, NULL);
}

bool gjson_read_buffer_stats(const char *name, const char *data, size_t len,
                             struct annot_set **out, struct diag *dg, struct gjson_stats *stats)
{
    *out = NULL;
    struct reader r = {.name = name, .text = data, .len = len, .dg = dg, .stats = stats};
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
    r.span = r.len;
    r.cursor = (struct jsontext_cursor){0, 1, 1};
    size_t first = jsontext_skip_ws(r.text, r.len, 0);
    if (first == r.len) {
        diag_error(dg, "%s:1:1: empty file (expected a GeoJSON object)", name);
        return false;
    }
    return read_document(&r, out);
}

bool gjson_read_file(const char *path, struct annot_set **out, struct diag *dg)
{
    *out = NULL;
    size_t size; /* opened without blocking, the descriptor checked (rfile.h) */
    FILE *fp = rfile_open(path, GJSON_MAX_FILE_SIZE, &size, dg);
    if (!fp)
        return false;
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

