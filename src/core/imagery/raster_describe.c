/*
 * raster_describe — what a raster handle tells about its file (see
 * raster.h): bands, overviews, CRS and geotransform (with the warnings an
 * analyst needs: degenerate, rotated, south-up, engineering CRS, located
 * only by RPCs/GCPs), acquisition date, credit, site and the synthetic flag,
 * subdatasets, the SHA-256 of the file, and which bands are displayed
 * (chosen, colour interpretation, mission metadata, palette).
 *
 * Invariants: no pixel is read here; every string copied from the file goes
 * through raster_copy_clean (control characters replaced, length
 * capped), so r->info is safe to print; metadata (dates, provenance, RPCs,
 * GCPs) is read from the file itself (file_ds), never from a warped view.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "raster_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "bandpick.h"
#include "gdalguard.h"

/* ---- warnings and strings from the file ------------------------------------ */

char *raster_copy_clean(const char *s)
{
    char *c = malloc(MAX_FILE_STRING);
    if (!c)
        return NULL;
    gdalguard_sanitize(c, MAX_FILE_STRING, s ? s : "");
    char *shrunk = realloc(c, strlen(c) + 1);
    return shrunk ? shrunk : c;
}

bool raster_warn(struct raster *r, struct diag *dg, const char *fmt, ...)
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
    if (!(r->warnings[r->warning_count] = raster_copy_clean(text)))
        return false;
    r->warning_count++;
    r->info.warnings = (const char *const *)r->warnings;
    r->info.warning_count = r->warning_count;
    return true;
}

/* ---- what the file declares ------------------------------------------------- */

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
            raster_warn(r, dg, "geotransform is degenerate (zero or non-finite): ignored");
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
        raster_warn(r, dg, "CRS is a local/engineering CRS (\"%s\"): no lon/lat",
                    OSRGetName(srs) ? OSRGetName(srs) : "unnamed");
        srs = NULL;
    }
    if (srs) {
        char *wkt = NULL;
        const char *const wkt_opts[] = {"FORMAT=WKT2_2019", NULL};
        if (OSRExportToWktEx(srs, &wkt, wkt_opts) != OGRERR_NONE || !wkt) {
            raster_warn(r, dg, "CRS cannot be written as WKT: ignored");
        } else {
            r->crs_wkt = malloc(strlen(wkt) + 1);
            if (!r->crs_wkt) {
                CPLFree(wkt);
                return false;
            }
            strcpy(r->crs_wkt, wkt);
            in->has_crs = true;
            in->epsg = crs_epsg(srs);
            if (!(r->crs_name = raster_copy_clean(OSRGetName(srs) ? OSRGetName(srs) : "unnamed")))
                return false;
        }
        CPLFree(wkt);
    }
    if (!in->has_geotransform) {
        if (in->has_rpc)
            raster_warn(r, dg, "georeferenced only by RPC metadata, which satmark does not "
                               "use: loads in pixel space");
        else if (in->has_gcps)
            raster_warn(r, dg, "georeferenced only by ground control points, which satmark "
                               "does not use: loads in pixel space");
        else
            raster_warn(r, dg, "no georeferencing (no geotransform): loads in pixel space");
        if (in->has_crs)
            raster_warn(r, dg, "has a CRS but no geotransform: CRS ignored");
    } else {
        if (!in->has_crs)
            raster_warn(r, dg, "has a geotransform but no CRS: pixel <-> image coordinates "
                               "only, no lon/lat");
        if (in->geotransform[2] != 0.0 || in->geotransform[4] != 0.0)
            raster_warn(r, dg, "geotransform is rotated (%.2f degrees): rotation respected",
                        atan2(in->geotransform[4], in->geotransform[1]) * 180.0 /
                            3.14159265358979323846);
        else if (in->geotransform[5] > 0.0)
            raster_warn(r, dg, "south-up image (positive y pixel size): drawn as stored, "
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
            raster_warn(r, dg, "%s '%s' is not a YYYY-MM-DD date: ignored", which, clean);
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
                raster_warn(r, dg, "date taken from TIFFTAG_DATETIME (when the file was "
                                   "written, possibly not the acquisition date)");
            }
        }
    }
    if (!(r->acquired_source = raster_copy_clean(which ? which : "")))
        return false;
    const char *synthetic = GDALGetMetadataItem(file_ds(r), "SATMARK_SYNTHETIC", NULL);
    in->synthetic = synthetic && (strcasecmp(synthetic, "YES") == 0 ||
                                  strcasecmp(synthetic, "TRUE") == 0 || strcmp(synthetic, "1") == 0);
    static const char *const credit_keys[] = {"SATMARK_CREDIT", "TIFFTAG_COPYRIGHT",
                                              "TIFFTAG_ARTIST", NULL};
    if (!(r->credit = raster_copy_clean(first_item(file_ds(r), credit_keys, NULL))))
        return false;
    if (!(r->site = raster_copy_clean(GDALGetMetadataItem(file_ds(r), "SATMARK_SITE", NULL))))
        return false;
    if (in->synthetic)
        raster_warn(r, dg, "synthetic demo image (SATMARK_SYNTHETIC=YES), not real imagery");
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
                    raster_warn(r, dg, "multispectral image (%d bands) that does not say which "
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


/* ---- a second handle, describing ---------------------------------------------- */


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

/* The body of raster_open once the dataset is open: what it declares, then
 * the displayed bands. */
bool raster_describe(struct raster *r, const struct raster_open_options *opt,
                     const struct raster *like, struct diag *dg)
{
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
    r->driver = raster_copy_clean(drv ? GDALGetDriverShortName(drv) : "");
    r->driver_long = raster_copy_clean(drv ? GDALGetDriverLongName(drv) : "");
    ok = r->bands && r->priv && r->driver && r->driver_long;
    if (!ok)
        diag_error(dg, "%s: out of memory", r->path);
    if (ok) {
        in->bands = r->bands;
        in->driver = r->driver;
        in->driver_long = r->driver_long;
        fill_bands(r);
        raster_check_block_sizes(r);
        if (like)
            ok = fill_overviews(r) && adopt_georef(r, like);
        else
            ok = fill_overviews(r) && fill_georef(r, dg) && fill_provenance(r, dg);
        if (!ok)
            diag_error(dg, "%s: out of memory", r->path);
    }
    if (ok && r->block_problem[0])
        raster_warn(r, dg, "%s: pixels will not be read", r->block_problem);
    if (ok) {
        for (int i = 0; i < in->band_count; i++)
            if (r->priv[i].complex) {
                raster_warn(r, dg, "band %d is complex (%s): its amplitude is shown", i + 1,
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
    return ok;
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
