/*
 * claimsedit — building a claims catalog by hand: create an empty one, add a
 * source (an article file, or a URL with the SHA-256 of an archived copy and
 * when it was archived), add a claim.
 *
 * Why: investigators keep their own catalogs of what was published; an entry
 * added by command must meet exactly the rules `satmark validate` applies, or
 * the catalog would be saved in a state every other command refuses.
 *
 * How: the catalog is edited as a JSON document (members satmark does not
 * know, such as notes, are kept as they are), the new entry is appended, and
 * the whole result is parsed by claims_catalog_parse before anything is
 * written; only a catalog that reads back is saved, atomically (safefile,
 * previous version kept as FILE~). A failed add leaves the file untouched.
 *
 * Invariants: every string passed in is borrowed; NULL or "" means "not
 * given" for optional members. No terminal code.
 */
#ifndef SATMARK_CLAIMSEDIT_H
#define SATMARK_CLAIMSEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct claimsedit_source {
    const char *id;
    const char *outlet;
    const char *headline;  /* default: the article's file name, or the URL */
    const char *author;
    const char *published; /* "YYYY-MM-DD" or NULL (unknown) */
    const char *article;   /* path of the article file (its base name is recorded), or NULL */
    const char *url;       /* with archived_sha256 and archived_at, instead of article */
    const char *archived_sha256;
    const char *archived_at; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    const char *reliability; /* default "reported" */
    const char *const *derived_from;
    size_t nderived_from;
};

struct claimsedit_claim {
    const char *id;
    const char *text;
    const char *quote;
    const char *const *sources;
    size_t nsources;
    const char *time_from; /* "YYYY-MM-DD" or NULL */
    const char *time_to;
    const char *imagery; /* "yes", "partly" or "no" (required) */
    const char *place;
};

/* Creates an empty catalog at path; refuses an existing file. */
bool claimsedit_init(const char *path, struct diag *dg);
/* Appends a source / a claim to the catalog at path and saves it when the
 * result is a valid catalog; otherwise dg says why (naming path and entry)
 * and the file is unchanged. */
bool claimsedit_add_source(const char *path, const struct claimsedit_source *src,
                           struct diag *dg);
bool claimsedit_add_claim(const char *path, const struct claimsedit_claim *claim,
                          struct diag *dg);

#endif
