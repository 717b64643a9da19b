/*
 * gjfast — see gjfast.h for what it reads and why it can hand a document
 * back. Every reading function here returns false both for text it does
 * not take and for out of memory: either way the caller gives the document
 * to gjson, which reports what there is to report.
 *
 * The document outside the features array (type, satmark metadata, foreign
 * members) is read by gjson itself, from a copy with "features": [] in
 * place of the array; it must come back without a warning. The array is then
 * scanned here one feature at a time. Strings are taken as bytes of the text
 * (struct span, no NUL) until copied into the feature. No recursion: the
 * shapes read here have a fixed depth.
 *
 * Ownership: a feature being read owns what is attached to it (freed with
 * annot_feature_clear on every path); features move into the set with
 * annot_adopt_feature.
 */
#include "gjfast.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gjson.h"
#include "gjwrite.h"
#include "hash.h"
#include "idassign.h"
#include "jsontext.h"
#include "rfile.h"

/* Features arrays of at least this many bytes are read by two threads. */
#define GJFAST_SPLIT_MIN ((size_t)4 << 20)

/* Members per object this path takes (a plain feature has a handful). */
#define GJFAST_MAX_MEMBERS 32

struct span {
    const char *s;
    size_t n;
};

struct scan {
    const char *t;
    size_t pos, end; /* t[pos, end) is left to read */
};

/* ---- JSON tokens ---------------------------------------------------------------- */

static void skip_ws(struct scan *s)
{
    while (s->pos < s->end) {
        char c = s->t[s->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return;
        s->pos++;
    }
}

static bool peek(struct scan *s, char c)
{
    skip_ws(s);
    return s->pos < s->end && s->t[s->pos] == c;
}

static bool expect(struct scan *s, char c)
{
    if (!peek(s, c))
        return false;
    s->pos++;
    return true;
}

/* After a member or an element: true at ',' (consumed, another follows),
 * false at `close` (consumed, *done set) or anything else (*done unset). */
static bool next_item(struct scan *s, char close, bool *done)
{
    *done = false;
    if (expect(s, ','))
        return true;
    *done = expect(s, close);
    return false;
}

static bool is_key(struct span k, const char *name)
{
    size_t n = strlen(name); /* folded: name is a literal */
    return k.n == n && memcmp(k.s, name, n) == 0;
}

/* is_key for a name known only at run time (a class name): no strlen of
 * it, and most names differ at their first byte. A span never holds a NUL
 * (read_string refuses control characters), so strncmp stops within k. */
static bool is_name(struct span k, const char *name)
{
    if (k.n == 0)
        return name[0] == '\0';
    return name[0] == k.s[0] && strncmp(k.s, name, k.n) == 0 && name[k.n] == '\0';
}

/* Bytes of the valid UTF-8 sequence of 2-4 bytes at p (avail bytes there),
 * 0 when it is not one: overlong forms, surrogates and code points past
 * U+10FFFF are invalid, as for jansson. */
static size_t utf8_sequence(const unsigned char *p, size_t avail)
{
    unsigned c = p[0], min;
    size_t n;
    if ((c & 0xE0) == 0xC0) {
        n = 1, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n >= avail)
        return 0;
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return n + 1;
}

/* A string without escapes: its bytes (between the quotes) into *out. */
static bool read_string(struct scan *s, struct span *out)
{
    if (!expect(s, '"'))
        return false;
    const unsigned char *t = (const unsigned char *)s->t;
    size_t start = s->pos;
    while (s->pos < s->end) {
        unsigned char c = t[s->pos];
        if (c == '"') {
            *out = (struct span){s->t + start, s->pos - start};
            s->pos++;
            return true;
        }
        if (c == '\\' || c < 0x20)
            return false;
        if (c < 0x80) {
            s->pos++;
            continue;
        }
        size_t n = utf8_sequence(t + s->pos, s->end - s->pos);
        if (!n)
            return false;
        s->pos += n;
    }
    return false;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A real read by the fast route below: mantissa (at most 15 digits, no
 * leading zero) times ten to the exponent, exactly the text's value. */
struct decimal {
    bool known;
    bool negative;
    unsigned long long mantissa;
    int exponent;
};

static const double exact_powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The value of the number text t[0, n) (valid JSON grammar), as jansson
 * gets it: an integer of at most 18 digits exactly, a real as strtod would.
 * Reals of at most 15 significant digits and a power of ten up to 22 are one
 * correctly rounded multiplication or division of two exact doubles, which
 * is the correctly rounded value strtod returns (Clinger's fast path); the
 * rest go through strtod. False on a real out of range. */
static bool decimal_value(const char *t, size_t n, bool integer, double *value,
                          long long *ivalue, struct decimal *dec)
{
    dec->known = false;
    size_t i = t[0] == '-' ? 1 : 0;
    if (integer) {
        long long v = 0;
        for (; i < n; i++)
            v = v * 10 + (t[i] - '0');
        *ivalue = t[0] == '-' ? -v : v;
        *value = (double)*ivalue;
        return true;
    }
    unsigned long long mantissa = 0;
    int significant = 0, fraction_digits = 0;
    bool in_fraction = false;
    for (; i < n && t[i] != 'e' && t[i] != 'E' && significant <= 15; i++) {
        if (t[i] == '.') {
            in_fraction = true;
            continue;
        }
        fraction_digits += in_fraction;
        if (mantissa == 0 && t[i] == '0')
            continue; /* a leading zero */
        significant++;
        mantissa = mantissa * 10 + (unsigned)(t[i] - '0');
    }
    int exponent = -fraction_digits, written = 0, sign = 1;
    if (significant <= 15 && i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (t[i] == '+' || t[i] == '-')
            sign = t[i++] == '-' ? -1 : 1;
        for (int digits = 0; i < n && digits < 6; i++, digits++)
            written = written * 10 + (t[i] - '0');
    }
    exponent += sign * written;
    if (significant <= 15 && i == n && exponent >= -22 && exponent <= 22) {
        double m = (double)mantissa;
        double v = exponent >= 0 ? m * exact_powers_of_ten[exponent]
                                 : m / exact_powers_of_ten[-exponent];
        *value = t[0] == '-' ? -v : v;
        *dec = (struct decimal){true, t[0] == '-', mantissa, exponent};
        return true;
    }
    char buf[64];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, t, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    *value = strtod(buf, &stop);
    return errno == 0 && *stop == '\0' && isfinite(*value);
}

/* A number as jansson reads it: without fraction or exponent an integer
 * (strtoll, so *value is (double) of it), else a real (strtod). Text jansson
 * would refuse or read another way (out of range) is not taken. */
static bool read_number(struct scan *s, double *value, bool *integer, long long *ivalue,
                        struct decimal *dec)
{
    skip_ws(s);
    const char *t = s->t;
    size_t p = s->pos, end = s->end, start = p;
    if (p < end && t[p] == '-')
        p++;
    if (p < end && t[p] == '0') {
        p++;
    } else if (p < end && t[p] >= '1' && t[p] <= '9') {
        while (p < end && is_digit(t[p]))
            p++;
    } else {
        return false;
    }
    *integer = true;
    if (p < end && t[p] == '.') {
        *integer = false;
        size_t digits = ++p;
        while (p < end && is_digit(t[p]))
            p++;
        if (p == digits)
            return false;
    }
    if (p < end && (t[p] == 'e' || t[p] == 'E')) {
        *integer = false;
        p++;
        if (p < end && (t[p] == '+' || t[p] == '-'))
            p++;
        size_t digits = p;
        while (p < end && is_digit(t[p]))
            p++;
        if (p == digits)
            return false;
    }
    size_t n = p - start;
    if (*integer && n > 18) /* maybe past 64 bits: jansson decides */
        return false;
    if (!decimal_value(t + start, n, *integer, value, ivalue, dec))
        return false;
    s->pos = p;
    return true;
}

/* A value that is not an object or an array. */
enum scalar_kind { SCALAR_ABSENT, SCALAR_STRING, SCALAR_INTEGER, SCALAR_REAL, SCALAR_TRUE,
                   SCALAR_FALSE, SCALAR_NULL };

struct scalar {
    enum scalar_kind kind;
    struct span str;
    long long ivalue;
    double value;
    struct decimal decimal; /* of a real, when known */
};

static bool read_literal(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if (s->end - s->pos < n || memcmp(s->t + s->pos, word, n) != 0)
        return false;
    s->pos += n;
    return true;
}

static bool read_scalar(struct scan *s, struct scalar *v)
{
    *v = (struct scalar){.kind = SCALAR_ABSENT};
    skip_ws(s);
    if (s->pos >= s->end)
        return false;
    char c = s->t[s->pos];
    if (c == '"') {
        v->kind = SCALAR_STRING;
        return read_string(s, &v->str);
    }
    if (c == '-' || is_digit(c)) {
        bool integer;
        if (!read_number(s, &v->value, &integer, &v->ivalue, &v->decimal))
            return false;
        v->kind = integer ? SCALAR_INTEGER : SCALAR_REAL;
        return true;
    }
    if (c == 't')
        return (v->kind = SCALAR_TRUE), read_literal(s, "true");
    if (c == 'f')
        return (v->kind = SCALAR_FALSE), read_literal(s, "false");
    if (c == 'n')
        return (v->kind = SCALAR_NULL), read_literal(s, "null");
    return false;
}

/* A new string of sp's bytes (free() it); NULL on out of memory. */
static char *copy_span(struct span sp)
{
    char *out = malloc(sp.n + 1);
    if (out) {
        memcpy(out, sp.s, sp.n);
        out[sp.n] = '\0';
    }
    return out;
}

/* As copy_span for a text a feature keeps: "" is annot_shared_empty() (free
 * with annot_text_free / annot_feature_clear). */
static char *copy_text(struct span sp)
{
    return sp.n ? copy_span(sp) : annot_shared_empty();
}

/* A text left out is "" (shared). */
static void default_empty(char **text)
{
    if (!*text)
        *text = annot_shared_empty();
}

/* A string or null (-> ""); new text (copy_text) into *dst. */
static bool read_text_or_null(struct scan *s, char **dst)
{
    struct scalar v;
    if (!read_scalar(s, &v) || (v.kind != SCALAR_STRING && v.kind != SCALAR_NULL))
        return false;
    if (v.kind == SCALAR_NULL)
        v.str = (struct span){"", 0};
    annot_text_free(*dst);
    return (*dst = copy_text(v.str)) != NULL;
}

/* The keys of one object, to refuse a duplicate (jansson is told to).
 * Only key[0, n) is ever read, so a reader sets n = 0 and leaves the array
 * as it is: an initializer zeroed its 520 bytes twice a feature, a third of
 * read_feature's own time. */
struct keys {
    struct span key[GJFAST_MAX_MEMBERS];
    size_t n;
};

/* Reads `"key":` into *key; false on a duplicate or too many members. */
static bool read_key(struct scan *s, struct keys *seen, struct span *key)
{
    if (!read_string(s, key) || !expect(s, ':') || seen->n == GJFAST_MAX_MEMBERS)
        return false;
    for (size_t i = 0; i < seen->n; i++)
        if (seen->key[i].n == key->n && memcmp(seen->key[i].s, key->s, key->n) == 0)
            return false;
    seen->key[seen->n++] = *key;
    return true;
}

/* ---- geometry ------------------------------------------------------------------- */


/* [lon, lat] in range (3D and beyond are gjson's). */
static bool read_position(struct scan *s, struct annot_lonlat *out)
{
    double lon, lat;
    long long ignored;
    bool integer;
    struct decimal dec;
    if (!expect(s, '[') || !read_number(s, &lon, &integer, &ignored, &dec) || !expect(s, ',') ||
        !read_number(s, &lat, &integer, &ignored, &dec) || !expect(s, ']'))
        return false;
    if (lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0)
        return false;
    out->lon = gjwrite_round_coordinate(lon);
    out->lat = gjwrite_round_coordinate(lat);
    return true;
}

/* Appends a zeroed part to g (owned by g from then on). */
static struct annot_part *add_part(struct annot_geometry *g)
{
    struct annot_part *grown = realloc(g->parts, (g->nparts + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    g->parts = grown;
    memset(&g->parts[g->nparts], 0, sizeof *g->parts);
    return &g->parts[g->nparts++];
}

/* An array of at least min_n positions into part (a ring: closed). Taken
 * only without a segment jumping 180 degrees (gjson warns). */
static bool read_sequence(struct scan *s, struct annot_part *part, size_t min_n, bool ring)
{
    if (!expect(s, '['))
        return false;
    size_t cap = 0;
    bool done = false;
    if (expect(s, ']'))
        done = true;
    while (!done) {
        if (part->n == cap) {
            cap = cap ? 2 * cap : 8;
            struct annot_lonlat *grown = realloc(part->pts, cap * sizeof *grown);
            if (!grown)
                return false;
            part->pts = grown;
        }
        if (!read_position(s, &part->pts[part->n]))
            return false;
        part->n++;
        if (!next_item(s, ']', &done) && !done)
            return false;
    }
    if (part->n < min_n)
        return false;
    for (size_t i = 0; i + 1 < part->n; i++)
        if (fabs(part->pts[i + 1].lon - part->pts[i].lon) > 180.0)
            return false;
    if (ring) {
        struct annot_lonlat a = part->pts[0], b = part->pts[part->n - 1];
        if (a.lon != b.lon || a.lat != b.lat)
            return false;
    }
    return true;
}

/* {"type": T, "coordinates": C} in this order, T one of Point, LineString,
 * Polygon; rings already wound as gjson writes them (it warns when it
 * rewinds). */
static bool read_geometry(struct scan *s, struct annot_geometry *g)
{
    struct span key, type;
    if (!expect(s, '{') || !read_string(s, &key) || !is_key(key, "type") || !expect(s, ':') ||
        !read_string(s, &type) || !expect(s, ',') || !read_string(s, &key) ||
        !is_key(key, "coordinates") || !expect(s, ':'))
        return false;
    struct annot_part *p;
    if (is_key(type, "Point")) {
        g->type = ANNOT_GEOM_POINT;
        if (!(p = add_part(g)) || !(p->pts = malloc(sizeof *p->pts)) ||
            !read_position(s, &p->pts[0]))
            return false;
        p->n = 1;
    } else if (is_key(type, "LineString")) {
        g->type = ANNOT_GEOM_LINESTRING;
        if (!(p = add_part(g)) || !read_sequence(s, p, 2, false))
            return false;
    } else if (is_key(type, "Polygon")) {
        g->type = ANNOT_GEOM_POLYGON;
        if (!expect(s, '[') || peek(s, ']'))
            return false;
        bool done = false;
        while (!done) {
            if (!(p = add_part(g)) || !read_sequence(s, p, 4, true))
                return false;
            if (!next_item(s, ']', &done) && !done)
                return false;
        }
    } else {
        return false;
    }
    return expect(s, '}') && annot_geometry_normalize_winding(g) == 0;
}

/* ---- properties ----------------------------------------------------------------- */

static bool is_date_prefix(const char *s)
{
    static const char pattern[] = "dddd-dd-dd";
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !is_digit(s[i]) : s[i] != pattern[i])
            return false;
    return true;
}

static bool is_iso_utc(struct span sp)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (sp.n != sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !is_digit(sp.s[i]) : sp.s[i] != pattern[i])
            return false;
    return true;
}

/* One growth step of an array of `size`-byte items holding *n, capacity
 * *cap: the new item is a copy of blank (zeroed when NULL); NULL on out of
 * memory. */
static void *grow_one(void **items, size_t *n, size_t *cap, size_t size, const void *blank)
{
    if (*n == *cap) {
        size_t more = *cap ? 2 * *cap : 1;
        char *grown = realloc(*items, more * size);
        if (!grown)
            return NULL;
        *items = grown;
        *cap = more;
    }
    char *item = (char *)*items + *n * size;
    if (blank)
        memcpy(item, blank, size);
    else
        memset(item, 0, size);
    (*n)++;
    return item;
}

/* Reads the value of member `key` of an object into item; false to refuse. */
typedef bool (*member_reader)(struct scan *s, void *item, struct span key);
/* Completes and checks the last of items[0, n) once its members are read. */
typedef bool (*item_finisher)(void *items, size_t n);

/* [{...}, ...] into *items (*n of them, each starting as a copy of blank):
 * the members of each object through `member`, then `finish`. */
static bool read_object_array(struct scan *s, void **items, size_t *n, size_t size,
                              const void *blank, member_reader member, item_finisher finish)
{
    if (!expect(s, '['))
        return false;
    if (expect(s, ']'))
        return true;
    size_t cap = 0;
    bool done = false;
    while (!done) {
        void *item = grow_one(items, n, &cap, size, blank);
        if (!item || !expect(s, '{'))
            return false;
        struct keys seen;
        seen.n = 0;
        bool closed = expect(s, '}');
        while (!closed) {
            struct span key;
            if (!read_key(s, &seen, &key) || !member(s, item, key) ||
                (!next_item(s, '}', &closed) && !closed))
                return false;
        }
        if (!finish(*items, *n) || (!next_item(s, ']', &done) && !done))
            return false;
    }
    return true;
}

/* An observation: image, sha256, acquired, each a string or null. */
static bool observation_member(struct scan *s, void *item, struct span key)
{
    struct annot_observation *o = item;
    char **dst = is_key(key, "image")      ? &o->image
                 : is_key(key, "sha256")   ? &o->sha256
                 : is_key(key, "acquired") ? &o->acquired
                                           : NULL; /* another member: gjson warns */
    return dst && read_text_or_null(s, dst);
}

/* gjson's defaults ("") and checks, none of which it would warn about. */
static bool observation_finish(void *items, size_t n)
{
    struct annot_observation *o = (struct annot_observation *)items + (n - 1);
    default_empty(&o->image);
    default_empty(&o->sha256);
    default_empty(&o->acquired);
    return *o->image && (!*o->sha256 || hash_is_sha256_hex(o->sha256)) &&
           (!*o->acquired || is_date_prefix(o->acquired));
}

/* A claim link: a non-empty claim id and a known stance, nothing else. */
static bool claim_link_member(struct scan *s, void *item, struct span key)
{
    struct annot_claim_link *link = item;
    struct span value;
    if (!read_string(s, &value))
        return false;
    if (is_key(key, "claim"))
        return value.n && (link->claim = copy_span(value));
    if (!is_key(key, "stance"))
        return false;
    char *name = copy_span(value);
    bool known = name && annot_stance_from_name(name, &link->stance);
    free(name);
    return known;
}

/* Both members there, and each claim linked once. */
static bool claim_link_finish(void *items, size_t n)
{
    struct annot_claim_link *links = items, *link = &links[n - 1];
    if (!link->claim || link->stance == ANNOT_STANCE_COUNT)
        return false;
    for (size_t k = 0; k + 1 < n; k++)
        if (strcmp(links[k].claim, link->claim) == 0)
            return false;
    return true;
}

static bool read_observations(struct scan *s, struct annot_feature *f)
{
    void *items = f->obs;
    bool ok = read_object_array(s, &items, &f->nobs, sizeof *f->obs, NULL, observation_member,
                                observation_finish);
    f->obs = items;
    return ok;
}

static bool read_claim_links(struct scan *s, struct annot_feature *f)
{
    static const struct annot_claim_link blank = {NULL, ANNOT_STANCE_COUNT};
    void *items = f->claims;
    bool ok = read_object_array(s, &items, &f->nclaims, sizeof *f->claims, &blank,
                                claim_link_member, claim_link_finish);
    f->claims = items;
    return ok;
}

struct extra {
    struct span key;
    struct scalar value;
};

static char *append(char *at, const char *s, size_t n)
{
    memcpy(at, s, n);
    return at + n;
}

static char *append_text(char *at, const char *s) { return append(at, s, strlen(s)); }

/* "%lld" of v into out (>= 21 bytes); returns out. */
static char *integer_text(long long v, char *out)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do
        digits[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (n)
        out[o++] = digits[--n];
    out[o] = '\0';
    return out;
}

/* gjwrite_real's text of the real d read as, without printf: "%.15g" of a
 * decimal of at most 15 significant digits gives those digits back (and
 * reads back to the same double, so no "%.17g"), in "%g"'s layout:
 * exponential below 1e-4 and from 1e15, else fixed; trailing zeros
 * dropped; ".0" added when neither a point nor an exponent shows. out
 * holds >= 40 bytes; returns out. */
static char *decimal_text(const struct decimal *d, char *out)
{
    char *at = out;
    if (d->negative)
        *at++ = '-';
    unsigned long long m = d->mantissa;
    int e = d->exponent;
    if (m == 0) {
        strcpy(at, "0.0");
        return out;
    }
    while (m % 10 == 0)
        m /= 10, e++;
    char digits[24] = "";
    int k = 0;
    for (unsigned long long r = m; r; r /= 10)
        digits[k++] = (char)('0' + r % 10);
    for (int i = 0; i < k / 2; i++) { /* most significant first */
        char c = digits[i];
        digits[i] = digits[k - 1 - i];
        digits[k - 1 - i] = c;
    }
    int x = k - 1 + e; /* the decimal exponent of the first digit */
    if (x < -4 || x >= 15) {
        *at++ = digits[0];
        if (k > 1) {
            *at++ = '.';
            at = append(at, digits + 1, (size_t)k - 1);
        }
        sprintf(at, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
        return out;
    }
    if (x < 0) {
        *at++ = '0';
        *at++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *at++ = '0';
        at = append(at, digits, (size_t)k);
    } else if (k <= x + 1) {
        at = append(at, digits, (size_t)k);
        for (int i = k; i < x + 1; i++)
            *at++ = '0';
        at = append(at, ".0", 2);
    } else {
        at = append(at, digits, (size_t)x + 1);
        *at++ = '.';
        at = append(at, digits + x + 1, (size_t)(k - x - 1));
    }
    *at = '\0';
    return out;
}

static int compare_extra_keys(const void *a, const void *b)
{
    const struct extra *x = a, *y = b;
    int c = memcmp(x->key.s, y->key.s, x->key.n < y->key.n ? x->key.n : y->key.n);
    return c ? c : (x->key.n > y->key.n) - (x->key.n < y->key.n);
}

/* The properties gjson does not know, as the text it keeps for them
 * (gjwrite_json_value of the object: keys sorted by strcmp, ", " and ": ",
 * reals by gjwrite_real). The strings taken here need no escape (no quote,
 * backslash or control character), so they are written as they are. */
static bool dump_extras(struct extra *extras, size_t n, char **dst)
{
    if (n == 0)
        return true;
    if (n <= 8) { /* a feature's few extras: qsort's call costs more than sorting */
        for (size_t i = 1; i < n; i++)
            for (size_t k = i; k > 0 && compare_extra_keys(&extras[k - 1], &extras[k]) > 0; k--) {
                struct extra swap = extras[k];
                extras[k] = extras[k - 1];
                extras[k - 1] = swap;
            }
    } else {
        qsort(extras, n, sizeof *extras, compare_extra_keys);
    }
    size_t cap = 2;
    for (size_t i = 0; i < n; i++)
        cap += extras[i].key.n + 40 +
               (extras[i].value.kind == SCALAR_STRING ? extras[i].value.str.n : 0);
    char small[512]; /* most: formatted here, then kept at their length */
    char *out = cap <= sizeof small ? small : malloc(cap), *at = out;
    if (!out)
        return false;
    *at++ = '{';
    for (size_t i = 0; i < n; i++) {
        const struct scalar *v = &extras[i].value;
        if (i)
            at = append(at, ", ", 2);
        *at++ = '"';
        at = append(at, extras[i].key.s, extras[i].key.n);
        at = append(at, "\": ", 3);
        char num[64];
        switch (v->kind) {
        case SCALAR_STRING:
            *at++ = '"';
            at = append(at, v->str.s, v->str.n);
            *at++ = '"';
            break;
        case SCALAR_INTEGER: at = append_text(at, integer_text(v->ivalue, num)); break;
        case SCALAR_REAL:
            at = append_text(at, v->decimal.known ? decimal_text(&v->decimal, num)
                                                  : gjwrite_real(v->value, num, sizeof num));
            break;
        case SCALAR_TRUE: at = append_text(at, "true"); break;
        case SCALAR_FALSE: at = append_text(at, "false"); break;
        case SCALAR_NULL:
        case SCALAR_ABSENT: at = append_text(at, "null"); break;
        }
    }
    *at++ = '}';
    *at = '\0';
    if (out != small) {
        char *fit = realloc(out, (size_t)(at - out) + 1);
        *dst = fit ? fit : out;
        return true;
    }
    return (*dst = copy_span((struct span){small, (size_t)(at - small)})) != NULL;
}

/* gjson's defaults for properties left out (or all of them, null). */
static bool default_properties(struct annot_feature *f)
{
    default_empty(&f->label);
    default_empty(&f->note);
    default_empty(&f->author);
    return true;
}

static bool read_class(struct scan *s, struct annot_feature *f)
{
    struct scalar v;
    if (!read_scalar(s, &v) || (v.kind != SCALAR_STRING && v.kind != SCALAR_NULL))
        return false;
    if (v.kind == SCALAR_NULL)
        return true;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (is_name(v.str, annot_class_name((enum annot_class)c))) {
            f->cls = (enum annot_class)c; /* the canonical name: nothing to keep */
            return true;
        }
    char *text = copy_span(v.str);
    if (!text || !annot_class_from_name(text, &f->cls)) { /* unknown: gjson warns */
        free(text);
        return false;
    }
    if (strcmp(text, annot_class_name(f->cls)) != 0)
        f->class_text = text; /* a spelling of its own is written back as is */
    else
        free(text);
    return true;
}

static bool read_time(struct scan *s, char **dst)
{
    struct scalar v;
    if (!read_scalar(s, &v))
        return false;
    if (v.kind == SCALAR_NULL)
        return true;
    return v.kind == SCALAR_STRING && is_iso_utc(v.str) && (*dst = copy_span(v.str));
}

/* *property_id: the "id" property, SCALAR_ABSENT when there is none. */
static bool read_properties(struct scan *s, struct annot_feature *f, struct scalar *property_id)
{
    struct keys seen;
    seen.n = 0;
    struct scalar label = {.kind = SCALAR_ABSENT}, name = label, title = label;
    struct extra extras[GJFAST_MAX_MEMBERS];
    size_t nextras = 0;
    bool closed = expect(s, '}');
    while (!closed) {
        struct span key;
        if (!read_key(s, &seen, &key))
            return false;
        bool ok;
        if (is_key(key, "class")) {
            ok = read_class(s, f);
        } else if (is_key(key, "label")) {
            ok = read_scalar(s, &label);
        } else if (is_key(key, "observations") || is_key(key, "claims")) {
            bool obs = is_key(key, "observations");
            skip_ws(s);
            if (s->pos < s->end && s->t[s->pos] == 'n')
                ok = read_literal(s, "null");
            else
                ok = obs ? read_observations(s, f) : read_claim_links(s, f);
        } else if (is_key(key, "note")) {
            ok = read_text_or_null(s, &f->note);
        } else if (is_key(key, "author")) {
            ok = read_text_or_null(s, &f->author);
        } else if (is_key(key, "created") || is_key(key, "modified")) {
            ok = read_time(s, is_key(key, "created") ? &f->created : &f->modified);
        } else {
            struct extra *e = &extras[nextras++];
            e->key = key;
            ok = read_scalar(s, &e->value);
            if (is_key(key, "id"))
                *property_id = e->value;
            else if (is_key(key, "name"))
                name = e->value;
            else if (is_key(key, "title"))
                title = e->value;
        }
        if (!ok || (!next_item(s, '}', &closed) && !closed))
            return false;
    }
    bool no_label = label.kind == SCALAR_ABSENT || label.kind == SCALAR_NULL;
    if (no_label && name.kind == SCALAR_STRING)
        f->label = copy_text(name.str);
    else if (no_label && title.kind == SCALAR_STRING)
        f->label = copy_text(title.str);
    else if (label.kind == SCALAR_STRING)
        f->label = copy_text(label.str);
    else if (!no_label)
        return false; /* a label that is not a string: gjson's error */
    else
        f->label = annot_shared_empty();
    return f->label && default_properties(f) &&
           dump_extras(extras, nextras, &f->extra_properties);
}

/* ---- features and the document -------------------------------------------------- */

/* gjson's take_property_id: a non-empty string or an integer "id" property
 * becomes the id of a feature without one. */
static bool take_property_id(const struct scalar *id, struct annot_feature *f)
{
    char buf[24];
    if (id->kind == SCALAR_INTEGER) {
        int n = snprintf(buf, sizeof buf, "%lld", id->ivalue);
        f->id = copy_span((struct span){buf, (size_t)n});
    } else if (id->kind == SCALAR_STRING && id->str.n) {
        f->id = copy_span(id->str);
    } else {
        return true;
    }
    f->id_from_properties = true;
    return f->id && !diag_has_control(f->id);
}

/* {"type": "Feature", "id": ..., "geometry": ..., "properties": ...} in any
 * order, nothing else. */
static bool read_feature(struct scan *s, struct annot_feature *f)
{
    struct scalar property_id = {.kind = SCALAR_ABSENT};
    if (!expect(s, '{'))
        return false;
    struct keys seen;
    seen.n = 0;
    bool type = false, geometry = false, properties = false;
    bool closed = expect(s, '}');
    while (!closed) {
        struct span key;
        if (!read_key(s, &seen, &key))
            return false;
        bool ok = false;
        if (is_key(key, "type")) {
            struct span value;
            ok = type = read_string(s, &value) && is_key(value, "Feature");
        } else if (is_key(key, "id")) {
            struct scalar id;
            ok = read_scalar(s, &id) &&
                 (id.kind == SCALAR_NULL ||
                  (id.kind == SCALAR_STRING && id.str.n && (f->id = copy_span(id.str)) &&
                   !diag_has_control(f->id)));
        } else if (is_key(key, "geometry")) {
            geometry = true;
            ok = peek(s, 'n') ? read_literal(s, "null") : read_geometry(s, &f->geom);
        } else if (is_key(key, "properties")) {
            properties = true;
            ok = peek(s, 'n') ? read_literal(s, "null") && default_properties(f)
                 : expect(s, '{') && read_properties(s, f, &property_id);
        }
        if (!ok || (!next_item(s, '}', &closed) && !closed))
            return false;
    }
    return type && geometry && properties && (f->id || take_property_id(&property_id, f));
}

struct pending {
    struct annot_feature *features;
    size_t count, cap;
};

static void pending_free(struct pending *p)
{
    for (size_t i = 0; i < p->count; i++)
        annot_feature_clear(&p->features[i]);
    free(p->features);
}

/* Trims the array to its count (the set keeps it as is: no slack). False on
 * out of memory (p unchanged). */
static bool pending_fit(struct pending *p)
{
    if (p->count == p->cap)
        return true;
    if (!p->count) {
        free(p->features);
        *p = (struct pending){NULL, 0, 0};
        return true;
    }
    struct annot_feature *fit = realloc(p->features, p->count * sizeof *fit);
    if (!fit)
        return false;
    p->features = fit;
    p->cap = p->count;
    return true;
}

/* Appends q's features to p (q is left empty). False on out of memory. */
static bool pending_join(struct pending *p, struct pending *q)
{
    if (p->count + q->count > p->cap) {
        struct annot_feature *grown = realloc(p->features, (p->count + q->count) * sizeof *grown);
        if (!grown)
            return false;
        p->features = grown;
        p->cap = p->count + q->count;
    }
    memcpy(p->features + p->count, q->features, q->count * sizeof *q->features);
    p->count += q->count;
    free(q->features);
    *q = (struct pending){NULL, 0, 0};
    return true;
}

/* One part of the features array being read: its features, and the mapped
 * file whose pages it releases as it goes (map NULL: a plain buffer). */
struct part {
    struct scan s;
    struct pending p;
    const struct rfile_map *map;
    size_t released;
    struct gjfast_stats stats;
};

/* Text read is given back every this many bytes (rfile_map_release). */
#define GJFAST_RELEASE_STEP ((size_t)8 << 20)

/* Reads elements of the features array from the start of one (after '['
 * or ','), up to the closing ']' (consumed; *stopped false) or, when stop_at
 * is not 0, until the next element would start exactly at stop_at
 * (*stopped true, the scan there). The state at an element's start is all a
 * scan needs, so the elements from stop_at on read the same from there
 * whoever reads them. */
static bool read_elements(struct part *pt, size_t stop_at, bool *stopped)
{
    struct scan *s = &pt->s;
    size_t start = s->pos;
    *stopped = false;
    bool done = false, ok = true;
    while (ok && !done) {
        void *items = pt->p.features;
        struct annot_feature *f = grow_one(&items, &pt->p.count, &pt->p.cap, sizeof *f, NULL);
        pt->p.features = items;
        if (!f) {
            ok = false;
            break;
        }
        annot_feature_init(f);
        if (!read_feature(s, f)) {
            ok = false;
            break;
        }
        pt->stats.features++;
        if (pt->map && s->pos - pt->released >= GJFAST_RELEASE_STEP) {
            rfile_map_release(pt->map, pt->released, s->pos);
            pt->released = s->pos;
        }
        if (!next_item(s, ']', &done) && !done) {
            ok = false;
        } else if (!done && stop_at) {
            skip_ws(s);
            if (s->pos == stop_at) {
                *stopped = true;
                break;
            }
        }
    }
    pt->stats.scanned += s->pos - start;
    return ok;
}

/* Where a second thread may start reading: the '{' of an element that looks
 * like a feature ("{" "type" ":" "Feature", whitespace allowed, after a ','),
 * the first after the middle of data[from, len); 0 when none is found near
 * it. Only a guess: the first part's own scan decides (read_elements). */
static size_t split_guess(const char *data, size_t from, size_t len)
{
    size_t at = from + (len - from) / 2, limit = at + ((size_t)1 << 20);
    if (limit > len)
        limit = len;
    while (at < limit) {
        const char *brace = memchr(data + at, '{', limit - at);
        if (!brace)
            return 0;
        at = (size_t)(brace - data);
        size_t before = at;
        while (before > from && strchr(" \t\r\n", data[before - 1]))
            before--;
        struct scan s = {data, at + 1, len};
        struct span key, value;
        if (before > from && data[before - 1] == ',' && read_string(&s, &key) &&
            is_key(key, "type") && expect(&s, ':') && read_string(&s, &value) &&
            is_key(value, "Feature"))
            return at;
        at++;
    }
    return 0;
}

/* fn(arg), guarded when the text is a mapped file (rfile_guarded: a file
 * that shrinks under us is an error, not a crash). Every touch of the text
 * goes through it. */
static bool touching(const struct rfile_map *map, bool (*fn)(void *), void *arg)
{
    bool faulted;
    return map ? rfile_guarded(fn, arg, &faulted) : fn(arg);
}

struct elements_job {
    struct part *pt;
    size_t stop_at;
    bool stopped;
};

static bool run_elements(void *arg)
{
    struct elements_job *j = arg;
    return read_elements(j->pt, j->stop_at, &j->stopped);
}

static void *read_second_part(void *arg)
{
    struct elements_job job = {arg, 0, false};
    return touching(job.pt->map, run_elements, &job) ? arg : NULL;
}

struct opening_job {
    struct scan *s;
    bool elements; /* '[' then not ']' */
    size_t split_min, split;
};

/* The opening of the array, and where a second thread could start. */
static bool run_opening(void *arg)
{
    struct opening_job *j = arg;
    struct scan *s = j->s;
    if (!expect(s, '['))
        return false;
    j->elements = !expect(s, ']');
    if (j->elements && s->end - s->pos >= j->split_min)
        j->split = split_guess(s->t, s->pos, s->end);
    return true;
}

/* The features array at s->pos into p. Past split_min bytes it is read by
 * two threads, the second from split_guess on; the result is that of one
 * scan whatever the guess (a wrong guess only wastes the second thread's
 * work). */
static bool read_features(struct scan *s, struct pending *p, const struct rfile_map *map,
                          size_t split_min, struct gjfast_stats *stats)
{
    struct opening_job opening = {s, false, split_min, 0};
    if (!touching(map, run_opening, &opening))
        return false;
    if (!opening.elements)
        return true;
    size_t split = opening.split;
    struct part first = {.s = *s, .map = map, .released = 0};
    struct part second = {.map = map};
    pthread_t thread;
    bool threaded = false;
    if (split) {
        second.s = (struct scan){s->t, split, s->end};
        second.released = split;
        threaded = pthread_create(&thread, NULL, read_second_part, &second) == 0;
    }
    struct elements_job job = {&first, threaded ? split : 0, false};
    bool ok = touching(map, run_elements, &job);
    bool stopped = ok && job.stopped;
    void *second_ok = NULL;
    if (threaded) /* also after a fault here: the thread uses the mapping */
        pthread_join(thread, &second_ok);
    if (ok && stopped) { /* the elements from split on are the second part's */
        ok = second_ok && pending_join(&first.p, &second.p);
        first.s.pos = second.s.pos;
        first.stats.features += second.stats.features;
        first.stats.scanned += second.stats.scanned;
    }
    pending_free(&second.p);
    if (stats) {
        stats->features += first.stats.features;
        stats->scanned += first.stats.scanned + 1;
        stats->split = stats->split || (ok && stopped);
    }
    *p = first.p;
    s->pos = first.s.pos;
    return ok;
}

/* gjson's ids (idassign): duplicates are its error (not taken here). */
static bool assign_ids(struct pending *p, struct idassign_result *res, struct idmap *index,
                       struct gjfast_stats *stats)
{
    bool ok = idassign_settle(p->features, p->count, res, index);
    if (stats)
        stats->ids_tried += res->tried;
    return ok;
}

/* Where the root object's "features" array starts and ends: its members
 * before it are skipped by jsontext, the array itself is scanned as it is
 * read (read_features checks it ends at *end). False when there is no such
 * member, or a key before it has an escape. */
static bool find_features(const char *data, size_t len, size_t *start)
{
    struct scan s = {data, 0, len};
    if (!expect(&s, '{'))
        return false;
    for (;;) {
        struct span key;
        if (!read_string(&s, &key) || !expect(&s, ':'))
            return false;
        skip_ws(&s);
        if (is_key(key, "features")) {
            *start = s.pos;
            return s.pos < len && data[s.pos] == '[';
        }
        s.pos = jsontext_skip_value(data, len, s.pos);
        if (!expect(&s, ','))
            return false;
    }
}

/* The set of everything outside the features array, read by gjson from a
 * copy with an empty array; NULL unless it reads without a warning. */
struct skeleton_job {
    char *skeleton;
    const char *data;
    size_t len, fs, fe;
};

static bool run_skeleton(void *arg)
{
    struct skeleton_job *j = arg;
    memcpy(j->skeleton, j->data, j->fs);
    memcpy(j->skeleton + j->fs, "[]", 2);
    memcpy(j->skeleton + j->fs + 2, j->data + j->fe, j->len - j->fe);
    return true;
}

static struct annot_set *read_outside(const char *name, const char *data, size_t len,
                                      size_t fs, size_t fe, const struct rfile_map *map)
{
    size_t n = fs + 2 + (len - fe);
    char *skeleton = malloc(n);
    struct diag *quiet = diag_new();
    struct annot_set *set = NULL;
    struct skeleton_job job = {skeleton, data, len, fs, fe};
    if (skeleton && quiet && touching(map, run_skeleton, &job)) {
        if (!gjson_read_buffer(name, skeleton, n, &set, quiet) ||
            diag_warnings_total(quiet) != 0 || annot_count(set) != 0) {
            annot_set_free(set);
            set = NULL;
        }
    }
    free(skeleton);
    diag_free(quiet);
    return set;
}

struct start_job {
    const char *data;
    size_t len, fs;
};

/* No byte-order mark, and where the features array starts. */
static bool run_start(void *arg)
{
    struct start_job *j = arg;
    return !(j->len >= 3 && memcmp(j->data, "\xEF\xBB\xBF", 3) == 0) &&
           find_features(j->data, j->len, &j->fs);
}

/* The fast read of data[0, len) (the text of `map` when not NULL); false
 * (with dg untouched) when it does not take the file. */
static bool read_fast(const char *name, const char *data, size_t len,
                      const struct rfile_map *map, struct annot_set **out, struct diag *dg,
                      struct gjfast_stats *stats)
{
    size_t split_min = stats && stats->split_min ? stats->split_min : GJFAST_SPLIT_MIN;
    struct start_job start = {data, len, 0};
    if (diag_failed(dg) || len > GJSON_MAX_FILE_SIZE || !touching(map, run_start, &start))
        return false;
    size_t fs = start.fs;
    struct scan s = {data, fs, len};
    struct pending p = {NULL, 0, 0};
    struct annot_set *set = NULL;
    struct idassign_result ids;
    struct idmap index = {0}; /* every id -> its feature, handed to the set */
    struct diag *quiet = diag_new();
    bool ok = quiet && read_features(&s, &p, map, split_min, stats) &&
              (set = read_outside(name, data, len, fs, s.pos, map)) != NULL &&
              assign_ids(&p, &ids, &index, stats);
    if (ok && pending_fit(&p) && annot_adopt_features(set, p.features, p.count, &index, quiet))
        p = (struct pending){NULL, 0, 0}; /* the set's now */
    else
        ok = false;
    pending_free(&p);
    idmap_free(&index); /* empty unless adoption was never tried */
    diag_free(quiet);
    if (!ok) {
        annot_set_free(set);
        return false;
    }
    annot_clear_history(set);
    annot_mark_saved(set);
    idassign_warn(dg, name, &ids);
    *out = set;
    return true;
}

bool gjfast_read_buffer_stats(const char *name, const char *data, size_t len,
                              struct annot_set **out, struct diag *dg, struct gjfast_stats *stats)
{
    *out = NULL;
    if (read_fast(name, data, len, NULL, out, dg, stats)) {
        if (stats)
            stats->fast = true;
        return true;
    }
    return gjson_read_buffer(name, data, len, out, dg);
}

bool gjfast_read_buffer(const char *name, const char *data, size_t len, struct annot_set **out,
                        struct diag *dg)
{
    return gjfast_read_buffer_stats(name, data, len, out, dg, NULL);
}

bool gjfast_read_file(const char *path, struct annot_set **out, struct diag *dg)
{
    *out = NULL;
    struct diag *quiet = diag_new();
    struct rfile_map map;
    bool mapped = quiet && rfile_map(path, GJSON_MAX_FILE_SIZE, &map, quiet);
    diag_free(quiet);
    if (mapped) {
        bool fast = read_fast(path, map.text, map.len, &map, out, dg, NULL);
        rfile_unmap(&map);
        if (fast)
            return true;
    }
    /* Not taken (or not mapped): gjson reads the file itself, with every
     * error and warning it has, or says why it cannot open it. */
    return gjson_read_file(path, out, dg);
}
