/*
 * tgpaint — strip painter for synthetic 0.5 m imagery; see tgpaint.h.
 *
 * Per strip: (1) the ground regions are rasterised without anti-aliasing into
 * an index mask, (2) every pixel gets a procedural ground texture for its
 * region's material (water waves, forest canopy with hill shading, fields,
 * gravel...) looked up through a small noise warp so natural boundaries are
 * not ruler-straight, (3) objects are drawn with Cairo (anti-aliased) in order
 * of height, each shadow before its body so taller things shade lower ones,
 * (4) a light optical blur, sensor grain and haze make it read as a photo.
 * All randomness is hashed from scene coordinates or object seeds.
 */
#include "tgpaint.h"

#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tgnoise.h"

#define PI 3.14159265358979323846
#define MARGIN 24

struct tgpaint {
    const struct tgscene *sc;
    int width, height;
    double pixel;
    size_t *order; /* object indices sorted by height */
    double *bbox;  /* per object: xmin, ymin, xmax, ymax (scene metres, incl. shadow) */
};

/* ---- set-up ----------------------------------------------------------------- */

struct order_key {
    double key;
    size_t index;
};

/* Piers and pads first (they are the ground the rest stands on), then by
 * height, ties in scene order: a stable, total order. */
static int cmp_key(const void *a, const void *b)
{
    const struct order_key *ka = a, *kb = b;
    if (ka->key != kb->key)
        return ka->key < kb->key ? -1 : 1;
    return ka->index < kb->index ? -1 : ka->index > kb->index;
}

static void object_bbox(const struct tgscene *sc, const struct tgscene_obj *o, double bb[4])
{
    double xy[8];
    bb[0] = bb[1] = 1e30;
    bb[2] = bb[3] = -1e30;
    if (o->pts) {
        for (int i = 0; i < o->npts; i++) {
            bb[0] = fmin(bb[0], o->pts[2 * i]);
            bb[1] = fmin(bb[1], o->pts[2 * i + 1]);
            bb[2] = fmax(bb[2], o->pts[2 * i]);
            bb[3] = fmax(bb[3], o->pts[2 * i + 1]);
        }
        double pad = o->line_width;
        bb[0] -= pad, bb[1] -= pad, bb[2] += pad, bb[3] += pad;
    } else {
        tgscene_rect_corners(o, xy);
        for (int i = 0; i < 4; i++) {
            bb[0] = fmin(bb[0], xy[2 * i]);
            bb[1] = fmin(bb[1], xy[2 * i + 1]);
            bb[2] = fmax(bb[2], xy[2 * i]);
            bb[3] = fmax(bb[3], xy[2 * i + 1]);
        }
        if (o->kind == TGK_CRANE || o->kind == TGK_BOAT) {
            double r = o->len * (o->kind == TGK_BOAT ? 8 : 1) + 10;
            bb[0] = o->cx - r, bb[1] = o->cy - r, bb[2] = o->cx + r, bb[3] = o->cy + r;
        }
    }
    double sh = o->height * 1.4 + 2, dx = sc->shadow_dx * sh, dy = sc->shadow_dy * sh;
    bb[0] += fmin(0, dx), bb[2] += fmax(0, dx);
    bb[1] += fmin(0, dy), bb[3] += fmax(0, dy);
}

struct tgpaint *tgpaint_new(const struct tgscene *scene, int width, int height, double pixel,
                            struct diag *dg)
{
    struct tgpaint *p = calloc(1, sizeof *p);
    if (!p) {
        diag_error(dg, "painter: out of memory");
        return NULL;
    }
    p->sc = scene;
    p->width = width;
    p->height = height;
    p->pixel = pixel;
    size_t n = scene->nobjs ? scene->nobjs : 1;
    p->order = malloc(n * sizeof *p->order);
    p->bbox = malloc(n * 4 * sizeof *p->bbox);
    if (!p->order || !p->bbox) {
        tgpaint_free(p);
        diag_error(dg, "painter: out of memory");
        return NULL;
    }
    struct order_key *keys = malloc(n * sizeof *keys);
    if (!keys) {
        tgpaint_free(p);
        diag_error(dg, "painter: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < scene->nobjs; i++) {
        const struct tgscene_obj *o = &scene->objs[i];
        keys[i].key = (o->kind == TGK_PIER || o->kind == TGK_PAD) ? -2 + o->height * 0.01
                                                                   : o->height;
        keys[i].index = i;
        object_bbox(scene, o, &p->bbox[4 * i]);
    }
    qsort(keys, scene->nobjs, sizeof *keys, cmp_key);
    for (size_t i = 0; i < scene->nobjs; i++)
        p->order[i] = keys[i].index;
    free(keys);
    return p;
}

void tgpaint_free(struct tgpaint *painter)
{
    if (!painter)
        return;
    free(painter->order);
    free(painter->bbox);
    free(painter);
}

/* ---- ground textures ------------------------------------------------------------ */

struct rgbf {
    float r, g, b;
};

static struct rgbf mixc(struct rgbf a, struct rgbf b, float t)
{
    struct rgbf c = {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
    return c;
}

static struct rgbf scalec(struct rgbf a, float k)
{
    struct rgbf c = {a.r * k, a.g * k, a.b * k};
    return c;
}

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Terrain relief used for hill shading of land: height in metres-ish. */
static float terrain(float x, float y)
{
    return 60.0f * tgnoise_fbm(x / 420.0f, y / 420.0f, 4, 0x7e77a1u);
}

static float hillshade(const struct tgscene *sc, float x, float y)
{
    float sx = (float)-sc->shadow_dx, sy = (float)-sc->shadow_dy; /* towards the sun */
    float n = hypotf(sx, sy);
    sx /= n, sy /= n;
    float d = terrain(x + sx * 12, y + sy * 12) - terrain(x, y);
    return clampf(1.0f + d * 0.05f, 0.75f, 1.25f);
}

static struct rgbf shade_forest(const struct tgscene *sc, float x, float y)
{
    static const struct rgbf dark[3] = {{24, 40, 22}, {34, 40, 28}, {40, 42, 34}};
    static const struct rgbf lit[3] = {{72, 98, 46}, {118, 96, 62}, {104, 94, 78}};
    static const struct rgbf conifer_dark = {20, 32, 24}, conifer_lit = {46, 64, 42};
    int s = sc->season;
    float c = tgnoise_fbm(x / 4.2f, y / 4.2f, 3, 0xf0e5u);
    float sx = (float)sc->shadow_dx, sy = (float)sc->shadow_dy;
    float n = hypotf(sx, sy);
    float c2 = tgnoise_fbm((x + sx / n * 1.5f) / 4.2f, (y + sy / n * 1.5f) / 4.2f, 3, 0xf0e5u);
    float lightness = clampf(0.45f + (c - c2) * 2.8f + c * 0.5f, 0.0f, 1.0f);
    float conifer = s == 0 ? 0.0f : 0.65f * clampf(tgnoise_fbm(x / 45.0f, y / 45.0f, 4, 0xc0f1u) *
                                                      1.5f + 0.2f, 0.0f, 1.0f);
    struct rgbf base = mixc(dark[s], lit[s], lightness);
    struct rgbf con = mixc(conifer_dark, conifer_lit, lightness);
    base = mixc(base, con, conifer);
    float patch = tgnoise_fbm(x / 35.0f, y / 35.0f, 3, 0xa11u);
    base = scalec(base, 0.9f + 0.15f * patch);
    if (c < -0.45f) /* gaps between crowns */
        base = scalec(base, 0.65f);
    return scalec(base, hillshade(sc, x, y));
}

static struct rgbf shade_grass(const struct tgscene *sc, float x, float y, uint64_t seed)
{
    static const struct rgbf a[3] = {{86, 110, 54}, {112, 106, 80}, {112, 104, 84}};
    static const struct rgbf b[3] = {{124, 136, 74}, {140, 128, 96}, {134, 124, 100}};
    int s = sc->season;
    float p = tgnoise_fbm(x / 14.0f, y / 14.0f, 4, (uint32_t)seed | 1u);
    float fine = tgnoise_value(x / 0.9f, y / 0.9f, 0x9a55u);
    struct rgbf c = mixc(a[s], b[s], clampf(0.5f + p * 0.8f, 0, 1));
    c = scalec(c, 0.95f + 0.06f * fine);
    float scrub = tgnoise_fbm(x / 5.0f, y / 5.0f, 2, 0x5c7bu);
    if (scrub > 0.45f) {
        struct rgbf bush = s == 0 ? (struct rgbf){48, 70, 34} : (struct rgbf){84, 72, 56};
        c = mixc(c, bush, clampf((scrub - 0.45f) * 2.5f, 0, 0.6f));
    }
    return scalec(c, hillshade(sc, x, y));
}

static struct rgbf shade_field(const struct tgscene *sc, float x, float y,
                               const struct tgscene_region *r)
{
    float ca = (float)cos(r->angle), sa = (float)sin(r->angle);
    float across = -x * sa + y * ca;
    float furrow = sinf(across * 2.0f * (float)PI / 2.2f);
    int kind = r->variant % 3;
    struct rgbf c;
    if (sc->season == 0)
        c = kind == 0 ? (struct rgbf){96, 124, 56}
                      : kind == 1 ? (struct rgbf){168, 152, 96} : (struct rgbf){124, 140, 70};
    else
        c = kind == 0 ? (struct rgbf){98, 82, 66}
                      : kind == 1 ? (struct rgbf){150, 138, 106} : (struct rgbf){104, 114, 72};
    float p = tgnoise_fbm(x / 30.0f, y / 30.0f, 3, (uint32_t)r->seed);
    float along = x * ca + y * sa;
    float tramline = fabsf(fmodf(fabsf(across), 24.0f) - 12.0f) < 0.6f ? 0.9f : 1.0f;
    c = scalec(c, (0.93f + 0.1f * p + 0.07f * furrow) * tramline);
    c = scalec(c, 1.0f + 0.03f * tgnoise_value(along / 3.0f, across / 0.8f, 0xf1e1u));
    return scalec(c, hillshade(sc, x, y));
}

static struct rgbf shade_water(const struct tgscene *sc, float x, float y)
{
    static const struct rgbf shallow = {46, 78, 78}, deep = {20, 38, 50};
    float dist = (float)((x - sc->deep_ox) * sc->deep_x + (y - sc->deep_oy) * sc->deep_y);
    dist += 80.0f * tgnoise_fbm(x / 300.0f, y / 300.0f, 3, 0xdee9u);
    float t = clampf(dist / 700.0f, 0.0f, 1.0f);
    struct rgbf c = mixc(shallow, deep, sqrtf(t));
    float ca = (float)cos(sc->wave_angle), sa = (float)sin(sc->wave_angle);
    float a = x * ca + y * sa, b = -x * sa + y * ca;
    float w = 0.6f * tgnoise_value(a / 1.7f, b / 6.5f, 0x3a7eu) +
              0.4f * tgnoise_value(a / 0.9f, b / 2.8f, 0x3a7fu);
    float swell = sinf(a / 7.5f + 2.5f * tgnoise_fbm(x / 80.0f, y / 80.0f, 2, 0x5e11u));
    float slick = tgnoise_fbm(x / 180.0f, y / 180.0f, 3, 0x511cu);
    float amp = 5.5f * (0.55f + 0.45f * t) * (0.8f + 0.4f * slick);
    /* wind streaks: long, faint bands along the wind */
    float streak = tgnoise_fbm(a / 70.0f, b / 5.0f, 3, 0x57e4u);
    float v = w * amp + swell * 2.0f + slick * 4.0f + streak * 3.0f;
    c.r += v, c.g += v * 1.05f, c.b += v * 1.1f;
    if (w > 0.55f && tgnoise_hash01((int32_t)floorf(x * 2), (int32_t)floorf(y * 2), 0x611au) >
                         0.985f)
        c.r += 28, c.g += 30, c.b += 30;
    return c;
}

static struct rgbf shade_ground(const struct tgscene *sc, const struct tgscene_region *r, float x,
                                float y)
{
    float p = tgnoise_fbm(x / 20.0f, y / 20.0f, 4, (uint32_t)r->seed | 3u);
    float fine = tgnoise_value(x / 0.7f, y / 0.7f, 0x6a7e1u);
    struct rgbf c;
    switch (r->material) {
    case TGMAT_WATER:
    case TGMAT_HARBOUR:
        return shade_water(sc, x, y);
    case TGMAT_FOREST:
        return shade_forest(sc, x, y);
    case TGMAT_GRASS:
        return shade_grass(sc, x, y, r->seed);
    case TGMAT_FIELD:
        return shade_field(sc, x, y, r);
    case TGMAT_SOIL: {
        static const struct rgbf soil[3] = {{156, 128, 96}, {132, 106, 80}, {122, 100, 80}};
        c = scalec(soil[sc->season], 0.92f + 0.1f * p + 0.05f * fine);
        float churn = tgnoise_fbm(x / 4.0f, y / 4.0f, 2, 0x4u);
        return scalec(c, 0.97f + 0.05f * churn);
    }
    case TGMAT_SAND:
        return scalec((struct rgbf){184, 172, 146}, 0.95f + 0.06f * p + 0.03f * fine);
    case TGMAT_GRAVEL:
        c = scalec((struct rgbf){146, 141, 130}, 0.92f + 0.1f * p + 0.06f * fine);
        {
            float wet = tgnoise_fbm(x / 9.0f, y / 9.0f, 3, 0x6au); /* oil and wet patches */
            c = scalec(c, 1.0f - 0.12f * clampf((wet - 0.35f) * 3.0f, 0.0f, 1.0f));
        }
        return c;
    case TGMAT_ASPHALT:
        return scalec((struct rgbf){80, 81, 82}, 0.94f + 0.08f * p + 0.05f * fine);
    case TGMAT_CONCRETE:
        return scalec((struct rgbf){162, 160, 152}, 0.95f + 0.06f * p + 0.03f * fine);
    case TGMAT_ROCK:
        return scalec((struct rgbf){124, 120, 112}, 0.85f + 0.2f * p + 0.1f * fine);
    case TGMAT_URBAN: {
        float q = tgnoise_fbm(x / 12.0f, y / 12.0f, 3, 0x0bau);
        if (q > -0.25f)
            return shade_grass(sc, x, y, r->seed);
        c = q < -0.5f ? (struct rgbf){130, 126, 116} : (struct rgbf){112, 108, 98};
        return scalec(c, (0.95f + 0.08f * p + 0.05f * fine) * hillshade(sc, x, y));
    }
    }
    return (struct rgbf){128, 128, 128};
}

/* ---- Cairo helpers ----------------------------------------------------------------- */

static void set_rgb(cairo_t *cr, double r, double g, double b)
{
    cairo_set_source_rgb(cr, r / 255.0, g / 255.0, b / 255.0);
}

static void set_rgba(cairo_t *cr, double r, double g, double b, double a)
{
    cairo_set_source_rgba(cr, r / 255.0, g / 255.0, b / 255.0, a);
}

static void hull_path(cairo_t *cr, double *pts, int n)
{
    /* Andrew's monotone chain; pts is sorted in place. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && (pts[2 * j] < pts[2 * j - 2] ||
                                  (pts[2 * j] == pts[2 * j - 2] && pts[2 * j + 1] < pts[2 * j - 1]));
             j--) {
            double tx = pts[2 * j], ty = pts[2 * j + 1];
            pts[2 * j] = pts[2 * j - 2], pts[2 * j + 1] = pts[2 * j - 1];
            pts[2 * j - 2] = tx, pts[2 * j - 1] = ty;
        }
    double h[2 * 72];
    int k = 0;
    for (int pass = 0; pass < 2; pass++) {
        int start = k;
        for (int ii = 0; ii < n; ii++) {
            int i = pass ? n - 1 - ii : ii;
            while (k >= start + 2) {
                double ax = h[2 * k - 4], ay = h[2 * k - 3], bx = h[2 * k - 2], by = h[2 * k - 1];
                double cross = (bx - ax) * (pts[2 * i + 1] - ay) - (by - ay) * (pts[2 * i] - ax);
                if (cross > 0)
                    break;
                k--;
            }
            h[2 * k] = pts[2 * i], h[2 * k + 1] = pts[2 * i + 1];
            k++;
        }
        k--;
    }
    for (int i = 0; i < k; i++)
        (i ? cairo_line_to : cairo_move_to)(cr, h[2 * i], h[2 * i + 1]);
    cairo_close_path(cr);
}

/* Adds to the path the sweep of polygon poly (n <= 32 points) along the shadow
 * vector for height h: the object's shadow on the ground. */
static void shadow_path(cairo_t *cr, const struct tgscene *sc, const double *poly, int n, double h)
{
    double pts[2 * 64];
    if (n > 32)
        n = 32;
    for (int i = 0; i < n; i++) {
        pts[2 * i] = poly[2 * i];
        pts[2 * i + 1] = poly[2 * i + 1];
        pts[2 * (n + i)] = poly[2 * i] + sc->shadow_dx * h;
        pts[2 * (n + i) + 1] = poly[2 * i + 1] + sc->shadow_dy * h;
    }
    hull_path(cr, pts, 2 * n);
}

static void shadow_fill(cairo_t *cr, double strength)
{
    cairo_set_operator(cr, CAIRO_OPERATOR_MULTIPLY);
    double k = 1.0 - strength;
    cairo_set_source_rgb(cr, k * 0.92, k * 0.96, k * 1.08 > 1 ? 1 : k * 1.08);
    cairo_fill(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
}

static void local_rect(double cx, double cy, double len, double wid, double ang, double out[8])
{
    struct tgscene_obj o = {0};
    o.cx = cx, o.cy = cy, o.len = len, o.wid = wid, o.angle = ang;
    tgscene_rect_corners(&o, out);
}

static void poly_path(cairo_t *cr, const double *p, int n)
{
    for (int i = 0; i < n; i++)
        (i ? cairo_line_to : cairo_move_to)(cr, p[2 * i], p[2 * i + 1]);
    cairo_close_path(cr);
}

/* Enter the object's frame: origin at its centre, x along its length. */
static void enter_frame(cairo_t *cr, const struct tgscene_obj *o)
{
    cairo_save(cr);
    cairo_translate(cr, o->cx, o->cy);
    cairo_rotate(cr, o->angle);
}

static void polyline_path(cairo_t *cr, const double *p, int n)
{
    for (int i = 0; i < n; i++)
        (i ? cairo_line_to : cairo_move_to)(cr, p[2 * i], p[2 * i + 1]);
}

/* Polyline offset sideways by d metres (left positive), mitred joins. */
static void offset_path(cairo_t *cr, const double *p, int n, double d)
{
    for (int i = 0; i < n; i++) {
        double nx = 0, ny = 0;
        for (int s = i - 1; s <= i; s++) {
            if (s < 0 || s + 1 >= n)
                continue;
            double dx = p[2 * s + 2] - p[2 * s], dy = p[2 * s + 3] - p[2 * s + 1];
            double l = hypot(dx, dy);
            if (l > 0)
                nx += -dy / l, ny += dx / l;
        }
        double l = hypot(nx, ny);
        if (l > 0)
            nx /= l, ny /= l;
        double scale = 1.0;
        if (i > 0 && i + 1 < n) {
            double dx = p[2 * i + 2] - p[2 * i], dy = p[2 * i + 3] - p[2 * i + 1];
            double ll = hypot(dx, dy);
            double cosang = ll > 0 ? (nx * -dy + ny * dx) / ll : 1;
            if (cosang > 0.3)
                scale = 1.0 / cosang;
        }
        double x = p[2 * i] + nx * d * scale, y = p[2 * i + 1] + ny * d * scale;
        (i ? cairo_line_to : cairo_move_to)(cr, x, y);
    }
}

/* ---- objects ------------------------------------------------------------------------ */

static const double box_palette[][3] = {
    {168, 52, 40},  {150, 44, 36}, {40, 72, 140}, {34, 92, 150}, {214, 120, 40},
    {222, 222, 214}, {150, 152, 150}, {46, 110, 66}, {120, 72, 48}, {200, 170, 60},
    {110, 112, 116}, {180, 60, 50}};

static void draw_pier(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, o->height);
    shadow_fill(cr, 0.55);
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    enter_frame(cr, o);
    double L = o->len, W = o->wid, tint = (double)(o->variant % 3) * 4;
    cairo_rectangle(cr, -L / 2, -W / 2, L, W);
    set_rgb(cr, 158 + tint, 156 + tint, 148 + tint);
    cairo_fill(cr);
    /* weathering: stains and lighter patches */
    int nst = (int)(L * W / 180);
    for (int i = 0; i < nst; i++) {
        double x = tgnoise_range(&rng, -L / 2, L / 2), y = tgnoise_range(&rng, -W / 2, W / 2);
        double r = tgnoise_range(&rng, 2, 12);
        bool dark = tgnoise_uniform(&rng) < 0.75;
        double g = dark ? 70 : 205, a = tgnoise_range(&rng, 0.05, 0.16);
        cairo_save(cr);
        cairo_translate(cr, x, y);
        cairo_rotate(cr, tgnoise_range(&rng, 0, PI));
        cairo_scale(cr, 1.0, tgnoise_range(&rng, 0.25, 0.9));
        cairo_pattern_t *pat = cairo_pattern_create_radial(0, 0, 0, 0, 0, r);
        cairo_pattern_add_color_stop_rgba(pat, 0, g / 255, g / 255, g * 0.95 / 255, a);
        cairo_pattern_add_color_stop_rgba(pat, 1, g / 255, g / 255, g * 0.95 / 255, 0);
        cairo_set_source(cr, pat);
        cairo_arc(cr, 0, 0, r, 0, 2 * PI);
        cairo_fill(cr);
        cairo_pattern_destroy(pat);
        cairo_restore(cr);
    }
    /* slab joints */
    cairo_set_line_width(cr, 0.12);
    set_rgba(cr, 90, 90, 86, 0.35);
    for (double x = -L / 2 + 12; x < L / 2; x += 12) {
        cairo_move_to(cr, x, -W / 2);
        cairo_line_to(cr, x, W / 2);
    }
    cairo_stroke(cr);
    /* crane rails near both long edges, and a painted lane line */
    cairo_set_line_width(cr, 0.3);
    set_rgb(cr, 84, 82, 78);
    for (int s = -1; s <= 1; s += 2) {
        for (double off = 2.0; off <= 13.0; off += 10.5) {
            cairo_move_to(cr, -L / 2 + (o->len > 600 ? 0 : 8), s * (W / 2 - off));
            cairo_line_to(cr, L / 2 - 2, s * (W / 2 - off));
        }
    }
    cairo_stroke(cr);
    if (W > 40) {
        cairo_set_line_width(cr, 0.18);
        set_rgba(cr, 220, 190, 60, 0.7);
        for (int s = -1; s <= 1; s += 2) {
            cairo_move_to(cr, -L / 2 + 10, s * (W / 2 - 17));
            cairo_line_to(cr, L / 2 - 6, s * (W / 2 - 17));
        }
        cairo_stroke(cr);
    }
    /* coping edge, fenders and bollards */
    cairo_rectangle(cr, -L / 2, -W / 2, L, W);
    cairo_set_line_width(cr, 0.9);
    set_rgb(cr, 188, 186, 178);
    cairo_stroke(cr);
    for (double x = -L / 2 + 6; x < L / 2 - 3; x += 14) {
        for (int s = -1; s <= 1; s += 2) {
            set_rgb(cr, 30, 30, 30);
            cairo_rectangle(cr, x, s > 0 ? W / 2 : -W / 2 - 0.7, 1.4, 0.7);
            cairo_fill(cr);
            set_rgb(cr, 50, 50, 48);
            cairo_arc(cr, x + 7, s * (W / 2 - 1.3), 0.35, 0, 2 * PI);
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);
}

static void draw_breakwater(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    double w = o->line_width;
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_save(cr);
    cairo_translate(cr, sc->shadow_dx * o->height, sc->shadow_dy * o->height);
    polyline_path(cr, o->pts, o->npts);
    cairo_restore(cr);
    cairo_set_line_width(cr, w);
    cairo_set_operator(cr, CAIRO_OPERATOR_MULTIPLY);
    cairo_set_source_rgb(cr, 0.5, 0.53, 0.6);
    cairo_stroke(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    polyline_path(cr, o->pts, o->npts);
    cairo_set_line_width(cr, w + 3);
    set_rgba(cr, 200, 210, 210, 0.35); /* surf along the toe */
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, w);
    set_rgb(cr, 118, 114, 106);
    cairo_stroke(cr);
    /* armour units */
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    for (int s = 0; s + 1 < o->npts; s++) {
        double x0 = o->pts[2 * s], y0 = o->pts[2 * s + 1];
        double dx = o->pts[2 * s + 2] - x0, dy = o->pts[2 * s + 3] - y0, l = hypot(dx, dy);
        int n = (int)(l * w / 3.0);
        for (int i = 0; i < n; i++) {
            double t = tgnoise_uniform(&rng), a = tgnoise_range(&rng, -0.5, 0.5) * (w - 2);
            double x = x0 + dx * t - dy / l * a, y = y0 + dy * t + dx / l * a;
            double r = tgnoise_range(&rng, 0.6, 1.5), g = tgnoise_range(&rng, 90, 185);
            set_rgb(cr, g + 4, g, g - 6);
            cairo_arc(cr, x, y, r, 0, 2 * PI);
            cairo_fill(cr);
            set_rgba(cr, 20, 20, 24, 0.45);
            cairo_arc(cr, x + sc->shadow_dx * 0.6, y + sc->shadow_dy * 0.6, r * 0.7, 0, 2 * PI);
            cairo_fill(cr);
        }
    }
    polyline_path(cr, o->pts, o->npts);
    cairo_set_line_width(cr, 5);
    set_rgb(cr, 150, 148, 140);
    cairo_stroke(cr);
}

static void draw_road(cairo_t *cr, const struct tgscene_obj *o)
{
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    polyline_path(cr, o->pts, o->npts);
    cairo_set_line_width(cr, o->line_width + 1.6);
    set_rgba(cr, 150, 144, 128, 0.8);
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, o->line_width);
    set_rgb(cr, 76, 77, 79);
    cairo_stroke(cr);
    polyline_path(cr, o->pts, o->npts);
    double dash[2] = {3, 6};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 0.15);
    set_rgba(cr, 230, 230, 220, 0.6);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    /* wheel wear in each lane */
    for (int s = -1; s <= 1; s += 2) {
        offset_path(cr, o->pts, o->npts, s * o->line_width * 0.25);
        cairo_set_line_width(cr, 1.2);
        set_rgba(cr, 40, 40, 44, 0.18);
        cairo_stroke(cr);
    }
}

static void draw_track(cairo_t *cr, const struct tgscene_obj *o)
{
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    polyline_path(cr, o->pts, o->npts);
    cairo_set_line_width(cr, o->line_width + 1.5);
    set_rgba(cr, 150, 128, 98, 0.35);
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, o->line_width);
    set_rgba(cr, 160, 138, 106, 0.85);
    cairo_stroke(cr);
    for (int s = -1; s <= 1; s += 2) {
        offset_path(cr, o->pts, o->npts, s * 0.9);
        cairo_set_line_width(cr, 0.6);
        set_rgba(cr, 96, 80, 62, 0.5);
        cairo_stroke(cr);
    }
}

static void draw_rail(cairo_t *cr, const struct tgscene_obj *o)
{
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    polyline_path(cr, o->pts, o->npts);
    cairo_set_line_width(cr, o->line_width + 1.2);
    set_rgba(cr, 110, 100, 88, 0.5);
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, o->line_width);
    set_rgb(cr, 122, 114, 104);
    cairo_stroke(cr);
    polyline_path(cr, o->pts, o->npts);
    double dash[2] = {0.26, 0.36};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 2.6);
    set_rgb(cr, 72, 60, 50);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (int s = -1; s <= 1; s += 2) {
        offset_path(cr, o->pts, o->npts, s * 0.76);
        cairo_set_line_width(cr, 0.24);
        set_rgb(cr, 205, 204, 198);
        cairo_stroke(cr);
    }
}

static void draw_pad(cairo_t *cr, const struct tgscene_obj *o)
{
    enter_frame(cr, o);
    cairo_rectangle(cr, -o->len / 2, -o->wid / 2, o->len, o->wid);
    set_rgb(cr, 150, 148, 140);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 0.6);
    set_rgb(cr, 180, 176, 166);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The U of a pit's berm (open at -L/2) as a jittered polyline in the pit frame. */
static void berm_path(cairo_t *cr, struct tgnoise_rng *rng, double L, double W, double berm,
                      double jitter)
{
    double cx[4] = {-L / 2 - 1, L / 2 - berm / 2, L / 2 - berm / 2, -L / 2 - 1};
    double cy[4] = {-W / 2 + berm / 2, -W / 2 + berm / 2, W / 2 - berm / 2, W / 2 - berm / 2};
    cairo_move_to(cr, cx[0], cy[0]);
    for (int e = 0; e < 3; e++) {
        double dx = cx[e + 1] - cx[e], dy = cy[e + 1] - cy[e], l = hypot(dx, dy);
        int n = (int)(l / 2.0) + 1;
        for (int k = 1; k <= n; k++) {
            double t = (double)k / n, j = k == n ? 0 : tgnoise_range(rng, -jitter, jitter);
            cairo_line_to(cr, cx[e] + dx * t - dy / l * j, cy[e] + dy * t + dx / l * j);
        }
    }
}

static void draw_pit(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double L = o->len, W = o->wid, berm = 3.8;
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, 2.0);
    shadow_fill(cr, 0.3);
    enter_frame(cr, o);
    double lift = tgnoise_range(&rng, -10, 8);
    /* spoil spread around the berm by the excavator */
    for (int i = 0; i < 9; i++) {
        double ang = tgnoise_range(&rng, 0, 2 * PI), r = tgnoise_range(&rng, 3, 7);
        double x = cos(ang) * (L / 2 + 1), y = sin(ang) * (W / 2 + 1);
        cairo_pattern_t *pat = cairo_pattern_create_radial(x, y, 0, x, y, r);
        cairo_pattern_add_color_stop_rgba(pat, 0, (184 + lift) / 255, (160 + lift) / 255,
                                          (124 + lift) / 255, 0.45);
        cairo_pattern_add_color_stop_rgba(pat, 1, (184 + lift) / 255, (160 + lift) / 255,
                                          (124 + lift) / 255, 0);
        cairo_set_source(cr, pat);
        cairo_arc(cr, x, y, r, 0, 2 * PI);
        cairo_fill(cr);
        cairo_pattern_destroy(pat);
    }
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    /* berm: raised, lighter, freshly moved earth with a soft toe */
    struct tgnoise_rng path_rng = rng;
    berm_path(cr, &path_rng, L, W, berm, 0.45);
    cairo_set_line_width(cr, berm + 1.6);
    set_rgba(cr, 176 + lift, 150 + lift, 114 + lift, 0.6);
    cairo_stroke(cr);
    path_rng = rng;
    berm_path(cr, &path_rng, L, W, berm, 0.45);
    cairo_set_line_width(cr, berm);
    set_rgb(cr, 196 + lift, 172 + lift, 134 + lift);
    cairo_stroke(cr);
    /* crest highlight */
    path_rng = rng;
    berm_path(cr, &path_rng, L, W, berm, 0.45);
    cairo_set_line_width(cr, 1.0);
    set_rgba(cr, 228, 212, 178, 0.45);
    cairo_stroke(cr);
    rng = path_rng;
    /* the cut: dark damp earth, from the open end to the back berm */
    cairo_rectangle(cr, -L / 2 - 0.5, -W / 2 + berm, L - berm + 0.5, W - 2 * berm);
    set_rgb(cr, 96 + lift * 0.5, 78 + lift * 0.5, 60);
    cairo_fill(cr);
    cairo_restore(cr);
    /* inner shadow of the walls: the part of the cut whose sunward ray leaves
     * the cut, i.e. cut minus (cut moved by the shadow vector) */
    double cut[8];
    {
        double c = cos(o->angle), s = sin(o->angle);
        double ccx = o->cx + c * (-berm / 2 - 0.25), ccy = o->cy + s * (-berm / 2 - 0.25);
        local_rect(ccx, ccy, L - berm + 0.5, W - 2 * berm, o->angle, cut);
        cairo_save(cr);
        poly_path(cr, cut, 4);
        cairo_clip(cr);
        /* the open end has no wall: extend the cut out of it before shifting */
        ccx -= c * 10, ccy -= s * 10;
        local_rect(ccx, ccy, L - berm + 20.5, W - 2 * berm, o->angle, cut);
    }
    double outer[8];
    tgscene_rect_corners(o, outer);
    /* the whole outer rectangle moved by the shadow vector, minus the cut moved
     * likewise, approximates the shadow of the walls */
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (int i = 0; i < 4; i++)
        (i ? cairo_line_to : cairo_move_to)(cr, outer[2 * i], outer[2 * i + 1]);
    cairo_close_path(cr);
    for (int i = 0; i < 4; i++)
        (i ? cairo_line_to : cairo_move_to)(cr, cut[2 * i] + sc->shadow_dx * 2.4,
                                            cut[2 * i + 1] + sc->shadow_dy * 2.4);
    cairo_close_path(cr);
    shadow_fill(cr, 0.5);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_restore(cr);
    /* contents: a container in some, tyre marks in all */
    enter_frame(cr, o);
    cairo_set_line_width(cr, 0.5);
    set_rgba(cr, 70, 56, 44, 0.5);
    for (int s = -1; s <= 1; s += 2) {
        cairo_move_to(cr, -L / 2 - 3, s * 1.0);
        cairo_line_to(cr, L / 2 - berm - 2, s * 1.0);
    }
    cairo_stroke(cr);
    if (o->variant == 1) {
        const double *c = box_palette[tgnoise_int(&rng, 0, 11)];
        double bl = 6.06;
        set_rgba(cr, 0, 0, 0, 0.4);
        cairo_rectangle(cr, L / 2 - berm - bl - 1.2 + sc->shadow_dx * 0.8, -1.22 + 0.8, bl, 2.44);
        cairo_fill(cr);
        set_rgb(cr, c[0], c[1], c[2]);
        cairo_rectangle(cr, L / 2 - berm - bl - 1.2, -1.22, bl, 2.44);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static void container_box(cairo_t *cr, double x, double y, double bl, double bw,
                          const double *c, double shade)
{
    set_rgb(cr, c[0] * shade, c[1] * shade, c[2] * shade);
    cairo_rectangle(cr, x, y, bl, bw);
    cairo_fill(cr);
    /* roof ribs are below a pixel; an end rail reads as a lighter edge */
    cairo_set_line_width(cr, 0.25);
    set_rgba(cr, 255, 255, 255, 0.18);
    cairo_move_to(cr, x + 0.15, y);
    cairo_line_to(cr, x + 0.15, y + bw);
    cairo_stroke(cr);
}

static void draw_stack(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double bl = o->variant ? 12.19 : 6.06, bw = 2.44, gap_l = 0.4, gap_w = 0.3;
    int ncol = (int)(o->len / (bl + gap_l)), nrow = (int)(o->wid / (bw + gap_w));
    if (ncol < 1 || nrow < 1)
        return;
    if (ncol * nrow > 4096)
        ncol = 4096 / nrow;
    int *tier = malloc((size_t)(ncol * nrow) * sizeof *tier);
    int *colour = malloc((size_t)(ncol * nrow) * sizeof *colour);
    if (!tier || !colour) {
        free(tier);
        free(colour);
        return;
    }
    int bay = tgnoise_int(&rng, 0, 11), maxt = o->tiers > 0 ? o->tiers : 1;
    for (int row = 0; row < nrow; row++) {
        /* rows are filled from one end, to one height, with the odd lower box */
        int used = (int)lround(ncol * o->fill) + tgnoise_int(&rng, -1, 1);
        used = used < 0 ? 0 : used > ncol ? ncol : used;
        int row_tier = tgnoise_uniform(&rng) < 0.75 ? maxt : (maxt > 1 ? maxt - 1 : 1);
        bool from_start = tgnoise_uniform(&rng) < 0.5;
        for (int col = 0; col < ncol; col++) {
            int i = row * ncol + col;
            bool present = from_start ? col < used : col >= ncol - used;
            int t = row_tier - (tgnoise_uniform(&rng) < 0.15 ? 1 : 0);
            tier[i] = present && t > 0 ? t : 0;
            colour[i] = tgnoise_uniform(&rng) < 0.35 ? bay : tgnoise_int(&rng, 0, 11);
        }
    }
    double x0 = -ncol * (bl + gap_l) / 2, y0 = -nrow * (bw + gap_w) / 2;
    double c = cos(o->angle), s = sin(o->angle);
    for (int t = 1; t <= (o->tiers > 0 ? o->tiers : 1); t++) {
        /* one path for all shadows of this tier: no double darkening */
        for (int i = 0; i < ncol * nrow; i++) {
            if (tier[i] != t)
                continue;
            double lx = x0 + (i % ncol) * (bl + gap_l) + bl / 2, ly = y0 + (i / ncol) * (bw + gap_w) + bw / 2;
            double r[8];
            local_rect(o->cx + lx * c - ly * s, o->cy + lx * s + ly * c, bl, bw, o->angle, r);
            shadow_path(cr, sc, r, 4, 2.6 * t);
        }
        shadow_fill(cr, 0.5);
        enter_frame(cr, o);
        for (int i = 0; i < ncol * nrow; i++) {
            if (tier[i] != t)
                continue;
            double lx = x0 + (i % ncol) * (bl + gap_l), ly = y0 + (i / ncol) * (bw + gap_w);
            container_box(cr, lx, ly, bl, bw, box_palette[colour[i]],
                          0.86 + 0.05 * t + 0.06 * tgnoise_uniform(&rng));
        }
        cairo_restore(cr);
    }
    free(tier);
    free(colour);
}

/* Hull outline in the ship frame: stern at -L/2, bow point at +L/2. */
static void hull_outline(cairo_t *cr, double L, double B, double inset)
{
    double hl = L / 2 - inset, hb = B / 2 - inset, bow = L * 0.2;
    cairo_move_to(cr, -hl + 2, -hb);
    cairo_line_to(cr, hl - bow, -hb);
    cairo_curve_to(cr, hl - bow * 0.4, -hb, hl - inset * 0.5, -hb * 0.35, hl, 0);
    cairo_curve_to(cr, hl - inset * 0.5, hb * 0.35, hl - bow * 0.4, hb, hl - bow, hb);
    cairo_line_to(cr, -hl + 2, hb);
    cairo_curve_to(cr, -hl, hb, -hl, hb * 0.8, -hl, hb * 0.6);
    cairo_line_to(cr, -hl, -hb * 0.6);
    cairo_curve_to(cr, -hl, -hb * 0.8, -hl, -hb, -hl + 2, -hb);
    cairo_close_path(cr);
}

static void draw_ship(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    static const double hulls[4][3] = {{38, 36, 40}, {90, 34, 30}, {36, 52, 86}, {60, 64, 66}};
    static const double decks[4][3] = {{128, 70, 52}, {70, 96, 72}, {120, 110, 96}, {140, 64, 48}};
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double L = o->len, B = o->wid;
    int v = o->variant % 4;
    /* shadow of the hull on the water */
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, o->height);
    shadow_fill(cr, 0.55);
    enter_frame(cr, o);
    hull_outline(cr, L, B, 0);
    set_rgb(cr, hulls[v][0], hulls[v][1], hulls[v][2]);
    cairo_fill(cr);
    hull_outline(cr, L, B, 0.9);
    set_rgb(cr, decks[v][0], decks[v][1], decks[v][2]);
    cairo_fill(cr);
    /* deck wear */
    for (int i = 0; i < 40; i++) {
        set_rgba(cr, 40, 30, 26, tgnoise_range(&rng, 0.05, 0.15));
        cairo_arc(cr, tgnoise_range(&rng, -L / 2 + 3, L / 2 - L * 0.2), tgnoise_range(&rng, -B / 3, B / 3),
                  tgnoise_range(&rng, 0.6, 2.5), 0, 2 * PI);
        cairo_fill(cr);
    }
    /* forecastle */
    double fx = L / 2 - L * 0.12;
    set_rgba(cr, 210, 200, 180, 0.35);
    cairo_rectangle(cr, fx - 2, -B / 2 + 1.5, 1.2, B - 3);
    cairo_fill(cr);
    /* holds: hatch covers, open ones show the hold with containers */
    double sup_len = L * 0.13, aft = -L / 2 + 3;
    double hold_start = aft + sup_len + 4, hold_end = fx - 3;
    int nh = L > 110 ? 5 : 4;
    double hl = (hold_end - hold_start) / nh;
    for (int i = 0; i < nh; i++) {
        double hx = hold_start + i * hl + 1.2, hw = B * 0.68, hlen = hl - 2.4;
        bool open = o->tiers >= 1 && tgnoise_uniform(&rng) < (o->tiers == 2 ? 0.75 : 0.6);
        if (open) {
            set_rgb(cr, 24, 22, 22);
            cairo_rectangle(cr, hx, -hw / 2, hlen, hw);
            cairo_fill(cr);
            /* containers in the hold */
            for (double cx = hx + 0.6; cx + 6.06 < hx + hlen; cx += 6.4)
                for (double cy = -hw / 2 + 0.4; cy + 2.44 < hw / 2; cy += 2.7)
                    if (tgnoise_uniform(&rng) < 0.7)
                        container_box(cr, cx, cy, 6.06, 2.44, box_palette[tgnoise_int(&rng, 0, 11)],
                                      0.55);
            /* shadow of the hatch coaming inside */
            set_rgba(cr, 0, 0, 0, 0.45);
            cairo_rectangle(cr, hx, hw / 2 - 1.6, hlen, 1.6);
            cairo_fill(cr);
            /* the lifted cover stacked beside the hatch */
            set_rgb(cr, decks[(v + 1) % 4][0], decks[(v + 1) % 4][1], decks[(v + 1) % 4][2]);
            cairo_rectangle(cr, hx + 1, -B / 2 + 1.0, hlen - 2, 1.8);
            cairo_fill(cr);
        } else {
            double base = 0.75 + 0.1 * (i % 2);
            set_rgb(cr, decks[(v + 1) % 4][0] * base, decks[(v + 1) % 4][1] * base,
                    decks[(v + 1) % 4][2] * base);
            cairo_rectangle(cr, hx, -hw / 2, hlen, hw);
            cairo_fill(cr);
            cairo_set_line_width(cr, 0.2);
            set_rgba(cr, 20, 20, 20, 0.5);
            cairo_move_to(cr, hx + hlen / 2, -hw / 2);
            cairo_line_to(cr, hx + hlen / 2, hw / 2);
            cairo_stroke(cr);
            /* containers stowed on the closed cover */
            if (o->tiers >= 1 && tgnoise_uniform(&rng) < 0.6)
                for (double cx = hx + 0.4; cx + 6.06 < hx + hlen; cx += 6.4)
                    for (double cy = -hw / 2 + 0.3; cy + 2.44 < hw / 2; cy += 2.6)
                        if (tgnoise_uniform(&rng) < 0.8)
                            container_box(cr, cx, cy, 6.06, 2.44,
                                          box_palette[tgnoise_int(&rng, 0, 11)], 0.95);
        }
        /* cargo derricks between holds */
        if (i > 0) {
            set_rgb(cr, 220, 210, 170);
            cairo_arc(cr, hx - 1.2, 0, 0.7, 0, 2 * PI);
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);
    /* superstructure: its own shadow falls across the deck / water */
    double sx = -L / 2 + 3 + sup_len / 2;
    double c = cos(o->angle), s = sin(o->angle);
    double scx = o->cx + sx * c, scy = o->cy + sx * s, r[8];
    local_rect(scx, scy, sup_len, B * 0.82, o->angle, r);
    shadow_path(cr, sc, r, 4, 9);
    shadow_fill(cr, 0.5);
    poly_path(cr, r, 4);
    set_rgb(cr, 226, 222, 210);
    cairo_fill(cr);
    local_rect(scx - c * 1.0, scy - s * 1.0, sup_len * 0.6, B * 0.5, o->angle, r);
    poly_path(cr, r, 4);
    set_rgb(cr, 240, 238, 232);
    cairo_fill(cr);
    /* funnel */
    double fxx = scx - c * (sup_len * 0.3), fyy = scy - s * (sup_len * 0.3);
    local_rect(fxx, fyy, 3, 3.5, o->angle, r);
    shadow_path(cr, sc, r, 4, 6);
    shadow_fill(cr, 0.45);
    poly_path(cr, r, 4);
    set_rgb(cr, v == 2 ? 200 : 40, v == 2 ? 60 : 40, v == 2 ? 40 : 44);
    cairo_fill(cr);
}

static void draw_boat(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double L = o->len, B = o->wid;
    if (o->variant & 1) {
        /* Kelvin wake and a turbulent centre streak behind the stern */
        double wl = L * 7;
        enter_frame(cr, o);
        cairo_pattern_t *g = cairo_pattern_create_linear(-L / 2, 0, -L / 2 - wl, 0);
        cairo_pattern_add_color_stop_rgba(g, 0, 0.85, 0.9, 0.9, 0.55);
        cairo_pattern_add_color_stop_rgba(g, 1, 0.85, 0.9, 0.9, 0.0);
        cairo_set_source(cr, g);
        double spread = tan(19.5 * PI / 180) * wl;
        cairo_set_line_width(cr, 1.4);
        cairo_move_to(cr, -L / 2 + 2, -B / 2);
        cairo_line_to(cr, -L / 2 - wl, -spread);
        cairo_move_to(cr, -L / 2 + 2, B / 2);
        cairo_line_to(cr, -L / 2 - wl, spread);
        cairo_stroke(cr);
        cairo_move_to(cr, -L / 2, -B * 0.3);
        cairo_line_to(cr, -L / 2 - wl * 0.8, -B * 0.9);
        cairo_line_to(cr, -L / 2 - wl * 0.8, B * 0.9);
        cairo_line_to(cr, -L / 2, B * 0.3);
        cairo_close_path(cr);
        cairo_fill(cr);
        cairo_pattern_destroy(g);
        cairo_restore(cr);
    }
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, o->height);
    shadow_fill(cr, 0.45);
    enter_frame(cr, o);
    hull_outline(cr, L, B, 0);
    set_rgb(cr, 214, 214, 206);
    cairo_fill(cr);
    hull_outline(cr, L, B, 0.5);
    double g = tgnoise_range(&rng, 0, 1);
    set_rgb(cr, g < 0.5 ? 60 : 150, g < 0.5 ? 90 : 56, g < 0.5 ? 120 : 46);
    cairo_fill(cr);
    set_rgb(cr, 236, 236, 230);
    cairo_rectangle(cr, -L * 0.15, -B * 0.3, L * 0.3, B * 0.6);
    cairo_fill(cr);
    cairo_restore(cr);
}

static void draw_building(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    static const double roofs[7][3] = {{150, 148, 142}, {150, 72, 52}, {96, 116, 138},
                                       {86, 124, 96},   {196, 196, 190}, {70, 70, 72},
                                       {236, 236, 230}};
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, o->height);
    shadow_fill(cr, 0.55);
    int v = o->variant % 7;
    enter_frame(cr, o);
    double L = o->len, W = o->wid;
    double k = 0.9 + 0.15 * tgnoise_uniform(&rng);
    const double *rc = roofs[v];
    if (v == 6) {
        cairo_arc(cr, 0, 0, L / 2, 0, 2 * PI);
        set_rgb(cr, rc[0], rc[1], rc[2]);
        cairo_fill(cr);
        cairo_restore(cr);
        return;
    }
    cairo_rectangle(cr, -L / 2, -W / 2, L, W);
    set_rgb(cr, rc[0] * k, rc[1] * k, rc[2] * k);
    cairo_fill(cr);
    if (v == 1 || v == 2 || v == 3) {
        /* pitched metal roof: the half facing the sun is lighter; ribs */
        double sun_side = (sc->shadow_dy * cos(o->angle) - sc->shadow_dx * sin(o->angle)) > 0 ? -1 : 1;
        cairo_rectangle(cr, -L / 2, sun_side > 0 ? 0 : -W / 2, L, W / 2);
        set_rgba(cr, 255, 255, 255, 0.16);
        cairo_fill(cr);
        cairo_rectangle(cr, -L / 2, sun_side > 0 ? -W / 2 : 0, L, W / 2);
        set_rgba(cr, 0, 0, 0, 0.12);
        cairo_fill(cr);
        cairo_set_line_width(cr, 0.12);
        set_rgba(cr, 0, 0, 0, 0.12);
        for (double x = -L / 2 + 0.9; x < L / 2; x += 0.9) {
            cairo_move_to(cr, x, -W / 2);
            cairo_line_to(cr, x, W / 2);
        }
        cairo_stroke(cr);
        cairo_set_line_width(cr, 0.4);
        set_rgba(cr, 255, 255, 255, 0.25);
        cairo_move_to(cr, -L / 2, 0);
        cairo_line_to(cr, L / 2, 0);
        cairo_stroke(cr);
    } else {
        /* flat roof: parapet, stains, rooftop units */
        cairo_rectangle(cr, -L / 2 + 0.4, -W / 2 + 0.4, L - 0.8, W - 0.8);
        cairo_set_line_width(cr, 0.6);
        set_rgba(cr, 230, 230, 225, 0.5);
        cairo_stroke(cr);
        int n = (int)(L * W / 120) + 1;
        for (int i = 0; i < n; i++) {
            double x = tgnoise_range(&rng, -L / 2 + 2, L / 2 - 4), y = tgnoise_range(&rng, -W / 2 + 2, W / 2 - 3);
            set_rgba(cr, 0, 0, 0, 0.35);
            cairo_rectangle(cr, x + 0.6, y + 0.6, 2, 1.6);
            cairo_fill(cr);
            set_rgb(cr, 200, 200, 196);
            cairo_rectangle(cr, x, y, 2, 1.6);
            cairo_fill(cr);
        }
        for (int i = 0; i < 6; i++) {
            set_rgba(cr, 40, 40, 40, 0.08);
            cairo_arc(cr, tgnoise_range(&rng, -L / 2, L / 2), tgnoise_range(&rng, -W / 2, W / 2),
                      tgnoise_range(&rng, 1, 4), 0, 2 * PI);
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);
}

static void draw_tree(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    double r = o->len / 2;
    cairo_save(cr);
    cairo_translate(cr, o->cx + sc->shadow_dx * o->height * 0.6, o->cy + sc->shadow_dy * o->height * 0.6);
    cairo_arc(cr, 0, 0, r, 0, 2 * PI);
    cairo_restore(cr);
    shadow_fill(cr, 0.5);
    static const double crown[3][3] = {{46, 72, 34}, {88, 70, 48}, {74, 66, 56}};
    const double *c = crown[sc->season];
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    /* a crown is a clump of lobes, lit on the sun side */
    double n = hypot(sc->shadow_dx, sc->shadow_dy);
    double ux = -sc->shadow_dx / n, uy = -sc->shadow_dy / n;
    int lobes = tgnoise_int(&rng, 3, 6);
    double k = 0.85 + 0.25 * tgnoise_uniform(&rng);
    for (int i = 0; i < lobes; i++) {
        double a = tgnoise_range(&rng, 0, 2 * PI), d = tgnoise_range(&rng, 0, r * 0.45);
        double lx = o->cx + cos(a) * d, ly = o->cy + sin(a) * d, lr = r * tgnoise_range(&rng, 0.5, 0.75);
        double lit = 0.8 + 0.35 * ((lx - o->cx) * ux + (ly - o->cy) * uy) / r;
        set_rgba(cr, c[0] * k * lit, c[1] * k * lit, c[2] * k * lit, 0.92);
        cairo_arc(cr, lx, ly, lr, 0, 2 * PI);
        cairo_fill(cr);
    }
}

static void draw_vehicle(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, o->height);
    shadow_fill(cr, 0.5);
    enter_frame(cr, o);
    double L = o->len, W = o->wid;
    if (o->variant) {
        const double *c = box_palette[tgnoise_int(&rng, 0, 11)];
        container_box(cr, -L / 2, -W / 2 + 0.03, 12.19, 2.44, c, 1.0);
        set_rgb(cr, 200, 200, 190);
        cairo_rectangle(cr, L / 2 - 3.2, -W / 2, 3.0, W);
        cairo_fill(cr);
    } else {
        double g = tgnoise_uniform(&rng);
        set_rgb(cr, g < 0.4 ? 220 : g < 0.7 ? 40 : 120, g < 0.4 ? 220 : g < 0.7 ? 40 : 30,
                g < 0.4 ? 216 : g < 0.7 ? 44 : 30);
        cairo_rectangle(cr, -L / 2, -W / 2, L, W);
        cairo_fill(cr);
        set_rgba(cr, 20, 24, 30, 0.7);
        cairo_rectangle(cr, L / 2 - 1.8, -W / 2 + 0.2, 0.7, W - 0.4);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static void draw_railcar(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, o->seed);
    double xy[8];
    tgscene_rect_corners(o, xy);
    shadow_path(cr, sc, xy, 4, o->variant == 1 ? 1.3 : o->height);
    shadow_fill(cr, 0.5);
    enter_frame(cr, o);
    double L = o->len, W = o->wid;
    if (o->variant == 2) { /* locomotive */
        set_rgb(cr, 44, 96, 70);
        cairo_rectangle(cr, -L / 2, -W / 2, L, W);
        cairo_fill(cr);
        set_rgb(cr, 150, 150, 140);
        cairo_rectangle(cr, -L / 4, -W / 4, L / 2, W / 2);
        cairo_fill(cr);
    } else if (o->variant == 1) { /* flat car with containers */
        set_rgb(cr, 62, 56, 52);
        cairo_rectangle(cr, -L / 2, -W / 2, L, W);
        cairo_fill(cr);
        cairo_restore(cr);
        bool forty = tgnoise_uniform(&rng) < 0.4;
        double c = cos(o->angle), s = sin(o->angle);
        for (int i = 0; i < (forty ? 1 : 2); i++) {
            if (!forty && tgnoise_uniform(&rng) < 0.12)
                continue;
            double bl = forty ? 12.19 : 6.06, off = forty ? 0 : (i ? 3.2 : -3.2);
            double r[8];
            local_rect(o->cx + off * c, o->cy + off * s, bl, 2.44, o->angle, r);
            shadow_path(cr, sc, r, 4, 3.9);
            shadow_fill(cr, 0.5);
            poly_path(cr, r, 4);
            const double *col = box_palette[tgnoise_int(&rng, 0, 11)];
            set_rgb(cr, col[0], col[1], col[2]);
            cairo_fill(cr);
        }
        return;
    } else {
        set_rgb(cr, 112, 86, 70);
        cairo_rectangle(cr, -L / 2, -W / 2, L, W);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static void draw_crane(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    static const double bodies[3][3] = {{220, 180, 40}, {210, 120, 40}, {90, 120, 170}};
    const double *bc = bodies[o->variant % 3];
    double c = cos(o->angle), s = sin(o->angle);
    double tower = o->height, boom = o->len;
    double bx = o->cx + c * boom, by = o->cy + s * boom;
    double sdx = sc->shadow_dx, sdy = sc->shadow_dy;
    /* shadows: portal legs, tower, boom at height, hook line */
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width(cr, 1.6);
    cairo_move_to(cr, o->cx, o->cy);
    cairo_line_to(cr, o->cx + sdx * tower, o->cy + sdy * tower);
    cairo_line_to(cr, bx + sdx * (tower + 6), by + sdy * (tower + 6));
    cairo_set_operator(cr, CAIRO_OPERATOR_MULTIPLY);
    cairo_set_source_rgb(cr, 0.45, 0.47, 0.55);
    cairo_stroke(cr);
    double r[8];
    local_rect(o->cx + sdx * tower, o->cy + sdy * tower, 7, 5, o->angle, r);
    poly_path(cr, r, 4);
    cairo_fill(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    /* portal on the pier rails */
    double w = o->wid;
    cairo_save(cr);
    cairo_translate(cr, o->cx, o->cy);
    cairo_rotate(cr, o->angle);
    cairo_set_line_width(cr, 0.8);
    set_rgb(cr, bc[0] * 0.8, bc[1] * 0.8, bc[2] * 0.8);
    cairo_rectangle(cr, -w / 2, -w / 2, w, w);
    cairo_stroke(cr);
    /* machinery house and boom */
    set_rgb(cr, bc[0], bc[1], bc[2]);
    cairo_rectangle(cr, -4.5, -2.5, 7, 5);
    cairo_fill(cr);
    set_rgba(cr, 0, 0, 0, 0.25);
    cairo_rectangle(cr, -4.5, 0.8, 7, 1.7);
    cairo_fill(cr);
    cairo_set_line_width(cr, 1.0);
    set_rgb(cr, bc[0] * 1.05 > 255 ? 255 : bc[0] * 1.05, bc[1], bc[2]);
    cairo_move_to(cr, 2, 0);
    cairo_line_to(cr, boom, 0);
    cairo_stroke(cr);
    set_rgb(cr, 60, 60, 60);
    cairo_rectangle(cr, -7, -1.5, 2.6, 3);
    cairo_fill(cr);
    cairo_restore(cr);
}

static void draw_object(cairo_t *cr, const struct tgscene *sc, const struct tgscene_obj *o)
{
    switch (o->kind) {
    case TGK_PAD: draw_pad(cr, o); break;
    case TGK_PIER: draw_pier(cr, sc, o); break;
    case TGK_BREAKWATER: draw_breakwater(cr, sc, o); break;
    case TGK_ROAD: draw_road(cr, o); break;
    case TGK_TRACK: draw_track(cr, o); break;
    case TGK_RAIL: draw_rail(cr, o); break;
    case TGK_PIT: draw_pit(cr, sc, o); break;
    case TGK_SHIP: draw_ship(cr, sc, o); break;
    case TGK_BOAT: draw_boat(cr, sc, o); break;
    case TGK_STACK: draw_stack(cr, sc, o); break;
    case TGK_RAILCAR: draw_railcar(cr, sc, o); break;
    case TGK_VEHICLE: draw_vehicle(cr, sc, o); break;
    case TGK_BUILDING: draw_building(cr, sc, o); break;
    case TGK_TREE: draw_tree(cr, sc, o); break;
    case TGK_CRANE: draw_crane(cr, sc, o); break;
    case TGK_AOI: break;
    }
}

/* ---- the strip --------------------------------------------------------------------- */

bool tgpaint_strip(struct tgpaint *p, int row0, int rows, unsigned char *rgb, struct diag *dg)
{
    const struct tgscene *sc = p->sc;
    int W = p->width, H = rows + 2 * MARGIN;
    double px = p->pixel;
    cairo_surface_t *mask = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    float *tmp = malloc((size_t)W * H * 3 * sizeof *tmp);
    if (cairo_surface_status(mask) || cairo_surface_status(img) || !tmp) {
        cairo_surface_destroy(mask);
        cairo_surface_destroy(img);
        free(tmp);
        diag_error(dg, "painter: out of memory for a %dx%d strip", W, H);
        return false;
    }
    /* scene metres -> strip pixels */
    cairo_matrix_t m;
    cairo_matrix_init(&m, 1.0 / px, 0, 0, -1.0 / px, W / 2.0, p->height / 2.0 - (row0 - MARGIN));
    double ytop = (p->height / 2.0 - (row0 - MARGIN)) * px, ybot = ytop - H * px;
    double xl = -W / 2.0 * px, xr = W / 2.0 * px;

    /* (1) region index mask */
    cairo_t *cr = cairo_create(mask);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_matrix(cr, &m);
    for (size_t i = 0; i < sc->nregions; i++) {
        const struct tgscene_region *r = &sc->regions[i];
        size_t id = i + 1;
        cairo_set_source_rgb(cr, (double)(id >> 8 & 255) / 255.0, (double)(id & 255) / 255.0, 0);
        poly_path(cr, r->pts, r->npts);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(mask);

    /* (2) ground texture through a warped lookup */
    const unsigned char *md = cairo_image_surface_get_data(mask);
    int mstride = cairo_image_surface_get_stride(mask);
    unsigned char *id = cairo_image_surface_get_data(img);
    int istride = cairo_image_surface_get_stride(img);
    for (int j = 0; j < H; j++) {
        int trow = row0 - MARGIN + j;
        float y = (float)((p->height / 2.0 - trow - 0.5) * px);
        for (int i = 0; i < W; i++) {
            float x = (float)((i + 0.5 - W / 2.0) * px);
            float wx = 2.6f * tgnoise_fbm(x / 18.0f, y / 18.0f, 3, 0x3a3au);
            float wy = 2.6f * tgnoise_fbm(x / 18.0f, y / 18.0f, 3, 0x3b3bu);
            int si = i + (int)lrintf(wx / (float)px), sj = j - (int)lrintf(wy / (float)px);
            si = si < 0 ? 0 : si >= W ? W - 1 : si;
            sj = sj < 0 ? 0 : sj >= H ? H - 1 : sj;
            uint32_t pix = *(const uint32_t *)(md + (size_t)sj * mstride + (size_t)si * 4);
            size_t rid = ((pix >> 16) & 255) << 8 | ((pix >> 8) & 255);
            struct rgbf c = {100, 100, 100};
            if (rid >= 1 && rid <= sc->nregions)
                c = shade_ground(sc, &sc->regions[rid - 1], x, y);
            uint32_t r8 = (uint32_t)clampf(c.r, 0, 255), g8 = (uint32_t)clampf(c.g, 0, 255),
                     b8 = (uint32_t)clampf(c.b, 0, 255);
            *(uint32_t *)(id + (size_t)j * istride + (size_t)i * 4) = r8 << 16 | g8 << 8 | b8;
        }
    }
    cairo_surface_mark_dirty(img);

    /* (3) objects in height order */
    cr = cairo_create(img);
    cairo_set_matrix(cr, &m);
    cairo_set_tolerance(cr, 0.05);
    for (size_t k = 0; k < sc->nobjs; k++) {
        size_t i = p->order[k];
        const double *bb = &p->bbox[4 * i];
        if (bb[2] < xl || bb[0] > xr || bb[3] < ybot || bb[1] > ytop)
            continue;
        draw_object(cr, sc, &sc->objs[i]);
    }
    cairo_destroy(cr);
    cairo_surface_flush(img);

    /* (4) optics and sensor: mild blur, haze, grain */
    for (int j = 0; j < H; j++)
        for (int i = 0; i < W; i++) {
            uint32_t v = *(const uint32_t *)(id + (size_t)j * istride + (size_t)i * 4);
            float *t = &tmp[((size_t)j * W + i) * 3];
            t[0] = (float)(v >> 16 & 255), t[1] = (float)(v >> 8 & 255), t[2] = (float)(v & 255);
        }
    for (int j = MARGIN; j < MARGIN + rows; j++) {
        int trow = row0 - MARGIN + j;
        float y = (float)((p->height / 2.0 - trow - 0.5) * px);
        unsigned char *out = rgb + (size_t)(j - MARGIN) * W * 3;
        for (int i = 0; i < W; i++) {
            float x = (float)((i + 0.5 - W / 2.0) * px);
            int il = i > 0 ? i - 1 : i, ir = i + 1 < W ? i + 1 : i;
            float haze = 1.0f + 0.03f * tgnoise_fbm(x / 500.0f, y / 500.0f, 2, 0x4a2eu);
            float grain = (tgnoise_hash01(i, trow, 0x9e11u) - 0.5f) * 5.0f;
            /* surface texture on everything drawn flat (concrete, roofs, decks) */
            float tex = 1.0f + 0.045f * tgnoise_fbm(x / 2.5f, y / 2.5f, 2, 0x7e47u) +
                        0.025f * tgnoise_value(x / 0.7f, y / 0.7f, 0x7e48u);
            haze *= tex;
            for (int ch = 0; ch < 3; ch++) {
                const float *up = &tmp[((size_t)(j - 1) * W) * 3 + ch];
                const float *mid = &tmp[((size_t)j * W) * 3 + ch];
                const float *dn = &tmp[((size_t)(j + 1) * W) * 3 + ch];
                float blur = (4 * mid[i * 3] + 2 * (mid[il * 3] + mid[ir * 3] + up[i * 3] + dn[i * 3]) +
                              up[il * 3] + up[ir * 3] + dn[il * 3] + dn[ir * 3]) / 16.0f;
                float v = 0.55f * mid[i * 3] + 0.45f * blur;
                static const float lift[3] = {9, 11, 15}; /* atmospheric path radiance */
                v = v * 0.93f * haze + lift[ch] + grain +
                    (tgnoise_hash01(i, trow, 0x77u + (uint32_t)ch) - 0.5f) * 2.0f;
                out[i * 3 + ch] = (unsigned char)clampf(v + 0.5f, 0, 255);
            }
        }
    }
    free(tmp);
    cairo_surface_destroy(mask);
    cairo_surface_destroy(img);
    return true;
}
