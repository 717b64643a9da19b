/* Unit tests of ramp: names parse both ways, grey is the identity, the
 * ends of each ramp are its end colours, viridis and inferno grow lighter
 * with the value, values outside [0, 1] and NaN are clamped, and applying a
 * ramp to RGBA keeps alpha and leaves transparent pixels alone. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ramp.h"

static void names(void **state)
{
    (void)state;
    enum ramp_kind k = RAMP_COUNT;
    assert_true(ramp_parse("viridis", &k));
    assert_int_equal(k, RAMP_VIRIDIS);
    assert_true(ramp_parse("Inferno", &k));
    assert_int_equal(k, RAMP_INFERNO);
    assert_true(ramp_parse("gray", &k));
    assert_int_equal(k, RAMP_GREY);
    assert_true(ramp_parse("terrain", &k));
    assert_int_equal(k, RAMP_TERRAIN);
    assert_false(ramp_parse("jet", &k));
    assert_false(ramp_parse("", &k));
    assert_false(ramp_parse(NULL, &k));
    for (int i = 0; i < RAMP_COUNT; i++) {
        assert_true(ramp_parse(ramp_name((enum ramp_kind)i), &k));
        assert_int_equal(k, i);
        assert_non_null(strstr(ramp_names(), ramp_name((enum ramp_kind)i)));
    }
    assert_string_equal(ramp_name((enum ramp_kind)99), "grey");
}

static void grey_is_identity(void **state)
{
    (void)state;
    for (int v = 0; v < 256; v++) {
        uint8_t rgb[3];
        ramp_colour(RAMP_GREY, v / 255.0, rgb);
        assert_int_equal(rgb[0], v);
        assert_int_equal(rgb[1], v);
        assert_int_equal(rgb[2], v);
    }
    uint8_t px[8] = {10, 10, 10, 255, 200, 200, 200, 128};
    uint8_t copy[8];
    memcpy(copy, px, sizeof px);
    ramp_apply_rgba(RAMP_GREY, px, 2);
    assert_memory_equal(px, copy, sizeof px);
}

static double lightness(const uint8_t c[3]) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; }

static void ends_and_order(void **state)
{
    (void)state;
    uint8_t lo[3], hi[3], below[3], above[3], nan_c[3];
    ramp_colour(RAMP_VIRIDIS, 0, lo);
    ramp_colour(RAMP_VIRIDIS, 1, hi);
    assert_true(lo[2] > lo[0] && lo[2] > lo[1]); /* dark blue-violet */
    assert_true(hi[0] > 200 && hi[1] > 200 && hi[2] < 80); /* yellow */
    ramp_colour(RAMP_VIRIDIS, -3, below);
    ramp_colour(RAMP_VIRIDIS, 7, above);
    ramp_colour(RAMP_VIRIDIS, NAN, nan_c);
    assert_memory_equal(below, lo, 3);
    assert_memory_equal(above, hi, 3);
    assert_memory_equal(nan_c, lo, 3);
    const enum ramp_kind ordered[] = {RAMP_VIRIDIS, RAMP_INFERNO};
    for (size_t r = 0; r < 2; r++) {
        double prev = -1;
        for (int v = 0; v <= 255; v++) {
            uint8_t c[3];
            ramp_colour(ordered[r], v / 255.0, c);
            double l = lightness(c);
            assert_true(l >= prev - 1.0); /* rounding only */
            prev = l;
        }
        uint8_t a[3], b[3];
        ramp_colour(ordered[r], 0, a);
        ramp_colour(ordered[r], 1, b);
        assert_true(lightness(b) - lightness(a) > 150);
    }
    uint8_t sea[3], snow[3];
    ramp_colour(RAMP_TERRAIN, 0, sea);
    ramp_colour(RAMP_TERRAIN, 1, snow);
    assert_true(sea[2] > sea[0] && sea[2] > sea[1]);
    assert_int_equal(snow[0], 255);
    assert_int_equal(snow[1], 255);
    assert_int_equal(snow[2], 255);
}

static void apply_keeps_alpha(void **state)
{
    (void)state;
    uint8_t px[12] = {0, 0, 0, 0, 255, 255, 255, 128, 0, 0, 0, 255};
    ramp_apply_rgba(RAMP_VIRIDIS, px, 3);
    /* transparent stays transparent black */
    assert_int_equal(px[0], 0);
    assert_int_equal(px[3], 0);
    uint8_t hi[3], lo[3];
    ramp_colour(RAMP_VIRIDIS, 1, hi);
    ramp_colour(RAMP_VIRIDIS, 0, lo);
    assert_memory_equal(px + 4, hi, 3);
    assert_int_equal(px[7], 128);
    assert_memory_equal(px + 8, lo, 3);
    assert_int_equal(px[11], 255);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(grey_is_identity),
        cmocka_unit_test(ends_and_order),
        cmocka_unit_test(apply_keeps_alpha),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
