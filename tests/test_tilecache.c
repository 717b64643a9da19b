/* Unit tests of tilecache: pyramid geometry and level choice, tiles read on
 * worker threads with one reader per thread, the byte bound with LRU eviction
 * (never evicting what the current frame uses), dropping of stale requests,
 * read errors kept per tile, textures freed on eviction. The source is a fake
 * that encodes the window it was asked for into the pixels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "tilecache.h"

struct tilecache_source {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool gate_closed; /* readers block while closed... */
    int passes;       /* ...except this many, one read each (see let_one_read_pass) */
    int opens, closes, reads;
    int fail_x; /* reads starting at this x fail (-1: none) */
    int order_y[64]; /* y of each read, in the order they started */
};

struct tilecache_reader {
    struct tilecache_source *src;
};

struct tilecache_texture {
    int *freed_counter;
};

static struct tilecache_reader *fake_open(struct tilecache_source *src, struct diag *dg)
{
    (void)dg;
    struct tilecache_reader *r = malloc(sizeof *r);
    r->src = src;
    pthread_mutex_lock(&src->lock);
    src->opens++;
    pthread_mutex_unlock(&src->lock);
    return r;
}

static bool fake_read(struct tilecache_reader *r, double x, double y, double w, double h,
                      int out_w, int out_h, uint8_t *rgba, struct diag *dg)
{
    (void)w;
    (void)h;
    struct tilecache_source *src = r->src;
    /* Recorded before waiting at the gate: the order in which work was taken. */
    pthread_mutex_lock(&src->lock);
    if (src->reads < 64)
        src->order_y[src->reads] = (int)y;
    src->reads++;
    pthread_cond_broadcast(&src->cond); /* for wait_for_reads */
    while (src->gate_closed && src->passes == 0)
        pthread_cond_wait(&src->cond, &src->lock);
    if (src->gate_closed)
        src->passes--;
    bool fail = (int)x == src->fail_x;
    pthread_mutex_unlock(&src->lock);
    /* First pixel says where the window starts (in units of 256 px). */
    rgba[0] = (uint8_t)(x / 256);
    rgba[1] = (uint8_t)(y / 256);
    rgba[2] = (uint8_t)out_w;
    rgba[(size_t)out_w * out_h * 4 - 1] = 255;
    if (fail) {
        diag_error(dg, "fake.tif: tile at x=%d is corrupt", (int)x);
        return false;
    }
    return true;
}

static void fake_close(struct tilecache_reader *r)
{
    pthread_mutex_lock(&r->src->lock);
    r->src->closes++;
    pthread_mutex_unlock(&r->src->lock);
    free(r);
}

static void fake_texture_free(struct tilecache_texture *t)
{
    (*t->freed_counter)++;
    free(t);
}

static const struct tilecache_source_ops fake_ops = {
    .open_reader = fake_open,
    .read = fake_read,
    .close_reader = fake_close,
    .texture_free = fake_texture_free,
};

static void source_init(struct tilecache_source *src)
{
    memset(src, 0, sizeof *src);
    pthread_mutex_init(&src->lock, NULL);
    pthread_cond_init(&src->cond, NULL);
    src->fail_x = -1;
}

static void source_destroy(struct tilecache_source *src)
{
    pthread_cond_destroy(&src->cond);
    pthread_mutex_destroy(&src->lock);
}

static void set_gate(struct tilecache_source *src, bool closed)
{
    pthread_mutex_lock(&src->lock);
    src->gate_closed = closed;
    pthread_cond_broadcast(&src->cond);
    pthread_mutex_unlock(&src->lock);
}

/* Lets exactly one read blocked at the closed gate finish. */
static void let_one_read_pass(struct tilecache_source *src)
{
    pthread_mutex_lock(&src->lock);
    src->passes++;
    pthread_cond_broadcast(&src->cond);
    pthread_mutex_unlock(&src->lock);
}

/* Blocks until at least n reads have started (each is recorded in order_y
 * before it waits at the gate). No timeout: ctest's limit catches a hang. */
static void wait_for_reads(struct tilecache_source *src, int n)
{
    pthread_mutex_lock(&src->lock);
    while (src->reads < n)
        pthread_cond_wait(&src->cond, &src->lock);
    pthread_mutex_unlock(&src->lock);
}

static struct tilecache *make_cache(struct tilecache_source *src, int w, int h, size_t max_bytes)
{
    struct diag *dg = diag_new();
    struct tilecache_config cfg = {
        .image_width = w, .image_height = h, .tile_size = 256, .max_bytes = max_bytes,
        .worker_count = 2};
    struct tilecache *tc = tilecache_new(&cfg, &fake_ops, src, dg);
    assert_non_null(tc);
    assert_false(diag_failed(dg));
    diag_free(dg);
    return tc;
}

/* Waits until every request is served, handing each finished tile a texture
 * (counted in *freed when freed) or, with freed == NULL, keeping the pixels. */
static int drain(struct tilecache *tc, int *freed)
{
    int handed = 0;
    for (int rounds = 0; rounds < 10000 && !tilecache_idle(tc); rounds++) {
        tilecache_wait_finished(tc, 100);
        struct tilecache_tile *t;
        while ((t = tilecache_next_finished(tc))) {
            struct tilecache_texture *tex = NULL;
            if (freed) {
                tex = malloc(sizeof *tex);
                tex->freed_counter = freed;
            }
            tilecache_set_texture(tc, t, tex);
            handed++;
        }
    }
    assert_true(tilecache_idle(tc));
    return handed;
}

static void pyramid_geometry(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    struct tilecache *tc = make_cache(&src, 16384, 16384, 0);
    /* 16384 / 2^6 = 256: levels 0..6. */
    assert_int_equal(tilecache_level_count(tc), 7);
    assert_int_equal(tilecache_level_for_scale(tc, 4.0), 0);
    assert_int_equal(tilecache_level_for_scale(tc, 1.0), 0);
    assert_int_equal(tilecache_level_for_scale(tc, 0.6), 0);
    assert_int_equal(tilecache_level_for_scale(tc, 0.5), 1);
    assert_int_equal(tilecache_level_for_scale(tc, 0.3), 1);
    assert_int_equal(tilecache_level_for_scale(tc, 0.25), 2);
    assert_int_equal(tilecache_level_for_scale(tc, 1.0 / 64), 6);
    assert_int_equal(tilecache_level_for_scale(tc, 1e-6), 6);
    int cols, rows;
    tilecache_grid(tc, 0, &cols, &rows);
    assert_int_equal(cols, 64);
    assert_int_equal(rows, 64);
    tilecache_grid(tc, 6, &cols, &rows);
    assert_int_equal(cols, 1);
    assert_int_equal(rows, 1);
    tilecache_free(tc);

    tc = make_cache(&src, 1000, 600, 0);
    /* 1000 -> 500 -> 250: three levels. */
    assert_int_equal(tilecache_level_count(tc), 3);
    double x, y, w, h;
    int ow, oh;
    tilecache_tile_rect(tc, 0, 3, 2, &x, &y, &w, &h, &ow, &oh);
    assert_true(x == 768 && y == 512 && w == 232 && h == 88);
    assert_int_equal(ow, 232);
    assert_int_equal(oh, 88);
    tilecache_tile_rect(tc, 1, 1, 1, &x, &y, &w, &h, &ow, &oh);
    assert_true(x == 512 && y == 512 && w == 488 && h == 88);
    assert_int_equal(ow, 244);
    assert_int_equal(oh, 44);
    tilecache_tile_rect(tc, 2, 0, 0, &x, &y, &w, &h, &ow, &oh);
    assert_true(w == 1000 && h == 600);
    assert_int_equal(ow, 250);
    assert_int_equal(oh, 150);
    /* Outside the grid: nothing. */
    assert_null(tilecache_get(tc, 0, 4, 0, true));
    assert_null(tilecache_get(tc, 3, 0, 0, true));
    assert_null(tilecache_get(tc, 0, -1, 0, true));
    tilecache_free(tc);
    source_destroy(&src);
}

static void tiles_load_on_workers(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    struct tilecache *tc = make_cache(&src, 1000, 600, 0);
    tilecache_begin_frame(tc);
    for (int ty = 0; ty < 3; ty++)
        for (int tx = 0; tx < 4; tx++)
            assert_non_null(tilecache_get(tc, 0, tx, ty, true));
    assert_int_equal(drain(tc, NULL), 12);
    tilecache_begin_frame(tc);
    struct tilecache_tile *t = tilecache_get(tc, 0, 2, 1, false);
    assert_int_equal(tilecache_tile_state(t), TILECACHE_LOADED);
    int ow, oh;
    const uint8_t *px = tilecache_tile_pixels(t, &ow, &oh);
    assert_non_null(px);
    assert_int_equal(ow, 256);
    assert_int_equal(px[0], 2);
    assert_int_equal(px[1], 1);
    assert_null(tilecache_tile_error(t));
    /* Asking again does not read again. */
    int reads = src.reads;
    tilecache_get(tc, 0, 2, 1, true);
    drain(tc, NULL);
    assert_int_equal(src.reads, reads);
    struct tilecache_stats st;
    tilecache_stats(tc, &st);
    assert_int_equal(st.loaded_total, 12);
    assert_int_equal(st.tiles, 12);
    tilecache_free(tc);
    /* One reader per worker, each closed. */
    assert_int_equal(src.opens, 2);
    assert_int_equal(src.closes, 2);
    source_destroy(&src);
}

/* A caller that keeps the pixels as its "texture" takes them without a
 * copy; the byte count stays with the tile until it is evicted. */
static void pixels_taken_without_copy(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    struct tilecache *tc = make_cache(&src, 600, 300, 0);
    tilecache_begin_frame(tc);
    assert_non_null(tilecache_get(tc, 0, 1, 0, true));
    /* Waits for the result however slow the machine is (ctest's limit
     * catches a hang); a fixed timeout would flake under load. */
    while (!tilecache_wait_finished(tc, 1000))
        ;
    struct tilecache_tile *t = tilecache_next_finished(tc);
    assert_non_null(t);
    const uint8_t *seen = tilecache_tile_pixels(t, NULL, NULL);
    uint8_t *px = tilecache_take_pixels(tc, t);
    assert_ptr_equal(px, seen);
    assert_int_equal(px[0], 1); /* the fake's x / 256 */
    assert_null(tilecache_tile_pixels(t, NULL, NULL));
    assert_null(tilecache_take_pixels(tc, t)); /* only once */
    int freed = 0;
    struct tilecache_texture *tex = malloc(sizeof *tex);
    tex->freed_counter = &freed;
    tilecache_set_texture(tc, t, tex);
    assert_int_equal(tilecache_tile_state(t), TILECACHE_READY);
    assert_null(tilecache_take_pixels(tc, t)); /* READY tiles have none */
    struct tilecache_stats st;
    tilecache_stats(tc, &st);
    assert_int_equal(st.bytes, 256 * 256 * 4);
    free(px);
    tilecache_free(tc);
    assert_int_equal(freed, 1);
    source_destroy(&src);
}

static void lru_bound_evicts_oldest(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    const size_t tile_bytes = 256 * 256 * 4;
    struct tilecache *tc = make_cache(&src, 256 * 8, 256 * 8, 4 * tile_bytes);
    int freed = 0;
    /* One tile per frame, ten frames: only the latest four fit. */
    for (int i = 0; i < 10; i++) {
        tilecache_begin_frame(tc);
        assert_non_null(tilecache_get(tc, 0, i % 8, i / 8, true));
        drain(tc, &freed);
        struct tilecache_stats st;
        tilecache_stats(tc, &st);
        assert_true(st.bytes <= st.max_bytes);
    }
    tilecache_begin_frame(tc);
    struct tilecache_stats st;
    tilecache_stats(tc, &st);
    assert_int_equal(st.tiles, 4);
    assert_int_equal(st.evicted_total, 6);
    assert_int_equal(freed, 6);
    /* The four most recent (i = 6..9) are still there, the oldest are not. */
    assert_int_equal(tilecache_tile_state(tilecache_get(tc, 0, 6, 0, false)), TILECACHE_READY);
    assert_int_equal(tilecache_tile_state(tilecache_get(tc, 0, 1, 1, false)), TILECACHE_READY);
    assert_null(tilecache_get(tc, 0, 0, 0, false));
    assert_null(tilecache_get(tc, 0, 5, 0, false));

    /* A frame that needs more than the bound keeps all its tiles. */
    tilecache_begin_frame(tc);
    for (int tx = 0; tx < 8; tx++)
        assert_non_null(tilecache_get(tc, 0, tx, 3, true));
    drain(tc, &freed);
    tilecache_stats(tc, &st);
    assert_int_equal(st.tiles, 8);
    for (int tx = 0; tx < 8; tx++)
        assert_int_equal(tilecache_tile_state(tilecache_get(tc, 0, tx, 3, false)),
                         TILECACHE_READY);
    /* Next frame they are no longer pinned: back under the bound. */
    tilecache_begin_frame(tc);
    tilecache_stats(tc, &st);
    assert_true(st.bytes <= st.max_bytes);
    int before = freed;
    tilecache_free(tc);
    assert_int_equal(freed - before, 4); /* the survivors are freed too */
    source_destroy(&src);
}

static void stale_requests_dropped(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    set_gate(&src, true);
    struct tilecache *tc = make_cache(&src, 256 * 8, 256 * 8, 0);
    tilecache_begin_frame(tc);
    for (int tx = 0; tx < 8; tx++)
        tilecache_get(tc, 0, tx, 0, true);
    /* Both workers hold one of them at the gate. */
    wait_for_reads(&src, 2);
    /* Two frames pass without renewing them (a fast pan elsewhere). */
    tilecache_begin_frame(tc);
    tilecache_get(tc, 0, 7, 7, true);
    tilecache_begin_frame(tc);
    tilecache_get(tc, 0, 7, 7, true);
    set_gate(&src, false);
    drain(tc, NULL);
    struct tilecache_stats st;
    tilecache_stats(tc, &st);
    /* The two reads already in progress finished, plus (7,7); the rest were
     * dropped unread. */
    assert_int_equal(st.dropped_total, 6);
    assert_int_equal(st.loaded_total, 3);
    assert_int_equal(src.reads, 3);
    assert_int_equal(tilecache_tile_state(tilecache_get(tc, 0, 7, 7, false)), TILECACHE_LOADED);
    tilecache_free(tc);
    source_destroy(&src);
}

/* Workers take the newest frame's requests before older ones. The order is
 * made deterministic by the gate: each worker is held inside a read until the
 * test lets exactly one read finish, so at every step only one worker is free
 * to take the next request, and it records that request before the test looks.
 * (Recording is in fake_read, after the cache handed the request out; with
 * both workers free at once, two takes could be recorded in either order.) */
static void newest_requests_first(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    set_gate(&src, true);
    struct tilecache *tc = make_cache(&src, 256 * 8, 256 * 8, 0);
    tilecache_begin_frame(tc);
    for (int tx = 0; tx < 8; tx++)
        tilecache_get(tc, 0, tx, 0, true);
    /* Both workers have taken one of the older requests and wait at the gate. */
    wait_for_reads(&src, 2);
    tilecache_begin_frame(tc);
    tilecache_get(tc, 0, 3, 5, true);
    tilecache_get(tc, 0, 4, 5, true);
    /* Whichever worker finishes next must take a newer request, twice. */
    let_one_read_pass(&src);
    wait_for_reads(&src, 3);
    let_one_read_pass(&src);
    wait_for_reads(&src, 4);
    pthread_mutex_lock(&src.lock);
    int order[4];
    memcpy(order, src.order_y, sizeof order);
    pthread_mutex_unlock(&src.lock);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 5 * 256);
    assert_int_equal(order[3], 5 * 256);
    set_gate(&src, false);
    /* Keep the first frame's requests alive while the workers run. */
    drain(tc, NULL);
    struct tilecache_stats st;
    tilecache_stats(tc, &st);
    assert_int_equal(tilecache_tile_state(tilecache_get(tc, 0, 3, 5, false)), TILECACHE_LOADED);
    assert_int_equal(tilecache_tile_state(tilecache_get(tc, 0, 4, 5, false)), TILECACHE_LOADED);
    assert_int_equal(st.loaded_total, 10);
    assert_int_equal(st.dropped_total, 0);
    /* Then the rest of the older frame, in the order it was asked. */
    for (int i = 4; i < 10; i++)
        assert_int_equal(src.order_y[i], 0);
    tilecache_free(tc);
    source_destroy(&src);
}

static void read_errors_kept(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    src.fail_x = 512;
    struct tilecache *tc = make_cache(&src, 1000, 600, 0);
    char buf[256];
    assert_false(tilecache_last_error(tc, buf, sizeof buf));
    tilecache_begin_frame(tc);
    for (int tx = 0; tx < 4; tx++)
        tilecache_get(tc, 0, tx, 0, true);
    drain(tc, NULL);
    tilecache_begin_frame(tc);
    struct tilecache_tile *bad = tilecache_get(tc, 0, 2, 0, false);
    assert_non_null(tilecache_tile_error(bad));
    assert_non_null(strstr(tilecache_tile_error(bad), "fake.tif"));
    /* The partial pixels are still there to show. */
    assert_non_null(tilecache_tile_pixels(bad, NULL, NULL));
    assert_null(tilecache_tile_error(tilecache_get(tc, 0, 1, 0, false)));
    assert_true(tilecache_last_error(tc, buf, sizeof buf));
    assert_non_null(strstr(buf, "corrupt"));
    struct tilecache_stats st;
    tilecache_stats(tc, &st);
    assert_int_equal(st.failed_total, 1);
    /* Not retried. */
    int reads = src.reads;
    tilecache_get(tc, 0, 2, 0, true);
    drain(tc, NULL);
    assert_int_equal(src.reads, reads);
    tilecache_free(tc);
    source_destroy(&src);
}

static void bad_config_rejected(void **state)
{
    (void)state;
    struct tilecache_source src;
    source_init(&src);
    struct diag *dg = diag_new();
    struct tilecache_config cfg = {.image_width = 0, .image_height = 10};
    assert_null(tilecache_new(&cfg, &fake_ops, &src, dg));
    assert_true(diag_failed(dg));
    diag_reset(dg);
    cfg.image_width = 10;
    cfg.worker_count = 99;
    assert_null(tilecache_new(&cfg, &fake_ops, &src, dg));
    assert_true(diag_failed(dg));
    diag_free(dg);
    tilecache_free(NULL);
    source_destroy(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pyramid_geometry),        cmocka_unit_test(tiles_load_on_workers),
        cmocka_unit_test(lru_bound_evicts_oldest), cmocka_unit_test(stale_requests_dropped),
        cmocka_unit_test(newest_requests_first),   cmocka_unit_test(read_errors_kept),
        cmocka_unit_test(bad_config_rejected),     cmocka_unit_test(pixels_taken_without_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
