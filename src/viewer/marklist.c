/*
 * marklist — the mark list panel (F2): every mark of the file, one row each
 * (id, class, label, dates observed, claims linked), filtered by what the
 * user types: words all of which must match, each either class:NAME (a
 * class name, an alias annot_class_from_name knows, the start of a name, or
 * the class number 1-9), date:PREFIX (an observation date starting
 * so: date:2024-03), claim:PART (a linked claim id containing it), or a part
 * of the id or label. Up/Down move, Enter or a click goes to the mark (and
 * selects it), Esc or F2 closes. Tab opens the claims panel instead (typing
 * goes to one search box at a time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "viewer.h"

static const struct style_rgb WHITE = {255, 255, 255};
static const struct style_rgb GREY = {170, 175, 185};
static const struct style_rgb YELLOW = {255, 220, 80};

SDL_Rect marklist_rect(const struct viewer *vw)
{
    int w = vw->view.w < 900 ? vw->view.w / 2 : 420;
    SDL_Rect r = {0, 0, w, vw->view.h - VIEWER_STATUS_H};
    return r;
}

void marklist_toggle(struct viewer *vw)
{
    vw->ui.marklist_open = !vw->ui.marklist_open;
    vw->ui.marklist_cursor = 0;
    vw->ui.marklist_filter[0] = '\0';
    viewer_invalidate(vw);
}

static bool contains_ci(const char *hay, const char *needle, size_t n)
{
    for (const char *s = hay; s && *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

static bool word_matches(const struct annot_feature *f, const char *w, size_t n)
{
    /* "class:" alone: still being typed, matches everything */
    if (w[n - 1] == ':' && (n == 6 || n == 5) &&
        (strncasecmp(w, "class:", n) == 0 || strncasecmp(w, "claim:", n) == 0 ||
         strncasecmp(w, "date:", n) == 0))
        return true;
    if (n > 6 && strncasecmp(w, "class:", 6) == 0) {
        const char *v = w + 6;
        size_t vn = n - 6;
        if (vn == 1 && v[0] >= '1' && v[0] <= '9')
            return (int)f->cls == v[0] - '1';
        /* a class name or alias as the core reads them ("pit", "vessel"),
         * else the start of a class name ("container") */
        char typed[64];
        enum annot_class cls;
        if (vn < sizeof typed) {
            memcpy(typed, v, vn);
            typed[vn] = '\0';
            if (annot_class_from_name(typed, &cls))
                return f->cls == cls;
        }
        return strncasecmp(annot_class_name(f->cls), v, vn) == 0;
    }
    if (n > 5 && strncasecmp(w, "date:", 5) == 0) {
        for (size_t i = 0; i < f->nobs; i++)
            if (f->obs[i].acquired && strncmp(f->obs[i].acquired, w + 5, n - 5) == 0)
                return true;
        return false;
    }
    if (n > 6 && strncasecmp(w, "claim:", 6) == 0) {
        for (size_t i = 0; i < f->nclaims; i++)
            if (contains_ci(f->claims[i].claim, w + 6, n - 6))
                return true;
        return false;
    }
    return contains_ci(f->id, w, n) || contains_ci(f->label, w, n);
}

bool marklist_matches(const struct annot_feature *f, const char *filter)
{
    const char *s = filter;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *e = s;
        while (*e && *e != ' ')
            e++;
        if (e > s && !word_matches(f, s, (size_t)(e - s)))
            return false;
        s = e;
    }
    return true;
}

bool marklist_filtered_at(const struct viewer *vw, size_t k, size_t *index)
{
    for (size_t i = 0; i < annot_count(vw->doc.set); i++)
        if (marklist_matches(annot_get(vw->doc.set, i), vw->ui.marklist_filter) && k-- == 0) {
            *index = i;
            return true;
        }
    return false;
}

static void go_to_row(struct viewer *vw, size_t k)
{
    size_t index;
    if (!marklist_filtered_at(vw, k, &index)) {
        viewer_message(vw, true, "No mark matches \"%s\"", vw->ui.marklist_filter);
        return;
    }
    vw->ui.marklist_cursor = k;
    goto_mark(vw, annot_get(vw->doc.set, index));
}

bool marklist_key(struct viewer *vw, SDL_Keycode sym)
{
    size_t index;
    switch (sym) {
    case SDLK_ESCAPE:
        if (vw->ui.marklist_filter[0])
            vw->ui.marklist_filter[0] = '\0';
        else
            vw->ui.marklist_open = false;
        vw->ui.marklist_cursor = 0;
        break;
    case SDLK_F2: vw->ui.marklist_open = false; break;
    case SDLK_UP:
        if (vw->ui.marklist_cursor > 0)
            vw->ui.marklist_cursor--;
        break;
    case SDLK_DOWN:
        if (marklist_filtered_at(vw, vw->ui.marklist_cursor + 1, &index))
            vw->ui.marklist_cursor++;
        break;
    case SDLK_PAGEDOWN:
        for (int i = 0; i < 10 && marklist_filtered_at(vw, vw->ui.marklist_cursor + 1, &index); i++)
            vw->ui.marklist_cursor++;
        break;
    case SDLK_PAGEUP:
        vw->ui.marklist_cursor = vw->ui.marklist_cursor > 10 ? vw->ui.marklist_cursor - 10 : 0;
        break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER: go_to_row(vw, vw->ui.marklist_cursor); break;
    case SDLK_BACKSPACE: {
        size_t len = strlen(vw->ui.marklist_filter);
        while (len > 0) {
            len--;
            if (((unsigned char)vw->ui.marklist_filter[len] & 0xC0) != 0x80)
                break;
        }
        vw->ui.marklist_filter[len] = '\0';
        vw->ui.marklist_cursor = 0;
        break;
    }
    case SDLK_TAB: return false; /* the claims panel takes over (input.c) */
    default: break;              /* typing goes to the filter (TEXTINPUT) */
    }
    return true;
}

bool marklist_click(struct viewer *vw, int x, int y)
{
    SDL_Rect r = marklist_rect(vw);
    if (x < r.x || x >= r.x + r.w || y < r.y || y >= r.y + r.h)
        return false;
    for (size_t i = 0; i < vw->ui.nmarklist_rows; i++)
        if (y >= vw->ui.marklist_rows[i].y0 && y < vw->ui.marklist_rows[i].y1) {
            size_t k = 0, index;
            while (marklist_filtered_at(vw, k, &index) && index != vw->ui.marklist_rows[i].claim)
                k++;
            go_to_row(vw, k);
        }
    return true;
}

/* "2023-11-20, 2024-03-17" of f's observations (distinct days). */
static void dates_of(const struct annot_feature *f, char *out, size_t cap)
{
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < f->nobs && len + 12 < cap; i++) {
        const char *d = f->obs[i].acquired;
        if (!d || !d[0])
            continue;
        char day[11];
        snprintf(day, sizeof day, "%.10s", d);
        if (strstr(out, day))
            continue;
        len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", day);
    }
}

void marklist_draw(struct viewer *vw, cairo_t *cr)
{
    vw->ui.nmarklist_rows = 0;
    if (!vw->ui.marklist_open)
        return;
    SDL_Rect r = marklist_rect(vw);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_set_source_rgba(cr, 0.08, 0.09, 0.11, 0.93);
    cairo_fill(cr);
    double x = r.x + 12, y = r.y + 10, wrap = r.w - 24, h;
    size_t total = 0;
    for (size_t i = 0; i < annot_count(vw->doc.set); i++)
        if (marklist_matches(annot_get(vw->doc.set, i), vw->ui.marklist_filter))
            total++;
    char head[256];
    snprintf(head, sizeof head, "Marks \u2014 %zu of %zu", total, annot_count(vw->doc.set));
    render_text(cr, head, &(struct render_text_options){.px = 15, .x = x, .y = y, .wrap_w = wrap,
                                                        .rgb = WHITE}, NULL, &h);
    y += h + 4;
    snprintf(head, sizeof head, "Filter: %s\u2502", vw->ui.marklist_filter);
    render_text(cr, head, &(struct render_text_options){.px = 13, .x = x, .y = y, .wrap_w = wrap,
                                                        .rgb = YELLOW}, NULL, &h);
    y += h + 4;
    render_text(cr, "class:ship date:2024-03 claim:ID or part of an id or label. "
                    "Up/Down choose, Enter or click: go to the mark. Esc closes.",
                &(struct render_text_options){.px = 11, .x = x, .y = y, .wrap_w = wrap,
                                              .rgb = GREY}, NULL, &h);
    y += h + 8;
    size_t first = vw->ui.marklist_cursor >= 6 ? vw->ui.marklist_cursor - 5 : 0;
    size_t k = 0;
    for (size_t i = 0; i < annot_count(vw->doc.set); i++) {
        const struct annot_feature *f = annot_get(vw->doc.set, i);
        if (!marklist_matches(f, vw->ui.marklist_filter))
            continue;
        size_t row = k++;
        if (row < first)
            continue;
        if (y > r.y + r.h - 30 || vw->ui.nmarklist_rows == VIEWER_MAX_CLAIM_ROWS)
            break;
        const struct style_class *sc = style_for_class(vw->frame.style, f->cls);
        char dates[128], line[1024];
        dates_of(f, dates, sizeof dates);
        snprintf(line, sizeof line, "%s  %s%s%.200s", f->id, sc->title,
                 f->label && f->label[0] ? " \u2014 " : "", f->label ? f->label : "");
        double y0 = y;
        if (row == vw->ui.marklist_cursor) {
            cairo_rectangle(cr, r.x + 4, y - 3, 3, 30);
            cairo_set_source_rgba(cr, 1, 0.86, 0.31, 0.9);
            cairo_fill(cr);
        }
        cairo_rectangle(cr, x, y + 4, 9, 9);
        cairo_set_source_rgb(cr, sc->colour.r / 255.0, sc->colour.g / 255.0, sc->colour.b / 255.0);
        cairo_fill(cr);
        hintbar_text_fit(cr, line, 13, x + 14, y, wrap - 14,
                         strcmp(f->id, vw->doc.selected) == 0 ? YELLOW : WHITE);
        y += 17;
        char sub[512];
        size_t len = (size_t)snprintf(sub, sizeof sub, "%s", dates[0] ? dates : "no date");
        for (size_t c = 0; c < f->nclaims && len < sizeof sub; c++)
            len += (size_t)snprintf(sub + len, sizeof sub - len, "%s%s %s", c ? ", " : " \u00b7 ",
                                    annot_stance_name(f->claims[c].stance), f->claims[c].claim);
        hintbar_text_fit(cr, sub, 11, x + 14, y, wrap - 14, GREY);
        y += 17;
        vw->ui.marklist_rows[vw->ui.nmarklist_rows].y0 = (int)y0;
        vw->ui.marklist_rows[vw->ui.nmarklist_rows].y1 = (int)y;
        vw->ui.marklist_rows[vw->ui.nmarklist_rows].claim = i;
        vw->ui.nmarklist_rows++;
    }
}
