/*
 * viewer — shared definitions of the SDL2 viewer (`satmark-view`).
 *
 * The viewer is a thin front-end over the core: imagery comes from a
 * tilecache per image (filled by worker threads, each with its own raster
 * handle), marks are drawn by the core renderer (render.h) into one cairo
 * surface the size of the window, edits go through annot's edit operations
 * (so every edit is undoable), saving through gjson, the autosave journal
 * through journal. Everything here runs on the UI thread except the reader
 * callbacks in imagery.c, the marks renderer (marks.c), the compositor's
 * helper (compose.c), the annotation reader (main.c), the overview builder
 * (overviews.c) and the hashing thread; each says what it shares.
 *
 * Each frame is two unscaled copies: the composite (compose.c: the imagery
 * of image A, and B for compare, sampled from the cached tiles by the viewer
 * itself, with the marks layer blended over it), then the chrome texture
 * (overlay.c: tool previews, scale bar, panels, status bar). The composite
 * is rebuilt only when the view, the tiles or the marks result changed; the
 * chrome only when something it shows changed (the status bar alone on
 * pointer motion). The annotation file is read on a thread after start-up
 * (main.c); editing waits for it.
 *
 * Coordinates: "image" = full-resolution pixel grid of image A, pixel-corner
 * convention; "screen" = window pixels, (0,0) top-left; lon/lat in degrees.
 */
#ifndef SATMARK_VIEWER_H
#define SATMARK_VIEWER_H

#include <SDL.h>
#include <cairo.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "annot.h"
#include "claims.h"
#include "diag.h"
#include "filelock.h"
#include "geo.h"
#include "hash.h"
#include "imgopt.h"
#include "raster.h"
#include "render.h"
#include "style.h"
#include "tilecache.h"
#include "vscript.h"
#include "georefview.h"

/* The bottom chrome: the status line (VIEWER_BAR_H) under the hint bar
 * (VIEWER_HINT_H, hintbar.c); VIEWER_STATUS_H is both, the height the
 * imagery area stops above. */
#define VIEWER_BAR_H 26
#define VIEWER_HINT_H 22
#define VIEWER_STATUS_H (VIEWER_BAR_H + VIEWER_HINT_H)
#define VIEWER_CAPTION_H 30 /* compare modes: the date captions' strip at the top */
#define VIEWER_MAX_DRAFT 4096
#define VIEWER_TEXT_MAX 512
#define VIEWER_TILE_BYTES ((size_t)64 * 1024 * 1024)
#define VIEWER_MARKS_CELL 16 /* marks layer: blended in cells this size (empty ones skipped) */
/* A cell's rows holding anything, one bit per row (VIEWER_MARKS_CELL bits). */
typedef uint16_t viewer_marks_cell;
#define VIEWER_BACKGROUND_NICE 8 /* background threads: CFS weight ~1/6 of the UI's */
#define VIEWER_LABELS_MAX_VISIBLE 400 /* more marks in view: no labels (unreadable, slow) */

struct marks_layer;

/* The parts of a frame whose time the bench reports. */
enum viewer_phase { PHASE_UPLOAD, PHASE_IMAGERY, PHASE_MARKS, PHASE_CHROME, VIEWER_PHASES };

/* A tile the UI holds (tilecache's "texture"): its pixels as 0xAARRGGBB
 * values, composited on the CPU by compose.c. */
struct tilecache_texture {
    uint32_t *pixels; /* owned; w * h */
    int w, h;
    bool opaque;      /* every alpha is 255: copied without blending */
};

/* What a worker thread needs to open its own raster handle. */
struct tilecache_source {
    char *path;
    struct raster_open_options open; /* as the UI handle was opened */
    bool has_stretch;
    struct raster_stretch stretch;
};

/* One image (A, or B in compare mode). */
struct image_layer {
    char *path;
    const char *name;            /* file name part of path */
    struct raster *raster;       /* UI-thread handle */
    struct geo_ref *geo;         /* UI-thread georeference */
    int width, height;
    char acquired[RASTER_DATE_MAX];
    bool georeferenced;          /* has a CRS: marks can be placed */
    struct tilecache_source source;
    struct tilecache *cache;
    size_t cache_bytes;          /* the cache's bound */
    pthread_t retire_thread;     /* frees a replaced cache (imagery_reload) */
    bool retire_started;
    /* Overviews (overviews.c): whether the file has them, and a build of
     * IMAGE.ovr on a thread of its own. */
    bool has_overviews;
    struct overview_job *overview_job; /* NULL when no build was started; owned */
    struct render_overlay *overlay;
    uint64_t overlay_generation;
    bool overlay_built;
    /* Marks dated on other images (datestyle.c): how many the overlay has;
     * for B, its marks classified against B but projected with A's
     * georeference (drawn when B is resampled into A's frame); whether the
     * overlays were classified with the file's SHA-256 (else by name and
     * date until the hash is done). */
    size_t other_dates;
    struct render_overlay *overlay_in_a;
    bool classified_with_hash;
    uint64_t tiles_generation;   /* counts tiles handed to the UI: the composite is stale */
    int missing_tiles;           /* visible tiles not shown at their level, last frame */
    int failed_tiles;            /* visible tiles whose read failed */
    /* SHA-256, computed on a thread at start (reading a large file takes a while). */
    pthread_t hash_thread;
    bool hash_started;
    bool hash_joined;
    bool hash_ok;
    atomic_bool hash_done; /* the thread wrote hash_ok and sha256 (or hash_error) */
    char sha256[HASH_SHA256_HEX_LEN + 1];
    char hash_error[512];
};

/* What part of image A the window shows. */
struct view {
    double cx, cy;  /* image pixel at the window centre */
    double scale;   /* screen pixels per image pixel */
    int w, h;       /* window size */
};

enum tool { TOOL_SELECT, TOOL_POINT, TOOL_LINE, TOOL_POLYGON, TOOL_RECT, TOOL_MEASURE };

enum text_mode { TEXT_NONE, TEXT_LABEL, TEXT_JUMP, TEXT_SAVE_AS };

enum modal { MODAL_NONE, MODAL_QUIT, MODAL_RECOVER };

enum drag_kind {
    DRAG_NONE,
    DRAG_PAN,
    DRAG_MOVE,      /* moving the selected feature */
    DRAG_VERTEX,    /* moving one vertex of the selected feature */
    DRAG_RECT,      /* drawing a rectangle */
    DRAG_DIVIDER,   /* the compare swipe divider */
};

enum compare_mode { COMPARE_SWIPE, COMPARE_FLICKER };

struct claim_row {
    int y0, y1;      /* screen rows of the entry in the claims panel */
    size_t claim;    /* index in the catalog */
};

#define VIEWER_MAX_CLAIM_ROWS 64

/*
 * The viewer's state, in parts with one owner each. A function that needs
 * one part takes that part (the view functions take struct view, the
 * evidence panel the document, the probe and overview polling the imagery);
 * struct viewer ties the parts together for the code that needs several.
 * Everything is UI-thread state unless a field says otherwise.
 */

/* What the command line asked for; read-only after parse_args (main.c). */
struct viewer_options {
    const char *tile_path, *claims_path, *compare_path, *style_path;
    const char *script_path, *screenshot_path, *author; /* borrowed from argv */
    int recover_answer; /* -1 ask, 0 no, 1 yes */
    double journal_interval_s;
    bool bench;
    int win_w, win_h;   /* initial window size; the live size is view.w/h */
};

/* The imagery (imagery.c, overviews.c, probe.c): images A and B with their
 * rasters, tile caches and overview builds, and how their bands are shown.
 * Invariants: a is open for the viewer's lifetime; b only when has_b. */
struct viewer_imagery {
    struct image_layer a, b;
    bool has_b;
    bool overviews_chain; /* key O: build for every image lacking overviews */
    /* how images are opened: --georef, --dem, --keep-degrees (both images),
     * --subdataset (TILE only), --bands, --ramp (imgopt.h, raster.h) */
    struct imgopt image_opts;
    int bands[3];
    enum ramp_kind ramp;
    /* key B: the band preset shown (imagery_cycle_bands): -1 the --bands
     * given, 0 auto (colour interpretation, band descriptions or the
     * mission's band order), k >= 1 band k alone (grey, or --ramp) */
    int band_preset;
    /* Pixel values under the pointer (probe.c): cached for the last pixel
     * of image A (probe_valid false after the image changed). */
    long probe_x, probe_y;
    bool probe_valid;
    char probe_text[256];
};

/* The document: the annotation set being edited (undo and redo live in the
 * set, annot.h), the selection, the file's identity for changed-on-disk
 * detection, the autosave journal, the claims catalog and the evidence
 * status derived from both (evidencepanel.c). main.c owns loading and
 * saving; input.c, goto.c and marklist.c edit through annot's operations.
 * Invariants: set is never NULL after start-up (an empty stand-in while
 * marks_loading); selected is "" or the id of a feature of set;
 * annot_path is NULL (no file) or points into argv or annot_path_owned. */
struct viewer_document {
    const char *annot_path;
    char *annot_path_owned;   /* after Save As: the new path (annot_path points here) */
    struct annot_set *set;
    char selected[128];
    struct claims_catalog *claims;
    /* evidencepanel.c: each claim's status for the claims panel, rebuilt
     * when the set's generation differs from evidence_generation */
    struct evidence_report *evidence;
    struct evidence_tiles *evidence_tiles;
    uint64_t evidence_generation;
    bool evidence_tiles_tried;
    char evidence_problem[256]; /* why the imagery register could not be read, or "" */
    /* Reading the annotation file on a thread (main.c): until it is done,
     * set is an empty stand-in and editing waits (input.c). */
    bool marks_loading;
    bool load_failed;
    pthread_t load_thread;
    atomic_bool load_done;
    bool load_ok;                 /* written by the thread before load_done */
    struct annot_set *loaded_set; /* the thread's result; owned until taken */
    struct diag *load_dg;         /* the thread's errors; owned */
    struct filestamp disk_stamp; /* annot_path as read (or absent) at load / last save */
    /* Autosave journal (journal.h) */
    char *journal_path;
    bool recovered_unsaved;   /* content came from the journal, not yet saved */
    uint64_t journal_generation;
    double journal_last_s;
    char pending_journal[64]; /* journal time offered for recovery */
    bool save_failed;         /* the last save failed (a script then exits 1) */
    bool journal_failing;     /* the last journal write failed (shown once per run) */
};

/* Building frames (compose.c, marks.c, overlay.c): the marks layer's
 * thread and its last result, the compositor, the chrome surface, what is
 * dirty, and the phase times the bench reports. The style is borrowed by
 * the marks thread for the viewer's lifetime. */
struct viewer_frame {
    struct style *style;
    /* marks layer (drawn on its own thread, marks.c) */
    struct marks_layer *marks;
    /* The last result taken from the marks thread (straight-alpha ARGB of
     * marks_w x marks_h, drawn for marks_view), and per VIEWER_MARKS_CELL
     * cell of it which of its rows hold anything (bit r: the cell's row r;
     * 0: the cell is transparent); owned, swapped with the thread's
     * buffers. compose.c blends it over the imagery. */
    struct view marks_view;
    uint32_t *marks_pixels;
    viewer_marks_cell *marks_cells;
    int marks_w, marks_h, marks_cols, marks_rows;
    uint64_t marks_generation; /* counts results taken */
    struct render_marks_stats marks_stats; /* of the result taken (labels placed, grouped) */
    bool marks_ready;
    /* the overlay the result taken was drawn from (compared by address only:
     * the bench's "marks shown" moment) */
    const struct render_overlay *marks_overlay;
    bool sync_marks;          /* this frame waits for the marks layer (screenshots) */
    /* imagery composited by the viewer into one window-sized texture (compose.c) */
    struct compose *compose;
    /* chrome: everything else over the imagery (overlay.c) */
    cairo_surface_t *surface;
    SDL_Texture *overlay_tex;
    bool overlay_dirty;       /* everything must be re-drawn */
    bool status_dirty;        /* only the status bar */
    bool chrome_was_full;     /* the last chrome drawing covered the whole window */
    int shown_missing;        /* tiles-loading count the status bar shows */
    uint64_t drawn_generation;
    bool needs_frame;
    /* Time of each part of the last frame, ms (the bench reports them). */
    double phase_ms[VIEWER_PHASES];
};

/* What the user sees and is doing (input.c, overlay.c, hintbar.c, goto.c,
 * marklist.c): layers, compare mode, the tool and its draft, a drag in
 * progress, prompts, modal questions, panels, messages. A mode of its own
 * (e.g. georeferencing) keeps its state behind one pointer here.
 * Invariants: ndraft <= VIEWER_MAX_DRAFT; drag != DRAG_NONE only between a
 * button press and its release; at most one of help, claims_open and
 * marklist_open takes the keyboard, in that order. */
struct viewer_ui {
    /* layers */
    bool show_imagery, show_labels;
    unsigned hidden_classes;
    enum render_other_dates other_dates; /* key D (datestyle.c) */
    /* compare (with image B) */
    enum compare_mode compare;
    bool show_b;        /* flicker: B shown */
    double divider;     /* swipe divider x in [0,1] of the window width */
    /* tool and draft */
    enum tool tool;
    enum annot_class cls;
    struct annot_lonlat draft[VIEWER_MAX_DRAFT]; /* line/polygon/measure vertices */
    size_t ndraft;
    /* pointer and drag */
    enum drag_kind drag;
    int drag_button;
    double drag_x0, drag_y0, drag_last_x, drag_last_y;
    bool drag_moved;
    size_t drag_part, drag_index;
    struct annot_lonlat drag_anchor; /* lon/lat where a move started */
    int mouse_x, mouse_y;
    bool mouse_in;
    /* prompts and modal questions */
    enum text_mode text_mode;
    char text[VIEWER_TEXT_MAX];
    bool skip_next_text; /* the TEXTINPUT of the key that opened a prompt */
    enum modal modal;
    /* help overlay; scroll offset in pixels when it does not fit */
    bool help;
    double help_scroll;
    double help_scroll_max;
    /* claims panel */
    bool claims_open;
    char claims_search[128];
    size_t claims_cursor; /* row among the claims matching the search */
    struct claim_row claim_rows[VIEWER_MAX_CLAIM_ROWS];
    size_t nclaim_rows;
    /* Mark list panel (marklist.c). */
    bool marklist_open;
    char marklist_filter[128];
    size_t marklist_cursor;
    struct claim_row marklist_rows[VIEWER_MAX_CLAIM_ROWS]; /* claim = mark index */
    size_t nmarklist_rows;
    /* status line message */
    char message[512];
    bool message_error;
    double message_s;
    /* An error that stays on screen until acknowledged (Esc or a click on
     * it): failed saves and autosave journal writes (hintbar.c). */
    char sticky_error[1024];
    /* Hint bar (hintbar.c): what comes next after a mark was drawn. */
    bool hint_after_mark;
    /* Go to a coordinate (goto.c): the place is marked until the view moves on. */
    bool goto_marker;
    double goto_lon, goto_lat;
    /* --georef-picture (georefview.h): that mode's state, NULL when off */
    struct georef_session *georef;
};

/* A script run (script.c) or a screenshot/bench run, and the exit status. */
struct viewer_run {
    struct vscript *script;   /* owned; NULL without --script */
    size_t script_pc;
    double script_wait_until;
    bool script_waiting_idle;
    const char *script_wait_file; /* wait-file: borrowed from the script */
    bool script_done;
    bool exit_after_idle; /* --screenshot without a script */
    bool screenshot_written;
    int exit_code;
    /* SATMARK_VIEW_READY_FILE (tests driving the window with real X input):
     * created once the first complete frame is on screen, so a test waits on
     * it instead of sleeping. Borrowed from the environment; NULL = off. */
    const char *ready_file;
    bool ready_signalled;
};

struct viewer {
    struct viewer_options opt;
    struct view view;             /* view state: camera (centre, scale) and window size */
    struct viewer_document doc;
    struct viewer_imagery imagery;
    struct viewer_ui ui;
    struct viewer_frame frame;
    struct viewer_run run;
    /* the process: owned by main.c */
    struct diag *dg;
    SDL_Window *window;
    SDL_Renderer *renderer;
    Uint32 window_format; /* pixel format of the window surface */
    bool running;
    double start_s;
};

/* ---- main.c ---- */
double viewer_now_s(void);
/* Lowers the calling thread's priority (tile readers, marks renderer,
 * hashing): on a loaded machine the UI thread is scheduled first, so frames
 * stay on time while the background work takes what is left. */
void viewer_background_thread(void);
/* Shows a message in the status bar (printf-style); errors also go to stderr. */
void viewer_message(struct viewer *vw, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Takes the annotations when their thread has read them (or stops the
 * viewer, exit status 1, when the file cannot be read). */
void viewer_poll_load(struct viewer *vw);
/* Re-draws everything on the next frame. */
void viewer_invalidate(struct viewer *vw);
bool viewer_unsaved(const struct viewer_document *doc);
bool viewer_save(struct viewer *vw);
void viewer_request_quit(struct viewer *vw);
/* The answer to "recover the journal?": loads it (recover) or deletes it. */
void viewer_answer_recovery(struct viewer *vw, bool recover);
/* Builds and presents one frame; returns its build time in ms. */
double viewer_frame(struct viewer *vw);

/* ---- view (input.c) ---- */
void view_screen_to_image(const struct view *v, double sx, double sy, double *ix, double *iy);
void view_image_to_screen(const struct view *v, double ix, double iy, double *sx, double *sy);
void view_fit(struct view *v, int image_w, int image_h);
void view_zoom_about(struct view *v, double sx, double sy, double factor);
struct render_view view_to_render(const struct view *v);
/* How image B is drawn under view v of image A: the affine map from A's
 * image pixels to B's (bx = m0 + m1 ix + m2 iy, by = m3 + m4 ix + m5 iy),
 * and the plain view of B (centre and scale) that is used instead when it
 * matches the map within a quarter of a B pixel over the window (affine =
 * false: north-up grids of one CRS). With affine = true (B rotated, flipped
 * or of another pixel shape) B is resampled into A's frame and its marks
 * are drawn with A's. False when the images share no ground. */
struct b_mapping {
    struct view vb;
    double m[6];
    bool affine;
};
bool view_b_mapping(struct viewer_imagery *im, const struct view *v, struct b_mapping *out);
/* The view of image B showing the same ground as v on image A (vb above). */
bool view_for_b(struct viewer_imagery *im, const struct view *v, struct view *out);

/* ---- evidencepanel.c ---- */
struct evidence_claim;
/* The claim's evidence status as the claims report computes it, brought up
 * to date with the marks; NULL without a catalog or on out of memory.
 * Borrowed until the next call or evidencepanel_free. */
const struct evidence_claim *evidencepanel_claim(struct viewer_document *doc, const char *claim_id);
/* Why the imagery register beside the annotation file could not be read,
 * or "" (borrowed). */
const char *evidencepanel_problem(const struct viewer_document *doc);
void evidencepanel_free(struct viewer_document *doc);

/* ---- imagery.c ---- */
bool imagery_open(struct viewer *vw, struct image_layer *img, const char *path);
void imagery_close(struct image_layer *img);
/* Restarts the tile readers (new handles, e.g. to see new overviews) and
 * drops the tiles read so far; the old readers stop on a thread of their
 * own. False (with a message) when they cannot be started. */
bool imagery_reload(struct viewer *vw, struct image_layer *img);
/* Key B: shows the next band preset (see viewer.band_preset) on image A
 * and, in compare mode, on B when it has that band; the status line says
 * which bands are shown and why. */
void imagery_cycle_bands(struct viewer *vw);
/* Shift+B: straight to the true-colour preset the file says (its colour
 * interpretation, band descriptions or mission band order: bandpick.h), on
 * A and, when it has one, on B; says so and changes nothing when the file
 * does not say which bands are red, green and blue. */
void imagery_true_colour(struct viewer *vw);
/* Takes the tiles the workers finished (their pixels, no copy); returns how many. */
int imagery_upload(struct viewer *vw, struct image_layer *img);
/* Requests the tiles img needs for view v within clip (centre first) and
 * counts the visible ones missing or failed (img->missing_tiles, failed_tiles). */
void imagery_request(struct image_layer *img, const struct view *v, SDL_Rect clip);
/* The same for the image rectangle (x0, y0)-(x1, y1) at level. */
void imagery_request_box(struct image_layer *img, int level, double x0, double y0, double x1,
                         double y1);

/* ---- overviews.c ---- */
/* At open: says (status bar and stderr) that a large image without
 * overviews is read decimated and that O builds them. */
void overviews_offer(struct viewer *vw, struct image_layer *img);
/* Key O: builds IMAGE.ovr for image A, then B, whichever lack overviews. */
void overviews_start(struct viewer *vw);
/* Each loop turn: progress into the status bar; a finished build switches
 * the image to its new overviews (imagery_reload) and starts the next. */
void overviews_poll(struct viewer *vw);
/* True while a build runs (wait-idle waits for it). */
bool overviews_busy(const struct viewer_imagery *im);
/* The status text of a running build ("overviews 42% of IMAGE"), or NULL. */
const char *overviews_status(struct viewer_imagery *im, char *buf, size_t size);
/* Cancels a running build of img and waits for it (on quit); accepts none. */
void overviews_stop(struct image_layer *img);

/* ---- compose.c ---- */
/* New compositor with its helper thread; NULL on failure. Free with compose_free. */
struct compose *compose_new(void);
void compose_free(struct compose *c);
/* Draws the imagery of the frame (A, B, swipe or flicker) as one unscaled
 * copy; re-composites only when the views or the tiles changed. */
void compose_draw(struct viewer *vw);
bool imagery_idle(struct image_layer *img);
/* Starts hashing the file on a thread (after the first frame, so start-up
 * does not compete with it); does nothing when started already. */
void imagery_start_hash(struct image_layer *img);
/* Waits for the hashing thread (starting it if needed); false (with the reason) when hashing failed. */
bool imagery_sha256(struct image_layer *img, const char **hex, const char **error);

/* ---- overlay.c ---- */
bool overlay_init(struct viewer *vw);
void overlay_free(struct viewer *vw);
/* Re-draws what is dirty and uploads it; draws the texture. */
void overlay_draw(struct viewer *vw);
/* Rebuilds the projected marks of img when the set changed. */
void overlay_refresh_marks(struct viewer *vw, struct image_layer *img);
/* Screen rectangle of the claims panel (valid when open). */
SDL_Rect overlay_claims_rect(const struct viewer *vw);

/* ---- marks.c ---- */
/* New marks layer with its thread; style borrowed for its lifetime. NULL on failure. */
struct marks_layer *marks_new(const struct style *style);
/* Stops the thread and frees the layer and retired overlays; accepts NULL. */
void marks_free(struct marks_layer *ml);
/* Takes ownership of an overlay no longer current; freed once no job uses it. */
void marks_retire(struct marks_layer *ml, struct render_overlay *ov);
/* Posts a job when what the layer shows changed (cheap when nothing did). */
void marks_update(struct viewer *vw);
/* Waits until the thread has drawn every posted job, at most timeout_ms
 * (< 0: no limit); true when it has. */
bool marks_wait(struct viewer_frame *fr, int timeout_ms);
/* True when the last posted job is drawn and uploaded. */
bool marks_current(struct viewer_frame *fr);
/* Takes a new result from the thread if there is one (compose.c draws it). */
void marks_take(struct viewer *vw);

/* ---- datestyle.c ---- */
/* Builds the overlay of the viewer's marks classified against img (its name,
 * date and, once known, SHA-256) and projected with geo (img's own, or A's
 * for B resampled into A's frame); *other_dates (may be NULL) gets how many
 * marks are dated only on other images. New (NULL with a reason on dg). */
struct render_overlay *datestyle_overlay(struct viewer *vw, struct image_layer *img,
                                         struct geo_ref *geo, size_t *other_dates,
                                         struct diag *dg);
/* True once img's hash is known and classifies some mark differently from
 * the overlays built without it (they must be rebuilt). */
bool datestyle_hash_changes(struct viewer *vw, struct image_layer *img);
/* True when f (borrowed) is not drawn on image A: dated only on other images
 * while those are hidden (clicks do not select it). */
bool datestyle_hidden(struct viewer *vw, const struct annot_feature *f);
/* Key D: ghosted -> hidden -> shown -> ghosted, with a message. */
void datestyle_cycle(struct viewer *vw);
/* Status bar text for the state ("other dates ghosted (D)"), "" when no mark
 * of another date is on the images shown. */
void datestyle_status(const struct viewer *vw, char *buf, size_t size);

/* ---- input.c ---- */
void input_handle(struct viewer *vw, const SDL_Event *ev);
const char *tool_name(enum tool t);
/* True when the claim's id, text or place contains query (case-insensitive). */
bool input_claim_matches(const struct claims_claim *c, const char *query);
/* Screen positions of the selected feature's vertices (for handles):
 * up to max, returns the count; part/index of each in parts/indices. */
size_t input_selected_vertices(struct viewer *vw, double *xs, double *ys, size_t *parts,
                               size_t *indices, size_t max);

/* ---- hintbar.c ---- */
/* The hint bar strip, just above the status line. */
void hintbar_draw(struct viewer *vw, cairo_t *cr);
/* Keeps msg (printf-style) on screen until acknowledged; also to stderr. */
void viewer_sticky_error(struct viewer *vw, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The hint for the current state, plain text, into out (caller's). */
void hintbar_text(struct viewer *vw, char *out, size_t cap);
/* The sticky error banner (when one is pending). */
void hintbar_draw_error(struct viewer *vw, cairo_t *cr);
/* Screen rectangle of the error banner (w = 0 when none). */
SDL_Rect hintbar_error_rect(struct viewer *vw);
/* Esc or a click on the banner: acknowledges it; true when one was shown. */
bool hintbar_acknowledge(struct viewer *vw);
/* Draws text (borrowed) in one line of at most max_w px: shortened with an
 * ellipsis when longer, never dropped. */
void hintbar_text_fit(cairo_t *cr, const char *text, double px, double x, double y,
                      double max_w, struct style_rgb rgb);

/* ---- keys.c ---- */
/* What a key does (one table: input.c dispatches through it, the help
 * overlay and the hint bar print it). */
enum viewer_action {
    ACT_NONE,
    ACT_TOOL_SELECT, ACT_TOOL_POINT, ACT_TOOL_LINE, ACT_TOOL_POLYGON, ACT_TOOL_RECT,
    ACT_TOOL_MEASURE,
    ACT_PAN_LEFT, ACT_PAN_RIGHT, ACT_PAN_UP, ACT_PAN_DOWN, ACT_ZOOM_IN, ACT_ZOOM_OUT,
    ACT_FIT, ACT_ONE_TO_ONE, ACT_JUMP,
    ACT_FINISH_OR_LABEL, ACT_ESCAPE, ACT_BACKSPACE, ACT_DELETE, ACT_CLAIMS, ACT_MARK_LIST,
    ACT_ALSO_SEEN,
    ACT_UNDO, ACT_REDO, ACT_SAVE, ACT_SAVE_AS, ACT_QUIT,
    ACT_SWIPE, ACT_FLICKER, ACT_IMAGERY, ACT_LABELS, ACT_OVERVIEWS, ACT_HELP, ACT_OTHER_DATES,
    ACT_BANDS, ACT_TRUE_COLOUR,
    VIEWER_ACTIONS /* how many; keep last (input.c has a handler for each) */
};
/* The action of a key press (sym with modifiers mod), ACT_NONE when none;
 * class keys 1-9 are handled apart (they carry the class). */
enum viewer_action keys_action(SDL_Keycode sym, Uint16 mod);
/* The help text (Pango markup) built from the table; static storage. */
const char *keys_help_markup(void);
/* The keys of an action as the help prints them ("Ctrl+S"); static. */
const char *keys_of(enum viewer_action a);

/* ---- goto.c ---- */
/* The J prompt: a mark id, a label (exact, then a part of it) or a
 * coordinate (coordparse.h); centres the view there. */
void goto_query(struct viewer *vw, const char *query);
/* Centres the view on mark f and selects it. */
void goto_mark(struct viewer *vw, const struct annot_feature *f);
/* The place a coordinate jump marked (a cross), when one is shown. */
void goto_draw_marker(struct viewer *vw, cairo_t *cr);
/* Save As: writes to path; on success the viewer goes on with that file. */
bool viewer_save_as(struct viewer *vw, const char *path);

/* ---- marklist.c ---- */
void marklist_toggle(struct viewer *vw);
/* The marks matching the filter, in file order: the k-th's index; false when fewer. */
bool marklist_filtered_at(const struct viewer *vw, size_t k, size_t *index);
/* True when mark f matches the filter text (words: class:NAME, date:PREFIX,
 * claim:PART, or a part of the id or label; all must match). */
bool marklist_matches(const struct annot_feature *f, const char *filter);
void marklist_draw(struct viewer *vw, cairo_t *cr);
SDL_Rect marklist_rect(const struct viewer *vw);
/* Keys while the panel is open; true when used. */
bool marklist_key(struct viewer *vw, SDL_Keycode sym);
/* A click in the panel; true when it was in it. */
bool marklist_click(struct viewer *vw, int x, int y);

/* ---- probe.c ---- */
/* The values of image A's pixel under the pointer, for the status bar:
 * "B1 112 B2 98 B3 80 -> 112,98,80" (raw per band, then the stretched
 * display values); "" when outside the image. Borrowed until the next call. */
const char *probe_text(struct viewer_imagery *im, double ix, double iy);

/* ---- script.c ---- */
/* Runs the next script command(s) when the previous ones are done. */
void script_step(struct viewer *vw);
bool viewer_idle(struct viewer *vw);
bool screenshot_write(struct viewer *vw, const char *path);
int bench_run(struct viewer *vw);

#endif
