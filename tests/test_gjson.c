/* Unit tests of gjson (reading) together with gjwrite (writing): round trips
 * (read -> write -> read identical, second write byte-identical), rewinding,
 * defaults for plain GeoJSON, warnings vs errors, FILE:LINE:COLUMN positions,
 * deep nesting, and the atomic save with its FILE~ backup. Writer-only checks
 * (number format, layout) are in test_gjwrite.c, the save protocol itself in
 * test_safefile.c. */
#include <dirent.h>
#include <math.h>
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

#include "annot.h"
#include "gjson.h"
#include "gjwrite.h"

static struct annot_set *read_ok(const char *text, struct diag *dg)
{
    struct annot_set *set = NULL;
    if (!gjson_read_buffer("mem.geojson", text, strlen(text), &set, dg))
        fail_msg("read failed: %s", diag_message(dg));
    return set;
}

static void read_fails(const char *text, const char *expect_prefix, const char *expect_part)
{
    struct diag *dg = diag_new();
    struct annot_set *set = (struct annot_set *)1;
    assert_false(gjson_read_buffer("mem.geojson", text, strlen(text), &set, dg));
    assert_null(set);
    const char *msg = diag_message(dg);
    if (strncmp(msg, expect_prefix, strlen(expect_prefix)) != 0)
        fail_msg("expected message starting \"%s\", got \"%s\"", expect_prefix, msg);
    if (expect_part && !strstr(msg, expect_part))
        fail_msg("expected \"%s\" in \"%s\"", expect_part, msg);
    diag_free(dg);
}

static bool has_warning(const struct diag *dg, const char *part)
{
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        if (strstr(diag_warning(dg, i), part))
            return true;
    return false;
}

static const char rich[] =
    "{\"type\": \"FeatureCollection\", \"satmark\": {\"version\": 1, \"site\": \"rason-najin\","
    " \"title\": \"Rason/Najin port\"}, \"name\": \"layer\", \"features\": ["
    "{\"type\": \"Feature\", \"id\": \"pier-1\", \"geometry\": {\"type\": \"LineString\","
    " \"coordinates\": [[130.30110001, 42.2431], [130.3042, 42.2447]]},"
    " \"properties\": {\"class\": \"pier\", \"label\": \"Pier 1 \\\"north\\\"\\n\\u00e9\\ud55c\","
    " \"observations\": [{\"image\": \"a.tif\", \"sha256\": "
    "\"9f2c0000000000000000000000000000000000000000000000000000000000ff\", \"acquired\": "
    "\"2023-11-20\"}], \"claims\": [{\"claim\": \"najin-three-ships-loading\", \"stance\": "
    "\"context\"}], \"note\": \"n\", \"created\": \"2026-11-23T10:00:00Z\", \"modified\": "
    "null, \"author\": \"satmark demo\", \"zeta\": [1, 2.5, {\"b\": null, \"a\": true}],"
    " \"alpha\": 0.1}, \"foreign\": {\"x\": 1}},"
    "{\"type\": \"Feature\", \"id\": \"area\", \"geometry\": {\"type\": \"MultiPolygon\","
    " \"coordinates\": [[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]],"
    " [[[20,20],[21,20],[21,21],[20,20]]]]}, \"properties\": {\"class\": \"aoi\"}},"
    "{\"type\": \"Feature\", \"id\": \"g\", \"geometry\": {\"type\": \"GeometryCollection\","
    " \"geometries\": [{\"type\": \"Point\", \"coordinates\": [1, 2, 30.5]},"
    " {\"type\": \"MultiLineString\", \"coordinates\": [[[1,1],[2,2]],[[3,3],[4,4],[5,5]]]},"
    " {\"type\": \"MultiPoint\", \"coordinates\": [[1,1],[2,2]]}]}, \"properties\": null},"
    "{\"type\": \"Feature\", \"id\": \"nothing\", \"geometry\": null, \"properties\": {}}"
    "]}";

static void round_trip_is_identical(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *a = read_ok(rich, dg);
    assert_int_equal(annot_count(a), 4);
    assert_string_equal(annot_set_site(a), "rason-najin");
    const struct annot_feature *pier = annot_find(a, "pier-1");
    assert_int_equal(pier->cls, ANNOT_CLASS_PIER);
    assert_true(pier->geom.parts[0].pts[0].lon == 130.3011); /* rounded to 7 decimals */
    assert_int_equal(pier->nobs, 1);
    assert_string_equal(pier->obs[0].acquired, "2023-11-20");
    assert_int_equal(pier->claims[0].stance, ANNOT_STANCE_CONTEXT);
    assert_null(pier->modified);
    assert_non_null(strstr(pier->extra_properties, "zeta"));
    const struct annot_feature *g = annot_find(a, "g");
    assert_int_equal(g->geom.type, ANNOT_GEOM_COLLECTION);
    assert_int_equal(g->geom.nmembers, 3);
    assert_non_null(g->geom.members[0].parts[0].alt);
    assert_true(g->geom.members[0].parts[0].alt[0] == 30.5);
    const struct annot_feature *area = annot_find(a, "area");
    assert_int_equal(area->geom.nparts, 3);
    assert_int_equal(area->geom.parts[2].member, 1);

    size_t len1, len2;
    char *w1 = gjwrite_string(a, &len1, dg);
    assert_non_null(w1);
    assert_null(strstr(w1, "crs"));
    struct annot_set *b = read_ok(w1, dg);
    char *w2 = gjwrite_string(b, &len2, dg);
    assert_int_equal(len1, len2);
    assert_string_equal(w1, w2);
    /* The second read equals the first field by field, too. */
    assert_int_equal(annot_count(b), annot_count(a));
    for (size_t i = 0; i < annot_count(a); i++) {
        const struct annot_feature *x = annot_get(a, i), *y = annot_get(b, i);
        assert_string_equal(x->id, y->id);
        assert_int_equal(x->cls, y->cls);
        assert_string_equal(x->label, y->label);
        assert_int_equal(annot_geometry_npositions(&x->geom),
                         annot_geometry_npositions(&y->geom));
        if (x->extra_properties)
            assert_string_equal(x->extra_properties, y->extra_properties);
        if (x->extra_members)
            assert_string_equal(x->extra_members, y->extra_members);
    }
    /* Extras survive: unknown properties, foreign members, collection members. */
    assert_non_null(strstr(w1, "\"alpha\": 0.1"));
    assert_non_null(strstr(w1, "\"foreign\": {\"x\": 1}"));
    assert_non_null(strstr(w1, "\"name\": \"layer\""));
    assert_non_null(strstr(w1, "[1, 2, 30.5]"));
    free(w1);
    free(w2);
    annot_set_free(a);
    annot_set_free(b);
    diag_free(dg);
}

/* Exterior rings are written counter-clockwise, holes clockwise. */
static void rewinds_rings(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    const char *cw = "{\"type\": \"Polygon\", \"coordinates\": ["
                     "[[0,0],[0,10],[10,10],[10,0],[0,0]], [[2,2],[4,2],[4,4],[2,4],[2,2]]]}";
    struct annot_set *set = read_ok(cw, dg);
    assert_true(has_warning(dg, "winding"));
    char *out = gjwrite_string(set, NULL, dg);
    assert_non_null(strstr(out, "[[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], "
                                "[[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]]"));
    free(out);
    annot_set_free(set);
    diag_reset(dg);
    /* Already right: no warning. */
    set = read_ok("{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[10,0],[10,10],[0,0]]]}", dg);
    assert_false(has_warning(dg, "winding"));
    annot_set_free(set);
    diag_free(dg);
}

/* Generated ids count on past taken ones and past one digit: f-1 .. f-12
 * without f-3 and f-10, which the file uses. */
static void generated_ids_skip_taken(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    char text[4096] = "{\"type\": \"FeatureCollection\", \"features\": [";
    for (int i = 0; i < 12; i++) {
        char one[200];
        const char *id = i == 4 ? "\"id\": \"f-3\", " : i == 7 ? "\"id\": \"f-10\", " : "";
        snprintf(one, sizeof one,
                 "%s{\"type\": \"Feature\", %s\"properties\": {}, \"geometry\": "
                 "{\"type\": \"Point\", \"coordinates\": [1, 2]}}",
                 i ? ", " : "", id);
        strcat(text, one);
    }
    strcat(text, "]}");
    struct annot_set *set = read_ok(text, dg);
    const char *want[12] = {"f-1", "f-2", "f-4", "f-5", "f-3", "f-6",
                            "f-7", "f-10", "f-8", "f-9", "f-11", "f-12"};
    assert_int_equal(annot_count(set), 12);
    for (size_t i = 0; i < 12; i++)
        assert_string_equal(annot_get(set, i)->id, want[i]);
    assert_true(has_warning(dg, "10 features without an id got generated ids"));
    annot_set_free(set);
    diag_free(dg);
}

/* A detector's or a GIS's file keeps its ids in an "id" property: a feature
 * without an "id" member takes it (a non-empty string, or an integer as its
 * decimal text). The features' own ids win over it, the first feature wins
 * among equal ones; a repeat gets a generated id, the property stays. */
static void ids_from_properties(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    const char *text =
        "{\"type\": \"FeatureCollection\", \"features\": ["
        "{\"type\": \"Feature\", \"id\": \"own-1\", \"properties\": {\"id\": \"det-9\"}, "
        "\"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": \"det-9\"}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": \"own-1\"}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": 7}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": \"f-1\"}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"id\": null, \"properties\": {\"id\": \"det-9\"}, "
        "\"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": \"\"}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": 2.5}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"id\": \"a\\u0007b\"}, \"geometry\": null},"
        "{\"type\": \"Feature\", \"properties\": {\"ID\": \"x\"}, \"geometry\": null}]}";
    struct annot_set *set = read_ok(text, dg);
    static const char *const want[] = {"own-1", "det-9", "f-2", "7",   "f-1",
                                       "f-3",   "f-4",   "f-5", "f-6", "f-7"};
    static const bool taken[] = {false, true, false, true, true, false, false, false, false, false};
    assert_int_equal(annot_count(set), 10);
    for (size_t i = 0; i < 10; i++) {
        const struct annot_feature *f = annot_get(set, i);
        assert_string_equal(f->id, want[i]);
        assert_int_equal(f->id_from_properties, taken[i]);
        assert_non_null(f->extra_properties); /* the property is kept, also when taken */
    }
    assert_string_equal(annot_get(set, 1)->extra_properties, "{\"id\": \"det-9\"}");
    assert_true(has_warning(dg, "mem.geojson: 3 features without an id of their own took their "
                                "\"id\" property as the id"));
    assert_true(has_warning(dg, "mem.geojson: 2 features' \"id\" properties repeat an id used "
                                "before: generated ids given instead (the properties are kept)"));
    assert_true(has_warning(dg, "mem.geojson: 4 features without an id got generated ids"));
    annot_set_free(set);
    diag_free(dg);

    /* two features with the same id of their own are still the file's error */
    read_fails("{\"type\": \"FeatureCollection\", \"features\": ["
               "{\"type\": \"Feature\", \"properties\": {\"id\": \"a\"}, \"geometry\": null},"
               "{\"type\": \"Feature\", \"id\": \"a\", \"properties\": {}, \"geometry\": null},"
               "{\"type\": \"Feature\", \"id\": \"a\", \"properties\": {}, \"geometry\": null}]}",
               "mem.geojson:", "duplicate feature id \"a\" (also used by feature 1)");
}

static void plain_geojson_gets_defaults(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    const char *qgis = "{\"type\": \"FeatureCollection\", \"features\": ["
                       "{\"type\": \"Feature\", \"properties\": {\"name\": \"Pier A\", "
                       "\"fid\": 7}, \"geometry\": {\"type\": \"Point\", \"coordinates\": "
                       "[130.3, 42.2]}},"
                       "{\"type\": \"Feature\", \"id\": \"f-1\", \"properties\": {\"class\": "
                       "\"road\"}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1, 2]}},"
                       "{\"type\": \"Feature\", \"id\": 12, \"properties\": null, \"geometry\": "
                       "{\"type\": \"Point\", \"coordinates\": [1, 2]}}]}";
    struct annot_set *set = read_ok(qgis, dg);
    assert_int_equal(annot_count(set), 3);
    const struct annot_feature *f = annot_get(set, 0);
    assert_string_equal(f->id, "f-2"); /* f-1 is taken by the second feature */
    assert_string_equal(f->label, "Pier A");
    assert_int_equal(f->cls, ANNOT_CLASS_OTHER);
    assert_int_equal(f->nobs, 0);
    assert_int_equal(f->nclaims, 0);
    assert_null(f->created);
    assert_string_equal(f->extra_properties, "{\"fid\": 7, \"name\": \"Pier A\"}");
    assert_int_equal(annot_get(set, 1)->cls, ANNOT_CLASS_OTHER);
    assert_true(has_warning(dg, "unknown class \"road\""));
    assert_string_equal(annot_get(set, 2)->id, "12");
    assert_true(has_warning(dg, "numeric feature id"));
    assert_true(has_warning(dg, "generated ids"));
    annot_set_free(set);
    diag_free(dg);
}

static void errors_name_line_and_column(void **state)
{
    (void)state;
    /* Syntax: jansson's position. */
    read_fails("{\n  \"type\": \"Point\",\n  \"coordinates\": [0, 0],\n}", "mem.geojson:4:1: ",
               NULL);
    read_fails("{\"type\":\"Point\",\"coordinates\":[NaN,0]}", "mem.geojson:1:", "NaN");
    read_fails("", "mem.geojson:1:1: ", "empty");
    read_fails("   \n ", "mem.geojson:1:1: ", "empty");
    read_fails("{\"type\":\"Point\",\"coordinates\":[1,2],\"type\":\"Point\"}", "mem.geojson:1:",
               "duplicate");
    read_fails("{\"type\":\"Feature\",\"properties\":{\"name\":\"Caf\xe9\"},\"geometry\":null}",
               "mem.geojson:1:", "UTF-8");
    /* Structure: our own locator. */
    read_fails("{\"type\": \"FeatureCollection\", \"features\": [\n"
               "{\"type\": \"Feature\", \"id\": \"a\", \"properties\": {}, \"geometry\": null},\n"
               "{\"type\": \"Feature\", \"id\": \"a\", \"properties\": {}, \"geometry\": null}]}",
               "mem.geojson:3:27: feature 1 (a): ", "duplicate feature id \"a\"");
    read_fails("{\"type\": \"Point\",\n \"coordinates\": [45.52, -122.68]}", "mem.geojson:2:17: ",
               "longitude first");
    read_fails("{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[1,1],[0,1]]]}",
               "mem.geojson:1:37: ", "not closed");
    read_fails("{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
               "\"properties\": {\"claims\": [{\"claim\": \"x\", \"stance\": \"maybe\"}]}, "
               "\"geometry\": null}]}",
               "mem.geojson:1:", "stance");
    read_fails("{\"type\": \"featurecollection\", \"features\": []}", "mem.geojson:1:10: ",
               "case-sensitive");
    read_fails("{\"type\": \"Feature\", \"geometry\": null}", "mem.geojson:1:1: ", "properties");
    read_fails("[1, 2]", "mem.geojson:1:1: ", "must be an object");
}

static void deep_nesting_fails_cleanly(void **state)
{
    (void)state;
    size_t depth = 100000;
    size_t n = 32 + 2 * depth;
    char *text = malloc(n + 1);
    assert_non_null(text);
    size_t k = (size_t)sprintf(text, "{\"type\":\"Point\",\"coordinates\":");
    for (size_t i = 0; i < depth; i++)
        text[k++] = '[';
    for (size_t i = 0; i < depth; i++)
        text[k++] = ']';
    text[k++] = '}';
    text[k] = '\0';
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    assert_false(gjson_read_buffer("deep.geojson", text, k, &set, dg));
    assert_non_null(strstr(diag_message(dg), "deep.geojson:1:"));
    assert_non_null(strstr(diag_message(dg), "depth"));
    free(text);
    diag_free(dg);
}

/* Issue 11: what the reader does not use survives a read-write round trip:
 * class strings as written, 4th coordinates, and the id high-water mark. */
static void round_trip_keeps_what_is_not_understood(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *set = read_ok(
        "{\"type\": \"FeatureCollection\", \"satmark\": {\"version\": 1, \"next_ids\": "
        "{\"ship\": 5}}, \"features\": ["
        "{\"type\": \"Feature\", \"id\": \"t\", \"geometry\": {\"type\": \"LineString\", "
        "\"coordinates\": [[1, 2, 3, 40.5], [1.5, 2.5, 3.5, 41]]}, "
        "\"properties\": {\"class\": \"tank\"}},"
        "{\"type\": \"Feature\", \"id\": \"s\", \"geometry\": {\"type\": \"Polygon\", "
        "\"coordinates\": [[[0, 0, 0, 1], [0, 1, 0, 2], [1, 1, 0, 3], [0, 0, 0, 1]]]}, "
        "\"properties\": {\"class\": \"Ship\"}}]}",
        dg);
    assert_int_equal(annot_get(set, 0)->cls, ANNOT_CLASS_OTHER);
    assert_int_equal(annot_get(set, 1)->cls, ANNOT_CLASS_SHIP);
    assert_int_equal(annot_next_id_number(set, ANNOT_CLASS_SHIP), 5);
    char *out = gjwrite_string(set, NULL, dg);
    assert_non_null(out);
    assert_non_null(strstr(out, "\"class\": \"tank\""));
    assert_non_null(strstr(out, "\"class\": \"Ship\""));
    assert_non_null(strstr(out, "[[1, 2, 3, 40.5], [1.5, 2.5, 3.5, 41]]"));
    /* the clockwise ring was rewound with its 4th coordinates */
    assert_non_null(strstr(out, "[[[0, 0, 0, 1], [1, 1, 0, 3], [0, 1, 0, 2], [0, 0, 0, 1]]]"));
    assert_non_null(strstr(out, "\"next_ids\": {\"ship\": 5}"));
    /* and once more through the reader: the same text */
    struct annot_set *again = read_ok(out, dg);
    char *out2 = gjwrite_string(again, NULL, dg);
    assert_string_equal(out, out2);
    free(out2);
    annot_set_free(again);
    free(out);
    /* next_ids must be an object of positive integers */
    annot_set_free(set);
    diag_free(dg);
    read_fails("{\"type\": \"FeatureCollection\", \"satmark\": {\"next_ids\": {\"ship\": "
               "0}}, \"features\": []}",
               "mem.geojson", "positive integer");
}

static void accepted_with_warnings(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *set = read_ok("\xEF\xBB\xBF{\"type\": \"Point\", \"coordinates\": [1, 2]}", dg);
    assert_true(has_warning(dg, "byte order mark"));
    annot_set_free(set);
    diag_reset(dg);
    set = read_ok("{\"type\": \"Point\", \"coordinates\": [1, 2, 3, 4]}", dg);
    assert_true(has_warning(dg, "4 numbers"));
    /* a 4th coordinate (a measure) survives the round trip (issue 11) */
    char *out = gjwrite_string(set, NULL, dg);
    assert_non_null(strstr(out, "[1, 2, 3, 4]"));
    free(out);
    annot_set_free(set);
    diag_reset(dg);
    set = read_ok("{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\"}, "
                  "\"features\": []}",
                  dg);
    assert_true(has_warning(dg, "crs"));
    out = gjwrite_string(set, NULL, dg);
    assert_null(strstr(out, "crs"));
    free(out);
    annot_set_free(set);
    diag_free(dg);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    s[n] = '\0';
    fclose(fp);
    return s;
}

static void atomic_save_keeps_backup(void **state)
{
    (void)state;
    char dir[] = "/tmp/satmark-gjson-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], backup[256];
    snprintf(path, sizeof path, "%s/site.geojson", dir);
    snprintf(backup, sizeof backup, "%s/site.geojson~", dir);
    struct diag *dg = diag_new();
    struct annot_set *set = read_ok(rich, dg);
    assert_true(gjwrite_file(path, set, dg));
    assert_int_equal(access(backup, F_OK), -1); /* nothing to back up the first time */
    chmod(path, 0640);
    char *v1 = slurp(path);
    assert_true(annot_edit_label(set, "pier-1", "Pier one", dg));
    assert_true(gjwrite_file(path, set, dg));
    char *v2 = slurp(path);
    char *bak = slurp(backup);
    assert_non_null(bak);
    assert_string_equal(bak, v1);
    assert_string_not_equal(v1, v2);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* the mode is kept */
    /* The file read back equals the set; writing it again is byte-identical. */
    struct annot_set *back = NULL;
    assert_true(gjson_read_file(path, &back, dg));
    char *again = gjwrite_string(back, NULL, dg);
    assert_string_equal(again, v2);
    /* No temporary files are left behind. */
    DIR *d = opendir(dir);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            entries++;
            assert_true(strcmp(e->d_name, "site.geojson") == 0 ||
                        strcmp(e->d_name, "site.geojson~") == 0);
        }
    closedir(d);
    assert_int_equal(entries, 2);
    /* Saving into a missing directory fails with the path named. */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing/x.geojson", dir);
    assert_false(gjwrite_file(bad, set, dg));
    assert_non_null(strstr(diag_message(dg), bad));
    unlink(path);
    unlink(backup);
    rmdir(dir);
    free(v1);
    free(v2);
    free(bak);
    free(again);
    annot_set_free(back);
    annot_set_free(set);
    diag_free(dg);
}

static void feature_string_and_file_errors(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_set *set = read_ok(rich, dg);
    char *s = gjwrite_feature_string(annot_find(set, "pier-1"), dg);
    assert_non_null(s);
    assert_true(strncmp(s, "{\n  \"type\": \"Feature\",\n  \"id\": \"pier-1\"", 38) == 0);
    free(s);
    annot_set_free(set);
    struct annot_set *none = NULL;
    assert_false(gjson_read_file("/nonexistent/x.geojson", &none, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent/x.geojson"));
    diag_reset(dg);
    assert_false(gjson_read_file("/tmp", &none, dg));
    assert_non_null(strstr(diag_message(dg), "not a regular file"));
    diag_free(dg);
}

/* Coordinates read back are exactly what the writer will save (strtod of
 * gjwrite_number), bit for bit, including values at and next to the halfway
 * points of the 7th decimal, tiny negatives (saved as 0) and full precision. */
static void coordinates_round_like_the_writer(void **state)
{
    (void)state;
    enum { N = 4000 };
    static double want[N];
    size_t cap = (size_t)N * 64 + 256, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len,
                            "{\"type\": \"MultiPoint\", \"coordinates\": [");
    unsigned long long lcg = 12345;
    for (int i = 0; i < N; i++) {
        lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
        double unit = (double)(lcg >> 11) / 9007199254740992.0; /* [0, 1) */
        char num[64];
        switch (i % 5) {
        case 0: /* full precision */
            snprintf(num, sizeof num, "%.17g", unit * 360.0 - 180.0);
            break;
        case 1: /* exactly half a unit of the 7th decimal, written in decimal */
            snprintf(num, sizeof num, "%.7f5", unit * 170.0 - 85.0);
            break;
        case 2: /* just below and above the half */
            snprintf(num, sizeof num, "%.7f%s", unit * 170.0 - 85.0,
                     (lcg >> 7) & 1 ? "49999999" : "50000001");
            break;
        case 3: /* tiny values around zero */
            snprintf(num, sizeof num, "%.3g", (unit - 0.5) * 4e-7);
            break;
        default: /* already 7 decimals, as the writer saves them */
            snprintf(num, sizeof num, "%.7f", unit * 360.0 - 180.0);
            break;
        }
        double v = strtod(num, NULL);
        if (fabs(v) > 85.0)
            snprintf(num, sizeof num, "%.7f", v = fmod(v, 85.0));
        char saved[64];
        want[i] = strtod(gjwrite_number(v, saved, sizeof saved), NULL);
        len += (size_t)snprintf(text + len, cap - len, "%s[%s, %s]", i ? ", " : "", num, num);
    }
    snprintf(text + len, cap - len, "]}");
    struct diag *dg = diag_new();
    struct annot_set *set = read_ok(text, dg);
    const struct annot_part *part = &annot_get(set, 0)->geom.parts[0];
    assert_int_equal(part->n, N);
    for (size_t i = 0; i < N; i++) {
        if (memcmp(&part->pts[i].lon, &want[i], sizeof want[i]) != 0 ||
            memcmp(&part->pts[i].lat, &want[i], sizeof want[i]) != 0)
            fail_msg("position %zu: read %.17g, %.17g; the writer saves %.17g", i,
                     part->pts[i].lon, part->pts[i].lat, want[i]);
    }
    annot_set_free(set);
    diag_free(dg);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_is_identical),
        cmocka_unit_test(rewinds_rings),
        cmocka_unit_test(plain_geojson_gets_defaults),
        cmocka_unit_test(generated_ids_skip_taken),
        cmocka_unit_test(ids_from_properties),
        cmocka_unit_test(errors_name_line_and_column),
        cmocka_unit_test(deep_nesting_fails_cleanly),
        cmocka_unit_test(accepted_with_warnings),
        cmocka_unit_test(atomic_save_keeps_backup),
        cmocka_unit_test(feature_string_and_file_errors),
        cmocka_unit_test(coordinates_round_like_the_writer),
        cmocka_unit_test(round_trip_keeps_what_is_not_understood),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
