/*
 * idassign — the ids of a file's features as both annotation readers (gjson,
 * and gjfast in front of it) settle them: duplicate ids are found, and each
 * feature without an id gets "f-<n>", the smallest n whose id no feature of
 * the file uses. One sort of the given ids and a binary search per
 * candidate: O(n log n) (issue 14).
 *
 * Ownership: the features array is borrowed; ids generated are new strings
 * owned by their feature (freed with annot_feature_clear).
 */
#ifndef SATMARK_IDASSIGN_H
#define SATMARK_IDASSIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "annot.h"

struct idassign_result {
    bool duplicate;          /* a duplicate id was found (nothing generated) */
    size_t dup_index;        /* the later feature with it ... */
    size_t dup_first_index;  /* ... and the earlier one */
    const char *dup_id;      /* borrowed from features[dup_index] */
    size_t generated;        /* ids generated */
    size_t tried;            /* candidates tried (the 2x-operations tests count them) */
};

/* Settles the ids of features[0..count). Returns false on a duplicate
 * (res->duplicate set) or when out of memory (res->duplicate false). */
bool idassign_settle(struct annot_feature *features, size_t count, struct idassign_result *res);

#endif
