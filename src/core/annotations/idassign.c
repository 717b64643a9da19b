/*
 * idassign — see idassign.h. The sorted array holds borrowed id pointers and
 * feature indices; ties (equal ids) are ordered by index so the duplicate
 * reported is the later feature, as a reader going through the file finds it.
 */
#include "idassign.h"

#include <stdlib.h>
#include <string.h>

struct id_ref {
    const char *id;
    size_t index;
};

static int compare_id_ref(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* "f-<k>" into out (at least 24 bytes); returns its length. By hand: a
 * detector's million marks without ids spent a tenth of their reading in
 * snprintf. */
static size_t generated_id(unsigned long long k, char *out)
{
    char digits[21];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + k % 10);
        k /= 10;
    } while (k);
    out[0] = 'f';
    out[1] = '-';
    for (size_t i = 0; i < nd; i++)
        out[2 + i] = digits[nd - 1 - i];
    out[2 + nd] = '\0';
    return 2 + nd;
}

static bool id_taken(const struct id_ref *refs, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(refs[mid].id, id);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Finds the first run of equal ids (in sorted order) holding two ids of the
 * features' own: the file's duplicate. False when there is none. */
static bool find_duplicate(const struct id_ref *refs, size_t n,
                           const struct annot_feature *features, struct idassign_result *res)
{
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && strcmp(refs[b].id, refs[a].id) == 0)
            b++;
        size_t own = 0, first_own = 0;
        for (size_t i = a; i < b; i++) {
            if (features[refs[i].index].id_from_properties)
                continue;
            if (own++ == 0) {
                first_own = refs[i].index;
                continue;
            }
            res->duplicate = true;
            res->dup_index = refs[i].index;
            res->dup_first_index = first_own;
            res->dup_id = refs[i].id;
            return true;
        }
        a = b;
    }
    return false;
}

/* In each run of equal ids, keeps the feature's own id if there is one, else
 * the first taken from properties; the other ids taken from properties are
 * cleared and their strings moved to stale (still borrowed by refs, so freed
 * only after the candidates are checked). */
static void drop_repeats(struct id_ref *refs, size_t n, struct annot_feature *features,
                         char **stale, struct idassign_result *res)
{
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && strcmp(refs[b].id, refs[a].id) == 0)
            b++;
        size_t keep = a;
        for (size_t i = a; i < b; i++)
            if (!features[refs[i].index].id_from_properties) {
                keep = i;
                break;
            }
        for (size_t i = a; i < b; i++) {
            struct annot_feature *f = &features[refs[i].index];
            if (i == keep || !f->id_from_properties)
                continue;
            stale[res->repeated++] = f->id;
            f->id = NULL;
            f->id_from_properties = false;
        }
        a = b;
    }
}

bool idassign_settle(struct annot_feature *features, size_t count, struct idassign_result *res)
{
    *res = (struct idassign_result){0};
    struct id_ref *refs = malloc((count ? count : 1) * sizeof *refs);
    if (!refs)
        return false;
    size_t n = 0, taken = 0;
    for (size_t i = 0; i < count; i++)
        if (features[i].id) {
            refs[n++] = (struct id_ref){features[i].id, i};
            taken += features[i].id_from_properties;
        }
    if (n > 1)
        qsort(refs, n, sizeof *refs, compare_id_ref);
    if (find_duplicate(refs, n, features, res)) {
        free(refs);
        return false;
    }
    char **stale = NULL;
    if (taken && !(stale = malloc(taken * sizeof *stale))) {
        free(refs);
        return false;
    }
    if (taken)
        drop_repeats(refs, n, features, stale, res);
    res->from_properties = taken - res->repeated;
    unsigned long long next = 1;
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++) {
        if (features[i].id)
            continue;
        char id[32];
        size_t len;
        do {
            res->tried++;
            len = generated_id(next++, id);
        } while (id_taken(refs, n, id));
        ok = (features[i].id = malloc(len + 1)) != NULL;
        if (ok)
            memcpy(features[i].id, id, len + 1);
        res->generated += ok;
    }
    for (size_t i = 0; i < res->repeated; i++)
        free(stale[i]);
    free(stale);
    free(refs);
    return ok;
}

void idassign_warn(struct diag *dg, const char *name, const struct idassign_result *res)
{
    if (res->from_properties)
        diag_warn(dg, "%s: %zu feature%s without an id of %s own took %s \"id\" property as "
                      "the id",
                  name, res->from_properties, res->from_properties == 1 ? "" : "s",
                  res->from_properties == 1 ? "its" : "their",
                  res->from_properties == 1 ? "its" : "their");
    if (res->repeated)
        diag_warn(dg, "%s: %zu %s \"id\" propert%s an id used before: generated ids given "
                      "instead (the propert%s kept)",
                  name, res->repeated, res->repeated == 1 ? "feature's" : "features'",
                  res->repeated == 1 ? "y repeats" : "ies repeat",
                  res->repeated == 1 ? "y is" : "ies are");
    /* the repeats were given ids too */
    size_t without = res->generated > res->repeated ? res->generated - res->repeated : 0;
    if (without)
        diag_warn(dg, "%s: %zu feature%s without an id got generated ids (f-1, f-2, ...)", name,
                  without, without == 1 ? "" : "s");
}
