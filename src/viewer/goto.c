/*
 * goto — the J prompt (a mark by id or label, or a coordinate typed as a
 * person types it: coordparse.h) and Save As (Ctrl+Shift+S, a path typed
 * in the window).
 *
 * A coordinate whose order is ambiguous (both numbers within +-90) is read
 * latitude first unless only the other reading falls on image A; the status
 * bar says which reading was taken. The place gets a cross until Esc or the
 * next jump, so the user sees exactly where it is.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coordparse.h"
#include "gjwrite.h"
#include "journal.h"
#include "viewer.h"

void goto_mark(struct viewer *vw, const struct annot_feature *f)
{
    struct annot_lonlat lo, hi;
    if (!annot_geometry_bbox(&f->geom, &lo, &hi)) {
        viewer_message(vw, true, "%s has no geometry", f->id);
        return;
    }
    double x0, y0, x1, y1;
    if (!geo_lonlat_to_pixel(vw->imagery.a.geo, lo.lon, lo.lat, &x0, &y0, NULL) ||
        !geo_lonlat_to_pixel(vw->imagery.a.geo, hi.lon, hi.lat, &x1, &y1, NULL)) {
        viewer_message(vw, true, "%s is outside this image's projection", f->id);
        return;
    }
    vw->view.cx = (x0 + x1) / 2;
    vw->view.cy = (y0 + y1) / 2;
    double w = fabs(x1 - x0), h = fabs(y1 - y0);
    if (w > 0 || h > 0) {
        /* The mark fills at most half the window. */
        double s = fmin(vw->view.w / (2 * fmax(w, 1)), vw->view.h / (2 * fmax(h, 1)));
        vw->view.scale = fmin(s, 4);
    } else if (vw->view.scale < 1) {
        vw->view.scale = 1;
    }
    if (vw->view.scale > 64)
        vw->view.scale = 64;
    if (vw->view.scale < 1e-5)
        vw->view.scale = 1e-5;
    snprintf(vw->doc.selected, sizeof vw->doc.selected, "%s", f->id);
    vw->ui.goto_marker = false;
    viewer_invalidate(vw);
    viewer_message(vw, false, "Jumped to %s", f->id);
}

static const struct annot_feature *find_mark(struct viewer_document *doc, const char *query)
{
    const struct annot_feature *f = annot_find(doc->set, query);
    for (size_t i = 0; !f && i < annot_count(doc->set); i++) {
        const struct annot_feature *g = annot_get(doc->set, i);
        if (g->label && strcasecmp(g->label, query) == 0)
            f = g;
    }
    return f;
}

static const struct annot_feature *find_label_part(struct viewer_document *doc, const char *query)
{
    size_t ql = strlen(query);
    for (size_t i = 0; ql && i < annot_count(doc->set); i++) {
        const struct annot_feature *g = annot_get(doc->set, i);
        for (const char *s = g->label; s && *s; s++)
            if (strncasecmp(s, query, ql) == 0)
                return g;
    }
    return NULL;
}

static bool on_image(struct viewer_imagery *im, double lon, double lat, double *ix, double *iy)
{
    return geo_lonlat_to_pixel(im->a.geo, lon, lat, ix, iy, NULL) && *ix >= 0 && *iy >= 0 &&
           *ix <= im->a.width && *iy <= im->a.height;
}

/* Centres the view on a coordinate; false when it is not a coordinate. */
static bool goto_coordinate(struct viewer *vw, const char *query, struct diag *dg)
{
    struct coordparse_result r;
    if (!coordparse_position(query, &r, dg))
        return false;
    if (!vw->imagery.a.georeferenced) {
        viewer_message(vw, true, "%s has no coordinate reference system: cannot go to %s",
                       vw->imagery.a.name, query);
        return true;
    }
    double lon = r.lon, lat = r.lat, ix, iy;
    const char *which = "";
    bool inside = on_image(&vw->imagery, lon, lat, &ix, &iy);
    if (r.ambiguous) {
        double aix, aiy;
        bool alt_inside = on_image(&vw->imagery, r.alt_lon, r.alt_lat, &aix, &aiy);
        if (alt_inside && !inside) {
            lon = r.alt_lon, lat = r.alt_lat, ix = aix, iy = aiy;
            inside = true;
            which = " (read as longitude, latitude: that order is on the image)";
        } else {
            which = " (read as latitude, longitude)";
        }
    }
    if (!geo_lonlat_to_pixel(vw->imagery.a.geo, lon, lat, &ix, &iy, NULL)) {
        viewer_message(vw, true, "%.6f, %.6f is outside this image's projection", lat, lon);
        return true;
    }
    vw->view.cx = ix;
    vw->view.cy = iy;
    if (vw->view.scale < 1)
        vw->view.scale = 1;
    vw->ui.goto_marker = true;
    vw->ui.goto_lon = lon;
    vw->ui.goto_lat = lat;
    viewer_invalidate(vw);
    viewer_message(vw, !inside, "Went to lat %.6f, lon %.6f%s%s", lat, lon, which,
                   inside ? "" : " \u2014 outside the image");
    return true;
}

void goto_query(struct viewer *vw, const char *query)
{
    const struct annot_feature *f = find_mark(&vw->doc, query);
    if (f) {
        goto_mark(vw, f);
        return;
    }
    struct diag *dg = diag_new();
    bool coordinate = goto_coordinate(vw, query, dg);
    if (!coordinate) {
        f = find_label_part(&vw->doc, query);
        if (f)
            goto_mark(vw, f);
        else
            viewer_message(vw, true, "No mark with id or label \"%s\", and not a coordinate (%s)",
                           query, diag_message(dg));
    }
    diag_free(dg);
}

void goto_draw_marker(struct viewer *vw, cairo_t *cr)
{
    double ix, iy, x, y;
    if (!vw->ui.goto_marker ||
        !geo_lonlat_to_pixel(vw->imagery.a.geo, vw->ui.goto_lon, vw->ui.goto_lat, &ix, &iy, NULL))
        return;
    view_image_to_screen(&vw->view, ix, iy, &x, &y);
    cairo_save(cr);
    for (int pass = 0; pass < 2; pass++) {
        cairo_set_line_width(cr, pass ? 2 : 5);
        cairo_set_source_rgba(cr, pass, pass, pass * 0.3, 1);
        cairo_move_to(cr, x - 14, y);
        cairo_line_to(cr, x - 4, y);
        cairo_move_to(cr, x + 4, y);
        cairo_line_to(cr, x + 14, y);
        cairo_move_to(cr, x, y - 14);
        cairo_line_to(cr, x, y - 4);
        cairo_move_to(cr, x, y + 4);
        cairo_line_to(cr, x, y + 14);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

bool viewer_save_as(struct viewer *vw, const char *typed)
{
    /* the prompt's text is overwritten by the next prompt: copy it */
    char *path = strdup(typed);
    if (!path || !path[0]) {
        free(path);
        viewer_message(vw, true, "Save As: no path given");
        return false;
    }
    struct diag *dg = diag_new();
    bool ok = gjwrite_file(path, vw->doc.set, dg);
    if (!ok) {
        vw->doc.save_failed = true;
        viewer_sticky_error(vw, "Not saved to %s: %s", path, diag_message(dg));
        free(path);
        diag_free(dg);
        return false;
    }
    /* Go on with the new file: its journal from now on, the old one removed
     * (the work it protected is saved). */
    if (vw->doc.journal_path)
        journal_remove(vw->doc.journal_path, NULL);
    char *journal = journal_path_for(path);
    free(vw->doc.journal_path);
    vw->doc.journal_path = journal;
    free(vw->doc.annot_path_owned);
    vw->doc.annot_path_owned = path;
    vw->doc.annot_path = path;
    annot_mark_saved(vw->doc.set);
    vw->doc.recovered_unsaved = false;
    vw->doc.save_failed = false;
    vw->doc.journal_generation = annot_generation(vw->doc.set);
    viewer_message(vw, false, "Saved %zu marks to %s", annot_count(vw->doc.set), path);
    diag_free(dg);
    viewer_invalidate(vw);
    return true;
}
