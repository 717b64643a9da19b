/*
 * vscript — the viewer's input script: a line-based list of user actions
 * (clicks, keys, typed text, drags, wheel turns, waits, screenshots) that
 * `satmark view --script FILE` replays through the same event path as a real
 * user, so the viewer can be tested as a user would use it.
 *
 * Format (docs/viewer.md has the full description), one command per line,
 * blank lines and lines starting with '#' ignored, words separated by
 * spaces or tabs:
 *   click X Y [left|middle|right]        window pixel coordinates
 *   click-lonlat LON LAT [button]        degrees, through the image georeference
 *   dblclick X Y [button]
 *   move X Y                             pointer motion, no button
 *   drag X1 Y1 X2 Y2 [button]            press, move in steps, release
 *   wheel X Y DY                         DY > 0 zooms in (away from the user)
 *   key NAME [MODS]                      NAME as SDL names keys ("Return", "a",
 *                                        "F1", "Delete"); MODS or a NAME prefix
 *                                        like ctrl+shift+z: ctrl, shift, alt
 *   text STRING                          the rest of the line, typed as text input
 *   wait MS                              let MS milliseconds of frames pass
 *   wait-idle                            until every requested tile is shown
 *   wait-file PATH                       until PATH exists (a test's signal to
 *                                        the session: explicit synchronisation)
 *   screenshot FILE                      writes the current frame as PNG
 *   quit                                 ends the session (as closing the window)
 *   print WHAT                           writes "WHAT: ..." of the viewer's state to
 *                                        stdout (status, hint, error, selected,
 *                                        help, labels, view, gcps), for tests
 * Georeferencing a picture (--georef-picture, docs/viewer.md):
 *   gcp PX PY LON LAT                    adds a pair: picture pixel, reference lon/lat
 *   gcp-undo                             removes the last pair
 *   gcp-delete N                         removes pair N (1-based)
 *   georef-method NAME                   poly1, poly2, poly3 or tps
 *   georef-save [OUT]                    writes OUT (.vrt or .tif; default: --georef-out)
 * This module only parses; it knows nothing of SDL (key names are kept as
 * text for the viewer to resolve).
 * Invariants: a parsed script holds at most VSCRIPT_MAX_COMMANDS commands and
 * every number is finite; errors read "FILE:LINE: reason".
 */
#ifndef SATMARK_VSCRIPT_H
#define SATMARK_VSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define VSCRIPT_MAX_COMMANDS 100000
#define VSCRIPT_MAX_LINE 4096

enum vscript_op {
    VSCRIPT_CLICK,
    VSCRIPT_CLICK_LONLAT,
    VSCRIPT_DBLCLICK,
    VSCRIPT_MOVE,
    VSCRIPT_DRAG,
    VSCRIPT_WHEEL,
    VSCRIPT_KEY,
    VSCRIPT_TEXT,
    VSCRIPT_WAIT,
    VSCRIPT_WAIT_IDLE,
    VSCRIPT_WAIT_FILE,
    VSCRIPT_SCREENSHOT,
    VSCRIPT_QUIT,
    VSCRIPT_PRINT,
    VSCRIPT_GCP,
    VSCRIPT_GCP_UNDO,
    VSCRIPT_GCP_DELETE,
    VSCRIPT_GEOREF_METHOD,
    VSCRIPT_GEOREF_SAVE,
};

enum vscript_button { VSCRIPT_LEFT = 1, VSCRIPT_MIDDLE = 2, VSCRIPT_RIGHT = 3 };

enum {
    VSCRIPT_MOD_CTRL = 1,
    VSCRIPT_MOD_SHIFT = 2,
    VSCRIPT_MOD_ALT = 4,
};

struct vscript_cmd {
    enum vscript_op op;
    int line;                  /* 1-based line in the script */
    double x, y;               /* click, move, wheel, drag start; lon/lat for click-lonlat;
                                  picture pixel for gcp; pair number for gcp-delete */
    double x2, y2;             /* drag end; lon/lat for gcp */
    double dy;                 /* wheel */
    enum vscript_button button;
    unsigned mods;             /* VSCRIPT_MOD_* for key */
    int ms;                    /* wait */
    char *text;                /* key name, typed text, screenshot or wait-file path, method,
                                  georef-save path (NULL: the default); owned by the script */
};

struct vscript;

/* Parses text (borrowed, NUL-terminated); name (borrowed) is used in
 * messages. New script on success (free with vscript_free), NULL with
 * "name:LINE: reason" on dg on failure. */
struct vscript *vscript_parse(const char *name, const char *text, struct diag *dg);
/* Reads and parses the file at path (borrowed). */
struct vscript *vscript_read_file(const char *path, struct diag *dg);
/* Frees; accepts NULL. */
void vscript_free(struct vscript *s);

size_t vscript_count(const struct vscript *s);
/* Command i (< count); borrowed until vscript_free. */
const struct vscript_cmd *vscript_at(const struct vscript *s, size_t i);
/* "click", "key", ... as written in scripts; static string. */
const char *vscript_op_name(enum vscript_op op);

#endif
