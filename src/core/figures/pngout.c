/*
 * pngout — see pngout.h. All libpng calls that can longjmp run inside
 * run_guarded(), the only function here that calls setjmp: a job struct holds
 * every resource (compressed bands, text array, FILE),
 * allocated before and freed after the guarded call, so a longjmp out of
 * libpng never leaks or skips cleanup in our code. Reading RGBA uses libpng's
 * simplified API, which needs no setjmp at all.
 *
 * Compression: the image is cut into bands of PNGOUT_BAND_ROWS rows. A worker
 * thread converts a band's rows to RGB(A), filters them (one filter byte +
 * the row) and raw-deflates them on their own with ISA-L's igzip, ending with
 * a sync flush (byte aligned), the last band as the final block. The bands
 * are written in order as the payload of IDAT chunks between a zlib header
 * and the Adler-32 of the whole stream (adler32_combine): one valid zlib
 * stream whatever the number of threads, so the bytes never depend on the
 * machine's core count. igzip is several times faster than zlib and twice
 * as fast as libdeflate on imagery, for a few per cent more bytes
 * (docs/render.md has the measurements).
 */
#include "pngout.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <png.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cpucount.h"
#include "dynbuf.h"
#include "safefile.h"
#include "xmlesc.h"

#define PNGOUT_ERR_MAX 256
#define PNGOUT_BAND_ROWS 128
#define PNGOUT_MAX_THREADS 8
#define PNGOUT_MAX_SIDECAR ((size_t)1 << 20) /* the .aux.xml: an SRS is a few KiB */

void pngout_options_init(struct pngout_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->level = 2;
    opt->filter = 2;
    opt->threads = 0;
    opt->sync = true;
    opt->format = PNGOUT_RGBA8;
}

/* ---- atomic files: safefile (protocol in safefile.h) --------------------- */

/* New figures get 0644; an existing file keeps its mode. Without `sync` the
 * file and directory are not fsync'ed (a figure can be rendered again): the
 * replacement is still atomic for every reader, just not across a power loss. */
static struct safefile_options save_options(bool sync)
{
    return (struct safefile_options){.new_file_mode = 0644, .skip_sync = !sync};
}

/* ---- guarded libpng calls ----------------------------------------------- */

/* One band of rows, filtered and deflated by a worker. */
struct band {
    int y0, y1;
    uint8_t *data;   /* owned: 2 bytes of room, the deflated band, 4 bytes of room */
    size_t len;      /* deflated bytes (after the 2 bytes of room) */
    uint32_t adler;  /* Adler-32 of the band's filtered bytes */
    size_t raw_len;  /* filtered bytes */
    bool ok;
};

struct png_job {
    bool writing;
    FILE *fp;
    /* libpng error text, filled by on_png_error before it longjmps */
    char error[PNGOUT_ERR_MAX];
    /* writing */
    const uint8_t *pixels;
    int width, height;
    size_t stride;
    enum pngout_format format;
    bool opaque;
    png_text *texts;
    size_t ntexts;
    int level, filter;
    struct band *bands;    /* owned; nbands, top to bottom */
    size_t nbands;
    /* reading text */
    void (*visit)(const char *key, const char *value, void *user);
    void *user;
    int read_width, read_height;
};

static void on_png_error(png_structp png, png_const_charp msg)
{
    struct png_job *job = png_get_error_ptr(png);
    snprintf(job->error, sizeof job->error, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (e.g. benign chunk issues) do not change what we write */
}

/* The zlib stream header (RFC 1950: deflate, 32 KiB window, "fast"). */
static void zlib_header(uint8_t out[2])
{
    unsigned cmf = 0x78, flg = 1u << 6;
    flg += 31 - ((cmf * 256 + flg) % 31);
    out[0] = (uint8_t)cmf;
    out[1] = (uint8_t)flg;
}

static void write_body(png_structp png, png_infop info, struct png_job *job)
{
    png_init_io(png, job->fp);
    png_set_IHDR(png, info, (png_uint_32)job->width, (png_uint_32)job->height, 8,
                 job->opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (job->ntexts)
        png_set_text(png, info, job->texts, (int)job->ntexts);
    png_write_info(png, info);
    /* the bands, already deflated: the zlib header goes in the room before
     * the first, the Adler-32 of everything in the room after the last */
    uLong adler = adler32(0L, Z_NULL, 0);
    for (size_t i = 0; i < job->nbands; i++)
        adler = adler32_combine(adler, job->bands[i].adler, (z_off_t)job->bands[i].raw_len);
    for (size_t i = 0; i < job->nbands; i++) {
        struct band *b = &job->bands[i];
        uint8_t *start = b->data + 2;
        size_t len = b->len;
        if (i == 0) {
            zlib_header(b->data);
            start = b->data;
            len += 2;
        }
        if (i + 1 == job->nbands) {
            uint8_t *t = b->data + 2 + b->len;
            t[0] = (uint8_t)(adler >> 24), t[1] = (uint8_t)(adler >> 16);
            t[2] = (uint8_t)(adler >> 8), t[3] = (uint8_t)adler;
            len += 4;
        }
        png_write_chunk(png, (png_const_bytep) "IDAT", start, len);
    }
    png_write_chunk(png, (png_const_bytep) "IEND", NULL, 0);
}

static void read_text_body(png_structp png, png_infop info, struct png_job *job)
{
    png_init_io(png, job->fp);
    png_read_info(png, info);
    job->read_width = (int)png_get_image_width(png, info);
    job->read_height = (int)png_get_image_height(png, info);
    png_textp text = NULL;
    int n = png_get_text(png, info, &text, NULL);
    for (int i = 0; i < n; i++)
        job->visit(text[i].key, text[i].text ? text[i].text : "", job->user);
}

/* The one function that calls setjmp. Returns false with job->error set when
 * libpng failed. */
static bool run_guarded(struct png_job *job)
{
    png_structp png;
    if (job->writing)
        png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, on_png_error, on_png_warning);
    else
        png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, on_png_error, on_png_warning);
    if (!png) {
        snprintf(job->error, sizeof job->error, "out of memory");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        if (job->writing)
            png_destroy_write_struct(&png, NULL);
        else
            png_destroy_read_struct(&png, NULL, NULL);
        snprintf(job->error, sizeof job->error, "out of memory");
        return false;
    }
    volatile bool ok = false;
    if (setjmp(png_jmpbuf(png)) == 0) {
        if (job->writing)
            write_body(png, info, job);
        else
            read_text_body(png, info, job);
        ok = true;
    }
    if (job->writing)
        png_destroy_write_struct(&png, &info);
    else
        png_destroy_read_struct(&png, &info, NULL);
    return ok;
}

/* ---- writing ------------------------------------------------------------ */

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* PNG keyword rules: 1..79 Latin-1 printable characters, no leading,
 * trailing or consecutive spaces. We accept ASCII printable only. */
static bool valid_keyword(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 79 || k[0] == ' ' || k[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (c < 0x20 || c > 0x7e)
            return false;
        if (c == ' ' && k[i + 1] == ' ')
            return false;
    }
    return true;
}

/* Converts row y of the job's pixels into out (RGB or RGBA bytes). */
static void convert_row(const struct png_job *job, int y, uint8_t *out)
{
    const uint8_t *src = job->pixels + (size_t)y * job->stride;
    int n = job->opaque ? 3 : 4;
    if (job->format == PNGOUT_RGBA8) {
        if (n == 4) {
            memcpy(out, src, (size_t)job->width * 4);
            return;
        }
        for (int x = 0; x < job->width; x++) {
            out[3 * x] = src[4 * x];
            out[3 * x + 1] = src[4 * x + 1];
            out[3 * x + 2] = src[4 * x + 2];
        }
        return;
    }
    const uint32_t *w = (const uint32_t *)(const void *)src;
    if (n == 3) { /* opaque: premultiplied equals straight, only reorder */
        for (int x = 0; x < job->width; x++) {
            uint32_t v = w[x];
            out[3 * x] = (uint8_t)(v >> 16);
            out[3 * x + 1] = (uint8_t)(v >> 8);
            out[3 * x + 2] = (uint8_t)v;
        }
        return;
    }
    for (int x = 0; x < job->width; x++) {
        uint32_t v = w[x];
        unsigned a = v >> 24, r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
        if (a != 255 && a != 0) {
            r = (r * 255 + a / 2) / a;
            g = (g * 255 + a / 2) / a;
            b = (b * 255 + a / 2) / a;
            r = r > 255 ? 255 : r;
            g = g > 255 ? 255 : g;
            b = b > 255 ? 255 : b;
        }
        uint8_t *o = out + (size_t)x * n;
        o[0] = (uint8_t)r, o[1] = (uint8_t)g, o[2] = (uint8_t)b;
        if (n == 4)
            o[3] = (uint8_t)a;
    }
}

/* True when every pixel of the row is opaque. Branch-free over the row (an
 * AND of all alpha bytes), which the compiler vectorises: this runs over
 * every pixel of every figure. */
static bool row_opaque(const struct png_job *job, const uint8_t *row)
{
    unsigned all = 255;
    if (job->format == PNGOUT_RGBA8) {
        for (int x = 0; x < job->width; x++)
            all &= row[4 * x + 3];
        return all == 255;
    }
    uint32_t words = 0xffffffffu;
    const uint32_t *w = (const uint32_t *)(const void *)row;
    for (int x = 0; x < job->width; x++)
        words &= w[x];
    return words >> 24 == 255;
}

/* out = a - b, bytewise (PNG's Up filter). restrict: the rows never overlap,
 * so the loop is vectorised without run-time checks. */
static void subtract_row(uint8_t *restrict out, const uint8_t *restrict a,
                         const uint8_t *restrict b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        out[k] = (uint8_t)(a[k] - b[k]);
}

/* Filters rows [b->y0, b->y1) into out (each row: the filter type byte,
 * then the filtered bytes); prev and cur are scratch rows. */
static void filter_band(const struct png_job *job, const struct band *b, uint8_t *out,
                        uint8_t *prev, uint8_t *cur)
{
    size_t rowbytes = (size_t)job->width * (job->opaque ? 3 : 4);
    size_t bpp = job->opaque ? 3 : 4;
    if (b->y0 > 0 && job->filter == 2)
        convert_row(job, b->y0 - 1, prev);
    for (int y = b->y0; y < b->y1; y++) {
        convert_row(job, y, cur);
        out[0] = (uint8_t)job->filter;
        if (job->filter == 2 && y > 0) {
            subtract_row(out + 1, cur, prev, rowbytes);
        } else if (job->filter == 1) {
            memcpy(out + 1, cur, bpp);
            for (size_t k = bpp; k < rowbytes; k++)
                out[1 + k] = (uint8_t)(cur[k] - cur[k - bpp]);
        } else {
            memcpy(out + 1, cur, rowbytes);
        }
        out += rowbytes + 1;
        uint8_t *t = prev;
        prev = cur;
        cur = t;
    }
}

/* Deflates raw into b->data (after its 2 bytes of room) as raw deflate:
 * ended by a sync flush (byte aligned, not final) or, for the last band,
 * as the final block. Grows b->data when the output does not fit. */
static bool deflate_band(const struct png_job *job, struct band *b, const uint8_t *raw,
                         bool last, uint8_t *level_buf, size_t level_buf_size)
{
    size_t cap = b->raw_len + b->raw_len / 8 + 1024 + 6;
    b->data = malloc(cap);
    if (!b->data)
        return false;
    struct isal_zstream zs;
    isal_deflate_init(&zs);
    zs.level = (uint32_t)job->level;
    zs.level_buf = level_buf;
    zs.level_buf_size = (uint32_t)level_buf_size;
    zs.gzip_flag = IGZIP_DEFLATE;
    zs.end_of_stream = last ? 1 : 0;
    zs.flush = last ? NO_FLUSH : SYNC_FLUSH;
    zs.next_in = (uint8_t *)(uintptr_t)raw; /* ISA-L reads but does not modify it */
    zs.avail_in = (uint32_t)b->raw_len;
    zs.next_out = b->data + 2;
    zs.avail_out = (uint32_t)(cap - 6);
    for (;;) {
        if (isal_deflate(&zs) != COMP_OK)
            return false;
        bool done = last ? zs.internal_state.state == ZSTATE_END
                         : zs.avail_in == 0 && zs.avail_out > 0;
        if (done)
            break;
        if (zs.avail_out == 0) { /* incompressible band: more room */
            size_t used = (size_t)(zs.next_out - b->data);
            size_t ncap = cap * 2;
            uint8_t *q = realloc(b->data, ncap);
            if (!q)
                return false;
            b->data = q;
            cap = ncap;
            zs.next_out = q + used;
            zs.avail_out = (uint32_t)(ncap - used - 4);
        }
    }
    b->len = (size_t)(zs.next_out - (b->data + 2));
    return true;
}

struct band_worker {
    const struct png_job *job;
    size_t first, step; /* bands first, first + step, ... */
};

/* Filters and deflates the worker's bands. Never calls libpng. */
static void *compress_bands(void *arg)
{
    struct band_worker *w = arg;
    const struct png_job *job = w->job;
    size_t rowbytes = (size_t)job->width * (job->opaque ? 3 : 4);
    size_t level_buf_size = job->level == 0   ? 0
                            : job->level == 1 ? ISAL_DEF_LVL1_DEFAULT
                            : job->level == 2 ? ISAL_DEF_LVL2_DEFAULT
                                              : ISAL_DEF_LVL3_DEFAULT;
    uint8_t *prev = malloc(rowbytes), *cur = malloc(rowbytes);
    uint8_t *raw = malloc((size_t)PNGOUT_BAND_ROWS * (rowbytes + 1));
    uint8_t *level_buf = level_buf_size ? malloc(level_buf_size) : NULL;
    bool have = prev && cur && raw && (level_buf || !level_buf_size);
    for (size_t i = w->first; i < job->nbands; i += w->step) {
        struct band *b = &job->bands[i];
        b->raw_len = (size_t)(b->y1 - b->y0) * (rowbytes + 1);
        b->ok = false;
        if (!have)
            continue;
        filter_band(job, b, raw, prev, cur);
        b->adler = isal_adler32(1, raw, b->raw_len);
        b->ok = deflate_band(job, b, raw, i + 1 == job->nbands, level_buf, level_buf_size);
    }
    free(prev);
    free(cur);
    free(raw);
    free(level_buf);
    return NULL;
}

static int online_cpus(void)
{
    int n = cpucount_online();
    return n > PNGOUT_MAX_THREADS ? PNGOUT_MAX_THREADS : n;
}

/* Cuts the image into bands and compresses them on up to `threads` threads.
 * Returns false on out of memory. */
static bool compress_image(struct png_job *job, int threads)
{
    job->nbands = ((size_t)job->height + PNGOUT_BAND_ROWS - 1) / PNGOUT_BAND_ROWS;
    job->bands = calloc(job->nbands, sizeof *job->bands);
    if (!job->bands)
        return false;
    for (size_t i = 0; i < job->nbands; i++) {
        job->bands[i].y0 = (int)(i * PNGOUT_BAND_ROWS);
        job->bands[i].y1 = (int)((i + 1) * PNGOUT_BAND_ROWS < (size_t)job->height
                                     ? (i + 1) * PNGOUT_BAND_ROWS
                                     : (size_t)job->height);
    }
    if (threads < 1)
        threads = 1;
    /* Bounded here, where the arrays below are sized: callers pass what the
     * user asked (batch -j 64 gives one figure 64 threads). */
    if (threads > PNGOUT_MAX_THREADS)
        threads = PNGOUT_MAX_THREADS;
    if ((size_t)threads > job->nbands)
        threads = (int)job->nbands;
    struct band_worker workers[PNGOUT_MAX_THREADS];
    pthread_t tids[PNGOUT_MAX_THREADS];
    bool started[PNGOUT_MAX_THREADS] = {false};
    for (int t = 0; t < threads; t++) {
        workers[t] = (struct band_worker){job, (size_t)t, (size_t)threads};
        if (t > 0)
            started[t] = pthread_create(&tids[t], NULL, compress_bands, &workers[t]) == 0;
    }
    /* this thread does worker 0, plus the share of any thread that did not start */
    compress_bands(&workers[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            compress_bands(&workers[t]);
    }
    for (size_t i = 0; i < job->nbands; i++)
        if (!job->bands[i].ok)
            return false;
    return true;
}

bool pngout_write(const char *path, const uint8_t *rgba, int width, int height, size_t stride,
                  const struct pngout_text *texts, size_t ntexts,
                  const struct pngout_options *opt, struct diag *dg)
{
    struct pngout_options defaults;
    if (!opt) {
        pngout_options_init(&defaults);
        opt = &defaults;
    }
    if (width <= 0 || height <= 0 || width > 1000000 || height > 1000000 ||
        stride < (size_t)width * 4) {
        diag_error(dg, "%s: invalid image size %dx%d", path, width, height);
        return false;
    }
    if (opt->level < 0 || opt->level > 3 || opt->filter < 0 || opt->filter > 2 ||
        (opt->format != PNGOUT_RGBA8 && opt->format != PNGOUT_ARGB32)) {
        diag_error(dg, "%s: invalid PNG options (level %d, filter %d)", path, opt->level,
                   opt->filter);
        return false;
    }
    for (size_t i = 0; i < ntexts; i++) {
        if (!texts[i].key || !valid_keyword(texts[i].key) || !texts[i].value) {
            diag_error(dg, "%s: invalid PNG text keyword '%s'", path,
                       texts[i].key ? texts[i].key : "(null)");
            return false;
        }
    }

    struct png_job job = {
        .writing = true,
        .pixels = rgba,
        .width = width,
        .height = height,
        .stride = stride,
        .format = opt->format,
        .opaque = true,
        .ntexts = ntexts,
        .level = opt->level,
        .filter = opt->filter,
    };
    for (int y = 0; y < height && job.opaque; y++)
        job.opaque = row_opaque(&job, rgba + (size_t)y * stride);
    job.texts = ntexts ? calloc(ntexts, sizeof *job.texts) : NULL;
    bool ok = !ntexts || job.texts;
    if (!ok) {
        diag_error(dg, "%s: out of memory", path);
    } else if (!compress_image(&job, opt->threads > 0 ? opt->threads : online_cpus())) {
        diag_error(dg, "%s: out of memory while compressing", path);
        ok = false;
    }
    for (size_t i = 0; ok && i < ntexts; i++) {
        png_text *t = &job.texts[i];
        /* libpng takes non-const pointers but only reads them */
        t->key = (png_charp)(uintptr_t)texts[i].key;
        t->text = (png_charp)(uintptr_t)texts[i].value;
        if (is_ascii(texts[i].value)) {
            t->compression = PNG_TEXT_COMPRESSION_NONE;
            t->text_length = strlen(texts[i].value);
        } else {
            t->compression = PNG_ITXT_COMPRESSION_NONE;
            t->itxt_length = strlen(texts[i].value);
            t->lang = (png_charp)(uintptr_t)"";
            t->lang_key = (png_charp)(uintptr_t)"";
        }
    }

    struct safefile *sf = ok ? safefile_begin(path, dg) : NULL;
    ok = ok && sf;
    if (ok) {
        job.fp = safefile_stream(sf);
        if (run_guarded(&job)) {
            const struct safefile_options so = save_options(opt->sync);
            ok = safefile_commit(sf, &so, dg);
        } else {
            diag_error(dg, "%s: PNG encoder: %s", path, job.error);
            safefile_abort(sf);
            ok = false;
        }
    }
    for (size_t i = 0; job.bands && i < job.nbands; i++)
        free(job.bands[i].data);
    free(job.bands);
    free(job.texts);
    return ok;
}

char *pngout_world_file_path(const char *png_path)
{
    size_t n = strlen(png_path);
    char *out = malloc(n + 5);
    if (!out)
        return NULL;
    memcpy(out, png_path, n + 1);
    if (n >= 4 && out[n - 4] == '.' && strchr("pP", out[n - 3]) && strchr("nN", out[n - 2]) &&
        strchr("gG", out[n - 1]))
        memcpy(out + n - 4, ".pgw", 5);
    else
        memcpy(out + n, ".pgw", 5);
    return out;
}

/* Writes text (borrowed, NUL-terminated) to path atomically. */
static bool write_small_file(const char *path, const char *text, bool sync, struct diag *dg)
{
    const struct safefile_options so = save_options(sync);
    return safefile_write(path, text, strlen(text), &so, dg);
}

bool pngout_write_georef(const char *png_path, const double gt[6], const char *srs_wkt,
                         struct diag *dg)
{
    return pngout_write_georef_opt(png_path, gt, srs_wkt, NULL, dg);
}

bool pngout_write_georef_opt(const char *png_path, const double gt[6], const char *srs_wkt,
                             const struct pngout_options *opt, struct diag *dg)
{
    bool sync = opt ? opt->sync : true;
    char *world = pngout_world_file_path(png_path);
    if (!world) {
        diag_error(dg, "%s: out of memory", png_path);
        return false;
    }
    /* World file: A, D, B, E, then the CRS coordinates of the CENTRE of the
     * top-left pixel (GDAL's geotransform names its corner). */
    char text[512];
    snprintf(text, sizeof text, "%.17g\n%.17g\n%.17g\n%.17g\n%.17g\n%.17g\n", gt[1], gt[4],
             gt[2], gt[5], gt[0] + 0.5 * gt[1] + 0.5 * gt[2], gt[3] + 0.5 * gt[4] + 0.5 * gt[5]);
    bool ok = write_small_file(world, text, sync, dg);
    free(world);
    if (!ok)
        return false;

    size_t n = strlen(png_path);
    char *aux = malloc(n + 9);
    if (!aux) {
        diag_error(dg, "%s: out of memory", png_path);
        return false;
    }
    memcpy(aux, png_path, n);
    memcpy(aux + n, ".aux.xml", 9);
    if (!srs_wkt || !*srs_wkt) {
        if (unlink(aux) != 0 && errno != ENOENT) {
            diag_error(dg, "%s: cannot remove stale file: %s", aux, strerror(errno));
            ok = false;
        }
        free(aux);
        return ok;
    }
    /* No dataAxisToSRSAxisMapping attribute: GDAL then applies the
     * traditional GIS order (x = easting/lon), which is what the world file
     * and our geotransforms use. */
    struct dynbuf xml;
    dynbuf_init(&xml, PNGOUT_MAX_SIDECAR);
    dynbuf_append_str(&xml, "<PAMDataset>\n  <SRS>");
    xmlesc_append(&xml, srs_wkt, XMLESC_TEXT);
    dynbuf_append_str(&xml, "</SRS>\n</PAMDataset>\n");
    if (dynbuf_failed(&xml)) {
        diag_error(dg, "%s: %s building %s", png_path, dynbuf_error(&xml), aux);
        ok = false;
    } else {
        ok = write_small_file(aux, dynbuf_str(&xml), sync, dg);
    }
    dynbuf_free(&xml);
    free(aux);
    return ok;
}

/* ---- reading (tests, info) ---------------------------------------------- */

bool pngout_read_text(const char *path,
                      void (*visit)(const char *key, const char *value, void *user), void *user,
                      int *width, int *height, struct diag *dg)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        diag_error(dg, "%s: %s", path, strerror(errno));
        return false;
    }
    unsigned char sig[8];
    if (fread(sig, 1, 8, fp) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        fclose(fp);
        diag_error(dg, "%s: not a PNG file", path);
        return false;
    }
    rewind(fp);
    struct png_job job = {.writing = false, .fp = fp, .visit = visit, .user = user};
    bool ok = run_guarded(&job);
    fclose(fp);
    if (!ok) {
        diag_error(dg, "%s: PNG decoder: %s", path, job.error);
        return false;
    }
    if (width)
        *width = job.read_width;
    if (height)
        *height = job.read_height;
    return true;
}

uint8_t *pngout_read_rgba(const char *path, int *width, int *height, struct diag *dg)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) {
        diag_error(dg, "%s: %s", path, image.message);
        png_image_free(&image);
        return NULL;
    }
    if (image.width > 65536 || image.height > 65536) {
        diag_error(dg, "%s: image too large (%ux%u)", path, image.width, image.height);
        png_image_free(&image);
        return NULL;
    }
    image.format = PNG_FORMAT_RGBA;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(image));
    if (!buf) {
        diag_error(dg, "%s: out of memory", path);
        png_image_free(&image);
        return NULL;
    }
    if (!png_image_finish_read(&image, NULL, buf, 0, NULL)) {
        diag_error(dg, "%s: %s", path, image.message);
        free(buf);
        png_image_free(&image);
        return NULL;
    }
    *width = (int)image.width;
    *height = (int)image.height;
    return buf;
}
