/*
 * figure_furniture — the parts of a figure around the marks (figure_int.h):
 * the title and caption bands (measured first, since the output height may
 * depend on them), then the legend, colour ramp, north arrow, scale bar,
 * imagery credit and locator inset on translucent panels inside the map
 * area. Layout (fig_layout_furniture) decides every box before anything is
 * drawn, so the marks' labels can keep clear of them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure_int.h"
#include "locate.h"
#include "markdate.h"
#include "ramp.h"
#include "viewread.h"

static void panel(cairo_t *cr, const struct render_rect *r, double radius)
{
    double x = r->x, y = r->y, w = r->w, h = r->h;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - radius, y + radius, radius, -FIGURE_PI / 2, 0);
    cairo_arc(cr, x + w - radius, y + h - radius, radius, 0, FIGURE_PI / 2);
    cairo_arc(cr, x + radius, y + h - radius, radius, FIGURE_PI / 2, FIGURE_PI);
    cairo_arc(cr, x + radius, y + radius, radius, FIGURE_PI, 3 * FIGURE_PI / 2);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.35);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

/* The legend text of an entry: the class title (for a density layer with a
 * note saying so: its marks are not drawn one by one), or the other-dates
 * row's; buf (cap bytes) may hold it. */
static const char *legend_title(const struct fig *f, const struct legend_entry *e, char *buf,
                                size_t cap)
{
    if (e->other_dates)
        return LEGEND_OTHER_DATES_TITLE;
    const struct style_class *sc = style_for_class(f->st, e->cls);
    if (!e->dense)
        return sc->title;
    snprintf(buf, cap, "%s (density of marks)", sc->title);
    return buf;
}

/* Classes with a mark of this image (or undated) in the view, in legend
 * order, with the kind of their first visible mark, then one row for the
 * marks of other dates when any is visible (drawn ghosted, whatever their
 * class). Returns the count. */
static size_t legend_entries(const struct fig *f, struct legend_entry out[LEGEND_MAX_ENTRIES])
{
    bool seen[ANNOT_CLASS_COUNT] = {false};
    bool other = false;
    enum render_mark_kind kind[ANNOT_CLASS_COUNT] = {RENDER_MARK_POINT};
    for (size_t i = 0; i < render_overlay_count(f->ov); i++) {
        enum annot_class c = render_overlay_class(f->ov, i);
        if ((int)c < 0 || c >= ANNOT_CLASS_COUNT)
            continue;
        bool ghost = render_overlay_relation(f->ov, i) == MARKDATE_OTHER_DATES;
        if ((ghost ? other : seen[c]) || !render_overlay_visible(f->ov, i, &f->view))
            continue;
        if (ghost) {
            other = true;
            continue;
        }
        seen[c] = true;
        kind[c] = render_overlay_kind(f->ov, i);
    }
    unsigned dense = render_dense_classes(f->ov, &f->view, 0);
    size_t n = 0;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (seen[c])
            out[n++] = (struct legend_entry){(enum annot_class)c, kind[c], false,
                                             (dense & (1u << c)) != 0};
    if (other)
        out[n++] = (struct legend_entry){ANNOT_CLASS_OTHER, RENDER_MARK_AREA, true, false};
    return n;
}

static double font_px(const struct fig *f, double base) { return base * f->scale; }

static void measure(const struct fig *f, const char *text, double px, double wrap, double *w,
                    double *h)
{
    render_text(f->cr, text, &(struct render_text_options){.font = f->spec->font, .px = px, .wrap_w = wrap, .rgb = FIGURE_INK, .measure_only = true}, w, h);
}

static void format_length(double m, char *out, size_t cap)
{
    if (m >= 1000)
        snprintf(out, cap, "%g km", m / 1000);
    else
        snprintf(out, cap, "%g m", m);
}

/* A single band shown through a colour ramp: the figure must say what its
 * colours stand for, so a legend panel (under the class legend) shows the
 * ramp from the stretch's low to high value in the band's own units. The
 * text also goes into the PNG's parameters. Always shown with a ramp, even
 * with --no-legend: without it the colours mean nothing. */
static void layout_ramp(struct fig *f, struct furniture *fu, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    if (s->ramp == RAMP_GREY)
        return;
    bool grey = !in->palette_expanded && in->display_bands[0] == in->display_bands[1] &&
                in->display_bands[1] == in->display_bands[2];
    if (!grey) {
        diag_warn(dg, "%s: the %s ramp applies to one band shown alone (--bands N); this "
                      "image is shown as %s, so it is not used",
                  s->tile, ramp_name(s->ramp), in->palette_expanded ? "a palette" : "R,G,B");
        return;
    }
    struct raster_stretch st;
    struct diag *quiet = diag_new();
    bool ok = quiet && raster_get_stretch(f->r, &st, quiet);
    diag_free(quiet);
    if (!ok) {
        diag_warn(dg, "%s: the value range of the %s ramp is unknown", s->tile,
                  ramp_name(s->ramp));
        return;
    }
    snprintf(fu->ramp_title, sizeof fu->ramp_title, "Band %d, %s", in->display_bands[0],
             ramp_name(s->ramp));
    snprintf(fu->ramp_low, sizeof fu->ramp_low, "%.4g", st.low[0]);
    snprintf(fu->ramp_high, sizeof fu->ramp_high, "%.4g", st.high[0]);
    snprintf(f->ramp_legend, sizeof f->ramp_legend, "%s, band %d: %s to %s",
             ramp_name(s->ramp), in->display_bands[0], fu->ramp_low, fu->ramp_high);
    double pad = 8 * f->scale, margin = 12 * f->scale, tw, th, lw, lh, hw, hh;
    measure(f, fu->ramp_title, font_px(f, 11), 0, &tw, &th);
    measure(f, fu->ramp_low, font_px(f, 10), 0, &lw, &lh);
    measure(f, fu->ramp_high, font_px(f, 10), 0, &hw, &hh);
    double w = fmax(fmax(tw, lw + hw + pad), 120 * f->scale) + 2 * pad;
    double h = th + 12 * f->scale + fmax(lh, hh) + 2 * pad + 6 * f->scale;
    double top = fu->has_legend ? fu->legend.y + fu->legend.h + pad : f->map.y + margin;
    fu->ramp = (struct render_rect){f->map.x + f->map.w - margin - w, top, w, h};
    fu->has_ramp = true;
}

static void draw_ramp(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    double pad = 8 * f->scale, tw, th, lw, lh;
    const struct render_rect *b = &fu->ramp;
    panel(cr, b, 4 * f->scale);
    render_text(cr, fu->ramp_title, &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 11), .x = b->x + pad, .y = b->y + pad, .rgb = FIGURE_INK}, &tw, &th);
    double sy = b->y + pad + th + 3 * f->scale, sh = 12 * f->scale, sw = b->w - 2 * pad;
    cairo_pattern_t *grad = cairo_pattern_create_linear(b->x + pad, 0, b->x + pad + sw, 0);
    for (int i = 0; i <= 32; i++) {
        uint8_t c[3];
        ramp_colour(f->spec->ramp, i / 32.0, c);
        cairo_pattern_add_color_stop_rgb(grad, i / 32.0, c[0] / 255.0, c[1] / 255.0,
                                         c[2] / 255.0);
    }
    cairo_rectangle(cr, b->x + pad, sy, sw, sh);
    cairo_set_source(cr, grad);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(grad);
    cairo_set_source_rgb(cr, FIGURE_INK.r / 255.0, FIGURE_INK.g / 255.0, FIGURE_INK.b / 255.0);
    cairo_set_line_width(cr, fmax(1, f->scale));
    cairo_stroke(cr);
    double ty = sy + sh + 3 * f->scale;
    render_text(cr, fu->ramp_low, &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 10), .x = b->x + pad, .y = ty, .rgb = FIGURE_INK}, NULL, NULL);
    measure(f, fu->ramp_high, font_px(f, 10), 0, &lw, &lh);
    render_text(cr, fu->ramp_high, &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 10), .x = b->x + pad + sw - lw, .y = ty, .rgb = FIGURE_INK}, NULL, NULL);
}

/* Decides what furniture is shown and where (output px). */
void fig_layout_furniture(struct fig *f, struct furniture *fu, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    double pad = 8 * f->scale, margin = 12 * f->scale;
    struct render_rect map = f->map;
    memset(fu, 0, sizeof *fu);
    double left_x = map.x + margin;

    if (s->inset && f->info->width > 0 && f->info->height > 0) {
        double iw = fmax(96, 0.2 * f->w);
        double ih = iw * f->info->height / f->info->width;
        if (ih > 0.3 * map.h) {
            ih = 0.3 * map.h;
            iw = ih * f->info->width / f->info->height;
        }
        fu->inset_w = (int)fmax(8, iw);
        fu->inset_h = (int)fmax(8, ih);
        fu->inset = (struct render_rect){left_x, map.y + margin, fu->inset_w, fu->inset_h};
        fu->has_inset = true;
        left_x += fu->inset_w + margin;
    }

    double cx, cy;
    render_view_to_tile(&f->view, f->placed.x + f->placed.w / 2, f->placed.y + f->placed.h / 2,
                        &cx, &cy);
    if (s->north) {
        if (!geo_ref_has_crs(f->g)) {
            diag_warn(dg, "%s: no CRS, so no north arrow", s->tile);
        } else {
            struct diag *quiet = diag_new();
            if (quiet && geo_true_north_deg(f->g, cx, cy, &fu->north_deg, quiet)) {
                double side = 56 * f->scale;
                fu->north = (struct render_rect){left_x, map.y + margin, side, side};
                fu->has_north = true;
            } else {
                diag_warn(dg, "%s: no north arrow (%s)", s->tile,
                          quiet ? diag_message(quiet) : "out of memory");
            }
            diag_free(quiet);
        }
    }

    if (s->scalebar) {
        double lon1, lat1, lon2, lat2, x1, y1, x2, y2;
        double half = fmin(100, f->w / 4.0);
        render_view_to_tile(&f->view, f->w / 2.0 - half, f->placed.y + f->placed.h / 2, &x1, &y1);
        render_view_to_tile(&f->view, f->w / 2.0 + half, f->placed.y + f->placed.h / 2, &x2, &y2);
        struct diag *quiet = diag_new();
        if (!geo_ref_has_crs(f->g)) {
            diag_warn(dg, "%s: no CRS, so no scale bar", s->tile);
        } else if (quiet && geo_pixel_to_lonlat(f->g, x1, y1, &lon1, &lat1, quiet) &&
                   geo_pixel_to_lonlat(f->g, x2, y2, &lon2, &lat2, quiet)) {
            double m_per_px = geo_distance_m(lon1, lat1, lon2, lat2) / (2 * half);
            double max_px = 0.25 * map.w;
            if (m_per_px > 0 && isfinite(m_per_px)) {
                fu->bar_m = figure_round_length(max_px * m_per_px);
                fu->bar_px = fu->bar_m / m_per_px;
                double tw, th;
                char label[64];
                format_length(fu->bar_m, label, sizeof label);
                measure(f, label, font_px(f, 11), 0, &tw, &th);
                double w = fu->bar_px + tw + 3 * pad, h = th * 1.2 + 8 * f->scale + 2 * pad;
                fu->scalebar = (struct render_rect){map.x + margin, map.y + map.h - margin - h, w, h};
                fu->has_scalebar = true;
            }
        } else {
            diag_warn(dg, "%s: no scale bar (%s)", s->tile,
                      quiet ? diag_message(quiet) : "out of memory");
        }
        diag_free(quiet);
    }

    if (s->credit) {
        double tw, th;
        measure(f, dynbuf_str(&f->credit), font_px(f, 9.5), 0.6 * map.w, &tw, &th);
        fu->credit = (struct render_rect){map.x + map.w - margin - tw - 2 * pad,
                                          map.y + map.h - margin - th - pad, tw + 2 * pad,
                                          th + pad};
        fu->has_credit = true;
    }

    if (s->legend) {
        fu->nentries = legend_entries(f, fu->entries);
        if (fu->nentries) {
            double maxw = 0, rowh = 0;
            for (size_t i = 0; i < fu->nentries; i++) {
                char buf[160];
                double tw, th;
                measure(f, legend_title(f, &fu->entries[i], buf, sizeof buf), font_px(f, 11), 0,
                        &tw, &th);
                maxw = fmax(maxw, tw);
                rowh = fmax(rowh, th);
            }
            rowh = fmax(rowh * 1.25, 16 * f->scale);
            double sw = 26 * f->scale;
            double w = sw + maxw + 3 * pad, h = rowh * fu->nentries + 2 * pad;
            fu->legend = (struct render_rect){map.x + map.w - margin - w, map.y + margin, w, h};
            fu->has_legend = true;
        }
    }
    layout_ramp(f, fu, dg);
}

static void draw_legend(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    double pad = 8 * f->scale, sw = 26 * f->scale;
    panel(cr, &fu->legend, 4 * f->scale);
    double rowh = (fu->legend.h - 2 * pad) / fu->nentries;
    for (size_t i = 0; i < fu->nentries; i++) {
        const struct style_class *sc = style_for_class(f->st, fu->entries[i].cls);
        char buf[160];
        const char *title = legend_title(f, &fu->entries[i], buf, sizeof buf);
        double y = fu->legend.y + pad + i * rowh;
        if (fu->entries[i].other_dates)
            render_legend_swatch_other_dates(cr, fu->legend.x + pad, y + rowh * 0.15, sw,
                                             rowh * 0.7, f->scale);
        else
            render_legend_swatch(cr, sc, fu->entries[i].kind, fu->legend.x + pad,
                                 y + rowh * 0.15, sw, rowh * 0.7, f->scale);
        double tw, th;
        measure(f, title, font_px(f, 11), 0, &tw, &th);
        render_text(cr, title, &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 11), .x = fu->legend.x + 2 * pad + sw, .y = y + (rowh - th) / 2, .rgb = FIGURE_INK}, NULL, NULL);
    }
}

static void draw_north(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    panel(cr, &fu->north, 4 * f->scale);
    double cx = fu->north.x + fu->north.w / 2, cy = fu->north.y + fu->north.h / 2;
    double len = fu->north.h * 0.5;
    double a = fu->north_deg * FIGURE_PI / 180;
    cairo_save(cr);
    cairo_translate(cr, cx, cy + fu->north.h * 0.08 * cos(a));
    cairo_translate(cr, -fu->north.h * 0.08 * sin(a), 0);
    cairo_rotate(cr, a);
    double hw = len * 0.3;
    /* left half dark, right half light: readable on any imagery */
    cairo_move_to(cr, 0, -len / 2);
    cairo_line_to(cr, -hw, len / 2);
    cairo_line_to(cr, 0, len * 0.28);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
    cairo_move_to(cr, 0, -len / 2);
    cairo_line_to(cr, hw, len / 2);
    cairo_line_to(cr, 0, len * 0.28);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, fmax(1, 0.8 * f->scale));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_restore(cr);
    /* the N stays upright, beyond the tip */
    double tw, th;
    measure(f, "N", font_px(f, 12), 0, &tw, &th);
    double r = len / 2 + th * 0.45;
    double nx = cx + sin(a) * r - fu->north.h * 0.08 * sin(a);
    double ny = cy - cos(a) * r + fu->north.h * 0.08 * cos(a);
    render_markup(cr, "<b>N</b>", &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 12), .x = nx - tw / 2, .y = ny - th / 2, .rgb = FIGURE_INK}, NULL, NULL);
}

static void draw_scalebar(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    double pad = 8 * f->scale;
    panel(cr, &fu->scalebar, 4 * f->scale);
    char label[64], half[64];
    format_length(fu->bar_m, label, sizeof label);
    double tw, th;
    measure(f, label, font_px(f, 11), 0, &tw, &th);
    double x0 = fu->scalebar.x + pad, bar_h = 6 * f->scale;
    double y0 = fu->scalebar.y + pad + th * 1.2;
    int segments = 4;
    for (int i = 0; i < segments; i++) {
        cairo_rectangle(cr, x0 + fu->bar_px * i / segments, y0, fu->bar_px / segments, bar_h);
        if (i % 2 == 0)
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, x0, y0, fu->bar_px, bar_h);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, fmax(1, 0.75 * f->scale));
    cairo_stroke(cr);
    double px = font_px(f, 11);
    render_text(cr, "0", &(struct render_text_options){.font = f->spec->font, .px = px, .x = x0 - 2 * f->scale, .y = fu->scalebar.y + pad * 0.6, .rgb = FIGURE_INK}, NULL, NULL);
    snprintf(half, sizeof half, "%g", fu->bar_m >= 1000 ? fu->bar_m / 2000 : fu->bar_m / 2);
    double hw, hh;
    measure(f, half, px, 0, &hw, &hh);
    render_text(cr, half, &(struct render_text_options){.font = f->spec->font, .px = px, .x = x0 + fu->bar_px / 2 - hw / 2, .y = fu->scalebar.y + pad * 0.6, .rgb = FIGURE_INK}, NULL, NULL);
    double nw, nh;
    char num[64];
    snprintf(num, sizeof num, "%g", fu->bar_m >= 1000 ? fu->bar_m / 1000 : fu->bar_m);
    measure(f, num, px, 0, &nw, &nh);
    render_text(cr, label, &(struct render_text_options){.font = f->spec->font, .px = px, .x = x0 + fu->bar_px - nw / 2, .y = fu->scalebar.y + pad * 0.6, .rgb = FIGURE_INK}, NULL, NULL);
}

static void draw_credit(struct fig *f, const struct furniture *fu)
{
    double pad = 8 * f->scale;
    panel(f->cr, &fu->credit, 3 * f->scale);
    render_text(f->cr, dynbuf_str(&f->credit), &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 9.5), .x = fu->credit.x + pad, .y = fu->credit.y + pad / 2, .wrap_w = 0.6 * f->map.w, .rgb = FIGURE_GREY}, NULL, NULL);
}

static bool draw_inset(struct fig *f, const struct furniture *fu, struct diag *dg)
{
    int iw = fu->inset_w, ih = fu->inset_h;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        diag_error(dg, "%s: out of memory", f->spec->out_path);
        return false;
    }
    struct render_view whole = {0};
    whole.src_w = f->info->width;
    whole.src_h = f->info->height;
    whole.out_w = iw;
    whole.out_h = ih;
    cairo_surface_flush(s);
    bool read = viewread_argb(f->r, &whole, iw, ih, 1, cairo_image_surface_get_data(s),
                              cairo_image_surface_get_stride(s), FIGURE_BACKGROUND, dg);
    cairo_surface_mark_dirty(s);
    if (!read) {
        cairo_surface_destroy(s);
        return false;
    }
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_set_source_surface(cr, s, fu->inset.x, fu->inset.y);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(s);
    cairo_rectangle(cr, fu->inset.x, fu->inset.y, iw, ih);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, fmax(1.5, 1.5 * f->scale));
    cairo_stroke(cr);
    /* the requested window on the whole tile */
    double kx = iw / (double)f->info->width, ky = ih / (double)f->info->height;
    double x = fu->inset.x + f->req.x * kx, y = fu->inset.y + f->req.y * ky;
    double w = fmax(3, f->req.w * kx), h = fmax(3, f->req.h * ky);
    cairo_save(cr);
    cairo_rectangle(cr, fu->inset.x, fu->inset.y, iw, ih);
    cairo_clip(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgb(cr, 1.0, 0.85, 0.1);
    cairo_set_line_width(cr, fmax(1.5, 2 * f->scale));
    cairo_stroke(cr);
    cairo_restore(cr);
    return true;
}

/* The title as drawn: bold markup of the escaped text (dynbuf_free mk).
 * The band is measured from the same markup, since bold text is wider and
 * may wrap where the plain text would not. */
static void title_markup(const struct fig *f, struct dynbuf *mk)
{
    gchar *esc = g_markup_escape_text(dynbuf_str(&f->title), -1);
    dynbuf_init(mk, FIGURE_MAX_TEXT);
    dynbuf_printf(mk, "<b>%s</b>", esc);
    g_free(esc);
}

static void draw_bands(struct fig *f)
{
    cairo_t *cr = f->cr;
    double pad = 14 * f->scale;
    if (f->title_h > 0) {
        cairo_rectangle(cr, 0, 0, f->w, f->title_h);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
        struct dynbuf mk;
        title_markup(f, &mk);
        render_markup(cr, dynbuf_str(&mk), &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 19), .x = pad, .y = pad * 0.6, .wrap_w = f->w - 2 * pad, .rgb = FIGURE_INK}, NULL, NULL);
        dynbuf_free(&mk);
    }
    if (f->caption_h > 0) {
        double y = f->h - f->caption_h;
        cairo_rectangle(cr, 0, y, f->w, f->caption_h);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
        render_markup(cr, dynbuf_str(&f->caption_markup), &(struct render_text_options){.font = f->spec->font, .px = font_px(f, 11.5), .x = pad, .y = y + pad * 0.7, .wrap_w = f->w - 2 * pad, .rgb = FIGURE_INK}, NULL, NULL);
    }
    /* a hairline frame around the map */
    cairo_rectangle(cr, 0.5, f->title_h + 0.5, f->w - 1, f->h - f->title_h - f->caption_h - 1);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}


void fig_measure_bands(struct fig *f)
{
    const struct figure_spec *s = f->spec;
    /* measured on a scratch surface: the figure's does not exist yet */
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    f->cr = cairo_create(scratch);
    cairo_surface_destroy(scratch);
    double pad = 14 * f->scale, tw, th;
    f->title_h = 0;
    if (s->title_band && dynbuf_len(&f->title)) {
        struct dynbuf mk;
        title_markup(f, &mk);
        render_markup(f->cr, dynbuf_str(&mk), &(struct render_text_options){.font = s->font, .px = font_px(f, 19), .wrap_w = f->w - 2 * pad, .rgb = FIGURE_INK, .measure_only = true}, &tw, &th);
        dynbuf_free(&mk);
        f->title_h = ceil(th + 1.2 * pad);
    }
    f->caption_h = 0;
    if (s->show_caption && dynbuf_len(&f->caption_markup)) {
        render_markup(f->cr, dynbuf_str(&f->caption_markup), &(struct render_text_options){.font = s->font, .px = font_px(f, 11.5), .wrap_w = f->w - 2 * pad, .rgb = FIGURE_INK, .measure_only = true}, &tw, &th);
        f->caption_h = ceil(th + 1.4 * pad);
    }
    cairo_destroy(f->cr);
    f->cr = NULL;
}

bool fig_draw_furniture(struct fig *f, const struct furniture *fu, struct diag *dg)
{
    if (fu->has_inset && !draw_inset(f, fu, dg))
        return false;
    if (fu->has_legend)
        draw_legend(f, fu);
    if (fu->has_ramp)
        draw_ramp(f, fu);
    if (fu->has_north)
        draw_north(f, fu);
    if (fu->has_scalebar)
        draw_scalebar(f, fu);
    if (fu->has_credit)
        draw_credit(f, fu);
    draw_bands(f);
    return true;
}
