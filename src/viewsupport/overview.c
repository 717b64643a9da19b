/*
 * overview — see overview.h. GDAL builds the overviews of a dataset opened
 * read-only into an external PATH.ovr (GeoTIFF); the options (compression,
 * interleave, BigTIFF) are set thread-locally for the duration of the call,
 * and GDAL's errors are caught by a gdalguard (gdalguard.h: a thread-local
 * handler, warnings not reported), so other threads reading with GDAL at the
 * same time are not affected.
 */
#include "overview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <gdal.h>

#include "gdalguard.h"
#include "raster.h"

int overview_factors(int width, int height, int *factors, int max)
{
    int n = 0;
    long side = width > height ? width : height;
    for (long f = 2; side > OVERVIEW_MIN_SIDE && n < max && n < OVERVIEW_MAX_LEVELS; f *= 2) {
        factors[n++] = (int)f;
        if ((side + f - 1) / f <= OVERVIEW_MIN_SIDE)
            break;
    }
    return n;
}

char *overview_path_for(const char *path)
{
    size_t n = strlen(path);
    char *ovr = malloc(n + 5);
    if (ovr)
        snprintf(ovr, n + 5, "%s.ovr", path);
    return ovr;
}

struct progress_ctx {
    overview_progress_fn fn;
    void *arg;
    bool cancelled;
};

static int CPL_STDCALL gdal_progress(double fraction, const char *msg, void *arg)
{
    (void)msg;
    struct progress_ctx *ctx = arg;
    if (ctx->fn && !ctx->fn(fraction < 0 ? 0 : fraction > 1 ? 1 : fraction, ctx->arg)) {
        ctx->cancelled = true;
        return FALSE;
    }
    return TRUE;
}

/* The directory part of path ("." when none); new, free with free(). */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

static const char *const thread_options[][2] = {
    {"COMPRESS_OVERVIEW", "DEFLATE"},
    {"INTERLEAVE_OVERVIEW", "PIXEL"},
    {"BIGTIFF_OVERVIEW", "IF_SAFER"},
};
#define NOPTIONS (sizeof thread_options / sizeof thread_options[0])

bool overview_build(const char *path, overview_progress_fn progress, void *arg,
                    struct diag *dg)
{
    if (raster_path_is_remote(path)) {
        diag_error(dg, "%s: overviews are built only for local files", path);
        return false;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_error(dg, "%s: %s", path, strerror(errno));
        return false;
    }
    char *ovr = overview_path_for(path);
    char *dir = directory_of(path);
    if (!ovr || !dir) {
        free(ovr);
        free(dir);
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    bool ok = false;
    if (access(dir, W_OK) != 0) {
        diag_error(dg, "%s: directory not writable (%s): cannot write %s", dir, strerror(errno),
                   ovr);
        goto done;
    }
    if (access(ovr, F_OK) == 0) {
        diag_error(dg, "%s: already exists but GDAL does not use it as overviews of %s; move it "
                       "aside to build new ones",
                   ovr, path);
        goto done;
    }
    raster_init();
    struct gdalguard call; /* no diag: GDAL's warnings are not the user's concern here */
    gdalguard_begin(&call, path, false, NULL);
    for (size_t i = 0; i < NOPTIONS; i++)
        CPLSetThreadLocalConfigOption(thread_options[i][0], thread_options[i][1]);
    /* Read-only: GDAL writes PATH.ovr and leaves the image alone. */
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    struct progress_ctx ctx = {progress, arg, false};
    bool created = false;
    if (!ds) {
        diag_error(dg, "%s: cannot open: %s", path, gdalguard_reason(&call, "unknown format"));
    } else {
        int factors[OVERVIEW_MAX_LEVELS];
        int n = overview_factors(GDALGetRasterXSize(ds), GDALGetRasterYSize(ds), factors,
                                 OVERVIEW_MAX_LEVELS);
        if (n == 0) {
            diag_error(dg, "%s: %dx%d pixels: too small to need overviews", path,
                       GDALGetRasterXSize(ds), GDALGetRasterYSize(ds));
        } else {
            CPLErr err = GDALBuildOverviews(ds, "AVERAGE", n, factors, 0, NULL, gdal_progress,
                                            &ctx);
            created = access(ovr, F_OK) == 0;
            if (ctx.cancelled)
                diag_error(dg, "%s: building overviews cancelled", ovr);
            else if (err != CE_None)
                diag_error(dg, "%s: cannot build overviews: %s", ovr,
                           gdalguard_reason(&call, "GDAL failed"));
            else
                ok = true;
        }
        GDALClose(ds);
        if (ok && call.errors) {
            /* Closing flushes the file: a failure there is a failure too. */
            diag_error(dg, "%s: cannot write overviews: %s", ovr, call.first_error);
            ok = false;
        }
    }
    for (size_t i = 0; i < NOPTIONS; i++)
        CPLSetThreadLocalConfigOption(thread_options[i][0], NULL);
    gdalguard_end(&call);
    if (!ok && created) {
        /* Never leave half-built overviews for GDAL to pick up. */
        unlink(ovr);
    }
done:
    free(ovr);
    free(dir);
    return ok;
}
