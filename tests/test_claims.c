/* Unit tests of claims: catalog reading and validation (every kind of error
 * names the entry or the line:column), point-in-polygon with holes and
 * multipolygons, representative points, evidence status from links, and the
 * verdicts of a counting claim on sets where the answer is known (99, 101 and
 * 0 pits inside the area; marks outside; marks of another date; area not
 * marked; several images in the window). Sets are built with annot's loader
 * so these tests do not depend on the GeoJSON reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annot.h"
#include "claims.h"
#include "claims_eval.h"

/* ---- catalog -------------------------------------------------------------- */

static void fixture_catalog_reads(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_read(SATMARK_TEST_DATA "/claims/catalog.json", &cat, dg));
    assert_non_null(cat);
    assert_int_equal(claims_source_count(cat), 2);
    assert_int_equal(claims_claim_count(cat), 5);
    assert_int_equal(claims_discrepancy_count(cat), 1);
    assert_int_equal(diag_warning_count(dg), 0);

    const struct claims_source *s = claims_find_source(cat, "uk-defence-intelligence");
    assert_non_null(s);
    assert_null(s->file);
    assert_string_equal(s->published, "");
    assert_int_equal(s->reliability, CLAIMS_RELIABILITY_EXTERNAL);
    assert_int_equal(claims_source_at(cat, 0)->ncites, 2);

    const struct claims_claim *c = claims_find(cat, "fixture-pits-over-100");
    assert_non_null(c);
    assert_true(c->has_check);
    assert_true(c->has_quantity);
    assert_int_equal(c->quantity.qualifier, CLAIMS_QUALIFIER_MORE_THAN);
    assert_int_equal(c->check.op, CLAIMS_OP_GT);
    assert_true(c->check.value == 100);
    assert_string_equal(c->check.class_name, "munitions_pit");
    assert_string_equal(c->check.area, "fixture-depot");
    assert_string_equal(c->check.date_from, "2023-10-01");
    assert_string_equal(c->time_to, "2024-01-31");
    assert_string_equal(c->attributed_to[0], "RUSI");

    const struct claims_claim *loaded = claims_find(cat, "fixture-containers-loaded");
    assert_false(loaded->has_check);
    assert_false(loaded->has_quantity);
    assert_int_equal(loaded->imagery, CLAIMS_IMAGERY_PARTLY);
    assert_string_equal(loaded->quote, "");

    const struct claims_discrepancy *d = claims_discrepancy_at(cat, 0);
    assert_int_equal(d->kind, CLAIMS_KIND_NAME);
    assert_int_equal(d->nclaims, 2);
    assert_null(claims_find(cat, "newsweek-2024-01-22")); /* a source, not a claim */
    assert_null(claims_find(cat, "nope"));
    claims_catalog_free(cat);
    diag_free(dg);
}

/* Parses text; expects failure and every needle in the message. */
static void expect_error(const char *text, const char *needle1, const char *needle2)
{
    struct diag *dg = diag_new();
    struct claims_catalog *cat = (struct claims_catalog *)&cat; /* must be reset */
    bool ok = claims_catalog_parse(text, "cat.json", &cat, dg);
    if (ok || !strstr(diag_message(dg), needle1) || (needle2 && !strstr(diag_message(dg), needle2)))
        fail_msg("expected an error with \"%s\" / \"%s\", got %s: \"%s\"", needle1,
                 needle2 ? needle2 : "", ok ? "success" : "failure", diag_message(dg));
    assert_null(cat);
    diag_free(dg);
}

#define SRC "{\"id\":\"s1\",\"outlet\":\"O\",\"headline\":\"H\",\"published\":\"2024-01-22\"," \
            "\"file\":\"a.txt\",\"reliability\":\"reported\"}"
#define CLAIM(id, src) "{\"id\":\"" id "\",\"text\":\"T\",\"sources\":[\"" src "\"],\"imagery\":\"yes\"}"

static void syntax_error_has_line_and_column(void **state)
{
    (void)state;
    expect_error("{\n  \"satmark_claims\": 1,\n  \"sources\": [,]\n}", "cat.json:3:", NULL);
    /* Column too: "cat.json:3:16: ..." */
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_false(claims_catalog_parse("{\n  \"satmark_claims\": 1,\n  \"sources\": [,]\n}",
                                      "cat.json", &cat, dg));
    int line = 0, column = 0;
    assert_int_equal(sscanf(diag_message(dg), "cat.json:%d:%d:", &line, &column), 2);
    assert_int_equal(line, 3);
    assert_true(column >= 14 && column <= 16);
    diag_free(dg);
    expect_error("{\"satmark_claims\":1,\"satmark_claims\":1}", "cat.json:1:", "duplicate");
    expect_error("", "cat.json", NULL);
}

static void structural_errors_name_the_entry(void **state)
{
    (void)state;
    expect_error("[]", "cat.json: top level", "object");
    expect_error("{\"sources\":[],\"claims\":[]}", "satmark_claims", "missing");
    expect_error("{\"satmark_claims\":2,\"sources\":[],\"claims\":[]}", "satmark_claims",
                 "version");
    expect_error("{\"satmark_claims\":1,\"claims\":[]}", "sources", "missing");
    /* unknown source reference */
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[" CLAIM("c1", "s9") "]}",
                 "claims[0] \"c1\"", "unknown source \"s9\"");
    /* duplicate id across sources and claims */
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[" CLAIM("c1", "s1") ","
                 CLAIM("s1", "s1") "]}",
                 "claims[1] \"s1\"", "duplicate id, already used by sources[0]");
    /* duplicate claim ids */
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[" CLAIM("c1", "s1") ","
                 CLAIM("c1", "s1") "]}",
                 "claims[1] \"c1\"", "duplicate id");
    /* bad enums */
    expect_error("{\"satmark_claims\":1,\"sources\":[{\"id\":\"s1\",\"outlet\":\"O\",\"headline\":"
                 "\"H\",\"published\":null,\"file\":null,\"reliability\":\"rumour\"}],"
                 "\"claims\":[]}",
                 "sources[0] \"s1\": reliability", "\"rumour\" is not one of");
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[{\"id\":\"c1\",\"text\":"
                 "\"T\",\"sources\":[\"s1\"],\"imagery\":\"maybe\"}]}",
                 "claims[0] \"c1\": imagery", "maybe");
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[{\"id\":\"c1\",\"text\":"
                 "\"T\",\"sources\":[\"s1\"],\"imagery\":\"yes\",\"quantity\":{\"value\":3,"
                 "\"unit\":\"ships\",\"qualifier\":\"roughly\"}}]}",
                 "claims[0] \"c1\": quantity: qualifier", "roughly");
    /* bad dates */
    expect_error("{\"satmark_claims\":1,\"sources\":[{\"id\":\"s1\",\"outlet\":\"O\",\"headline\":"
                 "\"H\",\"published\":\"2023-02-30\",\"file\":\"a.txt\",\"reliability\":"
                 "\"reported\"}],\"claims\":[]}",
                 "sources[0] \"s1\": published", "2023-02-30");
    expect_error("{\"satmark_claims\":1,\"sources\":[{\"id\":\"s1\",\"outlet\":\"O\",\"headline\":"
                 "\"H\",\"published\":\"22/01/2024\",\"file\":\"a.txt\",\"reliability\":"
                 "\"reported\"}],\"claims\":[]}",
                 "published", "YYYY-MM-DD");
    /* missing required fields */
    expect_error("{\"satmark_claims\":1,\"sources\":[{\"id\":\"s1\",\"headline\":\"H\","
                 "\"published\":null,\"reliability\":\"external\"}],\"claims\":[]}",
                 "sources[0] \"s1\": outlet", "missing");
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[{\"text\":\"T\","
                 "\"sources\":[\"s1\"],\"imagery\":\"yes\"}]}",
                 "claims[0]: id", "missing");
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[{\"id\":\"c1\","
                 "\"text\":\"T\",\"sources\":[],\"imagery\":\"yes\"}]}",
                 "claims[0] \"c1\": sources", "at least one");
}

#define CHECK_CLAIM(check)                                                                      \
    "{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[{\"id\":\"c1\",\"text\":\"T\","     \
    "\"sources\":[\"s1\"],\"imagery\":\"yes\",\"check\":" check "}]}"

static void check_errors(void **state)
{
    (void)state;
    expect_error(CHECK_CLAIM("{\"class\":\"tank\",\"area\":\"a\",\"op\":\">\",\"value\":1,"
                             "\"date_from\":\"2023-01-01\",\"date_to\":\"2023-02-01\"}"),
                 "claims[0] \"c1\": check: class", "\"tank\" is not an annotation class");
    expect_error(CHECK_CLAIM("{\"class\":\"ship\",\"area\":\"\",\"op\":\">\",\"value\":1,"
                             "\"date_from\":\"2023-01-01\",\"date_to\":\"2023-02-01\"}"),
                 "check: area", "empty");
    expect_error(CHECK_CLAIM("{\"class\":\"ship\",\"area\":\"a\",\"op\":\"gt\",\"value\":1,"
                             "\"date_from\":\"2023-01-01\",\"date_to\":\"2023-02-01\"}"),
                 "check: op", "\"gt\" is not one of: >, >=, <, <=, ==");
    expect_error(CHECK_CLAIM("{\"class\":\"ship\",\"area\":\"a\",\"op\":\">\",\"value\":\"1\","
                             "\"date_from\":\"2023-01-01\",\"date_to\":\"2023-02-01\"}"),
                 "check: value", "number");
    expect_error(CHECK_CLAIM("{\"class\":\"ship\",\"area\":\"a\",\"op\":\">\",\"value\":1,"
                             "\"date_from\":\"2023-03-01\",\"date_to\":\"2023-02-01\"}"),
                 "check: date_from", "after");
    expect_error(CHECK_CLAIM("{\"class\":\"ship\",\"area\":\"a\",\"op\":\">\",\"value\":1,"
                             "\"date_from\":\"2023-13-01\",\"date_to\":\"2023-12-01\"}"),
                 "check: date_from", "2023-13-01");
    /* discrepancy naming an unknown claim, and one naming a source */
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[" CLAIM("c1", "s1")
                 "],\"discrepancies\":[{\"id\":\"d1\",\"title\":\"D\",\"kind\":\"name\","
                 "\"claims\":[\"c1\",\"c2\"]}]}",
                 "discrepancies[0] \"d1\": claims", "unknown claim \"c2\"");
    expect_error("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[" CLAIM("c1", "s1")
                 "],\"discrepancies\":[{\"id\":\"d1\",\"title\":\"D\",\"kind\":\"rumour\","
                 "\"claims\":[\"c1\"]}]}",
                 "discrepancies[0] \"d1\": kind", "rumour");
}

static void unknown_member_warns(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_parse("{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[{"
                                     "\"id\":\"c1\",\"text\":\"T\",\"sources\":[\"s1\"],"
                                     "\"imagery\":\"yes\",\"qantity\":null,\"note\":\"x\","
                                     "\"time_note\":\"y\"}]}",
                                     "cat.json", &cat, dg));
    assert_int_equal(diag_warning_count(dg), 1);
    assert_non_null(strstr(diag_warning(dg, 0), "claims[0] \"c1\": unknown member \"qantity\""));
    assert_non_null(strstr(diag_warning(dg, 0), "did you mean \"quantity\""));
    claims_catalog_free(cat);
    diag_free(dg);
}

static void missing_file_names_path(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_false(claims_catalog_read("/nonexistent/claims.json", &cat, dg));
    assert_null(cat);
    assert_non_null(strstr(diag_message(dg), "/nonexistent/claims.json"));
    claims_catalog_free(NULL);
    diag_free(dg);
}

static void byte_order_mark_is_ignored(void **state)
{
    (void)state;
    char path[] = "/tmp/satmark-claims-bom-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("\xEF\xBB\xBF{\"satmark_claims\":1,\"sources\":[" SRC "],\"claims\":[]}", f);
    fclose(f);
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_read(path, &cat, dg));
    assert_int_equal(claims_source_count(cat), 1);
    assert_int_equal(diag_warning_count(dg), 1);
    assert_non_null(strstr(diag_warning(dg, 0), "byte order mark"));
    claims_catalog_free(cat);
    remove(path);
    diag_free(dg);
}

/* ---- fixtures ------------------------------------------------------------- */

/* Square ring centred at (cx, cy) with half-size h, closed, counter-clockwise
 * (or clockwise for holes). */
static void square(struct annot_lonlat out[5], double cx, double cy, double h, bool clockwise)
{
    struct annot_lonlat ccw[5] = {{cx - h, cy - h}, {cx + h, cy - h}, {cx + h, cy + h},
                                  {cx - h, cy + h}, {cx - h, cy - h}};
    for (int i = 0; i < 5; i++)
        out[i] = clockwise ? ccw[4 - i] : ccw[i];
}

/* ---- evaluation ----------------------------------------------------------- */

#define DEPOT_LON 131.86
#define DEPOT_LAT 43.17

struct fixture {
    struct claims_catalog *cat;
    struct annot_set *set;
    struct diag *dg;
    int next;
};

static void add_feature(struct fixture *fx, const char *id, enum annot_class cls,
                        struct annot_geometry *geom, const char *image, const char *acquired,
                        const char *claim, enum annot_stance stance)
{
    struct annot_feature f;
    annot_feature_init(&f);
    char idbuf[64];
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "mark-%d", ++fx->next);
        id = idbuf;
    }
    f.id = (char *)id;
    f.cls = cls;
    f.label = "";
    f.note = "";
    f.author = "";
    f.geom = *geom;
    struct annot_observation obs = {.image = (char *)image, .sha256 = "",
                                    .acquired = (char *)acquired};
    if (image) {
        f.nobs = 1;
        f.obs = &obs;
    }
    struct annot_claim_link link = {.claim = (char *)claim, .stance = stance};
    if (claim) {
        f.nclaims = 1;
        f.claims = &link;
    }
    if (!annot_load_feature(fx->set, &f, fx->dg))
        fail_msg("annot_load_feature(%s): %s", id, diag_message(fx->dg));
}

static void add_point(struct fixture *fx, double lon, double lat, enum annot_class cls,
                      const char *image, const char *acquired)
{
    struct annot_lonlat p = {lon, lat};
    struct annot_part part = {.n = 1, .pts = &p};
    struct annot_geometry g = {.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &part};
    add_feature(fx, NULL, cls, &g, image, acquired, NULL, ANNOT_STANCE_CONTEXT);
}

/* The depot polygon (about 1.6 km across), observed on `image`. */
static void add_depot(struct fixture *fx, const char *image, const char *acquired)
{
    struct annot_lonlat ring[5];
    square(ring, DEPOT_LON, DEPOT_LAT, 0.01, false);
    struct annot_part part = {.n = 5, .pts = ring};
    struct annot_geometry g = {.type = ANNOT_GEOM_POLYGON, .nparts = 1, .parts = &part};
    add_feature(fx, "fixture-depot", ANNOT_CLASS_AOI, &g, image, acquired, NULL,
                ANNOT_STANCE_CONTEXT);
}

/* n pits spread over the inner part of the depot, on one image. */
static void add_pits_inside(struct fixture *fx, int n, const char *image, const char *acquired)
{
    for (int i = 0; i < n; i++)
        add_point(fx, DEPOT_LON - 0.009 + 0.0018 * (i % 10), DEPOT_LAT - 0.009 + 0.0018 * (i / 10 % 10),
                  ANNOT_CLASS_MUNITIONS_PIT, image, acquired);
}

static struct fixture *fixture_new(void)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->dg = diag_new();
    assert_true(claims_catalog_read(SATMARK_TEST_DATA "/claims/catalog.json", &fx->cat, fx->dg));
    fx->set = annot_set_new();
    assert_non_null(fx->set);
    return fx;
}

static void fixture_free(struct fixture *fx)
{
    annot_set_free(fx->set);
    claims_catalog_free(fx->cat);
    diag_free(fx->dg);
    free(fx);
}

/* Evaluates and returns the check result of fixture-pits-over-100; the report
 * is returned through *rep for freeing. */
static const struct claims_check_result *pits_check(struct fixture *fx, struct claims_report **rep)
{
    const struct annot_set *sets[1] = {fx->set};
    if (!claims_evaluate(fx->cat, sets, 1, rep, fx->dg))
        fail_msg("claims_evaluate: %s", diag_message(fx->dg));
    const struct claims_claim_result *r = claims_report_find(*rep, "fixture-pits-over-100");
    assert_non_null(r);
    assert_true(r->has_check);
    return &r->check;
}

static enum claims_verdict verdict_with_pits(int inside, int outside)
{
    struct fixture *fx = fixture_new();
    const char *img = "dunai_2023-10-16.tif";
    add_depot(fx, img, "2023-10-16");
    add_pits_inside(fx, inside, img, "2023-10-16");
    for (int i = 0; i < outside; i++) /* east of the depot */
        add_point(fx, DEPOT_LON + 0.02 + 0.0005 * i, DEPOT_LAT, ANNOT_CLASS_MUNITIONS_PIT, img,
                  "2023-10-16");
    /* Marks of another class inside never count. */
    add_point(fx, DEPOT_LON, DEPOT_LAT, ANNOT_CLASS_BUILDING, img, "2023-10-16");
    struct claims_report *rep = NULL;
    const struct claims_check_result *res = pits_check(fx, &rep);
    assert_true(res->area_found);
    assert_int_equal(res->nimages, 1);
    assert_string_equal(res->images[0].image, img);
    assert_string_equal(res->images[0].acquired, "2023-10-16");
    assert_int_equal(res->images[0].count, (size_t)inside);
    assert_non_null(res->reason);
    enum claims_verdict v = res->verdict;
    claims_report_free(rep);
    fixture_free(fx);
    return v;
}

static void verdict_counts_inside_the_area(void **state)
{
    (void)state;
    assert_int_equal(verdict_with_pits(99, 0), CLAIMS_VERDICT_INCONSISTENT);
    assert_int_equal(verdict_with_pits(101, 0), CLAIMS_VERDICT_CONSISTENT);
    assert_int_equal(verdict_with_pits(100, 0), CLAIMS_VERDICT_INCONSISTENT); /* > is strict */
    assert_int_equal(verdict_with_pits(0, 0), CLAIMS_VERDICT_INCONSISTENT);
    /* 150 pits outside the polygon do not lift 99 inside over the threshold. */
    assert_int_equal(verdict_with_pits(99, 150), CLAIMS_VERDICT_INCONSISTENT);
}

static void marks_of_another_date_do_not_count(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new();
    /* Depot and 150 pits seen only in August: before the window (October-January). */
    add_depot(fx, "dunai_2023-08-01.tif", "2023-08-01");
    add_pits_inside(fx, 150, "dunai_2023-08-01.tif", "2023-08-01");
    struct claims_report *rep = NULL;
    const struct claims_check_result *res = pits_check(fx, &rep);
    assert_true(res->area_found);
    assert_int_equal(res->nimages, 0);
    assert_int_equal(res->verdict, CLAIMS_VERDICT_UNDETERMINED);
    assert_non_null(strstr(res->reason, "no image"));
    claims_report_free(rep);

    /* Add an October image with 50 pits: only those count (the August ones do not). */
    add_pits_inside(fx, 50, "dunai_2023-10-16.tif", "2023-10-16T02:31:00Z");
    res = pits_check(fx, &rep);
    assert_int_equal(res->nimages, 1);
    assert_int_equal(res->images[0].count, 50);
    assert_int_equal(res->verdict, CLAIMS_VERDICT_INCONSISTENT);
    claims_report_free(rep);
    fixture_free(fx);
}

static void area_not_marked_is_undetermined(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new();
    add_pits_inside(fx, 150, "dunai_2023-10-16.tif", "2023-10-16");
    struct claims_report *rep = NULL;
    const struct claims_check_result *res = pits_check(fx, &rep);
    assert_false(res->area_found);
    assert_int_equal(res->verdict, CLAIMS_VERDICT_UNDETERMINED);
    assert_non_null(strstr(res->reason, "fixture-depot"));
    claims_report_free(rep);
    fixture_free(fx);

    /* An area that is a line, not a polygon, cannot bound a count. */
    fx = fixture_new();
    struct annot_lonlat pts[2] = {{DEPOT_LON - 0.01, DEPOT_LAT}, {DEPOT_LON + 0.01, DEPOT_LAT}};
    struct annot_part part = {.n = 2, .pts = pts};
    struct annot_geometry line = {.type = ANNOT_GEOM_LINESTRING, .nparts = 1, .parts = &part};
    add_feature(fx, "fixture-depot", ANNOT_CLASS_AOI, &line, "d.tif", "2023-10-16", NULL,
                ANNOT_STANCE_CONTEXT);
    add_pits_inside(fx, 150, "d.tif", "2023-10-16");
    res = pits_check(fx, &rep);
    assert_false(res->area_found);
    assert_int_equal(res->verdict, CLAIMS_VERDICT_UNDETERMINED);
    assert_non_null(strstr(res->reason, "LineString"));
    claims_report_free(rep);
    fixture_free(fx);
}

static void every_image_of_the_window_is_reported(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new();
    add_depot(fx, "dunai_2023-12-01.tif", "2023-12-01");
    add_pits_inside(fx, 101, "dunai_2023-10-16.tif", "2023-10-16");
    add_pits_inside(fx, 120, "dunai_2024-01-20.tif", "2024-01-20");
    struct claims_report *rep = NULL;
    const struct claims_check_result *res = pits_check(fx, &rep);
    /* The December image shows the depot but no pit was marked on it: 0. */
    assert_int_equal(res->nimages, 3);
    assert_string_equal(res->images[0].acquired, "2023-10-16");
    assert_int_equal(res->images[0].count, 101);
    assert_true(res->images[0].holds);
    assert_string_equal(res->images[1].acquired, "2023-12-01");
    assert_int_equal(res->images[1].count, 0);
    assert_false(res->images[1].holds);
    assert_string_equal(res->images[2].image, "dunai_2024-01-20.tif");
    assert_int_equal(res->images[2].count, 120);
    assert_int_equal(res->verdict, CLAIMS_VERDICT_INCONSISTENT);
    assert_non_null(strstr(res->reason, "dunai_2023-12-01.tif"));
    claims_report_free(rep);
    fixture_free(fx);

    fx = fixture_new();
    add_depot(fx, "dunai_2023-10-16.tif", "2023-10-16");
    add_pits_inside(fx, 101, "dunai_2023-10-16.tif", "2023-10-16");
    add_pits_inside(fx, 105, "dunai_2024-01-20.tif", "2024-01-20");
    res = pits_check(fx, &rep);
    assert_int_equal(res->nimages, 2);
    assert_int_equal(res->verdict, CLAIMS_VERDICT_CONSISTENT);
    claims_report_free(rep);
    fixture_free(fx);
}

static void evidence_status_from_links(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new();
    struct annot_lonlat p = {DEPOT_LON, DEPOT_LAT};
    struct annot_part part = {.n = 1, .pts = &p};
    struct annot_geometry g = {.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &part};
    add_feature(fx, "ship-1", ANNOT_CLASS_SHIP, &g, NULL, NULL, "fixture-ships-at-least-2",
                ANNOT_STANCE_SUPPORTS);
    add_feature(fx, "ship-2", ANNOT_CLASS_SHIP, &g, NULL, NULL, "fixture-ships-at-least-2",
                ANNOT_STANCE_CONTRADICTS);
    add_feature(fx, "crane-1", ANNOT_CLASS_CRANE, &g, NULL, NULL, "fixture-containers-loaded",
                ANNOT_STANCE_CONTEXT);
    add_feature(fx, "stack-1", ANNOT_CLASS_CONTAINER_STACK, &g, NULL, NULL,
                "fixture-name-variant", ANNOT_STANCE_CONTRADICTS);
    add_feature(fx, "stray", ANNOT_CLASS_OTHER, &g, NULL, NULL, "no-such-claim",
                ANNOT_STANCE_SUPPORTS);
    const struct annot_set *sets[1] = {fx->set};
    struct claims_report *rep = NULL;
    assert_true(claims_evaluate(fx->cat, sets, 1, &rep, fx->dg));
    assert_int_equal(rep->nclaims, 5);
    const struct claims_claim_result *ships = claims_report_find(rep, "fixture-ships-at-least-2");
    assert_int_equal(ships->evidence, CLAIMS_EVIDENCE_CONTESTED);
    assert_int_equal(ships->nlinks[CLAIMS_SUPPORTS], 1);
    assert_string_equal(ships->links[CLAIMS_SUPPORTS][0].feature_id, "ship-1");
    assert_string_equal(ships->links[CLAIMS_CONTRADICTS][0].feature_id, "ship-2");
    assert_int_equal(claims_report_find(rep, "fixture-containers-loaded")->evidence,
                     CLAIMS_EVIDENCE_CONTEXT_ONLY);
    assert_int_equal(claims_report_find(rep, "fixture-name-variant")->evidence,
                     CLAIMS_EVIDENCE_CONTRADICTED);
    assert_int_equal(claims_report_find(rep, "fixture-pits-over-100")->evidence,
                     CLAIMS_EVIDENCE_NONE);
    /* The link to an unknown claim is a warning here ... */
    bool warned = false;
    for (size_t i = 0; i < diag_warning_count(fx->dg); i++)
        warned = warned || strstr(diag_warning(fx->dg, i), "no-such-claim");
    assert_true(warned);
    claims_report_free(rep);
    /* ... and an error for claims_check_links, naming the file and the feature. */
    assert_false(claims_check_links(fx->cat, fx->set, "site.geojson", fx->dg));
    assert_non_null(strstr(diag_message(fx->dg), "site.geojson: feature \"stray\""));
    assert_non_null(strstr(diag_message(fx->dg), "no-such-claim"));
    fixture_free(fx);

    fx = fixture_new();
    add_feature(fx, "ship-1", ANNOT_CLASS_SHIP, &g, NULL, NULL, "fixture-ships-at-least-2",
                ANNOT_STANCE_SUPPORTS);
    assert_true(claims_check_links(fx->cat, fx->set, "site.geojson", fx->dg));
    add_feature(fx, "ship-2", ANNOT_CLASS_SHIP, &g, NULL, NULL, "newsweek-2024-01-22",
                ANNOT_STANCE_SUPPORTS);
    assert_false(claims_check_links(fx->cat, fx->set, "site.geojson", fx->dg));
    assert_non_null(strstr(diag_message(fx->dg), "that id is a source"));
    fixture_free(fx);
}

static void names_and_ops(void **state)
{
    (void)state;
    assert_true(claims_op_holds(CLAIMS_OP_GT, 101, 100));
    assert_false(claims_op_holds(CLAIMS_OP_GT, 100, 100));
    assert_true(claims_op_holds(CLAIMS_OP_GE, 100, 100));
    assert_true(claims_op_holds(CLAIMS_OP_LT, 99, 100));
    assert_false(claims_op_holds(CLAIMS_OP_LE, 101, 100));
    assert_true(claims_op_holds(CLAIMS_OP_EQ, 3, 3));
    assert_string_equal(claims_verdict_name(CLAIMS_VERDICT_UNDETERMINED), "undetermined");
    assert_string_equal(claims_evidence_name(CLAIMS_EVIDENCE_CONTESTED), "contested");
    assert_string_equal(claims_qualifier_name(CLAIMS_QUALIFIER_MORE_THAN), "more than");
    assert_string_equal(claims_stance_name(CLAIMS_CONTEXT), "context");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixture_catalog_reads),
        cmocka_unit_test(syntax_error_has_line_and_column),
        cmocka_unit_test(structural_errors_name_the_entry),
        cmocka_unit_test(check_errors),
        cmocka_unit_test(unknown_member_warns),
        cmocka_unit_test(missing_file_names_path),
        cmocka_unit_test(byte_order_mark_is_ignored),
        cmocka_unit_test(verdict_counts_inside_the_area),
        cmocka_unit_test(marks_of_another_date_do_not_count),
        cmocka_unit_test(area_not_marked_is_undetermined),
        cmocka_unit_test(every_image_of_the_window_is_reported),
        cmocka_unit_test(evidence_status_from_links),
        cmocka_unit_test(names_and_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
