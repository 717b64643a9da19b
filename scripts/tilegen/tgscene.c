/*
 * tgscene — scene builders for the two demo sites; see tgscene.h.
 *
 * The geometry is invented but plausible: it follows the general layout of a
 * small port (quay, three piers, breakwater, rail-served yard, town on the
 * hill behind) around the real coordinates of Rajin/Najin, and of a forested
 * coastal ammunition depot with a rail spur near Dunai. It is NOT a survey of
 * either place. Every random choice comes from a splitmix64 stream seeded from
 * the site, the date and the object, so a scene is a pure function of its
 * inputs. Port-frame helpers express the port in (u seaward, v along the
 * quay) metres; they are converted to scene x/y (east/north) on insertion.
 */
#include "tgscene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgnoise.h"

#define PI 3.14159265358979323846

/* ---- containers of the scene ------------------------------------------ */

static bool scene_grow(void **items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *n = realloc(*items, ncap * item_size);
    if (!n)
        return false;
    memset((char *)n + *cap * item_size, 0, (ncap - *cap) * item_size);
    *items = n;
    *cap = ncap;
    return true;
}

/* Returns a zeroed object appended to the scene, borrowed until the next
 * append; aborts the process on out of memory (a generator, not a library). */
static struct tgscene_obj *add_obj(struct tgscene *sc, enum tgscene_kind kind)
{
    if (!scene_grow((void **)&sc->objs, &sc->cap_objs, sc->nobjs + 1, sizeof *sc->objs)) {
        fprintf(stderr, "satmark-tilegen: out of memory\n");
        exit(1);
    }
    struct tgscene_obj *o = &sc->objs[sc->nobjs++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->seed = tgnoise_mix(sc->seed, sc->nobjs * 7919u + (uint64_t)kind);
    o->fill = 1.0;
    return o;
}

static double *copy_pts(const double *pts, int n)
{
    double *p = malloc((size_t)n * 2 * sizeof *p);
    if (!p) {
        fprintf(stderr, "satmark-tilegen: out of memory\n");
        exit(1);
    }
    memcpy(p, pts, (size_t)n * 2 * sizeof *p);
    return p;
}

static void add_region(struct tgscene *sc, enum tgscene_material m, const double *pts, int n,
                       double angle)
{
    if (!scene_grow((void **)&sc->regions, &sc->cap_regions, sc->nregions + 1,
                    sizeof *sc->regions)) {
        fprintf(stderr, "satmark-tilegen: out of memory\n");
        exit(1);
    }
    struct tgscene_region *r = &sc->regions[sc->nregions++];
    r->material = m;
    r->pts = copy_pts(pts, n);
    r->npts = n;
    r->seed = tgnoise_mix(sc->seed, 0xabcdef00u + sc->nregions);
    r->angle = angle;
    r->variant = (int)(r->seed % 3);
}

static struct tgscene_annot *annotate(struct tgscene_obj *o, const char *id, const char *label,
                                      const char *cls, enum tgscene_geom geom, const char *note)
{
    struct tgscene_annot *a = calloc(1, sizeof *a);
    if (!a) {
        fprintf(stderr, "satmark-tilegen: out of memory\n");
        exit(1);
    }
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->label, sizeof a->label, "%s", label);
    snprintf(a->note, sizeof a->note, "%s", note);
    a->cls = cls;
    a->geom = geom;
    o->annot = a;
    return a;
}

static void link_claim(struct tgscene_annot *a, const char *claim, const char *stance)
{
    if (a->nclaims < TGSCENE_MAX_CLAIMS) {
        a->claims[a->nclaims].claim = claim;
        a->claims[a->nclaims].stance = stance;
        a->nclaims++;
    }
}

void tgscene_rect_corners(const struct tgscene_obj *o, double xy[8])
{
    double c = cos(o->angle), s = sin(o->angle);
    static const double du[4] = {-0.5, 0.5, 0.5, -0.5}, dv[4] = {-0.5, -0.5, 0.5, 0.5};
    for (int i = 0; i < 4; i++) {
        double a = du[i] * o->len, b = dv[i] * o->wid;
        xy[2 * i] = o->cx + a * c - b * s;
        xy[2 * i + 1] = o->cy + a * s + b * c;
    }
}

/* ---- port frame: u seaward, v along the quay ----------------------------- */

struct frame {
    double ox, oy, ux, uy, vx, vy, angle;
};

static struct frame frame_make(double ox, double oy, double angle)
{
    struct frame f = {ox, oy, cos(angle), sin(angle), -sin(angle), cos(angle), angle};
    return f;
}

static void fpt(const struct frame *f, double u, double v, double *x, double *y)
{
    *x = f->ox + u * f->ux + v * f->vx;
    *y = f->oy + u * f->uy + v * f->vy;
}

/* Rectangle centred at (u, v) with `len` along u when along_u, else along v. */
static struct tgscene_obj *frect(struct tgscene *sc, const struct frame *f, enum tgscene_kind k,
                                 double u, double v, double len, double wid, bool along_u)
{
    struct tgscene_obj *o = add_obj(sc, k);
    fpt(f, u, v, &o->cx, &o->cy);
    o->len = len;
    o->wid = wid;
    o->angle = along_u ? f->angle : f->angle + PI / 2;
    return o;
}

static void fpoly_region(struct tgscene *sc, const struct frame *f, enum tgscene_material m,
                         const double *uv, int n)
{
    double pts[256];
    if (n > 128)
        n = 128;
    for (int i = 0; i < n; i++)
        fpt(f, uv[2 * i], uv[2 * i + 1], &pts[2 * i], &pts[2 * i + 1]);
    add_region(sc, m, pts, n, f->angle);
}

static void fbox_region(struct tgscene *sc, const struct frame *f, enum tgscene_material m,
                        double u0, double v0, double u1, double v1)
{
    double uv[8] = {u0, v0, u1, v0, u1, v1, u0, v1};
    fpoly_region(sc, f, m, uv, 4);
}

static struct tgscene_obj *fline(struct tgscene *sc, const struct frame *f, enum tgscene_kind k,
                                 const double *uv, int n, double width)
{
    struct tgscene_obj *o = add_obj(sc, k);
    double *p = malloc((size_t)n * 2 * sizeof *p);
    if (!p) {
        fprintf(stderr, "satmark-tilegen: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < n; i++)
        fpt(f, uv[2 * i], uv[2 * i + 1], &p[2 * i], &p[2 * i + 1]);
    o->pts = p;
    o->npts = n;
    o->line_width = width;
    o->cx = p[0];
    o->cy = p[1];
    return o;
}

/* ---- shared object makers -------------------------------------------------- */

static void add_tree(struct tgscene *sc, double x, double y, double r)
{
    struct tgscene_obj *t = add_obj(sc, TGK_TREE);
    t->cx = x;
    t->cy = y;
    t->len = t->wid = 2 * r;
    t->height = r * 2.2;
}

/* Container stack block: rows of boxes, box length 6.06 m (variant 0) or
 * 12.19 m (variant 1), up to `tiers` high, `fill` of the slots used. */
static struct tgscene_obj *fstack(struct tgscene *sc, const struct frame *f, double u, double v,
                                  double len, double wid, bool along_u, int tiers, double fill,
                                  int variant)
{
    struct tgscene_obj *o = frect(sc, f, TGK_STACK, u, v, len, wid, along_u);
    o->tiers = tiers;
    o->fill = fill;
    o->variant = variant;
    o->height = 2.6 * tiers;
    return o;
}

static struct tgscene_obj *fcrane(struct tgscene *sc, const struct frame *f, double u, double v,
                                  double boom_angle_frame, double boom_len, int variant)
{
    struct tgscene_obj *o = add_obj(sc, TGK_CRANE);
    fpt(f, u, v, &o->cx, &o->cy);
    o->angle = f->angle + boom_angle_frame;
    o->len = boom_len;
    o->wid = 10.5;
    o->height = 24;
    o->variant = variant;
    return o;
}

static void fvehicle(struct tgscene *sc, const struct frame *f, double u, double v, bool along_u,
                     int variant)
{
    struct tgscene_obj *o = frect(sc, f, TGK_VEHICLE, u, v, variant ? 16.5 : 5.0,
                                  variant ? 2.5 : 2.0, along_u);
    o->variant = variant;
    o->height = variant ? 3.8 : 1.6;
}

/* ---- dates and sites -------------------------------------------------------- */

bool tgscene_site_info(const char *site, int *epsg, double *lon, double *lat, const char **title)
{
    if (strcmp(site, "rason-najin") == 0) {
        *epsg = 32652;
        *lon = 130.30;
        *lat = 42.245;
        *title = "Rason/Najin port";
        return true;
    }
    if (strcmp(site, "dunai") == 0) {
        *epsg = 32653;
        *lon = 132.34;
        *lat = 42.88;
        *title = "Dunai, Primorsky Krai (depot location disputed)";
        return true;
    }
    return false;
}

bool tgscene_site_dates(const char *site, const char *dates[2])
{
    if (strcmp(site, "rason-najin") == 0) {
        dates[0] = "2023-11-20";
        dates[1] = "2024-03-17";
        return true;
    }
    if (strcmp(site, "dunai") == 0) {
        dates[0] = "2022-08-14";
        dates[1] = "2023-11-05";
        return true;
    }
    return false;
}

static const char ident_note[] =
    " At 0.5 m a hull's name cannot be read: the image cannot say which ship this is. "
    "Synthetic demo tile.";

/* ---- Rason / Najin ------------------------------------------------------------- */

/* Shore line position u(v) in the port frame: straight quay in the port,
 * irregular natural coast beyond it. */
static double rason_coast_u(double v, double quay_half, uint32_t seed)
{
    double wobble = 22.0 * tgnoise_fbm((float)(v / 180.0), 3.7f, 4, seed);
    if (v > quay_half)
        return -12 + (v - quay_half) * 0.55 + wobble * fmin(1.0, (v - quay_half) / 80);
    if (v < -quay_half)
        return -12 - (-quay_half - v) * 0.30 + wobble * fmin(1.0, (-quay_half - v) / 80);
    return -12;
}

struct pier_def {
    double v, len, wid;
};

static void rason_ship(struct tgscene *sc, const struct frame *f, const struct pier_def *p,
                       int side, double u, double length, double beam, bool bow_out,
                       int variant, int loading)
{
    double v = p->v + side * (p->wid / 2 + beam / 2 + 1.5);
    struct tgscene_obj *o = frect(sc, f, TGK_SHIP, u, v, length, beam, true);
    if (!bow_out)
        o->angle += PI;
    o->variant = variant;
    o->tiers = loading;
    o->height = 7;
}

static void rason_pier_cranes(struct tgscene *sc, const struct frame *f, const struct pier_def *p,
                              int side, const double *us, int n, double slew, const char *date,
                              int *crane_no, bool annotate_them, const char *claim,
                              const char *stance)
{
    for (int i = 0; i < n; i++) {
        double v = p->v + side * (p->wid / 2 - 7);
        struct tgscene_obj *c =
            fcrane(sc, f, us[i], v, side * PI / 2 + slew * (i % 2 ? 1 : -1), 27, i % 3);
        if (annotate_them) {
            char id[48], label[80];
            (*crane_no)++;
            snprintf(id, sizeof id, "crane-%s-%02d", date, *crane_no);
            snprintf(label, sizeof label, "Portal crane %d", *crane_no);
            struct tgscene_annot *a =
                annotate(c, id, label, "crane", TGGEOM_POINT,
                         "Level-luffing portal crane on the pier's crane rails; the long thin "
                         "shadow of the boom shows it. Synthetic demo tile.");
            if (claim)
                link_claim(a, claim, stance);
        }
    }
}

static void rason_yard(struct tgscene *sc, const struct frame *f, double v0, double v1,
                       struct tgnoise_rng *rng)
{
    /* sheds and stacks in the yard behind the quay between v0 and v1 */
    for (double v = v0 + 30; v < v1 - 60; v += tgnoise_range(rng, 90, 150)) {
        double u = tgnoise_range(rng, -330, -290);
        struct tgscene_obj *b =
            frect(sc, f, TGK_BUILDING, u, v, tgnoise_range(rng, 30, 70),
                  tgnoise_range(rng, 14, 24), false);
        b->height = tgnoise_range(rng, 6, 11);
        b->variant = tgnoise_int(rng, 0, 5);
    }
    for (int i = 0; i < 6; i++)
        fvehicle(sc, f, tgnoise_range(rng, -190, -60), tgnoise_range(rng, v0, v1),
                 tgnoise_uniform(rng) < 0.5, tgnoise_int(rng, 0, 1));
}

static void rason_town(struct tgscene *sc, const struct frame *f, double v0, double v1,
                       struct tgnoise_rng *rng)
{
    /* apartment blocks on terraces uphill of the port road */
    fbox_region(sc, f, TGMAT_URBAN, -880, v0, -430, v1);
    for (double u = -470; u > -860; u -= 95) {
        double uv[4] = {u + 35, v0, u + 35, v1};
        fline(sc, f, TGK_ROAD, uv, 2, 6.5);
        /* two building slots between consecutive cross roads (210 m apart) */
        for (double slot = v0 + 55; slot < v1 - 50; slot += (fmod(slot - v0, 210.0) < 100 ? 100 : 110)) {
            if (tgnoise_uniform(rng) < 0.12)
                continue;
            double v = slot - 35 + tgnoise_range(rng, -4, 4);
            bool along_v = tgnoise_uniform(rng) < 0.75;
            struct tgscene_obj *b =
                frect(sc, f, TGK_BUILDING, u - tgnoise_range(rng, 14, 22), v + 35,
                      along_v ? tgnoise_range(rng, 60, 84) : tgnoise_range(rng, 12, 14),
                      along_v ? tgnoise_range(rng, 12, 14) : tgnoise_range(rng, 40, 56), !along_v);
            b->height = tgnoise_range(rng, 11, 16);
            int roofs[4] = {0, 4, 5, 1};
            b->variant = roofs[tgnoise_int(rng, 0, 3)];
            for (int t = 0; t < 9; t++) {
                double tx, ty;
                fpt(f, u + tgnoise_range(rng, -55, 30), v + tgnoise_range(rng, 0, 80), &tx, &ty);
                add_tree(sc, tx, ty, tgnoise_range(rng, 2.2, 4.5));
            }
        }
    }
    for (double v = v0; v < v1; v += 210) {
        double uv[4] = {-430, v, -880, v};
        fline(sc, f, TGK_ROAD, uv, 2, 6.5);
    }
}

static void build_rason(struct tgscene *sc, bool bench)
{
    const char *date = sc->date;
    bool autumn23 = strcmp(date, "2023-11-20") == 0;
    bool march24 = strcmp(date, "2024-03-17") == 0;
    double h = sc->half_extent;
    struct frame F = frame_make(-280, 0, -25.0 * PI / 180.0);
    const struct frame *f = &F;
    uint32_t coast_seed = 0x5eed0001u;
    double quay_half = bench ? h * 1.5 : 720;
    double far = h * 1.6 + 1200;
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, tgnoise_mix(sc->seed, 77));

    sc->deep_x = f->ux;
    sc->deep_y = f->uy;
    sc->deep_ox = f->ox;
    sc->deep_oy = f->oy;
    sc->wave_angle = f->angle + 0.6;

    /* ground: sea everywhere, then the land polygon west of the coast line */
    double sea[8] = {-far, -far, far, -far, far, far, -far, far};
    add_region(sc, TGMAT_WATER, sea, 4, 0);
    {
        enum { N = 120 };
        double uv[2 * (N + 2)];
        for (int i = 0; i < N; i++) {
            double v = -far + 2 * far * i / (N - 1);
            uv[2 * i] = rason_coast_u(v, quay_half, coast_seed);
            uv[2 * i + 1] = v;
        }
        uv[2 * N] = -far * 1.5;
        uv[2 * N + 1] = far;
        uv[2 * N + 2] = -far * 1.5;
        uv[2 * N + 3] = -far;
        fpoly_region(sc, f, TGMAT_SAND, uv, N + 2);
        /* rocky / scrub land behind the beach */
        for (int i = 0; i < N; i++)
            uv[2 * i] -= 9 + 4 * tgnoise_value((float)(uv[2 * i + 1] / 40.0), 1.5f, 3);
        fpoly_region(sc, f, TGMAT_GRASS, uv, N + 2);
        for (int i = 0; i < N; i++)
            uv[2 * i] = uv[2 * i] - 25 -
                        30 * (1 + tgnoise_value((float)(uv[2 * i + 1] / 150.0), 9.5f, 4));
        fpoly_region(sc, f, TGMAT_FOREST, uv, N + 2);
    }
    /* port yard, container yard apron, town */
    fbox_region(sc, f, TGMAT_GRAVEL, -420, -quay_half - 30, -10, quay_half + 30);
    fbox_region(sc, f, TGMAT_ASPHALT, -230, -quay_half, -172, quay_half);
    double town_v0 = bench ? -quay_half : -520, town_v1 = bench ? quay_half : 760;
    rason_town(sc, f, town_v0, town_v1, &rng);
    fbox_region(sc, f, TGMAT_FIELD, -1200, town_v1 + 40, -520, town_v1 + 420);

    /* quay, piers, breakwater */
    struct tgscene_obj *quay = frect(sc, f, TGK_PIER, -24, 0, 2 * quay_half + 10, 48, false);
    quay->height = 2.5;
    {
        struct tgscene_annot *a = annotate(
            quay, "pier-4", "Main quay", "pier", TGGEOM_RECT,
            "Quay wall along the port frontage, the root of Piers 1-3. Synthetic geometry placed "
            "around the real port's coordinates, not a survey.");
        link_claim(a, "najin-three-ships-loading", "context");
    }
    struct pier_def piers[3] = {{330, 400, 84}, {0, 440, 92}, {-330, 380, 80}};
    const char *pier_notes[3] = {
        "Pier 1 (northern). Reported as the berth where Russian-linked ships offload before "
        "loading at Pier 2 (NK Pro via Newsweek). Synthetic geometry.",
        "Pier 2 (middle). Reported as the loading berth and the apron where containers for "
        "export accumulate (NK Pro via Newsweek). Synthetic geometry.",
        "Pier 3 (southern). General cargo pier; no claim names it. Synthetic geometry."};
    for (int i = 0; i < 3; i++) {
        struct tgscene_obj *p =
            frect(sc, f, TGK_PIER, piers[i].len / 2, piers[i].v, piers[i].len, piers[i].wid, true);
        p->height = 2.5;
        p->variant = i;
        char id[16], label[16];
        snprintf(id, sizeof id, "pier-%d", i + 1);
        snprintf(label, sizeof label, "Pier %d", i + 1);
        struct tgscene_annot *a = annotate(p, id, label, "pier", TGGEOM_RECT, pier_notes[i]);
        if (i == 0) {
            link_claim(a, "rason-lady-r-pier1", "context");
            link_claim(a, "rason-pier1-offload-pier2-load", "context");
        } else if (i == 1) {
            link_claim(a, "rason-pier2-containers-accumulating", "context");
            link_claim(a, "rason-pier1-offload-pier2-load", "context");
            link_claim(a, "najin-three-ships-loading", "context");
        } else {
            link_claim(a, "najin-three-ships-loading", "context");
        }
    }
    int next_pier = 5;
    if (bench) {
        for (double v = 660; v < quay_half - 120; v += 330) {
            for (int s = -1; s <= 1; s += 2) {
                double len = tgnoise_range(&rng, 300, 420), wid = tgnoise_range(&rng, 80, 120);
                struct tgscene_obj *p = frect(sc, f, TGK_PIER, len / 2, s * v, len, wid, true);
                p->height = 2.5;
                p->variant = next_pier % 3;
                char id[16], label[16];
                snprintf(id, sizeof id, "pier-%d", next_pier);
                snprintf(label, sizeof label, "Pier %d", next_pier);
                next_pier++;
                annotate(p, id, label, "pier", TGGEOM_RECT, "Procedural benchmark pier.");
                struct pier_def pd = {s * v, len, wid};
                if (tgnoise_uniform(&rng) < 0.6)
                    rason_ship(sc, f, &pd, tgnoise_uniform(&rng) < 0.5 ? 1 : -1, len * 0.55,
                               tgnoise_range(&rng, 85, 130), tgnoise_range(&rng, 14, 20), true,
                               tgnoise_int(&rng, 0, 3), 1);
                for (int k = 0; k < 3; k++)
                    fstack(sc, f, 60 + k * (len - 100) / 3, s * v + tgnoise_range(&rng, -15, 15),
                           tgnoise_range(&rng, 40, 70), tgnoise_range(&rng, 15, 28), true,
                           tgnoise_int(&rng, 1, 4), tgnoise_range(&rng, 0.5, 1.0),
                           tgnoise_int(&rng, 0, 1));
                double us[3] = {len * 0.3, len * 0.55, len * 0.8};
                int dummy = 0;
                rason_pier_cranes(sc, f, &pd, 1, us, 3, 0.3, date, &dummy, false, NULL, NULL);
            }
        }
    }
    {
        double bw[10] = {rason_coast_u(1010, quay_half, coast_seed) - 20, 1010, 250, 930,
                         520, 800, 700, 690, 760, 650};
        struct tgscene_obj *b = fline(sc, f, TGK_BREAKWATER, bw, 5, 24);
        b->height = 4;
        annotate(b, "breakwater", "Breakwater", "other", TGGEOM_LINE,
                 "Rock-armoured breakwater sheltering the piers. Synthetic geometry.");
        struct tgscene_obj *l = frect(sc, f, TGK_BUILDING, 752, 655, 5, 5, true);
        l->height = 12;
        l->variant = 6;
    }

    /* rail: two through tracks behind the quay and spurs onto Piers 1 and 2 */
    {
        double r1[4] = {-112, -far, -112, far};
        struct tgscene_obj *r = fline(sc, f, TGK_RAIL, r1, 2, 3.4);
        struct tgscene_annot *a = annotate(r, "rail-1", "Port railway, main track", "rail",
                                           TGGEOM_LINE,
                                           "Standard/broad-gauge line serving the quay. Synthetic "
                                           "geometry.");
        link_claim(a, "najin-containers-loaded", "context");
        double r2[4] = {-124, -far, -124, far};
        r = fline(sc, f, TGK_RAIL, r2, 2, 3.4);
        annotate(r, "rail-2", "Port railway, second track", "rail", TGGEOM_LINE,
                 "Parallel siding. Synthetic geometry.");
        double s1[10] = {-112, 170, -80, 230, -45, 300, 0, 322, 330, 322};
        r = fline(sc, f, TGK_RAIL, s1, 5, 3.4);
        a = annotate(r, "rail-3", "Rail spur onto Pier 1", "rail", TGGEOM_LINE,
                     "Spur along Pier 1. Synthetic geometry.");
        link_claim(a, "rason-pier1-offload-pier2-load", "context");
        double s2[10] = {-112, -160, -80, -100, -45, -30, 0, -10, 380, -10};
        r = fline(sc, f, TGK_RAIL, s2, 5, 3.4);
        a = annotate(r, "rail-4", "Rail spur onto Pier 2", "rail", TGGEOM_LINE,
                     "Spur along Pier 2. Synthetic geometry.");
        link_claim(a, "rason-pier1-offload-pier2-load", "context");
    }
    /* roads */
    {
        double r1[4] = {-165, -far, -165, far};
        fline(sc, f, TGK_ROAD, r1, 2, 9);
        double r2[4] = {-420, -far, -420, far};
        fline(sc, f, TGK_ROAD, r2, 2, 8);
        for (int k = -1; k <= 1; k++) {
            double r3[4] = {-420, k * 470.0 + 60, -165, k * 470.0 + 60};
            fline(sc, f, TGK_ROAD, r3, 2, 7);
        }
    }
    /* main buildings */
    struct {
        double u, v, len, wid, height;
        int variant;
        const char *label;
    } blds[5] = {{-250, 470, 130, 34, 12, 1, "Warehouse A"},
                 {-250, 300, 120, 30, 11, 2, "Warehouse B"},
                 {-360, 80, 48, 20, 16, 0, "Port administration"},
                 {-255, -80, 96, 38, 12, 3, "Warehouse C"},
                 {-320, -380, 64, 26, 9, 4, "Workshop"}};
    for (int i = 0; i < 5; i++) {
        struct tgscene_obj *b = frect(sc, f, TGK_BUILDING, blds[i].u, blds[i].v, blds[i].len,
                                      blds[i].wid, false);
        b->height = blds[i].height;
        b->variant = blds[i].variant;
        char id[16];
        snprintf(id, sizeof id, "building-%d", i + 1);
        annotate(b, id, blds[i].label, "building", TGGEOM_RECT,
                 "Port building (synthetic). Its use is not established from imagery.");
    }
    rason_yard(sc, f, -quay_half, -170, &rng);
    rason_yard(sc, f, 560, quay_half, &rng);
    {
        /* the container yard changes from date to date */
        struct tgnoise_rng yard;
        tgnoise_seed(&yard, tgnoise_mix(sc->seed, tgnoise_string_seed(date)));
        int yard_no = 0;
        for (double v = -quay_half + 20; v < quay_half - 80; v += 80) {
            if (tgnoise_uniform(&yard) < 0.15)
                continue;
            struct tgscene_obj *s =
                fstack(sc, f, -201, v + 36, 68, 44, false, tgnoise_int(&yard, 2, 4),
                       tgnoise_range(&yard, 0.55, 0.95), tgnoise_uniform(&yard) < 0.3);
            /* a row of parked trucks between yard blocks */
            if (tgnoise_uniform(&yard) < 0.5)
                for (int t = 0; t < tgnoise_int(&yard, 2, 7); t++)
                    fvehicle(sc, f, -235 + t * 3.6, v + 75, true, 1);
            char yid[48];
            snprintf(yid, sizeof yid, "yard-containers-%s-%02d", date, ++yard_no);
            annotate(s, yid, "Container yard block", "container_stack", TGGEOM_RECT,
                     "Block of stacked containers in the port's container yard behind the quay, "
                     "outside the piers the claims are about. Contents unknown. Synthetic demo "
                     "tile.");
        }
    }

    /* the dated scene: ships, cranes, containers */
    int crane_no = 0, stack_no = 0;
    char id[48], label[80], note[480];
    if (autumn23 || (!march24 && !bench)) {
        /* One ship loading, not three: the reporting names Maia, Angara and Maria
         * loading at Najin between September and December 2023 but never says they
         * were in port on the same day, so the demo must not stage that. */
        rason_ship(sc, f, &piers[1], 1, 250, 132, 20, true, 0, 1);
        struct tgscene_obj *s = &sc->objs[sc->nobjs - 1];
        snprintf(id, sizeof id, "ship-pier2-%s", date);
        snprintf(note, sizeof note,
                 "Cargo ship about 132 m long alongside the north face of Pier 2, hatches open, "
                 "cranes over its holds and containers on the pier beside it: consistent with "
                 "loading. The UK report (via The Guardian) names Maia, Angara and Maria loading "
                 "at Najin in September-December 2023 without saying which was in port when.%s",
                 ident_note);
        struct tgscene_annot *a =
            annotate(s, id, "Cargo ship at Pier 2 (identity unknown)", "ship", TGGEOM_RECT, note);
        link_claim(a, "najin-containers-loaded", "supports");
        link_claim(a, "najin-three-ships-loading", "context");
        double p2u[3] = {190, 250, 310};
        rason_pier_cranes(sc, f, &piers[1], 1, p2u, 3, 0.25, date, &crane_no, true,
                          "najin-containers-loaded", "context");
        double p2s[2] = {215, 290};
        rason_pier_cranes(sc, f, &piers[1], -1, p2s, 2, 0.3, date, &crane_no, true, NULL, NULL);
        double p1u[2] = {180, 250};
        rason_pier_cranes(sc, f, &piers[0], 1, p1u, 2, 0.2, date, &crane_no, true, NULL, NULL);
        struct {
            int pier;
            double u, dv, len, wid;
            int tiers;
            double fill;
        } st[4] = {{1, 130, 8, 60, 26, 2, 0.7},
                   {1, 300, -6, 50, 22, 2, 0.6},
                   {0, 110, -4, 70, 30, 3, 0.8},
                   {2, 200, 0, 80, 34, 2, 0.75}};
        for (int i = 0; i < 4; i++) {
            const struct pier_def *p = &piers[st[i].pier];
            s = fstack(sc, f, st[i].u, p->v + st[i].dv, st[i].len, st[i].wid, true, st[i].tiers,
                       st[i].fill, i % 2);
            snprintf(id, sizeof id, "containers-%s-%02d", date, ++stack_no);
            snprintf(label, sizeof label, "Container stack on Pier %d", st[i].pier + 1);
            a = annotate(s, id, label, "container_stack", TGGEOM_RECT,
                         st[i].pier == 1
                             ? "Containers staged on the Pier 2 apron beside the berthed ship. "
                               "What they hold cannot be seen. Synthetic demo tile."
                             : "Containers staged on the pier apron; no ship at this pier. What "
                               "they hold cannot be seen. Synthetic demo tile.");
            if (st[i].pier == 1)
                link_claim(a, "najin-containers-loaded", "context");
        }
    }
    if (march24) {
        rason_ship(sc, f, &piers[0], -1, 225, 116, 17.5, true, 3, 2);
        struct tgscene_obj *s = &sc->objs[sc->nobjs - 1];
        snprintf(id, sizeof id, "ship-pier1-%s", date);
        snprintf(note, sizeof note,
                 "Cargo ship about 116 m long at Pier 1 with hatches open while the cranes "
                 "beside it work the holds. NK Pro (via Newsweek) reported a vessel matching the "
                 "Lady R at Pier 1 with cranes removing containers on a Sunday, most likely 10 "
                 "March 2024 (the text allows 17 March); Newsweek could not confirm it was the "
                 "Lady R.%s",
                 ident_note);
        struct tgscene_annot *a =
            annotate(s, id, "Cargo ship at Pier 1 (identity unknown)", "ship", TGGEOM_RECT, note);
        link_claim(a, "rason-lady-r-pier1", "supports");
        link_claim(a, "rason-pier1-offload-pier2-load", "context");
        double p1u[3] = {175, 225, 275};
        rason_pier_cranes(sc, f, &piers[0], -1, p1u, 3, 0.2, date, &crane_no, true,
                          "rason-lady-r-pier1", "context");
        double p2u[2] = {150, 330};
        rason_pier_cranes(sc, f, &piers[1], 1, p2u, 2, 0.9, date, &crane_no, true, NULL, NULL);
        s = fstack(sc, f, 225, piers[0].v - 18, 46, 16, true, 1, 0.55, 0);
        snprintf(id, sizeof id, "containers-%s-%02d", date, ++stack_no);
        a = annotate(s, id, "Containers landed on Pier 1", "container_stack", TGGEOM_RECT,
                     "A short row of containers beside the ship on Pier 1, consistent with "
                     "offloading. Synthetic demo tile.");
        link_claim(a, "rason-lady-r-pier1", "supports");
        link_claim(a, "rason-pier1-offload-pier2-load", "context");
        struct {
            double u, dv, len, wid;
            int tiers;
            double fill;
        } st[4] = {{105, 17, 64, 28, 3, 0.9},
                   {190, 17, 70, 28, 2, 0.85},
                   {110, -17, 58, 26, 2, 0.8},
                   {270, -17, 80, 26, 1, 0.6}};
        for (int i = 0; i < 4; i++) {
            s = fstack(sc, f, st[i].u, piers[1].v + st[i].dv, st[i].len, st[i].wid, true,
                       st[i].tiers, st[i].fill, i % 2);
            snprintf(id, sizeof id, "containers-%s-%02d", date, ++stack_no);
            snprintf(label, sizeof label, "Containers on Pier 2 (%c)", 'A' + i);
            a = annotate(s, id, label, "container_stack", TGGEOM_RECT,
                         "Container stack on the Pier 2 apron with no ship at Pier 2. NK Pro "
                         "(via Newsweek) reported containers accumulating at Pier 2 in the two "
                         "days before the ship arrived (8-10 March 2024); this image is later, "
                         "so it cannot show that. Contents unknown. Synthetic demo tile.");
            link_claim(a, "rason-pier2-containers-accumulating", "context");
            link_claim(a, "rason-pier1-offload-pier2-load", "context");
        }
    }
    /* trains standing on the second track: position and length change by date */
    {
        struct tgnoise_rng tr;
        tgnoise_seed(&tr, tgnoise_mix(sc->seed, tgnoise_string_seed(date) + 5));
        for (int k = 0; k < (bench ? 8 : 2); k++) {
            double v0 = tgnoise_range(&tr, -quay_half, quay_half - 400);
            int cars = tgnoise_int(&tr, 10, 26), type = tgnoise_int(&tr, 0, 1);
            for (int i = 0; i < cars; i++) {
                struct tgscene_obj *c = frect(sc, f, TGK_RAILCAR, -124, v0 + i * 15.2, 14.4, 3.1,
                                              false);
                c->variant = i == 0 ? 2 : type;
                c->height = 3.9;
            }
        }
    }
    /* sheds in the back of the yard */
    for (double v = -quay_half + 60; v < quay_half - 60; v += tgnoise_range(&rng, 110, 170)) {
        struct tgscene_obj *b = frect(sc, f, TGK_BUILDING, tgnoise_range(&rng, -400, -385), v,
                                      tgnoise_range(&rng, 24, 50), tgnoise_range(&rng, 12, 18),
                                      false);
        b->height = tgnoise_range(&rng, 5, 9);
        b->variant = tgnoise_int(&rng, 0, 5);
    }
    /* small craft: a moored pair inside the breakwater and boats under way */
    {
        struct tgscene_obj *b = frect(sc, f, TGK_BOAT, 560, 742, 22, 6, true);
        b->angle += 0.35;
        b->height = 3;
        b = frect(sc, f, TGK_BOAT, 600, 728, 18, 5, true);
        b->angle += 0.35;
        b->height = 3;
        int nb = bench ? 30 : 3;
        for (int i = 0; i < nb; i++) {
            double u = tgnoise_range(&rng, 650, bench ? h * 1.3 : 1250);
            double v = tgnoise_range(&rng, bench ? -quay_half : -700, bench ? quay_half : 450);
            b = frect(sc, f, TGK_BOAT, u, v, tgnoise_range(&rng, 12, 30), 5, true);
            b->angle = tgnoise_range(&rng, 0, 2 * PI);
            b->variant = 1;
            b->height = 3;
        }
    }
    /* trucks on the piers and quay */
    for (int i = 0; i < 10; i++) {
        const struct pier_def *p = &piers[i % 3];
        fvehicle(sc, f, tgnoise_range(&rng, 40, p->len - 40), p->v + tgnoise_range(&rng, -20, 20),
                 true, tgnoise_int(&rng, 0, 1));
    }

    /* areas the claim checks name */
    {
        struct tgscene_obj *a = frect(sc, f, TGK_AOI, 260, 0, 640, 1120, true);
        struct tgscene_annot *an = annotate(
            a, "najin-port", "Najin port: piers and berths", "aoi", TGGEOM_RECT,
            "Area counted for the three-ships claim: Piers 1-3, the quay and the basins between "
            "them.");
        link_claim(an, "najin-three-ships-loading", "context");
        link_claim(an, "najin-containers-loaded", "context");
        const struct pier_def *p1 = &piers[0], *p2 = &piers[1];
        a = frect(sc, f, TGK_AOI, p1->len / 2 + 5, p1->v, p1->len + 50, p1->wid + 90, true);
        an = annotate(a, "rason-pier1-berth", "Rason Pier 1 and its berths", "aoi", TGGEOM_RECT,
                      "Pier 1 with the water alongside both faces, where a berthed ship lies.");
        link_claim(an, "rason-lady-r-pier1", "context");
        a = frect(sc, f, TGK_AOI, p2->len / 2 + 5, p2->v, p2->len - 30, p2->wid - 6, true);
        an = annotate(a, "rason-pier2-apron", "Rason Pier 2 apron", "aoi", TGGEOM_RECT,
                      "Deck of Pier 2 where containers for export are reported to accumulate.");
        link_claim(an, "rason-pier2-containers-accumulating", "context");
    }
}

/* ---- Dunai --------------------------------------------------------------------------- */

static double dunai_coast_y(double x, uint32_t seed)
{
    return -640 + 0.12 * x + 45 * tgnoise_fbm((float)(x / 260.0), 0.5f, 5, seed);
}

static void build_dunai(struct tgscene *sc, bool bench)
{
    bool after = strcmp(sc->date, "2022-08-14") > 0;
    const char *date = sc->date;
    double h = sc->half_extent, far = h * 1.5 + 1200;
    uint32_t coast_seed = 0xd0a1u;
    struct tgnoise_rng rng;
    tgnoise_seed(&rng, tgnoise_mix(sc->seed, 99));
    /* depot frame: u along the depot's long axis, v across */
    struct frame D = frame_make(60, 160, 12.0 * PI / 180.0);
    const struct frame *d = &D;
    struct frame W = frame_make(0, 0, 0);

    sc->deep_x = 0;
    sc->deep_y = -1;
    sc->deep_ox = 0;
    sc->deep_oy = -640;
    sc->wave_angle = 0.9;

    double sea[8] = {-far, -far, far, -far, far, far, -far, far};
    add_region(sc, TGMAT_WATER, sea, 4, 0);
    {
        enum { N = 120 };
        double p[2 * (N + 2)];
        for (int i = 0; i < N; i++) {
            p[2 * i] = -far + 2 * far * i / (N - 1);
            p[2 * i + 1] = dunai_coast_y(p[2 * i], coast_seed);
        }
        p[2 * N] = far;
        p[2 * N + 1] = far;
        p[2 * N + 2] = -far;
        p[2 * N + 3] = far;
        add_region(sc, TGMAT_SAND, p, N + 2, 0);
        for (int i = 0; i < N; i++)
            p[2 * i + 1] += 9 + 4 * tgnoise_value((float)(p[2 * i] / 50.0), 2.5f, 8);
        add_region(sc, TGMAT_GRASS, p, N + 2, 0);
        for (int i = 0; i < N; i++)
            p[2 * i + 1] += 20 + 25 * (1 + tgnoise_value((float)(p[2 * i] / 120.0), 4.5f, 8));
        add_region(sc, TGMAT_FOREST, p, N + 2, 0);
    }
    /* farm fields in the north-west valley */
    {
        double f1[8] = {-1100, 520, -560, 470, -520, 1100, -1100, 1100};
        add_region(sc, TGMAT_FIELD, f1, 4, 0.2);
        sc->regions[sc->nregions - 1].variant = 0;
        double f2[8] = {-1100, 300, -700, 280, -640, 450, -1100, 500};
        add_region(sc, TGMAT_FIELD, f2, 4, 1.4);
        sc->regions[sc->nregions - 1].variant = 2;
        double f3[8] = {-1100, 760, -800, 740, -760, 1100, -1100, 1100};
        add_region(sc, TGMAT_FIELD, f3, 4, 0.25);
        sc->regions[sc->nregions - 1].variant = 1;
        double g1[8] = {-700, 280, -560, 290, -560, 470, -640, 450};
        add_region(sc, TGMAT_GRASS, g1, 4, 0);
    }
    /* depot clearing: grass before, churned earth where the pits are after */
    {
        double c[16] = {-560, -300, 520, -300, 560, -250, 560, 300,
                        500, 330, -520, 330, -560, 280, -560, -300};
        fpoly_region(sc, d, TGMAT_GRASS, c, 8);
        fbox_region(sc, d, TGMAT_GRAVEL, -475, -285, -340, 110);
        fbox_region(sc, d, TGMAT_GRAVEL, -345, -250, -225, -40);
        if (after)
            fbox_region(sc, d, TGMAT_SOIL, -120, -285, 545, 315);
    }
    /* rail: coastal main line across the tile and the spur into the depot */
    {
        double main_line[8] = {-far, -470, -300, -470, 300, -430, far, -390};
        struct tgscene_obj *r = fline(sc, &W, TGK_RAIL, main_line, 4, 3.4);
        struct tgscene_annot *a = annotate(r, "rail-1", "Coastal railway", "rail", TGGEOM_LINE,
                                           "Single-track line along the coast. Synthetic "
                                           "geometry.");
        link_claim(a, "dunai-trains-containers", "context");
        /* the spur leaves the main line and runs into the depot frame at u = -447 */
        double sp[16];
        sp[0] = -800; sp[1] = -470; sp[2] = -680; sp[3] = -462; sp[4] = -600; sp[5] = -430;
        fpt(d, -470, -420, &sp[6], &sp[7]);
        fpt(d, -452, -340, &sp[8], &sp[9]);
        fpt(d, -447, -260, &sp[10], &sp[11]);
        fpt(d, -447, 0, &sp[12], &sp[13]);
        fpt(d, -447, 70, &sp[14], &sp[15]);
        r = fline(sc, &W, TGK_RAIL, sp, 8, 3.4);
        a = annotate(r, "rail-2", "Depot rail spur", "rail", TGGEOM_LINE,
                     "Spur from the coastal line into the depot, ending beside the unloading "
                     "ramp. Synthetic geometry.");
        link_claim(a, "dunai-trains-containers", "context");
        double sid[8] = {-447, -275, -443, -240, -441, -200, -441, 60};
        r = fline(sc, d, TGK_RAIL, sid, 4, 3.4);
        annotate(r, "rail-3", "Depot loading siding", "rail", TGGEOM_LINE,
                 "Second track beside the unloading ramp. Synthetic geometry.");
        struct tgscene_obj *ramp = frect(sc, d, TGK_PAD, -409, -70, 200, 56, false);
        ramp->variant = 0;
    }
    /* roads and tracks */
    {
        double access[10] = {-far, 620, -700, 600, -500, 470, -300, 430, -170, 360};
        fline(sc, &W, TGK_ROAD, access, 5, 7);
        double perim[10] = {-560, -300, 560, -300, 560, 330, -560, 330, -560, -300};
        fline(sc, d, TGK_TRACK, perim, 5, 4.5);
        double inner[4] = {-500, 100, 560, 100};
        fline(sc, d, TGK_TRACK, inner, 2, 5);
        double coast_road[6] = {-far, -520, 0, -490, far, -450};
        fline(sc, &W, TGK_ROAD, coast_road, 3, 7);
        double to_coast[6] = {-300, -300, -320, -420, -340, -495};
        fline(sc, d, TGK_TRACK, to_coast, 3, 5);
    }
    /* buildings: storage sheds and the admin block in the west of the depot */
    {
        struct {
            double u, v, len, wid, height;
            int variant;
            const char *label;
        } b[7] = {{-300, -220, 70, 20, 8, 2, "Storage shed 1"},
                  {-300, -170, 70, 20, 8, 2, "Storage shed 2"},
                  {-300, -120, 70, 20, 8, 4, "Storage shed 3"},
                  {-300, -70, 70, 20, 8, 2, "Storage shed 4"},
                  {-470, 180, 40, 16, 10, 0, "Depot headquarters"},
                  {-250, 40, 50, 24, 9, 1, "Workshop"},
                  {-200, 200, 24, 12, 6, 3, "Guard building"}};
        for (int i = 0; i < 7; i++) {
            struct tgscene_obj *o = frect(sc, d, TGK_BUILDING, b[i].u, b[i].v, b[i].len,
                                          b[i].wid, true);
            o->height = b[i].height;
            o->variant = b[i].variant;
            char id[16];
            snprintf(id, sizeof id, "building-%d", i + 1);
            annotate(o, id, b[i].label, "building", TGGEOM_RECT,
                     "Depot building (synthetic). Use not established from imagery.");
        }
    }
    /* a small coastal pier: the depot's port facility */
    {
        double px = 520, py = dunai_coast_y(520, coast_seed);
        struct frame P = frame_make(px, py + 10, -PI / 2 + 0.12);
        struct tgscene_obj *p = frect(sc, &P, TGK_PIER, 75, 0, 170, 40, true);
        p->height = 2.5;
        struct tgscene_annot *a =
            annotate(p, "pier-1", "Dunai pier (port facility)", "pier", TGGEOM_RECT,
                     "Small cargo pier on the coast below the depot. RUSI reported repeated "
                     "container transport through the Dunai port facility by Angara and Maria; "
                     "this synthetic tile shows no ship at it. Synthetic geometry.");
        link_claim(a, "dunai-port-container-transport", "context");
        if (after) {
            struct tgscene_obj *s = fstack(sc, &P, 60, 4, 50, 20, true, 2, 0.8, 0);
            a = annotate(s, "containers-pier-2023-11-05", "Containers on the Dunai pier",
                         "container_stack", TGGEOM_RECT,
                         "Containers staged on the pier. Contents unknown. Synthetic demo "
                         "tile.");
            link_claim(a, "dunai-port-container-transport", "context");
        }
    }
    /* trees along the clearing edges */
    for (int i = 0; i < 160; i++) {
        double u = tgnoise_range(&rng, -600, 600), v = tgnoise_uniform(&rng) < 0.5
                                                            ? tgnoise_range(&rng, 335, 360)
                                                            : tgnoise_range(&rng, -330, -305);
        double x, y;
        fpt(d, u, v, &x, &y);
        add_tree(sc, x, y, tgnoise_range(&rng, 2.5, 5));
    }

    int stack_no = 0;
    char id[48], label[80];
    if (after) {
        /* the pit field: regular rows east of the sheds */
        int pit_no = 0;
        for (int row = 0; row < 11; row++) {
            double v = -250 + row * 52.0;
            if (fabs(v - 100) < 20)
                v += 22;
            int per_row = (row == 0 || row == 10) ? 11 : 12;
            double track[4] = {-80, v - 24, 540, v - 24};
            fline(sc, d, TGK_TRACK, track, 2, 4);
            for (int k = 0; k < per_row; k++) {
                double u = -60 + k * 49.0 + (row % 2) * 6;
                struct tgscene_obj *p = frect(sc, d, TGK_PIT, u, v, 26 + tgnoise_range(&rng, -1.5, 1.5),
                                              18 + tgnoise_range(&rng, -1, 1), false);
                /* open (-len) side faces the track at -v */
                p->angle = d->angle + PI / 2 + tgnoise_range(&rng, -0.03, 0.03);
                p->height = 2.5;
                p->variant = tgnoise_uniform(&rng) < 0.35 ? 1 : 0; /* 1: containers inside */
                pit_no++;
                snprintf(id, sizeof id, "pit-%03d", pit_no);
                snprintf(label, sizeof label, "Munitions pit %d (row %d)", pit_no, row + 1);
                struct tgscene_annot *a = annotate(
                    p, id, label, "munitions_pit", TGGEOM_RECT,
                    p->variant ? "Earth-bermed pit, open on one side, with a container inside. "
                                 "Absent on the 2022-08-14 tile. Drawn where Newsweek places the "
                                 "pits; RUSI and the White House place them near Tikhoretsk. "
                                 "Synthetic demo tile."
                               : "Earth-bermed pit, open on one side. Absent on the 2022-08-14 "
                                 "tile. Drawn where Newsweek places the pits; RUSI and the White "
                                 "House place them near Tikhoretsk. Synthetic demo tile.");
                /* context, not support: the tile (5 November) is after the claim's
                 * window, which ends with RUSI's report of 16 October 2023 */
                link_claim(a, "dunai-pits-over-100", "context");
            }
        }
        /* a train of flat cars with containers on the siding, stacks at the ramp */
        for (int i = 0; i < 16; i++) {
            struct tgscene_obj *c = frect(sc, d, TGK_RAILCAR, -441, -200 + i * 15.2, 14.4, 3.0,
                                          false);
            c->variant = i == 0 ? 2 : 1;
            c->height = 3.9;
        }
        struct tgscene_obj *ta = frect(sc, d, TGK_AOI, -441, -200 + 7.5 * 15.2, 16 * 15.2, 5,
                                       false);
        struct tgscene_annot *a =
            annotate(ta, "train-2023-11-05", "Train of flat cars with containers", "other",
                     TGGEOM_RECT,
                     "Sixteen cars on the depot siding, most carrying containers, beside the "
                     "unloading ramp. RUSI (via Newsweek) reported trains delivering containers to "
                     "the depot, by 16 October 2023; this image is later. Synthetic demo tile.");
        link_claim(a, "dunai-trains-containers", "context");
        struct {
            double u, v, len, wid;
            int tiers;
        } st[3] = {{-395, -150, 60, 12, 2}, {-395, -60, 70, 12, 2}, {-395, 20, 40, 12, 1}};
        for (int i = 0; i < 3; i++) {
            struct tgscene_obj *s = fstack(sc, d, st[i].u, st[i].v, st[i].len, st[i].wid, false,
                                           st[i].tiers, 0.85, i % 2);
            snprintf(id, sizeof id, "containers-%s-%02d", date, ++stack_no);
            snprintf(label, sizeof label, "Containers at the unloading ramp (%c)", 'A' + i);
            a = annotate(s, id, label, "container_stack", TGGEOM_RECT,
                         "Containers unloaded beside the siding. Contents unknown. Synthetic "
                         "demo tile.");
            link_claim(a, "dunai-trains-containers", "context");
        }
        for (int i = 0; i < 8; i++)
            fvehicle(sc, d, tgnoise_range(&rng, -380, 500),
                     (tgnoise_int(&rng, 0, 5) * 52.0) - 274, true, tgnoise_int(&rng, 0, 1));
    } else {
        for (int i = 0; i < 3; i++)
            fvehicle(sc, d, tgnoise_range(&rng, -380, -200), tgnoise_range(&rng, -60, 60), true,
                     0);
    }
    if (bench) {
        /* more storage sheds and stacks scattered in the surroundings */
        for (int i = 0; i < 200; i++) {
            double x = tgnoise_range(&rng, -h, h), y = tgnoise_range(&rng, -h, h);
            if (y < dunai_coast_y(x, coast_seed) + 80)
                continue;
            struct frame B = frame_make(x, y, tgnoise_range(&rng, 0, PI));
            struct tgscene_obj *o = frect(sc, &B, TGK_BUILDING, 0, 0, tgnoise_range(&rng, 20, 70),
                                          tgnoise_range(&rng, 10, 24), true);
            o->height = tgnoise_range(&rng, 5, 12);
            o->variant = tgnoise_int(&rng, 0, 5);
            snprintf(id, sizeof id, "building-b%03d", i + 1);
            annotate(o, id, "Building", "building", TGGEOM_RECT, "Procedural benchmark building.");
        }
    }
    /* the depot area the pit count is checked against */
    {
        struct tgscene_obj *a = frect(sc, d, TGK_AOI, 0, 15, 1140, 650, true);
        struct tgscene_annot *an =
            annotate(a, "dunai-depot", "Depot area (as Newsweek places it)", "aoi",
                     TGGEOM_RECT,
                     "Depot clearing inside the perimeter track; the area in which munitions pits "
                     "are counted. Newsweek places the depot and its pits at Dunai; RUSI and the "
                     "White House place them near Tikhoretsk, Krasnodar Krai.");
        link_claim(an, "dunai-pits-over-100", "context");
        link_claim(an, "dunai-trains-containers", "context");
    }
}

/* ---- entry points ------------------------------------------------------------------- */

struct tgscene *tgscene_build(const char *site, const char *date, double origin_e,
                              double origin_n, double half_extent, bool bench, struct diag *dg)
{
    int epsg;
    double lon, lat;
    const char *title;
    if (!tgscene_site_info(site, &epsg, &lon, &lat, &title)) {
        diag_error(dg, "%s: unknown site (expected rason-najin or dunai)", site);
        return NULL;
    }
    int y, m, dd;
    if (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d", &y, &m, &dd) != 3 || m < 1 || m > 12 ||
        dd < 1 || dd > 31) {
        diag_error(dg, "%s: not a date (expected YYYY-MM-DD)", date);
        return NULL;
    }
    struct tgscene *sc = calloc(1, sizeof *sc);
    if (!sc) {
        diag_error(dg, "%s: out of memory", site);
        return NULL;
    }
    snprintf(sc->site, sizeof sc->site, "%s", site);
    snprintf(sc->title, sizeof sc->title, "%s", title);
    snprintf(sc->date, sizeof sc->date, "%s", date);
    sc->epsg = epsg;
    sc->site_lon = lon;
    sc->site_lat = lat;
    sc->origin_e = origin_e;
    sc->origin_n = origin_n;
    sc->half_extent = half_extent;
    sc->season = (m >= 6 && m <= 9) ? 0 : (m >= 10) ? 1 : 2;
    /* late-morning sun, as for a sun-synchronous pass */
    static const double elev[3] = {58, 25, 40};
    sc->sun_azimuth_deg = 158;
    sc->sun_elevation_deg = elev[sc->season];
    double az = sc->sun_azimuth_deg * PI / 180, k = 1.0 / tan(sc->sun_elevation_deg * PI / 180);
    sc->shadow_dx = -sin(az) * k;
    sc->shadow_dy = -cos(az) * k;
    /* the layout seed depends on the site only, so the two dates share the town and yards */
    sc->seed = tgnoise_string_seed(site) ^ (bench ? 0xbe7cULL : 0);
    if (strcmp(site, "rason-najin") == 0)
        build_rason(sc, bench);
    else
        build_dunai(sc, bench);
    return sc;
}

void tgscene_free(struct tgscene *scene)
{
    if (!scene)
        return;
    for (size_t i = 0; i < scene->nobjs; i++) {
        free(scene->objs[i].pts);
        free(scene->objs[i].annot);
    }
    for (size_t i = 0; i < scene->nregions; i++)
        free(scene->regions[i].pts);
    free(scene->objs);
    free(scene->regions);
    free(scene);
}
