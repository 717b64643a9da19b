/*
 * dynbuf — the one growable byte/text buffer of satmark (in the spirit of
 * curl's dynbuf; our own code).
 *
 * Invariants:
 * - A size cap is given at init (dynbuf_init): the content never grows past
 *   it, so no input can make a writer exhaust memory.
 * - One growth policy: the allocation doubles from DYNBUF_FIRST_ALLOC bytes
 *   until it holds the content plus its terminating NUL (never more than the
 *   cap plus one byte).
 * - The content is NUL-terminated whenever anything was allocated, so it can
 *   be used as a C string (dynbuf_str gives "" for an empty buffer).
 * - One sticky error path: the first failure (out of memory, over the cap,
 *   or dynbuf_fail from a caller) is kept; every later append is a no-op
 *   that returns false, so a formatter appends freely and checks once at the
 *   end (dynbuf_failed / dynbuf_error) where the error is reported once.
 *   After a failure the content is what was appended before it, never a
 *   partial append.
 * Ownership: the buffer owns its memory until dynbuf_take hands it to the
 * caller or dynbuf_free releases it.
 */
#ifndef SATMARK_DYNBUF_H
#define SATMARK_DYNBUF_H

#include <stdbool.h>
#include <stddef.h>

#define DYNBUF_FIRST_ALLOC 256

enum dynbuf_status {
    DYNBUF_OK,
    DYNBUF_NOMEM,   /* an allocation failed */
    DYNBUF_TOO_BIG, /* an append would pass the cap */
    DYNBUF_REFUSED, /* dynbuf_fail: the caller found its content unusable */
};

struct dynbuf {
    char *data;  /* owned; NULL until the first allocation */
    size_t len;  /* content bytes, not counting the NUL */
    size_t size; /* allocated bytes */
    size_t max;  /* cap on len */
    enum dynbuf_status status;
};

/* An empty buffer whose content may grow to max bytes (max > 0). Allocates
 * nothing. */
void dynbuf_init(struct dynbuf *b, size_t max);

/* Releases the memory; b is empty again with the same cap and no error. */
void dynbuf_free(struct dynbuf *b);

/* Empties the content, keeping the memory and any error (so content written
 * out before a failure is not mistaken for success). */
void dynbuf_reset(struct dynbuf *b);

/* Appends n bytes of data (borrowed). False (and nothing appended) when the
 * buffer has failed before or fails now. */
bool dynbuf_append(struct dynbuf *b, const void *data, size_t n);

/* dynbuf_append of a NUL-terminated string (borrowed). */
bool dynbuf_append_str(struct dynbuf *b, const char *s);

/* Appends printf-formatted text, of any length up to the cap. */
bool dynbuf_printf(struct dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Marks the buffer failed (sticky) for a reason of the caller's, e.g. text
 * that must not be written. */
void dynbuf_fail(struct dynbuf *b);

bool dynbuf_failed(const struct dynbuf *b);

/* The first error in words ("out of memory", "over the size limit of N
 * bytes", "refused"); "" when none. Borrowed, static or valid until the next
 * call on b. */
const char *dynbuf_error(const struct dynbuf *b);

/* The content as a C string, borrowed until the next change of b; "" when
 * empty. Valid also after a failure (the content before it). */
const char *dynbuf_str(const struct dynbuf *b);

size_t dynbuf_len(const struct dynbuf *b);

/* Hands the content to the caller: a new NUL-terminated string (free with
 * free()), its length in *len when len is not NULL. NULL when the buffer
 * failed (its memory is released) or an empty buffer cannot allocate its
 * one byte. Either way b is empty afterwards, with no error. */
char *dynbuf_take(struct dynbuf *b, size_t *len);

#endif
