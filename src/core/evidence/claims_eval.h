/*
 * claims_eval — evaluation of a claims catalog (claims.h) against annotation
 * sets: which marks support, contradict or give context to each claim (its
 * links), and for counting claims (those with a `check`) how many marks of a
 * class lie inside an area polygon on each image of a date window, and
 * whether the published number holds (docs/claims-checks.md states the rules
 * precisely). What the imagery behind it is worth is evidence.c's.
 *
 * Invariants: a report borrows the catalog (its claim pointers are the
 * catalog's) and owns everything else (link ids copied, image names, reasons);
 * results are in catalog order, claims[i] for claims_claim_at(cat, i). Marks
 * are counted at annot_geometry_representative_point, inside the area by
 * annot_geometry_contains_point (planar lon/lat, even-odd rule: holes
 * exclude, multipolygon parts add); only the marks whose point falls in the
 * area's bounding box are looked at (markindex), so a check costs
 * O(grid cells of the box + marks near it), not O(marks).
 */
#ifndef SATMARK_CLAIMS_EVAL_H
#define SATMARK_CLAIMS_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "claims.h"
#include "diag.h"

/* ---- evaluation ----------------------------------------------------------- */

/* What the links alone say, whatever imagery they rest on: a tally for
 * evidence.c, NOT a status to show anyone (a "supported" here may rest on
 * synthetic imagery). Reports use evidence_evaluate (evidence.h). */
enum claims_evidence {
    CLAIMS_EVIDENCE_NONE,         /* no mark links to the claim */
    CLAIMS_EVIDENCE_SUPPORTED,    /* supporting marks, none contradicting */
    CLAIMS_EVIDENCE_CONTESTED,    /* both supporting and contradicting marks */
    CLAIMS_EVIDENCE_CONTRADICTED, /* contradicting marks, none supporting */
    CLAIMS_EVIDENCE_CONTEXT_ONLY, /* only context marks */
};

enum claims_verdict {
    CLAIMS_VERDICT_CONSISTENT,
    CLAIMS_VERDICT_INCONSISTENT,
    CLAIMS_VERDICT_UNDETERMINED,
};

/* A mark that links to a claim: its feature id and the index of the
 * annotation set (in the array passed to claims_evaluate) it comes from. */
struct claims_mark_ref {
    char *feature_id;
    size_t set_index;
};

/* The count of marks on one image of a check's window. */
struct claims_image_count {
    char *image;                        /* observation image name */
    char acquired[CLAIMS_DATE_LEN + 1]; /* its acquisition date */
    size_t count;
    bool holds; /* count op value */
};

/* verdict: undetermined when the area is not a marked polygon or no image of
 * the window shows the area; inconsistent when the comparison fails on at
 * least one of those images; consistent when it holds on all of them
 * (docs/claims-checks.md). */
struct claims_check_result {
    enum claims_verdict verdict;
    bool area_found;            /* the area id names a polygon annotation */
    struct claims_image_count *images; /* sorted by acquired, then image name */
    size_t nimages;
    char *reason; /* one sentence explaining the verdict */
};

struct claims_claim_result {
    const struct claims_claim *claim; /* borrowed from the catalog */
    struct claims_mark_ref *links[CLAIMS_STANCE_COUNT];
    size_t nlinks[CLAIMS_STANCE_COUNT];
    enum claims_evidence evidence;
    bool has_check;
    struct claims_check_result check; /* meaningful when has_check */
};

struct claims_report {
    struct claims_claim_result *claims; /* catalog order */
    size_t nclaims;
};

/* Evaluates every claim of cat against the nsets annotation sets (all
 * borrowed; sets may be empty when nsets is 0). Links to unknown claims are
 * reported as warnings here (claims_check_links makes them errors). On success
 * *out is new (free with claims_report_free). The report borrows cat: free
 * it before the catalog. */
bool claims_evaluate(const struct claims_catalog *cat, const struct annot_set *const *sets,
                     size_t nsets, struct claims_report **out, struct diag *dg);
/* Frees the report; accepts NULL. */
void claims_report_free(struct claims_report *report);
/* The result for claim id; NULL when absent. Borrowed until claims_report_free. */
const struct claims_claim_result *claims_report_find(const struct claims_report *report,
                                                     const char *claim_id);

const char *claims_evidence_name(enum claims_evidence e); /* "no evidence", ... */
const char *claims_verdict_name(enum claims_verdict v);   /* "consistent", ... */

#endif
