/*
 * probe — the values of image A's pixel under the pointer, for the status
 * bar: the source value of each band (as stored: Byte, UInt16, Float32...)
 * and the display value each shown channel gets after the contrast stretch,
 * so an analyst can tell a saturated display from a saturated sensor.
 * Read through the UI thread's raster handle (one pixel, from GDAL's block
 * cache after the first read), once per pixel the pointer enters.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "viewer.h"

#define PROBE_MAX_BANDS 16
#define PROBE_SHOWN_BANDS 6

/* snprintf at *len, which stays below cap (the text is cut, never overrun). */
static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

const char *probe_text(struct viewer_imagery *im, double ix, double iy)
{
    long x = (long)floor(ix), y = (long)floor(iy);
    if (im->probe_valid && x == im->probe_x && y == im->probe_y)
        return im->probe_text;
    im->probe_x = x;
    im->probe_y = y;
    im->probe_valid = true;
    im->probe_text[0] = '\0';
    if (!im->a.raster || x < 0 || y < 0 || x >= im->a.width || y >= im->a.height)
        return im->probe_text;
    double values[PROBE_MAX_BANDS];
    bool valid[PROBE_MAX_BANDS];
    struct diag *dg = diag_new();
    int n =
        raster_read_pixel_values(im->a.raster, (int)x, (int)y, values, valid, PROBE_MAX_BANDS, dg);
    char *out = im->probe_text;
    size_t cap = sizeof im->probe_text, len = 0;
    if (n < 0) {
        snprintf(out, cap, "value unreadable");
        diag_free(dg);
        return out;
    }
    for (int b = 0; b < n && b < PROBE_SHOWN_BANDS; b++) {
        appendf(out, cap, &len, "%sB%d ", b ? "  " : "", b + 1);
        if (valid[b])
            appendf(out, cap, &len, "%.6g", values[b]);
        else
            appendf(out, cap, &len, "nodata");
    }
    if (n > PROBE_SHOWN_BANDS)
        appendf(out, cap, &len, " \u2026");
    /* what the display shows: each channel's band through the stretch */
    const struct raster_info *info = raster_get_info(im->a.raster);
    struct raster_stretch st;
    if (n > 0 && !info->palette_expanded && raster_get_stretch(im->a.raster, &st, dg)) {
        bool grey = info->display_bands[0] == info->display_bands[1] &&
                    info->display_bands[1] == info->display_bands[2];
        appendf(out, cap, &len, "  \u2192 %s", grey ? "grey " : "RGB ");
        for (int ch = 0; ch < (grey ? 1 : 3); ch++) {
            int band = info->display_bands[ch] - 1;
            if (band < 0 || band >= n || !valid[band]) {
                appendf(out, cap, &len, "%s-", ch ? "," : "");
                continue;
            }
            double t = (values[band] - st.low[ch]) / (st.high[ch] - st.low[ch]);
            double d = round(255 * fmin(1, fmax(0, t)));
            appendf(out, cap, &len, "%s%.0f", ch ? "," : "", d);
        }
    }
    diag_free(dg);
    return out;
}
