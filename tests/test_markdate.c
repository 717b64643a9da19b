/*
 * test_markdate — the one rule for how a mark relates to the image shown:
 * undated without observations; on this image by SHA-256 first (two known,
 * different hashes are two files whatever their names and dates), else by
 * file name, else by acquisition day; otherwise of other dates, listed as
 * distinct sorted days (file names for undated observations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "markdate.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static struct annot_feature feature(struct annot_observation *obs, size_t n)
{
    struct annot_feature f;
    memset(&f, 0, sizeof f);
    f.obs = obs;
    f.nobs = n;
    return f;
}

static void test_undated(void **state)
{
    (void)state;
    struct annot_feature f = feature(NULL, 0);
    struct markdate_image img = {"x.tif", SHA_A, "2024-03-17"};
    assert_int_equal(markdate_classify(&f, &img), MARKDATE_UNDATED);
    assert_int_equal(markdate_classify(&f, NULL), MARKDATE_UNDATED);
    char out[64] = "junk";
    assert_int_equal(markdate_dates(&f, out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void test_hash_first(void **state)
{
    (void)state;
    struct annot_observation o = {"x.tif", SHA_B, "2024-03-17"};
    struct annot_feature f = feature(&o, 1);
    /* same name and day, known different hash: another file */
    struct markdate_image img = {"x.tif", SHA_A, "2024-03-17"};
    assert_int_equal(markdate_classify(&f, &img), MARKDATE_OTHER_DATES);
    /* renamed file with the same hash and a wrong date: this image */
    struct markdate_image renamed = {"renamed.tif", SHA_B, "1999-01-01"};
    assert_int_equal(markdate_classify(&f, &renamed), MARKDATE_THIS_IMAGE);
    /* the hash of the image not known yet: by name, then by day */
    struct markdate_image by_name = {"x.tif", NULL, ""};
    assert_int_equal(markdate_classify(&f, &by_name), MARKDATE_THIS_IMAGE);
    struct markdate_image by_day = {"z.tif", "", "2024-03-17T10:32:00Z"};
    assert_int_equal(markdate_classify(&f, &by_day), MARKDATE_THIS_IMAGE);
    struct markdate_image other = {"z.tif", NULL, "2023-11-20"};
    assert_int_equal(markdate_classify(&f, &other), MARKDATE_OTHER_DATES);
    /* nothing known about the image: every observed mark counts as on it */
    assert_int_equal(markdate_classify(&f, NULL), MARKDATE_THIS_IMAGE);
}

static void test_unknown_fields_never_match(void **state)
{
    (void)state;
    /* empty names and days must not match each other */
    struct annot_observation o = {"", "", ""};
    struct annot_feature f = feature(&o, 1);
    struct markdate_image img = {"", "", ""};
    assert_int_equal(markdate_classify(&f, &img), MARKDATE_OTHER_DATES);
    struct annot_observation short_day = {"a.tif", "", "2024-03"};
    f = feature(&short_day, 1);
    struct markdate_image month = {"b.tif", "", "2024-03"};
    assert_int_equal(markdate_classify(&f, &month), MARKDATE_OTHER_DATES);
}

static void test_one_matching_observation_is_enough(void **state)
{
    (void)state;
    struct annot_observation o[2] = {{"old.tif", SHA_B, "2023-11-20"},
                                     {"new.tif", SHA_A, "2024-03-17"}};
    struct annot_feature f = feature(o, 2);
    struct markdate_image img = {"new.tif", SHA_A, "2024-03-17"};
    assert_int_equal(markdate_classify(&f, &img), MARKDATE_THIS_IMAGE);
}

static void test_dates_list(void **state)
{
    (void)state;
    struct annot_observation o[4] = {{"c.tif", "", "2024-01-05T09:00:00Z"},
                                     {"a.tif", "", "2023-11-20"},
                                     {"b.tif", "", "2023-11-20"},
                                     {"nodate.tif", "", ""}};
    struct annot_feature f = feature(o, 4);
    char out[128];
    assert_int_equal(markdate_dates(&f, out, sizeof out), 3);
    assert_string_equal(out, "2023-11-20, 2024-01-05, nodate.tif");
    /* too small: cut short with an ellipsis, still NUL-terminated */
    char small[16];
    markdate_dates(&f, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    assert_non_null(strstr(small, "\xe2\x80\xa6"));
    assert_int_equal(strncmp(small, "2023-11-20", 10), 0);
    struct annot_observation anon = {NULL, NULL, NULL};
    f = feature(&anon, 1);
    assert_int_equal(markdate_dates(&f, out, sizeof out), 1);
    assert_string_equal(out, "undated image");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(markdate_relation_name(MARKDATE_THIS_IMAGE), "this_image");
    assert_string_equal(markdate_relation_name(MARKDATE_UNDATED), "undated");
    assert_string_equal(markdate_relation_name(MARKDATE_OTHER_DATES), "other_dates");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_undated),
        cmocka_unit_test(test_hash_first),
        cmocka_unit_test(test_unknown_fields_never_match),
        cmocka_unit_test(test_one_matching_observation_is_enough),
        cmocka_unit_test(test_dates_list),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
