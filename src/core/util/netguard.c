/*
 * netguard — see netguard.h. Invariant: after netguard_register without
 * allow_remote, no prefix GDAL knows that can reach the network is served by
 * GDAL's own handler (checked again by enumerating the prefixes: a prefix
 * that GDAL says is not local, or whose name says network, is refused).
 */
#define _GNU_SOURCE /* RTLD_DEFAULT, in sanitizer builds */
#include "netguard.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <cpl_http.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include "gdalguard.h"

/* GDAL drops a file system it replaces without deleting it (3.6 has no way
 * to remove one), so LeakSanitizer would report the network file systems
 * replaced below. In sanitizer builds only, each is looked up (GDAL's C++
 * VSIFileManager::GetHandler, which has no C name) and marked as not a leak;
 * nothing else is excluded from leak checking. */
#ifdef __SANITIZE_ADDRESS__
#include <dlfcn.h>
#include <sanitizer/lsan_interface.h>
static void not_a_leak(const char *prefix)
{
    void *(*get_handler)(const char *);
    *(void **)&get_handler = dlsym(RTLD_DEFAULT, "_ZN14VSIFileManager10GetHandlerEPKc");
    void *old = get_handler ? get_handler(prefix) : NULL;
    if (old)
        __lsan_ignore_object(old);
}
#else
static void not_a_leak(const char *prefix)
{
    (void)prefix;
}
#endif

static atomic_bool remote_allowed;
/* The refusing file systems' callbacks: GDAL keeps pointers to them, so they
 * stay reachable from here for the life of the process. */
#define MAX_REFUSED_PREFIXES 64
static VSIFilesystemPluginCallbacksStruct *refusing[MAX_REFUSED_PREFIXES];
static size_t nrefusing;
static bool registered;
static _Thread_local char refused[512];

static const char *const network_markers[] = {
    "curl", "s3", "/vsigs", "/vsiaz", "adls", "oss", "swift", "hdfs", "http",
    "_streaming", "/vsistdin", NULL,
};

static bool is_network_prefix(const char *prefix)
{
    for (int i = 0; network_markers[i]; i++)
        if (strstr(prefix, network_markers[i]))
            return true;
    char probe[256];
    snprintf(probe, sizeof probe, "%sx/y", prefix);
    return !VSIIsLocal(probe);
}

/* prefix: the handler's (its pUserData), or NULL for a URL. */
static void note_refused(const void *prefix, const char *name)
{
    char full[512];
    snprintf(full, sizeof full, "%s%s", prefix ? (const char *)prefix : "", name);
    gdalguard_sanitize(refused, sizeof refused, full);
}

static int refuse_stat(void *user, const char *name, VSIStatBufL *st, int flags)
{
    (void)st, (void)flags;
    note_refused(user, name);
    return -1;
}

static void *refuse_open(void *user, const char *name, const char *access)
{
    (void)access;
    note_refused(user, name);
    CPLError(CE_Failure, CPLE_AppDefined,
             "'%s' is not a local file and remote access is off (use --allow-remote); "
             "nothing was requested",
             refused);
    return NULL;
}

static char **refuse_read_dir(void *user, const char *name, int max)
{
    (void)max;
    note_refused(user, name);
    return NULL;
}

static int refuse_name(void *user, const char *name)
{
    note_refused(user, name);
    return -1;
}

static int refuse_rename(void *user, const char *from, const char *to)
{
    (void)to;
    note_refused(user, from);
    return -1;
}

static int refuse_mkdir(void *user, const char *name, long mode)
{
    (void)mode;
    note_refused(user, name);
    return -1;
}

static CPLHTTPResult *refuse_http(const char *url, CSLConstList options,
                                  GDALProgressFunc progress, void *progress_arg,
                                  CPLHTTPFetchWriteFunc write, void *write_arg, void *user)
{
    (void)options, (void)progress, (void)progress_arg, (void)write, (void)write_arg,
        (void)user;
    note_refused(NULL, url ? url : "");
    CPLHTTPResult *res = CPLCalloc(1, sizeof *res);
    res->nStatus = 1;
    res->pszErrBuf = CPLStrdup("remote access is off (use --allow-remote); nothing was requested");
    CPLError(CE_Failure, CPLE_AppDefined,
             "'%s': remote access is off (use --allow-remote); nothing was requested", refused);
    return res;
}

static bool kept(const char *name, const char *const *keep)
{
    for (int i = 0; keep[i]; i++)
        if (strcmp(keep[i], name) == 0)
            return true;
    return false;
}

void netguard_register(const char *const *keep, bool allow_remote)
{
    if (registered)
        return;
    registered = true;
    GDALAllRegister();
    for (int i = GDALGetDriverCount() - 1; i >= 0; i--) {
        GDALDriverH drv = GDALGetDriver(i);
        if (drv && !kept(GDALGetDriverShortName(drv), keep)) {
            GDALDeregisterDriver(drv);
            GDALDestroyDriver(drv);
        }
    }
    atomic_store(&remote_allowed, allow_remote);
    if (allow_remote)
        return;
    CPLHTTPSetFetchCallback(refuse_http, NULL);
    /* GDAL 3.6 keeps pointers to the callbacks and to the prefix string:
     * both live as long as the process (reachable from statics here). One
     * set of callbacks per prefix, whose pUserData is the prefix (for
     * messages). */
    static char **prefixes;
    prefixes = VSIGetFileSystemsPrefixes();
    for (int i = 0; prefixes && prefixes[i]; i++) {
        if (!is_network_prefix(prefixes[i]))
            continue;
        if (nrefusing == MAX_REFUSED_PREFIXES)
            abort(); /* cannot leave a network file system in place */
        VSIFilesystemPluginCallbacksStruct *cb = VSIAllocFilesystemPluginCallbacksStruct();
        if (!cb)
            abort(); /* cannot leave a network file system in place */
        cb->pUserData = prefixes[i];
        cb->stat = refuse_stat;
        cb->open = refuse_open;
        cb->read_dir = refuse_read_dir;
        cb->unlink = refuse_name;
        cb->rmdir = refuse_name;
        cb->rename = refuse_rename;
        cb->mkdir = refuse_mkdir;
        refusing[nrefusing++] = cb;
        not_a_leak(prefixes[i]);
        VSIInstallPluginHandler(prefixes[i], cb);
    }
}

bool netguard_remote_allowed(void)
{
    return atomic_load(&remote_allowed);
}

const char *netguard_last_refused(void)
{
    return refused;
}

void netguard_clear_refused(void)
{
    refused[0] = '\0';
}
