/*
 * style — class styles from assets/style.json (see style.h).
 *
 * The file lists every class exactly once, in legend order; anything else is
 * an error naming the file and the entry, because a figure drawn with a
 * half-read style would silently mislead. The compiled-in table below is the
 * same palette; tests/test_style.c checks the shipped file equals it.
 * Colours were picked to stay readable on imagery (bright, saturated, drawn
 * over a dark halo): pier yellow, ship cyan, containers orange, pits
 * magenta-red, rail white dashed, crane green, building light grey, aoi pale
 * yellow dashed with a faint fill, other purple.
 */
#include "style.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rfile.h"
#include "settings.h"

#define STYLE_MAX_FILE_BYTES (4u * 1024 * 1024) /* a style is a few kB */

struct style {
    struct style_class classes[ANNOT_CLASS_COUNT];
};

static const char *const symbol_names[] = {"circle", "square", "triangle", "diamond", "cross"};

const char *style_symbol_name(enum style_symbol symbol)
{
    if ((int)symbol < 0 || (size_t)symbol >= sizeof symbol_names / sizeof symbol_names[0])
        return "circle";
    return symbol_names[symbol];
}

static bool symbol_from_name(const char *s, enum style_symbol *out)
{
    for (size_t i = 0; i < sizeof symbol_names / sizeof symbol_names[0]; i++)
        if (strcmp(s, symbol_names[i]) == 0) {
            *out = (enum style_symbol)i;
            return true;
        }
    return false;
}

#define RGB(v) {(uint8_t)((v) >> 16), (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)}

static const struct style_class default_classes[ANNOT_CLASS_COUNT] = {
    {ANNOT_CLASS_PIER, "pier", "Pier", RGB(0xffd400), 0.25, 3, 0, {0}, STYLE_SYMBOL_SQUARE, 10,
     RGB(0xffe866), RGB(0x000000)},
    {ANNOT_CLASS_SHIP, "ship", "Ship", RGB(0x00e5ff), 0.3, 2.5, 0, {0}, STYLE_SYMBOL_TRIANGLE,
     12, RGB(0x7ff2ff), RGB(0x000000)},
    {ANNOT_CLASS_CONTAINER_STACK, "container_stack", "Container stack", RGB(0xff8c00), 0.35, 2,
     0, {0}, STYLE_SYMBOL_SQUARE, 9, RGB(0xffb35c), RGB(0x000000)},
    {ANNOT_CLASS_MUNITIONS_PIT, "munitions_pit", "Munitions pit", RGB(0xff2d78), 0.3, 2, 0,
     {0}, STYLE_SYMBOL_CIRCLE, 9, RGB(0xff7aa8), RGB(0x000000)},
    {ANNOT_CLASS_RAIL, "rail", "Rail / rail cars", RGB(0xffffff), 0.2, 2.5, 2, {8, 4},
     STYLE_SYMBOL_CROSS, 10, RGB(0xffffff), RGB(0x000000)},
    {ANNOT_CLASS_CRANE, "crane", "Crane", RGB(0x4cff4c), 0.25, 2, 0, {0}, STYLE_SYMBOL_DIAMOND,
     11, RGB(0x9cff9c), RGB(0x000000)},
    {ANNOT_CLASS_BUILDING, "building", "Building", RGB(0xd0d0d0), 0.2, 1.5, 0, {0},
     STYLE_SYMBOL_SQUARE, 9, RGB(0xe8e8e8), RGB(0x000000)},
    {ANNOT_CLASS_AOI, "aoi", "Area of interest", RGB(0xfff35c), 0.08, 2, 2, {10, 6},
     STYLE_SYMBOL_DIAMOND, 10, RGB(0xfff7a0), RGB(0x000000)},
    {ANNOT_CLASS_OTHER, "other", "Other", RGB(0xc77dff), 0.25, 2, 0, {0}, STYLE_SYMBOL_CIRCLE,
     9, RGB(0xddb3ff), RGB(0x000000)},
};

struct style *style_default(void)
{
    struct style *st = malloc(sizeof *st);
    if (st)
        memcpy(st->classes, default_classes, sizeof st->classes);
    return st;
}

void style_free(struct style *st)
{
    free(st);
}

const struct style_class *style_for_class(const struct style *st, enum annot_class cls)
{
    if ((int)cls < 0 || cls >= ANNOT_CLASS_COUNT)
        cls = ANNOT_CLASS_OTHER;
    return &st->classes[cls];
}

size_t style_legend(const struct style *st, const struct annot_set *set,
                    enum annot_class *out, size_t cap)
{
    (void)st;
    bool used[ANNOT_CLASS_COUNT] = {false};
    if (!set) {
        for (int i = 0; i < ANNOT_CLASS_COUNT; i++)
            used[i] = true;
    } else {
        for (size_t i = 0; i < annot_count(set); i++) {
            enum annot_class c = annot_get(set, i)->cls;
            if ((int)c >= 0 && c < ANNOT_CLASS_COUNT)
                used[c] = true;
        }
    }
    size_t n = 0;
    for (int i = 0; i < ANNOT_CLASS_COUNT && n < cap; i++)
        if (used[i])
            out[n++] = (enum annot_class)i;
    return n;
}

static bool parse_colour(const char *s, struct style_rgb *out)
{
    if (strlen(s) != 7 || s[0] != '#')
        return false;
    unsigned v = 0;
    for (int i = 1; i < 7; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v * 16 + d;
    }
    *out = (struct style_rgb)RGB(v);
    return true;
}

/* Reads one class entry; on error records "path: classes[i] (name): reason". */
static bool read_class(const char *path, size_t i, json_t *e, struct style_class *sc,
                       struct diag *dg)
{
    memset(sc, 0, sizeof *sc);
    sc->cls = (enum annot_class)i;
    const char *want = annot_class_name((enum annot_class)i);
    if (!json_is_object(e)) {
        diag_error(dg, "%s: classes[%zu]: must be an object", path, i);
        return false;
    }
    json_t *name = json_object_get(e, "name");
    if (!json_is_string(name) || strcmp(json_string_value(name), want) != 0) {
        diag_error(dg, "%s: classes[%zu]: expected class \"%s\" here (the classes are listed "
                       "once each, in the order pier, ship, container_stack, munitions_pit, "
                       "rail, crane, building, aoi, other)",
                   path, i, want);
        return false;
    }
    snprintf(sc->name, sizeof sc->name, "%s", want);
    const char *field = NULL;
    json_t *v;
    v = json_object_get(e, "title");
    if (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof sc->title)
        field = "title (a string of at most 63 bytes)";
    else
        snprintf(sc->title, sizeof sc->title, "%s", json_string_value(v));
    v = json_object_get(e, "colour");
    if (!field && (!json_is_string(v) || !parse_colour(json_string_value(v), &sc->colour)))
        field = "colour (#rrggbb)";
    v = json_object_get(e, "label_colour");
    if (!field && (!json_is_string(v) || !parse_colour(json_string_value(v), &sc->label_colour)))
        field = "label_colour (#rrggbb)";
    v = json_object_get(e, "halo_colour");
    if (!field && (!json_is_string(v) || !parse_colour(json_string_value(v), &sc->halo_colour)))
        field = "halo_colour (#rrggbb)";
    v = json_object_get(e, "fill_opacity");
    if (!field && (!json_is_number(v) || !(json_number_value(v) >= 0.0) ||
                   json_number_value(v) > 1.0))
        field = "fill_opacity (a number in [0, 1])";
    else if (!field)
        sc->fill_opacity = json_number_value(v);
    v = json_object_get(e, "line_width");
    if (!field && (!json_is_number(v) || !(json_number_value(v) > 0.0) ||
                   json_number_value(v) > 100.0))
        field = "line_width (a number of pixels in (0, 100])";
    else if (!field)
        sc->line_width = json_number_value(v);
    v = json_object_get(e, "symbol_size");
    if (!field && (!json_is_number(v) || !(json_number_value(v) > 0.0) ||
                   json_number_value(v) > 200.0))
        field = "symbol_size (a number of pixels in (0, 200])";
    else if (!field)
        sc->symbol_size = json_number_value(v);
    v = json_object_get(e, "symbol");
    if (!field && (!json_is_string(v) || !symbol_from_name(json_string_value(v), &sc->symbol)))
        field = "symbol (circle, square, triangle, diamond or cross)";
    v = json_object_get(e, "dash");
    if (!field) {
        size_t n = json_is_array(v) ? json_array_size(v) : 0;
        if (!json_is_array(v) || n > STYLE_MAX_DASH || n % 2 != 0)
            field = "dash (an array of an even number, at most 8, of on/off lengths)";
        for (size_t k = 0; !field && k < n; k++) {
            json_t *d = json_array_get(v, k);
            if (!json_is_number(d) || !(json_number_value(d) > 0.0) ||
                json_number_value(d) > 1000.0)
                field = "dash (lengths must be positive numbers of pixels)";
            else
                sc->dash[k] = json_number_value(d);
        }
        if (!field)
            sc->ndash = n;
    }
    if (field) {
        diag_error(dg, "%s: classes[%zu] (%s): missing or invalid %s", path, i, want, field);
        return false;
    }
    return true;
}

bool style_load(const char *path, struct style **out, struct diag *dg)
{
    *out = NULL;
    json_error_t err;
    size_t text_len;
    char *text = rfile_read(path, STYLE_MAX_FILE_BYTES, &text_len, dg);
    if (!text)
        return false;
    json_t *root = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &err);
    free(text);
    if (!root) {
        diag_limit_quote(err.text);
        if (err.line >= 1)
            diag_error(dg, "%s:%d:%d: %s", path, err.line, err.column >= 1 ? err.column : 1,
                       err.text);
        else
            diag_error(dg, "%s: %s", path, err.text);
        return false;
    }
    struct style *st = calloc(1, sizeof *st);
    bool ok = st != NULL;
    if (!ok)
        diag_error(dg, "%s: out of memory", path);
    json_t *version = json_object_get(root, "satmark_style");
    json_t *classes = json_object_get(root, "classes");
    if (ok && (!json_is_integer(version) || json_integer_value(version) != 1)) {
        diag_error(dg, "%s: not a satmark style file (\"satmark_style\": 1 missing)", path);
        ok = false;
    }
    if (ok && (!json_is_array(classes) || json_array_size(classes) != ANNOT_CLASS_COUNT)) {
        diag_error(dg, "%s: \"classes\" must list the %d classes", path, ANNOT_CLASS_COUNT);
        ok = false;
    }
    for (size_t i = 0; ok && i < ANNOT_CLASS_COUNT; i++)
        ok = read_class(path, i, json_array_get(classes, i), &st->classes[i], dg);
    json_decref(root);
    if (!ok) {
        free(st);
        return false;
    }
    *out = st;
    return true;
}

static bool file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

bool style_find_asset(const char *name, char *out, size_t cap, struct diag *dg)
{
    const char *env = settings_get()->assets_dir; /* $SATMARK_ASSETS */
    if (env && *env) {
        int n = snprintf(out, cap, "%s/%s", env, name);
        if (n < 0 || (size_t)n >= cap) {
            diag_error(dg, "SATMARK_ASSETS: path too long");
            return false;
        }
        if (!file_exists(out)) {
            diag_error(dg, "%s: asset not found (SATMARK_ASSETS=%s): %s", out, env,
                       strerror(errno));
            return false;
        }
        return true;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        diag_error(dg, "%s: cannot find the assets directory (set SATMARK_ASSETS)", name);
        return false;
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    static const char *const relative[] = {"../assets", "../share/satmark/assets",
                                           "../../assets"};
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        int n = snprintf(out, cap, "%s/%s/%s", exe, relative[i], name);
        if (n >= 0 && (size_t)n < cap && file_exists(out))
            return true;
    }
    diag_error(dg, "%s: not found in %s/../assets, %s/../share/satmark/assets or "
                   "%s/../../assets (set SATMARK_ASSETS to the assets directory)",
               name, exe, exe, exe);
    return false;
}

bool style_load_default_file(struct style **out, struct diag *dg)
{
    char path[PATH_MAX + 64];
    *out = NULL;
    if (!style_find_asset("style.json", path, sizeof path, dg))
        return false;
    return style_load(path, out, dg);
}
