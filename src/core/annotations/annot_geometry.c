/*
 * annot_geometry — see annot_geometry.h.
 */
#include "annot_geometry.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool oom(struct diag *dg)
{
    diag_error(dg, "out of memory");
    return false;
}

bool annot_geometry_is_ring_type(enum annot_geom_type type)
{
    return type == ANNOT_GEOM_POLYGON || type == ANNOT_GEOM_MULTIPOLYGON;
}

const char *annot_geom_type_name(enum annot_geom_type type)
{
    switch (type) {
    case ANNOT_GEOM_NONE: return "null";
    case ANNOT_GEOM_POINT: return "Point";
    case ANNOT_GEOM_LINESTRING: return "LineString";
    case ANNOT_GEOM_POLYGON: return "Polygon";
    case ANNOT_GEOM_MULTIPOINT: return "MultiPoint";
    case ANNOT_GEOM_MULTILINESTRING: return "MultiLineString";
    case ANNOT_GEOM_MULTIPOLYGON: return "MultiPolygon";
    case ANNOT_GEOM_COLLECTION: return "GeometryCollection";
    }
    return "null";
}

/* ---- geometry ---------------------------------------------------------------- */

static void part_clear(struct annot_part *p)
{
    free(p->pts);
    free(p->alt);
    free(p->extra);
    memset(p, 0, sizeof *p);
}

void annot_geometry_clear(struct annot_geometry *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nparts; i++)
        part_clear(&g->parts[i]);
    free(g->parts);
    for (size_t i = 0; i < g->nmembers; i++)
        annot_geometry_clear(&g->members[i]);
    free(g->members);
    memset(g, 0, sizeof *g);
    g->type = ANNOT_GEOM_NONE;
}

static bool part_copy(struct annot_part *dst, const struct annot_part *src, struct diag *dg)
{
    memset(dst, 0, sizeof *dst);
    dst->member = src->member;
    if (src->n == 0)
        return true;
    dst->pts = malloc(src->n * sizeof *dst->pts);
    if (!dst->pts)
        return oom(dg);
    memcpy(dst->pts, src->pts, src->n * sizeof *dst->pts);
    if (src->alt) {
        dst->alt = malloc(src->n * sizeof *dst->alt);
        if (!dst->alt) {
            part_clear(dst);
            return oom(dg);
        }
        memcpy(dst->alt, src->alt, src->n * sizeof *dst->alt);
    }
    if (src->extra && src->nextra) {
        dst->extra = malloc(src->n * src->nextra * sizeof *dst->extra);
        if (!dst->extra) {
            part_clear(dst);
            return oom(dg);
        }
        memcpy(dst->extra, src->extra, src->n * src->nextra * sizeof *dst->extra);
        dst->nextra = src->nextra;
    }
    dst->n = src->n;
    return true;
}

bool annot_geometry_copy(struct annot_geometry *dst, const struct annot_geometry *src,
                         struct diag *dg)
{
    memset(dst, 0, sizeof *dst);
    dst->type = src->type;
    if (src->nparts) {
        dst->parts = calloc(src->nparts, sizeof *dst->parts);
        if (!dst->parts)
            return oom(dg);
        for (size_t i = 0; i < src->nparts; i++) {
            if (!part_copy(&dst->parts[i], &src->parts[i], dg)) {
                dst->nparts = i;
                annot_geometry_clear(dst);
                return false;
            }
        }
        dst->nparts = src->nparts;
    }
    if (src->nmembers) {
        dst->members = calloc(src->nmembers, sizeof *dst->members);
        if (!dst->members) {
            annot_geometry_clear(dst);
            return oom(dg);
        }
        for (size_t i = 0; i < src->nmembers; i++) {
            if (!annot_geometry_copy(&dst->members[i], &src->members[i], dg)) {
                dst->nmembers = i;
                annot_geometry_clear(dst);
                return false;
            }
        }
        dst->nmembers = src->nmembers;
    }
    return true;
}


static void part_reverse(struct annot_part *p)
{
    for (size_t i = 0, j = p->n ? p->n - 1 : 0; i < j; i++, j--) {
        struct annot_lonlat t = p->pts[i];
        p->pts[i] = p->pts[j];
        p->pts[j] = t;
        if (p->alt) {
            double a = p->alt[i];
            p->alt[i] = p->alt[j];
            p->alt[j] = a;
        }
        for (size_t e = 0; p->extra && e < p->nextra; e++) {
            double x = p->extra[i * p->nextra + e];
            p->extra[i * p->nextra + e] = p->extra[j * p->nextra + e];
            p->extra[j * p->nextra + e] = x;
        }
    }
}

bool annot_geometry_from_points(struct annot_geometry *dst, enum annot_geom_type type,
                                const struct annot_lonlat *pts, size_t n, struct diag *dg)
{
    memset(dst, 0, sizeof *dst);
    size_t need;
    switch (type) {
    case ANNOT_GEOM_POINT: need = 1; break;
    case ANNOT_GEOM_LINESTRING: need = 2; break;
    case ANNOT_GEOM_POLYGON: need = 3; break;
    default:
        diag_error(dg, "geometry from points: type %s is not Point, LineString or Polygon",
                   annot_geom_type_name(type));
        return false;
    }
    if (type == ANNOT_GEOM_POINT ? n != 1 : n < need) {
        diag_error(dg, "a %s needs %s%zu position%s, got %zu", annot_geom_type_name(type),
                   type == ANNOT_GEOM_POINT ? "" : "at least ", need, need > 1 ? "s" : "", n);
        return false;
    }
    bool close = false;
    if (type == ANNOT_GEOM_POLYGON)
        close = !(pts[0].lon == pts[n - 1].lon && pts[0].lat == pts[n - 1].lat) || n < 4;
    size_t total = n + (close ? 1 : 0);
    if (type == ANNOT_GEOM_POLYGON && total < 4) {
        diag_error(dg, "a Polygon needs at least 3 distinct positions");
        return false;
    }
    dst->parts = calloc(1, sizeof *dst->parts);
    if (!dst->parts)
        return oom(dg);
    dst->parts[0].pts = malloc(total * sizeof *pts);
    if (!dst->parts[0].pts) {
        free(dst->parts);
        dst->parts = NULL;
        return oom(dg);
    }
    memcpy(dst->parts[0].pts, pts, n * sizeof *pts);
    if (close)
        dst->parts[0].pts[n] = pts[0];
    dst->parts[0].n = total;
    dst->nparts = 1;
    dst->type = type;
    if (type == ANNOT_GEOM_POLYGON && annot_ring_signed_area2(&dst->parts[0]) < 0)
        part_reverse(&dst->parts[0]);
    return true;
}

static bool position_ok(struct annot_lonlat p)
{
    return isfinite(p.lon) && isfinite(p.lat) && p.lon >= -180.0 && p.lon <= 180.0 &&
           p.lat >= -90.0 && p.lat <= 90.0;
}

/* True when a segment of part spans more than 180 degrees of longitude: a
 * ring around a pole (flat in lon/lat, not on the globe); warned about by
 * the reader, not refused as zero-area. */
static bool jumps_half_world(const struct annot_part *part)
{
    for (size_t k = 1; k < part->n; k++)
        if (fabs(part->pts[k].lon - part->pts[k - 1].lon) > 180)
            return true;
    return false;
}

static bool check_simple(const struct annot_geometry *g, const char *what, struct diag *dg)
{
    size_t min_n = 1;
    bool ring = annot_geometry_is_ring_type(g->type);
    switch (g->type) {
    case ANNOT_GEOM_NONE:
        if (g->nparts || g->nmembers) {
            diag_error(dg, "%s: null geometry with coordinates", what);
            return false;
        }
        return true;
    case ANNOT_GEOM_POINT:
    case ANNOT_GEOM_LINESTRING:
        if (g->nparts != 1) {
            diag_error(dg, "%s: %s must have exactly one part", what,
                       annot_geom_type_name(g->type));
            return false;
        }
        if (g->type == ANNOT_GEOM_POINT && g->parts[0].n != 1) {
            diag_error(dg, "%s: a Point has exactly one position", what);
            return false;
        }
        min_n = g->type == ANNOT_GEOM_POINT ? 1 : 2;
        break;
    case ANNOT_GEOM_POLYGON:
        if (g->nparts < 1) {
            diag_error(dg, "%s: a Polygon needs an exterior ring", what);
            return false;
        }
        min_n = 4;
        break;
    case ANNOT_GEOM_MULTIPOINT:
        if (g->nparts > 1) {
            diag_error(dg, "%s: a MultiPoint keeps its positions in one part", what);
            return false;
        }
        break;
    case ANNOT_GEOM_MULTILINESTRING: min_n = 2; break;
    case ANNOT_GEOM_MULTIPOLYGON: min_n = 4; break;
    case ANNOT_GEOM_COLLECTION:
        diag_error(dg, "%s: nested GeometryCollection", what);
        return false;
    default:
        diag_error(dg, "%s: unknown geometry type %d", what, (int)g->type);
        return false;
    }
    if (g->nmembers) {
        diag_error(dg, "%s: only a GeometryCollection has members", what);
        return false;
    }
    for (size_t i = 0; i < g->nparts; i++) {
        const struct annot_part *p = &g->parts[i];
        const char *kind = ring ? "ring" : "part";
        if (p->n < min_n) {
            diag_error(dg, "%s: %s %zu has %zu position%s, %s needs at least %zu", what, kind, i,
                       p->n, p->n == 1 ? "" : "s", ring ? "a linear ring" : "it", min_n);
            return false;
        }
        for (size_t k = 0; k < p->n; k++) {
            if (!position_ok(p->pts[k])) {
                diag_error(dg, "%s: %s %zu position %zu (%g, %g) is outside lon [-180, 180], "
                               "lat [-90, 90]",
                           what, kind, i, k, p->pts[k].lon, p->pts[k].lat);
                return false;
            }
            if (p->alt && !isfinite(p->alt[k])) {
                diag_error(dg, "%s: %s %zu position %zu has a non-finite altitude", what, kind,
                           i, k);
                return false;
            }
            for (size_t e = 0; p->extra && e < p->nextra; e++)
                if (!isfinite(p->extra[k * p->nextra + e])) {
                    diag_error(dg, "%s: %s %zu position %zu has a non-finite coordinate", what,
                               kind, i, k);
                    return false;
                }
        }
        if (ring && (p->pts[0].lon != p->pts[p->n - 1].lon ||
                     p->pts[0].lat != p->pts[p->n - 1].lat)) {
            diag_error(dg, "%s: ring %zu is not closed (first and last positions differ)", what,
                       i);
            return false;
        }
        if (ring && annot_ring_signed_area2(p) == 0 && !jumps_half_world(p)) {
            diag_error(dg, "%s: ring %zu encloses no area (all its positions on one line or "
                           "one point)", what, i);
            return false;
        }
        size_t want_member;
        if (g->type == ANNOT_GEOM_MULTILINESTRING)
            want_member = i;
        else if (g->type == ANNOT_GEOM_MULTIPOLYGON)
            want_member = i == 0 ? 0 : g->parts[i - 1].member;
        else
            want_member = 0;
        bool member_ok = p->member == want_member;
        if (g->type == ANNOT_GEOM_MULTIPOLYGON && i > 0 && p->member == want_member + 1)
            member_ok = true;
        if (!member_ok) {
            diag_error(dg, "%s: part %zu has member %zu out of sequence", what, i, p->member);
            return false;
        }
    }
    return true;
}

bool annot_geometry_check(const struct annot_geometry *g, const char *what, struct diag *dg)
{
    if (!what)
        what = "geometry";
    if (g->type != ANNOT_GEOM_COLLECTION)
        return check_simple(g, what, dg);
    if (g->nparts) {
        diag_error(dg, "%s: a GeometryCollection has members, not parts", what);
        return false;
    }
    for (size_t i = 0; i < g->nmembers; i++) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s member %zu", what, i);
        if (!check_simple(&g->members[i], sub, dg))
            return false;
    }
    return true;
}

size_t annot_geometry_normalize_winding(struct annot_geometry *g)
{
    size_t reversed = 0;
    if (g->type == ANNOT_GEOM_COLLECTION) {
        for (size_t i = 0; i < g->nmembers; i++)
            reversed += annot_geometry_normalize_winding(&g->members[i]);
        return reversed;
    }
    if (!annot_geometry_is_ring_type(g->type))
        return 0;
    for (size_t i = 0; i < g->nparts; i++) {
        bool exterior = i == 0 || g->parts[i].member != g->parts[i - 1].member;
        double a = annot_ring_signed_area2(&g->parts[i]);
        if ((exterior && a < 0) || (!exterior && a > 0)) {
            part_reverse(&g->parts[i]);
            reversed++;
        }
    }
    return reversed;
}

static void bbox_extend(const struct annot_geometry *g, struct annot_lonlat *min,
                        struct annot_lonlat *max, bool *any)
{
    for (size_t i = 0; i < g->nparts; i++)
        for (size_t k = 0; k < g->parts[i].n; k++) {
            struct annot_lonlat p = g->parts[i].pts[k];
            if (!*any) {
                *min = *max = p;
                *any = true;
                continue;
            }
            min->lon = fmin(min->lon, p.lon);
            min->lat = fmin(min->lat, p.lat);
            max->lon = fmax(max->lon, p.lon);
            max->lat = fmax(max->lat, p.lat);
        }
    for (size_t i = 0; i < g->nmembers; i++)
        bbox_extend(&g->members[i], min, max, any);
}

bool annot_geometry_bbox(const struct annot_geometry *g, struct annot_lonlat *min,
                         struct annot_lonlat *max)
{
    bool any = false;
    struct annot_lonlat lo = {0, 0}, hi = {0, 0};
    bbox_extend(g, &lo, &hi, &any);
    if (any) {
        *min = lo;
        *max = hi;
    }
    return any;
}

size_t annot_geometry_npositions(const struct annot_geometry *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->nparts; i++)
        n += g->parts[i].n;
    for (size_t i = 0; i < g->nmembers; i++)
        n += annot_geometry_npositions(&g->members[i]);
    return n;
}

struct annot_part *annot_geometry_flat_part(struct annot_geometry *g, size_t index,
                                            struct annot_geometry **owner)
{
    if (g->type != ANNOT_GEOM_COLLECTION) {
        *owner = g;
        return index < g->nparts ? &g->parts[index] : NULL;
    }
    for (size_t m = 0; m < g->nmembers; m++) {
        if (index < g->members[m].nparts) {
            *owner = &g->members[m];
            return &g->members[m].parts[index];
        }
        index -= g->members[m].nparts;
    }
    return NULL;
}

/* ---- planar rings ------------------------------------------------------- */

/* One implementation of the ring arithmetic for both position types (planar
 * x/y and lon/lat): `at` reads position i of the ring as x/y. The functions
 * are static and called with constant accessors, so the calls are inlined. */
typedef struct annot_xy (*ring_at_fn)(const void *ring, size_t i);

static struct annot_xy xy_at(const void *ring, size_t i)
{
    return ((const struct annot_xy *)ring)[i];
}

static struct annot_xy lonlat_at(const void *ring, size_t i)
{
    const struct annot_lonlat *p = (const struct annot_lonlat *)ring + i;
    return (struct annot_xy){p->lon, p->lat};
}

/* Shoelace sums relative to origin o (precision at lon ~130): twice the
 * signed area into *a2 and the first moments (6 * area * centroid, relative
 * to o) into *mx, *my. */
static void ring_moments(const void *ring, size_t n, ring_at_fn at, struct annot_xy o, double *a2,
                         double *mx, double *my)
{
    *a2 = *mx = *my = 0.0;
    if (n < 3)
        return;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        struct annot_xy pi = at(ring, i), pj = at(ring, j);
        double xi = pi.x - o.x, yi = pi.y - o.y, xj = pj.x - o.x, yj = pj.y - o.y;
        double cross = xj * yi - xi * yj;
        *a2 += cross;
        *mx += (xj + xi) * cross;
        *my += (yj + yi) * cross;
    }
}

static double ring_area2(const void *ring, size_t n, ring_at_fn at)
{
    if (n < 3)
        return 0.0;
    double a2, mx, my;
    ring_moments(ring, n, at, at(ring, 0), &a2, &mx, &my);
    return a2;
}

/* Even-odd crossing test. */
static bool ring_contains(const void *ring, size_t n, ring_at_fn at, struct annot_xy p)
{
    bool inside = false;
    for (size_t i = 0, j = n ? n - 1 : 0; i < n; j = i++) {
        struct annot_xy a = at(ring, i), b = at(ring, j);
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
            inside = !inside;
    }
    return inside;
}

double annot_ring_area2(const struct annot_xy *ring, size_t n)
{
    return ring_area2(ring, n, xy_at);
}

bool annot_ring_centroid(const struct annot_xy *ring, size_t n, struct annot_xy *c)
{
    if (n < 3)
        return false;
    double a2, mx, my;
    ring_moments(ring, n, xy_at, ring[0], &a2, &mx, &my);
    if (a2 == 0.0 || !isfinite(a2))
        return false;
    c->x = ring[0].x + mx / (3.0 * a2);
    c->y = ring[0].y + my / (3.0 * a2);
    return true;
}

bool annot_ring_contains(const struct annot_xy *ring, size_t n, struct annot_xy p)
{
    return ring_contains(ring, n, xy_at, p);
}

/* ---- measures shared by the writers (export, gjwrite) ------------------------------ */

double annot_ring_signed_area2(const struct annot_part *ring)
{
    return ring_area2(ring->pts, ring->n, lonlat_at);
}

size_t annot_geometry_member_end(const struct annot_geometry *g, size_t first)
{
    size_t end = first + 1;
    while (end < g->nparts && g->parts[end].member == g->parts[first].member)
        end++;
    return end;
}

/* ---- points in areas (the claims checks count marks with these) -------------- */

bool annot_geometry_contains_point(const struct annot_geometry *g, double lon, double lat)
{
    if (!g || (g->type != ANNOT_GEOM_POLYGON && g->type != ANNOT_GEOM_MULTIPOLYGON))
        return false;
    /* Parts of one member are contiguous: run the even-odd rule per member so
     * that two overlapping member polygons do not cancel each other out. */
    size_t p = 0;
    while (p < g->nparts) {
        size_t member = g->parts[p].member;
        bool inside = false;
        for (; p < g->nparts && g->parts[p].member == member; p++)
            if (g->parts[p].n >= 3 &&
                ring_contains(g->parts[p].pts, g->parts[p].n, lonlat_at, (struct annot_xy){lon, lat}))
                inside = !inside;
        if (inside)
            return true;
    }
    return false;
}

/* Area-weighted centroid of the rings of one polygon member (parts
 * [first, end)). Rings wound as stored (exterior CCW, holes CW) would already
 * subtract; signs are forced anyway so a hand-built geometry cannot flip it. */
static void member_area_centroid(const struct annot_part *parts, size_t first, size_t end,
                             double *lon, double *lat)
{
    double area_sum = 0, cx = 0, cy = 0;
    /* Relative to the first vertex, to keep precision at lon ~130. */
    struct annot_xy o = lonlat_at(parts[first].pts, 0);
    for (size_t r = first; r < end; r++) {
        double a, mx, my;
        ring_moments(parts[r].pts, parts[r].n, lonlat_at, o, &a, &mx, &my);
        double sign = ((r == first) == (a >= 0)) ? 1.0 : -1.0;
        area_sum += sign * a;
        cx += sign * mx;
        cy += sign * my;
    }
    if (fabs(area_sum) > 1e-18) {
        *lon = o.x + cx / (3.0 * area_sum);
        *lat = o.y + cy / (3.0 * area_sum);
        return;
    }
    const struct annot_part *ext = &parts[first];
    size_t n = ext->n > 1 ? ext->n - 1 : ext->n; /* closed: last repeats first */
    double sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++)
        sx += ext->pts[i].lon, sy += ext->pts[i].lat;
    *lon = sx / (double)n;
    *lat = sy / (double)n;
}

bool annot_geometry_representative_point(const struct annot_geometry *g, double *lon,
                                         double *lat)
{
    if (!g)
        return false;
    if (g->type == ANNOT_GEOM_COLLECTION)
        return g->nmembers > 0 && annot_geometry_representative_point(&g->members[0], lon, lat);
    if (g->nparts == 0 || g->parts[0].n == 0)
        return false;
    const struct annot_part *part = &g->parts[0];
    switch (g->type) {
    case ANNOT_GEOM_POINT:
    case ANNOT_GEOM_MULTIPOINT:
        *lon = part->pts[0].lon;
        *lat = part->pts[0].lat;
        return true;
    case ANNOT_GEOM_LINESTRING:
    case ANNOT_GEOM_MULTILINESTRING: {
        size_t n = part->n;
        if (n % 2 == 1) {
            *lon = part->pts[n / 2].lon;
            *lat = part->pts[n / 2].lat;
        } else {
            *lon = (part->pts[n / 2 - 1].lon + part->pts[n / 2].lon) / 2.0;
            *lat = (part->pts[n / 2 - 1].lat + part->pts[n / 2].lat) / 2.0;
        }
        return true;
    }
    case ANNOT_GEOM_POLYGON:
    case ANNOT_GEOM_MULTIPOLYGON: {
        member_area_centroid(g->parts, 0, annot_geometry_member_end(g, 0), lon, lat);
        return true;
    }
    case ANNOT_GEOM_NONE:
    case ANNOT_GEOM_COLLECTION:
        break;
    }
    return false;
}
