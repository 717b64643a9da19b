/* Unit tests of spindex (the grid of points behind the claims' counting
 * checks) and markindex (the marks of annotation sets on it): every query
 * returns exactly the items a scan finds, in ascending order, for random
 * points and boxes, clustered points, duplicates, non-finite points and
 * empty input. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annot.h"
#include "markindex.h"
#include "spindex.h"

static uint64_t rng = 42;
static double uniform(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void check_queries(const double *x, const double *y, size_t n, int queries)
{
    struct spindex *ix = spindex_new(x, y, n);
    assert_non_null(ix);
    for (int q = 0; q < queries; q++) {
        double a = uniform() * 12 - 1, b = uniform() * 12 - 1, c = uniform() * 12 - 1,
               d = uniform() * 12 - 1;
        double minx = fmin(a, b), maxx = fmax(a, b), miny = fmin(c, d), maxy = fmax(c, d);
        size_t *items, count;
        assert_true(spindex_query(ix, minx, miny, maxx, maxy, &items, &count));
        size_t expect = 0;
        for (size_t i = 0; i < n; i++) {
            if (!(x[i] >= minx && x[i] <= maxx && y[i] >= miny && y[i] <= maxy))
                continue;
            assert_true(expect < count);
            assert_int_equal(items[expect], i);
            expect++;
        }
        assert_int_equal(count, expect);
        free(items);
    }
    spindex_free(ix);
}

static void queries_match_a_scan(void **state)
{
    (void)state;
    enum { N = 5000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < N; i++) {
        x[i] = uniform() * 10;
        y[i] = uniform() * 10;
    }
    check_queries(x, y, N, 300);
    /* clustered: most points in a tiny corner, some far away, duplicates */
    for (size_t i = 0; i < N; i++) {
        x[i] = i % 10 ? 5 + uniform() * 1e-6 : uniform() * 10;
        y[i] = i % 10 ? 5 : uniform() * 10;
    }
    x[7] = NAN;
    y[9] = INFINITY;
    check_queries(x, y, N, 300);
    /* one point, and none */
    check_queries(x, y, 1, 20);
    check_queries(x, y, 0, 5);
    free(x);
    free(y);
}

static void add_point(struct annot_set *set, const char *id, double lon, double lat)
{
    struct annot_lonlat pt = {lon, lat};
    struct annot_part part = {.pts = &pt, .n = 1};
    struct annot_feature f;
    annot_feature_init(&f);
    f.id = (char *)id;
    f.geom.type = ANNOT_GEOM_POINT;
    f.geom.parts = &part;
    f.geom.nparts = 1;
    struct diag *dg = diag_new();
    if (!annot_load_feature(set, &f, dg))
        fail_msg("annot_load_feature: %s", diag_message(dg));
    diag_free(dg);
}

static void marks_of_several_sets_in_scan_order(void **state)
{
    (void)state;
    struct annot_set *a = annot_set_new(), *b = annot_set_new();
    add_point(a, "a0", 130.0, 42.0);
    add_point(a, "a1", 131.0, 42.0); /* outside the box below */
    add_point(a, "a2", 130.5, 42.5);
    add_point(b, "b0", 130.1, 42.1);
    add_point(b, "b1", 130.9, 42.9);
    const struct annot_set *sets[2] = {a, b};
    struct markindex *mi = markindex_new(sets, 2);
    assert_non_null(mi);
    struct markindex_ref *refs;
    size_t n;
    assert_true(markindex_query(mi, 129.9, 41.9, 130.95, 43.0, &refs, &n));
    assert_int_equal(n, 4);
    const size_t expect[4][2] = {{0, 0}, {0, 2}, {1, 0}, {1, 1}};
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(refs[k].set, expect[k][0]);
        assert_int_equal(refs[k].index, expect[k][1]);
    }
    free(refs);
    markindex_free(mi);
    annot_set_free(a);
    annot_set_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queries_match_a_scan),
        cmocka_unit_test(marks_of_several_sets_in_scan_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
