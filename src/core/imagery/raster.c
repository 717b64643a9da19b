/*
 * raster — open images with GDAL, describe them, read windows as RGBA8 (see raster.h).
 *
 * How it stays safe on hostile files:
 *   - GDALOpenEx only with an allow-list of drivers, remote paths refused
 *     unless asked (also the sources a VRT points to), inline XML refused.
 *   - Every GDAL call runs inside call_begin/call_end: a per-call error
 *     handler (CPLPushErrorHandlerEx, thread-local, never the global one)
 *     that copies GDAL's messages to the caller's diag naming the file, and
 *     thread-local config options (no directory listing on open; /vsicurl/
 *     restricted when remote access is off).
 *   - Reads go through GDALRasterIOEx into buffers sized by the *output*
 *     (processed in strips of bounded size), never by the image's declared
 *     width x height; GDAL picks the overview level.
 *   - Strings from the file (metadata, CRS names) are copied with control
 *     characters replaced and a length cap, so they are safe to print.
 * Invariants: r->info always points into storage owned by r; display bands
 * are valid 1-based band numbers; stretch high > low once computed.
 */
#include "raster.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "bandpick.h"
#include "gdalguard.h"
#include "georef.h"
#include "netguard.h"
#include "rfile.h"
#include "settings.h"

#define MAX_FILE_STRING 1024     /* cap on any string copied from the file */
#define STRIP_VALUES (1L << 20)  /* output pixels per strip read: bounds memory */
#define STRETCH_SAMPLE_SIDE 512  /* a small level is read decimated to at most this */
#define STRETCH_GRID 16          /* else this many windows per axis ... */
#define STRETCH_WINDOW 32        /* ... of this many pixels per side */
#define STRETCH_LOW_PCT 0.02
#define STRETCH_HIGH_PCT 0.98
#define AVERAGE_MAX_DECIMATION 8.0
#define MAX_BLOCK_BYTES (256.0 * 1024 * 1024) /* GDAL allocates a whole block to read it */ /* beyond this, "average" would read too much: nearest */

static const char *const allowed_driver_list[] = {
    "GTiff", "JP2OpenJPEG", "PNG", "JPEG", "GIF", "WEBP", "BMP", "VRT", "ENVI", "EHdr",
    "netCDF", "HDF5", "HDF5Image", "HDF4", "HDF4Image", "GPKG", "NITF", NULL,
};

static const char allowed_driver_text[] =
    "GTiff (incl. COG), JP2OpenJPEG, PNG, JPEG, GIF, WEBP, BMP (with world files), VRT, ENVI, "
    "EHdr, netCDF, HDF5, HDF4, GPKG, NITF";

enum display_mode { DISPLAY_GREY, DISPLAY_RGB, DISPLAY_PALETTE };

struct band_private {
    GDALDataType type;
    bool signed_byte; /* GDAL 3.6 exposes Int8 as Byte + PIXELTYPE=SIGNEDBYTE */
    bool complex;
};

struct raster {
    GDALDatasetH ds;        /* what pixels are read from: the file, or a warped view of it */
    GDALDatasetH source_ds; /* the file itself when ds is a warped view (GCP/RPC), else NULL */
    char *georef_by;        /* georef method name when ds is a warped view, else NULL */
    char *reprojected_from; /* the file's geographic CRS when ds is its UTM view, else NULL */
    char **sub_names, **sub_descs; /* the container's subdatasets (CSL lists), or NULL */
    char *path;
    bool allow_remote;
    struct raster_info info;
    struct raster_band_info *bands;
    struct band_private *priv;
    struct raster_size *overviews;
    char *driver, *driver_long, *crs_name, *crs_wkt, *acquired_source, *credit, *site;
    char **warnings;
    size_t warning_count;
    bool have_sha256;
    char sha256[HASH_SHA256_HEX_LEN + 1];
    enum raster_resampling resampling;
    enum display_mode mode;
    int disp[3];
    int alpha;
    bool use_mask; /* read GDAL's per-dataset mask of disp[0] */
    uint8_t *palette;  /* palette_count RGBA entries */
    int palette_count;
    bool stretch_ready;
    struct raster_stretch stretch;
    char block_problem[160]; /* non-empty: pixels are not read (absurd block size) */
    bool force_slow_path; /* SATMARK_RASTER_SLOW_PATH=1 at open: no Byte fast path (tests) */
    struct raster_open_options opt; /* as opened (for raster_open_sibling) */
};

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

/* ---- small helpers ---------------------------------------------------------- */

/* The dataset of the file itself: its metadata (dates, provenance, RPCs,
 * GCPs) is there, not on a warped view of it. */
static GDALDatasetH file_ds(const struct raster *r)
{
    return r->source_ds ? r->source_ds : r->ds;
}

static char *copy_clean(const char *s)
{
    char *c = malloc(MAX_FILE_STRING);
    if (!c)
        return NULL;
    gdalguard_sanitize(c, MAX_FILE_STRING, s ? s : "");
    char *shrunk = realloc(c, strlen(c) + 1);
    return shrunk ? shrunk : c;
}

static bool add_warning(struct raster *r, struct diag *dg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool add_warning(struct raster *r, struct diag *dg, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    diag_warn(dg, "%s: %s", r->path, text);
    char **grown = realloc(r->warnings, (r->warning_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    r->warnings = grown;
    if (!(r->warnings[r->warning_count] = copy_clean(text)))
        return false;
    r->warning_count++;
    r->info.warnings = (const char *const *)r->warnings;
    r->info.warning_count = r->warning_count;
    return true;
}

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
 * space, with the reason as a warning; a method the user chose must work. */
static bool view_through_transformer(struct raster *r, const struct raster_open_options *opt,
                                     struct diag *dg)
{
    double gt[6];
    if (GDALGetGeoTransform(r->ds, gt) == CE_None && gt[1] * gt[5] - gt[2] * gt[4] != 0.0) {
        if (opt->keep_degrees)
            return true;
        struct diag *why = diag_new();
        if (!why)
            return true;
        struct gdalguard call;
        gdalguard_begin(&call, r->path, r->allow_remote, NULL);
        OGRSpatialReferenceH srs = GDALGetSpatialRef(r->ds);
        char *from = copy_clean(srs && OSRGetName(srs) ? OSRGetName(srs) : "degrees");
        GDALDatasetH view = georef_conformal_view(r->ds, r->path, why);
        gdalguard_end(&call);
        if (view) {
            r->source_ds = r->ds;
            r->ds = view;
            r->reprojected_from = from;
            from = NULL;
        } else if (diag_failed(why)) {
            add_warning(r, dg, "%s: shown in degrees (square degree pixels stretch it east-west)",
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
            add_warning(r, dg, "cannot georeference through its %s (%s): loads in pixel space",
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
        if (!(r->georef_by = copy_clean(georef_method_name(fit.method))))
            ok = false;
        if (ok && fit.method == GEOREF_RPC && !(opt->dem && *opt->dem))
            add_warning(r, dg, "located through its RPCs without a DEM: every pixel is placed "
                               "at height 0, so hills and tall objects shift (give a DEM)");
    }
    diag_free(why);
    return ok;
}

static bool open_dataset(struct raster *r, const struct raster_open_options *opt,
                         struct diag *dg)
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
        add_warning(r, dg, "container without raster bands: showing subdataset 1 of %d", nsub);
    } else if (want == 0 && nsub > 1) {
        add_warning(r, dg, "file has %d subdatasets (pages/variables): showing the first "
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
        add_warning(r, dg, "GDAL reported while opening: %s", call.first_error);
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
    return view_through_transformer(r, opt, dg);
}

static void fill_bands(struct raster *r)
{
    int n = GDALGetRasterCount(r->ds);
    for (int i = 0; i < n; i++) {
        GDALRasterBandH b = GDALGetRasterBand(r->ds, i + 1);
        struct raster_band_info *bi = &r->bands[i];
        struct band_private *bp = &r->priv[i];
        bp->type = GDALGetRasterDataType(b);
        bp->complex = GDALDataTypeIsComplex(bp->type) != 0;
        const char *pixeltype = GDALGetMetadataItem(b, "PIXELTYPE", "IMAGE_STRUCTURE");
        bp->signed_byte = bp->type == GDT_Byte && pixeltype && strcmp(pixeltype, "SIGNEDBYTE") == 0;
        snprintf(bi->type_name, sizeof bi->type_name, "%s",
                 bp->signed_byte ? "Int8" : GDALGetDataTypeName(bp->type));
        snprintf(bi->color_interp, sizeof bi->color_interp, "%s",
                 GDALGetColorInterpretationName(GDALGetRasterColorInterpretation(b)));
        int has = 0;
        double nd = GDALGetRasterNoDataValue(b, &has);
        bi->has_nodata = has != 0;
        bi->nodata = has ? nd : 0.0;
        bi->has_palette = GDALGetRasterColorTable(b) != NULL;
        const char *nbits = GDALGetMetadataItem(b, "NBITS", "IMAGE_STRUCTURE");
        int bits = nbits ? atoi(nbits) : 0;
        bi->bits = bits > 0 && bits <= 64 ? bits : GDALGetDataTypeSizeBits(bp->type);
    }
}

/* A hostile file can declare one strip of gigabytes; GDAL would allocate it
 * whole on the first read. Such files are described but not read. */
/* The bytes GDAL allocates to decode one block of ds: a band's block, or for
 * a pixel-interleaved file (GTiff INTERLEAVE=PIXEL) the block of every band
 * at once, since the strip or tile holds them all (a 100000 x 1 strip of
 * 40960 Byte bands is 4 GB although each band's block is 100 KB). Sets
 * *band to the band named in a message. */
static double largest_block_bytes(GDALDatasetH ds, int *band, int *bx_out, int *by_out)
{
    int n = GDALGetRasterCount(ds);
    const char *il = GDALGetMetadataItem(ds, "INTERLEAVE", "IMAGE_STRUCTURE");
    bool together = il && strcasecmp(il, "PIXEL") == 0;
    double largest = 0.0, all = 0.0;
    for (int i = 1; i <= n; i++) {
        GDALRasterBandH b = GDALGetRasterBand(ds, i);
        int bx = 0, by = 0;
        GDALGetBlockSize(b, &bx, &by);
        double bytes = (double)bx * by * GDALGetDataTypeSizeBytes(GDALGetRasterDataType(b));
        all += bytes;
        if (bytes > largest || (together && i == 1)) {
            largest = bytes;
            *band = i;
            *bx_out = bx;
            *by_out = by;
        }
    }
    if (together && all > largest) {
        *band = 1;
        return all;
    }
    return largest;
}

static void check_block_sizes(struct raster *r)
{
    /* The file itself too when it is seen through a warped view: the view's
     * blocks are small, but reading them decodes the file's. */
    GDALDatasetH sets[2] = {r->ds, r->source_ds};
    for (int k = 0; k < 2; k++) {
        if (!sets[k])
            continue;
        int band = 1, bx = 0, by = 0;
        double bytes = largest_block_bytes(sets[k], &band, &bx, &by);
        if (bytes > MAX_BLOCK_BYTES) {
            int n = GDALGetRasterCount(sets[k]);
            const char *il = GDALGetMetadataItem(sets[k], "INTERLEAVE", "IMAGE_STRUCTURE");
            if (il && strcasecmp(il, "PIXEL") == 0 && n > 1)
                snprintf(r->block_problem, sizeof r->block_problem,
                         "its %d bands are stored together in blocks of %d x %d pixels "
                         "(%.0f MB each), above the %.0f MB satmark reads", n, bx, by,
                         bytes / 1048576.0, MAX_BLOCK_BYTES / 1048576.0);
            else
                snprintf(r->block_problem, sizeof r->block_problem,
                         "band %d is stored in blocks of %d x %d pixels (%.0f MB), above the "
                         "%.0f MB satmark reads", band, bx, by, bytes / 1048576.0,
                         MAX_BLOCK_BYTES / 1048576.0);
            return;
        }
    }
}

static bool fill_overviews(struct raster *r)
{
    GDALRasterBandH b = GDALGetRasterBand(r->ds, 1);
    int n = GDALGetOverviewCount(b);
    if (n <= 0)
        return true;
    r->overviews = calloc((size_t)n, sizeof *r->overviews);
    if (!r->overviews)
        return false;
    int kept = 0;
    for (int i = 0; i < n; i++) {
        GDALRasterBandH ov = GDALGetOverview(b, i);
        if (!ov)
            continue;
        r->overviews[kept].width = GDALGetRasterBandXSize(ov);
        r->overviews[kept].height = GDALGetRasterBandYSize(ov);
        kept++;
    }
    r->info.overview_count = kept;
    r->info.overviews = r->overviews;
    return true;
}

static bool crs_is_engineering(OGRSpatialReferenceH srs)
{
    return OSRIsLocal(srs) || (!OSRIsGeographic(srs) && !OSRIsProjected(srs) &&
                               !OSRIsCompound(srs) && !OSRIsGeocentric(srs));
}

static int crs_epsg(OGRSpatialReferenceH srs)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code && strcasecmp(auth, "EPSG") == 0)
        return atoi(code);
    /* Some files carry a full definition without the code: ask GDAL to
     * recognise it, on a clone (identification may modify the object). */
    OGRSpatialReferenceH clone = OSRClone(srs);
    int epsg = 0;
    if (clone && OSRAutoIdentifyEPSG(clone) == OGRERR_NONE) {
        auth = OSRGetAuthorityName(clone, NULL);
        code = OSRGetAuthorityCode(clone, NULL);
        if (auth && code && strcasecmp(auth, "EPSG") == 0)
            epsg = atoi(code);
    }
    OSRDestroySpatialReference(clone);
    return epsg;
}

static bool fill_georef(struct raster *r, struct diag *dg)
{
    struct raster_info *in = &r->info;
    double gt[6];
    in->has_geotransform = GDALGetGeoTransform(r->ds, gt) == CE_None;
    if (in->has_geotransform) {
        for (int i = 0; i < 6; i++)
            if (!isfinite(gt[i]))
                in->has_geotransform = false;
        if (in->has_geotransform && gt[1] * gt[5] - gt[2] * gt[4] == 0.0)
            in->has_geotransform = false;
        if (!in->has_geotransform)
            add_warning(r, dg, "geotransform is degenerate (zero or non-finite): ignored");
    }
    if (in->has_geotransform)
        memcpy(in->geotransform, gt, sizeof gt);
    else {
        static const double identity[6] = {0, 1, 0, 0, 0, 1};
        memcpy(in->geotransform, identity, sizeof identity);
    }
    in->has_rpc = GDALGetMetadata(file_ds(r), "RPC") != NULL;
    in->has_gcps = GDALGetGCPCount(file_ds(r)) > 0;

    OGRSpatialReferenceH srs = GDALGetSpatialRef(r->ds);
    if (srs && crs_is_engineering(srs)) {
        add_warning(r, dg, "CRS is a local/engineering CRS (\"%s\"): no lon/lat",
                    OSRGetName(srs) ? OSRGetName(srs) : "unnamed");
        srs = NULL;
    }
    if (srs) {
        char *wkt = NULL;
        const char *const wkt_opts[] = {"FORMAT=WKT2_2019", NULL};
        if (OSRExportToWktEx(srs, &wkt, wkt_opts) != OGRERR_NONE || !wkt) {
            add_warning(r, dg, "CRS cannot be written as WKT: ignored");
        } else {
            r->crs_wkt = malloc(strlen(wkt) + 1);
            if (!r->crs_wkt) {
                CPLFree(wkt);
                return false;
            }
            strcpy(r->crs_wkt, wkt);
            in->has_crs = true;
            in->epsg = crs_epsg(srs);
            if (!(r->crs_name = copy_clean(OSRGetName(srs) ? OSRGetName(srs) : "unnamed")))
                return false;
        }
        CPLFree(wkt);
    }
    if (!in->has_geotransform) {
        if (in->has_rpc)
            add_warning(r, dg, "georeferenced only by RPC metadata, which satmark does not "
                               "use: loads in pixel space");
        else if (in->has_gcps)
            add_warning(r, dg, "georeferenced only by ground control points, which satmark "
                               "does not use: loads in pixel space");
        else
            add_warning(r, dg, "no georeferencing (no geotransform): loads in pixel space");
        if (in->has_crs)
            add_warning(r, dg, "has a CRS but no geotransform: CRS ignored");
    } else {
        if (!in->has_crs)
            add_warning(r, dg, "has a geotransform but no CRS: pixel <-> image coordinates "
                               "only, no lon/lat");
        if (in->geotransform[2] != 0.0 || in->geotransform[4] != 0.0)
            add_warning(r, dg, "geotransform is rotated (%.2f degrees): rotation respected",
                        atan2(in->geotransform[4], in->geotransform[1]) * 180.0 /
                            3.14159265358979323846);
        else if (in->geotransform[5] > 0.0)
            add_warning(r, dg, "south-up image (positive y pixel size): drawn as stored, "
                               "north is down");
    }
    return true;
}

/* Copies the first metadata item of keys present in ds's default domain. */
static const char *first_item(GDALDatasetH ds, const char *const *keys, const char **which)
{
    for (int i = 0; keys[i]; i++) {
        const char *v = GDALGetMetadataItem(ds, keys[i], NULL);
        if (v && *v) {
            if (which)
                *which = keys[i];
            return v;
        }
    }
    return NULL;
}

static bool looks_like_date(const char *s)
{
    for (int i = 0; i < 10; i++) {
        bool want_dash = i == 4 || i == 7;
        if (want_dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static bool fill_provenance(struct raster *r, struct diag *dg)
{
    struct raster_info *in = &r->info;
    static const char *const date_keys[] = {
        "SATMARK_ACQUIRED", "ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED",
        "ACQUISITION_START_TIME", "SENSING_TIME", "DATETIME", NULL,
    };
    const char *which = NULL;
    const char *date = first_item(file_ds(r), date_keys, &which);
    char clean[RASTER_DATE_MAX];
    if (date) {
        gdalguard_sanitize(clean, sizeof clean, date);
        if (looks_like_date(clean)) {
            snprintf(in->acquired, sizeof in->acquired, "%s", clean);
        } else {
            add_warning(r, dg, "%s '%s' is not a YYYY-MM-DD date: ignored", which, clean);
            which = NULL;
        }
    }
    if (!in->acquired[0]) {
        const char *dt = GDALGetMetadataItem(file_ds(r), "TIFFTAG_DATETIME", NULL);
        which = NULL;
        if (dt) {
            gdalguard_sanitize(clean, sizeof clean, dt);
            /* TIFF writes "YYYY:MM:DD HH:MM:SS"; it is when the file was made,
             * which may differ from when the image was taken. */
            if (strlen(clean) >= 10 && clean[4] == ':' && clean[7] == ':') {
                clean[4] = clean[7] = '-';
                if (clean[10] == ' ')
                    clean[10] = 'T';
            }
            if (looks_like_date(clean)) {
                snprintf(in->acquired, sizeof in->acquired, "%s", clean);
                which = "TIFFTAG_DATETIME";
                add_warning(r, dg, "date taken from TIFFTAG_DATETIME (when the file was "
                                   "written, possibly not the acquisition date)");
            }
        }
    }
    if (!(r->acquired_source = copy_clean(which ? which : "")))
        return false;
    const char *synthetic = GDALGetMetadataItem(file_ds(r), "SATMARK_SYNTHETIC", NULL);
    in->synthetic = synthetic && (strcasecmp(synthetic, "YES") == 0 ||
                                  strcasecmp(synthetic, "TRUE") == 0 || strcmp(synthetic, "1") == 0);
    static const char *const credit_keys[] = {"SATMARK_CREDIT", "TIFFTAG_COPYRIGHT",
                                              "TIFFTAG_ARTIST", NULL};
    if (!(r->credit = copy_clean(first_item(file_ds(r), credit_keys, NULL))))
        return false;
    if (!(r->site = copy_clean(GDALGetMetadataItem(file_ds(r), "SATMARK_SITE", NULL))))
        return false;
    if (in->synthetic)
        add_warning(r, dg, "synthetic demo image (SATMARK_SYNTHETIC=YES), not real imagery");
    return true;
}

/* ---- display bands ------------------------------------------------------------ */

static GDALColorInterp band_interp(const struct raster *r, int band)
{
    return GDALGetRasterColorInterpretation(GDALGetRasterBand(r->ds, band));
}

static bool load_palette(struct raster *r, int band)
{
    GDALColorTableH ct = GDALGetRasterColorTable(GDALGetRasterBand(r->ds, band));
    int n = ct ? GDALGetColorEntryCount(ct) : 0;
    free(r->palette);
    r->palette = NULL;
    r->palette_count = 0;
    if (n <= 0)
        return true;
    if (n > 65536)
        n = 65536;
    r->palette = malloc((size_t)n * 4);
    if (!r->palette)
        return false;
    bool gray = GDALGetPaletteInterpretation(ct) == GPI_Gray;
    for (int i = 0; i < n; i++) {
        GDALColorEntry e = {0, 0, 0, 0};
        if (gray) {
            const GDALColorEntry *g = GDALGetColorEntry(ct, i);
            if (g)
                e = (GDALColorEntry){g->c1, g->c1, g->c1, 255};
        } else if (!GDALGetColorEntryAsRGB(ct, i, &e)) {
            e = (GDALColorEntry){0, 0, 0, 0};
        }
        uint8_t *p = r->palette + (size_t)i * 4;
        p[0] = (uint8_t)(e.c1 < 0 ? 0 : e.c1 > 255 ? 255 : e.c1);
        p[1] = (uint8_t)(e.c2 < 0 ? 0 : e.c2 > 255 ? 255 : e.c2);
        p[2] = (uint8_t)(e.c3 < 0 ? 0 : e.c3 > 255 ? 255 : e.c3);
        p[3] = (uint8_t)(e.c4 < 0 ? 0 : e.c4 > 255 ? 255 : e.c4);
    }
    r->palette_count = n;
    return true;
}

/* True-colour bands from the file's band descriptions or mission metadata
 * (bandpick.h); false when it says nothing. */
static bool pick_true_colour(const struct raster *r, int rgb[3], const char **why)
{
    int n = r->info.band_count;
    const char **desc = calloc((size_t)n, sizeof *desc);
    if (!desc)
        return false;
    for (int b = 1; b <= n; b++)
        desc[b - 1] = GDALGetDescription(GDALGetRasterBand(r->ds, b));
    static const char *const mission_keys[] = {"SPACECRAFT_ID", "SPACECRAFT_NAME", "SATELLITE",
                                               "MISSION", "PLATFORM", "SATELLITEID", NULL};
    const char *mission = first_item(file_ds(r), mission_keys, NULL);
    struct bandpick_input in = {n, desc, mission};
    bool ok = bandpick_true_colour(&in, rgb, why);
    free(desc);
    return ok;
}

static bool choose_display(struct raster *r, const int bands[3], int alpha_band, struct diag *dg)
{
    int n = r->info.band_count;
    for (int i = 0; i < 3; i++) {
        if (bands[i] < 0 || bands[i] > n) {
            diag_error(dg, "%s: band %d does not exist (the file has %d band%s)", r->path,
                       bands[i], n, n == 1 ? "" : "s");
            return false;
        }
    }
    if (alpha_band < -1 || alpha_band > n) {
        diag_error(dg, "%s: alpha band %d does not exist (the file has %d band%s)", r->path,
                   alpha_band, n, n == 1 ? "" : "s");
        return false;
    }
    int grey = 0;
    bool chosen = bands[0] > 0 || bands[1] > 0 || bands[2] > 0;
    r->info.display_reason = chosen ? "chosen" : n >= 3 ? "colour interpretation" : "single band";
    if (bands[0] > 0 && bands[1] == 0 && bands[2] == 0) {
        grey = bands[0];
    } else if (bands[0] > 0 || bands[1] > 0 || bands[2] > 0) {
        if (bands[0] == 0 || bands[1] == 0 || bands[2] == 0) {
            diag_error(dg, "%s: give one band (grey) or three (R,G,B), not two", r->path);
            return false;
        }
        r->mode = DISPLAY_RGB;
        memcpy(r->disp, bands, sizeof r->disp);
    } else if (band_interp(r, 1) == GCI_PaletteIndex && r->bands[0].has_palette) {
        grey = 1;
        r->info.display_reason = "palette";
    } else if (n >= 3) {
        int rgb[3] = {0, 0, 0};
        for (int b = 1; b <= n; b++) {
            GDALColorInterp ci = band_interp(r, b);
            if (ci == GCI_RedBand && !rgb[0])
                rgb[0] = b;
            else if (ci == GCI_GreenBand && !rgb[1])
                rgb[1] = b;
            else if (ci == GCI_BlueBand && !rgb[2])
                rgb[2] = b;
        }
        if (!rgb[0] || !rgb[1] || !rgb[2]) {
            const char *why = NULL;
            if (pick_true_colour(r, rgb, &why)) {
                r->info.display_reason = why;
            } else {
                rgb[0] = 1, rgb[1] = 2, rgb[2] = 3;
                r->info.display_reason = "";
                int image_bands = 0; /* not counting an alpha band (a warped view's) */
                for (int b = 1; b <= n; b++)
                    image_bands += band_interp(r, b) != GCI_AlphaBand;
                if (image_bands > 3)
                    add_warning(r, dg, "multispectral image (%d bands) that does not say which "
                                       "are red, green and blue: showing bands 1,2,3, which may "
                                       "not be true colour (Landsat 4-7: bands 3,2,1; Landsat "
                                       "8/9 and Sentinel-2: 4,3,2)", image_bands);
            }
        }
        r->mode = DISPLAY_RGB;
        memcpy(r->disp, rgb, sizeof r->disp);
    } else {
        grey = 1;
    }
    if (grey) {
        r->disp[0] = r->disp[1] = r->disp[2] = grey;
        bool palette = band_interp(r, grey) == GCI_PaletteIndex && r->bands[grey - 1].has_palette;
        r->mode = palette ? DISPLAY_PALETTE : DISPLAY_GREY;
        if (palette && !load_palette(r, grey)) {
            diag_error(dg, "%s: out of memory", r->path);
            return false;
        }
    }
    r->alpha = 0;
    if (alpha_band > 0) {
        r->alpha = alpha_band;
    } else if (alpha_band == 0) {
        for (int b = 1; b <= n && !r->alpha; b++)
            if (band_interp(r, b) == GCI_AlphaBand && b != r->disp[0] && b != r->disp[1] &&
                b != r->disp[2])
                r->alpha = b;
    }
    int flags = GDALGetMaskFlags(GDALGetRasterBand(r->ds, r->disp[0]));
    r->use_mask = r->alpha == 0 && (flags & GMF_PER_DATASET) && !(flags & GMF_ALL_VALID) &&
                  !(flags & GMF_NODATA) && !(flags & GMF_ALPHA);
    for (int i = 0; i < 3; i++)
        r->info.display_bands[i] = r->disp[i];
    r->info.display_alpha_band = r->alpha;
    r->info.palette_expanded = r->mode == DISPLAY_PALETTE;
    r->stretch_ready = false;
    return true;
}

bool raster_set_bands(struct raster *r, const int bands[3], int alpha_band, struct diag *dg)
{
    struct gdalguard call;
    gdalguard_begin(&call, r->path, r->allow_remote, dg);
    bool ok = choose_display(r, bands, alpha_band, dg);
    gdalguard_end(&call);
    return ok;
}

void raster_set_resampling(struct raster *r, enum raster_resampling resampling)
{
    r->resampling = resampling;
}

/* ---- open / close / info ------------------------------------------------------- */

/* Copies a string field of a sibling's source handle; false on out of memory. */
static bool copy_field(char **dst, const char *src)
{
    if (!src)
        return true;
    *dst = strdup(src);
    return *dst != NULL;
}

/* Takes the georeferencing and provenance of `like` (an open handle on the
 * same file) instead of asking GDAL again. */
static bool adopt_georef(struct raster *r, const struct raster *like)
{
    struct raster_info *in = &r->info;
    const struct raster_info *src = &like->info;
    in->has_geotransform = src->has_geotransform;
    memcpy(in->geotransform, src->geotransform, sizeof in->geotransform);
    in->has_crs = src->has_crs;
    in->epsg = src->epsg;
    in->has_rpc = src->has_rpc;
    in->has_gcps = src->has_gcps;
    memcpy(in->acquired, src->acquired, sizeof in->acquired);
    in->synthetic = src->synthetic;
    return copy_field(&r->crs_name, like->crs_name) && copy_field(&r->crs_wkt, like->crs_wkt) &&
           copy_field(&r->acquired_source, like->acquired_source) &&
           copy_field(&r->credit, like->credit) && copy_field(&r->site, like->site);
}

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
    if (!open_dataset(r, opt, dg)) {
        raster_close(r);
        return NULL;
    }
    struct gdalguard call;
    gdalguard_begin(&call, r->path, r->allow_remote, dg);
    bool ok = true;
    struct raster_info *in = &r->info;
    GDALDriverH drv = GDALGetDatasetDriver(file_ds(r));
    in->width = GDALGetRasterXSize(r->ds);
    in->height = GDALGetRasterYSize(r->ds);
    in->band_count = GDALGetRasterCount(r->ds);
    r->bands = calloc((size_t)in->band_count, sizeof *r->bands);
    r->priv = calloc((size_t)in->band_count, sizeof *r->priv);
    r->driver = copy_clean(drv ? GDALGetDriverShortName(drv) : "");
    r->driver_long = copy_clean(drv ? GDALGetDriverLongName(drv) : "");
    ok = r->bands && r->priv && r->driver && r->driver_long;
    if (!ok)
        diag_error(dg, "%s: out of memory", r->path);
    if (ok) {
        in->bands = r->bands;
        in->driver = r->driver;
        in->driver_long = r->driver_long;
        fill_bands(r);
        check_block_sizes(r);
        if (like)
            ok = fill_overviews(r) && adopt_georef(r, like);
        else
            ok = fill_overviews(r) && fill_georef(r, dg) && fill_provenance(r, dg);
        if (!ok)
            diag_error(dg, "%s: out of memory", r->path);
    }
    if (ok && r->block_problem[0])
        add_warning(r, dg, "%s: pixels will not be read", r->block_problem);
    if (ok) {
        for (int i = 0; i < in->band_count; i++)
            if (r->priv[i].complex) {
                add_warning(r, dg, "band %d is complex (%s): its amplitude is shown", i + 1,
                            r->bands[i].type_name);
                break;
            }
        ok = choose_display(r, opt->bands, opt->alpha_band, dg);
    }
    gdalguard_end(&call);
    in->crs_name = r->crs_name ? r->crs_name : "";
    in->crs_wkt = r->crs_wkt ? r->crs_wkt : "";
    in->acquired_source = r->acquired_source ? r->acquired_source : "";
    in->credit = r->credit ? r->credit : "";
    in->site = r->site ? r->site : "";
    in->georef_by = r->georef_by ? r->georef_by : "";
    in->reprojected_from = r->reprojected_from ? r->reprojected_from : "";
    in->subdataset_count = (size_t)CSLCount(r->sub_names);
    in->subdataset_names = (const char *const *)r->sub_names;
    in->subdataset_descriptions = (const char *const *)r->sub_descs;
    if (!ok) {
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

const struct raster_info *raster_get_info(const struct raster *r)
{
    return &r->info;
}

bool raster_sha256(struct raster *r, char hex[HASH_SHA256_HEX_LEN + 1], struct diag *dg)
{
    if (!r->have_sha256) {
        if (!raster_path_is_local(r->path)) {
            diag_error(dg, "%s: SHA-256 is only computed for local files", r->path);
            return false;
        }
        char file[4096];
        if (!hash_file_sha256(raster_hashed_file(r->path, file, sizeof file), r->sha256, dg))
            return false;
        r->have_sha256 = true;
    }
    memcpy(hex, r->sha256, sizeof r->sha256);
    return true;
}

/* ---- pixel reading ---------------------------------------------------------- */

/* Clamps the fractional source window to the xs x ys grid and fills the
 * integer window (*ix, *iy, *iw, *ih) and extra for GDALRasterIOEx. Both read
 * paths go through it, so they ask GDAL for exactly the same pixels. False
 * when nothing of the window is inside. */
static bool source_window(int xs, int ys, double x0, double y0, double w, double h,
                          GDALRIOResampleAlg alg, int *ix, int *iy, int *iw, int *ih,
                          GDALRasterIOExtraArg *extra)
{
    x0 = fmax(0.0, x0);
    y0 = fmax(0.0, y0);
    w = fmin(w, xs - x0);
    h = fmin(h, ys - y0);
    if (w <= 0 || h <= 0)
        return false;
    int ix0 = (int)floor(x0), iy0 = (int)floor(y0);
    int ix1 = (int)ceil(x0 + w), iy1 = (int)ceil(y0 + h);
    if (ix1 > xs)
        ix1 = xs;
    if (iy1 > ys)
        iy1 = ys;
    if (ix1 <= ix0)
        ix1 = ix0 + 1;
    if (iy1 <= iy0)
        iy1 = iy0 + 1;
    *ix = ix0, *iy = iy0, *iw = ix1 - ix0, *ih = iy1 - iy0;
    INIT_RASTERIO_EXTRA_ARG(*extra);
    extra->eResampleAlg = alg;
    extra->bFloatingPointWindowValidity = TRUE;
    extra->dfXOff = x0;
    extra->dfYOff = y0;
    extra->dfXSize = w;
    extra->dfYSize = h;
    return true;
}

/* Reads the fractional source window of band (any level) into buf as doubles
 * (complex bands: amplitude). buf holds bw*bh values (2x for complex). */
static bool read_values(GDALRasterBandH band, const struct band_private *bp, double x0,
                        double y0, double w, double h, int bw, int bh, double *buf,
                        GDALRIOResampleAlg alg)
{
    int ix, iy, iw, ih;
    GDALRasterIOExtraArg extra;
    if (!source_window(GDALGetRasterBandXSize(band), GDALGetRasterBandYSize(band), x0, y0, w, h,
                       alg, &ix, &iy, &iw, &ih, &extra))
        return false;
    bool complex = bp && bp->complex;
    CPLErr err = GDALRasterIOEx(band, GF_Read, ix, iy, iw, ih, buf, bw, bh,
                                complex ? GDT_CFloat64 : GDT_Float64, 0, 0, &extra);
    if (err != CE_None)
        return false;
    size_t n = (size_t)bw * (size_t)bh;
    if (complex)
        for (size_t i = 0; i < n; i++)
            buf[i] = hypot(buf[2 * i], buf[2 * i + 1]);
    if (bp && bp->signed_byte)
        for (size_t i = 0; i < n; i++)
            if (buf[i] >= 128.0)
                buf[i] -= 256.0;
    return true;
}

static bool is_nodata(const struct raster_band_info *bi, double v)
{
    if (!bi->has_nodata)
        return false;
    if (isnan(bi->nodata))
        return isnan(v);
    return v == bi->nodata;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void keep_valid(const struct raster_band_info *bi, const double *vals, size_t n,
                       double *out, size_t *count)
{
    for (size_t i = 0; i < n; i++)
        if (!isnan(vals[i]) && isfinite(vals[i]) && !is_nodata(bi, vals[i]))
            out[(*count)++] = vals[i];
}

/* Collects valid values of one band into *out (new array, caller frees) from
 * a small level read whole, or windows spread over a large level. */
static size_t sample_band(struct raster *r, int band_no, double **out, struct diag *dg)
{
    GDALRasterBandH band = GDALGetRasterBand(r->ds, band_no);
    const struct raster_band_info *bi = &r->bands[band_no - 1];
    const struct band_private *bp = &r->priv[band_no - 1];
    /* The finest overview that is already small, else the coarsest one. */
    GDALRasterBandH level = band;
    int nov = GDALGetOverviewCount(band);
    for (int i = 0; i < nov; i++) {
        GDALRasterBandH ov = GDALGetOverview(band, i);
        if (!ov)
            continue;
        level = ov;
        if ((double)GDALGetRasterBandXSize(ov) * GDALGetRasterBandYSize(ov) <=
            4.0 * STRETCH_SAMPLE_SIDE * STRETCH_SAMPLE_SIDE)
            break;
    }
    int lw = GDALGetRasterBandXSize(level), lh = GDALGetRasterBandYSize(level);
    size_t cap = (size_t)STRETCH_SAMPLE_SIDE * STRETCH_SAMPLE_SIDE;
    double *vals = malloc(cap * sizeof *vals * 2);
    double *buf = malloc(cap * sizeof *buf * 2);
    size_t count = 0;
    *out = vals;
    if (!vals || !buf) {
        free(buf);
        diag_error(dg, "%s: out of memory", r->path);
        return 0;
    }
    int failed = 0;
    if ((double)lw * lh <= 4.0 * STRETCH_SAMPLE_SIDE * STRETCH_SAMPLE_SIDE) {
        double scale = fmin(1.0, (double)STRETCH_SAMPLE_SIDE / (lw > lh ? lw : lh));
        int bw = (int)fmax(1.0, lw * scale), bh = (int)fmax(1.0, lh * scale);
        if (read_values(level, bp, 0, 0, lw, lh, bw, bh, buf, GRIORA_NearestNeighbour)) {
            keep_valid(bi, buf, (size_t)bw * bh, vals, &count);
        } else {
            /* Salvage what can be read row by row (a corrupt tile must not
             * leave the whole image without a stretch). */
            failed++;
            for (int y = 0; y < bh; y++)
                if (read_values(level, bp, 0, (double)y * lh / bh, lw, (double)lh / bh, bw, 1,
                                buf, GRIORA_NearestNeighbour))
                    keep_valid(bi, buf, (size_t)bw, vals, &count);
        }
    } else {
        int win_w = lw < STRETCH_WINDOW ? lw : STRETCH_WINDOW;
        int win_h = lh < STRETCH_WINDOW ? lh : STRETCH_WINDOW;
        for (int gy = 0; gy < STRETCH_GRID; gy++) {
            for (int gx = 0; gx < STRETCH_GRID; gx++) {
                double x = (lw - win_w) * (gx + 0.5) / STRETCH_GRID;
                double y = (lh - win_h) * (gy + 0.5) / STRETCH_GRID;
                x = floor(x);
                y = floor(y);
                if (read_values(level, bp, x, y, win_w, win_h, win_w, win_h, buf,
                                GRIORA_NearestNeighbour))
                    keep_valid(bi, buf, (size_t)win_w * win_h, vals, &count);
                else
                    failed++;
            }
        }
    }
    free(buf);
    if (failed)
        diag_warn(dg, "%s: part of band %d could not be read while computing the contrast "
                      "stretch", r->path, band_no);
    return count;
}

static bool byte_identity(const struct raster *r, int band_no)
{
    const struct band_private *bp = &r->priv[band_no - 1];
    return bp->type == GDT_Byte && !bp->signed_byte;
}

static bool compute_stretch(struct raster *r, struct diag *dg)
{
    if (r->block_problem[0]) {
        diag_error(dg, "%s: %s", r->path, r->block_problem);
        return false;
    }
    for (int ch = 0; ch < 3; ch++) {
        int b = r->disp[ch];
        if (ch > 0 && b == r->disp[ch - 1]) {
            r->stretch.low[ch] = r->stretch.low[ch - 1];
            r->stretch.high[ch] = r->stretch.high[ch - 1];
            continue;
        }
        if (r->mode == DISPLAY_PALETTE || byte_identity(r, b)) {
            r->stretch.low[ch] = 0.0;
            r->stretch.high[ch] = 255.0;
            continue;
        }
        double *vals = NULL;
        size_t n = sample_band(r, b, &vals, dg);
        if (!vals)
            return false;
        double low = 0.0, high = 1.0;
        if (n > 0) {
            qsort(vals, n, sizeof *vals, compare_doubles);
            low = vals[(size_t)floor(STRETCH_LOW_PCT * (double)(n - 1))];
            high = vals[(size_t)ceil(STRETCH_HIGH_PCT * (double)(n - 1))];
            if (!(high > low)) {
                /* A constant image: centre it so it shows mid-grey. */
                low = vals[0] - 0.5;
                high = vals[0] + 0.5;
                if (!(high > low)) /* huge magnitudes: step of one ulp is not enough */
                    low = vals[0] - fabs(vals[0]) * 1e-9, high = vals[0] + fabs(vals[0]) * 1e-9;
            }
        }
        free(vals);
        r->stretch.low[ch] = low;
        r->stretch.high[ch] = high;
    }
    r->stretch_ready = true;
    return true;
}

bool raster_get_stretch(struct raster *r, struct raster_stretch *out, struct diag *dg)
{
    if (!r->stretch_ready) {
        struct gdalguard call;
        gdalguard_begin(&call, r->path, r->allow_remote, dg);
        bool ok = compute_stretch(r, dg);
        gdalguard_end(&call);
        if (!ok)
            return false;
    }
    *out = r->stretch;
    return true;
}

bool raster_set_stretch(struct raster *r, const struct raster_stretch *s, struct diag *dg)
{
    for (int i = 0; i < 3; i++) {
        if (!isfinite(s->low[i]) || !isfinite(s->high[i]) || !(s->high[i] > s->low[i])) {
            diag_error(dg, "%s: invalid stretch for channel %d (low %g, high %g)", r->path, i,
                       s->low[i], s->high[i]);
            return false;
        }
    }
    r->stretch = *s;
    r->stretch_ready = true;
    return true;
}

static uint8_t stretch_value(double v, double low, double high)
{
    double t = (v - low) * 255.0 / (high - low);
    if (!(t > 0.0))
        return 0;
    if (t >= 255.0)
        return 255;
    return (uint8_t)(t + 0.5);
}

/* The per-read plan: which source bands, their buffers, and the stretch. */
struct read_plan {
    int band_nos[5]; /* up to 3 colour bands + alpha + mask (0 = mask of disp[0]) */
    int nbands;
    int colour_slot[3]; /* slot of each output channel in band_nos */
    int alpha_slot;     /* -1 = none */
    int mask_slot;      /* -1 = none */
    double *buf[5];
    GDALRIOResampleAlg alg;
};

static int plan_slot(struct read_plan *p, int band_no)
{
    for (int i = 0; i < p->nbands; i++)
        if (p->band_nos[i] == band_no)
            return i;
    p->band_nos[p->nbands] = band_no;
    return p->nbands++;
}

/* Reads one rectangle of output (cols c0..c1, rows r0..r1 of the out grid)
 * into rgba_out. Returns false when some band could not be read (the cell is
 * then left transparent). */
static bool read_cell(struct raster *r, const struct read_plan *p, double sx, double sy,
                      double fx, double fy, int out_w, int c0, int c1, int r0, int r1,
                      uint8_t *rgba_out)
{
    int bw = c1 - c0, bh = r1 - r0;
    double x0 = sx + c0 / fx, y0 = sy + r0 / fy, w = bw / fx, h = bh / fy;
    for (int i = 0; i < p->nbands; i++) {
        GDALRasterBandH band;
        const struct band_private *bp = NULL;
        GDALRIOResampleAlg alg = p->alg;
        if (i == p->mask_slot) {
            band = GDALGetMaskBand(GDALGetRasterBand(r->ds, r->disp[0]));
            alg = GRIORA_NearestNeighbour;
        } else {
            band = GDALGetRasterBand(r->ds, p->band_nos[i]);
            bp = &r->priv[p->band_nos[i] - 1];
            /* Averaging palette indices or alpha makes no sense. */
            if (r->mode == DISPLAY_PALETTE || i == p->alpha_slot)
                alg = GRIORA_NearestNeighbour;
        }
        if (!band || !read_values(band, bp, x0, y0, w, h, bw, bh, p->buf[i], alg))
            return false;
    }
    const struct raster_stretch *st = &r->stretch;
    for (int y = 0; y < bh; y++) {
        uint8_t *row = rgba_out + ((size_t)(r0 + y) * out_w + c0) * 4;
        for (int x = 0; x < bw; x++) {
            size_t k = (size_t)y * bw + x;
            uint8_t px[4] = {0, 0, 0, 255};
            if (r->mode == DISPLAY_PALETTE) {
                double v = p->buf[p->colour_slot[0]][k];
                const struct raster_band_info *bi = &r->bands[r->disp[0] - 1];
                if (isnan(v) || is_nodata(bi, v) || v < 0 || v >= r->palette_count) {
                    px[3] = 0;
                } else {
                    memcpy(px, r->palette + (size_t)v * 4, 4);
                }
            } else {
                bool any_nan = false;
                int nodata_bands = 0, with_nodata = 0;
                for (int ch = 0; ch < 3; ch++) {
                    double v = p->buf[p->colour_slot[ch]][k];
                    const struct raster_band_info *bi = &r->bands[r->disp[ch] - 1];
                    if (isnan(v) || !isfinite(v)) {
                        any_nan = true;
                        continue;
                    }
                    if (bi->has_nodata) {
                        with_nodata++;
                        if (is_nodata(bi, v))
                            nodata_bands++;
                    }
                    px[ch] = stretch_value(v, st->low[ch], st->high[ch]);
                }
                /* NaN anywhere, or every band that declares nodata is nodata. */
                if (any_nan || (with_nodata > 0 && nodata_bands == with_nodata))
                    px[3] = 0;
            }
            if (p->alpha_slot >= 0 && px[3] != 0) {
                double a = p->buf[p->alpha_slot][k];
                double scale = r->priv[r->alpha - 1].type == GDT_UInt16 ? 255.0 / 65535.0 : 1.0;
                double av = isnan(a) ? 0.0 : a * scale;
                uint8_t a8 = av <= 0 ? 0 : av >= 255 ? 255 : (uint8_t)(av + 0.5);
                if (a8 < px[3])
                    px[3] = a8;
            }
            if (p->mask_slot >= 0 && !(p->buf[p->mask_slot][k] > 0))
                px[3] = 0;
            if (px[3] == 0)
                px[0] = px[1] = px[2] = 0;
            memcpy(row + (size_t)x * 4, px, 4);
        }
    }
    return true;
}

/* The Byte fast path applies: every displayed band (and the alpha band) is
 * unsigned Byte, no palette, and the stretch is the identity, so the slow
 * path's Float64 detour would give back exactly the bytes GDAL has.
 * SATMARK_RASTER_SLOW_PATH=1 at open time turns it off (tests compare). */
static bool byte_fast_path(const struct raster *r)
{
    if (r->force_slow_path || r->mode == DISPLAY_PALETTE)
        return false;
    for (int ch = 0; ch < 3; ch++)
        if (!byte_identity(r, r->disp[ch]) || r->stretch.low[ch] != 0.0 ||
            r->stretch.high[ch] != 255.0)
            return false;
    return r->alpha == 0 || byte_identity(r, r->alpha);
}

/* Fast-path twin of read_cell: same windows and resampling, but GDAL writes
 * Byte samples straight into the RGBA rows (pixel space 4), then one pass
 * applies grey replication, nodata, alpha and mask exactly as read_cell does. */
static bool read_cell_bytes(struct raster *r, const struct read_plan *p, double sx, double sy,
                            double fx, double fy, int out_w, int c0, int c1, int r0, int r1,
                            uint8_t *rgba_out)
{
    int bw = c1 - c0, bh = r1 - r0;
    double x0 = sx + c0 / fx, y0 = sy + r0 / fy, w = bw / fx, h = bh / fy;
    int ix, iy, iw, ih;
    GDALRasterIOExtraArg extra;
    if (!source_window(r->info.width, r->info.height, x0, y0, w, h, p->alg, &ix, &iy, &iw, &ih,
                       &extra))
        return false;
    uint8_t *origin = rgba_out + ((size_t)r0 * out_w + c0) * 4;
    GSpacing line = (GSpacing)out_w * 4;
    bool grey = r->disp[0] == r->disp[1] && r->disp[1] == r->disp[2];
    /* One dataset-level call lets a pixel-interleaved file decode each block
     * once for all bands; alpha joins it when it is resampled the same way. */
    int band_map[4] = {r->disp[0], r->disp[1], r->disp[2], r->alpha};
    int nread = grey ? 1 : 3;
    bool alpha_inline = r->alpha > 0 && p->alg == GRIORA_NearestNeighbour;
    if (alpha_inline && !grey)
        nread = 4;
    if (GDALDatasetRasterIOEx(r->ds, GF_Read, ix, iy, iw, ih, origin, bw, bh, GDT_Byte, nread,
                              band_map, 4, line, 1, &extra) != CE_None)
        return false;
    extra.eResampleAlg = GRIORA_NearestNeighbour; /* alpha and mask, as in read_cell */
    if (r->alpha > 0 && nread < 4) {
        if (GDALRasterIOEx(GDALGetRasterBand(r->ds, r->alpha), GF_Read, ix, iy, iw, ih,
                           origin + 3, bw, bh, GDT_Byte, 4, line, &extra) != CE_None)
            return false;
    } else if (r->use_mask) {
        /* use_mask implies no alpha band: the alpha byte holds the mask. */
        GDALRasterBandH mask = GDALGetMaskBand(GDALGetRasterBand(r->ds, r->disp[0]));
        if (!mask || GDALRasterIOEx(mask, GF_Read, ix, iy, iw, ih, origin + 3, bw, bh,
                                    GDT_Byte, 4, line, &extra) != CE_None)
            return false;
    }
    /* A nodata value only matters when a Byte can equal it. */
    int nodata[3];
    int with_nodata = 0;
    for (int ch = 0; ch < 3; ch++) {
        const struct raster_band_info *bi = &r->bands[r->disp[ch] - 1];
        nodata[ch] = -1;
        if (bi->has_nodata) {
            with_nodata++;
            if (bi->nodata >= 0 && bi->nodata <= 255 && bi->nodata == floor(bi->nodata))
                nodata[ch] = (int)bi->nodata;
        }
    }
    bool alpha_from_band = r->alpha > 0;
    for (int y = 0; y < bh; y++) {
        uint8_t *px = origin + (size_t)y * (size_t)line;
        for (int x = 0; x < bw; x++, px += 4) {
            if (grey)
                px[1] = px[2] = px[0];
            uint8_t a = alpha_from_band ? px[3] : 255;
            if (r->use_mask && !alpha_from_band)
                a = px[3] > 0 ? 255 : 0;
            if (with_nodata > 0) {
                int hits = 0;
                for (int ch = 0; ch < 3; ch++)
                    hits += nodata[ch] >= 0 && px[ch] == nodata[ch];
                if (hits == with_nodata)
                    a = 0;
            }
            px[3] = a;
            if (a == 0)
                px[0] = px[1] = px[2] = 0;
        }
    }
    return true;
}

static void clear_cell(uint8_t *rgba_out, int out_w, int c0, int c1, int r0, int r1)
{
    for (int y = r0; y < r1; y++)
        memset(rgba_out + ((size_t)y * out_w + c0) * 4, 0, (size_t)(c1 - c0) * 4);
}

/* Decimation left after GDAL picks the best overview for this request. */
static double residual_decimation(struct raster *r, double decimation)
{
    double best = 1.0;
    GDALRasterBandH b = GDALGetRasterBand(r->ds, r->disp[0]);
    int n = GDALGetOverviewCount(b);
    for (int i = 0; i < n; i++) {
        GDALRasterBandH ov = GDALGetOverview(b, i);
        if (!ov || GDALGetRasterBandXSize(ov) <= 0)
            continue;
        double f = (double)r->info.width / GDALGetRasterBandXSize(ov);
        if (f <= decimation * 1.2 && f > best)
            best = f;
    }
    return decimation / best;
}

bool raster_read_rgba(struct raster *r, double src_x, double src_y, double src_w, double src_h,
                      int out_w, int out_h, uint8_t *rgba_out, struct diag *dg)
{
    if (!(src_w > 0) || !(src_h > 0) || !isfinite(src_x) || !isfinite(src_y) ||
        !isfinite(src_w) || !isfinite(src_h) || out_w <= 0 || out_h <= 0 ||
        (long)out_w * (long)out_h > RASTER_MAX_OUT_PIXELS) {
        diag_error(dg, "%s: invalid read request (window %g,%g %gx%g -> %dx%d)", r->path, src_x,
                   src_y, src_w, src_h, out_w, out_h);
        return false;
    }
    memset(rgba_out, 0, (size_t)out_w * (size_t)out_h * 4);
    if (r->block_problem[0]) {
        diag_error(dg, "%s: %s", r->path, r->block_problem);
        return false;
    }
    struct gdalguard call;
    gdalguard_begin(&call, r->path, r->allow_remote, dg);
    if (!r->stretch_ready && !compute_stretch(r, dg)) {
        gdalguard_end(&call);
        return false;
    }
    double fx = out_w / src_w, fy = out_h / src_h;
    /* Output columns/rows whose centre falls inside the image. */
    double c0d = ceil(-src_x * fx - 0.5), c1d = ceil((r->info.width - src_x) * fx - 0.5);
    double r0d = ceil(-src_y * fy - 0.5), r1d = ceil((r->info.height - src_y) * fy - 0.5);
    int c0 = (int)fmax(0.0, fmin(c0d, out_w)), c1 = (int)fmax(0.0, fmin(c1d, out_w));
    int r0 = (int)fmax(0.0, fmin(r0d, out_h)), r1 = (int)fmax(0.0, fmin(r1d, out_h));
    if (c0 >= c1 || r0 >= r1) {
        gdalguard_end(&call);
        return true; /* entirely outside: transparent */
    }
    struct read_plan plan = {.alpha_slot = -1, .mask_slot = -1};
    for (int ch = 0; ch < 3; ch++)
        plan.colour_slot[ch] = plan_slot(&plan, r->disp[ch]);
    if (r->alpha > 0)
        plan.alpha_slot = plan_slot(&plan, r->alpha);
    if (r->use_mask) {
        plan.mask_slot = plan.nbands;
        plan.band_nos[plan.nbands++] = 0;
    }
    plan.alg = GRIORA_NearestNeighbour;
    double decimation = fmax(src_w / out_w, src_h / out_h);
    if (r->resampling == RASTER_RESAMPLE_AVERAGE && decimation > 1.0 &&
        residual_decimation(r, decimation) <= AVERAGE_MAX_DECIMATION)
        plan.alg = GRIORA_Average;

    int cols = c1 - c0;
    int strip_rows = (int)fmax(1.0, fmin((double)(r1 - r0), (double)STRIP_VALUES / cols));
    size_t buf_values = (size_t)cols * (size_t)strip_rows * 2; /* x2: complex */
    bool fast = byte_fast_path(r);
    bool (*read_cell_fn)(struct raster *, const struct read_plan *, double, double, double,
                         double, int, int, int, int, int, uint8_t *) =
        fast ? read_cell_bytes : read_cell;
    bool ok = true;
    for (int i = 0; i < plan.nbands && ok && !fast; i++)
        ok = (plan.buf[i] = malloc(buf_values * sizeof(double))) != NULL;
    if (!ok) {
        for (int i = 0; i < plan.nbands; i++)
            free(plan.buf[i]);
        diag_error(dg, "%s: out of memory for a %dx%d read", r->path, out_w, out_h);
        gdalguard_end(&call);
        return false;
    }
    long failed_cells = 0;
    for (int y = r0; y < r1; y += strip_rows) {
        int y1 = y + strip_rows < r1 ? y + strip_rows : r1;
        if (read_cell_fn(r, &plan, src_x, src_y, fx, fy, out_w, c0, c1, y, y1, rgba_out))
            continue;
        /* A corrupt block spoils the whole strip: retry in cells so every
         * readable part is shown, at most ~1024 cells per strip. */
        int cell = 64;
        while ((long)((cols + cell - 1) / cell) * ((y1 - y + cell - 1) / cell) > 1024)
            cell *= 2;
        for (int cy = y; cy < y1; cy += cell) {
            int cy1 = cy + cell < y1 ? cy + cell : y1;
            for (int cx = c0; cx < c1; cx += cell) {
                int cx1 = cx + cell < c1 ? cx + cell : c1;
                if (!read_cell_fn(r, &plan, src_x, src_y, fx, fy, out_w, cx, cx1, cy, cy1,
                                  rgba_out)) {
                    clear_cell(rgba_out, out_w, cx, cx1, cy, cy1);
                    failed_cells++;
                }
            }
        }
    }
    for (int i = 0; i < plan.nbands; i++)
        free(plan.buf[i]);
    if (r->mode == DISPLAY_GREY) /* one band: its grey levels through the chosen ramp */
        ramp_apply_rgba(r->opt.ramp, rgba_out, (size_t)out_w * (size_t)out_h);
    if (failed_cells)
        diag_error(dg, "%s: part of the image could not be read (shown transparent): %s",
                   r->path, gdalguard_reason(&call, "read error"));
    gdalguard_end(&call);
    return failed_cells == 0;
}

/* ---- values of one pixel ------------------------------------------------------ */

int raster_read_pixel_values(struct raster *r, int x, int y, double *values, bool *valid,
                             int max_bands, struct diag *dg)
{
    if (x < 0 || y < 0 || x >= r->info.width || y >= r->info.height || max_bands <= 0)
        return 0;
    if (r->block_problem[0]) {
        diag_error(dg, "%s: %s", r->path, r->block_problem);
        return -1;
    }
    int n = r->info.band_count < max_bands ? r->info.band_count : max_bands;
    struct gdalguard call;
    gdalguard_begin(&call, r->path, r->allow_remote, dg);
    for (int b = 0; b < n; b++) {
        GDALRasterBandH band = GDALGetRasterBand(r->ds, b + 1);
        double v = NAN;
        if (!band || GDALRasterIO(band, GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) !=
                         CE_None) {
            diag_error(dg, "%s: cannot read band %d at pixel %d, %d", r->path, b + 1, x, y);
            gdalguard_end(&call);
            return -1;
        }
        int has_nodata = 0;
        double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
        values[b] = v;
        valid[b] = isfinite(v) && !(has_nodata && v == nodata);
    }
    gdalguard_end(&call);
    return n;
}
