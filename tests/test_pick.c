/*
 * test_pick — selection ranking (issue 11): the nearest mark within a few
 * pixels, points and small marks before large areas, the containing polygon
 * only when nothing is near.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pick.h"

static const double T = PICK_TOLERANCE_PX;

/* The reported case: a click 10 px off a line, inside the large port AOI,
 * selects the line, not the AOI (the old tolerance of 7 px gave the AOI). */
static void test_line_10px_beats_containing_aoi(void **state)
{
    (void)state;
    struct pick_candidate c[] = {
        {PICK_AREA, 150, true, 900.0 * 600.0, 1080},
        {PICK_LINE, 10, false, 0, 240},
    };
    assert_int_equal(pick_best(c, 2, T), 1);
}

static void test_point_beats_nearer_large_area_edge(void **state)
{
    (void)state;
    struct pick_candidate c[] = {
        {PICK_AREA, 2, true, 1000.0 * 800.0, 1280},
        {PICK_POINT, 9, false, 0, 0},
    };
    assert_int_equal(pick_best(c, 2, T), 1);
}

static void test_nearest_wins_among_points(void **state)
{
    (void)state;
    struct pick_candidate c[] = {
        {PICK_POINT, 8, false, 0, 0},
        {PICK_POINT, 3, false, 0, 0},
        {PICK_POINT, 5, false, 0, 0},
    };
    assert_int_equal(pick_best(c, 3, T), 1);
}

static void test_small_area_inside_beats_line_nearby(void **state)
{
    (void)state;
    /* a 30 px pit polygon around the click, a line 4 px away */
    struct pick_candidate c[] = {
        {PICK_LINE, 4, false, 0, 300},
        {PICK_AREA, 14, true, 30.0 * 30.0, 42},
    };
    assert_int_equal(pick_best(c, 2, T), 1);
}

static void test_smallest_containing_area_when_nothing_near(void **state)
{
    (void)state;
    struct pick_candidate c[] = {
        {PICK_AREA, 200, true, 1000.0 * 800.0, 1280},
        {PICK_AREA, 60, true, 200.0 * 150.0, 250},
        {PICK_POINT, 40, false, 0, 0},
    };
    assert_int_equal(pick_best(c, 3, T), 1);
}

static void test_nothing_picked_far_away(void **state)
{
    (void)state;
    struct pick_candidate c[] = {
        {PICK_POINT, T + 0.5, false, 0, 0},
        {PICK_LINE, 50, false, 0, 100},
        {PICK_AREA, 30, false, 500, 40},
        {PICK_POINT, INFINITY, false, 0, 0},
    };
    assert_int_equal(pick_best(c, 4, T), (size_t)-1);
    assert_true(isinf(pick_score(&c[3], T)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_10px_beats_containing_aoi),
        cmocka_unit_test(test_point_beats_nearer_large_area_edge),
        cmocka_unit_test(test_nearest_wins_among_points),
        cmocka_unit_test(test_small_area_inside_beats_line_nearby),
        cmocka_unit_test(test_smallest_containing_area_when_nothing_near),
        cmocka_unit_test(test_nothing_picked_far_away),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
