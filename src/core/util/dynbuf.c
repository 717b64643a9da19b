/*
 * dynbuf — see dynbuf.h. grow() is the only place that allocates, so the
 * growth policy and the cap are decided in one function; every append goes
 * through dynbuf_append, the only place that copies content in.
 */
#include "dynbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dynbuf_init(struct dynbuf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void dynbuf_free(struct dynbuf *b)
{
    free(b->data);
    dynbuf_init(b, b->max);
}

void dynbuf_reset(struct dynbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dynbuf_fail(struct dynbuf *b)
{
    if (b->status == DYNBUF_OK)
        b->status = DYNBUF_REFUSED;
}

bool dynbuf_failed(const struct dynbuf *b) { return b->status != DYNBUF_OK; }

const char *dynbuf_error(const struct dynbuf *b)
{
    switch (b->status) {
    case DYNBUF_OK: return "";
    case DYNBUF_NOMEM: return "out of memory";
    case DYNBUF_TOO_BIG: return "over the size limit";
    case DYNBUF_REFUSED: return "refused";
    }
    return "?";
}

const char *dynbuf_str(const struct dynbuf *b) { return b->data ? b->data : ""; }

size_t dynbuf_len(const struct dynbuf *b) { return b->len; }

/* Makes room for `more` content bytes plus the NUL: doubling from
 * DYNBUF_FIRST_ALLOC, never past max + 1. Sets the sticky error on failure. */
static bool grow(struct dynbuf *b, size_t more)
{
    if (b->status != DYNBUF_OK)
        return false;
    if (more > b->max - b->len) {
        b->status = DYNBUF_TOO_BIG;
        return false;
    }
    size_t need = b->len + more + 1;
    if (need <= b->size)
        return true;
    size_t size = b->size ? b->size : DYNBUF_FIRST_ALLOC;
    while (size < need)
        size = size > (b->max + 1) / 2 ? b->max + 1 : size * 2;
    char *grown = realloc(b->data, size);
    if (!grown) {
        b->status = DYNBUF_NOMEM;
        return false;
    }
    b->data = grown;
    b->size = size;
    return true;
}

bool dynbuf_append(struct dynbuf *b, const void *data, size_t n)
{
    if (!grow(b, n))
        return false;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool dynbuf_append_str(struct dynbuf *b, const char *s) { return dynbuf_append(b, s, strlen(s)); }

bool dynbuf_printf(struct dynbuf *b, const char *fmt, ...)
{
    if (b->status != DYNBUF_OK)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->status = DYNBUF_REFUSED; /* a conversion the C library cannot do */
        return false;
    }
    if (!grow(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

char *dynbuf_take(struct dynbuf *b, size_t *len)
{
    char *out = NULL;
    if (b->status == DYNBUF_OK)
        out = b->data ? b->data : calloc(1, 1);
    else
        free(b->data);
    if (out && len)
        *len = b->len;
    dynbuf_init(b, b->max);
    return out;
}
