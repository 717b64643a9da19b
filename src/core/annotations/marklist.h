/*
 * marklist — the list of marks of an annotation file as a user browses it:
 * id, class, label, the dates it was observed on and the claims it bears on,
 * with a filter by class, date and claim. Shared by `satmark mark FILE list`
 * and the viewer's mark list panel, so both show and filter the same way.
 *
 * Dates are the first 10 characters ("YYYY-MM-DD") of each observation's
 * `acquired`; observations without a date are left out of the dates.
 * Everything returned is borrowed from the set (until its next change) or
 * owned by the caller where said.
 */
#ifndef SATMARK_MARKLIST_H
#define SATMARK_MARKLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "annot.h"
#include "diag.h"

#define MARKLIST_DATE_LEN 10

struct marklist_filter {
    bool by_class;
    enum annot_class cls;
    const char *date;  /* "YYYY-MM-DD" (or a prefix: "2024-03"); NULL: any */
    const char *claim; /* claim id the mark links to; NULL: any */
};

/* True when f passes every part of the filter that is set (flt may be NULL). */
bool marklist_matches(const struct annot_feature *f, const struct marklist_filter *flt);

/* The distinct observation dates of f, ascending, into out (the cap
 * earliest); returns how many distinct dates there are (may exceed cap). */
size_t marklist_dates(const struct annot_feature *f, char (*out)[MARKLIST_DATE_LEN + 1],
                      size_t cap);

/* The matching marks as JSON text (a new string the caller frees):
 * {"file": name, "count": n, "marks": [{"id", "class", "label", "dates": [..],
 * "claims": [{"claim", "stance"}]}]}. `class` is the canonical class name.
 * NULL with a message on dg on out of memory. name is borrowed. */
char *marklist_json(const struct annot_set *set, const char *name,
                    const struct marklist_filter *flt, struct diag *dg);

#endif
