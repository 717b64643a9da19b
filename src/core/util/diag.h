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
 * final "... and 1,234 more warnings" line. Identical consecutive warnings are
 * folded. */
void diag_warn(struct diag *dg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define DIAG_MAX_WARNINGS 200

/* Every message (error or warning) is stored with its control characters
 * (C0, DEL, C1) escaped as \xHH, \n, \t, \r or \u00HH: messages quote
 * file content, and a terminal must never receive its escape sequences. */

/* True when s (borrowed; NULL = "") contains a control character. */
bool diag_has_control(const char *s);
/* s (borrowed) with control characters escaped as above: new string (free
 * with free()), NULL on out of memory. For output that quotes file content
 * outside a diag (reports on stdout). */
char *diag_escape(const char *s);

/* Cuts the file content a JSON parser quotes in its message ("... near
 * 'TOKEN'") to at most DIAG_QUOTE_MAX bytes in place: a file that is not
 * JSON at all (a password file given by mistake or by a hostile manifest)
 * must not be echoed to the terminal or a log. */
#define DIAG_QUOTE_MAX 8
void diag_limit_quote(char *text);

bool diag_failed(const struct diag *dg);
/* The error message, or "" when none; borrowed, valid until dg changes. */
const char *diag_message(const struct diag *dg);
size_t diag_warning_count(const struct diag *dg);
/* Warning i (0-based); borrowed, valid until dg changes. */
const char *diag_warning(const struct diag *dg, size_t i);
/* True when the next warning would only be counted, not kept (the cap is
 * reached): callers can then skip the work of formatting it. */
bool diag_warnings_full(const struct diag *dg);
/* Counts one warning that is not kept (cheap; for callers that checked
 * diag_warnings_full). */
void diag_warn_dropped(struct diag *dg);
/* Every warning recorded so far, kept or dropped: a mark for diag_rollback. */
size_t diag_warnings_total(const struct diag *dg);
/* Forgets the warnings recorded after diag_warnings_total returned `mark`
 * (for a reader that retries another way after a failed first attempt). */
void diag_rollback(struct diag *dg, size_t mark);
/* Forgets the error but keeps the warnings. */
void diag_clear_error(struct diag *dg);
/* Forgets everything. */
void diag_reset(struct diag *dg);

#endif
