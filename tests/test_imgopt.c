/* Unit tests of imgopt: the shared image options parse the same way for
 * every command (values taken, bad values refused with the reason, other
 * arguments left alone), and imgopt_prepare turns a subdataset index or name
 * into the subdataset's own GDAL name (a two-page TIFF from tests/data),
 * refusing names that are not there with the choices listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imgopt.h"

#define DATA(name) SATMARK_TEST_DATA "/" name

static void parses_and_refuses(void **state)
{
    (void)state;
    char *argv[] = {"render", "x.tif", "--georef", "tps", "--keep-degrees", "--dem",
                    "h.tif",  "--subdataset", "Band3", "--georef", "poly7", "--subdataset",
                    "0", "--dem"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    struct imgopt o;
    imgopt_init(&o);
    char msg[256];
    int i = 1;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_NOT_MINE);
    assert_int_equal(i, 1);
    i = 2;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_TAKEN);
    assert_int_equal(i, 3);
    assert_string_equal(o.georef_method, "tps");
    i = 4;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_TAKEN);
    assert_int_equal(i, 4);
    assert_true(o.keep_degrees);
    i = 5;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_TAKEN);
    assert_string_equal(o.dem, "h.tif");
    i = 7;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_TAKEN);
    assert_string_equal(o.subdataset, "Band3");
    i = 9;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_BAD);
    assert_non_null(strstr(msg, "poly7"));
    assert_string_equal(o.georef_method, "tps"); /* untouched */
    i = 11;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_BAD);
    assert_non_null(strstr(msg, "--subdataset"));
    i = 13;
    assert_int_equal(imgopt_parse_arg(&o, argc, argv, &i, msg, sizeof msg), IMGOPT_BAD);
    assert_non_null(strstr(msg, "--dem needs"));
    assert_true(imgopt_set_georef(&o, "none", msg, sizeof msg));
    assert_true(imgopt_set_georef(&o, "auto", msg, sizeof msg));
    assert_false(imgopt_set_georef(&o, NULL, msg, sizeof msg));
}

static void prepare(const char *path, const char *sub, char **out, char *err, size_t cap)
{
    struct imgopt o;
    imgopt_init(&o);
    o.subdataset = sub;
    struct raster_open_options ro;
    raster_open_options_init(&ro);
    struct diag *dg = diag_new();
    *out = imgopt_prepare(&o, path, &ro, dg);
    snprintf(err, cap, "%s", diag_failed(dg) ? diag_message(dg) : "");
    diag_free(dg);
}

static void resolves_subdatasets(void **state)
{
    (void)state;
    char *name, err[1024];
    prepare(DATA("gdal_twoimages.tif"), NULL, &name, err, sizeof err);
    assert_string_equal(name, DATA("gdal_twoimages.tif"));
    free(name);
    prepare(DATA("gdal_twoimages.tif"), "2", &name, err, sizeof err);
    assert_non_null(name);
    assert_string_equal(name, "GTIFF_DIR:2:" DATA("gdal_twoimages.tif"));
    char full[600];
    snprintf(full, sizeof full, "%s", name);
    free(name);
    prepare(DATA("gdal_twoimages.tif"), full, &name, err, sizeof err);
    assert_non_null(name);
    assert_string_equal(name, full);
    free(name);
    prepare(DATA("gdal_twoimages.tif"), "3", &name, err, sizeof err);
    assert_null(name);
    assert_non_null(strstr(err, "no subdataset \"3\"; it has 2: 1 GTIFF_DIR:1:"));
    prepare(DATA("gdal_twoimages.tif"), "Band3", &name, err, sizeof err);
    assert_null(name);
    assert_non_null(strstr(err, "gdal_twoimages.tif: no subdataset \"Band3\""));
    prepare(DATA("L7_ETMs.tif"), "Band3", &name, err, sizeof err);
    assert_null(name);
    assert_non_null(strstr(err, "has no subdatasets"));
    prepare(DATA("absent.tif"), "1", &name, err, sizeof err);
    assert_null(name);
    assert_non_null(strstr(err, "absent.tif"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_and_refuses),
        cmocka_unit_test(resolves_subdatasets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
