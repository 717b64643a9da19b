/*
 * markdate — see markdate.h. The dates list is built in a fixed-size array
 * of entries (at most MARKDATE_MAX_ENTRIES distinct days are listed; more
 * end in "…"), sorted by plain string order, which is date order for ISO
 * days; file names (observations without a day) sort after the digits.
 */
#include "markdate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MARKDATE_DAY_LEN 10
#define MARKDATE_MAX_ENTRIES 16
#define MARKDATE_ENTRY_MAX 128

static bool has_day(const char *s) { return s && strlen(s) >= MARKDATE_DAY_LEN; }

static bool known(const char *s) { return s && s[0]; }

enum markdate_relation markdate_classify(const struct annot_feature *af,
                                         const struct markdate_image *img)
{
    if (af->nobs == 0)
        return MARKDATE_UNDATED;
    if (!img)
        return MARKDATE_THIS_IMAGE;
    for (size_t k = 0; k < af->nobs; k++) {
        const struct annot_observation *o = &af->obs[k];
        if (known(img->sha256) && known(o->sha256)) {
            if (strcmp(o->sha256, img->sha256) == 0)
                return MARKDATE_THIS_IMAGE;
            continue; /* both hashes known and different: another file */
        }
        if (known(img->image) && known(o->image) && strcmp(o->image, img->image) == 0)
            return MARKDATE_THIS_IMAGE;
        if (has_day(img->acquired) && has_day(o->acquired) &&
            strncmp(o->acquired, img->acquired, MARKDATE_DAY_LEN) == 0)
            return MARKDATE_THIS_IMAGE;
    }
    return MARKDATE_OTHER_DATES;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Appends s to out (length *len, capacity cap); false when it did not fit. */
static bool append(char *out, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > cap)
        return false;
    memcpy(out + *len, s, n + 1);
    *len += n;
    return true;
}

/* Ends out with "…" within cap, cutting on a UTF-8 character boundary. */
static void cut_short(char *out, size_t cap, size_t len)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    if (cap < sizeof ellipsis) {
        if (cap)
            out[0] = '\0';
        return;
    }
    if (len + sizeof ellipsis > cap)
        len = cap - sizeof ellipsis;
    while (len > 0 && ((unsigned char)out[len] & 0xC0) == 0x80)
        len--;
    memcpy(out + len, ellipsis, sizeof ellipsis);
}

size_t markdate_dates(const struct annot_feature *af, char *out, size_t cap)
{
    char entries[MARKDATE_MAX_ENTRIES][MARKDATE_ENTRY_MAX];
    size_t n = 0;
    bool more = false;
    if (cap)
        out[0] = '\0';
    for (size_t k = 0; k < af->nobs; k++) {
        const struct annot_observation *o = &af->obs[k];
        char entry[MARKDATE_ENTRY_MAX];
        if (has_day(o->acquired)) {
            memcpy(entry, o->acquired, MARKDATE_DAY_LEN);
            entry[MARKDATE_DAY_LEN] = '\0';
        } else {
            const char *name = known(o->image) ? o->image : "undated image";
            size_t len = strlen(name);
            if (len >= sizeof entry)
                len = sizeof entry - 1;
            memcpy(entry, name, len);
            entry[len] = '\0';
        }
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(entries[i], entry) == 0;
        if (seen)
            continue;
        if (n == MARKDATE_MAX_ENTRIES) {
            more = true;
            continue;
        }
        memcpy(entries[n++], entry, sizeof entry);
    }
    qsort(entries, n, sizeof entries[0], compare_entries);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if ((i && !append(out, cap, &len, ", ")) || !append(out, cap, &len, entries[i])) {
            cut_short(out, cap, len);
            return i;
        }
    }
    if (more)
        cut_short(out, cap, len);
    return n;
}

const char *markdate_relation_name(enum markdate_relation rel)
{
    switch (rel) {
    case MARKDATE_THIS_IMAGE:
        return "this_image";
    case MARKDATE_UNDATED:
        return "undated";
    case MARKDATE_OTHER_DATES:
    default:
        return "other_dates";
    }
}
