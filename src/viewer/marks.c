/*
 * marks — the marks layer, drawn by the core renderer on a thread of its own
 * so the UI thread never waits for Cairo while the user pans or zooms.
 *
 * The UI thread posts a job (the view, the projected overlay, the drawing
 * options; up to two parts for the compare swipe) whenever what the layer
 * shows changes; a newer job replaces a pending one. The thread draws into
 * its own ARGB32 surface, converts Cairo's premultiplied pixels to the
 * straight alpha SDL blends with, and publishes the result with the view it
 * was drawn for. The UI thread uploads a new result once and, every frame,
 * draws the texture moved and scaled from the view it was drawn for to the
 * current view, so marks stay on the ground they mark while a newer
 * rendering is under way. Screenshots and wait-idle wait for the layer to
 * match the current view exactly (marks_sync).
 *
 * A render_overlay given to a job stays alive until the thread is done with
 * it: the UI hands replaced overlays to marks_retire, which frees them once
 * no job refers to them.
 *
 * Cost bounds (SDL's software renderer blends and scales on the CPU): the
 * thread notes which VIEWER_MARKS_CELL-sized cells of a result hold any
 * pixel; the UI uploads and draws only those cells (as runs along each cell
 * row), so mostly empty screens cost little. While the view keeps changing,
 * the thread rests as long as its last rendering took (at most 100 ms)
 * between jobs, so on a two-core machine it takes at most about half a core
 * from the UI thread and the tile readers; a waiting screenshot
 * (marks_wait with no limit) skips the rest.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "viewer.h"

#define MARKS_MAX_RETIRED 64
#define MARKS_REST_MAX_S 0.1

struct marks_part {
    const struct render_overlay *overlay;
    struct render_view view;
    double clip_x0, clip_x1;
};

struct marks_job {
    uint64_t seq;
    struct view view; /* the view of image A the result is placed with */
    struct marks_part parts[2];
    int nparts;
    bool labels;
    unsigned hidden;
    char highlight[128];
    int out_w, out_h, clip_bottom;
};

struct marks_layer {
    const struct style *style;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    bool has_pending;
    struct marks_job pending;
    bool busy;
    struct marks_job current; /* valid while busy */
    /* Result: straight-alpha ARGB8888 pixels of the last finished job, and
     * which cells of it hold anything (1) or are fully transparent (0). */
    uint32_t *result;
    uint8_t *result_cells;
    int result_w, result_h;
    bool sync;             /* someone waits for the result: no rest */
    double last_render_s;  /* how long the last job took */
    double last_finish_s;  /* when it finished (viewer_now_s) */
    struct marks_job result_job;
    bool result_new;
    pthread_cond_t done_cond;
    uint64_t done_seq;
    uint64_t posted_seq;
    struct render_overlay *retired[MARKS_MAX_RETIRED];
    size_t nretired;
    char error[256];
};

/* 255 * 65536 / a, rounded: straight = (premultiplied * inverse + 2^15) >> 16. */
static uint32_t unpremultiply_inverse[256];

static void init_inverse(void)
{
    for (uint32_t a = 1; a < 256; a++)
        unpremultiply_inverse[a] = (255u * 65536u + a / 2) / a;
}

static int cell_count(int px) { return (px + VIEWER_MARKS_CELL - 1) / VIEWER_MARKS_CELL; }

/* Converts Cairo's premultiplied pixels (stride bytes per row) to straight
 * alpha in out (w per row) and marks the cells that hold anything in cells
 * (cell_count(w) x cell_count(h), cleared here). */
static void unpremultiply(const unsigned char *src, int stride, int w, int h, uint32_t *out,
                          uint8_t *cells)
{
    int cols = cell_count(w);
    memset(cells, 0, (size_t)cols * (size_t)cell_count(h));
    for (int y = 0; y < h; y++) {
        const uint32_t *s = (const uint32_t *)(const void *)(src + (size_t)y * stride);
        uint32_t *d = out + (size_t)y * w;
        uint8_t *cell_row = cells + (size_t)(y / VIEWER_MARKS_CELL) * cols;
        for (int cx = 0; cx < cols; cx++) {
            int x0 = cx * VIEWER_MARKS_CELL;
            int x1 = x0 + VIEWER_MARKS_CELL < w ? x0 + VIEWER_MARKS_CELL : w;
            uint32_t any = 0;
            for (int x = x0; x < x1; x++)
                any |= s[x];
            if (!any) {
                memset(d + x0, 0, (size_t)(x1 - x0) * 4);
                continue;
            }
            cell_row[cx] = 1;
            for (int x = x0; x < x1; x++) {
                uint32_t p = s[x];
                uint32_t a = p >> 24;
                if (a == 0 || a == 255) {
                    d[x] = a ? p : 0;
                } else {
                    uint32_t inv = unpremultiply_inverse[a];
                    uint32_t r = (((p >> 16) & 255) * inv + 32768) >> 16;
                    uint32_t g = (((p >> 8) & 255) * inv + 32768) >> 16;
                    uint32_t b = ((p & 255) * inv + 32768) >> 16;
                    d[x] = a << 24 | r << 16 | g << 8 | b;
                }
            }
        }
    }
}

static void draw_job(const struct marks_layer *ml, const struct marks_job *job,
                     cairo_surface_t *surface, uint32_t *out, uint8_t *cells)
{
    cairo_t *cr = cairo_create(surface);
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_paint(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    struct render_marks_options opt;
    render_marks_options_init(&opt);
    opt.labels = job->labels;
    opt.highlight_id = job->highlight[0] ? job->highlight : NULL;
    opt.hidden_classes = job->hidden;
    struct render_rect keep[2] = {
        {0, job->clip_bottom - 40, 260, 40},
        {0, job->clip_bottom, job->out_w, job->out_h - job->clip_bottom},
    };
    opt.keep_clear = keep;
    opt.nkeep_clear = 2;
    for (int i = 0; i < job->nparts; i++) {
        const struct marks_part *p = &job->parts[i];
        if (!p->overlay)
            continue;
        cairo_save(cr);
        cairo_rectangle(cr, p->clip_x0, 0, p->clip_x1 - p->clip_x0, job->clip_bottom);
        cairo_clip(cr);
        struct diag *dg = diag_new();
        render_overlay_draw(cr, &p->view, p->overlay, ml->style, &opt, NULL, dg);
        diag_free(dg);
        cairo_restore(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    unpremultiply(cairo_image_surface_get_data(surface), cairo_image_surface_get_stride(surface),
                  job->out_w, job->out_h, out, cells);
}

/* Sleeps (lock held) until the rest after the last job is over, a screenshot
 * waits, or the layer stops. */
static void rest(struct marks_layer *ml)
{
    for (;;) {
        double left = ml->last_finish_s + fmin(ml->last_render_s, MARKS_REST_MAX_S) -
                      viewer_now_s();
        if (ml->sync || ml->stopping || left <= 0)
            return;
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        long ns = deadline.tv_nsec + (long)(left * 1e9);
        deadline.tv_sec += ns / 1000000000L;
        deadline.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&ml->cond, &ml->lock, &deadline);
    }
}

static void *marks_main(void *arg)
{
    struct marks_layer *ml = arg;
    cairo_surface_t *surface = NULL;
    uint32_t *back = NULL;
    uint8_t *back_cells = NULL;
    int w = 0, h = 0;
    pthread_mutex_lock(&ml->lock);
    for (;;) {
        while (!ml->stopping && !ml->has_pending)
            pthread_cond_wait(&ml->cond, &ml->lock);
        rest(ml);
        if (ml->stopping)
            break;
        double start_s = viewer_now_s();
        ml->current = ml->pending;
        ml->has_pending = false;
        ml->busy = true;
        pthread_mutex_unlock(&ml->lock);

        if (!surface || w != ml->current.out_w || h != ml->current.out_h) {
            if (surface)
                cairo_surface_destroy(surface);
            free(back);
            free(back_cells);
            w = ml->current.out_w;
            h = ml->current.out_h;
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
            back = malloc((size_t)w * h * 4);
            back_cells = malloc((size_t)cell_count(w) * (size_t)cell_count(h));
        }
        bool ok = back && back_cells && cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
        if (ok)
            draw_job(ml, &ml->current, surface, back, back_cells);

        pthread_mutex_lock(&ml->lock);
        ml->busy = false;
        ml->last_finish_s = viewer_now_s();
        ml->last_render_s = ml->last_finish_s - start_s;
        if (ok) {
            /* Swap buffers: the UI reads `result` only under the lock. */
            uint32_t *old = ml->result;
            uint8_t *old_cells = ml->result_cells;
            bool same_size = ml->result_w == w && ml->result_h == h;
            ml->result = back;
            ml->result_cells = back_cells;
            back = old && same_size ? old : NULL;
            back_cells = old_cells && same_size ? old_cells : NULL;
            if (!back || !back_cells) {
                free(old);
                free(old_cells);
                back = malloc((size_t)w * h * 4);
                back_cells = malloc((size_t)cell_count(w) * (size_t)cell_count(h));
            }
            ml->result_w = w;
            ml->result_h = h;
            ml->result_job = ml->current;
            ml->result_new = true;
        } else {
            snprintf(ml->error, sizeof ml->error, "out of memory for the marks layer");
        }
        ml->done_seq = ml->current.seq;
        pthread_cond_broadcast(&ml->done_cond);
    }
    pthread_mutex_unlock(&ml->lock);
    if (surface)
        cairo_surface_destroy(surface);
    free(back);
    free(back_cells);
    return NULL;
}

struct marks_layer *marks_new(const struct style *style)
{
    struct marks_layer *ml = calloc(1, sizeof *ml);
    if (!ml)
        return NULL;
    ml->style = style;
    init_inverse();
    pthread_mutex_init(&ml->lock, NULL);
    pthread_cond_init(&ml->cond, NULL);
    pthread_cond_init(&ml->done_cond, NULL);
    if (pthread_create(&ml->thread, NULL, marks_main, ml) != 0) {
        marks_free(ml);
        return NULL;
    }
    ml->started = true;
    return ml;
}

void marks_free(struct marks_layer *ml)
{
    if (!ml)
        return;
    pthread_mutex_lock(&ml->lock);
    ml->stopping = true;
    pthread_cond_broadcast(&ml->cond);
    pthread_mutex_unlock(&ml->lock);
    if (ml->started)
        pthread_join(ml->thread, NULL);
    for (size_t i = 0; i < ml->nretired; i++)
        render_overlay_free(ml->retired[i]);
    free(ml->result);
    free(ml->result_cells);
    pthread_cond_destroy(&ml->done_cond);
    pthread_cond_destroy(&ml->cond);
    pthread_mutex_destroy(&ml->lock);
    free(ml);
}

static bool job_uses(const struct marks_job *job, const struct render_overlay *ov)
{
    for (int i = 0; i < job->nparts; i++)
        if (job->parts[i].overlay == ov)
            return true;
    return false;
}

/* Frees retired overlays no job refers to. Caller holds the lock. */
static void collect_retired(struct marks_layer *ml)
{
    size_t kept = 0;
    for (size_t i = 0; i < ml->nretired; i++) {
        struct render_overlay *ov = ml->retired[i];
        if ((ml->busy && job_uses(&ml->current, ov)) || (ml->has_pending && job_uses(&ml->pending, ov)))
            ml->retired[kept++] = ov;
        else
            render_overlay_free(ov);
    }
    ml->nretired = kept;
}

void marks_retire(struct marks_layer *ml, struct render_overlay *ov)
{
    if (!ov)
        return;
    pthread_mutex_lock(&ml->lock);
    collect_retired(ml);
    if (ml->nretired == MARKS_MAX_RETIRED) {
        /* Should not happen (one job at a time); wait for the thread instead. */
        while (ml->busy || ml->has_pending)
            pthread_cond_wait(&ml->done_cond, &ml->lock);
        collect_retired(ml);
    }
    ml->retired[ml->nretired++] = ov;
    collect_retired(ml);
    pthread_mutex_unlock(&ml->lock);
}

/* The job for the current state of the viewer. */
static void build_job(struct viewer *vw, struct marks_job *job)
{
    memset(job, 0, sizeof *job);
    job->view = vw->view;
    job->out_w = vw->view.w;
    job->out_h = vw->view.h;
    job->clip_bottom = vw->view.h - VIEWER_STATUS_H;
    job->hidden = vw->hidden_classes;
    snprintf(job->highlight, sizeof job->highlight, "%s", vw->selected);
    struct view vb;
    const struct image_layer *first = &vw->a;
    const struct view *first_view = &vw->view;
    if (vw->has_b && vw->compare == COMPARE_FLICKER && vw->show_b && view_for_b(vw, &vw->view, &vb)) {
        first = &vw->b;
        first_view = &vb;
    }
    job->parts[0].overlay = first->overlay;
    job->parts[0].view = view_to_render(first_view);
    job->parts[0].clip_x0 = 0;
    job->parts[0].clip_x1 = vw->view.w;
    job->nparts = 1;
    if (vw->has_b && vw->compare == COMPARE_SWIPE && view_for_b(vw, &vw->view, &vb)) {
        double split = vw->divider * vw->view.w;
        job->parts[0].clip_x1 = split;
        job->parts[1].overlay = vw->b.overlay;
        job->parts[1].view = view_to_render(&vb);
        job->parts[1].clip_x0 = split;
        job->parts[1].clip_x1 = vw->view.w;
        job->nparts = 2;
    }
    /* Labels only when few marks are in view: thousands are unreadable and slow. */
    size_t visible = 0;
    for (int p = 0; p < job->nparts; p++) {
        const struct render_overlay *ov = job->parts[p].overlay;
        size_t n = ov ? render_overlay_count(ov) : 0;
        for (size_t i = 0; i < n && visible <= VIEWER_LABELS_MAX_VISIBLE; i++)
            if (!(vw->hidden_classes & (1u << render_overlay_class(ov, i))) &&
                render_overlay_visible(ov, i, &job->parts[p].view))
                visible++;
    }
    job->labels = vw->show_labels && visible <= VIEWER_LABELS_MAX_VISIBLE;
}

static bool same_job(const struct marks_job *a, const struct marks_job *b)
{
    if (a->nparts != b->nparts || a->labels != b->labels || a->hidden != b->hidden ||
        a->out_w != b->out_w || a->out_h != b->out_h || strcmp(a->highlight, b->highlight) != 0)
        return false;
    for (int i = 0; i < a->nparts; i++) {
        const struct marks_part *p = &a->parts[i], *q = &b->parts[i];
        if (p->overlay != q->overlay || p->clip_x0 != q->clip_x0 || p->clip_x1 != q->clip_x1 ||
            memcmp(&p->view, &q->view, sizeof p->view) != 0)
            return false;
    }
    return true;
}

void marks_update(struct viewer *vw)
{
    struct marks_layer *ml = vw->marks;
    struct marks_job job;
    build_job(vw, &job);
    pthread_mutex_lock(&ml->lock);
    const struct marks_job *latest = ml->has_pending ? &ml->pending
                                     : ml->busy      ? &ml->current
                                                     : &ml->result_job;
    bool have_any = ml->has_pending || ml->busy || ml->result;
    if (!have_any || !same_job(latest, &job)) {
        job.seq = ++ml->posted_seq;
        ml->pending = job;
        ml->has_pending = true;
        pthread_cond_signal(&ml->cond);
    }
    collect_retired(ml);
    pthread_mutex_unlock(&ml->lock);
}

bool marks_current(struct viewer *vw)
{
    struct marks_layer *ml = vw->marks;
    pthread_mutex_lock(&ml->lock);
    bool current = !ml->has_pending && !ml->busy && ml->done_seq == ml->posted_seq &&
                   !ml->result_new;
    pthread_mutex_unlock(&ml->lock);
    return current;
}

bool marks_wait(struct viewer *vw, int timeout_ms)
{
    struct marks_layer *ml = vw->marks;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&ml->lock);
    if (timeout_ms < 0) {
        ml->sync = true; /* no rest before this job */
        pthread_cond_broadcast(&ml->cond);
    }
    int rc = 0;
    while ((ml->has_pending || ml->busy) && rc != ETIMEDOUT) {
        if (timeout_ms < 0)
            pthread_cond_wait(&ml->done_cond, &ml->lock);
        else
            rc = pthread_cond_timedwait(&ml->done_cond, &ml->lock, &deadline);
    }
    bool done = !ml->has_pending && !ml->busy;
    if (timeout_ms < 0)
        ml->sync = false;
    pthread_mutex_unlock(&ml->lock);
    return done;
}

/* (Re)creates the texture and the cell map at w x h. */
static bool ensure_buffers(struct viewer *vw, int w, int h)
{
    if (vw->marks_tex && vw->marks_tex_w == w && vw->marks_tex_h == h)
        return true;
    if (vw->marks_tex)
        SDL_DestroyTexture(vw->marks_tex);
    if (vw->marks_scaled)
        SDL_DestroyTexture(vw->marks_scaled);
    free(vw->marks_cells);
    free(vw->marks_pixels);
    free(vw->marks_xmap);
    vw->marks_tex_w = vw->marks_tex_h = 0;
    vw->marks_cols = cell_count(w);
    vw->marks_rows = cell_count(h);
    vw->marks_tex = SDL_CreateTexture(vw->renderer, SDL_PIXELFORMAT_ARGB8888,
                                      SDL_TEXTUREACCESS_STATIC, w, h);
    vw->marks_scaled = SDL_CreateTexture(vw->renderer, SDL_PIXELFORMAT_ARGB8888,
                                         SDL_TEXTUREACCESS_STREAMING, w, h);
    vw->marks_cells = calloc((size_t)vw->marks_cols * (size_t)vw->marks_rows, 1);
    vw->marks_pixels = calloc((size_t)w * h, 4);
    vw->marks_xmap = malloc((size_t)w * sizeof *vw->marks_xmap);
    if (!vw->marks_tex || !vw->marks_scaled || !vw->marks_cells || !vw->marks_pixels ||
        !vw->marks_xmap) {
        viewer_message(vw, true, "cannot create the marks layer: %s", SDL_GetError());
        if (vw->marks_tex)
            SDL_DestroyTexture(vw->marks_tex);
        if (vw->marks_scaled)
            SDL_DestroyTexture(vw->marks_scaled);
        vw->marks_tex = vw->marks_scaled = NULL;
        return false;
    }
    SDL_SetTextureBlendMode(vw->marks_tex, SDL_BLENDMODE_BLEND);
    SDL_SetTextureBlendMode(vw->marks_scaled, SDL_BLENDMODE_BLEND);
    vw->marks_tex_w = w;
    vw->marks_tex_h = h;
    return true;
}

/* The texture rectangle of the run of cells cx0..cx1 (inclusive) on cell row cy. */
static SDL_Rect run_rect(const struct viewer *vw, int cy, int cx0, int cx1)
{
    SDL_Rect r = {cx0 * VIEWER_MARKS_CELL, cy * VIEWER_MARKS_CELL, 0, 0};
    int x1 = (cx1 + 1) * VIEWER_MARKS_CELL, y1 = r.y + VIEWER_MARKS_CELL;
    r.w = (x1 < vw->marks_tex_w ? x1 : vw->marks_tex_w) - r.x;
    r.h = (y1 < vw->marks_tex_h ? y1 : vw->marks_tex_h) - r.y;
    return r;
}

/* Calls fn for every run of non-empty cells (cell map of vw). */
static void for_each_run(struct viewer *vw, void (*fn)(struct viewer *, SDL_Rect, void *),
                         void *arg)
{
    for (int cy = 0; cy < vw->marks_rows; cy++) {
        const uint8_t *row = vw->marks_cells + (size_t)cy * vw->marks_cols;
        for (int cx = 0; cx < vw->marks_cols;) {
            if (!row[cx]) {
                cx++;
                continue;
            }
            int end = cx;
            while (end + 1 < vw->marks_cols && row[end + 1])
                end++;
            fn(vw, run_rect(vw, cy, cx, end), arg);
            cx = end + 1;
        }
    }
}

/* Uploads run r of the result px to the texture and copies it to marks_pixels. */
static void upload_run(struct viewer *vw, SDL_Rect r, void *arg)
{
    const uint32_t *px = arg;
    size_t first = (size_t)r.y * vw->marks_tex_w + r.x;
    SDL_UpdateTexture(vw->marks_tex, &r, px + first, vw->marks_tex_w * 4);
    for (int y = 0; y < r.h; y++)
        memcpy(vw->marks_pixels + first + (size_t)y * vw->marks_tex_w,
               px + first + (size_t)y * vw->marks_tex_w, (size_t)r.w * 4);
}

/* Takes the new cell map: clears in marks_pixels the cells that held
 * something and are empty now (empty cells there stay transparent, which
 * the zoom path relies on), then copies the map. */
static void take_cells(struct viewer *vw, const uint8_t *cells)
{
    for (int cy = 0; cy < vw->marks_rows; cy++)
        for (int cx = 0; cx < vw->marks_cols; cx++) {
            size_t i = (size_t)cy * vw->marks_cols + cx;
            if (!vw->marks_cells[i] || cells[i])
                continue;
            SDL_Rect r = run_rect(vw, cy, cx, cx);
            for (int y = 0; y < r.h; y++)
                memset(vw->marks_pixels + (size_t)(r.y + y) * vw->marks_tex_w + r.x, 0,
                       (size_t)r.w * 4);
        }
    memcpy(vw->marks_cells, cells, (size_t)vw->marks_cols * (size_t)vw->marks_rows);
}

/* Where the rendered view's pixels go on the current view: x' = k x + ox. */
struct placement {
    double k, ox, oy;
    bool same_scale;
    SDL_Rect clip;
};

static void draw_run(struct viewer *vw, SDL_Rect src, void *arg)
{
    const struct placement *pl = arg;
    SDL_Rect dst;
    if (pl->same_scale) {
        dst = (SDL_Rect){src.x + (int)lround(pl->ox), src.y + (int)lround(pl->oy), src.w, src.h};
    } else {
        /* Both edges from the same formula, so neighbouring runs meet. */
        dst.x = (int)lround(pl->ox + src.x * pl->k);
        dst.y = (int)lround(pl->oy + src.y * pl->k);
        dst.w = (int)lround(pl->ox + (src.x + src.w) * pl->k) - dst.x;
        dst.h = (int)lround(pl->oy + (src.y + src.h) * pl->k) - dst.y;
    }
    if (dst.w <= 0 || dst.h <= 0 || dst.x >= pl->clip.x + pl->clip.w ||
        dst.y >= pl->clip.y + pl->clip.h || dst.x + dst.w <= pl->clip.x ||
        dst.y + dst.h <= pl->clip.y)
        return;
    SDL_RenderCopy(vw->renderer, vw->marks_tex, &src, &dst);
}

/* Zooming: scale the last result (nearest neighbour) into marks_scaled over
 * the bounding box of its non-empty cells, then blend that box unscaled.
 * SDL's software renderer blends unscaled copies with a loop that skips
 * transparent pixels, while its scaled blend works on every pixel and is
 * several times slower. */
static void draw_scaled(struct viewer *vw, const struct placement *pl)
{
    int w = vw->marks_tex_w, h = vw->marks_tex_h;
    int cx0 = vw->marks_cols, cy0 = vw->marks_rows, cx1 = -1, cy1 = -1;
    for (int cy = 0; cy < vw->marks_rows; cy++)
        for (int cx = 0; cx < vw->marks_cols; cx++)
            if (vw->marks_cells[(size_t)cy * vw->marks_cols + cx]) {
                cx0 = cx < cx0 ? cx : cx0;
                cx1 = cx > cx1 ? cx : cx1;
                cy0 = cy < cy0 ? cy : cy0;
                cy1 = cy > cy1 ? cy : cy1;
            }
    if (cx1 < 0)
        return;
    /* The box of content in the result, then on the window, clipped. */
    SDL_Rect src = run_rect(vw, cy0, cx0, cx1);
    int sy1 = cy1 * VIEWER_MARKS_CELL + VIEWER_MARKS_CELL;
    src.h = (sy1 < h ? sy1 : h) - src.y;
    int dx0 = (int)floor(pl->ox + src.x * pl->k), dy0 = (int)floor(pl->oy + src.y * pl->k);
    int dx1 = (int)ceil(pl->ox + (src.x + src.w) * pl->k);
    int dy1 = (int)ceil(pl->oy + (src.y + src.h) * pl->k);
    dx0 = dx0 > pl->clip.x ? dx0 : pl->clip.x;
    dy0 = dy0 > pl->clip.y ? dy0 : pl->clip.y;
    dx1 = dx1 < pl->clip.x + pl->clip.w ? dx1 : pl->clip.x + pl->clip.w;
    dy1 = dy1 < pl->clip.y + pl->clip.h ? dy1 : pl->clip.y + pl->clip.h;
    if (dx1 <= dx0 || dy1 <= dy0)
        return;
    SDL_Rect box = {dx0, dy0, dx1 - dx0, dy1 - dy0};
    void *locked;
    int pitch;
    if (SDL_LockTexture(vw->marks_scaled, &box, &locked, &pitch) != 0)
        return;
    /* Window pixel centre -> result pixel, per column once. */
    int *xmap = vw->marks_xmap;
    for (int x = dx0; x < dx1; x++) {
        double sx = floor((x + 0.5 - pl->ox) / pl->k);
        xmap[x - dx0] = sx >= src.x && sx < src.x + src.w ? (int)sx : -1;
    }
    int prev_sy = -2;
    unsigned char *prev_row = NULL;
    for (int y = dy0; y < dy1; y++) {
        uint32_t *d = (uint32_t *)(void *)((unsigned char *)locked + (size_t)(y - dy0) * pitch);
        double syf = floor((y + 0.5 - pl->oy) / pl->k);
        int sy = syf >= src.y && syf < src.y + src.h ? (int)syf : -1;
        if (sy == prev_sy && prev_row) {
            memcpy(d, prev_row, (size_t)box.w * 4);
            continue;
        }
        if (sy < 0) {
            memset(d, 0, (size_t)box.w * 4);
        } else {
            const uint32_t *s = vw->marks_pixels + (size_t)sy * w;
            for (int i = 0; i < box.w; i++)
                d[i] = xmap[i] >= 0 ? s[xmap[i]] : 0;
        }
        prev_sy = sy;
        prev_row = (unsigned char *)d;
    }
    SDL_UnlockTexture(vw->marks_scaled);
    SDL_RenderCopy(vw->renderer, vw->marks_scaled, &box, &box);
}

void marks_draw(struct viewer *vw)
{
    struct marks_layer *ml = vw->marks;
    pthread_mutex_lock(&ml->lock);
    if (ml->result_new) {
        if (ensure_buffers(vw, ml->result_w, ml->result_h)) {
            /* Only the cells that hold anything: the texture elsewhere is never drawn. */
            take_cells(vw, ml->result_cells);
            for_each_run(vw, upload_run, ml->result);
            vw->marks_ready = true;
        }
        vw->marks_view = ml->result_job.view;
        ml->result_new = false;
    }
    if (ml->error[0]) {
        viewer_message(vw, true, "%s", ml->error);
        ml->error[0] = '\0';
    }
    pthread_mutex_unlock(&ml->lock);
    if (!vw->marks_ready)
        return;
    /* Place the rendered view's window on the current view (marks stay on
     * their ground while a newer rendering is under way). Scaled runs are
     * blended at nearest neighbour straight from the texture: only the cells
     * with marks cost anything. */
    const struct view *r = &vw->marks_view, *v = &vw->view;
    struct placement pl;
    pl.k = v->scale / r->scale;
    if (!(pl.k > 1.0 / 64 && pl.k < 64))
        return;
    pl.ox = (r->cx - r->w / 2.0 / r->scale - v->cx) * v->scale + v->w / 2.0;
    pl.oy = (r->cy - r->h / 2.0 / r->scale - v->cy) * v->scale + v->h / 2.0;
    pl.same_scale = fabs(pl.k - 1) < 1e-9;
    pl.clip = (SDL_Rect){0, 0, v->w, v->h - VIEWER_STATUS_H};
    if (!pl.same_scale && v->w == vw->marks_tex_w && v->h == vw->marks_tex_h) {
        draw_scaled(vw, &pl);
        return;
    }
    SDL_RenderSetClipRect(vw->renderer, &pl.clip);
    for_each_run(vw, draw_run, &pl);
    SDL_RenderSetClipRect(vw->renderer, NULL);
}
