/*
 * render_draw — drawing the marks of an overlay (render_overlay_draw): one
 * path per class and kind (areas under lines under points, the emphasised
 * feature last), marks of other dates as ghosts, classes with too many marks
 * in the view as density layers, then the labels (render_label.c); and the
 * legend swatches of the same styles.
 *
 * Invariants: the cairo_t's state is saved and restored; the overlay is only
 * read; a class drawn as a density layer gets no labels and is no obstacle.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "render_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_PI 3.14159265358979323846

void render_marks_options_init(struct render_marks_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->scale = 1;
    opt->labels = true;
    opt->font = NULL;
    opt->font_px = 12;
}

static void symbol_path(cairo_t *cr, enum style_symbol sym, double x, double y, double r)
{
    switch (sym) {
    case STYLE_SYMBOL_SQUARE:
        cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r);
        break;
    case STYLE_SYMBOL_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.1);
        cairo_line_to(cr, x + r, y + r * 0.75);
        cairo_line_to(cr, x - r, y + r * 0.75);
        cairo_close_path(cr);
        break;
    case STYLE_SYMBOL_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r, y);
        cairo_line_to(cr, x, y + r * 1.15);
        cairo_line_to(cr, x - r, y);
        cairo_close_path(cr);
        break;
    case STYLE_SYMBOL_CROSS: {
        double a = r * 0.35;
        cairo_move_to(cr, x - a, y - r);
        cairo_line_to(cr, x + a, y - r);
        cairo_line_to(cr, x + a, y - a);
        cairo_line_to(cr, x + r, y - a);
        cairo_line_to(cr, x + r, y + a);
        cairo_line_to(cr, x + a, y + a);
        cairo_line_to(cr, x + a, y + r);
        cairo_line_to(cr, x - a, y + r);
        cairo_line_to(cr, x - a, y + a);
        cairo_line_to(cr, x - r, y + a);
        cairo_line_to(cr, x - r, y - a);
        cairo_line_to(cr, x - a, y - a);
        cairo_close_path(cr);
        break;
    }
    case STYLE_SYMBOL_CIRCLE:
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * RENDER_PI);
        break;
    }
}

static void part_path(const struct draw_ctx *d, const struct ov_part *part)
{
    const struct annot_xy *xy = d->ov->xy + part->start;
    for (size_t i = 0; i < part->n; i++) {
        double x = (xy[i].x - d->view->src_x) * d->sx;
        double y = (xy[i].y - d->view->src_y) * d->sy;
        if (i == 0)
            cairo_move_to(d->cr, x, y);
        else
            cairo_line_to(d->cr, x, y);
    }
    if (part->kind == PART_RING)
        cairo_close_path(d->cr);
}

static void set_dash(cairo_t *cr, const struct style_class *sc, double scale)
{
    if (sc->ndash == 0) {
        cairo_set_dash(cr, NULL, 0, 0);
        return;
    }
    double dash[STYLE_MAX_DASH];
    for (size_t i = 0; i < sc->ndash && i < STYLE_MAX_DASH; i++)
        dash[i] = sc->dash[i] * scale;
    cairo_set_dash(cr, dash, (int)sc->ndash, 0);
}

/* Adds the parts of kind of feature f to the current path (points as their
 * symbols); false when f has none. Points record label obstacles. */
static bool feature_path(const struct draw_ctx *d, const struct ov_feature *f,
                         enum part_kind kind, double r, double halo, struct boxes *obstacles)
{
    cairo_t *cr = d->cr;
    const struct style_class *sc = style_for_class(d->st, f->cls);
    bool any = false;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &d->ov->parts[f->part_start + p];
        if (part->kind != kind)
            continue;
        any = true;
        if (kind != PART_POINTS) {
            part_path(d, part);
            continue;
        }
        const struct annot_xy *xy = d->ov->xy + part->start;
        for (size_t i = 0; i < part->n; i++) {
            double x = (xy[i].x - d->view->src_x) * d->sx;
            double y = (xy[i].y - d->view->src_y) * d->sy;
            if (x < -4 * r || y < -4 * r || x > d->view->out_w + 4 * r ||
                y > d->view->out_h + 4 * r)
                continue;
            symbol_path(cr, sc->symbol, x, y, r);
            if (obstacles)
                render_boxes_add(obstacles, (struct render_rect){x - r - halo, y - r - halo,
                                                                 2 * (r + halo), 2 * (r + halo)});
        }
    }
    return any;
}

/* Draws the parts of one kind of the n features whose indices (into d->ov)
 * are in feats, all of one class. Their outlines are stroked as one path
 * (halo, then the styled line): each Cairo stroke has a fixed cost, so a
 * figure with hundreds of marks draws in far less time. Fills stay per
 * feature, so a ring's holes (even-odd) never interact with another
 * feature. */
static void draw_group(const struct draw_ctx *d, const size_t *feats, size_t n,
                       enum part_kind kind, bool emphasis, struct boxes *obstacles)
{
    if (n == 0)
        return;
    cairo_t *cr = d->cr;
    const struct style_class *sc = style_for_class(d->st, d->ov->features[feats[0]].cls);
    double scale = d->opt->scale * (emphasis ? 1.5 : 1.0);
    double lw = sc->line_width * scale;
    double halo = fmax(1.0, 1.0 * d->opt->scale);
    double r = sc->symbol_size * scale / 2;
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (kind == PART_RING && sc->fill_opacity > 0) {
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        render_set_rgb(cr, sc->colour, sc->fill_opacity);
        for (size_t k = 0; k < n; k++) {
            cairo_new_path(cr);
            if (feature_path(d, &d->ov->features[feats[k]], kind, r, halo, NULL))
                cairo_fill(cr);
        }
    }
    cairo_new_path(cr);
    bool any = false;
    for (size_t k = 0; k < n; k++)
        any |= feature_path(d, &d->ov->features[feats[k]], kind, r, halo, obstacles);
    if (!any)
        return;
    if (kind == PART_POINTS) {
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        render_set_rgb(cr, sc->colour, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_set_line_width(cr, 1.5 * halo);
        render_set_rgb(cr, sc->halo_colour, 0.95);
        cairo_stroke(cr);
        return;
    }
    /* halo under the line, solid, then the styled line */
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_width(cr, lw + 2 * halo * (emphasis ? 2 : 1));
    render_set_rgb(cr, emphasis ? (struct style_rgb){255, 255, 255} : sc->halo_colour,
                   emphasis ? 1.0 : 0.75);
    cairo_stroke_preserve(cr);
    set_dash(cr, sc, d->opt->scale);
    cairo_set_line_width(cr, lw);
    render_set_rgb(cr, sc->colour, 1.0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

size_t render_dense_limit(const struct render_view *view)
{
    /* one mark per 2,000 output pixels (a 2048x2048 figure: 2,097), at least 500 */
    size_t limit = (size_t)view->out_w * (size_t)view->out_h / 2000;
    return limit < 500 ? 500 : limit;
}

/* The margin around the view within which marks are still drawn (their
 * symbols and labels reach in). */
static struct render_view grown_view(const struct render_view *view, double scale)
{
    struct render_view grown = *view;
    double margin = 40 * scale / (view->out_w / view->src_w);
    grown.src_x -= margin, grown.src_y -= margin;
    grown.src_w += 2 * margin, grown.src_h += 2 * margin;
    return grown;
}

unsigned render_dense_classes(const struct render_overlay *ov, const struct render_view *view,
                              unsigned hidden_classes)
{
    if (!ov || view->src_w <= 0 || view->src_h <= 0 || view->out_w <= 0 || view->out_h <= 0)
        return 0;
    struct render_view grown = grown_view(view, 1.0);
    size_t count[ANNOT_CLASS_COUNT] = {0};
    for (size_t i = 0; i < ov->n; i++) {
        enum annot_class c = ov->features[i].cls;
        if (!(hidden_classes & (1u << c)) && ov->features[i].rel != MARKDATE_OTHER_DATES &&
            render_overlay_visible(ov, i, &grown))
            count[c]++;
    }
    unsigned dense = 0;
    size_t limit = render_dense_limit(view);
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (count[c] > limit)
            dense |= 1u << c;
    return dense;
}

/* The premultiplied ARGB32 pixel of a density cell holding c >= 1 marks,
 * the fullest holding exp(log_most) - 1. */
static uint32_t density_pixel(struct style_rgb colour, uint32_t c, double log_most)
{
    double a = 0.35 + 0.6 * (log_most > 0 ? log1p((double)c) / log_most : 1.0);
    unsigned alpha = (unsigned)lround(a * 255);
    return (uint32_t)alpha << 24 | (uint32_t)lround(colour.r * a) << 16 |
           (uint32_t)lround(colour.g * a) << 8 | (uint32_t)lround(colour.b * a);
}

/* The n features feats (one class) as a density layer: each feature's
 * anchor counted in a grid of RENDER_DENSITY_CELL output pixels, each
 * non-empty cell painted in the class colour, more opaque where more marks
 * are (log scale), as one image scaled up without smoothing. */
static void draw_density(const struct draw_ctx *d, const size_t *feats, size_t n)
{
    if (n == 0)
        return;
    int cols = (d->view->out_w + RENDER_DENSITY_CELL - 1) / RENDER_DENSITY_CELL;
    int rows = (d->view->out_h + RENDER_DENSITY_CELL - 1) / RENDER_DENSITY_CELL;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, cols, rows);
    uint32_t *count = calloc((size_t)cols * (size_t)rows, sizeof *count);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS || !count) {
        cairo_surface_destroy(img);
        free(count);
        return;
    }
    uint32_t most = 0;
    for (size_t k = 0; k < n; k++) {
        const struct ov_feature *f = &d->ov->features[feats[k]];
        double x = (f->anchor_x - d->view->src_x) * d->sx / RENDER_DENSITY_CELL;
        double y = (f->anchor_y - d->view->src_y) * d->sy / RENDER_DENSITY_CELL;
        if (!(x >= 0 && y >= 0 && x < cols && y < rows))
            continue;
        uint32_t *c = &count[(size_t)y * (size_t)cols + (size_t)x];
        if (++*c > most)
            most = *c;
    }
    const struct style_class *sc = style_for_class(d->st, d->ov->features[feats[0]].cls);
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    double log_most = log1p((double)most);
    /* a cell's pixel depends on its count only: each count's pixel computed
     * once (counts are small; a larger one is computed where it occurs) */
    uint32_t shade[256];
    for (uint32_t c = 0; c < 256; c++)
        shade[c] = c ? density_pixel(sc->colour, c, log_most) : 0;
    for (int y = 0; y < rows; y++) {
        uint32_t *row = (uint32_t *)(data + (size_t)y * (size_t)stride);
        const uint32_t *counts = count + (size_t)y * (size_t)cols;
        for (int x = 0; x < cols; x++)
            row[x] = counts[x] < 256 ? shade[counts[x]]
                                     : density_pixel(sc->colour, counts[x], log_most);
    }
    cairo_surface_mark_dirty(img);
    free(count);
    cairo_save(d->cr);
    cairo_scale(d->cr, RENDER_DENSITY_CELL, RENDER_DENSITY_CELL);
    cairo_set_source_surface(d->cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(d->cr), CAIRO_FILTER_NEAREST);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    cairo_surface_destroy(img);
}

/* The colour of a mark of other dates: its class colour mixed with a light
 * grey, so it keeps a hint of its class but never reads as this image's. */
struct style_rgb render_ghost_rgb(struct style_rgb c)
{
    const double keep = 0.35, grey = 205;
    return (struct style_rgb){(unsigned char)lround(c.r * keep + grey * (1 - keep)),
                              (unsigned char)lround(c.g * keep + grey * (1 - keep)),
                              (unsigned char)lround(c.b * keep + grey * (1 - keep))};
}

bool render_is_ghost(const struct ov_feature *f, const struct render_marks_options *opt)
{
    return f->rel == MARKDATE_OTHER_DATES && opt->other_dates == RENDER_OTHER_GHOSTED;
}

/* Draws the n features in feats (indices into d->ov) as marks of other
 * dates: every part outlined thin and dashed in the ghost colour over a
 * translucent dark halo, nothing filled (a ghost never hides the imagery of
 * this date). Points record label obstacles like draw_group's. */
static void draw_ghosts(const struct draw_ctx *d, const size_t *feats, size_t n,
                        bool emphasis, struct boxes *obstacles)
{
    cairo_t *cr = d->cr;
    double scale = d->opt->scale * (emphasis ? 1.6 : 1.0);
    double dash[2] = {5 * scale, 4 * scale};
    static const enum part_kind kinds[3] = {PART_RING, PART_LINE, PART_POINTS};
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (size_t k = 0; k < n; k++) {
        const struct ov_feature *f = &d->ov->features[feats[k]];
        const struct style_class *sc = style_for_class(d->st, f->cls);
        double lw = fmax(1.25, 0.6 * sc->line_width) * scale;
        double r = sc->symbol_size * scale / 2;
        for (int j = 0; j < 3; j++) {
            cairo_new_path(cr);
            if (!feature_path(d, f, kinds[j], r, 1.0, kinds[j] == PART_POINTS ? obstacles : NULL))
                continue;
            cairo_set_dash(cr, dash, 2, 0);
            cairo_set_line_width(cr, lw + 2 * fmax(1.0, scale));
            if (emphasis) /* selected: a white halo, as draw_group's emphasis */
                render_set_rgb(cr, (struct style_rgb){255, 255, 255}, 0.9);
            else
                render_set_rgb(cr, sc->halo_colour, 0.45);
            cairo_stroke_preserve(cr);
            cairo_set_line_width(cr, lw);
            render_set_rgb(cr, render_ghost_rgb(sc->colour), 0.9);
            cairo_stroke(cr);
        }
    }
    cairo_set_dash(cr, NULL, 0, 0);
}

bool render_overlay_draw(cairo_t *cr, const struct render_view *view,
                         const struct render_overlay *ov, const struct style *st,
                         const struct render_marks_options *opt,
                         struct render_marks_stats *stats, struct diag *dg)
{
    struct render_marks_options defaults;
    if (!opt) {
        render_marks_options_init(&defaults);
        opt = &defaults;
    }
    struct render_marks_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!ov || ov->n == 0)
        return true;
    if (view->src_w <= 0 || view->src_h <= 0 || view->out_w <= 0 || view->out_h <= 0) {
        diag_error(dg, "render: empty view");
        return false;
    }
    struct draw_ctx d = {cr, view, ov, st, opt, view->out_w / view->src_w,
                         view->out_h / view->src_h};
    size_t *visible = malloc(ov->n * sizeof *visible);
    size_t *group = malloc(ov->n * sizeof *group);
    struct boxes obstacles = {0};
    if (!visible || !group) {
        free(visible);
        free(group);
        diag_error(dg, "render: out of memory");
        return false;
    }
    /* a margin so symbols and labels of marks just outside the edge still show */
    struct render_view grown = grown_view(view, opt->scale);
    size_t nvisible = 0;
    size_t per_class[ANNOT_CLASS_COUNT] = {0};
    for (size_t i = 0; i < ov->n; i++) {
        const struct ov_feature *f = &ov->features[i];
        if (opt->hidden_classes & (1u << f->cls))
            continue;
        if (f->rel == MARKDATE_OTHER_DATES && opt->other_dates == RENDER_OTHER_HIDDEN)
            continue;
        if (render_overlay_visible(ov, i, &grown)) {
            visible[nvisible++] = i;
            per_class[f->cls] += !render_is_ghost(f, opt); /* ghosts are drawn apart */
        }
    }
    unsigned dense = 0;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (per_class[c] > render_dense_limit(view))
            dense |= 1u << c;
    stats->classes_dense = dense;
    for (size_t k = 0; k < opt->nkeep_clear; k++)
        render_boxes_add(&obstacles, opt->keep_clear[k]);
    for (size_t v = 0; v < nvisible; v++) {
        struct render_rect mb;
        const struct ov_feature *f = &ov->features[visible[v]];
        if ((dense & (1u << f->cls)) && !render_is_ghost(f, opt))
            continue; /* a density layer is not an obstacle: its labels are off */
        if (render_small_mark_box(&d, &ov->features[visible[v]], &mb)) {
            double m = 1.5 * opt->scale;
            render_boxes_add(&obstacles, (struct render_rect){mb.x - m, mb.y - m, mb.w + 2 * m,
                                                              mb.h + 2 * m});
        }
    }

    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    /* the visible features grouped by class once (counting sort, order kept
     * within a class); the emphasised feature is drawn on its own, last */
    size_t start[ANNOT_CLASS_COUNT + 1] = {0};
    size_t emphasised = SIZE_MAX;
    size_t nghosts = 0; /* marks of other dates, drawn apart at the end of group */
    for (size_t v = 0; v < nvisible; v++) {
        const struct ov_feature *f = &ov->features[visible[v]];
        if (opt->highlight_id && emphasised == SIZE_MAX && strcmp(f->id, opt->highlight_id) == 0)
            emphasised = visible[v];
        else if (render_is_ghost(f, opt))
            nghosts++;
        else
            start[f->cls + 1]++;
    }
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        start[c + 1] += start[c];
    size_t fill[ANNOT_CLASS_COUNT];
    memcpy(fill, start, sizeof fill);
    size_t *ghosts = group + start[ANNOT_CLASS_COUNT];
    size_t nghost_filled = 0;
    for (size_t v = 0; v < nvisible; v++) {
        if (visible[v] == emphasised)
            continue;
        if (render_is_ghost(&ov->features[visible[v]], opt))
            ghosts[nghost_filled++] = visible[v];
        else
            group[fill[ov->features[visible[v]].cls]++] = visible[v];
    }
    /* polygons (areas of interest underneath), lines, points, emphasis on
     * top; within a pass one group per class, in class order */
    static const enum part_kind pass_kind[4] = {PART_RING, PART_RING, PART_LINE, PART_POINTS};
    for (int pass = 0; pass < 4; pass++) {
        /* marks of other dates over this image's areas, under its lines and points */
        if (pass == 2)
            draw_ghosts(&d, ghosts, nghosts, false, &obstacles);
        for (int cls = 0; cls < ANNOT_CLASS_COUNT; cls++) {
            if ((pass == 0) != (cls == ANNOT_CLASS_AOI) && pass < 2)
                continue;
            const size_t *members = group + start[cls];
            size_t n = start[cls + 1] - start[cls];
            /* a dashed line drawn over another of its class must keep its own
             * halo under it, or the dashes of the two fill each other's gaps */
            bool dashed = style_for_class(st, (enum annot_class)cls)->ndash > 0;
            struct boxes *obst = pass == 3 ? &obstacles : NULL;
            if (dense & (1u << cls)) {
                if (pass == (cls == ANNOT_CLASS_AOI ? 0 : 1)) /* the class's first pass */
                    draw_density(&d, members, n);
                continue;
            }
            if (dashed && pass_kind[pass] != PART_POINTS) {
                for (size_t k = 0; k < n; k++)
                    draw_group(&d, &members[k], 1, pass_kind[pass], false, obst);
            } else {
                draw_group(&d, members, n, pass_kind[pass], false, obst);
            }
        }
    }
    if (emphasised != SIZE_MAX && render_is_ghost(&ov->features[emphasised], opt)) {
        /* a selected mark of another date stays a ghost */
        draw_ghosts(&d, &emphasised, 1, true, &obstacles);
    } else if (emphasised != SIZE_MAX) {
        draw_group(&d, &emphasised, 1, PART_RING, true, NULL);
        draw_group(&d, &emphasised, 1, PART_LINE, true, NULL);
        draw_group(&d, &emphasised, 1, PART_POINTS, true, &obstacles);
    }
    for (size_t v = 0; v < nvisible; v++) {
        stats->classes_drawn |= 1u << ov->features[visible[v]].cls;
        if (ov->features[visible[v]].rel == MARKDATE_OTHER_DATES)
            stats->other_dates_drawn++;
    }
    stats->drawn = nvisible;
    bool ok = true;
    if (opt->labels && dense) { /* labels thinned: none for marks in density layers */
        size_t kept = 0;
        for (size_t v = 0; v < nvisible; v++) {
            const struct ov_feature *f = &ov->features[visible[v]];
            if ((dense & (1u << f->cls)) && !render_is_ghost(f, opt) && visible[v] != emphasised)
                stats->labels_thinned += f->label[0] != '\0';
            else
                visible[kept++] = visible[v];
        }
        nvisible = kept;
    }
    if (opt->labels)
        ok = render_draw_labels(&d, visible, nvisible, &obstacles, stats);
    cairo_restore(cr);
    free(visible);
    free(group);
    free(obstacles.r);
    cairo_status_t cs = cairo_status(cr);
    if (!ok || cs != CAIRO_STATUS_SUCCESS) {
        diag_error(dg, "render: drawing failed: %s", cairo_status_to_string(cs));
        return false;
    }
    return true;
}

void render_legend_swatch_other_dates(cairo_t *cr, double x, double y, double w, double h,
                                      double scale)
{
    cairo_save(cr);
    cairo_new_path(cr);
    double dash[2] = {5 * scale, 4 * scale};
    double lw = 1.5 * scale;
    cairo_rectangle(cr, x + lw + 1, y + lw + 1, w - 2 * lw - 2, h - 2 * lw - 2);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, lw + 2 * fmax(1.0, scale));
    render_set_rgb(cr, (struct style_rgb){0, 0, 0}, 0.45);
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, lw);
    render_set_rgb(cr, render_ghost_rgb((struct style_rgb){128, 128, 128}), 1.0);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void render_legend_swatch(cairo_t *cr, const struct style_class *sc, enum render_mark_kind kind,
                          double x, double y, double w, double h, double scale)
{
    cairo_save(cr);
    cairo_new_path(cr);
    double halo = fmax(1.0, scale);
    if (kind == RENDER_MARK_POINT) {
        double r = fmin(sc->symbol_size * scale / 2, h / 2 - 1);
        symbol_path(cr, sc->symbol, x + w / 2, y + h / 2, r);
        render_set_rgb(cr, sc->colour, 1.0);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 1.5 * halo);
        render_set_rgb(cr, sc->halo_colour, 0.95);
        cairo_stroke(cr);
    } else if (kind == RENDER_MARK_LINE) {
        cairo_move_to(cr, x + 1, y + h / 2);
        cairo_line_to(cr, x + w - 1, y + h / 2);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        cairo_set_line_width(cr, sc->line_width * scale + 2 * halo);
        render_set_rgb(cr, sc->halo_colour, 0.75);
        cairo_stroke_preserve(cr);
        set_dash(cr, sc, scale);
        cairo_set_line_width(cr, sc->line_width * scale);
        render_set_rgb(cr, sc->colour, 1.0);
        cairo_stroke(cr);
    } else {
        double lw = sc->line_width * scale;
        cairo_rectangle(cr, x + lw / 2 + 1, y + lw / 2 + 1, w - lw - 2, h - lw - 2);
        render_set_rgb(cr, sc->colour, fmax(sc->fill_opacity, 0.15));
        cairo_fill_preserve(cr);
        set_dash(cr, sc, scale);
        cairo_set_line_width(cr, lw);
        render_set_rgb(cr, sc->colour, 1.0);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}
