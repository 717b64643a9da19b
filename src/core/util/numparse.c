/*
 * numparse — see numparse.h. The grammar is checked by hand first and
 * strtod converts only what the grammar allowed (it must stop exactly where
 * the grammar did), so the value is strtod's correctly rounded one and
 * nothing strtod accepts beyond decimal numbers gets through.
 */
#include "numparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The end of the decimal number at the start of p, or NULL when there is
 * none. */
static const char *grammar_end(const char *p)
{
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (is_digit(*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (is_digit(*p))
            p++, digits++;
    }
    if (digits == 0)
        return NULL;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        if (*q == '+' || *q == '-')
            q++;
        if (is_digit(*q)) { /* an exponent only when digits follow, as strtod */
            while (is_digit(*q))
                q++;
            p = q;
        }
    }
    return p;
}

bool numparse_scan(const char *text, double *out, const char **end)
{
    const char *want = grammar_end(text);
    if (!want)
        return false;
    char *got;
    errno = 0;
    double v = strtod(text, &got);
    if (got != want || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    if (end)
        *end = want;
    return true;
}

bool numparse_list(const char *text, double *v, size_t n)
{
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        const char *end;
        if (!numparse_scan(p, &v[i], &end))
            return false;
        if (*end != (i + 1 < n ? ',' : '\0'))
            return false;
        p = end + 1;
    }
    return n > 0;
}
