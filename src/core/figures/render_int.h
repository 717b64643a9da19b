/*
 * render_int — what the render_*.c files share, and nothing else: the
 * overlay's layout, the drawing context, label obstacles, and the helpers
 * more than one of them calls. Only render_*.c include it; everyone else
 * uses render.h.
 *
 * The files:
 *   render_view.c     view arithmetic: tile <-> output, placing a requested
 *                     window, the window of the whole tile, a lon/lat box or
 *                     a feature;
 *   render_overlay.c  building the overlay (projecting marks once, label
 *                     anchors) and reading it;
 *   render_text.c     Pango/Cairo text: layouts, halos, render_text;
 *   render_draw.c     drawing marks (groups, ghosts of other dates, density
 *                     layers), render_overlay_draw, legend swatches;
 *   render_label.c    label placement: candidates, obstacles, groups.
 *
 * Invariants of struct render_overlay: immutable once built; every feature's
 * parts are [part_start, part_start + nparts) of parts, every part's
 * positions [start, start + n) of xy, in tile pixels; has_bbox features
 * have a finite bbox and their label anchor inside the view's arithmetic.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#ifndef SATMARK_RENDER_INT_H
#define SATMARK_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "annot_geometry.h"
#include "render.h"

enum part_kind { PART_POINTS, PART_LINE, PART_RING };

struct ov_part {
    enum part_kind kind;
    size_t start, n; /* into the overlay's xy */
};

struct ov_feature {
    char *id;    /* in the overlay's text blocks; the label follows it there */
    char *label; /* likewise */
    enum annot_class cls;
    size_t part_start, nparts;
    char **claims;
    enum annot_stance *stances;
    size_t nclaims;
    bool has_bbox;
    struct render_rect bbox; /* tile px */
    double anchor_x, anchor_y; /* label anchor, tile px */
    enum part_kind anchor_kind;
    enum markdate_relation rel;
    char *dates;       /* markdate_dates of the feature */
    char *dated_label; /* "label (dates)" for other-date marks, else NULL */
};

/* A block of the overlay's ids and labels, filled in order: a detector's
 * 100,000 marks in one allocation per 64 KiB rather than one each. */
struct ov_text {
    struct ov_text *next;
    size_t used, cap;
    char data[];
};

struct render_overlay {
    struct ov_text *text; /* owned: every feature's id and label */
    struct ov_feature *features;
    size_t n, cap;
    struct ov_part *parts;
    size_t nparts, capparts;
    struct annot_xy *xy; /* every part's positions, tile px (lon/lat while building) */
    size_t npts, cappts;
};

/* Obstacles for label placement: output-pixel rectangles. */
struct boxes {
    struct render_rect *r;
    size_t n, cap;
};

struct draw_ctx {
    cairo_t *cr;
    const struct render_view *view;
    const struct render_overlay *ov;
    const struct style *st;
    const struct render_marks_options *opt;
    double sx, sy; /* tile px -> out px */
};


/* ---- defined in render_view.c ---- */

/* Grows [min,max] bounds (borrowed) with the finite points among the n of x,
 * y (borrowed); returns how many were finite. */
size_t render_grow_bounds(size_t n, const double *x, const double *y, double *minx,
                          double *miny, double *maxx, double *maxy);

/* ---- defined in render_overlay.c ---- */

/* Grows the array *p (owned by the caller, realloc'd) of *cap elements of
 * elem bytes to hold need; false on out of memory (*p unchanged). */
bool render_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- defined in render_text.c ---- */

void render_set_rgb(cairo_t *cr, struct style_rgb c, double alpha);
/* New layout for cr (borrowed) with font family list `font` (borrowed;
 * NULL = RENDER_DEFAULT_FONT) at px; the caller frees it with g_object_unref. */
PangoLayout *render_new_layout(cairo_t *cr, const char *font, double px);
/* Draws layout (borrowed) at (x, y) with its halo; see render_text.c. */
void render_show_layout(cairo_t *cr, PangoLayout *layout, double x, double y,
                        struct style_rgb rgb, double halo_px, struct style_rgb halo);

/* ---- defined in render_draw.c ---- */

/* The colour of a mark of other dates (its class colour, paled). */
struct style_rgb render_ghost_rgb(struct style_rgb c);
/* True when f (borrowed) is drawn as a ghost under opt (borrowed). */
bool render_is_ghost(const struct ov_feature *f, const struct render_marks_options *opt);

/* ---- defined in render_label.c ---- */

/* Adds r to the obstacles b (owns its array); false on out of memory. */
bool render_boxes_add(struct boxes *b, struct render_rect r);
/* True when r meets one of b's rectangles. */
bool render_boxes_hit(const struct boxes *b, const struct render_rect *r);
/* Output box of f into *box; true when f is small on the output (see
 * render_label.c). */
bool render_small_mark_box(const struct draw_ctx *d, const struct ov_feature *f,
                           struct render_rect *box);
/* Places the labels of the nvisible features visible (indices into d->ov,
 * borrowed) around the obstacles (grown as labels are placed) and counts
 * them in stats; false on out of memory. */
bool render_draw_labels(const struct draw_ctx *d, const size_t *visible, size_t nvisible,
                        struct boxes *obstacles, struct render_marks_stats *stats);

#endif
