/* Unit tests of overview: the factor ladder; building external overviews of
 * a small GeoTIFF made here (GDAL's GTiff driver, no overviews) into
 * IMAGE.ovr with progress, the image's bytes unchanged, GDAL then listing
 * the overviews with averaged pixels; refusing to overwrite an existing
 * .ovr; cancelling (nothing left behind); a missing file and a directory
 * that is not writable (as root: checked as nobody in a child), each named
 * in the error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <gdal.h>

#include "hash.h"
#include "overview.h"
#include "raster.h"
#include "skip77.h"

struct fixture {
    char dir[64];
    char tif[128];
    char ovr[160];
};

/* 600x400, 3 bands; band 1 is 0 on even columns and 200 on odd ones (its
 * 2x average is 100 everywhere), bands 2 and 3 constant. */
static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/satmark-overview-XXXXXX");
    if (!fx || !mkdtemp(fx->dir))
        return -1;
    snprintf(fx->tif, sizeof fx->tif, "%s/site.tif", fx->dir);
    snprintf(fx->ovr, sizeof fx->ovr, "%s.ovr", fx->tif);
    raster_init();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = GDALCreate(drv, fx->tif, 600, 400, 3, GDT_Byte, NULL);
    if (!ds)
        return -1;
    uint8_t row[600];
    for (int b = 1; b <= 3; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        for (int x = 0; x < 600; x++)
            row[x] = b == 1 ? (x % 2 ? 200 : 0) : (uint8_t)(b * 40);
        for (int y = 0; y < 400; y++)
            if (GDALRasterIO(band, GF_Write, 0, y, 600, 1, row, 600, 1, GDT_Byte, 0, 0) != CE_None)
                return -1;
    }
    GDALClose(ds);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    unlink(fx->ovr);
    unlink(fx->tif);
    chmod(fx->dir, 0700);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void factor_ladder(void **state)
{
    (void)state;
    int f[OVERVIEW_MAX_LEVELS];
    assert_int_equal(overview_factors(16384, 16384, f, OVERVIEW_MAX_LEVELS), 6);
    assert_int_equal(f[0], 2);
    assert_int_equal(f[5], 64); /* 16384 / 64 = 256 */
    assert_int_equal(overview_factors(600, 400, f, OVERVIEW_MAX_LEVELS), 2);
    assert_int_equal(f[1], 4);
    assert_int_equal(overview_factors(257, 10, f, OVERVIEW_MAX_LEVELS), 1);
    assert_int_equal(overview_factors(256, 256, f, OVERVIEW_MAX_LEVELS), 0);
    assert_int_equal(overview_factors(100000, 10, f, 3), 3); /* bounded by max */
}

struct progress_log {
    int calls;
    double last;
    bool decreased;
    int cancel_after; /* > 0: return false on this call */
};

static bool record(double fraction, void *arg)
{
    struct progress_log *log = arg;
    log->calls++;
    if (fraction < log->last)
        log->decreased = true;
    log->last = fraction;
    return !(log->cancel_after > 0 && log->calls >= log->cancel_after);
}

static void builds_external_overviews(void **state)
{
    struct fixture *fx = *state;
    char before[HASH_SHA256_HEX_LEN + 1], after[HASH_SHA256_HEX_LEN + 1];
    struct diag *dg = diag_new();
    assert_true(hash_file_sha256(fx->tif, before, dg));
    struct progress_log log = {0};
    bool ok = overview_build(fx->tif, record, &log, dg);
    if (!ok)
        fail_msg("%s", diag_message(dg));
    assert_true(log.calls > 0);
    assert_false(log.decreased);
    assert_true(log.last > 0.999);
    struct stat st;
    assert_int_equal(stat(fx->ovr, &st), 0);
    assert_true(hash_file_sha256(fx->tif, after, dg));
    assert_string_equal(before, after); /* the evidence is untouched */

    GDALDatasetH ds = GDALOpenEx(fx->tif, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    assert_int_equal(GDALGetOverviewCount(band), 2);
    GDALRasterBandH half = GDALGetOverview(band, 0);
    assert_int_equal(GDALGetRasterBandXSize(half), 300);
    assert_int_equal(GDALGetRasterBandYSize(half), 200);
    uint8_t px[8];
    assert_int_equal(GDALRasterIO(half, GF_Read, 10, 10, 8, 1, px, 8, 1, GDT_Byte, 0, 0),
                     CE_None);
    for (int i = 0; i < 8; i++)
        assert_int_equal(px[i], 100); /* AVERAGE of 0 and 200 */
    GDALClose(ds);

    /* A second build never overwrites the file. */
    diag_reset(dg);
    assert_false(overview_build(fx->tif, NULL, NULL, dg));
    assert_non_null(strstr(diag_message(dg), fx->ovr));
    assert_non_null(strstr(diag_message(dg), "already exists"));
    assert_int_equal(stat(fx->ovr, &st), 0);
    diag_free(dg);
}

static void cancelled_leaves_nothing(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    struct progress_log log = {.cancel_after = 1};
    assert_false(overview_build(fx->tif, record, &log, dg));
    assert_non_null(strstr(diag_message(dg), "cancelled"));
    assert_int_not_equal(access(fx->ovr, F_OK), 0);
    diag_free(dg);
}

static void errors_name_the_file(void **state)
{
    struct fixture *fx = *state;
    struct diag *dg = diag_new();
    char missing[200];
    snprintf(missing, sizeof missing, "%s/nothing-here.tif", fx->dir);
    assert_false(overview_build(missing, NULL, NULL, dg));
    assert_non_null(strstr(diag_message(dg), missing));
    diag_free(dg);
}

/* The check itself, as a user who cannot write fx->dir; returns what failed
 * (NULL: all as expected). */
static const char *check_unwritable(const struct fixture *fx)
{
    struct diag *dg = diag_new();
    const char *wrong = NULL;
    if (overview_build(fx->tif, NULL, NULL, dg))
        wrong = "built overviews in a directory it cannot write";
    else if (!strstr(diag_message(dg), "directory not writable"))
        wrong = "the reason is not named";
    else if (!strstr(diag_message(dg), fx->dir))
        wrong = "the directory is not named";
    diag_free(dg);
    return wrong;
}

/* A directory that is not writable: refused, naming it. Root writes anywhere,
 * so as root the check runs in a child that gives the directory to nobody
 * (65534) and becomes nobody. */
static void unwritable_directory_named(void **state)
{
    struct fixture *fx = *state;
    if (geteuid() != 0) {
        assert_int_equal(chmod(fx->dir, 0555), 0);
        const char *wrong = check_unwritable(fx);
        chmod(fx->dir, 0700);
        if (wrong)
            fail_msg("%s", wrong);
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (chown(fx->dir, 65534, 65534) != 0 || chmod(fx->dir, 0555) != 0 ||
            setgid(65534) != 0 || setuid(65534) != 0)
            _exit(77); /* no way to become another user here */
        const char *wrong = check_unwritable(fx);
        if (wrong)
            fprintf(stderr, "as nobody: %s\n", wrong);
        _exit(wrong ? 1 : 0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        SKIP_BECAUSE("running as root and cannot become another user to test an unwritable "
                     "directory");
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(factor_ladder),
        cmocka_unit_test_setup_teardown(builds_external_overviews, setup, teardown),
        cmocka_unit_test_setup_teardown(cancelled_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_name_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(unwritable_directory_named, setup, teardown),
    };
    return SKIP77_EXIT(cmocka_run_group_tests(tests, NULL, NULL));
}
