/*
 * gjson_geometry — RFC 7946 geometry for the annotation reader: positions
 * (2D, 3D, and further numbers kept for the round trip), line strings,
 * rings (closed, at least 4 positions, rewound exterior counter-clockwise
 * and holes clockwise), multi-geometries and collections; bbox members and
 * the members a GeoJSON object must not have.
 *
 * Invariants: coordinates are rounded to 7 decimals on reading (gjwrite_round_coordinate: the
 * value the writer will produce), so what is shown and checked is exactly
 * what gets saved; a geometry read here satisfies annot_geometry_check.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "gjson_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gjwrite.h"


/* Members a given GeoJSON object must not have (RFC 7946 §7.1). */
bool gjson_check_forbidden(struct reader *r, json_t *obj, const char *what,
                            const char *const *forbidden)
{
    for (const char *const *k = forbidden; *k; k++)
        if (json_object_get(obj, *k)) {
            gjson_path_key(r, *k);
            gjson_fail(r, "a %s must not have a \"%s\" member (RFC 7946 section 7.1)", what, *k);
            gjson_path_pop(r);
            return false;
        }
    return true;
}

bool gjson_check_bbox(struct reader *r, json_t *obj)
{
    json_t *bbox = json_object_get(obj, "bbox");
    if (!bbox)
        return true;
    gjson_path_key(r, "bbox");
    bool ok = true;
    if (!json_is_array(bbox)) {
        ok = gjson_fail(r, "bbox must be an array of numbers, found %s", gjson_type_name(bbox));
    } else if (json_array_size(bbox) != 4 && json_array_size(bbox) != 6) {
        ok = gjson_fail(r, "bbox must have 4 or 6 numbers, found %zu", json_array_size(bbox));
    } else {
        for (size_t i = 0; ok && i < json_array_size(bbox); i++)
            if (!json_is_number(json_array_get(bbox, i))) {
                gjson_path_index(r, i);
                ok = gjson_fail(r, "bbox element must be a number, found %s",
                                gjson_type_name(json_array_get(bbox, i)));
                gjson_path_pop(r);
            }
        /* [W, S, E, N] or [W, S, Zmin, E, N, Zmax]: W > E crosses the
         * antimeridian (RFC 7946 5.2), but S > N is no box at all. */
        size_t half = json_array_size(bbox) / 2;
        double south = json_number_value(json_array_get(bbox, 1));
        double north = json_number_value(json_array_get(bbox, half + 1));
        if (ok && (south > north || south < -90 || north > 90))
            ok = gjson_fail(r, "bbox south %g and north %g are not latitudes with south <= north",
                            south, north);
    }
    gjson_path_pop(r);
    return ok;
}

enum { DIM_UNSET = 0 };

/* One position into out/alt; *dims (2 or 3) must match across a part. */
static bool read_position(struct reader *r, json_t *pos, struct annot_lonlat *out, double *alt,
                          int *dims)
{
    if (!json_is_array(pos))
        return gjson_fail(r, "expected a position (an array of 2 or 3 numbers), found %s",
                          gjson_type_name(pos));
    size_t n = json_array_size(pos);
    if (n < 2)
        return gjson_fail(r, "a position needs at least 2 numbers (longitude, latitude), found %zu",
                          n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(pos, i);
        if (!json_is_number(v)) {
            gjson_path_index(r, i);
            gjson_fail(r, "each element of a position must be a number, found %s",
                       gjson_type_name(v));
            gjson_path_pop(r);
            return false;
        }
    }
    int d = n >= 3 ? 3 : 2;
    if (*dims != DIM_UNSET && *dims != d)
        return gjson_fail(r, "positions mix 2 and 3 dimensions within one %s",
                          "coordinate sequence");
    *dims = d;
    double lon = json_number_value(json_array_get(pos, 0));
    double lat = json_number_value(json_array_get(pos, 1));
    if (!isfinite(lon) || !isfinite(lat))
        return gjson_fail(r, "position is not a finite number");
    if (lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0) {
        const char *hint = "";
        if (fabs(lon) > 360.0 || fabs(lat) > 360.0)
            hint = " (coordinates look projected, not WGS84 degrees; reproject with "
                   "ogr2ogr -t_srs EPSG:4326)";
        else if (fabs(lat) > 90.5 && fabs(lat) <= 180.0 && fabs(lon) <= 90.0)
            hint = " (this looks like latitude, longitude order; GeoJSON positions are "
                   "longitude first)";
        else if (fabs(lat) > 90.0)
            hint = " (latitude beyond the pole)";
        else
            hint = " (longitudes must be wrapped into [-180, 180])";
        return gjson_fail(r, "position (%.10g, %.10g) is outside longitude [-180, 180], latitude "
                             "[-90, 90]%s",
                          lon, lat, hint);
    }
    out->lon = gjwrite_round_coordinate(lon);
    out->lat = gjwrite_round_coordinate(lat);
    if (alt)
        *alt = n >= 3 ? gjwrite_round_coordinate(json_number_value(json_array_get(pos, 2))) : 0.0;
    return true;
}

/* Numbers after the altitude of the positions just read into part (`single`:
 * positions is one position, else an array of them): kept in part->extra when
 * every position has the same count, else dropped with a warning. */
static bool keep_extras(struct reader *r, json_t *positions, bool single,
                        struct annot_part *part)
{
    size_t n = single ? 1 : json_array_size(positions), len = 0;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        size_t m = json_array_size(single ? positions : json_array_get(positions, i));
        same = same && (i == 0 || m == len);
        len = m > len ? m : len;
    }
    if (len <= 3)
        return true;
    if (same && part->alt && !r->warned_4d) {
        r->warned_4d = true;
        gjson_warn(r, "positions with %zu numbers: the numbers after the altitude are kept and "
                      "written back, not used",
                   len);
    }
    if (!same || !part->alt) {
        if (!r->warned_4d) {
            r->warned_4d = true;
            gjson_warn(r, "positions with %zu numbers and fewer in one coordinate sequence: only "
                          "longitude, latitude and altitude are kept",
                       len);
        }
        return true;
    }
    part->nextra = len - 3;
    part->extra = malloc(n * part->nextra * sizeof *part->extra);
    if (!part->extra) {
        part->nextra = 0;
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *pos = single ? positions : json_array_get(positions, i);
        for (size_t e = 0; e < part->nextra; e++)
            part->extra[i * part->nextra + e] = json_number_value(json_array_get(pos, 3 + e));
    }
    return true;
}

/* An array of positions into part (min_n positions at least; ring: closed). */
static bool read_sequence(struct reader *r, json_t *arr, struct annot_part *part, size_t min_n,
                          bool ring, size_t member)
{
    memset(part, 0, sizeof *part);
    part->member = member;
    if (!json_is_array(arr))
        return gjson_fail(r, "expected an array of positions, found %s", gjson_type_name(arr));
    size_t n = json_array_size(arr);
    if (n < min_n)
        return gjson_fail(r, "%s needs at least %zu positions, found %zu",
                          ring ? "a linear ring" : min_n == 2 ? "a line" : "this geometry", min_n,
                          n);
    if (n == 0)
        return true;
    part->pts = malloc(n * sizeof *part->pts);
    double *alt = malloc(n * sizeof *alt);
    if (!part->pts || !alt) {
        free(alt);
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    int dims = DIM_UNSET;
    for (size_t i = 0; i < n; i++) {
        gjson_path_index(r, i);
        bool ok = read_position(r, json_array_get(arr, i), &part->pts[i], &alt[i], &dims);
        gjson_path_pop(r);
        if (!ok) {
            free(alt);
            part->n = 0;
            return false;
        }
        part->n = i + 1;
    }
    if (dims == 3)
        part->alt = alt;
    else
        free(alt);
    if (!keep_extras(r, arr, false, part))
        return false;
    size_t jumps = 0;
    for (size_t i = 0; i + 1 < n; i++)
        jumps += fabs(part->pts[i + 1].lon - part->pts[i].lon) > 180.0;
    if (jumps && !r->warned_jump) {
        r->warned_jump = true;
        gjson_warn(r, "%zu segment%s jump%s more than 180 degrees in longitude: drawn the long way "
                      "round; to cross the antimeridian, cut the geometry at +-180 (RFC 7946 "
                "section 3.1.9)",
                   jumps, jumps == 1 ? "" : "s", jumps == 1 ? "s" : "");
    }
    if (ring) {
        struct annot_lonlat a = part->pts[0], b = part->pts[n - 1];
        bool closed = a.lon == b.lon && a.lat == b.lat &&
                      (!part->alt || part->alt[0] == part->alt[n - 1]);
        if (!closed)
            return gjson_fail(r, "linear ring is not closed: the first position (%.10g, %.10g) and "
                                 "the last (%.10g, %.10g) must be the same",
                              a.lon, a.lat, b.lon, b.lat);
    }
    return true;
}

/* Appends a zeroed part to g; NULL on out of memory (error recorded). */
static struct annot_part *add_part(struct reader *r, struct annot_geometry *g)
{
    struct annot_part *grown = realloc(g->parts, (g->nparts + 1) * sizeof *grown);
    if (!grown) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return NULL;
    }
    g->parts = grown;
    memset(&g->parts[g->nparts], 0, sizeof *g->parts);
    return &g->parts[g->nparts++];
}

bool gjson_geom_type_from_name(const char *s, enum annot_geom_type *out)
{
    static const struct {
        const char *name;
        enum annot_geom_type type;
    } types[] = {
        {"Point", ANNOT_GEOM_POINT},
        {"LineString", ANNOT_GEOM_LINESTRING},
        {"Polygon", ANNOT_GEOM_POLYGON},
        {"MultiPoint", ANNOT_GEOM_MULTIPOINT},
        {"MultiLineString", ANNOT_GEOM_MULTILINESTRING},
        {"MultiPolygon", ANNOT_GEOM_MULTIPOLYGON},
        {"GeometryCollection", ANNOT_GEOM_COLLECTION},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(s, types[i].name) == 0) {
            *out = types[i].type;
            return true;
        }
    return false;
}

/* Polygon rings (coordinates of a Polygon) appended to g with member m. */
static bool read_rings(struct reader *r, json_t *rings, struct annot_geometry *g, size_t member)
{
    if (!json_is_array(rings))
        return gjson_fail(r, "expected an array of linear rings, found %s", gjson_type_name(rings));
    if (json_array_size(rings) == 0)
        return gjson_fail(r, "a polygon needs at least its exterior ring");
    for (size_t i = 0; i < json_array_size(rings); i++) {
        struct annot_part *p = add_part(r, g);
        if (!p)
            return false;
        gjson_path_index(r, i);
        bool ok = read_sequence(r, json_array_get(rings, i), p, 4, true, member);
        gjson_path_pop(r);
        if (!ok)
            return false;
    }
    return true;
}

static bool read_coordinates(struct reader *r, json_t *coords, struct annot_geometry *g)
{
    struct annot_part *p;
    switch (g->type) {
    case ANNOT_GEOM_POINT: {
        int dims = DIM_UNSET;
        double alt = 0;
        if (!(p = add_part(r, g)))
            return false;
        p->pts = malloc(sizeof *p->pts);
        if (!p->pts) {
            diag_error(r->dg, "%s: out of memory", r->name);
            return false;
        }
        if (!read_position(r, coords, &p->pts[0], &alt, &dims))
            return false;
        p->n = 1;
        if (dims == 3) {
            p->alt = malloc(sizeof *p->alt);
            if (!p->alt) {
                diag_error(r->dg, "%s: out of memory", r->name);
                return false;
            }
            p->alt[0] = alt;
        }
        return keep_extras(r, coords, true, p);
    }
    case ANNOT_GEOM_LINESTRING:
        return (p = add_part(r, g)) && read_sequence(r, coords, p, 2, false, 0);
    case ANNOT_GEOM_MULTIPOINT:
        if (!json_is_array(coords))
            return gjson_fail(r, "expected an array of positions, found %s",
                              gjson_type_name(coords));
        if (json_array_size(coords) == 0)
            return true;
        return (p = add_part(r, g)) && read_sequence(r, coords, p, 1, false, 0);
    case ANNOT_GEOM_POLYGON:
        return read_rings(r, coords, g, 0);
    case ANNOT_GEOM_MULTILINESTRING:
    case ANNOT_GEOM_MULTIPOLYGON:
        if (!json_is_array(coords))
            return gjson_fail(r, "expected an array of %s, found %s",
                              g->type == ANNOT_GEOM_MULTIPOLYGON ? "polygons" : "line strings",
                              gjson_type_name(coords));
        for (size_t i = 0; i < json_array_size(coords); i++) {
            gjson_path_index(r, i);
            bool ok;
            if (g->type == ANNOT_GEOM_MULTIPOLYGON)
                ok = read_rings(r, json_array_get(coords, i), g, i);
            else
                ok = (p = add_part(r, g)) &&
                     read_sequence(r, json_array_get(coords, i), p, 2, false, i);
            gjson_path_pop(r);
            if (!ok)
                return false;
        }
        return true;
    default:
        return gjson_fail(r, "internal: unexpected geometry type");
    }
}

bool gjson_read_geometry(struct reader *r, json_t *obj, struct annot_geometry *g, bool nested)
{
    memset(g, 0, sizeof *g);
    g->type = ANNOT_GEOM_NONE;
    if (!json_is_object(obj))
        return gjson_fail(r, "a geometry must be an object, found %s", gjson_type_name(obj));
    json_t *type = json_object_get(obj, "type");
    if (!type)
        return gjson_fail(r, "geometry has no \"type\" member");
    if (!json_is_string(type)) {
        gjson_path_key(r, "type");
        gjson_fail(r, "geometry \"type\" must be a string, found %s", gjson_type_name(type));
        gjson_path_pop(r);
        return false;
    }
    enum annot_geom_type gt;
    if (!gjson_geom_type_from_name(json_string_value(type), &gt)) {
        gjson_path_key(r, "type");
        gjson_fail(r, "unknown geometry type \"%s\" (expected Point, LineString, Polygon, "
                      "MultiPoint, MultiLineString, MultiPolygon or GeometryCollection; the names "
                "are case-sensitive)",
                   json_string_value(type));
        gjson_path_pop(r);
        return false;
    }
    static const char *const forbidden[] = {"geometry", "properties", "features", NULL};
    if (!gjson_check_forbidden(r, obj, "geometry", forbidden) || !gjson_check_bbox(r, obj))
        return false;
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "bbox") &&
            strcmp(key, gt == ANNOT_GEOM_COLLECTION ? "geometries" : "coordinates")) {
            gjson_path_key(r, key);
            if (strcmp(key, "crs") == 0)
                gjson_warn(r, "\"crs\" member ignored (RFC 7946 GeoJSON is always WGS84 lon/lat)");
            else
                gjson_warn(r, "foreign member \"%s\" of a geometry is not kept", key);
            gjson_path_pop(r);
        }
    }
    g->type = gt;
    if (gt == ANNOT_GEOM_COLLECTION) {
        if (nested)
            return gjson_fail(r, "nested GeometryCollection is not supported (RFC 7946 section "
                                 "3.1.8 says to avoid it)");
        json_t *geoms = json_object_get(obj, "geometries");
        if (!geoms)
            return gjson_fail(r, "GeometryCollection has no \"geometries\" member");
        gjson_path_key(r, "geometries");
        bool ok = true;
        if (!json_is_array(geoms))
            ok = gjson_fail(r, "\"geometries\" must be an array, found %s", gjson_type_name(geoms));
        size_t n = ok ? json_array_size(geoms) : 0;
        if (ok && n) {
            g->members = calloc(n, sizeof *g->members);
            if (!g->members) {
                diag_error(r->dg, "%s: out of memory", r->name);
                ok = false;
            }
        }
        if (ok && n == 1)
            gjson_warn(r, "GeometryCollection with a single member (RFC 7946 says to use the "
                          "member itself)");
        for (size_t i = 0; ok && i < n; i++) {
            gjson_path_index(r, i);
            ok = gjson_read_geometry(r, json_array_get(geoms, i), &g->members[i], true);
            g->nmembers = i + 1;
            gjson_path_pop(r);
        }
        gjson_path_pop(r);
        return ok;
    }
    json_t *coords = json_object_get(obj, "coordinates");
    if (!coords)
        return gjson_fail(r, "%s has no \"coordinates\" member", json_string_value(type));
    gjson_path_key(r, "coordinates");
    bool ok = read_coordinates(r, coords, g);
    gjson_path_pop(r);
    return ok;
}
