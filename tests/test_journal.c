/* Unit tests of journal: the path beside the file, a write/read round trip of
 * an annotation set (with the header's target hash and the detection of a
 * target changed since), damaged journals refused with the file named, the
 * write policy (journal_due), and removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "annot.h"
#include "gjson.h"
#include "gjwrite.h"
#include "journal.h"

static char dir[] = "/tmp/satmark-journal-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void fixed_clock(char out[21], void *ctx)
{
    (void)ctx;
    memcpy(out, "2026-01-02T03:04:05Z", 21);
}

/* A set with one point pit and one line pier. */
static struct annot_set *sample_set(void)
{
    struct annot_set *set = annot_set_new();
    annot_set_clock(set, fixed_clock, NULL);
    struct diag *dg = diag_new();
    struct annot_feature f;
    annot_feature_init(&f);
    f.cls = ANNOT_CLASS_MUNITIONS_PIT;
    struct annot_lonlat pt = {131.123, 43.456};
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, &pt, 1, dg));
    assert_true(annot_add(set, &f, NULL, dg));
    annot_geometry_clear(&f.geom);
    f.cls = ANNOT_CLASS_PIER;
    struct annot_lonlat line[2] = {{130.30, 42.24}, {130.31, 42.25}};
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_LINESTRING, line, 2, dg));
    f.label = "Pier 1";
    assert_true(annot_add(set, &f, NULL, dg));
    annot_geometry_clear(&f.geom);
    assert_false(diag_failed(dg));
    diag_free(dg);
    return set;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void path_beside_file(void **state)
{
    (void)state;
    char *p = journal_path_for("annotations/dunai.geojson");
    assert_string_equal(p, "annotations/dunai.geojson.journal");
    free(p);
}

static void round_trip(void **state)
{
    (void)state;
    char target[256], jpath[300];
    snprintf(target, sizeof target, "%s/site.geojson", dir);
    snprintf(jpath, sizeof jpath, "%s.journal", target);
    struct annot_set *set = sample_set();
    struct diag *dg = diag_new();
    assert_false(journal_exists(jpath));
    assert_true(journal_write(jpath, target, set, dg));
    assert_true(journal_exists(jpath));

    struct journal_info info;
    struct annot_set *back = NULL;
    assert_true(journal_read(jpath, target, &info, &back, dg));
    assert_string_equal(info.target, "site.geojson");
    assert_string_equal(info.target_sha256, ""); /* the target does not exist */
    assert_false(info.target_changed);
    assert_int_equal(info.features, 2);
    assert_int_equal(annot_count(back), 2);
    const struct annot_feature *pier = annot_find(back, "pier-1");
    assert_non_null(pier);
    assert_string_equal(pier->label, "Pier 1");
    assert_int_equal(pier->geom.type, ANNOT_GEOM_LINESTRING);
    assert_true(pier->geom.parts[0].pts[1].lat == 42.25);
    /* Same content as the original, byte for byte when written. */
    char *a = gjwrite_string(set, NULL, dg), *b = gjwrite_string(back, NULL, dg);
    assert_string_equal(a, b);
    free(a);
    free(b);
    annot_set_free(back);

    /* A target saved after the journal was written is detected. */
    assert_true(gjwrite_file(target, set, dg));
    assert_true(journal_write(jpath, target, set, dg));
    assert_true(journal_read(jpath, target, &info, &back, dg));
    assert_int_equal(strlen(info.target_sha256), 64);
    assert_false(info.target_changed);
    annot_set_free(back);
    write_text(target, "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
    assert_true(journal_read(jpath, target, &info, &back, dg));
    assert_true(info.target_changed);
    annot_set_free(back);

    assert_true(journal_remove(jpath, dg));
    assert_false(journal_exists(jpath));
    assert_true(journal_remove(jpath, dg)); /* already gone: fine */
    assert_false(diag_failed(dg));
    diag_free(dg);
    annot_set_free(set);
}

static void damaged_journals_refused(void **state)
{
    (void)state;
    char target[256], jpath[300];
    snprintf(target, sizeof target, "%s/bad.geojson", dir);
    snprintf(jpath, sizeof jpath, "%s.journal", target);
    struct diag *dg = diag_new();
    struct journal_info info;
    struct annot_set *out = (struct annot_set *)1;

    write_text(jpath, "");
    assert_false(journal_read(jpath, target, &info, &out, dg));
    assert_null(out);
    assert_non_null(strstr(diag_message(dg), jpath));
    diag_reset(dg);

    write_text(jpath, "{\"satmark_journal\":1}\n{}");
    assert_false(journal_read(jpath, target, &info, &out, dg));
    assert_non_null(strstr(diag_message(dg), "header"));
    diag_reset(dg);

    write_text(jpath, "{\"satmark_journal\":7,\"target\":\"x\",\"target_sha256\":\"\","
                      "\"written\":\"t\",\"features\":0}\n{\"type\":\"FeatureCollection\","
                      "\"features\":[]}");
    assert_false(journal_read(jpath, target, &info, &out, dg));
    assert_non_null(strstr(diag_message(dg), "version"));
    diag_reset(dg);

    /* A body cut short (a torn write would never be renamed in, but a disk
     * error could still leave one). */
    struct annot_set *set = sample_set();
    assert_true(journal_write(jpath, target, set, dg));
    FILE *f = fopen(jpath, "rb");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n / 2] = '\0';
    write_text(jpath, buf);
    assert_false(journal_read(jpath, target, &info, &out, dg));
    assert_null(out);
    assert_non_null(strstr(diag_message(dg), jpath));
    diag_reset(dg);

    /* A header whose count disagrees with the body. */
    char *body = gjwrite_string(set, NULL, dg);
    f = fopen(jpath, "wb");
    fprintf(f, "{\"satmark_journal\":1,\"target\":\"bad.geojson\",\"target_sha256\":\"\","
               "\"written\":\"t\",\"features\":5}\n%s", body);
    fclose(f);
    free(body);
    assert_false(journal_read(jpath, target, &info, &out, dg));
    assert_non_null(strstr(diag_message(dg), "5 features"));
    diag_free(dg);
    annot_set_free(set);
}

static void write_policy(void **state)
{
    (void)state;
    /* generation now, written, unsaved, now, last write, interval */
    assert_true(journal_due(5, 4, true, 10.0, 7.0, 2.0));
    assert_false(journal_due(5, 4, true, 10.0, 8.5, 2.0));  /* too soon */
    assert_false(journal_due(5, 5, true, 10.0, 0.0, 2.0));  /* nothing new */
    assert_false(journal_due(5, 4, false, 10.0, 0.0, 2.0)); /* saved */
    assert_true(journal_due(1, 0, true, 2.0, 0.0, 2.0));    /* exactly the interval */
}

static void write_to_missing_directory_fails(void **state)
{
    (void)state;
    struct annot_set *set = sample_set();
    struct diag *dg = diag_new();
    assert_false(journal_write("/nonexistent-dir/x.geojson.journal", "/nonexistent-dir/x.geojson",
                               set, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent-dir/x.geojson.journal"));
    diag_free(dg);
    annot_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_beside_file),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(damaged_journals_refused),
        cmocka_unit_test(write_policy),
        cmocka_unit_test(write_to_missing_directory_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
