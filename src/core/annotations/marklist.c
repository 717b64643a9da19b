/*
 * marklist — listing and filtering the marks of a set (see marklist.h). The
 * JSON is built with jansson, so every string is escaped correctly.
 */
#include "marklist.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

bool marklist_matches(const struct annot_feature *f, const struct marklist_filter *flt)
{
    if (!flt)
        return true;
    if (flt->by_class && f->cls != flt->cls)
        return false;
    if (flt->date && *flt->date) {
        size_t n = strlen(flt->date);
        bool seen = false;
        for (size_t i = 0; i < f->nobs && !seen; i++)
            seen = f->obs[i].acquired && strncmp(f->obs[i].acquired, flt->date, n) == 0;
        if (!seen)
            return false;
    }
    if (flt->claim && *flt->claim) {
        bool linked = false;
        for (size_t i = 0; i < f->nclaims && !linked; i++)
            linked = strcmp(f->claims[i].claim, flt->claim) == 0;
        if (!linked)
            return false;
    }
    return true;
}

/* The date of observation i ("" when it has none). */
static const char *obs_date(const struct annot_feature *f, size_t i)
{
    const char *acq = f->obs[i].acquired;
    return acq && strlen(acq) >= MARKLIST_DATE_LEN ? acq : "";
}

size_t marklist_dates(const struct annot_feature *f, char (*out)[MARKLIST_DATE_LEN + 1],
                      size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nobs; i++) {
        const char *acq = obs_date(f, i);
        if (!*acq)
            continue;
        bool seen_before = false; /* observations are few: a quadratic scan is fine */
        for (size_t j = 0; j < i && !seen_before; j++)
            seen_before = strncmp(obs_date(f, j), acq, MARKLIST_DATE_LEN) == 0;
        if (seen_before)
            continue;
        n++;
        /* keep the cap smallest dates: insertion into the sorted out[0..have) */
        size_t have = n - 1 < cap ? n - 1 : cap, at = 0;
        while (at < have && strncmp(out[at], acq, MARKLIST_DATE_LEN) < 0)
            at++;
        if (at == cap)
            continue;
        size_t keep = have < cap ? have : cap - 1;
        memmove(&out[at + 1], &out[at], (keep - at) * sizeof out[0]);
        memcpy(out[at], acq, MARKLIST_DATE_LEN);
        out[at][MARKLIST_DATE_LEN] = '\0';
    }
    return n;
}

char *marklist_json(const struct annot_set *set, const char *name,
                    const struct marklist_filter *flt, struct diag *dg)
{
    json_t *root = json_object();
    json_t *marks = json_array();
    bool ok = root && marks && json_object_set_new(root, "file", json_string(name)) == 0;
    size_t count = 0;
    for (size_t i = 0; ok && i < annot_count(set); i++) {
        const struct annot_feature *f = annot_get(set, i);
        if (!marklist_matches(f, flt))
            continue;
        json_t *m = json_object();
        json_t *dates = json_array();
        json_t *claims = json_array();
        ok = m && dates && claims;
        char (*d)[MARKLIST_DATE_LEN + 1] = f->nobs ? calloc(f->nobs, sizeof *d) : NULL;
        size_t nd = d ? marklist_dates(f, d, f->nobs) : 0;
        ok = ok && (!f->nobs || d);
        for (size_t k = 0; ok && k < nd; k++)
            ok = json_array_append_new(dates, json_string(d[k])) == 0;
        free(d);
        for (size_t k = 0; ok && k < f->nclaims; k++) {
            json_t *c = json_pack("{s:s, s:s}", "claim", f->claims[k].claim, "stance",
                                  annot_stance_name(f->claims[k].stance));
            ok = c && json_array_append_new(claims, c) == 0;
        }
        ok = ok && json_object_set_new(m, "id", json_string(f->id)) == 0 &&
             json_object_set_new(m, "class", json_string(annot_class_name(f->cls))) == 0 &&
             json_object_set_new(m, "label", json_string(f->label ? f->label : "")) == 0;
        if (ok) {
            json_object_set(m, "dates", dates);
            json_object_set(m, "claims", claims);
            ok = json_array_append(marks, m) == 0;
        }
        json_decref(dates);
        json_decref(claims);
        json_decref(m);
        count++;
    }
    ok = ok && json_object_set_new(root, "count", json_integer((json_int_t)count)) == 0 &&
         json_object_set(root, "marks", marks) == 0;
    char *text = ok ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(marks);
    json_decref(root);
    if (!text)
        diag_error(dg, "%s: out of memory listing the marks", name);
    return text;
}
