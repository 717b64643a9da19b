/*
 * annot — the annotation feature set and its undoable edits (see annot.h for
 * the geometry representation and the ownership rules).
 *
 * The undo log is a list of steps; a step is a list of changes, each change
 * holding deep copies of the feature before and after (add: after only;
 * delete: before only) and the index it sits at. Undo applies the changes of
 * a step backwards, redo forwards. Copies cost memory proportional to the
 * edited features only, and make every edit type undoable by the same code,
 * which is what lets the tests cover undo of every edit exhaustively.
 *
 * Dirty tracking: every step gets a unique state number; the set's state is
 * the number of the last applied step (or of the base, before the first).
 * The set is dirty when that differs from the state marked saved, so undoing
 * back to the saved state makes it clean again.
 *
 * Id index: lookups by id (annot_find, the duplicate check of every load/add,
 * new-id generation) go through an idmap (util/idmap.h) of id -> index, so
 * loading n features costs O(n)
 * instead of O(n^2). Appending updates it in place; anything that shifts
 * indices or renames a feature (delete, undo/redo, replace) rebuilds it, which
 * costs O(n) like the memmove those operations already do. If memory for the
 * table runs out, `id_index_ok` is false and lookups fall back to a scan, so
 * no edit fails because of the index. `class_max` caches, per class, the
 * largest n of ids "<class>-<n>" (what annot_new_id needs) and is kept exact
 * by the same append/rebuild paths.
 */
#include "annot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idmap.h"

/* ---- names ------------------------------------------------------------------ */

static const char *const class_names[ANNOT_CLASS_COUNT] = {
    "pier", "ship", "container_stack", "munitions_pit", "rail",
    "crane", "building", "aoi", "other",
};

const char *annot_class_name(enum annot_class cls)
{
    if ((int)cls < 0 || cls >= ANNOT_CLASS_COUNT)
        return "other";
    return class_names[cls];
}

/* Index of name (may be NULL) in names[count]; -1 when absent. */
static int name_index(const char *const *names, int count, const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* Other names for the classes, lowercase, as other tools and analysts write
 * them; matched after folding case and ' '/'-' to '_' fails. The one list:
 * docs/formats.md shows it (keep the two in step). */
static const struct {
    const char *alias;
    enum annot_class cls;
} class_aliases[] = {
    {"quay", ANNOT_CLASS_PIER},
    {"wharf", ANNOT_CLASS_PIER},
    {"jetty", ANNOT_CLASS_PIER},
    {"berth", ANNOT_CLASS_PIER},
    {"dock", ANNOT_CLASS_PIER},
    {"ships", ANNOT_CLASS_SHIP},
    {"vessel", ANNOT_CLASS_SHIP},
    {"boat", ANNOT_CLASS_SHIP},
    {"container stacks", ANNOT_CLASS_CONTAINER_STACK},
    {"containers", ANNOT_CLASS_CONTAINER_STACK},
    {"container", ANNOT_CLASS_CONTAINER_STACK},
    {"munitions pits", ANNOT_CLASS_MUNITIONS_PIT},
    {"munition pit", ANNOT_CLASS_MUNITIONS_PIT},
    {"ammunition pit", ANNOT_CLASS_MUNITIONS_PIT},
    {"pit", ANNOT_CLASS_MUNITIONS_PIT},
    {"pits", ANNOT_CLASS_MUNITIONS_PIT},
    {"railway", ANNOT_CLASS_RAIL},
    {"railroad", ANNOT_CLASS_RAIL},
    {"rail line", ANNOT_CLASS_RAIL},
    {"cranes", ANNOT_CLASS_CRANE},
    {"buildings", ANNOT_CLASS_BUILDING},
    {"warehouse", ANNOT_CLASS_BUILDING},
    {"area of interest", ANNOT_CLASS_AOI},
    {"area", ANNOT_CLASS_AOI},
};

const char *annot_class_alias(size_t i, enum annot_class *cls)
{
    if (i >= sizeof class_aliases / sizeof class_aliases[0])
        return NULL;
    if (cls)
        *cls = class_aliases[i].cls;
    return class_aliases[i].alias;
}

/* a and b equal when case is folded and ' ', '-' and '_' are one character. */
static bool same_loosely(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        ca = ca == ' ' || ca == '-' ? '_' : ca >= 'A' && ca <= 'Z' ? ca - 'A' + 'a' : ca;
        cb = cb == ' ' || cb == '-' ? '_' : cb >= 'A' && cb <= 'Z' ? cb - 'A' + 'a' : cb;
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

bool annot_class_from_name(const char *name, enum annot_class *out)
{
    int i = name_index(class_names, ANNOT_CLASS_COUNT, name);
    for (int c = 0; i < 0 && name && c < ANNOT_CLASS_COUNT; c++)
        if (same_loosely(name, class_names[c]))
            i = c;
    for (size_t k = 0; i < 0 && name && k < sizeof class_aliases / sizeof class_aliases[0]; k++)
        if (same_loosely(name, class_aliases[k].alias))
            i = (int)class_aliases[k].cls;
    if (i >= 0)
        *out = (enum annot_class)i;
    return i >= 0;
}

const char *annot_feature_class_text(const struct annot_feature *f)
{
    if (f->class_text) {
        enum annot_class named;
        bool known = annot_class_from_name(f->class_text, &named);
        if (known ? named == f->cls : f->cls == ANNOT_CLASS_OTHER)
            return f->class_text;
    }
    return annot_class_name(f->cls);
}

static const char *const stance_names[ANNOT_STANCE_COUNT] = {"supports", "contradicts",
                                                              "context"};

const char *annot_stance_name(enum annot_stance stance)
{
    if ((int)stance < 0 || stance >= ANNOT_STANCE_COUNT)
        return "context";
    return stance_names[stance];
}

bool annot_stance_from_name(const char *name, enum annot_stance *out)
{
    int i = name_index(stance_names, ANNOT_STANCE_COUNT, name);
    if (i >= 0)
        *out = (enum annot_stance)i;
    return i >= 0;
}

/* ---- small helpers ---------------------------------------------------------- */

static bool oom(struct diag *dg)
{
    diag_error(dg, "out of memory");
    return false;
}

/* Copies s into *dst (NULL stays NULL). New string owned by the caller. */
static bool dup_string(char **dst, const char *s, struct diag *dg)
{
    *dst = NULL;
    if (!s)
        return true;
    size_t n = strlen(s) + 1;
    *dst = malloc(n);
    if (!*dst)
        return oom(dg);
    memcpy(*dst, s, n);
    return true;
}

/* Replaces *dst by a copy of s (s may alias *dst). */
static bool replace_string(char **dst, const char *s, struct diag *dg)
{
    char *copy;
    if (!dup_string(&copy, s, dg))
        return false;
    annot_text_free(*dst);
    *dst = copy;
    return true;
}


/* ---- features ------------------------------------------------------------------ */

static const char shared_empty[1] = "";

char *annot_shared_empty(void)
{
    return (char *)shared_empty; /* const object: a write faults, loudly */
}

void annot_text_free(char *s)
{
    if (s != shared_empty)
        free(s);
}

void annot_feature_init(struct annot_feature *f)
{
    memset(f, 0, sizeof *f);
    f->cls = ANNOT_CLASS_OTHER;
    f->geom.type = ANNOT_GEOM_NONE;
}

void annot_feature_clear(struct annot_feature *f)
{
    if (!f)
        return;
    annot_text_free(f->id);
    annot_text_free(f->label);
    annot_geometry_clear(&f->geom);
    for (size_t i = 0; i < f->nobs; i++) {
        annot_text_free(f->obs[i].image);
        annot_text_free(f->obs[i].sha256);
        annot_text_free(f->obs[i].acquired);
    }
    free(f->obs);
    for (size_t i = 0; i < f->nclaims; i++)
        annot_text_free(f->claims[i].claim);
    free(f->claims);
    annot_text_free(f->note);
    annot_text_free(f->created);
    annot_text_free(f->modified);
    annot_text_free(f->author);
    annot_text_free(f->extra_properties);
    annot_text_free(f->extra_members);
    annot_text_free(f->class_text);
    annot_feature_init(f);
}

bool annot_feature_copy(struct annot_feature *dst, const struct annot_feature *src,
                        struct diag *dg)
{
    annot_feature_init(dst);
    dst->cls = src->cls;
    dst->id_from_properties = src->id_from_properties;
    if (!dup_string(&dst->id, src->id, dg) || !dup_string(&dst->label, src->label, dg) ||
        !dup_string(&dst->note, src->note, dg) || !dup_string(&dst->created, src->created, dg) ||
        !dup_string(&dst->modified, src->modified, dg) ||
        !dup_string(&dst->author, src->author, dg) ||
        !dup_string(&dst->extra_properties, src->extra_properties, dg) ||
        !dup_string(&dst->extra_members, src->extra_members, dg) ||
        !dup_string(&dst->class_text, src->class_text, dg) ||
        !annot_geometry_copy(&dst->geom, &src->geom, dg))
        goto fail;
    if (src->nobs) {
        dst->obs = calloc(src->nobs, sizeof *dst->obs);
        if (!dst->obs) {
            oom(dg);
            goto fail;
        }
        dst->nobs = src->nobs;
        for (size_t i = 0; i < src->nobs; i++)
            if (!dup_string(&dst->obs[i].image, src->obs[i].image, dg) ||
                !dup_string(&dst->obs[i].sha256, src->obs[i].sha256, dg) ||
                !dup_string(&dst->obs[i].acquired, src->obs[i].acquired, dg))
                goto fail;
    }
    if (src->nclaims) {
        dst->claims = calloc(src->nclaims, sizeof *dst->claims);
        if (!dst->claims) {
            oom(dg);
            goto fail;
        }
        dst->nclaims = src->nclaims;
        for (size_t i = 0; i < src->nclaims; i++) {
            dst->claims[i].stance = src->claims[i].stance;
            if (!dup_string(&dst->claims[i].claim, src->claims[i].claim, dg))
                goto fail;
        }
    }
    return true;
fail:
    annot_feature_clear(dst);
    return false;
}

/* ---- the set ---------------------------------------------------------------------- */

enum change_kind { CHANGE_ADD, CHANGE_DELETE, CHANGE_MODIFY };

struct change {
    enum change_kind kind;
    size_t index;
    struct annot_feature before; /* DELETE, MODIFY */
    struct annot_feature after;  /* ADD, MODIFY */
};

struct step {
    uint64_t state;
    size_t nchanges;
    size_t cap;
    struct change *changes;
};

struct annot_set {
    struct annot_feature *features;
    size_t count;
    size_t cap;

    char *site;
    char *title;
    char *extra_members;
    char *author;

    annot_clock_fn clock;
    void *clock_ctx;

    struct step *steps; /* steps[0..applied) are applied, steps[applied..nsteps) redoable */
    size_t nsteps;
    size_t applied;
    size_t steps_cap;
    uint64_t base_state; /* state before steps[0] */
    uint64_t next_state;
    uint64_t saved_state;
    bool meta_dirty;

    struct step open; /* changes of the current group */
    int group_depth;

    uint64_t generation;

    struct idmap id_index; /* id -> index of every feature when id_index_ok */
    bool id_index_ok;
    unsigned long long class_max[ANNOT_CLASS_COUNT];
    /* Per class, the largest n of any id "<class>-<n>" in the file's history:
     * the ids loaded, the ids present at each annot_mark_saved, and the
     * file's next_ids (annot_reserve_id_number). Never decreases, so the id
     * of a feature deleted from the file is not handed out again; ids of
     * features added and removed between two saves never were in the file
     * (which keeps undo exact). */
    unsigned long long id_high[ANNOT_CLASS_COUNT];
};

static void system_clock(char out[21], void *ctx)
{
    (void)ctx;
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
        snprintf(out, 21, "1970-01-01T00:00:00Z");
}

struct annot_set *annot_set_new(void)
{
    struct annot_set *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->clock = system_clock;
    set->next_state = 1;
    return set;
}

static void step_clear(struct step *s)
{
    for (size_t i = 0; i < s->nchanges; i++) {
        annot_feature_clear(&s->changes[i].before);
        annot_feature_clear(&s->changes[i].after);
    }
    free(s->changes);
    memset(s, 0, sizeof *s);
}

static void drop_redo(struct annot_set *set)
{
    while (set->nsteps > set->applied)
        step_clear(&set->steps[--set->nsteps]);
}

void annot_clear_history(struct annot_set *set)
{
    uint64_t current = set->applied ? set->steps[set->applied - 1].state : set->base_state;
    for (size_t i = 0; i < set->nsteps; i++)
        step_clear(&set->steps[i]);
    set->nsteps = set->applied = 0;
    set->base_state = current;
}

void annot_set_free(struct annot_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        annot_feature_clear(&set->features[i]);
    free(set->features);
    for (size_t i = 0; i < set->nsteps; i++)
        step_clear(&set->steps[i]);
    free(set->steps);
    step_clear(&set->open);
    free(set->site);
    free(set->title);
    free(set->extra_members);
    free(set->author);
    idmap_free(&set->id_index);
    free(set);
}

void annot_set_clock(struct annot_set *set, annot_clock_fn fn, void *ctx)
{
    set->clock = fn ? fn : system_clock;
    set->clock_ctx = fn ? ctx : NULL;
}

bool annot_set_author(struct annot_set *set, const char *author, struct diag *dg)
{
    return replace_string(&set->author, author, dg);
}

const char *annot_set_site(const struct annot_set *set)
{
    return set->site ? set->site : "";
}

const char *annot_set_title(const struct annot_set *set)
{
    return set->title ? set->title : "";
}

bool annot_set_meta(struct annot_set *set, const char *site, const char *title,
                    struct diag *dg)
{
    char *s, *t;
    if (!dup_string(&s, site, dg))
        return false;
    if (!dup_string(&t, title, dg)) {
        free(s);
        return false;
    }
    free(set->site);
    free(set->title);
    set->site = s;
    set->title = t;
    set->meta_dirty = true;
    set->generation++;
    return true;
}

const char *annot_set_extra_members(const struct annot_set *set)
{
    return set->extra_members;
}

bool annot_set_set_extra_members(struct annot_set *set, const char *json, struct diag *dg)
{
    if (!replace_string(&set->extra_members, json, dg))
        return false;
    set->meta_dirty = true;
    set->generation++;
    return true;
}

size_t annot_count(const struct annot_set *set)
{
    return set->count;
}

const struct annot_feature *annot_get(const struct annot_set *set, size_t i)
{
    return i < set->count ? &set->features[i] : NULL;
}

/* ---- id index (see the top of the file) ------------------------------------------------ */

/* idmap's key_of: the id of feature `index` (read at lookup time, so a
 * feature swapped for an edited copy never leaves a stale pointer). */
static const char *feature_id(const void *set, size_t index)
{
    return ((const struct annot_set *)set)->features[index].id;
}

/* For ids "<class>-<n>" (decimal digits only after the dash): the class whose
 * name is the prefix and n. Any other id: false. */
static bool id_class_number(const char *id, enum annot_class *cls, unsigned long long *n)
{
    const char *dash = strchr(id, '-');
    if (!dash || dash[1] < '0' || dash[1] > '9')
        return false;
    size_t plen = (size_t)(dash - id);
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (class_names[c][0] == id[0] && strncmp(id, class_names[c], plen) == 0 &&
            class_names[c][plen] == '\0') {
            char *end;
            unsigned long long value = strtoull(dash + 1, &end, 10);
            if (*end != '\0')
                return false;
            *cls = (enum annot_class)c;
            *n = value;
            return true;
        }
    return false;
}

static void class_max_note(struct annot_set *set, const char *id)
{
    enum annot_class cls;
    unsigned long long n;
    if (!id_class_number(id, &cls, &n))
        return;
    if (n > set->class_max[cls])
        set->class_max[cls] = n;
}

/* The id is now part of the file's history (see id_high). */
static void id_high_note(struct annot_set *set, const char *id)
{
    enum annot_class cls;
    unsigned long long n;
    if (id_class_number(id, &cls, &n) && n > set->id_high[cls])
        set->id_high[cls] = n;
}

/* Recomputes the table and class_max from the features. Never fails: without
 * memory the table is dropped and lookups scan. */
static void id_index_rebuild(struct annot_set *set)
{
    memset(set->class_max, 0, sizeof set->class_max);
    for (size_t i = 0; i < set->count; i++)
        class_max_note(set, set->features[i].id);
    set->id_index.key_of = feature_id;
    set->id_index.ctx = set;
    set->id_index_ok = idmap_reset(&set->id_index, set->count);
    for (size_t i = 0; set->id_index_ok && i < set->count; i++)
        set->id_index_ok = idmap_add(&set->id_index, set->features[i].id, i, NULL);
}

/* The feature just appended at count - 1. */
static void id_index_appended(struct annot_set *set)
{
    size_t index = set->count - 1;
    if (!set->id_index_ok) {
        id_index_rebuild(set);
        return;
    }
    class_max_note(set, set->features[index].id);
    set->id_index_ok = idmap_add(&set->id_index, set->features[index].id, index, NULL);
}

bool annot_index_of(const struct annot_set *set, const char *id, size_t *index)
{
    if (!id)
        return false;
    if (set->id_index_ok)
        return idmap_find(&set->id_index, id, index);
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->features[i].id, id) == 0) {
            if (index)
                *index = i;
            return true;
        }
    return false;
}

const struct annot_feature *annot_find(const struct annot_set *set, const char *id)
{
    size_t i;
    return annot_index_of(set, id, &i) ? &set->features[i] : NULL;
}

bool annot_new_id(const struct annot_set *set, enum annot_class cls, char *out, size_t cap,
                  struct diag *dg)
{
    const char *prefix = annot_class_name(cls);
    unsigned long long n = annot_next_id_number(set, cls);
    /* The largest number plus one is unused unless ids like "pier-01" exist. */
    for (;; n++) {
        int len = snprintf(out, cap, "%s-%llu", prefix, n);
        if (len < 0 || (size_t)len >= cap) {
            diag_error(dg, "id buffer too small");
            return false;
        }
        if (!annot_find(set, out))
            return true;
    }
}

unsigned long long annot_next_id_number(const struct annot_set *set, enum annot_class cls)
{
    int slot = (int)cls >= 0 && cls < ANNOT_CLASS_COUNT ? (int)cls : ANNOT_CLASS_OTHER;
    unsigned long long high = set->id_high[slot];
    return (set->class_max[slot] > high ? set->class_max[slot] : high) + 1;
}

bool annot_next_id_is_implied(const struct annot_set *set, enum annot_class cls)
{
    int slot = (int)cls >= 0 && cls < ANNOT_CLASS_COUNT ? (int)cls : ANNOT_CLASS_OTHER;
    return set->id_high[slot] <= set->class_max[slot];
}

void annot_reserve_id_number(struct annot_set *set, enum annot_class cls,
                             unsigned long long next)
{
    int slot = (int)cls >= 0 && cls < ANNOT_CLASS_COUNT ? (int)cls : ANNOT_CLASS_OTHER;
    if (next > 0 && next - 1 > set->id_high[slot])
        set->id_high[slot] = next - 1;
}

static bool reserve_features(struct annot_set *set, size_t need, struct diag *dg)
{
    if (need <= set->cap)
        return true;
    size_t cap = set->cap ? set->cap * 2 : 16;
    while (cap < need)
        cap *= 2;
    struct annot_feature *grown = realloc(set->features, cap * sizeof *grown);
    if (!grown)
        return oom(dg);
    set->features = grown;
    set->cap = cap;
    return true;
}

/* Inserts f (ownership moves into the set) at index. Capacity must be reserved. */
static void insert_at(struct annot_set *set, size_t index, struct annot_feature *f)
{
    memmove(&set->features[index + 1], &set->features[index],
            (set->count - index) * sizeof *set->features);
    set->features[index] = *f;
    set->count++;
    annot_feature_init(f);
    if (index == set->count - 1)
        id_index_appended(set);
    else
        id_index_rebuild(set);
}

/* Removes the feature at index, moving it into *out. */
static void remove_at(struct annot_set *set, size_t index, struct annot_feature *out)
{
    *out = set->features[index];
    memmove(&set->features[index], &set->features[index + 1],
            (set->count - index - 1) * sizeof *set->features);
    set->count--;
    id_index_rebuild(set);
}

static bool feature_label(const struct annot_feature *f, char *buf, size_t cap)
{
    snprintf(buf, cap, "feature %s", f->id && *f->id ? f->id : "(no id)");
    return true;
}

/* f's geometry passes annot_geometry_check (the message names f). */
static bool geometry_admissible(const struct annot_feature *f, struct diag *dg)
{
    if (annot_geometry_check(&f->geom, "feature", NULL))
        return true; /* the common case, without formatting a label */
    char what[160];
    feature_label(f, what, sizeof what);
    return annot_geometry_check(&f->geom, what, dg);
}

/* What every feature entering the set must pass: an id, not yet used, a
 * valid geometry. */
static bool feature_admissible(const struct annot_set *set, const struct annot_feature *f,
                               struct diag *dg)
{
    if (!f->id || !*f->id) {
        diag_error(dg, "feature %zu: missing id", set->count);
        return false;
    }
    if (annot_find(set, f->id)) {
        diag_error(dg, "feature %zu: duplicate id \"%s\"", set->count, f->id);
        return false;
    }
    return geometry_admissible(f, dg);
}

/* feature_admissible, and room for one more. */
static bool admit_feature(struct annot_set *set, const struct annot_feature *f, struct diag *dg)
{
    return feature_admissible(set, f, dg) && reserve_features(set, set->count + 1, dg);
}

bool annot_load_feature(struct annot_set *set, const struct annot_feature *f,
                        struct diag *dg)
{
    if (!admit_feature(set, f, dg))
        return false;
    struct annot_feature copy;
    if (!annot_feature_copy(&copy, f, dg))
        return false;
    annot_geometry_normalize_winding(&copy.geom);
    insert_at(set, set->count, &copy);
    id_high_note(set, set->features[set->count - 1].id);
    return true;
}

bool annot_adopt_feature(struct annot_set *set, struct annot_feature *f, struct diag *dg)
{
    if (!admit_feature(set, f, dg))
        return false;
    annot_geometry_normalize_winding(&f->geom);
    insert_at(set, set->count, f); /* moves f in and re-initialises it */
    return true;
}

bool annot_adopt_features(struct annot_set *set, struct annot_feature *features, size_t count,
                          struct idmap *ids, struct diag *dg)
{
    struct idmap given = {0};
    if (ids) {
        given = *ids;
        *ids = (struct idmap){0};
    }
    if (set->count != 0) {
        idmap_free(&given);
        diag_error(dg, "internal error: annot_adopt_features into a set that has features");
        return false;
    }
    struct annot_feature *own = set->features;
    size_t own_cap = set->cap;
    /* The array becomes the set's storage in place: one feature admitted at a
     * time, so the duplicate-id lookup sees exactly the features before it. */
    set->features = features;
    set->cap = count;
    /* A map of every id (idassign's) is the index as it is: each id was
     * checked and hashed once already. */
    bool indexed = given.slots && given.count == count;
    if (indexed) {
        idmap_free(&set->id_index);
        set->id_index = given;
        set->id_index.key_of = feature_id;
        set->id_index.ctx = set;
        set->id_index_ok = true;
        memset(set->class_max, 0, sizeof set->class_max);
    } else {
        idmap_free(&given);
        id_index_rebuild(set);
        if (set->id_index_ok) /* sized once: no rehash while growing */
            set->id_index_ok = idmap_reset(&set->id_index, count);
    }
    for (size_t i = 0; i < count; i++) {
        const struct annot_feature *f = &features[i];
        bool ok;
        if (indexed && f->id && *f->id && geometry_admissible(f, NULL)) {
            ok = true;
        } else if (indexed) {
            /* the message, in its order: the index also holds the features
             * after this one, so the duplicate check scans the ones before */
            set->id_index_ok = false;
            ok = feature_admissible(set, f, dg);
        } else if (set->id_index_ok && f->id && *f->id) {
            /* one probe of the index both checks and records the id */
            bool added = false;
            if (!geometry_admissible(f, NULL))
                ok = feature_admissible(set, f, dg); /* the message, in its order */
            else if (!(set->id_index_ok = idmap_add(&set->id_index, f->id, i, &added)) ||
                     !added)
                ok = feature_admissible(set, f, dg); /* no index (a scan), or a duplicate */
            else
                ok = true;
        } else if ((ok = feature_admissible(set, f, dg))) {
            set->count++;
            id_index_appended(set); /* notes the class number too */
            annot_geometry_normalize_winding(&features[i].geom);
            continue;
        }
        if (ok) {
            class_max_note(set, f->id);
            set->count++;
        } else {
            set->features = own;
            set->cap = own_cap;
            set->count = 0;
            id_index_rebuild(set);
            return false;
        }
        annot_geometry_normalize_winding(&features[i].geom);
    }
    free(own);
    return true;
}

/* ---- undo log ----------------------------------------------------------------------- */

static uint64_t current_state(const struct annot_set *set)
{
    return set->applied ? set->steps[set->applied - 1].state : set->base_state;
}

/* Appends a change to the open step; `before`/`after` ownership moves in. */
static bool record_change(struct annot_set *set, enum change_kind kind, size_t index,
                          struct annot_feature *before, struct annot_feature *after,
                          struct diag *dg)
{
    struct step *s = &set->open;
    if (s->nchanges == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        struct change *grown = realloc(s->changes, cap * sizeof *grown);
        if (!grown)
            return oom(dg);
        s->changes = grown;
        s->cap = cap;
    }
    struct change *c = &s->changes[s->nchanges++];
    c->kind = kind;
    c->index = index;
    annot_feature_init(&c->before);
    annot_feature_init(&c->after);
    if (before) {
        c->before = *before;
        annot_feature_init(before);
    }
    if (after) {
        c->after = *after;
        annot_feature_init(after);
    }
    return true;
}

/* Closes the open step (if it has changes) and pushes it on the log. */
static void commit_open_step(struct annot_set *set)
{
    if (set->open.nchanges == 0)
        return;
    drop_redo(set);
    if (set->nsteps == ANNOT_UNDO_MAX) {
        set->base_state = set->steps[0].state;
        step_clear(&set->steps[0]);
        memmove(&set->steps[0], &set->steps[1], (set->nsteps - 1) * sizeof *set->steps);
        set->nsteps--;
        set->applied--;
    }
    if (set->nsteps == set->steps_cap) {
        size_t cap = set->steps_cap ? set->steps_cap * 2 : 16;
        if (cap > ANNOT_UNDO_MAX)
            cap = ANNOT_UNDO_MAX;
        struct step *grown = realloc(set->steps, cap * sizeof *grown);
        if (!grown) {
            /* Cannot keep the step: the edit stays applied but is not undoable;
             * forget the history so undo never restores a wrong state. */
            step_clear(&set->open);
            annot_clear_history(set);
            set->base_state = set->next_state++;
            return;
        }
        set->steps = grown;
        set->steps_cap = cap;
    }
    set->open.state = set->next_state++;
    set->steps[set->nsteps++] = set->open;
    set->applied = set->nsteps;
    memset(&set->open, 0, sizeof set->open);
}

void annot_group_begin(struct annot_set *set)
{
    set->group_depth++;
}

void annot_group_end(struct annot_set *set)
{
    if (set->group_depth > 0 && --set->group_depth == 0)
        commit_open_step(set);
}

static void after_change(struct annot_set *set)
{
    set->generation++;
    if (set->group_depth == 0)
        commit_open_step(set);
}

/* Applies a change forwards (redo) or backwards (undo). Memory for the copies
 * is taken before anything moves, so a failure leaves the set unchanged. */
static bool apply_change(struct annot_set *set, const struct change *c, bool forward)
{
    struct diag *dg = NULL;
    enum change_kind kind = c->kind;
    if (!forward && kind == CHANGE_ADD)
        kind = CHANGE_DELETE;
    else if (!forward && kind == CHANGE_DELETE)
        kind = CHANGE_ADD;
    const struct annot_feature *target = forward ? &c->after : &c->before;
    struct annot_feature copy, old;
    switch (kind) {
    case CHANGE_ADD:
        if (!reserve_features(set, set->count + 1, dg) || !annot_feature_copy(&copy, target, dg))
            return false;
        insert_at(set, c->index, &copy);
        return true;
    case CHANGE_DELETE:
        remove_at(set, c->index, &old);
        annot_feature_clear(&old);
        return true;
    case CHANGE_MODIFY:
        if (!annot_feature_copy(&copy, target, dg))
            return false;
        bool renamed = strcmp(copy.id, set->features[c->index].id) != 0;
        annot_feature_clear(&set->features[c->index]);
        set->features[c->index] = copy;
        if (renamed)
            id_index_rebuild(set);
        return true;
    }
    return false;
}

bool annot_can_undo(const struct annot_set *set)
{
    return set->applied > 0;
}

bool annot_can_redo(const struct annot_set *set)
{
    return set->applied < set->nsteps;
}

bool annot_undo(struct annot_set *set)
{
    /* An open group is closed first so undo never splits it. */
    if (set->open.nchanges) {
        set->group_depth = 0;
        commit_open_step(set);
    }
    if (!annot_can_undo(set))
        return false;
    const struct step *s = &set->steps[set->applied - 1];
    for (size_t i = s->nchanges; i-- > 0;)
        if (!apply_change(set, &s->changes[i], false)) {
            /* Out of memory midway: redo what was undone to stay consistent. */
            for (size_t k = i + 1; k < s->nchanges; k++)
                apply_change(set, &s->changes[k], true);
            return false;
        }
    set->applied--;
    set->generation++;
    return true;
}

bool annot_redo(struct annot_set *set)
{
    if (set->open.nchanges || !annot_can_redo(set))
        return false;
    const struct step *s = &set->steps[set->applied];
    for (size_t i = 0; i < s->nchanges; i++)
        if (!apply_change(set, &s->changes[i], true)) {
            for (size_t k = i; k-- > 0;)
                apply_change(set, &s->changes[k], false);
            return false;
        }
    set->applied++;
    set->generation++;
    return true;
}

uint64_t annot_generation(const struct annot_set *set)
{
    return set->generation;
}

bool annot_is_dirty(const struct annot_set *set)
{
    return set->meta_dirty || set->open.nchanges > 0 || current_state(set) != set->saved_state;
}

void annot_mark_saved(struct annot_set *set)
{
    set->saved_state = current_state(set);
    for (size_t i = 0; i < set->count; i++)
        id_high_note(set, set->features[i].id);
    set->meta_dirty = false;
}

/* ---- edits --------------------------------------------------------------------------- */

static void stamp_modified(struct annot_set *set, struct annot_feature *f)
{
    char now[21];
    set->clock(now, set->clock_ctx);
    now[20] = '\0';
    char *copy;
    if (dup_string(&copy, now, NULL)) {
        free(f->modified);
        f->modified = copy;
    }
}

bool annot_add(struct annot_set *set, const struct annot_feature *f, size_t *index,
               struct diag *dg)
{
    struct annot_feature nf;
    if (!annot_feature_copy(&nf, f, dg))
        return false;
    if ((int)nf.cls < 0 || nf.cls >= ANNOT_CLASS_COUNT)
        nf.cls = ANNOT_CLASS_OTHER;
    bool ok = true;
    if (!nf.id || !*nf.id) {
        char id[96];
        ok = annot_new_id(set, nf.cls, id, sizeof id, dg) && replace_string(&nf.id, id, dg);
    } else if (diag_has_control(nf.id)) {
        /* ids are printed and used as names: no terminal escapes, no newlines */
        diag_error(dg, "id \"%s\" contains control characters", nf.id);
        ok = false;
    } else if (annot_find(set, nf.id)) {
        diag_error(dg, "id \"%s\" is already used in this file", nf.id);
        ok = false;
    }
    if (ok && !nf.label)
        ok = replace_string(&nf.label, "", dg);
    if (ok && !nf.note)
        ok = replace_string(&nf.note, "", dg);
    if (ok && !nf.author)
        ok = replace_string(&nf.author, set->author ? set->author : "", dg);
    char what[160];
    feature_label(&nf, what, sizeof what);
    if (ok)
        ok = annot_geometry_check(&nf.geom, what, dg);
    if (ok)
        ok = reserve_features(set, set->count + 1, dg);
    struct annot_feature logged;
    annot_feature_init(&logged);
    if (ok) {
        annot_geometry_normalize_winding(&nf.geom);
        if (!nf.modified)
            stamp_modified(set, &nf);
        if (!nf.created)
            ok = dup_string(&nf.created, nf.modified, dg);
    }
    if (ok)
        ok = annot_feature_copy(&logged, &nf, dg) &&
             record_change(set, CHANGE_ADD, set->count, NULL, &logged, dg);
    if (!ok) {
        annot_feature_clear(&nf);
        annot_feature_clear(&logged);
        return false;
    }
    if (index)
        *index = set->count;
    insert_at(set, set->count, &nf);
    after_change(set);
    return true;
}

bool annot_delete(struct annot_set *set, const char *id, struct diag *dg)
{
    size_t index;
    if (!annot_index_of(set, id, &index)) {
        diag_error(dg, "no feature with id \"%s\"", id ? id : "");
        return false;
    }
    struct annot_feature old;
    remove_at(set, index, &old);
    if (!record_change(set, CHANGE_DELETE, index, &old, NULL, dg)) {
        reserve_features(set, set->count + 1, NULL); /* the slot was just freed: cannot fail */
        insert_at(set, index, &old);
        return false;
    }
    after_change(set);
    return true;
}

/* Starts a modification: *work becomes a copy of the feature to change. */
static bool modify_begin(struct annot_set *set, const char *id, size_t *index,
                         struct annot_feature *work, struct diag *dg)
{
    if (!annot_index_of(set, id, index)) {
        diag_error(dg, "no feature with id \"%s\"", id ? id : "");
        annot_feature_init(work);
        return false;
    }
    return annot_feature_copy(work, &set->features[*index], dg);
}

/* Finishes a modification: checks, stamps `modified`, logs and installs *work
 * (ownership moves in). On failure the set is unchanged and *work freed. */
static bool modify_commit(struct annot_set *set, size_t index, struct annot_feature *work,
                          struct diag *dg)
{
    char what[160];
    feature_label(work, what, sizeof what);
    if (!annot_geometry_check(&work->geom, what, dg)) {
        annot_feature_clear(work);
        return false;
    }
    annot_geometry_normalize_winding(&work->geom);
    stamp_modified(set, work);
    struct annot_feature before, after;
    if (!annot_feature_copy(&after, work, dg)) {
        annot_feature_clear(work);
        return false;
    }
    before = set->features[index];
    bool renamed = strcmp(before.id, work->id) != 0;
    if (!record_change(set, CHANGE_MODIFY, index, &before, &after, dg)) {
        annot_feature_clear(&after);
        annot_feature_clear(work);
        return false;
    }
    set->features[index] = *work;
    annot_feature_init(work);
    if (renamed)
        id_index_rebuild(set);
    after_change(set);
    return true;
}

bool annot_replace(struct annot_set *set, const char *id, const struct annot_feature *f,
                   struct diag *dg)
{
    size_t index;
    if (!annot_index_of(set, id, &index)) {
        diag_error(dg, "no feature with id \"%s\"", id ? id : "");
        return false;
    }
    if (f->id && *f->id && strcmp(f->id, id) != 0 && annot_find(set, f->id)) {
        diag_error(dg, "id \"%s\" is already used in this file", f->id);
        return false;
    }
    struct annot_feature work;
    if (!annot_feature_copy(&work, f, dg))
        return false;
    const struct annot_feature *old = &set->features[index];
    bool ok = true;
    if (!work.id || !*work.id)
        ok = replace_string(&work.id, old->id, dg);
    if (ok)
        ok = replace_string(&work.created, old->created, dg);
    if (ok && !work.label)
        ok = replace_string(&work.label, "", dg);
    if (ok && !work.note)
        ok = replace_string(&work.note, "", dg);
    if (ok && !work.author)
        ok = replace_string(&work.author, old->author, dg);
    if ((int)work.cls < 0 || work.cls >= ANNOT_CLASS_COUNT)
        work.cls = ANNOT_CLASS_OTHER;
    if (!ok) {
        annot_feature_clear(&work);
        return false;
    }
    return modify_commit(set, index, &work, dg);
}

enum text_field { TEXT_LABEL, TEXT_NOTE };

/* Sets the label or the note of feature id to text (NULL = ""), undoably. */
static bool edit_text(struct annot_set *set, const char *id, enum text_field which,
                      const char *text, struct diag *dg)
{
    size_t index;
    struct annot_feature work;
    if (!modify_begin(set, id, &index, &work, dg))
        return false;
    char **field = which == TEXT_LABEL ? &work.label : &work.note;
    if (!replace_string(field, text ? text : "", dg)) {
        annot_feature_clear(&work);
        return false;
    }
    return modify_commit(set, index, &work, dg);
}

bool annot_edit_label(struct annot_set *set, const char *id, const char *label,
                      struct diag *dg)
{
    return edit_text(set, id, TEXT_LABEL, label, dg);
}

bool annot_edit_note(struct annot_set *set, const char *id, const char *note,
                     struct diag *dg)
{
    return edit_text(set, id, TEXT_NOTE, note, dg);
}

bool annot_edit_class(struct annot_set *set, const char *id, enum annot_class cls,
                      struct diag *dg)
{
    if ((int)cls < 0 || cls >= ANNOT_CLASS_COUNT) {
        diag_error(dg, "class %d out of range", (int)cls);
        return false;
    }
    size_t index;
    struct annot_feature work;
    if (!modify_begin(set, id, &index, &work, dg))
        return false;
    work.cls = cls;
    annot_text_free(work.class_text); /* the user chose the class: write its canonical name */
    work.class_text = NULL;
    return modify_commit(set, index, &work, dg);
}

bool annot_edit_geometry(struct annot_set *set, const char *id,
                         const struct annot_geometry *g, struct diag *dg)
{
    size_t index;
    struct annot_feature work;
    if (!modify_begin(set, id, &index, &work, dg))
        return false;
    struct annot_geometry copy;
    if (!annot_geometry_copy(&copy, g, dg)) {
        annot_feature_clear(&work);
        return false;
    }
    annot_geometry_clear(&work.geom);
    work.geom = copy;
    return modify_commit(set, index, &work, dg);
}

static void move_geometry(struct annot_geometry *g, double dlon, double dlat)
{
    for (size_t i = 0; i < g->nparts; i++)
        for (size_t k = 0; k < g->parts[i].n; k++) {
            g->parts[i].pts[k].lon += dlon;
            g->parts[i].pts[k].lat += dlat;
        }
    for (size_t i = 0; i < g->nmembers; i++)
        move_geometry(&g->members[i], dlon, dlat);
}

bool annot_edit_move(struct annot_set *set, const char *id, double dlon, double dlat,
                     struct diag *dg)
{
    if (!isfinite(dlon) || !isfinite(dlat)) {
        diag_error(dg, "move by a non-finite offset");
        return false;
    }
    size_t index;
    struct annot_feature work;
    if (!modify_begin(set, id, &index, &work, dg))
        return false;
    move_geometry(&work.geom, dlon, dlat);
    return modify_commit(set, index, &work, dg);
}

/* Starts an edit of vertex `index` of flat part `part` of feature id
 * (index may be up to `extra` past the last position, for insertion): the
 * working copy goes to *work and *fi (modify_begin), the part's geometry to
 * *owner. NULL with the reason on dg (and nothing to clean up) when the
 * feature, part or position does not exist. */
static struct annot_part *vertex_edit_begin(struct annot_set *set, const char *id, size_t part,
                                            size_t index, size_t extra, size_t *fi,
                                            struct annot_feature *work,
                                            struct annot_geometry **owner, struct diag *dg)
{
    if (!modify_begin(set, id, fi, work, dg))
        return NULL;
    struct annot_part *p = annot_geometry_flat_part(&work->geom, part, owner);
    if (!p)
        diag_error(dg, "feature %s: no part %zu", work->id, part);
    else if (index >= p->n + extra)
        diag_error(dg, "feature %s: part %zu has no position %zu", work->id, part, index);
    else
        return p;
    annot_feature_clear(work);
    return NULL;
}

bool annot_edit_set_vertex(struct annot_set *set, const char *id, size_t part, size_t index,
                           struct annot_lonlat pos, struct diag *dg)
{
    size_t fi;
    struct annot_feature work;
    struct annot_geometry *owner;
    struct annot_part *p = vertex_edit_begin(set, id, part, index, 0, &fi, &work, &owner, dg);
    if (!p)
        return false;
    p->pts[index] = pos;
    if (annot_geometry_is_ring_type(owner->type) && (index == 0 || index == p->n - 1)) {
        p->pts[0] = pos;
        p->pts[p->n - 1] = pos;
    }
    return modify_commit(set, fi, &work, dg);
}

bool annot_edit_insert_vertex(struct annot_set *set, const char *id, size_t part,
                              size_t index, struct annot_lonlat pos, struct diag *dg)
{
    size_t fi;
    struct annot_feature work;
    struct annot_geometry *owner;
    struct annot_part *p = vertex_edit_begin(set, id, part, index, 1, &fi, &work, &owner, dg);
    if (!p)
        return false;
    bool ok = true;
    if (owner->type == ANNOT_GEOM_POINT) {
        diag_error(dg, "feature %s: a Point has exactly one position", work.id);
        ok = false;
    }
    if (ok && annot_geometry_is_ring_type(owner->type) && (index == 0 || index >= p->n)) {
        diag_error(dg, "feature %s: insert into a ring between positions 1 and %zu", work.id,
                   p->n - 1);
        ok = false;
    }
    if (ok) {
        struct annot_lonlat *pts = realloc(p->pts, (p->n + 1) * sizeof *pts);
        if (!pts)
            ok = oom(dg);
        else
            p->pts = pts;
    }
    if (ok && p->alt) {
        double *alt = realloc(p->alt, (p->n + 1) * sizeof *alt);
        if (!alt)
            ok = oom(dg);
        else
            p->alt = alt;
    }
    size_t ne = p->extra ? p->nextra : 0;
    if (ok && ne) {
        double *extra = realloc(p->extra, (p->n + 1) * ne * sizeof *extra);
        if (!extra)
            ok = oom(dg);
        else
            p->extra = extra;
    }
    if (!ok) {
        annot_feature_clear(&work);
        return false;
    }
    memmove(&p->pts[index + 1], &p->pts[index], (p->n - index) * sizeof *p->pts);
    p->pts[index] = pos;
    if (p->alt) {
        memmove(&p->alt[index + 1], &p->alt[index], (p->n - index) * sizeof *p->alt);
        p->alt[index] = index > 0 ? p->alt[index - 1] : p->alt[index + 1];
    }
    if (ne) { /* the new position takes its neighbour's extra numbers, like the altitude */
        memmove(&p->extra[(index + 1) * ne], &p->extra[index * ne],
                (p->n - index) * ne * sizeof *p->extra);
        memcpy(&p->extra[index * ne], &p->extra[(index > 0 ? index - 1 : index + 1) * ne],
               ne * sizeof *p->extra);
    }
    p->n++;
    return modify_commit(set, fi, &work, dg);
}

bool annot_edit_remove_vertex(struct annot_set *set, const char *id, size_t part,
                              size_t index, struct diag *dg)
{
    size_t fi;
    struct annot_feature work;
    struct annot_geometry *owner;
    struct annot_part *p = vertex_edit_begin(set, id, part, index, 0, &fi, &work, &owner, dg);
    if (!p)
        return false;
    bool ring = annot_geometry_is_ring_type(owner->type);
    size_t min_n = ring ? 4 : owner->type == ANNOT_GEOM_MULTIPOINT ? 1
                          : owner->type == ANNOT_GEOM_POINT       ? 1
                                                                  : 2;
    if (p->n - 1 < min_n || owner->type == ANNOT_GEOM_POINT) {
        diag_error(dg, "feature %s: part %zu cannot lose a position (it has %zu)", work.id,
                   part, p->n);
        annot_feature_clear(&work);
        return false;
    }
    if (ring && index == p->n - 1)
        index = 0;
    memmove(&p->pts[index], &p->pts[index + 1], (p->n - index - 1) * sizeof *p->pts);
    if (p->alt)
        memmove(&p->alt[index], &p->alt[index + 1], (p->n - index - 1) * sizeof *p->alt);
    size_t ne = p->extra ? p->nextra : 0;
    if (ne)
        memmove(&p->extra[index * ne], &p->extra[(index + 1) * ne],
                (p->n - index - 1) * ne * sizeof *p->extra);
    p->n--;
    if (ring && index == 0) {
        p->pts[p->n - 1] = p->pts[0];
        if (p->alt)
            p->alt[p->n - 1] = p->alt[0];
        if (ne)
            memcpy(&p->extra[(p->n - 1) * ne], p->extra, ne * sizeof *p->extra);
    }
    return modify_commit(set, fi, &work, dg);
}

static bool find_link(const struct annot_feature *f, const char *claim, size_t *at)
{
    for (size_t i = 0; i < f->nclaims; i++)
        if (strcmp(f->claims[i].claim, claim) == 0) {
            *at = i;
            return true;
        }
    return false;
}

bool annot_edit_add_claim(struct annot_set *set, const char *id, const char *claim,
                          enum annot_stance stance, struct diag *dg)
{
    if (!claim || !*claim) {
        diag_error(dg, "empty claim id");
        return false;
    }
    if ((int)stance < 0 || stance >= ANNOT_STANCE_COUNT) {
        diag_error(dg, "stance %d out of range", (int)stance);
        return false;
    }
    size_t index, at;
    struct annot_feature work;
    if (!modify_begin(set, id, &index, &work, dg))
        return false;
    if (find_link(&work, claim, &at)) {
        work.claims[at].stance = stance;
    } else {
        struct annot_claim_link *grown =
            realloc(work.claims, (work.nclaims + 1) * sizeof *grown);
        char *copy = NULL;
        if (grown)
            work.claims = grown;
        if (!grown || !dup_string(&copy, claim, dg)) {
            if (!grown)
                oom(dg);
            annot_feature_clear(&work);
            return false;
        }
        work.claims[work.nclaims].claim = copy;
        work.claims[work.nclaims].stance = stance;
        work.nclaims++;
    }
    return modify_commit(set, index, &work, dg);
}

/* modify_begin for an edit of an existing claim link: also finds the link's
 * index in *at, failing (with work cleared) when the feature does not link it. */
static bool modify_begin_link(struct annot_set *set, const char *id, const char *claim,
                              size_t *index, struct annot_feature *work, size_t *at,
                              struct diag *dg)
{
    if (!modify_begin(set, id, index, work, dg))
        return false;
    if (!claim || !find_link(work, claim, at)) {
        diag_error(dg, "feature %s does not link claim \"%s\"", work->id, claim ? claim : "");
        annot_feature_clear(work);
        return false;
    }
    return true;
}

bool annot_edit_remove_claim(struct annot_set *set, const char *id, const char *claim,
                             struct diag *dg)
{
    size_t index, at;
    struct annot_feature work;
    if (!modify_begin_link(set, id, claim, &index, &work, &at, dg))
        return false;
    free(work.claims[at].claim);
    memmove(&work.claims[at], &work.claims[at + 1],
            (work.nclaims - at - 1) * sizeof *work.claims);
    work.nclaims--;
    return modify_commit(set, index, &work, dg);
}

bool annot_edit_cycle_stance(struct annot_set *set, const char *id, const char *claim,
                             struct diag *dg)
{
    size_t index, at;
    struct annot_feature work;
    if (!modify_begin_link(set, id, claim, &index, &work, &at, dg))
        return false;
    work.claims[at].stance = (enum annot_stance)((work.claims[at].stance + 1) % ANNOT_STANCE_COUNT);
    return modify_commit(set, index, &work, dg);
}

static bool same_string(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool annot_edit_add_observation(struct annot_set *set, const char *id,
                                const struct annot_observation *obs, struct diag *dg)
{
    if (!obs->image || !*obs->image) {
        diag_error(dg, "observation without an image name");
        return false;
    }
    size_t index;
    struct annot_feature work;
    if (!modify_begin(set, id, &index, &work, dg))
        return false;
    for (size_t i = 0; i < work.nobs; i++)
        if (same_string(work.obs[i].image, obs->image) &&
            same_string(work.obs[i].sha256, obs->sha256)) {
            annot_feature_clear(&work);
            return true;
        }
    struct annot_observation *grown = realloc(work.obs, (work.nobs + 1) * sizeof *grown);
    if (!grown) {
        annot_feature_clear(&work);
        return oom(dg);
    }
    work.obs = grown;
    struct annot_observation *o = &work.obs[work.nobs];
    memset(o, 0, sizeof *o);
    work.nobs++;
    if (!dup_string(&o->image, obs->image, dg) ||
        !dup_string(&o->sha256, obs->sha256 ? obs->sha256 : "", dg) ||
        !dup_string(&o->acquired, obs->acquired ? obs->acquired : "", dg)) {
        annot_feature_clear(&work);
        return false;
    }
    return modify_commit(set, index, &work, dg);
}
