/*
 * claims_eval — see claims_eval.h. Links are collected in one pass over the
 * sets; each counting check finds its area (the first feature with that id
 * across the sets), asks the mark index (markindex, built once per
 * evaluation, only when a claim has a check) for the marks whose point is in
 * the area's bounding box, and counts per image those of the class whose
 * point is inside the area, on the images of the window.
 *
 * Ownership: everything a report holds is allocated here and freed by
 * claims_report_free, except the claim pointers (the catalog's).
 */
#include "claims_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "markindex.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const evidence_names[] = {"no evidence", "supported", "contested",
                                             "contradicted", "context only"};
static const char *const verdict_names[] = {"consistent", "inconsistent", "undetermined"};

const char *claims_evidence_name(enum claims_evidence e)
{
    return (size_t)e < COUNT_OF(evidence_names) ? evidence_names[e] : "?";
}
const char *claims_verdict_name(enum claims_verdict v)
{
    return (size_t)v < COUNT_OF(verdict_names) ? verdict_names[v] : "?";
}

/* Appends a copy of feature_id to a claim's links of one stance. */
static bool add_link(struct claims_claim_result *r, enum claims_stance stance,
                     const char *feature_id, size_t set_index)
{
    struct claims_mark_ref *grown =
        realloc(r->links[stance], (r->nlinks[stance] + 1) * sizeof *grown);
    if (!grown)
        return false;
    r->links[stance] = grown;
    char *id = strdup(feature_id);
    if (!id)
        return false;
    grown[r->nlinks[stance]++] = (struct claims_mark_ref){.feature_id = id,
                                                          .set_index = set_index};
    return true;
}

static enum claims_stance stance_of(enum annot_stance s)
{
    switch (s) {
    case ANNOT_STANCE_SUPPORTS: return CLAIMS_SUPPORTS;
    case ANNOT_STANCE_CONTRADICTS: return CLAIMS_CONTRADICTS;
    case ANNOT_STANCE_CONTEXT:
    case ANNOT_STANCE_COUNT: break;
    }
    return CLAIMS_CONTEXT;
}

static enum claims_evidence evidence_of(const struct claims_claim_result *r)
{
    bool sup = r->nlinks[CLAIMS_SUPPORTS] > 0, con = r->nlinks[CLAIMS_CONTRADICTS] > 0;
    if (sup && con)
        return CLAIMS_EVIDENCE_CONTESTED;
    if (sup)
        return CLAIMS_EVIDENCE_SUPPORTED;
    if (con)
        return CLAIMS_EVIDENCE_CONTRADICTED;
    if (r->nlinks[CLAIMS_CONTEXT] > 0)
        return CLAIMS_EVIDENCE_CONTEXT_ONLY;
    return CLAIMS_EVIDENCE_NONE;
}

/* The acquisition date of an observation when it is a date or an ISO 8601
 * time starting with one; false otherwise (then it cannot be placed in a
 * window). */
static bool observation_date(const struct annot_observation *o, char out[CLAIMS_DATE_LEN + 1])
{
    if (!o->acquired || strlen(o->acquired) < CLAIMS_DATE_LEN)
        return false;
    memcpy(out, o->acquired, CLAIMS_DATE_LEN);
    out[CLAIMS_DATE_LEN] = '\0';
    if (o->acquired[CLAIMS_DATE_LEN] != '\0' && o->acquired[CLAIMS_DATE_LEN] != 'T')
        return false;
    return claims_is_date(out);
}

static bool in_window(const struct claims_check *c, const char *date)
{
    return strcmp(date, c->date_from) >= 0 && strcmp(date, c->date_to) <= 0;
}

/* Finds or adds the image `name` in the result's list; NULL on out of memory.
 * An image seen again with another date keeps the first and warns. */
static struct claims_image_count *image_slot(struct claims_check_result *res, const char *name,
                                             const char *date, const char *claim_id,
                                             struct diag *dg)
{
    for (size_t i = 0; i < res->nimages; i++) {
        if (strcmp(res->images[i].image, name) == 0) {
            if (strcmp(res->images[i].acquired, date) != 0)
                diag_warn(dg, "claim \"%s\": image %s is recorded as acquired on both %s and %s; "
                              "using %s", claim_id, name, res->images[i].acquired, date,
                          res->images[i].acquired);
            return &res->images[i];
        }
    }
    struct claims_image_count *grown = realloc(res->images, (res->nimages + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    res->images = grown;
    struct claims_image_count *slot = &grown[res->nimages];
    *slot = (struct claims_image_count){.image = strdup(name)};
    if (!slot->image)
        return NULL;
    memcpy(slot->acquired, date, CLAIMS_DATE_LEN + 1);
    res->nimages++;
    return slot;
}

static int compare_images(const void *a, const void *b)
{
    const struct claims_image_count *x = a, *y = b;
    int c = strcmp(x->acquired, y->acquired);
    return c ? c : strcmp(x->image, y->image);
}

static bool set_reason(struct claims_check_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool set_reason(struct claims_check_result *res, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(res->reason);
    res->reason = strdup(buf);
    return res->reason != NULL;
}

/* Finds the area feature across the sets: the first feature with that id;
 * a second one elsewhere is reported. */
static const struct annot_feature *find_area(const struct claims_claim *claim,
                                             const struct annot_set *const *sets, size_t nsets,
                                             struct diag *dg)
{
    const struct annot_feature *found = NULL;
    for (size_t s = 0; s < nsets; s++) {
        const struct annot_feature *f = annot_find(sets[s], claim->check.area);
        if (f && !found)
            found = f;
        else if (f)
            diag_warn(dg, "claim \"%s\": area \"%s\" is defined in more than one annotation "
                          "file; the first one is used", claim->id, claim->check.area);
    }
    return found;
}

/* Registers the images of f's observations inside the window; adds one to
 * each one's count when `count_it` (a feature counts once per image). */
static bool note_observations(struct claims_check_result *res, const struct claims_claim *claim,
                              const struct annot_feature *f, bool count_it, struct diag *dg)
{
    for (size_t o = 0; o < f->nobs; o++) {
        char date[CLAIMS_DATE_LEN + 1];
        if (!f->obs[o].image || !f->obs[o].image[0] || !observation_date(&f->obs[o], date) ||
            !in_window(&claim->check, date))
            continue;
        bool seen = false; /* the same image listed twice on one feature */
        for (size_t p = 0; p < o && !seen; p++)
            seen = f->obs[p].image && strcmp(f->obs[p].image, f->obs[o].image) == 0;
        if (seen)
            continue;
        struct claims_image_count *slot = image_slot(res, f->obs[o].image, date, claim->id, dg);
        if (!slot)
            return false;
        if (count_it)
            slot->count++;
    }
    return true;
}

static bool evaluate_check(const struct claims_claim *claim, const struct annot_set *const *sets,
                           size_t nsets, const struct markindex *marks,
                           struct claims_check_result *res, struct diag *dg)
{
    const struct claims_check *c = &claim->check;
    res->verdict = CLAIMS_VERDICT_UNDETERMINED;
    const struct annot_feature *area = find_area(claim, sets, nsets, dg);
    if (!area)
        return set_reason(res, "the area \"%s\" is not marked in the annotation files", c->area);
    if (area->geom.type != ANNOT_GEOM_POLYGON && area->geom.type != ANNOT_GEOM_MULTIPOLYGON)
        return set_reason(res, "the area \"%s\" is a %s, not a polygon", c->area,
                          annot_geom_type_name(area->geom.type));
    res->area_found = true;
    enum annot_class cls = ANNOT_CLASS_OTHER;
    annot_class_from_name(c->class_name, &cls); /* validated when the catalog was read */

    /* The images of the window that show the area: those the area itself was
     * observed on, and those any counted mark was observed on. */
    if (!note_observations(res, claim, area, false, dg))
        return false;
    /* Only the marks whose point is in the area's bounding box (markindex),
     * in the order of a scan of the sets. */
    struct annot_lonlat lo, hi;
    struct markindex_ref *near = NULL;
    size_t nnear = 0;
    if (annot_geometry_bbox(&area->geom, &lo, &hi) &&
        !markindex_query(marks, lo.lon, lo.lat, hi.lon, hi.lat, &near, &nnear))
        return false;
    for (size_t k = 0; k < nnear; k++) {
        const struct annot_feature *f = annot_get(sets[near[k].set], near[k].index);
        double lon, lat;
        if (f == area || f->cls != cls || !annot_geometry_representative_point(&f->geom, &lon, &lat) ||
            !annot_geometry_contains_point(&area->geom, lon, lat))
            continue;
        if (!note_observations(res, claim, f, true, dg)) {
            free(near);
            return false;
        }
    }
    free(near);
    if (res->nimages == 0)
        return set_reason(res, "no image acquired between %s and %s shows the area \"%s\"",
                          c->date_from, c->date_to, c->area);
    qsort(res->images, res->nimages, sizeof *res->images, compare_images);
    const struct claims_image_count *failing = NULL;
    for (size_t i = 0; i < res->nimages; i++) {
        res->images[i].holds = claims_op_holds(c->op, (double)res->images[i].count, c->value);
        if (!res->images[i].holds && !failing)
            failing = &res->images[i];
    }
    char value[32];
    snprintf(value, sizeof value, "%.15g", c->value);
    if (failing) {
        res->verdict = CLAIMS_VERDICT_INCONSISTENT;
        return set_reason(res, "%zu %s in \"%s\" on %s (%s); the claim needs %s %s",
                          failing->count, c->class_name, c->area, failing->image,
                          failing->acquired, claims_op_name(c->op), value);
    }
    res->verdict = CLAIMS_VERDICT_CONSISTENT;
    if (res->nimages == 1)
        return set_reason(res, "%zu %s in \"%s\" on %s (%s) %s %s", res->images[0].count,
                          c->class_name, c->area, res->images[0].image, res->images[0].acquired,
                          claims_op_name(c->op), value);
    return set_reason(res, "the count is %s %s on all %zu images of %s..%s",
                      claims_op_name(c->op), value, res->nimages, c->date_from, c->date_to);
}

void claims_report_free(struct claims_report *report)
{
    if (!report)
        return;
    for (size_t i = 0; i < report->nclaims; i++) {
        struct claims_claim_result *r = &report->claims[i];
        for (int s = 0; s < CLAIMS_STANCE_COUNT; s++) {
            for (size_t k = 0; k < r->nlinks[s]; k++)
                free(r->links[s][k].feature_id);
            free(r->links[s]);
        }
        for (size_t k = 0; k < r->check.nimages; k++)
            free(r->check.images[k].image);
        free(r->check.images);
        free(r->check.reason);
    }
    free(report->claims);
    free(report);
}

const struct claims_claim_result *claims_report_find(const struct claims_report *report,
                                                     const char *claim_id)
{
    if (!report || !claim_id)
        return NULL;
    for (size_t i = 0; i < report->nclaims; i++)
        if (strcmp(report->claims[i].claim->id, claim_id) == 0)
            return &report->claims[i];
    return NULL;
}

static bool collect_links(const struct claims_catalog *cat, const struct annot_set *const *sets,
                          size_t nsets, struct claims_report *rep, struct diag *dg)
{
    for (size_t s = 0; s < nsets; s++) {
        for (size_t i = 0; i < annot_count(sets[s]); i++) {
            const struct annot_feature *f = annot_get(sets[s], i);
            for (size_t k = 0; k < f->nclaims; k++) {
                const struct claims_claim *claim = claims_find(cat, f->claims[k].claim);
                if (!claim) {
                    diag_warn(dg, "feature \"%s\" links to claim \"%s\", which the catalog %s "
                                  "does not define", f->id, f->claims[k].claim, claims_catalog_path(cat));
                    continue;
                }
                struct claims_claim_result *r = &rep->claims[claim - claims_claim_at(cat, 0)];
                if (!add_link(r, stance_of(f->claims[k].stance), f->id, s))
                    return false;
            }
        }
    }
    return true;
}

bool claims_evaluate(const struct claims_catalog *cat, const struct annot_set *const *sets,
                     size_t nsets, struct claims_report **out, struct diag *dg)
{
    *out = NULL;
    struct claims_report *rep = calloc(1, sizeof *rep);
    if (!rep || (claims_claim_count(cat) && !(rep->claims = calloc(claims_claim_count(cat), sizeof *rep->claims)))) {
        free(rep);
        diag_error(dg, "%s: out of memory evaluating claims", claims_catalog_path(cat));
        return false;
    }
    rep->nclaims = claims_claim_count(cat);
    for (size_t i = 0; i < claims_claim_count(cat); i++)
        rep->claims[i].claim = claims_claim_at(cat, i);
    bool ok = collect_links(cat, sets, nsets, rep, dg);
    struct markindex *marks = NULL;
    for (size_t i = 0; ok && i < claims_claim_count(cat); i++) {
        struct claims_claim_result *r = &rep->claims[i];
        r->evidence = evidence_of(r);
        r->has_check = r->claim->has_check;
        if (r->has_check && !marks)
            ok = (marks = markindex_new(sets, nsets)) != NULL;
        if (ok && r->has_check)
            ok = evaluate_check(r->claim, sets, nsets, marks, &r->check, dg);
    }
    markindex_free(marks);
    if (!ok) {
        claims_report_free(rep);
        diag_error(dg, "%s: out of memory evaluating claims", claims_catalog_path(cat));
        return false;
    }
    *out = rep;
    return true;
}
