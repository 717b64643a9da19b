/*
 * footprint — where a tile lies on the ground, and whether marks fall on it.
 *
 * Why: a mark is recorded in lon/lat; nothing stops a user from typing the two
 * numbers in the wrong order or naming a tile the mark is not on. The
 * footprint is the tile's full pixel grid [0, width] x [0, height]; a lon/lat
 * position is on the tile when it projects (through the tile's CRS, geo.h)
 * inside that grid, so rotated and projected tiles are handled exactly.
 *
 * Invariants: a footprint owns its geo_ref and a copy of the path; it holds no
 * raster handle (closed after opening). Not thread-safe (one geo_ref).
 */
#ifndef SATMARK_FOOTPRINT_H
#define SATMARK_FOOTPRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "annot_geometry.h"
#include "diag.h"
#include "geo.h"

struct footprint;

/* Opens tile_path (borrowed) and reads its georeferencing. NULL with
 * "path: reason" on dg when the file is unreadable or has no CRS. Free with
 * footprint_free. */
struct footprint *footprint_open(const char *tile_path, struct diag *dg);
void footprint_free(struct footprint *fp);

/* The path given to footprint_open; borrowed until footprint_free. */
const char *footprint_path(const struct footprint *fp);
/* Lon/lat bounds of the tile (geo_bounds_lonlat). */
const struct geo_bounds *footprint_bounds(const struct footprint *fp);
/* True when (lon, lat) lies on the tile. */
bool footprint_contains(struct footprint *fp, double lon, double lat);
/* True when every position of g lies on the tile; otherwise the first one
 * that does not goes to *outside (may be NULL). A geometry without positions
 * counts as inside. */
bool footprint_contains_all(struct footprint *fp, const struct annot_geometry *g,
                            struct annot_lonlat *outside);
/* True when g (borrowed) lies entirely off the tile: the pixel-space bounding
 * box of its positions does not meet the tile's grid. Conservative: a
 * geometry that overlaps the tile is never reported as missing it. */
bool footprint_misses(struct footprint *fp, const struct annot_geometry *g);

struct annot_set;

/* Checks that every observation's geometry is on the observed tile: for each
 * distinct image the observations of set (borrowed; read from annot_path,
 * used to find tiles with locate_tile and in messages) name, the tile is
 * opened once; a feature whose geometry misses the tile of one of its
 * observations is an error ("PATH: feature \"ship-3\" is observed on IMG but
 * lies off that image (lon .. lat ..)"). Images whose tile is not found, or
 * cannot be opened, are one warning naming them and where they were looked
 * for. *nchecked (may be NULL) receives the number of observations checked.
 * Returns false on the first feature off its tile. */
bool footprint_check_observations(const struct annot_set *set, const char *annot_path,
                                  size_t *nchecked, struct diag *dg);

#endif
