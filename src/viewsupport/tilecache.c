/*
 * tilecache — see tilecache.h. One mutex guards every tile's state, the hash
 * table, the LRU list, the request queue and the finished list; workers hold
 * it only to pick a request and to publish a result, never while reading.
 * Tiles live in a chained hash keyed by (level, tx, ty) and on one LRU list
 * (head = most recently used). A tile exists in the table exactly when it is
 * queued, loading, loaded or ready; dropping a request removes it.
 */
#include "tilecache.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HASH_BUCKETS 4096u

struct tilecache_tile {
    int level, tx, ty;
    enum tilecache_state state;
    uint8_t *pixels; /* LOADED only; owned */
    int out_w, out_h;
    struct tilecache_texture *texture; /* READY only; owned */
    char *error;                       /* owned; NULL when read completely */
    size_t bytes;                      /* counted in tc->bytes */
    unsigned long long used_frame;
    unsigned long long request_frame;
    unsigned long long request_seq;
    bool in_finished; /* on the finished list, not yet handed out */
    struct tilecache_tile *hash_next;
    struct tilecache_tile *lru_prev, *lru_next;
    struct tilecache_tile *finished_next;
};

struct tilecache {
    struct tilecache_source_ops ops;
    struct tilecache_source *src;
    int width, height, tile, levels;
    size_t max_bytes;

    pthread_mutex_t lock;
    pthread_cond_t work_cond;     /* workers wait for requests */
    pthread_cond_t finished_cond; /* the UI waits for results */
    pthread_t workers[TILECACHE_MAX_WORKERS];
    int worker_count;
    bool stopping;

    struct tilecache_tile *buckets[HASH_BUCKETS];
    struct tilecache_tile *lru_head, *lru_tail;
    struct tilecache_tile *queue[TILECACHE_MAX_QUEUE];
    size_t queue_len;
    struct tilecache_tile *finished_head, *finished_tail;

    unsigned long long frame;
    unsigned long long seq;
    size_t bytes;
    struct tilecache_stats counters; /* totals; live counts derived */
    size_t tiles, loading, finished;
    char last_error[512];
    bool has_error;
};

static unsigned hash_key(int level, int tx, int ty)
{
    unsigned h = (unsigned)level * 2654435761u;
    h ^= (unsigned)tx * 2246822519u + 0x9e3779b9u + (h << 6) + (h >> 2);
    h ^= (unsigned)ty * 3266489917u + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h % HASH_BUCKETS;
}

static struct tilecache_tile *find_tile(struct tilecache *tc, int level, int tx, int ty)
{
    for (struct tilecache_tile *t = tc->buckets[hash_key(level, tx, ty)]; t; t = t->hash_next)
        if (t->level == level && t->tx == tx && t->ty == ty)
            return t;
    return NULL;
}

static void lru_unlink(struct tilecache *tc, struct tilecache_tile *t)
{
    if (t->lru_prev)
        t->lru_prev->lru_next = t->lru_next;
    else
        tc->lru_head = t->lru_next;
    if (t->lru_next)
        t->lru_next->lru_prev = t->lru_prev;
    else
        tc->lru_tail = t->lru_prev;
    t->lru_prev = t->lru_next = NULL;
}

static void lru_push_front(struct tilecache *tc, struct tilecache_tile *t)
{
    t->lru_prev = NULL;
    t->lru_next = tc->lru_head;
    if (tc->lru_head)
        tc->lru_head->lru_prev = t;
    tc->lru_head = t;
    if (!tc->lru_tail)
        tc->lru_tail = t;
}

/* Removes t from the table and the LRU list and frees it with its pixels and
 * texture. Caller holds the lock; t is on no queue or finished list. */
static void destroy_tile(struct tilecache *tc, struct tilecache_tile *t)
{
    struct tilecache_tile **link = &tc->buckets[hash_key(t->level, t->tx, t->ty)];
    while (*link && *link != t)
        link = &(*link)->hash_next;
    if (*link)
        *link = t->hash_next;
    lru_unlink(tc, t);
    if (t->state == TILECACHE_LOADED || t->state == TILECACHE_READY)
        tc->tiles--;
    tc->bytes -= t->bytes;
    if (t->texture && tc->ops.texture_free)
        tc->ops.texture_free(t->texture);
    free(t->pixels);
    free(t->error);
    free(t);
}

static void queue_remove_at(struct tilecache *tc, size_t i)
{
    tc->queue[i] = tc->queue[tc->queue_len - 1];
    tc->queue_len--;
}

/* Drops requests older than the previous frame (they were not renewed). */
static void drop_stale_requests(struct tilecache *tc)
{
    for (size_t i = 0; i < tc->queue_len;) {
        struct tilecache_tile *t = tc->queue[i];
        if (t->request_frame + 1 < tc->frame) {
            queue_remove_at(tc, i);
            tc->counters.dropped_total++;
            destroy_tile(tc, t);
        } else {
            i++;
        }
    }
}

static bool evictable(const struct tilecache *tc, const struct tilecache_tile *t)
{
    return t->used_frame != tc->frame && !t->in_finished &&
           (t->state == TILECACHE_LOADED || t->state == TILECACHE_READY);
}

static void evict_to_bound(struct tilecache *tc)
{
    struct tilecache_tile *t = tc->lru_tail;
    while (tc->bytes > tc->max_bytes && t) {
        /* Tiles used in this frame sit at the head: nothing older is left. */
        if (t->used_frame == tc->frame)
            break;
        struct tilecache_tile *prev = t->lru_prev;
        if (evictable(tc, t)) {
            destroy_tile(tc, t);
            tc->counters.evicted_total++;
        }
        t = prev;
    }
}

static void tile_rect(const struct tilecache *tc, int level, int tx, int ty, double *x, double *y,
                      double *w, double *h, int *out_w, int *out_h)
{
    long span = (long)tc->tile << level;
    long x0 = tx * span, y0 = ty * span;
    long x1 = x0 + span < tc->width ? x0 + span : tc->width;
    long y1 = y0 + span < tc->height ? y0 + span : tc->height;
    long scale = 1L << level;
    *x = (double)x0;
    *y = (double)y0;
    *w = (double)(x1 - x0);
    *h = (double)(y1 - y0);
    long ow = (x1 - x0 + scale - 1) / scale, oh = (y1 - y0 + scale - 1) / scale;
    *out_w = (int)(ow < 1 ? 1 : ow);
    *out_h = (int)(oh < 1 ? 1 : oh);
}

/* The best request (newest frame, then earliest asked), removed from the
 * queue; NULL when none. Caller holds the lock. */
static struct tilecache_tile *take_request(struct tilecache *tc)
{
    size_t best = tc->queue_len;
    for (size_t i = 0; i < tc->queue_len; i++) {
        const struct tilecache_tile *t = tc->queue[i];
        if (best == tc->queue_len || t->request_frame > tc->queue[best]->request_frame ||
            (t->request_frame == tc->queue[best]->request_frame &&
             t->request_seq < tc->queue[best]->request_seq))
            best = i;
    }
    if (best == tc->queue_len)
        return NULL;
    struct tilecache_tile *t = tc->queue[best];
    queue_remove_at(tc, best);
    return t;
}

static void *worker_main(void *arg)
{
    struct tilecache *tc = arg;
    struct diag *dg = diag_new();
    char *open_error = NULL;
    struct tilecache_reader *reader = tc->ops.open_reader(tc->src, dg);
    if (!reader) {
        const char *m = diag_failed(dg) ? diag_message(dg) : "cannot open the image";
        open_error = malloc(strlen(m) + 1);
        if (open_error)
            strcpy(open_error, m);
    }
    pthread_mutex_lock(&tc->lock);
    while (!tc->stopping) {
        struct tilecache_tile *t = take_request(tc);
        if (!t) {
            pthread_cond_wait(&tc->work_cond, &tc->lock);
            continue;
        }
        t->state = TILECACHE_LOADING;
        tc->loading++;
        double x, y, w, h;
        int ow, oh;
        tile_rect(tc, t->level, t->tx, t->ty, &x, &y, &w, &h, &ow, &oh);
        size_t bytes = (size_t)ow * (size_t)oh * 4;
        tc->bytes += bytes; /* counted while reading so the bound covers it */
        t->bytes = bytes;
        pthread_mutex_unlock(&tc->lock);

        uint8_t *pixels = calloc(bytes, 1);
        const char *error = NULL;
        if (dg)
            diag_reset(dg);
        if (!pixels) {
            error = "out of memory for a tile";
        } else if (!reader) {
            error = open_error ? open_error : "cannot open the image";
        } else if (!tc->ops.read(reader, x, y, w, h, ow, oh, pixels, dg)) {
            error = diag_failed(dg) ? diag_message(dg) : "tile read failed";
        }

        pthread_mutex_lock(&tc->lock);
        tc->loading--;
        t->pixels = pixels;
        t->out_w = ow;
        t->out_h = oh;
        if (!pixels) {
            tc->bytes -= bytes;
            t->bytes = 0;
        }
        if (error) {
            size_t n = strlen(error);
            t->error = malloc(n + 1);
            if (t->error)
                memcpy(t->error, error, n + 1);
            snprintf(tc->last_error, sizeof tc->last_error, "%s", error);
            tc->has_error = true;
            tc->counters.failed_total++;
        }
        t->state = TILECACHE_LOADED;
        tc->tiles++;
        tc->counters.loaded_total++;
        t->in_finished = true;
        t->finished_next = NULL;
        if (tc->finished_tail)
            tc->finished_tail->finished_next = t;
        else
            tc->finished_head = t;
        tc->finished_tail = t;
        tc->finished++;
        pthread_cond_broadcast(&tc->finished_cond);
    }
    pthread_mutex_unlock(&tc->lock);
    if (reader)
        tc->ops.close_reader(reader);
    free(open_error);
    diag_free(dg);
    return NULL;
}

static int count_levels(int width, int height, int tile)
{
    int levels = 1;
    while (levels < TILECACHE_MAX_LEVELS) {
        long scale = 1L << (levels - 1);
        if ((width + scale - 1) / scale <= tile && (height + scale - 1) / scale <= tile)
            break;
        levels++;
    }
    return levels;
}

struct tilecache *tilecache_new(const struct tilecache_config *cfg,
                                const struct tilecache_source_ops *ops,
                                struct tilecache_source *src, struct diag *dg)
{
    if (!cfg || !ops || !ops->open_reader || !ops->read || !ops->close_reader) {
        diag_error(dg, "tile cache: missing configuration or reader operations");
        return NULL;
    }
    int tile = cfg->tile_size ? cfg->tile_size : TILECACHE_DEFAULT_TILE;
    int workers = cfg->worker_count ? cfg->worker_count : 2;
    if (cfg->image_width < 1 || cfg->image_height < 1 || tile < 16 || tile > 4096 ||
        workers < 1 || workers > TILECACHE_MAX_WORKERS) {
        diag_error(dg, "tile cache: bad configuration (image %dx%d, tile %d, %d workers)",
                   cfg->image_width, cfg->image_height, tile, workers);
        return NULL;
    }
    struct tilecache *tc = calloc(1, sizeof *tc);
    if (!tc) {
        diag_error(dg, "tile cache: out of memory");
        return NULL;
    }
    tc->ops = *ops;
    tc->src = src;
    tc->width = cfg->image_width;
    tc->height = cfg->image_height;
    tc->tile = tile;
    tc->levels = count_levels(tc->width, tc->height, tile);
    tc->max_bytes = cfg->max_bytes ? cfg->max_bytes : TILECACHE_DEFAULT_BYTES;
    tc->frame = 1;
    pthread_mutex_init(&tc->lock, NULL);
    pthread_cond_init(&tc->work_cond, NULL);
    pthread_cond_init(&tc->finished_cond, NULL);
    for (int i = 0; i < workers; i++) {
        int rc = pthread_create(&tc->workers[i], NULL, worker_main, tc);
        if (rc != 0) {
            diag_error(dg, "tile cache: cannot start a worker thread: %s", strerror(rc));
            tilecache_free(tc);
            return NULL;
        }
        tc->worker_count++;
    }
    return tc;
}

void tilecache_free(struct tilecache *tc)
{
    if (!tc)
        return;
    pthread_mutex_lock(&tc->lock);
    tc->stopping = true;
    pthread_cond_broadcast(&tc->work_cond);
    pthread_mutex_unlock(&tc->lock);
    for (int i = 0; i < tc->worker_count; i++)
        pthread_join(tc->workers[i], NULL);
    tc->queue_len = 0;
    while (tc->lru_head) {
        tc->lru_head->in_finished = false;
        destroy_tile(tc, tc->lru_head);
    }
    pthread_cond_destroy(&tc->finished_cond);
    pthread_cond_destroy(&tc->work_cond);
    pthread_mutex_destroy(&tc->lock);
    free(tc);
}

int tilecache_level_count(const struct tilecache *tc) { return tc->levels; }

int tilecache_tile_size(const struct tilecache *tc) { return tc->tile; }

int tilecache_level_for_scale(const struct tilecache *tc, double scale)
{
    if (!(scale > 0))
        return tc->levels - 1;
    int level = 0;
    /* Coarser while the next level still has at least one texel per screen pixel. */
    while (level + 1 < tc->levels && (double)(1L << (level + 1)) * scale <= 1.0)
        level++;
    return level;
}

void tilecache_grid(const struct tilecache *tc, int level, int *cols, int *rows)
{
    long span = (long)tc->tile << level;
    *cols = (int)((tc->width + span - 1) / span);
    *rows = (int)((tc->height + span - 1) / span);
}

void tilecache_tile_rect(const struct tilecache *tc, int level, int tx, int ty, double *x,
                         double *y, double *w, double *h, int *out_w, int *out_h)
{
    tile_rect(tc, level, tx, ty, x, y, w, h, out_w, out_h);
}

void tilecache_begin_frame(struct tilecache *tc)
{
    pthread_mutex_lock(&tc->lock);
    tc->frame++;
    drop_stale_requests(tc);
    evict_to_bound(tc);
    pthread_mutex_unlock(&tc->lock);
}

struct tilecache_tile *tilecache_get(struct tilecache *tc, int level, int tx, int ty,
                                     bool request)
{
    if (level < 0 || level >= tc->levels || tx < 0 || ty < 0)
        return NULL;
    int cols, rows;
    tilecache_grid(tc, level, &cols, &rows);
    if (tx >= cols || ty >= rows)
        return NULL;
    pthread_mutex_lock(&tc->lock);
    struct tilecache_tile *t = find_tile(tc, level, tx, ty);
    if (!t && request && tc->queue_len < TILECACHE_MAX_QUEUE) {
        t = calloc(1, sizeof *t);
        if (t) {
            t->level = level;
            t->tx = tx;
            t->ty = ty;
            t->state = TILECACHE_QUEUED;
            unsigned h = hash_key(level, tx, ty);
            t->hash_next = tc->buckets[h];
            tc->buckets[h] = t;
            lru_push_front(tc, t);
            tc->queue[tc->queue_len++] = t;
            pthread_cond_signal(&tc->work_cond);
        }
    }
    if (t) {
        t->used_frame = tc->frame;
        if (request && t->state == TILECACHE_QUEUED) {
            t->request_frame = tc->frame;
            t->request_seq = tc->seq++;
        }
        if (tc->lru_head != t) {
            lru_unlink(tc, t);
            lru_push_front(tc, t);
        }
    }
    pthread_mutex_unlock(&tc->lock);
    return t;
}

struct tilecache_tile *tilecache_next_finished(struct tilecache *tc)
{
    pthread_mutex_lock(&tc->lock);
    struct tilecache_tile *t = tc->finished_head;
    if (t) {
        tc->finished_head = t->finished_next;
        if (!tc->finished_head)
            tc->finished_tail = NULL;
        t->finished_next = NULL;
        t->in_finished = false;
        tc->finished--;
        /* Pinned for this frame so it survives until the caller uploads it. */
        t->used_frame = tc->frame;
    }
    pthread_mutex_unlock(&tc->lock);
    return t;
}

void tilecache_set_texture(struct tilecache *tc, struct tilecache_tile *tile,
                           struct tilecache_texture *texture)
{
    pthread_mutex_lock(&tc->lock);
    if (texture && tile->state == TILECACHE_LOADED) {
        free(tile->pixels);
        tile->pixels = NULL;
        tile->texture = texture;
        tile->state = TILECACHE_READY;
        /* A texture holds the same pixels, so the byte count stays. */
    } else if (texture && tc->ops.texture_free) {
        tc->ops.texture_free(texture);
    }
    evict_to_bound(tc);
    pthread_mutex_unlock(&tc->lock);
}

uint8_t *tilecache_take_pixels(struct tilecache *tc, struct tilecache_tile *tile)
{
    pthread_mutex_lock(&tc->lock);
    uint8_t *px = NULL;
    if (tile && tile->state == TILECACHE_LOADED) {
        px = tile->pixels;
        tile->pixels = NULL;
    }
    pthread_mutex_unlock(&tc->lock);
    return px;
}

enum tilecache_state tilecache_tile_state(const struct tilecache_tile *tile)
{
    return tile ? tile->state : TILECACHE_ABSENT;
}

void tilecache_tile_key(const struct tilecache_tile *tile, int *level, int *tx, int *ty)
{
    *level = tile->level;
    *tx = tile->tx;
    *ty = tile->ty;
}

const uint8_t *tilecache_tile_pixels(const struct tilecache_tile *tile, int *out_w, int *out_h)
{
    if (!tile || tile->state != TILECACHE_LOADED)
        return NULL;
    if (out_w)
        *out_w = tile->out_w;
    if (out_h)
        *out_h = tile->out_h;
    return tile->pixels;
}

struct tilecache_texture *tilecache_tile_texture(const struct tilecache_tile *tile)
{
    return tile && tile->state == TILECACHE_READY ? tile->texture : NULL;
}

const char *tilecache_tile_error(const struct tilecache_tile *tile)
{
    return tile ? tile->error : NULL;
}

void tilecache_stats(struct tilecache *tc, struct tilecache_stats *out)
{
    pthread_mutex_lock(&tc->lock);
    *out = tc->counters;
    out->bytes = tc->bytes;
    out->max_bytes = tc->max_bytes;
    out->tiles = tc->tiles;
    out->queued = tc->queue_len;
    out->loading = tc->loading;
    out->finished = tc->finished;
    pthread_mutex_unlock(&tc->lock);
}

bool tilecache_idle(struct tilecache *tc)
{
    pthread_mutex_lock(&tc->lock);
    bool idle = tc->queue_len == 0 && tc->loading == 0 && tc->finished == 0;
    pthread_mutex_unlock(&tc->lock);
    return idle;
}

bool tilecache_wait_finished(struct tilecache *tc, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&tc->lock);
    int rc = 0;
    while (!tc->finished_head && rc != ETIMEDOUT &&
           (tc->queue_len > 0 || tc->loading > 0))
        rc = pthread_cond_timedwait(&tc->finished_cond, &tc->lock, &deadline);
    bool got = tc->finished_head != NULL;
    pthread_mutex_unlock(&tc->lock);
    return got;
}

bool tilecache_last_error(struct tilecache *tc, char *buf, size_t size)
{
    pthread_mutex_lock(&tc->lock);
    bool has = tc->has_error;
    if (has && size)
        snprintf(buf, size, "%s", tc->last_error);
    pthread_mutex_unlock(&tc->lock);
    return has;
}
