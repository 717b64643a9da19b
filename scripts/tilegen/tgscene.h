/*
 * tgscene — what a synthetic tile shows: ground regions (water, forest, yard
 * surfaces...) and objects (piers, ships, container stacks, cranes, rail,
 * buildings, munitions pits...), built from the site name and the date.
 *
 * The scene is the single source of truth: the painter draws it and the
 * annotation writer marks it, so the bundled annotations match the pixels.
 * Coordinates: scene metres, x east and y north of the scene origin (the
 * site's UTM coordinates rounded to whole metres; origin_e/origin_n). Angles
 * are radians counter-clockwise from east. Object rectangles are centred on
 * (cx, cy), `len` along the angle, `wid` across it.
 */
#ifndef SATMARK_TGSCENE_H
#define SATMARK_TGSCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum tgscene_material {
    TGMAT_WATER = 1,
    TGMAT_HARBOUR, /* sheltered water: calmer */
    TGMAT_FOREST,
    TGMAT_GRASS,
    TGMAT_SOIL,
    TGMAT_GRAVEL,
    TGMAT_ASPHALT,
    TGMAT_CONCRETE,
    TGMAT_FIELD,
    TGMAT_SAND,
    TGMAT_URBAN,
    TGMAT_ROCK
};

enum tgscene_kind {
    TGK_PAD,        /* paved ground-level area (concrete/asphalt apron) */
    TGK_PIER,       /* pier or quay deck standing above the water */
    TGK_BREAKWATER, /* rock-armoured mole, polyline */
    TGK_ROAD,       /* asphalt road, polyline */
    TGK_TRACK,      /* dirt track, polyline */
    TGK_RAIL,       /* railway track, polyline */
    TGK_PIT,        /* munitions pit: earth cut with berms, open at -len end */
    TGK_SHIP,
    TGK_BOAT,       /* small craft; moving when variant & 1 (draws a wake) */
    TGK_STACK,      /* container stack area */
    TGK_RAILCAR,
    TGK_VEHICLE,
    TGK_BUILDING,
    TGK_TREE,
    TGK_CRANE,      /* portal crane: cx,cy base, angle = boom direction, len = boom */
    TGK_AOI         /* annotation-only area */
};

enum tgscene_geom { TGGEOM_RECT, TGGEOM_POLYGON, TGGEOM_LINE, TGGEOM_POINT };

#define TGSCENE_MAX_CLAIMS 4

struct tgscene_claim {
    const char *claim; /* static strings */
    const char *stance;
};

/* Annotation of one object; present when obj.annot is non-NULL. */
struct tgscene_annot {
    char id[48];
    char label[80];
    const char *cls; /* static */
    char note[480];
    enum tgscene_geom geom;
    struct tgscene_claim claims[TGSCENE_MAX_CLAIMS];
    int nclaims;
};

struct tgscene_obj {
    enum tgscene_kind kind;
    double cx, cy, len, wid, angle, height;
    double *pts; /* owned: polyline / polygon vertices x0,y0,x1,y1..., or NULL */
    int npts;
    double line_width; /* metres, for polylines */
    uint64_t seed;
    int variant;
    int tiers;       /* container stacks: max tiers; ships: 1 = loading */
    double fill;     /* container stacks: fraction of slots used */
    struct tgscene_annot *annot; /* owned, or NULL */
};

struct tgscene_region {
    enum tgscene_material material;
    double *pts; /* owned polygon */
    int npts;
    uint64_t seed;
    double angle; /* fields: furrow direction */
    int variant;  /* fields: 0 ploughed / green crop, 1 stubble / ripe, 2 pasture / winter crop */
};

struct tgscene {
    char site[16];        /* "rason-najin" or "dunai" */
    char title[64];
    char date[11];        /* YYYY-MM-DD */
    int epsg;
    double site_lon, site_lat;
    double origin_e, origin_n; /* UTM metres of scene (0,0) */
    double half_extent;        /* scene covers [-h, h] in x and y */
    int season;                /* 0 summer, 1 late autumn, 2 late winter */
    double sun_azimuth_deg;    /* from north, clockwise */
    double sun_elevation_deg;
    double shadow_dx, shadow_dy; /* shadow offset per metre of height (scene metres) */
    double deep_x, deep_y, deep_ox, deep_oy; /* water deepens along (deep_x,deep_y) from (ox,oy) */
    double wave_angle;
    uint64_t seed;
    struct tgscene_region *regions;
    size_t nregions, cap_regions;
    struct tgscene_obj *objs;
    size_t nobjs, cap_objs;
};

/* Site description used before a scene exists (for PROJ set-up); *title is a
 * static string. false for an unknown site. */
bool tgscene_site_info(const char *site, int *epsg, double *lon, double *lat,
                       const char **title);

/* Builds the scene of `site` on `date` covering [-half_extent, half_extent]
 * metres around the origin (already computed by the caller from site lon/lat).
 * bench: a larger procedural scene of the same kind (more piers, yards,
 * a pit field). Returns new scene (free with tgscene_free) or NULL with dg set. */
struct tgscene *tgscene_build(const char *site, const char *date, double origin_e,
                              double origin_n, double half_extent, bool bench,
                              struct diag *dg);
void tgscene_free(struct tgscene *scene);

/* Corners (4 points, counter-clockwise) of an object's rectangle into xy[8]. */
void tgscene_rect_corners(const struct tgscene_obj *o, double xy[8]);

/* The dates of the bundled tiles of a site: two static strings, earliest
 * first. false for an unknown site. */
bool tgscene_site_dates(const char *site, const char *dates[2]);

#endif
