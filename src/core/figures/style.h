/*
 * style — how each annotation class is drawn: colour, fill opacity, line
 * width, dash pattern, point symbol, label colour, legend title.
 *
 * Loaded from assets/style.json (the renderer and the viewer share it, so a
 * figure and the screen look alike). Every class of enum annot_class must be
 * present, in legend order (pier, ship, container_stack, munitions_pit, rail,
 * crane, building, aoi, other); a missing file is an error naming the path.
 * style_default() is the same palette compiled in, for tests and as the
 * reference the file is checked against in tests.
 *
 * Sizes are in output pixels at scale 1 (the renderer multiplies them by its
 * scale factor). Colours are sRGB 8-bit.
 */
#ifndef SATMARK_STYLE_H
#define SATMARK_STYLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annot.h"
#include "diag.h"

enum style_symbol {
    STYLE_SYMBOL_CIRCLE,
    STYLE_SYMBOL_SQUARE,
    STYLE_SYMBOL_TRIANGLE,
    STYLE_SYMBOL_DIAMOND,
    STYLE_SYMBOL_CROSS
};

/* "circle", "square", ...; static string. */
const char *style_symbol_name(enum style_symbol symbol);

struct style_rgb {
    uint8_t r, g, b;
};

#define STYLE_MAX_DASH 8

struct style_class {
    enum annot_class cls;
    char name[32];            /* class name, as annot_class_name */
    char title[64];           /* legend text, e.g. "Container stack" */
    struct style_rgb colour;  /* stroke, symbol and fill colour */
    double fill_opacity;      /* [0, 1] for polygons */
    double line_width;        /* px, > 0 */
    size_t ndash;             /* 0 = solid */
    double dash[STYLE_MAX_DASH]; /* on/off lengths in px */
    enum style_symbol symbol; /* for points */
    double symbol_size;       /* px, diameter of the symbol */
    struct style_rgb label_colour;
    struct style_rgb halo_colour; /* outline drawn around lines, symbols and labels */
};

struct style;

/* Loads a style file (path borrowed). New; free with style_free. Errors name
 * the path and, for JSON errors, LINE:COLUMN. */
bool style_load(const char *path, struct style **out, struct diag *dg);
/* The compiled-in palette (identical to assets/style.json as shipped). New;
 * free with style_free. NULL only on out of memory. */
struct style *style_default(void);
/* Frees; accepts NULL. */
void style_free(struct style *st);

/* Style of a class; borrowed until style_free. Out-of-range -> other. */
const struct style_class *style_for_class(const struct style *st, enum annot_class cls);

/* Legend entries: the classes used by at least one feature of set (borrowed;
 * NULL = all classes), in legend order, written to out (cap entries).
 * Returns the number of entries. */
size_t style_legend(const struct style *st, const struct annot_set *set,
                    enum annot_class *out, size_t cap);

/* Finds an asset file by name ("style.json"): ASSETS/NAME when the installed
 * settings name an assets directory (settings.h, $SATMARK_ASSETS; then only
 * there), else the first existing of
 * <exe_dir>/../assets/NAME (a build directory inside the source tree),
 * <exe_dir>/../share/satmark/assets/NAME (an installation) and
 * <exe_dir>/../../assets/NAME (test binaries in <build>/tests), where exe_dir
 * is the directory of the running executable (/proc/self/exe). Writes the path into out (cap
 * bytes). Fails naming the places looked at. */
bool style_find_asset(const char *name, char *out, size_t cap, struct diag *dg);
/* style_find_asset("style.json") then style_load. */
bool style_load_default_file(struct style **out, struct diag *dg);

#endif
