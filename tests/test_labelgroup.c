/*
 * test_labelgroup — repeated labels of neighbouring marks of one class are
 * drawn once for the group (issue 11: "Container yard block" 17 times in
 * the Rason figure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "labelgroup.h"

static void test_row_of_blocks_is_one_group(void **state)
{
    (void)state;
    struct labelgroup_item it[20];
    size_t leader[20], count[20];
    /* 17 blocks in a row 30 px apart, then a pier, then two far-away blocks */
    for (int i = 0; i < 17; i++)
        it[i] = (struct labelgroup_item){"Container yard block", 2, 100 + 30.0 * i, 200};
    it[17] = (struct labelgroup_item){"Pier 3", 0, 300, 210};
    it[18] = (struct labelgroup_item){"Container yard block", 2, 2000, 2000};
    it[19] = (struct labelgroup_item){"Container yard block", 2, 2040, 2000};
    assert_true(labelgroup_assign(it, 20, 60, leader, count));
    size_t lead = leader[0];
    assert_true(lead < 17);
    for (int i = 0; i < 17; i++) {
        assert_int_equal(leader[i], lead);
        assert_int_equal(count[i], 17);
    }
    /* the leader is the member nearest the centroid (the middle one) */
    assert_int_equal(lead, 8);
    assert_int_equal(leader[17], 17);
    assert_int_equal(count[17], 1);
    /* a pair is not grouped */
    assert_int_equal(leader[18], 18);
    assert_int_equal(leader[19], 19);
    assert_int_equal(count[18], 1);
}

static void test_other_class_or_label_or_gap_splits(void **state)
{
    (void)state;
    struct labelgroup_item it[] = {
        {"Crane", 5, 0, 0},  {"Crane", 5, 20, 0},  {"Crane", 5, 40, 0},   /* group */
        {"Crane", 6, 60, 0},                                             /* other class */
        {"Crane ", 5, 0, 500}, {" Crane", 5, 20, 500}, {"Crane", 5, 40, 500}, /* trimmed: group */
        {"Crane", 5, 0, 900},  {"Crane", 5, 100, 900}, {"Crane", 5, 200, 900}, /* too far */
        {"", 5, 0, 1200},    {"", 5, 10, 1200},    {NULL, 5, 20, 1200},  /* no label */
    };
    size_t n = sizeof it / sizeof it[0], leader[16], count[16];
    assert_true(labelgroup_assign(it, n, 50, leader, count));
    assert_int_equal(count[0], 3);
    assert_int_equal(leader[0], 1);
    assert_int_equal(count[3], 1);
    assert_int_equal(count[4], 3);
    assert_int_equal(leader[6], 5);
    for (size_t i = 7; i < n; i++) {
        assert_int_equal(count[i], 1);
        assert_int_equal(leader[i], i);
    }
}

static void test_chain_links_neighbours(void **state)
{
    (void)state;
    /* an L-shaped chain: each within 40 px of the next, ends 200 px apart */
    struct labelgroup_item it[8];
    for (int i = 0; i < 4; i++)
        it[i] = (struct labelgroup_item){"Munitions pit", 3, 35.0 * i, 0};
    for (int i = 0; i < 4; i++)
        it[4 + i] = (struct labelgroup_item){"Munitions pit", 3, 105, 35.0 * (i + 1)};
    size_t leader[8], count[8];
    assert_true(labelgroup_assign(it, 8, 40, leader, count));
    for (int i = 0; i < 8; i++)
        assert_int_equal(count[i], 8);
}

static void test_caption(void **state)
{
    (void)state;
    char out[128];
    labelgroup_caption("Container yard block", 17, out, sizeof out);
    assert_string_equal(out, "Container yard blocks (17)");
    labelgroup_caption("Munitions pit", 6, out, sizeof out);
    assert_string_equal(out, "Munitions pits (6)");
    labelgroup_caption("Rail spur", 3, out, sizeof out);
    assert_string_equal(out, "Rail spurs (3)");
    labelgroup_caption("Storage battery", 4, out, sizeof out);
    assert_string_equal(out, "Storage batteries (4)");
    labelgroup_caption("Loading bay", 4, out, sizeof out);
    assert_string_equal(out, "Loading bays (4)");
    labelgroup_caption("Crate box", 3, out, sizeof out);
    assert_string_equal(out, "Crate boxes (3)");
    labelgroup_caption("Sheds", 3, out, sizeof out);
    assert_string_equal(out, "Sheds (3)");
    labelgroup_caption("Building 7", 3, out, sizeof out);
    assert_string_equal(out, "Building 7 (3)");
    labelgroup_caption("\ucee8\ud14c\uc774\ub108", 5, out, sizeof out);
    assert_string_equal(out, "\ucee8\ud14c\uc774\ub108 (5)");
    char tiny[8];
    labelgroup_caption("Container yard block", 17, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_of_blocks_is_one_group),
        cmocka_unit_test(test_other_class_or_label_or_gap_splits),
        cmocka_unit_test(test_chain_links_neighbours),
        cmocka_unit_test(test_caption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
