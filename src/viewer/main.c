/*
 * main — `satmark-view`: argument parsing, start-up (window, images, style,
 * claims, annotations, journal recovery), the event loop, saving and
 * quitting. `satmark view ...` execs this program with the same arguments.
 *
 * The loop: take every pending event (real or pushed by the script), let the
 * script push its next command when the previous one is done, write the
 * autosave journal when due, then build a frame if anything changed. While
 * tiles are loading the loop waits on the tile cache (a few ms) instead of
 * sleeping on the event queue, so finished tiles show at once; when nothing
 * happens it sleeps on the event queue.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdatomic.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "figure.h"
#include "gjfast.h"
#include "gjson.h"
#include "gjwrite.h"
#include "journal.h"
#include "locate.h"
#include "settings.h"
#include "viewer.h"

static const char usage[] =
    "usage: satmark-view TILE [ANNOTATIONS.geojson] [--claims FILE] [--compare TILE_B]\n"
    "                    [--style FILE] [--size WxH] [--script FILE] [--screenshot OUT.png]\n"
    "                    [--recover=yes|no] [--journal-interval SECONDS] [--author NAME]\n"
    "                    [--bench] [--verbose] [--bands R,G,B | --bands N [--ramp NAME]]\n"
    "                    [--georef METHOD] [--dem DEM] [--keep-degrees]\n"
    "                    [--subdataset N|NAME]\n"
    "                    [--georef-picture PICTURE [--georef-out OUT.vrt|OUT.tif]]\n"
    "  --bands R,G,B | N     source bands shown (default: the file's RGB bands)\n"
    "  --ramp NAME           one band through a colour ramp: grey, viridis, inferno,\n"
    "                        terrain\n"
    "  --georef-picture P    georeference picture P on TILE: click a point on P, then\n"
    "                        the same place on TILE; --georef-out OUT (default\n"
    "                        P.georef.vrt) is written by Ctrl+S\n"
    IMGOPT_HELP
    "                        (--subdataset applies to TILE, the others to both images)\n"
    "(also run as `satmark view ...`; see docs/viewer.md)\n";

double viewer_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void viewer_background_thread(void)
{
    /* On Linux the nice value belongs to the thread (who = 0: the caller),
     * so this leaves the UI thread and the compositor's helper as they are.
     * Failure only means equal priority: ignored. */
    (void)setpriority(PRIO_PROCESS, 0, VIEWER_BACKGROUND_NICE);
}

void viewer_message(struct viewer *vw, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vw->ui.message, sizeof vw->ui.message, fmt, ap);
    va_end(ap);
    vw->ui.message_error = error;
    vw->ui.message_s = viewer_now_s();
    vw->frame.status_dirty = true;
    vw->frame.needs_frame = true;
    if (error)
        fprintf(stderr, "satmark-view: %s\n", vw->ui.message);
}

void viewer_invalidate(struct viewer *vw)
{
    vw->frame.overlay_dirty = true;
    vw->frame.needs_frame = true;
}

bool viewer_unsaved(const struct viewer_document *doc)
{
    return doc->set && (annot_is_dirty(doc->set) || doc->recovered_unsaved);
}

bool viewer_save(struct viewer *vw)
{
    if (!vw->doc.annot_path) {
        viewer_message(vw, true, "No annotation file: start with `satmark view TILE FILE.geojson`");
        return false;
    }
    struct diag *dg = diag_new();
    /* Under the lock every satmark writer takes: refuse to overwrite a file
     * someone else saved since it was loaded (their marks would be lost). */
    struct filelock *lock = filelock_acquire(vw->doc.annot_path, 10.0, dg);
    if (!lock) {
        vw->doc.save_failed = true;
        viewer_sticky_error(vw, "Not saved: %s — Ctrl+Shift+S saves elsewhere",
                            diag_message(dg));
        diag_free(dg);
        viewer_invalidate(vw);
        return false;
    }
    struct filestamp now;
    filestamp_take(vw->doc.annot_path, &now);
    if (!filestamp_same(&now, &vw->doc.disk_stamp)) {
        filelock_release(lock);
        bool kept = vw->doc.journal_path &&
                    journal_write(vw->doc.journal_path, vw->doc.annot_path, vw->doc.set, dg);
        if (kept)
            vw->doc.journal_generation = annot_generation(vw->doc.set);
        vw->doc.save_failed = true;
        viewer_sticky_error(vw,
                            "Not saved: %s changed on disk since it was loaded (another "
                            "program saved it); saving would lose its changes. Your marks are "
                            "%s%s — Ctrl+Shift+S saves elsewhere",
                            vw->doc.annot_path, kept ? "kept in " : "NOT kept: ",
                            kept ? vw->doc.journal_path : diag_message(dg));
        diag_free(dg);
        viewer_invalidate(vw);
        return false;
    }
    bool ok = gjwrite_file(vw->doc.annot_path, vw->doc.set, dg);
    if (ok)
        filestamp_take(vw->doc.annot_path, &vw->doc.disk_stamp);
    filelock_release(lock);
    if (ok) {
        annot_mark_saved(vw->doc.set);
        vw->doc.recovered_unsaved = false;
        vw->doc.journal_generation = annot_generation(vw->doc.set);
        if (vw->doc.journal_path && !journal_remove(vw->doc.journal_path, dg))
            viewer_message(vw, true, "%s", diag_message(dg));
        else
            viewer_message(vw, false, "Saved %zu marks to %s", annot_count(vw->doc.set),
                           vw->doc.annot_path);
        vw->doc.save_failed = false;
    } else {
        vw->doc.save_failed = true;
        viewer_sticky_error(vw, "Not saved: %s — Ctrl+Shift+S saves elsewhere",
                            diag_message(dg));
    }
    diag_free(dg);
    viewer_invalidate(vw);
    return ok;
}

void viewer_request_quit(struct viewer *vw)
{
    if (vw->ui.modal == MODAL_RECOVER)
        return; /* answer the recovery question first */
    if (viewer_unsaved(&vw->doc)) {
        vw->ui.modal = MODAL_QUIT;
        viewer_invalidate(vw);
    } else {
        vw->running = false;
    }
}

static void replace_set(struct viewer *vw, struct annot_set *set)
{
    annot_set_free(vw->doc.set);
    vw->doc.set = set;
    vw->imagery.a.overlay_built = false;
    vw->imagery.b.overlay_built = false;
    vw->doc.selected[0] = '\0';
    viewer_invalidate(vw);
}

void viewer_answer_recovery(struct viewer *vw, bool recover)
{
    vw->ui.modal = MODAL_NONE;
    struct diag *dg = diag_new();
    if (recover) {
        struct journal_info info;
        struct annot_set *set = NULL;
        if (journal_read(vw->doc.journal_path, vw->doc.annot_path, &info, &set, dg)) {
            if (vw->opt.author)
                annot_set_author(set, vw->opt.author, dg);
            replace_set(vw, set);
            vw->doc.recovered_unsaved = true;
            vw->doc.journal_generation = annot_generation(set);
            viewer_message(vw, info.target_changed,
                           "Recovered %zu marks from the journal of %s%s (not saved yet: Ctrl+S)",
                           annot_count(set), info.written,
                           info.target_changed ? "; the file changed since" : "");
        } else {
            /* Keep the unreadable journal aside; never overwrite it. */
            char aside[4200];
            snprintf(aside, sizeof aside, "%s.unreadable", vw->doc.journal_path);
            rename(vw->doc.journal_path, aside);
            viewer_message(vw, true, "Cannot recover: %s (kept as %s)", diag_message(dg), aside);
        }
    } else {
        if (journal_remove(vw->doc.journal_path, dg))
            viewer_message(vw, false, "Journal discarded");
        else
            viewer_message(vw, true, "%s", diag_message(dg));
    }
    diag_free(dg);
    viewer_invalidate(vw);
}

/* Tells a test driving the window that the first complete frame is shown
 * (SATMARK_VIEW_READY_FILE): X input sent before it can be lost. */
static void signal_ready(struct viewer *vw)
{
    vw->run.ready_signalled = true;
    FILE *fp = fopen(vw->run.ready_file, "w");
    if (!fp || fclose(fp) != 0)
        fprintf(stderr, "satmark-view: warning: %s: cannot create the ready file\n", vw->run.ready_file);
}

static void journal_tick(struct viewer *vw)
{
    if (!vw->doc.journal_path || vw->ui.modal == MODAL_RECOVER || vw->doc.marks_loading)
        return;
    uint64_t gen = annot_generation(vw->doc.set);
    double now = viewer_now_s();
    bool unsaved = viewer_unsaved(&vw->doc);
    if (journal_due(gen, vw->doc.journal_generation, unsaved, now, vw->doc.journal_last_s,
                    vw->opt.journal_interval_s)) {
        struct diag *dg = diag_new();
        if (journal_write(vw->doc.journal_path, vw->doc.annot_path, vw->doc.set, dg)) {
            vw->doc.journal_generation = gen;
            vw->doc.journal_last_s = now;
            vw->doc.journal_failing = false;
        } else {
            /* shown once per run of failures (it retries every interval) */
            if (!vw->doc.journal_failing)
                viewer_sticky_error(vw, "Autosave journal failed: %s — unsaved work is not "
                                        "protected; save now (Ctrl+S or Ctrl+Shift+S)",
                                    diag_message(dg));
            vw->doc.journal_failing = true;
            vw->doc.journal_last_s = now; /* retry later, not every frame */
        }
        diag_free(dg);
    } else if (!unsaved && gen != vw->doc.journal_generation) {
        /* Undone back to the saved state: nothing to protect. */
        journal_remove(vw->doc.journal_path, NULL);
        vw->doc.journal_generation = gen;
    }
}

double viewer_frame(struct viewer *vw)
{
    double t0 = viewer_now_s();
    viewer_poll_load(vw);
    tilecache_begin_frame(vw->imagery.a.cache);
    if (vw->imagery.has_b)
        tilecache_begin_frame(vw->imagery.b.cache);
    imagery_upload(vw, &vw->imagery.a);
    if (vw->imagery.has_b)
        imagery_upload(vw, &vw->imagery.b);
    overlay_refresh_marks(vw, &vw->imagery.a);
    if (vw->imagery.has_b)
        overlay_refresh_marks(vw, &vw->imagery.b);
    double t_upload = viewer_now_s();

    /* The marks job first: the thread renders while this frame is built. */
    marks_update(vw);
    if (vw->frame.sync_marks)
        marks_wait(&vw->frame, -1);
    marks_take(vw);
    double t_marks = viewer_now_s();
    compose_draw(vw);
    georefview_draw(vw);
    int missing = vw->imagery.a.missing_tiles + vw->imagery.b.missing_tiles;
    if (missing != vw->frame.shown_missing) {
        vw->frame.shown_missing = missing;
        vw->frame.status_dirty = true;
    }
    double t_imagery = viewer_now_s();
    overlay_draw(vw);
    double t1 = viewer_now_s();
    vw->frame.phase_ms[PHASE_UPLOAD] = (t_upload - t0) * 1000;
    vw->frame.phase_ms[PHASE_MARKS] = (t_marks - t_upload) * 1000;
    vw->frame.phase_ms[PHASE_IMAGERY] = (t_imagery - t_marks) * 1000;
    vw->frame.phase_ms[PHASE_CHROME] = (t1 - t_imagery) * 1000;
    vw->frame.needs_frame = false;
    return (t1 - t0) * 1000;
}

static bool parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (*end != 'x' && *end != 'X')
        return false;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 200 || b < 150 || a > 16384 || b > 16384)
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "satmark view: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

/* --verbose: say where the claims catalog was looked for (stderr). */
static bool verbose_lookup;

/* Parses argv into vw's options; returns -1 to go on, else an exit code. */
static int parse_args(struct viewer *vw, int argc, char **argv)
{
    int positional = 0;
    enum imgopt_arg taken;
    int rc_georef;
    char msg[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(field)                                                                         \
    do {                                                                                    \
        if (!next)                                                                          \
            return usage_error("%s needs a value", a);                                      \
        vw->field = next;                                                                   \
        i++;                                                                                \
    } while (0)
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf("%s", usage);
            return 0;
        } else if (strcmp(a, "--claims") == 0) {
            TAKE(opt.claims_path);
        } else if (strcmp(a, "--compare") == 0) {
            TAKE(opt.compare_path);
        } else if (strcmp(a, "--style") == 0) {
            TAKE(opt.style_path);
        } else if (strcmp(a, "--script") == 0) {
            TAKE(opt.script_path);
        } else if (strcmp(a, "--screenshot") == 0) {
            TAKE(opt.screenshot_path);
        } else if (strcmp(a, "--author") == 0) {
            TAKE(opt.author);
        } else if (strcmp(a, "--size") == 0) {
            if (!next || !parse_size(next, &vw->opt.win_w, &vw->opt.win_h))
                return usage_error("--size needs WxH (at least 200x150), got '%s'",
                                   next ? next : "");
            i++;
        } else if (strncmp(a, "--recover=", 10) == 0) {
            if (strcmp(a + 10, "yes") == 0)
                vw->opt.recover_answer = 1;
            else if (strcmp(a + 10, "no") == 0)
                vw->opt.recover_answer = 0;
            else
                return usage_error("--recover takes yes or no, got '%s'", a + 10);
        } else if (strcmp(a, "--journal-interval") == 0) {
            char *end;
            double v = next ? strtod(next, &end) : 0;
            if (!next || *end || !(v >= 0.05 && v <= 3600))
                return usage_error("--journal-interval needs seconds (0.05..3600), got '%s'",
                                   next ? next : "");
            vw->opt.journal_interval_s = v;
            i++;
        } else if (strcmp(a, "--bench") == 0) {
            vw->opt.bench = true;
        } else if (strcmp(a, "--verbose") == 0) {
            verbose_lookup = true;
        } else if (strcmp(a, "--bands") == 0) {
            if (!next || !figure_parse_bands(next, vw->imagery.bands))
                return usage_error("--bands needs R,G,B or one band number, got '%s'",
                                   next ? next : "");
            vw->imagery.band_preset = -1;
            i++;
        } else if (strcmp(a, "--ramp") == 0) {
            if (!next || !ramp_parse(next, &vw->imagery.ramp))
                return usage_error("--ramp is grey, viridis, inferno or terrain, got '%s'",
                                   next ? next : "");
            i++;
        } else if ((rc_georef = georefview_parse_arg(vw, argc, argv, &i, msg, sizeof msg))) {
            if (rc_georef < 0)
                return usage_error("%s", msg);
        } else if ((taken = imgopt_parse_arg(&vw->imagery.image_opts, argc, argv, &i, msg,
                                             sizeof msg)) != IMGOPT_NOT_MINE) {
            if (taken == IMGOPT_BAD)
                return usage_error("%s", msg);
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (positional == 0) {
            vw->opt.tile_path = a;
            positional++;
        } else if (positional == 1) {
            vw->doc.annot_path = a;
            positional++;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
#undef TAKE
    }
    if (!vw->opt.tile_path)
        return usage_error("%s", "missing TILE");
    return -1;
}

static void print_warnings(struct diag *dg)
{
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        fprintf(stderr, "satmark-view: warning: %s\n", diag_warning(dg, i));
    diag_reset(dg);
}

static bool fail(struct viewer *vw)
{
    print_warnings(vw->dg);
    return false;
}

/* The annotation file is read on a thread of its own (thousands of marks take
 * 100 ms or more), so the first frame with imagery does not wait for it. */
static void *annot_load_main(void *arg)
{
    struct viewer *vw = arg;
    viewer_background_thread();
    vw->doc.load_ok = gjfast_read_file(vw->doc.annot_path, &vw->doc.loaded_set, vw->doc.load_dg);
#ifdef __GLIBC__
    /* The parse tree (several times the file) was freed in this thread's own
     * malloc arena, where the UI and tile threads cannot reuse it: give it
     * back, or it stays in the process's peak memory. */
    malloc_trim(0);
#endif
    atomic_store(&vw->doc.load_done, true);
    /* Wakes the event loop if it sleeps (once SDL's queue exists: before,
     * the loop polls anyway). */
    if (SDL_WasInit(SDL_INIT_EVENTS)) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_USEREVENT;
        SDL_PushEvent(&ev);
    }
    return NULL;
}

static void check_journal(struct viewer *vw);

static void set_author(struct viewer *vw, struct annot_set *set)
{
    const char *author = vw->opt.author ? vw->opt.author : getenv("SATMARK_AUTHOR");
    if (!author)
        author = getenv("USER");
    if (author)
        annot_set_author(set, author, vw->dg);
}

void viewer_poll_load(struct viewer *vw)
{
    if (!vw->doc.marks_loading || !atomic_load(&vw->doc.load_done))
        return;
    pthread_join(vw->doc.load_thread, NULL);
    vw->doc.marks_loading = false;
    if (!vw->doc.load_ok) {
        /* Never go on with an empty set: a save would overwrite the file. */
        fprintf(stderr, "satmark-view: error: %s\n", diag_message(vw->doc.load_dg));
        annot_set_free(vw->doc.loaded_set);
        vw->doc.loaded_set = NULL;
        vw->run.exit_code = 1;
        vw->running = false;
        vw->doc.load_failed = true;
        return;
    }
    for (size_t i = 0; i < diag_warning_count(vw->doc.load_dg); i++)
        fprintf(stderr, "satmark-view: warning: %s\n", diag_warning(vw->doc.load_dg, i));
    annot_set_free(vw->doc.set);
    vw->doc.set = vw->doc.loaded_set;
    vw->doc.loaded_set = NULL;
    set_author(vw, vw->doc.set);
    print_warnings(vw->dg);
    vw->imagery.a.overlay_built = false;
    vw->imagery.b.overlay_built = false;
    vw->doc.journal_generation = annot_generation(vw->doc.set);
    if (vw->ui.modal == MODAL_NONE)
        viewer_message(vw, false, "%zu marks loaded from %s", annot_count(vw->doc.set),
                       vw->doc.annot_path);
    check_journal(vw);
    viewer_invalidate(vw);
}

/* Loads style, claims and annotations; false (message printed) on a hard error. */
static bool load_documents(struct viewer *vw)
{
    struct diag *dg = vw->dg;
    if (vw->opt.style_path) {
        if (!style_load(vw->opt.style_path, &vw->frame.style, dg)) {
            fprintf(stderr, "satmark-view: error: %s\n", diag_message(dg));
            return fail(vw);
        }
    } else if (!style_load_default_file(&vw->frame.style, dg)) {
        fprintf(stderr, "satmark-view: warning: %s; using the built-in style\n",
                diag_message(dg));
        diag_reset(dg);
        vw->frame.style = style_default();
        if (!vw->frame.style)
            return fail(vw);
    }
    char claims_guess[4200];
    if (!vw->opt.claims_path && vw->doc.annot_path) {
        /* the one lookup rule (locate.h): beside the file, then the root */
        static struct locate_result found;
        bool located = locate_catalog(vw->doc.annot_path, &found);
        if (verbose_lookup) {
            char said[2 * LOCATE_PATH_MAX];
            locate_describe(&found, "the claims catalog", said, sizeof said);
            fprintf(stderr, "satmark-view: %s\n", said);
        }
        if (located &&
            (size_t)snprintf(claims_guess, sizeof claims_guess, "%s", found.path) <
                sizeof claims_guess)
            vw->opt.claims_path = claims_guess;
    }
    if (vw->opt.claims_path) {
        if (!claims_catalog_read(vw->opt.claims_path, &vw->doc.claims, dg)) {
            fprintf(stderr, "satmark-view: error: %s\n", diag_message(dg));
            return fail(vw);
        }
        if (vw->opt.claims_path == claims_guess)
            vw->opt.claims_path = NULL; /* do not keep a pointer to the stack */
    }
    /* Until the file is read, an empty set stands in (editing waits: input.c). */
    vw->doc.set = annot_set_new();
    if (!vw->doc.set) {
        fprintf(stderr, "satmark-view: error: out of memory\n");
        return false;
    }
    if (vw->doc.annot_path) /* before reading: a change during the read counts as a change */
        filestamp_take(vw->doc.annot_path, &vw->doc.disk_stamp);
    if (vw->doc.annot_path && access(vw->doc.annot_path, F_OK) == 0) {
        vw->doc.load_dg = diag_new();
        if (!vw->doc.load_dg ||
            pthread_create(&vw->doc.load_thread, NULL, annot_load_main, vw) != 0) {
            fprintf(stderr, "satmark-view: error: %s: cannot start reading it\n",
                    vw->doc.annot_path);
            return false;
        }
        vw->doc.marks_loading = true;
    } else if (vw->doc.annot_path) {
        fprintf(stderr,
                "satmark-view: %s does not exist yet: it is created on the first "
                "save (Ctrl+S)\n",
                vw->doc.annot_path);
    }
    set_author(vw, vw->doc.set);
    print_warnings(dg);
    if (vw->doc.annot_path) {
        vw->doc.journal_path = journal_path_for(vw->doc.annot_path);
        if (!vw->doc.journal_path)
            return false;
    }
    return true;
}

static void check_journal(struct viewer *vw)
{
    if (!vw->doc.journal_path || !journal_exists(vw->doc.journal_path))
        return;
    if (vw->opt.recover_answer >= 0) {
        viewer_answer_recovery(vw, vw->opt.recover_answer == 1);
        return;
    }
    /* Ask; show when it was written. */
    struct journal_info info;
    struct annot_set *set = NULL;
    struct diag *dg = diag_new();
    if (journal_read(vw->doc.journal_path, vw->doc.annot_path, &info, &set, dg))
        snprintf(vw->doc.pending_journal, sizeof vw->doc.pending_journal, "%s (%zu marks)",
                 info.written, info.features);
    else
        snprintf(vw->doc.pending_journal, sizeof vw->doc.pending_journal, "an earlier session");
    annot_set_free(set);
    diag_free(dg);
    vw->ui.modal = MODAL_RECOVER;
    viewer_invalidate(vw);
}

static bool start_sdl(struct viewer *vw)
{
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "satmark-view: error: cannot start SDL: %s\n", SDL_GetError());
        return false;
    }
    /* Every frame is composed on the CPU (compose.c, overlay.c): the
     * renderer only has to show it. SDL's software renderer hands the frame
     * to the window system as it is (X11: one shared-memory image), where
     * its OpenGL renderer uploads it as a texture first and, without a GPU
     * (Xvfb, VMs, remote X: Mesa's llvmpipe), draws it in software GL:
     * measured on the 16384^2 bench tile under Xvfb, the software renderer
     * gives frames of 8.3 ms median / 14.9 ms p99 against 19 / 34 ms, 90 ms
     * less start-up and 100 MB less memory (docs/viewer.md). The environment
     * still decides when it sets SDL_RENDER_DRIVER or
     * SDL_FRAMEBUFFER_ACCELERATION (a hint set here does not override it). */
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    char title[600];
    snprintf(title, sizeof title, "satmark \u2014 %s", vw->imagery.a.name);
    Uint32 flags = vw->opt.bench ? 0 : SDL_WINDOW_RESIZABLE;
    vw->window = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                  vw->opt.win_w, vw->opt.win_h, flags);
    if (!vw->window) {
        fprintf(stderr, "satmark-view: error: cannot open a window: %s\n", SDL_GetError());
        return false;
    }
    /* the smallest window --size accepts: the help and the chrome are laid
     * out (and tested) down to this size */
    SDL_SetWindowMinimumSize(vw->window, 200, 150);
    vw->renderer = SDL_CreateRenderer(vw->window, -1, 0);
    if (!vw->renderer)
        vw->renderer = SDL_CreateRenderer(vw->window, -1, SDL_RENDERER_SOFTWARE);
    if (!vw->renderer) {
        fprintf(stderr, "satmark-view: error: cannot create a renderer: %s\n", SDL_GetError());
        return false;
    }
    SDL_GetWindowSize(vw->window, &vw->view.w, &vw->view.h);
    vw->window_format = SDL_GetWindowPixelFormat(vw->window);
    return true;
}

/* The --screenshot file: the final frame, marks in sync with the view. */
static void final_screenshot(struct viewer *vw)
{
    if (!vw->opt.screenshot_path || vw->run.screenshot_written)
        return;
    vw->run.screenshot_written = true;
    vw->frame.sync_marks = true;
    viewer_frame(vw);
    vw->frame.sync_marks = false;
    if (!screenshot_write(vw, vw->opt.screenshot_path))
        vw->run.exit_code = 1;
    SDL_RenderPresent(vw->renderer);
}

static void finish_script_session(struct viewer *vw)
{
    final_screenshot(vw);
    if (viewer_unsaved(&vw->doc) && vw->doc.journal_path && vw->ui.modal != MODAL_RECOVER) {
        /* Unsaved work at the end of a script is kept in the journal. */
        struct diag *dg = diag_new();
        if (journal_write(vw->doc.journal_path, vw->doc.annot_path, vw->doc.set, dg))
            fprintf(stderr, "satmark-view: unsaved changes kept in %s\n", vw->doc.journal_path);
        else
            fprintf(stderr, "satmark-view: error: %s\n", diag_message(dg));
        diag_free(dg);
    }
    /* A script that leaves work unsaved, or whose last save failed, did
     * not do its job: say so and exit 1. */
    if (vw->doc.save_failed) {
        fprintf(stderr, "satmark-view: error: the script's last save failed\n");
        vw->run.exit_code = 1;
    } else if (viewer_unsaved(&vw->doc) && vw->ui.modal != MODAL_RECOVER) {
        fprintf(stderr, "satmark-view: error: the script ended with unsaved changes\n");
        vw->run.exit_code = 1;
    }
    vw->running = false;
}

static void run_loop(struct viewer *vw)
{
    vw->running = true;
    while (vw->running) {
        bool loading =
            !imagery_idle(&vw->imagery.a) || (vw->imagery.has_b && !imagery_idle(&vw->imagery.b));
        bool marks_behind = !marks_current(&vw->frame);
        bool script_active = vw->run.script && !vw->run.script_done;
        double now = viewer_now_s();
        bool script_sleeping = script_active && vw->run.script_wait_until > now;
        bool busy = vw->frame.needs_frame || vw->frame.overlay_dirty || vw->frame.status_dirty ||
                    loading || marks_behind || (script_active && !script_sleeping) ||
                    vw->run.exit_after_idle;
        SDL_Event ev;
        if (!busy) {
            /* Idle: sleep until input, waking to expire the status message
             * or to end a script's `wait`. */
            int timeout_ms = 500;
            if (script_sleeping)
                timeout_ms = (int)fmin(500, fmax(1, (vw->run.script_wait_until - now) * 1000));
            if (SDL_WaitEventTimeout(&ev, timeout_ms))
                input_handle(vw, &ev);
            if (vw->ui.message[0] && viewer_now_s() - vw->ui.message_s > 6 &&
                viewer_now_s() - vw->ui.message_s < 7.5)
                vw->frame.status_dirty = true;
        }
        while (vw->running && SDL_PollEvent(&ev))
            input_handle(vw, &ev);
        if (!vw->running)
            break;
        viewer_poll_load(vw);
        if (!vw->running)
            break;
        overviews_poll(vw);
        if (vw->run.script && !vw->run.script_done)
            script_step(vw);
        journal_tick(vw);
        if (loading) {
            if (!vw->frame.needs_frame && !vw->frame.overlay_dirty)
                tilecache_wait_finished(vw->imagery.a.cache, 8);
            vw->frame.needs_frame = true;
        } else if (marks_behind) {
            if (!vw->frame.needs_frame && !vw->frame.overlay_dirty)
                marks_wait(&vw->frame, 8);
            vw->frame.needs_frame = true;
        }
        if (vw->frame.needs_frame || vw->frame.overlay_dirty || vw->frame.status_dirty) {
            viewer_frame(vw);
            SDL_RenderPresent(vw->renderer);
            if (vw->run.ready_file && !vw->run.ready_signalled && viewer_idle(vw))
                signal_ready(vw);
            /* After the first frame and the marks: the hash reads the whole
             * file, which would compete with them for the disk. */
            if (!vw->doc.marks_loading) {
                imagery_start_hash(&vw->imagery.a);
                if (vw->imagery.has_b) /* B's marks are classified by its hash too */
                    imagery_start_hash(&vw->imagery.b);
            }
        }
        if (vw->run.script && vw->run.script_done) {
            finish_script_session(vw);
        } else if (vw->run.exit_after_idle && viewer_idle(vw)) {
            final_screenshot(vw);
            vw->running = false;
        }
    }
    /* Quit by the user or the script's `quit`: the final frame too. */
    final_screenshot(vw);
}

/* What the viewer starts with before the command line is read. */
static void set_defaults(struct viewer *vw)
{
    memset(vw, 0, sizeof *vw);
    vw->start_s = viewer_now_s();
    vw->opt.recover_answer = -1;
    vw->opt.journal_interval_s = 2.0;
    vw->opt.win_w = 1280;
    vw->opt.win_h = 800;
    vw->ui.divider = 0.5;
    vw->ui.show_imagery = true;
    vw->ui.show_labels = true;
    vw->ui.tool = TOOL_SELECT;
    vw->ui.cls = ANNOT_CLASS_PIER;
}

/* Opens the images and the documents, starts the threads, SDL and the
 * chrome; false (said on stderr) when the viewer cannot run. */
static bool start_viewer(struct viewer *vw)
{
    bool ok = true;
    vw->imagery.has_b = vw->opt.compare_path != NULL;
    if (!imagery_open(vw, &vw->imagery.a, vw->opt.tile_path) ||
        (vw->opt.compare_path && !imagery_open(vw, &vw->imagery.b, vw->opt.compare_path))) {
        fprintf(stderr, "satmark-view: error: %s\n", diag_message(vw->dg));
        ok = false;
    }
    if (ok && !georefview_start(vw, vw->dg)) {
        fprintf(stderr, "satmark-view: error: %s\n", diag_message(vw->dg));
        ok = false;
    }
    print_warnings(vw->dg);
    if (ok) {
        overviews_offer(vw, &vw->imagery.a);
        if (vw->imagery.has_b)
            overviews_offer(vw, &vw->imagery.b);
    }
    ok = ok && load_documents(vw);
    if (ok && !(vw->frame.marks = marks_new(vw->frame.style))) {
        fprintf(stderr, "satmark-view: error: cannot start the marks thread\n");
        ok = false;
    }
    ok = ok && start_sdl(vw);
    if (ok && !(vw->frame.compose = compose_new())) {
        fprintf(stderr, "satmark-view: error: out of memory for the imagery compositor\n");
        ok = false;
    }
    if (ok && !overlay_init(vw)) {
        fprintf(stderr, "satmark-view: error: cannot create the overlay (%dx%d)\n", vw->view.w,
                vw->view.h);
        ok = false;
    }
    return ok;
}

/* Frees everything start_viewer and the run made (whatever got made). */
static void stop_viewer(struct viewer *vw)
{
    if (vw->doc.marks_loading) { /* quit before the marks were read */
        pthread_join(vw->doc.load_thread, NULL);
        vw->doc.marks_loading = false;
    }
    annot_set_free(vw->doc.loaded_set);
    diag_free(vw->doc.load_dg);
    marks_free(vw->frame.marks);
    vw->frame.marks = NULL;
    free(vw->frame.marks_cells);
    free(vw->frame.marks_pixels);
    overlay_free(vw);
    georefview_close(vw); /* before the renderer: it holds a texture */
    compose_free(vw->frame.compose);
    imagery_close(&vw->imagery.a);
    if (vw->imagery.has_b)
        imagery_close(&vw->imagery.b);
    annot_set_free(vw->doc.set);
    evidencepanel_free(&vw->doc); /* borrows the catalog and the set */
    claims_catalog_free(vw->doc.claims);
    style_free(vw->frame.style);
    vscript_free(vw->run.script);
    free(vw->doc.journal_path);
    free(vw->doc.annot_path_owned);
    diag_free(vw->dg);
    if (vw->renderer)
        SDL_DestroyRenderer(vw->renderer);
    if (vw->window)
        SDL_DestroyWindow(vw->window);
    SDL_Quit();
}

int main(int argc, char **argv)
{
    struct viewer viewer;
    struct viewer *vw = &viewer;
    set_defaults(vw);
    /* the environment is read here, before any thread, and not in the core */
    static struct satmark_settings settings;
    if (!settings_from_env(&settings))
        return 1;
    settings_install(&settings);
    const char *ready_file = getenv("SATMARK_VIEW_READY_FILE");
    vw->run.ready_file = ready_file && *ready_file ? ready_file : NULL;
    /* GDAL's block cache defaults to 5% of RAM, shared by the three raster
     * handles; the tile cache already holds what is shown, so keep GDAL's
     * small (the environment can still set it). */
    setenv("GDAL_CACHEMAX", "32", 0);
    int rc = parse_args(vw, argc, argv);
    if (rc >= 0) {
        georefview_close(vw);
        return rc;
    }
    if (vw->opt.bench && vw->opt.win_w == 1280 && vw->opt.win_h == 800) {
        vw->opt.win_w = 1920;
        vw->opt.win_h = 1080;
    }
    vw->dg = diag_new();
    if (!vw->dg) {
        georefview_close(vw);
        return 1;
    }
    vw->run.exit_code = 0;
    if (vw->opt.script_path) {
        vw->run.script = vscript_read_file(vw->opt.script_path, vw->dg);
        if (!vw->run.script) {
            fprintf(stderr, "satmark-view: error: %s\n", diag_message(vw->dg));
            diag_free(vw->dg);
            georefview_close(vw);
            return 1;
        }
    }
    if (start_viewer(vw)) {
        view_fit(&vw->view, vw->imagery.a.width, vw->imagery.a.height);
        georefview_fit(vw);
        vw->doc.journal_last_s = viewer_now_s();
        vw->doc.journal_generation = annot_generation(vw->doc.set);
        if (!vw->doc.marks_loading)
            check_journal(vw);
        if (vw->opt.bench) {
            vw->run.exit_code = bench_run(vw);
        } else {
            vw->run.exit_after_idle = vw->opt.screenshot_path && !vw->run.script;
            run_loop(vw);
        }
    } else {
        vw->run.exit_code = 1;
    }
    stop_viewer(vw);
    return vw->run.exit_code;
}
