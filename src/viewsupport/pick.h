/*
 * pick — which mark a click means. The viewer measures, for every mark, the
 * screen distance from the click to its geometry, whether the click is
 * inside one of its polygons and how large it is on screen; pick ranks
 * those measurements (pure, no SDL, unit-tested):
 *   1. marks whose geometry is within the tolerance (a few pixels) of the
 *      click, nearest first, with a handicap growing with the mark's size on
 *      screen, so a point or a small mark wins over the edge of a large area
 *      at the same distance, and a large area's edge never beats a point or
 *      line within the tolerance;
 *   2. only when none is that near: the smallest polygon containing the click.
 * A small polygon containing the click counts as distance 0 (rule 1).
 */
#ifndef SATMARK_PICK_H
#define SATMARK_PICK_H

#include <stdbool.h>
#include <stddef.h>

#define PICK_TOLERANCE_PX 12.0
/* A polygon whose screen box diagonal is at most this counts as small. */
#define PICK_SMALL_PX 48.0

enum pick_kind { PICK_POINT, PICK_LINE, PICK_AREA };

struct pick_candidate {
    enum pick_kind kind;
    double distance_px; /* to the nearest vertex (points) or edge; INFINITY when none */
    bool inside;        /* inside one of its polygons (areas) */
    double area_px2;    /* polygons' screen area (areas) */
    double extent_px;   /* diagonal of its screen bounding box */
};

/* Rank of one candidate: lower is better, INFINITY = not picked at all. */
double pick_score(const struct pick_candidate *c, double tolerance_px);
/* Index of the best of n candidates (borrowed), or (size_t)-1 when none is
 * picked. Ties keep the earlier candidate. */
size_t pick_best(const struct pick_candidate *c, size_t n, double tolerance_px);

#endif
