/*
 * markdate — how a mark relates to the image being shown: observed on this
 * image, not tied to any image (undated: a pier, an area), or observed only
 * on other images (other dates). A ship seen in November is not at the pier
 * in March: figures, batch and the viewer draw the three kinds differently
 * (docs/design.md, "A figure shows the marks observed on its image"), and
 * they all ask this module, so the rule exists once.
 *
 * The rule: a mark with no observations is undated. Otherwise it is on this
 * image when one of its observations names the same file content (SHA-256,
 * when both hashes are known; two known and different hashes are two files
 * whatever their names), or else the same file name, or else the same
 * acquisition day (first ten characters of an ISO 8601 date or time).
 *
 * Pure functions over borrowed data; no allocation, no globals.
 */
#ifndef SATMARK_MARKDATE_H
#define SATMARK_MARKDATE_H

#include <stddef.h>

#include "annot.h"

/* The image a mark is compared with. Every field may be NULL or "" when
 * unknown. */
struct markdate_image {
    const char *image;    /* file name without directory */
    const char *sha256;   /* lowercase hex */
    const char *acquired; /* "YYYY-MM-DD..." */
};

enum markdate_relation {
    MARKDATE_THIS_IMAGE,  /* observed on the image shown */
    MARKDATE_UNDATED,     /* no observation: a fact not tied to a date */
    MARKDATE_OTHER_DATES, /* observed, but only on other images */
};

/* How af (borrowed) relates to img (borrowed; NULL = nothing is known of the
 * image, so every observed mark counts as on it). */
enum markdate_relation markdate_classify(const struct annot_feature *af,
                                         const struct markdate_image *img);

/* Writes into out (cap bytes, NUL-terminated, cut short on a character
 * boundary with "…" when too small) the images af (borrowed) was observed on,
 * as their distinct acquisition days in date order, ", "-separated
 * ("2023-11-20, 2024-01-05"); an observation without a day is given by its
 * file name, or as "undated image". Returns how many entries it wrote
 * (0 for a mark with no observations, out = ""). */
size_t markdate_dates(const struct annot_feature *af, char *out, size_t cap);

/* "this_image", "undated", "other_dates" (for JSON and messages). */
const char *markdate_relation_name(enum markdate_relation rel);

#endif
