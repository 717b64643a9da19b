/*
 * ramp — see ramp.h. Each ramp is a short list of control points (t, r, g,
 * b) chosen by hand to be monotonic in lightness; colours between them are
 * linear interpolations. ramp_apply_rgba builds a 256-entry table once per
 * call (cheap) so a whole window costs one lookup per pixel.
 */
#include "ramp.h"

#include <math.h>
#include <strings.h>

struct ramp_stop {
    double t;
    uint8_t r, g, b;
};

/* Dark blue-violet through teal and green to yellow. */
static const struct ramp_stop viridis[] = {
    {0.00, 68, 1, 84},   {0.25, 59, 82, 139},  {0.50, 33, 145, 140},
    {0.75, 94, 201, 98}, {1.00, 253, 231, 37},
};
/* Black through purple, red and orange to pale yellow. */
static const struct ramp_stop inferno[] = {
    {0.00, 0, 0, 4},     {0.20, 66, 10, 104},   {0.40, 147, 38, 103},
    {0.60, 221, 81, 58}, {0.80, 252, 165, 10},  {1.00, 252, 255, 164},
};
/* Sea blue at the bottom, then lowland green, sand, brown and snow. */
static const struct ramp_stop terrain[] = {
    {0.00, 40, 60, 150},   {0.15, 20, 150, 220},  {0.25, 30, 170, 100},
    {0.50, 230, 220, 140}, {0.75, 130, 95, 80},   {1.00, 255, 255, 255},
};

struct ramp_def {
    const char *name;
    const struct ramp_stop *stops;
    size_t n;
};

static const struct ramp_def ramps[RAMP_COUNT] = {
    [RAMP_GREY] = {"grey", NULL, 0},
    [RAMP_VIRIDIS] = {"viridis", viridis, sizeof viridis / sizeof viridis[0]},
    [RAMP_INFERNO] = {"inferno", inferno, sizeof inferno / sizeof inferno[0]},
    [RAMP_TERRAIN] = {"terrain", terrain, sizeof terrain / sizeof terrain[0]},
};

bool ramp_parse(const char *text, enum ramp_kind *out)
{
    if (!text)
        return false;
    if (strcasecmp(text, "gray") == 0) {
        *out = RAMP_GREY;
        return true;
    }
    for (int k = 0; k < RAMP_COUNT; k++)
        if (strcasecmp(text, ramps[k].name) == 0) {
            *out = (enum ramp_kind)k;
            return true;
        }
    return false;
}

const char *ramp_name(enum ramp_kind k)
{
    return (int)k >= 0 && k < RAMP_COUNT ? ramps[k].name : ramps[RAMP_GREY].name;
}

const char *ramp_names(void) { return "grey, viridis, inferno, terrain"; }

static uint8_t mix(uint8_t a, uint8_t b, double f)
{
    double v = a + (b - a) * f;
    return (uint8_t)(v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5);
}

void ramp_colour(enum ramp_kind k, double t, uint8_t rgb[3])
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    if ((int)k <= 0 || k >= RAMP_COUNT) {
        uint8_t v = (uint8_t)(t * 255 + 0.5);
        rgb[0] = rgb[1] = rgb[2] = v;
        return;
    }
    const struct ramp_def *d = &ramps[k];
    size_t i = 1;
    while (i < d->n - 1 && t > d->stops[i].t)
        i++;
    const struct ramp_stop *a = &d->stops[i - 1], *b = &d->stops[i];
    double f = (t - a->t) / (b->t - a->t);
    rgb[0] = mix(a->r, b->r, f);
    rgb[1] = mix(a->g, b->g, f);
    rgb[2] = mix(a->b, b->b, f);
}

void ramp_apply_rgba(enum ramp_kind k, uint8_t *rgba, size_t npixels)
{
    if ((int)k <= 0 || k >= RAMP_COUNT)
        return;
    uint8_t table[256][3];
    for (int v = 0; v < 256; v++)
        ramp_colour(k, v / 255.0, table[v]);
    for (size_t i = 0; i < npixels; i++) {
        uint8_t *p = rgba + i * 4;
        if (p[3] == 0)
            continue;
        const uint8_t *c = table[p[0]];
        p[0] = c[0];
        p[1] = c[1];
        p[2] = c[2];
    }
}
