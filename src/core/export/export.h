/*
 * export — write annotation sets to formats other tools open: GeoJSON
 * (RFC 7946, for the web and any GIS), KML (Google Earth), GeoPackage and
 * FlatGeobuf (through GDAL/OGR), with every mark's claim links resolved into
 * readable citations so the export stands on its own without the catalog.
 *
 * The format is chosen by the output's extension (.geojson/.json, .kml,
 * .gpkg, .fgb). Every format carries the same attributes (docs/export.md):
 * id, class, label, note, observed, observations, claims (resolved, JSON),
 * claim_ids, stances, citations, created, modified, author, source_file,
 * imagery (what each observation's tile is: synthetic, real, unregistered).
 * Several inputs merge into one output; feature ids must stay unique, so an
 * id used by more than one input is written as "<site>:<id>" for every one
 * of them ("dunai:pier-1", "rason-najin:pier-1"), or fails the export when
 * the caller asks for strict ids.
 *
 * Coordinates are WGS84 lon/lat degrees (EPSG:4326, lon first, written with
 * at most 7 decimals in text formats). Output is atomic: written into a
 * temporary directory next to the target, fsync'ed, then renamed over it; a
 * failure leaves any previous file untouched.
 */
#ifndef SATMARK_EXPORT_H
#define SATMARK_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct annot_set;
struct claims_catalog;
struct style;

enum export_format { EXPORT_GEOJSON, EXPORT_KML, EXPORT_GPKG, EXPORT_FGB };

/* Picks the format from path's extension (case-insensitive); false when the
 * extension is none of .geojson .json .kml .gpkg .fgb. */
bool export_format_from_path(const char *path, enum export_format *out);
/* "GeoJSON", "KML", "GeoPackage", "FlatGeobuf"; static string. */
const char *export_format_name(enum export_format format);

/* One input: a set and the file it was read from (both borrowed for the
 * duration of export_write; path appears in messages and in the
 * source_file attribute). */
struct export_input {
    const struct annot_set *set;
    const char *path;
};

/* What to do with a feature id used by more than one input (ids are unique
 * within one file, not across sites). */
enum export_duplicate_ids {
    EXPORT_DUPLICATES_PREFIX, /* default: every feature with that id becomes "<site>:<id>"
                                 (site: the file's satmark.site, else its name without
                                 directory and extension; "-2", "-3"... if still taken) */
    EXPORT_DUPLICATES_FAIL,   /* error naming both files */
};

struct imagery_register;

struct export_options {
    const struct claims_catalog *catalog; /* NULL: links are exported unresolved */
    /* The imagery register the observations rest on (NULL: none, every tile
     * is reported unregistered). Every format says which tiles the exported
     * marks rest on, registered or not, synthetic or real (docs/export.md,
     * "Imagery provenance"). */
    const struct imagery_register *imagery;
    const struct style *style;            /* KML colours; NULL: style_default() */
    enum export_duplicate_ids duplicates;
};

/* Writes the ninputs sets (merged, in order) to out_path in the format its
 * extension names. opts may be NULL (no catalog, default style, shared ids
 * prefixed). Links to claims the catalog does not define are exported with a
 * warning. Returns false with "PATH: reason" on dg on failure; the target is
 * then unchanged. */
bool export_write(const char *out_path, const struct export_input *inputs, size_t ninputs,
                  const struct export_options *opts, struct diag *dg);

#endif
