/*
 * georef — warped views of GCP/RPC images and GCP files made from pictures
 * (see georef.h for the why and the invariants).
 *
 * Everything numeric is GDAL's: the GCP polynomial and thin-plate-spline
 * transformers (gdal_alg.h), GDALSuggestedWarpOutput through
 * GDALAutoCreateWarpedVRTEx for the north-up grid, gdal_translate and
 * gdalwarp through their library API (gdal_utils.h) for the files; distances
 * are PROJ's geodesics (geodesic.h). This file only chooses, checks and
 * records.
 */
/* realpath(3) is XSI. */
#define _XOPEN_SOURCE 700

#include "georef.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <gdalwarper.h>
#include <geodesic.h>
#include <ogr_srs_api.h>

#include "gdalguard.h"
#include "hash.h"
#include "pathname.h"
#include "raster.h"
#include "safefile.h"

#define MAX_GCPS 4096

static const char *const method_names[] = {"auto", "poly1", "poly2", "poly3", "tps", "rpc"};

const char *georef_method_name(enum georef_method m)
{
    return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : "auto";
}

bool georef_method_from_name(const char *name, enum georef_method *out)
{
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (name && strcasecmp(name, method_names[i]) == 0) {
            *out = (enum georef_method)i;
            return true;
        }
    return false;
}

static int poly_order(enum georef_method m)
{
    return m == GEOREF_POLY1 ? 1 : m == GEOREF_POLY2 ? 2 : m == GEOREF_POLY3 ? 3 : 0;
}

/* GCPs a method needs: a polynomial of order k has (k+1)(k+2)/2 terms per
 * axis; a spline needs 3 to fit and a 4th so that each GCP can be checked
 * against a spline of the others (leave-one-out). */
static size_t gcps_needed(enum georef_method m)
{
    int k = poly_order(m);
    if (k)
        return (size_t)((k + 1) * (k + 2) / 2);
    return m == GEOREF_TPS ? 4 : 0;
}

/* The highest polynomial order (up to 2) n GCPs support, for GEOREF_AUTO. */
static enum georef_method auto_gcp_method(size_t n)
{
    return n >= gcps_needed(GEOREF_POLY2) ? GEOREF_POLY2 : GEOREF_POLY1;
}

/* Ground distance in metres between two positions of one CRS: geodesic on
 * WGS84 for geographic coordinates (x = lon), planar otherwise. */
static double ground_distance(bool geographic, double x1, double y1, double x2, double y2)
{
    if (!geographic)
        return hypot(x2 - x1, y2 - y1);
    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1.0 / 298.257223563);
    double s12 = 0.0;
    geod_inverse(&g, y1, x1, y2, x2, &s12, NULL, NULL);
    return s12;
}

/* One fitted position per GCP: pixel -> CRS through a transformer fitted to
 * `fit` GCPs (all of them, or all but one for leave-one-out). */
static void *make_transformer(enum georef_method m, const GDAL_GCP *gcps, int n)
{
    if (m == GEOREF_TPS)
        return GDALCreateTPSTransformer(n, gcps, FALSE);
    return GDALCreateGCPTransformer(n, gcps, poly_order(m), FALSE);
}

/* The same without GDAL printing "Transform is not solvable" on stderr: a
 * degenerate set of GCPs (collinear, repeated) is the caller's error to
 * report, and the viewer meets it on every third click in a line. */
static void *quiet_transformer(enum georef_method m, const GDAL_GCP *gcps, int n)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    void *t = make_transformer(m, gcps, n);
    CPLPopErrorHandler();
    return t;
}

static void destroy_transformer(enum georef_method m, void *t)
{
    if (!t)
        return;
    if (m == GEOREF_TPS)
        GDALDestroyTPSTransformer(t);
    else
        GDALDestroyGCPTransformer(t);
}

static bool transform_pixel(enum georef_method m, void *t, double px, double py, double *x,
                            double *y)
{
    double z = 0.0;
    int ok = FALSE;
    *x = px;
    *y = py;
    int done = m == GEOREF_TPS ? GDALTPSTransform(t, FALSE, 1, x, y, &z, &ok)
                               : GDALGCPTransform(t, FALSE, 1, x, y, &z, &ok);
    return done && ok && isfinite(*x) && isfinite(*y);
}

/* Residuals of GDAL GCPs (in a CRS that is geographic or not) under m. */
static bool gdal_gcp_residuals(const GDAL_GCP *gcps, size_t n, bool geographic,
                               enum georef_method m, double *residual_m,
                               struct georef_fit *fit, const char *name, struct diag *dg)
{
    size_t need = gcps_needed(m);
    if (n < need) {
        diag_error(dg, "%s: %s needs at least %zu ground control points, %zu given", name,
                   georef_method_name(m), need, n);
        return false;
    }
    if (n > MAX_GCPS) {
        diag_error(dg, "%s: %zu ground control points; at most %d are used", name, n, MAX_GCPS);
        return false;
    }
    memset(fit, 0, sizeof *fit);
    fit->method = m;
    fit->gcp_count = n;
    fit->leave_one_out = m == GEOREF_TPS;
    GDAL_GCP *others = NULL;
    void *all = NULL;
    if (m == GEOREF_TPS) {
        others = CPLMalloc(sizeof *others * n);
    } else if (!(all = quiet_transformer(m, gcps, (int)n))) {
        diag_error(dg, "%s: the %s fit failed (are the ground control points collinear or "
                       "repeated?)", name, georef_method_name(m));
        return false;
    }
    double sum_sq = 0.0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        void *t = all;
        if (m == GEOREF_TPS) {
            size_t k = 0;
            for (size_t j = 0; j < n; j++)
                if (j != i)
                    others[k++] = gcps[j];
            t = quiet_transformer(m, others, (int)(n - 1));
        }
        double x, y;
        if (!t || !transform_pixel(m, t, gcps[i].dfGCPPixel, gcps[i].dfGCPLine, &x, &y)) {
            diag_error(dg, "%s: the %s fit cannot place ground control point %zu (pixel %g,%g)",
                       name, georef_method_name(m), i + 1, gcps[i].dfGCPPixel,
                       gcps[i].dfGCPLine);
            ok = false;
        } else {
            double d = ground_distance(geographic, gcps[i].dfGCPX, gcps[i].dfGCPY, x, y);
            if (residual_m)
                residual_m[i] = d;
            sum_sq += d * d;
            if (d > fit->max_m)
                fit->max_m = d;
        }
        if (m == GEOREF_TPS)
            destroy_transformer(m, t);
    }
    destroy_transformer(m, all);
    CPLFree(others);
    fit->rms_m = ok ? sqrt(sum_sq / (double)n) : 0.0;
    return ok;
}

/* GDAL's GCP list for ours (CPLFree it; ids and infos are empty). */
static GDAL_GCP *gdal_gcps_new(const struct georef_gcp *gcps, size_t n)
{
    GDAL_GCP *g = CPLCalloc(n ? n : 1, sizeof *g);
    for (size_t i = 0; i < n; i++) {
        g[i].pszId = (char *)"";
        g[i].pszInfo = (char *)"";
        g[i].dfGCPPixel = gcps[i].px;
        g[i].dfGCPLine = gcps[i].py;
        g[i].dfGCPX = gcps[i].lon;
        g[i].dfGCPY = gcps[i].lat;
    }
    return g;
}

bool georef_residuals(const struct georef_gcp *gcps, size_t n, enum georef_method method,
                      double *residual_m, struct georef_fit *fit, struct diag *dg)
{
    if (method == GEOREF_AUTO)
        method = auto_gcp_method(n);
    if (!poly_order(method) && method != GEOREF_TPS) {
        diag_error(dg, "georef: method %s does not use ground control points",
                   georef_method_name(method));
        return false;
    }
    if (n > MAX_GCPS) {
        diag_error(dg, "georef: %zu ground control points; at most %d are used", n, MAX_GCPS);
        return false;
    }
    GDAL_GCP *g = gdal_gcps_new(gcps, n);
    bool ok = gdal_gcp_residuals(g, n, true, method, residual_m, fit, "georef", dg);
    CPLFree(g);
    return ok;
}

size_t georef_gcps_needed(enum georef_method method)
{
    return gcps_needed(method == GEOREF_AUTO ? GEOREF_POLY1 : method);
}

struct georef_transform {
    enum georef_method method;
    void *transformer; /* GDAL's GCP polynomial or TPS transformer; owned */
};

struct georef_transform *georef_transform_new(const struct georef_gcp *gcps, size_t n,
                                              enum georef_method method, struct diag *dg)
{
    if (method == GEOREF_AUTO)
        method = auto_gcp_method(n);
    if (!poly_order(method) && method != GEOREF_TPS) {
        diag_error(dg, "georef: method %s does not use ground control points",
                   georef_method_name(method));
        return NULL;
    }
    size_t need = gcps_needed(method);
    if (n < need || n > MAX_GCPS) {
        diag_error(dg, "georef: %s needs %zu to %d ground control points, %zu given",
                   georef_method_name(method), need, MAX_GCPS, n);
        return NULL;
    }
    GDAL_GCP *g = gdal_gcps_new(gcps, n);
    void *t = quiet_transformer(method, g, (int)n);
    CPLFree(g);
    struct georef_transform *out = t ? calloc(1, sizeof *out) : NULL;
    if (!out) {
        destroy_transformer(method, t);
        diag_error(dg, "georef: the %s fit failed (are the ground control points collinear or "
                       "repeated?)", georef_method_name(method));
        return NULL;
    }
    out->method = method;
    out->transformer = t;
    return out;
}

bool georef_transform_pixel(const struct georef_transform *t, double px, double py, double *lon,
                            double *lat)
{
    return t && transform_pixel(t->method, t->transformer, px, py, lon, lat);
}

void georef_transform_free(struct georef_transform *t)
{
    if (!t)
        return;
    destroy_transformer(t->method, t->transformer);
    free(t);
}

/* WKT of the UTM zone (WGS84) holding lon/lat; new (CPLFree). */
static char *utm_wkt(double lon, double lat)
{
    int zone = (int)floor((lon + 180.0) / 6.0) + 1;
    if (zone < 1)
        zone = 1;
    if (zone > 60)
        zone = 60;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (srs && OSRImportFromEPSG(srs, (lat >= 0 ? 32600 : 32700) + zone) == OGRERR_NONE)
        OSRExportToWkt(srs, &wkt);
    OSRDestroySpatialReference(srs);
    return wkt;
}

/* A north-up warped view of src in dst_wkt through transformer options opts
 * (NULL: src's own georeferencing), with an alpha band when src has none, so
 * that the corners outside the image (a rotated or reprojected footprint)
 * are transparent rather than black. */
static GDALDatasetH warped_view(GDALDatasetH src, const char *dst_wkt, char **opts)
{
    GDALWarpOptions *wo = GDALCreateWarpOptions();
    int n = GDALGetRasterCount(src);
    bool has_alpha = false;
    for (int b = 1; b <= n; b++)
        has_alpha |= GDALGetRasterColorInterpretation(GDALGetRasterBand(src, b)) == GCI_AlphaBand;
    if (!has_alpha && n > 0) {
        wo->nBandCount = n;
        wo->panSrcBands = CPLMalloc(sizeof(int) * (size_t)n);
        wo->panDstBands = CPLMalloc(sizeof(int) * (size_t)n);
        for (int b = 0; b < n; b++)
            wo->panSrcBands[b] = wo->panDstBands[b] = b + 1;
        wo->nDstAlphaBand = n + 1;
    }
    GDALDatasetH view =
        GDALAutoCreateWarpedVRTEx(src, NULL, dst_wkt, GRA_Bilinear, 0.125, wo, opts);
    GDALDestroyWarpOptions(wo);
    return view;
}

/* The lon/lat of src's centre through the transformer options. */
static bool centre_lonlat(GDALDatasetH src, char **options, double *lon, double *lat)
{
    char **opts = CSLDuplicate(options);
    opts = CSLSetNameValue(opts, "DST_SRS", "EPSG:4326");
    void *t = GDALCreateGenImgProjTransformer2(src, NULL, opts);
    CSLDestroy(opts);
    if (!t)
        return false;
    double x = GDALGetRasterXSize(src) / 2.0, y = GDALGetRasterYSize(src) / 2.0, z = 0.0;
    int ok = FALSE;
    GDALGenImgProjTransform(t, FALSE, 1, &x, &y, &z, &ok);
    GDALDestroyGenImgProjTransformer(t);
    if (!ok || !isfinite(x) || !isfinite(y))
        return false;
    /* The generic transformer sets the traditional GIS axis order on the
     * SRS it is given, so x is the longitude. */
    *lon = x;
    *lat = y;
    return fabs(*lat) <= 90.0 && fabs(*lon) <= 180.0;
}

GDALDatasetH georef_warp(GDALDatasetH src, const char *name, enum georef_method method,
                         const char *dem, struct georef_fit *fit, struct diag *dg)
{
    memset(fit, 0, sizeof *fit);
    bool has_rpc = GDALGetMetadata(src, "RPC") != NULL;
    int ngcp = GDALGetGCPCount(src);
    if (method == GEOREF_AUTO) {
        const char *recorded = GDALGetMetadataItem(src, "SATMARK_GEOREF_METHOD", NULL);
        enum georef_method m;
        if (recorded && georef_method_from_name(recorded, &m) && m != GEOREF_AUTO)
            method = m;
        else if (has_rpc)
            method = GEOREF_RPC;
        else
            method = auto_gcp_method((size_t)(ngcp > 0 ? ngcp : 0));
    }
    if (method == GEOREF_RPC && !has_rpc) {
        diag_error(dg, "%s: has no RPC metadata; choose a GCP method", name);
        return NULL;
    }
    if (method != GEOREF_RPC && ngcp <= 0) {
        diag_error(dg, "%s: has no ground control points", name);
        return NULL;
    }
    char **opts = NULL;
    if (method == GEOREF_RPC) {
        opts = CSLSetNameValue(opts, "METHOD", "RPC");
        if (dem && *dem)
            opts = CSLSetNameValue(opts, "RPC_DEM", dem);
    } else {
        const OGRSpatialReferenceH gcp_srs = GDALGetGCPSpatialRef(src);
        if (!gcp_srs) {
            diag_error(dg, "%s: its ground control points have no CRS", name);
            return NULL;
        }
        if (!gdal_gcp_residuals(GDALGetGCPs(src), (size_t)ngcp, OSRIsGeographic(gcp_srs),
                                method, NULL, fit, name, dg))
            return NULL;
        if (method == GEOREF_TPS) {
            opts = CSLSetNameValue(opts, "METHOD", "GCP_TPS");
        } else {
            char order[8];
            snprintf(order, sizeof order, "%d", poly_order(method));
            opts = CSLSetNameValue(opts, "METHOD", "GCP_POLYNOMIAL");
            opts = CSLSetNameValue(opts, "MAX_GCP_ORDER", order);
        }
    }
    fit->method = method;
    double lon = 0.0, lat = 0.0;
    if (!centre_lonlat(src, opts, &lon, &lat)) {
        diag_error(dg, "%s: the %s transformer cannot place the image's centre", name,
                   georef_method_name(method));
        CSLDestroy(opts);
        return NULL;
    }
    char *dst_wkt = utm_wkt(lon, lat);
    GDALDatasetH warped = dst_wkt ? warped_view(src, dst_wkt, opts) : NULL;
    if (!warped)
        diag_error(dg, "%s: cannot build a north-up view through the %s transformer: %s", name,
                   georef_method_name(method),
                   CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL gave no reason");
    CPLFree(dst_wkt);
    CSLDestroy(opts);
    return warped;
}

GDALDatasetH georef_conformal_view(GDALDatasetH src, const char *name, struct diag *dg)
{
    OGRSpatialReferenceH srs = GDALGetSpatialRef(src);
    double gt[6];
    if (!srs || !OSRIsGeographic(srs) || GDALGetGeoTransform(src, gt) != CE_None)
        return NULL;
    int w = GDALGetRasterXSize(src), h = GDALGetRasterYSize(src);
    /* Corners through the file's own transformer give lon/lat in the
     * traditional order whatever the CRS's axis order says. */
    double lon_min = 1e9, lon_max = -1e9, lat_min = 1e9, lat_max = -1e9;
    void *t = GDALCreateGenImgProjTransformer2(src, NULL, (char *[]){"DST_SRS=EPSG:4326", NULL});
    if (!t)
        return NULL;
    for (int i = 0; i < 4; i++) {
        double x = (i & 1) ? w : 0, y = (i & 2) ? h : 0, z = 0;
        int ok = FALSE;
        GDALGenImgProjTransform(t, FALSE, 1, &x, &y, &z, &ok);
        if (!ok || !isfinite(x) || !isfinite(y)) {
            GDALDestroyGenImgProjTransformer(t);
            return NULL;
        }
        lon_min = fmin(lon_min, x), lon_max = fmax(lon_max, x);
        lat_min = fmin(lat_min, y), lat_max = fmax(lat_max, y);
    }
    GDALDestroyGenImgProjTransformer(t);
    if (lon_max - lon_min > GEOREF_CONFORMAL_MAX_DEGREES || lat_max > 84.0 || lat_min < -80.0)
        return NULL;
    char *dst_wkt = utm_wkt((lon_min + lon_max) / 2, (lat_min + lat_max) / 2);
    GDALDatasetH view = dst_wkt ? warped_view(src, dst_wkt, NULL) : NULL;
    if (!view)
        diag_error(dg, "%s: cannot build its view in the UTM zone of its centre: %s", name,
                   CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL gave no reason");
    CPLFree(dst_wkt);
    return view;
}

/* ---- files made from a picture --------------------------------------------- */

static bool ends_with_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Same directory? (compared as written, after stripping the file names) */
static bool same_directory(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;
    if (!sa && !sb)
        return true;
    char *ra = CPLStrdup(a), *rb = CPLStrdup(b);
    ra[la] = '\0';
    rb[lb] = '\0';
    char *ca = realpath(sa ? ra : ".", NULL), *cb = realpath(sb ? rb : ".", NULL);
    bool same = ca && cb && strcmp(ca, cb) == 0;
    free(ca);
    free(cb);
    CPLFree(ra);
    CPLFree(rb);
    return same;
}

/* The metadata every output carries, as "-mo" pairs for gdal_translate and
 * as items to set on a dataset. */
struct record {
    char sha256[HASH_SHA256_HEX_LEN + 1];
    char method[16];
    char rms[64];
    char *gcps; /* "px,py,lon,lat;..." (CPLMalloc) */
    const char *source;
    const struct georef_reference *reference; /* may be NULL */
};

static void set_record(GDALDatasetH ds, const struct record *rec)
{
    GDALSetMetadataItem(ds, "SATMARK_GEOREF_SOURCE", rec->source, NULL);
    GDALSetMetadataItem(ds, "SATMARK_GEOREF_SOURCE_SHA256", rec->sha256, NULL);
    GDALSetMetadataItem(ds, "SATMARK_GEOREF_METHOD", rec->method, NULL);
    GDALSetMetadataItem(ds, "SATMARK_GEOREF_GCPS", rec->gcps, NULL);
    GDALSetMetadataItem(ds, "SATMARK_GEOREF_RMS_M", rec->rms, NULL);
    if (rec->reference && rec->reference->name && rec->reference->name[0])
        GDALSetMetadataItem(ds, "SATMARK_GEOREF_REFERENCE", rec->reference->name, NULL);
    if (rec->reference && rec->reference->sha256 && rec->reference->sha256[0])
        GDALSetMetadataItem(ds, "SATMARK_GEOREF_REFERENCE_SHA256", rec->reference->sha256, NULL);
}

/* An in-memory VRT of the picture with the GCPs (EPSG:4326) and the record;
 * its SourceFilename is the picture's absolute path. New /vsimem/ name
 * (CPLFree; VSIUnlink it) or NULL. */
static char *gcp_vrt(const char *image_path, const struct georef_gcp *gcps, size_t n,
                     const struct record *rec, struct diag *dg)
{
    char *abs = realpath(image_path, NULL);
    if (!abs) {
        diag_error(dg, "%s: cannot resolve its path", image_path);
        return NULL;
    }
    GDALDatasetH src = GDALOpenEx(abs, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    free(abs);
    if (!src) {
        diag_error(dg, "%s: cannot open it as an image: %s", image_path,
                   CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "unknown format");
        return NULL;
    }
    char **argv = NULL;
    argv = CSLAddString(argv, "-of");
    argv = CSLAddString(argv, "VRT");
    argv = CSLAddString(argv, "-a_srs");
    argv = CSLAddString(argv, "EPSG:4326");
    for (size_t i = 0; i < n; i++) {
        char num[64];
        argv = CSLAddString(argv, "-gcp");
        snprintf(num, sizeof num, "%.17g", gcps[i].px);
        argv = CSLAddString(argv, num);
        snprintf(num, sizeof num, "%.17g", gcps[i].py);
        argv = CSLAddString(argv, num);
        snprintf(num, sizeof num, "%.17g", gcps[i].lon);
        argv = CSLAddString(argv, num);
        snprintf(num, sizeof num, "%.17g", gcps[i].lat);
        argv = CSLAddString(argv, num);
    }
    GDALTranslateOptions *to = GDALTranslateOptionsNew(argv, NULL);
    CSLDestroy(argv);
    char *mem = CPLStrdup(CPLSPrintf("/vsimem/satmark-georef-%p.vrt", (void *)rec));
    int usage_error = FALSE;
    GDALDatasetH vrt = to ? GDALTranslate(mem, src, to, &usage_error) : NULL;
    GDALTranslateOptionsFree(to);
    if (vrt) {
        set_record(vrt, rec);
        GDALClose(vrt);
    } else {
        diag_error(dg, "%s: cannot attach the ground control points: %s", image_path,
                   CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "gdal_translate failed");
        CPLFree(mem);
        mem = NULL;
    }
    GDALClose(src);
    return mem;
}

/* The VRT text at mem with every SourceFilename made to point at the picture
 * from out_path's directory: the bare name, relative to the VRT, when both
 * sit in one directory (so the pair can be moved together), else absolute.
 * New string (CPLFree) or NULL. */
static char *vrt_text_for(const char *mem, const char *image_path, const char *out_path)
{
    vsi_l_offset len = 0;
    GByte *buf = VSIGetMemFileBuffer(mem, &len, FALSE);
    if (!buf)
        return NULL;
    char *text = CPLMalloc((size_t)len + 1);
    memcpy(text, buf, (size_t)len);
    text[len] = '\0';
    CPLXMLNode *root = CPLParseXMLString(text);
    CPLFree(text);
    if (!root)
        return NULL;
    bool relative = same_directory(image_path, out_path);
    char *abs = realpath(image_path, NULL);
    const char *target = relative ? pathname_base(image_path) : abs;
    /* Depth-first over the tree: SourceFilename elements at any depth. */
    CPLXMLNode *stack[64];
    int top = 0;
    stack[top++] = root;
    while (top > 0 && target) {
        CPLXMLNode *node = stack[--top];
        for (CPLXMLNode *c = node; c; c = c->psNext) {
            if (c->eType != CXT_Element)
                continue;
            if (strcmp(c->pszValue, "SourceFilename") == 0) {
                CPLSetXMLValue(c, "#relativeToVRT", relative ? "1" : "0");
                for (CPLXMLNode *t = c->psChild; t; t = t->psNext)
                    if (t->eType == CXT_Text) {
                        CPLFree(t->pszValue);
                        t->pszValue = CPLStrdup(target);
                    }
            } else if (c->psChild && top < 64) {
                stack[top++] = c->psChild;
            }
        }
    }
    char *out = target ? CPLSerializeXMLTree(root) : NULL;
    free(abs);
    CPLDestroyXMLNode(root);
    return out;
}

static bool write_tif(const char *mem, enum georef_method method, const struct record *rec,
                      const char *out_path, struct diag *dg)
{
    GDALDatasetH vrt = GDALOpen(mem, GA_ReadOnly);
    if (!vrt) {
        diag_error(dg, "%s: cannot reopen the ground control points", out_path);
        return false;
    }
    struct georef_fit fit;
    GDALDatasetH warped = georef_warp(vrt, out_path, method, NULL, &fit, dg);
    bool ok = false;
    if (warped) {
        struct safefile *sf = safefile_reserve(out_path, ".satmark-georef", dg);
        if (sf) {
            char **co = NULL;
            co = CSLAddString(co, "COMPRESS=DEFLATE");
            co = CSLAddString(co, "TILED=YES");
            GDALDriverH gtiff = GDALGetDriverByName("GTiff");
            GDALDatasetH out = gtiff ? GDALCreateCopy(gtiff, safefile_temp_path(sf), warped,
                                                      FALSE, co, NULL, NULL)
                                     : NULL;
            CSLDestroy(co);
            if (out) {
                set_record(out, rec);
                CPLErrorReset();
                GDALClose(out); /* writes the rest: a failure shows as the last error */
                ok = CPLGetLastErrorType() != CE_Failure && CPLGetLastErrorType() != CE_Fatal;
            }
            if (!ok) {
                diag_error(dg, "%s: cannot write the GeoTIFF: %s", out_path,
                           CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL failed");
                safefile_abort(sf);
            } else {
                ok = safefile_commit(sf, NULL, dg);
            }
        }
        GDALClose(warped);
    }
    GDALClose(vrt);
    return ok;
}

bool georef_write(const char *image_path, const struct georef_gcp *gcps, size_t n,
                  enum georef_method method, const char *out_path, double *residual_m,
                  struct georef_fit *fit, struct diag *dg)
{
    return georef_write_from(image_path, gcps, n, method, NULL, out_path, residual_m, fit, dg);
}

bool georef_write_from(const char *image_path, const struct georef_gcp *gcps, size_t n,
                       enum georef_method method, const struct georef_reference *reference,
                       const char *out_path, double *residual_m, struct georef_fit *fit,
                       struct diag *dg)
{
    bool as_vrt = ends_with_nocase(out_path, ".vrt");
    if (!as_vrt && !ends_with_nocase(out_path, ".tif") && !ends_with_nocase(out_path, ".tiff")) {
        diag_error(dg, "%s: the output must end in .vrt, .tif or .tiff", out_path);
        return false;
    }
    if (method == GEOREF_RPC) {
        diag_error(dg, "%s: rpc is not a method for ground control points", out_path);
        return false;
    }
    if (method == GEOREF_AUTO)
        method = auto_gcp_method(n);
    if (!georef_residuals(gcps, n, method, residual_m, fit, dg))
        return false;
    struct record rec = {.source = pathname_base(image_path), .reference = reference};
    if (!hash_file_sha256(image_path, rec.sha256, dg))
        return false;
    snprintf(rec.method, sizeof rec.method, "%s", georef_method_name(method));
    snprintf(rec.rms, sizeof rec.rms, "%.3f", fit->rms_m);
    size_t cap = n * 4 * 32 + 1;
    rec.gcps = CPLMalloc(cap);
    rec.gcps[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(rec.gcps + used, cap - used, "%s%.3f,%.3f,%.8f,%.8f",
                                 i ? ";" : "", gcps[i].px, gcps[i].py, gcps[i].lon, gcps[i].lat);

    raster_init(); /* satmark's drivers, registered once */
    struct gdalguard call;
    gdalguard_begin(&call, image_path, false, dg);
    bool ok = false;
    char *mem = gcp_vrt(image_path, gcps, n, &rec, dg);
    if (mem) {
        if (as_vrt) {
            char *text = vrt_text_for(mem, image_path, out_path);
            if (!text)
                diag_error(dg, "%s: cannot write the VRT text", out_path);
            else
                ok = safefile_write(out_path, text, strlen(text), NULL, dg);
            CPLFree(text);
        } else {
            ok = write_tif(mem, method, &rec, out_path, dg);
        }
        VSIUnlink(mem);
        CPLFree(mem);
    }
    gdalguard_end(&call);
    CPLFree(rec.gcps);
    return ok;
}
