/*
 * idassign — see idassign.h. One idmap (id -> feature index) holds the ids
 * settled so far; the features' own ids go in first, in file order, so the
 * duplicate reported is the first later feature that repeats an earlier one,
 * as a reader going through the file finds it. Ids taken from "id"
 * properties follow, in file order, and a repeat is cleared then; generated
 * candidates are looked up in the same map. Expected O(n) (was a sort of
 * every id: a tenth of a 100,000-point figure's reading). The ids are
 * hashed a few features ahead of their turn (struct id_lookahead), so the
 * cache misses of a large map overlap instead of following each other.
 */
#include "idassign.h"

#include <stdlib.h>
#include <string.h>

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

/* idmap's key_of: ctx is the features array, the value an index into it. */
static const char *feature_id(const void *ctx, size_t value)
{
    return ((const struct annot_feature *)ctx)[value].id;
}

/* Features of one kind of id: their own, or taken from an "id" property. */
static bool of_kind(const struct annot_feature *f, bool from_properties)
{
    return f->id && f->id_from_properties == from_properties;
}

/* The ids of one kind hashed IDASSIGN_AHEAD features before they are added,
 * with their slots hinted into the cache (idmap_prefetch): in the map of a
 * detector's 100,000 ids nearly every add was a cache miss, waited for one
 * at a time. */
#define IDASSIGN_AHEAD 16
/* Hashes of features i .. i + IDASSIGN_AHEAD are live at feature i's turn. */
#define IDASSIGN_RING 32

struct id_lookahead {
    const struct annot_feature *features;
    size_t count;
    bool from_properties;
    uint64_t hash[IDASSIGN_RING]; /* feature i's in hash[i % IDASSIGN_RING] */
};

static void hash_ahead(struct id_lookahead *la, const struct idmap *ids, size_t i)
{
    if (i < la->count && of_kind(&la->features[i], la->from_properties)) {
        la->hash[i % IDASSIGN_RING] = idmap_hash(la->features[i].id);
        idmap_prefetch(ids, la->hash[i % IDASSIGN_RING]);
    }
}

static void lookahead_start(struct id_lookahead *la, const struct idmap *ids,
                            const struct annot_feature *features, size_t count,
                            bool from_properties)
{
    la->features = features;
    la->count = count;
    la->from_properties = from_properties;
    for (size_t i = 0; i < IDASSIGN_AHEAD; i++)
        hash_ahead(la, ids, i);
}

/* Adds the features' own ids; false on a duplicate (res->duplicate set) or
 * out of memory. */
static bool add_own_ids(struct idmap *ids, const struct annot_feature *features, size_t count,
                        struct idassign_result *res)
{
    struct id_lookahead la;
    lookahead_start(&la, ids, features, count, false);
    for (size_t i = 0; i < count; i++) {
        hash_ahead(&la, ids, i + IDASSIGN_AHEAD);
        if (!of_kind(&features[i], false))
            continue;
        bool added = false;
        if (!idmap_add_hashed(ids, features[i].id, la.hash[i % IDASSIGN_RING], i, &added))
            return false;
        if (!added) {
            size_t first = 0;
            idmap_find(ids, features[i].id, &first);
            res->duplicate = true;
            res->dup_index = i;
            res->dup_first_index = first;
            res->dup_id = features[i].id;
            return false;
        }
    }
    return true;
}

/* Adds the ids taken from properties; a repeat is cleared (the feature gets
 * a generated id). False on out of memory. */
static bool add_property_ids(struct idmap *ids, struct annot_feature *features, size_t count,
                             struct idassign_result *res)
{
    struct id_lookahead la;
    lookahead_start(&la, ids, features, count, true);
    for (size_t i = 0; i < count; i++) {
        hash_ahead(&la, ids, i + IDASSIGN_AHEAD);
        struct annot_feature *f = &features[i];
        if (!of_kind(f, true))
            continue;
        bool added = false;
        if (!idmap_add_hashed(ids, f->id, la.hash[i % IDASSIGN_RING], i, &added))
            return false;
        if (added) {
            res->from_properties++;
            continue;
        }
        free(f->id);
        f->id = NULL;
        f->id_from_properties = false;
        res->repeated++;
    }
    return true;
}

bool idassign_settle(struct annot_feature *features, size_t count, struct idassign_result *res,
                     struct idmap *index)
{
    *res = (struct idassign_result){0};
    if (index)
        *index = (struct idmap){0};
    struct idmap ids;
    if (!idmap_init(&ids, count, feature_id, features))
        return false;
    if (!add_own_ids(&ids, features, count, res) ||
        !add_property_ids(&ids, features, count, res)) {
        idmap_free(&ids);
        return false;
    }
    /* Generated ids count up, so none can equal an earlier one: only the
     * file's ids need looking up. They go into the map only for a caller
     * that keeps it (the map never holds more than count ids). */
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
        } while (idmap_find(&ids, id, NULL));
        ok = (features[i].id = malloc(len + 1)) != NULL;
        if (ok)
            memcpy(features[i].id, id, len + 1);
        res->generated += ok;
        if (ok && index)
            ok = idmap_add(&ids, features[i].id, i, NULL);
    }
    if (ok && index)
        *index = ids;
    else
        idmap_free(&ids);
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
