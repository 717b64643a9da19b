/*
 * ramp — colour ramps for a single band: a value stretched to 0..1 becomes
 * a colour, so small differences in one band (a thermal or index band, a DEM)
 * are easier to see than in grey.
 *
 * Why a ramp is not decoration: a figure in false colour must say so and
 * give the values its colours stand for; the figure legend shows the ramp
 * with the stretch's low and high values (figure.c). viridis and inferno
 * grow lighter with the value everywhere, so a darker colour never means a
 * higher value; terrain is a map maker's elevation ramp (sea blue, green,
 * sand, brown, snow) and is not monotonic in lightness.
 *
 * Invariants: pure (no GDAL, no I/O, no globals but constant tables of a
 * few control points, interpolated linearly in sRGB); RAMP_GREY is the
 * identity (grey v gives R = G = B = v); every ramp is defined on t in
 * [0, 1], values outside are clamped.
 */
#ifndef SATMARK_RAMP_H
#define SATMARK_RAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ramp_kind {
    RAMP_GREY = 0, /* default: identity */
    RAMP_VIRIDIS,  /* dark blue-violet, teal, green, yellow */
    RAMP_INFERNO,  /* black, purple, red, orange, pale yellow */
    RAMP_TERRAIN,  /* blue (low), green, sand, brown, white (high) */
    RAMP_COUNT
};

/* Parses a ramp name ("grey"/"gray", "viridis", "inferno", "terrain";
 * case-insensitive). text borrowed; false on anything else. */
bool ramp_parse(const char *text, enum ramp_kind *out);
/* The ramp's name (static string), "grey" for anything out of range. */
const char *ramp_name(enum ramp_kind k);
/* "grey, viridis, inferno, terrain" (static string), for messages. */
const char *ramp_names(void);

/* The colour at t (clamped to [0, 1]; NaN counts as 0) into rgb (caller's). */
void ramp_colour(enum ramp_kind k, double t, uint8_t rgb[3]);

/* Maps npixels straight RGBA8 pixels (rgba, caller's, changed in place)
 * whose R = G = B hold a grey level through the ramp: grey v becomes the
 * colour at v / 255. Alpha is kept; fully transparent pixels stay 0,0,0,0.
 * RAMP_GREY leaves the pixels as they are. */
void ramp_apply_rgba(enum ramp_kind k, uint8_t *rgba, size_t npixels);

#endif
