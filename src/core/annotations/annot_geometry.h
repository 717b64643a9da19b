/*
 * annot_geometry — the geometry of an annotation: GeoJSON's geometry types
 * held in WGS84 lon/lat (degrees, axis order lon then lat, RFC 7946), with
 * copying, building, checking, rewinding, bounding boxes, and the point
 * tests of the claims checks (point in area, representative point).
 *
 * Geometry representation (struct annot_geometry): `parts` is a flat list of
 * coordinate sequences, `member` groups them.
 *   Point            1 part, n = 1
 *   LineString       1 part, n >= 2
 *   Polygon          one part per ring; part 0 is the exterior ring, the rest
 *                    holes; every part has member 0
 *   MultiPoint       1 part holding all points (n >= 1); member 0
 *   MultiLineString  one part per line string; member = line index (0, 1, ...)
 *   MultiPolygon     one part per ring; member = polygon index; the first part
 *                    of each member is that polygon's exterior ring. Parts of
 *                    one member are contiguous and members ascend.
 *   GeometryCollection  no parts; `members` holds the member geometries (none
 *                    of which is a collection)
 *   None             a Feature whose geometry is null: no parts, no members
 * Rings are stored closed (last position == first, n >= 4), exterior rings
 * counter-clockwise and holes clockwise (the reader rewinds; edits keep it).
 * `alt` is NULL for 2D parts, else n altitudes (metres, kept from 3D input
 * and written back; never used for drawing). `extra` likewise keeps further
 * numbers of each position (4D input) for the round trip.
 *
 * Every function taking a geometry borrows it for the call; a geometry owns
 * its arrays (free with annot_geometry_clear).
 */
#ifndef SATMARK_ANNOT_GEOMETRY_H
#define SATMARK_ANNOT_GEOMETRY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum annot_geom_type {
    ANNOT_GEOM_NONE,
    ANNOT_GEOM_POINT,
    ANNOT_GEOM_LINESTRING,
    ANNOT_GEOM_POLYGON,
    ANNOT_GEOM_MULTIPOINT,
    ANNOT_GEOM_MULTILINESTRING,
    ANNOT_GEOM_MULTIPOLYGON,
    ANNOT_GEOM_COLLECTION
};

/* "Point", "LineString", ... (GeoJSON spelling); "null" for NONE; static string. */
const char *annot_geom_type_name(enum annot_geom_type type);

struct annot_lonlat {
    double lon; /* degrees east, [-180, 180] */
    double lat; /* degrees north, [-90, 90] */
};

struct annot_part {
    size_t n;                 /* number of positions */
    struct annot_lonlat *pts; /* n positions */
    double *alt;              /* NULL (2D) or n altitudes */
    size_t member;            /* polygon/line index in Multi* types, else 0 */
    /* Numbers after the altitude (a 4th coordinate such as a measure), when
     * every position of the part has the same count: n * nextra values,
     * position k's at extra[k * nextra ...]; kept and written back, never
     * used. NULL/0 otherwise; only with alt. */
    size_t nextra;
    double *extra;
};

struct annot_geometry {
    enum annot_geom_type type;
    size_t nparts;
    struct annot_part *parts;
    size_t nmembers;                 /* GeometryCollection only */
    struct annot_geometry *members;  /* GeometryCollection only */
};

/* Frees everything g owns and sets it to None; accepts NULL. */
void annot_geometry_clear(struct annot_geometry *g);
/* Deep copy (dst overwritten). */
bool annot_geometry_copy(struct annot_geometry *dst, const struct annot_geometry *src,
                         struct diag *dg);
/* Builds a geometry of type POINT (n == 1), LINESTRING (n >= 2) or POLYGON
 * (n >= 3; the ring is closed and wound counter-clockwise here) from n
 * positions (borrowed). dst is overwritten. */
bool annot_geometry_from_points(struct annot_geometry *dst, enum annot_geom_type type,
                                const struct annot_lonlat *pts, size_t n,
                                struct diag *dg);
/* Checks the invariants listed at the top (ranges, counts, closed rings,
 * member numbering, finite numbers). On failure records "what: reason" where
 * `what` (borrowed, e.g. "feature 3 (pier-1)") prefixes the message. Does not
 * check winding (see annot_geometry_normalize_winding). */
bool annot_geometry_check(const struct annot_geometry *g, const char *what, struct diag *dg);
/* Rewinds rings in place: exteriors counter-clockwise, holes clockwise.
 * Returns the number of rings reversed. */
size_t annot_geometry_normalize_winding(struct annot_geometry *g);
/* Bounding box over all positions; false when the geometry has none. */
bool annot_geometry_bbox(const struct annot_geometry *g, struct annot_lonlat *min,
                         struct annot_lonlat *max);
/* Total number of positions (members included). */
size_t annot_geometry_npositions(const struct annot_geometry *g);

/* True for Polygon and MultiPolygon, whose parts are closed rings. */
bool annot_geometry_is_ring_type(enum annot_geom_type type);
/* Part number `index` counting through a collection's members in order
 * (borrowed from g); the geometry owning it goes to *owner. NULL when out of
 * range. */
struct annot_part *annot_geometry_flat_part(struct annot_geometry *g, size_t index,
                                            struct annot_geometry **owner);

/* ---- points in areas (the claims checks count marks with these) -------------- */

/* True when (lon, lat) lies inside the Polygon or MultiPolygon g: even-odd
 * rule within each polygon, so a point in a hole is outside; inside any
 * member polygon counts. False for every other geometry type. Planar in
 * lon/lat degrees (fine for sites a few km across, not across the
 * antimeridian). */
bool annot_geometry_contains_point(const struct annot_geometry *g, double lon, double lat);
/* The point a mark is counted at: a Point itself; a LineString's middle
 * vertex (odd vertex count) or the middle of its two middle vertices (even);
 * a Polygon's area centroid (holes subtracted; vertex mean when the area is
 * zero). Multi* types and collections use their first member. False for a
 * null geometry. */
bool annot_geometry_representative_point(const struct annot_geometry *g, double *lon,
                                         double *lat);

/* ---- planar rings --------------------------------------------------------
 * Area, centroid and point-in-polygon of one ring, for every caller that
 * needs them (label anchors and placement in render, hit tests, claims):
 * one implementation. Positions are planar x, y in any one unit: tile or
 * screen pixels, or lon/lat degrees taken as x/y over a small area. A ring
 * is n positions (borrowed for the call), closed (last == first) or not;
 * the closing edge is implied. Sums are taken relative to the first
 * position, so large coordinates (lon ~130) keep their precision. */
struct annot_xy {
    double x, y;
};

/* Twice the signed area of the ring: positive when counter-clockwise with y
 * up (clockwise on a y-down pixel grid); 0 for fewer than 3 positions. */
double annot_ring_area2(const struct annot_xy *ring, size_t n);
/* The area centroid of the ring into *c; false (c untouched) when its area
 * is zero (fewer than 3 positions, or all on one line). */
bool annot_ring_centroid(const struct annot_xy *ring, size_t n, struct annot_xy *c);
/* Even-odd crossing test: true when p lies inside the ring. A point exactly
 * on an edge may go either way. Holes: test every ring of a polygon and
 * toggle (inside an odd number of rings = inside the polygon). */
bool annot_ring_contains(const struct annot_xy *ring, size_t n, struct annot_xy p);

/* annot_ring_area2 of a part's positions in degrees, lon as x and lat as y
 * (positive = counter-clockwise); only its sign is used, to rewind rings. */
double annot_ring_signed_area2(const struct annot_part *ring);
/* The index after the last part of the member whose first part is `first`
 * (MultiPolygon: the rings of one polygon are parts [first, end)). */
size_t annot_geometry_member_end(const struct annot_geometry *g, size_t first);

#endif
