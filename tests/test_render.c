/*
 * test_render — the renderer and the figure maker on small fixture tiles made
 * here with GDAL (GTiff in a temporary directory, UTM 52N near 130E 42.25N):
 *   - view arithmetic (place, expand vs letterbox, round trips) and the 1-2-5
 *     scale bar lengths;
 *   - alignment: a mark at a known lon/lat lands on the PNG pixel the world
 *     file and an independent OSR transformation predict;
 *   - reference images (tests/data/render/, PNG) with a per-pixel tolerance
 *     and a maximum fraction of differing pixels, tight enough that the
 *     reference figure without its labels, legend, scale bar, north arrow,
 *     caption or credit fails (the test of the test checks it);
 *     scripts/update-references.sh (SATMARK_UPDATE_REFS=1, refused under CI)
 *     rewrites them (then look at them before committing);
 *   - Cyrillic and Hangul labels: no unknown glyphs (tofu) and ink present;
 *   - PNG text chunks and byte-identical output across runs;
 *   - a rotated geotransform turns the north arrow by the rotation;
 *   - greedy label placement skips labels that would collide.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figure.h"
#include "gjson.h"
#include "geo.h"
#include "hash.h"
#include "pngout.h"
#include "raster.h"
#include "render.h"
#include "skip77.h"
#include "style.h"
#include "settings.h"

#define DATA SATMARK_TEST_DATA "/render"
#define PX 4.0 /* metres per fixture pixel */

static char tmpdir[256];
static char tile_path[300], rotated_path[300], nocrs_path[300];

static void make_tile(const char *path, int w, int h, const double gt[6], bool with_crs)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, w, h, 3, GDT_Byte, NULL);
    assert_non_null(ds);
    GDALSetGeoTransform(ds, (double *)gt);
    if (with_crs) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, 32652);
        char *wkt = NULL;
        OSRExportToWkt(srs, &wkt);
        GDALSetProjection(ds, wkt);
        CPLFree(wkt);
        OSRDestroySpatialReference(srs);
    }
    GDALSetMetadataItem(ds, "ACQUISITION_DATE", "2024-03-17", NULL);
    GDALSetMetadataItem(ds, "SATMARK_SYNTHETIC", "YES", NULL);
    GDALSetMetadataItem(ds, "SATMARK_CREDIT", "satmark test fixture", NULL);
    uint8_t *band = malloc((size_t)w * h);
    for (int b = 0; b < 3; b++) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int v;
                if (b == 0)
                    v = 40 + x * 120 / w;
                else if (b == 1)
                    v = 60 + y * 100 / h;
                else
                    v = ((x / 25 + y / 25) % 2) ? 110 : 70;
                band[(size_t)y * w + x] = (uint8_t)v;
            }
        GDALRasterBandH rb = GDALGetRasterBand(ds, b + 1);
        GDALSetRasterColorInterpretation(rb, (GDALColorInterp)(GCI_RedBand + b));
        assert_int_equal(GDALRasterIO(rb, GF_Write, 0, 0, w, h, band, w, h, GDT_Byte, 0, 0),
                         CE_None);
    }
    free(band);
    GDALClose(ds);
}

static int setup(void **state)
{
    (void)state;
    GDALAllRegister();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/satmark-test-render-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(tile_path, sizeof tile_path, "%s/fixture.tif", tmpdir);
    snprintf(rotated_path, sizeof rotated_path, "%s/rotated.tif", tmpdir);
    snprintf(nocrs_path, sizeof nocrs_path, "%s/nocrs.tif", tmpdir);
    const double gt[6] = {581500, PX, 0, 4679000, 0, -PX};
    make_tile(tile_path, 500, 500, gt, true);
    /* rotated 30 degrees, centred on the central meridian of zone 52 (129E),
     * where grid north is true north, so the arrow turns by the rotation only */
    double c = cos(30 * 3.14159265358979 / 180), s = sin(30 * 3.14159265358979 / 180);
    const double rgt[6] = {499000, PX * c, PX * s, 4679000, PX * s, -PX * c};
    make_tile(rotated_path, 400, 400, rgt, true);
    make_tile(nocrs_path, 200, 100, gt, false);
    /* the style file is found through the settings' assets directory, as
     * the front-ends fill it from SATMARK_ASSETS */
    static struct satmark_settings settings;
    settings_init(&settings);
    settings.assets_dir = (char *)SATMARK_SOURCE_DIR "/assets";
    settings_install(&settings);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void out_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmpdir, name);
}

/* A figure spec with every piece of furniture off: the PNG is the imagery. */
static void bare_spec(struct figure_spec *s, const char *tile, const char *const *annots,
                      size_t nannots, const char *out)
{
    figure_spec_init(s);
    s->tile = tile;
    s->annotations = annots;
    s->nannotations = nannots;
    s->out_path = out;
    s->legend = s->scalebar = s->north = s->show_caption = s->credit = false;
    s->title_band = false;
    s->labels = false;
    s->claims_path = DATA "/catalog.json";
}

/* Reference images are compared pixel by pixel: a pixel differs when one of
 * its channels differs by more than REF_TOLERANCE, and the image fails when
 * more than REF_MAX_FRACTION of its pixels differ. The renderer is
 * deterministic on one set of libraries, so the allowance only absorbs small
 * antialiasing changes between library versions: it is tight enough that a
 * figure without its labels, its legend or its scale bar fails (checked by
 * test_reference_catches_missing_furniture, the test of this test). */
#define REF_TOLERANCE 24
#define REF_MAX_FRACTION 0.0005

static size_t pixels_differing(const uint8_t *a, const uint8_t *b, size_t npixels, int tol)
{
    size_t differ = 0;
    for (size_t i = 0; i < npixels; i++)
        for (int c = 0; c < 4; c++)
            if (abs((int)a[4 * i + c] - (int)b[4 * i + c]) > tol) {
                differ++;
                break;
            }
    return differ;
}

/* The reference image ref_name (w x h RGBA, new buffer the caller frees);
 * fails the test when it is missing or of another size. */
static uint8_t *load_reference(const char *ref_name, int w, int h)
{
    char ref[512];
    snprintf(ref, sizeof ref, "%s/%s", DATA, ref_name);
    struct diag *dg = diag_new();
    int rw = 0, rh = 0;
    uint8_t *want = pngout_read_rgba(ref, &rw, &rh, dg);
    if (!want)
        fail_msg("reference %s missing (%s); scripts/update-references.sh creates it", ref,
                 diag_message(dg));
    diag_free(dg);
    if (rw != w || rh != h)
        fail_msg("%s is %dx%d, the image %dx%d", ref_name, rw, rh, w, h);
    return want;
}

/* Fraction of the pixels of rgba (w x h) that differ from the reference. */
static double fraction_differing(const uint8_t *rgba, int w, int h, const char *ref_name)
{
    uint8_t *want = load_reference(ref_name, w, h);
    size_t differ = pixels_differing(rgba, want, (size_t)w * h, REF_TOLERANCE);
    free(want);
    return (double)differ / ((double)w * h);
}

/* Fails when rgba (w x h) differs from the reference ref_name by more than the
 * allowance. Only an explicit SATMARK_UPDATE_REFS=1 (scripts/update-references.sh,
 * refused when CI is set) rewrites the reference instead; look at it before
 * committing. */
static void compare_with_reference(const uint8_t *rgba, int w, int h, const char *ref_name)
{
    const char *update = getenv("SATMARK_UPDATE_REFS");
    if (update && strcmp(update, "1") == 0) {
        if (getenv("CI"))
            fail_msg("SATMARK_UPDATE_REFS=1 under CI: references are never rewritten there");
        char ref[512];
        snprintf(ref, sizeof ref, "%s/%s", DATA, ref_name);
        print_message("rewriting reference %s\n", ref);
        struct diag *dg = diag_new();
        if (!pngout_write(ref, rgba, w, h, (size_t)w * 4, NULL, 0, NULL, dg))
            fail_msg("%s", diag_message(dg));
        diag_free(dg);
        /* nothing was compared: reported as SKIP, never as a pass */
        SKIP_BECAUSE("reference rewritten (SATMARK_UPDATE_REFS=1); look at it");
    }
    double frac = fraction_differing(rgba, w, h, ref_name);
    print_message("%s: %.3f%% of pixels differ (allowed %.3f%%)\n", ref_name, 100 * frac,
                  100 * REF_MAX_FRACTION);
    if (frac > REF_MAX_FRACTION)
        fail_msg("%s: %.3f%% of pixels differ (allowed %.3f%%)", ref_name, 100 * frac,
                 100 * REF_MAX_FRACTION);
}

static uint8_t *read_png(const char *path, int *w, int *h)
{
    struct diag *dg = diag_new();
    uint8_t *p = pngout_read_rgba(path, w, h, dg);
    if (!p)
        fail_msg("%s", diag_message(dg));
    diag_free(dg);
    return p;
}

/* ---- view arithmetic ----------------------------------------------------- */

/* The annotation file at path, read; the test fails with the reader's
 * message when it cannot be. */
static struct annot_set *read_set(const char *path, struct diag *dg)
{
    struct annot_set *set = NULL;
    if (!gjson_read_file(path, &set, dg))
        fail_msg("%s", diag_message(dg));
    return set;
}

static void test_view_place_and_round_trip(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct render_rect req = {100, 200, 400, 200}; /* 2:1 */
    struct render_rect area = {0, 50, 800, 800};   /* square area below a 50 px band */
    struct render_view v;
    struct render_rect placed;
    assert_true(render_view_place(&req, 800, 900, &area, &v, &placed, dg));
    /* width limits: scale 2, placed 800x400 centred vertically in the area */
    assert_true(fabs(placed.w - 800) < 1e-9 && fabs(placed.h - 400) < 1e-9);
    assert_true(fabs(placed.y - (50 + 200)) < 1e-9);
    double ox, oy, tx, ty;
    render_view_to_out(&v, 100, 200, &ox, &oy);
    assert_true(fabs(ox - placed.x) < 1e-9 && fabs(oy - placed.y) < 1e-9);
    render_view_to_out(&v, 500, 400, &ox, &oy);
    assert_true(fabs(ox - 800) < 1e-9 && fabs(oy - 650) < 1e-9);
    render_view_to_tile(&v, 123.5, 456.25, &tx, &ty);
    render_view_to_out(&v, tx, ty, &ox, &oy);
    assert_true(fabs(ox - 123.5) < 1e-9 && fabs(oy - 456.25) < 1e-9);
    /* the view covers the whole output with square pixels */
    assert_true(fabs(v.src_w / v.out_w - v.src_h / v.out_h) < 1e-12);
    struct render_rect bad = {0, 0, 0, 10};
    assert_false(render_view_place(&bad, 100, 100, &area, &v, NULL, dg));
    diag_free(dg);
}

static void test_round_lengths(void **state)
{
    (void)state;
    const double in[] = {0.9, 1, 1.9, 2, 4.99, 5, 9.99, 10, 1234, 2600, 7000, 49999};
    const double want[] = {0.5, 1, 1, 2, 2, 5, 5, 10, 1000, 2000, 5000, 20000};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        if (fabs(figure_round_length(in[i]) - want[i]) > 1e-9 * want[i])
            fail_msg("round(%g) = %g, want %g", in[i], figure_round_length(in[i]), want[i]);
}

static void test_parsers(void **state)
{
    (void)state;
    int w, h, b[3];
    double m, bb[4];
    assert_true(figure_parse_size("1600x1200", &w, &h) && w == 1600 && h == 1200);
    assert_true(figure_parse_size("800x", &w, &h) && w == 800 && h == 0);
    assert_false(figure_parse_size("8x8", &w, &h));
    assert_false(figure_parse_size("800", &w, &h));
    assert_false(figure_parse_size("99999x100", &w, &h));
    assert_true(figure_parse_distance("150m", &m) && m == 150);
    assert_true(figure_parse_distance("1.5km", &m) && m == 1500);
    assert_false(figure_parse_distance("-3m", &m));
    assert_false(figure_parse_distance("3 ft", &m));
    assert_true(figure_parse_bands("3,2,1", b) && b[0] == 3 && b[1] == 2 && b[2] == 1);
    assert_true(figure_parse_bands("4", b) && b[0] == 4 && b[1] == 0);
    assert_false(figure_parse_bands("1,2", b));
    assert_false(figure_parse_bands("1,2,3,4", b));
    assert_false(figure_parse_bands("0,1,2", b));
    assert_true(figure_parse_bbox("130.1,42.2,130.3,42.3", bb) && bb[2] == 130.3);
    assert_false(figure_parse_bbox("130.3,42.2,130.1,42.3", bb));
    assert_false(figure_parse_bbox("1,2,3", bb));
}

/* ---- alignment -------------------------------------------------------------- */

static void test_mark_lands_on_expected_pixel(void **state)
{
    (void)state;
    char out[300], plain[300];
    out_path(out, sizeof out, "align.png");
    out_path(plain, sizeof plain, "align-plain.png");
    char one[300];
    out_path(one, sizeof one, "one-ship.geojson");
    FILE *gj = fopen(one, "w");
    fprintf(gj, "{\"type\":\"Feature\",\"id\":\"ship-1\",\"geometry\":{\"type\":\"Point\","
                "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"ship\"}}");
    fclose(gj);
    const char *annots[] = {one};
    struct figure_spec s;
    bare_spec(&s, tile_path, annots, 1, out);
    s.width = 500;
    s.height = 500;
    struct diag *dg = diag_new();
    struct figure_result res;
    if (!figure_run(&s, &res, dg))
        fail_msg("%s", diag_message(dg));
    bare_spec(&s, tile_path, NULL, 0, plain);
    s.width = 500;
    s.height = 500;
    assert_true(figure_run(&s, NULL, dg));
    /* the PNG is the tile's own grid */
    assert_true(fabs(res.view.src_x) < 1e-9 && fabs(res.view.src_w - 500) < 1e-9);

    /* ship-1 at 130.0E 42.25N -> UTM 52N with OSR, then through the world file */
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRImportFromEPSG(utm, 32652);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wgs, utm);
    double X = 130.0, Y = 42.25;
    assert_true(OCTTransform(ct, 1, &X, &Y, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    OSRDestroySpatialReference(utm);

    char *world = pngout_world_file_path(out);
    FILE *f = fopen(world, "r");
    assert_non_null(f);
    double A, D, B, E, C, F;
    assert_int_equal(fscanf(f, "%lf %lf %lf %lf %lf %lf", &A, &D, &B, &E, &C, &F), 6);
    fclose(f);
    free(world);
    assert_true(D == 0 && B == 0);
    /* world file names pixel centres: column = (X - C) / A + 0.5 (corner convention) */
    double col = (X - C) / A + 0.5, row = (Y - F) / E + 0.5;
    assert_true(fabs(col - 248.27) < 0.05 && fabs(row - 245.48) < 0.05);

    int w, h, pw, ph;
    uint8_t *img = read_png(out, &w, &h), *base = read_png(plain, &pw, &ph);
    struct style *st = style_default();
    struct style_rgb ship = style_for_class(st, ANNOT_CLASS_SHIP)->colour;
    style_free(st);
    const uint8_t *p = img + ((size_t)(int)row * w + (int)col) * 4;
    if (abs(p[0] - ship.r) > 30 || abs(p[1] - ship.g) > 30 || abs(p[2] - ship.b) > 30)
        fail_msg("pixel (%d,%d) is %d,%d,%d; ship colour %d,%d,%d", (int)col, (int)row, p[0],
                 p[1], p[2], ship.r, ship.g, ship.b);
    /* and 20 px away nothing was drawn */
    size_t far = ((size_t)(int)row * w + (int)col + 20) * 4;
    assert_memory_equal(img + far, base + far, 4);
    free(img);
    free(base);
    diag_free(dg);
}

/* ---- reference figure -------------------------------------------------------- */

/* The reference figure: pier-1 with every piece of furniture, 640x560. */
static void reference_spec(struct figure_spec *s, const char *const *annots, const char *out)
{
    figure_spec_init(s);
    s->tile = tile_path;
    s->annotations = annots;
    s->nannotations = 1;
    s->out_path = out;
    s->claims_path = DATA "/catalog.json";
    s->width = 640;
    s->height = 560;
    s->inset = true;
    s->view = FIGURE_VIEW_FEATURE;
    s->feature_id = "pier-1";
    s->pad_m = 300;
}

static uint8_t *render_spec(const struct figure_spec *s, struct figure_result *res, int *w,
                            int *h)
{
    struct diag *dg = diag_new();
    if (!figure_run(s, res, dg))
        fail_msg("%s", diag_message(dg));
    diag_free(dg);
    return read_png(s->out_path, w, h);
}

static void test_reference_figure(void **state)
{
    (void)state;
    char out[300];
    out_path(out, sizeof out, "figure.png");
    const char *annots[] = {DATA "/marks.geojson"};
    struct figure_spec s;
    reference_spec(&s, annots, out);
    struct figure_result res;
    int w, h;
    uint8_t *img = render_spec(&s, &res, &w, &h);
    assert_true(res.has_north);
    assert_true(res.scalebar_m > 0);
    assert_true(res.marks.labels_placed >= 4);
    compare_with_reference(img, w, h, "figure_pier1.png");
    free(img);
}

/* The test of the test: the reference figure with one piece of furniture
 * removed must fail the comparison, by a wide margin (at least 4 times the
 * allowance), or the reference test could not catch a figure that lost it. */
static void test_reference_catches_missing_furniture(void **state)
{
    (void)state;
    if (getenv("SATMARK_UPDATE_REFS"))
        SKIP_BECAUSE("the reference is being rewritten (SATMARK_UPDATE_REFS)");
    const char *annots[] = {DATA "/marks.geojson"};
    static const char *const names[] = {"labels",      "legend",  "scale bar",
                                        "north arrow", "caption", "credit"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char out[300];
        out_path(out, sizeof out, "figure-without.png");
        struct figure_spec s;
        reference_spec(&s, annots, out);
        bool *const off[] = {&s.labels, &s.legend, &s.scalebar, &s.north, &s.show_caption,
                             &s.credit};
        *off[i] = false;
        int w, h;
        uint8_t *img = render_spec(&s, NULL, &w, &h);
        double frac = fraction_differing(img, w, h, "figure_pier1.png");
        print_message("without the %s: %.3f%% of pixels differ (allowed %.3f%%)\n", names[i],
                      100 * frac, 100 * REF_MAX_FRACTION);
        if (frac < 4 * REF_MAX_FRACTION)
            fail_msg("a figure without its %s passes or nearly passes the reference test "
                     "(%.3f%% of pixels differ, allowed %.3f%%)",
                     names[i], 100 * frac, 100 * REF_MAX_FRACTION);
        free(img);
    }
}

/* ---- unicode --------------------------------------------------------------- */

static void test_unicode_labels_have_glyphs(void **state)
{
    (void)state;
    const char *texts[] = {"Дунай", "라선", "Najin 라선 Дунай"};
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 360, 120);
    cairo_t *cr = cairo_create(surf);
    for (size_t i = 0; i < 3; i++) {
        PangoLayout *layout = pango_cairo_create_layout(cr);
        PangoFontDescription *desc = pango_font_description_from_string(RENDER_DEFAULT_FONT);
        pango_font_description_set_absolute_size(desc, 24 * PANGO_SCALE);
        pango_layout_set_font_description(layout, desc);
        pango_font_description_free(desc);
        pango_layout_set_text(layout, texts[i], -1);
        if (pango_layout_get_unknown_glyphs_count(layout) != 0)
            fail_msg("\"%s\" has %d unknown glyphs (tofu): is fonts-nanum installed?", texts[i],
                     pango_layout_get_unknown_glyphs_count(layout));
        g_object_unref(layout);
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    struct style_rgb ink = {20, 20, 20}, halo = {255, 255, 255};
    render_text(cr, "Дунай", &(struct render_text_options){.px = 28, .x = 10, .y = 10, .rgb = ink},
                NULL, NULL);
    render_text(cr, "라선", &(struct render_text_options){.px = 28, .x = 10, .y = 60, .rgb = ink},
                NULL, NULL);
    render_text(cr, "Дунай", &(struct render_text_options){.px = 28, .x = 180, .y = 10, .rgb = halo,
                                                           .halo_px = 2.5, .halo = ink},
                NULL, NULL);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    int w = 360, h = 120, stride = cairo_image_surface_get_stride(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    uint8_t *rgba = malloc((size_t)w * h * 4);
    size_t dark_top = 0, dark_bottom = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v = ((const uint32_t *)(const void *)(data + (size_t)y * stride))[x];
            uint8_t *q = rgba + ((size_t)y * w + x) * 4;
            q[0] = (v >> 16) & 255, q[1] = (v >> 8) & 255, q[2] = v & 255, q[3] = 255;
            if (q[0] < 100 && x < 170)
                *(y < 55 ? &dark_top : &dark_bottom) += 1;
        }
    cairo_surface_destroy(surf);
    /* both words leave real ink (a tofu box or nothing would not match the reference) */
    assert_true(dark_top > 150);
    assert_true(dark_bottom > 150);
    compare_with_reference(rgba, w, h, "unicode_labels.png");
    free(rgba);
}

/* ---- metadata and determinism -------------------------------------------------- */

struct chunks {
    char title[256], software[64], sha[80], crs[256], claims[512], acquired[32], desc[1024];
    int n;
};

static void grab(const char *key, const char *value, void *user)
{
    struct chunks *c = user;
    c->n++;
#define GRAB(k, field)                                                                       \
    if (strcmp(key, k) == 0)                                                                 \
        snprintf(c->field, sizeof c->field, "%s", value);
    GRAB("Title", title)
    GRAB("Software", software)
    GRAB("satmark_tile_sha256", sha)
    GRAB("satmark_crs", crs)
    GRAB("satmark_claims", claims)
    GRAB("satmark_acquired", acquired)
    GRAB("Description", desc)
#undef GRAB
}

static void test_text_chunks_and_determinism(void **state)
{
    (void)state;
    char a[300], b[300];
    out_path(a, sizeof a, "meta-a.png");
    out_path(b, sizeof b, "meta-b.png");
    const char *annots[] = {DATA "/marks.geojson"};
    struct figure_spec s;
    figure_spec_init(&s);
    s.tile = tile_path;
    s.annotations = annots;
    s.nannotations = 1;
    s.claims_path = DATA "/catalog.json";
    s.width = 400;
    s.title = "Дунай — 라선 test";
    s.out_path = a;
    struct diag *dg = diag_new();
    if (!figure_run(&s, NULL, dg))
        fail_msg("%s", diag_message(dg));
    s.out_path = b;
    assert_true(figure_run(&s, NULL, dg));

    struct chunks c = {0};
    assert_true(pngout_read_text(a, grab, &c, NULL, NULL, dg));
    assert_string_equal(c.title, "Дунай — 라선 test");
    assert_string_equal(c.software, "satmark " SATMARK_VERSION);
    char sha[HASH_SHA256_HEX_LEN + 1];
    assert_true(hash_file_sha256(tile_path, sha, dg));
    assert_string_equal(c.sha, sha);
    assert_non_null(strstr(c.crs, "EPSG:32652"));
    assert_string_equal(c.acquired, "2024-03-17");
    assert_non_null(strstr(c.claims, "fixture-ships-loading"));
    assert_non_null(strstr(c.desc, "Two ships loaded containers"));
    assert_non_null(strstr(c.desc, "Fixture News"));

    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca, cb;
    size_t n = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        assert_int_equal(ca, cb);
        n++;
    } while (ca != EOF);
    fclose(fa);
    fclose(fb);
    assert_true(n > 1000);
    diag_free(dg);
}

/* ---- north arrow on a rotated image -------------------------------------------- */

static void test_rotated_north_arrow(void **state)
{
    (void)state;
    char out[300];
    out_path(out, sizeof out, "rotated.png");
    struct figure_spec s;
    figure_spec_init(&s);
    s.tile = rotated_path;
    s.out_path = out;
    s.width = 300;
    s.height = 300;
    struct diag *dg = diag_new();
    struct figure_result res;
    if (!figure_run(&s, &res, dg))
        fail_msg("%s", diag_message(dg));
    assert_true(res.has_north);
    /* expected from the geotransform alone: the pixel step that increases
     * northing at constant easting, as a clockwise angle from up */
    double c = cos(30 * 3.14159265358979 / 180), sn = sin(30 * 3.14159265358979 / 180);
    double g1 = PX * c, g2 = PX * sn, g4 = PX * sn, g5 = -PX * c;
    double det = g1 * g5 - g2 * g4;
    double dpx = -g2 / det, dpy = g1 / det;
    double want = atan2(dpx, -dpy) * 180 / 3.14159265358979;
    if (fabs(res.north_deg - want) > 0.5)
        fail_msg("north arrow at %.2f deg, want %.2f", res.north_deg, want);
    assert_true(fabs(fabs(want) - 30) < 1e-6);
    /* the unrotated fixture: grid convergence at 130E 42.25N is about +-0.7 deg */
    char out2[300];
    out_path(out2, sizeof out2, "north.png");
    s.tile = tile_path;
    s.out_path = out2;
    assert_true(figure_run(&s, &res, dg));
    assert_true(res.has_north && fabs(res.north_deg) > 0.3 && fabs(res.north_deg) < 1.2);
    diag_free(dg);
}

static void test_no_crs_renders_with_warnings(void **state)
{
    (void)state;
    char out[300];
    out_path(out, sizeof out, "nocrs.png");
    struct figure_spec s;
    figure_spec_init(&s);
    s.tile = nocrs_path;
    s.out_path = out;
    s.width = 200;
    struct diag *dg = diag_new();
    struct figure_result res;
    if (!figure_run(&s, &res, dg))
        fail_msg("%s", diag_message(dg));
    assert_false(res.has_north);
    assert_true(res.scalebar_m == 0);
    assert_true(diag_warning_count(dg) > 0);
    diag_free(dg);
}

/* ---- label placement -------------------------------------------------------------- */

static void test_labels_avoid_collisions(void **state)
{
    (void)state;
    /* 30 labelled points on the same spot: at most the 8 candidate positions fit */
    char path[300];
    out_path(path, sizeof path, "crowd.geojson");
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 30; i++)
        fprintf(f, "%s{\"type\":\"Feature\",\"id\":\"s%d\",\"geometry\":{\"type\":\"Point\","
                   "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"ship\","
                   "\"label\":\"Ship %d\"}}",
                i ? "," : "", i, i);
    fprintf(f, "]}");
    fclose(f);
    struct diag *dg = diag_new();
    struct annot_set *set = read_set(path, dg);
    struct raster *r = raster_open(tile_path, NULL, dg);
    assert_non_null(r);
    struct geo_ref *g = geo_ref_from_raster(r, dg);
    const struct annot_set *sets[] = {set};
    struct render_overlay *ov = render_overlay_new(g, sets, 1, dg);
    assert_non_null(ov);
    assert_int_equal(render_overlay_count(ov), 30);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 500, 500);
    cairo_t *cr = cairo_create(surf);
    struct render_view v = {0, 0, 500, 500, 500, 500};
    struct style *st = style_default();
    struct render_marks_stats stats;
    assert_true(render_overlay_draw(cr, &v, ov, st, NULL, &stats, dg));
    assert_int_equal(stats.drawn, 30);
    assert_true(stats.labels_placed >= 1 && stats.labels_placed <= 8);
    assert_int_equal(stats.labels_placed + stats.labels_skipped, 30);
    assert_true(stats.classes_drawn == (1u << ANNOT_CLASS_SHIP));
    /* hiding the class draws nothing */
    struct render_marks_options opt;
    render_marks_options_init(&opt);
    opt.hidden_classes = 1u << ANNOT_CLASS_SHIP;
    assert_true(render_overlay_draw(cr, &v, ov, st, &opt, &stats, dg));
    assert_int_equal(stats.drawn, 0);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    style_free(st);
    render_overlay_free(ov);
    geo_ref_free(g);
    raster_close(r);
    annot_set_free(set);
    diag_free(dg);
}

/* Issue 14: a class with more marks in view than render_dense_limit is
 * drawn as a density layer without labels (was: every symbol in one path and
 * every label checked against every other mark); sparse classes keep their
 * marks and labels. */
static void test_dense_class_drawn_as_density(void **state)
{
    (void)state;
    char path[300];
    out_path(path, sizeof path, "dense.geojson");
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 2000; i++)
        fprintf(f, "%s{\"type\":\"Feature\",\"id\":\"s%d\",\"geometry\":{\"type\":\"Point\","
                   "\"coordinates\":[%.6f,%.6f]},\"properties\":{\"class\":\"ship\","
                   "\"label\":\"Ship %d\"}}",
                i ? "," : "", i, 130.0 + (i % 50) * 1e-5, 42.25 + (i / 50) * 1e-5, i);
    fprintf(f, ",{\"type\":\"Feature\",\"id\":\"c1\",\"geometry\":{\"type\":\"Point\","
               "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"crane\","
               "\"label\":\"Crane\"}}]}");
    fclose(f);
    struct diag *dg = diag_new();
    struct annot_set *set = read_set(path, dg);
    struct raster *r = raster_open(tile_path, NULL, dg);
    assert_non_null(r);
    struct geo_ref *g = geo_ref_from_raster(r, dg);
    const struct annot_set *sets[] = {set};
    struct render_overlay *ov = render_overlay_new(g, sets, 1, dg);
    assert_non_null(ov);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 500, 500);
    cairo_t *cr = cairo_create(surf);
    struct render_view v = {0, 0, 500, 500, 500, 500};
    assert_int_equal(render_dense_limit(&v), 500);
    struct style *st = style_default();
    struct render_marks_stats stats;
    assert_true(render_overlay_draw(cr, &v, ov, st, NULL, &stats, dg));
    assert_int_equal(stats.drawn, 2001);
    assert_int_equal(stats.classes_dense, 1u << ANNOT_CLASS_SHIP);
    assert_int_equal(render_dense_classes(ov, &v, 0), 1u << ANNOT_CLASS_SHIP);
    assert_int_equal(stats.labels_thinned, 2000);
    assert_int_equal(stats.labels_placed, 1); /* the crane's */
    assert_int_equal(stats.labels_skipped, 0);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    style_free(st);
    render_overlay_free(ov);
    geo_ref_free(g);
    raster_close(r);
    annot_set_free(set);
    diag_free(dg);
}

/* Issue 14: the overlay of many marks (its positions projected by two
 * threads from 16,384 on) puts every position where geo_lonlat_to_pixel puts
 * it alone; marks that cannot be projected (the far side of an orthographic
 * image) are left out whole and the marks after them keep their parts. */
static void test_overlay_matches_point_by_point(void **state)
{
    (void)state;
    char path[300];
    out_path(path, sizeof path, "many-kinds.geojson");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    const int n = 6000;
    size_t far = 0;
    for (int i = 0; i < n; i++) {
        double lon = 130.0 + (i % 80) * 2e-4, lat = 42.25 + (i / 80) * 2e-4;
        fprintf(f, "%s{\"type\":\"Feature\",\"id\":\"m%d\",\"properties\":{\"class\":\"ship\"},"
                   "\"geometry\":", i ? "," : "", i);
        if (i % 97 == 5) { /* the other side of the globe */
            fprintf(f, "{\"type\":\"Point\",\"coordinates\":[-50.0,-42.25]}}");
            far++;
        } else if (i % 3 == 0) {
            fprintf(f, "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}", lon, lat);
        } else if (i % 3 == 1) {
            fprintf(f, "{\"type\":\"LineString\",\"coordinates\":[[%.7f,%.7f],[%.7f,%.7f],"
                       "[%.7f,%.7f]]}}", lon, lat, lon + 5e-5, lat, lon + 5e-5, lat + 5e-5);
        } else {
            fprintf(f, "{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],"
                       "[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]}}", lon, lat, lon + 5e-5, lat,
                    lon + 5e-5, lat + 5e-5, lon, lat + 5e-5, lon, lat);
        }
    }
    fprintf(f, "]}");
    fclose(f);
    struct diag *dg = diag_new();
    struct annot_set *set = read_set(path, dg);
    const double gt[6] = {-20000, 2.0, 0, 20000, 0, -2.0};
    struct geo_ref *g = geo_ref_new(
        gt, "+proj=ortho +lat_0=42.25 +lon_0=130 +datum=WGS84 +units=m +type=crs", "ortho", dg);
    if (!g)
        fail_msg("%s", diag_message(dg));
    const struct annot_set *sets[] = {set};
    struct diag *odg = diag_new();
    struct render_overlay *ov = render_overlay_new(g, sets, 1, odg);
    assert_non_null(ov);
    assert_int_equal(render_overlay_count(ov), (size_t)n - far);
    assert_int_equal(diag_warning_count(odg), 1);
    char want[200];
    snprintf(want, sizeof want, "%zu mark(s) lie outside the image's projection", far);
    assert_non_null(strstr(diag_warning(odg, 0), want));
    assert_non_null(strstr(diag_warning(odg, 0), "(first: m5)"));
    size_t k = 0, positions = 0;
    for (size_t i = 0; i < annot_count(set); i++) {
        const struct annot_feature *af = annot_get(set, i);
        if (af->geom.parts[0].pts[0].lon < 0)
            continue; /* left out */
        assert_true(k < render_overlay_count(ov));
        assert_string_equal(render_overlay_id(ov, k), af->id);
        double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
        for (size_t p = 0; p < af->geom.nparts; p++)
            for (size_t v = 0; v < af->geom.parts[p].n; v++) {
                double px, py;
                assert_true(geo_lonlat_to_pixel(g, af->geom.parts[p].pts[v].lon,
                                                af->geom.parts[p].pts[v].lat, &px, &py, dg));
                minx = fmin(minx, px);
                maxx = fmax(maxx, px);
                miny = fmin(miny, py);
                maxy = fmax(maxy, py);
                positions++;
            }
        struct render_rect box;
        assert_true(render_overlay_bbox(ov, k, &box));
        /* the same operation on each position: equal, not merely close */
        assert_true(box.x == minx && box.y == miny);
        assert_true(box.w == maxx - minx && box.h == maxy - miny);
        enum render_mark_kind kind = af->geom.type == ANNOT_GEOM_POINT        ? RENDER_MARK_POINT
                                     : af->geom.type == ANNOT_GEOM_LINESTRING ? RENDER_MARK_LINE
                                                                              : RENDER_MARK_AREA;
        assert_int_equal(render_overlay_kind(ov, k), kind);
        k++;
    }
    assert_int_equal(k, render_overlay_count(ov));
    assert_true(positions >= 16384); /* enough for the two-thread path */
    render_overlay_free(ov);
    diag_free(odg);
    geo_ref_free(g);
    annot_set_free(set);
    diag_free(dg);
}

/* Issue 11: 17 neighbouring marks of one class with one label get one label
 * for the group; two far apart keep theirs. */
static void test_repeated_labels_grouped(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct raster *r = raster_open(tile_path, NULL, dg);
    assert_non_null(r);
    struct geo_ref *g = geo_ref_from_raster(r, dg);
    assert_non_null(g);
    char path[300];
    out_path(path, sizeof path, "blocks.geojson");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    /* tile px: 17 in a row 22 px apart, 2 alone far apart, one other label */
    double px[20], py[20];
    for (int i = 0; i < 17; i++)
        px[i] = 40 + 22.0 * i, py[i] = 120;
    px[17] = 60, py[17] = 420;
    px[18] = 440, py[18] = 420;
    px[19] = 250, py[19] = 300;
    for (int i = 0; i < 20; i++) {
        double lon, lat;
        assert_true(geo_pixel_to_lonlat(g, px[i], py[i], &lon, &lat, dg));
        fprintf(f, "%s{\"type\":\"Feature\",\"id\":\"b%d\",\"geometry\":{\"type\":\"Point\","
                   "\"coordinates\":[%.9f,%.9f]},\"properties\":{\"class\":\"container_stack\","
                   "\"label\":\"%s\"}}",
                i ? "," : "", i, lon, lat, i == 19 ? "Pier 9" : "Container yard block");
    }
    fprintf(f, "]}");
    fclose(f);
    struct annot_set *set = read_set(path, dg);
    const struct annot_set *sets[] = {set};
    struct render_overlay *ov = render_overlay_new(g, sets, 1, dg);
    assert_non_null(ov);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 500, 500);
    cairo_t *cr = cairo_create(surf);
    struct render_view v = {0, 0, 500, 500, 500, 500};
    struct style *st = style_default();
    struct render_marks_stats stats;
    assert_true(render_overlay_draw(cr, &v, ov, st, NULL, &stats, dg));
    assert_int_equal(stats.drawn, 20);
    /* the group's one label, the two lone blocks, Pier 9 */
    assert_int_equal(stats.labels_grouped, 16);
    assert_int_equal(stats.labels_placed, 4);
    assert_int_equal(stats.labels_skipped, 0);
    /* "Container yard block" as such placed twice: the two alone (the
     * group's reads "Container yard blocks (17)") */
    assert_int_equal(stats.label_max_repeat, 2);
    /* the selected block keeps its own label beside the group's */
    struct render_marks_options opt;
    render_marks_options_init(&opt);
    opt.highlight_id = "b3";
    assert_true(render_overlay_draw(cr, &v, ov, st, &opt, &stats, dg));
    assert_int_equal(stats.labels_grouped, 15);
    assert_int_equal(stats.labels_placed + stats.labels_skipped, 5);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    style_free(st);
    render_overlay_free(ov);
    geo_ref_free(g);
    raster_close(r);
    annot_set_free(set);
    diag_free(dg);
}

static void test_marks_observed_on_other_images(void **state)
{
    (void)state;
    char path[300];
    out_path(path, sizeof path, "observed.geojson");
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":["
               "{\"type\":\"Feature\",\"id\":\"always\",\"geometry\":{\"type\":\"Point\","
               "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"pier\"}},"
               "{\"type\":\"Feature\",\"id\":\"same-day\",\"geometry\":{\"type\":\"Point\","
               "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"ship\","
               "\"observations\":[{\"image\":\"x.tif\",\"sha256\":\"\",\"acquired\":"
               "\"2024-03-17\"}]}},"
               "{\"type\":\"Feature\",\"id\":\"other-day\",\"geometry\":{\"type\":\"Point\","
               "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"ship\","
               "\"observations\":[{\"image\":\"y.tif\",\"sha256\":\"\",\"acquired\":"
               "\"2023-11-20\"}]}}]}");
    fclose(f);
    struct diag *dg = diag_new();
    struct annot_set *set = read_set(path, dg);
    struct raster *r = raster_open(tile_path, NULL, dg);
    struct geo_ref *g = geo_ref_from_raster(r, dg);
    const struct annot_set *sets[] = {set};
    struct markdate_image m = {"fixture.tif", NULL, "2024-03-17"};
    size_t skipped = 0;
    struct render_overlay *ov = render_overlay_new_observed(g, sets, 1, &m, &skipped, dg);
    assert_non_null(ov);
    assert_int_equal(render_overlay_count(ov), 2);
    assert_int_equal(skipped, 1);
    assert_string_equal(render_overlay_id(ov, 1), "same-day");
    render_overlay_free(ov);
    /* by file name too, and everything without a match */
    struct markdate_image byname = {"y.tif", NULL, NULL};
    ov = render_overlay_new_observed(g, sets, 1, &byname, &skipped, dg);
    assert_int_equal(render_overlay_count(ov), 2);
    assert_string_equal(render_overlay_id(ov, 1), "other-day");
    render_overlay_free(ov);
    ov = render_overlay_new(g, sets, 1, dg);
    assert_int_equal(render_overlay_count(ov), 3);
    render_overlay_free(ov);
    geo_ref_free(g);
    raster_close(r);
    annot_set_free(set);
    diag_free(dg);
}

/* Counts the pixels of surf that are exactly the opaque colour c. */
static size_t count_colour(cairo_surface_t *surf, struct style_rgb c)
{
    cairo_surface_flush(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    uint32_t want = 0xFF000000u | (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
    size_t n = 0;
    for (int y = 0; y < cairo_image_surface_get_height(surf); y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        for (int x = 0; x < cairo_image_surface_get_width(surf); x++)
            n += row[x] == want;
    }
    return n;
}

static void test_other_dates_drawn_distinctly(void **state)
{
    (void)state;
    char path[300];
    out_path(path, sizeof path, "dated.geojson");
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":["
               "{\"type\":\"Feature\",\"id\":\"other-day\",\"geometry\":{\"type\":\"Point\","
               "\"coordinates\":[130.0,42.25]},\"properties\":{\"class\":\"ship\","
               "\"label\":\"Maia\",\"observations\":[{\"image\":\"y.tif\",\"sha256\":\"\","
               "\"acquired\":\"2023-11-20\"}]}}]}");
    fclose(f);
    struct diag *dg = diag_new();
    struct annot_set *set = read_set(path, dg);
    struct raster *r = raster_open(tile_path, NULL, dg);
    struct geo_ref *g = geo_ref_from_raster(r, dg);
    const struct annot_set *sets[] = {set};
    struct markdate_image m = {"fixture.tif", NULL, "2024-03-17"};
    size_t other = 0;
    struct render_overlay *ov = render_overlay_new_dated(g, sets, 1, &m, true, &other, dg);
    assert_non_null(ov);
    assert_int_equal(other, 1);
    assert_int_equal(render_overlay_count(ov), 1);
    assert_int_equal(render_overlay_relation(ov, 0), MARKDATE_OTHER_DATES);
    assert_string_equal(render_overlay_dates(ov, 0), "2023-11-20");
    struct style *st = style_default();
    struct style_rgb ship = style_for_class(st, ANNOT_CLASS_SHIP)->colour;
    struct render_view v = {0, 0, 500, 500, 500, 500};
    size_t counts[3], drawn[3], other_drawn[3];
    const enum render_other_dates modes[3] = {RENDER_OTHER_GHOSTED, RENDER_OTHER_HIDDEN,
                                              RENDER_OTHER_NORMAL};
    for (int k = 0; k < 3; k++) {
        cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 500, 500);
        cairo_t *cr = cairo_create(surf);
        struct render_marks_options opt;
        render_marks_options_init(&opt);
        assert_int_equal(opt.other_dates, RENDER_OTHER_GHOSTED); /* the default */
        opt.other_dates = modes[k];
        opt.labels = false;
        struct render_marks_stats stats;
        assert_true(render_overlay_draw(cr, &v, ov, st, &opt, &stats, dg));
        counts[k] = count_colour(surf, ship);
        drawn[k] = stats.drawn;
        other_drawn[k] = stats.other_dates_drawn;
        cairo_destroy(cr);
        cairo_surface_destroy(surf);
    }
    /* ghosted: drawn, but never in the ship colour; hidden: not drawn;
     * normal: the filled ship symbol */
    assert_int_equal(drawn[0], 1);
    assert_int_equal(other_drawn[0], 1);
    assert_int_equal(counts[0], 0);
    assert_int_equal(drawn[1], 0);
    assert_int_equal(counts[1], 0);
    assert_int_equal(drawn[2], 1);
    assert_true(counts[2] > 20);
    render_overlay_free(ov);
    /* left out entirely without keep_other_dates */
    ov = render_overlay_new_dated(g, sets, 1, &m, false, &other, dg);
    assert_int_equal(render_overlay_count(ov), 0);
    assert_int_equal(other, 1);
    render_overlay_free(ov);
    style_free(st);
    geo_ref_free(g);
    raster_close(r);
    annot_set_free(set);
    diag_free(dg);
}

static void test_bad_inputs_fail_cleanly(void **state)
{
    (void)state;
    char out[300];
    out_path(out, sizeof out, "bad.png");
    struct figure_spec s;
    struct diag *dg = diag_new();
    figure_spec_init(&s);
    s.tile = SATMARK_TEST_DATA "/derived_zero_bytes.tif";
    s.out_path = out;
    assert_false(figure_run(&s, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "derived_zero_bytes.tif"));
    assert_int_not_equal(access(out, F_OK), 0);
    diag_reset(dg);
    const char *annots[] = {DATA "/marks.geojson"};
    figure_spec_init(&s);
    s.tile = tile_path;
    s.annotations = annots;
    s.nannotations = 1;
    s.claims_path = DATA "/catalog.json"; /* not whatever catalog the working directory has */
    s.out_path = out;
    s.view = FIGURE_VIEW_FEATURE;
    s.feature_id = "no-such-feature";
    assert_false(figure_run(&s, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "no-such-feature"));
    diag_reset(dg);
    s.view = FIGURE_VIEW_TILE;
    s.out_path = "/tmp/not-a-png.jpg";
    assert_false(figure_run(&s, NULL, dg));
    diag_reset(dg);
    s.out_path = out;
    const char *claims[] = {"no-such-claim"};
    s.claim_ids = claims;
    s.nclaim_ids = 1;
    s.claims_path = DATA "/catalog.json";
    assert_false(figure_run(&s, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "no-such-claim"));
    assert_int_not_equal(access(out, F_OK), 0);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_place_and_round_trip),
        cmocka_unit_test(test_round_lengths),
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_mark_lands_on_expected_pixel),
        cmocka_unit_test(test_reference_figure),
        cmocka_unit_test(test_reference_catches_missing_furniture),
        cmocka_unit_test(test_unicode_labels_have_glyphs),
        cmocka_unit_test(test_text_chunks_and_determinism),
        cmocka_unit_test(test_rotated_north_arrow),
        cmocka_unit_test(test_no_crs_renders_with_warnings),
        cmocka_unit_test(test_labels_avoid_collisions),
        cmocka_unit_test(test_marks_observed_on_other_images),
        cmocka_unit_test(test_repeated_labels_grouped),
        cmocka_unit_test(test_dense_class_drawn_as_density),
        cmocka_unit_test(test_overlay_matches_point_by_point),
        cmocka_unit_test(test_other_dates_drawn_distinctly),
        cmocka_unit_test(test_bad_inputs_fail_cleanly),
    };
    return SKIP77_EXIT(cmocka_run_group_tests(tests, setup, teardown));
}
