/*
 * pick — see pick.h. Scores: rule 1 gives distance + size handicap, below
 * 2 * tolerance; rule 2 gives 2 * tolerance + 1 + log1p(area), so every
 * near mark ranks before every containing polygon.
 */
#include "pick.h"

#include <math.h>

double pick_score(const struct pick_candidate *c, double tolerance_px)
{
    double d = c->distance_px;
    if (c->kind == PICK_AREA && c->inside && c->extent_px <= PICK_SMALL_PX)
        d = 0;
    if (d <= tolerance_px) {
        /* 0 for points, up to the tolerance for marks as large as the
         * window, so the handicap of a large area outweighs any distance
         * within the tolerance */
        double handicap = 0;
        if (c->kind != PICK_POINT)
            handicap = tolerance_px * fmin(1.0, c->extent_px / 800.0);
        return d + handicap;
    }
    if (c->kind == PICK_AREA && c->inside)
        return 2 * tolerance_px + 1 + log1p(fmax(0, c->area_px2));
    return INFINITY;
}

size_t pick_best(const struct pick_candidate *c, size_t n, double tolerance_px)
{
    size_t best = (size_t)-1;
    double best_score = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double s = pick_score(&c[i], tolerance_px);
        if (s < best_score) {
            best_score = s;
            best = i;
        }
    }
    return best;
}
