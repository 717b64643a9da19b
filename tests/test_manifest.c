/*
 * test_manifest — batch manifests: defaults merge into figures, relative paths
 * resolve against the manifest's directory, views and options parse, and
 * every kind of bad input (syntax, duplicate keys, unknown members, unsafe or
 * duplicate names, bad views) fails with a message naming the file and the
 * figure. Also the --shard parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/satmark-test-manifest-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to tmpdir/name; path receives the full path. */
static void write_manifest(const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_defaults_paths_and_views(void **state)
{
    (void)state;
    char path[512];
    write_manifest("good.manifest",
                   "{\"satmark_manifest\": 1,\n"
                   " \"defaults\": {\"tile\": \"tiles/a.tif\", \"annotations\": [\"a.geojson\"],\n"
                   "              \"size\": \"800x600\", \"catalog\": \"claims.json\"},\n"
                   " \"figures\": [\n"
                   "  {\"name\": \"whole\", \"inset\": true, \"legend\": false},\n"
                   "  {\"name\": \"pier-2\", \"view\": {\"feature\": \"pier-2\", \"pad_m\": 80},\n"
                   "   \"claims\": [\"c1\", \"c2\"], \"title\": \"Pier 2\"},\n"
                   "  {\"name\": \"box\", \"tile\": \"/abs/b.tif\", \"view\": {\"bbox\": [130.1, "
                   "42.2, 130.3, 42.3]},\n"
                   "   \"bands\": [3, 2, 1], \"fit\": \"letterbox\", \"size\": \"640x\"}\n"
                   " ]}\n",
                   path, sizeof path);
    struct manifest *m = NULL;
    struct diag *dg = diag_new();
    if (!manifest_read(path, "/out/dir", &m, dg))
        fail_msg("%s", diag_message(dg));
    assert_int_equal(manifest_count(m), 3);

    const struct manifest_figure *f0 = manifest_figure_at(m, 0);
    char want[600];
    snprintf(want, sizeof want, "%s/tiles/a.tif", tmpdir);
    assert_string_equal(f0->name, "whole");
    assert_string_equal(f0->spec.tile, want);
    assert_string_equal(f0->spec.out_path, "/out/dir/whole.png");
    assert_int_equal(f0->spec.nannotations, 1);
    snprintf(want, sizeof want, "%s/a.geojson", tmpdir);
    assert_string_equal(f0->spec.annotations[0], want);
    snprintf(want, sizeof want, "%s/claims.json", tmpdir);
    assert_string_equal(f0->spec.claims_path, want);
    assert_int_equal(f0->spec.view, FIGURE_VIEW_TILE);
    assert_true(f0->spec.inset && !f0->spec.legend && f0->spec.scalebar);
    assert_int_equal(f0->spec.width, 800);
    assert_int_equal(f0->spec.height, 600);
    assert_non_null(strstr(f0->spec.parameters, "\"inset\":true"));

    const struct manifest_figure *f1 = manifest_figure_at(m, 1);
    assert_int_equal(f1->spec.view, FIGURE_VIEW_FEATURE);
    assert_string_equal(f1->spec.feature_id, "pier-2");
    assert_true(f1->spec.pad_m == 80);
    assert_int_equal(f1->spec.nclaim_ids, 2);
    assert_string_equal(f1->spec.claim_ids[1], "c2");
    assert_string_equal(f1->spec.title, "Pier 2");

    const struct manifest_figure *f2 = manifest_figure_at(m, 2);
    assert_string_equal(f2->spec.tile, "/abs/b.tif");
    assert_int_equal(f2->spec.view, FIGURE_VIEW_BBOX);
    assert_true(f2->spec.bbox[0] == 130.1 && f2->spec.bbox[3] == 42.3);
    assert_true(f2->spec.bands[0] == 3 && f2->spec.bands[2] == 1);
    assert_int_equal(f2->spec.fit, RENDER_FIT_LETTERBOX);
    assert_int_equal(f2->spec.width, 640);
    assert_int_equal(f2->spec.height, 0);
    manifest_free(m);
    diag_free(dg);
}

static void test_plain_array(void **state)
{
    (void)state;
    char path[512];
    write_manifest("array.manifest", "[{\"name\": \"a\", \"tile\": \"x.tif\"}]", path,
                   sizeof path);
    struct manifest *m = NULL;
    struct diag *dg = diag_new();
    assert_true(manifest_read(path, "o", &m, dg));
    assert_int_equal(manifest_count(m), 1);
    assert_string_equal(manifest_figure_at(m, 0)->spec.out_path, "o/a.png");
    manifest_free(m);
    diag_free(dg);
}

/* The image options (imgopt) and the ramp: defaults inherited, the DEM
 * relative to the manifest, subdataset by index or name. */
static void test_image_options(void **state)
{
    (void)state;
    char path[512];
    write_manifest("img.manifest",
                   "{\"satmark_manifest\": 1,\n"
                   " \"defaults\": {\"tile\": \"c.nc\", \"georef\": \"tps\", \"dem\": "
                   "\"dem/h.tif\"},\n"
                   " \"figures\": [\n"
                   "  {\"name\": \"a\", \"subdataset\": 3, \"ramp\": \"viridis\", "
                   "\"bands\": \"1\"},\n"
                   "  {\"name\": \"b\", \"subdataset\": \"Band3\", \"keep_degrees\": true, "
                   "\"georef\": \"none\"},\n"
                   "  {\"name\": \"c\"}]}\n",
                   path, sizeof path);
    struct manifest *m = NULL;
    struct diag *dg = diag_new();
    if (!manifest_read(path, "o", &m, dg))
        fail_msg("%s", diag_message(dg));
    const struct figure_spec *a = &manifest_figure_at(m, 0)->spec;
    const struct figure_spec *b = &manifest_figure_at(m, 1)->spec;
    const struct figure_spec *c = &manifest_figure_at(m, 2)->spec;
    assert_string_equal(a->image.subdataset, "3");
    assert_int_equal(a->ramp, RAMP_VIRIDIS);
    assert_string_equal(a->image.georef_method, "tps");
    char dem[600];
    snprintf(dem, sizeof dem, "%s/dem/h.tif", tmpdir);
    assert_string_equal(a->image.dem, dem);
    assert_false(a->image.keep_degrees);
    assert_string_equal(b->image.subdataset, "Band3");
    assert_string_equal(b->image.georef_method, "none");
    assert_true(b->image.keep_degrees);
    assert_int_equal(b->ramp, RAMP_GREY);
    assert_null(c->image.subdataset);
    assert_string_equal(c->image.georef_method, "tps");
    manifest_free(m);
    diag_free(dg);
}

struct bad_case {
    const char *text;
    const char *expect; /* substring of the error */
};

static void test_bad_manifests(void **state)
{
    (void)state;
    const struct bad_case cases[] = {
        {"[{\"name\": \"a\", \"tile\": \"x.tif\",}]", "bad.manifest:1:"},
        {"{\"figures\": [], \"figures\": []}", "bad.manifest:1:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"inest\": true}]", "unknown member \"inest\""},
        {"[{\"name\": \"../escape\", \"tile\": \"x.tif\"}]", "figures[0]: name"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\"}, {\"name\": \"a\", \"tile\": \"y.tif\"}]",
         "used twice"},
        {"[{\"name\": \"a\"}]", "(a): tile"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"view\": {\"feature\": \"p\"}}]",
         "needs \"annotations\""},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"view\": {\"bbox\": [1, 2, 0, 3]}}]",
         "view.bbox"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"view\": \"whole\"}]", "view:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"size\": \"10x10\"}]", "size:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"legend\": \"yes\"}]", "legend:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"bands\": [1, 2]}]", "bands:"},
        {"{\"satmark_manifest\": 2, \"figures\": []}", "version"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"ramp\": \"jet\"}]", "(a): ramp:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"georef\": \"poly9\"}]", "(a): georef:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"subdataset\": 0}]", "(a): subdataset:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"subdataset\": \"\"}]", "(a): subdataset:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"keep_degrees\": 1}]", "keep_degrees:"},
        {"[{\"name\": \"a\", \"tile\": \"x.tif\", \"dem\": 5}]", "(a): dem:"},
        {"{\"figurs\": []}", "unknown top-level member"},
        {"[3]", "figures[0]: must be an object"},
        {"\"x\"", "bad.manifest:1:"},
        {"{\"defaults\": {}}", "expected an array"},
        {"", "bad.manifest"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        write_manifest("bad.manifest", cases[i].text, path, sizeof path);
        struct manifest *m = NULL;
        struct diag *dg = diag_new();
        if (manifest_read(path, "o", &m, dg))
            fail_msg("case %zu (%s) was accepted", i, cases[i].text);
        assert_null(m);
        if (!strstr(diag_message(dg), cases[i].expect))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, diag_message(dg),
                     cases[i].expect);
        diag_free(dg);
    }
    struct manifest *m = NULL;
    struct diag *dg = diag_new();
    assert_false(manifest_read("/nonexistent/x.manifest", "o", &m, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent/x.manifest"));
    diag_free(dg);
}

static void test_shard_parser(void **state)
{
    (void)state;
    size_t i, n;
    assert_true(manifest_parse_shard("0/1", &i, &n) && i == 0 && n == 1);
    assert_true(manifest_parse_shard("2/3", &i, &n) && i == 2 && n == 3);
    assert_false(manifest_parse_shard("3/3", &i, &n));
    assert_false(manifest_parse_shard("1/0", &i, &n));
    assert_false(manifest_parse_shard("-1/3", &i, &n));
    assert_false(manifest_parse_shard("1/3x", &i, &n));
    assert_false(manifest_parse_shard("1", &i, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_paths_and_views),
        cmocka_unit_test(test_plain_array),
        cmocka_unit_test(test_image_options),
        cmocka_unit_test(test_bad_manifests),
        cmocka_unit_test(test_shard_parser),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
