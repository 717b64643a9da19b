/*
 * keys — the viewer's key bindings, defined once: input.c looks the action
 * of a key press up here, the help overlay (overlay.c) and the hint bar
 * (hintbar.c) print the same table, so what the help says is what the keys
 * do. Keys that only exist inside a panel or prompt (claims search, mark
 * list, label text, modal questions) are described in their own rows with
 * sym 0 (printed, never matched).
 *
 * Invariant: a (sym, modifiers) pair appears at most once among matchable
 * rows; rows without Ctrl match only when Ctrl is up, and rows that say
 * nothing of Shift match with or without it unless a Shift row exists.
 */
#include <stdio.h>
#include <string.h>

#include "viewer.h"

enum { MOD_ANY = 0, MOD_CTRL = 1, MOD_SHIFT = 2 };

struct key_row {
    SDL_Keycode sym;  /* 0: printed only */
    unsigned mods;    /* MOD_CTRL / MOD_SHIFT required */
    enum viewer_action action;
    const char *section;
    const char *keys; /* as printed */
    const char *what;
};

static const struct key_row table[] = {
    {SDLK_UNKNOWN, 0, ACT_NONE, "Navigate", "wheel", "zoom about the pointer"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Navigate", "drag (middle/right, or left on empty ground)", "pan"},
    {SDLK_LEFT, 0, ACT_PAN_LEFT, "Navigate", "arrows", "pan"},
    {SDLK_RIGHT, 0, ACT_PAN_RIGHT, NULL, NULL, NULL},
    {SDLK_UP, 0, ACT_PAN_UP, NULL, NULL, NULL},
    {SDLK_DOWN, 0, ACT_PAN_DOWN, NULL, NULL, NULL},
    {SDLK_PLUS, 0, ACT_ZOOM_IN, "Navigate", "+ / \u2212", "zoom"},
    {SDLK_EQUALS, 0, ACT_ZOOM_IN, NULL, NULL, NULL},
    {SDLK_KP_PLUS, 0, ACT_ZOOM_IN, NULL, NULL, NULL},
    {SDLK_MINUS, 0, ACT_ZOOM_OUT, NULL, NULL, NULL},
    {SDLK_KP_MINUS, 0, ACT_ZOOM_OUT, NULL, NULL, NULL},
    {SDLK_HOME, 0, ACT_FIT, "Navigate", "Home", "fit the image"},
    {SDLK_0, 0, ACT_ONE_TO_ONE, "Navigate", "0", "1:1 pixels"},
    {SDLK_j, 0, ACT_JUMP, "Navigate", "J",
     "go to a mark id or label, or a coordinate (42\u00b014'N 130\u00b018'E, 130.3 42.24, "
     "42.24N,130.3E)"},
    {SDLK_F2, 0, ACT_MARK_LIST, "Navigate", "F2",
     "mark list (type to filter: class:ship date:2024-03 claim:ID; Enter goes to the mark)"},

    {SDLK_s, 0, ACT_TOOL_SELECT, "Tools", "S",
     "select (click a mark; drag moves it; drag a vertex handle to edit)"},
    {SDLK_p, 0, ACT_TOOL_POINT, "Tools", "P", "point (each click adds a mark)"},
    {SDLK_l, 0, ACT_TOOL_LINE, "Tools", "L", "line"},
    {SDLK_g, 0, ACT_TOOL_POLYGON, "Tools", "G",
     "polygon (click vertices; Enter or right click finishes; Backspace removes the last "
     "vertex; Esc cancels)"},
    {SDLK_r, 0, ACT_TOOL_RECT, "Tools", "R", "rectangle (drag)"},
    {SDLK_m, 0, ACT_TOOL_MEASURE, "Tools", "M",
     "measure (geodesic distance and area; Esc clears)"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Tools", "1\u20139",
     "class (1 pier, 2 ship, 3 container stack, 4 munitions pit, 5 rail, 6 crane, 7 building, "
     "8 area of interest, 9 other)"},

    {SDLK_RETURN, 0, ACT_FINISH_OR_LABEL, "Edit", "Enter",
     "finish a line or polygon; else edit the label of the selection"},
    {SDLK_KP_ENTER, 0, ACT_FINISH_OR_LABEL, NULL, NULL, NULL},
    {SDLK_DELETE, 0, ACT_DELETE, "Edit", "Delete", "delete the selection"},
    {SDLK_BACKSPACE, 0, ACT_BACKSPACE, "Edit", "Backspace",
     "remove the last vertex drawn, else delete the selection"},
    {SDLK_a, 0, ACT_ALSO_SEEN, "Edit", "A",
     "the selected mark is also seen on this image (adds an observation with its hash and "
     "date)"},
    {SDLK_z, MOD_CTRL, ACT_UNDO, "Edit", "Ctrl+Z", "undo"},
    {SDLK_y, MOD_CTRL, ACT_REDO, "Edit", "Ctrl+Y or Ctrl+Shift+Z", "redo"},
    {SDLK_z, MOD_CTRL | MOD_SHIFT, ACT_REDO, NULL, NULL, NULL},
    {SDLK_s, MOD_CTRL, ACT_SAVE, "Edit", "Ctrl+S", "save"},
    {SDLK_s, MOD_CTRL | MOD_SHIFT, ACT_SAVE_AS, "Edit", "Ctrl+Shift+S", "save as (type a path)"},
    {SDLK_q, MOD_CTRL, ACT_QUIT, "Edit", "Ctrl+Q", "quit"},
    {SDLK_TAB, 0, ACT_CLAIMS, "Edit", "Tab",
     "claims panel (type to search; click a claim to link the selection, clicks cycle "
     "supports \u2192 contradicts \u2192 context \u2192 unlinked)"},

    {SDLK_i, 0, ACT_IMAGERY, "Layers and compare", "I", "imagery on/off"},
    {SDLK_t, 0, ACT_LABELS, "Layers and compare", "T", "labels on/off"},
    {SDLK_b, 0, ACT_BANDS, "Layers and compare", "B",
     "bands: auto (true colour when the file says which bands are red, green, blue) \u2192 "
     "band 1 alone \u2192 band 2 alone \u2192 \u2026 (grey, or the --ramp)"},
    {SDLK_b, MOD_SHIFT, ACT_TRUE_COLOUR, "Layers and compare", "Shift+B",
     "true colour: the bands the file says are red, green, blue (colour interpretation, band "
     "descriptions, or the Landsat/Sentinel-2 band order from its metadata)"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Layers and compare", "Shift+1\u20139", "show/hide a class"},
    {SDLK_o, 0, ACT_OVERVIEWS, "Layers and compare", "O",
     "build overviews (IMAGE.ovr beside the image, which is not modified) when it has none"},
    {SDLK_w, 0, ACT_SWIPE, "Layers and compare", "W", "swipe (drag the divider)"},
    {SDLK_c, 0, ACT_FLICKER, "Layers and compare", "C",
     "flicker between the two dates (--compare)"},
    {SDLK_d, 0, ACT_OTHER_DATES, "Layers and compare", "D",
     "marks observed on other dates: ghosted (dashed, with their date) \u2192 hidden \u2192 "
     "shown like this date's marks (each side of a compare shows its own date's)"},

    {SDLK_UNKNOWN, 0, ACT_NONE, "Georeferencing a picture (--georef-picture)", "click",
     "a point on the picture (left), then the same place on the reference (right): a pair; "
     "a click on a pair's number or row selects it"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Georeferencing a picture (--georef-picture)",
     "wheel / drag on the picture", "zoom / pan the picture (the reference as usual)"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Georeferencing a picture (--georef-picture)", "M",
     "method: poly1 (3+ pairs) \u2192 poly2 (6+) \u2192 poly3 (10+) \u2192 tps (4+, "
     "leave-one-out residuals)"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Georeferencing a picture (--georef-picture)", "V / [ ]",
     "picture beside \u2194 over the reference through the fit / its opacity"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Georeferencing a picture (--georef-picture)",
     "Backspace or Ctrl+Z / Delete", "undo the last pair / remove the selected pair"},
    {SDLK_UNKNOWN, 0, ACT_NONE, "Georeferencing a picture (--georef-picture)", "Ctrl+S",
     "save OUT (--georef-out, default PICTURE.georef.vrt) through `satmark georef`'s code"},

    {SDLK_F1, 0, ACT_HELP, "Help", "F1 or ?", "this help (Up/Down or the wheel scroll it)"},
    {SDLK_QUESTION, 0, ACT_HELP, NULL, NULL, NULL},
    {SDLK_SLASH, MOD_SHIFT, ACT_HELP, NULL, NULL, NULL},
    {SDLK_ESCAPE, 0, ACT_ESCAPE, "Help", "Esc",
     "close the help or an error message, cancel a drawing, clear the selection"},
};

#define NROWS (sizeof table / sizeof table[0])

enum viewer_action keys_action(SDL_Keycode sym, Uint16 mod)
{
    unsigned want = ((mod & KMOD_CTRL) ? MOD_CTRL : 0) | ((mod & KMOD_SHIFT) ? MOD_SHIFT : 0);
    enum viewer_action loose = ACT_NONE;
    for (size_t i = 0; i < NROWS; i++) {
        const struct key_row *k = &table[i];
        if (k->sym == SDLK_UNKNOWN || k->sym != sym)
            continue;
        if (k->mods == want)
            return k->action;
        /* a row without Shift also takes Shift (Shift+arrows pan) unless a
         * Shift row of that key exists (exact match above wins) */
        if (k->mods == (want & ~(unsigned)MOD_SHIFT))
            loose = k->action;
    }
    return loose;
}

const char *keys_of(enum viewer_action a)
{
    for (size_t i = 0; i < NROWS; i++)
        if (table[i].action == a && table[i].keys)
            return table[i].keys;
    return "";
}

const char *keys_help_markup(void)
{
    static char text[8192];
    if (text[0])
        return text;
    size_t len = 0;
    len += (size_t)snprintf(text + len, sizeof text - len,
                            "<b>satmark viewer \u2014 keys</b>");
    const char *section = NULL;
    for (size_t i = 0; i < NROWS && len < sizeof text; i++) {
        const struct key_row *k = &table[i];
        if (!k->keys)
            continue;
        if (!section || strcmp(section, k->section) != 0) {
            section = k->section;
            len += (size_t)snprintf(text + len, sizeof text - len, "\n\n<b>%s</b>", section);
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "\n<b>%s</b>: %s", k->keys,
                                k->what);
    }
    return text;
}
