/*
 * labelgroup — see labelgroup.h. Items are sorted by (class, label, x) and
 * chained with a sweep over x inside each run of equal class and label
 * (union-find), so a frame of a few hundred labels costs little; the worst
 * case (every mark of one label in one column) is quadratic in that run.
 */
#include "labelgroup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sort_ctx_item {
    const struct labelgroup_item *it;
    size_t index;
};

static size_t trimmed_len(const char *s, const char **start)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    *start = s;
    return n;
}

static int compare_label(const char *a, const char *b)
{
    const char *sa, *sb;
    size_t na = trimmed_len(a, &sa), nb = trimmed_len(b, &sb);
    int c = memcmp(sa, sb, na < nb ? na : nb);
    if (c != 0)
        return c;
    return na < nb ? -1 : na > nb;
}

static int compare_items(const void *pa, const void *pb)
{
    const struct sort_ctx_item *a = pa, *b = pb;
    if (a->it->cls != b->it->cls)
        return a->it->cls < b->it->cls ? -1 : 1;
    int c = compare_label(a->it->label, b->it->label);
    if (c != 0)
        return c;
    if (a->it->x != b->it->x)
        return a->it->x < b->it->x ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static size_t find_root(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static bool has_label(const struct labelgroup_item *it)
{
    const char *s;
    return it->label && trimmed_len(it->label, &s) > 0;
}

bool labelgroup_assign(const struct labelgroup_item *items, size_t n, double max_gap,
                       size_t *leader, size_t *count)
{
    for (size_t i = 0; i < n; i++) {
        leader[i] = i;
        count[i] = 1;
    }
    if (n < LABELGROUP_MIN)
        return true;
    struct sort_ctx_item *sorted = malloc(n * sizeof *sorted);
    size_t *parent = malloc(n * sizeof *parent);
    double *sx = calloc(n, sizeof *sx), *sy = calloc(n, sizeof *sy);
    size_t *size = calloc(n, sizeof *size);
    bool ok = sorted && parent && sx && sy && size;
    if (ok) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            parent[i] = i;
            if (has_label(&items[i]) && isfinite(items[i].x) && isfinite(items[i].y))
                sorted[m++] = (struct sort_ctx_item){&items[i], i};
        }
        qsort(sorted, m, sizeof *sorted, compare_items);
        for (size_t a = 0; a < m; a++) {
            const struct labelgroup_item *ia = sorted[a].it;
            for (size_t b = a + 1; b < m; b++) {
                const struct labelgroup_item *ib = sorted[b].it;
                if (ib->cls != ia->cls || compare_label(ia->label, ib->label) != 0 ||
                    ib->x - ia->x > max_gap)
                    break;
                if (hypot(ib->x - ia->x, ib->y - ia->y) <= max_gap) {
                    size_t ra = find_root(parent, sorted[a].index);
                    size_t rb = find_root(parent, sorted[b].index);
                    if (ra != rb)
                        parent[rb > ra ? rb : ra] = rb > ra ? ra : rb;
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            size_t r = find_root(parent, i);
            size[r]++;
            sx[r] += items[i].x;
            sy[r] += items[i].y;
        }
        /* the leader: the member nearest its group's centroid */
        double *best = malloc(n * sizeof *best);
        ok = best != NULL;
        for (size_t i = 0; ok && i < n; i++)
            best[i] = INFINITY;
        for (size_t i = 0; ok && i < n; i++) {
            size_t r = find_root(parent, i);
            if (size[r] < LABELGROUP_MIN)
                continue;
            double d = hypot(items[i].x - sx[r] / size[r], items[i].y - sy[r] / size[r]);
            if (d < best[r]) {
                best[r] = d;
                leader[r] = i;
            }
        }
        for (size_t i = 0; ok && i < n; i++) {
            size_t r = find_root(parent, i);
            if (size[r] < LABELGROUP_MIN)
                continue;
            leader[i] = leader[r];
            count[i] = size[r];
        }
        /* leader[r] of a root was overwritten above only through leader[r]
         * itself, which is the group's leader: consistent. */
        free(best);
    }
    free(sorted);
    free(parent);
    free(sx);
    free(sy);
    free(size);
    if (!ok)
        for (size_t i = 0; i < n; i++) {
            leader[i] = i;
            count[i] = 1;
        }
    return ok;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

void labelgroup_caption(const char *label, size_t count, char *out, size_t cap)
{
    if (cap == 0)
        return;
    const char *s;
    size_t n = trimmed_len(label ? label : "", &s);
    char last = n ? s[n - 1] : '\0';
    const char *suffix = "";
    size_t keep = n;
    if (last >= 'a' && last <= 'z') {
        if (ends_with(s, n, "s") || ends_with(s, n, "x") || ends_with(s, n, "ch") ||
            ends_with(s, n, "sh"))
            suffix = ends_with(s, n, "ss") || !ends_with(s, n, "s") ? "es" : "";
        else if (last == 'y' && n >= 2 && !strchr("aeiou", s[n - 2])) {
            keep = n - 1;
            suffix = "ies";
        } else {
            suffix = "s";
        }
    }
    if (keep > (size_t)1 << 20)
        keep = (size_t)1 << 20;
    snprintf(out, cap, "%.*s%s (%zu)", (int)keep, s, suffix, count);
}
