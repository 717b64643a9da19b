/* Unit tests of export: format choice by extension; GeoJSON that follows RFC
 * 7946 (counter-clockwise exteriors even from clockwise input, clockwise
 * holes, at most 7 decimals, no crs) and carries the resolved citations; KML
 * escaping; GeoPackage and FlatGeobuf read back through OGR with the same
 * features and attributes; merging (shared ids get prefixed or fail);
 * failures leave the target untouched and no temporary files behind. Sets are
 * built with annot's loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <gdal.h>
#include <jansson.h>
#include <ogr_api.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annot.h"
#include "claims.h"
#include "dynbuf.h"
#include "export.h"
#include "gjson.h"
#include "imagery.h"
#include "settings.h"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/satmark-export-test-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            if (e->d_name[0] != '.' || strlen(e->d_name) > 2)
                unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

static void out_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmpdir, name);
}

/* Number of entries in tmpdir whose name starts with ".satmark-export". */
static int leftover_temporaries(void)
{
    int n = 0;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strncmp(e->d_name, ".satmark-export", 15) == 0;
    if (d)
        closedir(d);
    return n;
}

/* ---- a small set ---------------------------------------------------------- */

static void load(struct annot_set *set, const char *id, enum annot_class cls,
                 enum annot_geom_type type, struct annot_part *parts, size_t nparts,
                 const char *label, const char *claim, enum annot_stance stance)
{
    struct annot_feature f;
    annot_feature_init(&f);
    f.id = (char *)id;
    f.cls = cls;
    f.label = (char *)label;
    f.note = "";
    f.author = "";
    f.geom = (struct annot_geometry){.type = type, .nparts = nparts, .parts = parts};
    struct annot_observation obs = {.image = "najin_2023-11-20.tif", .sha256 = "",
                                    .acquired = "2023-11-20"};
    f.nobs = 1;
    f.obs = &obs;
    struct annot_claim_link link = {.claim = (char *)claim, .stance = stance};
    if (claim) {
        f.nclaims = 1;
        f.claims = &link;
    }
    struct diag *dg = diag_new();
    if (!annot_load_feature(set, &f, dg))
        fail_msg("annot_load_feature(%s): %s", id, diag_message(dg));
    diag_free(dg);
}

/* A ship point with a long-decimal position, a clockwise polygon with a
 * counter-clockwise hole (both wrong for RFC 7946), a pier line. */
static struct annot_set *make_set(const char *prefix)
{
    struct annot_set *set = annot_set_new();
    char id[64];
    static struct annot_lonlat ship = {130.123456789, 42.987654321};
    struct annot_part ship_part = {.n = 1, .pts = &ship};
    snprintf(id, sizeof id, "%sship-1", prefix);
    load(set, id, ANNOT_CLASS_SHIP, ANNOT_GEOM_POINT, &ship_part, 1, "Ship <Maia> & \"Angara\"",
         "fixture-ships-at-least-2", ANNOT_STANCE_SUPPORTS);
    static struct annot_lonlat outer_cw[5] = {{130, 42}, {130, 42.01}, {130.01, 42.01},
                                              {130.01, 42}, {130, 42}};
    static struct annot_lonlat hole_ccw[5] = {{130.004, 42.004}, {130.006, 42.004},
                                              {130.006, 42.006}, {130.004, 42.006},
                                              {130.004, 42.004}};
    struct annot_part rings[2] = {{.n = 5, .pts = outer_cw}, {.n = 5, .pts = hole_ccw}};
    snprintf(id, sizeof id, "%sberth", prefix);
    load(set, id, ANNOT_CLASS_AOI, ANNOT_GEOM_POLYGON, rings, 2, "Berth", NULL,
         ANNOT_STANCE_CONTEXT);
    static struct annot_lonlat pier[2] = {{130.001, 42.001}, {130.009, 42.001}};
    struct annot_part pier_part = {.n = 2, .pts = pier};
    snprintf(id, sizeof id, "%spier-1", prefix);
    load(set, id, ANNOT_CLASS_PIER, ANNOT_GEOM_LINESTRING, &pier_part, 1, "Пирс 1 / 부두 1",
         "no-such-claim", ANNOT_STANCE_CONTEXT);
    return set;
}

static struct claims_catalog *fixture_catalog(void)
{
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    if (!claims_catalog_read(SATMARK_TEST_DATA "/claims/catalog.json", &cat, dg))
        fail_msg("catalog: %s", diag_message(dg));
    diag_free(dg);
    return cat;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* ---- tests ---------------------------------------------------------------- */

static void format_from_extension(void **state)
{
    (void)state;
    enum export_format f;
    assert_true(export_format_from_path("a/b.geojson", &f));
    assert_int_equal(f, EXPORT_GEOJSON);
    assert_true(export_format_from_path("B.JSON", &f));
    assert_int_equal(f, EXPORT_GEOJSON);
    assert_true(export_format_from_path("x.kml", &f));
    assert_int_equal(f, EXPORT_KML);
    assert_true(export_format_from_path("x.GPKG", &f));
    assert_int_equal(f, EXPORT_GPKG);
    assert_true(export_format_from_path("x.fgb", &f));
    assert_int_equal(f, EXPORT_FGB);
    assert_false(export_format_from_path("x.shp", &f));
    assert_false(export_format_from_path("fgb", &f));
}

/* Twice the signed area of a JSON ring. */
/* The port fixture (make_set("")) and its claims catalog, exported as
 * "port.geojson" with the catalog; port_done checks that no temporary was
 * left and frees it. */
struct port {
    struct annot_set *set;
    struct claims_catalog *cat;
    struct diag *dg;
    struct export_input in;
    struct export_options opts;
};

static void port_init(struct port *p)
{
    p->set = make_set("");
    p->cat = fixture_catalog();
    p->dg = diag_new();
    p->in = (struct export_input){.set = p->set, .path = "port.geojson"};
    p->opts = (struct export_options){.catalog = p->cat};
}

/* Exports the port to `name` in the test directory (its path into path,
 * cap bytes); fails the test with the export's message when it fails. */
static void port_export(struct port *p, const char *name, char *path, size_t cap)
{
    out_path(path, cap, name);
    if (!export_write(path, &p->in, 1, &p->opts, p->dg))
        fail_msg("%s: %s", name, diag_message(p->dg));
}

static void port_done(struct port *p)
{
    assert_int_equal(leftover_temporaries(), 0);
    diag_free(p->dg);
    claims_catalog_free(p->cat);
    annot_set_free(p->set);
}

static double json_ring_area(json_t *ring)
{
    double a = 0;
    size_t n = json_array_size(ring);
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        json_t *p = json_array_get(ring, i), *q = json_array_get(ring, j);
        a += json_number_value(json_array_get(q, 0)) * json_number_value(json_array_get(p, 1)) -
             json_number_value(json_array_get(p, 0)) * json_number_value(json_array_get(q, 1));
    }
    return a;
}

static void geojson_follows_rfc7946_and_cites(void **state)
{
    (void)state;
    struct port port;
    port_init(&port);
    char path[256];
    port_export(&port, "out.geojson", path, sizeof path);
    /* The unknown claim is a warning naming the file and the feature. */
    assert_int_equal(diag_warning_count(port.dg), 1);
    assert_non_null(strstr(diag_warning(port.dg, 0), "port.geojson: feature \"pier-1\""));

    char *text = slurp(path);
    assert_non_null(text);
    assert_null(strstr(text, "\"crs\""));
    assert_non_null(strstr(text, "[130.1234568,42.9876543]")); /* 7 decimals, rounded */
    json_error_t err;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "type")), "FeatureCollection");
    json_t *features = json_object_get(root, "features");
    assert_int_equal(json_array_size(features), 3);

    json_t *ship = json_array_get(features, 0);
    assert_string_equal(json_string_value(json_object_get(ship, "id")), "ship-1");
    json_t *props = json_object_get(ship, "properties");
    assert_string_equal(json_string_value(json_object_get(props, "class")), "ship");
    assert_string_equal(json_string_value(json_object_get(props, "label")),
                        "Ship <Maia> & \"Angara\"");
    assert_string_equal(json_string_value(json_object_get(props, "observed")),
                        "najin_2023-11-20.tif (2023-11-20)");
    json_t *link = json_array_get(json_object_get(props, "claims"), 0);
    assert_string_equal(json_string_value(json_object_get(link, "claim")),
                        "fixture-ships-at-least-2");
    assert_string_equal(json_string_value(json_object_get(link, "stance")), "supports");
    assert_string_equal(json_string_value(json_object_get(link, "text")),
                        "At least two ships were loading at the fixture pier.");
    json_t *src = json_array_get(json_object_get(link, "sources"), 0);
    assert_string_equal(json_string_value(json_object_get(src, "outlet")), "Newsweek");
    assert_string_equal(json_string_value(json_object_get(src, "published")), "2024-01-22");
    assert_non_null(strstr(json_string_value(json_object_get(src, "headline")),
                           "Weapons Shipments"));
    const char *citations = json_string_value(json_object_get(props, "citations"));
    assert_non_null(strstr(citations, "supports fixture-ships-at-least-2"));
    assert_non_null(strstr(citations, "UK Defence Intelligence"));

    json_t *berth = json_array_get(features, 1);
    json_t *coords = json_object_get(json_object_get(berth, "geometry"), "coordinates");
    assert_int_equal(json_array_size(coords), 2);
    assert_true(json_ring_area(json_array_get(coords, 0)) > 0); /* exterior CCW */
    assert_true(json_ring_area(json_array_get(coords, 1)) < 0); /* hole CW */

    json_t *pier = json_object_get(json_array_get(features, 2), "properties");
    json_t *unresolved = json_array_get(json_object_get(pier, "claims"), 0);
    assert_true(json_is_null(json_object_get(unresolved, "text")));
    assert_string_equal(json_string_value(json_object_get(pier, "label")), "Пирс 1 / 부두 1");

    json_decref(root);
    free(text);
    port_done(&port);
}

static void kml_escapes_and_cites(void **state)
{
    (void)state;
    struct port port;
    port_init(&port);
    char path[256];
    port_export(&port, "out.kml", path, sizeof path);
    char *text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "<name>Ship &lt;Maia&gt; &amp; &quot;Angara&quot;</name>"));
    assert_null(strstr(text, "<Maia>"));
    assert_non_null(strstr(text, "<description><![CDATA["));
    assert_non_null(strstr(text, "Newsweek"));
    assert_non_null(strstr(text, "<Folder><name>"));
    assert_non_null(strstr(text, "<styleUrl>#class-ship</styleUrl>"));
    assert_non_null(strstr(text, "<innerBoundaryIs>"));
    assert_non_null(strstr(text, "<Data name=\"claim_ids\"><value>fixture-ships-at-least-2"));
    free(text);
    port_done(&port);
}

/* Opens path with OGR and checks the feature count and that every export
 * attribute is a field of the (single) layer. */
static void check_ogr_readback(const char *path, long expected)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        fail_msg("OGR cannot open %s", path);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(layer, TRUE), expected);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    static const char *const names[] = {"id",       "class",     "label",   "note",
                                        "observed", "observations", "claims", "claim_ids",
                                        "stances",  "citations", "created", "modified",
                                        "author",   "source_file"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (OGR_FD_GetFieldIndex(defn, names[i]) < 0)
            fail_msg("%s: no field %s", path, names[i]);
    /* The first feature is the ship, at its lon/lat (not swapped). */
    OGR_L_ResetReading(layer);
    OGRFeatureH f = OGR_L_GetNextFeature(layer);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(defn, "id")), "ship-1");
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    assert_float_equal(OGR_G_GetX(g, 0), 130.123456789, 1e-9);
    assert_float_equal(OGR_G_GetY(g, 0), 42.987654321, 1e-9);
    assert_non_null(strstr(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(defn, "citations")),
                           "Newsweek"));
    OGR_F_Destroy(f);
    GDALClose(ds);
}

static void gpkg_and_fgb_read_back(void **state)
{
    (void)state;
    struct port port;
    port_init(&port);
    char path[256];
    port_export(&port, "out.gpkg", path, sizeof path);
    check_ogr_readback(path, 3);
    /* Writing again replaces the file rather than appending to it. */
    port_export(&port, "out.gpkg", path, sizeof path);
    check_ogr_readback(path, 3);
    port_export(&port, "out.fgb", path, sizeof path);
    check_ogr_readback(path, 3);
    port_done(&port);
}

/* One point feature with its own observation and extra properties. */
static void load_observed(struct annot_set *set, const char *id, const char *image,
                          const char *acquired, const char *extra)
{
    static struct annot_lonlat at = {130.5, 42.5};
    struct annot_part part = {.n = 1, .pts = &at};
    struct annot_feature f;
    annot_feature_init(&f);
    f.id = (char *)id;
    f.cls = ANNOT_CLASS_CONTAINER_STACK;
    f.label = f.note = f.author = "";
    f.geom = (struct annot_geometry){.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &part};
    struct annot_observation obs = {.image = (char *)image, .sha256 = "",
                                    .acquired = (char *)acquired};
    f.nobs = 1;
    f.obs = &obs;
    f.extra_properties = (char *)extra;
    struct diag *dg = diag_new();
    if (!annot_load_feature(set, &f, dg))
        fail_msg("annot_load_feature(%s): %s", id, diag_message(dg));
    diag_free(dg);
}

/* The first layer of the vector file at path, read-only; its dataset in
 * *ds (the caller GDALCloses it). */
static OGRLayerH first_layer(const char *path, GDALDatasetH *ds)
{
    GDALAllRegister();
    *ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!*ds)
        fail_msg("OGR cannot open %s", path);
    return GDALDatasetGetLayer(*ds, 0);
}

static const char *field_of(OGRFeatureH f, const char *name)
{
    int idx = OGR_FD_GetFieldIndex(OGR_F_GetDefnRef(f), name);
    if (idx < 0)
        fail_msg("no field %s", name);
    return OGR_F_IsFieldSetAndNotNull(f, idx) ? OGR_F_GetFieldAsString(f, idx) : "(null)";
}

/* Detector-like marks: each feature's observation attributes are its own
 * (features with equal observations share their values while exported, so
 * a change of image between neighbours must show), reals read back as
 * written (not 0.76500000000000001), and keys with an escape still become
 * fields. */
static void attributes_per_feature_read_back(void **state)
{
    (void)state;
    struct annot_set *set = annot_set_new();
    load_observed(set, "det-1", "a.tif", "2024-03-17", "{\"score\":0.765,\"n\":3}");
    load_observed(set, "det-2", "a.tif", "2024-03-17", "{\"score\":0.1,\"tag\":\"x\\\"y\"}");
    load_observed(set, "det-3", "b.tif", "2024-03-18", "{\"we\\\"ird\":true}");
    load_observed(set, "det-4", "a.tif", "2024-03-17", "{\"sum\":0.30000000000000004}");
    struct diag *dg = diag_new();
    struct export_input in = {.set = set, .path = "det.geojson"};
    struct export_options opts = {0};
    char path[256];
    /* GeoJSON: the same shortest reals, and one that needs 17 digits keeps them */
    out_path(path, sizeof path, "det-reals.geojson");
    if (!export_write(path, &in, 1, &opts, dg))
        fail_msg("geojson: %s", diag_message(dg));
    char *text = slurp(path);
    assert_non_null(strstr(text, "\"score\":0.765,"));
    assert_non_null(strstr(text, "\"score\":0.1,"));
    assert_non_null(strstr(text, "\"sum\":0.30000000000000004}"));
    assert_null(strstr(text, "0.76500000000000001"));
    free(text);
    out_path(path, sizeof path, "det.fgb");
    if (!export_write(path, &in, 1, &opts, dg))
        fail_msg("fgb: %s", diag_message(dg));
    GDALDatasetH ds;
    OGRLayerH layer = first_layer(path, &ds);
    static const char *const want[4][6] = {
        /* id, observed, imagery prefix, score, n, tag */
        {"det-1", "a.tif (2024-03-17)", "a.tif: unregistered", "0.765", "3", "(null)"},
        {"det-2", "a.tif (2024-03-17)", "a.tif: unregistered", "0.1", "(null)", "x\"y"},
        {"det-3", "b.tif (2024-03-18)", "b.tif: unregistered", "(null)", "(null)", "(null)"},
        {"det-4", "a.tif (2024-03-17)", "a.tif: unregistered", "(null)", "(null)", "(null)"},
    };
    OGRFeatureH f;
    size_t n = 0;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer))) {
        const char *id = field_of(f, "id");
        size_t k = 0;
        while (k < 4 && strcmp(want[k][0], id) != 0)
            k++;
        assert_true(k < 4);
        assert_string_equal(field_of(f, "observed"), want[k][1]);
        assert_true(strncmp(field_of(f, "imagery"), want[k][2], strlen(want[k][2])) == 0);
        char obs[160];
        snprintf(obs, sizeof obs, "[{\"image\":\"%c.tif\",\"sha256\":\"\",\"acquired\":\"%s\"}]",
                 want[k][1][0], k == 2 ? "2024-03-18" : "2024-03-17");
        assert_string_equal(field_of(f, "observations"), obs);
        assert_string_equal(field_of(f, "claims"), "[]");
        assert_string_equal(field_of(f, "score"), want[k][3]);
        assert_string_equal(field_of(f, "n"), want[k][4]);
        assert_string_equal(field_of(f, "tag"), want[k][5]);
        assert_string_equal(field_of(f, "we\"ird"), k == 2 ? "true" : "(null)");
        OGR_F_Destroy(f);
        n++;
    }
    assert_int_equal(n, 4);
    GDALClose(ds);
    diag_free(dg);
    annot_set_free(set);
}

/* "id" properties are never lost: one the reader took as the id is that
 * attribute (no clash warning), one that differs from the exported id (the
 * feature has an id of its own, or it repeats one) is kept as "source_id",
 * in GeoJSON and in a FlatGeobuf whose schema is fixed before its rows. */
static void id_properties_kept(void **state)
{
    (void)state;
    static const char text[] =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"id\":\"own-1\",\"properties\":{\"id\":\"det-9\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[130.3,42.2]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"det-9\",\"score\":0.5},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[130.3,42.2]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"own-1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[130.3,42.2]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":7},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[130.3,42.2]}},"
        "{\"type\":\"Feature\",\"id\":\"own-2\",\"properties\":{\"id\":5,\"source_id\":\"s\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[130.3,42.2]}}]}";
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    if (!gjson_read_buffer("ids.geojson", text, sizeof text - 1, &set, dg))
        fail_msg("read: %s", diag_message(dg));
    struct export_input in = {.set = set, .path = "ids.geojson"};
    struct export_options opts = {0};
    /* id, source_id (NULL: none) per feature */
    static const char *const want[5][2] = {
        {"own-1", "det-9"}, {"det-9", NULL}, {"f-1", "own-1"}, {"7", NULL}, {"own-2", "s"}};
    char path[256];
    out_path(path, sizeof path, "ids.geojson");
    diag_reset(dg);
    if (!export_write(path, &in, 1, &opts, dg))
        fail_msg("geojson: %s", diag_message(dg));
    char *written = slurp(path);
    json_error_t err;
    json_t *root = json_loads(written, 0, &err);
    assert_non_null(root);
    json_t *features = json_object_get(root, "features");
    assert_int_equal(json_array_size(features), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *props = json_object_get(json_array_get(features, i), "properties");
        assert_string_equal(json_string_value(json_object_get(props, "id")), want[i][0]);
        json_t *source = json_object_get(props, "source_id");
        if (want[i][1])
            assert_string_equal(json_string_value(source), want[i][1]);
        else
            assert_null(source);
    }
    json_decref(root);
    free(written);
    /* feature 5's "id" property (5) cannot go to source_id (taken): it clashes */
    bool apart = false, clash = false;
    for (size_t i = 0; i < diag_warning_count(dg); i++) {
        const char *w = diag_warning(dg, i);
        apart = apart || strstr(w, "2 features have an \"id\" property other than their "
                                   "exported id: kept as \"source_id\"");
        clash = clash || strstr(w, "feature \"own-2\": property \"id\" clashes");
    }
    assert_true(apart);
    assert_true(clash);
    assert_int_equal(diag_warning_count(dg), 2);

    out_path(path, sizeof path, "ids.fgb");
    diag_reset(dg);
    if (!export_write(path, &in, 1, &opts, dg))
        fail_msg("fgb: %s", diag_message(dg));
    GDALDatasetH ds;
    OGRLayerH layer = first_layer(path, &ds);
    OGRFeatureH f;
    size_t n = 0;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer))) {
        const char *id = field_of(f, "id");
        size_t k = 0;
        while (k < 5 && strcmp(want[k][0], id) != 0)
            k++;
        assert_true(k < 5);
        assert_string_equal(field_of(f, "source_id"), want[k][1] ? want[k][1] : "(null)");
        OGR_F_Destroy(f);
        n++;
    }
    assert_int_equal(n, 5);
    GDALClose(ds);
    diag_free(dg);
    annot_set_free(set);
}

/* The OGR formats' attribute texts are made straight from the feature
 * where it allows (plain extra properties, no claim links) and through the
 * properties object otherwise, and the features are filled on a second
 * thread for large exports: all four ways must give the same file and the
 * same warnings. The values cover every spelling the fast path takes or
 * declines (reals it keeps or rewrites, integers, literals, strings with
 * and without escapes, arrays, objects, "id" properties equal to the id,
 * differing, or beside a "source_id", clashes). 1,500 features: more than
 * the thread is started for. */
static void attribute_texts_same_every_way(void **state)
{
    (void)state;
    static const char *const values[] = {
        "0.765", "1.50", "1e5", "-0.5", "0.00001", "0.0001234", "123456789012345.5",
        "1234567890123456.5", "0.30000000000000004", "2.0", "12", "-7", "0",
        "123456789012345678", "true", "false", "null", "\"plain\"", "\"esc\\\"aped\"",
        "\"uni\\u00e9\"", "\"\"", "[1,2.50]", "{\"a\":1}", "-0.0", "100.25",
    };
    static const char *const keys[] = {"score", "n", "tag", "imagery", "we\\\"ird", "citations"};
    const size_t nvalues = sizeof values / sizeof *values, nkeys = sizeof keys / sizeof *keys;
    struct dynbuf t;
    dynbuf_init(&t, (size_t)1 << 26);
    dynbuf_append_str(&t, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    unsigned seed = 7;
    for (size_t i = 0; i < 1500; i++) {
        dynbuf_printf(&t, "%s{\"type\":\"Feature\",", i ? "," : "");
        if (i % 7 == 0)
            dynbuf_printf(&t, "\"id\":\"own-%zu\",", i);
        dynbuf_printf(&t, "\"properties\":{\"class\":\"container_stack\",\"label\":\"d %zu\"",
                      i);
        dynbuf_printf(&t, ",\"observations\":[{\"image\":\"%s\",\"acquired\":\"2024-03-17\"}]",
                      i % 50 < 45 ? "a.tif" : "b.tif");
        if (i % 11 == 0)
            dynbuf_append_str(&t, ",\"claims\":[{\"claim\":\"c-1\",\"stance\":\"supports\"}]");
        switch (i % 5) { /* the "id" property */
        case 0: dynbuf_printf(&t, ",\"id\":\"det-%zu\"", i); break;
        case 1: dynbuf_printf(&t, ",\"id\":%zu", i + 100000); break;
        case 2: dynbuf_printf(&t, ",\"id\":\"det-%zu\",\"source_id\":\"s%zu\"", i, i); break;
        default: break;
        }
        for (size_t k = 0; k < nkeys; k++) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 3 == 0)
                dynbuf_printf(&t, ",\"%s\":%s", keys[k], values[(seed >> 8) % nvalues]);
        }
        dynbuf_printf(&t, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[130.%04zu,42.2]}}\n",
                      i);
    }
    dynbuf_append_str(&t, "]}\n");
    assert_false(dynbuf_failed(&t));
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    if (!gjson_read_buffer("texts.geojson", dynbuf_str(&t), dynbuf_len(&t), &set, dg))
        fail_msg("read: %s", diag_message(dg));
    dynbuf_free(&t);
    struct export_input in = {.set = set, .path = "texts.geojson"};
    struct export_options opts = {0};
    char *first = NULL, *first_warnings = NULL;
    size_t first_size = 0;
    /* installed while used (SATMARK_EXPORT_SLOW_TEXTS, SATMARK_EXPORT_ONE_THREAD) */
    struct satmark_settings settings;
    for (int way = 0; way < 4; way++) {
        settings_init(&settings);
        settings.export_slow_texts = way & 1;
        settings.export_one_thread = way & 2;
        settings_install(&settings);
        char path[256];
        out_path(path, sizeof path, "texts.fgb"); /* the same in every warning */
        diag_reset(dg);
        if (!export_write(path, &in, 1, &opts, dg))
            fail_msg("way %d: %s", way, diag_message(dg));
        struct dynbuf w;
        dynbuf_init(&w, (size_t)1 << 20);
        for (size_t i = 0; i < diag_warning_count(dg); i++)
            dynbuf_printf(&w, "%s\n", diag_warning(dg, i));
        char *warnings = dynbuf_take(&w, NULL);
        /* the clashes and the ids kept apart are counted the same way */
        assert_non_null(strstr(warnings, "more properties that clash"));
        assert_non_null(strstr(warnings, "kept as \"source_id\""));
        char *bytes = slurp(path);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (way == 0) {
            first = bytes;
            first_size = (size_t)st.st_size;
            first_warnings = warnings;
            /* the read-back has every feature */
            GDALDatasetH ds;
            OGRLayerH layer = first_layer(path, &ds);
            assert_int_equal(OGR_L_GetFeatureCount(layer, TRUE), 1500);
            GDALClose(ds);
            continue;
        }
        assert_int_equal(st.st_size, first_size);
        assert_memory_equal(bytes, first, first_size);
        assert_string_equal(warnings, first_warnings);
        free(bytes);
        free(warnings);
    }
    annot_set_free(set);
    free(first);
    free(first_warnings);
    /* Extra-property texts as the reader would not write them (reals in
     * other spellings), so the check that keeps a real's text as it is gets
     * spellings it must refuse. */
    set = annot_set_new();
    for (size_t v = 0; v < nvalues; v++) {
        char id[32], extra[160];
        snprintf(id, sizeof id, "v-%zu", v);
        snprintf(extra, sizeof extra, "{\"x\": %s, \"y\": %s}", values[v],
                 values[(v * 7 + 3) % nvalues]);
        load_observed(set, id, "a.tif", "2024-03-17", extra);
    }
    in.set = set;
    first = NULL;
    for (int way = 0; way < 2; way++) {
        settings_init(&settings);
        settings.export_slow_texts = way;
        settings_install(&settings);
        char path[256];
        out_path(path, sizeof path, "spellings.fgb");
        diag_reset(dg);
        if (!export_write(path, &in, 1, &opts, dg))
            fail_msg("spellings, way %d: %s", way, diag_message(dg));
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        char *bytes = slurp(path);
        if (way == 0) {
            first = bytes;
            first_size = (size_t)st.st_size;
            continue;
        }
        assert_int_equal(st.st_size, first_size);
        assert_memory_equal(bytes, first, first_size);
        free(bytes);
    }
    settings_install(NULL);
    free(first);
    diag_free(dg);
    annot_set_free(set);
}

static void shared_ids_get_prefixed_or_fail(void **state)
{
    (void)state;
    struct annot_set *a = make_set(""), *b = make_set("");
    assert_true(annot_set_meta(b, "dunai", "Dunai", NULL));
    /* An id unique to b that looks like a prefixed one must not be taken. */
    static struct annot_lonlat p = {131, 43};
    struct annot_part part = {.n = 1, .pts = &p};
    load(b, "port:ship-1", ANNOT_CLASS_OTHER, ANNOT_GEOM_POINT, &part, 1, "", NULL,
         ANNOT_STANCE_CONTEXT);
    struct export_input in[2] = {{.set = a, .path = "x/port.geojson"},
                                 {.set = b, .path = "x/dunai.geojson"}};
    char path[256];
    out_path(path, sizeof path, "merged.geojson");
    FILE *old = fopen(path, "w");
    fputs("previous content\n", old);
    fclose(old);

    struct diag *dg = diag_new();
    struct export_options strict = {.duplicates = EXPORT_DUPLICATES_FAIL};
    assert_false(export_write(path, in, 2, &strict, dg));
    assert_non_null(strstr(diag_message(dg), "x/dunai.geojson: feature id \"ship-1\" is also "
                                             "used in x/port.geojson"));
    char *text = slurp(path);
    assert_string_equal(text, "previous content\n"); /* untouched */
    free(text);
    assert_int_equal(leftover_temporaries(), 0);

    diag_reset(dg);
    assert_true(export_write(path, in, 2, NULL, dg)); /* default: prefix */
    assert_int_equal(diag_warning_count(dg), 2);      /* one per input */
    assert_non_null(strstr(diag_warning(dg, 1), "x/dunai.geojson: 3 feature ids"));
    text = slurp(path);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    json_t *features = json_object_get(root, "features");
    assert_int_equal(json_array_size(features), 7);
    const char *expected[7] = {"port:ship-1-2", "port:berth", "port:pier-1", "dunai:ship-1",
                               "dunai:berth", "dunai:pier-1", "port:ship-1"};
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(features, i), "id")),
                            expected[i]);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(features, 3), "properties"),
                            "source_file")),
                        "x/dunai.geojson");
    json_decref(root);
    free(text);
    diag_free(dg);
    annot_set_free(a);
    annot_set_free(b);
}

static void unwritable_target_fails_cleanly(void **state)
{
    (void)state;
    struct annot_set *set = make_set("");
    struct export_input in = {.set = set, .path = "port.geojson"};
    struct diag *dg = diag_new();
    assert_false(export_write("/nonexistent-dir/out.geojson", &in, 1, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent-dir/out.geojson"));
    diag_reset(dg);
    char path[256];
    out_path(path, sizeof path, "out.shp");
    assert_false(export_write(path, &in, 1, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "unknown output format"));
    diag_reset(dg);
    assert_false(export_write("port.geojson", &in, 1, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "overwrite an input"));
    diag_free(dg);
    annot_set_free(set);
}

static void without_catalog_links_stay_ids(void **state)
{
    (void)state;
    struct annot_set *set = make_set("");
    struct export_input in = {.set = set, .path = "port.geojson"};
    struct diag *dg = diag_new();
    char path[256];
    out_path(path, sizeof path, "nocat.geojson");
    assert_true(export_write(path, &in, 1, NULL, dg));
    assert_int_equal(diag_warning_count(dg), 0);
    char *text = slurp(path);
    assert_non_null(strstr(text, "\"claim_ids\":\"fixture-ships-at-least-2\""));
    assert_non_null(strstr(text, "(no claims catalog)"));
    free(text);
    diag_free(dg);
    annot_set_free(set);
}

static void single_member_collection_is_unwrapped(void **state)
{
    (void)state;
    struct annot_set *set = annot_set_new();
    struct annot_lonlat pt = {100, 0};
    struct annot_part part = {.n = 1, .pts = &pt};
    struct annot_geometry member = {.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &part};
    struct annot_feature f;
    annot_feature_init(&f);
    f.id = "gc";
    f.label = f.note = f.author = "";
    f.geom = (struct annot_geometry){.type = ANNOT_GEOM_COLLECTION, .nmembers = 1,
                                     .members = &member};
    struct diag *dg = diag_new();
    assert_true(annot_load_feature(set, &f, dg));
    char path[256];
    out_path(path, sizeof path, "gc.geojson");
    struct export_input in = {.set = set, .path = "gc-input.geojson"};
    assert_true(export_write(path, &in, 1, NULL, dg));
    char *text = slurp(path);
    assert_non_null(strstr(text, "\"geometry\":{\"type\":\"Point\",\"coordinates\":[100,0]}"));
    assert_null(strstr(text, "GeometryCollection"));
    free(text);
    diag_free(dg);
    annot_set_free(set);
}

/* Text of any length goes through the export's buffers (issue 13, dynbuf):
 * the old buffer formatted through a 512-byte scratch array and failed the
 * whole export on a longer piece, here a register entry's long provider. */
static void long_register_text_is_exported(void **state)
{
    (void)state;
    char reg_path[256];
    snprintf(reg_path, sizeof reg_path, "%s/imagery.json", tmpdir);
    char provider[701];
    memset(provider, 'p', sizeof provider - 1);
    provider[sizeof provider - 1] = '\0';
    FILE *fp = fopen(reg_path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "{\"satmark_imagery\": 1, \"images\": [{\"id\": \"najin\", "
            "\"file\": \"najin_2023-11-20.tif\", \"sha256\": \"%064d\", \"size\": 1, "
            "\"acquired\": \"2023-11-20\", \"acquired_from\": \"metadata\", "
            "\"provider\": \"%s\", \"sensor\": \"\", \"gsd_m\": null, \"licence\": \"\", "
            "\"credit\": \"\", \"source_url\": \"\", \"synthetic\": false, "
            "\"added_by\": \"test\", \"added_at\": \"2026-12-07T00:00:00Z\"}]}\n",
            0, provider);
    fclose(fp);
    struct diag *dg = diag_new();
    struct imagery_register *reg = NULL;
    if (!imagery_register_read(reg_path, &reg, dg))
        fail_msg("register: %s", diag_message(dg));
    struct annot_set *set = make_set("");
    struct export_input in = {.set = set, .path = "port.geojson"};
    struct export_options opts = {.imagery = reg};
    char path[256];
    out_path(path, sizeof path, "long.geojson");
    if (!export_write(path, &in, 1, &opts, dg))
        fail_msg("export: %s", diag_message(dg));
    char *text = slurp(path);
    assert_non_null(strstr(text, provider));
    free(text);
    diag_free(dg);
    annot_set_free(set);
    imagery_register_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_from_extension),
        cmocka_unit_test(geojson_follows_rfc7946_and_cites),
        cmocka_unit_test(kml_escapes_and_cites),
        cmocka_unit_test(gpkg_and_fgb_read_back),
        cmocka_unit_test(attributes_per_feature_read_back),
        cmocka_unit_test(id_properties_kept),
        cmocka_unit_test(attribute_texts_same_every_way),
        cmocka_unit_test(shared_ids_get_prefixed_or_fail),
        cmocka_unit_test(unwritable_target_fails_cleanly),
        cmocka_unit_test(without_catalog_links_stay_ids),
        cmocka_unit_test(single_member_collection_is_unwrapped),
        cmocka_unit_test(long_register_text_is_exported),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
