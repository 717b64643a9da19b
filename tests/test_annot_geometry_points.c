/* Unit tests of annot_geometry's point tests, which the claims counting
 * checks count marks with (moved here from claims.c, issue 13): point in a
 * polygon with holes, in multipolygon parts, in a concave ring; the point a
 * mark is counted at for each geometry type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "annot_geometry.h"

/* Square ring centred at (cx, cy) with half-size h, closed, counter-clockwise
 * (or clockwise for holes). */
static void square(struct annot_lonlat out[5], double cx, double cy, double h, bool clockwise)
{
    struct annot_lonlat ccw[5] = {{cx - h, cy - h}, {cx + h, cy - h}, {cx + h, cy + h},
                                  {cx - h, cy + h}, {cx - h, cy - h}};
    for (int i = 0; i < 5; i++)
        out[i] = clockwise ? ccw[4 - i] : ccw[i];
}

static void point_in_polygon_with_holes(void **state)
{
    (void)state;
    struct annot_lonlat outer[5], hole[5], second[5];
    square(outer, 131.0, 43.0, 0.01, false);
    square(hole, 131.0, 43.0, 0.004, true);
    square(second, 131.1, 43.0, 0.01, false);
    struct annot_part parts[3] = {
        {.n = 5, .pts = outer, .member = 0},
        {.n = 5, .pts = hole, .member = 0},
        {.n = 5, .pts = second, .member = 1},
    };
    struct annot_geometry poly = {.type = ANNOT_GEOM_POLYGON, .nparts = 2, .parts = parts};
    assert_true(annot_geometry_contains_point(&poly, 131.007, 43.007));  /* between ring and hole */
    assert_false(annot_geometry_contains_point(&poly, 131.001, 43.001)); /* in the hole */
    assert_false(annot_geometry_contains_point(&poly, 131.02, 43.0));    /* outside */
    assert_false(annot_geometry_contains_point(&poly, 131.1, 43.0));     /* second part not included */

    struct annot_geometry multi = {.type = ANNOT_GEOM_MULTIPOLYGON, .nparts = 3, .parts = parts};
    assert_true(annot_geometry_contains_point(&multi, 131.1, 43.0));
    assert_false(annot_geometry_contains_point(&multi, 131.0, 43.0));
    assert_true(annot_geometry_contains_point(&multi, 130.992, 42.995));
    assert_false(annot_geometry_contains_point(&multi, 131.05, 43.0)); /* between the parts */

    struct annot_geometry line = {.type = ANNOT_GEOM_LINESTRING, .nparts = 1, .parts = parts};
    assert_false(annot_geometry_contains_point(&line, 131.007, 43.007));

    /* A concave ring (an L shape): the notch is outside. */
    struct annot_lonlat ell[7] = {{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}};
    struct annot_part ell_part = {.n = 7, .pts = ell};
    struct annot_geometry ell_poly = {.type = ANNOT_GEOM_POLYGON, .nparts = 1,
                                      .parts = &ell_part};
    assert_true(annot_geometry_contains_point(&ell_poly, 0.5, 1.5));
    assert_true(annot_geometry_contains_point(&ell_poly, 1.5, 0.5));
    assert_false(annot_geometry_contains_point(&ell_poly, 1.5, 1.5));
}

static void representative_points(void **state)
{
    (void)state;
    double lon = 0, lat = 0;
    struct annot_lonlat three[3] = {{1, 1}, {5, 7}, {9, 1}};
    struct annot_part line3 = {.n = 3, .pts = three};
    struct annot_geometry g = {.type = ANNOT_GEOM_LINESTRING, .nparts = 1, .parts = &line3};
    assert_true(annot_geometry_representative_point(&g, &lon, &lat));
    assert_true(lon == 5 && lat == 7);
    struct annot_part line2 = {.n = 2, .pts = three};
    g.parts = &line2;
    assert_true(annot_geometry_representative_point(&g, &lon, &lat));
    assert_true(lon == 3 && lat == 4);

    /* Square with a square hole in one corner: the centroid moves away from it. */
    struct annot_lonlat outer[5] = {{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}};
    struct annot_lonlat hole[5] = {{0, 0}, {0, 2}, {2, 2}, {2, 0}, {0, 0}};
    struct annot_part rings[2] = {{.n = 5, .pts = outer}, {.n = 5, .pts = hole}};
    g = (struct annot_geometry){.type = ANNOT_GEOM_POLYGON, .nparts = 2, .parts = rings};
    assert_true(annot_geometry_representative_point(&g, &lon, &lat));
    /* Area 12: (16*(2,2) - 4*(1,1)) / 12 = (28/12, 28/12). */
    assert_float_equal(lon, 28.0 / 12.0, 1e-12);
    assert_float_equal(lat, 28.0 / 12.0, 1e-12);
    g.nparts = 1; /* clockwise input still gives the centroid */
    struct annot_lonlat cw[5] = {{0, 0}, {0, 4}, {4, 4}, {4, 0}, {0, 0}};
    rings[0].pts = cw;
    assert_true(annot_geometry_representative_point(&g, &lon, &lat));
    assert_float_equal(lon, 2, 1e-12);
    assert_float_equal(lat, 2, 1e-12);

    struct annot_geometry none = {.type = ANNOT_GEOM_NONE};
    assert_false(annot_geometry_representative_point(&none, &lon, &lat));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(point_in_polygon_with_holes),
        cmocka_unit_test(representative_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
