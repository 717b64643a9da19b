/*
 * imagery — the viewer's side of the tile cache: the reader callbacks (each
 * worker thread opens its own raster handle on the same path, with the UI
 * handle's stretch so every tile renders alike), uploading finished tiles to
 * SDL textures (a bounded number per frame, so a burst of tiles never stalls
 * a frame), and drawing the tiles of a view with coarser levels standing in
 * for tiles not read yet.
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

struct tilecache_texture {
    SDL_Texture *texture;
};

static struct tilecache_reader *reader_open(struct tilecache_source *src, struct diag *dg)
{
    struct raster *r = raster_open(src->path, NULL, dg);
    if (!r)
        return NULL;
    if (src->has_stretch && !raster_set_stretch(r, &src->stretch, dg)) {
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

/* Reads RGBA and reorders it on this worker thread to SDL's ARGB8888 (the
 * 32-bit value 0xAARRGGBB: bytes B, G, R, A in memory on little-endian), the
 * window surface's layout, so the UI thread's copies take SDL's fast paths. */
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
    SDL_DestroyTexture(t->texture);
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
    struct diag *dg = diag_new();
    img->hash_ok = hash_file_sha256(img->path, img->sha256, dg);
    if (!img->hash_ok)
        snprintf(img->hash_error, sizeof img->hash_error, "%s",
                 diag_failed(dg) ? diag_message(dg) : "cannot hash the image");
    diag_free(dg);
    return NULL;
}

bool imagery_open(struct viewer *vw, struct image_layer *img, const char *path)
{
    memset(img, 0, sizeof *img);
    img->path = strdup(path);
    if (!img->path) {
        diag_error(vw->dg, "%s: out of memory", path);
        return false;
    }
    const char *slash = strrchr(img->path, '/');
    img->name = slash ? slash + 1 : img->path;
    img->raster = raster_open(path, NULL, vw->dg);
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
    struct tilecache_config cfg = {
        .image_width = img->width,
        .image_height = img->height,
        .tile_size = TILECACHE_DEFAULT_TILE,
        /* A 1920x1080 view needs ~15 MB of tiles plus fallbacks: 64 MB keeps
         * recent views too without growing the process much. */
        .max_bytes = vw->has_b || vw->compare_path ? VIEWER_TILE_BYTES / 2 : VIEWER_TILE_BYTES,
        .worker_count = 2,
    };
    img->cache = tilecache_new(&cfg, &raster_ops, &img->source, vw->dg);
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
    if (img->hash_started && !img->hash_joined) {
        pthread_join(img->hash_thread, NULL);
        img->hash_joined = true;
    }
    tilecache_free(img->cache);
    render_overlay_free(img->overlay);
    geo_ref_free(img->geo);
    raster_close(img->raster);
    free(img->path);
    memset(img, 0, sizeof *img);
}

int imagery_upload(struct viewer *vw, struct image_layer *img, int max)
{
    if (!img->cache)
        return 0;
    int done = 0;
    struct tilecache_tile *tile;
    /* At most max tiles and, after the first, VIEWER_UPLOAD_BUDGET_MS: on a
     * busy machine one upload can take a millisecond or more, and the rest
     * wait for the next frame (they stay pinned on the finished list). */
    double deadline = viewer_now_s() + VIEWER_UPLOAD_BUDGET_MS / 1000.0;
    while (done < max && (done == 0 || viewer_now_s() < deadline) &&
           (tile = tilecache_next_finished(img->cache))) {
        int w, h;
        const uint8_t *px = tilecache_tile_pixels(tile, &w, &h);
        struct tilecache_texture *tex = NULL;
        if (px) {
            /* Opaque tiles (the common case) skip blending and use the window's
             * own format when it is XRGB: SDL's fastest (scaled) copies. */
            const uint32_t *argb = (const uint32_t *)(const void *)px;
            bool opaque = true;
            for (size_t i = 0; i < (size_t)w * h && opaque; i++)
                opaque = argb[i] >> 24 == 255;
            Uint32 format = opaque && vw->window_format == SDL_PIXELFORMAT_RGB888
                                ? SDL_PIXELFORMAT_RGB888
                                : SDL_PIXELFORMAT_ARGB8888;
            SDL_Texture *t = SDL_CreateTexture(vw->renderer, format, SDL_TEXTUREACCESS_STATIC, w, h);
            if (t && SDL_UpdateTexture(t, NULL, px, w * 4) == 0) {
                SDL_SetTextureBlendMode(t, opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
                tex = malloc(sizeof *tex);
                if (tex)
                    tex->texture = t;
                else
                    SDL_DestroyTexture(t);
            } else {
                viewer_message(vw, true, "cannot create a tile texture: %s", SDL_GetError());
                SDL_DestroyTexture(t);
            }
        }
        const char *err = tilecache_tile_error(tile);
        if (err)
            viewer_message(vw, true, "tile read failed: %s", err);
        tilecache_set_texture(img->cache, tile, tex);
        done++;
    }
    if (done)
        vw->needs_frame = true;
    return done;
}

bool imagery_idle(struct image_layer *img)
{
    return !img->cache || tilecache_idle(img->cache);
}

/* Draws the part of tile (level, tx, ty) that covers the image rectangle
 * (x, y, w, h) at the screen rectangle it maps to. False when that tile has
 * no texture. */
static bool draw_tile_part(struct viewer *vw, struct image_layer *img, const struct view *v,
                           int level, int tx, int ty, double x, double y, double w, double h)
{
    struct tilecache_tile *t = tilecache_get(img->cache, level, tx, ty, false);
    struct tilecache_texture *tex = tilecache_tile_texture(t);
    if (!tex)
        return false;
    double tile_x, tile_y, tile_w, tile_h;
    int out_w, out_h;
    tilecache_tile_rect(img->cache, level, tx, ty, &tile_x, &tile_y, &tile_w, &tile_h, &out_w,
                        &out_h);
    /* Texels per image pixel in this tile. */
    double kx = out_w / tile_w, ky = out_h / tile_h;
    SDL_Rect src = {
        (int)floor((x - tile_x) * kx), (int)floor((y - tile_y) * ky),
        0, 0,
    };
    src.w = (int)ceil((x + w - tile_x) * kx) - src.x;
    src.h = (int)ceil((y + h - tile_y) * ky) - src.y;
    if (src.w <= 0 || src.h <= 0)
        return true;
    /* The screen rectangle of exactly those texels. */
    double ix0 = tile_x + src.x / kx, iy0 = tile_y + src.y / ky;
    double ix1 = tile_x + (src.x + src.w) / kx, iy1 = tile_y + (src.y + src.h) / ky;
    double sx0, sy0, sx1, sy1;
    view_image_to_screen(v, ix0, iy0, &sx0, &sy0);
    view_image_to_screen(v, ix1, iy1, &sx1, &sy1);
    /* Snap to whole pixels so neighbouring tiles meet without seams. */
    SDL_Rect dst = {(int)floor(sx0 + 0.5), (int)floor(sy0 + 0.5), 0, 0};
    dst.w = (int)floor(sx1 + 0.5) - dst.x;
    dst.h = (int)floor(sy1 + 0.5) - dst.y;
    if (dst.w <= 0 || dst.h <= 0)
        return true;
    SDL_RenderCopy(vw->renderer, tex->texture, &src, &dst);
    return true;
}

void imagery_draw(struct viewer *vw, struct image_layer *img, const struct view *v,
                  const SDL_Rect *clip)
{
    struct tilecache *tc = img->cache;
    int levels = tilecache_level_count(tc);
    int level = tilecache_level_for_scale(tc, v->scale);
    int tile = tilecache_tile_size(tc);
    /* Visible image rectangle (clipped to the image). */
    double x0, y0, x1, y1;
    double left = clip ? clip->x : 0, top = clip ? clip->y : 0;
    double right = clip ? clip->x + clip->w : v->w, bottom = clip ? clip->y + clip->h : v->h;
    view_screen_to_image(v, left, top, &x0, &y0);
    view_screen_to_image(v, right, bottom, &x1, &y1);
    x0 = fmax(x0, 0);
    y0 = fmax(y0, 0);
    x1 = fmin(x1, img->width);
    y1 = fmin(y1, img->height);
    img->missing_tiles = 0;
    img->failed_tiles = 0;
    if (x1 <= x0 || y1 <= y0)
        return;
    if (clip)
        SDL_RenderSetClipRect(vw->renderer, clip);

    /* The coarsest level first: one tile, cheap to read, a fallback for
     * everything while finer tiles arrive. */
    tilecache_get(tc, levels - 1, 0, 0, true);

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
        int tx = order[i].tx, ty = order[i].ty;
        struct tilecache_tile *t = tilecache_get(tc, level, tx, ty, true);
        enum tilecache_state st = tilecache_tile_state(t);
        if (st == TILECACHE_READY && tilecache_tile_error(t))
            img->failed_tiles++;
        if (st == TILECACHE_READY)
            continue;
        if (st == TILECACHE_LOADED && !tilecache_tile_texture(t) && tilecache_tile_error(t) &&
            !tilecache_tile_pixels(t, NULL, NULL)) {
            img->failed_tiles++;
            continue;
        }
        img->missing_tiles++;
    }
    free(order);

    /* Draw: each tile of the wanted level, or the nearest coarser level that
     * has its area. */
    for (int ty = ty0; ty <= ty1; ty++) {
        for (int tx = tx0; tx <= tx1; tx++) {
            double rx, ry, rw, rh;
            int ow, oh;
            tilecache_tile_rect(tc, level, tx, ty, &rx, &ry, &rw, &rh, &ow, &oh);
            for (int l = level; l < levels; l++) {
                int shift = l - level;
                if (draw_tile_part(vw, img, v, l, tx >> shift, ty >> shift, rx, ry, rw, rh))
                    break;
            }
        }
    }
    if (clip)
        SDL_RenderSetClipRect(vw->renderer, NULL);
}
