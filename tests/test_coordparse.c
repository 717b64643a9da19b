/*
 * test_coordparse — positions typed as a person types them (issue 11): DMS
 * and decimal, either order, hemisphere letters before or after, and the
 * inputs that must be refused with a reason.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coordparse.h"

#define TOL 1e-9

struct good_case {
    const char *text;
    double lat, lon;
    int ambiguous;
};

static const double LAT_4214 = 42 + 14 / 60.0, LON_13018 = 130 + 18 / 60.0;

static void test_accepts(void **state)
{
    (void)state;
    const struct good_case cases[] = {
        {"42\u00b014'N 130\u00b018'E", LAT_4214, LON_13018, 0},
        {"130\u00b018'E 42\u00b014'N", LAT_4214, LON_13018, 0},
        {"130.3 42.24", 42.24, 130.3, 0},
        {"42.24 130.3", 42.24, 130.3, 0},
        {"42.24N,130.3E", 42.24, 130.3, 0},
        {"130.3E, 42.24N", 42.24, 130.3, 0},
        {"n42.24 e130.3", 42.24, 130.3, 0},
        {"N42 14 E130 18", LAT_4214, LON_13018, 0},
        {"42 14 30 N 130 18 0 E", 42 + 14 / 60.0 + 30 / 3600.0, LON_13018, 0},
        {"42\u00b014\u203230\u2033N 130\u00b018\u203200\u2033E", 42 + 14 / 60.0 + 30 / 3600.0,
         LON_13018, 0},
        {"42\u00b0 14' 30\" N, 130\u00b0 18' E", 42 + 14 / 60.0 + 30 / 3600.0, LON_13018, 0},
        {"42\u00b014' 130\u00b018'", LAT_4214, LON_13018, 0},
        {"41.8905 S, 87.605 W", -41.8905, -87.605, 0},
        {"-87.605, 41.8905", -87.605, 41.8905, 1}, /* ambiguous: latitude first */
        {"41.8905,-87.6050", 41.8905, -87.605, 1},
        {"-33.9 151.2", -33.9, 151.2, 0},
        {"  42.5 ; 130  ", 42.5, 130, 0},
        {"42\u00b014.5'N 130\u00b018.25'E", 42 + 14.5 / 60, 130 + 18.25 / 60, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag *dg = diag_new();
        struct coordparse_result r;
        bool ok = coordparse_position(cases[i].text, &r, dg);
        if (!ok)
            fail_msg("\"%s\" refused: %s", cases[i].text, diag_message(dg));
        if (fabs(r.lat - cases[i].lat) > TOL || fabs(r.lon - cases[i].lon) > TOL)
            fail_msg("\"%s\": lat %.9f lon %.9f, expected %.9f %.9f", cases[i].text, r.lat, r.lon,
                     cases[i].lat, cases[i].lon);
        assert_int_equal(r.ambiguous, cases[i].ambiguous);
        if (r.ambiguous) {
            assert_true(fabs(r.alt_lat - r.lon) < TOL);
            assert_true(fabs(r.alt_lon - r.lat) < TOL);
        }
        diag_free(dg);
    }
}

static void test_refuses(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "42.24",
        "ship-2",
        "Container yard",
        "42N 43N",            /* two latitudes */
        "130E 131W",          /* two longitudes */
        "42\u00b075'N 130E",   /* minutes >= 60 */
        "42 14 61 N 130 E",   /* seconds >= 60 */
        "95 100",             /* latitude beyond 90 either way */
        "42 190",             /* longitude beyond 180 */
        "1 2 3",              /* three coordinates */
        "-42S 130E",          /* minus and S */
        "42.5\u00b010'N 130E", /* decimal degrees then minutes */
        ", 42 130",
        "N E",
        "0x2A 130",           /* a hexadecimal float (strtod reads 42) */
        "42 0x1p7",
        "1e-400 130",         /* underflows */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct diag *dg = diag_new();
        struct coordparse_result r;
        if (coordparse_position(bad[i], &r, dg))
            fail_msg("\"%s\" accepted as lat %g lon %g", bad[i], r.lat, r.lon);
        assert_true(diag_message(dg)[0] != '\0');
        diag_free(dg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
