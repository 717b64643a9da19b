/*
 * render — the view (which part of a tile goes to which output pixels) and the
 * drawing of annotation marks with Cairo and Pango, shared by the PNG figure
 * maker (figure.h) and the SDL viewer, so what a user sees on screen is what
 * a figure shows.
 *
 * Three steps, each usable alone:
 *   1. A view (struct render_view): a window of the tile's full-resolution
 *      pixel grid and the output size it is drawn at. render_view_fit_* build
 *      one from the whole tile, a lon/lat box or a feature plus padding.
 *   2. An overlay (struct render_overlay): the marks of one or more annotation
 *      sets projected once into tile pixel coordinates (PROJ is called only
 *      here). Rebuild it when the set's annot_generation changes.
 *   3. render_overlay_draw: strokes and fills the marks of an overlay onto a
 *      caller-provided cairo_t (an ARGB32 image surface in the figure maker,
 *      the viewer's own surface on screen), then places labels with halos,
 *      greedily avoiding collisions.
 *
 * Conventions:
 *   - Tile pixel coordinates: full-resolution grid, pixel-corner convention
 *     ((0,0) top-left corner of the top-left pixel; centre of pixel i is
 *     i + 0.5), as raster.h and geo.h.
 *   - Output coordinates: Cairo user space of the target, same convention,
 *     out_x = (tile_x - src_x) * out_w / src_w (the same for y). The view is
 *     never rotated relative to the tile grid: a rotated geotransform shows
 *     as a rotated north arrow, not as a rotated image.
 *   - Sizes in styles are output pixels at scale 1; `scale` multiplies them.
 *   - Text goes through Pango with fontconfig (default font description
 *     RENDER_DEFAULT_FONT: DejaVu Sans for Latin and Cyrillic, NanumGothic for
 *     Hangul), hinting off so output does not depend on the screen.
 *
 * No globals; a render_overlay is immutable after creation and may be drawn
 * from any one thread at a time.
 */
#ifndef SATMARK_RENDER_H
#define SATMARK_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cairo.h>

#include "annot.h"
#include "diag.h"
#include "markdate.h"
#include "style.h"

struct geo_ref;

#define RENDER_DEFAULT_FONT "DejaVu Sans, NanumGothic"

/* Which part of the tile is shown, at what size. */
struct render_view {
    double src_x, src_y, src_w, src_h; /* window of the tile pixel grid, src_w/h > 0 */
    int out_w, out_h;                  /* output pixels, > 0 */
};

/* How a requested window that does not have the output's aspect ratio is
 * fitted: EXPAND grows the window (about its centre) to the output's aspect,
 * so the whole request is visible with more imagery around it; LETTERBOX
 * keeps the window and leaves bands outside it (the figure paints them with
 * the background colour). Both keep square pixels. */
enum render_fit { RENDER_FIT_EXPAND, RENDER_FIT_LETTERBOX };

/* Output rectangle (in output pixels) where a requested window is placed. */
struct render_rect {
    double x, y, w, h;
};

/* Maps tile pixel coordinates to output coordinates. */
void render_view_to_out(const struct render_view *v, double tile_x, double tile_y,
                        double *out_x, double *out_y);
/* Maps output coordinates back to tile pixel coordinates. */
void render_view_to_tile(const struct render_view *v, double out_x, double out_y,
                         double *tile_x, double *tile_y);

/* Builds the view that shows the requested tile window req (x, y, w, h; all
 * tile pixels; w, h > 0) inside the output rectangle `area` of an out_w x
 * out_h output, centred, keeping square pixels (the smaller of the two
 * scales). The resulting view covers the whole output, so with EXPAND the
 * imagery fills it; *placed (may be NULL) receives where req landed, the
 * rectangle to keep clear (LETTERBOX paints outside it). Fails on empty or
 * non-finite input. */
bool render_view_place(const struct render_rect *req, int out_w, int out_h,
                       const struct render_rect *area, struct render_view *view,
                       struct render_rect *placed, struct diag *dg);

/* The requested tile window for: the whole tile (width x height pixels); a
 * lon/lat box (west, south, east, north degrees; edges densified so a UTM
 * tile gets the box's true extent); a feature's geometry grown by pad_m
 * metres on every side (the metres are converted with the ground resolution
 * at the feature's centre; a point gets a window of 2 * pad_m). Fail with a
 * reason on dg (no CRS, box outside the projection, empty geometry). */
void render_request_tile(int width, int height, struct render_rect *req);
bool render_request_bbox(struct geo_ref *g, double west, double south, double east,
                         double north, struct render_rect *req, struct diag *dg);
bool render_request_feature(struct geo_ref *g, const struct annot_feature *f, double pad_m,
                            struct render_rect *req, struct diag *dg);

/* ---- overlay ------------------------------------------------------------- */

struct render_overlay;

/* Projects every feature of the nsets sets (borrowed during the call only:
 * the overlay copies ids, classes, labels, claim links and geometry) into tile
 * pixel coordinates with g (borrowed during the call). Features that cannot
 * be projected (outside the CRS's domain) are skipped with one warning on dg
 * naming them. Without a CRS (pixel-space tile) the overlay is empty and a
 * warning says marks cannot be placed. New; free with render_overlay_free.
 * NULL only on out of memory (with a reason on dg). */
struct render_overlay *render_overlay_new(struct geo_ref *g, const struct annot_set *const *sets,
                                          size_t nsets, struct diag *dg);
/* As render_overlay_new, but each feature is classified against the image
 * described by img (borrowed during the call; markdate.h has the rule): on
 * this image, undated (no observations), or observed only on other images.
 * With keep_other_dates the last kind is kept, marked as such (drawn
 * distinctly, see render_marks_options.other_dates, with its dates in the
 * label); without, it is left out. *other_dates (may be NULL) receives how
 * many features are observed only on other images (kept or not). */
struct render_overlay *render_overlay_new_dated(struct geo_ref *g,
                                                const struct annot_set *const *sets,
                                                size_t nsets, const struct markdate_image *img,
                                                bool keep_other_dates, size_t *other_dates,
                                                struct diag *dg);
/* render_overlay_new_dated without the marks of other dates (figures by
 * default): *skipped (may be NULL) receives how many were left out. */
struct render_overlay *render_overlay_new_observed(struct geo_ref *g,
                                                   const struct annot_set *const *sets,
                                                   size_t nsets,
                                                   const struct markdate_image *match,
                                                   size_t *skipped, struct diag *dg);
/* Frees; accepts NULL. */
void render_overlay_free(struct render_overlay *ov);

size_t render_overlay_count(const struct render_overlay *ov);
/* Feature i's id / class; borrowed until render_overlay_free. */
const char *render_overlay_id(const struct render_overlay *ov, size_t i);
enum annot_class render_overlay_class(const struct render_overlay *ov, size_t i);
/* Tile-pixel bounding box of feature i; false when it has no projected point. */
bool render_overlay_bbox(const struct render_overlay *ov, size_t i, struct render_rect *box);
/* True when feature i's bounding box meets the view's window. */
bool render_overlay_visible(const struct render_overlay *ov, size_t i,
                            const struct render_view *view);
/* Claim ids feature i links to (borrowed until render_overlay_free). */
/* What a feature looks like in the legend: a symbol, a line or an area. */
enum render_mark_kind { RENDER_MARK_POINT, RENDER_MARK_LINE, RENDER_MARK_AREA };
enum render_mark_kind render_overlay_kind(const struct render_overlay *ov, size_t i);
size_t render_overlay_claim_count(const struct render_overlay *ov, size_t i);
const char *render_overlay_claim(const struct render_overlay *ov, size_t i, size_t k);
enum annot_stance render_overlay_claim_stance(const struct render_overlay *ov, size_t i, size_t k);
/* How feature i relates to the image the overlay was classified against
 * (MARKDATE_THIS_IMAGE for every feature of render_overlay_new). */
enum markdate_relation render_overlay_relation(const struct render_overlay *ov, size_t i);
/* For a feature of other dates, the images it was observed on
 * (markdate_dates: "2023-11-20, ..."); "" for the others. Borrowed until
 * render_overlay_free. */
const char *render_overlay_dates(const struct render_overlay *ov, size_t i);

/* How marks observed only on other images (MARKDATE_OTHER_DATES) are drawn:
 * ghosted (default: a thin dashed outline in a paler colour, no fill, the
 * label followed by the dates in brackets and placed after every other
 * label), not at all, or in their class style (still with their dates). */
enum render_other_dates { RENDER_OTHER_GHOSTED, RENDER_OTHER_HIDDEN, RENDER_OTHER_NORMAL };

/* Marks of one class with the same label whose anchors are within this many
 * font sizes of each other share one label ("Container yard blocks (17)"). */
#define RENDER_LABEL_GROUP_GAP_EM 12.0

struct render_marks_options {
    double scale;           /* multiplies style sizes and the font size; default 1 */
    bool labels;            /* draw labels; default true */
    const char *font;       /* Pango family list; NULL = RENDER_DEFAULT_FONT */
    double font_px;         /* label font size in px at scale 1; default 12 */
    const char *highlight_id; /* feature drawn emphasised (selection); NULL = none */
    unsigned hidden_classes;  /* bit (1u << cls) set = class not drawn; default 0 */
    /* Labels stay inside this output rectangle (the map area of a figure);
     * w or h <= 0 = the whole output. Default: whole output. */
    struct render_rect frame;
    /* Labels never go over these output rectangles (legend, scale bar...). */
    const struct render_rect *keep_clear;
    size_t nkeep_clear;
    enum render_other_dates other_dates; /* default RENDER_OTHER_GHOSTED */
};

void render_marks_options_init(struct render_marks_options *opt);

/* What render_overlay_draw did (for reports and figure metadata). */
struct render_marks_stats {
    size_t drawn;          /* features with something inside the view */
    size_t labels_placed;
    size_t labels_skipped; /* every candidate position collided */
    size_t labels_grouped; /* labels left to their group's one label (labelgroup.h) */
    size_t label_max_repeat; /* the most times one label text was placed (groups' own
                                labels "... (17)" not counted) */
    unsigned classes_drawn; /* bit (1u << cls) for each class drawn */
    unsigned classes_dense; /* bit (1u << cls): drawn as a density layer (too many marks) */
    size_t labels_thinned;  /* labels of marks in density layers, not drawn */
    size_t other_dates_drawn; /* of drawn: observed only on other images */
};

/* Scale (issue 14): a class with more marks in the view than
 * render_dense_limit(view) is drawn as a density layer (how many marks fall
 * in each cell of RENDER_DENSITY_CELL output pixels, in the class colour) and
 * without labels: drawn one by one they would cover the figure without
 * showing anything more, at a cost growing with the marks. */
#define RENDER_DENSITY_CELL 4
size_t render_dense_limit(const struct render_view *view);
/* The classes (bit 1u << cls) render_overlay_draw would draw as density
 * layers in view, leaving out hidden_classes (same bits). O(marks). */
unsigned render_dense_classes(const struct render_overlay *ov, const struct render_view *view,
                              unsigned hidden_classes);

/* Draws the overlay's marks visible in view onto cr (borrowed; its current
 * transformation must map output pixels to the target, normally identity;
 * state is saved and restored). Geometry first (polygons, then lines, then
 * points, each with a halo), labels last so no mark covers a label. opt may
 * be NULL (defaults); stats may be NULL. Fails only when Cairo reports an
 * error (out of memory), with a reason on dg. */
bool render_overlay_draw(cairo_t *cr, const struct render_view *view,
                         const struct render_overlay *ov, const struct style *st,
                         const struct render_marks_options *opt,
                         struct render_marks_stats *stats, struct diag *dg);

/* Draws the legend swatch of a class drawn as `kind` in the box (x, y, w, h)
 * of output pixels, with sizes multiplied by scale. */
void render_legend_swatch(cairo_t *cr, const struct style_class *sc, enum render_mark_kind kind,
                          double x, double y, double w, double h, double scale);

/* The legend swatch for marks of other dates (a ghost outline in a neutral
 * colour), in the box (x, y, w, h), sizes multiplied by scale. */
void render_legend_swatch_other_dates(cairo_t *cr, double x, double y, double w, double h,
                                      double scale);

/* ---- text helpers shared with the figure furniture ----------------------- */

/* Where and how render_text draws: fill it with designated initialisers,
 * e.g. &(struct render_text_options){.px = 12, .x = 4, .y = 4, .rgb = ink};
 * fields left out are 0: default font, no wrapping, no halo, drawn. */
struct render_text_options {
    const char *font;     /* Pango family list (borrowed); NULL = RENDER_DEFAULT_FONT */
    double px;            /* font size, output pixels */
    double x, y;          /* top-left corner of the text */
    double wrap_w;        /* > 0: wrap at this width */
    struct style_rgb rgb; /* fill colour */
    double halo_px;       /* > 0: an outline of this width in halo under the text */
    struct style_rgb halo;
    bool measure_only;    /* nothing is drawn; only *w, *h */
};

/* Draws UTF-8 text (borrowed) as o (borrowed) says and returns its logical
 * size in *w, *h (may be NULL). */
void render_text(cairo_t *cr, const char *text, const struct render_text_options *o, double *w,
                 double *h);
/* Same with Pango markup (<b>, <i>); markup must be valid (escape user
 * strings with g_markup_escape_text). */
void render_markup(cairo_t *cr, const char *markup, const struct render_text_options *o,
                   double *w, double *h);

#endif
