/*
 * overviews — building overviews from the viewer (key O, offered at open
 * for a large image that has none): the core's overview_build writes
 * IMAGE.ovr beside the image (opened read-only: the evidence is never
 * modified) on a thread of its own, the status bar shows its progress, the
 * tiles keep being read decimated meanwhile, and when it is done the tile
 * readers are restarted (imagery_reload) so they read through the new
 * overviews.
 *
 * One build at a time: A first, then B in compare mode. The building thread
 * touches only its job (atomics, and ok/error written before `done`); the
 * UI thread joins it in overviews_poll or, on quit, cancels and joins it in
 * overviews_stop (GDAL stops at its next progress call and the half-built
 * file is removed by overview_build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overview.h"
#include "viewer.h"

/* Larger than this (pixels on the longer side) without overviews: offered. */
#define OVERVIEWS_OFFER_SIDE 2048

struct overview_job {
    struct image_layer *img; /* borrowed: the job is stopped before the image closes */
    pthread_t thread;
    atomic_int permille;
    atomic_bool cancel;
    atomic_bool done;
    bool ok;                 /* written by the thread before done */
    char error[640];         /* likewise */
    bool joined;
    int shown_percent;
};

void overviews_offer(struct viewer *vw, struct image_layer *img)
{
    if (img->has_overviews || raster_path_is_remote(img->path) ||
        (img->width <= OVERVIEWS_OFFER_SIDE && img->height <= OVERVIEWS_OFFER_SIDE))
        return;
    viewer_message(vw, false, "%s has no overviews: read decimated meanwhile; O builds %s.ovr",
                   img->name, img->name);
    fprintf(stderr,
            "satmark-view: %s has no overviews: zoomed-out views are read decimated (slow); "
            "press O to build %s.ovr beside it (the image is not modified)\n",
            img->path, img->name);
}

static bool job_running(const struct image_layer *img)
{
    return img->overview_job && !img->overview_job->joined;
}

bool overviews_busy(const struct viewer_imagery *im)
{
    return job_running(&im->a) || (im->has_b && job_running(&im->b));
}

static bool on_progress(double fraction, void *arg)
{
    struct overview_job *job = arg;
    int permille = (int)(fraction * 1000);
    int old = atomic_exchange(&job->permille, permille);
    if (old / 10 != permille / 10) {
        /* Wake the event loop: the status bar shows the new percentage. */
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_USEREVENT;
        SDL_PushEvent(&ev);
    }
    return !atomic_load(&job->cancel);
}

static void *build_main(void *arg)
{
    struct overview_job *job = arg;
    viewer_background_thread();
    struct diag *dg = diag_new();
    job->ok = dg && overview_build(job->img->path, on_progress, job, dg);
    if (!job->ok)
        snprintf(job->error, sizeof job->error, "%s",
                 dg && diag_failed(dg) ? diag_message(dg) : "out of memory");
    diag_free(dg);
    atomic_store(&job->done, true);
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_USEREVENT;
    SDL_PushEvent(&ev);
    return NULL;
}

/* Starts a build for img; false (with a message) when it cannot. */
static bool start_job(struct viewer *vw, struct image_layer *img)
{
    overviews_stop(img); /* frees a finished (failed) earlier job */
    struct overview_job *job = calloc(1, sizeof *job);
    if (!job) {
        viewer_message(vw, true, "%s: out of memory", img->name);
        return false;
    }
    job->img = img;
    job->shown_percent = -1;
    atomic_init(&job->permille, 0);
    atomic_init(&job->cancel, false);
    atomic_init(&job->done, false);
    if (pthread_create(&job->thread, NULL, build_main, job) != 0) {
        free(job);
        viewer_message(vw, true, "%s: cannot start building overviews (no thread)", img->name);
        return false;
    }
    img->overview_job = job;
    viewer_message(vw, false, "Building %s.ovr (the image is not modified)\u2026", img->name);
    return true;
}

/* The next image that lacks overviews and has no build yet, or NULL. */
static struct image_layer *next_lacking(struct viewer_imagery *im)
{
    struct image_layer *imgs[2] = {&im->a, im->has_b ? &im->b : NULL};
    for (int i = 0; i < 2; i++)
        if (imgs[i] && !imgs[i]->has_overviews && !imgs[i]->overview_job &&
            !raster_path_is_remote(imgs[i]->path))
            return imgs[i];
    return NULL;
}

void overviews_start(struct viewer *vw)
{
    if (overviews_busy(&vw->imagery)) {
        viewer_message(vw, false, "Already building overviews");
        return;
    }
    /* A key press retries a failed build too. */
    struct image_layer *imgs[2] = {&vw->imagery.a, vw->imagery.has_b ? &vw->imagery.b : NULL};
    struct image_layer *img = NULL;
    for (int i = 0; i < 2 && !img; i++)
        if (imgs[i] && !imgs[i]->has_overviews && !raster_path_is_remote(imgs[i]->path))
            img = imgs[i];
    if (!img) {
        viewer_message(vw, false,
                       vw->imagery.has_b ? "Both images have overviews already"
                                         : "%s has overviews already",
                       vw->imagery.a.name);
        return;
    }
    vw->imagery.overviews_chain = true;
    start_job(vw, img);
}

void overviews_poll(struct viewer *vw)
{
    struct image_layer *imgs[2] = {&vw->imagery.a, vw->imagery.has_b ? &vw->imagery.b : NULL};
    for (int i = 0; i < 2; i++) {
        struct image_layer *img = imgs[i];
        if (!img || !job_running(img))
            continue;
        struct overview_job *job = img->overview_job;
        int percent = atomic_load(&job->permille) / 10;
        if (percent != job->shown_percent) {
            job->shown_percent = percent;
            vw->frame.status_dirty = true;
            vw->frame.needs_frame = true;
        }
        if (!atomic_load(&job->done))
            continue;
        pthread_join(job->thread, NULL);
        job->joined = true;
        if (job->ok) {
            img->has_overviews = true;
            if (imagery_reload(vw, img))
                viewer_message(vw, false, "Overviews built: %s.ovr; reading through them now",
                               img->name);
        } else {
            viewer_message(vw, true, "Overviews not built: %s", job->error);
        }
        viewer_invalidate(vw);
        if (vw->imagery.overviews_chain) {
            struct image_layer *next = next_lacking(&vw->imagery);
            if (next)
                start_job(vw, next);
            else
                vw->imagery.overviews_chain = false;
        }
    }
}

const char *overviews_status(struct viewer_imagery *im, char *buf, size_t size)
{
    struct image_layer *imgs[2] = {&im->a, im->has_b ? &im->b : NULL};
    for (int i = 0; i < 2; i++)
        if (imgs[i] && job_running(imgs[i])) {
            snprintf(buf, size, "building %s.ovr %d%%", imgs[i]->name,
                     atomic_load(&imgs[i]->overview_job->permille) / 10);
            return buf;
        }
    for (int i = 0; i < 2; i++)
        if (imgs[i] && !imgs[i]->has_overviews && !imgs[i]->overview_job &&
            (imgs[i]->width > OVERVIEWS_OFFER_SIDE || imgs[i]->height > OVERVIEWS_OFFER_SIDE) &&
            !raster_path_is_remote(imgs[i]->path)) {
            snprintf(buf, size, "no overviews (O builds)");
            return buf;
        }
    return NULL;
}

void overviews_stop(struct image_layer *img)
{
    struct overview_job *job = img->overview_job;
    if (!job)
        return;
    if (!job->joined) {
        atomic_store(&job->cancel, true);
        pthread_join(job->thread, NULL);
        job->joined = true;
    }
    free(job);
    img->overview_job = NULL;
}
