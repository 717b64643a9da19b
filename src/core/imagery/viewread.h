/*
 * viewread — the imagery of a view, read on several threads straight into a
 * Cairo ARGB32 buffer and composed over an opaque background.
 *
 * Why: reading and decoding the imagery is a third of a figure's time, and a
 * GDAL handle serves one thread at a time; each extra thread gets its own
 * handle (raster_open_sibling, cheap) with the first handle's stretch, so
 * all parts look the same.
 *
 * Invariants:
 *   - The output is cut into VIEWREAD_PARTS fixed bands of rows whatever the
 *     thread count, so the pixels never depend on the number of CPUs; each
 *     thread takes a contiguous run of bands, because neighbouring bands
 *     share source blocks that a second handle would decode again.
 *   - The result is opaque: transparent and partly transparent pixels
 *     (nodata, masks, outside the image) show the background.
 *   - The window is in the tile's pixel grid (pixel-corner convention, as
 *     struct render_view); the buffer is height rows of width pixels.
 */
#ifndef SATMARK_VIEWREAD_H
#define SATMARK_VIEWREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "raster.h"
#include "render.h"
#include "style.h"

#define VIEWREAD_PARTS 8
#define VIEWREAD_MAX_THREADS 4

/* Reads view's window (borrowed) of r (borrowed; used by the calling thread)
 * at width x height into argb (caller's buffer, stride bytes per row, which
 * must be width * 4: Cairo's ARGB32 rows), premultiplied native-endian ARGB
 * over background bg. threads: 0 = the online CPUs, at most
 * VIEWREAD_MAX_THREADS; figures under 512x512 use one. On failure returns
 * false with the first reason on dg (parts that could not be read show the
 * background). */
bool viewread_argb(struct raster *r, const struct render_view *view, int width, int height,
                   int threads, uint8_t *argb, int stride, struct style_rgb bg,
                   struct diag *dg);

#endif
