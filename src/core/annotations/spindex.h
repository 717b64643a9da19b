/*
 * spindex — a static spatial index of points: a uniform grid with about four
 * points per cell, built once in O(n) (a counting sort by cell), queried by
 * rectangle in O(cells touched + points in them).
 *
 * Why: counting checks (claims) ask "which marks lie in this area" once per
 * claim; scanning every mark per claim was O(claims x marks), a million
 * marks times every counting claim. The grid is enough for points in one
 * site; a Debian library (GEOS's STRtree) would index extents too, but the
 * checks only ever index points, and a grid has no per-query allocation.
 *
 * Invariants: immutable after spindex_new; coordinates are plain doubles
 * (lon/lat for claims), the grid covers exactly the points' bounding box.
 * Items are returned as the caller's 0-based item numbers, in ascending
 * order. Not thread-safe to build; safe to query from several threads.
 */
#ifndef SATMARK_SPINDEX_H
#define SATMARK_SPINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct spindex;

/* Indexes the n points (x[i], y[i]) as items 0..n-1 (arrays borrowed for the
 * call only). Non-finite points are left out. New index (free with
 * spindex_free); NULL on out of memory. */
struct spindex *spindex_new(const double *x, const double *y, size_t n);
void spindex_free(struct spindex *ix);

/* The items whose point lies in [minx, maxx] x [miny, maxy], in ascending
 * order, into *items (new array, caller frees; NULL when none) and *count.
 * False on out of memory (then *items is NULL). */
bool spindex_query(const struct spindex *ix, double minx, double miny, double maxx,
                   double maxy, size_t **items, size_t *count);

#endif
