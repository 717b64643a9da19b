/*
 * script — replaying an input script (vscript) by pushing synthetic SDL
 * events into the same queue real input arrives on, so a scripted session
 * goes through exactly the code a user's session does; writing screenshots
 * (the renderer's pixels, read back, written by pngout); and the --bench
 * run (a fixed pan/zoom path, frame times and peak memory).
 *
 * One command is pushed per loop iteration; the loop handles its events and
 * draws a frame before the next command, so each command sees the state the
 * previous one left, as a user would.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pngout.h"
#include "evidence.h"
#include "viewer.h"

bool viewer_idle(struct viewer *vw)
{
    if (vw->doc.marks_loading || overviews_busy(&vw->imagery) || vw->frame.needs_frame ||
        vw->frame.overlay_dirty || !marks_current(&vw->frame))
        return false;
    if (!imagery_idle(&vw->imagery.a) || (vw->imagery.has_b && !imagery_idle(&vw->imagery.b)))
        return false;
    return vw->imagery.a.missing_tiles == 0 &&
           (!vw->imagery.has_b || vw->imagery.b.missing_tiles == 0);
}

bool screenshot_write(struct viewer *vw, const char *path)
{
    int w = vw->view.w, h = vw->view.h;
    uint8_t *pixels = malloc((size_t)w * h * 4);
    if (!pixels) {
        fprintf(stderr, "satmark-view: error: %s: out of memory\n", path);
        return false;
    }
    /* ABGR8888 is R, G, B, A in memory order on little- and big-endian alike
     * as SDL defines packed formats per 32-bit value: use RGBA32, the alias
     * for the byte order R,G,B,A. */
    if (SDL_RenderReadPixels(vw->renderer, NULL, SDL_PIXELFORMAT_RGBA32, pixels, w * 4) != 0) {
        fprintf(stderr, "satmark-view: error: %s: cannot read the frame: %s\n", path,
                SDL_GetError());
        free(pixels);
        return false;
    }
    const char *sha = "", *err = NULL;
    imagery_sha256(&vw->imagery.a, &sha, &err);
    char view_text[256];
    struct render_view rv = view_to_render(&vw->view);
    snprintf(view_text, sizeof view_text, "src %.2f %.2f %.2f %.2f out %d %d", rv.src_x,
             rv.src_y, rv.src_w, rv.src_h, rv.out_w, rv.out_h);
    struct pngout_text texts[] = {
        {"Software", "satmark-view " SATMARK_VERSION},
        {"satmark:image", vw->imagery.a.name},
        {"satmark:image_sha256", sha},
        {"satmark:view", view_text},
    };
    struct diag *dg = diag_new();
    bool ok = pngout_write(path, pixels, w, h, (size_t)w * 4, texts,
                           sizeof texts / sizeof texts[0], NULL, dg);
    if (!ok)
        fprintf(stderr, "satmark-view: error: %s\n", diag_message(dg));
    else
        fprintf(stderr, "satmark-view: screenshot %s (%dx%d)\n", path, w, h);
    diag_free(dg);
    free(pixels);
    return ok;
}

/* ---- pushing events ------------------------------------------------------ */

static Uint32 window_id(struct viewer *vw) { return SDL_GetWindowID(vw->window); }

static void push_motion(struct viewer *vw, int x, int y, Uint32 state, int dx, int dy)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_MOUSEMOTION;
    ev.motion.windowID = window_id(vw);
    ev.motion.x = x;
    ev.motion.y = y;
    ev.motion.xrel = dx;
    ev.motion.yrel = dy;
    ev.motion.state = state;
    ev.motion.timestamp = SDL_GetTicks();
    SDL_PushEvent(&ev);
}

static void push_button(struct viewer *vw, int x, int y, int button, bool down, int clicks)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
    ev.button.windowID = window_id(vw);
    ev.button.button = (Uint8)button;
    ev.button.state = down ? SDL_PRESSED : SDL_RELEASED;
    ev.button.clicks = (Uint8)clicks;
    ev.button.x = x;
    ev.button.y = y;
    ev.button.timestamp = SDL_GetTicks();
    SDL_PushEvent(&ev);
}

static int sdl_button(enum vscript_button b)
{
    return b == VSCRIPT_MIDDLE ? SDL_BUTTON_MIDDLE : b == VSCRIPT_RIGHT ? SDL_BUTTON_RIGHT
                                                                        : SDL_BUTTON_LEFT;
}

static void push_click(struct viewer *vw, double x, double y, int button, int clicks)
{
    int ix = (int)lround(x), iy = (int)lround(y);
    push_motion(vw, ix, iy, 0, 0, 0);
    for (int c = 1; c <= clicks; c++) {
        push_button(vw, ix, iy, button, true, c);
        push_button(vw, ix, iy, button, false, c);
    }
}

static SDL_Keycode key_from_name(const char *name)
{
    static const struct {
        const char *alias, *sdl;
    } aliases[] = {
        {"enter", "Return"}, {"esc", "Escape"}, {"del", "Delete"}, {"plus", "+"},
        {"minus", "-"},      {"equals", "="},   {"question", "?"}, {"slash", "/"},
        {"space", "Space"},  {"bs", "Backspace"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0)
            name = aliases[i].sdl;
    SDL_Keycode k = SDL_GetKeyFromName(name);
    return k;
}

static void push_key(struct viewer *vw, SDL_Keycode sym, unsigned mods)
{
    Uint16 mod = 0;
    if (mods & VSCRIPT_MOD_CTRL)
        mod |= KMOD_LCTRL;
    if (mods & VSCRIPT_MOD_SHIFT)
        mod |= KMOD_LSHIFT;
    if (mods & VSCRIPT_MOD_ALT)
        mod |= KMOD_LALT;
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.key.windowID = window_id(vw);
    ev.key.keysym.sym = sym;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(sym);
    ev.key.keysym.mod = mod;
    ev.key.timestamp = SDL_GetTicks();
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    SDL_PushEvent(&ev);
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    SDL_PushEvent(&ev);
}

/* Pushes text as TEXTINPUT events, split at character boundaries to fit SDL's
 * fixed-size event buffer. */
static void push_text(struct viewer *vw, const char *text)
{
    size_t len = strlen(text), pos = 0;
    while (pos < len) {
        size_t n = len - pos;
        if (n > SDL_TEXTINPUTEVENT_TEXT_SIZE - 1) {
            n = SDL_TEXTINPUTEVENT_TEXT_SIZE - 1;
            while (n > 0 && ((unsigned char)text[pos + n] & 0xC0) == 0x80)
                n--;
        }
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        ev.text.windowID = window_id(vw);
        ev.text.timestamp = SDL_GetTicks();
        memcpy(ev.text.text, text + pos, n);
        ev.text.text[n] = '\0';
        SDL_PushEvent(&ev);
        pos += n;
    }
}

/* `print WHAT`: one line "WHAT: ..." on stdout, what a user would read on
 * screen, so end-to-end tests can check texts a screenshot cannot. */
static void script_print(struct viewer *vw, const char *what)
{
    char buf[1200] = "";
    if (strcmp(what, "status") == 0) {
        double ix, iy, lon = NAN, lat = NAN;
        view_screen_to_image(&vw->view, vw->ui.mouse_x, vw->ui.mouse_y, &ix, &iy);
        if (vw->imagery.a.georeferenced)
            geo_pixel_to_lonlat(vw->imagery.a.geo, ix, iy, &lon, &lat, NULL);
        snprintf(buf, sizeof buf, "px %.0f, %.0f  lonlat %.6f, %.6f  %s  | message: %.500s",
                 floor(ix), floor(iy), lon, lat, probe_text(&vw->imagery, ix, iy), vw->ui.message);
    } else if (strcmp(what, "hint") == 0) {
        hintbar_text(vw, buf, sizeof buf);
    } else if (strcmp(what, "error") == 0) {
        snprintf(buf, sizeof buf, "%s", vw->ui.sticky_error);
    } else if (strcmp(what, "selected") == 0) {
        snprintf(buf, sizeof buf, "%s", vw->doc.selected);
    } else if (strcmp(what, "help") == 0) {
        snprintf(buf, sizeof buf, "%s scroll %.0f of %.0f", vw->ui.help ? "shown" : "hidden",
                 vw->ui.help_scroll, vw->ui.help_scroll_max);
    } else if (strcmp(what, "labels") == 0) {
        snprintf(buf, sizeof buf, "drawn %zu placed %zu skipped %zu grouped %zu max-repeat %zu",
                 vw->frame.marks_stats.drawn, vw->frame.marks_stats.labels_placed,
                 vw->frame.marks_stats.labels_skipped, vw->frame.marks_stats.labels_grouped,
                 vw->frame.marks_stats.label_max_repeat);
    } else if (strcmp(what, "view") == 0) {
        double lon = NAN, lat = NAN;
        if (vw->imagery.a.georeferenced)
            geo_pixel_to_lonlat(vw->imagery.a.geo, vw->view.cx, vw->view.cy, &lon, &lat, NULL);
        snprintf(buf, sizeof buf, "centre px %.2f %.2f lonlat %.6f %.6f scale %.4f", vw->view.cx,
                 vw->view.cy, lon, lat, vw->view.scale);
    } else if (strcmp(what, "claims") == 0) {
        /* One line per claim: what the claims panel says of its status. */
        for (size_t i = 0; vw->doc.claims && i < claims_claim_count(vw->doc.claims); i++) {
            const struct claims_claim *c = claims_claim_at(vw->doc.claims, i);
            const struct evidence_claim *ev = evidencepanel_claim(&vw->doc, c->id);
            printf("claim: %s %s origins %zu\n", c->id,
                   ev ? evidence_status_name(ev->status) : "?", ev ? ev->independent_origins : 0);
        }
        snprintf(buf, sizeof buf, "%zu%s%s",
                 vw->doc.claims ? claims_claim_count(vw->doc.claims) : 0,
                 evidencepanel_problem(&vw->doc)[0] ? " register: " : "",
                 evidencepanel_problem(&vw->doc));
    } else {
        snprintf(buf, sizeof buf,
                 "unknown (status, hint, error, selected, help, labels, view, claims)");
    }
    printf("%s: %s\n", what, buf);
    fflush(stdout);
}

static void script_fail(struct viewer *vw, const struct vscript_cmd *cmd, const char *why)
{
    fprintf(stderr, "satmark-view: error: %s:%d: %s: %s\n", vw->opt.script_path, cmd->line,
            vscript_op_name(cmd->op), why);
    vw->run.exit_code = 1;
    vw->run.script_done = true;
}

/* A click at a lon/lat of image A; false (the script fails) when the point
 * is not on the image or not in the window. */
static bool push_click_lonlat(struct viewer *vw, const struct vscript_cmd *cmd)
{
    double ix, iy, sx, sy;
    struct diag *dg = diag_new();
    if (!geo_lonlat_to_pixel(vw->imagery.a.geo, cmd->x, cmd->y, &ix, &iy, dg)) {
        script_fail(vw, cmd, diag_failed(dg) ? diag_message(dg) : "not on this image");
        diag_free(dg);
        return false;
    }
    diag_free(dg);
    view_image_to_screen(&vw->view, ix, iy, &sx, &sy);
    if (sx < 0 || sy < 0 || sx >= vw->view.w || sy >= vw->view.h - VIEWER_STATUS_H) {
        script_fail(vw, cmd, "that point is outside the window (pan or zoom first)");
        return false;
    }
    push_click(vw, sx, sy, sdl_button(cmd->button), 1);
    return true;
}

/* Press, twelve motion steps, release: what a hand drag looks like. */
static void push_drag(struct viewer *vw, const struct vscript_cmd *cmd)
{
    int button = sdl_button(cmd->button);
    int x0 = (int)lround(cmd->x), y0 = (int)lround(cmd->y);
    int x1 = (int)lround(cmd->x2), y1 = (int)lround(cmd->y2);
    push_motion(vw, x0, y0, 0, 0, 0);
    push_button(vw, x0, y0, button, true, 1);
    const int steps = 12;
    int px = x0, py = y0;
    for (int i = 1; i <= steps; i++) {
        int x = x0 + (x1 - x0) * i / steps, y = y0 + (y1 - y0) * i / steps;
        push_motion(vw, x, y, SDL_BUTTON(button), x - px, y - py);
        px = x;
        py = y;
    }
    push_button(vw, x1, y1, button, false, 1);
}

static void push_wheel(struct viewer *vw, const struct vscript_cmd *cmd)
{
    push_motion(vw, (int)lround(cmd->x), (int)lround(cmd->y), 0, 0, 0);
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_MOUSEWHEEL;
    ev.wheel.windowID = window_id(vw);
    ev.wheel.y = (Sint32)lround(cmd->dy);
    ev.wheel.preciseY = (float)cmd->dy;
    ev.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
    ev.wheel.timestamp = SDL_GetTicks();
    SDL_PushEvent(&ev);
}

/* A key by its script name; false (the script fails) when unknown. */
static bool push_named_key(struct viewer *vw, const struct vscript_cmd *cmd)
{
    SDL_Keycode sym = key_from_name(cmd->text);
    if (sym == SDLK_UNKNOWN) {
        char why[300];
        snprintf(why, sizeof why, "unknown key name '%s'", cmd->text);
        script_fail(vw, cmd, why);
        return false;
    }
    push_key(vw, sym, cmd->mods);
    return true;
}

static void push_quit(void)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_QUIT;
    ev.quit.timestamp = SDL_GetTicks();
    SDL_PushEvent(&ev);
}

/* True when the script may run its next command: its wait is over, the
 * marks are read, the viewer is idle or the file exists when asked, and
 * the events of the previous command were handled. */
static bool script_ready(struct viewer *vw, double now)
{
    if (vw->run.script_wait_until > now)
        return false;
    /* A script acts as a user who waits for the marks to appear. */
    if (vw->doc.marks_loading)
        return false;
    if (vw->run.script_waiting_idle) {
        if (!viewer_idle(vw))
            return false;
        vw->run.script_waiting_idle = false;
    }
    if (vw->run.script_wait_file) {
        if (access(vw->run.script_wait_file, F_OK) != 0)
            return false;
        vw->run.script_wait_file = NULL;
    }
    SDL_PumpEvents();
    return SDL_PeepEvents(NULL, 0, SDL_PEEKEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) <= 0;
}

void script_step(struct viewer *vw)
{
    double now = viewer_now_s();
    if (!script_ready(vw, now))
        return;
    if (vw->run.script_pc >= vscript_count(vw->run.script)) {
        vw->run.script_done = true;
        return;
    }
    const struct vscript_cmd *cmd = vscript_at(vw->run.script, vw->run.script_pc++);
    switch (cmd->op) {
    case VSCRIPT_CLICK: push_click(vw, cmd->x, cmd->y, sdl_button(cmd->button), 1); break;
    case VSCRIPT_DBLCLICK: push_click(vw, cmd->x, cmd->y, sdl_button(cmd->button), 2); break;
    case VSCRIPT_CLICK_LONLAT: push_click_lonlat(vw, cmd); break;
    case VSCRIPT_MOVE:
        push_motion(vw, (int)lround(cmd->x), (int)lround(cmd->y), 0, 0, 0);
        break;
    case VSCRIPT_DRAG: push_drag(vw, cmd); break;
    case VSCRIPT_WHEEL: push_wheel(vw, cmd); break;
    case VSCRIPT_KEY: push_named_key(vw, cmd); break;
    case VSCRIPT_TEXT: push_text(vw, cmd->text); break;
    case VSCRIPT_WAIT: vw->run.script_wait_until = now + cmd->ms / 1000.0; break;
    case VSCRIPT_WAIT_IDLE: vw->run.script_waiting_idle = true; break;
    case VSCRIPT_WAIT_FILE: vw->run.script_wait_file = cmd->text; break;
    case VSCRIPT_SCREENSHOT:
        vw->frame.sync_marks = true;
        viewer_frame(vw);
        vw->frame.sync_marks = false;
        if (!screenshot_write(vw, cmd->text))
            vw->run.exit_code = 1;
        SDL_RenderPresent(vw->renderer);
        break;
    case VSCRIPT_PRINT: script_print(vw, cmd->text); break;
    case VSCRIPT_QUIT: push_quit(); break;
    }
}

/* ---- bench ---------------------------------------------------------------- */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void pace(double frame_start, double period)
{
    double left = frame_start + period - viewer_now_s();
    if (left > 0) {
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* CPU time of the calling thread, s: a frame's work without the time the
 * scheduler gave to other processes (on a loaded machine the wall time of
 * a frame is mostly waiting for a core). */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Records in *ms when the loaded marks are first drawn; true once they are. */
static bool note_marks_shown(struct viewer *vw, double *ms)
{
    if (*ms >= 0)
        return true;
    if (vw->doc.marks_loading || !vw->imagery.a.overlay ||
        vw->frame.marks_overlay != vw->imagery.a.overlay)
        return false;
    *ms = (viewer_now_s() - vw->start_s) * 1000;
    return true;
}

/* The p99 of the n frame times (sorted in place); 0 when none. */
static double p99_of(double *t, int n)
{
    if (n <= 0)
        return 0;
    qsort(t, (size_t)n, sizeof *t, compare_double);
    return t[(int)floor(0.99 * (n - 1))];
}

/* Where the time goes, on stderr: median and p99 of the frame and of each
 * part (viewer_phase, then present; parts is VIEWER_PHASES + 1 rows of
 * total) per segment of the path (zoom in, pan, zoom out). */
static void report_parts(const double *times, const double *parts, int total, int zoom_frames,
                         int pan_frames)
{
    static const char *const part_names[VIEWER_PHASES + 1] = {"upload", "imagery", "marks",
                                                              "chrome", "present"};
    const int seg_start[4] = {0, zoom_frames, zoom_frames + pan_frames, total};
    fprintf(stderr, "satmark-view bench: median,p99 ms of zoom-in/pan/zoom-out:");
    for (int p = -1; p <= VIEWER_PHASES; p++) {
        fprintf(stderr, " %s", p < 0 ? "frame" : part_names[p]);
        for (int sgm = 0; sgm < 3; sgm++) {
            int n = seg_start[sgm + 1] - seg_start[sgm];
            double *seg = malloc((size_t)n * sizeof *seg);
            if (!seg)
                break;
            const double *from = p < 0 ? times : parts + (size_t)p * total;
            memcpy(seg, from + seg_start[sgm], (size_t)n * sizeof *seg);
            qsort(seg, (size_t)n, sizeof *seg, compare_double);
            fprintf(stderr, "%s%.1f,%.1f", sgm ? "/" : " ", seg[n / 2],
                    seg[(int)floor(0.99 * (n - 1))]);
            free(seg);
        }
    }
    fprintf(stderr, "\n");
}

/* The fixed path: from the whole image, zoom in about a point off-centre to
 * beyond 1:1, pan across, zoom back out. Frames are paced at 60 Hz like a
 * display would; each frame's time is its build (tile uploads, imagery,
 * overlay) and present. */
int bench_run(struct viewer *vw)
{
    const double period = 1.0 / 60;
    const int zoom_frames = 240, pan_frames = 240, out_frames = 240;
    SDL_Event ev;
    /* First frame with imagery: the coarsest tile shown over the whole view. */
    double first_ms = -1;
    /* When the marks read on their thread were first drawn (-1: not yet),
     * and the frames from then on (the goals hold with the marks shown). */
    double marks_ms = -1;
    int marks_from = -1;
    for (int i = 0; i < 600 && first_ms < 0; i++) {
        double t0 = viewer_now_s();
        while (SDL_PollEvent(&ev)) {
        }
        viewer_frame(vw);
        SDL_RenderPresent(vw->renderer);
        int levels = tilecache_level_count(vw->imagery.a.cache);
        if (tilecache_tile_texture(tilecache_get(vw->imagery.a.cache, levels - 1, 0, 0, false)))
            first_ms = (viewer_now_s() - vw->start_s) * 1000;
        else
            tilecache_wait_finished(vw->imagery.a.cache, 5);
        note_marks_shown(vw, &marks_ms);
        (void)t0;
    }
    int total = zoom_frames + pan_frames + out_frames;
    double *times = calloc((size_t)total, sizeof *times);
    double *cpu = calloc((size_t)total, sizeof *cpu); /* UI thread CPU ms per frame */
    /* Per part of the frame (viewer_phase, then present), for the report. */
    double *parts = calloc((size_t)total * (VIEWER_PHASES + 1), sizeof *parts);
    if (!times || !parts || !cpu) {
        free(times);
        free(cpu);
        free(parts);
        return 1;
    }
    double fit_scale = vw->view.scale;
    double target_scale = 1.5;
    double zoom_step = pow(target_scale / fit_scale, 1.0 / zoom_frames);
    /* Zoom towards a point a third of the way in. */
    double fx = vw->view.w * 0.38, fy = vw->view.h * 0.42;
    for (int i = 0; i < total; i++) {
        double t0 = viewer_now_s(), c0 = thread_cpu_s();
        while (SDL_PollEvent(&ev)) {
        }
        if (i < zoom_frames) {
            view_zoom_about(&vw->view, fx, fy, zoom_step);
        } else if (i < zoom_frames + pan_frames) {
            vw->view.cx += 14 / vw->view.scale;
            vw->view.cy += 5 / vw->view.scale;
        } else {
            view_zoom_about(&vw->view, vw->view.w / 2.0, vw->view.h / 2.0, 1 / zoom_step);
        }
        viewer_invalidate(vw);
        viewer_frame(vw);
        if (!vw->doc.marks_loading)
            imagery_start_hash(&vw->imagery.a); /* as the interactive loop does */
        double t_present = viewer_now_s();
        SDL_RenderPresent(vw->renderer);
        double t1 = viewer_now_s();
        times[i] = (t1 - t0) * 1000;
        cpu[i] = (thread_cpu_s() - c0) * 1000;
        for (int p = 0; p < VIEWER_PHASES; p++)
            parts[(size_t)p * total + i] = vw->frame.phase_ms[p];
        parts[(size_t)VIEWER_PHASES * total + i] = (t1 - t_present) * 1000;
        if (marks_from < 0 && note_marks_shown(vw, &marks_ms))
            marks_from = i + 1;
        pace(t0, period);
    }
    report_parts(times, parts, total, zoom_frames, pan_frames);
    free(parts);
    struct tilecache_stats st;
    tilecache_stats(vw->imagery.a.cache, &st);
    /* before sorting: the frames with the marks shown */
    double p99_marks = marks_from >= 0 ? p99_of(times + marks_from, total - marks_from) : -1;
    double cpu_p99 = p99_of(cpu, total), cpu_median = cpu[total / 2];
    qsort(times, (size_t)total, sizeof *times, compare_double);
    double median = times[total / 2];
    double p99 = times[(int)floor(0.99 * (total - 1))];
    double max = times[total - 1];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("frames %d median_ms %.2f p99_ms %.2f max_ms %.2f first_frame_ms %.1f peak_rss_mb %.1f "
           "marks_shown_ms %.1f p99_marks_ms %.2f cpu_median_ms %.2f cpu_p99_ms %.2f\n",
           total, median, p99, max, first_ms, ru.ru_maxrss / 1024.0, marks_ms, p99_marks,
           cpu_median, cpu_p99);
    fprintf(stderr,
            "satmark-view bench: %dx%d, %zu marks, tiles read %zu, evicted %zu, dropped %zu, "
            "cache %.1f of %.1f MB\n",
            vw->view.w, vw->view.h, annot_count(vw->doc.set), st.loaded_total, st.evicted_total,
            st.dropped_total, st.bytes / 1048576.0, st.max_bytes / 1048576.0);
    free(times);
    free(cpu);
    return 0;
}
