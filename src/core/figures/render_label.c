/*
 * render_label — label placement for render_overlay_draw. Labels are placed
 * after all geometry: each label tries candidate positions around its anchor
 * (an area's name first inside its top-left corner, then positions inside
 * it) and takes the first that stays inside the frame and meets no label,
 * symbol or keep-clear rectangle placed before it; when all collide it is
 * skipped (counted in the stats). Placement order is the emphasised feature,
 * then points, lines and polygons, then marks of other dates, so the small
 * things an investigator points at win over area names. Neighbouring marks
 * of one class with one label share it (labelgroup.h).
 *
 * Invariants: a placed label never overlaps an obstacle; obstacles only grow.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "render_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelgroup.h"

bool render_boxes_add(struct boxes *b, struct render_rect r)
{
    if (!render_grow((void **)&b->r, &b->cap, b->n + 1, sizeof *b->r))
        return false;
    b->r[b->n++] = r;
    return true;
}

bool render_boxes_hit(const struct boxes *b, const struct render_rect *r)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct render_rect *q = &b->r[i];
        if (r->x < q->x + q->w && q->x < r->x + r->w && r->y < q->y + q->h && q->y < r->y + r->h)
            return true;
    }
    return false;
}

/* Candidate label positions (top-left corners) around an anchor at (ax, ay)
 * for a label w x h with clearance gap; returns how many were written. */
static size_t label_candidates(enum part_kind kind, double ax, double ay, double w, double h,
                               double gap, double (*out)[2])
{
    size_t n = 0;
    if (kind == PART_RING) {
        out[n][0] = ax - w / 2, out[n][1] = ay - h / 2, n++;
        out[n][0] = ax - w / 2, out[n][1] = ay - h - h / 2, n++;
        out[n][0] = ax - w / 2, out[n][1] = ay + h / 2, n++;
        out[n][0] = ax + gap, out[n][1] = ay - h / 2, n++;
        out[n][0] = ax - w - gap, out[n][1] = ay - h / 2, n++;
        return n;
    }
    out[n][0] = ax + gap, out[n][1] = ay - h / 2, n++;          /* right */
    out[n][0] = ax - w - gap, out[n][1] = ay - h / 2, n++;      /* left */
    out[n][0] = ax - w / 2, out[n][1] = ay - gap - h, n++;      /* above */
    out[n][0] = ax - w / 2, out[n][1] = ay + gap, n++;          /* below */
    out[n][0] = ax + gap * 0.7, out[n][1] = ay - gap * 0.7 - h, n++; /* upper right */
    out[n][0] = ax + gap * 0.7, out[n][1] = ay + gap * 0.7, n++;     /* lower right */
    out[n][0] = ax - w - gap * 0.7, out[n][1] = ay - gap * 0.7 - h, n++;
    out[n][0] = ax - w - gap * 0.7, out[n][1] = ay + gap * 0.7, n++;
    return n;
}

static int label_rank(const struct ov_feature *f, const struct render_marks_options *opt)
{
    const char *highlight = opt->highlight_id;
    if (highlight && strcmp(f->id, highlight) == 0)
        return 0;
    if (render_is_ghost(f, opt))
        return 5; /* after every label of this image */
    if (f->anchor_kind == PART_POINTS)
        return 1;
    if (f->anchor_kind == PART_LINE)
        return 2;
    return f->cls == ANNOT_CLASS_AOI ? 4 : 3;
}

/* True when output point (x, y) is inside f's rings (even-odd over all of
 * them, so holes exclude). */
static bool inside_rings(const struct draw_ctx *d, const struct ov_feature *f, double x,
                         double y)
{
    /* test in tile px */
    double tx = d->view->src_x + x / d->sx, ty = d->view->src_y + y / d->sy;
    bool in = false;
    for (size_t p = 0; p < f->nparts; p++) {
        const struct ov_part *part = &d->ov->parts[f->part_start + p];
        if (part->kind != PART_RING)
            continue;
        if (annot_ring_contains(d->ov->xy + part->start, part->n, (struct annot_xy){tx, ty}))
            in = !in;
    }
    return in;
}

/* Candidate positions for the label of a large area: label centres on a grid
 * over its box, inside the area, nearest to the anchor first. */
static size_t area_candidates(const struct draw_ctx *d, const struct ov_feature *f, double ax,
                              double ay, double w, double h, double (*out)[2], size_t cap)
{
    double bx = (f->bbox.x - d->view->src_x) * d->sx, by = (f->bbox.y - d->view->src_y) * d->sy;
    double bw = f->bbox.w * d->sx, bh = f->bbox.h * d->sy;
    enum { G = 7 };
    double cx[G * G], cy[G * G], dist[G * G];
    size_t n = 0;
    for (int i = 0; i < G; i++)
        for (int j = 0; j < G; j++) {
            double x = bx + bw * (i + 0.5) / G, y = by + bh * (j + 0.5) / G;
            if (!inside_rings(d, f, x, y))
                continue;
            cx[n] = x, cy[n] = y, dist[n] = hypot(x - ax, y - ay);
            n++;
        }
    size_t k = 0;
    while (k < cap && n > 0) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (dist[i] < dist[best])
                best = i;
        out[k][0] = cx[best] - w / 2;
        out[k][1] = cy[best] - h / 2;
        k++;
        cx[best] = cx[n - 1], cy[best] = cy[n - 1], dist[best] = dist[n - 1];
        n--;
    }
    return k;
}

/* Output bounding box of f; true when f is small on the output (a pit, a
 * ship, a short line): such marks are obstacles for labels and get their
 * label beside them, like a point, instead of on top of them. */
bool render_small_mark_box(const struct draw_ctx *d, const struct ov_feature *f,
                           struct render_rect *box)
{
    box->x = (f->bbox.x - d->view->src_x) * d->sx;
    box->y = (f->bbox.y - d->view->src_y) * d->sy;
    box->w = f->bbox.w * d->sx;
    box->h = f->bbox.h * d->sy;
    double ow = d->view->out_w, oh = d->view->out_h;
    return f->anchor_kind != PART_POINTS && box->w * box->h < 0.01 * ow * oh &&
           box->w < ow / 6 && box->h < oh / 6;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool render_draw_labels(const struct draw_ctx *d, const size_t *visible, size_t nvisible,
                        struct boxes *obstacles, struct render_marks_stats *stats)
{
    cairo_t *cr = d->cr;
    const struct render_marks_options *opt = d->opt;
    double px = opt->font_px * opt->scale;
    double halo_px = fmax(1.5, 1.6 * opt->scale);
    PangoLayout *layout = render_new_layout(cr, opt->font, px);
    if (!layout)
        return false;
    double fx = 0, fy = 0, fw = d->view->out_w, fh = d->view->out_h;
    if (opt->frame.w > 0 && opt->frame.h > 0) {
        fx = opt->frame.x, fy = opt->frame.y, fw = opt->frame.w, fh = opt->frame.h;
    }
    /* Neighbouring marks of one class with the same label get one label for
     * the group (labelgroup.h); the emphasised feature keeps its own. */
    struct labelgroup_item *items = malloc((nvisible ? nvisible : 1) * sizeof *items);
    size_t *leader = malloc((nvisible ? nvisible : 1) * sizeof *leader);
    size_t *count = malloc((nvisible ? nvisible : 1) * sizeof *count);
    if (!items || !leader || !count) {
        free(items);
        free(leader);
        free(count);
        g_object_unref(layout);
        return false;
    }
    for (size_t v = 0; v < nvisible; v++) {
        const struct ov_feature *f = &d->ov->features[visible[v]];
        double ax = (f->anchor_x - d->view->src_x) * d->sx;
        double ay = (f->anchor_y - d->view->src_y) * d->sy;
        /* a group counts only marks whose anchor is in the frame (those in
         * the margin outside it are not what the reader sees) */
        bool own = label_rank(f, opt) == 0 || ax < fx || ay < fy || ax > fx + fw || ay > fy + fh;
        /* marks of other dates (ghosts) group only among themselves */
        int key = (int)f->cls + (render_is_ghost(f, opt) ? ANNOT_CLASS_COUNT : 0);
        items[v] = (struct labelgroup_item){own ? NULL : (f->dated_label ? f->dated_label : f->label),
                                            key, ax, ay};
    }
    labelgroup_assign(items, nvisible, RENDER_LABEL_GROUP_GAP_EM * px, leader, count);
    /* the texts placed, to report the most repeated one (stats) */
    const char **placed_text = malloc((nvisible ? nvisible : 1) * sizeof *placed_text);
    size_t nplaced_text = 0;
    if (!placed_text) {
        free(items);
        free(leader);
        free(count);
        g_object_unref(layout);
        return false;
    }
    for (int rank = 0; rank <= 5; rank++) {
        for (size_t v = 0; v < nvisible; v++) {
            const struct ov_feature *f = &d->ov->features[visible[v]];
            const char *label = f->dated_label ? f->dated_label : f->label;
            if (!label[0] || label_rank(f, opt) != rank)
                continue;
            if (leader[v] != v) {
                stats->labels_grouped++;
                continue;
            }
            const struct style_class *sc = style_for_class(d->st, f->cls);
            bool ghost = render_is_ghost(f, opt);
            char caption[700];
            if (count[v] >= LABELGROUP_MIN) {
                /* "Container yard blocks (13)", with the dates of a ghost after */
                const char *base = f->label[0] ? f->label : label;
                labelgroup_caption(base, count[v], caption, sizeof caption);
                size_t ll = strlen(base);
                if (f->dated_label && base == f->label && strncmp(f->dated_label, base, ll) == 0) {
                    size_t cl = strlen(caption);
                    snprintf(caption + cl, sizeof caption - cl, "%s", f->dated_label + ll);
                }
                pango_layout_set_text(layout, caption, -1);
            } else {
                pango_layout_set_text(layout, label, -1);
            }
            PangoRectangle ink, logical;
            pango_layout_get_pixel_extents(layout, &ink, &logical);
            double w = logical.width + 2 * halo_px, h = logical.height;
            /* a group's label goes beside its leader, else beside another
             * member (leader first) */
            bool placed = false;
            bool grouped = count[v] >= LABELGROUP_MIN;
            for (size_t t = 0; t <= (grouped ? nvisible : 0) && !placed; t++) {
                size_t m = t == 0 ? v : t - 1;
                if (t > 0 && (m == v || leader[m] != v))
                    continue;
                const struct ov_feature *g = &d->ov->features[visible[m]];
                double ax = (g->anchor_x - d->view->src_x) * d->sx;
                double ay = (g->anchor_y - d->view->src_y) * d->sy;
                double gap = sc->symbol_size * opt->scale / 2 + 3 * opt->scale;
                enum part_kind kind = g->anchor_kind;
                struct render_rect mb;
                if (render_small_mark_box(d, g, &mb)) {
                    /* beside the small mark, around its box's centre */
                    kind = PART_POINTS;
                    ax = mb.x + mb.w / 2;
                    ay = mb.y + mb.h / 2;
                    gap = fmax(mb.w, mb.h) / 2 + 3 * opt->scale;
                } else if (g->anchor_kind != PART_POINTS) {
                    gap = sc->line_width * opt->scale + 4 * opt->scale;
                }
                double cand[32][2];
                size_t nc = 0;
                if (g->cls == ANNOT_CLASS_AOI && g->anchor_kind == PART_RING) {
                    /* an area's name goes inside its top-left corner (of the part
                     * in the frame), where it reads as the area's title; along
                     * that top edge and a little below when furniture is there */
                    double bx = (g->bbox.x - d->view->src_x) * d->sx;
                    double by = (g->bbox.y - d->view->src_y) * d->sy;
                    double bx2 = (g->bbox.x + g->bbox.w - d->view->src_x) * d->sx;
                    double x0 = fmax(bx, fx) + gap, y0 = fmax(by, fy) + gap;
                    for (int row = 0; row < 3; row++)
                        for (int col = 0; col < 8 && nc < 24; col++) {
                            double x = x0 + col * (w * 0.75);
                            if (x + w > fmin(bx2, fx + fw))
                                break;
                            /* a rotated area's box corner is outside it */
                            if (!inside_rings(d, g, x, y0 + row * h * 1.2) ||
                                !inside_rings(d, g, x + w, y0 + row * h * 1.2 + h))
                                continue;
                            cand[nc][0] = x;
                            cand[nc][1] = y0 + row * h * 1.2;
                            nc++;
                        }
                }
                nc += label_candidates(kind, ax, ay, w, h, gap, cand + nc);
                if (kind == PART_RING && nc < 32)
                    nc += area_candidates(d, g, ax, ay, w, h, cand + nc, 32 - nc);
                for (size_t c = 0; c < nc && !placed; c++) {
                    struct render_rect r = {cand[c][0], cand[c][1], w, h};
                    if (r.x < fx + 2 || r.y < fy + 2 || r.x + r.w > fx + fw - 2 ||
                        r.y + r.h > fy + fh - 2)
                        continue;
                    if (render_boxes_hit(obstacles, &r))
                        continue;
                    struct style_rgb ink =
                        ghost ? render_ghost_rgb(sc->label_colour) : sc->label_colour;
                    render_show_layout(cr, layout, r.x + halo_px, r.y, ink, halo_px,
                                       sc->halo_colour);
                    render_boxes_add(obstacles, r);
                    placed = true;
                }
            }
            if (placed) {
                stats->labels_placed++;
                if (count[v] < LABELGROUP_MIN) /* a group's text differs: "... (17)" */
                    placed_text[nplaced_text++] = label;
            } else {
                stats->labels_skipped++;
            }
        }
    }
    qsort(placed_text, nplaced_text, sizeof *placed_text, compare_text);
    for (size_t i = 0, run = 0; i < nplaced_text; i++) {
        run = i > 0 && strcmp(placed_text[i], placed_text[i - 1]) == 0 ? run + 1 : 1;
        if (run > stats->label_max_repeat)
            stats->label_max_repeat = run;
    }
    free(placed_text);
    free(items);
    free(leader);
    free(count);
    g_object_unref(layout);
    return true;
}
