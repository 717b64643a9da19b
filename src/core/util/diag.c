/*
 * diag — see diag.h. Messages are heap strings formatted with vsnprintf;
 * warnings live in a growable array capped at DIAG_MAX_WARNINGS (+1 for the
 * "more warnings" marker) so hostile input cannot make it grow without bound.
 */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct diag {
    char *error;
    char **warnings;
    size_t nwarnings;
    size_t capwarnings;
    size_t dropped;
    char summary[64]; /* "... and N more warnings", rebuilt by diag_warning */
};

struct diag *diag_new(void) { return calloc(1, sizeof(struct diag)); }

void diag_reset(struct diag *dg)
{
    if (!dg)
        return;
    free(dg->error);
    dg->error = NULL;
    for (size_t i = 0; i < dg->nwarnings; i++)
        free(dg->warnings[i]);
    free(dg->warnings);
    dg->warnings = NULL;
    dg->nwarnings = dg->capwarnings = dg->dropped = 0;
}

void diag_free(struct diag *dg)
{
    diag_reset(dg);
    free(dg);
}

/* Bytes of the control character starting at s (C0, DEL, or C1 encoded in
 * UTF-8 as C2 80..C2 9F), 0 when s does not start with one. */
static size_t control_len(const unsigned char *s)
{
    if (*s < 0x20 || *s == 0x7f)
        return 1;
    if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return 2;
    return 0;
}

bool diag_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        if (control_len(p))
            return true;
    return false;
}

char *diag_escape(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += control_len(p) ? 6 : 1; /* at most "\u009b" per byte */
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = control_len(p);
        if (len == 2) {
            o += sprintf(o, "\\u%04x", p[1]);
        } else if (len == 1) {
            const char *named = *p == '\n' ? "\\n" : *p == '\t' ? "\\t" : *p == '\r' ? "\\r" : NULL;
            o += named ? sprintf(o, "%s", named) : sprintf(o, "\\x%02x", *p);
        } else {
            *o++ = (char)*p;
            len = 1;
        }
        p += len;
    }
    *o = '\0';
    return out;
}

void diag_limit_quote(char *text)
{
    char *q = strstr(text, "near '");
    if (!q)
        return;
    q += 6;
    char *end = strrchr(q, '\'');
    size_t n = end ? (size_t)(end - q) : strlen(q);
    if (n <= DIAG_QUOTE_MAX)
        return;
    /* keep whole UTF-8 characters */
    size_t keep = DIAG_QUOTE_MAX;
    while (keep > 0 && ((unsigned char)q[keep] & 0xc0) == 0x80)
        keep--;
    memcpy(q + keep, "...'", 5);
}

/* New heap string; caller frees. NULL on out of memory. Control characters
 * (from file content quoted in the message) are escaped: a message never
 * carries a terminal escape sequence to the user's terminal. */
static char *format_message(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    if (!diag_has_control(s))
        return s;
    char *clean = diag_escape(s);
    free(s);
    return clean;
}

void diag_verror(struct diag *dg, const char *fmt, va_list ap)
{
    if (!dg || dg->error)
        return;
    dg->error = format_message(fmt, ap);
    if (!dg->error)
        dg->error = strdup("out of memory");
}

void diag_error(struct diag *dg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(dg, fmt, ap);
    va_end(ap);
}

static void push_warning(struct diag *dg, char *msg)
{
    if (dg->nwarnings == dg->capwarnings) {
        size_t cap = dg->capwarnings ? dg->capwarnings * 2 : 8;
        char **w = realloc(dg->warnings, cap * sizeof *w);
        if (!w) {
            free(msg);
            return;
        }
        dg->warnings = w;
        dg->capwarnings = cap;
    }
    dg->warnings[dg->nwarnings++] = msg;
}

void diag_warn(struct diag *dg, const char *fmt, ...)
{
    if (!dg)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = format_message(fmt, ap);
    va_end(ap);
    if (!msg)
        return;
    if (dg->nwarnings && strcmp(dg->warnings[dg->nwarnings - 1], msg) == 0) {
        free(msg);
        return;
    }
    if (dg->nwarnings >= DIAG_MAX_WARNINGS) {
        free(msg);
        dg->dropped++;
        return;
    }
    push_warning(dg, msg);
}

bool diag_warnings_full(const struct diag *dg)
{
    return dg && dg->nwarnings >= DIAG_MAX_WARNINGS;
}

void diag_warn_dropped(struct diag *dg)
{
    if (dg)
        dg->dropped++;
}

size_t diag_warnings_total(const struct diag *dg)
{
    return dg ? dg->nwarnings + dg->dropped : 0;
}

void diag_rollback(struct diag *dg, size_t mark)
{
    if (!dg || mark >= dg->nwarnings + dg->dropped)
        return;
    if (mark >= dg->nwarnings) {
        dg->dropped = mark - dg->nwarnings;
        return;
    }
    for (size_t i = mark; i < dg->nwarnings; i++)
        free(dg->warnings[i]);
    dg->nwarnings = mark;
    dg->dropped = 0;
}

/* n with a comma every three digits ("99,800"). */
static void format_count(size_t n, char *out, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

bool diag_failed(const struct diag *dg) { return dg && dg->error; }

const char *diag_message(const struct diag *dg)
{
    return dg && dg->error ? dg->error : "";
}

size_t diag_warning_count(const struct diag *dg)
{
    if (!dg)
        return 0;
    return dg->nwarnings + (dg->dropped ? 1 : 0);
}

const char *diag_warning(const struct diag *dg, size_t i)
{
    struct diag *mut = (struct diag *)dg; /* the summary buffer is a cache */
    if (!dg)
        return "";
    if (i < dg->nwarnings)
        return dg->warnings[i];
    if (i == dg->nwarnings && dg->dropped) {
        char count[32];
        format_count(dg->dropped, count, sizeof count);
        snprintf(mut->summary, sizeof mut->summary, "... and %s more warning%s not shown",
                 count, dg->dropped == 1 ? "" : "s");
        return mut->summary;
    }
    return "";
}

void diag_clear_error(struct diag *dg)
{
    if (!dg)
        return;
    free(dg->error);
    dg->error = NULL;
}
