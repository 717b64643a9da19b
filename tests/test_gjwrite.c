/* Unit tests of gjwrite beyond the read/write round trips in test_gjson.c:
 * coordinate formatting, the canonical JSON of kept unknown members (sorted
 * keys, reals that stay reals), the exact layout of a small file (what every
 * writer of the format, the demo-tile generator included, produces), and a
 * text field that is not UTF-8 refusing the write instead of saving a file
 * the reader would reject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annot.h"
#include "gjwrite.h"

static void number_format(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(gjwrite_number(130.123456789, buf, sizeof buf), "130.1234568");
    assert_string_equal(gjwrite_number(1.5, buf, sizeof buf), "1.5");
    assert_string_equal(gjwrite_number(100.0, buf, sizeof buf), "100");
    assert_string_equal(gjwrite_number(-0.00000001, buf, sizeof buf), "0");
    assert_string_equal(gjwrite_number(-42.2431, buf, sizeof buf), "-42.2431");
    assert_string_equal(gjwrite_number(0.00000006, buf, sizeof buf), "0.0000001");
}

static void json_value_is_canonical(void **state)
{
    (void)state;
    json_error_t err;
    json_t *v = json_loads("{\"zeta\": [1, 2.0, {\"b\": null, \"a\": true}], \"alpha\": \"\\u00e9\"}",
                           0, &err);
    assert_non_null(v);
    char *s = gjwrite_json_value(v);
    assert_non_null(s);
    assert_string_equal(s, "{\"alpha\": \"\xc3\xa9\", \"zeta\": [1, 2.0, {\"a\": true, \"b\": null}]}");
    free(s);
    json_decref(v);
}

static void fixed_clock(char out[21], void *ctx)
{
    (void)ctx;
    memcpy(out, "2026-01-02T03:04:05Z", 21);
}

static void file_layout(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *set = annot_set_new();
    annot_set_clock(set, fixed_clock, NULL);
    assert_true(annot_set_author(set, "tester", dg));
    assert_true(annot_set_meta(set, "dunai", "Dunai", dg));
    struct annot_feature f;
    annot_feature_init(&f);
    f.cls = ANNOT_CLASS_MUNITIONS_PIT;
    f.id = "pit-1";
    struct annot_lonlat pt = {132.3300001, 42.87};
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, &pt, 1, dg));
    assert_true(annot_add(set, &f, NULL, dg));
    annot_geometry_clear(&f.geom);
    size_t len = 0;
    char *text = gjwrite_string(set, &len, dg);
    assert_non_null(text);
    assert_string_equal(
        text,
        "{\n"
        "  \"type\": \"FeatureCollection\",\n"
        "  \"satmark\": {\"version\": 1, \"site\": \"dunai\", \"title\": \"Dunai\"},\n"
        "  \"features\": [\n"
        "    {\n"
        "      \"type\": \"Feature\",\n"
        "      \"id\": \"pit-1\",\n"
        "      \"geometry\": {\"type\": \"Point\", \"coordinates\": [132.3300001, 42.87]},\n"
        "      \"properties\": {\n"
        "        \"class\": \"munitions_pit\",\n"
        "        \"label\": \"\",\n"
        "        \"observations\": [],\n"
        "        \"claims\": [],\n"
        "        \"note\": \"\",\n"
        "        \"created\": \"2026-01-02T03:04:05Z\",\n"
        "        \"modified\": \"2026-01-02T03:04:05Z\",\n"
        "        \"author\": \"tester\"\n"
        "      }\n"
        "    }\n"
        "  ]\n"
        "}\n");
    assert_int_equal(len, strlen(text));
    free(text);
    annot_set_free(set);
    diag_free(dg);
}

static void invalid_utf8_refused(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *set = annot_set_new();
    struct annot_feature f;
    annot_feature_init(&f);
    f.cls = ANNOT_CLASS_PIER;
    f.label = "Pier \xff";
    struct annot_lonlat pt = {130.3, 42.24};
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, &pt, 1, dg));
    assert_true(annot_add(set, &f, NULL, dg));
    annot_geometry_clear(&f.geom);
    assert_null(gjwrite_string(set, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "UTF-8"));
    diag_reset(dg);
    assert_false(gjwrite_file("/tmp/satmark-gjwrite-never-written.geojson", set, dg));
    assert_non_null(strstr(diag_message(dg), "UTF-8"));
    annot_set_free(set);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_format),
        cmocka_unit_test(json_value_is_canonical),
        cmocka_unit_test(file_layout),
        cmocka_unit_test(invalid_utf8_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
