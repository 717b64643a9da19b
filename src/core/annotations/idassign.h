/*
 * idassign — the ids of a file's features as both annotation readers (gjson,
 * and gjfast in front of it) settle them: duplicate ids are found, and each
 * feature without an id gets "f-<n>", the smallest n whose id no feature of
 * the file uses. One hash map of the ids, a lookup per candidate: expected
 * O(n) (issue 14).
 *
 * An id a reader took from a feature's "id" property (id_from_properties)
 * gives way: when another feature has the same id of its own, or an earlier
 * feature took the same one from its properties, it is dropped and the
 * feature gets a generated id like one that had none. Only ids of the
 * features' own ("id" members) are duplicates the file must not have.
 *
 * Ownership: the features array is borrowed; ids generated are new strings
 * owned by their feature (freed with annot_feature_clear).
 */
#ifndef SATMARK_IDASSIGN_H
#define SATMARK_IDASSIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "annot.h"
#include "diag.h"
#include "idmap.h"

struct idassign_result {
    bool duplicate;          /* a duplicate id was found (nothing generated) */
    size_t dup_index;        /* the later feature with it ... */
    size_t dup_first_index;  /* ... and the earlier one */
    const char *dup_id;      /* borrowed from features[dup_index] */
    size_t generated;        /* ids generated */
    size_t from_properties;  /* ids taken from "id" properties and kept */
    size_t repeated;         /* ids from "id" properties dropped as repeats */
    size_t tried;            /* candidates tried (the 2x-operations tests count them) */
};

/* Settles the ids of features[0..count). Returns false on a duplicate
 * (res->duplicate set) or when out of memory (res->duplicate false). When
 * index is not NULL and the call succeeds, *index becomes the map of every
 * feature's id to its index (the caller's: annot_adopt_features
 * takes it over, or idmap_free); else it is left empty. */
bool idassign_settle(struct annot_feature *features, size_t count, struct idassign_result *res,
                     struct idmap *index);

/* The warnings of a settled file named `name` (both readers give the same):
 * ids taken from properties, dropped as repeats, and generated. */
void idassign_warn(struct diag *dg, const char *name, const struct idassign_result *res);

#endif
