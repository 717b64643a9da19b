/*
 * render_text — text with Pango and Cairo for marks' labels and the figure
 * furniture: layouts at an absolute pixel size with hinting off and grey
 * anti-aliasing (the same glyph shapes on every machine with the same
 * fonts), and halos drawn as offset copies of the text.
 *
 * Invariants: no state is kept between calls; every layout made here is
 * freed by its caller (render_new_layout) or before returning.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "render_int.h"

#include <math.h>

void render_set_rgb(cairo_t *cr, struct style_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

/* Hinting off and grey anti-aliasing: the same glyph shapes on every
 * machine with the same fonts, whatever the screen settings. */
static void setup_text_context(cairo_t *cr, PangoLayout *layout)
{
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    PangoContext *pc = pango_layout_get_context(layout);
    pango_cairo_context_set_font_options(pc, fo);
    pango_cairo_update_context(cr, pc);
    pango_layout_context_changed(layout);
    cairo_font_options_destroy(fo);
}

/* New layout for cr with font family list `font` at px; free with g_object_unref. */
PangoLayout *render_new_layout(cairo_t *cr, const char *font, double px)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    setup_text_context(cr, layout);
    PangoFontDescription *desc = pango_font_description_from_string(font ? font : RENDER_DEFAULT_FONT);
    pango_font_description_set_absolute_size(desc, px * PANGO_SCALE);
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    return layout;
}

/* Draws layout at (x, y): halo first (when halo_px > 0), then the text.
 * The halo is the text drawn in the halo colour at 8 offsets on a circle of
 * radius halo_px (16 when the radius is over 4.5 px), not the stroked glyph
 * outlines: Cairo draws cached glyphs far faster than it strokes their
 * curves (about a third of the time per label), and at these radii the two
 * look the same. The copies overlap, so the halo is opaque. */
void render_show_layout(cairo_t *cr, PangoLayout *layout, double x, double y,
                        struct style_rgb rgb, double halo_px, struct style_rgb halo)
{
    if (halo_px > 0) {
        render_set_rgb(cr, halo, 1.0);
        int steps = halo_px > 4.5 ? 16 : 8;
        for (int k = 0; k < steps; k++) {
            double a = 2 * 3.14159265358979323846 * k / steps;
            cairo_move_to(cr, x + halo_px * cos(a), y + halo_px * sin(a));
            pango_cairo_show_layout(cr, layout);
        }
    }
    cairo_move_to(cr, x, y);
    render_set_rgb(cr, rgb, 1.0);
    pango_cairo_show_layout(cr, layout);
    cairo_new_path(cr);
}

static void text_common(cairo_t *cr, const char *text, bool markup,
                        const struct render_text_options *o, double *w, double *h)
{
    PangoLayout *layout = render_new_layout(cr, o->font, o->px);
    if (o->wrap_w > 0) {
        pango_layout_set_width(layout, (int)(o->wrap_w * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    if (markup)
        pango_layout_set_markup(layout, text, -1);
    else
        pango_layout_set_text(layout, text, -1);
    PangoRectangle logical;
    pango_layout_get_pixel_extents(layout, NULL, &logical);
    if (w)
        *w = logical.width;
    if (h)
        *h = logical.height;
    if (!o->measure_only)
        render_show_layout(cr, layout, o->x, o->y, o->rgb, o->halo_px, o->halo);
    g_object_unref(layout);
}

void render_text(cairo_t *cr, const char *text, const struct render_text_options *o, double *w,
                 double *h)
{
    text_common(cr, text, false, o, w, h);
}

void render_markup(cairo_t *cr, const char *markup, const struct render_text_options *o,
                   double *w, double *h)
{
    text_common(cr, markup, true, o, w, h);
}
