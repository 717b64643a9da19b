/*
 * imagery — the viewer's side of the tile cache: the reader callbacks (each
 * worker thread opens its own raster handle on the same path, with the UI
 * handle's stretch so every tile renders alike), taking finished tiles from
 * the workers (their pixels are handed over, not copied: compose.c samples
 * them on the CPU), and requesting the tiles a view needs, centre first.
 *
 * Nothing here reads pixels on the UI thread. The SHA-256 of the image (for
 * the observations of new marks) is computed on its own thread at start,
 * because reading a multi-gigabyte file takes seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viewer.h"

struct tilecache_reader {
    struct raster *raster;
};

/* Guards a source's open options and stretch, which key B changes on the
 * UI thread while a new cache's workers may still be reading them. */
static pthread_mutex_t source_lock = PTHREAD_MUTEX_INITIALIZER;

static struct tilecache_reader *reader_open(struct tilecache_source *src, struct diag *dg)
{
    viewer_background_thread(); /* called on the worker thread: lowers it for good */
    pthread_mutex_lock(&source_lock);
    struct raster_open_options open = src->open;
    struct raster_stretch stretch = src->stretch;
    bool has_stretch = src->has_stretch;
    pthread_mutex_unlock(&source_lock);
    struct raster *r = raster_open(src->path, &open, dg);
    if (!r)
        return NULL;
    if (has_stretch && !raster_set_stretch(r, &stretch, dg)) {
        raster_close(r);
        return NULL;
    }
    struct tilecache_reader *reader = malloc(sizeof *reader);
    if (!reader) {
        diag_error(dg, "%s: out of memory", src->path);
        raster_close(r);
        return NULL;
    }
    reader->raster = r;
    return reader;
}

/* Reads RGBA and reorders it on this worker thread to 0xAARRGGBB values
 * (SDL's ARGB8888, the window surface's layout), what compose.c writes. */
static bool reader_read(struct tilecache_reader *reader, double x, double y, double w, double h,
                        int out_w, int out_h, uint8_t *rgba, struct diag *dg)
{
    bool ok = raster_read_rgba(reader->raster, x, y, w, h, out_w, out_h, rgba, dg);
    uint32_t *px = (uint32_t *)(void *)rgba;
    for (size_t i = 0; i < (size_t)out_w * out_h; i++) {
        const uint8_t *p = rgba + i * 4;
        px[i] = (uint32_t)p[3] << 24 | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    }
    return ok;
}

static void reader_close(struct tilecache_reader *reader)
{
    raster_close(reader->raster);
    free(reader);
}

static void texture_free(struct tilecache_texture *t)
{
    free(t->pixels);
    free(t);
}

static const struct tilecache_source_ops raster_ops = {
    .open_reader = reader_open,
    .read = reader_read,
    .close_reader = reader_close,
    .texture_free = texture_free,
};

static void *hash_main(void *arg)
{
    struct image_layer *img = arg;
    viewer_background_thread();
    struct diag *dg = diag_new();
    char file[4096]; /* a subdataset's container file */
    img->hash_ok = hash_file_sha256(raster_hashed_file(img->path, file, sizeof file),
                                    img->sha256, dg);
    if (!img->hash_ok)
        snprintf(img->hash_error, sizeof img->hash_error, "%s",
                 diag_failed(dg) ? diag_message(dg) : "cannot hash the image");
    diag_free(dg);
    atomic_store(&img->hash_done, true);
    return NULL;
}

static struct tilecache *make_cache(struct image_layer *img, struct diag *dg)
{
    struct tilecache_config cfg = {
        .image_width = img->width,
        .image_height = img->height,
        .tile_size = TILECACHE_DEFAULT_TILE,
        /* A 1920x1080 view needs ~15 MB of tiles plus fallbacks: 64 MB keeps
         * recent views too without growing the process much. */
        .max_bytes = img->cache_bytes,
        .worker_count = 2,
    };
    return tilecache_new(&cfg, &raster_ops, &img->source, dg);
}

/* Frees a replaced cache: its workers may be in the middle of a slow
 * (decimated) read, which the UI thread must not wait for. */
static void *retire_main(void *arg)
{
    tilecache_free(arg);
    return NULL;
}

/* Shows bands (raster_set_bands' meaning) on img: the UI handle, its
 * stretch (a small read, once per key press), then new tile readers. */
static bool show_bands(struct viewer *vw, struct image_layer *img, const int bands[3])
{
    struct diag *dg = diag_new();
    if (!dg)
        return false;
    struct raster_stretch st;
    bool ok = raster_set_bands(img->raster, bands, 0, dg) &&
              raster_get_stretch(img->raster, &st, dg);
    if (!ok) {
        viewer_message(vw, true, "%s", diag_message(dg));
        diag_free(dg);
        return false;
    }
    diag_free(dg);
    pthread_mutex_lock(&source_lock);
    memcpy(img->source.open.bands, bands, sizeof img->source.open.bands);
    img->source.stretch = st;
    img->source.has_stretch = true;
    pthread_mutex_unlock(&source_lock);
    return imagery_reload(vw, img);
}

void imagery_cycle_bands(struct viewer *vw)
{
    int n = raster_get_info(vw->imagery.a.raster)->band_count;
    int next = vw->imagery.band_preset + 1;
    if (next > n)
        next = vw->imagery.bands[0] ? -1 : 0;
    int bands[3] = {0, 0, 0};
    if (next < 0)
        memcpy(bands, vw->imagery.bands, sizeof bands);
    else if (next > 0)
        bands[0] = next;
    if (!show_bands(vw, &vw->imagery.a, bands))
        return;
    vw->imagery.band_preset = next;
    if (vw->imagery.has_b &&
        raster_get_info(vw->imagery.b.raster)->band_count >= (next > 0 ? next : 1))
        show_bands(vw, &vw->imagery.b, bands);
    const struct raster_info *in = raster_get_info(vw->imagery.a.raster);
    const int *d = in->display_bands;
    bool grey = d[0] == d[1] && d[1] == d[2];
    const char *why = in->display_reason && in->display_reason[0]
                          ? in->display_reason
                          : "the file does not say which are red, green, blue";
    if (in->palette_expanded)
        viewer_message(vw, false, "bands: %s band %d through its palette",
                       next == 0 ? "auto," : "", d[0]);
    else if (grey)
        viewer_message(vw, false, "bands: %sband %d alone (%s)", next == 0 ? "auto, " : "", d[0],
                       ramp_name(vw->imagery.ramp));
    else
        viewer_message(vw, false, "bands: %s%d,%d,%d as R,G,B (%s)",
                       next == 0 ? "auto, " : next < 0 ? "--bands " : "", d[0], d[1], d[2],
                       next == 0 ? why : "chosen");
}

bool imagery_reload(struct viewer *vw, struct image_layer *img)
{
    struct diag *dg = diag_new();
    struct tilecache *fresh = dg ? make_cache(img, dg) : NULL;
    if (!fresh) {
        viewer_message(vw, true, "%s: cannot restart the tile readers: %s", img->name,
                       dg && diag_failed(dg) ? diag_message(dg) : "out of memory");
        diag_free(dg);
        return false;
    }
    diag_free(dg);
    if (img->retire_started) { /* an earlier one: finished long ago in practice */
        pthread_join(img->retire_thread, NULL);
        img->retire_started = false;
    }
    struct tilecache *old = img->cache;
    img->cache = fresh;
    img->tiles_generation++;
    tilecache_get(img->cache, tilecache_level_count(img->cache) - 1, 0, 0, true);
    if (pthread_create(&img->retire_thread, NULL, retire_main, old) == 0)
        img->retire_started = true;
    else
        tilecache_free(old);
    vw->frame.needs_frame = true;
    return true;
}

bool imagery_open(struct viewer *vw, struct image_layer *img, const char *path)
{
    memset(img, 0, sizeof *img);
    struct raster_open_options ro;
    raster_open_options_init(&ro);
    memcpy(ro.bands, vw->imagery.bands, sizeof ro.bands);
    ro.ramp = vw->imagery.ramp;
    /* the subdataset is TILE's: image B is another file */
    struct imgopt opts = vw->imagery.image_opts;
    if (img != &vw->imagery.a)
        opts.subdataset = NULL;
    img->path = imgopt_prepare(&opts, path, &ro, vw->dg);
    if (!img->path)
        return false;
    const char *slash = strrchr(img->path, '/');
    img->name = slash ? slash + 1 : img->path;
    img->source.open = ro;
    img->raster = raster_open(img->path, &ro, vw->dg);
    if (!img->raster)
        return false;
    const struct raster_info *info = raster_get_info(img->raster);
    img->width = info->width;
    img->height = info->height;
    snprintf(img->acquired, sizeof img->acquired, "%s", info->acquired);
    img->geo = geo_ref_from_raster(img->raster, vw->dg);
    if (!img->geo)
        return false;
    img->georeferenced = geo_ref_has_crs(img->geo);
    if (!img->georeferenced)
        diag_warn(vw->dg, "%s: no coordinate reference system: shown in pixel space, marks "
                          "cannot be placed", path);
    /* The stretch is computed once here (a small read) and shared with the
     * workers so all tiles use the same contrast. */
    img->source.path = img->path;
    if (raster_get_stretch(img->raster, &img->source.stretch, vw->dg))
        img->source.has_stretch = true;
    else
        diag_clear_error(vw->dg);
    img->has_overviews = info->overview_count > 0;
    img->cache_bytes =
        vw->imagery.has_b || vw->opt.compare_path ? VIEWER_TILE_BYTES / 2 : VIEWER_TILE_BYTES;
    img->cache = make_cache(img, vw->dg);
    if (!img->cache)
        return false;
    /* The coarsest tile (the first frame's imagery) is read while the rest
     * of start-up (annotations, style, window) goes on; the first frame
     * renews the request. */
    tilecache_get(img->cache, tilecache_level_count(img->cache) - 1, 0, 0, true);
    return true;
}

void imagery_start_hash(struct image_layer *img)
{
    if (img->hash_started || img->hash_joined || !img->path)
        return;
    if (!raster_path_is_remote(img->path) &&
        pthread_create(&img->hash_thread, NULL, hash_main, img) == 0) {
        img->hash_started = true;
    } else {
        snprintf(img->hash_error, sizeof img->hash_error, "%s: cannot hash %s", img->path,
                 raster_path_is_remote(img->path) ? "a remote image" : "(no thread)");
        img->hash_joined = true;
        atomic_store(&img->hash_done, true);
    }
}

bool imagery_sha256(struct image_layer *img, const char **hex, const char **error)
{
    imagery_start_hash(img);
    if (img->hash_started && !img->hash_joined) {
        pthread_join(img->hash_thread, NULL);
        img->hash_joined = true;
    }
    *hex = img->hash_ok ? img->sha256 : "";
    *error = img->hash_ok ? NULL : img->hash_error;
    return img->hash_ok;
}

void imagery_close(struct image_layer *img)
{
    overviews_stop(img);
    if (img->retire_started) {
        pthread_join(img->retire_thread, NULL);
        img->retire_started = false;
    }
    if (img->hash_started && !img->hash_joined) {
        pthread_join(img->hash_thread, NULL);
        img->hash_joined = true;
    }
    tilecache_free(img->cache);
    render_overlay_free(img->overlay);
    render_overlay_free(img->overlay_in_a);
    geo_ref_free(img->geo);
    raster_close(img->raster);
    free(img->path);
    memset(img, 0, sizeof *img);
}

int imagery_upload(struct viewer *vw, struct image_layer *img)
{
    if (!img->cache)
        return 0;
    int done = 0;
    struct tilecache_tile *tile;
    /* Cheap (a pointer handed over, one pass to find out whether the tile is
     * opaque): every finished tile is taken at once. */
    while ((tile = tilecache_next_finished(img->cache))) {
        int w = 0, h = 0;
        tilecache_tile_pixels(tile, &w, &h);
        uint8_t *px = tilecache_take_pixels(img->cache, tile);
        struct tilecache_texture *tex = NULL;
        if (px) {
            tex = malloc(sizeof *tex);
            if (tex) {
                tex->pixels = (uint32_t *)(void *)px;
                tex->w = w;
                tex->h = h;
                tex->opaque = true;
                for (size_t i = 0; i < (size_t)w * h && tex->opaque; i++)
                    tex->opaque = tex->pixels[i] >> 24 == 255;
            } else {
                free(px);
                viewer_message(vw, true, "%s: out of memory for a tile", img->name);
            }
        }
        const char *err = tilecache_tile_error(tile);
        if (err)
            viewer_message(vw, true, "tile read failed: %s", err);
        tilecache_set_texture(img->cache, tile, tex);
        done++;
    }
    if (done) {
        img->tiles_generation++;
        vw->frame.needs_frame = true;
    }
    return done;
}

bool imagery_idle(struct image_layer *img)
{
    return !img->cache || tilecache_idle(img->cache);
}

void imagery_request(struct image_layer *img, const struct view *v, SDL_Rect clip)
{
    img->missing_tiles = 0;
    img->failed_tiles = 0;
    if (!img->cache)
        return;
    double x0, y0, x1, y1;
    view_screen_to_image(v, clip.x, clip.y, &x0, &y0);
    view_screen_to_image(v, clip.x + clip.w, clip.y + clip.h, &x1, &y1);
    imagery_request_box(img, tilecache_level_for_scale(img->cache, v->scale), x0, y0, x1, y1);
}

void imagery_request_box(struct image_layer *img, int level, double x0, double y0, double x1,
                         double y1)
{
    struct tilecache *tc = img->cache;
    img->missing_tiles = 0;
    img->failed_tiles = 0;
    if (!tc)
        return;
    int levels = tilecache_level_count(tc);
    int tile = tilecache_tile_size(tc);
    /* Clipped to the image. */
    x0 = fmax(x0, 0);
    y0 = fmax(y0, 0);
    x1 = fmin(x1, img->width);
    y1 = fmin(y1, img->height);
    /* The coarsest level first: one tile, cheap to read, a fallback for
     * everything while finer tiles arrive. */
    tilecache_get(tc, levels - 1, 0, 0, true);
    if (x1 <= x0 || y1 <= y0)
        return;

    long span = (long)tile << level;
    int tx0 = (int)(x0 / span), ty0 = (int)(y0 / span);
    int tx1 = (int)((x1 - 1e-9) / span), ty1 = (int)((y1 - 1e-9) / span);
    /* Request from the centre outwards: what the user looks at comes first. */
    double ccx = (tx0 + tx1) / 2.0, ccy = (ty0 + ty1) / 2.0;
    int ntiles = (tx1 - tx0 + 1) * (ty1 - ty0 + 1);
    struct order {
        int tx, ty;
        double d;
    } *order = malloc((size_t)ntiles * sizeof *order);
    if (!order)
        return;
    int k = 0;
    for (int ty = ty0; ty <= ty1; ty++)
        for (int tx = tx0; tx <= tx1; tx++) {
            order[k].tx = tx;
            order[k].ty = ty;
            order[k].d = (tx - ccx) * (tx - ccx) + (ty - ccy) * (ty - ccy);
            k++;
        }
    /* Insertion sort: a few dozen entries. */
    for (int i = 1; i < ntiles; i++) {
        struct order cur = order[i];
        int j = i - 1;
        while (j >= 0 && order[j].d > cur.d) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = cur;
    }
    for (int i = 0; i < ntiles; i++) {
        struct tilecache_tile *t = tilecache_get(tc, level, order[i].tx, order[i].ty, true);
        enum tilecache_state st = tilecache_tile_state(t);
        if (st == TILECACHE_READY && tilecache_tile_error(t))
            img->failed_tiles++;
        if (st == TILECACHE_READY)
            continue;
        if (st == TILECACHE_LOADED && tilecache_tile_error(t) &&
            !tilecache_tile_pixels(t, NULL, NULL)) {
            img->failed_tiles++; /* nothing could be read and nothing will be */
            continue;
        }
        img->missing_tiles++;
    }
    free(order);
}
