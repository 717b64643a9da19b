/*
 * claims — catalog reading and validation (see claims.h). The evaluation of
 * claims against annotations is claims_eval.c's; its geometry is
 * annot_geometry's.
 *
 * The catalog is parsed by jansson with duplicate keys rejected, then walked
 * once into plain C structs. Validation stops at the first problem so the
 * message names exactly one entry ("sources[2] \"newsweek\": published: ...");
 * unknown members (notes, assessments) are ignored, except near-misses of a
 * known member ("qualifer"), which are warned about because a misspelt
 * optional member would silently drop data. Cross
 * references (claim -> sources, discrepancy -> claims, source -> derived_from
 * sources, the latter without a cycle) are checked after all entries are
 * read, so order in the file does not matter. The evidence status built on
 * the evaluation (imagery, windows, lineage) is evidence.c's.
 *
 * Ownership: a catalog owns every string and array it holds (freed by
 * claims_catalog_free); lookups return pointers borrowed from it.
 */
#include "claims.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "annot.h"
#include "rfile.h"

/* A catalog larger than this is not a hand-written list of articles. */
#define CLAIMS_MAX_FILE_BYTES (16L * 1024 * 1024)

struct claims_catalog {
    char *path;
    struct claims_source *sources;
    size_t nsources;
    struct claims_claim *claims;
    size_t nclaims;
    struct claims_discrepancy *discrepancies;
    size_t ndiscrepancies;
};

/* ---- enum names ----------------------------------------------------------- */

static const char *const reliability_names[] = {"reported", "machine-written", "official",
                                                "external"};
static const char *const imagery_names[] = {"yes", "partly", "no"};
static const char *const qualifier_names[] = {"exactly",  "about",     "at least",
                                              "more than", "at most", "fewer than"};
static const char *const op_names[] = {">", ">=", "<", "<=", "=="};
static const char *const kind_names[] = {"name",     "date",        "place",
                                         "quantity", "attribution", "other",
                                         "occurrence"};
static const char *const stance_names[] = {"supports", "contradicts", "context"};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_or_unknown(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : "?";
}

const char *claims_reliability_name(enum claims_reliability r)
{
    return name_or_unknown(reliability_names, COUNT_OF(reliability_names), (int)r);
}
const char *claims_imagery_name(enum claims_imagery im)
{
    return name_or_unknown(imagery_names, COUNT_OF(imagery_names), (int)im);
}
const char *claims_qualifier_name(enum claims_qualifier q)
{
    return name_or_unknown(qualifier_names, COUNT_OF(qualifier_names), (int)q);
}
const char *claims_op_name(enum claims_op op)
{
    return name_or_unknown(op_names, COUNT_OF(op_names), (int)op);
}
const char *claims_kind_name(enum claims_discrepancy_kind k)
{
    return name_or_unknown(kind_names, COUNT_OF(kind_names), (int)k);
}
const char *claims_stance_name(enum claims_stance s)
{
    return name_or_unknown(stance_names, COUNT_OF(stance_names), (int)s);
}

bool claims_op_holds(enum claims_op op, double count, double value)
{
    switch (op) {
    case CLAIMS_OP_GT: return count > value;
    case CLAIMS_OP_GE: return count >= value;
    case CLAIMS_OP_LT: return count < value;
    case CLAIMS_OP_LE: return count <= value;
    case CLAIMS_OP_EQ: return count == value;
    }
    return false;
}

/* ---- freeing -------------------------------------------------------------- */

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_source(struct claims_source *s)
{
    free(s->id);
    free(s->outlet);
    free(s->headline);
    free(s->author);
    free(s->file);
    free(s->reliability_note);
    free_strings(s->cites, s->ncites);
    free_strings(s->derived_from, s->nderived_from);
    free(s->archived_url);
    free(s->archived_sha256);
    free(s->archived_at);
}

static void free_claim(struct claims_claim *c)
{
    free(c->id);
    free(c->text);
    free(c->quote);
    free_strings(c->source_ids, c->nsources);
    free_strings(c->attributed_to, c->nattributed);
    free(c->place);
    free(c->quantity.unit);
    free(c->check.class_name);
    free(c->check.area);
}

static void free_discrepancy(struct claims_discrepancy *d)
{
    free(d->id);
    free(d->title);
    free_strings(d->claim_ids, d->nclaims);
    free(d->description);
}

void claims_catalog_free(struct claims_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->nsources; i++)
        free_source(&cat->sources[i]);
    for (size_t i = 0; i < cat->nclaims; i++)
        free_claim(&cat->claims[i]);
    for (size_t i = 0; i < cat->ndiscrepancies; i++)
        free_discrepancy(&cat->discrepancies[i]);
    free(cat->sources);
    free(cat->claims);
    free(cat->discrepancies);
    free(cat->path);
    free(cat);
}

/* ---- validation context --------------------------------------------------- */

/* Where the walker is: "claims[3] \"dunai-pits\"", for messages. */
struct reader {
    const char *name; /* file name for messages */
    struct diag *dg;
    char where[256];
    bool out_of_memory;
};

static bool fail(struct reader *rd, const char *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(struct reader *rd, const char *member, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (member)
        diag_error(rd->dg, "%s: %s: %s: %s", rd->name, rd->where, member, reason);
    else
        diag_error(rd->dg, "%s: %s: %s", rd->name, rd->where, reason);
    return false;
}

static bool fail_oom(struct reader *rd)
{
    diag_error(rd->dg, "%s: out of memory", rd->name);
    return false;
}

static char *dup_string(struct reader *rd, const char *s)
{
    char *d = strdup(s);
    if (!d)
        rd->out_of_memory = true;
    return d;
}

/* True for a valid calendar date "YYYY-MM-DD" (Gregorian, leap years). */
static bool is_iso_date(const char *s)
{
    if (strlen(s) != CLAIMS_DATE_LEN || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < CLAIMS_DATE_LEN; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int year = atoi(s), month = atoi(s + 5), day = atoi(s + 8);
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || month < 1 || month > 12 || day < 1)
        return false;
    int max = month_days[month - 1];
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && leap)
        max = 29;
    return day <= max;
}

bool claims_is_date(const char *s) { return s && is_iso_date(s); }

/* Levenshtein distance of two short strings, capped at 3 (enough to tell a
 * typo from a different word). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 3;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] < 3 ? row[lb] : 3;
}

/* Catalogs may carry extra members (notes, assessments) which are ignored
 * quietly; a member that is a near-miss of a known one ("qualifer") is a
 * typo that would silently drop data, so it is warned about. */
static void warn_unknown_members(struct reader *rd, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        const char *near = NULL;
        bool found = false;
        for (size_t i = 0; known[i] && !found; i++) {
            found = strcmp(known[i], key) == 0;
            size_t allowed = strlen(known[i]) <= 5 ? 1 : 2;
            if (!found && !near && edit_distance(known[i], key) <= allowed)
                near = known[i];
        }
        if (!found && near)
            diag_warn(rd->dg, "%s: %s: unknown member \"%s\" ignored (did you mean \"%s\"?)",
                      rd->name, rd->where, key, near);
    }
}

/* Reads member `key` of obj as a string into *out (new). required: absent or
 * null is an error; otherwise absent/null gives "" (or NULL when
 * null_is_null). Non-empty is enforced when nonempty. */
static bool read_string(struct reader *rd, json_t *obj, const char *key, bool required,
                        bool nonempty, bool null_is_null, char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(rd, key, "required string is %s", v ? "null" : "missing");
        *out = null_is_null ? NULL : dup_string(rd, "");
        return null_is_null || *out ? true : fail_oom(rd);
    }
    if (!json_is_string(v))
        return fail(rd, key, "must be a string");
    const char *s = json_string_value(v);
    if (nonempty && s[0] == '\0')
        return fail(rd, key, "must not be empty");
    if (strlen(s) != json_string_length(v))
        return fail(rd, key, "contains a NUL character");
    /* Catalog text is printed (claims report, captions): no terminal escapes.
     * Ids allow no control character at all, text keeps newlines and tabs. */
    bool is_id = strcmp(key, "id") == 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool control = c < 0x20 || c == 0x7f ||
                       (c == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f);
        if (control && (is_id || (c != '\n' && c != '\t')))
            return fail(rd, key, "contains a control character");
    }
    *out = dup_string(rd, s);
    return *out ? true : fail_oom(rd);
}

/* Reads a date member: "YYYY-MM-DD", or "" when absent/null and not required. */
static bool read_date(struct reader *rd, json_t *obj, const char *key, bool required,
                      char out[CLAIMS_DATE_LEN + 1])
{
    out[0] = '\0';
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(rd, key, "required date is %s", v ? "null" : "missing");
        return true;
    }
    if (!json_is_string(v) || !is_iso_date(json_string_value(v)))
        return fail(rd, key, "must be a date YYYY-MM-DD, got %s",
                    json_is_string(v) ? json_string_value(v) : "a non-string");
    memcpy(out, json_string_value(v), CLAIMS_DATE_LEN + 1);
    return true;
}

/* Reads member `key` as one of names[]; required. */
static bool read_enum(struct reader *rd, json_t *obj, const char *key, const char *const *names,
                      size_t nnames, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_string(v)) {
        char allowed[256] = "";
        for (size_t i = 0; i < nnames; i++) {
            strncat(allowed, i ? ", " : "", sizeof allowed - strlen(allowed) - 1);
            strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
        }
        return fail(rd, key, "%s (one of: %s)", v ? "must be a string" : "required member missing",
                    allowed);
    }
    const char *s = json_string_value(v);
    for (size_t i = 0; i < nnames; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    char allowed[256] = "";
    for (size_t i = 0; i < nnames; i++) {
        strncat(allowed, i ? ", " : "", sizeof allowed - strlen(allowed) - 1);
        strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
    }
    return fail(rd, key, "\"%s\" is not one of: %s", s, allowed);
}

/* Reads an array of strings (new, each new); absent/null gives an empty array
 * unless required. nonempty_items rejects "" items. */
static bool read_string_array(struct reader *rd, json_t *obj, const char *key, bool required,
                              char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(rd, key, "required array is %s", v ? "null" : "missing");
        return true;
    }
    if (!json_is_array(v))
        return fail(rd, key, "must be an array of strings");
    size_t count = json_array_size(v);
    if (required && count == 0)
        return fail(rd, key, "must name at least one entry");
    if (count == 0)
        return true;
    char **items = calloc(count, sizeof *items);
    if (!items)
        return fail_oom(rd);
    *out = items;
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item) || json_string_value(item)[0] == '\0')
            return fail(rd, key, "item %zu must be a non-empty string", i);
        items[i] = dup_string(rd, json_string_value(item));
        if (!items[i])
            return fail_oom(rd);
        *n = i + 1;
    }
    return true;
}

static bool read_number(struct reader *rd, json_t *obj, const char *key, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_number(v))
        return fail(rd, key, v ? "must be a number" : "required number missing");
    *out = json_number_value(v);
    if (!isfinite(*out))
        return fail(rd, key, "must be finite");
    return true;
}

/* Sets rd->where to "KIND[i] \"id\"" (or "KIND[i]" before the id is known). */
static void locate(struct reader *rd, const char *kind, size_t index, json_t *entry)
{
    json_t *id = json_is_object(entry) ? json_object_get(entry, "id") : NULL;
    if (json_is_string(id))
        snprintf(rd->where, sizeof rd->where, "%s[%zu] \"%.160s\"", kind, index,
                 json_string_value(id));
    else
        snprintf(rd->where, sizeof rd->where, "%s[%zu]", kind, index);
}

/* ---- entries -------------------------------------------------------------- */

static bool is_lower_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* True for a UTC time "YYYY-MM-DDTHH:MM:SSZ" with a valid date and clock. */
static bool is_utc_time(const char *s)
{
    if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    char date[CLAIMS_DATE_LEN + 1];
    memcpy(date, s, CLAIMS_DATE_LEN);
    date[CLAIMS_DATE_LEN] = '\0';
    for (int i = 11; i < 19; i++)
        if (i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
            return false;
    return is_iso_date(date) && atoi(s + 11) < 24 && atoi(s + 14) < 60 && atoi(s + 17) < 61;
}

/* sources[].archived: {url, sha256, archived_at}, all required when present;
 * absent/null leaves the three strings "". */
static bool read_archived(struct reader *rd, json_t *e, struct claims_source *s)
{
    json_t *a = json_object_get(e, "archived");
    if (!a || json_is_null(a)) {
        s->archived_url = dup_string(rd, "");
        s->archived_sha256 = dup_string(rd, "");
        s->archived_at = dup_string(rd, "");
        return s->archived_url && s->archived_sha256 && s->archived_at ? true : fail_oom(rd);
    }
    if (!json_is_object(a))
        return fail(rd, "archived", "must be an object {url, sha256, archived_at} or null");
    static const char *const known[] = {"url", "sha256", "archived_at", NULL};
    char saved[sizeof rd->where];
    memcpy(saved, rd->where, sizeof saved);
    snprintf(rd->where, sizeof rd->where, "%.200s: archived", saved);
    bool ok = read_string(rd, a, "url", true, true, false, &s->archived_url) &&
              read_string(rd, a, "sha256", true, true, false, &s->archived_sha256) &&
              read_string(rd, a, "archived_at", true, true, false, &s->archived_at);
    if (ok && !is_lower_hex64(s->archived_sha256))
        ok = fail(rd, "sha256", "must be 64 lowercase hex digits");
    else if (ok && !is_utc_time(s->archived_at))
        ok = fail(rd, "archived_at", "must be a UTC time YYYY-MM-DDTHH:MM:SSZ, got %s",
                  s->archived_at);
    if (ok)
        warn_unknown_members(rd, a, known);
    memcpy(rd->where, saved, sizeof saved);
    return ok;
}

static bool read_source(struct reader *rd, json_t *e, struct claims_source *s)
{
    static const char *const known[] = {"id",   "outlet",      "headline",         "author",
                                        "published", "file", "reliability", "reliability_note",
                                        "cites", "derived_from", "archived", NULL};
    if (!json_is_object(e))
        return fail(rd, NULL, "must be an object");
    int rel = 0;
    if (!read_string(rd, e, "id", true, true, false, &s->id) ||
        !read_string(rd, e, "outlet", true, true, false, &s->outlet) ||
        !read_string(rd, e, "headline", true, true, false, &s->headline) ||
        !read_string(rd, e, "author", false, false, false, &s->author) ||
        !read_date(rd, e, "published", false, s->published) ||
        !read_string(rd, e, "file", false, false, true, &s->file) ||
        !read_enum(rd, e, "reliability", reliability_names, COUNT_OF(reliability_names), &rel) ||
        !read_string(rd, e, "reliability_note", false, false, false, &s->reliability_note) ||
        !read_string_array(rd, e, "cites", false, &s->cites, &s->ncites) ||
        !read_string_array(rd, e, "derived_from", false, &s->derived_from,
                           &s->nderived_from) ||
        !read_archived(rd, e, s))
        return false;
    if (!json_object_get(e, "published"))
        return fail(rd, "published", "required member missing (use null when unknown)");
    s->reliability = (enum claims_reliability)rel;
    if ((s->reliability == CLAIMS_RELIABILITY_REPORTED ||
         s->reliability == CLAIMS_RELIABILITY_MACHINE_WRITTEN) && !s->file &&
        !s->archived_url[0])
        return fail(rd, "file", "a %s source must name its article file or an archived copy",
                    reliability_names[rel]);
    if (s->file && (strchr(s->file, '/') || strcmp(s->file, "..") == 0 || !s->file[0]))
        return fail(rd, "file", "\"%s\" must be a bare file name", s->file);
    warn_unknown_members(rd, e, known);
    return true;
}

static bool read_check(struct reader *rd, json_t *v, struct claims_check *c)
{
    static const char *const known[] = {"class", "area",      "op",      "value",
                                        "date_from", "date_to", NULL};
    if (!json_is_object(v))
        return fail(rd, "check", "must be an object or null");
    char saved[sizeof rd->where];
    memcpy(saved, rd->where, sizeof saved);
    snprintf(rd->where, sizeof rd->where, "%.200s: check", saved);
    int op = 0;
    bool ok = read_string(rd, v, "class", true, true, false, &c->class_name) &&
              read_string(rd, v, "area", true, true, false, &c->area) &&
              read_enum(rd, v, "op", op_names, COUNT_OF(op_names), &op) &&
              read_number(rd, v, "value", &c->value) &&
              read_date(rd, v, "date_from", true, c->date_from) &&
              read_date(rd, v, "date_to", true, c->date_to);
    if (ok) {
        c->op = (enum claims_op)op;
        enum annot_class cls;
        if (!annot_class_from_name(c->class_name, &cls))
            ok = fail(rd, "class", "\"%s\" is not an annotation class", c->class_name);
        else if (strcmp(c->date_from, c->date_to) > 0)
            ok = fail(rd, "date_from", "%s is after date_to %s", c->date_from, c->date_to);
        else if (c->value < 0)
            ok = fail(rd, "value", "a count cannot be negative");
    }
    if (ok)
        warn_unknown_members(rd, v, known);
    memcpy(rd->where, saved, sizeof saved);
    return ok;
}

static bool read_claim(struct reader *rd, json_t *e, struct claims_claim *c)
{
    static const char *const known[] = {"id",       "text",   "quote", "sources", "attributed_to",
                                        "place",    "time",   "quantity", "imagery", "check",
                                        NULL};
    if (!json_is_object(e))
        return fail(rd, NULL, "must be an object");
    int imagery = 0;
    if (!read_string(rd, e, "id", true, true, false, &c->id) ||
        !read_string(rd, e, "text", true, true, false, &c->text) ||
        !read_string(rd, e, "quote", false, false, false, &c->quote) ||
        !read_string_array(rd, e, "sources", true, &c->source_ids, &c->nsources) ||
        !read_string_array(rd, e, "attributed_to", false, &c->attributed_to, &c->nattributed) ||
        !read_string(rd, e, "place", false, false, false, &c->place) ||
        !read_enum(rd, e, "imagery", imagery_names, COUNT_OF(imagery_names), &imagery))
        return false;
    c->imagery = (enum claims_imagery)imagery;

    json_t *time = json_object_get(e, "time");
    if (time && !json_is_null(time)) {
        if (!json_is_object(time))
            return fail(rd, "time", "must be an object {from, to} or null");
        if (!read_date(rd, time, "from", false, c->time_from) ||
            !read_date(rd, time, "to", false, c->time_to))
            return fail(rd, "time", "from/to must be dates YYYY-MM-DD or null");
        if (c->time_from[0] && c->time_to[0] && strcmp(c->time_from, c->time_to) > 0)
            return fail(rd, "time", "from %s is after to %s", c->time_from, c->time_to);
    }

    json_t *quantity = json_object_get(e, "quantity");
    if (quantity && !json_is_null(quantity)) {
        if (!json_is_object(quantity))
            return fail(rd, "quantity", "must be an object {value, unit, qualifier} or null");
        int qualifier = 0;
        char saved[sizeof rd->where];
        memcpy(saved, rd->where, sizeof saved);
        snprintf(rd->where, sizeof rd->where, "%.200s: quantity", saved);
        bool ok = read_number(rd, quantity, "value", &c->quantity.value) &&
                  read_string(rd, quantity, "unit", true, true, false, &c->quantity.unit) &&
                  read_enum(rd, quantity, "qualifier", qualifier_names,
                            COUNT_OF(qualifier_names), &qualifier);
        memcpy(rd->where, saved, sizeof saved);
        if (!ok)
            return false;
        c->quantity.qualifier = (enum claims_qualifier)qualifier;
        c->has_quantity = true;
    }

    json_t *check = json_object_get(e, "check");
    if (check && !json_is_null(check)) {
        if (!read_check(rd, check, &c->check))
            return false;
        c->has_check = true;
        /* A check stands for the claim: counting on images outside the period
         * the claim is about would test something else. */
        if (c->time_from[0] && strcmp(c->check.date_from, c->time_from) < 0)
            return fail(rd, "check", "date_from %s is before the claim's time.from %s; a "
                        "check's window must lie inside its claim's window",
                        c->check.date_from, c->time_from);
        if (c->time_to[0] && strcmp(c->check.date_to, c->time_to) > 0)
            return fail(rd, "check", "date_to %s is after the claim's time.to %s; a "
                        "check's window must lie inside its claim's window",
                        c->check.date_to, c->time_to);
    }
    warn_unknown_members(rd, e, known);
    return true;
}

static bool read_discrepancy(struct reader *rd, json_t *e, struct claims_discrepancy *d)
{
    static const char *const known[] = {"id", "title", "kind", "claims", "description",
                                        NULL};
    if (!json_is_object(e))
        return fail(rd, NULL, "must be an object");
    int kind = 0;
    if (!read_string(rd, e, "id", true, true, false, &d->id) ||
        !read_string(rd, e, "title", true, true, false, &d->title) ||
        !read_enum(rd, e, "kind", kind_names, COUNT_OF(kind_names), &kind) ||
        !read_string_array(rd, e, "claims", true, &d->claim_ids, &d->nclaims) ||
        !read_string(rd, e, "description", false, false, false, &d->description))
        return false;
    d->kind = (enum claims_discrepancy_kind)kind;
    warn_unknown_members(rd, e, known);
    return true;
}

/* ---- lookups -------------------------------------------------------------- */

const struct claims_claim *claims_find(const struct claims_catalog *cat, const char *id)
{
    if (!cat || !id)
        return NULL;
    for (size_t i = 0; i < cat->nclaims; i++)
        if (strcmp(cat->claims[i].id, id) == 0)
            return &cat->claims[i];
    return NULL;
}

const struct claims_source *claims_find_source(const struct claims_catalog *cat, const char *id)
{
    if (!cat || !id)
        return NULL;
    for (size_t i = 0; i < cat->nsources; i++)
        if (strcmp(cat->sources[i].id, id) == 0)
            return &cat->sources[i];
    return NULL;
}

const struct claims_discrepancy *claims_find_discrepancy(const struct claims_catalog *cat,
                                                         const char *id)
{
    if (!cat || !id)
        return NULL;
    for (size_t i = 0; i < cat->ndiscrepancies; i++)
        if (strcmp(cat->discrepancies[i].id, id) == 0)
            return &cat->discrepancies[i];
    return NULL;
}

const char *claims_catalog_path(const struct claims_catalog *cat) { return cat ? cat->path : ""; }
size_t claims_source_count(const struct claims_catalog *cat) { return cat ? cat->nsources : 0; }
size_t claims_claim_count(const struct claims_catalog *cat) { return cat ? cat->nclaims : 0; }
size_t claims_discrepancy_count(const struct claims_catalog *cat)
{
    return cat ? cat->ndiscrepancies : 0;
}
const struct claims_source *claims_source_at(const struct claims_catalog *cat, size_t i)
{
    return cat && i < cat->nsources ? &cat->sources[i] : NULL;
}
const struct claims_claim *claims_claim_at(const struct claims_catalog *cat, size_t i)
{
    return cat && i < cat->nclaims ? &cat->claims[i] : NULL;
}
const struct claims_discrepancy *claims_discrepancy_at(const struct claims_catalog *cat, size_t i)
{
    return cat && i < cat->ndiscrepancies ? &cat->discrepancies[i] : NULL;
}

/* ---- whole catalog -------------------------------------------------------- */

/* Ids must be unique across the three lists: a link or a reference names
 * exactly one thing. Quadratic, fine for catalogs of hundreds of entries. */
static bool check_unique_ids(struct reader *rd, const struct claims_catalog *cat)
{
    size_t total = cat->nsources + cat->nclaims + cat->ndiscrepancies;
    for (size_t i = 0; i < total; i++) {
        const char *id_i, *kind_i;
        size_t idx_i;
        if (i < cat->nsources)
            id_i = cat->sources[i].id, kind_i = "sources", idx_i = i;
        else if (i < cat->nsources + cat->nclaims)
            id_i = cat->claims[i - cat->nsources].id, kind_i = "claims", idx_i = i - cat->nsources;
        else
            id_i = cat->discrepancies[i - cat->nsources - cat->nclaims].id,
            kind_i = "discrepancies", idx_i = i - cat->nsources - cat->nclaims;
        for (size_t j = 0; j < i; j++) {
            const char *id_j, *kind_j;
            size_t idx_j;
            if (j < cat->nsources)
                id_j = cat->sources[j].id, kind_j = "sources", idx_j = j;
            else if (j < cat->nsources + cat->nclaims)
                id_j = cat->claims[j - cat->nsources].id, kind_j = "claims",
                idx_j = j - cat->nsources;
            else
                id_j = cat->discrepancies[j - cat->nsources - cat->nclaims].id,
                kind_j = "discrepancies", idx_j = j - cat->nsources - cat->nclaims;
            if (strcmp(id_i, id_j) == 0) {
                snprintf(rd->where, sizeof rd->where, "%s[%zu] \"%.160s\"", kind_i, idx_i, id_i);
                return fail(rd, "id", "duplicate id, already used by %s[%zu]", kind_j, idx_j);
            }
        }
    }
    return true;
}

/* Names the cycle that closes at source j: the path from j's place on it to
 * its end, then j again ("a -> b -> a"). */
static bool fail_cycle(struct reader *rd, const struct claims_catalog *cat, const size_t *path,
                       size_t depth, size_t j)
{
    char chain[1024] = "";
    size_t start = 0;
    while (path[start] != j)
        start++;
    for (size_t p = start; p < depth; p++) {
        strncat(chain, cat->sources[path[p]].id, sizeof chain - strlen(chain) - 1);
        strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
    }
    strncat(chain, cat->sources[j].id, sizeof chain - strlen(chain) - 1);
    if (strlen(chain) == sizeof chain - 1)
        memcpy(chain + sizeof chain - 5, " ...", 5); /* too long to name in full */
    snprintf(rd->where, sizeof rd->where, "sources[%zu] \"%.160s\"", j, cat->sources[j].id);
    return fail(rd, "derived_from", "derivation cycle: %s", chain);
}

/* Depth-first walk of derived_from from source root, iterative (a hostile
 * catalog could chain thousands of sources). state: 0 unvisited, 1 on the
 * current path, 2 done. path/next hold the current path and, per level, the
 * next derived_from item to follow. */
static bool walk_derivation(struct reader *rd, const struct claims_catalog *cat, size_t root,
                            unsigned char *state, size_t *path, size_t *next)
{
    size_t depth = 0;
    path[depth] = root;
    next[depth] = 0;
    depth = 1;
    state[root] = 1;
    while (depth > 0) {
        size_t i = path[depth - 1];
        const struct claims_source *s = &cat->sources[i];
        if (next[depth - 1] == s->nderived_from) {
            state[i] = 2;
            depth--;
            continue;
        }
        const char *id = s->derived_from[next[depth - 1]++];
        size_t j = (size_t)(claims_find_source(cat, id) - cat->sources);
        if (state[j] == 1)
            return fail_cycle(rd, cat, path, depth, j);
        if (state[j] == 0) {
            state[j] = 1;
            path[depth] = j;
            next[depth] = 0;
            depth++;
        }
    }
    return true;
}

static bool check_derivations(struct reader *rd, const struct claims_catalog *cat)
{
    for (size_t i = 0; i < cat->nsources; i++) {
        const struct claims_source *s = &cat->sources[i];
        for (size_t k = 0; k < s->nderived_from; k++) {
            if (!claims_find_source(cat, s->derived_from[k])) {
                snprintf(rd->where, sizeof rd->where, "sources[%zu] \"%.160s\"", i, s->id);
                return fail(rd, "derived_from", "unknown source \"%s\"%s", s->derived_from[k],
                            claims_find(cat, s->derived_from[k]) ? " (that id is a claim)" : "");
            }
        }
    }
    if (cat->nsources == 0)
        return true;
    unsigned char *state = calloc(cat->nsources, 1);
    size_t *path = calloc(cat->nsources, sizeof *path);
    size_t *next = calloc(cat->nsources, sizeof *next);
    bool ok = state && path && next;
    if (!ok)
        fail_oom(rd);
    for (size_t i = 0; ok && i < cat->nsources; i++)
        if (state[i] == 0)
            ok = walk_derivation(rd, cat, i, state, path, next);
    free(state);
    free(path);
    free(next);
    return ok;
}

static bool check_references(struct reader *rd, const struct claims_catalog *cat)
{
    if (!check_derivations(rd, cat))
        return false;
    for (size_t i = 0; i < cat->nclaims; i++) {
        const struct claims_claim *c = &cat->claims[i];
        for (size_t k = 0; k < c->nsources; k++) {
            if (!claims_find_source(cat, c->source_ids[k])) {
                snprintf(rd->where, sizeof rd->where, "claims[%zu] \"%.160s\"", i, c->id);
                return fail(rd, "sources", "unknown source \"%s\"%s", c->source_ids[k],
                            claims_find(cat, c->source_ids[k]) ? " (that id is a claim)" : "");
            }
        }
    }
    for (size_t i = 0; i < cat->ndiscrepancies; i++) {
        const struct claims_discrepancy *d = &cat->discrepancies[i];
        for (size_t k = 0; k < d->nclaims; k++) {
            if (!claims_find(cat, d->claim_ids[k])) {
                snprintf(rd->where, sizeof rd->where, "discrepancies[%zu] \"%.160s\"", i, d->id);
                return fail(rd, "claims", "unknown claim \"%s\"%s", d->claim_ids[k],
                            claims_find_source(cat, d->claim_ids[k]) ? " (that id is a source)"
                                                                     : "");
            }
        }
    }
    return true;
}

/* Reads the array member `key` of root into a calloc'd array of `size`-byte
 * entries with `read_entry`, storing the count as entries are completed so a
 * failure frees exactly what was read. */
typedef bool (*entry_reader)(struct reader *rd, json_t *e, void *entry);

static bool read_list(struct reader *rd, json_t *root, const char *key, size_t size,
                      entry_reader read_entry, void **out, size_t *n)
{
    json_t *list = json_object_get(root, key);
    snprintf(rd->where, sizeof rd->where, "top level");
    if (!list)
        return fail(rd, key, "required array missing");
    if (!json_is_array(list))
        return fail(rd, key, "must be an array");
    size_t count = json_array_size(list);
    if (count == 0)
        return true;
    char *items = calloc(count, size);
    if (!items)
        return fail_oom(rd);
    *out = items;
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_array_get(list, i);
        *n = i + 1; /* the entry is zeroed, so freeing a partial one is safe */
        locate(rd, key, i, e);
        if (!read_entry(rd, e, items + i * size))
            return false;
        if (rd->out_of_memory)
            return fail_oom(rd);
    }
    return true;
}

static bool read_source_entry(struct reader *rd, json_t *e, void *entry)
{
    return read_source(rd, e, entry);
}
static bool read_claim_entry(struct reader *rd, json_t *e, void *entry)
{
    return read_claim(rd, e, entry);
}
static bool read_discrepancy_entry(struct reader *rd, json_t *e, void *entry)
{
    return read_discrepancy(rd, e, entry);
}

static bool build_catalog(struct reader *rd, json_t *root, struct claims_catalog *cat)
{
    snprintf(rd->where, sizeof rd->where, "top level");
    if (!json_is_object(root))
        return fail(rd, NULL, "the catalog must be a JSON object");
    json_t *version = json_object_get(root, "satmark_claims");
    if (!version)
        return fail(rd, "satmark_claims", "missing; not a satmark claims catalog");
    if (!json_is_integer(version) || json_integer_value(version) != CLAIMS_FORMAT_VERSION)
        return fail(rd, "satmark_claims", "unsupported catalog version (this satmark reads %d)",
                    CLAIMS_FORMAT_VERSION);
    static const char *const known[] = {"satmark_claims", "sources", "claims", "discrepancies",
                                        NULL};
    warn_unknown_members(rd, root, known);
    void *sources = NULL, *claims = NULL, *discrepancies = NULL;
    bool ok = read_list(rd, root, "sources", sizeof(struct claims_source), read_source_entry,
                        &sources, &cat->nsources);
    cat->sources = sources;
    ok = ok && read_list(rd, root, "claims", sizeof(struct claims_claim), read_claim_entry,
                         &claims, &cat->nclaims);
    cat->claims = claims;
    if (ok && json_object_get(root, "discrepancies") &&
        !json_is_null(json_object_get(root, "discrepancies"))) {
        ok = read_list(rd, root, "discrepancies", sizeof(struct claims_discrepancy),
                       read_discrepancy_entry, &discrepancies, &cat->ndiscrepancies);
        cat->discrepancies = discrepancies;
    }
    return ok && check_unique_ids(rd, cat) && check_references(rd, cat);
}

static bool finish(struct reader *rd, json_t *root, const char *name,
                   struct claims_catalog **out)
{
    struct claims_catalog *cat = calloc(1, sizeof *cat);
    if (!cat || !(cat->path = strdup(name))) {
        free(cat);
        json_decref(root);
        return fail_oom(rd);
    }
    bool ok = build_catalog(rd, root, cat);
    json_decref(root);
    if (!ok) {
        claims_catalog_free(cat);
        return false;
    }
    *out = cat;
    return true;
}

static bool syntax_error(struct diag *dg, const char *name, const json_error_t *err)
{
    char text[sizeof err->text];
    memcpy(text, err->text, sizeof text);
    text[sizeof text - 1] = '\0';
    diag_limit_quote(text);
    if (err->line > 0)
        diag_error(dg, "%s:%d:%d: %s", name, err->line, err->column, text);
    else
        diag_error(dg, "%s: %s", name, text);
    return false;
}

/* Parses len bytes (a UTF-8 byte order mark is skipped with a warning, as
 * RFC 8259 allows) into *out. */
static bool parse_bytes(const char *data, size_t len, const char *name,
                        struct claims_catalog **out, struct diag *dg)
{
    *out = NULL;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        diag_warn(dg, "%s: UTF-8 byte order mark ignored", name);
        data += 3;
        len -= 3;
    }
    struct reader rd = {.name = name, .dg = dg};
    json_error_t err;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return syntax_error(dg, name, &err);
    return finish(&rd, root, name, out);
}

bool claims_catalog_parse(const char *text, const char *name, struct claims_catalog **out,
                          struct diag *dg)
{
    return parse_bytes(text, strlen(text), name, out, dg);
}

bool claims_catalog_read(const char *path, struct claims_catalog **out, struct diag *dg)
{
    *out = NULL;
    /* Opened once without blocking, the descriptor checked (rfile.h). */
    size_t size;
    FILE *f = rfile_open(path, (size_t)CLAIMS_MAX_FILE_BYTES, &size, dg);
    if (!f)
        return false;
    size_t cap = size + 1;
    char *data = malloc(cap);
    if (!data) {
        fclose(f);
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    /* Read at most cap bytes: a file that grew since fstat is cut, then fails to parse. */
    size_t len = fread(data, 1, cap, f);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(data);
        diag_error(dg, "%s: read error", path);
        return false;
    }
    bool ok = parse_bytes(data, len, path, out, dg);
    free(data);
    return ok;
}

/* ---- claim links of an annotation set ------------------------------------- */

bool claims_check_links(const struct claims_catalog *cat, const struct annot_set *set,
                        const char *annot_path, struct diag *dg)
{
    for (size_t i = 0; i < annot_count(set); i++) {
        const struct annot_feature *f = annot_get(set, i);
        for (size_t k = 0; k < f->nclaims; k++) {
            const char *id = f->claims[k].claim;
            if (claims_find(cat, id))
                continue;
            const char *what = claims_find_source(cat, id)        ? " (that id is a source)"
                               : claims_find_discrepancy(cat, id) ? " (that id is a discrepancy)"
                                                                  : "";
            diag_error(dg, "%s: feature \"%s\": links to unknown claim \"%s\"%s (catalog %s)",
                       annot_path, f->id, id, what, claims_catalog_path(cat));
            return false;
        }
    }
    return true;
}
