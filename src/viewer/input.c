/*
 * input — the view transform and everything the user does: keys, mouse,
 * typed text, the marking tools, selection, moving and vertex editing, the
 * claims panel, the label and jump prompts, the modal questions. Real and
 * scripted input arrive here alike (script.c pushes SDL events).
 *
 * Every change to the marks is one annot edit (or an undo group for a drag),
 * so Ctrl+Z undoes exactly what the user did. Positions are converted from
 * the screen to image pixels (view) and to lon/lat (geo of image A) at the
 * moment of the click.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "journal.h"
#include "pick.h"
#include "viewer.h"

/* ---- view -------------------------------------------------------------- */

void view_screen_to_image(const struct view *v, double sx, double sy, double *ix, double *iy)
{
    *ix = v->cx + (sx - v->w / 2.0) / v->scale;
    *iy = v->cy + (sy - v->h / 2.0) / v->scale;
}

void view_image_to_screen(const struct view *v, double ix, double iy, double *sx, double *sy)
{
    *sx = (ix - v->cx) * v->scale + v->w / 2.0;
    *sy = (iy - v->cy) * v->scale + v->h / 2.0;
}

void view_fit(struct view *v, int image_w, int image_h)
{
    double avail_h = v->h - VIEWER_STATUS_H;
    if (avail_h < 1)
        avail_h = 1;
    double sx = v->w / (double)image_w, sy = avail_h / image_h;
    v->scale = fmin(sx, sy);
    v->cx = image_w / 2.0;
    /* Centre in the area above the status bar. */
    v->cy = image_h / 2.0 + (VIEWER_STATUS_H / 2.0) / v->scale;
}

static void clamp_scale(struct view *v)
{
    if (v->scale > 64)
        v->scale = 64;
    if (v->scale < 1e-5)
        v->scale = 1e-5;
}

void view_zoom_about(struct view *v, double sx, double sy, double factor)
{
    double ix, iy;
    view_screen_to_image(v, sx, sy, &ix, &iy);
    v->scale *= factor;
    clamp_scale(v);
    /* Keep (ix, iy) under the pointer. */
    v->cx = ix - (sx - v->w / 2.0) / v->scale;
    v->cy = iy - (sy - v->h / 2.0) / v->scale;
}

struct render_view view_to_render(const struct view *v)
{
    struct render_view rv;
    rv.src_w = v->w / v->scale;
    rv.src_h = v->h / v->scale;
    rv.src_x = v->cx - rv.src_w / 2;
    rv.src_y = v->cy - rv.src_h / 2;
    rv.out_w = v->w;
    rv.out_h = v->h;
    return rv;
}

bool view_b_mapping(struct viewer_imagery *im, const struct view *v, struct b_mapping *out)
{
    memset(out, 0, sizeof *out);
    out->vb = *v;
    out->m[1] = out->m[5] = 1; /* identity */
    if (!im->has_b)
        return false;
    if (!im->a.georeferenced || !im->b.georeferenced)
        return true; /* pixel space: same grid assumed */
    /* B pixels of three A pixels around the view centre, through lon/lat:
     * the affine map A -> B there (exact for two north-up or rotated grids
     * of one CRS, a local fit across CRSs). */
    double step = 100.0 / v->scale;
    double ax[3] = {v->cx, v->cx + step, v->cx}, ay[3] = {v->cy, v->cy, v->cy + step};
    double bx[3], by[3];
    for (int i = 0; i < 3; i++) {
        double lon, lat;
        if (!geo_pixel_to_lonlat(im->a.geo, ax[i], ay[i], &lon, &lat, NULL) ||
            !geo_lonlat_to_pixel(im->b.geo, lon, lat, &bx[i], &by[i], NULL))
            return false;
    }
    double *m = out->m;
    m[1] = (bx[1] - bx[0]) / step;
    m[4] = (by[1] - by[0]) / step;
    m[2] = (bx[2] - bx[0]) / step;
    m[5] = (by[2] - by[0]) / step;
    m[0] = bx[0] - m[1] * v->cx - m[2] * v->cy;
    m[3] = by[0] - m[4] * v->cx - m[5] * v->cy;
    double k = hypot(m[1], m[4]); /* B pixels per A pixel along x */
    if (!(k > 0) || !isfinite(m[0]) || !isfinite(m[3]))
        return false;
    out->vb.cx = bx[0];
    out->vb.cy = by[0];
    out->vb.scale = v->scale / k;
    /* The plain (scale and shift) view of B is enough when it stays within
     * a quarter of a B pixel of the affine map over the whole window;
     * otherwise (rotation, flip, other pixel shapes) B is drawn through the
     * affine map so its ground stays under A's. */
    for (int corner = 0; corner < 4; corner++) {
        double ix, iy;
        view_screen_to_image(v, corner & 1 ? v->w : 0, corner & 2 ? v->h : 0, &ix, &iy);
        double fx = m[0] + m[1] * ix + m[2] * iy, fy = m[3] + m[4] * ix + m[5] * iy;
        double px = bx[0] + (ix - v->cx) * k, py = by[0] + (iy - v->cy) * k;
        if (fabs(fx - px) > 0.25 || fabs(fy - py) > 0.25)
            out->affine = true;
    }
    return true;
}

bool view_for_b(struct viewer_imagery *im, const struct view *v, struct view *out)
{
    struct b_mapping map;
    bool ok = view_b_mapping(im, v, &map);
    *out = map.vb;
    return ok;
}

/* ---- helpers ----------------------------------------------------------- */

const char *tool_name(enum tool t)
{
    switch (t) {
    case TOOL_SELECT: return "Select";
    case TOOL_POINT: return "Point";
    case TOOL_LINE: return "Line";
    case TOOL_POLYGON: return "Polygon";
    case TOOL_RECT: return "Rectangle";
    case TOOL_MEASURE: return "Measure";
    }
    return "?";
}

static bool screen_to_lonlat(struct viewer *vw, double sx, double sy, struct annot_lonlat *out)
{
    double ix, iy;
    view_screen_to_image(&vw->view, sx, sy, &ix, &iy);
    struct diag *dg = diag_new();
    bool ok = geo_pixel_to_lonlat(vw->imagery.a.geo, ix, iy, &out->lon, &out->lat, dg);
    if (!ok)
        viewer_message(vw, true, "%s", diag_failed(dg) ? diag_message(dg)
                                                       : "no georeference at this point");
    diag_free(dg);
    return ok;
}

static bool lonlat_to_screen(struct viewer *vw, struct annot_lonlat p, double *sx, double *sy)
{
    double ix, iy;
    if (!geo_lonlat_to_pixel(vw->imagery.a.geo, p.lon, p.lat, &ix, &iy, NULL))
        return false;
    view_image_to_screen(&vw->view, ix, iy, sx, sy);
    return true;
}

static void report(struct viewer *vw, struct diag *dg, const char *what)
{
    if (diag_failed(dg))
        viewer_message(vw, true, "%s: %s", what, diag_message(dg));
}

static void cancel_draft(struct viewer *vw)
{
    vw->ui.ndraft = 0;
    viewer_invalidate(vw);
}

static void set_tool(struct viewer *vw, enum tool t)
{
    vw->ui.tool = t;
    vw->ui.ndraft = 0;
    viewer_message(vw, false, "Tool: %s", tool_name(t));
    viewer_invalidate(vw);
}

static void select_feature(struct viewer *vw, const char *id)
{
    snprintf(vw->doc.selected, sizeof vw->doc.selected, "%s", id ? id : "");
    viewer_invalidate(vw);
}

/* ---- creating marks ------------------------------------------------------ */

static void add_mark(struct viewer *vw, enum annot_geom_type type, const struct annot_lonlat *pts,
                     size_t n)
{
    if (!vw->imagery.a.georeferenced) {
        viewer_message(vw, true, "%s has no coordinate reference system: marks cannot be placed",
                       vw->imagery.a.name);
        return;
    }
    struct diag *dg = diag_new();
    struct annot_feature f;
    annot_feature_init(&f);
    f.cls = vw->ui.cls;
    if (!annot_geometry_from_points(&f.geom, type, pts, n, dg)) {
        report(vw, dg, "new mark");
        diag_free(dg);
        return;
    }
    const char *sha, *hash_error;
    if (!imagery_sha256(&vw->imagery.a, &sha, &hash_error))
        viewer_message(vw, true, "observation without SHA-256: %s", hash_error);
    struct annot_observation obs = {.image = (char *)vw->imagery.a.name,
                                    .sha256 = (char *)sha,
                                    .acquired = vw->imagery.a.acquired};
    f.nobs = 1;
    f.obs = &obs;
    size_t index;
    if (annot_add(vw->doc.set, &f, &index, dg)) {
        const struct annot_feature *added = annot_get(vw->doc.set, index);
        select_feature(vw, added->id);
        vw->ui.hint_after_mark = true;
        viewer_message(vw, false, "Added %s %s", annot_class_name(added->cls), added->id);
    } else {
        report(vw, dg, "new mark");
    }
    annot_geometry_clear(&f.geom);
    diag_free(dg);
    viewer_invalidate(vw);
}

static void finish_draft(struct viewer *vw)
{
    if (vw->ui.tool == TOOL_LINE && vw->ui.ndraft >= 2) {
        add_mark(vw, ANNOT_GEOM_LINESTRING, vw->ui.draft, vw->ui.ndraft);
        vw->ui.ndraft = 0;
    } else if (vw->ui.tool == TOOL_POLYGON && vw->ui.ndraft >= 3) {
        add_mark(vw, ANNOT_GEOM_POLYGON, vw->ui.draft, vw->ui.ndraft);
        vw->ui.ndraft = 0;
    } else if (vw->ui.tool == TOOL_LINE || vw->ui.tool == TOOL_POLYGON) {
        viewer_message(vw, true, "%s needs at least %d vertices", tool_name(vw->ui.tool),
                       vw->ui.tool == TOOL_LINE ? 2 : 3);
    }
    viewer_invalidate(vw);
}

/* ---- hit testing ----------------------------------------------------------- */

static double seg_distance(double px, double py, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

/* Screen distance from (sx, sy) to feature f (points and edges), and whether
 * it lies inside one of its polygons; *area gets the polygons' screen area,
 * *extent the diagonal of its screen bounding box. */
static double feature_distance(struct viewer *vw, const struct annot_feature *f, double sx,
                               double sy, bool *inside, double *area, double *extent)
{
    *inside = false;
    *area = 0;
    double best = INFINITY;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    size_t nparts = f->geom.nparts;
    const struct annot_part *parts = f->geom.parts;
    /* A collection: test its members' parts. */
    for (size_t m = 0; m <= f->geom.nmembers; m++) {
        if (f->geom.type == ANNOT_GEOM_COLLECTION) {
            if (m == f->geom.nmembers)
                break;
            nparts = f->geom.members[m].nparts;
            parts = f->geom.members[m].parts;
        } else if (m > 0) {
            break;
        }
        for (size_t p = 0; p < nparts; p++) {
            const struct annot_part *part = &parts[p];
            bool ring = part->n >= 4 && part->pts[0].lon == part->pts[part->n - 1].lon &&
                        part->pts[0].lat == part->pts[part->n - 1].lat;
            /* the part on screen (positions that do not project are left out);
             * ring arithmetic is annot_geometry's */
            struct annot_xy *xy = malloc(part->n * sizeof *xy);
            if (!xy)
                continue;
            size_t k = 0;
            for (size_t i = 0; i < part->n; i++)
                if (lonlat_to_screen(vw, part->pts[i], &xy[k].x, &xy[k].y))
                    k++;
            for (size_t i = 0; i < k; i++) {
                minx = fmin(minx, xy[i].x), maxx = fmax(maxx, xy[i].x);
                miny = fmin(miny, xy[i].y), maxy = fmax(maxy, xy[i].y);
                if (part->n == 1 || f->geom.type == ANNOT_GEOM_MULTIPOINT)
                    best = fmin(best, hypot(sx - xy[i].x, sy - xy[i].y));
                else if (i > 0)
                    best = fmin(best, seg_distance(sx, sy, xy[i - 1].x, xy[i - 1].y, xy[i].x, xy[i].y));
            }
            if (ring && part->n > 1 && f->geom.type != ANNOT_GEOM_MULTIPOINT) {
                if (annot_ring_contains(xy, k, (struct annot_xy){sx, sy}))
                    *inside = !*inside;
                *area += fabs(annot_ring_area2(xy, k)) / 2;
            }
            free(xy);
        }
    }
    *extent = maxx >= minx ? hypot(maxx - minx, maxy - miny) : 0;
    return best;
}

/* The feature under (sx, sy), ranked by pick.h: the nearest mark within a
 * few pixels, points and small marks before large areas, else the smallest
 * polygon containing the point. NULL when none. */
static const struct annot_feature *hit_test(struct viewer *vw, double sx, double sy)
{
    const struct annot_feature *best = NULL;
    double best_score = INFINITY;
    for (size_t i = 0; i < annot_count(vw->doc.set); i++) {
        const struct annot_feature *f = annot_get(vw->doc.set, i);
        if (vw->ui.hidden_classes & (1u << f->cls) || datestyle_hidden(vw, f))
            continue;
        struct pick_candidate c;
        c.distance_px = feature_distance(vw, f, sx, sy, &c.inside, &c.area_px2, &c.extent_px);
        enum annot_geom_type t = f->geom.type;
        c.kind = t == ANNOT_GEOM_POINT || t == ANNOT_GEOM_MULTIPOINT ? PICK_POINT
                 : t == ANNOT_GEOM_LINESTRING || t == ANNOT_GEOM_MULTILINESTRING ? PICK_LINE
                                                                                : PICK_AREA;
        double score = pick_score(&c, PICK_TOLERANCE_PX);
        if (score < best_score) {
            best_score = score;
            best = f;
        }
    }
    return best;
}

size_t input_selected_vertices(struct viewer *vw, double *xs, double *ys, size_t *parts,
                               size_t *indices, size_t max)
{
    const struct annot_feature *f =
        vw->doc.selected[0] ? annot_find(vw->doc.set, vw->doc.selected) : NULL;
    if (!f || f->geom.type == ANNOT_GEOM_COLLECTION)
        return 0;
    size_t n = 0;
    for (size_t p = 0; p < f->geom.nparts && n < max; p++) {
        const struct annot_part *part = &f->geom.parts[p];
        bool ring = part->n >= 4 && part->pts[0].lon == part->pts[part->n - 1].lon &&
                    part->pts[0].lat == part->pts[part->n - 1].lat;
        size_t count = ring ? part->n - 1 : part->n;
        for (size_t i = 0; i < count && n < max; i++) {
            if (!lonlat_to_screen(vw, part->pts[i], &xs[n], &ys[n]))
                continue;
            parts[n] = p;
            indices[n] = i;
            n++;
        }
    }
    return n;
}

/* ---- edits on the selection -------------------------------------------------- */

static void delete_selected(struct viewer *vw)
{
    if (!vw->doc.selected[0])
        return;
    struct diag *dg = diag_new();
    if (annot_delete(vw->doc.set, vw->doc.selected, dg))
        viewer_message(vw, false, "Deleted %s (Ctrl+Z undoes)", vw->doc.selected);
    else
        report(vw, dg, "delete");
    diag_free(dg);
    select_feature(vw, NULL);
}

static void undo_redo(struct viewer *vw, bool redo)
{
    bool ok = redo ? annot_redo(vw->doc.set) : annot_undo(vw->doc.set);
    viewer_message(vw, !ok, "%s", ok ? (redo ? "Redone" : "Undone")
                                     : (redo ? "Nothing to redo" : "Nothing to undo"));
    if (vw->doc.selected[0] && !annot_find(vw->doc.set, vw->doc.selected))
        vw->doc.selected[0] = '\0';
    viewer_invalidate(vw);
}

static void commit_label(struct viewer *vw)
{
    struct diag *dg = diag_new();
    if (vw->doc.selected[0] && annot_edit_label(vw->doc.set, vw->doc.selected, vw->ui.text, dg))
        viewer_message(vw, false, "Label of %s: %s", vw->doc.selected, vw->ui.text);
    else
        report(vw, dg, "label");
    diag_free(dg);
}

/* ---- claims panel -------------------------------------------------------------- */

static void claim_clicked(struct viewer *vw, size_t claim_index)
{
    const struct claims_claim *c = claims_claim_at(vw->doc.claims, claim_index);
    if (!vw->doc.selected[0]) {
        viewer_message(vw, true, "Select a mark first, then click a claim to link it");
        return;
    }
    const struct annot_feature *f = annot_find(vw->doc.set, vw->doc.selected);
    if (!f)
        return;
    const struct annot_claim_link *link = NULL;
    for (size_t i = 0; i < f->nclaims; i++)
        if (strcmp(f->claims[i].claim, c->id) == 0)
            link = &f->claims[i];
    struct diag *dg = diag_new();
    bool ok;
    const char *now;
    if (!link) {
        ok = annot_edit_add_claim(vw->doc.set, vw->doc.selected, c->id, ANNOT_STANCE_SUPPORTS, dg);
        now = "supports";
    } else if (link->stance == ANNOT_STANCE_CONTEXT) {
        ok = annot_edit_remove_claim(vw->doc.set, vw->doc.selected, c->id, dg);
        now = "unlinked";
    } else {
        ok = annot_edit_cycle_stance(vw->doc.set, vw->doc.selected, c->id, dg);
        now = link->stance == ANNOT_STANCE_SUPPORTS ? "contradicts" : "context";
    }
    if (ok)
        viewer_message(vw, false, "%s %s %s", vw->doc.selected, now, c->id);
    else
        report(vw, dg, "claim link");
    diag_free(dg);
    viewer_invalidate(vw);
}

bool input_claim_matches(const struct claims_claim *c, const char *query)
{
    if (!*query)
        return true;
    size_t ql = strlen(query);
    const char *fields[] = {c->id, c->text, c->place};
    for (size_t k = 0; k < 3; k++)
        for (const char *s = fields[k]; s && *s; s++)
            if (strncasecmp(s, query, ql) == 0)
                return true;
    return false;
}

/* The k-th claim matching the search; false when there are fewer. */
static bool claims_filtered_at(const struct viewer *vw, size_t k, size_t *index)
{
    for (size_t i = 0; i < claims_claim_count(vw->doc.claims); i++)
        if (input_claim_matches(claims_claim_at(vw->doc.claims, i), vw->ui.claims_search) &&
            k-- == 0) {
            *index = i;
            return true;
        }
    return false;
}

static size_t rows_index(const struct viewer *vw, size_t claim)
{
    size_t k = 0;
    for (size_t i = 0; i < claim; i++)
        if (input_claim_matches(claims_claim_at(vw->doc.claims, i), vw->ui.claims_search))
            k++;
    return k;
}

static bool in_rect(const SDL_Rect *r, int x, int y)
{
    return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

/* ---- text ---------------------------------------------------------------------- */

static void text_append(char *buf, size_t cap, const char *add)
{
    size_t len = strlen(buf), n = strlen(add);
    if (len + n + 1 > cap)
        return;
    memcpy(buf + len, add, n + 1);
}

static void text_backspace(char *buf)
{
    size_t len = strlen(buf);
    /* Remove one UTF-8 character: continuation bytes are 10xxxxxx. */
    while (len > 0) {
        len--;
        if (((unsigned char)buf[len] & 0xC0) != 0x80)
            break;
    }
    buf[len] = '\0';
}

static void start_text(struct viewer *vw, enum text_mode mode, const char *initial)
{
    vw->ui.text_mode = mode;
    snprintf(vw->ui.text, sizeof vw->ui.text, "%s", initial ? initial : "");
    viewer_invalidate(vw);
}

/* ---- keys ---------------------------------------------------------------------- */

static bool is_ctrl(Uint16 mod) { return (mod & KMOD_CTRL) != 0; }
static bool is_shift(Uint16 mod) { return (mod & KMOD_SHIFT) != 0; }

static void pan_by(struct viewer *vw, double dx_screen, double dy_screen)
{
    vw->view.cx += dx_screen / vw->view.scale;
    vw->view.cy += dy_screen / vw->view.scale;
    viewer_invalidate(vw);
}

static void handle_modal_key(struct viewer *vw, SDL_Keycode sym)
{
    if (vw->ui.modal == MODAL_QUIT) {
        if (sym == SDLK_s) {
            vw->ui.modal = MODAL_NONE;
            if (viewer_save(vw))
                vw->running = false;
        } else if (sym == SDLK_d) {
            struct diag *dg = diag_new();
            if (vw->doc.journal_path && !journal_remove(vw->doc.journal_path, dg))
                report(vw, dg, "journal");
            diag_free(dg);
            vw->ui.modal = MODAL_NONE;
            vw->running = false;
        } else if (sym == SDLK_ESCAPE) {
            vw->ui.modal = MODAL_NONE;
            viewer_message(vw, false, "Quit cancelled");
        }
    } else if (vw->ui.modal == MODAL_RECOVER) {
        if (sym == SDLK_r || sym == SDLK_d)
            viewer_answer_recovery(vw, sym == SDLK_r);
    }
    viewer_invalidate(vw);
}

static void handle_text_key(struct viewer *vw, SDL_Keycode sym, Uint16 mod)
{
    if ((sym == SDLK_u && (mod & KMOD_CTRL)) ||
        (sym == SDLK_BACKSPACE && (mod & KMOD_CTRL))) {
        vw->ui.text[0] = '\0'; /* clears the line, as in a shell */
    } else if (sym == SDLK_BACKSPACE) {
        text_backspace(vw->ui.text);
    } else if (sym == SDLK_ESCAPE) {
        vw->ui.text_mode = TEXT_NONE;
    } else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) {
        enum text_mode mode = vw->ui.text_mode;
        vw->ui.text_mode = TEXT_NONE;
        if (mode == TEXT_LABEL)
            commit_label(vw);
        else if (mode == TEXT_JUMP)
            goto_query(vw, vw->ui.text);
        else if (mode == TEXT_SAVE_AS)
            viewer_save_as(vw, vw->ui.text);
    }
    viewer_invalidate(vw);
}

/* The selected mark is also seen on image A: an observation with A's
 * file name, SHA-256 and date (one undo step; none when already there). */
static void also_seen_here(struct viewer *vw)
{
    if (!vw->doc.selected[0]) {
        viewer_message(vw, true, "Select a mark first: A records that it is also seen on %s",
                       vw->imagery.a.name);
        return;
    }
    const char *sha, *hash_error;
    if (!imagery_sha256(&vw->imagery.a, &sha, &hash_error)) {
        viewer_sticky_error(vw, "Observation not recorded: no SHA-256 of %s (%s)",
                            vw->imagery.a.name, hash_error);
        return;
    }
    const struct annot_feature *f = annot_find(vw->doc.set, vw->doc.selected);
    for (size_t i = 0; f && i < f->nobs; i++)
        if (strcmp(f->obs[i].image, vw->imagery.a.name) == 0 &&
            strcmp(f->obs[i].sha256, sha) == 0) {
            viewer_message(vw, false, "%s is already observed on %s", vw->doc.selected,
                           vw->imagery.a.name);
            return;
        }
    struct annot_observation obs = {.image = (char *)vw->imagery.a.name,
                                    .sha256 = (char *)sha,
                                    .acquired = vw->imagery.a.acquired};
    struct diag *dg = diag_new();
    if (annot_edit_add_observation(vw->doc.set, vw->doc.selected, &obs, dg))
        viewer_message(vw, false, "%s also seen on %s (%s)", vw->doc.selected, vw->imagery.a.name,
                       vw->imagery.a.acquired[0] ? vw->imagery.a.acquired : "date unknown");
    else
        report(vw, dg, "observation");
    diag_free(dg);
    viewer_invalidate(vw);
}

static void help_scroll_by(struct viewer *vw, double dy)
{
    vw->ui.help_scroll = fmax(0, fmin(vw->ui.help_scroll_max, vw->ui.help_scroll + dy));
    viewer_invalidate(vw);
}

/* ---- key actions (keys.c says which keys trigger each) ------------------ */

static void act_tool_select(struct viewer *vw) { set_tool(vw, TOOL_SELECT); }
static void act_tool_point(struct viewer *vw) { set_tool(vw, TOOL_POINT); }
static void act_tool_line(struct viewer *vw) { set_tool(vw, TOOL_LINE); }
static void act_tool_polygon(struct viewer *vw) { set_tool(vw, TOOL_POLYGON); }
static void act_tool_rect(struct viewer *vw) { set_tool(vw, TOOL_RECT); }
static void act_tool_measure(struct viewer *vw) { set_tool(vw, TOOL_MEASURE); }

/* One arrow key press pans an eighth of the window (at least 32 px). */
static double pan_step(const struct view *v) { return fmax(32, fmin(v->w, v->h) / 8.0); }
static void act_pan_left(struct viewer *vw) { pan_by(vw, -pan_step(&vw->view), 0); }
static void act_pan_right(struct viewer *vw) { pan_by(vw, pan_step(&vw->view), 0); }
static void act_pan_up(struct viewer *vw) { pan_by(vw, 0, -pan_step(&vw->view)); }
static void act_pan_down(struct viewer *vw) { pan_by(vw, 0, pan_step(&vw->view)); }

static void zoom_centre(struct viewer *vw, double factor)
{
    view_zoom_about(&vw->view, vw->view.w / 2.0, vw->view.h / 2.0, factor);
    viewer_invalidate(vw);
}
static void act_zoom_in(struct viewer *vw) { zoom_centre(vw, 1.5); }
static void act_zoom_out(struct viewer *vw) { zoom_centre(vw, 1 / 1.5); }
static void act_one_to_one(struct viewer *vw) { zoom_centre(vw, 1.0 / vw->view.scale); }

static void act_fit(struct viewer *vw)
{
    view_fit(&vw->view, vw->imagery.a.width, vw->imagery.a.height);
    viewer_invalidate(vw);
}

static void act_finish_or_label(struct viewer *vw)
{
    if (vw->ui.ndraft > 0 && (vw->ui.tool == TOOL_LINE || vw->ui.tool == TOOL_POLYGON)) {
        finish_draft(vw);
    } else if (vw->doc.selected[0]) {
        const struct annot_feature *f = annot_find(vw->doc.set, vw->doc.selected);
        start_text(vw, TEXT_LABEL, f && f->label ? f->label : "");
    }
}

static void act_escape(struct viewer *vw)
{
    if (vw->ui.ndraft > 0)
        cancel_draft(vw);
    else if (vw->ui.marklist_open)
        vw->ui.marklist_open = false;
    else
        select_feature(vw, NULL);
    vw->ui.goto_marker = false;
    viewer_invalidate(vw);
}

static void act_backspace(struct viewer *vw)
{
    if (vw->ui.ndraft > 0) {
        vw->ui.ndraft--;
        viewer_invalidate(vw);
    } else {
        delete_selected(vw);
    }
}

static void act_claims(struct viewer *vw)
{
    if (!vw->doc.claims) {
        viewer_message(vw, true, "No claims catalog (give --claims FILE)");
    } else {
        vw->ui.claims_open = true;
        vw->ui.marklist_open = false;
        vw->ui.claims_search[0] = '\0';
        vw->ui.claims_cursor = 0;
    }
    viewer_invalidate(vw);
}

static void act_jump(struct viewer *vw)
{
    start_text(vw, TEXT_JUMP, "");
    vw->ui.skip_next_text = true;
}

static void act_save(struct viewer *vw) { viewer_save(vw); }

static void act_save_as(struct viewer *vw)
{
    start_text(vw, TEXT_SAVE_AS, vw->doc.annot_path ? vw->doc.annot_path : "");
    vw->ui.skip_next_text = true;
}

static void act_undo(struct viewer *vw) { undo_redo(vw, false); }
static void act_redo(struct viewer *vw) { undo_redo(vw, true); }

static void act_swipe(struct viewer *vw)
{
    if (vw->imagery.has_b) {
        vw->ui.compare = COMPARE_SWIPE;
        vw->ui.show_b = false;
        viewer_message(vw, false, "Swipe: drag the divider; left %s, right %s", vw->imagery.a.name,
                       vw->imagery.b.name);
    }
    viewer_invalidate(vw);
}

static void act_flicker(struct viewer *vw)
{
    if (vw->imagery.has_b) {
        if (vw->ui.compare != COMPARE_FLICKER) {
            vw->ui.compare = COMPARE_FLICKER;
            vw->ui.show_b = true;
        } else {
            vw->ui.show_b = !vw->ui.show_b;
        }
        viewer_message(vw, false, "Showing %s",
                       vw->ui.show_b ? vw->imagery.b.name : vw->imagery.a.name);
    }
    viewer_invalidate(vw);
}

static void act_imagery(struct viewer *vw)
{
    vw->ui.show_imagery = !vw->ui.show_imagery;
    viewer_message(vw, false, "Imagery %s", vw->ui.show_imagery ? "shown" : "hidden");
    viewer_invalidate(vw);
}

static void act_labels(struct viewer *vw)
{
    vw->ui.show_labels = !vw->ui.show_labels;
    viewer_message(vw, false, "Labels %s", vw->ui.show_labels ? "shown" : "hidden");
    viewer_invalidate(vw);
}

static void act_overviews(struct viewer *vw)
{
    overviews_start(vw);
    viewer_invalidate(vw);
}

static void act_help(struct viewer *vw)
{
    vw->ui.help = !vw->ui.help;
    vw->ui.help_scroll = 0;
    viewer_invalidate(vw);
}

/* What each action does, and whether it edits, selects, saves or links
 * marks (refused while the annotation file is still being read). */
static const struct {
    void (*run)(struct viewer *vw);
    bool needs_marks;
} actions[] = {
    [ACT_TOOL_SELECT] = {act_tool_select, false},
    [ACT_TOOL_POINT] = {act_tool_point, false},
    [ACT_TOOL_LINE] = {act_tool_line, false},
    [ACT_TOOL_POLYGON] = {act_tool_polygon, false},
    [ACT_TOOL_RECT] = {act_tool_rect, false},
    [ACT_TOOL_MEASURE] = {act_tool_measure, false},
    [ACT_PAN_LEFT] = {act_pan_left, false},
    [ACT_PAN_RIGHT] = {act_pan_right, false},
    [ACT_PAN_UP] = {act_pan_up, false},
    [ACT_PAN_DOWN] = {act_pan_down, false},
    [ACT_ZOOM_IN] = {act_zoom_in, false},
    [ACT_ZOOM_OUT] = {act_zoom_out, false},
    [ACT_FIT] = {act_fit, false},
    [ACT_ONE_TO_ONE] = {act_one_to_one, false},
    [ACT_JUMP] = {act_jump, true},
    [ACT_FINISH_OR_LABEL] = {act_finish_or_label, true},
    [ACT_ESCAPE] = {act_escape, false},
    [ACT_BACKSPACE] = {act_backspace, true},
    [ACT_DELETE] = {delete_selected, true},
    [ACT_CLAIMS] = {act_claims, true},
    [ACT_MARK_LIST] = {marklist_toggle, false},
    [ACT_ALSO_SEEN] = {also_seen_here, true},
    [ACT_UNDO] = {act_undo, true},
    [ACT_REDO] = {act_redo, true},
    [ACT_SAVE] = {act_save, true},
    [ACT_SAVE_AS] = {act_save_as, true},
    [ACT_QUIT] = {viewer_request_quit, false},
    [ACT_SWIPE] = {act_swipe, false},
    [ACT_FLICKER] = {act_flicker, false},
    [ACT_IMAGERY] = {act_imagery, false},
    [ACT_LABELS] = {act_labels, false},
    [ACT_OVERVIEWS] = {act_overviews, false},
    [ACT_HELP] = {act_help, false},
    [ACT_OTHER_DATES] = {datestyle_cycle, false},
    [ACT_BANDS] = {imagery_cycle_bands, false},
    [ACT_TRUE_COLOUR] = {imagery_true_colour, false},
};
_Static_assert(sizeof actions / sizeof actions[0] == VIEWER_ACTIONS,
               "every viewer_action has a row in actions[]");

static void run_action(struct viewer *vw, enum viewer_action act)
{
    if ((size_t)act < sizeof actions / sizeof actions[0] && actions[act].run)
        actions[act].run(vw);
}

static bool action_needs_marks(enum viewer_action act)
{
    return (size_t)act < sizeof actions / sizeof actions[0] && actions[act].needs_marks;
}

/* ---- keys in a panel or overlay that takes the keyboard ----------------- */

static void help_key(struct viewer *vw, SDL_Keycode sym, enum viewer_action act)
{
    /* The help scrolls when it does not fit the window. */
    double step = 40;
    if (sym == SDLK_UP || sym == SDLK_PAGEUP)
        help_scroll_by(vw, sym == SDLK_UP ? -step : -step * 6);
    else if (sym == SDLK_DOWN || sym == SDLK_PAGEDOWN || sym == SDLK_SPACE)
        help_scroll_by(vw, sym == SDLK_DOWN ? step : step * 6);
    else if (act == ACT_ESCAPE) {
        vw->ui.help = false;
        viewer_invalidate(vw);
    }
}

/* Typing goes to the search box (TEXTINPUT); keys edit it. */
static void claims_key(struct viewer *vw, SDL_Keycode sym)
{
    size_t index;
    if (sym == SDLK_TAB) {
        vw->ui.claims_open = false;
    } else if (sym == SDLK_BACKSPACE) {
        text_backspace(vw->ui.claims_search);
        vw->ui.claims_cursor = 0;
    } else if (sym == SDLK_UP) {
        if (vw->ui.claims_cursor > 0)
            vw->ui.claims_cursor--;
    } else if (sym == SDLK_DOWN) {
        if (claims_filtered_at(vw, vw->ui.claims_cursor + 1, &index))
            vw->ui.claims_cursor++;
    } else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) {
        if (claims_filtered_at(vw, vw->ui.claims_cursor, &index))
            claim_clicked(vw, index);
        else
            viewer_message(vw, true, "No claim matches \"%s\"", vw->ui.claims_search);
    } else if (sym == SDLK_ESCAPE) {
        if (vw->ui.claims_search[0])
            vw->ui.claims_search[0] = '\0';
        else
            vw->ui.claims_open = false;
    } else if (sym == SDLK_DELETE) {
        delete_selected(vw);
    }
    viewer_invalidate(vw);
}

/* 1-9 pick the class of new marks; Shift+1-9 show or hide a class. */
static void class_key(struct viewer *vw, SDL_Keycode sym, Uint16 mod)
{
    enum annot_class cls = (enum annot_class)(sym - SDLK_1);
    if (is_shift(mod)) {
        vw->ui.hidden_classes ^= 1u << cls;
        viewer_message(vw, false, "Layer %s %s", annot_class_name(cls),
                       vw->ui.hidden_classes & (1u << cls) ? "hidden" : "shown");
    } else {
        vw->ui.cls = cls;
        viewer_message(vw, false, "Class %d: %s", (int)cls + 1, annot_class_name(cls));
    }
    viewer_invalidate(vw);
}

/* A key press goes to the first that takes it: a modal question, a text
 * prompt, the error banner (Esc), Ctrl shortcuts, the help overlay, the
 * mark list, the claims panel, the class keys, then the action table. */
static void handle_key(struct viewer *vw, const SDL_KeyboardEvent *key)
{
    SDL_Keycode sym = key->keysym.sym;
    Uint16 mod = key->keysym.mod;
    if (vw->ui.modal != MODAL_NONE) {
        handle_modal_key(vw, sym);
        return;
    }
    if (vw->ui.text_mode != TEXT_NONE) {
        handle_text_key(vw, sym, mod);
        return;
    }
    vw->ui.hint_after_mark = false;
    enum viewer_action act = keys_action(sym, mod);
    if (vw->ui.sticky_error[0] && act == ACT_ESCAPE) {
        hintbar_acknowledge(vw);
        return;
    }
    if (is_ctrl(mod) || act == ACT_HELP) { /* keys_action gives Ctrl rows only with Ctrl */
        run_action(vw, act);
        return;
    }
    if (vw->ui.help) {
        help_key(vw, sym, act);
        return;
    }
    if (vw->ui.marklist_open && marklist_key(vw, sym)) {
        viewer_invalidate(vw);
        return;
    }
    if (vw->ui.claims_open) {
        claims_key(vw, sym);
        return;
    }
    if (sym >= SDLK_1 && sym <= SDLK_9) {
        class_key(vw, sym, mod);
        return;
    }
    run_action(vw, act);
}

/* ---- mouse ---------------------------------------------------------------------- */

static bool near_divider(struct viewer *vw, int x)
{
    return vw->imagery.has_b && vw->ui.compare == COMPARE_SWIPE &&
           fabs(x - vw->ui.divider * vw->view.w) <= 6;
}

static void mouse_down(struct viewer *vw, const SDL_MouseButtonEvent *b)
{
    if (vw->ui.modal != MODAL_NONE)
        return;
    vw->ui.drag = DRAG_NONE;
    vw->ui.drag_button = b->button;
    vw->ui.drag_x0 = vw->ui.drag_last_x = b->x;
    vw->ui.drag_y0 = vw->ui.drag_last_y = b->y;
    vw->ui.drag_moved = false;
    vw->ui.hint_after_mark = false;
    SDL_Rect banner = hintbar_error_rect(vw);
    if (banner.w > 0 && in_rect(&banner, b->x, b->y)) {
        hintbar_acknowledge(vw);
        return;
    }
    if (vw->ui.marklist_open && marklist_click(vw, b->x, b->y))
        return;
    if (vw->ui.claims_open) {
        SDL_Rect panel = overlay_claims_rect(vw);
        if (in_rect(&panel, b->x, b->y)) {
            if (b->button == SDL_BUTTON_LEFT)
                for (size_t i = 0; i < vw->ui.nclaim_rows; i++)
                    if (b->y >= vw->ui.claim_rows[i].y0 && b->y < vw->ui.claim_rows[i].y1) {
                        vw->ui.claims_cursor = rows_index(vw, vw->ui.claim_rows[i].claim);
                        claim_clicked(vw, vw->ui.claim_rows[i].claim);
                    }
            return;
        }
    }
    if (b->button != SDL_BUTTON_LEFT) {
        vw->ui.drag = DRAG_PAN;
        return;
    }
    if (near_divider(vw, b->x)) {
        vw->ui.drag = DRAG_DIVIDER;
        return;
    }
    switch (vw->ui.tool) {
    case TOOL_SELECT: {
        /* A vertex handle of the selection first. */
        double xs[512], ys[512];
        size_t parts[512], idx[512];
        size_t n = input_selected_vertices(vw, xs, ys, parts, idx, 512);
        for (size_t i = 0; i < n; i++) {
            if (hypot(xs[i] - b->x, ys[i] - b->y) <= 6) {
                vw->ui.drag = DRAG_VERTEX;
                vw->ui.drag_part = parts[i];
                vw->ui.drag_index = idx[i];
                annot_group_begin(vw->doc.set);
                return;
            }
        }
        const struct annot_feature *f = hit_test(vw, b->x, b->y);
        if (f) {
            select_feature(vw, f->id);
            vw->ui.drag = DRAG_MOVE;
            annot_group_begin(vw->doc.set);
        } else {
            select_feature(vw, NULL);
            vw->ui.drag = DRAG_PAN;
        }
        break;
    }
    case TOOL_RECT: vw->ui.drag = DRAG_RECT; break;
    default:
        /* Clicks add; a drag pans. */
        vw->ui.drag = DRAG_PAN;
        break;
    }
}

static void mouse_motion(struct viewer *vw, const SDL_MouseMotionEvent *m)
{
    vw->ui.mouse_x = m->x;
    vw->ui.mouse_y = m->y;
    vw->ui.mouse_in = true;
    vw->frame.status_dirty = true;
    vw->frame.needs_frame = true;
    if (vw->ui.drag == DRAG_NONE) {
        if (vw->ui.ndraft > 0 || vw->ui.tool == TOOL_MEASURE)
            viewer_invalidate(vw); /* rubber band */
        return;
    }
    double dx = m->x - vw->ui.drag_last_x, dy = m->y - vw->ui.drag_last_y;
    if (!vw->ui.drag_moved && hypot(m->x - vw->ui.drag_x0, m->y - vw->ui.drag_y0) < 4)
        return;
    vw->ui.drag_moved = true;
    struct diag *dg = diag_new();
    switch (vw->ui.drag) {
    case DRAG_PAN:
        pan_by(vw, -dx, -dy);
        break;
    case DRAG_MOVE: {
        struct annot_lonlat from, to;
        if (screen_to_lonlat(vw, vw->ui.drag_last_x, vw->ui.drag_last_y, &from) &&
            screen_to_lonlat(vw, m->x, m->y, &to) &&
            !annot_edit_move(vw->doc.set, vw->doc.selected, to.lon - from.lon, to.lat - from.lat,
                             dg))
            report(vw, dg, "move");
        break;
    }
    case DRAG_VERTEX: {
        struct annot_lonlat to;
        if (screen_to_lonlat(vw, m->x, m->y, &to) &&
            !annot_edit_set_vertex(vw->doc.set, vw->doc.selected, vw->ui.drag_part,
                                   vw->ui.drag_index, to, dg))
            report(vw, dg, "vertex");
        break;
    }
    case DRAG_DIVIDER: vw->ui.divider = fmin(1, fmax(0, m->x / (double)vw->view.w)); break;
    default:
        break;
    }
    diag_free(dg);
    vw->ui.drag_last_x = m->x;
    vw->ui.drag_last_y = m->y;
    viewer_invalidate(vw);
}

static void mouse_up(struct viewer *vw, const SDL_MouseButtonEvent *b)
{
    enum drag_kind drag = vw->ui.drag;
    vw->ui.drag = DRAG_NONE;
    if (drag == DRAG_MOVE || drag == DRAG_VERTEX) {
        annot_group_end(vw->doc.set);
        if (vw->ui.drag_moved)
            viewer_message(vw, false, "%s %s", drag == DRAG_MOVE ? "Moved" : "Edited vertex of",
                           vw->doc.selected);
        viewer_invalidate(vw);
        return;
    }
    if (drag == DRAG_RECT) {
        struct annot_lonlat c[4];
        if (fabs(b->x - vw->ui.drag_x0) >= 3 && fabs(b->y - vw->ui.drag_y0) >= 3 &&
            screen_to_lonlat(vw, vw->ui.drag_x0, vw->ui.drag_y0, &c[0]) &&
            screen_to_lonlat(vw, b->x, vw->ui.drag_y0, &c[1]) &&
            screen_to_lonlat(vw, b->x, b->y, &c[2]) &&
            screen_to_lonlat(vw, vw->ui.drag_x0, b->y, &c[3]))
            add_mark(vw, ANNOT_GEOM_POLYGON, c, 4);
        viewer_invalidate(vw);
        return;
    }
    if (drag == DRAG_NONE || vw->ui.drag_moved)
        return;
    /* A click (no movement). */
    if (b->button == SDL_BUTTON_RIGHT) {
        if (vw->ui.ndraft > 0 && (vw->ui.tool == TOOL_LINE || vw->ui.tool == TOOL_POLYGON))
            finish_draft(vw);
        return;
    }
    if (b->button != SDL_BUTTON_LEFT)
        return;
    struct annot_lonlat p;
    switch (vw->ui.tool) {
    case TOOL_POINT:
        if (screen_to_lonlat(vw, b->x, b->y, &p))
            add_mark(vw, ANNOT_GEOM_POINT, &p, 1);
        break;
    case TOOL_LINE:
    case TOOL_POLYGON:
    case TOOL_MEASURE:
        if (vw->ui.ndraft < VIEWER_MAX_DRAFT && screen_to_lonlat(vw, b->x, b->y, &p))
            vw->ui.draft[vw->ui.ndraft++] = p;
        viewer_invalidate(vw);
        break;
    default:
        break;
    }
}

/* While the annotation file is still being read, input that would edit,
 * select, save or link marks would work on an empty stand-in set: it is
 * refused with a message. Looking around (navigation, layers, tools, help,
 * compare, quit) works at once. */
static bool waits_for_marks(struct viewer *vw, const SDL_Event *ev)
{
    if (!vw->doc.marks_loading)
        return false;
    bool refused = false;
    if (ev->type == SDL_KEYDOWN) {
        SDL_Keycode sym = ev->key.keysym.sym;
        enum viewer_action act = keys_action(sym, ev->key.keysym.mod);
        /* Ctrl with a key of no action is refused too (it would do nothing). */
        if (is_ctrl(ev->key.keysym.mod))
            refused = act != ACT_QUIT;
        else
            refused = action_needs_marks(act);
    } else if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button.button == SDL_BUTTON_LEFT) {
        /* The select tool pans on empty ground, and the divider moves. */
        refused = vw->ui.tool != TOOL_SELECT && !near_divider(vw, ev->button.x);
    } else if (ev->type == SDL_MOUSEBUTTONUP && ev->button.button == SDL_BUTTON_LEFT) {
        refused = vw->ui.drag == DRAG_NONE && vw->ui.tool != TOOL_SELECT;
    }
    if (refused)
        viewer_message(vw, false, "Loading marks from %s\u2026 editing waits until they are read",
                       vw->doc.annot_path);
    return refused;
}

void input_handle(struct viewer *vw, const SDL_Event *ev)
{
    if (waits_for_marks(vw, ev))
        return;
    if (georefview_handle(vw, ev)) {
        vw->frame.needs_frame = true;
        return;
    }
    switch (ev->type) {
    case SDL_QUIT:
        viewer_request_quit(vw);
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_CLOSE) {
            viewer_request_quit(vw);
        } else if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            vw->view.w = ev->window.data1;
            vw->view.h = ev->window.data2;
            overlay_free(vw);
            if (!overlay_init(vw))
                viewer_message(vw, true, "cannot resize the overlay");
            viewer_invalidate(vw);
        } else if (ev->window.event == SDL_WINDOWEVENT_LEAVE) {
            vw->ui.mouse_in = false;
            vw->frame.status_dirty = true;
        }
        vw->frame.needs_frame = true;
        break;
    case SDL_KEYDOWN:
        handle_key(vw, &ev->key);
        vw->frame.needs_frame = true;
        break;
    case SDL_KEYUP: vw->ui.skip_next_text = false; break;
    case SDL_TEXTINPUT: {
        if (vw->ui.skip_next_text) {
            vw->ui.skip_next_text = false;
            break;
        }
        if (vw->ui.modal != MODAL_NONE)
            break;
        if (vw->ui.text_mode != TEXT_NONE)
            text_append(vw->ui.text, sizeof vw->ui.text, ev->text.text);
        else if (vw->ui.help)
            break;
        else if (vw->ui.marklist_open) {
            text_append(vw->ui.marklist_filter, sizeof vw->ui.marklist_filter, ev->text.text);
            vw->ui.marklist_cursor = 0;
        } else if (vw->ui.claims_open) {
            text_append(vw->ui.claims_search, sizeof vw->ui.claims_search, ev->text.text);
            vw->ui.claims_cursor = 0;
        } else
            break;
        viewer_invalidate(vw);
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
        vw->ui.mouse_x = ev->button.x;
        vw->ui.mouse_y = ev->button.y;
        mouse_down(vw, &ev->button);
        vw->frame.needs_frame = true;
        break;
    case SDL_MOUSEBUTTONUP:
        vw->ui.mouse_x = ev->button.x;
        vw->ui.mouse_y = ev->button.y;
        mouse_up(vw, &ev->button);
        vw->frame.needs_frame = true;
        break;
    case SDL_MOUSEMOTION:
        mouse_motion(vw, &ev->motion);
        break;
    case SDL_MOUSEWHEEL: {
        if (vw->ui.modal != MODAL_NONE)
            break;
        int dy = ev->wheel.y;
        if (ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
            dy = -dy;
        if (dy != 0 && vw->ui.help) {
            help_scroll_by(vw, -40.0 * dy);
        } else if (dy != 0) {
            view_zoom_about(&vw->view, vw->ui.mouse_x, vw->ui.mouse_y, pow(1.25, dy));
            viewer_invalidate(vw);
        }
        break;
    }
    default:
        break;
    }
}
