/*
 * tggeo — see tggeo.h. One PROJ context per transformer, so nothing is shared
 * between transformers and no global PROJ state is touched.
 */
#include "tggeo.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>

struct tggeo {
    PJ_CONTEXT *ctx;
    PJ *pj;
    int epsg;
};

struct tggeo *tggeo_new(int epsg, struct diag *dg)
{
    struct tggeo *g = calloc(1, sizeof *g);
    if (!g) {
        diag_error(dg, "EPSG:%d: out of memory", epsg);
        return NULL;
    }
    g->epsg = epsg;
    g->ctx = proj_context_create();
    char target[32];
    snprintf(target, sizeof target, "EPSG:%d", epsg);
    PJ *raw = g->ctx ? proj_create_crs_to_crs(g->ctx, "EPSG:4326", target, NULL) : NULL;
    if (raw) {
        g->pj = proj_normalize_for_visualization(g->ctx, raw);
        proj_destroy(raw);
    }
    if (!g->pj) {
        diag_error(dg, "%s: cannot set up the WGS84 transformation: %s", target,
                   g->ctx ? proj_context_errno_string(g->ctx, proj_context_errno(g->ctx))
                          : "no PROJ context");
        tggeo_free(g);
        return NULL;
    }
    return g;
}

void tggeo_free(struct tggeo *geo)
{
    if (!geo)
        return;
    proj_destroy(geo->pj);
    proj_context_destroy(geo->ctx);
    free(geo);
}

static bool run(struct tggeo *g, PJ_DIRECTION dir, double a, double b, double *x, double *y,
                struct diag *dg)
{
    PJ_COORD c = proj_coord(a, b, 0, 0);
    PJ_COORD r = proj_trans(g->pj, dir, c);
    if (!isfinite(r.xy.x) || !isfinite(r.xy.y)) {
        diag_error(dg, "EPSG:%d: cannot transform (%.7f, %.7f)", g->epsg, a, b);
        return false;
    }
    *x = r.xy.x;
    *y = r.xy.y;
    return true;
}

bool tggeo_to_utm(struct tggeo *geo, double lon, double lat, double *e, double *n,
                  struct diag *dg)
{
    return run(geo, PJ_FWD, lon, lat, e, n, dg);
}

bool tggeo_to_lonlat(struct tggeo *geo, double e, double n, double *lon, double *lat,
                     struct diag *dg)
{
    return run(geo, PJ_INV, e, n, lon, lat, dg);
}
