/* Unit tests of the annotation reader's fast path (gjfast, issue 14): for
 * every input it gives what gjson gives — success or not, the same error,
 * the same warnings in the same order, and a set gjwrite writes back to the
 * same bytes. Inputs: every GeoJSON file in the repository's test data and
 * annotations, generated large-file shapes, and single-byte mutations of a
 * document that uses everything the fast path takes (each mutation either
 * stays on the path or is handed to gjson, and must not differ either way).
 * Also: the path is taken for a detector's plain points and reading twice
 * the features costs it twice the operations (counted, never timed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annot.h"
#include "gjfast.h"
#include "gjson.h"
#include "gjwrite.h"
#include "rfile.h"

/* What one reader made of a text: success, messages, the set written back. */
struct outcome {
    bool ok;
    char *error;
    size_t nwarnings;
    char **warnings;
    char *written;
};

static void outcome_free(struct outcome *o)
{
    free(o->error);
    for (size_t i = 0; i < o->nwarnings; i++)
        free(o->warnings[i]);
    free(o->warnings);
    free(o->written);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* What a read left: ok, the set (freed here) and dg's messages (dg freed). */
static struct outcome outcome_of(bool ok, struct annot_set *set, struct diag *dg)
{
    struct outcome o = {0};
    o.ok = ok;
    o.error = o.ok ? NULL : dup_or_null(diag_message(dg));
    o.nwarnings = diag_warning_count(dg);
    o.warnings = calloc(o.nwarnings + 1, sizeof *o.warnings);
    assert_non_null(o.warnings);
    for (size_t i = 0; i < o.nwarnings; i++)
        o.warnings[i] = dup_or_null(diag_warning(dg, i));
    if (set) {
        size_t n = 0;
        o.written = gjwrite_string(set, &n, dg);
        assert_non_null(o.written);
        /* the kept texts as held (the writer re-formats them) */
        size_t extra = 0;
        for (size_t i = 0; i < annot_count(set); i++) {
            const struct annot_feature *f = annot_get(set, i);
            extra += strlen(f->extra_properties ? f->extra_properties : "-") +
                     strlen(f->extra_members ? f->extra_members : "-") + 4;
        }
        char *all = malloc(strlen(o.written) + extra + 1), *at = all;
        assert_non_null(all);
        at += sprintf(at, "%s", o.written);
        for (size_t i = 0; i < annot_count(set); i++) {
            const struct annot_feature *f = annot_get(set, i);
            at += sprintf(at, "%s\n%s\n%d\n", f->extra_properties ? f->extra_properties : "-",
                          f->extra_members ? f->extra_members : "-", f->id_from_properties);
        }
        free(o.written);
        o.written = all;
        assert_non_null(o.written);
        annot_set_free(set);
    }
    diag_free(dg);
    return o;
}

static struct outcome read_with(bool fast, const char *text, size_t len,
                                struct gjfast_stats *stats)
{
    struct diag *dg = diag_new();
    assert_non_null(dg);
    struct annot_set *set = NULL;
    bool ok = fast ? gjfast_read_buffer_stats("t.geojson", text, len, &set, dg, stats)
                   : gjson_read_buffer("t.geojson", text, len, &set, dg);
    return outcome_of(ok, set, dg);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_outcomes(const char *what, struct outcome slow, struct outcome fast)
{
    if (slow.ok != fast.ok || !same_text(slow.error, fast.error))
        fail_msg("%s: gjson %s (%s), gjfast %s (%s)", what, slow.ok ? "ok" : "failed",
                 slow.error ? slow.error : "", fast.ok ? "ok" : "failed",
                 fast.error ? fast.error : "");
    if (slow.nwarnings != fast.nwarnings)
        fail_msg("%s: %zu warnings from gjson, %zu from gjfast (first: %s)", what,
                 slow.nwarnings, fast.nwarnings,
                 slow.nwarnings ? slow.warnings[0] : fast.warnings[0]);
    for (size_t i = 0; i < slow.nwarnings; i++)
        if (!same_text(slow.warnings[i], fast.warnings[i]))
            fail_msg("%s: warning %zu: gjson \"%s\", gjfast \"%s\"", what, i, slow.warnings[i],
                     fast.warnings[i]);
    if (!same_text(slow.written, fast.written))
        fail_msg("%s: the sets are written back differently", what);
    outcome_free(&slow);
    outcome_free(&fast);
}

/* Both readers on text; fails naming `what` on any difference. Returns
 * whether the fast path took it. */
static bool check_same(const char *what, const char *text, size_t len)
{
    struct gjfast_stats st = {0};
    struct outcome slow = read_with(false, text, len, NULL);
    struct outcome fast = read_with(true, text, len, &st);
    check_outcomes(what, slow, fast);
    return st.fast;
}

/* ---- every GeoJSON file of the repository's test data --------------------------- */

static size_t check_dir(const char *dir, size_t *taken)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = strlen(e->d_name);
        bool json = (len > 8 && strcmp(e->d_name + len - 8, ".geojson") == 0) ||
                    (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            n += check_dir(path, taken);
        } else if (json) {
            struct diag *dg = diag_new();
            size_t size = 0;
            char *text = rfile_read(path, 0, &size, dg);
            diag_free(dg);
            assert_non_null(text);
            *taken += check_same(path, text, size);
            free(text);
            n++;
        }
    }
    closedir(d);
    return n;
}

static void same_as_gjson_on_test_data(void **state)
{
    (void)state;
    size_t taken = 0, n = check_dir(SATMARK_SOURCE_DIR "/tests/data/geojson", &taken);
    n += check_dir(SATMARK_SOURCE_DIR "/tests/data/claims", &taken);
    n += check_dir(SATMARK_SOURCE_DIR "/tests/data/render", &taken);
    n += check_dir(SATMARK_SOURCE_DIR "/tests/data/real", &taken);
    n += check_dir(SATMARK_SOURCE_DIR "/annotations", &taken);
    assert_true(n >= 70);  /* the files are there */
    assert_true(taken >= 3); /* and some of them are plain enough for the path */
    print_message("%zu files, %zu read by the fast path\n", n, taken);
}

/* ---- generated shapes ------------------------------------------------------------- */

enum shape { DETECTOR_POINTS, QGIS_POINTS, POLYGONS, CLOCKWISE_POLYGONS, LINES };

/* n features of the shape (as satmark-tilegen --big writes them); new string. */
static char *make_collection(enum shape shape, size_t n, size_t *len_out)
{
    size_t cap = 512 + n * 900, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (size_t i = 0; i < n; i++) {
        double lon = 130.3 + (double)(i % 1000) * 1.3e-5, lat = 42.2 + (double)(i / 1000) * 1.7e-5;
        const char *sep = i + 1 < n ? ",\n" : "\n";
        switch (shape) {
        case DETECTOR_POINTS:
            len += (size_t)snprintf(
                s + len, cap - len,
                "{\"type\":\"Feature\",\"properties\":{\"id\":\"det-%zu\",\"class\":"
                "\"container_stack\",\"label\":\"det %zu\",\"score\":%.3f,\"observations\":"
                "[{\"image\":\"bench8192.tif\",\"acquired\":\"2024-03-17\"}]},\"geometry\":"
                "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}%s",
                i + 1, i + 1, (double)(i % 997) / 997.0, lon, lat, sep);
            break;
        case QGIS_POINTS:
            len += (size_t)snprintf(s + len, cap - len,
                                    "{\"type\":\"Feature\",\"id\":%zu,\"properties\":{\"fid\":%zu,"
                                    "\"class\":\"building\"},\"geometry\":{\"type\":\"Point\","
                                    "\"coordinates\":[%.7f,%.7f]}}%s",
                                    i, i, lon, lat, sep);
            break;
        case POLYGONS:
        case CLOCKWISE_POLYGONS: {
            double d = shape == POLYGONS ? 2e-4 : -2e-4;
            len += (size_t)snprintf(
                s + len, cap - len,
                "{\"type\":\"Feature\",\"id\":\"bldg-%zu\",\"properties\":{\"class\":\"building\","
                "\"label\":\"bldg %zu\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[["
                "[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}}%s",
                i + 1, i + 1, lon, lat, lon + 2e-4, lat, lon + 2e-4, lat + d, lon, lat, sep);
            break;
        }
        case LINES:
            len += (size_t)snprintf(
                s + len, cap - len,
                "{\"type\":\"Feature\",\"id\":\"rail-%zu\",\"properties\":{\"class\":\"rail\"},"
                "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.7f,%.7f],"
                "[%.7f,%.7f],[%.7f,%.7f]]}}%s",
                i + 1, lon, lat, lon + 1e-4, lat, lon + 1e-4, lat + 1e-4, sep);
            break;
        }
        assert_true(len < cap);
    }
    len += (size_t)snprintf(s + len, cap - len, "]}\n");
    assert_true(len < cap);
    *len_out = len;
    return s;
}

static void same_as_gjson_on_generated_shapes(void **state)
{
    (void)state;
    static const struct {
        enum shape shape;
        const char *name;
        bool fast;
    } shapes[] = {{DETECTOR_POINTS, "detector points", true},
                  {QGIS_POINTS, "QGIS points (numeric ids: gjson warns)", false},
                  {POLYGONS, "polygons", true},
                  {CLOCKWISE_POLYGONS, "clockwise polygons (gjson rewinds and warns)", false},
                  {LINES, "lines", true}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t len;
        char *text = make_collection(shapes[k].shape, 3000, &len);
        assert_int_equal(check_same(shapes[k].name, text, len), shapes[k].fast);
        free(text);
    }
}

/* ---- mutations ---------------------------------------------------------------------- */

/* Everything the fast path reads, once: a satmark member, ids and no ids,
 * null geometry and properties, each property kind, extra properties of
 * every scalar kind and number form, a hole, UTF-8 text. */
static const char base_document[] =
    "{\"type\": \"FeatureCollection\", \"satmark\": {\"version\": 1, \"site\": \"Najin\"},\n"
    " \"features\": [\n"
    "  {\"type\": \"Feature\", \"id\": \"pier-1\", \"geometry\": {\"type\": \"Polygon\",\n"
    "   \"coordinates\": [[[130.1, 42.1], [130.2, 42.1], [130.2, 42.2], [130.1, 42.1]],\n"
    "                     [[130.15, 42.12], [130.17, 42.15], [130.18, 42.12], [130.15, 42.12]]]},\n"
    "   \"properties\": {\"class\": \"Pier\", \"label\": \"Pier \xc3\xa9\xe2\x82\xac\", \"note\": null,\n"
    "    \"observations\": [{\"image\": \"a.tif\", \"sha256\": \"\", \"acquired\": \"2024-03-17\"}],\n"
    "    \"claims\": [{\"claim\": \"c1\", \"stance\": \"supports\"}],\n"
    "    \"created\": \"2024-03-18T10:00:00Z\", \"modified\": null, \"author\": \"ab\",\n"
    "    \"score\": 0.971, \"n\": -12, \"big\": 123456789012345678, \"e\": 1.5E-7, \"x\": 1e5,\n"
    "    \"z\": -0.0, \"t\": true, \"f\": false, \"u\": null, \"name\": \"other name\"}},\n"
    "  {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [130, -42.25]},\n"
    "   \"properties\": {\"name\": \"N\", \"title\": \"T\", \"class\": null, \"claims\": null,\n"
    "    \"p\": 0.30000000000000004, \"q\": 1234567.1234567891}},\n"
    "  {\"type\": \"Feature\", \"id\": null, \"geometry\": null, \"properties\": null},\n"
    "  {\"id\": \"rail-1\", \"properties\": {\"class\": \"rail\", \"observations\": []},\n"
    "   \"geometry\": {\"type\": \"LineString\", \"coordinates\": [[-180, 90], [-179.5, 89.9]]},\n"
    "   \"type\": \"Feature\"}\n"
    " ]}\n";

static void same_as_gjson_under_mutation(void **state)
{
    (void)state;
    size_t len = sizeof base_document - 1;
    assert_true(check_same("the base document", base_document, len));
    static const char replacements[] = {'"', '\\', '1', '-', ',', ']', '}', '[', ' ', 'e', '.',
                                        'n', '0', 'A', '\x80', '\x01'};
    char *text = malloc(len + 1);
    assert_non_null(text);
    size_t mutations = 0, still_fast = 0;
    for (size_t i = 0; i < len; i++) {
        char what[96];
        /* byte i deleted */
        memcpy(text, base_document, i);
        memcpy(text + i, base_document + i + 1, len - i - 1);
        snprintf(what, sizeof what, "byte %zu deleted", i);
        still_fast += check_same(what, text, len - 1);
        mutations++;
        for (size_t r = 0; r < sizeof replacements; r++) {
            if (base_document[i] == replacements[r])
                continue;
            memcpy(text, base_document, len);
            text[i] = replacements[r];
            snprintf(what, sizeof what, "byte %zu replaced by 0x%02x", i,
                     (unsigned char)replacements[r]);
            still_fast += check_same(what, text, len);
            mutations++;
        }
    }
    free(text);
    print_message("%zu mutations, %zu of them still read by the fast path\n", mutations,
                  still_fast);
    assert_true(still_fast > 100); /* the path is exercised, not only its refusals */
}

/* ---- ids in "id" properties --------------------------------------------------------- */

/* Features whose ids are "id" properties: taken, given way to the features'
 * own ids and to earlier repeats, or left for a generated id, as gjson does
 * it (the warnings too), also when the second thread reads part of them. */
static void same_as_gjson_on_property_ids(void **state)
{
    (void)state;
    static const char mixed[] =
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"id\":\"own-1\",\"properties\":{\"id\":\"det-9\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"det-9\",\"class\":\"ship\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"own-1\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":7},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":-12},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"f-1\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"det-9\"},\"id\":null,\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":2.5},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":null},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"late\"},\"id\":\"early\",\"geometry\":null}\n"
        "]}\n";
    assert_true(check_same("mixed ids", mixed, sizeof mixed - 1));
    /* the set's id index is the map idassign built (generated ids included):
     * every id finds its feature, and a taken id cannot be added again */
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    assert_true(gjfast_read_buffer_stats("t.geojson", mixed, sizeof mixed - 1, &set, dg, NULL));
    for (size_t i = 0; i < annot_count(set); i++) {
        size_t at = SIZE_MAX;
        assert_true(annot_index_of(set, annot_get(set, i)->id, &at));
        assert_int_equal(at, i);
    }
    assert_false(annot_index_of(set, "det-10", NULL));
    struct annot_feature again;
    annot_feature_init(&again);
    again.id = strdup("f-2"); /* generated for the third feature */
    assert_false(annot_load_feature(set, &again, dg));
    assert_non_null(strstr(diag_message(dg), "duplicate id \"f-2\""));
    annot_feature_clear(&again);
    annot_set_free(set);
    diag_free(dg);
    /* many: read by two threads, with repeats in both halves */
    size_t n = 40000, cap = n * 120 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "{\"type\":\"Feature\",\"properties\":{\"id\":\"d%zu\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}%s\n",
                                i % 997 == 0 ? i / 2 : i, i + 1 < n ? "," : "");
    len += (size_t)snprintf(text + len, cap - len, "]}\n");
    struct gjfast_stats st = {.split_min = 4096};
    struct outcome slow = read_with(false, text, len, NULL);
    struct outcome fast = read_with(true, text, len, &st);
    assert_true(slow.ok);
    assert_true(st.fast && st.split);
    check_outcomes("40,000 property ids with repeats", slow, fast);
    free(text);
}

/* ---- numbers ------------------------------------------------------------------------ */

/* Extra properties carrying numbers in every form the fast path formats
 * itself (short reals in fixed and exponential layout, trailing zeros,
 * negative zero, integers) and the forms it leaves to gjwrite (long
 * mantissas, large exponents): written back exactly as gjson's. */
static void same_as_gjson_on_numbers(void **state)
{
    (void)state;
    size_t cap = 4000 * 200, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"type\":\"FeatureCollection\",\"features\":[");
    unsigned long long st = 12345;
    for (int i = 0; i < 4000; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned long long r = st >> 11;
        int digits = 1 + (int)(r % 17), exp10 = (int)((r >> 5) % 61) - 30;
        double mant = (double)((r >> 12) % 1000000007ULL) / 1000000007.0; /* [0, 1) */
        char num[64];
        switch (i % 5) {
        case 0: snprintf(num, sizeof num, "%.*f", digits % 12, mant * 1000.0 - 500.0); break;
        case 1: snprintf(num, sizeof num, "%.*e", digits, (mant - 0.5) * 10.0); break;
        case 2: snprintf(num, sizeof num, "%.*fe%d", digits % 8, mant * 10.0, exp10); break;
        case 3: snprintf(num, sizeof num, "%s%llu", (r & 1) ? "-" : "", r % 1000000000000ULL); break;
        default: snprintf(num, sizeof num, "%.*f0000", 1 + digits % 5, -mant); break;
        }
        len += (size_t)snprintf(s + len, cap - len,
                                "%s{\"type\":\"Feature\",\"id\":\"n%d\",\"properties\":{\"v\":%s,"
                                "\"w\":-0.0,\"z\":0e5},\"geometry\":null}",
                                i ? "," : "", i, num);
        assert_true(len < cap);
    }
    len += (size_t)snprintf(s + len, cap - len, "]}");
    assert_true(check_same("4,000 numbers", s, len));
    free(s);
}

/* ---- read by two threads -------------------------------------------------------- */

/* text read with the split forced (split_min 1) against gjson; whether the
 * second thread's part was used. */
static bool check_split_same(const char *what, const char *text, size_t len)
{
    struct gjfast_stats st = {.split_min = 1};
    struct outcome slow = read_with(false, text, len, NULL);
    struct outcome fast = read_with(true, text, len, &st);
    check_outcomes(what, slow, fast);
    return st.split;
}

static void same_as_gjson_read_by_two_threads(void **state)
{
    (void)state;
    size_t len;
    enum shape shapes[] = {DETECTOR_POINTS, POLYGONS, LINES, QGIS_POINTS, CLOCKWISE_POLYGONS};
    const char *names[] = {"detector points", "polygons", "lines", "QGIS points",
                           "clockwise polygons"};
    for (size_t k = 0; k < 5; k++) {
        char *text = make_collection(shapes[k], 3001, &len);
        bool split = check_split_same(names[k], text, len);
        if (k < 3 && !split) /* the path's own shapes are read in two parts */
            fail_msg("%s: not read by two threads", names[k]);
        free(text);
    }
    /* A guess inside a string: the second thread's start is not an element
     * boundary, the first thread passes it and its own scan stands. */
    const char decoy[] =
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"id\":\"a\",\"properties\":{\"note\":\"x\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"id\":\"b\",\"properties\":{\"note\":\"a text padded out to be long "
        "enough that the middle of the array falls here, well inside this string of a "
        "note, and the next brace the guess finds is a decoy: ,{\\\"type\\\":\\\"Feature\\\"} "
        "and ,{\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"id\":\"c\",\"properties\":{},\"geometry\":null}]}";
    assert_false(check_split_same("a decoy in a note", decoy, sizeof decoy - 1));
    /* An error after the split point: the same error as gjson's. */
    char *text = make_collection(DETECTOR_POINTS, 2000, &len);
    text[len - 40] = '#';
    check_split_same("an error in the second part", text, len);
    free(text);
    /* and mutations of a small document read in two parts */
    text = make_collection(DETECTOR_POINTS, 8, &len);
    size_t taken = 0;
    for (size_t at = 0; at < len; at += 7) {
        char saved = text[at];
        text[at] = (at / 7) % 3 == 0 ? ',' : (at / 7) % 3 == 1 ? '{' : ']';
        taken += check_split_same("a mutation", text, len);
        text[at] = saved;
    }
    print_message("mutations read in two parts: %zu of %zu\n", taken, (len + 6) / 7);
    free(text);
}

/* ---- from a file (mapped, released as it is read) ---------------------------- */

/* gjfast_read_file of a file holding text against gjson_read_buffer of the
 * text under the same name. */
static void check_file_same(const char *what, const char *text, size_t len)
{
    char path[64] = "/tmp/satmark-gjfast-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    bool ok = gjson_read_buffer(path, text, len, &set, dg);
    struct outcome slow = outcome_of(ok, set, dg);
    dg = diag_new();
    ok = gjfast_read_file(path, &set, dg);
    struct outcome fast = outcome_of(ok, set, dg);
    check_outcomes(what, slow, fast);
    unlink(path);
}

static void same_as_gjson_from_a_file(void **state)
{
    (void)state;
    size_t len;
    /* ~10 MB: past rfile's release step, so pages are given back mid-read */
    char *text = make_collection(DETECTOR_POINTS, 40000, &len);
    assert_true(len > ((size_t)9 << 20));
    check_file_same("40,000 detector points from a file", text, len);
    free(text);
    text = make_collection(QGIS_POINTS, 3000, &len); /* declined: gjson reads the file */
    check_file_same("3,000 QGIS points from a file", text, len);
    free(text);
    const char broken[] = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":";
    check_file_same("a truncated file", broken, sizeof broken - 1);
    check_file_same("an empty file", "", 0);

    struct diag *slow = diag_new(), *fast = diag_new();
    struct annot_set *set = NULL;
    const char *missing = "/nonexistent/satmark/marks.geojson";
    assert_false(gjson_read_file(missing, &set, slow));
    assert_false(gjfast_read_file(missing, &set, fast));
    assert_null(set);
    assert_string_equal(diag_message(slow), diag_message(fast));
    diag_free(slow);
    diag_free(fast);
}

/* ---- linear ------------------------------------------------------------------------- */

static size_t operations_for(size_t n)
{
    size_t len;
    char *text = make_collection(DETECTOR_POINTS, n, &len);
    struct diag *dg = diag_new();
    struct gjfast_stats st = {0};
    struct annot_set *set = NULL;
    assert_true(gjfast_read_buffer_stats("big.geojson", text, len, &set, dg, &st));
    assert_true(st.fast);
    assert_int_equal(st.features, n);
    assert_int_equal(annot_count(set), n);
    assert_int_equal(diag_warning_count(dg), 1); /* the generated ids, one line */
    annot_set_free(set);
    diag_free(dg);
    free(text);
    return st.scanned + st.features + st.ids_tried;
}

static void twice_the_features_twice_the_work(void **state)
{
    (void)state;
    size_t one = operations_for(5000), two = operations_for(10000);
    double ratio = (double)two / (double)one;
    print_message("operations: %zu for 5,000 features, %zu for 10,000 (x%.3f)\n", one, two,
                  ratio);
    assert_true(ratio > 1.9 && ratio < 2.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_gjson_on_test_data),
        cmocka_unit_test(same_as_gjson_on_generated_shapes),
        cmocka_unit_test(same_as_gjson_under_mutation),
        cmocka_unit_test(same_as_gjson_on_numbers),
        cmocka_unit_test(same_as_gjson_on_property_ids),
        cmocka_unit_test(same_as_gjson_from_a_file),
        cmocka_unit_test(same_as_gjson_read_by_two_threads),
        cmocka_unit_test(twice_the_features_twice_the_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
