/*
 * hintbar — what the viewer tells the user without being asked: the hint
 * bar (one line above the status line: the current tool or panel, its keys,
 * "F1 for help"; after a mark is drawn, what comes next), and errors that
 * must not be missed (a failed save, a failed autosave journal), shown in a
 * banner at the top of the window until the user acknowledges them (Esc or
 * a click on the banner). The banner wraps its text; the one-line places
 * (hint bar, status message) shorten text with an ellipsis, never drop it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "viewer.h"

static const struct style_rgb HINT_TEXT = {215, 220, 228};
static const struct style_rgb WHITE = {255, 255, 255};

#define BANNER_PX 14
#define BANNER_MARGIN 12

void viewer_sticky_error(struct viewer *vw, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vw->ui.sticky_error, sizeof vw->ui.sticky_error, fmt, ap);
    va_end(ap);
    fprintf(stderr, "satmark-view: error: %s\n", vw->ui.sticky_error);
    /* the status line says it too, shortened if it must be */
    snprintf(vw->ui.message, sizeof vw->ui.message, "%.500s", vw->ui.sticky_error);
    vw->ui.message_error = true;
    vw->ui.message_s = viewer_now_s();
    viewer_invalidate(vw);
}

bool hintbar_acknowledge(struct viewer *vw)
{
    if (!vw->ui.sticky_error[0])
        return false;
    vw->ui.sticky_error[0] = '\0';
    viewer_invalidate(vw);
    return true;
}

void hintbar_text_fit(cairo_t *cr, const char *text, double px, double x, double y,
                      double max_w, struct style_rgb rgb)
{
    double w, h;
    render_text(cr, text, &(struct render_text_options){.px = px, .rgb = rgb, .measure_only = true},
                &w, &h);
    if (w <= max_w) {
        render_text(cr, text, &(struct render_text_options){.px = px, .x = x, .y = y, .rgb = rgb},
                    NULL, NULL);
        return;
    }
    /* the longest prefix (whole UTF-8 characters) that fits with "…" */
    char buf[1100];
    size_t len = strlen(text);
    if (len > sizeof buf - 4)
        len = sizeof buf - 4;
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        while (mid > 0 && ((unsigned char)text[mid] & 0xC0) == 0x80)
            mid--;
        memcpy(buf, text, mid);
        memcpy(buf + mid, "\u2026", 4);
        render_text(cr, buf, &(struct render_text_options){.px = px, .rgb = rgb,
                                                           .measure_only = true}, &w, &h);
        if (w <= max_w && mid > lo)
            lo = mid;
        else if (mid <= lo)
            break;
        else
            hi = mid - 1;
    }
    while (lo > 0 && ((unsigned char)text[lo] & 0xC0) == 0x80)
        lo--;
    memcpy(buf, text, lo);
    memcpy(buf + lo, "\u2026", 4);
    render_text(cr, buf, &(struct render_text_options){.px = px, .x = x, .y = y, .rgb = rgb},
                NULL, NULL);
}

static const char *class_title(struct viewer *vw)
{
    return style_for_class(vw->frame.style, vw->ui.cls)->title;
}

/* The hint for the current state (plain text; " \u00b7 " separates keys). */
void hintbar_text(struct viewer *vw, char *out, size_t cap)
{
    if (vw->ui.modal != MODAL_NONE) {
        snprintf(out, cap, "Answer the question in the window");
    } else if (vw->ui.text_mode != TEXT_NONE) {
        snprintf(out, cap, "Type %s \u00b7 Enter: accept \u00b7 Ctrl+U: clear \u00b7 Esc: cancel",
                 vw->ui.text_mode == TEXT_LABEL  ? "the label"
                 : vw->ui.text_mode == TEXT_JUMP ? "a mark id, a label or a coordinate"
                                                 : "the path to save to");
    } else if (vw->ui.help) {
        snprintf(out, cap, "Help \u00b7 Up/Down, PgUp/PgDn or the wheel: scroll \u00b7 Esc or F1: close");
    } else if (vw->ui.sticky_error[0]) {
        snprintf(out, cap, "An error is shown at the top \u00b7 Esc or click it: dismiss \u00b7 "
                           "%s: save elsewhere \u00b7 F1 for help", keys_of(ACT_SAVE_AS));
    } else if (vw->ui.marklist_open) {
        snprintf(out, cap, "Mark list \u00b7 type to filter (class:ship date:2024-03 claim:ID) "
                           "\u00b7 Up/Down \u00b7 Enter: go to the mark \u00b7 Esc or F2: close "
                           "\u00b7 F1 for help");
    } else if (vw->ui.claims_open) {
        snprintf(out, cap, "Claims \u00b7 type to search \u00b7 Up/Down \u00b7 Enter or click: "
                           "link the selected mark \u00b7 Tab: close \u00b7 F1 for help");
    } else if (vw->ui.hint_after_mark && vw->doc.selected[0]) {
        snprintf(out, cap,
                 "%s drawn \u00b7 Enter: label \u00b7 Tab: link a claim \u00b7 Esc: done "
                 "\u00b7 F1 for help",
                 vw->doc.selected);
    } else if (vw->ui.ndraft > 0 && (vw->ui.tool == TOOL_LINE || vw->ui.tool == TOOL_POLYGON)) {
        snprintf(out, cap,
                 "%s (%s) \u00b7 click: next vertex \u00b7 Enter or right click: "
                 "finish \u00b7 Backspace: remove the last vertex \u00b7 Esc: cancel "
                 "\u00b7 F1 for help",
                 tool_name(vw->ui.tool), class_title(vw));
    } else {
        const char *keys = "";
        switch (vw->ui.tool) {
        case TOOL_SELECT:
            keys = vw->doc.selected[0]
                       ? "Enter: label \u00b7 Tab: link a claim \u00b7 A: also seen on this "
                         "image \u00b7 drag: move \u00b7 Delete \u00b7 Esc: deselect"
                       : "click a mark to select it \u00b7 drag: pan \u00b7 J: go to \u00b7 "
                         "F2: mark list \u00b7 P L G R M: tools";
            break;
        case TOOL_POINT: keys = "click: add a point \u00b7 1\u20139: class \u00b7 S: select"; break;
        case TOOL_LINE: keys = "click: first vertex \u00b7 1\u20139: class \u00b7 S: select"; break;
        case TOOL_POLYGON:
            keys = "click: first vertex \u00b7 1\u20139: class \u00b7 S: select";
            break;
        case TOOL_RECT: keys = "drag: draw a rectangle \u00b7 1\u20139: class \u00b7 S: select"; break;
        case TOOL_MEASURE:
            keys = "click: measure points (distance, area) \u00b7 Esc: clear \u00b7 S: select";
            break;
        }
        if (vw->ui.tool == TOOL_SELECT || vw->ui.tool == TOOL_MEASURE)
            snprintf(out, cap, "Tool: %s \u00b7 %s \u00b7 F1 for help", tool_name(vw->ui.tool),
                     keys);
        else
            snprintf(out, cap, "Tool: %s (%s) \u00b7 %s \u00b7 F1 for help", tool_name(vw->ui.tool),
                     class_title(vw), keys);
    }
}

void hintbar_draw(struct viewer *vw, cairo_t *cr)
{
    double y0 = vw->view.h - VIEWER_STATUS_H;
    cairo_save(cr);
    cairo_rectangle(cr, 0, y0, vw->view.w, VIEWER_HINT_H);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_rgba(cr, 0.16, 0.17, 0.2, 1);
    cairo_fill(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    char hint[600];
    hintbar_text(vw, hint, sizeof hint);
    double w, h;
    render_text(cr, hint, &(struct render_text_options){.px = 12, .rgb = HINT_TEXT,
                                                        .measure_only = true}, &w, &h);
    hintbar_text_fit(cr, hint, 12, 8, y0 + (VIEWER_HINT_H - h) / 2, vw->view.w - 16,
                     vw->ui.sticky_error[0] ? (struct style_rgb){255, 150, 140} : HINT_TEXT);
    cairo_restore(cr);
}

SDL_Rect hintbar_error_rect(struct viewer *vw)
{
    SDL_Rect r = {0, 0, 0, 0};
    if (!vw->ui.sticky_error[0] || !vw->frame.surface)
        return r;
    cairo_t *cr = cairo_create(vw->frame.surface);
    char text[1200];
    snprintf(text, sizeof text, "%s\n(Esc or click here: dismiss)", vw->ui.sticky_error);
    double wrap = vw->view.w - 4 * BANNER_MARGIN, w, h;
    render_text(cr, text, &(struct render_text_options){.px = BANNER_PX, .wrap_w = wrap,
                                                        .rgb = WHITE, .measure_only = true},
                &w, &h);
    cairo_destroy(cr);
    double max_h = vw->view.h - VIEWER_STATUS_H - 2 * BANNER_MARGIN;
    r.x = BANNER_MARGIN;
    r.y = BANNER_MARGIN;
    r.w = vw->view.w - 2 * BANNER_MARGIN;
    r.h = (int)(h + 2 * BANNER_MARGIN < max_h ? h + 2 * BANNER_MARGIN : max_h);
    return r;
}

void hintbar_draw_error(struct viewer *vw, cairo_t *cr)
{
    SDL_Rect r = hintbar_error_rect(vw);
    if (r.w <= 0)
        return;
    char text[1200];
    snprintf(text, sizeof text, "%s\n(Esc or click here: dismiss)", vw->ui.sticky_error);
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_set_source_rgba(cr, 0.55, 0.08, 0.08, 0.95);
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    cairo_rectangle(cr, r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
    cairo_set_source_rgba(cr, 1, 0.75, 0.7, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    render_text(cr, text, &(struct render_text_options){.px = BANNER_PX, .x = r.x + BANNER_MARGIN,
                                                        .y = r.y + BANNER_MARGIN,
                                                        .wrap_w = r.w - 2 * BANNER_MARGIN,
                                                        .rgb = WHITE}, NULL, NULL);
    cairo_restore(cr);
}
