/*
 * coordparse — see coordparse.h. The text is split into tokens (numbers,
 * unit marks for degrees, minutes and seconds, hemisphere letters and
 * separators), then the tokens are grouped into coordinates: a separator or
 * a trailing hemisphere letter closes a coordinate, a degree mark on a later
 * number opens a new one, and without marks or letters each number is a
 * coordinate of its own. Exactly two coordinates must result.
 */
#include "coordparse.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

enum token_kind { TOK_NUMBER, TOK_DEG, TOK_MIN, TOK_SEC, TOK_HEMI, TOK_SEP };

struct token {
    enum token_kind kind;
    double value; /* TOK_NUMBER */
    char hemi;    /* TOK_HEMI: N, S, E or W */
};

#define MAX_TOKENS 32

/* Unit marks as people type them: ASCII and the typographic forms. */
static const struct {
    const char *text;
    enum token_kind kind;
} marks[] = {
    {"\u00b0", TOK_DEG}, {"\u00ba", TOK_DEG}, {"\u02da", TOK_DEG}, {"'", TOK_MIN},
    {"\u2032", TOK_MIN}, {"\u2019", TOK_MIN}, {"\"", TOK_SEC},     {"\u2033", TOK_SEC},
    {"\u201d", TOK_SEC}, {"''", TOK_SEC},
};

static bool tokenize(const char *s, struct token *tok, int *ntok, struct diag *dg)
{
    int n = 0;
    while (*s) {
        if (n == MAX_TOKENS) {
            diag_error(dg, "too many parts for a position");
            return false;
        }
        unsigned char c = (unsigned char)*s;
        if (isspace(c)) {
            s++;
            continue;
        }
        if (c == ',' || c == ';') {
            tok[n++] = (struct token){.kind = TOK_SEP};
            s++;
            continue;
        }
        if (isdigit(c) || ((c == '-' || c == '+' || c == '.') &&
                           (isdigit((unsigned char)s[1]) || s[1] == '.'))) {
            const char *end;
            double v;
            if (!numparse_scan(s, &v, &end)) { /* hex floats, inf, nan refused */
                diag_error(dg, "\"%.20s\" is not a number", s);
                return false;
            }
            tok[n++] = (struct token){.kind = TOK_NUMBER, .value = v};
            s = end;
            continue;
        }
        char up = (char)toupper(c);
        if (up == 'N' || up == 'S' || up == 'E' || up == 'W') {
            /* a letter inside a word ("ship") is not a hemisphere */
            if (isalpha((unsigned char)s[1])) {
                diag_error(dg, "\"%.20s\" is not part of a position", s);
                return false;
            }
            tok[n++] = (struct token){.kind = TOK_HEMI, .hemi = up};
            s++;
            continue;
        }
        bool matched = false;
        /* the longest mark first: '' (two apostrophes) is seconds */
        if (s[0] == '\'' && s[1] == '\'') {
            tok[n++] = (struct token){.kind = TOK_SEC};
            s += 2;
            continue;
        }
        for (size_t k = 0; k < sizeof marks / sizeof marks[0] && !matched; k++) {
            size_t len = strlen(marks[k].text);
            if (strncmp(s, marks[k].text, len) == 0) {
                tok[n++] = (struct token){.kind = marks[k].kind};
                s += len;
                matched = true;
            }
        }
        if (!matched) {
            diag_error(dg, "\"%.20s\" is not part of a position", s);
            return false;
        }
    }
    *ntok = n;
    return true;
}

struct coord {
    double field[3]; /* degrees, minutes, seconds */
    int nfields;
    int level[3];    /* unit mark of each field: 0 none, 1 deg, 2 min, 3 sec */
    char hemi;       /* 0 when none */
    bool closed;     /* a trailing hemisphere letter or a separator ended it */
};

/* Groups tokens into coordinates; false with a reason when they do not fit. */
static bool group(const struct token *tok, int ntok, struct coord *c, int *ncoord,
                  struct diag *dg)
{
    bool any_marks = false;
    for (int i = 0; i < ntok; i++)
        if (tok[i].kind == TOK_DEG || tok[i].kind == TOK_MIN || tok[i].kind == TOK_SEC ||
            tok[i].kind == TOK_HEMI)
            any_marks = true;
    int n = 0;
    memset(c, 0, 3 * sizeof *c);
#define CUR (&c[n])
#define OPEN_NEW()                                                                            \
    do {                                                                                      \
        if (CUR->nfields > 0 || CUR->hemi) {                                                  \
            if (++n == 3) {                                                                   \
                diag_error(dg, "more than two coordinates");                                  \
                return false;                                                                 \
            }                                                                                 \
        }                                                                                     \
    } while (0)
    for (int i = 0; i < ntok; i++) {
        const struct token *t = &tok[i];
        switch (t->kind) {
        case TOK_SEP:
            if (CUR->nfields == 0 && !CUR->hemi) {
                diag_error(dg, "a separator without a number before it");
                return false;
            }
            OPEN_NEW();
            break;
        case TOK_NUMBER: {
            bool starts_new = CUR->closed;
            if (!starts_new && CUR->nfields > 0) {
                int last = CUR->level[CUR->nfields - 1];
                /* plain numbers without any mark or letter: one per coordinate */
                if (!any_marks)
                    starts_new = true;
                else if (last == 3 || CUR->nfields == 3)
                    starts_new = true;
                /* the next number's own mark may still say it is degrees
                 * (handled at the mark) */
            }
            if (starts_new)
                OPEN_NEW();
            CUR->field[CUR->nfields] = t->value;
            CUR->level[CUR->nfields] = 0;
            CUR->nfields++;
            break;
        }
        case TOK_DEG:
        case TOK_MIN:
        case TOK_SEC: {
            int level = t->kind == TOK_DEG ? 1 : t->kind == TOK_MIN ? 2 : 3;
            if (CUR->nfields == 0 || CUR->level[CUR->nfields - 1] != 0) {
                diag_error(dg, "a unit mark without a number before it");
                return false;
            }
            int pos = CUR->nfields; /* 1-based position of the number */
            if (level == 1 && pos > 1) {
                /* "42°14' 130°18'": a degrees number after minutes opens the
                 * second coordinate */
                double v = CUR->field[pos - 1];
                CUR->nfields--;
                OPEN_NEW();
                CUR->field[0] = v;
                CUR->nfields = 1;
                pos = 1;
            } else if (level != pos) {
                diag_error(dg, "%s where %s were expected",
                           level == 2 ? "minutes" : level == 3 ? "seconds" : "degrees",
                           pos == 1 ? "degrees" : pos == 2 ? "minutes" : "seconds");
                return false;
            }
            CUR->level[pos - 1] = level;
            break;
        }
        case TOK_HEMI:
            if (CUR->hemi || CUR->closed) {
                OPEN_NEW(); /* a leading letter of the next coordinate */
                CUR->hemi = t->hemi;
            } else if (CUR->nfields > 0) {
                CUR->hemi = t->hemi; /* trailing: ends this coordinate */
                CUR->closed = true;
            } else {
                CUR->hemi = t->hemi; /* leading */
            }
            break;
        }
    }
#undef CUR
#undef OPEN_NEW
    if (c[n].nfields > 0 || c[n].hemi)
        n++;
    for (int k = 0; k < n; k++)
        if (c[k].nfields == 0) {
            diag_error(dg, "a hemisphere letter without a number");
            return false;
        }
    if (n != 2) {
        diag_error(dg, n < 2 ? "two coordinates needed (latitude and longitude)"
                             : "more than two coordinates");
        return false;
    }
    *ncoord = n;
    return true;
}

/* Degrees of a coordinate, signed by its minus sign or S/W letter. */
static bool coord_value(const struct coord *c, double *out, struct diag *dg)
{
    double deg = c->field[0];
    bool negative = signbit(deg);
    for (int k = 1; k < c->nfields; k++) {
        double v = c->field[k];
        if (v < 0 || v >= 60) {
            diag_error(dg, "%s must be between 0 and 60, got %g", k == 1 ? "minutes" : "seconds",
                       v);
            return false;
        }
        if (k < c->nfields - 1 && v != floor(v)) {
            diag_error(dg, "only the last field may have decimals");
            return false;
        }
    }
    if (c->nfields > 1 && fabs(deg) != floor(fabs(deg))) {
        diag_error(dg, "degrees with decimals cannot be followed by minutes");
        return false;
    }
    double v = fabs(deg);
    if (c->nfields > 1)
        v += c->field[1] / 60;
    if (c->nfields > 2)
        v += c->field[2] / 3600;
    if (c->hemi == 'S' || c->hemi == 'W') {
        if (negative) {
            diag_error(dg, "both a minus sign and %c", c->hemi);
            return false;
        }
        negative = true;
    }
    *out = negative ? -v : v;
    return true;
}

static bool is_lat_letter(char h) { return h == 'N' || h == 'S'; }

bool coordparse_position(const char *text, struct coordparse_result *out, struct diag *dg)
{
    struct token tok[MAX_TOKENS];
    int ntok = 0, ncoord = 0;
    struct coord c[3];
    if (!text || !tokenize(text, tok, &ntok, dg) || !group(tok, ntok, c, &ncoord, dg))
        return false;
    double v0, v1;
    if (!coord_value(&c[0], &v0, dg) || !coord_value(&c[1], &v1, dg))
        return false;
    memset(out, 0, sizeof *out);
    bool lat_first;
    if (c[0].hemi && c[1].hemi) {
        if (is_lat_letter(c[0].hemi) == is_lat_letter(c[1].hemi)) {
            diag_error(dg, "%c and %c: both coordinates are %s", c[0].hemi, c[1].hemi,
                       is_lat_letter(c[0].hemi) ? "latitudes" : "longitudes");
            return false;
        }
        lat_first = is_lat_letter(c[0].hemi);
    } else if (c[0].hemi || c[1].hemi) {
        lat_first = c[0].hemi ? is_lat_letter(c[0].hemi) : !is_lat_letter(c[1].hemi);
    } else if (fabs(v0) > 90 || fabs(v1) > 90) {
        lat_first = fabs(v0) <= 90;
    } else {
        lat_first = true;
        out->ambiguous = true;
        out->alt_lat = v1;
        out->alt_lon = v0;
    }
    out->lat = lat_first ? v0 : v1;
    out->lon = lat_first ? v1 : v0;
    if (fabs(out->lat) > 90) {
        diag_error(dg, "latitude %g is beyond 90 degrees", out->lat);
        return false;
    }
    if (fabs(out->lon) > 180) {
        diag_error(dg, "longitude %g is beyond 180 degrees", out->lon);
        return false;
    }
    return true;
}
