/* Unit tests of idmap, the one string-keyed hash table: adds and finds many
 * keys through growth, a present key is not added twice, keys that share a
 * hash (forced) are told apart by their text, and the table follows the
 * caller's key_of (annot swaps a feature for an edited copy: the id's text
 * stays, its pointer changes, and lookups must still work). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idmap.h"

static void add_find_and_grow(void **state)
{
    (void)state;
    enum { N = 5000 };
    static char names[N][16];
    static const char *keys[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "pier-%zu", i);
        keys[i] = names[i];
    }
    struct idmap m;
    assert_true(idmap_init(&m, 4, idmap_key_in_array, keys)); /* grows from 16 slots */
    for (size_t i = 0; i < N; i++) {
        bool added = false;
        assert_true(idmap_add(&m, keys[i], i, &added));
        assert_true(added);
    }
    assert_int_equal(m.count, N);
    assert_true(m.cap >= 2 * N);
    for (size_t i = 0; i < N; i++) {
        size_t v = 0;
        assert_true(idmap_find(&m, keys[i], &v));
        assert_int_equal(v, i);
    }
    assert_false(idmap_find(&m, "pier-5000", NULL));
    assert_false(idmap_find(&m, "", NULL));
    bool added = true;
    assert_true(idmap_add(&m, "pier-7", 99, &added)); /* present: unchanged */
    assert_false(added);
    size_t v;
    assert_true(idmap_find(&m, "pier-7", &v));
    assert_int_equal(v, 7);
    assert_true(idmap_reset(&m, 10));
    assert_int_equal(m.count, 0);
    assert_false(idmap_find(&m, "pier-7", NULL));
    idmap_free(&m);
    assert_false(idmap_find(&m, "pier-7", NULL)); /* a freed map finds nothing */
}

static const char *feature_key(const void *ctx, size_t value)
{
    char *const *ids = ctx;
    return ids[value];
}

static void follows_key_of(void **state)
{
    (void)state;
    char *ids[2] = {strdup("crane-1"), strdup("ship-2")};
    struct idmap m;
    assert_true(idmap_init(&m, 2, feature_key, ids));
    assert_true(idmap_add(&m, ids[0], 0, NULL));
    assert_true(idmap_add(&m, ids[1], 1, NULL));
    /* an edit replaces the feature by a copy: same id text, new pointer */
    char *copy = strdup("crane-1");
    free(ids[0]);
    ids[0] = copy;
    size_t v = 9;
    assert_true(idmap_find(&m, "crane-1", &v)); /* no stale pointer is read */
    assert_int_equal(v, 0);
    idmap_free(&m);
    free(ids[0]);
    free(ids[1]);
}

/* Keys whose hashes are equal (forced through idmap_add_hashed) share one
 * cluster: each is added once, told apart from the others by its text,
 * through the table's growth, and an add of a present key changes nothing.
 * An idmap_prefetch hint changes no result. */
static void same_hash_told_apart(void **state)
{
    (void)state;
    enum { N = 40 };
    static char names[N][16];
    static const char *keys[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "ship-%zu", i);
        keys[i] = names[i];
    }
    struct idmap m;
    assert_true(idmap_init(&m, 2, idmap_key_in_array, keys)); /* 16 slots: grows twice */
    const uint64_t same = 0x5u;
    for (size_t i = 0; i < N; i++) {
        idmap_prefetch(&m, same);
        bool added = false;
        assert_true(idmap_add_hashed(&m, keys[i], same, i, &added));
        assert_true(added);
        for (size_t k = 0; k <= i; k++) { /* every key so far is present, once */
            assert_true(idmap_add_hashed(&m, keys[k], same, 1000 + k, &added));
            assert_false(added);
        }
        assert_int_equal(m.count, i + 1);
    }
    assert_true(m.cap >= 2 * N);
    /* each key's slot keeps the value it was added with */
    size_t seen = 0;
    for (size_t s = 0; s < m.cap; s++)
        if (m.slots[s].value_plus1) {
            assert_true(m.slots[s].hash == same);
            assert_true(m.slots[s].value_plus1 - 1 < N);
            seen++;
        }
    assert_int_equal(seen, N);
    idmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_find_and_grow),
        cmocka_unit_test(follows_key_of),
        cmocka_unit_test(same_hash_told_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
