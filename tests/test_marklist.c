/*
 * test_marklist — the mark listing shared by `mark FILE list` and the viewer
 * (issue 11): filters by class, date (or prefix) and claim; distinct sorted
 * dates; JSON with every field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gjson.h"
#include "marklist.h"

static const char doc[] =
    "{\"type\": \"FeatureCollection\", \"features\": ["
    "{\"type\": \"Feature\", \"id\": \"ship-1\", \"geometry\": {\"type\": \"Point\", "
    "\"coordinates\": [1, 2]}, \"properties\": {\"class\": \"ship\", \"label\": \"Angara\", "
    "\"observations\": [{\"image\": \"b.tif\", \"sha256\": \"\", \"acquired\": \"2024-03-17\"},"
    "{\"image\": \"a.tif\", \"sha256\": \"\", \"acquired\": \"2023-11-20T02:00:00Z\"},"
    "{\"image\": \"c.tif\", \"sha256\": \"\", \"acquired\": \"2024-03-17\"},"
    "{\"image\": \"d.tif\", \"sha256\": \"\", \"acquired\": \"\"}], "
    "\"claims\": [{\"claim\": \"c-1\", \"stance\": \"supports\"}]}},"
    "{\"type\": \"Feature\", \"id\": \"pier-1\", \"geometry\": {\"type\": \"Point\", "
    "\"coordinates\": [1, 2]}, \"properties\": {\"class\": \"pier\", \"label\": \"Q\\\"uay\"}}]}";

static void filters_dates_and_json(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    assert_true(gjson_read_buffer("mem.geojson", doc, strlen(doc), &set, dg));
    const struct annot_feature *ship = annot_get(set, 0), *pier = annot_get(set, 1);

    char dates[4][MARKLIST_DATE_LEN + 1];
    assert_int_equal(marklist_dates(ship, dates, 4), 2);
    assert_string_equal(dates[0], "2023-11-20");
    assert_string_equal(dates[1], "2024-03-17");
    assert_int_equal(marklist_dates(ship, dates, 1), 2); /* the count even when cut */
    assert_string_equal(dates[0], "2023-11-20");
    assert_int_equal(marklist_dates(pier, dates, 4), 0);

    struct marklist_filter flt = {.by_class = true, .cls = ANNOT_CLASS_SHIP};
    assert_true(marklist_matches(ship, &flt));
    assert_false(marklist_matches(pier, &flt));
    assert_true(marklist_matches(pier, NULL));
    flt = (struct marklist_filter){.date = "2024-03"};
    assert_true(marklist_matches(ship, &flt));
    assert_false(marklist_matches(pier, &flt));
    flt = (struct marklist_filter){.date = "2024-04"};
    assert_false(marklist_matches(ship, &flt));
    flt = (struct marklist_filter){.claim = "c-1"};
    assert_true(marklist_matches(ship, &flt));
    flt = (struct marklist_filter){.claim = "c-2"};
    assert_false(marklist_matches(ship, &flt));

    char *json = marklist_json(set, "mem.geojson", NULL, dg);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"count\": 2"));
    assert_non_null(strstr(json, "\"2023-11-20\",\n        \"2024-03-17\""));
    assert_non_null(strstr(json, "\"stance\": \"supports\""));
    assert_non_null(strstr(json, "Q\\\"uay"));
    free(json);
    flt = (struct marklist_filter){.by_class = true, .cls = ANNOT_CLASS_CRANE};
    json = marklist_json(set, "mem.geojson", &flt, dg);
    assert_non_null(strstr(json, "\"count\": 0"));
    free(json);
    annot_set_free(set);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filters_dates_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
