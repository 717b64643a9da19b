/*
 * coordparse — reads a position typed by a person: decimal degrees or
 * degrees-minutes-seconds, latitude first or longitude first, with or
 * without hemisphere letters before or after each number:
 *   "42°14'N 130°18'E", "130.3 42.24", "42.24N,130.3E", "N42 14 30 E130 18",
 *   "-87.605, 41.89", "42 14 30 N 130 18 0 E".
 * Pure (no I/O, no locale: '.' is the decimal point, ',' and ';' separate
 * the two coordinates). Numbers are read by numparse_scan, as the CLI reads
 * its coordinates: hexadecimal floats, inf and nan are refused.
 *
 * Which number is the latitude: a hemisphere letter decides (N/S latitude,
 * E/W longitude; one letter decides for both); else a value beyond +-90 is
 * the longitude; else the text is ambiguous and the reading is latitude
 * first (as Google Earth and most web maps print positions), with the other
 * order offered as the alternative so the caller can choose (e.g. the one
 * that falls on the image).
 */
#ifndef SATMARK_COORDPARSE_H
#define SATMARK_COORDPARSE_H

#include <stdbool.h>

#include "diag.h"

struct coordparse_result {
    double lon, lat;         /* the reading chosen, degrees */
    bool ambiguous;          /* the other order is valid too: alt_lon, alt_lat */
    double alt_lon, alt_lat;
};

/* Parses text (borrowed, UTF-8) into *out. False with a reason on dg when it
 * is not two coordinates, a field is out of range (minutes or seconds >= 60,
 * |lat| > 90, |lon| > 180), or the hemisphere letters contradict each other
 * (two latitudes). */
bool coordparse_position(const char *text, struct coordparse_result *out, struct diag *dg);

#endif
