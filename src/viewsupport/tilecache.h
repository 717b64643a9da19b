/*
 * tilecache — a bounded cache of image tiles per overview level, filled by
 * worker threads, for a viewer that must stay responsive on images much
 * larger than memory.
 *
 * Why: reading imagery is slow (disk, decompression, resampling) and must
 * never happen on the UI thread. The cache splits the image into a pyramid
 * of levels; level L shows the image downsampled by 2^L and is cut into
 * tiles of tile_size x tile_size output pixels. The UI thread asks for the
 * tiles it wants to show (tilecache_get with request = true); worker threads
 * (each with its own reader, opened on that thread through the source ops)
 * fill them; the UI thread then picks up finished tiles
 * (tilecache_next_finished), turns them into whatever it draws with (an SDL
 * texture in the viewer) and hands that back (tilecache_set_texture), which
 * frees the pixels. This module knows nothing of SDL or GDAL: the reader and
 * the texture are forward-declared structs the caller defines.
 *
 * Invariants:
 *   - Coordinates are full-resolution image pixels, pixel-corner convention
 *     ((0,0) is the top-left corner of the top-left pixel).
 *   - Level 0 is full resolution; the coarsest level (level_count - 1) holds
 *     the whole image in one tile.
 *   - Memory: the bytes of decoded pixels plus uploaded textures (4 bytes per
 *     output pixel) are brought back under max_bytes at every
 *     tilecache_begin_frame and tilecache_set_texture by evicting the least
 *     recently used tiles, except tiles used in the current frame (since the
 *     last tilecache_begin_frame), pending or not yet handed out: those are
 *     never evicted, so a frame can always show what it asked for. The queue of pending requests is bounded
 *     too (TILECACHE_MAX_QUEUE); requests not renewed in the latest frame are
 *     dropped before they are read, so panning quickly never builds a backlog.
 *   - Workers take the newest frame's requests first, in the order they were
 *     made (ask for coarse fallback tiles and the view centre first).
 *   - A tile whose read fails keeps what could be read (transparent
 *     elsewhere) and its error; it is not retried while it stays cached.
 *   - Threads: every function except the reader ops is called from one
 *     thread (the UI thread); texture_free is called from that thread too.
 */
#ifndef SATMARK_TILECACHE_H
#define SATMARK_TILECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct tilecache;
struct tilecache_tile;
/* Defined by the caller: what it reads with (one per worker thread), what it
 * reads from (shared, read-only from workers), what it draws with. */
struct tilecache_reader;
struct tilecache_source;
struct tilecache_texture;

struct tilecache_source_ops {
    /* Called once on each worker thread: a new reader for that thread.
     * Returns NULL with a reason on dg when the source cannot be opened
     * (every tile that worker would read then fails with that reason). */
    struct tilecache_reader *(*open_reader)(struct tilecache_source *src, struct diag *dg);
    /* Reads the full-resolution window (x, y, w, h) resampled to out_w x out_h
     * straight RGBA8 into rgba (out_w * out_h * 4 bytes, prefilled with 0).
     * false with a reason on dg for a failure; what was read is kept. */
    bool (*read)(struct tilecache_reader *reader, double x, double y, double w, double h,
                 int out_w, int out_h, uint8_t *rgba, struct diag *dg);
    /* Closes a reader on the thread that opened it; NULL is never passed. */
    void (*close_reader)(struct tilecache_reader *reader);
    /* Frees a texture handed to tilecache_set_texture (UI thread). May be NULL
     * when textures are never set. */
    void (*texture_free)(struct tilecache_texture *texture);
};

struct tilecache_config {
    int image_width, image_height; /* full-resolution grid, >= 1 */
    int tile_size;                 /* output pixels per tile side; 0 = TILECACHE_DEFAULT_TILE */
    size_t max_bytes;              /* 0 = TILECACHE_DEFAULT_BYTES */
    int worker_count;              /* 0 = 2; at most TILECACHE_MAX_WORKERS */
};

#define TILECACHE_DEFAULT_TILE 256
#define TILECACHE_DEFAULT_BYTES ((size_t)96 * 1024 * 1024)
#define TILECACHE_MAX_WORKERS 8
#define TILECACHE_MAX_QUEUE 1024
#define TILECACHE_MAX_LEVELS 32

enum tilecache_state {
    TILECACHE_ABSENT = 0, /* not cached and not requested */
    TILECACHE_QUEUED,     /* waiting for a worker */
    TILECACHE_LOADING,    /* a worker is reading it */
    TILECACHE_LOADED,     /* pixels ready, not yet handed to the UI */
    TILECACHE_READY,      /* the UI holds a texture for it (pixels freed) */
};

/* New cache over src (borrowed until tilecache_free; ops copied) with its
 * worker threads started. Returns NULL with a reason on dg for bad sizes or
 * when threads cannot be started. Free with tilecache_free. */
struct tilecache *tilecache_new(const struct tilecache_config *cfg,
                                const struct tilecache_source_ops *ops,
                                struct tilecache_source *src, struct diag *dg);
/* Stops the workers (waits for reads in progress), frees every tile and
 * texture (texture_free), then tc; accepts NULL. */
void tilecache_free(struct tilecache *tc);

int tilecache_level_count(const struct tilecache *tc);
int tilecache_tile_size(const struct tilecache *tc);
/* The level to draw at a zoom of `scale` screen pixels per full-resolution
 * image pixel: the coarsest level whose resolution is still at least the
 * screen's (2^L <= 1/scale), clamped to the levels that exist. Pure. */
int tilecache_level_for_scale(const struct tilecache *tc, double scale);
/* Number of tile columns and rows at level. */
void tilecache_grid(const struct tilecache *tc, int level, int *cols, int *rows);
/* The full-resolution rectangle tile (level, tx, ty) covers (clipped to the
 * image) and its output size in pixels. */
void tilecache_tile_rect(const struct tilecache *tc, int level, int tx, int ty, double *x,
                         double *y, double *w, double *h, int *out_w, int *out_h);

/* Starts a frame: tiles used from now on are the current frame's (pinned
 * against eviction, and their requests take priority); requests from older
 * frames that were not renewed are dropped. */
void tilecache_begin_frame(struct tilecache *tc);

/* The tile (level, tx, ty), marked as used in this frame, or NULL when it is
 * neither cached nor pending. With request = true an absent tile is queued
 * (and a pending one moved ahead in the order) and returned. The tile is
 * borrowed until the next tilecache_begin_frame. Out-of-grid coordinates give
 * NULL. */
struct tilecache_tile *tilecache_get(struct tilecache *tc, int level, int tx, int ty,
                                     bool request);

/* A tile finished by a worker and not yet handed out, or NULL. Borrowed
 * until tilecache_set_texture or the next begin_frame. */
struct tilecache_tile *tilecache_next_finished(struct tilecache *tc);
/* Gives the tile a texture (takes ownership: freed with texture_free on
 * eviction or tilecache_free) and frees its pixels. texture may be NULL for
 * callers that keep the pixels (tests): then the pixels stay. */
void tilecache_set_texture(struct tilecache *tc, struct tilecache_tile *tile,
                           struct tilecache_texture *texture);

/* Hands the pixels of a LOADED tile to the caller (new; free with free()):
 * for a caller whose "texture" keeps the pixels themselves (the viewer
 * composites on the CPU), so they are not copied. The tile's byte count
 * stays; the caller must then give it a texture with tilecache_set_texture
 * (NULL there leaves the tile with neither pixels nor texture). NULL when
 * the tile is not LOADED or has no pixels. */
uint8_t *tilecache_take_pixels(struct tilecache *tc, struct tilecache_tile *tile);

/* Tile accessors (tile borrowed as above). */
enum tilecache_state tilecache_tile_state(const struct tilecache_tile *tile);
void tilecache_tile_key(const struct tilecache_tile *tile, int *level, int *tx, int *ty);
/* Pixels (straight RGBA8, out_w * 4 bytes per row) while LOADED, else NULL;
 * borrowed like the tile. */
const uint8_t *tilecache_tile_pixels(const struct tilecache_tile *tile, int *out_w, int *out_h);
/* The texture while READY, else NULL; borrowed. */
struct tilecache_texture *tilecache_tile_texture(const struct tilecache_tile *tile);
/* The read error of this tile, or NULL when it was read completely; borrowed. */
const char *tilecache_tile_error(const struct tilecache_tile *tile);

struct tilecache_stats {
    size_t bytes;          /* pixels + textures held now */
    size_t max_bytes;
    size_t tiles;          /* tiles cached (loaded or ready) */
    size_t queued;         /* requests waiting */
    size_t loading;        /* reads in progress */
    size_t finished;       /* loaded, not yet handed to the UI */
    size_t loaded_total;   /* tiles read since the start */
    size_t failed_total;   /* tiles whose read failed since the start */
    size_t evicted_total;
    size_t dropped_total;  /* stale requests dropped unread */
};

/* Counters (a consistent snapshot) into out (caller's). */
void tilecache_stats(struct tilecache *tc, struct tilecache_stats *out);
/* True when nothing is queued, loading or waiting to be handed out. */
bool tilecache_idle(struct tilecache *tc);
/* Blocks until a worker finishes a tile or timeout_ms pass; true when a tile
 * finished. Lets a UI loop sleep instead of polling. */
bool tilecache_wait_finished(struct tilecache *tc, int timeout_ms);
/* The most recent tile read error ("PATH: reason") copied into buf (caller's,
 * size bytes); false when no read has failed. */
bool tilecache_last_error(struct tilecache *tc, char *buf, size_t size);

#endif
