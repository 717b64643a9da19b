/*
 * georefview — georeferencing a published picture interactively
 * (`satmark-view REFERENCE.tif --georef-picture PICTURE.png`).
 *
 * The picture is shown beside the reference tile (split view: picture on
 * the left, reference on the right, each panned and zoomed on its own), or
 * over it through the current fit with an adjustable opacity. A click on
 * the picture then a click on the matching place on the reference makes a
 * ground control point pair (picture pixel, and the lon/lat the reference's
 * georeference gives); pairs are numbered on both sides. Each pair's
 * residual and the RMS are the core's (georef_residuals), recomputed on
 * every change once the method has enough pairs; saving goes through
 * georef_write, as `satmark georef` does, so the output records the
 * picture's SHA-256, the GCPs and the method, and the picture is never
 * modified.
 *
 * All state lives in struct georef_session, reached through the viewer's
 * one `georef` pointer (NULL when the mode is off); the hooks in other
 * viewer files are one call each. UI thread only.
 */
#ifndef SATMARK_GEOREFVIEW_H
#define SATMARK_GEOREFVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>
#include <cairo.h>

#include "diag.h"
#include "vscript.h"

struct viewer;
struct georef_session;

/* Command-line options of the mode: "--georef-picture PICTURE" and
 * "--georef-out OUT.vrt|.tif" at argv[*i]. Returns 0 when the argument is
 * not one of them, 1 when taken (*i advanced past its value), -1 on a usage
 * error (msg filled). Creates vw->georef on the first one. */
int georefview_parse_arg(struct viewer *vw, int argc, char **argv, int *i, char *msg,
                         size_t msg_cap);
/* After image A (the reference) is open: checks it is georeferenced, reads
 * the picture. False with "name: reason" on dg. Does nothing without the mode. */
bool georefview_start(struct viewer *vw, struct diag *dg);
/* Lays out both sides for the window (picture fitted on the left, the
 * reference on the right); called once the window exists, and by Home. */
void georefview_fit(struct viewer *vw);
/* Frees the session (accepts vw->georef == NULL); says on stderr how to
 * redo pairs that were never saved (the equivalent `satmark georef`). */
void georefview_close(struct viewer *vw);

/* The left edge of the reference's side of the window (0 when the mode is
 * off or the picture is over the reference): chrome of the reference (the
 * scale bar) starts there. */
int georefview_reference_x0(const struct viewer *vw);
/* Draws the picture (beside: its panel; over: warped through the fit) with
 * the renderer, after the imagery and before the chrome. */
void georefview_draw(struct viewer *vw);
/* Draws the pair markers, the residual vectors and the pairs table into the
 * chrome surface. */
void georefview_draw_chrome(struct viewer *vw, cairo_t *cr);
/* Handles ev when the mode wants it (clicks on either side, the picture's
 * wheel and drags, the mode's keys, a quit with unsaved pairs); true when
 * consumed. Other events go on to the viewer's own handling. */
bool georefview_handle(struct viewer *vw, const SDL_Event *ev);
/* The status bar's position text while the pointer is over the picture
 * ("picture px X, Y") into out; leaves out as it is otherwise. */
void georefview_pointer_text(struct viewer *vw, char *out, size_t cap);
/* The hint bar text of the mode into out; false when the mode is off. */
bool georefview_hint(struct viewer *vw, char *out, size_t cap);

/* Runs a script command of the mode (gcp, gcp-undo, gcp-delete,
 * georef-method, georef-save); false with the reason in why. */
bool georefview_script(struct viewer *vw, const struct vscript_cmd *cmd, char *why,
                       size_t why_cap);
/* `print gcps`: one line per pair and a summary line on stdout. */
void georefview_print(struct viewer *vw);

#endif
