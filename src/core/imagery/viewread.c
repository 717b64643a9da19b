/*
 * viewread — see viewread.h.
 */
#include "viewread.h"

#include <pthread.h>
#include <stddef.h>

#include "cpucount.h"

/* Turns rows [r0, r1) of straight RGBA8 pixels, in place, into Cairo's
 * premultiplied native-endian ARGB32 composed over an opaque background (the
 * result is opaque). Both formats have 4 bytes per pixel, so the imagery is
 * read straight into the surface's memory. */
static void rgba_to_argb_over(uint8_t *data, int w, int r0, int r1, int stride,
                              struct style_rgb bg)
{
    for (int y = r0; y < r1; y++) {
        uint8_t *row = data + (size_t)y * stride;
        uint32_t *dst = (uint32_t *)(void *)row;
        for (int x = 0; x < w; x++) {
            const uint8_t *p = row + 4 * x;
            unsigned a = p[3], ia = 255 - a;
            unsigned r = p[0], g = p[1], b = p[2];
            if (a != 255) {
                r = (r * a + bg.r * ia + 127) / 255;
                g = (g * a + bg.g * ia + 127) / 255;
                b = (b * a + bg.b * ia + 127) / 255;
            }
            dst[x] = 0xff000000u | (r << 16) | (g << 8) | b;
        }
    }
}

struct read_worker {
    struct raster *main;                  /* borrowed: the caller's handle */
    const struct render_view *view;
    int width, height;
    const struct raster_stretch *stretch;
    struct raster *r;                     /* borrowed (thread 0) or owned */
    bool own;
    int first, step;                      /* thread index and thread count */
    uint8_t *data;
    int stride;
    struct style_rgb bg;
    struct diag *dg;                      /* owned */
    bool ok;
};

static void *read_parts(void *arg)
{
    struct read_worker *w = arg;
    w->ok = true;
    if (!w->r) {
        w->r = raster_open_sibling(w->main, w->dg);
        w->own = true;
        if (!w->r || !raster_set_stretch(w->r, w->stretch, w->dg)) {
            w->ok = false;
            return NULL;
        }
    }
    const struct render_view *v = w->view;
    int k0 = VIEWREAD_PARTS * w->first / w->step;
    int k1 = VIEWREAD_PARTS * (w->first + 1) / w->step;
    double ky = v->src_h / w->height;
    for (int k = k0; k < k1; k++) {
        int r0 = (int)((long)w->height * k / VIEWREAD_PARTS);
        int r1 = (int)((long)w->height * (k + 1) / VIEWREAD_PARTS);
        if (r1 <= r0)
            continue;
        uint8_t *dst = w->data + (size_t)r0 * w->stride;
        if (!raster_read_rgba(w->r, v->src_x, v->src_y + r0 * ky, v->src_w, (r1 - r0) * ky,
                              w->width, r1 - r0, dst, w->dg))
            w->ok = false;
        rgba_to_argb_over(w->data, w->width, r0, r1, w->stride, w->bg);
    }
    return NULL;
}

bool viewread_argb(struct raster *r, const struct render_view *view, int width, int height,
                   int threads, uint8_t *argb, int stride, struct style_rgb bg,
                   struct diag *dg)
{
    const char *path = raster_get_info(r)->path;
    if (stride != width * 4) {
        diag_error(dg, "%s: unexpected surface layout", path);
        return false;
    }
    struct raster_stretch stretch;
    if (!raster_get_stretch(r, &stretch, dg))
        return false;
    threads = threads > 0 ? threads : cpucount_online();
    threads = threads > VIEWREAD_MAX_THREADS ? VIEWREAD_MAX_THREADS : threads;
    /* small figures are not worth a second GDAL handle */
    if ((long)width * height < 512L * 512L)
        threads = 1;
    struct read_worker w[VIEWREAD_MAX_THREADS];
    pthread_t tids[VIEWREAD_MAX_THREADS];
    bool started[VIEWREAD_MAX_THREADS] = {false};
    for (int t = 0; t < threads; t++) {
        w[t] = (struct read_worker){r, view, width, height, &stretch, t == 0 ? r : NULL,
                                    false, t, threads, argb, stride, bg, diag_new(), false};
        if (!w[t].dg) {
            threads = t;
            break;
        }
        if (t > 0)
            started[t] = pthread_create(&tids[t], NULL, read_parts, &w[t]) == 0;
    }
    if (threads == 0) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    read_parts(&w[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t]) {
            pthread_join(tids[t], NULL);
        } else { /* no thread: do its parts here with the main handle */
            w[t].r = r;
            read_parts(&w[t]);
        }
    }
    bool ok = true;
    for (int t = 0; t < threads; t++) {
        if (!w[t].ok && ok) {
            diag_error(dg, "%s", diag_message(w[t].dg));
            ok = false;
        }
        /* warnings of the extra handles repeat the main handle's: dropped */
        if (w[t].own)
            raster_close(w[t].r);
        diag_free(w[t].dg);
    }
    return ok;
}
