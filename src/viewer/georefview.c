/*
 * georefview — the viewer's mode for georeferencing a published picture
 * (see georefview.h for what the user sees and the invariants).
 *
 * Layout: beside = the picture panel on the left half of the imagery area,
 * the reference (image A, the viewer's own view) on the right half; over =
 * the reference over the whole area with the picture drawn on it through
 * the current fit (a triangle mesh through georef_transform, so poly2/poly3
 * and thin-plate splines bend it as they would a file), at an opacity.
 * The picture has its own view (centre and scale in picture pixels); the
 * reference keeps using vw->view, so its navigation keys work unchanged.
 *
 * Numbers are the core's: residuals and RMS from georef_residuals, the
 * mapping from georef_transform, the file from georef_write. This file only
 * collects clicks and draws.
 */
#include "georefview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "georef.h"
#include "viewer.h"

#define GEOREF_MAX_PAIRS 256
#define PICTURE_TEXTURE_MAX 4096 /* longest side of the picture as uploaded */
#define MARKER_PICK_PX 8.0       /* a click this close to a pair's marker selects it */
#define DRAG_THRESHOLD_PX 3
#define MESH_CELLS 32            /* over: the picture as MESH_CELLS^2 quads */
#define TABLE_ROWS_MAX 64

static const struct style_rgb PAIR_RGB = {80, 220, 255};
static const struct style_rgb SELECTED_RGB = {255, 220, 80};
static const struct style_rgb PENDING_RGB = {255, 110, 230};
static const struct style_rgb RESIDUAL_RGB = {255, 90, 80};
static const struct style_rgb TEXT_RGB = {235, 238, 242};
static const struct style_rgb DIM_RGB = {170, 176, 186};
static const struct style_rgb HALO_RGB = {0, 0, 0};

struct georef_session {
    const char *picture_path; /* borrowed from argv */
    const char *out_path;     /* --georef-out, borrowed from argv; NULL: default_out */
    char *default_out;        /* owned: PICTURE stem + ".georef.vrt" beside it */
    const char *picture_name; /* file name part of picture_path */
    int pic_w, pic_h;         /* the picture's full-resolution grid */
    uint8_t *rgba;            /* owned: straight RGBA8, tex_w x tex_h */
    int tex_w, tex_h;
    SDL_Texture *tex;         /* owned; made at the first draw */
    /* The picture's view: picture pixel at the panel centre, screen pixels
     * per picture pixel. */
    double pcx, pcy, pscale;
    bool over;
    double opacity; /* over: the picture's opacity, 0.1 .. 1 */
    enum georef_method method;
    struct georef_gcp pairs[GEOREF_MAX_PAIRS];
    size_t n;
    /* The fit of the pairs (refit): valid when fit_ok. */
    double residual[GEOREF_MAX_PAIRS];
    struct georef_fit fit;
    bool fit_ok;
    char fit_why[512]; /* why there is no fit ("poly2 needs 6 pairs, 4 so far") */
    struct georef_transform *transform; /* owned; NULL without a fit */
    /* A picture point waiting for its reference point. */
    bool pending;
    double pend_px, pend_py;
    int selected; /* pair index, -1 none */
    /* A drag or click in progress (left on either side, any button on the picture). */
    bool pressed, moved, press_on_picture;
    int press_button, press_x, press_y, last_x, last_y;
    bool dirty;       /* pairs changed since the last save */
    bool saved_once;  /* written at least once (the table says "saved") */
    bool pointer_on_picture; /* the status bar then shows the picture pixel */
    bool quit_warned; /* the first quit with unsaved pairs was refused */
    /* The pairs table as last drawn: its rectangle and each row's pair. */
    SDL_Rect table;
    int row_y0[TABLE_ROWS_MAX], row_y1[TABLE_ROWS_MAX];
    size_t row_pair[TABLE_ROWS_MAX], nrows;
};

/* ---- layout ---------------------------------------------------------------- */

static int area_h(const struct viewer *vw)
{
    int h = vw->view.h - VIEWER_STATUS_H;
    return h > 1 ? h : 1;
}

/* The picture panel (beside), w = 0 in over. */
static SDL_Rect picture_rect(const struct viewer *vw)
{
    SDL_Rect r = {0, 0, 0, 0};
    if (!vw->ui.georef->over) {
        r.w = vw->view.w / 2;
        r.h = area_h(vw);
    }
    return r;
}

int georefview_reference_x0(const struct viewer *vw)
{
    return vw->ui.georef ? picture_rect(vw).w : 0;
}

static int reference_x0(const struct viewer *vw) { return georefview_reference_x0(vw); }

static bool in_rect(SDL_Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static void picture_to_screen(const struct viewer *vw, double px, double py, double *sx,
                              double *sy)
{
    const struct georef_session *s = vw->ui.georef;
    SDL_Rect r = picture_rect(vw);
    *sx = r.x + r.w / 2.0 + (px - s->pcx) * s->pscale;
    *sy = r.y + r.h / 2.0 + (py - s->pcy) * s->pscale;
}

static void screen_to_picture(const struct viewer *vw, double sx, double sy, double *px,
                              double *py)
{
    const struct georef_session *s = vw->ui.georef;
    SDL_Rect r = picture_rect(vw);
    *px = s->pcx + (sx - r.x - r.w / 2.0) / s->pscale;
    *py = s->pcy + (sy - r.y - r.h / 2.0) / s->pscale;
}

static bool lonlat_to_screen(struct viewer *vw, double lon, double lat, double *sx, double *sy)
{
    double ix, iy;
    if (!geo_lonlat_to_pixel(vw->imagery.a.geo, lon, lat, &ix, &iy, NULL))
        return false;
    view_image_to_screen(&vw->view, ix, iy, sx, sy);
    return isfinite(*sx) && isfinite(*sy);
}

void georefview_fit(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (!s)
        return;
    if (s->over) {
        view_fit(&vw->view, vw->imagery.a.width, vw->imagery.a.height);
    } else {
        SDL_Rect pr = picture_rect(vw);
        s->pscale = 0.95 * fmin(pr.w / (double)s->pic_w, pr.h / (double)s->pic_h);
        s->pcx = s->pic_w / 2.0;
        s->pcy = s->pic_h / 2.0;
        /* the reference fitted into the right half: its centre there */
        double aw = vw->view.w - pr.w, ah = area_h(vw);
        struct view *v = &vw->view;
        v->scale = 0.95 * fmin(aw / vw->imagery.a.width, ah / vw->imagery.a.height);
        v->cx = vw->imagery.a.width / 2.0 - (pr.w + aw / 2.0 - v->w / 2.0) / v->scale;
        v->cy = vw->imagery.a.height / 2.0 - (ah / 2.0 - v->h / 2.0) / v->scale;
    }
    viewer_invalidate(vw);
}

/* ---- the fit ------------------------------------------------------------- */

/* Recomputes residuals, RMS and the mapping after any change of the pairs
 * or the method (the core's; a few microseconds for tens of pairs). */
static void refit(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    georef_transform_free(s->transform);
    s->transform = NULL;
    s->fit_ok = false;
    s->fit_why[0] = '\0';
    size_t need = georef_gcps_needed(s->method);
    if (s->n < need) {
        snprintf(s->fit_why, sizeof s->fit_why, "%s needs %zu pairs, %zu so far",
                 georef_method_name(s->method), need, s->n);
    } else {
        struct diag *dg = diag_new();
        if (!dg) {
            snprintf(s->fit_why, sizeof s->fit_why, "out of memory");
        } else if (georef_residuals(s->pairs, s->n, s->method, s->residual, &s->fit, dg) &&
                   (s->transform = georef_transform_new(s->pairs, s->n, s->method, dg))) {
            s->fit_ok = true;
        } else {
            snprintf(s->fit_why, sizeof s->fit_why, "%s", diag_message(dg));
        }
        diag_free(dg);
    }
    if (!s->fit_ok && s->over)
        s->over = false; /* nothing to draw the picture through */
    viewer_invalidate(vw);
}

static void say_fit(struct viewer *vw, const char *what)
{
    struct georef_session *s = vw->ui.georef;
    if (s->fit_ok)
        viewer_message(vw, false, "%s: %zu pairs, %s, RMS %.2f m (largest %.2f m)%s", what, s->n,
                       georef_method_name(s->method), s->fit.rms_m, s->fit.max_m,
                       s->fit.leave_one_out ? ", leave-one-out" : "");
    else
        viewer_message(vw, false, "%s: %s", what, s->fit_why);
}

static bool add_pair(struct viewer *vw, double px, double py, double lon, double lat, char *why,
                     size_t cap)
{
    struct georef_session *s = vw->ui.georef;
    if (s->n >= GEOREF_MAX_PAIRS) {
        snprintf(why, cap, "at most %d pairs", GEOREF_MAX_PAIRS);
        return false;
    }
    if (!(px >= 0 && py >= 0 && px <= s->pic_w && py <= s->pic_h)) {
        snprintf(why, cap, "pixel %g,%g is outside the picture (%dx%d)", px, py, s->pic_w,
                 s->pic_h);
        return false;
    }
    if (!(fabs(lon) <= 180 && fabs(lat) <= 90)) {
        snprintf(why, cap, "lon/lat %g,%g out of range", lon, lat);
        return false;
    }
    s->pairs[s->n++] = (struct georef_gcp){px, py, lon, lat};
    s->dirty = true;
    s->quit_warned = false;
    s->selected = -1;
    refit(vw);
    char what[64];
    snprintf(what, sizeof what, "Pair %zu added", s->n);
    say_fit(vw, what);
    return true;
}

static bool delete_pair(struct viewer *vw, size_t index)
{
    struct georef_session *s = vw->ui.georef;
    if (index >= s->n)
        return false;
    memmove(&s->pairs[index], &s->pairs[index + 1], (s->n - index - 1) * sizeof s->pairs[0]);
    s->n--;
    s->dirty = true;
    s->quit_warned = false;
    s->selected = -1;
    refit(vw);
    char what[64];
    snprintf(what, sizeof what, "Pair %zu removed (the later ones renumbered)", index + 1);
    say_fit(vw, what);
    return true;
}

static const char *out_path(const struct georef_session *s, const char *given)
{
    return given ? given : s->out_path ? s->out_path : s->default_out;
}

/* Writes the output through the core (as `satmark georef` does). */
static bool save(struct viewer *vw, const char *given, char *why, size_t cap)
{
    struct georef_session *s = vw->ui.georef;
    const char *out = out_path(s, given);
    struct diag *dg = diag_new();
    struct georef_fit fit;
    double residual[GEOREF_MAX_PAIRS];
    /* the reference's hash: computed on a thread since start-up (waits for it) */
    const char *sha = NULL, *hash_error = NULL;
    if (!imagery_sha256(&vw->imagery.a, &sha, &hash_error))
        sha = NULL;
    struct georef_reference ref = {vw->imagery.a.name, sha};
    bool ok = dg && georef_write_from(s->picture_path, s->pairs, s->n, s->method, &ref, out,
                                      residual, &fit, dg);
    if (ok) {
        s->dirty = false;
        s->saved_once = true;
        viewer_message(vw, false,
                       "Saved %s: %zu pairs, %s, RMS %.2f m; it records %s's SHA-256, the "
                       "pairs, the method and the reference %s%s (the picture is not modified)",
                       out, s->n, georef_method_name(fit.method), fit.rms_m, s->picture_name,
                       vw->imagery.a.name, sha ? " and its SHA-256" : ", not its SHA-256 (hashing failed)");
    } else {
        snprintf(why, cap, "%s", dg ? diag_message(dg) : "out of memory");
    }
    diag_free(dg);
    return ok;
}

/* ---- start and end ------------------------------------------------------- */

static struct georef_session *session(struct viewer *vw)
{
    if (!vw->ui.georef) {
        vw->ui.georef = calloc(1, sizeof *vw->ui.georef);
        if (vw->ui.georef) {
            vw->ui.georef->method = GEOREF_POLY1;
            vw->ui.georef->opacity = 0.6;
            vw->ui.georef->selected = -1;
        }
    }
    return vw->ui.georef;
}

int georefview_parse_arg(struct viewer *vw, int argc, char **argv, int *i, char *msg,
                         size_t msg_cap)
{
    const char *a = argv[*i];
    bool picture = strcmp(a, "--georef-picture") == 0, out = strcmp(a, "--georef-out") == 0;
    if (!picture && !out)
        return 0;
    if (*i + 1 >= argc) {
        snprintf(msg, msg_cap, "%s needs %s", a, picture ? "PICTURE" : "OUT.vrt or OUT.tif");
        return -1;
    }
    struct georef_session *s = session(vw);
    if (!s) {
        snprintf(msg, msg_cap, "out of memory");
        return -1;
    }
    if (picture)
        s->picture_path = argv[++*i];
    else
        s->out_path = argv[++*i];
    return 1;
}

bool georefview_start(struct viewer *vw, struct diag *dg)
{
    struct georef_session *s = vw->ui.georef;
    if (!s)
        return true;
    if (!s->picture_path) {
        diag_error(dg, "--georef-out needs --georef-picture PICTURE");
        return false;
    }
    if (vw->imagery.has_b) {
        diag_error(dg, "--georef-picture and --compare cannot be combined: the window is split "
                       "between the picture and one reference");
        return false;
    }
    if (!vw->imagery.a.georeferenced) {
        diag_error(dg, "%s: has no georeferencing, so it cannot give the lon/lat of a point: "
                       "the reference for --georef-picture must be a georeferenced tile",
                   vw->imagery.a.name);
        return false;
    }
    const char *slash = strrchr(s->picture_path, '/');
    s->picture_name = slash ? slash + 1 : s->picture_path;
    /* PICTURE without its extension + ".georef.vrt", beside it */
    size_t len = strlen(s->picture_path);
    const char *dot = strrchr(s->picture_name, '.');
    size_t stem = dot && dot != s->picture_name ? (size_t)(dot - s->picture_path) : len;
    s->default_out = malloc(stem + sizeof ".georef.vrt");
    if (!s->default_out) {
        diag_error(dg, "out of memory");
        return false;
    }
    memcpy(s->default_out, s->picture_path, stem);
    memcpy(s->default_out + stem, ".georef.vrt", sizeof ".georef.vrt");
    /* The picture's own pixel grid: never warped (GCP pixels refer to it). */
    struct raster_open_options ro;
    raster_open_options_init(&ro);
    ro.georef_method = "none";
    ro.keep_degrees = true;
    /* its warnings ("no georeferencing") are the point, not news */
    struct diag *open_dg = diag_new();
    struct raster *r = open_dg ? raster_open(s->picture_path, &ro, open_dg) : NULL;
    if (!r) {
        diag_error(dg, "%s", open_dg ? diag_message(open_dg) : "out of memory");
        diag_free(open_dg);
        return false;
    }
    diag_free(open_dg);
    const struct raster_info *in = raster_get_info(r);
    s->pic_w = in->width;
    s->pic_h = in->height;
    double k = fmin(1.0, PICTURE_TEXTURE_MAX / (double)(s->pic_w > s->pic_h ? s->pic_w : s->pic_h));
    s->tex_w = (int)fmax(1, lround(s->pic_w * k));
    s->tex_h = (int)fmax(1, lround(s->pic_h * k));
    s->rgba = malloc((size_t)s->tex_w * s->tex_h * 4);
    bool ok = s->rgba && raster_read_rgba(r, 0, 0, s->pic_w, s->pic_h, s->tex_w, s->tex_h,
                                          s->rgba, dg);
    if (!s->rgba)
        diag_error(dg, "%s: out of memory for a %dx%d picture", s->picture_path, s->tex_w,
                   s->tex_h);
    raster_close(r);
    if (ok)
        fprintf(stderr, "satmark-view: georeferencing %s (%dx%d) on %s; saves to %s\n",
                s->picture_path, s->pic_w, s->pic_h, vw->imagery.a.name, out_path(s, NULL));
    refit(vw);
    return ok;
}

void georefview_close(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (!s)
        return;
    if (s->dirty && s->n > 0) {
        /* Nothing is lost: the pairs as the command that redoes them. */
        fprintf(stderr, "satmark-view: %zu georeferencing pair%s not saved; to redo them:\n"
                        "  satmark georef '%s'",
                s->n, s->n == 1 ? " was" : "s were", s->picture_path);
        for (size_t i = 0; i < s->n; i++)
            fprintf(stderr, " --gcp %.3f,%.3f,%.8f,%.8f", s->pairs[i].px, s->pairs[i].py,
                    s->pairs[i].lon, s->pairs[i].lat);
        fprintf(stderr, " --method %s -o '%s'\n", georef_method_name(s->method),
                out_path(s, NULL));
    }
    georef_transform_free(s->transform);
    if (s->tex)
        SDL_DestroyTexture(s->tex);
    free(s->rgba);
    free(s->default_out);
    free(s);
    vw->ui.georef = NULL;
}

/* ---- drawing: the picture -------------------------------------------------- */

static bool ensure_texture(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (s->tex)
        return true;
    if (!s->rgba)
        return false;
    s->tex = SDL_CreateTexture(vw->renderer, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC,
                               s->tex_w, s->tex_h);
    if (!s->tex || SDL_UpdateTexture(s->tex, NULL, s->rgba, s->tex_w * 4) != 0) {
        viewer_message(vw, true, "%s: cannot show the picture: %s", s->picture_name,
                       SDL_GetError());
        free(s->rgba); /* do not try every frame */
        s->rgba = NULL;
        return false;
    }
    SDL_SetTextureBlendMode(s->tex, SDL_BLENDMODE_BLEND);
    return true;
}

static SDL_Vertex vertex(double x, double y, double u, double v, Uint8 alpha)
{
    SDL_Vertex p = {{(float)x, (float)y}, {255, 255, 255, alpha}, {(float)u, (float)v}};
    return p;
}

/* Beside: the picture in its panel, the texture's corners where its view puts them. */
static void draw_beside(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    SDL_Rect r = picture_rect(vw);
    SDL_SetRenderDrawColor(vw->renderer, 24, 26, 30, 255);
    SDL_RenderFillRect(vw->renderer, &r);
    double x0, y0, x1, y1;
    picture_to_screen(vw, 0, 0, &x0, &y0);
    picture_to_screen(vw, s->pic_w, s->pic_h, &x1, &y1);
    SDL_Vertex v[4] = {vertex(x0, y0, 0, 0, 255), vertex(x1, y0, 1, 0, 255),
                       vertex(x1, y1, 1, 1, 255), vertex(x0, y1, 0, 1, 255)};
    int idx[6] = {0, 1, 2, 0, 2, 3};
    /* sharp pixels when zoomed in (picking a pixel), smooth when reduced */
    SDL_SetTextureScaleMode(s->tex, s->pscale * s->pic_w / s->tex_w >= 2 ? SDL_ScaleModeNearest
                                                                         : SDL_ScaleModeLinear);
    SDL_RenderSetClipRect(vw->renderer, &r);
    SDL_RenderGeometry(vw->renderer, s->tex, v, 4, idx, 6);
    SDL_RenderSetClipRect(vw->renderer, NULL);
}

/* Over: the picture through the fit, as a mesh whose vertices are picture
 * pixels mapped to lon/lat (the fit) and on to the screen (the reference). */
static void draw_over(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    enum { N = MESH_CELLS + 1 };
    static SDL_Vertex v[N * N];
    static bool ok[N * N];
    static int idx[MESH_CELLS * MESH_CELLS * 6];
    Uint8 alpha = (Uint8)lround(255 * s->opacity);
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
            double u = i / (double)MESH_CELLS, t = j / (double)MESH_CELLS, lon, lat, sx, sy;
            int k = j * N + i;
            ok[k] = georef_transform_pixel(s->transform, u * s->pic_w, t * s->pic_h, &lon, &lat) &&
                    lonlat_to_screen(vw, lon, lat, &sx, &sy) && fabs(sx) < 1e6 && fabs(sy) < 1e6;
            v[k] = vertex(ok[k] ? sx : 0, ok[k] ? sy : 0, u, t, alpha);
        }
    int n = 0;
    for (int j = 0; j < MESH_CELLS; j++)
        for (int i = 0; i < MESH_CELLS; i++) {
            int a = j * N + i, b = a + 1, c = a + N + 1, d = a + N;
            if (!ok[a] || !ok[b] || !ok[c] || !ok[d])
                continue; /* a cell the fit cannot place is left out, not guessed */
            int q[6] = {a, b, c, a, c, d};
            memcpy(idx + n, q, sizeof q);
            n += 6;
        }
    SDL_SetTextureScaleMode(s->tex, SDL_ScaleModeLinear);
    SDL_Rect area = {0, 0, vw->view.w, area_h(vw)};
    SDL_RenderSetClipRect(vw->renderer, &area);
    if (n)
        SDL_RenderGeometry(vw->renderer, s->tex, v, N * N, idx, n);
    SDL_RenderSetClipRect(vw->renderer, NULL);
}

void georefview_draw(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (!s || !ensure_texture(vw))
        return;
    if (!s->over)
        draw_beside(vw);
    else if (s->fit_ok && s->transform)
        draw_over(vw);
}

/* ---- drawing: chrome ------------------------------------------------------- */

/* render_text with its options spelled out (this file's many calls stay short). */
static void text_at(cairo_t *cr, const char *text, const char *font, double px, double x,
                    double y, double wrap_w, struct style_rgb rgb, double halo_px,
                    struct style_rgb halo, bool measure_only, double *w, double *h)
{
    render_text(cr, text,
                &(struct render_text_options){.font = font, .px = px, .x = x, .y = y,
                                              .wrap_w = wrap_w, .rgb = rgb, .halo_px = halo_px,
                                              .halo = halo, .measure_only = measure_only},
                w, h);
}

static void set_rgb(cairo_t *cr, struct style_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

static void marker(cairo_t *cr, double x, double y, const char *label, struct style_rgb rgb)
{
    cairo_set_line_width(cr, 3.5);
    set_rgb(cr, HALO_RGB, 0.8);
    cairo_arc(cr, x, y, 7, 0, 6.283185307179586);
    cairo_stroke(cr);
    cairo_move_to(cr, x - 11, y), cairo_line_to(cr, x + 11, y);
    cairo_move_to(cr, x, y - 11), cairo_line_to(cr, x, y + 11);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 1.5);
    set_rgb(cr, rgb, 1);
    cairo_arc(cr, x, y, 7, 0, 6.283185307179586);
    cairo_stroke(cr);
    cairo_move_to(cr, x - 11, y), cairo_line_to(cr, x + 11, y);
    cairo_move_to(cr, x, y - 11), cairo_line_to(cr, x, y + 11);
    cairo_stroke(cr);
    text_at(cr, label, NULL, 13, x + 9, y - 22, 0, rgb, 2.5, HALO_RGB, false, NULL, NULL);
}

static struct style_rgb pair_rgb(const struct georef_session *s, size_t i)
{
    return (int)i == s->selected ? SELECTED_RGB : PAIR_RGB;
}

static void draw_picture_markers(struct viewer *vw, cairo_t *cr)
{
    struct georef_session *s = vw->ui.georef;
    SDL_Rect r = picture_rect(vw);
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_clip(cr);
    char label[32];
    for (size_t i = 0; i < s->n; i++) {
        double x, y;
        picture_to_screen(vw, s->pairs[i].px, s->pairs[i].py, &x, &y);
        snprintf(label, sizeof label, "%zu", i + 1);
        marker(cr, x, y, label, pair_rgb(s, i));
    }
    if (s->pending) {
        double x, y;
        picture_to_screen(vw, s->pend_px, s->pend_py, &x, &y);
        snprintf(label, sizeof label, "%zu?", s->n + 1);
        marker(cr, x, y, label, PENDING_RGB);
    }
    double w, h;
    char caption[600];
    snprintf(caption, sizeof caption, "picture: %s", s->picture_name);
    text_at(cr, caption, NULL, 13, 0, 0, 0, TEXT_RGB, 0, HALO_RGB, true, &w, &h);
    cairo_rectangle(cr, r.x, r.y, w + 16, h + 8);
    cairo_set_source_rgba(cr, 0.08, 0.09, 0.11, 0.85);
    cairo_fill(cr);
    text_at(cr, caption, NULL, 13, r.x + 8, r.y + 4, 0, TEXT_RGB, 0, HALO_RGB, false, NULL,
                NULL);
    cairo_restore(cr);
    /* the divider between the two sides */
    cairo_rectangle(cr, r.x + r.w - 1, r.y, 2, r.h);
    set_rgb(cr, DIM_RGB, 1);
    cairo_fill(cr);
}

static void draw_reference_markers(struct viewer *vw, cairo_t *cr)
{
    struct georef_session *s = vw->ui.georef;
    int x0 = reference_x0(vw);
    cairo_save(cr);
    cairo_rectangle(cr, x0, 0, vw->view.w - x0, area_h(vw));
    cairo_clip(cr);
    char label[32];
    for (size_t i = 0; i < s->n; i++) {
        double x, y;
        if (!lonlat_to_screen(vw, s->pairs[i].lon, s->pairs[i].lat, &x, &y))
            continue;
        double fl, fa, fx, fy;
        /* where the fit puts the picture point: the residual, to scale */
        if (s->transform &&
            georef_transform_pixel(s->transform, s->pairs[i].px, s->pairs[i].py, &fl, &fa) &&
            lonlat_to_screen(vw, fl, fa, &fx, &fy)) {
            cairo_set_line_width(cr, 2);
            set_rgb(cr, RESIDUAL_RGB, 1);
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, fx, fy);
            cairo_stroke(cr);
        }
        snprintf(label, sizeof label, "%zu", i + 1);
        marker(cr, x, y, label, pair_rgb(s, i));
    }
    double lon, lat, x, y;
    /* a pending picture point: where the current fit expects it (dashed) */
    if (s->pending && s->transform &&
        georef_transform_pixel(s->transform, s->pend_px, s->pend_py, &lon, &lat) &&
        lonlat_to_screen(vw, lon, lat, &x, &y)) {
        double dash[] = {4, 3};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 1.5);
        set_rgb(cr, PENDING_RGB, 1);
        cairo_arc(cr, x, y, 12, 0, 6.283185307179586);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        snprintf(label, sizeof label, "%zu? expected", s->n + 1);
        text_at(cr, label, NULL, 12, x + 14, y + 4, 0, PENDING_RGB, 2.5, HALO_RGB, false,
                    NULL, NULL);
    }
    cairo_restore(cr);
}

/* A row of the pairs table: number, picture pixel, lon/lat, residual. */
#define ROW_FORMAT "%3d %7.1f %7.1f %11.6f %10.6f %s"

/* The pairs table, top right of the reference side: the fit, then a row per pair. */
static void draw_table(struct viewer *vw, cairo_t *cr)
{
    struct georef_session *s = vw->ui.georef;
    char title[700], row[256];
    if (s->fit_ok)
        snprintf(title, sizeof title, "%zu pairs \u00b7 %s (M) \u00b7 RMS %.2f m \u00b7 largest %.2f m%s",
                 s->n, georef_method_name(s->method), s->fit.rms_m, s->fit.max_m,
                 s->fit.leave_one_out ? " \u00b7 leave-one-out" : "");
    else
        snprintf(title, sizeof title, "%zu pairs \u00b7 %s (M) \u00b7 %s", s->n,
                 georef_method_name(s->method), s->fit_why);
    const char *state = s->dirty && s->n > 0 ? " \u00b7 not saved (Ctrl+S)"
                        : s->saved_once         ? " \u00b7 saved"
                                                : "";
    snprintf(title + strlen(title), sizeof title - strlen(title), "%s", state);
    const double px = 12, line = 17, pad = 8;
    double tw, th, width = 0;
    text_at(cr, title, NULL, px, 0, 0, 0, TEXT_RGB, 0, HALO_RGB, true, &tw, &th);
    width = tw;
    snprintf(row, sizeof row, ROW_FORMAT, 999, 99999.0, 99999.0, -179.0, -89.0, "99999.99 m");
    text_at(cr, row, "monospace", px - 1, 0, 0, 0, TEXT_RGB, 0, HALO_RGB, true, &tw, &th);
    width = fmax(width, tw);
    int x0 = reference_x0(vw);
    double max_w = vw->view.w - x0 - 2 * pad - 10;
    if (width > max_w)
        width = max_w;
    size_t fit_rows = (size_t)fmax(0, (area_h(vw) * 0.5 - line - 2 * pad) / line);
    if (fit_rows > TABLE_ROWS_MAX)
        fit_rows = TABLE_ROWS_MAX;
    size_t shown = s->n < fit_rows ? s->n : fit_rows;
    size_t first = s->n - shown; /* the latest pairs when they do not all fit */
    double w = width + 2 * pad, h = line * (2 + shown) + 2 * pad;
    double x = vw->view.w - w - 6, y = 6;
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgba(cr, 0.08, 0.09, 0.11, 0.88);
    cairo_fill(cr);
    s->table = (SDL_Rect){(int)x, (int)y, (int)w, (int)h};
    hintbar_text_fit(cr, title, px, x + pad, y + pad, width, s->fit_ok ? TEXT_RGB : DIM_RGB);
    text_at(cr, s->fit.leave_one_out && s->fit_ok
                        ? "  # picture x       y         lon        lat  residual (LOO)"
                        : "  # picture x       y         lon        lat  residual",
                "monospace", px - 1, x + pad, y + pad + line, 0, DIM_RGB, 0, HALO_RGB, false,
                NULL, NULL);
    s->nrows = 0;
    for (size_t k = 0; k < shown; k++) {
        size_t i = first + k;
        const struct georef_gcp *g = &s->pairs[i];
        char res[32] = "       \u2014";
        if (s->fit_ok)
            snprintf(res, sizeof res, "%8.2f m", s->residual[i]);
        snprintf(row, sizeof row, ROW_FORMAT, (int)(i + 1), g->px, g->py, g->lon, g->lat, res);
        double ry = y + pad + line * (2 + k);
        if ((int)i == s->selected) {
            cairo_rectangle(cr, x + 2, ry - 1, w - 4, line);
            cairo_set_source_rgba(cr, 0.35, 0.3, 0.1, 0.9);
            cairo_fill(cr);
        }
        text_at(cr, row, "monospace", px - 1, x + pad, ry, 0,
                    (int)i == s->selected ? SELECTED_RGB : TEXT_RGB, 0, HALO_RGB, false, NULL, NULL);
        s->row_y0[s->nrows] = (int)ry;
        s->row_y1[s->nrows] = (int)(ry + line);
        s->row_pair[s->nrows++] = i;
    }
}

void georefview_draw_chrome(struct viewer *vw, cairo_t *cr)
{
    struct georef_session *s = vw->ui.georef;
    if (!s)
        return;
    if (!s->over)
        draw_picture_markers(vw, cr);
    draw_reference_markers(vw, cr);
    draw_table(vw, cr);
}

void georefview_pointer_text(struct viewer *vw, char *out, size_t cap)
{
    struct georef_session *s = vw->ui.georef;
    if (!s || s->over || !s->pointer_on_picture)
        return;
    double px, py;
    screen_to_picture(vw, vw->ui.mouse_x, vw->ui.mouse_y, &px, &py);
    if (px >= 0 && py >= 0 && px <= s->pic_w && py <= s->pic_h)
        snprintf(out, cap, "picture px %.1f, %.1f", px, py);
    else
        snprintf(out, cap, "picture: outside it");
}

bool georefview_hint(struct viewer *vw, char *out, size_t cap)
{
    struct georef_session *s = vw->ui.georef;
    if (!s)
        return false;
    if (s->over)
        snprintf(out, cap, "Picture over the reference through the %s fit, %.0f%% \u00b7 [ ]: "
                           "opacity \u00b7 V: side by side \u00b7 M: method \u00b7 Ctrl+S: save "
                           "\u00b7 F1 for help",
                 georef_method_name(s->method), s->opacity * 100);
    else if (s->pending)
        snprintf(out, cap, "Pair %zu: now click the same place on the reference (right) \u00b7 "
                           "a click on the picture moves the point \u00b7 Esc: cancel",
                 s->n + 1);
    else if (s->selected >= 0)
        snprintf(out, cap, "Pair %d selected \u00b7 Delete: remove it \u00b7 Esc: deselect \u00b7 "
                           "click the picture: next pair", s->selected + 1);
    else
        snprintf(out, cap, "Click a point on the picture (left), then the same place on the "
                           "reference (right) \u00b7 Backspace: undo \u00b7 M: method \u00b7 V: "
                           "over \u00b7 Ctrl+S: save %s \u00b7 F1 for help", out_path(s, NULL));
    return true;
}

/* ---- input ----------------------------------------------------------------- */

/* The pair whose marker is within MARKER_PICK_PX of (x, y), -1 none. */
static int marker_at(struct viewer *vw, int x, int y, bool on_picture)
{
    struct georef_session *s = vw->ui.georef;
    int best = -1;
    double best_d = MARKER_PICK_PX;
    for (size_t i = 0; i < s->n; i++) {
        double sx, sy;
        if (on_picture)
            picture_to_screen(vw, s->pairs[i].px, s->pairs[i].py, &sx, &sy);
        else if (!lonlat_to_screen(vw, s->pairs[i].lon, s->pairs[i].lat, &sx, &sy))
            continue;
        double d = hypot(sx - x, sy - y);
        if (d <= best_d) {
            best_d = d;
            best = (int)i;
        }
    }
    return best;
}

static void select_pair(struct viewer *vw, int i)
{
    struct georef_session *s = vw->ui.georef;
    s->selected = i;
    if (i >= 0) {
        if (s->fit_ok)
            viewer_message(vw, false, "Pair %d: residual %.2f m%s (Delete removes it)", i + 1,
                           s->residual[i], s->fit.leave_one_out ? " (leave-one-out)" : "");
        else
            viewer_message(vw, false, "Pair %d selected (Delete removes it)", i + 1);
    }
    viewer_invalidate(vw);
}

static void click_picture(struct viewer *vw, int x, int y)
{
    struct georef_session *s = vw->ui.georef;
    int hit = s->pending ? -1 : marker_at(vw, x, y, true);
    if (hit >= 0) {
        select_pair(vw, hit);
        return;
    }
    double px, py;
    screen_to_picture(vw, x, y, &px, &py);
    if (px < 0 || py < 0 || px > s->pic_w || py > s->pic_h) {
        viewer_message(vw, false, "That is outside the picture");
        return;
    }
    s->pending = true;
    s->pend_px = px;
    s->pend_py = py;
    s->selected = -1;
    viewer_message(vw, false, "Pair %zu: picture %.1f, %.1f \u2014 now the same place on the "
                              "reference", s->n + 1, px, py);
    viewer_invalidate(vw);
}

static void click_reference(struct viewer *vw, int x, int y)
{
    struct georef_session *s = vw->ui.georef;
    if (!s->pending) {
        int hit = marker_at(vw, x, y, false);
        if (hit >= 0)
            select_pair(vw, hit);
        else if (s->over)
            viewer_message(vw, false, "V: side by side to pick points on the picture");
        else
            viewer_message(vw, false, "First click the point on the picture (left), then here");
        return;
    }
    double ix, iy, lon, lat;
    view_screen_to_image(&vw->view, x, y, &ix, &iy);
    if (ix < 0 || iy < 0 || ix > vw->imagery.a.width || iy > vw->imagery.a.height ||
        !geo_pixel_to_lonlat(vw->imagery.a.geo, ix, iy, &lon, &lat, NULL)) {
        viewer_message(vw, false, "That is outside the reference image");
        return;
    }
    char why[256];
    s->pending = false;
    if (!add_pair(vw, s->pend_px, s->pend_py, lon, lat, why, sizeof why))
        viewer_message(vw, true, "%s", why);
}

static bool click_table(struct viewer *vw, int x, int y)
{
    struct georef_session *s = vw->ui.georef;
    if (!in_rect(s->table, x, y))
        return false;
    for (size_t k = 0; k < s->nrows; k++)
        if (y >= s->row_y0[k] && y < s->row_y1[k])
            select_pair(vw, (int)s->row_pair[k]);
    return true;
}

static void zoom_picture(struct viewer *vw, double sx, double sy, double factor)
{
    struct georef_session *s = vw->ui.georef;
    double px, py;
    screen_to_picture(vw, sx, sy, &px, &py);
    s->pscale = fmin(64, fmax(1e-3, s->pscale * factor));
    double qx, qy;
    screen_to_picture(vw, sx, sy, &qx, &qy);
    s->pcx += px - qx; /* keep (px, py) under the pointer */
    s->pcy += py - qy;
    viewer_invalidate(vw);
}

static void undo(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (s->pending) {
        s->pending = false;
        viewer_message(vw, false, "Picture point of pair %zu cancelled", s->n + 1);
        viewer_invalidate(vw);
    } else if (s->n > 0) {
        delete_pair(vw, s->n - 1);
    } else {
        viewer_message(vw, false, "No pair to undo");
    }
}

static void save_key(struct viewer *vw)
{
    char why[1024];
    if (!save(vw, NULL, why, sizeof why))
        viewer_sticky_error(vw, "Not saved: %s", why);
    viewer_invalidate(vw);
}

static void toggle_over(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (!s->over && !s->fit_ok) {
        viewer_message(vw, false, "Over needs a fit: %s", s->fit_why);
        return;
    }
    /* the ground at the centre of the reference's side stays there */
    double ix, iy, sx, sy;
    int x0 = reference_x0(vw);
    view_screen_to_image(&vw->view, x0 + (vw->view.w - x0) / 2.0, area_h(vw) / 2.0, &ix, &iy);
    s->over = !s->over;
    s->pending = false;
    x0 = reference_x0(vw);
    view_image_to_screen(&vw->view, ix, iy, &sx, &sy);
    vw->view.cx += (sx - (x0 + (vw->view.w - x0) / 2.0)) / vw->view.scale;
    vw->view.cy += (sy - area_h(vw) / 2.0) / vw->view.scale;
    if (s->over) {
        viewer_message(vw, false, "Picture over the reference (%s fit), opacity %.0f%% ([ ])",
                       georef_method_name(s->method), s->opacity * 100);
    } else {
        viewer_message(vw, false, "Picture beside the reference");
    }
    viewer_invalidate(vw);
}

static void next_method(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    static const enum georef_method order[] = {GEOREF_POLY1, GEOREF_POLY2, GEOREF_POLY3,
                                               GEOREF_TPS};
    size_t k = 0;
    while (k < 4 && order[k] != s->method)
        k++;
    s->method = order[(k + 1) % 4];
    s->dirty = s->dirty || s->n > 0;
    refit(vw);
    say_fit(vw, "Method");
}

static bool handle_key(struct viewer *vw, const SDL_KeyboardEvent *key)
{
    struct georef_session *s = vw->ui.georef;
    SDL_Keycode sym = key->keysym.sym;
    bool ctrl = (key->keysym.mod & KMOD_CTRL) != 0;
    if (ctrl) {
        switch (sym) {
        case SDLK_s: if (key->keysym.mod & KMOD_SHIFT) return false; save_key(vw); return true;
        case SDLK_z: if (key->keysym.mod & KMOD_SHIFT) return false; undo(vw); return true;
        case SDLK_q:
            if (s->dirty && s->n > 0 && !s->quit_warned) {
                s->quit_warned = true;
                viewer_message(vw, true, "%zu pairs not saved: Ctrl+S saves %s; quit again to "
                                         "leave without saving", s->n, out_path(s, NULL));
                return true;
            }
            return false;
        default: return false;
        }
    }
    switch (sym) {
    case SDLK_v: toggle_over(vw); return true;
    case SDLK_m: next_method(vw); return true;
    case SDLK_LEFTBRACKET:
    case SDLK_RIGHTBRACKET:
        s->opacity = fmin(1.0, fmax(0.1, s->opacity + (sym == SDLK_LEFTBRACKET ? -0.1 : 0.1)));
        viewer_message(vw, false, "Picture opacity %.0f%%%s", s->opacity * 100,
                       s->over ? "" : " (shown over the reference: V)");
        viewer_invalidate(vw);
        return true;
    case SDLK_BACKSPACE: undo(vw); return true;
    case SDLK_DELETE:
        if (s->selected >= 0)
            delete_pair(vw, (size_t)s->selected);
        else
            viewer_message(vw, false, "Select a pair first (click its number or its row)");
        return true;
    case SDLK_HOME: georefview_fit(vw); return true;
    case SDLK_ESCAPE:
        if (s->pending) {
            s->pending = false;
        } else if (s->selected >= 0) {
            s->selected = -1;
        } else {
            return false;
        }
        viewer_invalidate(vw);
        return true;
    default: return false;
    }
}

static bool handle_mouse(struct viewer *vw, const SDL_Event *ev)
{
    struct georef_session *s = vw->ui.georef;
    switch (ev->type) {
    case SDL_MOUSEBUTTONDOWN: {
        int x = ev->button.x, y = ev->button.y;
        SDL_Rect banner = hintbar_error_rect(vw);
        if (y >= area_h(vw) || (banner.w > 0 && in_rect(banner, x, y)))
            return false;
        if (ev->button.button == SDL_BUTTON_LEFT && click_table(vw, x, y))
            return true;
        bool on_picture = in_rect(picture_rect(vw), x, y);
        if (!on_picture && ev->button.button != SDL_BUTTON_LEFT)
            return false; /* the viewer's own pan on the reference */
        s->pressed = true;
        s->moved = false;
        s->press_on_picture = on_picture;
        s->press_button = ev->button.button;
        s->press_x = s->last_x = x;
        s->press_y = s->last_y = y;
        return true;
    }
    case SDL_MOUSEMOTION: {
        if (!s->pressed)
            return false;
        int x = ev->motion.x, y = ev->motion.y;
        if (abs(x - s->press_x) > DRAG_THRESHOLD_PX || abs(y - s->press_y) > DRAG_THRESHOLD_PX)
            s->moved = true;
        if (s->moved) {
            int dx = x - s->last_x, dy = y - s->last_y;
            if (s->press_on_picture) {
                s->pointer_on_picture = true;
            s->pcx -= dx / s->pscale;
                s->pcy -= dy / s->pscale;
            } else {
                vw->view.cx -= dx / vw->view.scale;
                vw->view.cy -= dy / vw->view.scale;
            }
            viewer_invalidate(vw);
        }
        s->last_x = x;
        s->last_y = y;
        vw->ui.mouse_x = x;
        vw->ui.mouse_y = y;
        return true;
    }
    case SDL_MOUSEBUTTONUP:
        if (!s->pressed || ev->button.button != s->press_button)
            return false;
        s->pressed = false;
        if (!s->moved && s->press_button == SDL_BUTTON_LEFT) {
            if (s->press_on_picture)
                click_picture(vw, s->press_x, s->press_y);
            else
                click_reference(vw, s->press_x, s->press_y);
        }
        return true;
    case SDL_MOUSEWHEEL:
        if (!in_rect(picture_rect(vw), vw->ui.mouse_x, vw->ui.mouse_y))
            return false;
        {
            double dy = ev->wheel.preciseY != 0 ? ev->wheel.preciseY : ev->wheel.y;
            if (ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
                dy = -dy;
            zoom_picture(vw, vw->ui.mouse_x, vw->ui.mouse_y, pow(1.25, dy));
        }
        return true;
    default: return false;
    }
}

bool georefview_handle(struct viewer *vw, const SDL_Event *ev)
{
    struct georef_session *s = vw->ui.georef;
    if (!s)
        return false;
    if (ev->type == SDL_WINDOWEVENT && ev->window.event == SDL_WINDOWEVENT_LEAVE)
        s->pointer_on_picture = false;
    bool quit = ev->type == SDL_QUIT ||
                (ev->type == SDL_WINDOWEVENT && ev->window.event == SDL_WINDOWEVENT_CLOSE);
    if (quit && s->dirty && s->n > 0 && !s->quit_warned) {
        s->quit_warned = true;
        viewer_message(vw, true, "%zu pairs not saved: Ctrl+S saves %s; close again to leave "
                                 "without saving", s->n, out_path(s, NULL));
        return true;
    }
    /* Prompts, questions, help and panels keep their keys and clicks. */
    if (vw->ui.modal != MODAL_NONE || vw->ui.text_mode != TEXT_NONE || vw->ui.help || vw->ui.claims_open ||
        vw->ui.marklist_open)
        return false;
    if (ev->type == SDL_KEYDOWN)
        return handle_key(vw, &ev->key);
    if (ev->type == SDL_MOUSEMOTION && !s->pressed) {
        bool inside = in_rect(picture_rect(vw), ev->motion.x, ev->motion.y);
        vw->ui.mouse_x = ev->motion.x;
        vw->ui.mouse_y = ev->motion.y;
        if (inside || s->pointer_on_picture) {
            vw->frame.status_dirty = true;
            vw->frame.needs_frame = true;
        }
        s->pointer_on_picture = inside;
        if (inside)
            vw->ui.mouse_in = false; /* the status bar's position is the reference's */
        return inside; /* the status bar's lon/lat is the reference's: not under the picture */
    }
    return handle_mouse(vw, ev);
}

/* ---- script ------------------------------------------------------------------ */

bool georefview_script(struct viewer *vw, const struct vscript_cmd *cmd, char *why,
                       size_t why_cap)
{
    struct georef_session *s = vw->ui.georef;
    if (!s) {
        snprintf(why, why_cap, "not georeferencing a picture (start with --georef-picture)");
        return false;
    }
    switch (cmd->op) {
    case VSCRIPT_GCP:
        return add_pair(vw, cmd->x, cmd->y, cmd->x2, cmd->y2, why, why_cap);
    case VSCRIPT_GCP_UNDO:
        if (s->n == 0) {
            snprintf(why, why_cap, "no pair to undo");
            return false;
        }
        undo(vw);
        return true;
    case VSCRIPT_GCP_DELETE:
        if (!delete_pair(vw, (size_t)cmd->x - 1)) {
            snprintf(why, why_cap, "no pair %.0f (there are %zu)", cmd->x, s->n);
            return false;
        }
        return true;
    case VSCRIPT_GEOREF_METHOD: {
        enum georef_method m;
        if (!georef_method_from_name(cmd->text, &m) || m == GEOREF_AUTO || m == GEOREF_RPC) {
            snprintf(why, why_cap, "'%s': want poly1, poly2, poly3 or tps", cmd->text);
            return false;
        }
        s->method = m;
        refit(vw);
        say_fit(vw, "Method");
        return true;
    }
    case VSCRIPT_GEOREF_SAVE:
        return save(vw, cmd->text, why, why_cap);
    default:
        snprintf(why, why_cap, "not a georeferencing command");
        return false;
    }
}

void georefview_print(struct viewer *vw)
{
    struct georef_session *s = vw->ui.georef;
    if (!s) {
        printf("gcps: not georeferencing a picture\n");
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        printf("gcp: %zu px %.3f py %.3f lon %.8f lat %.8f residual_m ", i + 1, s->pairs[i].px,
               s->pairs[i].py, s->pairs[i].lon, s->pairs[i].lat);
        if (s->fit_ok)
            printf("%.3f\n", s->residual[i]);
        else
            printf("-\n");
    }
    if (s->fit_ok)
        printf("gcps: %zu pairs method %s rms_m %.3f max_m %.3f%s\n", s->n,
               georef_method_name(s->method), s->fit.rms_m, s->fit.max_m,
               s->fit.leave_one_out ? " leave-one-out" : "");
    else
        printf("gcps: %zu pairs method %s no fit: %s\n", s->n, georef_method_name(s->method),
               s->fit_why);
    fflush(stdout);
}
