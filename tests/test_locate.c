/*
 * test_locate — the one lookup rule for catalogs and tiles (issue 11): beside
 * the annotation file, then the investigation root (the directory holding
 * annotations/, or the current directory's annotations/), with every path
 * tried recorded in order. Works in a fresh temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "locate.h"

static char base[256];
static char start_dir[4096];

static void touch(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", base, rel);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{}", fp);
    fclose(fp);
}

static void mkdir_rel(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", base, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
    (void)state;
    assert_non_null(getcwd(start_dir, sizeof start_dir));
    snprintf(base, sizeof base, "/tmp/satmark-test-locate-XXXXXX");
    assert_non_null(mkdtemp(base));
    mkdir_rel("inv");
    mkdir_rel("inv/annotations");
    mkdir_rel("inv/work");
    mkdir_rel("inv/assets");
    mkdir_rel("inv/assets/tiles");
    mkdir_rel("other");
    touch("inv/annotations/claims.json");
    touch("inv/assets/tiles/a.tif");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(chdir(start_dir), 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

static void root_is_the_directory_holding_annotations(void **state)
{
    (void)state;
    char root[4096], file[1024];
    snprintf(file, sizeof file, "%s/inv/annotations/site.geojson", base);
    assert_true(locate_root(file, root, sizeof root));
    char want[1024];
    snprintf(want, sizeof want, "%s/inv", base);
    assert_string_equal(root, want);
    /* a file elsewhere: the current directory when it has annotations/ */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/other", base);
    assert_int_equal(chdir(dir), 0);
    assert_false(locate_root("x.geojson", root, sizeof root));
    assert_string_equal(root, "");
    snprintf(dir, sizeof dir, "%s/inv", base);
    assert_int_equal(chdir(dir), 0);
    assert_true(locate_root("work/x.geojson", root, sizeof root));
    assert_string_equal(root, ".");
    assert_true(locate_root(NULL, root, sizeof root));
    assert_int_equal(chdir(start_dir), 0);
}

static void catalog_beside_then_root(void **state)
{
    (void)state;
    static struct locate_result r;
    char file[1024], want[1024];
    /* beside the file (which is also ROOT/annotations): one place tried */
    snprintf(file, sizeof file, "%s/inv/annotations/site.geojson", base);
    assert_true(locate_catalog(file, &r));
    snprintf(want, sizeof want, "%s/inv/annotations/claims.json", base);
    assert_string_equal(r.path, want);
    assert_int_equal(r.ntried, 1);
    /* from ROOT, a file in work/: beside it first, then the root's */
    snprintf(want, sizeof want, "%s/inv", base);
    assert_int_equal(chdir(want), 0);
    assert_true(locate_catalog("work/copy.geojson", &r));
    assert_string_equal(r.path, "annotations/claims.json");
    assert_int_equal(r.ntried, 2);
    assert_string_equal(r.tried[0], "work/claims.json");
    char said[2 * LOCATE_PATH_MAX];
    locate_describe(&r, "the claims catalog", said, sizeof said);
    assert_string_equal(said, "looked for the claims catalog in work/claims.json, "
                              "annotations/claims.json: using annotations/claims.json");
    /* a catalog beside the file wins over the root's */
    touch("inv/work/claims.json");
    assert_true(locate_catalog("work/copy.geojson", &r));
    assert_string_equal(r.path, "work/claims.json");
    /* nowhere: nothing found, the places listed */
    snprintf(want, sizeof want, "%s/other", base);
    assert_int_equal(chdir(want), 0);
    assert_false(locate_catalog("lone.geojson", &r));
    assert_string_equal(r.path, "");
    assert_int_equal(r.ntried, 1);
    assert_string_equal(r.tried[0], "claims.json");
    locate_describe(&r, "the claims catalog", said, sizeof said);
    assert_non_null(strstr(said, "none found"));
    assert_int_equal(chdir(start_dir), 0);
}

static void tiles_beside_then_root(void **state)
{
    (void)state;
    static struct locate_result r;
    char file[1024], want[1024];
    snprintf(file, sizeof file, "%s/inv/annotations/site.geojson", base);
    assert_true(locate_tile(file, "a.tif", &r));
    snprintf(want, sizeof want, "%s/inv/assets/tiles/a.tif", base);
    assert_string_equal(r.path, want);
    assert_int_equal(r.ntried, 4);
    assert_false(locate_tile(file, "b.tif", &r));
    /* names with a directory are not looked up */
    assert_false(locate_tile(file, "../assets/tiles/a.tif", &r));
    assert_int_equal(r.ntried, 0);
    assert_false(locate_tile(file, "..", &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(root_is_the_directory_holding_annotations),
        cmocka_unit_test(catalog_beside_then_root),
        cmocka_unit_test(tiles_beside_then_root),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
