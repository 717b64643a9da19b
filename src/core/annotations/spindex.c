/*
 * spindex — see spindex.h. Layout: cell c holds items order[start[c] ..
 * start[c + 1]), cells row-major over a cols x rows grid; each cell's items
 * are in ascending item order (the counting sort is stable), and a query
 * merges them by sorting its (usually short) result.
 */
#include "spindex.h"

#include <math.h>
#include <stdlib.h>

struct spindex {
    double minx, miny, cell_w, cell_h;
    size_t cols, rows;
    size_t *start; /* cols * rows + 1 */
    size_t *order; /* item numbers grouped by cell */
    double *px, *py; /* the indexed points, by position in order */
};

static size_t clamp_cell(double v, size_t n)
{
    if (!(v > 0))
        return 0;
    if (v >= (double)(n - 1))
        return n - 1;
    return (size_t)v;
}

static size_t cell_of(const struct spindex *ix, double x, double y)
{
    size_t cx = clamp_cell((x - ix->minx) / ix->cell_w, ix->cols);
    size_t cy = clamp_cell((y - ix->miny) / ix->cell_h, ix->rows);
    return cy * ix->cols + cx;
}

struct spindex *spindex_new(const double *x, const double *y, size_t n)
{
    struct spindex *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        finite++;
        minx = fmin(minx, x[i]);
        maxx = fmax(maxx, x[i]);
        miny = fmin(miny, y[i]);
        maxy = fmax(maxy, y[i]);
    }
    /* about 4 points per cell, the grid's aspect following the extent */
    size_t cells = finite / 4 + 1;
    double w = finite ? maxx - minx : 0, h = finite ? maxy - miny : 0;
    if (!(w > 0))
        w = 1e-9;
    if (!(h > 0))
        h = 1e-9;
    double side = sqrt((double)cells * w / h);
    ix->cols = side < 1 ? 1 : side > (double)cells ? cells : (size_t)side;
    ix->rows = cells / ix->cols ? cells / ix->cols : 1;
    ix->minx = finite ? minx : 0;
    ix->miny = finite ? miny : 0;
    ix->cell_w = w / (double)ix->cols;
    ix->cell_h = h / (double)ix->rows;
    size_t ncells = ix->cols * ix->rows;
    ix->start = calloc(ncells + 1, sizeof *ix->start);
    ix->order = malloc((finite ? finite : 1) * sizeof *ix->order);
    ix->px = malloc((finite ? finite : 1) * sizeof *ix->px);
    ix->py = malloc((finite ? finite : 1) * sizeof *ix->py);
    if (!ix->start || !ix->order || !ix->px || !ix->py) {
        spindex_free(ix);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            ix->start[cell_of(ix, x[i], y[i]) + 1]++;
    for (size_t c = 0; c < ncells; c++)
        ix->start[c + 1] += ix->start[c];
    size_t *fill = malloc((ncells ? ncells : 1) * sizeof *fill);
    if (!fill) {
        spindex_free(ix);
        return NULL;
    }
    for (size_t c = 0; c < ncells; c++)
        fill[c] = ix->start[c];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        size_t at = fill[cell_of(ix, x[i], y[i])]++;
        ix->order[at] = i;
        ix->px[at] = x[i];
        ix->py[at] = y[i];
    }
    free(fill);
    return ix;
}

void spindex_free(struct spindex *ix)
{
    if (!ix)
        return;
    free(ix->start);
    free(ix->order);
    free(ix->px);
    free(ix->py);
    free(ix);
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

bool spindex_query(const struct spindex *ix, double minx, double miny, double maxx,
                   double maxy, size_t **items, size_t *count)
{
    *items = NULL;
    *count = 0;
    if (!(minx <= maxx && miny <= maxy))
        return true;
    size_t c0 = clamp_cell((minx - ix->minx) / ix->cell_w, ix->cols);
    size_t c1 = clamp_cell((maxx - ix->minx) / ix->cell_w, ix->cols);
    size_t r0 = clamp_cell((miny - ix->miny) / ix->cell_h, ix->rows);
    size_t r1 = clamp_cell((maxy - ix->miny) / ix->cell_h, ix->rows);
    size_t n = 0, cap = 0;
    size_t *out = NULL;
    for (size_t r = r0; r <= r1; r++) {
        for (size_t c = c0; c <= c1; c++) {
            size_t cell = r * ix->cols + c;
            for (size_t k = ix->start[cell]; k < ix->start[cell + 1]; k++) {
                if (ix->px[k] < minx || ix->px[k] > maxx || ix->py[k] < miny || ix->py[k] > maxy)
                    continue;
                if (n == cap) {
                    size_t grown_cap = cap ? 2 * cap : 64;
                    size_t *grown = realloc(out, grown_cap * sizeof *grown);
                    if (!grown) {
                        free(out);
                        return false;
                    }
                    out = grown;
                    cap = grown_cap;
                }
                out[n++] = ix->order[k];
            }
        }
    }
    if (n > 1)
        qsort(out, n, sizeof *out, compare_size);
    *items = out;
    *count = n;
    return true;
}
