/*
 * markindex — see markindex.h. Item k of the spatial index is feature
 * k - first[s] of set s, for the s with first[s] <= k < first[s + 1].
 */
#include "markindex.h"

#include <math.h>
#include <stdlib.h>

#include "annot.h"
#include "spindex.h"

struct markindex {
    struct spindex *grid;
    size_t *first; /* nsets + 1 */
    size_t nsets;
};

struct markindex *markindex_new(const struct annot_set *const *sets, size_t nsets)
{
    struct markindex *mi = calloc(1, sizeof *mi);
    if (!mi)
        return NULL;
    mi->nsets = nsets;
    mi->first = malloc((nsets + 1) * sizeof *mi->first);
    if (!mi->first) {
        free(mi);
        return NULL;
    }
    size_t total = 0;
    for (size_t s = 0; s < nsets; s++) {
        mi->first[s] = total;
        total += annot_count(sets[s]);
    }
    mi->first[nsets] = total;
    double *x = malloc((total ? total : 1) * sizeof *x);
    double *y = malloc((total ? total : 1) * sizeof *y);
    if (x && y) {
        for (size_t s = 0; s < nsets; s++)
            for (size_t i = 0; i < annot_count(sets[s]); i++) {
                size_t k = mi->first[s] + i;
                if (!annot_geometry_representative_point(&annot_get(sets[s], i)->geom, &x[k], &y[k]))
                    x[k] = y[k] = NAN; /* left out of the grid */
            }
        mi->grid = spindex_new(x, y, total);
    }
    free(x);
    free(y);
    if (!mi->grid) {
        markindex_free(mi);
        return NULL;
    }
    return mi;
}

void markindex_free(struct markindex *mi)
{
    if (!mi)
        return;
    spindex_free(mi->grid);
    free(mi->first);
    free(mi);
}

bool markindex_query(const struct markindex *mi, double west, double south, double east,
                     double north, struct markindex_ref **refs, size_t *count)
{
    *refs = NULL;
    *count = 0;
    size_t *items, n;
    if (!spindex_query(mi->grid, west, south, east, north, &items, &n))
        return false;
    if (n == 0)
        return true;
    struct markindex_ref *out = malloc(n * sizeof *out);
    if (!out) {
        free(items);
        return false;
    }
    size_t s = 0;
    for (size_t k = 0; k < n; k++) { /* items ascend, so s only moves forward */
        while (items[k] >= mi->first[s + 1])
            s++;
        out[k] = (struct markindex_ref){s, items[k] - mi->first[s]};
    }
    free(items);
    *refs = out;
    *count = n;
    return true;
}
