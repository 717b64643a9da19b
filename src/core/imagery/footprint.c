/*
 * footprint — a tile's ground footprint and the tests marks are held to (see
 * footprint.h). Positions are projected to pixels with the tile's geo_ref; a
 * position that cannot be projected (outside the CRS's domain) is off the
 * tile.
 */
#include "footprint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "locate.h"
#include "raster.h"

struct footprint {
    char *path;
    struct geo_ref *geo;
    int width, height;
    struct geo_bounds bounds;
};

struct footprint *footprint_open(const char *tile_path, struct diag *dg)
{
    struct raster *r = raster_open(tile_path, NULL, dg);
    if (!r)
        return NULL;
    struct footprint *fp = calloc(1, sizeof *fp);
    if (!fp) {
        raster_close(r);
        diag_error(dg, "out of memory");
        return NULL;
    }
    const struct raster_info *info = raster_get_info(r);
    fp->width = info->width;
    fp->height = info->height;
    fp->path = strdup(tile_path);
    fp->geo = geo_ref_from_raster(r, dg);
    raster_close(r);
    if (!fp->path || !fp->geo) {
        if (!fp->path)
            diag_error(dg, "out of memory");
        footprint_free(fp);
        return NULL;
    }
    if (!geo_ref_has_crs(fp->geo)) {
        diag_error(dg, "%s: the tile has no coordinate reference system; where it lies on "
                       "the ground is unknown",
                   tile_path);
        footprint_free(fp);
        return NULL;
    }
    if (!geo_bounds_lonlat(fp->geo, fp->width, fp->height, &fp->bounds, dg)) {
        footprint_free(fp);
        return NULL;
    }
    return fp;
}

void footprint_free(struct footprint *fp)
{
    if (!fp)
        return;
    geo_ref_free(fp->geo);
    free(fp->path);
    free(fp);
}

const char *footprint_path(const struct footprint *fp)
{
    return fp->path;
}

const struct geo_bounds *footprint_bounds(const struct footprint *fp)
{
    return &fp->bounds;
}

/* Pixel position of (lon, lat); false when it cannot be projected. */
static bool to_pixel(struct footprint *fp, double lon, double lat, double *px, double *py)
{
    struct diag *quiet = diag_new();
    bool ok = quiet && geo_lonlat_to_pixel(fp->geo, lon, lat, px, py, quiet) &&
              isfinite(*px) && isfinite(*py);
    diag_free(quiet);
    return ok;
}

bool footprint_contains(struct footprint *fp, double lon, double lat)
{
    double px, py;
    return to_pixel(fp, lon, lat, &px, &py) && px >= 0 && py >= 0 && px <= fp->width &&
           py <= fp->height;
}

/* Calls visit on every position of g until it returns false. */
static bool each_position(const struct annot_geometry *g,
                          bool (*visit)(struct annot_lonlat p, void *ctx), void *ctx)
{
    for (size_t i = 0; i < g->nparts; i++)
        for (size_t k = 0; k < g->parts[i].n; k++)
            if (!visit(g->parts[i].pts[k], ctx))
                return false;
    for (size_t m = 0; m < g->nmembers; m++)
        if (!each_position(&g->members[m], visit, ctx))
            return false;
    return true;
}

struct contains_ctx {
    struct footprint *fp;
    struct annot_lonlat outside;
};

static bool visit_contains(struct annot_lonlat p, void *ctx)
{
    struct contains_ctx *c = ctx;
    if (footprint_contains(c->fp, p.lon, p.lat))
        return true;
    c->outside = p;
    return false;
}

bool footprint_contains_all(struct footprint *fp, const struct annot_geometry *g,
                            struct annot_lonlat *outside)
{
    struct contains_ctx c = {.fp = fp};
    bool all = each_position(g, visit_contains, &c);
    if (!all && outside)
        *outside = c.outside;
    return all;
}

struct box_ctx {
    struct footprint *fp;
    double x0, y0, x1, y1;
    size_t n;
};

static bool visit_box(struct annot_lonlat p, void *ctx)
{
    struct box_ctx *b = ctx;
    double px, py;
    if (!to_pixel(b->fp, p.lon, p.lat, &px, &py))
        return true;
    if (b->n++ == 0) {
        b->x0 = b->x1 = px;
        b->y0 = b->y1 = py;
    }
    b->x0 = fmin(b->x0, px);
    b->x1 = fmax(b->x1, px);
    b->y0 = fmin(b->y0, py);
    b->y1 = fmax(b->y1, py);
    return true;
}

bool footprint_misses(struct footprint *fp, const struct annot_geometry *g)
{
    struct box_ctx b = {.fp = fp};
    each_position(g, visit_box, &b);
    if (b.n == 0)
        return annot_geometry_npositions(g) > 0;
    return b.x1 < 0 || b.y1 < 0 || b.x0 > fp->width || b.y0 > fp->height;
}

/* One distinct image of a set and its footprint (NULL: not found/opened). */
struct seen_image {
    const char *name; /* borrowed from the set */
    struct footprint *fp;
};

bool footprint_check_observations(const struct annot_set *set, const char *annot_path,
                                  size_t *nchecked, struct diag *dg)
{
    struct seen_image *seen = NULL;
    size_t nseen = 0, cap = 0, checked = 0, missing = 0;
    char first_missing[2 * LOCATE_PATH_MAX] = "";
    struct locate_result *found = malloc(sizeof *found);
    struct diag *quiet = diag_new();
    bool ok = found && quiet;
    if (!ok)
        diag_error(dg, "out of memory");
    for (size_t i = 0; ok && i < annot_count(set); i++) {
        const struct annot_feature *f = annot_get(set, i);
        for (size_t k = 0; ok && k < f->nobs; k++) {
            const char *image = f->obs[k].image;
            if (!image || !*image)
                continue;
            size_t at = 0;
            while (at < nseen && strcmp(seen[at].name, image) != 0)
                at++;
            if (at == nseen) {
                if (nseen == cap) {
                    size_t ncap = cap ? 2 * cap : 8;
                    struct seen_image *grown = realloc(seen, ncap * sizeof *grown);
                    if (!grown) {
                        diag_error(dg, "out of memory");
                        ok = false;
                        break;
                    }
                    seen = grown;
                    cap = ncap;
                }
                seen[nseen].name = image;
                seen[nseen].fp = NULL;
                diag_reset(quiet);
                if (locate_tile(annot_path, image, found))
                    seen[nseen].fp = footprint_open(found->path, quiet);
                if (!seen[nseen].fp && missing++ == 0) {
                    if (*found->path)
                        snprintf(first_missing, sizeof first_missing, "%s",
                                 diag_message(quiet));
                    else
                        locate_describe(found, image, first_missing, sizeof first_missing);
                }
                nseen++;
            }
            struct footprint *fp = seen[at].fp;
            if (!fp)
                continue;
            checked++;
            if (footprint_misses(fp, &f->geom)) {
                const struct geo_bounds *b = footprint_bounds(fp);
                diag_error(dg, "%s: feature \"%s\" is observed on %s but lies off that image "
                               "(the image covers lon %.4f to %.4f, lat %.4f to %.4f; are "
                               "longitude and latitude swapped, or is it the wrong image?)",
                           annot_path, f->id, image, b->west, b->east, b->south, b->north);
                ok = false;
            }
        }
    }
    if (missing)
        diag_warn(dg, "%s: %zu observed image%s not found, so not checked against the marks "
                      "(%s)",
                  annot_path, missing, missing == 1 ? "" : "s", first_missing);
    for (size_t i = 0; i < nseen; i++)
        footprint_free(seen[i].fp);
    free(seen);
    free(found);
    diag_free(quiet);
    if (nchecked)
        *nchecked = checked;
    return ok;
}
