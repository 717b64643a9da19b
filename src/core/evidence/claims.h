/*
 * claims — the claims catalog (annotations/claims.json: the articles, what
 * they claim, where they disagree): reading, validation, lookups, and the
 * check that the claim links annotations carry resolve.
 *
 * Why: every mark a user draws is evidence for or against a published claim.
 * This module reads and validates the catalog (docs/formats.md is the
 * contract) and resolves the claim links annotations carry. Evaluating the
 * claims against the marks (links by stance, counting checks) is
 * claims_eval's (claims_eval.h); the geometry the checks use is
 * annot_geometry's.
 *
 * Invariants: a loaded catalog is valid (ids unique across sources, claims
 * and discrepancies; every reference resolves; enums and dates checked); it
 * is immutable after claims_catalog_read. Strings are UTF-8, owned by the
 * catalog. Dates are "YYYY-MM-DD" (10 chars + NUL). A check's date window
 * lies inside its claim's time window; sources' derived_from links resolve
 * and form no cycle. No terminal code and no globals here.
 */
#ifndef SATMARK_CLAIMS_H
#define SATMARK_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct annot_set; /* annot.h: one annotation file's feature set */
struct claims_catalog;

#define CLAIMS_DATE_LEN 10 /* "YYYY-MM-DD" */
#define CLAIMS_FORMAT_VERSION 1

enum claims_reliability {
    CLAIMS_RELIABILITY_REPORTED,
    CLAIMS_RELIABILITY_MACHINE_WRITTEN,
    CLAIMS_RELIABILITY_OFFICIAL,
    CLAIMS_RELIABILITY_EXTERNAL,
};

enum claims_imagery { CLAIMS_IMAGERY_YES, CLAIMS_IMAGERY_PARTLY, CLAIMS_IMAGERY_NO };

enum claims_qualifier {
    CLAIMS_QUALIFIER_EXACTLY,
    CLAIMS_QUALIFIER_ABOUT,
    CLAIMS_QUALIFIER_AT_LEAST,
    CLAIMS_QUALIFIER_MORE_THAN,
    CLAIMS_QUALIFIER_AT_MOST,
    CLAIMS_QUALIFIER_FEWER_THAN,
};

enum claims_op { CLAIMS_OP_GT, CLAIMS_OP_GE, CLAIMS_OP_LT, CLAIMS_OP_LE, CLAIMS_OP_EQ };

enum claims_discrepancy_kind {
    CLAIMS_KIND_NAME,
    CLAIMS_KIND_DATE,
    CLAIMS_KIND_PLACE,
    CLAIMS_KIND_QUANTITY,
    CLAIMS_KIND_ATTRIBUTION,
    CLAIMS_KIND_OTHER,
    CLAIMS_KIND_OCCURRENCE, /* whether something happened at all */
};

/* The stance of a mark towards a claim; the index into the per-stance arrays below. */
enum claims_stance {
    CLAIMS_SUPPORTS,
    CLAIMS_CONTRADICTS,
    CLAIMS_CONTEXT,
    CLAIMS_STANCE_COUNT
};

/* Catalog entries. All pointers are owned by the catalog and borrowed by the
 * caller until claims_catalog_free. Optional strings are "" when absent,
 * except `file` (NULL when the JSON says null or omits it). */
struct claims_source {
    char *id;
    char *outlet;
    char *headline;
    char *author;
    char published[CLAIMS_DATE_LEN + 1]; /* "" when the catalog says null */
    char *file;                          /* NULL for external/official sources */
    enum claims_reliability reliability;
    char *reliability_note;
    char **cites;
    size_t ncites;
    /* Ids of the sources this one relays or rewrites (each resolves; the
     * derived_from graph has no cycle). Empty for an origin. */
    char **derived_from;
    size_t nderived_from;
    /* An archived copy of a source read from the web: "" when absent. */
    char *archived_url;
    char *archived_sha256; /* 64 lowercase hex digits of the archived copy */
    char *archived_at;     /* UTC time "YYYY-MM-DDTHH:MM:SSZ" */
};

struct claims_check {
    char *class_name; /* an annotation class (annot.h), e.g. "munitions_pit" */
    char *area;       /* id of the annotation whose polygon bounds the count */
    enum claims_op op;
    double value;
    char date_from[CLAIMS_DATE_LEN + 1]; /* inclusive */
    char date_to[CLAIMS_DATE_LEN + 1];   /* inclusive */
};

struct claims_quantity {
    double value;
    char *unit;
    enum claims_qualifier qualifier;
};

struct claims_claim {
    char *id;
    char *text;
    char *quote;
    char **source_ids; /* each names an entry of the catalog's sources */
    size_t nsources;
    char **attributed_to;
    size_t nattributed;
    char *place;
    char time_from[CLAIMS_DATE_LEN + 1]; /* "" when absent */
    char time_to[CLAIMS_DATE_LEN + 1];   /* "" when absent */
    bool has_quantity;
    struct claims_quantity quantity;
    enum claims_imagery imagery;
    bool has_check;
    struct claims_check check;
};

struct claims_discrepancy {
    char *id;
    char *title;
    enum claims_discrepancy_kind kind;
    char **claim_ids; /* each names an entry of the catalog's claims */
    size_t nclaims;
    char *description;
};

/* Reads and validates the catalog at path (jansson, duplicate keys rejected).
 * Syntax errors read "PATH:LINE:COLUMN: reason"; structural errors name the
 * entry ("PATH: claims[3] \"dunai-pits\": check.op: ..."). On success *out is
 * new (free with claims_catalog_free); on failure *out is NULL. Warnings (e.g.
 * unknown members, which are ignored) go to dg. */
bool claims_catalog_read(const char *path, struct claims_catalog **out, struct diag *dg);
/* Same from a NUL-terminated buffer; `name` is used in messages (borrowed). */
bool claims_catalog_parse(const char *text, const char *name, struct claims_catalog **out,
                          struct diag *dg);
/* Frees cat and everything it owns; accepts NULL. */
void claims_catalog_free(struct claims_catalog *cat);

/* The path or name the catalog was read from; borrowed until claims_catalog_free. */
const char *claims_catalog_path(const struct claims_catalog *cat);
size_t claims_source_count(const struct claims_catalog *cat);
size_t claims_claim_count(const struct claims_catalog *cat);
size_t claims_discrepancy_count(const struct claims_catalog *cat);
/* Entry i (0-based, i < count); borrowed until claims_catalog_free. */
const struct claims_source *claims_source_at(const struct claims_catalog *cat, size_t i);
const struct claims_claim *claims_claim_at(const struct claims_catalog *cat, size_t i);
const struct claims_discrepancy *claims_discrepancy_at(const struct claims_catalog *cat, size_t i);
/* Lookup by id; NULL when absent. Borrowed until claims_catalog_free. */
const struct claims_claim *claims_find(const struct claims_catalog *cat, const char *id);
const struct claims_source *claims_find_source(const struct claims_catalog *cat, const char *id);
const struct claims_discrepancy *claims_find_discrepancy(const struct claims_catalog *cat,
                                                         const char *id);

/* Checks the claim links of every feature of set (read from annot_path, used
 * in messages; both borrowed): a link to a claim id the catalog does not
 * define is an error ("PATH: feature \"pit-3\": links to unknown claim
 * \"x\""); a link to a source or discrepancy id instead of a claim also is.
 * Returns false on the first such link. */
bool claims_check_links(const struct claims_catalog *cat, const struct annot_set *set,
                        const char *annot_path, struct diag *dg);

/* Names of the enums as they appear in the catalog ("more than", ">", ...);
 * static strings. */
const char *claims_reliability_name(enum claims_reliability r);
const char *claims_imagery_name(enum claims_imagery im);
const char *claims_qualifier_name(enum claims_qualifier q);
const char *claims_op_name(enum claims_op op);
const char *claims_kind_name(enum claims_discrepancy_kind k);
const char *claims_stance_name(enum claims_stance s);
/* True for a valid calendar date "YYYY-MM-DD"; false for NULL. */
bool claims_is_date(const char *s);
/* True when `count op value` holds. */
bool claims_op_holds(enum claims_op op, double count, double value);

#endif
