/*
 * markindex — the marks of several annotation sets, indexed by the point a
 * counting check counts them at (annot_geometry_representative_point), so that "the
 * marks in this area" costs the marks near the area, not all of them.
 *
 * Built once per claims evaluation in O(marks); immutable; borrows nothing
 * after markindex_new returns (the sets must outlive the refs' use only).
 */
#ifndef SATMARK_MARKINDEX_H
#define SATMARK_MARKINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct annot_set;
struct markindex;

/* Feature `index` of set `set` (the position in the array given to markindex_new). */
struct markindex_ref {
    size_t set, index;
};

/* Indexes every feature with a representative point; NULL on out of memory. */
struct markindex *markindex_new(const struct annot_set *const *sets, size_t nsets);
void markindex_free(struct markindex *mi);

/* The features whose point lies in the lon/lat box, ordered by set then
 * index (the order of a scan), into *refs (new array, caller frees; NULL when
 * none) and *count. False on out of memory. */
bool markindex_query(const struct markindex *mi, double west, double south, double east,
                     double north, struct markindex_ref **refs, size_t *count);

#endif
