/*
 * figure_int.h — what the files of the figure module share (private to
 * src/core/figures; as SQLite's btreeInt.h):
 *   figure.c            the spec, loading the inputs, choosing marks and
 *                       claims, fig_make's steps and figure_run
 *   figure_furniture.c  measuring the bands, laying out and drawing the
 *                       legend, ramp, north arrow, scale bar, credit, inset
 *                       and the title and caption bands
 *   figure_meta.c       what the figure says in words: title, credit and
 *                       caption text, and the PNG's provenance text chunks,
 *                       the write and the custody record
 * struct fig holds every resource one attempt at a figure owns (fig_free in
 * figure.c releases them all); the other files borrow it.
 */
#ifndef SATMARK_FIGURE_INT_H
#define SATMARK_FIGURE_INT_H

#include <pango/pangocairo.h>
#include <pthread.h>
#include <string.h>

#include "annot.h"
#include "claims.h"
#include "dynbuf.h"
#include "evidence.h"
#include "figure.h"
#include "geo.h"
#include "hash.h"
#include "imagery.h"
#include "markdate.h"
#include "pathname.h"
#include "raster.h"
#include "render.h"
#include "style.h"

#define FIGURE_PI 3.14159265358979323846
#define FIGURE_MAX_TEXT ((size_t)1 << 20) /* cap of any text we build */
#define FIGURE_MAX_CAPTION_CLAIMS 8

#define FIGURE_INK ((struct style_rgb){26, 26, 26})
#define FIGURE_GREY ((struct style_rgb){90, 90, 90})
#define FIGURE_BACKGROUND ((struct style_rgb){64, 64, 64}) /* outside the image / letterbox */

struct fig {
    const struct figure_spec *spec;
    struct raster *r;
    const struct raster_info *info;
    struct geo_ref *g;
    /* nsets stays the number of annotation files; once the figure's content
     * is settled the sets themselves may be handed to a thread that frees
     * them (release_sets_early: entries NULL, sets_released) */
    struct annot_set **sets;
    size_t nsets;
    pthread_t release_thread;
    bool releasing;     /* release_thread started and not joined yet */
    bool sets_released; /* f->sets[] entries are NULL from here on */
    struct style *st;
    struct claims_catalog *cat;
    char *catalog_path;
    struct imagery_register *imagery; /* NULL: no register */
    /* Each cited claim's evidence status (NULL: no catalog, or out of memory:
     * then the caption names none rather than a wrong one). */
    struct evidence_report *evidence;
    struct evidence_tile *evidence_tiles;
    struct render_overlay *ov;
    char tile_sha[HASH_SHA256_HEX_LEN + 1];
    /* the tile is hashed on its own thread while the rest loads */
    pthread_t hash_thread;
    bool hashing;          /* hash_thread started and not joined yet */
    bool hash_ok;
    bool sha_cached;       /* tile_sha came from the hash cache, not computed now */
    struct diag *hash_dg;  /* owned; the hash thread's errors */
    /* Which marks to draw depends on the tile's hash (markdate_classify),
     * and hashing a large tile takes as long as the rest of the figure.
     * Rather than wait for it, the marks are chosen by file name and date
     * (speculative); the hash is computed on a second thread while the
     * figure is drawn and compressed (one thread each), and the choice is
     * checked against it before the PNG is written. When they differ (a
     * renamed or changed tile) the figure is made again with the hash known
     * first (exact). The PNG is the same either way. */
    bool exact, speculative, redo;
    /* how the tile is opened (figure_run: spec->image resolved, spec->tile
     * then names the subdataset itself) */
    struct raster_open_options open;
    char ramp_legend[160]; /* "viridis, band 1: LOW to HIGH" when a ramp is shown */
    char (*annot_sha)[HASH_SHA256_HEX_LEN + 1];

    struct render_rect req; /* requested window, tile px */
    const char **claim_ids; /* claims cited, catalog order */
    size_t nclaims;
    struct dynbuf title, caption_markup, caption_plain, credit, params;

    int w, h;
    double scale;
    double title_h, caption_h;
    struct render_view view;
    struct render_rect placed, map; /* output px */
    cairo_surface_t *surface;
    cairo_t *cr;
};

struct legend_entry {
    enum annot_class cls;
    enum render_mark_kind kind;
    bool other_dates; /* the row for marks of other dates (cls unused) */
    bool dense;       /* drawn as a density layer (render_dense_classes) */
};

#define LEGEND_OTHER_DATES_TITLE "Seen on another date"
#define LEGEND_MAX_ENTRIES (ANNOT_CLASS_COUNT + 1)

struct furniture {
    struct render_rect legend, north, scalebar, credit, inset, ramp;
    bool has_legend, has_north, has_scalebar, has_credit, has_inset, has_ramp;
    char ramp_title[96], ramp_low[32], ramp_high[32];
    struct legend_entry entries[LEGEND_MAX_ENTRIES];
    size_t nentries;
    double north_deg;
    double bar_m, bar_px;
    int inset_w, inset_h;
};


static inline bool rect_meets(const struct render_rect *a, const struct render_rect *b)
{
    return a->x <= b->x + b->w && b->x <= a->x + a->w && a->y <= b->y + b->h &&
           b->y <= a->y + a->h;
}

/* Whether mark i of the overlay speaks for this figure: it lies in the
 * requested window and was not seen only on another date (a mark of another
 * date says nothing about this image). */
static inline bool fig_mark_counts(const struct fig *f, size_t i)
{
    struct render_rect box;
    return render_overlay_bbox(f->ov, i, &box) && rect_meets(&box, &f->req) &&
           render_overlay_relation(f->ov, i) != MARKDATE_OTHER_DATES;
}

/* The file name part of path (borrowed from path): util/pathname's one
 * helper, under the name the figure code has always used. */
static inline const char *base_name(const char *path) { return pathname_base(path); }

/* ---- figure_meta.c ---- */

/* Title, credit and caption (markup and plain) of the figure into f's text
 * buffers. */
void fig_build_texts(struct fig *f);
/* The PNG with its text chunks and sidecars. False with the error on dg. */
bool fig_write_png(struct fig *f, const struct figure_result *res, struct diag *dg);
/* Appends the figure to the tile's custody log (when there is one); a
 * failure is a warning. */
void fig_record_custody(const struct fig *f, struct diag *dg);

/* ---- figure_furniture.c ---- */

/* Heights of the title and caption bands at f->w (f->scale set). */
void fig_measure_bands(struct fig *f);
/* Where the furniture goes (warnings on dg: a ramp that does not apply). */
void fig_layout_furniture(struct fig *f, struct furniture *fu, struct diag *dg);
/* Draws the furniture fu and the title and caption bands onto f->cr. False
 * with the error on dg (the inset's imagery could not be read). */
bool fig_draw_furniture(struct fig *f, const struct furniture *fu, struct diag *dg);

#endif
