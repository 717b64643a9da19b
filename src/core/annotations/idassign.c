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

bool idassign_settle(struct annot_feature *features, size_t count, struct idassign_result *res)
{
    *res = (struct idassign_result){0};
    struct id_ref *refs = malloc((count ? count : 1) * sizeof *refs);
    if (!refs)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (features[i].id)
            refs[n++] = (struct id_ref){features[i].id, i};
    if (n > 1)
        qsort(refs, n, sizeof *refs, compare_id_ref);
    for (size_t i = 1; i < n; i++)
        if (strcmp(refs[i].id, refs[i - 1].id) == 0) {
            res->duplicate = true;
            res->dup_index = refs[i].index;
            res->dup_first_index = refs[i - 1].index;
            res->dup_id = refs[i].id;
            free(refs);
            return false;
        }
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
    free(refs);
    return ok;
}
