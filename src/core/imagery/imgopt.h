/*
 * imgopt — the options that say how an image is opened, shared by every
 * command that opens one (info, render, batch manifests, mark --pixel /
 * --image, the viewer): --georef METHOD, --dem DEM, --keep-degrees,
 * --subdataset N|NAME.
 *
 * Why one module: the same image must open the same way whichever command
 * reads it, and a flag spelled or checked differently in one command is a
 * figure that silently shows something else. Command lines and manifests
 * both go through the setters here, so their checks and messages match.
 *
 * Invariants: strings are borrowed (argv, manifest JSON) for the life of the
 * struct; imgopt_prepare turns a subdataset given by number or name into
 * the subdataset's own GDAL name (NETCDF:"file.nc":Band3), so a command
 * given --subdataset behaves, names the image and hashes the container
 * exactly as when given that name.
 */
#ifndef SATMARK_IMGOPT_H
#define SATMARK_IMGOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "raster.h"

struct imgopt {
    const char *georef_method; /* NULL = auto; "auto", "poly1", "poly2", "poly3",
                                  "tps", "rpc" or "none" (checked) */
    const char *dem;           /* DEM for RPC heights; NULL = height 0 */
    bool keep_degrees;         /* images in degrees as stored, not in UTM */
    const char *subdataset;    /* NULL = auto; "N" (1-based index) or a name */
};

void imgopt_init(struct imgopt *o);

enum imgopt_arg { IMGOPT_NOT_MINE = 0, IMGOPT_TAKEN, IMGOPT_BAD };

/* Looks at argv[*i]. One of the options above: stores it in o (its value,
 * argv[*i + 1], borrowed), moves *i to the last argument used and returns
 * IMGOPT_TAKEN; a missing or bad value gives IMGOPT_BAD with the reason in
 * msg (cap bytes). Anything else: IMGOPT_NOT_MINE, o untouched. */
enum imgopt_arg imgopt_parse_arg(struct imgopt *o, int argc, char *const *argv, int *i,
                                 char *msg, size_t cap);

/* Checked setters (the parser and manifests use them); value borrowed.
 * false with the reason in msg (cap bytes), o untouched. */
bool imgopt_set_georef(struct imgopt *o, const char *method, char *msg, size_t cap);
bool imgopt_set_subdataset(struct imgopt *o, const char *value, char *msg, size_t cap);

/* Help lines describing the options (a string literal, 2-space indent,
 * ends in a newline), for the commands' usage texts. */
#define IMGOPT_HELP                                                                          \
    "  --georef METHOD       images located only by RPCs or ground control points:\n"     \
    "                        auto (default: rpc, else poly2 with 6+ GCPs, else\n"         \
    "                        poly1), poly1, poly2, poly3, tps, rpc, or none (pixel\n"     \
    "                        space); shown north-up in the UTM zone of their centre\n"    \
    "  --dem DEM             heights for the RPC transformer (default: height 0)\n"       \
    "  --keep-degrees        an image in degrees (EPSG:4326...) as stored, not in\n"      \
    "                        the UTM zone of its centre\n"                                 \
    "  --subdataset N|NAME   a container's subdataset (netCDF variable, HDF5 array,\n"    \
    "                        TIFF page) by index or name (e.g. Band3); `satmark\n"        \
    "                        info FILE` lists them\n"

/* Prepares opening path (borrowed) with o: sets ro's georef_method, dem,
 * keep_degrees and subdataset (o's strings borrowed); ro's other fields are
 * the caller's (allow_remote is obeyed here too). Returns the name to open,
 * new (free with free()): path itself, or the GDAL name of the subdataset
 * o->subdataset picks (by index, by its full name, or by its variable name:
 * Band3 in NETCDF:"file.nc":Band3, the last part of an HDF5 path). NULL
 * with "path: reason" on dg when the container cannot be opened or has no
 * such subdataset (the message lists the ones it has). */
char *imgopt_prepare(const struct imgopt *o, const char *path, struct raster_open_options *ro,
                     struct diag *dg);

#endif
