/*
 * tggeo — PROJ transforms between WGS84 lon/lat (degrees, lon first) and the
 * tile's UTM zone (metres, easting first) for the demo-tile generator.
 * Axis order is forced to lon,lat / easting,northing with
 * proj_normalize_for_visualization, whatever the CRS definitions say.
 */
#ifndef SATMARK_TGGEO_H
#define SATMARK_TGGEO_H

#include <stdbool.h>

#include "diag.h"

struct tggeo;

/* New transformer WGS84 <-> EPSG:epsg; free with tggeo_free. NULL + dg on failure. */
struct tggeo *tggeo_new(int epsg, struct diag *dg);
void tggeo_free(struct tggeo *geo);
bool tggeo_to_utm(struct tggeo *geo, double lon, double lat, double *e, double *n,
                  struct diag *dg);
bool tggeo_to_lonlat(struct tggeo *geo, double e, double n, double *lon, double *lat,
                     struct diag *dg);

#endif
