/*
 * raster_read — pixels of a raster handle (see raster.h): the block-size
 * guard, the contrast stretch, windows read as straight RGBA8, and the
 * values of one pixel.
 *
 * Invariants:
 *   - Reads go through GDALRasterIOEx into buffers sized by the *output*
 *     (processed in strips of at most STRIP_VALUES output pixels), never by
 *     the image's declared width x height; GDAL picks the overview level.
 *   - A file whose blocks would make GDAL allocate more than MAX_BLOCK_BYTES
 *     is described but never read (r->block_problem, set at open).
 *   - The Byte fast path (read_cell_bytes) gives exactly the bytes of the
 *     slow path (read_cell) whenever it applies; the settings'
 *     raster_slow_path (SATMARK_RASTER_SLOW_PATH=1) at open turns it off so
 *     tests can compare the two.
 *   - A corrupt block makes only its cells transparent, with an error.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "raster_int.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gdal.h>

#include "gdalguard.h"

#define STRIP_VALUES (1L << 20)  /* output pixels per strip read: bounds memory */
#define STRETCH_SAMPLE_SIDE 512  /* a small level is read decimated to at most this */
#define STRETCH_GRID 16          /* else this many windows per axis ... */
#define STRETCH_WINDOW 32        /* ... of this many pixels per side */
#define STRETCH_LOW_PCT 0.02
#define STRETCH_HIGH_PCT 0.98
#define AVERAGE_MAX_DECIMATION 8.0 /* beyond this, "average" would read too much: nearest */
#define MAX_BLOCK_BYTES (256.0 * 1024 * 1024) /* GDAL allocates a whole block to read it */

/* ---- block-size guard -------------------------------------------------------- */

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

void raster_check_block_sizes(struct raster *r)
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

void raster_set_resampling(struct raster *r, enum raster_resampling resampling)
{
    r->resampling = resampling;
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
 * The settings' raster_slow_path at open time turns it off (tests compare). */
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
