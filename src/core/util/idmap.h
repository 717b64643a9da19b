/*
 * idmap — the one string-keyed hash table of satmark: maps a string key to a
 * size_t value (an index into the caller's array), for id lookups in O(1)
 * (annot's id index, export's duplicate-id checks).
 *
 * The table stores no strings: each slot holds a key's hash and its value,
 * and the caller's key_of(ctx, value) gives the key of a stored value. So a
 * caller whose strings move or are replaced (annot edits a feature by
 * swapping in a copy) never leaves a dangling pointer in the table, and the
 * table needs no memory per key beyond its slot.
 *
 * Invariants: open addressing with linear probing, FNV-1a hash, capacity a
 * power of two kept at least twice the entry count (probing always ends on
 * an empty slot). A key is stored at most once if callers add only absent
 * keys (idmap_add checks). Not thread-safe; read-only use is.
 */
#ifndef SATMARK_IDMAP_H
#define SATMARK_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The key of the entry whose value is `value`; borrowed from the caller. */
typedef const char *(*idmap_key_fn)(const void *ctx, size_t value);

struct idmap_slot {
    uint64_t hash;
    size_t value_plus1; /* 0: empty */
};

struct idmap {
    struct idmap_slot *slots; /* owned; cap slots */
    size_t cap, count;
    idmap_key_fn key_of;
    const void *ctx; /* borrowed, handed to key_of */
};

/* An empty map sized for `expected` entries (it grows past that). False on
 * out of memory (m is then empty and idmap_free is still safe). */
bool idmap_init(struct idmap *m, size_t expected, idmap_key_fn key_of, const void *ctx);

void idmap_free(struct idmap *m);

/* Empties m for up to `expected` entries, reusing its memory when the size
 * fits. False on out of memory (then m is empty with no slots). */
bool idmap_reset(struct idmap *m, size_t expected);

/* Whether key (borrowed) is present; its value in *value when value is not NULL. */
bool idmap_find(const struct idmap *m, const char *key, size_t *value);

/* Adds key -> value unless key is present (then nothing changes; *added
 * false). key_of(ctx, value) must give key from now on. False only on out of
 * memory (growing); m is unchanged then. */
bool idmap_add(struct idmap *m, const char *key, size_t value, bool *added);

/* idmap_add with the key's hash (idmap_hash(key)) already computed. */
bool idmap_add_hashed(struct idmap *m, const char *key, uint64_t hash, size_t value,
                      bool *added);

/* Hints the first slot a key of this hash is looked for in into the cache.
 * For batches: in a table of a million ids every lookup is a cache miss,
 * so a caller hashes a few keys ahead and hints their slots (idassign). A
 * hint never changes a result; a table that grows in between only wastes it. */
void idmap_prefetch(const struct idmap *m, uint64_t hash);

/* A key_of for callers whose keys are an array of strings: ctx is
 * `const char *const *`, the value an index into it. */
const char *idmap_key_in_array(const void *ctx, size_t value);

uint64_t idmap_hash(const char *key);

#endif
