/*
 * gdalguard — see gdalguard.h. The error handler finds its guard through
 * CPLGetErrorHandlerUserData, so concurrent guards on different threads
 * never see each other's messages.
 */
#include "gdalguard.h"

#include <stdio.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>

void gdalguard_sanitize(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    dst[i] = '\0';
}

/* True when clean repeats a warning already seen: one is the other's tail. */
static bool seen_before(const struct gdalguard *g, const char *clean)
{
    int kept = g->warnings < GDALGUARD_MAX_WARNINGS ? g->warnings : GDALGUARD_MAX_WARNINGS;
    size_t len = strlen(clean);
    for (int i = 0; i < kept; i++) {
        size_t sl = strlen(g->seen[i]);
        const char *longer = len > sl ? clean : g->seen[i];
        const char *shorter = len > sl ? g->seen[i] : clean;
        size_t ll = len > sl ? len : sl, ls = len > sl ? sl : len;
        if (ls > 0 && strcmp(longer + (ll - ls), shorter) == 0)
            return true;
    }
    return false;
}

static void CPL_STDCALL capture(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    struct gdalguard *g = CPLGetErrorHandlerUserData();
    if (!g || cls == CE_Debug || cls == CE_None)
        return;
    char clean[512];
    gdalguard_sanitize(clean, sizeof clean, msg ? msg : "");
    if (cls == CE_Warning) {
        if (seen_before(g, clean))
            return;
        if (g->warnings < GDALGUARD_MAX_WARNINGS) {
            snprintf(g->seen[g->warnings], sizeof g->seen[0], "%s", clean);
            diag_warn(g->dg, "%s: GDAL: %s", g->path, clean);
        }
        g->warnings++;
        return;
    }
    if (g->errors++ == 0)
        snprintf(g->first_error, sizeof g->first_error, "%s", clean);
}

/* A copy of a thread-local option (CPLFree), or NULL when unset. */
static char *dup_config(const char *key)
{
    const char *v = CPLGetThreadLocalConfigOption(key, NULL);
    return v ? CPLStrdup(v) : NULL;
}

void gdalguard_begin(struct gdalguard *g, const char *path, bool allow_remote,
                     struct diag *dg)
{
    memset(g, 0, sizeof *g);
    g->path = path;
    g->dg = dg;
    g->saved_readdir = dup_config("GDAL_DISABLE_READDIR_ON_OPEN");
    g->saved_curl = dup_config("CPL_VSIL_CURL_ALLOWED_FILENAME");
    /* Sidecar files (.tfw, .aux.xml, .ovr) are still found by stat; listing a
     * huge directory on every open is what this avoids. */
    CPLSetThreadLocalConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "TRUE");
    if (!allow_remote)
        CPLSetThreadLocalConfigOption("CPL_VSIL_CURL_ALLOWED_FILENAME",
                                      "satmark-remote-access-is-off");
    CPLPushErrorHandlerEx(capture, g);
}

void gdalguard_end(struct gdalguard *g)
{
    CPLPopErrorHandler();
    CPLSetThreadLocalConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", g->saved_readdir);
    CPLSetThreadLocalConfigOption("CPL_VSIL_CURL_ALLOWED_FILENAME", g->saved_curl);
    CPLFree(g->saved_readdir);
    CPLFree(g->saved_curl);
    g->saved_readdir = g->saved_curl = NULL;
}

const char *gdalguard_reason(const struct gdalguard *g, const char *fallback)
{
    return g->first_error[0] ? g->first_error : fallback;
}
