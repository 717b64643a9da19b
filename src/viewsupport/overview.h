/*
 * overview — build reduced-resolution overviews of an image into an external
 * IMAGE.ovr file with GDAL, never touching the image itself.
 *
 * Why: a large image without overviews can only be shown zoomed out by
 * reading it decimated (every tile touches the whole file); overviews make
 * every zoom level a small read. The image is evidence, so it is opened
 * read-only and GDAL writes the overviews beside it (PATH.ovr, GeoTIFF);
 * its bytes and its SHA-256 stay what they were.
 *
 * Invariants:
 *   - Levels are factors 2, 4, 8, ... of the full-resolution grid, down to
 *     the first level whose longer side is at most OVERVIEW_MIN_SIDE pixels.
 *   - Resampling "AVERAGE" (a faithful reduction for a zoomed-out view).
 *   - On failure or cancellation a PATH.ovr this call created is removed, so
 *     a half-built file is never picked up as overviews; an existing PATH.ovr
 *     is never overwritten (the call fails and says so).
 *   - Thread safety: overview_build uses its own GDAL handle and thread-local
 *     GDAL options and error handler; it may run on any thread, at the same
 *     time as other handles read the image.
 */
#ifndef SATMARK_OVERVIEW_H
#define SATMARK_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define OVERVIEW_MIN_SIDE 256
#define OVERVIEW_MAX_LEVELS 24

/* Progress of a build: fraction done in [0, 1]. Called on the building
 * thread; return false to cancel (the build then fails, "cancelled"). */
typedef bool (*overview_progress_fn)(double fraction, void *arg);

/* The overview factors for a width x height image (2, 4, 8, ... as above)
 * into factors (caller's, max entries); returns how many (0 when the image
 * is already small). Pure. */
int overview_factors(int width, int height, int *factors, int max);

/* The external overview file GDAL reads for path: "PATH.ovr" (new; free
 * with free()). NULL when out of memory. */
char *overview_path_for(const char *path);

/* Builds the overviews of the image at path (borrowed) into PATH.ovr.
 * progress (may be NULL) is called with arg as the build goes on. Fails
 * with "FILE: reason" on dg: image unreadable, directory not writable,
 * PATH.ovr already there, GDAL's error, cancelled. */
bool overview_build(const char *path, overview_progress_fn progress, void *arg,
                    struct diag *dg);

#endif
