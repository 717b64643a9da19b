/*
 * idmap — see idmap.h. The probing rule (linear, from hash & mask, to the
 * first empty slot) is written out twice: place() for rehashing, walk()
 * for lookups and for adding, which looks and finds the free slot at once.
 */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t idmap_hash(const char *key)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

const char *idmap_key_in_array(const void *ctx, size_t value)
{
    return ((const char *const *)ctx)[value];
}

static size_t capacity_for(size_t entries)
{
    size_t cap = 16;
    while (cap < 2 * (entries + 1))
        cap *= 2;
    return cap;
}

bool idmap_init(struct idmap *m, size_t expected, idmap_key_fn key_of, const void *ctx)
{
    memset(m, 0, sizeof *m);
    m->key_of = key_of;
    m->ctx = ctx;
    m->cap = capacity_for(expected);
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots)
        m->cap = 0;
    return m->slots != NULL;
}

void idmap_free(struct idmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

bool idmap_reset(struct idmap *m, size_t expected)
{
    size_t cap = capacity_for(expected);
    m->count = 0;
    if (m->slots && cap == m->cap) {
        memset(m->slots, 0, cap * sizeof *m->slots);
        return true;
    }
    free(m->slots);
    m->slots = calloc(cap, sizeof *m->slots);
    m->cap = m->slots ? cap : 0;
    return m->slots != NULL;
}

/* Puts (hash, value) into the first empty slot of its probe sequence; the
 * table has one. */
static void place(struct idmap_slot *slots, size_t cap, uint64_t hash, size_t value)
{
    size_t mask = cap - 1;
    size_t at = (size_t)hash & mask;
    while (slots[at].value_plus1)
        at = (at + 1) & mask;
    slots[at] = (struct idmap_slot){hash, value + 1};
}

/* Walks the cluster of key (hash h; m->cap > 0): true with *at on key's
 * slot when it is present, false with *at on the empty slot ending the
 * cluster (where place() would put it). */
static bool walk(const struct idmap *m, const char *key, uint64_t h, size_t *at)
{
    size_t mask = m->cap - 1;
    for (*at = (size_t)h & mask; m->slots[*at].value_plus1; *at = (*at + 1) & mask) {
        const struct idmap_slot *s = &m->slots[*at];
        if (s->hash == h && strcmp(m->key_of(m->ctx, s->value_plus1 - 1), key) == 0)
            return true;
    }
    return false;
}

/* idmap_find with the key's hash already computed. */
static bool find_hashed(const struct idmap *m, const char *key, uint64_t h, size_t *value)
{
    size_t at;
    if (!m->cap || !walk(m, key, h, &at))
        return false;
    if (value)
        *value = m->slots[at].value_plus1 - 1;
    return true;
}

bool idmap_find(const struct idmap *m, const char *key, size_t *value)
{
    return find_hashed(m, key, idmap_hash(key), value);
}

/* Doubles the table for one more entry. False on out of memory (m
 * unchanged). */
static bool make_room(struct idmap *m)
{
    size_t cap = capacity_for(m->count + 1);
    struct idmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].value_plus1)
            place(slots, cap, m->slots[i].hash, m->slots[i].value_plus1 - 1);
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

bool idmap_add_hashed(struct idmap *m, const char *key, uint64_t hash, size_t value,
                      bool *added)
{
    if (added)
        *added = false;
    /* one walk: a key not found ends it on the empty slot that takes it,
     * unless the table must grow first */
    size_t at = 0;
    if (m->cap && walk(m, key, hash, &at))
        return true;
    if (m->cap && 2 * (m->count + 1) <= m->cap) {
        m->slots[at] = (struct idmap_slot){hash, value + 1};
    } else {
        if (!make_room(m))
            return false;
        place(m->slots, m->cap, hash, value);
    }
    m->count++;
    if (added)
        *added = true;
    return true;
}

bool idmap_add(struct idmap *m, const char *key, size_t value, bool *added)
{
    return idmap_add_hashed(m, key, idmap_hash(key), value, added);
}

void idmap_prefetch(const struct idmap *m, uint64_t hash)
{
    if (m->cap)
        __builtin_prefetch(&m->slots[(size_t)hash & (m->cap - 1)]);
}
