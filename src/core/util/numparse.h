/*
 * numparse — numbers typed by a person (command-line options, the viewer's
 * go-to box): strict decimal numbers and comma-separated lists of them. The
 * one number reader of the front-ends: --bbox and --pad of fetch, --gcp of
 * georef, --point/--line/--polygon/--pixel/--move of mark, --gsd-m of
 * imagery, and the numbers of a typed position (coordparse).
 *
 * A number is [+-]DIGITS[.DIGITS][(e|E)[+-]DIGITS] with at least one digit
 * before the exponent, '.' as the decimal point whatever the locale says.
 * strtod alone would also take hexadecimal floats ("0x1p4"), "inf", "nan",
 * "infinity" and leading white space; none of these is a coordinate a person
 * meant, so all are refused, as is a value strtod reports out of range
 * (overflow to infinity or underflow, ERANGE).
 *
 * Invariants: pure (no I/O, no allocation, no locale); on failure the
 * output is unspecified and nothing else is touched.
 */
#ifndef SATMARK_NUMPARSE_H
#define SATMARK_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Reads one number at the very start of text (borrowed). True with the value
 * in *out and *end (may be NULL) just past it; false when text does not start
 * with a number as above (*end untouched). What follows is not looked at:
 * "42.5N" gives 42.5 with *end at "N". */
bool numparse_scan(const char *text, double *out, const char **end);

/* Exactly n numbers separated by single commas and nothing else: "1.5,-2"
 * for n = 2. No spaces, no empty field, nothing trailing. */
bool numparse_list(const char *text, double *v, size_t n);

#endif
