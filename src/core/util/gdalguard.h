/*
 * gdalguard — one GDAL call (or a run of calls on one file) with its errors
 * captured instead of printed, and with file-access settings scoped to it.
 *
 * Why: GDAL reports through a process-wide error handler and reads its
 * settings from global configuration; satmark must name the file in every
 * message, keep GDAL's own words as the reason, and never let one thread's
 * settings leak into another's. A guard pushes a thread-local error handler
 * and sets thread-local options for its duration only.
 *
 * Invariants:
 *   - begin/end pair on the same thread, strictly nested; the guard lives on
 *     the caller's stack between them.
 *   - Errors: the first one is kept (first_error, errors counts them).
 *     Warnings go to the guard's diag as "PATH: GDAL: message", at most
 *     GDALGUARD_MAX_WARNINGS per guard, and one that repeats an earlier one
 *     (libtiff says many things twice, with and without "file: ") is dropped.
 *   - During the guard: directory listing on open is off (sidecars are still
 *     found by stat), and unless allow_remote, GDAL's network file systems
 *     refuse every URL.
 *   - Messages are sanitised: control characters become '?'.
 */
#ifndef SATMARK_GDALGUARD_H
#define SATMARK_GDALGUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define GDALGUARD_MAX_WARNINGS 8

struct gdalguard {
    const char *path;      /* borrowed: named in warnings */
    struct diag *dg;       /* borrowed: receives warnings; may be NULL */
    char first_error[512]; /* "" when none */
    int errors;
    int warnings;
    char seen[GDALGUARD_MAX_WARNINGS][512];
    char *saved_readdir;   /* owned (CPLStrdup) until gdalguard_end */
    char *saved_curl;
};

/* Starts guarding calls about path (borrowed until gdalguard_end); warnings
 * go to dg (borrowed; may be NULL). */
void gdalguard_begin(struct gdalguard *g, const char *path, bool allow_remote,
                     struct diag *dg);
/* Restores the handler and settings gdalguard_begin replaced. */
void gdalguard_end(struct gdalguard *g);
/* GDAL's first error during the guard, else fallback (both borrowed). */
const char *gdalguard_reason(const struct gdalguard *g, const char *fallback);
/* Copies src (borrowed; NULL = "") into dst (cap bytes, NUL-terminated) with
 * control characters replaced by '?', so file content never reaches a
 * terminal raw. */
void gdalguard_sanitize(char *dst, size_t cap, const char *src);

#endif
