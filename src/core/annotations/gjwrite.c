/*
 * gjwrite — see gjwrite.h. Output goes into a dynbuf, whose failure (out of
 * memory, over the cap) is sticky and checked once at the end (finish), so the
 * formatting code reads as the format it produces. Strings that are not
 * valid UTF-8 are still written (escaped as found) but make the whole write
 * fail, since a file jansson cannot read back must never replace evidence.
 */
#include "gjwrite.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "gjson.h"
#include "safefile.h"

/* ---- numbers ---------------------------------------------------------------- */

char *gjwrite_number(double value, char *out, size_t cap)
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

/* ---- output (a dynbuf capped at GJSON_MAX_FILE_SIZE) ------------------------------ */

static void out_mem(struct dynbuf *b, const char *s, size_t n) { dynbuf_append(b, s, n); }

static void out_str(struct dynbuf *b, const char *s) { dynbuf_append_str(b, s); }

static void out_num(struct dynbuf *b, double v)
{
    char buf[64];
    out_str(b, gjwrite_number(v, buf, sizeof buf));
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
static void out_json_string(struct dynbuf *b, const char *s, bool *bad_utf8)
{
    if (!s)
        s = "";
    if (!utf8_valid(s)) {
        *bad_utf8 = true;
        dynbuf_fail(b);
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

/* The keys of obj (borrowed from it), sorted or in the object's order: new
 * array, free with free(); NULL for an empty object or on out of memory
 * (then b fails). */
static const char **object_keys(struct dynbuf *b, json_t *obj, bool sort)
{
    size_t n = json_object_size(obj);
    const char **keys = n ? malloc(n * sizeof *keys) : NULL;
    if (!keys) {
        if (n > 0)
            dynbuf_fail(b);
        return NULL;
    }
    size_t k = 0;
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) keys[k++] = key;
    if (sort && n > 1)
        qsort(keys, n, sizeof *keys, compare_cstr);
    return keys;
}

char *gjwrite_real(double value, char *out, size_t cap)
{
    snprintf(out, cap, "%.15g", value);
    if (strtod(out, NULL) != value)
        snprintf(out, cap, "%.17g", value);
    if (!strpbrk(out, ".eEn"))
        strncat(out, ".0", cap - strlen(out) - 1); /* stays a real when read back */
    return out;
}

/* How a JSON value is spelled: the annotation files' way (", " and ": ",
 * object keys sorted) or the exports' (no spaces, keys in the object's
 * order, which is the attribute order). Reals are in shortest round-trip
 * form either way (jansson's own dump gives 0.20799999999999999 for 0.208). */
struct json_style {
    const char *comma, *colon;
    bool sort_keys;
};
static const struct json_style ANNOTATION_JSON = {", ", ": ", true};
static const struct json_style EXPORT_JSON = {",", ":", false};

/* v in style st. Recursion depth is bounded by jansson's parse depth limit
 * (JSON_PARSER_MAX_DEPTH), as every value written here was parsed by it or
 * built by satmark. */
static void out_json_value(struct dynbuf *b, json_t *v, const struct json_style *st,
                           bool *bad_utf8)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        const char **keys = object_keys(b, v, st->sort_keys);
        if (!keys && n)
            return;
        out_mem(b, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                out_str(b, st->comma);
            out_json_string(b, keys[i], bad_utf8);
            out_str(b, st->colon);
            out_json_value(b, json_object_get(v, keys[i]), st, bad_utf8);
        }
        out_mem(b, "}", 1);
        free(keys);
        return;
    }
    case JSON_ARRAY:
        out_mem(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                out_str(b, st->comma);
            out_json_value(b, json_array_get(v, i), st, bad_utf8);
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
    case JSON_REAL:
        out_str(b, gjwrite_real(json_real_value(v), num, sizeof num));
        return;
    case JSON_TRUE: out_str(b, "true"); return;
    case JSON_FALSE: out_str(b, "false"); return;
    case JSON_NULL: out_str(b, "null"); return;
    }
}


char *gjwrite_json_value(json_t *value)
{
    struct dynbuf b;
    dynbuf_init(&b, GJSON_MAX_FILE_SIZE);
    bool bad = false;
    out_json_value(&b, value, &ANNOTATION_JSON, &bad);
    return dynbuf_take(&b, NULL);
}

/* ---- annotation files ------------------------------------------------------------ */

/* How a geometry is spelled: the annotation format (", " and ": ", every
 * number of a position kept, rings as stored) or an export's compact form
 * ("," and ":", lon, lat and altitude only, rings rewound for RFC 7946
 * §3.1.6 whatever the input). One writer serves both. */
struct geom_style {
    const char *sep;   /* between array items and members */
    const char *colon; /* between a key and its value */
    bool extra_dims;   /* write the 4th+ numbers of a position */
    bool rewind;       /* exteriors counter-clockwise, holes clockwise */
};

static const struct geom_style FILE_STYLE = {", ", ": ", true, false};
static const struct geom_style EXPORT_STYLE = {",", ":", false, true};

static void out_position(struct dynbuf *b, const struct annot_part *p, size_t k,
                         const struct geom_style *st)
{
    out_mem(b, "[", 1);
    out_num(b, p->pts[k].lon);
    out_str(b, st->sep);
    out_num(b, p->pts[k].lat);
    if (p->alt) {
        out_str(b, st->sep);
        out_num(b, p->alt[k]);
    }
    for (size_t e = 0; st->extra_dims && p->alt && p->extra && e < p->nextra; e++) {
        out_str(b, st->sep);
        out_num(b, p->extra[k * p->nextra + e]);
    }
    out_mem(b, "]", 1);
}

/* A position list; `reverse` walks it backwards (to rewind a ring). */
static void out_sequence(struct dynbuf *b, const struct annot_part *p, bool reverse,
                         const struct geom_style *st)
{
    out_mem(b, "[", 1);
    for (size_t k = 0; k < p->n; k++) {
        if (k)
            out_str(b, st->sep);
        out_position(b, p, reverse ? p->n - 1 - k : k, st);
    }
    out_mem(b, "]", 1);
}

/* Ring `r` of a polygon whose exterior is part `first`. */
static void out_ring(struct dynbuf *b, const struct annot_geometry *g, size_t r, size_t first,
                     const struct geom_style *st)
{
    bool reverse = false;
    if (st->rewind) {
        double a = annot_ring_signed_area2(&g->parts[r]);
        reverse = r == first ? a < 0 : a > 0;
    }
    out_sequence(b, &g->parts[r], reverse, st);
}

static void out_geometry(struct dynbuf *b, const struct annot_geometry *g,
                         const struct geom_style *st)
{
    if (g->type == ANNOT_GEOM_NONE) {
        out_str(b, "null");
        return;
    }
    out_str(b, "{\"type\"");
    out_str(b, st->colon);
    out_str(b, "\"");
    out_str(b, annot_geom_type_name(g->type));
    out_str(b, "\"");
    out_str(b, st->sep);
    if (g->type == ANNOT_GEOM_COLLECTION) {
        out_str(b, "\"geometries\"");
        out_str(b, st->colon);
        out_str(b, "[");
        for (size_t i = 0; i < g->nmembers; i++) {
            if (i)
                out_str(b, st->sep);
            out_geometry(b, &g->members[i], st);
        }
        out_str(b, "]}");
        return;
    }
    out_str(b, "\"coordinates\"");
    out_str(b, st->colon);
    switch (g->type) {
    case ANNOT_GEOM_POINT:
        out_position(b, &g->parts[0], 0, st);
        break;
    case ANNOT_GEOM_LINESTRING:
        out_sequence(b, &g->parts[0], false, st);
        break;
    case ANNOT_GEOM_MULTIPOINT:
        if (g->nparts)
            out_sequence(b, &g->parts[0], false, st);
        else
            out_str(b, "[]");
        break;
    case ANNOT_GEOM_POLYGON:
    case ANNOT_GEOM_MULTILINESTRING:
        out_mem(b, "[", 1);
        for (size_t i = 0; i < g->nparts; i++) {
            if (i)
                out_str(b, st->sep);
            if (g->type == ANNOT_GEOM_POLYGON)
                out_ring(b, g, i, 0, st);
            else
                out_sequence(b, &g->parts[i], false, st);
        }
        out_mem(b, "]", 1);
        break;
    case ANNOT_GEOM_MULTIPOLYGON:
        out_mem(b, "[", 1);
        for (size_t first = 0; first < g->nparts;) {
            size_t end = annot_geometry_member_end(g, first);
            if (first)
                out_str(b, st->sep);
            out_mem(b, "[", 1);
            for (size_t r = first; r < end; r++) {
                if (r > first)
                    out_str(b, st->sep);
                out_ring(b, g, r, first, st);
            }
            out_mem(b, "]", 1);
            first = end;
        }
        out_mem(b, "]", 1);
        break;
    default:
        break;
    }
    out_mem(b, "}", 1);
}

/* Writes the members of a stored JSON object text, one per line, with a
 * leading ",\n" each. */
static void out_extra_members(struct dynbuf *b, const char *json, const char *indent, bool *bad)
{
    if (!json)
        return;
    json_error_t err;
    json_t *obj = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(obj)) {
        json_decref(obj);
        dynbuf_fail(b);
        return;
    }
    size_t n = json_object_size(obj);
    const char **keys = object_keys(b, obj, true);
    for (size_t i = 0; keys && i < n; i++) {
        out_str(b, ",\n");
        out_str(b, indent);
        out_json_string(b, keys[i], bad);
        out_str(b, ": ");
        out_json_value(b, json_object_get(obj, keys[i]), &ANNOTATION_JSON, bad);
    }
    free(keys);
    json_decref(obj);
}

static void out_nullable_string(struct dynbuf *b, const char *s, bool *bad)
{
    if (s)
        out_json_string(b, s, bad);
    else
        out_str(b, "null");
}

static void out_feature(struct dynbuf *b, const struct annot_feature *f, const char *ind,
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
    out_geometry(b, &f->geom, &FILE_STYLE);
    out_str(b, ",\n");
    out_str(b, in1);
    out_str(b, "\"properties\": {\n");
    out_str(b, in2);
    out_str(b, "\"class\": ");
    out_json_string(b, annot_feature_class_text(f), bad);
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

static char *finish(struct dynbuf *b, bool bad, size_t *len, struct diag *dg)
{
    if (dynbuf_failed(b)) {
        if (bad)
            diag_error(dg, "cannot write: a text field is not valid UTF-8");
        else
            diag_error(dg, "out of memory (or output over %zu bytes)", GJSON_MAX_FILE_SIZE);
        dynbuf_free(b);
        return NULL;
    }
    char *text = dynbuf_take(b, len);
    if (!text)
        diag_error(dg, "out of memory");
    return text;
}

char *gjwrite_feature_string(const struct annot_feature *f, struct diag *dg)
{
    struct dynbuf b;
    dynbuf_init(&b, GJSON_MAX_FILE_SIZE);
    bool bad = false;
    out_feature(&b, f, "", &bad);
    return finish(&b, bad, NULL, dg);
}

char *gjwrite_string(const struct annot_set *set, size_t *len, struct diag *dg)
{
    struct dynbuf b;
    dynbuf_init(&b, GJSON_MAX_FILE_SIZE);
    bool bad = false;
    out_str(&b, "{\n  \"type\": \"FeatureCollection\",\n  \"satmark\": {\"version\": 1, "
                "\"site\": ");
    out_json_string(&b, annot_set_site(set), &bad);
    out_str(&b, ", \"title\": ");
    out_json_string(&b, annot_set_title(set), &bad);
    /* Only the classes whose next id the features do not imply (an id was
     * deleted): keeps files without deletions unchanged. */
    bool any_next = false;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        if (annot_next_id_is_implied(set, (enum annot_class)c))
            continue;
        out_str(&b, any_next ? ", " : ", \"next_ids\": {");
        any_next = true;
        char num[24];
        snprintf(num, sizeof num, "%llu", annot_next_id_number(set, (enum annot_class)c));
        out_json_string(&b, annot_class_name((enum annot_class)c), &bad);
        out_str(&b, ": ");
        out_str(&b, num);
    }
    if (any_next)
        out_str(&b, "}");
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

/* ---- atomic save (protocol in safefile.h) ---------------------------------------- */

bool gjwrite_file(const char *path, const struct annot_set *set, struct diag *dg)
{
    size_t len;
    char *data = gjwrite_string(set, &len, dg);
    if (!data) {
        if (!diag_failed(dg))
            diag_error(dg, "%s: out of memory", path);
        return false;
    }
    const struct safefile_options opt = {.keep_backup = true, .new_file_mode = 0644};
    bool ok = safefile_write(path, data, len, &opt, dg);
    free(data);
    return ok;
}

/* ---- exports (compact GeoJSON for other tools) ------------------------------------ */

/* value as jansson spells it compactly, appended; fails b when it cannot. */
static void out_jansson(struct dynbuf *b, json_t *value, size_t flags)
{
    char *text = value ? json_dumps(value, flags) : NULL;
    if (!text) {
        dynbuf_fail(b);
        return;
    }
    out_str(b, text);
    free(text);
}

void gjwrite_export_begin(struct dynbuf *out, const char *member, json_t *value)
{
    out_str(out, "{\n\"type\": \"FeatureCollection\",\n\"");
    out_str(out, member);
    out_str(out, "\": ");
    out_jansson(out, value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    out_str(out, ",\n\"features\": [\n");
}

void gjwrite_export_feature(struct dynbuf *out, const char *id, const struct annot_geometry *g,
                            json_t *props, bool last)
{
    json_t *id_value = json_string(id);
    out_str(out, "{\"type\":\"Feature\",\"id\":");
    out_jansson(out, id_value, JSON_ENCODE_ANY);
    json_decref(id_value);
    out_str(out, ",\"geometry\":");
    out_geometry(out, g, &EXPORT_STYLE);
    out_str(out, ",\"properties\":");
    bool bad_utf8 = false; /* invalid UTF-8 fails out, as jansson's dump failed */
    if (props)
        out_json_value(out, props, &EXPORT_JSON, &bad_utf8);
    else
        dynbuf_fail(out);
    out_str(out, last ? "}\n" : "},\n");
}

void gjwrite_export_end(struct dynbuf *out) { out_str(out, "]\n}\n"); }

/* A coordinate as the writer will save it: strtod of gjwrite_number's text.
 *
 * Fast path (every ordinary coordinate, |v| < 1000): scaled = v * 1e7 carries
 * an error below 1e-6, so when it is not within 1e-5 of a half the nearest
 * integer r is the exact 7-decimal rounding printf would produce, and r / 1e7
 * (both exact doubles, one correctly rounded division) is the double strtod
 * returns for that decimal text. Values near a half, and large or non-finite
 * ones, take the text route. r == 0 gives +0, as the writer prints "0" for
 * "-0". Formatting per coordinate used to be ~7% of loading a large file. */
double gjwrite_round_coordinate(double v)
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
