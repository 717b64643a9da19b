/* Unit tests of bandpick: true colour from band descriptions (red edge and
 * near infrared are not red; coastal is not blue), from the mission's band
 * order (Landsat 8/9 and Sentinel-2: 4,3,2; Landsat 4-7: 3,2,1), and no
 * answer when the file says nothing (the caller then warns). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bandpick.h"

static void from_descriptions(void **state)
{
    (void)state;
    const char *d[] = {"Coastal aerosol", "Blue", "Green", "Red", "Red edge 1", "NIR"};
    struct bandpick_input in = {6, d, NULL};
    int rgb[3] = {0};
    const char *why = NULL;
    assert_true(bandpick_true_colour(&in, rgb, &why));
    assert_int_equal(rgb[0], 4);
    assert_int_equal(rgb[1], 3);
    assert_int_equal(rgb[2], 2);
    assert_string_equal(why, "band descriptions");

    const char *reversed[] = {"red", "GREEN", "blue (B2)"};
    struct bandpick_input in2 = {3, reversed, ""};
    assert_true(bandpick_true_colour(&in2, rgb, &why));
    assert_int_equal(rgb[0], 1);
    assert_int_equal(rgb[2], 3);
}

static void near_infrared_is_not_red(void **state)
{
    (void)state;
    const char *d[] = {"near infrared", "green", "blue", "red-edge"};
    struct bandpick_input in = {4, d, NULL};
    int rgb[3] = {-1, -1, -1};
    const char *why = NULL;
    assert_false(bandpick_true_colour(&in, rgb, &why));
    assert_int_equal(rgb[0], -1); /* untouched */
}

static void from_mission(void **state)
{
    (void)state;
    int rgb[3];
    const char *why;
    struct bandpick_input l8 = {7, NULL, "LANDSAT_8"};
    assert_true(bandpick_true_colour(&l8, rgb, &why));
    assert_true(rgb[0] == 4 && rgb[1] == 3 && rgb[2] == 2);
    struct bandpick_input s2 = {13, NULL, "Sentinel-2B"};
    assert_true(bandpick_true_colour(&s2, rgb, &why));
    assert_true(rgb[0] == 4 && rgb[1] == 3 && rgb[2] == 2);
    assert_string_equal(why, "Sentinel-2 band order");
    struct bandpick_input l7 = {6, NULL, "LANDSAT_7"};
    assert_true(bandpick_true_colour(&l7, rgb, &why));
    assert_true(rgb[0] == 3 && rgb[1] == 2 && rgb[2] == 1);
    /* Too few bands for the order to hold: no answer. */
    struct bandpick_input short_l8 = {3, NULL, "LANDSAT_9"};
    assert_false(bandpick_true_colour(&short_l8, rgb, &why));
}

static void silent_file_gives_no_answer(void **state)
{
    (void)state;
    const char *d[] = {"", "", "", "", "", ""};
    struct bandpick_input in = {6, d, ""};
    int rgb[3];
    const char *why;
    assert_false(bandpick_true_colour(&in, rgb, &why));
    struct bandpick_input none = {6, NULL, NULL};
    assert_false(bandpick_true_colour(&none, rgb, &why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(from_descriptions),
        cmocka_unit_test(near_infrared_is_not_red),
        cmocka_unit_test(from_mission),
        cmocka_unit_test(silent_file_gives_no_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
