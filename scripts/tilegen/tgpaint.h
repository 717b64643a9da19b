/*
 * tgpaint — paints a scene (tgscene) into RGB pixels, one strip of rows at a
 * time, so memory stays bounded for any tile size.
 *
 * Pixel convention: the tile is width x height pixels of `pixel` metres,
 * centred on the scene origin; pixel (col, row) covers scene x in
 * [-W/2 + col, -W/2 + col + 1) * pixel and y downwards from +H/2 * pixel; its
 * centre is at +0.5. A strip is painted with a margin of rows above and below
 * (ground warp, blur) that is cut away, and every texture is a function of the
 * absolute pixel position, so strips join without seams and the output does
 * not depend on the strip height.
 */
#ifndef SATMARK_TGPAINT_H
#define SATMARK_TGPAINT_H

#include <stdbool.h>

#include "diag.h"
#include "tgscene.h"

struct tgpaint;

/* New painter over scene (borrowed; must outlive the painter); free with
 * tgpaint_free. NULL with dg set on failure. */
struct tgpaint *tgpaint_new(const struct tgscene *scene, int width, int height, double pixel,
                            struct diag *dg);
void tgpaint_free(struct tgpaint *painter);

/* Paints rows [row0, row0 + rows) into rgb (caller's buffer of rows*width*3
 * bytes, pixel-interleaved R,G,B). */
bool tgpaint_strip(struct tgpaint *painter, int row0, int rows, unsigned char *rgb,
                   struct diag *dg);

#endif
