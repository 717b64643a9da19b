/*
 * diag — errors and warnings carried on a context the caller owns.
 *
 * Every core function that can fail takes a `struct diag *` and returns a
 * status (bool: true = success). On failure it records one message that names
 * the file and the reason ("tiles/a.tif: not a supported raster: ..."); the
 * first error recorded wins, later ones are ignored, so the root cause is what
 * the user reads. Warnings accumulate (bounded) and never fail an operation.
 * There is no global error state: a loader thread and the UI thread each have
 * their own diag. A diag is not thread-safe; do not share one across threads.
 */
#ifndef SATMARK_DIAG_H
#define SATMARK_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct diag;

/* New, empty context; free with diag_free. Returns NULL only on out of memory. */
struct diag *diag_new(void);
/* Frees dg and its messages; accepts NULL. */
void diag_free(struct diag *dg);

/* Records an error (printf-style) unless one is already recorded. dg may be NULL. */
void diag_error(struct diag *dg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void diag_verror(struct diag *dg, const char *fmt, va_list ap);
/* Appends a warning (printf-style); at most DIAG_MAX_WARNINGS are kept, then a
 * final "... more warnings" line. Identical consecutive warnings are folded. */
void diag_warn(struct diag *dg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define DIAG_MAX_WARNINGS 200

bool diag_failed(const struct diag *dg);
/* The error message, or "" when none; borrowed, valid until dg changes. */
const char *diag_message(const struct diag *dg);
size_t diag_warning_count(const struct diag *dg);
/* Warning i (0-based); borrowed, valid until dg changes. */
const char *diag_warning(const struct diag *dg, size_t i);
/* Forgets the error but keeps the warnings. */
void diag_clear_error(struct diag *dg);
/* Forgets everything. */
void diag_reset(struct diag *dg);

#endif
