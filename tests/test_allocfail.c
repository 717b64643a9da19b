/* Allocation-failure injection: for each path below, the N-th allocation made
 * by satmark's core (and by jansson, through json_set_alloc_funcs) fails, for
 * every N from 1 until the path no longer reaches N allocations. Every run
 * must end in success or in a clean failure with a message: no crash, no
 * leak (the sanitizer build's LeakSanitizer checks at exit), and for a save
 * no half-written file (the old file intact, no temporary left beside it).
 * The same for an OGR driver that refuses the N-th row of an export (the
 * writer's side of export_ogr.c's ring, where the filler thread is ahead).
 *
 * How: this binary is linked with -Wl,--wrap=malloc,... and
 * --wrap=OGR_L_CreateFeature (tests/CMakeLists.txt), so every call from the
 * core's objects goes through the __wrap_ functions here; libraries other
 * than jansson are not affected.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ogr_api.h>
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annot.h"
#include "claims.h"
#include "custody.h"
#include "diag.h"
#include "dynbuf.h"
#include "evidence.h"
#include "export.h"
#include "gjson.h"
#include "gjwrite.h"
#include "imagery.h"
#include "settings.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
OGRErr __real_OGR_L_CreateFeature(OGRLayerH layer, OGRFeatureH feature);
OGRErr __wrap_OGR_L_CreateFeature(OGRLayerH layer, OGRFeatureH feature);

/* 0: no injection. Otherwise the allocation numbered fail_at (1-based,
 * counted since arming) fails, and only that one. */
static atomic_ulong fail_at;
static atomic_ulong allocations;
static atomic_int injected; /* atomic: an export fills its rows on a second thread */
/* Whether jansson's allocations are counted too. Off for the catalog path:
 * jansson 2.14's string lexer asserts (load.c lex_scan_string) when its own
 * buffer allocation failed earlier, which is jansson's bug, not ours. */
static bool inject_into_jansson = true;

static int should_fail(void)
{
    if (!fail_at)
        return 0;
    if (atomic_fetch_add(&allocations, 1) + 1 == fail_at) {
        injected = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

/* 0: the driver takes every row. Otherwise the row numbered refuse_row
 * (1-based, counted since rows_written was reset) is refused, as a driver
 * does when its disk is full; called by the export's writer thread only. */
static unsigned long refuse_row;
static unsigned long rows_written;

OGRErr __wrap_OGR_L_CreateFeature(OGRLayerH layer, OGRFeatureH feature)
{
    if (refuse_row && ++rows_written == refuse_row)
        return OGRERR_FAILURE;
    return __real_OGR_L_CreateFeature(layer, feature);
}

static void *jansson_malloc(size_t size)
{
    return inject_into_jansson ? __wrap_malloc(size) : __real_malloc(size);
}

static void arm(unsigned long n)
{
    fail_at = n;
    allocations = 0;
    injected = 0;
}

static void disarm(void)
{
    fail_at = 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = __real_malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Runs path(n) for n = 1, 1 + stride, 1 + 2 * stride, ... until a run makes
 * fewer than n allocations (the injection was never reached). path returns
 * true on success; a failure must leave a message on its diag (checked by
 * path). Returns the number of runs, the last one included. A stride above 1
 * samples paths that make thousands of allocations. */
static unsigned long sampled_failures(bool (*path)(void *ctx, struct diag *dg), void *ctx,
                                      unsigned long stride)
{
    unsigned long runs = 0;
    for (unsigned long n = 1; n < 1000000; n += stride) {
        struct diag *dg = diag_new();
        assert_non_null(dg);
        arm(n);
        bool ok = path(ctx, dg);
        int reached = injected;
        disarm();
        runs++;
        if (!ok) {
            /* A failure is allowed only where an allocation failed, and it
             * says why. */
            assert_true(reached);
            assert_true(diag_failed(dg));
            assert_true(strlen(diag_message(dg)) > 0);
        }
        diag_free(dg);
        if (!reached)
            break;
    }
    return runs;
}

/* sampled_failures of every allocation; returns the number of injection
 * points covered plus one. */
static unsigned long every_failure(bool (*path)(void *ctx, struct diag *dg), void *ctx)
{
    unsigned long n = sampled_failures(path, ctx, 1);
    assert_true(n > 2); /* the path did allocate: the wrapping is in effect */
    return n;
}

/* ---- paths ----------------------------------------------------------------- */

struct text_input {
    const char *name;
    char *text;
    size_t len;
};

static bool read_annotations(void *ctx, struct diag *dg)
{
    struct text_input *in = ctx;
    struct annot_set *set = NULL;
    bool ok = gjson_read_buffer(in->name, in->text, in->len, &set, dg);
    assert_true(ok == (set != NULL));
    annot_set_free(set);
    return ok;
}

static bool read_and_evaluate_catalog(void *ctx, struct diag *dg)
{
    struct text_input *in = ctx;
    struct claims_catalog *cat = NULL;
    if (!claims_catalog_parse(in->text, in->name, &cat, dg)) {
        assert_null(cat);
        return false;
    }
    struct annot_set *set = annot_set_new();
    if (!set) {
        claims_catalog_free(cat);
        diag_error(dg, "out of memory");
        return false;
    }
    const struct annot_set *sets[1] = {set};
    struct claims_report *report = NULL;
    bool ok = claims_evaluate(cat, sets, 1, &report, dg);
    claims_report_free(report);
    annot_set_free(set);
    claims_catalog_free(cat);
    return ok;
}

/* The evidence status of every claim: catalog and sets are read before the
 * injection is armed, so only the evaluation's own allocations fail. */
struct evidence_input {
    struct claims_catalog *cat;
    struct annot_set *sets[2];
};

static bool weigh_evidence(void *ctx, struct diag *dg)
{
    struct evidence_input *in = ctx;
    static const struct evidence_tile tiles[] = {
        {.file = "depot_2023-10-16.tif", .sha256 = "", .acquired = "2023-10-16", .synthetic = false},
        {.file = "port_2023-11-20.tif", .sha256 = "", .acquired = "2023-11-20", .synthetic = true},
    };
    struct evidence_report *report = NULL;
    bool ok = evidence_evaluate(in->cat, (const struct annot_set *const *)in->sets, 2, tiles, 2,
                                &report, dg);
    assert_true(ok == (report != NULL));
    evidence_report_free(report);
    return ok;
}

struct save_input {
    char dir[64];
    char path[128];
    const struct annot_set *set;
    char *before;     /* the file's content before each save */
    size_t before_len;
    char *after;      /* what a successful save writes */
};

static size_t entries_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static bool save_annotations(void *ctx, struct diag *dg)
{
    struct save_input *in = ctx;
    /* Each run starts from the same old file and nothing else. */
    char backup[160];
    snprintf(backup, sizeof backup, "%s~", in->path);
    unlink(backup);
    FILE *f = fopen(in->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(in->before, 1, in->before_len, f), in->before_len);
    assert_int_equal(fclose(f), 0);

    bool ok = gjwrite_file(in->path, in->set, dg);
    fail_at = 0; /* the checks below allocate */
    size_t len = 0;
    char *now = slurp(in->path, &len);
    if (ok) {
        assert_string_equal(now, in->after);
    } else {
        if (len != in->before_len)
            print_message("failed save left new content: %s\n", diag_message(dg));
        /* Nothing half-written: the old file whole, no temporary beside it
         * (a FILE~ backup of the old content may exist). */
        assert_int_equal(len, in->before_len);
        assert_memory_equal(now, in->before, len);
        size_t n = entries_in(in->dir);
        assert_true(n == 1 || n == 2);
        if (n == 2) {
            struct stat st;
            assert_int_equal(stat(backup, &st), 0);
        }
    }
    free(now);
    return ok;
}

static bool read_register(void *ctx, struct diag *dg)
{
    struct imagery_register *reg = NULL;
    bool ok = imagery_register_read(ctx, &reg, dg);
    assert_true(ok == (reg != NULL));
    imagery_register_free(reg);
    return ok;
}

struct custody_input {
    char dir[64];
    char log[128];
    char *before; /* the log before each append */
    size_t before_len;
};

/* An append either adds one line that keeps the chain or leaves the log
 * byte for byte as it was. */
static bool append_custody(void *ctx, struct diag *dg)
{
    struct custody_input *in = ctx;
    FILE *f = fopen(in->log, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(in->before, 1, in->before_len, f), in->before_len);
    assert_int_equal(fclose(f), 0);
    const char *names[] = {"a.tif"};
    const char *hashes[] = {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
    bool ok = custody_append(in->log, "tester", "export", "out.geojson", names, hashes, 1, dg);
    fail_at = 0; /* the checks below allocate */
    size_t len = 0;
    char *now = slurp(in->log, &len);
    struct diag *check = diag_new();
    size_t entries = 0;
    assert_true(custody_verify(in->log, &entries, check));
    diag_free(check);
    if (ok) {
        assert_int_equal(entries, 3);
    } else {
        assert_int_equal(len, in->before_len);
        assert_memory_equal(now, in->before, len);
    }
    free(now);
    return ok;
}

/* A FlatGeobuf export of a set read before the injection is armed: large
 * enough that its rows are filled on a second thread, with claim links on
 * some rows (their texts go through the properties object, which
 * allocates). A failure leaves no file and nothing temporary beside it. */
struct export_input_ctx {
    char dir[64];
    char path[128];
    const struct annot_set *set;
};

static bool export_flatgeobuf(void *ctx, struct diag *dg)
{
    struct export_input_ctx *in = ctx;
    struct export_input input = {.set = in->set, .path = "rows.geojson"};
    struct export_options opts = {0};
    bool ok = export_write(in->path, &input, 1, &opts, dg);
    fail_at = 0; /* the checks below allocate */
    struct stat st;
    if (ok) {
        assert_int_equal(stat(in->path, &st), 0);
        assert_int_equal(unlink(in->path), 0);
    } else {
        assert_int_not_equal(stat(in->path, &st), 0);
    }
    assert_int_equal(entries_in(in->dir), 0);
    return ok;
}

/* ---- tests ----------------------------------------------------------------- */

static void annotation_reader(void **state)
{
    (void)state;
    struct text_input in = {.name = "port.geojson"};
    in.text = slurp(SATMARK_SOURCE_DIR "/tests/data/claims/port.geojson", &in.len);
    unsigned long points = every_failure(read_annotations, &in);
    print_message("annotation reader: %lu allocation failures survived\n", points - 1);
    free(in.text);
}

static void catalog_reader_and_evaluation(void **state)
{
    (void)state;
    struct text_input in = {.name = "catalog.json"};
    in.text = slurp(SATMARK_SOURCE_DIR "/tests/data/claims/catalog.json", &in.len);
    inject_into_jansson = false;
    unsigned long points = every_failure(read_and_evaluate_catalog, &in);
    inject_into_jansson = true;
    print_message("catalog reader + evaluation: %lu allocation failures survived\n", points - 1);
    free(in.text);
}

static void evidence_evaluation(void **state)
{
    (void)state;
    struct evidence_input in = {0};
    struct diag *dg = diag_new();
    assert_true(claims_catalog_read(SATMARK_SOURCE_DIR "/tests/data/claims/catalog.json", &in.cat,
                                    dg));
    assert_true(gjson_read_file(SATMARK_SOURCE_DIR "/tests/data/claims/depot.geojson", &in.sets[0],
                                dg));
    assert_true(gjson_read_file(SATMARK_SOURCE_DIR "/tests/data/claims/port.geojson", &in.sets[1],
                                dg));
    unsigned long points = every_failure(weigh_evidence, &in);
    print_message("evidence evaluation: %lu allocation failures survived\n", points - 1);
    annot_set_free(in.sets[0]);
    annot_set_free(in.sets[1]);
    claims_catalog_free(in.cat);
    diag_free(dg);
}

static void atomic_save(void **state)
{
    (void)state;
    struct save_input in;
    snprintf(in.dir, sizeof in.dir, "/tmp/satmark-allocfail-XXXXXX");
    assert_non_null(mkdtemp(in.dir));
    snprintf(in.path, sizeof in.path, "%s/site.geojson", in.dir);

    size_t len = 0;
    char *text = slurp(SATMARK_SOURCE_DIR "/tests/data/claims/port.geojson", &len);
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    assert_true(gjson_read_buffer("port.geojson", text, len, &set, dg));
    in.before = text;
    in.before_len = len;
    /* The saved content differs from the old one: one label changed. */
    assert_true(annot_count(set) > 0);
    assert_true(annot_edit_label(set, annot_get(set, 0)->id, "relabelled", dg));
    in.set = set;
    in.after = gjwrite_string(set, NULL, dg);
    assert_non_null(in.after);

    unsigned long points = every_failure(save_annotations, &in);
    print_message("atomic save: %lu allocation failures survived\n", points - 1);

    char backup[160];
    snprintf(backup, sizeof backup, "%s~", in.path);
    unlink(backup);
    unlink(in.path);
    assert_int_equal(rmdir(in.dir), 0);
    free(in.after);
    free(text);
    annot_set_free(set);
    diag_free(dg);
}

static void register_reader(void **state)
{
    (void)state;
    inject_into_jansson = false; /* see inject_into_jansson */
    unsigned long points =
        every_failure(read_register, (void *)(SATMARK_SOURCE_DIR "/annotations/imagery.json"));
    inject_into_jansson = true;
    print_message("imagery register reader: %lu allocation failures survived\n", points - 1);
}

static void custody_appender(void **state)
{
    (void)state;
    struct custody_input in;
    snprintf(in.dir, sizeof in.dir, "/tmp/satmark-allocfail-XXXXXX");
    assert_non_null(mkdtemp(in.dir));
    snprintf(in.log, sizeof in.log, "%s/imagery.custody.jsonl", in.dir);
    struct diag *dg = diag_new();
    assert_true(custody_append(in.log, "a", "add", "one", NULL, NULL, 0, dg));
    assert_true(custody_append(in.log, "a", "add", "two", NULL, NULL, 0, dg));
    in.before = slurp(in.log, &in.before_len);
    inject_into_jansson = false;
    unsigned long points = every_failure(append_custody, &in);
    inject_into_jansson = true;
    print_message("custody append: %lu allocation failures survived\n", points - 1);
    unlink(in.log);
    assert_int_equal(rmdir(in.dir), 0);
    free(in.before);
    diag_free(dg);
}

/* n detector-like points ("c-0" ...) as a GeoJSON text into t: one
 * observation each on one of two images, every 9th with a claim link. */
static void detector_points(struct dynbuf *t, int n)
{
    dynbuf_init(t, (size_t)1 << 24);
    dynbuf_append_str(t, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (int i = 0; i < n; i++)
        dynbuf_printf(t,
                      "%s{\"type\":\"Feature\",\"id\":\"c-%d\",\"properties\":{\"class\":"
                      "\"container_stack\",\"score\":%d.25,\"observations\":[{\"image\":"
                      "\"%s\",\"acquired\":\"2024-03-17\"}]%s},\"geometry\":{\"type\":"
                      "\"Point\",\"coordinates\":[130.%04d,42.2]}}\n",
                      i ? "," : "", i, i % 7, i % 100 < 90 ? "a.tif" : "b.tif",
                      i % 9 == 0 ? ",\"claims\":[{\"claim\":\"x\",\"stance\":\"supports\"}],"
                                   "\"tags\":[\"a\"]"
                                 : "",
                      i);
    dynbuf_append_str(t, "]}\n");
    assert_false(dynbuf_failed(t));
}

static void flatgeobuf_export(void **state)
{
    (void)state;
    struct dynbuf t;
    detector_points(&t, 1500);
    struct diag *dg = diag_new();
    struct export_input_ctx in;
    snprintf(in.dir, sizeof in.dir, "/tmp/satmark-allocfail-XXXXXX");
    assert_non_null(mkdtemp(in.dir));
    snprintf(in.path, sizeof in.path, "%s/rows.fgb", in.dir);
    struct annot_set *set = NULL;
    assert_true(gjson_read_buffer("rows.geojson", dynbuf_str(&t), dynbuf_len(&t), &set, dg));
    dynbuf_free(&t);
    in.set = set;
    /* jansson's lexer asserts after a failed allocation of its own (see
     * inject_into_jansson): only satmark's allocations fail here */
    inject_into_jansson = false;
    arm(ULONG_MAX); /* counts a whole export's allocations */
    assert_true(export_flatgeobuf(&in, dg));
    unsigned long total = allocations;
    disarm();
    unsigned long runs = sampled_failures(export_flatgeobuf, &in, total / 120 + 1);
    inject_into_jansson = true;
    print_message("FlatGeobuf export: %lu of %lu allocations failed in turn, each survived\n",
                  runs - 1, total);
    assert_true(runs >= 100);
    assert_int_equal(rmdir(in.dir), 0);
    annot_set_free(set);
    diag_free(dg);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* An OGR driver that refuses a row (a full disk, a constraint): the export
 * stops there with the driver's refusal and the feature's id on its
 * message, the file it would replace is left as it was, nothing else is
 * left beside it, and the filler thread (ahead of the writer by up to a
 * ring of rows) is stopped and joined without a leak. Rows before, at and
 * after a lap of the ring (256), and the last one; on the ring and on one
 * thread; FlatGeobuf and GeoPackage. */
static void driver_refuses_a_row(void **state)
{
    (void)state;
    enum { ROWS = 1500 };
    struct dynbuf t;
    detector_points(&t, ROWS);
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    assert_true(gjson_read_buffer("rows.geojson", dynbuf_str(&t), dynbuf_len(&t), &set, dg));
    dynbuf_free(&t);
    diag_free(dg);
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/satmark-refuse-XXXXXX");
    assert_non_null(mkdtemp(dir));
    const char *formats[] = {"fgb", "gpkg"};
    const unsigned long refused[] = {1, 2, 256, 257, 700, ROWS};
    struct export_input input = {.set = set, .path = "rows.geojson"};
    struct export_options opts = {0};
    struct satmark_settings settings;
    for (int one_thread = 0; one_thread < 2; one_thread++) {
        settings_init(&settings);
        settings.export_one_thread = one_thread;
        settings_install(&settings);
        for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
            char path[128];
            snprintf(path, sizeof path, "%s/rows.%s", dir, formats[f]);
            for (size_t r = 0; r < sizeof refused / sizeof *refused; r++) {
                write_text(path, "the export before\n");
                dg = diag_new();
                rows_written = 0;
                refuse_row = refused[r];
                bool ok = export_write(path, &input, 1, &opts, dg);
                refuse_row = 0;
                assert_false(ok);
                /* the row refused is the writer's row refused[r]: item refused[r] - 1 */
                char expected[320];
                snprintf(expected, sizeof expected, "%s: feature \"c-%lu\": the driver refused it",
                         path, refused[r] - 1);
                if (strcmp(diag_message(dg), expected) != 0)
                    fail_msg("%s, %s: \"%s\", expected \"%s\"", formats[f],
                             one_thread ? "one thread" : "ring", diag_message(dg), expected);
                assert_int_equal(rows_written, refused[r]); /* none written after it */
                diag_free(dg);
                char *kept = slurp(path, NULL);
                assert_string_equal(kept, "the export before\n");
                free(kept);
                assert_int_equal(entries_in(dir), 1);
            }
            /* the injection is live: with no refusal every row reaches the driver */
            dg = diag_new();
            rows_written = 0;
            refuse_row = ROWS + 1;
            bool ok = export_write(path, &input, 1, &opts, dg);
            refuse_row = 0;
            assert_true(ok);
            assert_int_equal(rows_written, ROWS);
            diag_free(dg);
            assert_int_equal(unlink(path), 0);
            assert_int_equal(entries_in(dir), 0);
        }
    }
    settings_install(NULL);
    assert_int_equal(rmdir(dir), 0);
    annot_set_free(set);
}

int main(void)
{
    json_set_alloc_funcs(jansson_malloc, free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(annotation_reader),
        cmocka_unit_test(catalog_reader_and_evaluation),
        cmocka_unit_test(evidence_evaluation),
        cmocka_unit_test(atomic_save),
        cmocka_unit_test(register_reader),
        cmocka_unit_test(custody_appender),
        cmocka_unit_test(flatgeobuf_export),
        cmocka_unit_test(driver_refuses_a_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
