/* Unit tests that the annotation reader stays linear on large files (issue
 * 14): reading twice the features costs about twice the operations (counted
 * by gjson_read_buffer_stats: bytes the reader's scanners walk, warnings,
 * generated-id candidates, array growths; never time), and warnings are
 * capped per kind with one summary line. The files are the three shapes that
 * were quadratic: points with the id as a property and no feature id,
 * numeric feature ids as QGIS writes them, clockwise polygons. Each also has
 * an error variant, to check that the error is the same as a small file's
 * (the streaming read falls back to the whole-document parse). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annot.h"
#include "gjson.h"

enum shape { PROPERTY_IDS, NUMERIC_IDS, CLOCKWISE };

/* A FeatureCollection of n features of the shape, one per line; new string. */
static char *make_collection(enum shape shape, size_t n)
{
    size_t cap = 256 + n * 320, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (size_t i = 0; i < n; i++) {
        double lon = 130.3 + (double)(i % 1000) * 1e-4, lat = 42.2 + (double)(i / 1000) * 1e-4;
        const char *sep = i + 1 < n ? ",\n" : "\n";
        switch (shape) {
        case PROPERTY_IDS:
            len += (size_t)snprintf(s + len, cap - len,
                                    "{\"type\":\"Feature\",\"properties\":{\"id\":\"d%zu\","
                                    "\"class\":\"ship\"},\"geometry\":{\"type\":\"Point\","
                                    "\"coordinates\":[%.4f,%.4f]}}%s",
                                    i, lon, lat, sep);
            break;
        case NUMERIC_IDS:
            len += (size_t)snprintf(s + len, cap - len,
                                    "{\"type\":\"Feature\",\"id\":%zu,\"properties\":{\"fid\":%zu},"
                                    "\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                                    "[%.4f,%.4f]}}%s",
                                    i, i, lon, lat, sep);
            break;
        case CLOCKWISE:
            len += (size_t)snprintf(s + len, cap - len,
                                    "{\"type\":\"Feature\",\"id\":\"b%zu\",\"properties\":{},"
                                    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[["
                                    "[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}}%s",
                                    i, lon, lat, lon, lat + 2e-4, lon + 2e-4, lat, lon, lat,
                                    sep);
            break;
        }
        assert_true(len < cap);
    }
    len += (size_t)snprintf(s + len, cap - len, "]}\n");
    assert_true(len < cap);
    return s;
}

static size_t operations(const struct gjson_stats *st)
{
    return st->scanned + st->warnings + st->ids_tried + st->allocations;
}

/* Reads n features of the shape; returns the operation count. */
static size_t read_counting(enum shape shape, size_t n, struct diag *dg)
{
    char *text = make_collection(shape, n);
    struct gjson_stats st = {0};
    struct annot_set *set = NULL;
    if (!gjson_read_buffer_stats("big.geojson", text, strlen(text), &set, dg, &st))
        fail_msg("read failed: %s", diag_message(dg));
    assert_int_equal(annot_count(set), n);
    assert_int_equal(st.features, n);
    annot_set_free(set);
    free(text);
    return operations(&st);
}

static void twice_the_features_twice_the_work(void **state)
{
    (void)state;
    for (int shape = PROPERTY_IDS; shape <= CLOCKWISE; shape++) {
        struct diag *a = diag_new(), *b = diag_new();
        size_t ops1 = read_counting((enum shape)shape, 4000, a);
        size_t ops2 = read_counting((enum shape)shape, 8000, b);
        double ratio = (double)ops2 / (double)ops1;
        print_message("shape %d: %zu ops for 4,000 features, %zu for 8,000 (x%.3f)\n", shape,
                      ops1, ops2, ratio);
        assert_true(ratio > 1.8 && ratio < 2.2);
        diag_free(a);
        diag_free(b);
    }
}

static void warnings_capped_per_kind_with_a_summary(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    read_counting(NUMERIC_IDS, 5000, dg);
    /* 20 shown, then the summary of the other 4,980 */
    assert_int_equal(diag_warning_count(dg), 21);
    assert_non_null(strstr(diag_warning(dg, 0), "big.geojson:2:"));
    assert_non_null(strstr(diag_warning(dg, 0), "numeric feature id 0 "));
    assert_non_null(strstr(diag_warning(dg, 19), "big.geojson:21:"));
    assert_non_null(strstr(diag_warning(dg, 20), "... and 4,980 more warnings like this one"));
    diag_free(dg);

    dg = diag_new();
    read_counting(PROPERTY_IDS, 3000, dg);
    assert_int_equal(diag_warning_count(dg), 1);
    assert_non_null(strstr(diag_warning(dg, 0), "3000 features without an id of their own took "
                                                 "their \"id\" property as the id"));
    diag_free(dg);
}

/* An error late in a big file: the same message (position, feature) as the
 * whole-document read gives, and no warnings left from the first attempt. */
static void late_errors_are_exact(void **state)
{
    (void)state;
    char *text = make_collection(NUMERIC_IDS, 3000);
    /* feature 2999 (line 3001): its id becomes a boolean */
    char *bad = strstr(text, "\"id\":2999,");
    assert_non_null(bad);
    memcpy(bad, "\"id\":true,", 10);
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    assert_false(gjson_read_buffer("big.geojson", text, strlen(text), &set, dg));
    assert_null(set);
    assert_string_equal(diag_message(dg), "big.geojson:3001:24: feature 2999: feature \"id\" "
                                          "must be a string or a number, found a boolean");
    diag_free(dg);
    /* a syntax error after many good features: jansson's message and position */
    bad = strstr(text, "\"id\":true,");
    memcpy(bad, "\"id\":1 2,,", 10);
    dg = diag_new();
    assert_false(gjson_read_buffer("big.geojson", text, strlen(text), &set, dg));
    assert_int_equal(diag_warning_count(dg), 0);
    assert_non_null(strstr(diag_message(dg), "big.geojson:3001:"));
    diag_free(dg);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(twice_the_features_twice_the_work),
        cmocka_unit_test(warnings_capped_per_kind_with_a_summary),
        cmocka_unit_test(late_errors_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
