/*
 * overlay — everything drawn over the imagery, with Cairo into one ARGB32
 * surface the size of the window, uploaded as one SDL texture: the marks
 * (through the core renderer, exactly as figures draw them), the mark being
 * drawn, selection handles, the measurement, the scale bar, the compare
 * divider and the compare date captions, the claims panel and the mark list
 * (marklist.c), prompts, the error banner and the hint bar (hintbar.c), the
 * help (from keys.c's table; it shrinks to fit or scrolls) and the modal
 * questions, and the status line.
 *
 * The surface is re-drawn only when something on it changed (overlay_dirty:
 * view, marks, tools, panels); pointer motion alone re-draws just the status
 * bar strip and uploads only that strip. Cairo's pixels are premultiplied,
 * SDL's blending expects straight alpha, so the upload converts (transparent
 * and opaque pixels, the vast majority, cost one comparison).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "evidence.h"
#include "viewer.h"

static const struct style_rgb WHITE = {255, 255, 255};
static const struct style_rgb BLACK = {0, 0, 0};
static const struct style_rgb GREY = {190, 190, 190};
static const struct style_rgb YELLOW = {255, 220, 80};
static const struct style_rgb RED = {255, 110, 100};


bool overlay_init(struct viewer *vw)
{
    vw->frame.surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, vw->view.w, vw->view.h);
    if (cairo_surface_status(vw->frame.surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(vw->frame.surface);
        vw->frame.surface = NULL;
        return false;
    }
    vw->frame.overlay_tex = SDL_CreateTexture(vw->renderer, SDL_PIXELFORMAT_ARGB8888,
                                              SDL_TEXTUREACCESS_STREAMING, vw->view.w, vw->view.h);
    if (!vw->frame.overlay_tex)
        return false;
    SDL_SetTextureBlendMode(vw->frame.overlay_tex, SDL_BLENDMODE_BLEND);
    vw->frame.overlay_dirty = true;
    return true;
}

void overlay_free(struct viewer *vw)
{
    if (vw->frame.overlay_tex)
        SDL_DestroyTexture(vw->frame.overlay_tex);
    vw->frame.overlay_tex = NULL;
    if (vw->frame.surface)
        cairo_surface_destroy(vw->frame.surface);
    vw->frame.surface = NULL;
}

void overlay_refresh_marks(struct viewer *vw, struct image_layer *img)
{
    uint64_t gen = annot_generation(vw->doc.set);
    if (img->overlay_built && img->overlay_generation == gen && !datestyle_hash_changes(vw, img))
        return;
    struct diag *dg = diag_new();
    struct render_overlay *ov = datestyle_overlay(vw, img, img->geo, &img->other_dates, dg);
    if (ov) {
        marks_retire(vw->frame.marks, img->overlay);
        img->overlay = ov;
        if (img == &vw->imagery.b) {
            /* B's marks, classified against B, placed with A's georeference */
            struct diag *quiet = diag_new();
            marks_retire(vw->frame.marks, img->overlay_in_a);
            img->overlay_in_a = datestyle_overlay(vw, img, vw->imagery.a.geo, NULL, quiet);
            diag_free(quiet);
        }
        /* Say once per image why marks are missing (no CRS, out of domain). */
        if (!img->overlay_built && diag_warning_count(dg) > 0)
            viewer_message(vw, true, "%s", diag_warning(dg, 0));
    } else {
        viewer_message(vw, true, "cannot project the marks: %s", diag_message(dg));
    }
    img->overlay_built = true;
    img->overlay_generation = gen;
    diag_free(dg);
    vw->frame.overlay_dirty = true;
}

SDL_Rect overlay_claims_rect(const struct viewer *vw)
{
    int w = vw->view.w < 900 ? vw->view.w / 2 : 440;
    SDL_Rect r = {vw->view.w - w, 0, w, vw->view.h - VIEWER_STATUS_H};
    return r;
}

/* ---- helpers ------------------------------------------------------------ */

static void set_rgb(cairo_t *cr, struct style_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

static void panel(cairo_t *cr, double x, double y, double w, double h, double alpha)
{
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgba(cr, 0.08, 0.09, 0.11, alpha);
    cairo_fill(cr);
}

static void text(cairo_t *cr, const char *s, double px, double x, double y, double wrap,
                 struct style_rgb rgb, double *w, double *h)
{
    render_text(cr, s, &(struct render_text_options){.px = px, .x = x, .y = y, .wrap_w = wrap,
                                                     .rgb = rgb}, w, h);
}

static void text_halo(cairo_t *cr, const char *s, double px, double x, double y,
                      struct style_rgb rgb)
{
    render_text(cr, s, &(struct render_text_options){.px = px, .x = x, .y = y, .rgb = rgb,
                                                     .halo_px = 2.5, .halo = BLACK}, NULL, NULL);
}

static void measure(cairo_t *cr, const char *s, double px, double wrap, double *w, double *h)
{
    render_text(cr, s, &(struct render_text_options){.px = px, .wrap_w = wrap, .rgb = WHITE,
                                                     .measure_only = true}, w, h);
}

static void format_dms(double v, bool lat, char *out, size_t cap)
{
    char hemi = lat ? (v >= 0 ? 'N' : 'S') : (v >= 0 ? 'E' : 'W');
    double a = fabs(v);
    int deg = (int)a;
    double mins = (a - deg) * 60;
    int m = (int)mins;
    double s = (mins - m) * 60;
    if (s >= 59.95) {
        s = 0;
        if (++m == 60) {
            m = 0;
            deg++;
        }
    }
    snprintf(out, cap, "%d\u00b0%02d'%04.1f\"%c", deg, m, s, hemi);
}

static bool lonlat_screen(struct viewer *vw, const struct view *v, struct geo_ref *g,
                          struct annot_lonlat p, double *sx, double *sy)
{
    double ix, iy;
    if (!geo_lonlat_to_pixel(g, p.lon, p.lat, &ix, &iy, NULL))
        return false;
    (void)vw;
    view_image_to_screen(v, ix, iy, sx, sy);
    return true;
}

/* The line, polygon or measurement being drawn, with a rubber band to the pointer. */
static void draw_draft(struct viewer *vw, cairo_t *cr)
{
    if (vw->ui.ndraft == 0 && !(vw->ui.drag == DRAG_RECT))
        return;
    const struct style_class *sc = style_for_class(vw->frame.style, vw->ui.cls);
    struct style_rgb c = vw->ui.tool == TOOL_MEASURE ? YELLOW : sc->colour;
    cairo_save(cr);
    cairo_set_line_width(cr, 2);
    if (vw->ui.drag == DRAG_RECT) {
        cairo_rectangle(cr, vw->ui.drag_x0, vw->ui.drag_y0, vw->ui.mouse_x - vw->ui.drag_x0,
                        vw->ui.mouse_y - vw->ui.drag_y0);
        set_rgb(cr, c, 0.25);
        cairo_fill_preserve(cr);
        set_rgb(cr, c, 1);
        cairo_stroke(cr);
        cairo_restore(cr);
        return;
    }
    bool first = true;
    for (size_t i = 0; i < vw->ui.ndraft; i++) {
        double x, y;
        if (!lonlat_screen(vw, &vw->view, vw->imagery.a.geo, vw->ui.draft[i], &x, &y))
            continue;
        if (first)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
        first = false;
    }
    if (vw->ui.mouse_in)
        cairo_line_to(cr, vw->ui.mouse_x, vw->ui.mouse_y);
    if (vw->ui.tool == TOOL_POLYGON || (vw->ui.tool == TOOL_MEASURE && vw->ui.ndraft >= 2))
        cairo_close_path(cr);
    set_rgb(cr, BLACK, 0.8);
    cairo_set_line_width(cr, 4);
    cairo_stroke_preserve(cr);
    set_rgb(cr, c, 1);
    cairo_set_line_width(cr, 2);
    double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t i = 0; i < vw->ui.ndraft; i++) {
        double x, y;
        if (!lonlat_screen(vw, &vw->view, vw->imagery.a.geo, vw->ui.draft[i], &x, &y))
            continue;
        cairo_arc(cr, x, y, 3.5, 0, 6.283185307179586);
        set_rgb(cr, WHITE, 1);
        cairo_fill_preserve(cr);
        set_rgb(cr, BLACK, 1);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

static void format_length(double m, char *out, size_t cap)
{
    if (m >= 1000)
        snprintf(out, cap, "%.3f km", m / 1000);
    else
        snprintf(out, cap, "%.1f m", m);
}

static void draw_measure(struct viewer *vw, cairo_t *cr)
{
    if (vw->ui.tool != TOOL_MEASURE || vw->ui.ndraft == 0)
        return;
    struct annot_lonlat pts[VIEWER_MAX_DRAFT + 1];
    size_t n = vw->ui.ndraft;
    memcpy(pts, vw->ui.draft, n * sizeof pts[0]);
    struct annot_lonlat cursor;
    double ix, iy;
    view_screen_to_image(&vw->view, vw->ui.mouse_x, vw->ui.mouse_y, &ix, &iy);
    if (vw->ui.mouse_in &&
        geo_pixel_to_lonlat(vw->imagery.a.geo, ix, iy, &cursor.lon, &cursor.lat, NULL))
        pts[n++] = cursor;
    double length = 0;
    for (size_t i = 1; i < n; i++)
        length += geo_distance_m(pts[i - 1].lon, pts[i - 1].lat, pts[i].lon, pts[i].lat);
    char len_text[64], line[256];
    format_length(length, len_text, sizeof len_text);
    if (n >= 3) {
        double lon[VIEWER_MAX_DRAFT + 1], lat[VIEWER_MAX_DRAFT + 1], perimeter;
        for (size_t i = 0; i < n; i++) {
            lon[i] = pts[i].lon;
            lat[i] = pts[i].lat;
        }
        double area = geo_polygon_area_m2(n, lon, lat, &perimeter);
        char per_text[64];
        format_length(perimeter, per_text, sizeof per_text);
        if (area >= 1e6)
            snprintf(line, sizeof line, "Length %s   Area %.3f km\u00b2 (perimeter %s)", len_text,
                     area / 1e6, per_text);
        else
            snprintf(line, sizeof line, "Length %s   Area %.0f m\u00b2 (perimeter %s)", len_text,
                     area, per_text);
    } else {
        snprintf(line, sizeof line, "Distance %s (geodesic, WGS84)", len_text);
    }
    double w, h;
    measure(cr, line, 13, 0, &w, &h);
    double x = vw->ui.mouse_x + 16, y = vw->ui.mouse_y + 16;
    if (x + w + 12 > vw->view.w)
        x = vw->view.w - w - 12;
    if (y + h + 10 > vw->view.h - VIEWER_STATUS_H)
        y = vw->view.h - VIEWER_STATUS_H - h - 10;
    panel(cr, x - 6, y - 4, w + 12, h + 8, 0.85);
    text(cr, line, 13, x, y, 0, YELLOW, NULL, NULL);
}

static void draw_handles(struct viewer *vw, cairo_t *cr)
{
    if (vw->ui.tool != TOOL_SELECT || !vw->doc.selected[0])
        return;
    double xs[512], ys[512];
    size_t parts[512], idx[512];
    size_t n = input_selected_vertices(vw, xs, ys, parts, idx, 512);
    if (n == 1)
        return; /* a point: the highlight shows it */
    for (size_t i = 0; i < n; i++) {
        cairo_rectangle(cr, xs[i] - 4, ys[i] - 4, 8, 8);
        set_rgb(cr, WHITE, 1);
        cairo_fill_preserve(cr);
        set_rgb(cr, BLACK, 1);
        cairo_set_line_width(cr, 1.5);
        cairo_stroke(cr);
    }
}

/* A scale bar of a round length (1, 2 or 5 x 10^n m) at most 180 px long. */
static void draw_scale_bar(struct viewer *vw, cairo_t *cr)
{
    if (!vw->imagery.a.georeferenced || vw->ui.help || vw->ui.marklist_open)
        return;
    double rx, ry;
    if (!geo_ground_resolution_at(vw->imagery.a.geo, vw->view.cx, vw->view.cy, &rx, &ry, NULL) ||
        !(rx > 0))
        return;
    double m_per_px = rx / vw->view.scale;
    double target = 180 * m_per_px;
    double p10 = pow(10, floor(log10(target)));
    double len = p10;
    if (5 * p10 <= target)
        len = 5 * p10;
    else if (2 * p10 <= target)
        len = 2 * p10;
    double px = len / m_per_px;
    double x = 14, y = vw->view.h - VIEWER_STATUS_H - 16;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, px, 6);
    set_rgb(cr, BLACK, 0.9);
    cairo_set_line_width(cr, 3);
    cairo_stroke_preserve(cr);
    set_rgb(cr, WHITE, 1);
    cairo_fill(cr);
    cairo_rectangle(cr, x, y, px / 2, 6);
    set_rgb(cr, BLACK, 1);
    cairo_fill(cr);
    char label[64];
    if (len >= 1000)
        snprintf(label, sizeof label, "%g km", len / 1000);
    else
        snprintf(label, sizeof label, "%g m", len);
    text_halo(cr, label, 12, x, y - 18, WHITE);
    cairo_restore(cr);
}

/* A date caption in a dark box in the caption strip at the top; x is its
 * left edge, or its right edge when right_edge; kept inside the window. */
static void caption_box(struct viewer *vw, cairo_t *cr, const char *s, double x, bool right_edge,
                        struct style_rgb colour)
{
    double w, h;
    measure(cr, s, 13, 0, &w, &h);
    double bx = right_edge ? x - w - 16 : x;
    if (bx + w + 16 > vw->view.w - 4)
        bx = vw->view.w - 4 - w - 16;
    if (bx < 4)
        bx = 4;
    double by = (VIEWER_CAPTION_H - h - 8) / 2;
    panel(cr, bx, by, w + 16, h + 8, 0.88);
    text(cr, s, 13, bx + 8, by + 4, 0, colour, NULL, NULL);
}

/* Compare modes: which date is where stays on screen (swipe: one caption on
 * each side of the divider; flicker: the date showing, and the other). The
 * captions sit in the strip at the top that labels keep clear of (marks.c). */
static void draw_divider(struct viewer *vw, cairo_t *cr)
{
    if (!vw->imagery.has_b)
        return;
    char a_text[300], b_text[300];
    snprintf(a_text, sizeof a_text, "A %s \u00b7 %s",
             vw->imagery.a.acquired[0] ? vw->imagery.a.acquired : "date unknown",
             vw->imagery.a.name);
    snprintf(b_text, sizeof b_text, "B %s \u00b7 %s",
             vw->imagery.b.acquired[0] ? vw->imagery.b.acquired : "date unknown",
             vw->imagery.b.name);
    cairo_save(cr);
    if (vw->ui.compare == COMPARE_FLICKER) {
        char line[700];
        snprintf(line, sizeof line, "Showing %s   (C: show %s)", vw->ui.show_b ? b_text : a_text,
                 vw->ui.show_b ? "A" : "B");
        double w, h;
        measure(cr, line, 13, 0, &w, &h);
        caption_box(vw, cr, line, (vw->view.w - w - 16) / 2, false, YELLOW);
        cairo_restore(cr);
        return;
    }
    double x = floor(vw->ui.divider * vw->view.w) + 0.5;
    cairo_move_to(cr, x, 0);
    cairo_line_to(cr, x, vw->view.h - VIEWER_STATUS_H);
    set_rgb(cr, BLACK, 0.8);
    cairo_set_line_width(cr, 4);
    cairo_stroke_preserve(cr);
    set_rgb(cr, WHITE, 1);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);
    caption_box(vw, cr, a_text, x - 6, true, WHITE);
    caption_box(vw, cr, b_text, x + 6, false, WHITE);
    cairo_restore(cr);
}

static void draw_claims_panel(struct viewer *vw, cairo_t *cr)
{
    vw->ui.nclaim_rows = 0;
    if (!vw->ui.claims_open || !vw->doc.claims)
        return;
    SDL_Rect r = overlay_claims_rect(vw);
    panel(cr, r.x, r.y, r.w, r.h, 0.92);
    double x = r.x + 12, y = r.y + 10, wrap = r.w - 24;
    const struct annot_feature *f =
        vw->doc.selected[0] ? annot_find(vw->doc.set, vw->doc.selected) : NULL;
    char head[512];
    snprintf(head, sizeof head, "Claims \u2014 %s", f ? f->id : "no mark selected");
    double h;
    text(cr, head, 15, x, y, wrap, WHITE, NULL, &h);
    y += h + 4;
    snprintf(head, sizeof head, "Search: %s\u2502", vw->ui.claims_search);
    text(cr, head, 13, x, y, wrap, YELLOW, NULL, &h);
    y += h + 4;
    text(cr, "Click or Enter: link the selected mark (supports \u2192 contradicts \u2192 context "
             "\u2192 unlinked). Up/Down choose. Tab closes.",
         11, x, y, wrap, GREY, NULL, &h);
    y += h + 8;
    size_t shown = 0, matches = 0;
    for (size_t i = 0; i < claims_claim_count(vw->doc.claims); i++) {
        const struct claims_claim *c = claims_claim_at(vw->doc.claims, i);
        if (!input_claim_matches(c, vw->ui.claims_search))
            continue;
        size_t row = matches++; /* position among the claims matching the search */
        /* Keep the cursor's row in view. */
        if (vw->ui.claims_cursor >= 6 && shown++ < vw->ui.claims_cursor - 5)
            continue;
        if (y > r.y + r.h - 30 || vw->ui.nclaim_rows == VIEWER_MAX_CLAIM_ROWS)
            break;
        const char *stance = NULL;
        for (size_t k = 0; f && k < f->nclaims; k++)
            if (strcmp(f->claims[k].claim, c->id) == 0)
                stance = annot_stance_name(f->claims[k].stance);
        char line[2048];
        snprintf(line, sizeof line, "%s%s%s\n%s", stance ? "[" : "", stance ? stance : "",
                 stance ? "] " : "", c->id);
        double y0 = y;
        if (vw->ui.claims_cursor == row) {
            cairo_rectangle(cr, r.x + 4, y - 3, r.w - 8, 1);
            cairo_rectangle(cr, r.x + 4, y - 3, 3, 40);
            set_rgb(cr, YELLOW, 0.9);
            cairo_fill(cr);
        }
        struct style_rgb colour = !stance                    ? WHITE
                                  : strcmp(stance, "supports") == 0 ? (struct style_rgb){120, 230, 120}
                                  : strcmp(stance, "contradicts") == 0 ? RED
                                                                       : YELLOW;
        text(cr, line + (stance ? 0 : 0), 13, x, y, wrap, colour, NULL, &h);
        y += h;
        char body[600];
        snprintf(body, sizeof body, "%.300s", c->text);
        text(cr, body, 11, x, y, wrap, GREY, NULL, &h);
        y += h;
        if (c->imagery == CLAIMS_IMAGERY_NO) {
            /* Said before linking: a mark can never decide such a claim
             * (its status stays not_observable; validate warns). */
            text(cr, "Imagery cannot show this: link marks only as context.", 11, x, y + 2,
                 wrap, YELLOW, NULL, &h);
            y += h + 2;
        }
        /* What the marks make of the claim, as the claims report says it. */
        const struct evidence_claim *ev = evidencepanel_claim(&vw->doc, c->id);
        if (ev) {
            char status[700];
            snprintf(status, sizeof status, "%s: %.400s  (%zu outlet%s, %zu independent origin%s)",
                     evidence_status_name(ev->status), ev->reason ? ev->reason : "",
                     ev->outlets, ev->outlets == 1 ? "" : "s", ev->independent_origins,
                     ev->independent_origins == 1 ? "" : "s");
            struct style_rgb sc = ev->status == EVIDENCE_SUPPORTED ? (struct style_rgb){120, 230, 120}
                                  : ev->status == EVIDENCE_CONTRADICTED ? RED
                                  : ev->status == EVIDENCE_CONTESTED    ? YELLOW
                                                                        : GREY;
            text(cr, status, 11, x, y + 2, wrap, sc, NULL, &h);
            y += h + 2;
        }
        y += 8;
        vw->ui.claim_rows[vw->ui.nclaim_rows].y0 = (int)y0;
        vw->ui.claim_rows[vw->ui.nclaim_rows].y1 = (int)y - 4;
        vw->ui.claim_rows[vw->ui.nclaim_rows].claim = i;
        vw->ui.nclaim_rows++;
        cairo_move_to(cr, x, y - 4.5);
        cairo_line_to(cr, x + wrap, y - 4.5);
        set_rgb(cr, GREY, 0.3);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
    }
}

static void draw_prompt(struct viewer *vw, cairo_t *cr)
{
    if (vw->ui.text_mode == TEXT_NONE)
        return;
    char line[VIEWER_TEXT_MAX + 200];
    snprintf(line, sizeof line, "%s %s\u2502   (Enter accepts, Esc cancels)",
             vw->ui.text_mode == TEXT_LABEL  ? "Label of the selected mark:"
             : vw->ui.text_mode == TEXT_JUMP ? "Go to a mark id, label or coordinate:"
                                             : "Save as (path):",
             vw->ui.text);
    double w, h;
    measure(cr, line, 15, vw->view.w - 80, &w, &h);
    double x = (vw->view.w - w) / 2, y = vw->view.h - VIEWER_STATUS_H - h - 60;
    panel(cr, x - 12, y - 8, w + 24, h + 16, 0.92);
    text(cr, line, 15, x, y, vw->view.w - 80, WHITE, NULL, NULL);
}

/* The help (keys.c's table): at the largest font size from 14 px down to
 * 10 px that fits the window; when even 10 px does not, it scrolls (Up/Down,
 * PgUp/PgDn, the wheel) inside the window with a note saying so. */
static void draw_help(struct viewer *vw, cairo_t *cr)
{
    if (!vw->ui.help)
        return;
    const char *markup = keys_help_markup();
    double avail_w = vw->view.w - 40, avail_h = vw->view.h - VIEWER_STATUS_H - 40;
    double px = 14, w = 0, h = 0;
    for (; px >= 10; px -= 1) {
        render_markup(cr, markup, &(struct render_text_options){.px = px, .wrap_w = avail_w - 40,
                                                                .rgb = WHITE, .measure_only = true},
                      &w, &h);
        if (h <= avail_h)
            break;
    }
    if (px < 10)
        px = 10;
    bool scrolls = h > avail_h;
    vw->ui.help_scroll_max = scrolls ? h - avail_h + 28 : 0;
    if (vw->ui.help_scroll > vw->ui.help_scroll_max)
        vw->ui.help_scroll = vw->ui.help_scroll_max;
    double box_h = scrolls ? avail_h : h;
    double x = (vw->view.w - w) / 2, y = (vw->view.h - VIEWER_STATUS_H - box_h) / 2;
    if (x < 30)
        x = 30;
    if (y < 20)
        y = 20;
    panel(cr, x - 20, y - 16, w + 40, box_h + 32, 0.95);
    cairo_save(cr);
    cairo_rectangle(cr, x - 20, y - 16, w + 40, box_h + 32);
    cairo_clip(cr);
    double shift = scrolls ? vw->ui.help_scroll : 0;
    render_markup(cr, markup, &(struct render_text_options){.px = px, .x = x, .y = y - shift,
                                                            .wrap_w = avail_w - 40, .rgb = WHITE},
                  NULL, NULL);
    cairo_restore(cr);
    if (scrolls) {
        char note[160];
        snprintf(note, sizeof note, "\u2191\u2193 scroll (%.0f%%)",
                 vw->ui.help_scroll_max > 0 ? 100 * vw->ui.help_scroll / vw->ui.help_scroll_max
                                            : 100);
        double nw, nh;
        measure(cr, note, 12, 0, &nw, &nh);
        panel(cr, x + w + 20 - nw - 12, y + box_h + 16 - nh - 4, nw + 12, nh + 4, 1);
        text(cr, note, 12, x + w + 20 - nw - 6, y + box_h + 16 - nh - 2, 0, YELLOW, NULL, NULL);
    }
}

static void draw_modal(struct viewer *vw, cairo_t *cr)
{
    if (vw->ui.modal == MODAL_NONE)
        return;
    char body[2048];
    if (vw->ui.modal == MODAL_QUIT) {
        gchar *path =
            g_markup_escape_text(vw->doc.annot_path ? vw->doc.annot_path : "(no file)", -1);
        snprintf(body, sizeof body,
                 "<b>Unsaved changes in %s</b>\n\nS: save and quit    D: discard and quit    "
                 "Esc: keep working",
                 path);
        g_free(path);
    } else {
        snprintf(body, sizeof body,
                 "<b>Unsaved work was found</b>\n\nThe autosave journal from %s holds marks "
                 "that were never saved\n(the viewer was closed without saving, or crashed)."
                 "\n\nR: recover them    D: discard the journal",
                 vw->doc.pending_journal);
    }
    double w, h;
    render_markup(cr, body, &(struct render_text_options){.px = 16, .rgb = WHITE,
                                                          .measure_only = true}, &w, &h);
    double x = (vw->view.w - w) / 2, y = (vw->view.h - h) / 2;
    cairo_rectangle(cr, 0, 0, vw->view.w, vw->view.h);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
    cairo_fill(cr);
    panel(cr, x - 24, y - 20, w + 48, h + 40, 0.97);
    cairo_rectangle(cr, x - 24.5, y - 20.5, w + 49, h + 41);
    set_rgb(cr, YELLOW, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    render_markup(cr, body, &(struct render_text_options){.px = 16, .x = x, .y = y, .rgb = WHITE},
                  NULL, NULL);
}

/* The bottom chrome: the hint bar (hintbar.c), then the status line: the
 * position and pixel values under the pointer on the left, the state on the
 * right, the latest message between them (shortened to fit, never dropped;
 * errors that must be acknowledged also show in the banner at the top). */
static void draw_status(struct viewer *vw, cairo_t *cr)
{
    hintbar_draw(vw, cr);
    double y0 = vw->view.h - VIEWER_BAR_H;
    cairo_save(cr);
    cairo_rectangle(cr, 0, y0, vw->view.w, VIEWER_BAR_H);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_rgba(cr, 0.1, 0.11, 0.13, 1);
    cairo_fill(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    char left[768] = "", left_mid[512] = "", left_short[256] = "";
    if (vw->ui.mouse_in) {
        double ix, iy, lon, lat;
        view_screen_to_image(&vw->view, vw->ui.mouse_x, vw->ui.mouse_y, &ix, &iy);
        const char *values = probe_text(&vw->imagery, ix, iy);
        if (vw->imagery.a.georeferenced &&
            geo_pixel_to_lonlat(vw->imagery.a.geo, ix, iy, &lon, &lat, NULL)) {
            char dlon[32], dlat[32];
            format_dms(lon, false, dlon, sizeof dlon);
            format_dms(lat, true, dlat, sizeof dlat);
            snprintf(left, sizeof left, "%.6f, %.6f  (%s %s)   px %.0f, %.0f   %s", lon, lat,
                     dlat, dlon, floor(ix), floor(iy), values);
            snprintf(left_mid, sizeof left_mid, "%.6f, %.6f   %s", lon, lat, values);
            snprintf(left_short, sizeof left_short, "%.6f, %.6f", lon, lat);
        } else {
            snprintf(left, sizeof left, "px %.0f, %.0f   %s", floor(ix), floor(iy), values);
        }
    }
    char ground[64] = "";
    double rx, ry;
    if (vw->imagery.a.georeferenced &&
        geo_ground_resolution_at(vw->imagery.a.geo, vw->view.cx, vw->view.cy, &rx, &ry, NULL))
        snprintf(ground, sizeof ground, "%.2f m/px", rx / vw->view.scale);
    else
        snprintf(ground, sizeof ground, "zoom %.3f", vw->view.scale);
    const struct style_class *sc = style_for_class(vw->frame.style, vw->ui.cls);
    char right[512];
    int loading =
        vw->imagery.a.missing_tiles + (vw->imagery.has_b ? vw->imagery.b.missing_tiles : 0);
    char load[192] = "";
    char ovr[160];
    if (overviews_status(&vw->imagery, ovr, sizeof ovr))
        snprintf(load, sizeof load, "%s   ", ovr);
    else if (vw->doc.marks_loading)
        snprintf(load, sizeof load, "loading marks\u2026   ");
    else if (loading > 0)
        snprintf(load, sizeof load, "loading %d tiles   ", loading);
    char dated[96];
    datestyle_status(vw, dated, sizeof dated);
    if (dated[0])
        snprintf(load + strlen(load), sizeof load - strlen(load), "%s   ", dated);
    snprintf(right, sizeof right, "%s%s   %s   class %d %s   %s", load, ground,
             tool_name(vw->ui.tool), (int)vw->ui.cls + 1, sc->title,
             viewer_unsaved(&vw->doc) ? "\u25cf unsaved" : "saved");
    double rw, rh, lw, lh;
    measure(cr, right, 13, 0, &rw, &rh);
    measure(cr, left, 13, 0, &lw, &lh);
    /* A narrow window: shorter forms of the position (no DMS, no pixel). */
    if (lw + rw + 40 > vw->view.w && left_mid[0]) {
        snprintf(left, sizeof left, "%s", left_mid);
        measure(cr, left, 13, 0, &lw, &lh);
    }
    if (lw + rw + 40 > vw->view.w && left_short[0]) {
        snprintf(left, sizeof left, "%s", left_short);
        measure(cr, left, 13, 0, &lw, &lh);
    }
    double ty = y0 + (VIEWER_BAR_H - rh) / 2;
    text(cr, left, 13, 8, ty, 0, WHITE, NULL, NULL);
    text(cr, right, 13, vw->view.w - rw - 10, ty, 0, viewer_unsaved(&vw->doc) ? YELLOW : GREY, NULL,
         NULL);
    /* Class swatch before the class name. */
    cairo_rectangle(cr, vw->view.w - rw - 24, y0 + 8, 9, 9);
    set_rgb(cr, sc->colour, 1);
    cairo_fill(cr);
    /* A recent message (an error stays while its banner does), centred in
     * the room between the two, shortened when it is longer. */
    bool recent =
        viewer_now_s() - vw->ui.message_s < 6 || (vw->ui.message_error && vw->ui.sticky_error[0]);
    if (vw->ui.message[0] && recent) {
        double mw, mh;
        measure(cr, vw->ui.message, 13, 0, &mw, &mh);
        double room_x0 = (left[0] ? lw + 8 + 20 : 8), room_x1 = vw->view.w - rw - 30;
        if (room_x1 - room_x0 < 120 || (vw->ui.message_error && mw > room_x1 - room_x0)) {
            /* no room beside the position (or an error longer than the
             * room): the message takes the position's place */
            room_x0 = 8;
            cairo_rectangle(cr, 0, y0, room_x1, VIEWER_BAR_H);
            cairo_set_source_rgba(cr, 0.1, 0.11, 0.13, 1);
            cairo_fill(cr);
        }
        double mx = fmax(room_x0, (vw->view.w - mw) / 2);
        if (mx + mw > room_x1)
            mx = room_x0;
        hintbar_text_fit(cr, vw->ui.message, 13, mx, ty, room_x1 - mx,
                         vw->ui.message_error ? RED : (struct style_rgb){150, 220, 255});
    }
    cairo_restore(cr);
}

/* Copies the rectangle (x, y, w, h) of the premultiplied surface into the
 * straight-alpha texture. */
static void upload(struct viewer *vw, int x, int y, int w, int h)
{
    cairo_surface_flush(vw->frame.surface);
    const unsigned char *src = cairo_image_surface_get_data(vw->frame.surface);
    int stride = cairo_image_surface_get_stride(vw->frame.surface);
    SDL_Rect r = {x, y, w, h};
    void *dst;
    int pitch;
    if (SDL_LockTexture(vw->frame.overlay_tex, &r, &dst, &pitch) != 0)
        return;
    for (int row = 0; row < h; row++) {
        const uint32_t *s = (const uint32_t *)(src + (size_t)(y + row) * stride) + x;
        uint32_t *d = (uint32_t *)((unsigned char *)dst + (size_t)row * pitch);
        for (int col = 0; col < w; col++) {
            uint32_t p = s[col];
            uint32_t a = p >> 24;
            if (a == 0 || a == 255) {
                d[col] = a ? p : 0;
            } else {
                uint32_t r8 = ((p >> 16) & 255) * 255 / a;
                uint32_t g8 = ((p >> 8) & 255) * 255 / a;
                uint32_t b8 = (p & 255) * 255 / a;
                d[col] = a << 24 | r8 << 16 | g8 << 8 | b8;
            }
        }
    }
    SDL_UnlockTexture(vw->frame.overlay_tex);
}

/* True when the chrome has something outside the status bar and the scale
 * bar (panels, prompts, previews): then the whole surface is drawn. */
static bool chrome_full(const struct viewer *vw)
{
    return vw->ui.claims_open || vw->ui.help || vw->ui.modal != MODAL_NONE ||
           vw->ui.text_mode != TEXT_NONE || vw->ui.ndraft > 0 || vw->ui.drag == DRAG_RECT ||
           (vw->ui.tool == TOOL_SELECT && vw->doc.selected[0]) || vw->imagery.has_b ||
           vw->ui.sticky_error[0] || vw->ui.marklist_open || vw->ui.goto_marker;
}

static SDL_Rect scale_bar_rect(const struct viewer *vw)
{
    SDL_Rect r = {0, vw->view.h - VIEWER_STATUS_H - 44, 220, 44};
    return r;
}

void overlay_draw(struct viewer *vw)
{
    if (!vw->frame.surface || !vw->frame.overlay_tex)
        return;
    bool full = chrome_full(vw);
    SDL_Rect bar = scale_bar_rect(vw);
    SDL_Rect status = {0, vw->view.h - VIEWER_STATUS_H, vw->view.w, VIEWER_STATUS_H};
    if (vw->frame.overlay_dirty) {
        cairo_t *cr = cairo_create(vw->frame.surface);
        cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
        if (full || vw->frame.chrome_was_full)
            cairo_paint(cr);
        else {
            cairo_rectangle(cr, bar.x, bar.y, bar.w, bar.h);
            cairo_fill(cr);
        }
        cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
        if (full) {
            draw_handles(vw, cr);
            goto_draw_marker(vw, cr);
            draw_draft(vw, cr);
            draw_divider(vw, cr);
            draw_measure(vw, cr);
            draw_claims_panel(vw, cr);
            marklist_draw(vw, cr);
            draw_prompt(vw, cr);
            hintbar_draw_error(vw, cr);
            draw_help(vw, cr);
        } else {
            vw->ui.nclaim_rows = 0;
        }
        draw_scale_bar(vw, cr);
        draw_status(vw, cr);
        if (full)
            draw_modal(vw, cr);
        cairo_destroy(cr);
        if (full || vw->frame.chrome_was_full) {
            upload(vw, 0, 0, vw->view.w, vw->view.h);
        } else {
            upload(vw, bar.x, bar.y, bar.w, bar.h);
            upload(vw, status.x, status.y, status.w, status.h);
        }
        vw->frame.chrome_was_full = full;
        vw->frame.overlay_dirty = false;
        vw->frame.status_dirty = false;
    } else if (vw->frame.status_dirty && vw->ui.modal == MODAL_NONE) {
        cairo_t *cr = cairo_create(vw->frame.surface);
        draw_status(vw, cr);
        cairo_destroy(cr);
        upload(vw, status.x, status.y, status.w, status.h);
        vw->frame.status_dirty = false;
    }
    if (full) {
        SDL_RenderCopy(vw->renderer, vw->frame.overlay_tex, NULL, NULL);
    } else {
        SDL_RenderCopy(vw->renderer, vw->frame.overlay_tex, &bar, &bar);
        SDL_RenderCopy(vw->renderer, vw->frame.overlay_tex, &status, &status);
    }
}
