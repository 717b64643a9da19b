/*
 * test_raster — opening, describing and reading rasters as RGBA8.
 *
 * Small inputs are written with GDAL into /tmp by the test itself (16-bit,
 * float with NaN, palette, nodata, mask), so the expected pixels follow from
 * what was written; hostile and odd files come from tests/data (see
 * tests/data/LICENSES.md). Expectations about memory are checked through the
 * process's peak RSS, not timing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_string.h>

#include "raster.h"
#include "viewread.h"
#include "settings.h"

#define DATA(name) SATMARK_TEST_DATA "/" name

static char tmp_paths[16][256];
static int tmp_count;

static const char *tmp_path(const char *name)
{
    char *p = tmp_paths[tmp_count++ % 16];
    snprintf(p, 256, "/tmp/satmark_test_raster_%ld_%s", (long)getpid(), name);
    return p;
}

/* Sets ds's CRS to EPSG:epsg. */
static void set_epsg(GDALDatasetH ds, int epsg)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(srs, epsg), OGRERR_NONE);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
}

static GDALDatasetH create_tiff(const char *path, int w, int h, int bands, GDALDataType type)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, w, h, bands, type, NULL);
    assert_non_null(ds);
    const double gt[6] = {606000.0, 0.5, 0, 4679000.0, 0, -0.5};
    GDALSetGeoTransform(ds, (double *)gt);
    set_epsg(ds, 32652);
    return ds;
}

static void write_band(GDALDatasetH ds, int band, GDALDataType type, void *data, int w, int h)
{
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, band), GF_Write, 0, 0, w, h, data, w, h,
                                  type, 0, 0),
                     CE_None);
}

static struct raster *open_ok(const char *path, const struct raster_open_options *opt)
{
    struct diag *dg = diag_new();
    struct raster *r = raster_open(path, opt, dg);
    if (!r)
        fail_msg("open %s: %s", path, diag_message(dg));
    diag_free(dg);
    return r;
}

static void test_uint16_stretch(void **state)
{
    (void)state;
    const char *path = tmp_path("u16.tif");
    enum { W = 50, H = 20 };
    static uint16_t v[W * H];
    for (int i = 0; i < W * H; i++)
        v[i] = (uint16_t)(1000 + i * 4); /* 1000 .. 4996 */
    GDALDatasetH ds = create_tiff(path, W, H, 1, GDT_UInt16);
    write_band(ds, 1, GDT_UInt16, v, W, H);
    GDALClose(ds);

    struct raster *r = open_ok(path, NULL);
    assert_string_equal(raster_get_info(r)->bands[0].type_name, "UInt16");
    struct raster_stretch st;
    assert_true(raster_get_stretch(r, &st, NULL));
    /* 2% and 98% of 1000 evenly spaced values. */
    assert_true(st.low[0] >= 1000 + 4 * 15 && st.low[0] <= 1000 + 4 * 25);
    assert_true(st.high[0] >= 1000 + 4 * 975 && st.high[0] <= 1000 + 4 * 985);
    static uint8_t px[W * H * 4];
    assert_true(raster_read_rgba(r, 0, 0, W, H, W, H, px, NULL));
    assert_int_equal(px[0], 0);                   /* below low: black */
    assert_int_equal(px[(W * H - 1) * 4], 255);   /* above high: white */
    int mid = (W * H / 2) * 4;
    assert_true(px[mid] > 100 && px[mid] < 155); /* the middle is mid-grey */
    for (int i = 1; i < W * H; i++) {
        assert_true(px[i * 4] >= px[(i - 1) * 4]); /* monotonic */
        assert_int_equal(px[i * 4 + 3], 255);
        assert_int_equal(px[i * 4], px[i * 4 + 1]); /* grey */
    }
    raster_close(r);
    unlink(path);
}

static void test_float_nan_nodata(void **state)
{
    (void)state;
    const char *path = tmp_path("nan.tif");
    enum { W = 20, H = 10 };
    static float v[W * H];
    for (int i = 0; i < W * H; i++)
        v[i] = (i % 3 == 0) ? NAN : (float)(i % 50); /* valid values 1..49 */
    v[5] = 1e30f; /* one wild value must not wreck the stretch: it is clipped */
    GDALDatasetH ds = create_tiff(path, W, H, 1, GDT_Float32);
    GDALSetRasterNoDataValue(GDALGetRasterBand(ds, 1), NAN);
    write_band(ds, 1, GDT_Float32, v, W, H);
    GDALClose(ds);

    struct raster *r = open_ok(path, NULL);
    assert_true(raster_get_info(r)->bands[0].has_nodata);
    assert_true(isnan(raster_get_info(r)->bands[0].nodata));
    struct raster_stretch st;
    assert_true(raster_get_stretch(r, &st, NULL));
    assert_true(isfinite(st.low[0]) && isfinite(st.high[0]));
    assert_true(st.low[0] >= 0 && st.low[0] <= 3 && st.high[0] >= 46 && st.high[0] <= 49);
    static uint8_t px[W * H * 4];
    assert_true(raster_read_rgba(r, 0, 0, W, H, W, H, px, NULL));
    for (int i = 0; i < W * H; i++) {
        if (i % 3 == 0)
            assert_int_equal(px[i * 4 + 3], 0);
        else
            assert_int_equal(px[i * 4 + 3], 255);
    }
    raster_close(r);
    unlink(path);

    /* rasterio's Float32 file with NoData = NaN. */
    r = open_ok(DATA("rio_float_nan.tif"), NULL);
    assert_true(raster_get_stretch(r, &st, NULL));
    assert_true(isfinite(st.low[0]) && isfinite(st.high[0]) && st.high[0] > st.low[0]);
    uint8_t small[3 * 2 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 3, 2, 3, 2, small, NULL));
    GDALDatasetH raw = GDALOpen(DATA("rio_float_nan.tif"), GA_ReadOnly);
    float rv[6];
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(raw, 1), GF_Read, 0, 0, 3, 2, rv, 3, 2,
                                  GDT_Float32, 0, 0), CE_None);
    GDALClose(raw);
    int nan_count = 0;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(small[i * 4 + 3], isnan(rv[i]) ? 0 : 255);
        nan_count += isnan(rv[i]);
    }
    assert_true(nan_count > 0 && nan_count < 6);
    raster_close(r);
}

static void test_palette(void **state)
{
    (void)state;
    /* PNG keeps palette alpha (tRNS); TIFF colour maps have none. */
    const char *path = tmp_path("pal.png");
    GDALAllRegister();
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", 3, 1, 1, GDT_Byte, NULL);
    GDALColorTableH ct = GDALCreateColorTable(GPI_RGB);
    GDALColorEntry red = {255, 0, 0, 255}, green = {0, 200, 0, 255}, clear = {1, 2, 3, 0};
    GDALSetColorEntry(ct, 0, &red);
    GDALSetColorEntry(ct, 1, &green);
    GDALSetColorEntry(ct, 2, &clear);
    GDALSetRasterColorTable(GDALGetRasterBand(mem, 1), ct);
    GDALSetRasterColorInterpretation(GDALGetRasterBand(mem, 1), GCI_PaletteIndex);
    GDALDestroyColorTable(ct);
    uint8_t idx[3] = {1, 0, 2};
    write_band(mem, 1, GDT_Byte, idx, 3, 1);
    GDALDatasetH png = GDALCreateCopy(GDALGetDriverByName("PNG"), path, mem, FALSE, NULL, NULL,
                                      NULL);
    assert_non_null(png);
    GDALClose(png);
    GDALClose(mem);

    struct raster *r = open_ok(path, NULL);
    assert_true(raster_get_info(r)->palette_expanded);
    uint8_t px[12];
    assert_true(raster_read_rgba(r, 0, 0, 3, 1, 3, 1, px, NULL));
    const uint8_t want[12] = {0, 200, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0};
    assert_memory_equal(px, want, 12);
    raster_close(r);
    unlink(path);
    char aux[300];
    snprintf(aux, sizeof aux, "%s.aux.xml", path);
    unlink(aux);

    /* A 1-bit G4 page with a 2-entry palette. */
    r = open_ok(DATA("gdal_slim_g4.tif"), NULL);
    assert_true(raster_get_info(r)->palette_expanded);
    static uint8_t big[100 * 720 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 1000, 7200, 100, 720, big, NULL));
    raster_close(r);
}

static void test_nodata_and_mask(void **state)
{
    (void)state;
    const char *path = tmp_path("nodata.tif");
    GDALDatasetH ds = create_tiff(path, 4, 1, 3, GDT_Byte);
    uint8_t rr[4] = {0, 10, 0, 0}, gg[4] = {0, 20, 5, 0}, bb[4] = {0, 30, 0, 7};
    for (int b = 1; b <= 3; b++)
        GDALSetRasterNoDataValue(GDALGetRasterBand(ds, b), 0);
    write_band(ds, 1, GDT_Byte, rr, 4, 1);
    write_band(ds, 2, GDT_Byte, gg, 4, 1);
    write_band(ds, 3, GDT_Byte, bb, 4, 1);
    GDALClose(ds);
    struct raster *r = open_ok(path, NULL);
    uint8_t px[16];
    assert_true(raster_read_rgba(r, 0, 0, 4, 1, 4, 1, px, NULL));
    /* All three bands nodata -> transparent; one dark channel is data. */
    const uint8_t want[16] = {0, 0, 0, 0, 10, 20, 30, 255, 0, 5, 0, 255, 0, 0, 7, 255};
    assert_memory_equal(px, want, 16);
    raster_close(r);
    unlink(path);

    /* An internal per-dataset mask (no nodata): mask 0 -> alpha 0. */
    path = tmp_path("mask.tif");
    ds = create_tiff(path, 4, 1, 1, GDT_Byte);
    uint8_t grey[4] = {50, 60, 70, 80}, mask[4] = {255, 0, 255, 0};
    write_band(ds, 1, GDT_Byte, grey, 4, 1);
    assert_int_equal(GDALCreateDatasetMaskBand(ds, GMF_PER_DATASET), CE_None);
    assert_int_equal(GDALRasterIO(GDALGetMaskBand(GDALGetRasterBand(ds, 1)), GF_Write, 0, 0, 4, 1,
                                  mask, 4, 1, GDT_Byte, 0, 0), CE_None);
    GDALClose(ds);
    r = open_ok(path, NULL);
    assert_true(raster_read_rgba(r, 0, 0, 4, 1, 4, 1, px, NULL));
    const uint8_t want_mask[16] = {50, 50, 50, 255, 0, 0, 0, 0, 70, 70, 70, 255, 0, 0, 0, 0};
    assert_memory_equal(px, want_mask, 16);
    raster_close(r);
    unlink(path);
    char msk[300];
    snprintf(msk, sizeof msk, "%s.msk", path);
    unlink(msk);
}

static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static void test_huge_declared_size(void **state)
{
    (void)state;
    long before = peak_rss_kb();
    struct diag *dg = diag_new();
    struct raster *r = open_ok(DATA("derived_huge_dims_100k_square.tif"), NULL);
    assert_int_equal(raster_get_info(r)->width, 100000);
    static uint8_t px[64 * 64 * 4];
    /* Whole image to 64x64, and a small window at full resolution: each
     * either reads or fails with a message naming the file, never allocates
     * anything like 100000 x 100000. */
    if (!raster_read_rgba(r, 0, 0, 100000, 100000, 64, 64, px, dg))
        assert_non_null(strstr(diag_message(dg), "derived_huge_dims_100k_square.tif"));
    diag_reset(dg);
    if (!raster_read_rgba(r, 50000, 50000, 64, 64, 64, 64, px, dg))
        assert_non_null(strstr(diag_message(dg), "derived_huge_dims_100k_square.tif"));
    raster_close(r);
    /* The 2048 x 1073741824 DoS file from GDAL's test suite. */
    diag_reset(dg);
    r = open_ok(DATA("gdal_dos_strip_chop.tif"), NULL);
    struct raster_stretch st;
    assert_true(raster_get_stretch(r, &st, dg) || diag_failed(dg));
    diag_reset(dg);
    if (!raster_read_rgba(r, 0, 0, 2048, 1073741824.0, 64, 64, px, dg))
        assert_non_null(strstr(diag_message(dg), "gdal_dos_strip_chop.tif"));
    raster_close(r);
    diag_free(dg);
    long after = peak_rss_kb();
    if (before > 0 && after > 0)
        assert_true(after - before < 300L * 1024); /* far below the 10 GB declared */
}

static void test_all_nodata(void **state)
{
    (void)state;
    struct raster *r = open_ok(DATA("rio_all-nodata.tif"), NULL);
    struct raster_stretch st;
    assert_true(raster_get_stretch(r, &st, NULL));
    for (int c = 0; c < 3; c++) {
        assert_true(isfinite(st.low[c]) && isfinite(st.high[c]));
        assert_true(st.high[c] > st.low[c]);
    }
    static uint8_t px[71 * 100 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 71, 2475, 71, 100, px, NULL));
    for (size_t i = 0; i < sizeof px / 4; i++)
        assert_int_equal(px[i * 4 + 3], 0);
    raster_close(r);
}

static void test_rotated(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct raster *r = raster_open(DATA("rio_rotated.tif"), NULL, dg);
    assert_non_null(r);
    const struct raster_info *in = raster_get_info(r);
    assert_true(in->has_geotransform && !in->has_crs);
    assert_true(in->geotransform[2] != 0.0);
    bool warned = false;
    for (size_t i = 0; i < in->warning_count; i++)
        warned |= strstr(in->warnings[i], "rotated") != NULL;
    assert_true(warned);
    assert_true(diag_warning_count(dg) >= 1);
    uint8_t px[10 * 15 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 10, 15, 10, 15, px, dg));
    raster_close(r);
    diag_free(dg);
}

/* The south-up, 64-band signed-byte file: output row y is file row y. */
static void test_south_up_not_flipped(void **state)
{
    (void)state;
    int one[3] = {1, 0, 0};
    struct raster_open_options opt;
    raster_open_options_init(&opt);
    memcpy(opt.bands, one, sizeof one);
    struct raster *r = open_ok(DATA("cogeotiff_model_transformation.tif"), &opt);
    const struct raster_info *in = raster_get_info(r);
    assert_int_equal(in->band_count, 64);
    assert_true(in->geotransform[5] > 0);
    assert_string_equal(in->bands[0].type_name, "Int8");
    uint8_t px[10 * 10 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 10, 10, 10, 10, px, NULL));
    GDALDatasetH raw = GDALOpen(DATA("cogeotiff_model_transformation.tif"), GA_ReadOnly);
    uint8_t u[100];
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(raw, 1), GF_Read, 0, 0, 10, 10, u, 10, 10,
                                  GDT_Byte, 0, 0), CE_None);
    GDALClose(raw);
    /* Signed values; the stretch is monotonic, so order is preserved where
     * both pixels are valid (-128 is nodata -> alpha 0). */
    int order_checked = 0, flipped_violations = 0;
    for (int i = 0; i < 100; i++) {
        int si = u[i] >= 128 ? u[i] - 256 : u[i];
        assert_int_equal(px[i * 4 + 3], si == -128 ? 0 : 255);
        for (int j = 0; j < 100; j++) {
            int sj = u[j] >= 128 ? u[j] - 256 : u[j];
            if (si == -128 || sj == -128)
                continue;
            if (si < sj) {
                assert_true(px[i * 4] <= px[j * 4]);
                order_checked++;
            }
            int fi = (9 - i / 10) * 10 + i % 10; /* same pixel, rows flipped */
            int fj = (9 - j / 10) * 10 + j % 10;
            if (si < sj && px[fi * 4 + 3] && px[fj * 4 + 3] && px[fi * 4] > px[fj * 4])
                flipped_violations++;
        }
    }
    assert_true(order_checked > 100);
    assert_true(flipped_violations > 0); /* the data are not symmetric: a flip would show */
    raster_close(r);
}

static void test_sparse_cog_transparent(void **state)
{
    (void)state;
    struct raster *r = open_ok(DATA("cogeotiff_sparse.tif"), NULL);
    assert_int_equal(raster_get_info(r)->display_alpha_band, 4);
    assert_true(raster_get_info(r)->overview_count > 0);
    static uint8_t px[256 * 256 * 4];
    memset(px, 0x5a, sizeof px);
    assert_true(raster_read_rgba(r, 0, 0, 20480, 20480, 256, 256, px, NULL));
    for (size_t i = 0; i < sizeof px / 4; i++)
        assert_int_equal(px[i * 4 + 3], 0);
    raster_close(r);
}

static void test_corrupt_partial(void **state)
{
    (void)state;
    struct raster *r = open_ok(DATA("rio_corrupt.tif"), NULL);
    static uint8_t px[1024 * 1024 * 4];
    struct diag *dg = diag_new();
    bool ok = raster_read_rgba(r, 0, 0, 1024, 1024, 1024, 1024, px, dg);
    assert_false(ok);
    assert_non_null(strstr(diag_message(dg), "rio_corrupt.tif"));
    size_t opaque = 0, clear = 0;
    for (size_t i = 0; i < 1024 * 1024; i++)
        px[i * 4 + 3] ? opaque++ : clear++;
    assert_true(opaque > 0 && clear > 0); /* what could be read is there */
    raster_close(r);
    diag_free(dg);

    /* Fuzzed files: terminate, fail with the file named. */
    const char *bad[] = {DATA("itiff_fuzz_lzw_stuck.tif"), DATA("gdal_byte_buggy_packbits.tif"),
                         DATA("gdal_mandrilmini_12bitjpeg.tif")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dg = diag_new();
        r = open_ok(bad[i], NULL);
        const struct raster_info *in = raster_get_info(r);
        uint8_t *buf = malloc((size_t)in->width * in->height * 4);
        assert_non_null(buf);
        if (!raster_read_rgba(r, 0, 0, in->width, in->height, in->width, in->height, buf, dg))
            assert_non_null(strstr(diag_message(dg), strrchr(bad[i], '/') + 1));
        else
            fail_msg("%s read without error", bad[i]);
        free(buf);
        raster_close(r);
        diag_free(dg);
    }
}

static void test_open_errors(void **state)
{
    (void)state;
    static const struct {
        const char *path, *want;
    } cases[] = {
        {"/vsicurl/http://example.com/a.tif", "remote"},
        {"https://example.com/a.tif", "remote"},
        {DATA("does-not-exist.tif"), "does-not-exist.tif: No such file"},
        {DATA("derived_zero_bytes.tif"), "derived_zero_bytes.tif: empty"},
        {DATA("derived_header_only_8bytes.tif"), "derived_header_only_8bytes.tif"},
        {DATA("itiff_fuzz_div0_000031.tif"), "itiff_fuzz_div0_000031.tif"},
        {DATA("itiff_fuzz_oom_000016.tif"), "itiff_fuzz_oom_000016.tif"},
        {DATA("gdal_grib_fuzz_oom.grib2"), "gdal_grib_fuzz_oom.grib2"},
        {DATA("gdal_idontexist.vrt"), "idontexist.tif"},
        {"<VRTDataset rasterXSize=\"1\"/>", "inline XML"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag *dg = diag_new();
        assert_null(raster_open(cases[i].path, NULL, dg));
        if (!strstr(diag_message(dg), cases[i].want))
            fail_msg("%s: message '%s' lacks '%s'", cases[i].path, diag_message(dg),
                     cases[i].want);
        diag_free(dg);
    }
    int bad_bands[3] = {7, 8, 9};
    struct raster_open_options opt;
    raster_open_options_init(&opt);
    memcpy(opt.bands, bad_bands, sizeof bad_bands);
    struct diag *dg = diag_new();
    assert_null(raster_open(DATA("L7_ETMs.tif"), &opt, dg));
    assert_non_null(strstr(diag_message(dg), "band 7 does not exist"));
    diag_free(dg);
}

/* Byte RGB at full resolution is the file's values; at 1/4 it is GDAL's
 * overview; a window past the edge is transparent outside. */
static void test_byte_identity_and_overview(void **state)
{
    (void)state;
    struct raster_open_options opt;
    raster_open_options_init(&opt);
    opt.bands[0] = 3, opt.bands[1] = 2, opt.bands[2] = 1;
    struct raster *r = open_ok(DATA("L7_ETMs.tif"), &opt);
    const struct raster_info *in = raster_get_info(r);
    assert_int_equal(in->display_bands[0], 3);
    static uint8_t px[349 * 352 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 349, 352, 349, 352, px, NULL));
    GDALDatasetH raw = GDALOpen(DATA("L7_ETMs.tif"), GA_ReadOnly);
    static uint8_t b3[349 * 352];
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(raw, 3), GF_Read, 0, 0, 349, 352, b3, 349,
                                  352, GDT_Byte, 0, 0), CE_None);
    for (int i = 0; i < 349 * 352; i++) {
        assert_int_equal(px[i * 4], b3[i]);
        assert_int_equal(px[i * 4 + 3], 255);
    }
    /* Overview 2 (88x88) read through our window equals the overview itself. */
    GDALRasterBandH ov = GDALGetOverview(GDALGetRasterBand(raw, 3), 1);
    assert_int_equal(GDALGetRasterBandXSize(ov), 88);
    static uint8_t ovpx[88 * 88];
    assert_int_equal(GDALRasterIO(ov, GF_Read, 0, 0, 88, 88, ovpx, 88, 88, GDT_Byte, 0, 0),
                     CE_None);
    GDALClose(raw);
    static uint8_t small[88 * 88 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 349, 352, 88, 88, small, NULL));
    int same = 0;
    for (int i = 0; i < 88 * 88; i++)
        same += small[i * 4] == ovpx[i];
    assert_true(same > 88 * 88 * 95 / 100);
    /* Half the window left of the image: left half transparent. */
    static uint8_t half[100 * 50 * 4];
    assert_true(raster_read_rgba(r, -50, 0, 100, 50, 100, 50, half, NULL));
    for (int y = 0; y < 50; y++)
        for (int x = 0; x < 100; x++)
            assert_int_equal(half[(y * 100 + x) * 4 + 3], x < 50 ? 0 : 255);
    /* Entirely outside, and invalid requests. */
    assert_true(raster_read_rgba(r, 5000, 5000, 10, 10, 10, 10, half, NULL));
    assert_int_equal(half[3], 0);
    struct diag *dg = diag_new();
    assert_false(raster_read_rgba(r, 0, 0, 0, 10, 10, 10, half, dg));
    assert_false(raster_read_rgba(r, 0, 0, 10, 10, 0, 10, half, NULL));
    assert_false(raster_read_rgba(r, NAN, 0, 10, 10, 10, 10, half, NULL));
    diag_free(dg);
    raster_close(r);
}

/* A worker handle given the UI handle's stretch renders identically. */
static void test_shared_stretch(void **state)
{
    (void)state;
    struct raster *ui = open_ok(DATA("gdal_int12.tif"), NULL);
    struct raster_stretch st;
    assert_true(raster_get_stretch(ui, &st, NULL));
    assert_true(st.low[0] >= 0 && st.high[0] <= 4095 && st.high[0] > st.low[0]);
    st.low[0] = st.low[1] = st.low[2] = st.low[0] + 1;
    assert_true(raster_set_stretch(ui, &st, NULL));
    struct raster *worker = open_ok(DATA("gdal_int12.tif"), NULL);
    struct raster_stretch got;
    assert_true(raster_get_stretch(ui, &got, NULL));
    assert_true(raster_set_stretch(worker, &got, NULL));
    uint8_t a[20 * 20 * 4], b[20 * 20 * 4];
    assert_true(raster_read_rgba(ui, 0, 0, 20, 20, 20, 20, a, NULL));
    assert_true(raster_read_rgba(worker, 0, 0, 20, 20, 20, 20, b, NULL));
    assert_memory_equal(a, b, sizeof a);
    struct raster_stretch bad = got;
    bad.high[1] = bad.low[1];
    assert_false(raster_set_stretch(worker, &bad, NULL));
    raster_close(ui);
    raster_close(worker);
}

static void test_complex_and_subdatasets(void **state)
{
    (void)state;
    struct raster *r = open_ok(DATA("gdal_cint16.tif"), NULL);
    uint8_t px[20 * 20 * 4];
    assert_true(raster_read_rgba(r, 0, 0, 20, 20, 20, 20, px, NULL));
    int distinct = 0;
    for (int i = 1; i < 400; i++)
        distinct += px[i * 4] != px[0];
    assert_true(distinct > 0);
    raster_close(r);
    /* HDF5 container without bands opens its first subdataset; page 2 of a TIFF. */
    r = open_ok(DATA("rio_no_band.h5"), NULL);
    assert_int_equal(raster_get_info(r)->band_count, 1);
    raster_close(r);
    struct raster_open_options opt;
    raster_open_options_init(&opt);
    opt.subdataset = 2;
    r = open_ok(DATA("gdal_twoimages.tif"), &opt);
    raster_close(r);
    opt.subdataset = 3;
    struct diag *dg = diag_new();
    assert_null(raster_open(DATA("gdal_twoimages.tif"), &opt, dg));
    assert_non_null(strstr(diag_message(dg), "gdal_twoimages.tif"));
    diag_free(dg);
}

static void test_sha256_cached(void **state)
{
    (void)state;
    struct raster *r = open_ok(DATA("rio_rotated.tif"), NULL);
    char a[HASH_SHA256_HEX_LEN + 1], b[HASH_SHA256_HEX_LEN + 1];
    assert_true(raster_sha256(r, a, NULL));
    assert_true(raster_sha256(r, b, NULL));
    assert_string_equal(a, b);
    char direct[HASH_SHA256_HEX_LEN + 1];
    assert_true(hash_file_sha256(DATA("rio_rotated.tif"), direct, NULL));
    assert_string_equal(a, direct);
    raster_close(r);
}

/* Every test raster that opens can be read whole (small output) and at full
 * resolution (a corner window), in both resamplings: each read succeeds or
 * fails with the file named; none crashes, hangs or over-allocates. */
static void test_read_every_file(void **state)
{
    (void)state;
    static const char *const files[] = {
        "L7_ETMs.tif", "derived_huge_dims_100k_square.tif", "rio_corrupt.tif",
        "itiff_fuzz_lzw_stuck.tif", "cogeotiff_sparse.tif", "rio_rotated.tif",
        "rio_float_nan.tif", "rio_world.byte.tif", "gdal_byte_buggy_packbits.tif",
        "itiff_fuzz_inf_loop_000028.tif", "gdal_dos_strip_chop.tif",
        "gdal_corrupted_gtiff_tags.tif", "gdal_spaf27_brokengdal.tif",
        "gdal_ModelTypeGeoKey_only.tif", "gdal_byte_rpc.tif",
        "cogeotiff_model_transformation.tif", "rio_goes.tif", "rio_all-nodata.tif",
        "gdal_int12.tif", "gdal_cint16.tif", "gdal_mandrilmini_12bitjpeg.tif",
        "itiff_usda_naip_256_webp_z3.tif", "gdal_slim_g4.tif", "gdal_twoimages.tif",
        "rio_no_band.h5",
    };
    static uint8_t px[96 * 64 * 4];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SATMARK_TEST_DATA, files[i]);
        struct raster *r = open_ok(path, NULL);
        const struct raster_info *in = raster_get_info(r);
        for (int pass = 0; pass < 4; pass++) {
            raster_set_resampling(r, pass % 2 ? RASTER_RESAMPLE_AVERAGE : RASTER_RESAMPLE_NEAREST);
            struct diag *dg = diag_new();
            bool whole = pass < 2;
            bool ok = raster_read_rgba(r, whole ? 0 : -10, whole ? 0 : -10,
                                       whole ? in->width : 96, whole ? in->height : 64, 96, 64,
                                       px, dg);
            if (!ok && !strstr(diag_message(dg), files[i]))
                fail_msg("%s: failed read without naming the file: %s", files[i],
                         diag_message(dg));
            if (ok)
                assert_false(diag_failed(dg));
            diag_free(dg);
        }
        raster_close(r);
    }
}

/* ---- Byte fast path == Float64 slow path ------------------------------------ */

static struct raster *open_path_kind(const char *path, bool slow)
{
    struct satmark_settings settings; /* SATMARK_RASTER_SLOW_PATH=1 when slow */
    settings_init(&settings);
    settings.raster_slow_path = slow;
    settings_install(&settings);
    struct raster *r = open_ok(path, NULL);
    settings_install(NULL);
    return r;
}

/* Renders the same windows through both paths and compares byte for byte
 * (also whether each read succeeded, for files with corrupt blocks). */
static void compare_paths(const char *path, const int *bands)
{
    struct raster *fast = open_path_kind(path, false);
    struct raster *slow = open_path_kind(path, true);
    if (bands) { /* user band choice, e.g. one band repeated */
        assert_true(raster_set_bands(fast, bands, 0, NULL));
        assert_true(raster_set_bands(slow, bands, 0, NULL));
    }
    const struct raster_info *in = raster_get_info(fast);
    double w = in->width, h = in->height;
    const struct {
        double x, y, w, h;
        int ow, oh;
    } win[] = {
        {0, 0, w, h, in->width < 400 ? in->width : 400, in->height < 300 ? in->height : 300},
        {w * 0.1 + 0.5, h * 0.2 + 0.25, w * 0.5, h * 0.4, 97, 61},   /* inside, fractional */
        {-w * 0.3, -h * 0.2, w, h, 160, 120},                         /* partly outside */
        {w * 0.6, h * 0.7, w, h, 150, 110},                           /* partly outside */
        {0, 0, w, h, in->width / 5 + 1, in->height / 5 + 1},          /* via overviews */
        {0, 0, w, h, in->width / 3 + 1, in->height / 7 + 1},          /* anisotropic */
        {w * 0.25, h * 0.25, 7, 5, 70, 50},                           /* magnified */
        {w * 2, h * 2, 10, 10, 10, 10},                               /* outside */
    };
    size_t nwin = sizeof win / sizeof win[0];
    for (int pass = 0; pass < 2; pass++) {
        enum raster_resampling rs = pass ? RASTER_RESAMPLE_AVERAGE : RASTER_RESAMPLE_NEAREST;
        raster_set_resampling(fast, rs);
        raster_set_resampling(slow, rs);
        for (size_t i = 0; i < nwin; i++) {
            size_t n = (size_t)win[i].ow * (size_t)win[i].oh * 4;
            uint8_t *a = malloc(n), *b = malloc(n);
            assert_non_null(a);
            assert_non_null(b);
            bool ok_fast = raster_read_rgba(fast, win[i].x, win[i].y, win[i].w, win[i].h,
                                            win[i].ow, win[i].oh, a, NULL);
            bool ok_slow = raster_read_rgba(slow, win[i].x, win[i].y, win[i].w, win[i].h,
                                            win[i].ow, win[i].oh, b, NULL);
            if (ok_fast != ok_slow || memcmp(a, b, n) != 0) {
                size_t k = 0;
                while (k < n && a[k] == b[k])
                    k++;
                fail_msg("%s: window %zu (%s): fast %s, slow %s, first difference at byte %zu "
                         "(%d vs %d)", path, i, pass ? "average" : "nearest",
                         ok_fast ? "ok" : "failed", ok_slow ? "ok" : "failed", k,
                         k < n ? a[k] : -1, k < n ? b[k] : -1);
            }
            free(a);
            free(b);
        }
    }
    raster_close(fast);
    raster_close(slow);
}

/* Writes a tiled Byte GeoTIFF with overviews: bands of a busy pattern where
 * value 0 (a nodata candidate) occurs in patches; alpha_band > 0 makes that
 * band an alpha band with 0, partial and 255 values. */
static void write_pattern_tiff(const char *path, int w, int h, int bands, int alpha_band,
                               bool nodata, bool mask)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    char **co = NULL;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "BLOCKXSIZE", "64");
    co = CSLSetNameValue(co, "BLOCKYSIZE", "64");
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    GDALDatasetH ds = GDALCreate(drv, path, w, h, bands, GDT_Byte, co);
    CSLDestroy(co);
    assert_non_null(ds);
    const double gt[6] = {606000.0, 0.5, 0, 4679000.0, 0, -0.5};
    GDALSetGeoTransform(ds, (double *)gt);
    uint8_t *v = malloc((size_t)w * h);
    assert_non_null(v);
    for (int b = 1; b <= bands; b++) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                unsigned u = (unsigned)(x * 7 + y * 13 + b * 31) ^ (unsigned)(x * y + b);
                uint8_t val = (uint8_t)(u * 2654435761u >> 24);
                if (((x / 9) + (y / 11)) % 5 == 0)
                    val = 0; /* patches of 0 in every band */
                if (b == alpha_band)
                    val = (x / 13) % 3 == 0 ? 0 : (x / 13) % 3 == 1 ? (uint8_t)(x + y) : 255;
                v[(size_t)y * w + x] = val;
            }
        write_band(ds, b, GDT_Byte, v, w, h);
        if (b == alpha_band)
            GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, b), GCI_AlphaBand);
        else if (nodata)
            GDALSetRasterNoDataValue(GDALGetRasterBand(ds, b), 0);
    }
    if (mask) {
        assert_int_equal(GDALCreateDatasetMaskBand(ds, GMF_PER_DATASET), CE_None);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                v[(size_t)y * w + x] = (x + 2 * y) % 17 < 5 ? 0 : 255;
        assert_int_equal(GDALRasterIO(GDALGetMaskBand(GDALGetRasterBand(ds, 1)), GF_Write, 0,
                                      0, w, h, v, w, h, GDT_Byte, 0, 0),
                         CE_None);
    }
    free(v);
    const int levels[] = {2, 4};
    assert_int_equal(GDALBuildOverviews(ds, "AVERAGE", 2, levels, 0, NULL, NULL, NULL), CE_None);
    GDALClose(ds);
}

/* The imagery of a figure read by 1 to 4 threads (each extra thread on a
 * second handle, raster_open_sibling) is the same, byte for byte: for a
 * projected tile, whose second handles skip the look at the CRS, and for a
 * tile in degrees at 60 N, which the first handle shows through a
 * conformal (UTM) view and every second handle must show the same way. */
static void test_sibling_reads_like_first(void **state)
{
    (void)state;
    enum { W = 700, H = 600 };
    const char *utm = tmp_path("sibling-utm.tif"), *deg = tmp_path("sibling-deg.tif");
    write_pattern_tiff(utm, W, H, 3, 0, false, false);
    write_pattern_tiff(deg, W, H, 3, 0, false, false);
    const double degrees_gt[6] = {10.0, 0.0002, 0, 60.1, 0, -0.0002};
    for (int k = 0; k < 2; k++) { /* UTM as written; the other one in degrees */
        GDALDatasetH ds = GDALOpen(k ? deg : utm, GA_Update);
        assert_non_null(ds);
        if (k)
            GDALSetGeoTransform(ds, (double *)degrees_gt);
        set_epsg(ds, k ? 4326 : 32652);
        GDALClose(ds);
    }
    const char *paths[] = {utm, deg};
    for (int k = 0; k < 2; k++) {
        struct raster *r = open_ok(paths[k], NULL);
        const struct raster_info *info = raster_get_info(r);
        /* the degrees tile really is reprojected, the UTM one is not */
        assert_int_equal(info->reprojected_from != NULL && *info->reprojected_from, k == 1);
        struct render_view view = {0, 0, info->width, info->height, 640, 560};
        size_t bytes = (size_t)view.out_w * view.out_h * 4;
        uint8_t *one = malloc(bytes), *many = malloc(bytes);
        assert_non_null(one);
        assert_non_null(many);
        struct style_rgb bg = {38, 40, 44};
        struct diag *dg = diag_new();
        assert_true(viewread_argb(r, &view, view.out_w, view.out_h, 1, one, view.out_w * 4, bg, dg));
        for (int threads = 2; threads <= VIEWREAD_MAX_THREADS; threads++) {
            memset(many, 0x5a, bytes);
            if (!viewread_argb(r, &view, view.out_w, view.out_h, threads, many, view.out_w * 4, bg,
                               dg))
                fail_msg("%s, %d threads: %s", paths[k], threads, diag_message(dg));
            if (memcmp(one, many, bytes) != 0)
                fail_msg("%s: %d threads read other pixels than one", paths[k], threads);
        }
        diag_free(dg);
        free(one);
        free(many);
        raster_close(r);
    }
    unlink(utm);
    unlink(deg);
}

static void test_fast_path_matches_slow(void **state)
{
    (void)state;
    const struct {
        const char *name;
        int bands, alpha;
        bool nodata, mask;
    } made[] = {
        {"fp_rgb.tif", 3, 0, false, false},   {"fp_rgb_nd.tif", 3, 0, true, false},
        {"fp_grey.tif", 1, 0, false, false},  {"fp_grey_nd.tif", 1, 0, true, false},
        {"fp_rgba.tif", 4, 4, false, false},  {"fp_grey_a.tif", 2, 2, false, false},
        {"fp_grey_mask.tif", 1, 0, false, true}, {"fp_rgb_mask.tif", 3, 0, false, true},
    };
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        const char *path = tmp_path(made[i].name);
        write_pattern_tiff(path, 333, 251, made[i].bands, made[i].alpha, made[i].nodata,
                           made[i].mask);
        compare_paths(path, NULL);
        if (made[i].bands == 3) {
            const int swapped[3] = {2, 2, 1}, single[3] = {3, 0, 0};
            compare_paths(path, swapped);
            compare_paths(path, single);
        }
        unlink(path);
        char side[300];
        snprintf(side, sizeof side, "%s.msk", path);
        unlink(side);
        snprintf(side, sizeof side, "%s.ovr", path);
        unlink(side);
    }
    /* Real files: Landsat bands with overviews, a JPEG file, corrupt blocks. */
    static const char *const files[] = {"L7_ETMs.tif", "rio_world.byte.tif", "rio_corrupt.tif",
                                        "gdal_mandrilmini_12bitjpeg.tif", "cogeotiff_sparse.tif",
                                        "itiff_usda_naip_256_webp_z3.tif"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SATMARK_TEST_DATA, files[i]);
        compare_paths(path, NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint16_stretch),
        cmocka_unit_test(test_float_nan_nodata),
        cmocka_unit_test(test_palette),
        cmocka_unit_test(test_nodata_and_mask),
        cmocka_unit_test(test_huge_declared_size),
        cmocka_unit_test(test_all_nodata),
        cmocka_unit_test(test_rotated),
        cmocka_unit_test(test_south_up_not_flipped),
        cmocka_unit_test(test_sparse_cog_transparent),
        cmocka_unit_test(test_corrupt_partial),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_byte_identity_and_overview),
        cmocka_unit_test(test_shared_stretch),
        cmocka_unit_test(test_complex_and_subdatasets),
        cmocka_unit_test(test_sha256_cached),
        cmocka_unit_test(test_read_every_file),
        cmocka_unit_test(test_fast_path_matches_slow),
        cmocka_unit_test(test_sibling_reads_like_first),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
