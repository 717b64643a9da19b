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
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "viewer.h"

#define MARKS_MAX_RETIRED 64

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
    /* Result: straight-alpha ARGB8888 pixels of the last finished job. */
    uint32_t *result;
    int result_w, result_h;
    struct marks_job result_job;
    bool result_new;
    pthread_cond_t done_cond;
    uint64_t done_seq;
    uint64_t posted_seq;
    struct render_overlay *retired[MARKS_MAX_RETIRED];
    size_t nretired;
    char error[256];
};

static void draw_job(const struct marks_layer *ml, const struct marks_job *job,
                     cairo_surface_t *surface, uint32_t *out)
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
    const unsigned char *src = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    for (int y = 0; y < job->out_h; y++) {
        const uint32_t *s = (const uint32_t *)(src + (size_t)y * stride);
        uint32_t *d = out + (size_t)y * job->out_w;
        for (int x = 0; x < job->out_w; x++) {
            uint32_t p = s[x];
            uint32_t a = p >> 24;
            if (a == 0 || a == 255) {
                d[x] = a ? p : 0;
            } else {
                uint32_t r = ((p >> 16) & 255) * 255 / a;
                uint32_t g = ((p >> 8) & 255) * 255 / a;
                uint32_t b = (p & 255) * 255 / a;
                d[x] = a << 24 | r << 16 | g << 8 | b;
            }
        }
    }
}

static void *marks_main(void *arg)
{
    struct marks_layer *ml = arg;
    cairo_surface_t *surface = NULL;
    uint32_t *back = NULL;
    int w = 0, h = 0;
    pthread_mutex_lock(&ml->lock);
    for (;;) {
        while (!ml->stopping && !ml->has_pending)
            pthread_cond_wait(&ml->cond, &ml->lock);
        if (ml->stopping)
            break;
        ml->current = ml->pending;
        ml->has_pending = false;
        ml->busy = true;
        pthread_mutex_unlock(&ml->lock);

        if (!surface || w != ml->current.out_w || h != ml->current.out_h) {
            if (surface)
                cairo_surface_destroy(surface);
            free(back);
            w = ml->current.out_w;
            h = ml->current.out_h;
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
            back = malloc((size_t)w * h * 4);
        }
        bool ok = back && cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
        if (ok)
            draw_job(ml, &ml->current, surface, back);

        pthread_mutex_lock(&ml->lock);
        ml->busy = false;
        if (ok) {
            /* Swap buffers: the UI reads `result` only under the lock. */
            uint32_t *old = ml->result;
            ml->result = back;
            back = (old && ml->result_w == w && ml->result_h == h) ? old : NULL;
            if (!back) {
                free(old);
                back = malloc((size_t)w * h * 4);
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
    int rc = 0;
    while ((ml->has_pending || ml->busy) && rc != ETIMEDOUT) {
        if (timeout_ms < 0)
            pthread_cond_wait(&ml->done_cond, &ml->lock);
        else
            rc = pthread_cond_timedwait(&ml->done_cond, &ml->lock, &deadline);
    }
    bool done = !ml->has_pending && !ml->busy;
    pthread_mutex_unlock(&ml->lock);
    return done;
}

/* (Re)creates the UI-side copies of the layer at w x h. */
static bool ensure_buffers(struct viewer *vw, int w, int h)
{
    if (vw->marks_tex && vw->marks_tex_w == w && vw->marks_tex_h == h)
        return true;
    if (vw->marks_tex)
        SDL_DestroyTexture(vw->marks_tex);
    SDL_FreeSurface(vw->marks_src);
    SDL_FreeSurface(vw->marks_scratch);
    vw->marks_tex = SDL_CreateTexture(vw->renderer, SDL_PIXELFORMAT_ARGB8888,
                                      SDL_TEXTUREACCESS_STREAMING, w, h);
    vw->marks_src = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    vw->marks_scratch = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!vw->marks_tex || !vw->marks_src || !vw->marks_scratch) {
        viewer_message(vw, true, "cannot create the marks layer: %s", SDL_GetError());
        return false;
    }
    SDL_SetTextureBlendMode(vw->marks_tex, SDL_BLENDMODE_BLEND);
    SDL_SetSurfaceBlendMode(vw->marks_src, SDL_BLENDMODE_NONE);
    vw->marks_tex_w = w;
    vw->marks_tex_h = h;
    return true;
}

void marks_draw(struct viewer *vw)
{
    struct marks_layer *ml = vw->marks;
    pthread_mutex_lock(&ml->lock);
    if (ml->result_new) {
        if (ensure_buffers(vw, ml->result_w, ml->result_h)) {
            SDL_UpdateTexture(vw->marks_tex, NULL, ml->result, ml->result_w * 4);
            for (int y = 0; y < ml->result_h; y++)
                memcpy((unsigned char *)vw->marks_src->pixels + (size_t)y * vw->marks_src->pitch,
                       ml->result + (size_t)y * ml->result_w, (size_t)ml->result_w * 4);
            vw->marks_tex_is_result = true;
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
    /* Place the rendered view's window on the current view. */
    const struct view *r = &vw->marks_view, *v = &vw->view;
    double ix0, iy0, ix1, iy1, sx0, sy0, sx1, sy1;
    view_screen_to_image(r, 0, 0, &ix0, &iy0);
    view_screen_to_image(r, r->w, r->h, &ix1, &iy1);
    view_image_to_screen(v, ix0, iy0, &sx0, &sy0);
    view_image_to_screen(v, ix1, iy1, &sx1, &sy1);
    SDL_Rect dst = {(int)lround(sx0), (int)lround(sy0), 0, 0};
    dst.w = (int)lround(sx1) - dst.x;
    dst.h = (int)lround(sy1) - dst.y;
    SDL_Rect clip = {0, 0, v->w, v->h - VIEWER_STATUS_H};
    if (dst.w == vw->marks_tex_w && dst.h == vw->marks_tex_h) {
        /* Same scale (a pan, or up to date): a plain blended copy. */
        if (!vw->marks_tex_is_result) {
            SDL_UpdateTexture(vw->marks_tex, NULL, vw->marks_src->pixels, vw->marks_src->pitch);
            vw->marks_tex_is_result = true;
        }
        SDL_RenderSetClipRect(vw->renderer, &clip);
        SDL_RenderCopy(vw->renderer, vw->marks_tex, NULL, &dst);
        SDL_RenderSetClipRect(vw->renderer, NULL);
        return;
    }
    /* Zooming: scale the last rendering (nearest neighbour, no blending)
     * into a scratch layer, then blend that unscaled. Scaling while blending
     * is SDL's slowest software path; this keeps the frame short until the
     * thread delivers the marks drawn at the new scale. */
    if (dst.w <= 0 || dst.h <= 0 || dst.w > 8 * v->w || dst.h > 8 * v->h)
        return;
    SDL_FillRect(vw->marks_scratch, NULL, 0);
    SDL_BlitScaled(vw->marks_src, NULL, vw->marks_scratch, &dst);
    SDL_UpdateTexture(vw->marks_tex, NULL, vw->marks_scratch->pixels, vw->marks_scratch->pitch);
    vw->marks_tex_is_result = false;
    SDL_RenderSetClipRect(vw->renderer, &clip);
    SDL_RenderCopy(vw->renderer, vw->marks_tex, NULL, NULL);
    SDL_RenderSetClipRect(vw->renderer, NULL);
}
