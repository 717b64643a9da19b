/*
 * bandpick — which bands of a multispectral image are red, green and blue,
 * from what the file says about itself.
 *
 * Why: GDAL's colour interpretation is often Undefined on real imagery
 * (Landsat scenes, stacked Sentinel-2 bands), and "bands 1,2,3" then shows
 * Landsat 8's coastal, blue and green as red, green and blue: a picture
 * whose colours mislead. The file usually says enough: band descriptions
 * ("Red", "B04 (red)"), or the mission in its metadata, whose band order is
 * fixed. When it says nothing, the caller must warn instead of guessing.
 *
 * Invariants: pure (no GDAL, no I/O); band numbers are 1-based; a result
 * names three distinct bands, all <= n.
 */
#ifndef SATMARK_BANDPICK_H
#define SATMARK_BANDPICK_H

#include <stdbool.h>

/* What the image says: per band (n entries, 1-based order) its description
 * (may be NULL or ""), and the dataset's mission/spacecraft metadata value
 * (SPACECRAFT_ID, SPACECRAFT_NAME, SATELLITE, MISSION or PLATFORM; NULL or
 * "" when none). All borrowed. */
struct bandpick_input {
    int n;
    const char *const *descriptions;
    const char *mission;
};

/* Fills rgb with the true-colour bands and *why (static text: "band
 * descriptions", "Landsat 8/9 band order", ...) and returns true when the file
 * says which they are; false (rgb untouched) when it does not. */
bool bandpick_true_colour(const struct bandpick_input *in, int rgb[3], const char **why);

#endif
