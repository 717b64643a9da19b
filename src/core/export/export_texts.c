/*
 * export_texts — the attribute texts of one exported item for the writers
 * of string fields (export_int.h: export_item_texts), made straight from
 * the feature where it allows and through its properties object where it
 * does not, with the same texts, warnings and counts either way (issue 14:
 * a jansson object per feature, then its extra properties parsed again by
 * jansson, was a fifth of a FlatGeobuf export of a million points).
 *
 * The fast path takes a feature without claim links whose extra properties
 * are in the plain form the readers write: keys without escapes, values
 * that are strings without escapes, numbers, true, false or null. Anything
 * else (an array, an object, an escape, a number jansson would refuse) goes
 * through export_item_props, decided before anything is counted or warned.
 * tests/test_export.c compares the two on every spelling.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "gjwrite.h"
#include "jsontext.h"

/* Indices of the fixed attributes in export_fixed_fields. */
enum {
    FIELD_ID, FIELD_CLASS, FIELD_LABEL, FIELD_NOTE, FIELD_OBSERVED, FIELD_OBSERVATIONS,
    FIELD_CLAIMS, FIELD_CLAIM_IDS, FIELD_STANCES, FIELD_CITATIONS, FIELD_CREATED,
    FIELD_MODIFIED, FIELD_AUTHOR, FIELD_SOURCE_FILE, FIELD_IMAGERY,
};

bool export_texts_init(struct export_texts *t, const struct export_merged *m)
{
    memset(t, 0, sizeof *t);
    t->n = EXPORT_NFIXED + m->nextra;
    t->text = calloc(t->n, sizeof *t->text);
    t->at = calloc(t->n, sizeof *t->at);
    dynbuf_init(&t->scratch, EXPORT_MAX_TEXT);
    return t->text && t->at;
}

void export_texts_free(struct export_texts *t)
{
    free(t->text);
    free(t->at);
    dynbuf_free(&t->scratch);
    memset(t, 0, sizeof *t);
}

static void texts_clear(struct export_texts *t)
{
    for (size_t k = 0; k < t->n; k++) {
        t->text[k] = NULL;
        t->at[k] = EXPORT_TEXT_BORROWED;
    }
    dynbuf_reset(&t->scratch);
}

/* Keeps a copy of s (n bytes) in t's scratch as attribute k's text. */
static void texts_keep(struct export_texts *t, size_t k, const char *s, size_t n)
{
    t->at[k] = dynbuf_len(&t->scratch);
    dynbuf_append(&t->scratch, s, n);
    dynbuf_append(&t->scratch, "", 1); /* the text's end */
}

/* Points the kept texts into the scratch (which may have moved while
 * growing). False when the scratch failed (out of memory). */
static bool texts_settle(struct export_texts *t)
{
    if (dynbuf_failed(&t->scratch))
        return false;
    for (size_t k = 0; k < t->n; k++)
        if (t->at[k] != EXPORT_TEXT_BORROWED)
            t->text[k] = dynbuf_str(&t->scratch) + t->at[k];
    return true;
}

/* The attribute index of extra property `key` (n bytes), or t->n when the
 * merge did not note it. */
static size_t extra_index(const struct export_merged *m, const char *key, size_t n)
{
    for (size_t j = 0; j < m->nextra; j++)
        if (strncmp(m->extra_keys[j], key, n) == 0 && m->extra_keys[j][n] == '\0')
            return EXPORT_NFIXED + j;
    return EXPORT_NFIXED + m->nextra;
}

static bool is_fixed_field(const char *key, size_t n)
{
    for (size_t k = 0; k < EXPORT_NFIXED; k++)
        if (strncmp(export_fixed_fields[k], key, n) == 0 && export_fixed_fields[k][n] == '\0')
            return true;
    return false;
}

/* One member of an extra-properties text in the plain form the fast path
 * takes: a key without escapes, and a scalar value whose text is known
 * without jansson. */
struct plain_member {
    const char *key, *value; /* into the text */
    size_t key_n, value_n;
    enum { PLAIN_STRING, PLAIN_INTEGER, PLAIN_REAL, PLAIN_LITERAL, PLAIN_NULL } kind;
    double real; /* PLAIN_REAL's value */
};

/* Reads the member at *at of object text t (len bytes) into mb and moves
 * *at past it and its comma. False when it is not of the plain form. */
static bool plain_member(const char *t, size_t len, size_t *at, struct plain_member *mb)
{
    size_t p = jsontext_skip_ws(t, len, *at);
    if (p >= len || t[p] != '"')
        return false;
    mb->key = t + p + 1;
    const char *close = memchr(mb->key, '"', len - p - 1);
    if (!close || memchr(mb->key, '\\', (size_t)(close - mb->key)))
        return false;
    mb->key_n = (size_t)(close - mb->key);
    p = jsontext_skip_ws(t, len, (size_t)(close - t) + 1);
    if (p >= len || t[p] != ':')
        return false;
    p = jsontext_skip_ws(t, len, p + 1);
    size_t end = jsontext_skip_value(t, len, p);
    if (p >= len || end <= p || end > len)
        return false;
    mb->value = t + p;
    mb->value_n = end - p;
    char c = t[p];
    if (c == '"') {
        mb->value++;
        mb->value_n -= 2;
        if (end - p < 2 || t[end - 1] != '"' || memchr(mb->value, '\\', mb->value_n))
            return false;
        mb->kind = PLAIN_STRING;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        /* jansson: an integer unless there is a fraction or an exponent;
         * digits the reader wrote (no leading zeros, no "-0") and few
         * enough that no json_int_t overflows */
        bool real = memchr(mb->value, '.', mb->value_n) || memchr(mb->value, 'e', mb->value_n) ||
                    memchr(mb->value, 'E', mb->value_n);
        const char *digits = mb->value + (c == '-');
        size_t ndigits = mb->value_n - (size_t)(c == '-');
        if (!real && (ndigits == 0 || ndigits > 18 || (digits[0] == '0' && (ndigits > 1 || c == '-'))))
            return false;
        char text[64]; /* strtod wants the number's end */
        if (real) {
            if (mb->value_n >= sizeof text)
                return false;
            memcpy(text, mb->value, mb->value_n);
            text[mb->value_n] = '\0';
            mb->real = strtod(text, NULL);
            if (!isfinite(mb->real))
                return false; /* jansson refuses it: the slow path warns */
        }
        mb->kind = real ? PLAIN_REAL : PLAIN_INTEGER;
    } else if ((mb->value_n == 4 && memcmp(mb->value, "true", 4) == 0) ||
               (mb->value_n == 5 && memcmp(mb->value, "false", 5) == 0)) {
        mb->kind = PLAIN_LITERAL;
    } else if (mb->value_n == 4 && memcmp(mb->value, "null", 4) == 0) {
        mb->kind = PLAIN_NULL;
    } else {
        return false; /* an array or an object: jansson's compact text */
    }
    p = jsontext_skip_ws(t, len, end);
    if (p < len && t[p] == ',')
        p++;
    else if (p >= len || t[p] != '}')
        return false;
    *at = p;
    return true;
}

/* Whether gjwrite_real would write the real number text s (n bytes) as it
 * is: a plain decimal ("-"? integer digits "." fraction digits, the last
 * not 0) of at most 15 significant digits that %.15g writes without an
 * exponent. Such a decimal reads back to the double nearest it, which
 * %.15g writes as the same digits (DBL_DIG is 15), so the text is kept
 * and gjwrite_real's two conversions are saved. */
static bool real_text_is_shortest(const char *s, size_t n)
{
    size_t i = s[0] == '-', int_start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_digits = i - int_start;
    if (int_digits == 0 || int_digits > 15 || (int_digits > 1 && s[int_start] == '0') ||
        i >= n || s[i] != '.')
        return false;
    size_t frac_start = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i != n || i == frac_start || s[n - 1] == '0')
        return false;
    size_t significant = (s[int_start] == '0' ? 0 : int_digits) + (n - frac_start);
    if (s[int_start] == '0') { /* 0.000ddd: the leading zeros are not significant */
        size_t zeros = 0;
        while (frac_start + zeros < n && s[frac_start + zeros] == '0')
            zeros++;
        if (zeros > 3) /* %g writes 0.0000d as d e-05 */
            return false;
        significant -= zeros;
    }
    return significant <= 15;
}

/* same_id on a plain member. */
static bool plain_same_id(const struct plain_member *mb, const char *id)
{
    return (mb->kind == PLAIN_STRING || mb->kind == PLAIN_INTEGER) &&
           strlen(id) == mb->value_n && memcmp(mb->value, id, mb->value_n) == 0;
}

/* The extra properties of the item's feature into t as add_extras would put
 * them into its properties. False (nothing counted or warned) when the text
 * is not of the plain form. */
static bool plain_extras(struct export_merged *m, const struct export_item *it,
                         struct export_texts *t, struct diag *dg)
{
    const char *s = it->f->extra_properties;
    if (!s)
        return true;
    size_t len = strlen(s), start = jsontext_skip_ws(s, len, 0);
    if (start >= len || s[start] != '{')
        return false;
    start = jsontext_skip_ws(s, len, start + 1);
    /* first pass: the form, and what id_to_source_id decides */
    struct plain_member mb;
    bool id_differs = false, has_source_id = false;
    for (size_t at = start; at < len && s[at] != '}';) {
        if (!plain_member(s, len, &at, &mb))
            return false;
        if (mb.key_n == 2 && memcmp(mb.key, "id", 2) == 0)
            id_differs = !plain_same_id(&mb, it->id);
        has_source_id = has_source_id || (mb.key_n == strlen(EXPORT_SOURCE_ID) &&
                                          memcmp(mb.key, EXPORT_SOURCE_ID, mb.key_n) == 0);
    }
    bool id_apart = id_differs && !has_source_id;
    for (size_t at = start; at < len && s[at] != '}';) {
        plain_member(s, len, &at, &mb);
        const char *name = mb.key;
        size_t name_n = mb.key_n;
        bool is_id = name_n == 2 && memcmp(name, "id", 2) == 0;
        if (is_id && !id_apart && plain_same_id(&mb, it->id))
            continue;
        if (is_id && id_apart) {
            m->ids_apart++;
            name = EXPORT_SOURCE_ID;
            name_n = strlen(EXPORT_SOURCE_ID);
        }
        if (is_fixed_field(name, name_n)) {
            if (m->clashes++ < EXPORT_CLASH_WARNINGS)
                diag_warn(dg, "%s: feature \"%s\": property \"%.*s\" clashes with an export "
                              "attribute; dropped",
                          m->inputs[it->input].path, it->f->id, (int)name_n, name);
            continue;
        }
        size_t k = extra_index(m, name, name_n);
        if (k >= t->n || mb.kind == PLAIN_NULL)
            continue; /* not noted: cannot happen after merge */
        if (mb.kind == PLAIN_REAL && !real_text_is_shortest(mb.value, mb.value_n)) {
            char num[32]; /* as export_value_text writes a real */
            const char *text = gjwrite_real(mb.real, num, sizeof num);
            texts_keep(t, k, text, strlen(text));
        } else {
            texts_keep(t, k, mb.value, mb.value_n);
        }
    }
    return true;
}

/* The fast path of export_item_texts: false when the item needs its
 * properties object (claim links, or extra properties not of the plain
 * form), before anything was counted or warned. */
static bool texts_from_feature(struct export_merged *m, struct export_item *it,
                               struct export_texts *t, struct diag *dg, bool *failed)
{
    const struct annot_feature *f = it->f;
    *failed = false;
    if (f->nclaims || m->texts_from_props)
        return false;
    texts_clear(t);
    const char **x = t->text;
    if (!export_obs_texts(m, f, &x[FIELD_OBSERVED], &x[FIELD_OBSERVATIONS], &x[FIELD_IMAGERY]))
        return false; /* out of memory: the slow path says so */
    /* plain_extras reads the form first, so nothing is counted when it declines */
    if (!plain_extras(m, it, t, dg))
        return false;
    x[FIELD_ID] = it->id;
    x[FIELD_CLASS] = annot_class_name(f->cls);
    x[FIELD_LABEL] = f->label ? f->label : "";
    x[FIELD_NOTE] = f->note ? f->note : "";
    x[FIELD_CLAIMS] = "[]";
    x[FIELD_CLAIM_IDS] = x[FIELD_STANCES] = x[FIELD_CITATIONS] = "";
    x[FIELD_CREATED] = f->created;
    x[FIELD_MODIFIED] = f->modified;
    x[FIELD_AUTHOR] = f->author ? f->author : "";
    x[FIELD_SOURCE_FILE] = m->inputs[it->input].path;
    *failed = !texts_settle(t);
    return true;
}

bool export_item_texts(struct export_merged *m, struct export_item *it, struct export_texts *t,
                       struct diag *dg)
{
    bool failed;
    if (texts_from_feature(m, it, t, dg, &failed)) {
        if (failed)
            diag_error(dg, "%s: feature \"%s\": out of memory", m->inputs[it->input].path,
                       it->f->id);
        return !failed;
    }
    if (!export_item_props(m, it, dg))
        return false;
    texts_clear(t);
    for (size_t k = 0; k < t->n; k++) {
        const char *name = k < EXPORT_NFIXED ? export_fixed_fields[k] : m->extra_keys[k - EXPORT_NFIXED];
        json_t *v = json_object_get(it->props, name);
        if (!v || json_is_null(v))
            continue;
        if (json_is_string(v)) {
            t->text[k] = json_string_value(v); /* borrowed from it->props */
        } else if (v == m->obs_cache.observations && m->obs_cache.observations_text) {
            t->text[k] = m->obs_cache.observations_text;
        } else {
            char *text = export_value_text(v);
            if (text)
                texts_keep(t, k, text, strlen(text));
            else
                dynbuf_fail(&t->scratch);
            free(text);
        }
    }
    if (texts_settle(t))
        return true;
    diag_error(dg, "%s: feature \"%s\": out of memory", m->inputs[it->input].path, it->f->id);
    return false;
}

void export_item_texts_done(struct export_merged *m, struct export_item *it)
{
    if (it->props)
        export_item_props_done(m, it);
}

