/* Unit tests of imagery: register write/read round trip, synthetic
 * enforcement (metadata says synthetic => never real), acquisition time from
 * metadata or given (never the TIFF write time), strict reading with errors
 * naming the file and the entry, re-hash checks (changed, missing, synthetic
 * registered as real) and how observations match entries. Tiles are tiny
 * GeoTIFFs written with GDAL into a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagery.h"
#include "raster.h"

struct fixture {
    char dir[64];
    char reg[128];
    char synthetic[128], real[128], undated[128];
};

/* A 4x4 GeoTIFF with the given metadata (NULL-terminated key, value pairs). */
static void make_tile(const char *path, const char *const *meta)
{
    raster_init();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 4, 4, 1, GDT_Byte, NULL);
    assert_non_null(ds);
    double gt[6] = {500000, 1, 0, 4000000, 0, -1};
    GDALSetGeoTransform(ds, gt);
    for (size_t i = 0; meta && meta[i]; i += 2)
        GDALSetMetadataItem(ds, meta[i], meta[i + 1], NULL);
    unsigned char px[16];
    for (int i = 0; i < 16; i++)
        px[i] = (unsigned char)(i * 13 + strlen(path));
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, 4, 4, px, 4, 4,
                                  GDT_Byte, 0, 0),
                     CE_None);
    GDALClose(ds);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/satmark-imagery-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/tiles", fx->dir);
    if (mkdir(sub, 0755) != 0)
        return -1;
    snprintf(sub, sizeof sub, "%s/annotations", fx->dir);
    if (mkdir(sub, 0755) != 0)
        return -1;
    snprintf(fx->reg, sizeof fx->reg, "%s/annotations/imagery.json", fx->dir);
    snprintf(fx->synthetic, sizeof fx->synthetic, "%s/tiles/demo_2024-03-17.tif", fx->dir);
    snprintf(fx->real, sizeof fx->real, "%s/tiles/scene.tif", fx->dir);
    snprintf(fx->undated, sizeof fx->undated, "%s/tiles/undated.tif", fx->dir);
    static const char *const synthetic_meta[] = {"SATMARK_SYNTHETIC", "YES", "SATMARK_ACQUIRED",
                                                 "2024-03-17", NULL};
    static const char *const real_meta[] = {"ACQUISITION_DATE", "2023-05-06T07:08:09Z", NULL};
    static const char *const undated_meta[] = {"TIFFTAG_DATETIME", "2020:01:02 03:04:05", NULL};
    make_tile(fx->synthetic, synthetic_meta);
    make_tile(fx->real, real_meta);
    make_tile(fx->undated, undated_meta);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static const struct imagery_entry *add(struct imagery_register *reg, const char *tile,
                                       const struct imagery_add_options *opt, struct diag *dg)
{
    struct imagery_add_options defaults;
    imagery_add_options_init(&defaults);
    return imagery_add_tile(reg, tile, opt ? opt : &defaults, NULL, dg);
}

static void round_trip(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    struct imagery_add_options opt;
    imagery_add_options_init(&opt);
    opt.provider = "Example Space";
    opt.sensor = "EX-1";
    opt.gsd_m = 0.5;
    opt.licence = "CC BY 4.0";
    opt.credit = "Image © Example Space";
    opt.source_url = "https://example.org/scene";
    opt.by = "analyst";
    const struct imagery_entry *e = add(reg, fx->real, &opt, dg);
    if (!e)
        fail_msg("%s", diag_message(dg));
    assert_non_null(add(reg, fx->synthetic, NULL, dg));
    assert_true(imagery_register_write(reg, dg));
    imagery_register_free(reg);

    assert_true(imagery_register_read(fx->reg, &reg, dg));
    assert_int_equal(imagery_count(reg), 2);
    e = imagery_at(reg, 0);
    assert_string_equal(e->id, "scene");
    assert_string_equal(e->file, "../tiles/scene.tif");
    assert_string_equal(e->acquired, "2023-05-06T07:08:09Z");
    assert_string_equal(e->acquired_from, "metadata");
    assert_string_equal(e->provider, "Example Space");
    assert_string_equal(e->sensor, "EX-1");
    assert_true(e->gsd_m == 0.5);
    assert_string_equal(e->licence, "CC BY 4.0");
    assert_string_equal(e->credit, "Image © Example Space");
    assert_string_equal(e->source_url, "https://example.org/scene");
    assert_string_equal(e->added_by, "analyst");
    assert_true(imagery_acquired_valid(e->added_at) && strlen(e->added_at) == 20);
    assert_false(e->synthetic);
    assert_true(hash_is_sha256_hex(e->sha256));
    assert_true(e->size > 0);
    char hex[HASH_SHA256_HEX_LEN + 1];
    assert_true(hash_file_sha256(fx->real, hex, dg));
    assert_string_equal(e->sha256, hex);
    const struct imagery_entry *s = imagery_at(reg, 1);
    assert_string_equal(s->id, "demo_2024-03-17");
    assert_true(s->synthetic);
    assert_string_equal(s->acquired, "2024-03-17");
    assert_true(s->gsd_m <= 0.0);
    char path[256];
    assert_true(imagery_entry_path(reg, s, path, sizeof path));
    char want[256];
    snprintf(want, sizeof want, "%s/annotations/../tiles/demo_2024-03-17.tif", fx->dir);
    assert_string_equal(path, want);
    /* rewritten unchanged: byte-identical */
    FILE *f = fopen(fx->reg, "rb");
    char a[8192], b[8192];
    size_t na = fread(a, 1, sizeof a, f);
    fclose(f);
    assert_true(imagery_register_write(reg, dg));
    f = fopen(fx->reg, "rb");
    size_t nb = fread(b, 1, sizeof b, f);
    fclose(f);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    imagery_register_free(reg);
    diag_free(dg);
}

static void synthetic_is_enforced(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    struct imagery_add_options opt;
    imagery_add_options_init(&opt);
    opt.synthetic = IMAGERY_SYNTHETIC_NO;
    assert_null(add(reg, fx->synthetic, &opt, dg));
    assert_non_null(strstr(diag_message(dg), "SATMARK_SYNTHETIC=YES"));
    assert_non_null(strstr(diag_message(dg), fx->synthetic));
    assert_int_equal(imagery_count(reg), 0);
    diag_reset(dg);
    /* --synthetic on a tile that does not say so */
    opt.synthetic = IMAGERY_SYNTHETIC_YES;
    const struct imagery_entry *e = add(reg, fx->real, &opt, dg);
    assert_non_null(e);
    assert_true(e->synthetic);
    /* a register edited by hand to call the synthetic tile real is caught */
    opt.synthetic = IMAGERY_SYNTHETIC_AUTO;
    assert_non_null(add(reg, fx->synthetic, &opt, dg));
    assert_true(imagery_register_write(reg, dg));
    imagery_register_free(reg);
    FILE *f = fopen(fx->reg, "rb");
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *second = strstr(text, "\"demo_2024-03-17\"");
    char *flag = strstr(second, "\"synthetic\": true");
    assert_non_null(flag);
    f = fopen(fx->reg, "wb");
    fprintf(f, "%.*s\"synthetic\": false%s", (int)(flag - text), text,
            flag + strlen("\"synthetic\": true"));
    fclose(f);
    assert_true(imagery_register_read(fx->reg, &reg, dg));
    assert_false(imagery_at(reg, 1)->synthetic);
    char actual[HASH_SHA256_HEX_LEN + 1];
    assert_int_equal(imagery_check_entry(reg, 1, actual, dg), IMAGERY_FILE_SYNTHETIC_REAL);
    assert_int_equal(imagery_check_entry(reg, 0, actual, dg), IMAGERY_FILE_OK);
    imagery_register_free(reg);
    diag_free(dg);
}

static void acquired_from_metadata_or_given(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    /* TIFFTAG_DATETIME is the file's write time: not an acquisition */
    const struct imagery_entry *e = add(reg, fx->undated, NULL, dg);
    assert_non_null(e);
    assert_string_equal(e->acquired, "");
    assert_string_equal(e->acquired_from, "");
    assert_true(diag_warning_count(dg) >= 1);
    assert_non_null(strstr(diag_warning(dg, diag_warning_count(dg) - 1), "TIFFTAG_DATETIME"));
    struct imagery_add_options opt;
    imagery_add_options_init(&opt);
    opt.acquired = "2019-12-31";
    opt.replace = true;
    struct imagery_add_outcome outcome;
    char first_sha[HASH_SHA256_HEX_LEN + 1];
    memcpy(first_sha, e->sha256, sizeof first_sha);
    e = imagery_add_tile(reg, fx->undated, &opt, &outcome, dg);
    assert_non_null(e);
    assert_string_equal(e->acquired, "2019-12-31");
    assert_string_equal(e->acquired_from, "given");
    assert_int_equal(outcome.kind, IMAGERY_REPLACED); /* same file, described anew */
    assert_string_equal(outcome.old_sha256, first_sha);
    assert_int_equal(imagery_count(reg), 1);
    /* the same again: nothing changes */
    char added_at[64];
    snprintf(added_at, sizeof added_at, "%s", e->added_at);
    e = imagery_add_tile(reg, fx->undated, &opt, &outcome, dg);
    assert_non_null(e);
    assert_int_equal(outcome.kind, IMAGERY_UNCHANGED);
    assert_string_equal(e->added_at, added_at);
    /* a different file under the id: replaced, old hash reported */
    FILE *f = fopen(fx->undated, "ab");
    fputc('!', f);
    fclose(f);
    e = imagery_add_tile(reg, fx->undated, &opt, &outcome, dg);
    assert_non_null(e);
    assert_int_equal(outcome.kind, IMAGERY_REPLACED);
    assert_string_equal(outcome.old_sha256, first_sha);
    assert_string_not_equal(e->sha256, first_sha);
    assert_int_equal(imagery_count(reg), 1);
    opt.acquired = "31/12/2019";
    opt.id = "other";
    assert_null(imagery_add_tile(reg, fx->real, &opt, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "--acquired"));
    imagery_register_free(reg);
    diag_free(dg);
}

static void duplicates_refused(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    assert_non_null(add(reg, fx->real, NULL, dg));
    assert_null(add(reg, fx->real, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "already registered"));
    diag_reset(dg);
    struct imagery_add_options opt;
    imagery_add_options_init(&opt);
    opt.id = "same-file-other-id";
    assert_null(add(reg, fx->real, &opt, dg));
    assert_non_null(strstr(diag_message(dg), "already registered as \"scene\""));
    diag_reset(dg);
    opt.id = "scene"; /* another file under a taken id */
    assert_null(add(reg, fx->undated, &opt, dg));
    assert_non_null(strstr(diag_message(dg), "--replace"));
    assert_int_equal(imagery_count(reg), 1);
    imagery_register_free(reg);
    diag_free(dg);
}

static void expect_read_error(const char *path, const char *json, const char *expect)
{
    if (json) {
        FILE *f = fopen(path, "wb");
        fputs(json, f);
        fclose(f);
    }
    struct diag *dg = diag_new();
    struct imagery_register *reg = (struct imagery_register *)1;
    assert_false(imagery_register_read(path, &reg, dg));
    assert_null(reg);
    if (!strstr(diag_message(dg), expect))
        fail_msg("message \"%s\" lacks \"%s\"", diag_message(dg), expect);
    if (strncmp(diag_message(dg), path, strlen(path)) != 0)
        fail_msg("message \"%s\" does not start with the file name", diag_message(dg));
    diag_free(dg);
}

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ENTRY(extra) "{\"id\":\"a\",\"file\":\"a.tif\",\"sha256\":\"" SHA "\",\"size\":1,\"synthetic\":true" extra "}"

static void strict_reading(void **state)
{
    struct fixture *fx = *state;
    const char *p = fx->reg;
    expect_read_error(p, "{", "not valid JSON");
    expect_read_error(p, "[]", "must be a JSON object");
    expect_read_error(p, "{\"images\":[]}", "not an imagery register");
    expect_read_error(p, "{\"satmark_imagery\":2,\"images\":[]}", "version 2");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[],\"x\":1}", "unknown member \"x\"");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":{}}", "\"images\" must be an array");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[1]}", "images[0]: must be an object");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY(",\"colour\":1") "]}",
                      "images[0] (\"a\"): unknown member \"colour\"");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[{\"id\":\"a\"}]}",
                      "images[0] (\"a\"): \"file\" is missing");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY(",\"sha256\":\"ABC\"") "]}",
                      "duplicate");
    expect_read_error(p,
                      "{\"satmark_imagery\":1,\"images\":[{\"id\":\"a\",\"file\":\"a.tif\","
                      "\"sha256\":\"XYZ\",\"size\":1,\"synthetic\":true}]}",
                      "images[0] (\"a\"): \"sha256\" must be 64 lowercase hexadecimal digits");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY(",\"acquired\":\"March\",\"acquired_from\":\"given\"") "]}",
                      "\"acquired\" must be YYYY-MM-DD");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY(",\"acquired\":\"2024-03-17\"") "]}",
                      "\"acquired_from\" must say where");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY(",\"gsd_m\":-1") "]}",
                      "\"gsd_m\" must be a positive number");
    expect_read_error(p,
                      "{\"satmark_imagery\":1,\"images\":[{\"id\":\"a\",\"file\":\"a.tif\","
                      "\"sha256\":\"" SHA "\",\"size\":1,\"synthetic\":\"yes\"}]}",
                      "\"synthetic\" must be true or false");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY("") "," ENTRY("") "]}",
                      "images[1] (\"a\"): \"id\" repeats images[0]");
    expect_read_error(p,
                      "{\"satmark_imagery\":1,\"images\":[" ENTRY("") ",{\"id\":\"b\",\"file\":"
                      "\"b.tif\",\"sha256\":\"" SHA "\",\"size\":1,\"synthetic\":false}]}",
                      "images[1] (\"b\"): \"sha256\" repeats images[0] (\"a\")");
    expect_read_error(p, "{\"satmark_imagery\":1,\"images\":[" ENTRY(",\"provider\":\"a\\u0001b\"") "]}",
                      "\"provider\" contains control characters");
    expect_read_error("/nonexistent/imagery.json", NULL, "cannot open");
    /* a well-formed minimal register reads, with "" for absent strings */
    FILE *f = fopen(p, "wb");
    fputs("{\"satmark_imagery\":1,\"images\":[" ENTRY("") "]}", f);
    fclose(f);
    struct diag *dg = diag_new();
    struct imagery_register *reg = NULL;
    assert_true(imagery_register_read(p, &reg, dg));
    assert_string_equal(imagery_at(reg, 0)->provider, "");
    assert_string_equal(imagery_at(reg, 0)->acquired, "");
    imagery_register_free(reg);
    diag_free(dg);
}

static void acquired_syntax(void **state)
{
    (void)state;
    const char *good[] = {"", "2024-03-17", "2024-03-17T10:22Z", "2024-03-17T10:22:33Z",
                          "2024-03-17T10:22:33.125Z"};
    const char *bad[] = {"2024-3-17",  "2024-13-01", "2024-03-32", "2024-03-17T10:22",
                         "2024-03-17T25:00Z", "2024-03-17 10:22Z", "2024-03-17T10:22:33+01:00",
                         "March 2024", "2024-03-17Z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!imagery_acquired_valid(good[i]))
            fail_msg("\"%s\" refused", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (imagery_acquired_valid(bad[i]))
            fail_msg("\"%s\" accepted", bad[i]);
}

static void check_changed_and_missing(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    assert_non_null(add(reg, fx->real, NULL, dg));
    assert_non_null(add(reg, fx->undated, NULL, dg));
    char actual[HASH_SHA256_HEX_LEN + 1];
    assert_int_equal(imagery_check_entry(reg, 0, actual, dg), IMAGERY_FILE_OK);
    assert_string_equal(actual, imagery_at(reg, 0)->sha256);
    FILE *f = fopen(fx->real, "ab");
    fputc('x', f);
    fclose(f);
    size_t warnings = diag_warning_count(dg);
    assert_int_equal(imagery_check_entry(reg, 0, actual, dg), IMAGERY_FILE_CHANGED);
    assert_string_not_equal(actual, imagery_at(reg, 0)->sha256);
    assert_non_null(strstr(diag_warning(dg, warnings), "\"scene\""));
    remove(fx->undated);
    assert_int_equal(imagery_check_entry(reg, 1, actual, dg), IMAGERY_FILE_MISSING);
    assert_string_equal(actual, "");
    assert_false(diag_failed(dg));
    imagery_register_free(reg);
    diag_free(dg);
}

static void matching_observations(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    const struct imagery_entry *e = add(reg, fx->real, NULL, dg);
    char sha[HASH_SHA256_HEX_LEN + 1];
    memcpy(sha, e->sha256, sizeof sha);
    enum imagery_match how;
    assert_ptr_equal(imagery_match(reg, "renamed.tif", sha, &how), imagery_at(reg, 0));
    assert_int_equal(how, IMAGERY_MATCH_SHA256);
    assert_ptr_equal(imagery_match(reg, "scene.tif", SHA, &how), imagery_at(reg, 0));
    assert_int_equal(how, IMAGERY_MATCH_NAME);
    assert_ptr_equal(imagery_match(reg, "/elsewhere/scene.tif", "", &how), imagery_at(reg, 0));
    assert_null(imagery_match(reg, "other.tif", SHA, &how));
    assert_int_equal(how, IMAGERY_MATCH_NONE);
    assert_string_equal(imagery_match_name(how), "unregistered");
    assert_null(imagery_match(NULL, "scene.tif", sha, &how));
    assert_int_equal(how, IMAGERY_MATCH_NONE);
    assert_ptr_equal(imagery_find_id(reg, "scene"), imagery_at(reg, 0));
    assert_true(imagery_register_write(reg, dg));
    char located[256], annot[256];
    snprintf(annot, sizeof annot, "%s/annotations/site.geojson", fx->dir);
    assert_true(imagery_register_locate(annot, located, sizeof located));
    assert_string_equal(located, fx->reg);
    snprintf(annot, sizeof annot, "%s/annotations", fx->dir);
    assert_true(imagery_register_locate(annot, located, sizeof located));
    snprintf(annot, sizeof annot, "%s/tiles/x.geojson", fx->dir);
    assert_false(imagery_register_locate(annot, located, sizeof located));
    assert_string_equal(located, "");
    imagery_register_free(reg);
    diag_free(dg);
}

/* A file `satmark fetch` wrote comes with FILE.stac.json: its provider,
 * licence, link, GSD and time fill what the user leaves out, but only when
 * the record's SHA-256 is the file's. */
static void fetch_record_adopted(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    char hex[HASH_SHA256_HEX_LEN + 1], sidecar[256];
    assert_true(hash_file_sha256(fx->undated, hex, dg));
    snprintf(sidecar, sizeof sidecar, "%s.stac.json", fx->undated);
    FILE *f = fopen(sidecar, "wb");
    fprintf(f, "{\"satmark_fetch\": 1, \"acquired\": \"2023-07-08T09:10:11.5Z\", "
               "\"provider\": \"Example STAC\", \"licence\": \"CC-BY-4.0\", "
               "\"item_self\": \"https://stac.example/items/x\", \"fetched_at\": "
               "\"2026-01-01T00:00:00Z\", \"gsd_m\": 10, \"sha256\": \"%s\"}\n", hex);
    fclose(f);
    struct imagery_register *reg = imagery_register_new(fx->reg, dg);
    struct imagery_add_options opt;
    imagery_add_options_init(&opt);
    opt.licence = "given licence wins";
    struct imagery_add_outcome outcome;
    const struct imagery_entry *e = imagery_add_tile(reg, fx->undated, &opt, &outcome, dg);
    if (!e)
        fail_msg("%s", diag_message(dg));
    assert_true(outcome.fetch_record);
    assert_string_equal(e->provider, "Example STAC");
    assert_string_equal(e->licence, "given licence wins");
    assert_string_equal(e->source_url, "https://stac.example/items/x");
    assert_true(e->gsd_m == 10.0);
    assert_string_equal(e->acquired, "2023-07-08T09:10:11.5Z");
    assert_string_equal(e->acquired_from, "metadata");
    imagery_register_free(reg);

    /* a record of another file is not used */
    f = fopen(sidecar, "wb");
    fprintf(f, "{\"satmark_fetch\": 1, \"provider\": \"Other\", \"sha256\": \"%064d\"}\n", 0);
    fclose(f);
    reg = imagery_register_new(fx->reg, dg);
    diag_reset(dg);
    e = imagery_add_tile(reg, fx->undated, NULL, &outcome, dg);
    assert_non_null(e);
    assert_false(outcome.fetch_record);
    assert_string_equal(e->provider, "");
    bool warned = false;
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        warned |= strstr(diag_warning(dg, i), "describes another file") != NULL;
    assert_true(warned);
    imagery_register_free(reg);
    remove(sidecar);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(synthetic_is_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(acquired_from_metadata_or_given, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicates_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(strict_reading, setup, teardown),
        cmocka_unit_test(acquired_syntax),
        cmocka_unit_test_setup_teardown(check_changed_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(matching_observations, setup, teardown),
        cmocka_unit_test_setup_teardown(fetch_record_adopted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
