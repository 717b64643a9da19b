/*
 * raster_open — opening and closing a raster handle (see raster.h; the
 * handle's layout is in raster_int.h).
 *
 * How it stays safe on hostile files:
 *   - GDALOpenEx only with an allow-list of drivers; netguard keeps only the
 *     drivers satmark reads or writes registered, and remote paths are
 *     refused unless asked (also the sources a VRT points to, however deeply
 *     nested, checked from the XML before any pixel is requested), inline XML
 *     refused; a FIFO or device is refused before GDAL probes it.
 *   - Every GDAL call runs inside a gdalguard: a thread-local error handler
 *     that copies GDAL's messages to the caller's diag naming the file, and
 *     thread-local config options (no directory listing on open; /vsicurl/
 *     restricted when remote access is off).
 *   - An image located only by RPCs or GCPs, or stored in degrees, is seen
 *     through a north-up warped view (georef.h); r->source_ds then keeps the
 *     file itself and is closed after the view that borrows it.
 * Invariant: a handle returned by raster_open is fully described
 * (raster_describe succeeded); any failure closes it and returns NULL.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "raster_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "gdalguard.h"
#include "georef.h"
#include "netguard.h"
#include "rfile.h"
#include "settings.h"

static const char *const allowed_driver_list[] = {
    "GTiff", "JP2OpenJPEG", "PNG", "JPEG", "GIF", "WEBP", "BMP", "VRT", "ENVI", "EHdr",
    "netCDF", "HDF5", "HDF5Image", "HDF4", "HDF4Image", "GPKG", "NITF", NULL,
};

static const char allowed_driver_text[] =
    "GTiff (incl. COG), JP2OpenJPEG, PNG, JPEG, GIF, WEBP, BMP (with world files), VRT, ENVI, "
    "EHdr, netCDF, HDF5, HDF4, GPKG, NITF";

/* Drivers that stay registered (netguard): the readable formats plus what
 * satmark writes with (MEM scratch, FlatGeobuf export). Nothing that talks to
 * a network. */
static const char *const registered_driver_list[] = {
    "GTiff", "JP2OpenJPEG", "PNG", "JPEG", "GIF", "WEBP", "BMP", "VRT", "ENVI", "EHdr",
    "netCDF", "HDF5", "HDF5Image", "HDF4", "HDF4Image", "GPKG", "NITF", "MEM", "FlatGeobuf",
    NULL,
};

static pthread_once_t gdal_registered = PTHREAD_ONCE_INIT;
static atomic_bool remote_requested; /* set before the first registration */

static void register_gdal(void)
{
    netguard_register(registered_driver_list, atomic_load(&remote_requested));
}

void raster_init(void)
{
    pthread_once(&gdal_registered, register_gdal);
}

bool raster_init_remote(bool allow_remote)
{
    if (allow_remote)
        atomic_store(&remote_requested, true);
    pthread_once(&gdal_registered, register_gdal);
    return netguard_remote_allowed();
}


/* ---- paths ------------------------------------------------------------------ */

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

bool raster_path_is_remote(const char *path)
{
    /* URL schemes rather than any "://": HDF5 subdataset names contain
     * '"://' for a local file. */
    static const char *const markers[] = {
        "http://", "https://", "ftp://", "ftps://", "s3://", "gs://", "az://",
        "/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss",
        "/vsiswift", "/vsiwebhdfs", "/vsihdfs", "/vsihttp", NULL,
    };
    for (int i = 0; markers[i]; i++)
        if (contains_nocase(path, markers[i]))
            return true;
    return false;
}

bool raster_path_is_local(const char *path)
{
    return !raster_path_is_remote(path) && strncmp(path, "/vsi", 4) != 0;
}

const char *raster_hashed_file(const char *name, char *out, size_t cap)
{
    /* DRIVER:"path":rest or DRIVER:path:rest, for the drivers whose
     * subdatasets satmark opens; anything else is a file name. */
    static const char *const prefixes[] = {"NETCDF:", "HDF5:", "HDF4_SDS:", "HDF4_EOS:",
                                           "HDF4_GR:", "NITF_IM:", "GTIFF_DIR:", "GPKG:", NULL};
    size_t k = 0;
    for (int i = 0; prefixes[i] && !k; i++)
        if (strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            k = strlen(prefixes[i]);
    const char *start = name + k, *end = NULL;
    if (k && strncasecmp(name, "GTIFF_DIR:", 10) == 0) {
        /* GTIFF_DIR:N:path */
        const char *colon = strchr(start, ':');
        start = colon ? colon + 1 : start;
        end = start + strlen(start);
    } else if (k && *start == '"') {
        start++;
        end = strchr(start, '"');
    } else if (k) {
        end = strchr(start, ':');
    }
    if (!k || !end || end == start || (size_t)(end - start) >= cap) {
        snprintf(out, cap, "%s", name);
        return out;
    }
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return out;
}

const char *raster_allowed_drivers(void)
{
    return allowed_driver_text;
}

void raster_open_options_init(struct raster_open_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->resampling = RASTER_RESAMPLE_NEAREST;
}

/* ---- open ------------------------------------------------------------------- */

static GDALDatasetH open_allowed(const char *name)
{
    return GDALOpenEx(name, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                      allowed_driver_list, NULL, NULL);
}

static bool driver_allowed(const char *short_name)
{
    for (int i = 0; allowed_driver_list[i]; i++)
        if (strcmp(allowed_driver_list[i], short_name) == 0)
            return true;
    return false;
}

/* Explains why GDALOpenEx failed on path: missing file, format not on the
 * allow-list, or GDAL's own reason. */
static void explain_open_failure(const char *path, const struct gdalguard *call,
                                 struct diag *dg)
{
    struct stat st;
    bool plain = strncmp(path, "/vsi", 4) != 0 && !strchr(path, ':');
    errno = 0;
    if (plain && stat(path, &st) != 0) {
        diag_error(dg, "%s: %s", path, strerror(errno ? errno : ENOENT));
        return;
    }
    if (plain && S_ISDIR(st.st_mode)) {
        diag_error(dg, "%s: is a directory, not a raster file", path);
        return;
    }
    if (plain && st.st_size == 0) {
        diag_error(dg, "%s: empty file (0 bytes), not a raster", path);
        return;
    }
    if (call->first_error[0]) {
        diag_error(dg, "%s: cannot open raster: %s", path, call->first_error);
        return;
    }
    GDALDriverH other = plain ? GDALIdentifyDriver(path, NULL) : NULL;
    if (other && !driver_allowed(GDALGetDriverShortName(other))) {
        diag_error(dg, "%s: format %s is not one satmark reads (allowed: %s)", path,
                   GDALGetDriverShortName(other), allowed_driver_text);
        return;
    }
    diag_error(dg, "%s: not a supported raster format (allowed: %s)", path, allowed_driver_text);
}

/* Refuses VRTs (and other multi-file formats) whose parts are remote when
 * remote access is off, or missing, before any pixel is read. */
static bool check_file_list(struct raster *r, struct diag *dg)
{
    char **files = GDALGetFileList(r->ds);
    bool ok = true;
    for (int i = 0; ok && files && files[i]; i++) {
        char clean[512];
        gdalguard_sanitize(clean, sizeof clean, files[i]);
        struct stat st;
        bool plain = raster_path_is_local(files[i]);
        if (!r->allow_remote && raster_path_is_remote(files[i])) {
            diag_error(dg, "%s: refers to the remote file '%s' and remote access is off "
                           "(use --allow-remote)", r->path, clean);
            ok = false;
        } else if (plain && stat(files[i], &st) != 0) {
            diag_error(dg, "%s: refers to the missing file '%s'", r->path, clean);
            ok = false;
        }
    }
    CSLDestroy(files);
    return ok;
}

#define MAX_NESTED_VRT_BYTES (16L * 1024 * 1024) /* a nested VRT is parsed to check its sources */

/* Driver prefixes of "PREFIX:..." names (subdatasets) of the drivers satmark
 * keeps; any other "NAME:..." is another driver's syntax (WMTS:, WMS:, ...). */
static bool subdataset_prefix_allowed(const char *name)
{
    static const char *const prefixes[] = {
        "HDF5:", "HDF4_SDS:", "HDF4_EOS:", "HDF4_GR:", "NETCDF:", "NITF_IM:", "GTIFF_DIR:",
        "GPKG:", NULL,
    };
    for (int i = 0; prefixes[i]; i++)
        if (strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

static bool check_vrt_tree(struct raster *r, const CPLXMLNode *node, const char *vrt_path,
                           int depth, int xml_depth, struct diag *dg);

/* True when the regular file at path starts like a VRT (so it is parsed to
 * check its own sources: a VRT in a VRT). */
static bool looks_like_vrt(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char head[64] = "";
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    const char *p = head;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return strncmp(p, "<VRTDataset", 11) == 0;
}

/* Checks one source file name the VRT at vrt_path refers to (relative to
 * that VRT's folder when relative): remote names are refused unless
 * allowed, local ones must be regular files in a format satmark reads, and
 * a VRT is checked in turn, so a remote or foreign source is found however
 * deep it is nested, before anything is opened or requested. */
static bool check_vrt_source(struct raster *r, const char *name, bool relative,
                             const char *vrt_path, int depth, struct diag *dg)
{
    char clean[512];
    gdalguard_sanitize(clean, sizeof clean, name);
    if (raster_path_is_remote(name)) {
        if (r->allow_remote)
            return true;
        diag_error(dg, "%s: VRT refers to the remote file '%s' and remote access is off "
                       "(use --allow-remote); nothing was requested", r->path, clean);
        return false;
    }
    if (strncmp(name, "/vsi", 4) == 0)
        return true; /* archives, /vsimem/: their network forms are refused by netguard */
    if (strchr(name, ':')) {
        if (subdataset_prefix_allowed(name))
            return true;
        diag_error(dg, "%s: VRT refers to '%s', which is not a file in a format satmark reads "
                       "(allowed: %s)", r->path, clean, allowed_driver_text);
        return false;
    }
    char *full = relative ? CPLStrdup(CPLFormFilename(CPLGetPath(vrt_path), name, NULL))
                          : CPLStrdup(name);
    struct stat st;
    bool ok = stat(full, &st) == 0;
    if (!ok) {
        diag_error(dg, "%s: VRT refers to the missing file '%s'", r->path, clean);
    } else if (!S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: VRT refers to '%s', which is not a regular file", r->path, clean);
        ok = false;
    } else if (looks_like_vrt(full)) {
        CPLXMLNode *tree = NULL;
        if (depth >= 8) {
            diag_error(dg, "%s: VRTs nested more than 8 deep (at '%s')", r->path, clean);
            ok = false;
        } else if (st.st_size > MAX_NESTED_VRT_BYTES || !(tree = CPLParseXMLFile(full))) {
            diag_error(dg, "%s: VRT refers to the VRT '%s', which cannot be read", r->path,
                       clean);
            ok = false;
        } else {
            ok = check_vrt_tree(r, tree, full, depth + 1, 0, dg);
        }
        CPLDestroyXMLNode(tree);
    } else {
        GDALDriverH drv = GDALIdentifyDriver(full, NULL);
        if (!drv || !driver_allowed(GDALGetDriverShortName(drv))) {
            diag_error(dg, "%s: VRT refers to '%s', which is not in a format satmark reads "
                           "(allowed: %s)", r->path, clean, allowed_driver_text);
            ok = false;
        }
    }
    CPLFree(full);
    return ok;
}

/* depth: VRTs nested so far; xml_depth: elements nested within this VRT. */
static bool check_vrt_tree(struct raster *r, const CPLXMLNode *node, const char *vrt_path,
                           int depth, int xml_depth, struct diag *dg)
{
    for (; node; node = node->psNext) {
        if (node->eType != CXT_Element)
            continue;
        if (strcasecmp(node->pszValue, "SourceFilename") == 0) {
            const char *name = CPLGetXMLValue(node, NULL, "");
            bool relative = CPLTestBool(CPLGetXMLValue(node, "relativeToVRT", "0"));
            if (*name && !check_vrt_source(r, name, relative, vrt_path, depth, dg))
                return false;
        } else if (xml_depth < 64 &&
                   !check_vrt_tree(r, node->psChild, vrt_path, depth, xml_depth + 1, dg)) {
            return false;
        }
    }
    return true;
}

/* A VRT opens even when its sources are missing or remote; GDAL would only
 * say so when pixels are read. Check them now, from the VRT's own XML. */
static bool check_vrt_sources(struct raster *r, struct diag *dg)
{
    GDALDriverH drv = GDALGetDatasetDriver(file_ds(r));
    if (!drv || strcmp(GDALGetDriverShortName(drv), "VRT") != 0)
        return true;
    char **xml = GDALGetMetadata(r->ds, "xml:VRT");
    if (!xml || !xml[0])
        return true;
    CPLXMLNode *tree = CPLParseXMLString(xml[0]);
    if (!tree)
        return true;
    bool ok = check_vrt_tree(r, tree, r->path, 0, 0, dg);
    CPLDestroyXMLNode(tree);
    return ok;
}

static int subdataset_count(GDALDatasetH ds)
{
    char **md = GDALGetMetadata(ds, "SUBDATASETS");
    int n = 0;
    for (int i = 0; md && md[i]; i++)
        if (strstr(md[i], "_NAME="))
            n++;
    return n;
}

/* Name of the 1-based subdataset idx; borrowed from ds's metadata. */
/* From the SUBDATASETS list, not GDALGetMetadataItem: the netCDF driver
 * overrides only GetMetadata for that domain, so the item lookup finds
 * nothing there ("subdataset 1 has no name"). */
static const char *subdataset_name(GDALDatasetH ds, int idx)
{
    char key[64];
    snprintf(key, sizeof key, "SUBDATASET_%d_NAME", idx);
    return CSLFetchNameValue(GDALGetMetadata(ds, "SUBDATASETS"), key);
}

/* An image located only by RPCs or GCPs is seen through a north-up warped
 * view (georef.h), so that everything downstream has a geotransform. The
 * method is the caller's choice (opt->georef_method: "none" keeps pixel
 * space), else GEOREF_AUTO. When auto fails the image still opens, in pixel
 * space, with the reason as a warning; a method the user chose must work.
 * like (borrowed; NULL for a first handle): the first handle on the same
 * file, whose choice a second handle repeats. */
static bool view_through_transformer(struct raster *r, const struct raster_open_options *opt,
                                     const struct raster *like, struct diag *dg)
{
    double gt[6];
    if (GDALGetGeoTransform(r->ds, gt) == CE_None && gt[1] * gt[5] - gt[2] * gt[4] != 0.0) {
        if (opt->keep_degrees)
            return true;
        /* The first handle did not need a conformal view: neither does this
         * one, and it need not look at the CRS (GDAL builds a GeoTIFF's CRS
         * through PROJ's database on the first look: ~6% of the CPU of a
         * figure whose imagery is read by two threads). */
        if (like && !like->reprojected_from)
            return true;
        struct diag *why = diag_new();
        if (!why)
            return true;
        struct gdalguard call;
        gdalguard_begin(&call, r->path, r->allow_remote, NULL);
        OGRSpatialReferenceH srs = GDALGetSpatialRef(r->ds);
        char *from = raster_copy_clean(srs && OSRGetName(srs) ? OSRGetName(srs) : "degrees");
        GDALDatasetH view = georef_conformal_view(r->ds, r->path, why);
        gdalguard_end(&call);
        if (view) {
            r->source_ds = r->ds;
            r->ds = view;
            r->reprojected_from = from;
            from = NULL;
        } else if (diag_failed(why)) {
            raster_warn(r, dg, "%s: shown in degrees (square degree pixels stretch it east-west)",
                        diag_message(why));
        }
        free(from);
        diag_free(why);
        return true;
    }
    bool rpc = GDALGetMetadata(r->ds, "RPC") != NULL;
    if (!rpc && GDALGetGCPCount(r->ds) <= 0)
        return true;
    const char *want = opt->georef_method;
    if (want && strcmp(want, "none") == 0)
        return true;
    enum georef_method method = GEOREF_AUTO;
    if (want && *want && !georef_method_from_name(want, &method)) {
        diag_error(dg, "%s: unknown georeferencing method \"%s\" (auto, poly1, poly2, poly3, "
                       "tps, rpc, none)", r->path, want);
        return false;
    }
    struct diag *why = diag_new();
    if (!why) {
        diag_error(dg, "%s: out of memory", r->path);
        return false;
    }
    struct georef_fit fit;
    struct gdalguard call;
    gdalguard_begin(&call, r->path, r->allow_remote, NULL);
    GDALDatasetH warped = georef_warp(r->ds, r->path, method, opt->dem, &fit, why);
    gdalguard_end(&call);
    bool ok = true;
    if (!warped) {
        if (method == GEOREF_AUTO) {
            raster_warn(r, dg, "cannot georeference through its %s (%s): loads in pixel space",
                        rpc ? "RPCs" : "ground control points", diag_message(why));
        } else {
            diag_error(dg, "%s", diag_message(why));
            ok = false;
        }
    } else {
        r->source_ds = r->ds;
        r->ds = warped;
        r->info.gcp_count = fit.gcp_count;
        r->info.gcp_rms_m = fit.rms_m;
        r->info.gcp_max_m = fit.max_m;
        r->info.gcp_leave_one_out = fit.leave_one_out;
        if (!(r->georef_by = raster_copy_clean(georef_method_name(fit.method))))
            ok = false;
        if (ok && fit.method == GEOREF_RPC && !(opt->dem && *opt->dem))
            raster_warn(r, dg, "located through its RPCs without a DEM: every pixel is placed "
                               "at height 0, so hills and tall objects shift (give a DEM)");
    }
    diag_free(why);
    return ok;
}

/* like: as for view_through_transformer. */
static bool open_dataset(struct raster *r, const struct raster_open_options *opt,
                         const struct raster *like, struct diag *dg)
{
    /* A FIFO or device would block or stream forever inside GDAL's probe:
     * open (without blocking) and fstat the descriptor before GDAL sees it. */
    struct stat st;
    if (strncmp(r->path, "/vsi", 4) != 0 && !strchr(r->path, ':') && stat(r->path, &st) == 0 &&
        !rfile_check(r->path, true, dg))
        return false;
    struct gdalguard call;
    gdalguard_begin(&call, r->path, r->allow_remote, dg);
    netguard_clear_refused();
    r->ds = open_allowed(r->path);
    if (!r->ds && netguard_last_refused()[0]) {
        diag_error(dg, "%s: refers to '%s', which is not a local file, and remote access is "
                       "off (use --allow-remote); nothing was requested",
                   r->path, netguard_last_refused());
        gdalguard_end(&call);
        return false;
    }
    if (!r->ds) {
        explain_open_failure(r->path, &call, dg);
        gdalguard_end(&call);
        return false;
    }
    int nsub = subdataset_count(r->ds);
    int want = opt->subdataset;
    /* Kept for info: the names a user passes to open one of them. */
    for (int i = 1; i <= nsub && nsub > 1; i++) {
        char key[64], clean[MAX_FILE_STRING];
        const char *name = subdataset_name(r->ds, i);
        snprintf(key, sizeof key, "SUBDATASET_%d_DESC", i);
        const char *desc = CSLFetchNameValue(GDALGetMetadata(r->ds, "SUBDATASETS"), key);
        gdalguard_sanitize(clean, sizeof clean, name ? name : "");
        r->sub_names = CSLAddString(r->sub_names, clean);
        gdalguard_sanitize(clean, sizeof clean, desc ? desc : "");
        r->sub_descs = CSLAddString(r->sub_descs, clean);
    }
    if (want > nsub) {
        diag_error(dg, "%s: has %d subdataset(s), cannot open subdataset %d", r->path, nsub, want);
        gdalguard_end(&call);
        return false;
    }
    if (want == 0 && GDALGetRasterCount(r->ds) == 0 && nsub > 0) {
        want = 1;
        raster_warn(r, dg, "container without raster bands: showing subdataset 1 of %d", nsub);
    } else if (want == 0 && nsub > 1) {
        raster_warn(r, dg, "file has %d subdatasets (pages/variables): showing the first "
                           "image; choose another with the subdataset option", nsub);
    }
    if (want > 0) {
        const char *sub = subdataset_name(r->ds, want);
        char *name = sub ? CPLStrdup(sub) : NULL;
        GDALClose(r->ds);
        r->ds = NULL;
        if (!name) {
            diag_error(dg, "%s: subdataset %d has no name", r->path, want);
            gdalguard_end(&call);
            return false;
        }
        if (!r->allow_remote && raster_path_is_remote(name)) {
            diag_error(dg, "%s: subdataset %d is remote and remote access is off", r->path, want);
        } else {
            r->ds = open_allowed(name);
            if (!r->ds)
                diag_error(dg, "%s: cannot open subdataset %d: %s", r->path, want,
                           gdalguard_reason(&call, "not a supported raster"));
        }
        CPLFree(name);
        if (!r->ds) {
            gdalguard_end(&call);
            return false;
        }
    }
    /* Errors GDAL reported while the open still succeeded are worth knowing. */
    if (call.errors)
        raster_warn(r, dg, "GDAL reported while opening: %s", call.first_error);
    gdalguard_end(&call);
    if (GDALGetRasterCount(r->ds) <= 0) {
        diag_error(dg, "%s: has no raster bands", r->path);
        return false;
    }
    if (GDALGetRasterXSize(r->ds) <= 0 || GDALGetRasterYSize(r->ds) <= 0) {
        diag_error(dg, "%s: has an empty pixel grid (%d x %d)", r->path,
                   GDALGetRasterXSize(r->ds), GDALGetRasterYSize(r->ds));
        return false;
    }
    if (!check_file_list(r, dg) || !check_vrt_sources(r, dg))
        return false;
    if (netguard_last_refused()[0]) {
        diag_error(dg, "%s: refers to '%s', which is not a local file, and remote access is "
                       "off (use --allow-remote); nothing was requested",
                   r->path, netguard_last_refused());
        return false;
    }
    return view_through_transformer(r, opt, like, dg);
}

/* ---- open / close ------------------------------------------------------------ */

/* raster_open, or with `like` set, a second handle on like's file that takes
 * its georeferencing and provenance from like (warnings are not repeated). */
static struct raster *open_handle(const char *path, const struct raster_open_options *opt,
                                  const struct raster *like, struct diag *dg)
{
    struct raster_open_options defaults;
    if (!opt) {
        raster_open_options_init(&defaults);
        opt = &defaults;
    }
    if (!path || !*path) {
        diag_error(dg, "(empty path): no file given");
        return NULL;
    }
    if (path[0] == '<') {
        diag_error(dg, "%.40s...: inline XML is not a file name", path);
        return NULL;
    }
    if (!opt->allow_remote && raster_path_is_remote(path)) {
        diag_error(dg, "%s: remote access is off; pass --allow-remote (allow_remote) to read "
                       "network paths", path);
        return NULL;
    }
    if (opt->allow_remote)
        atomic_store(&remote_requested, true);
    pthread_once(&gdal_registered, register_gdal);
    if (opt->allow_remote && !netguard_remote_allowed()) {
        diag_error(dg, "%s: remote access was turned off for this process when its first "
                       "image was opened; it cannot be allowed now", path);
        return NULL;
    }

    struct raster *r = calloc(1, sizeof *r);
    if (!r || !(r->path = malloc(strlen(path) + 1))) {
        diag_error(dg, "%s: out of memory", path);
        free(r);
        return NULL;
    }
    strcpy(r->path, path);
    r->opt = *opt;
    r->allow_remote = opt->allow_remote;
    r->resampling = opt->resampling;
    r->info.path = r->path;
    r->force_slow_path = settings_get()->raster_slow_path;
    if (!open_dataset(r, opt, like, dg)) {
        raster_close(r);
        return NULL;
    }
    if (!raster_describe(r, opt, like, dg)) {
        raster_close(r);
        return NULL;
    }
    return r;
}

struct raster *raster_open(const char *path, const struct raster_open_options *opt,
                           struct diag *dg)
{
    return open_handle(path, opt, NULL, dg);
}

struct raster *raster_open_sibling(const struct raster *like, struct diag *dg)
{
    /* warnings of the first open are not repeated: a scratch diag takes them */
    struct diag *quiet = diag_new();
    if (!quiet) {
        diag_error(dg, "%s: out of memory", like->path);
        return NULL;
    }
    struct raster *r = open_handle(like->path, &like->opt, like, quiet);
    if (!r)
        diag_error(dg, "%s", diag_message(quiet));
    diag_free(quiet);
    if (r && like->stretch_ready && !raster_set_stretch(r, &like->stretch, dg)) {
        raster_close(r);
        return NULL;
    }
    return r;
}

void raster_close(struct raster *r)
{
    if (!r)
        return;
    if (r->ds) {
        /* Closing can report (e.g. a failed .aux.xml write); keep it off stderr. */
        struct gdalguard call;
        gdalguard_begin(&call, r->path, r->allow_remote, NULL);
        GDALClose(r->ds);
        if (r->source_ds) /* after the warped view that borrows it */
            GDALClose(r->source_ds);
        gdalguard_end(&call);
    }
    for (size_t i = 0; i < r->warning_count; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r->bands);
    free(r->priv);
    free(r->overviews);
    free(r->driver);
    free(r->driver_long);
    free(r->crs_name);
    free(r->crs_wkt);
    free(r->acquired_source);
    free(r->credit);
    free(r->site);
    free(r->georef_by);
    free(r->reprojected_from);
    CSLDestroy(r->sub_names);
    CSLDestroy(r->sub_descs);
    free(r->palette);
    free(r->path);
    free(r);
}

