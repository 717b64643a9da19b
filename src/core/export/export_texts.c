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

/* What kind of value the text [v, v + n) is (export_value_kind). */
static enum export_value_kind value_kind(const char *v, size_t n)
{
    char c = v[0];
    if (c == '"')
        return n >= 2 && v[n - 1] == '"' && !memchr(v + 1, '\\', n - 2) ? EXPORT_VALUE_STRING
                                                                      : EXPORT_VALUE_OTHER;
    if (c == '-' || (c >= '0' && c <= '9')) {
        /* jansson: an integer unless there is a fraction or an exponent;
         * digits as the readers write them, few enough for json_int_t */
        if (memchr(v, '.', n) || memchr(v, 'e', n) || memchr(v, 'E', n))
            return EXPORT_VALUE_REAL;
        const char *digits = v + (c == '-');
        size_t ndigits = n - (size_t)(c == '-');
        bool canonical = ndigits > 0 && ndigits <= 18 &&
                         !(digits[0] == '0' && (ndigits > 1 || c == '-'));
        return canonical ? EXPORT_VALUE_INTEGER : EXPORT_VALUE_OTHER;
    }
    if ((n == 4 && memcmp(v, "true", 4) == 0) || (n == 5 && memcmp(v, "false", 5) == 0))
        return EXPORT_VALUE_LITERAL;
    if (n == 4 && memcmp(v, "null", 4) == 0)
        return EXPORT_VALUE_NULL;
    return EXPORT_VALUE_OTHER;
}

int export_next_member(const char *t, size_t len, size_t *at, struct export_member *mb)
{
    size_t p = *at;
    if (p == 0) { /* the object's start */
        p = jsontext_skip_ws(t, len, 0);
        if (p >= len || t[p] != '{')
            return -1;
        p = jsontext_skip_ws(t, len, p + 1);
        if (p < len && t[p] == '}') {
            *at = p;
            return 0;
        }
    } else if (p < len && t[p] == '}') {
        return 0;
    } else if (p < len && t[p] == ',') {
        p = jsontext_skip_ws(t, len, p + 1);
    } else {
        return -1;
    }
    if (p >= len || t[p] != '"')
        return -1;
    mb->key = t + p + 1;
    const char *close = memchr(mb->key, '"', len - p - 1);
    if (!close || memchr(mb->key, '\\', (size_t)(close - mb->key)))
        return -1;
    mb->key_n = (size_t)(close - mb->key);
    p = jsontext_skip_ws(t, len, (size_t)(close - t) + 1);
    if (p >= len || t[p] != ':')
        return -1;
    p = jsontext_skip_ws(t, len, p + 1);
    size_t end = jsontext_skip_value(t, len, p);
    if (p >= len || end <= p || end > len)
        return -1;
    mb->kind = value_kind(t + p, end - p);
    bool string = mb->kind == EXPORT_VALUE_STRING;
    mb->value = t + p + string;
    mb->value_n = end - p - 2 * (size_t)string;
    *at = jsontext_skip_ws(t, len, end);
    return *at < len ? 1 : -1;
}

/* The value of a real member, false when jansson would refuse it (an
 * overflow) or its text is longer than any the readers write. */
static bool member_real(const struct export_member *mb, double *out)
{
    char text[64]; /* strtod wants the number's end */
    if (mb->value_n >= sizeof text)
        return false;
    memcpy(text, mb->value, mb->value_n);
    text[mb->value_n] = '\0';
    *out = strtod(text, NULL);
    return isfinite(*out);
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

/* same_id on a member. */
static bool member_same_id(const struct export_member *mb, const char *id)
{
    return (mb->kind == EXPORT_VALUE_STRING || mb->kind == EXPORT_VALUE_INTEGER) &&
           strlen(id) == mb->value_n && memcmp(mb->value, id, mb->value_n) == 0;
}

/* The extra properties of the item's feature into t as add_extras would put
 * them into its properties. False (nothing counted or warned) when the text
 * is not of the plain form: every value a string without escapes, a number
 * jansson reads, true, false or null. */
static bool plain_extras(struct export_merged *m, const struct export_item *it,
                         struct export_texts *t, struct diag *dg)
{
    const char *s = it->f->extra_properties;
    if (!s)
        return true;
    size_t len = strlen(s), at = 0;
    struct export_member mb;
    int r;
    double real = 0;
    /* first pass: the form, and what id_to_source_id decides */
    bool id_differs = false, has_source_id = false;
    while ((r = export_next_member(s, len, &at, &mb)) > 0) {
        if (mb.kind == EXPORT_VALUE_OTHER || (mb.kind == EXPORT_VALUE_REAL && !member_real(&mb, &real)))
            return false;
        if (mb.key_n == 2 && memcmp(mb.key, "id", 2) == 0)
            id_differs = !member_same_id(&mb, it->id);
        has_source_id = has_source_id || (mb.key_n == strlen(EXPORT_SOURCE_ID) &&
                                          memcmp(mb.key, EXPORT_SOURCE_ID, mb.key_n) == 0);
    }
    if (r < 0)
        return false;
    bool id_apart = id_differs && !has_source_id;
    for (at = 0; export_next_member(s, len, &at, &mb) > 0;) {
        const char *name = mb.key;
        size_t name_n = mb.key_n;
        bool is_id = name_n == 2 && memcmp(name, "id", 2) == 0;
        if (is_id && !id_apart && member_same_id(&mb, it->id))
            continue;
        if (is_id && id_apart) {
            m->ids_apart++;
            name = EXPORT_SOURCE_ID;
            name_n = strlen(EXPORT_SOURCE_ID);
        }
        size_t k = export_attribute_index(m, name, name_n);
        if (k < EXPORT_NFIXED) {
            if (m->clashes++ < EXPORT_CLASH_WARNINGS)
                diag_warn(dg, "%s: feature \"%s\": property \"%.*s\" clashes with an export "
                              "attribute; dropped",
                          m->inputs[it->input].path, it->f->id, (int)name_n, name);
            continue;
        }
        if (k >= t->n || mb.kind == EXPORT_VALUE_NULL)
            continue; /* not noted: cannot happen after merge */
        if (mb.kind == EXPORT_VALUE_REAL && !real_text_is_shortest(mb.value, mb.value_n)) {
            char num[32]; /* as export_value_text writes a real */
            member_real(&mb, &real);
            const char *text = gjwrite_real(real, num, sizeof num);
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

