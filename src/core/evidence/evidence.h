/*
 * evidence — what the imagery and the reporting say about each claim: one
 * computed evidence status per claim (never stored by hand) with a reason
 * sentence, the observations it rests on, and the claim's source lineage
 * (outlets versus independent origins).
 *
 * Why: satmark's report is read as evidence, so it must not overstate.
 * Synthetic imagery only illustrates; an observation counts only for its
 * image's date; several outlets relaying one report are one origin; a claim
 * imagery cannot show is never supported by a mark; sources that disagree
 * about where or whether something happened leave the claim contested. The
 * precedence of these rules is in docs/claims-checks.md ("Evidence status").
 *
 * Built on claims (catalog, links, counting checks): evidence_evaluate runs
 * claims_evaluate and weighs its links and counts against the imagery the
 * observations rest on. The imagery is passed in as a plain list of
 * evidence_tile (the CLI fills it from the imagery register, imagery.h), so
 * this module reads no files.
 *
 * Invariants: a report borrows the catalog, the annotation sets and the tile
 * list it was computed from; free it before them. Strings in a report are
 * owned by it unless marked borrowed. No terminal code, no globals.
 */
#ifndef SATMARK_EVIDENCE_H
#define SATMARK_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "claims.h"
#include "claims_eval.h"
#include "diag.h"

struct annot_set;
struct imagery_register; /* imagery.h */

enum evidence_status {
    EVIDENCE_SUPPORTED,
    EVIDENCE_CONTRADICTED,
    EVIDENCE_CONTESTED,
    EVIDENCE_NOT_OBSERVABLE,
    EVIDENCE_NO_EVIDENCE,
    EVIDENCE_ILLUSTRATIVE,
    EVIDENCE_STATUS_COUNT
};

/* The result of a counting check once the imagery is weighed. */
enum evidence_check {
    EVIDENCE_CHECK_CONSISTENT,   /* holds on every real, registered image of the window */
    EVIDENCE_CHECK_INCONSISTENT, /* fails on at least one real, registered image */
    EVIDENCE_CHECK_UNDETERMINED, /* no real, registered image of the window shows the area */
    EVIDENCE_CHECK_ILLUSTRATIVE, /* only synthetic images show the area */
    EVIDENCE_CHECK_COUNT
};

/* One registered image, as the imagery register records it. All strings are
 * borrowed from the caller for the report's lifetime; "" when unknown. */
struct evidence_tile {
    const char *file;     /* file name without directory, e.g. "dunai_2023-11-05.tif" */
    const char *sha256;   /* 64 lowercase hex digits */
    const char *acquired; /* "YYYY-MM-DD" or ISO 8601 UTC time; "" unknown */
    const char *provider; /* may be NULL or "" */
    bool synthetic;
};

/* How an observation's image was matched to the register. */
enum evidence_match {
    EVIDENCE_MATCH_SHA256,    /* same SHA-256 */
    EVIDENCE_MATCH_FILE,      /* the observation has no hash; same file name (weaker) */
    EVIDENCE_MATCH_NONE,      /* not registered */
    EVIDENCE_MATCH_CHANGED,   /* a registered file of that name has another SHA-256 */
};

/* An observation of a mark linked to the claim (strings borrowed from the
 * annotation set or the tile list). */
struct evidence_observation {
    const char *feature_id;
    enum claims_stance stance;
    const char *image;  /* observation image name */
    const char *sha256; /* the register's hash when registered, else the observation's */
    char acquired[CLAIMS_DATE_LEN + 1]; /* the date used: the register's, else the
                                           observation's; "" when unknown */
    bool registered;    /* match is SHA256 or FILE */
    enum evidence_match match;
    bool synthetic;     /* registered as synthetic */
    bool in_window;     /* the date lies in the claim's time window */
    bool counts;        /* registered, real and in the window: can support or contradict */
};

struct evidence_claim {
    const struct claims_claim *claim; /* borrowed from the catalog */
    enum evidence_status status;
    char *reason; /* one sentence */
    size_t outlets;             /* distinct outlet names among the claim's sources */
    size_t independent_origins; /* distinct roots of the claim's sources' derived_from */
    /* Observations of linked marks (every stance), in link order. */
    struct evidence_observation *obs;
    size_t nobs;
    /* Marks per stance with at least one counting observation. */
    size_t real_marks[CLAIMS_STANCE_COUNT];
    size_t synthetic_marks;    /* supports/contradicts marks seen in the window only on synthetic */
    size_t unregistered_marks; /* ... only on unregistered (or changed) images */
    size_t outside_marks;      /* ... with no dated observation in the window */
    bool has_check;
    enum evidence_check check;
    char *check_reason; /* NULL when !has_check */
    /* Discrepancies naming this claim (borrowed), catalog order. */
    const struct claims_discrepancy **discrepancies;
    size_t ndiscrepancies;
};

/* One distinct image the marks are observed on (strings borrowed from the
 * annotation sets or the tile list). */
struct evidence_image {
    const char *image;
    const char *sha256; /* the register's when registered, else the observation's ("" unknown) */
    char acquired[CLAIMS_DATE_LEN + 1]; /* the register's date, else the observation's */
    const char *provider; /* the register's, "" when unknown or unregistered */
    bool registered;
    bool synthetic;
    enum evidence_match match;
};

/* What the observations of all marks rest on (distinct images by name). */
struct evidence_imagery {
    size_t tiles;        /* distinct observation images */
    size_t synthetic;    /* registered synthetic */
    size_t real;         /* registered real */
    size_t unregistered; /* not registered, or registered under another SHA-256 */
    struct evidence_image *images; /* tiles entries, in order of first observation */
};

struct evidence_report {
    struct claims_report *base; /* owned: links and per-image counts */
    struct evidence_claim *claims; /* catalog order */
    size_t nclaims;
    struct evidence_imagery imagery;
};

/* Evaluates every claim of cat against the nsets annotation sets, weighing
 * observations against the ntiles registered tiles (tiles may be NULL when
 * ntiles is 0: then every observation is unregistered). Everything passed is
 * borrowed and must outlive the report. On success *out is new (free with
 * evidence_report_free); false only on out of memory (dg names it). */
bool evidence_evaluate(const struct claims_catalog *cat, const struct annot_set *const *sets,
                       size_t nsets, const struct evidence_tile *tiles, size_t ntiles,
                       struct evidence_report **out, struct diag *dg);
void evidence_report_free(struct evidence_report *report);
/* The result for claim id, NULL when absent; borrowed until evidence_report_free. */
const struct evidence_claim *evidence_report_find(const struct evidence_report *report,
                                                  const char *claim_id);

/* The distinct image named `image` in the report's imagery list; NULL when
 * no mark is observed on it. Borrowed until evidence_report_free. */
const struct evidence_image *evidence_report_image(const struct evidence_report *report,
                                                   const char *image);

/* Warns (on dg, naming annot_path and the feature) about every "supports" or
 * "contradicts" link of set to a claim the catalog marks imagery "no": such a
 * link can never decide the claim (it stays not_observable). Links to unknown
 * claims are left to claims_check_links. Returns the number of warnings. */
size_t evidence_warn_unobservable_links(const struct claims_catalog *cat,
                                        const struct annot_set *set, const char *annot_path,
                                        struct diag *dg);

/* ---- the tile list from imagery registers --------------------------------- */

/* The registers an evaluation rests on and the tile list built from them. */
struct evidence_tiles {
    struct imagery_register **registers; /* owned */
    char **register_paths;               /* owned, one per register */
    size_t nregisters;
    struct evidence_tile *tiles; /* strings borrowed from the registers */
    size_t ntiles;
};

/* Reads the imagery register(s) for the npaths annotation files (borrowed):
 * register_path when not NULL, else imagery.json beside each file (each
 * distinct register once; a file without one adds nothing). A register that
 * exists but is invalid is an error (dg names it). On success *out is new
 * (free with evidence_tiles_free), possibly with no tiles. */
bool evidence_tiles_load(const char *const *annot_paths, size_t npaths,
                         const char *register_path, struct evidence_tiles **out,
                         struct diag *dg);
void evidence_tiles_free(struct evidence_tiles *t);
/* The tile list of one open register (reg may be NULL: no tiles). On success
 * *out is a new array (free() it; NULL when there are no tiles) whose strings
 * are borrowed from reg. */
bool evidence_tiles_from_register(const struct imagery_register *reg,
                                  struct evidence_tile **out, size_t *n, struct diag *dg);

/* Independent origins of claim: the distinct sources reached by following
 * derived_from from each of its sources until a source that derives from
 * nothing. */
size_t evidence_independent_origins(const struct claims_catalog *cat,
                                    const struct claims_claim *claim);
/* Distinct outlet names among claim's sources. */
size_t evidence_outlet_count(const struct claims_catalog *cat, const struct claims_claim *claim);
/* The origin sources of claim (borrowed pointers) into out (cap entries);
 * returns their number (may exceed cap; then only cap were written). */
size_t evidence_origins(const struct claims_catalog *cat, const struct claims_claim *claim,
                        const struct claims_source **out, size_t cap);

/* "supported", "contradicted", "contested", "not_observable", "no_evidence",
 * "illustrative"; static strings, as written in JSON. */
const char *evidence_status_name(enum evidence_status s);
/* "consistent", "inconsistent", "undetermined", "illustrative". */
const char *evidence_check_name(enum evidence_check c);
/* "sha256", "file", "none", "changed". */
const char *evidence_match_name(enum evidence_match m);

/* Opening sentence about the imagery ("4 tiles, all synthetic: no claim can be
 * supported by them.") into out (cap bytes). */
void evidence_imagery_sentence(const struct evidence_imagery *im, char *out, size_t cap);

#endif
