/* Unit tests of georef's fitted mapping for front-ends (georef_transform,
 * georef_gcps_needed), which the viewer draws a picture through: how many
 * pairs each method needs; an affine fit through exact pairs places any
 * other pixel where the affine map puts it, and agrees with the residuals
 * (about 0); a spline passes through its pairs; too few or collinear pairs
 * are refused with the reason, never a mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "georef.h"

/* An affine picture -> lon/lat map near Rason (130.3 E, 42.24 N). */
static void affine(double px, double py, double *lon, double *lat)
{
    *lon = 130.30 + 1.0e-5 * px + 2.0e-6 * py;
    *lat = 42.26 - 1.5e-6 * px - 0.9e-5 * py;
}

static void make_pairs(struct georef_gcp *g, size_t n)
{
    static const double pts[][2] = {{0, 0}, {800, 0}, {0, 600}, {800, 600}, {400, 300},
                                    {200, 450}, {650, 120}, {90, 310}};
    for (size_t i = 0; i < n; i++) {
        g[i].px = pts[i][0];
        g[i].py = pts[i][1];
        affine(g[i].px, g[i].py, &g[i].lon, &g[i].lat);
    }
}

static void needed(void **state)
{
    (void)state;
    assert_int_equal(georef_gcps_needed(GEOREF_POLY1), 3);
    assert_int_equal(georef_gcps_needed(GEOREF_POLY2), 6);
    assert_int_equal(georef_gcps_needed(GEOREF_POLY3), 10);
    assert_int_equal(georef_gcps_needed(GEOREF_TPS), 4);
    assert_int_equal(georef_gcps_needed(GEOREF_AUTO), 3);
    assert_int_equal(georef_gcps_needed(GEOREF_RPC), 0);
}

static void affine_fit_places_other_pixels(void **state)
{
    (void)state;
    struct georef_gcp g[4];
    make_pairs(g, 4);
    struct diag *dg = diag_new();
    struct georef_transform *t = georef_transform_new(g, 4, GEOREF_POLY1, dg);
    assert_non_null(t);
    double lon, lat, wlon, wlat;
    assert_true(georef_transform_pixel(t, 123.5, 456.25, &lon, &lat));
    affine(123.5, 456.25, &wlon, &wlat);
    assert_true(fabs(lon - wlon) < 1e-9 && fabs(lat - wlat) < 1e-9);
    georef_transform_free(t);
    double res[4];
    struct georef_fit fit;
    assert_true(georef_residuals(g, 4, GEOREF_POLY1, res, &fit, dg));
    assert_true(fit.rms_m < 0.01);
    diag_free(dg);
}

static void spline_passes_through_pairs(void **state)
{
    (void)state;
    struct georef_gcp g[5];
    make_pairs(g, 5);
    g[4].lon += 0.001; /* bent: a spline still goes through it */
    struct diag *dg = diag_new();
    struct georef_transform *t = georef_transform_new(g, 5, GEOREF_TPS, dg);
    assert_non_null(t);
    for (size_t i = 0; i < 5; i++) {
        double lon, lat;
        assert_true(georef_transform_pixel(t, g[i].px, g[i].py, &lon, &lat));
        assert_true(fabs(lon - g[i].lon) < 1e-7 && fabs(lat - g[i].lat) < 1e-7);
    }
    georef_transform_free(t);
    diag_free(dg);
}

static void refused(void **state)
{
    (void)state;
    struct georef_gcp g[8];
    make_pairs(g, 8);
    struct diag *dg = diag_new();
    assert_null(georef_transform_new(g, 2, GEOREF_POLY1, dg));
    assert_non_null(strstr(diag_message(dg), "poly1 needs 3"));
    diag_reset(dg);
    assert_null(georef_transform_new(g, 5, GEOREF_POLY2, dg));
    assert_non_null(strstr(diag_message(dg), "poly2 needs 6"));
    diag_reset(dg);
    assert_null(georef_transform_new(g, 8, GEOREF_RPC, dg));
    diag_reset(dg);
    /* three points on a line: no affine map */
    struct georef_gcp line[3] = {{0, 0, 130.3, 42.2}, {10, 10, 130.4, 42.1}, {20, 20, 130.5, 42.0}};
    assert_null(georef_transform_new(line, 3, GEOREF_POLY1, dg));
    assert_true(diag_failed(dg));
    georef_transform_free(NULL);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(needed),
        cmocka_unit_test(affine_fit_places_other_pixels),
        cmocka_unit_test(spline_passes_through_pairs),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
