/*
 * fuzz_raster — libFuzzer target for the raster open-and-read path: the bytes
 * are written as a .tif and opened with satmark's allow-listed drivers, then
 * the whole image is read at a small output size (as a figure's overview
 * would) and one full-resolution corner window (as the viewer's first tile).
 * Failing to open or read is fine; a crash, hang, leak or an allocation of
 * width x height for an absurd header is not.
 */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "fuzz_input.h"
#include "raster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OUT_SIDE = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rgba[OUT_SIDE * OUT_SIDE * 4];
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    const char *path = fuzz_input_file(data, size, ".tif");
    struct raster *r = raster_open(path, NULL, dg);
    if (r) {
        const struct raster_info *info = raster_get_info(r);
        double w = (double)info->width, h = (double)info->height;
        diag_reset(dg);
        (void)raster_read_rgba(r, 0, 0, w, h, OUT_SIDE, OUT_SIDE, rgba, dg);
        diag_reset(dg);
        (void)raster_read_rgba(r, 0, 0, w < OUT_SIDE ? w : OUT_SIDE, h < OUT_SIDE ? h : OUT_SIDE,
                               OUT_SIDE, OUT_SIDE, rgba, dg);
        raster_close(r);
    }
    diag_free(dg);
    return 0;
}
