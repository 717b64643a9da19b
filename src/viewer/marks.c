/*
 * marks — the marks layer, drawn by the core renderer on a thread of its own
 * so the UI thread never waits for Cairo while the user pans or zooms.
 *
 * The UI thread posts a job (the view, the projected overlay, the drawing
 * options; up to two parts for the compare swipe) whenever what the layer
 * shows changes; a newer job replaces a pending one. The thread draws into
 * its own ARGB32 surface, copies the (premultiplied) pixels out with a map
 * of which VIEWER_MARKS_CELL-sized cells hold anything, and publishes the
 * result with the view it was drawn for. The UI thread takes a new result by
 * swapping buffers with the thread (marks_take, no copy); compose.c blends
 * it over the imagery, moved and scaled from the view it was drawn for to
 * the current view, so marks stay on the ground they mark while a newer
 * rendering is under way, and skips the empty cells. Screenshots and
 * wait-idle wait for the layer to match the current view exactly
 * (marks_wait with no limit).
 *
 * A render_overlay given to a job stays alive until the thread is done with
 * it: the UI hands replaced overlays to marks_retire, which frees them once
 * no job refers to them.
 *
 * Cost bounds: while the view keeps changing, the thread rests as long as
 * its last rendering took (at most 100 ms) between jobs, and it runs at a
 * lower priority (viewer_background_thread), so on a two-core machine it
 * takes at most about half a core from the UI thread and the tile readers;
 * a waiting screenshot (marks_wait with no limit) skips the rest.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spindex.h"
#include "viewer.h"

#define MARKS_MAX_RETIRED 64
#define MARKS_MAX_VISINDEX 4
/* Marks with a box side above this (image pixels) are tested one by one. */
#define VISINDEX_LARGE 512.0
/* Marks tested in file order before the grid is asked (count_shown). */
#define VISINDEX_PROBE 4096

/* A grid over an overlay's marks (their box centres): counting the marks in
 * view (build_job, every frame the view changes) then costs the marks near
 * the view, not every mark of the file. UI thread only; keyed by the
 * overlay, dropped when it is retired. */
struct visindex {
    const struct render_overlay *overlay; /* borrowed; NULL: slot free */
    size_t count;                         /* render_overlay_count when built */
    struct spindex *grid;                 /* the small marks; NULL when none */
    size_t *large, nlarge;                /* the others, and marks without a box are left out */
    double pad;                           /* half the longest box side among the small marks */
};
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
    enum render_other_dates other_dates;
    char highlight[128];
    int out_w, out_h, clip_bottom;
    int clip_top; /* compare modes: labels keep clear of the date captions above */
    struct render_marks_stats stats; /* what drawing it did (set by the thread) */
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
    /* Result: premultiplied ARGB32 pixels of the last finished job, and
     * which rows of each cell hold anything (0: fully transparent). */
    uint32_t *result;
    viewer_marks_cell *result_cells;
    int result_w, result_h;
    bool sync;             /* someone waits for the result: no rest */
    double last_render_s;  /* how long the last job took */
    double last_finish_s;  /* when it finished (viewer_now_s) */
    struct marks_job result_job;
    bool result_new;
    /* UI thread only (not under lock) */
    struct visindex vis[MARKS_MAX_VISINDEX];
    size_t vis_next; /* the slot replaced next when all are taken */
    bool has_result;       /* result_job holds the last finished job */
    pthread_cond_t done_cond;
    uint64_t done_seq;
    uint64_t posted_seq;
    struct render_overlay *retired[MARKS_MAX_RETIRED];
    size_t nretired;
    char error[256];
};

static int cell_count(int px) { return (px + VIEWER_MARKS_CELL - 1) / VIEWER_MARKS_CELL; }

/* Copies Cairo's premultiplied pixels (stride bytes per row) to out (w per
 * row) and records in cells (cell_count(w) x cell_count(h), cleared here)
 * which rows of each cell hold anything: compose.c then reads only those
 * rows of the layer (an outline crossing a cell fills one or two of its 16
 * rows). */
static void copy_cells(const unsigned char *src, int stride, int w, int h, uint32_t *out,
                       viewer_marks_cell *cells)
{
    int cols = cell_count(w);
    memset(cells, 0, (size_t)cols * (size_t)cell_count(h) * sizeof *cells);
    for (int y = 0; y < h; y++) {
        const uint32_t *s = (const uint32_t *)(const void *)(src + (size_t)y * stride);
        uint32_t *d = out + (size_t)y * w;
        viewer_marks_cell *cell_row = cells + (size_t)(y / VIEWER_MARKS_CELL) * cols;
        viewer_marks_cell row_bit = (viewer_marks_cell)(1u << (y % VIEWER_MARKS_CELL));
        for (int cx = 0; cx < cols; cx++) {
            int x0 = cx * VIEWER_MARKS_CELL;
            int x1 = x0 + VIEWER_MARKS_CELL < w ? x0 + VIEWER_MARKS_CELL : w;
            uint32_t any = 0;
            for (int x = x0; x < x1; x++)
                any |= s[x];
            if (any)
                cell_row[cx] |= row_bit;
            memcpy(d + x0, s + x0, (size_t)(x1 - x0) * 4);
        }
    }
}

static void draw_job(const struct marks_layer *ml, struct marks_job *job,
                     cairo_surface_t *surface, uint32_t *out, viewer_marks_cell *cells)
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
    opt.other_dates = job->other_dates;
    struct render_rect keep[3] = {
        {0, job->clip_bottom - 40, 260, 40},
        {0, job->clip_bottom, job->out_w, job->out_h - job->clip_bottom},
        {0, 0, job->out_w, job->clip_top},
    };
    opt.keep_clear = keep;
    opt.nkeep_clear = job->clip_top > 0 ? 3 : 2;
    memset(&job->stats, 0, sizeof job->stats);
    for (int i = 0; i < job->nparts; i++) {
        const struct marks_part *p = &job->parts[i];
        if (!p->overlay)
            continue;
        cairo_save(cr);
        cairo_rectangle(cr, p->clip_x0, 0, p->clip_x1 - p->clip_x0, job->clip_bottom);
        cairo_clip(cr);
        struct diag *dg = diag_new();
        struct render_marks_stats part_stats;
        render_overlay_draw(cr, &p->view, p->overlay, ml->style, &opt, &part_stats, dg);
        job->stats.drawn += part_stats.drawn;
        job->stats.labels_placed += part_stats.labels_placed;
        job->stats.labels_skipped += part_stats.labels_skipped;
        job->stats.labels_grouped += part_stats.labels_grouped;
        if (part_stats.label_max_repeat > job->stats.label_max_repeat)
            job->stats.label_max_repeat = part_stats.label_max_repeat;
        diag_free(dg);
        cairo_restore(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    copy_cells(cairo_image_surface_get_data(surface), cairo_image_surface_get_stride(surface),
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
    viewer_background_thread();
    cairo_surface_t *surface = NULL;
    uint32_t *back = NULL;
    viewer_marks_cell *back_cells = NULL;
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
            back_cells = malloc((size_t)cell_count(w) * (size_t)cell_count(h) * sizeof *back_cells);
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
            viewer_marks_cell *old_cells = ml->result_cells;
            bool same_size = ml->result_w == w && ml->result_h == h;
            ml->result = back;
            ml->result_cells = back_cells;
            back = old && same_size ? old : NULL;
            back_cells = old_cells && same_size ? old_cells : NULL;
            if (!back || !back_cells) {
                free(old);
                free(old_cells);
                back = malloc((size_t)w * h * 4);
                back_cells = malloc((size_t)cell_count(w) * (size_t)cell_count(h) * sizeof *back_cells);
            }
            ml->result_w = w;
            ml->result_h = h;
            ml->result_job = ml->current;
            ml->result_new = true;
            ml->has_result = true;
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

static void visindex_clear(struct visindex *vi)
{
    spindex_free(vi->grid);
    free(vi->large);
    memset(vi, 0, sizeof *vi);
}

/* The index of ov (built on first use); NULL on out of memory. */
static struct visindex *visindex_of(struct marks_layer *ml, const struct render_overlay *ov)
{
    size_t n = render_overlay_count(ov);
    for (size_t i = 0; i < MARKS_MAX_VISINDEX; i++)
        if (ml->vis[i].overlay == ov && ml->vis[i].count == n)
            return &ml->vis[i];
    struct visindex *vi = &ml->vis[ml->vis_next];
    ml->vis_next = (ml->vis_next + 1) % MARKS_MAX_VISINDEX;
    visindex_clear(vi);
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    vi->large = malloc((n ? n : 1) * sizeof *vi->large);
    if (!x || !y || !vi->large) {
        free(x);
        free(y);
        visindex_clear(vi);
        return NULL;
    }
    size_t nsmall = 0;
    for (size_t i = 0; i < n; i++) {
        struct render_rect box;
        x[i] = y[i] = NAN; /* left out of the grid */
        if (!render_overlay_bbox(ov, i, &box))
            continue; /* never visible */
        if (box.w > VISINDEX_LARGE || box.h > VISINDEX_LARGE) {
            vi->large[vi->nlarge++] = i;
            continue;
        }
        x[i] = box.x + box.w / 2;
        y[i] = box.y + box.h / 2;
        vi->pad = fmax(vi->pad, fmax(box.w, box.h) / 2);
        nsmall++;
    }
    vi->grid = nsmall ? spindex_new(x, y, n) : NULL;
    free(x);
    free(y);
    if (nsmall && !vi->grid) {
        visindex_clear(vi);
        return NULL;
    }
    vi->overlay = ov;
    vi->count = n;
    return vi;
}

static bool counts_as_shown(const struct viewer *vw, const struct render_overlay *ov, size_t i,
                            const struct render_view *view)
{
    return !(vw->ui.hidden_classes & (1u << render_overlay_class(ov, i))) &&
           !(vw->ui.other_dates == RENDER_OTHER_HIDDEN &&
             render_overlay_relation(ov, i) == MARKDATE_OTHER_DATES) &&
           render_overlay_visible(ov, i, view);
}

/* How many marks of ov are shown in view, counting up to limit + 1. */
static size_t count_shown(struct viewer *vw, const struct render_overlay *ov,
                          const struct render_view *view, size_t limit)
{
    size_t n = render_overlay_count(ov), shown = 0;
    /* Zoomed out, most marks are in view: the first few thousand settle it
     * (the grid would list them all). Zoomed in, the grid lists the few. */
    size_t probe = n < VISINDEX_PROBE ? n : VISINDEX_PROBE;
    for (size_t i = 0; i < probe && shown <= limit; i++)
        shown += counts_as_shown(vw, ov, i, view);
    if (shown > limit || probe == n)
        return shown;
    shown = 0;
    struct visindex *vi = visindex_of(vw->frame.marks, ov);
    if (!vi) { /* out of memory: every mark, as before the index */
        for (size_t i = 0; i < n && shown <= limit; i++)
            shown += counts_as_shown(vw, ov, i, view);
        return shown;
    }
    for (size_t k = 0; k < vi->nlarge && shown <= limit; k++)
        shown += counts_as_shown(vw, ov, vi->large[k], view);
    size_t *items = NULL, nitems = 0;
    if (shown <= limit && vi->grid &&
        spindex_query(vi->grid, view->src_x - vi->pad, view->src_y - vi->pad,
                      view->src_x + view->src_w + vi->pad, view->src_y + view->src_h + vi->pad,
                      &items, &nitems))
        for (size_t k = 0; k < nitems && shown <= limit; k++)
            shown += items[k] < n && counts_as_shown(vw, ov, items[k], view);
    free(items);
    return shown;
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
    for (size_t i = 0; i < MARKS_MAX_VISINDEX; i++)
        visindex_clear(&ml->vis[i]);
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
    for (size_t i = 0; i < MARKS_MAX_VISINDEX; i++)
        if (ml->vis[i].overlay == ov)
            visindex_clear(&ml->vis[i]);
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
    job->clip_top = vw->imagery.has_b ? VIEWER_CAPTION_H : 0;
    job->hidden = vw->ui.hidden_classes;
    job->other_dates = vw->ui.other_dates;
    snprintf(job->highlight, sizeof job->highlight, "%s", vw->doc.selected);
    struct b_mapping map;
    bool b_ok = vw->imagery.has_b && view_b_mapping(&vw->imagery, &vw->view, &map);
    /* B drawn through the affine map is in A's frame: A's projection of
     * the marks fits both (and one part keeps labels whole at the divider). */
    bool b_own = b_ok && !map.affine;
    const struct image_layer *first = &vw->imagery.a;
    const struct view *first_view = &vw->view;
    if (b_own && vw->ui.compare == COMPARE_FLICKER && vw->ui.show_b) {
        first = &vw->imagery.b;
        first_view = &map.vb;
    }
    job->parts[0].overlay = first->overlay;
    job->parts[0].view = view_to_render(first_view);
    job->parts[0].clip_x0 = 0;
    job->parts[0].clip_x1 = vw->view.w;
    job->nparts = 1;
    if (b_own && vw->ui.compare == COMPARE_SWIPE) {
        double split = vw->ui.divider * vw->view.w;
        job->parts[0].clip_x1 = split;
        job->parts[1].overlay = vw->imagery.b.overlay;
        job->parts[1].view = view_to_render(&map.vb);
        job->parts[1].clip_x0 = split;
        job->parts[1].clip_x1 = vw->view.w;
        job->nparts = 2;
    } else if (b_ok && map.affine) {
        /* B resampled into A's frame: B's marks, classified against B's
         * date, placed with A's georeference */
        if (vw->ui.compare == COMPARE_FLICKER && vw->ui.show_b) {
            job->parts[0].overlay = vw->imagery.b.overlay_in_a;
        } else if (vw->ui.compare == COMPARE_SWIPE) {
            double split = vw->ui.divider * vw->view.w;
            job->parts[0].clip_x1 = split;
            job->parts[1] = job->parts[0];
            job->parts[1].overlay = vw->imagery.b.overlay_in_a;
            job->parts[1].clip_x0 = split;
            job->parts[1].clip_x1 = vw->view.w;
            job->nparts = 2;
        }
    }
    /* Labels only when few marks are in view: thousands are unreadable and slow. */
    size_t visible = 0;
    for (int p = 0; p < job->nparts && visible <= VIEWER_LABELS_MAX_VISIBLE; p++)
        if (job->parts[p].overlay)
            visible += count_shown(vw, job->parts[p].overlay, &job->parts[p].view,
                                   VIEWER_LABELS_MAX_VISIBLE - visible);
    job->labels = vw->ui.show_labels && visible <= VIEWER_LABELS_MAX_VISIBLE;
}

static bool same_job(const struct marks_job *a, const struct marks_job *b)
{
    if (a->nparts != b->nparts || a->labels != b->labels || a->hidden != b->hidden ||
        a->other_dates != b->other_dates || a->out_w != b->out_w || a->out_h != b->out_h ||
        a->clip_top != b->clip_top || strcmp(a->highlight, b->highlight) != 0)
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
    struct marks_layer *ml = vw->frame.marks;
    struct marks_job job;
    build_job(vw, &job);
    pthread_mutex_lock(&ml->lock);
    const struct marks_job *latest = ml->has_pending ? &ml->pending
                                     : ml->busy      ? &ml->current
                                                     : &ml->result_job;
    bool have_any = ml->has_pending || ml->busy || ml->has_result;
    if (!have_any || !same_job(latest, &job)) {
        job.seq = ++ml->posted_seq;
        ml->pending = job;
        ml->has_pending = true;
        pthread_cond_signal(&ml->cond);
    }
    collect_retired(ml);
    pthread_mutex_unlock(&ml->lock);
}

bool marks_current(struct viewer_frame *fr)
{
    struct marks_layer *ml = fr->marks;
    pthread_mutex_lock(&ml->lock);
    bool current = !ml->has_pending && !ml->busy && ml->done_seq == ml->posted_seq &&
                   !ml->result_new;
    pthread_mutex_unlock(&ml->lock);
    return current;
}

bool marks_wait(struct viewer_frame *fr, int timeout_ms)
{
    struct marks_layer *ml = fr->marks;
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

void marks_take(struct viewer *vw)
{
    struct marks_layer *ml = vw->frame.marks;
    pthread_mutex_lock(&ml->lock);
    if (ml->result_new) {
        /* Swap buffers with the thread: it gets the UI's previous result back
         * to draw into (or frees it when the size changed). */
        uint32_t *pixels = vw->frame.marks_pixels;
        viewer_marks_cell *cells = vw->frame.marks_cells;
        int w = vw->frame.marks_w, h = vw->frame.marks_h;
        vw->frame.marks_pixels = ml->result;
        vw->frame.marks_cells = ml->result_cells;
        vw->frame.marks_w = ml->result_w;
        vw->frame.marks_h = ml->result_h;
        vw->frame.marks_cols = cell_count(vw->frame.marks_w);
        vw->frame.marks_rows = cell_count(vw->frame.marks_h);
        vw->frame.marks_view = ml->result_job.view;
        vw->frame.marks_stats = ml->result_job.stats;
        vw->frame.marks_overlay = ml->result_job.parts[0].overlay;
        vw->frame.marks_generation++;
        vw->frame.marks_ready = vw->frame.marks_pixels && vw->frame.marks_cells;
        ml->result = pixels;
        ml->result_cells = cells;
        ml->result_w = pixels ? w : 0;
        ml->result_h = pixels ? h : 0;
        ml->result_new = false;
    }
    if (ml->error[0]) {
        viewer_message(vw, true, "%s", ml->error);
        ml->error[0] = '\0';
    }
    pthread_mutex_unlock(&ml->lock);
}
