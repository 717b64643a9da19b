/*
 * annot — the annotation feature set and its edit operations with an undo log.
 *
 * An annotation is a geographic fact: a geometry in WGS84 lon/lat (degrees,
 * axis order lon then lat, RFC 7946), a class, a label, the images it was
 * observed on and the claims it bears on. Images are only backdrops; nothing
 * here knows about pixels.
 *
 * Geometry (struct annot_geometry and its functions): annot_geometry.h.
 *
 * Invariants of a set: feature ids are non-empty and unique; every feature's
 * geometry passed annot_geometry_check. Edits go through functions below; each
 * records an undo step (a copy of the feature before and after), bumps the
 * generation counter, and refreshes the feature's `modified` time from the
 * set's clock. The set owns every string and array reachable from a feature;
 * pointers returned by accessors are borrowed until the next edit, undo, redo
 * or free of the set.
 */
#ifndef SATMARK_ANNOT_H
#define SATMARK_ANNOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annot_geometry.h"
#include "diag.h"

/* Classes in legend order (the order of assets/style.json). */
enum annot_class {
    ANNOT_CLASS_PIER,
    ANNOT_CLASS_SHIP,
    ANNOT_CLASS_CONTAINER_STACK,
    ANNOT_CLASS_MUNITIONS_PIT,
    ANNOT_CLASS_RAIL,
    ANNOT_CLASS_CRANE,
    ANNOT_CLASS_BUILDING,
    ANNOT_CLASS_AOI,
    ANNOT_CLASS_OTHER,
    ANNOT_CLASS_COUNT
};

/* "pier", "ship", "container_stack", ...; static string; "other" for out-of-range values. */
const char *annot_class_name(enum annot_class cls);
/* Parses a class name: the canonical name, or any spelling that differs only
 * in case or in ' '/'-' for '_' ("Munitions pit"), or an alias of the list in
 * annot.c (documented in docs/formats.md: "pit", "containers", "vessel"...),
 * also case-insensitively. Returns false (out untouched) when unknown. */
bool annot_class_from_name(const char *name, enum annot_class *out);
/* The alias table: alias i (lowercase) and the class it names; NULL past the
 * end. For help texts and docs. */
const char *annot_class_alias(size_t i, enum annot_class *cls);

enum annot_stance {
    ANNOT_STANCE_SUPPORTS,
    ANNOT_STANCE_CONTRADICTS,
    ANNOT_STANCE_CONTEXT,
    ANNOT_STANCE_COUNT
};

/* "supports", "contradicts", "context"; static string. */
const char *annot_stance_name(enum annot_stance stance);
bool annot_stance_from_name(const char *name, enum annot_stance *out);

struct annot_observation {
    char *image;    /* file name of the tile (no directory) */
    char *sha256;   /* 64 lowercase hex digits, or "" when unknown */
    char *acquired; /* "YYYY-MM-DD" or ISO 8601 time, or "" when unknown */
};

struct annot_claim_link {
    char *claim; /* claim id in the catalog */
    enum annot_stance stance;
};

struct annot_feature {
    char *id;
    enum annot_class cls;
    /* The feature had no id of its own (the Feature's "id" member) and the
     * reader took its "id" property instead, as a detector's or a GIS's
     * export writes it (issue 14). The property stays in extra_properties. */
    bool id_from_properties;
    char *label;
    struct annot_geometry geom;
    size_t nobs;
    struct annot_observation *obs;
    size_t nclaims;
    struct annot_claim_link *claims;
    char *note;
    char *created;  /* "YYYY-MM-DDTHH:MM:SSZ" or NULL (JSON null) */
    char *modified; /* as created */
    char *author;
    /* Properties satmark does not know, kept and written back unchanged:
     * compact JSON object text ("{...}") or NULL when there are none. */
    char *extra_properties;
    /* Foreign members of the Feature object (RFC 7946 §6.1) other than
     * type, id, geometry, properties and bbox: JSON object text or NULL. */
    char *extra_members;
    /* The "class" string as the file wrote it when that is not the canonical
     * name of cls ("Ship", "pit", or "tank" read as other), else NULL. Written
     * back as long as it still names cls (annot_feature_class_text), so a value
     * the reader did not understand is never overwritten. */
    char *class_text;
};

/* ---- plain data helpers (no set involved) ---------------------------------- */

/* "" shared by the features a reader builds (an empty label, note, author,
 * an observation's unknown sha256 or date) instead of one allocation each:
 * with a million features those are ~100 MB of 32-byte blocks. It is
 * read-only memory, never written and never freed: annot_feature_clear and
 * annot_text_free leave it alone. annot_feature_copy gives a copy its own
 * malloc'd strings, so code that edits a copy may free and replace them. */
char *annot_shared_empty(void);
/* free(s) unless s is annot_shared_empty(); accepts NULL. */
void annot_text_free(char *s);

/* Zeroes f (all pointers NULL, class other, geometry None). */
void annot_feature_init(struct annot_feature *f);
/* Frees everything f owns and re-initialises it; accepts NULL. */
void annot_feature_clear(struct annot_feature *f);
/* Deep copy of src into dst (dst is overwritten, not freed first). NULL strings
 * in src stay NULL. Returns false on out of memory (dst left initialised). */
bool annot_feature_copy(struct annot_feature *dst, const struct annot_feature *src,
                        struct diag *dg);

/* The class string to write for f: f->class_text while it still names f->cls
 * (or, when it names no class, while f->cls is other), else the canonical
 * name. Borrowed from f or static. */
const char *annot_feature_class_text(const struct annot_feature *f);

/* ---- the set --------------------------------------------------------------- */

struct annot_set;

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out. */
typedef void (*annot_clock_fn)(char out[21], void *ctx);

/* New, empty set (clean, generation 0, system clock); free with annot_set_free.
 * Returns NULL only on out of memory. */
struct annot_set *annot_set_new(void);
/* Frees the set, its features and its undo log; accepts NULL. */
void annot_set_free(struct annot_set *set);

/* Replaces the clock used for created/modified (tests inject a fixed one).
 * fn NULL restores the system clock. ctx is borrowed for the set's lifetime. */
void annot_set_clock(struct annot_set *set, annot_clock_fn fn, void *ctx);
/* Default author for features added without one (borrowed, copied). */
bool annot_set_author(struct annot_set *set, const char *author, struct diag *dg);

/* File-level metadata (the "satmark" foreign member): site and title, "" when
 * absent; borrowed until the next change. Setting them is not an undoable edit
 * but bumps the generation and makes the set dirty. */
const char *annot_set_site(const struct annot_set *set);
const char *annot_set_title(const struct annot_set *set);
bool annot_set_meta(struct annot_set *set, const char *site, const char *title,
                    struct diag *dg);
/* Foreign members of the FeatureCollection other than type, features, bbox and
 * satmark, as JSON object text, or NULL; borrowed. Kept for round trips. */
const char *annot_set_extra_members(const struct annot_set *set);
/* Takes a copy of json (object text or NULL). */
bool annot_set_set_extra_members(struct annot_set *set, const char *json, struct diag *dg);

size_t annot_count(const struct annot_set *set);
/* Feature i (0-based, file order); borrowed until the next change of the set. */
const struct annot_feature *annot_get(const struct annot_set *set, size_t i);
/* Feature with that id or NULL; borrowed as above. */
const struct annot_feature *annot_find(const struct annot_set *set, const char *id);
/* Index of the feature with that id; false when absent. */
bool annot_index_of(const struct annot_set *set, const char *id, size_t *index);

/* A new id "<class>-<n>", n = annot_next_id_number: one more than the largest
 * n of that class the file has ever held (its features, ids it held before
 * they were deleted in this session, and the high-water mark read from the
 * file's "next_ids"), so an id is never reused within a file's history.
 * Written into out (cap bytes). */
bool annot_new_id(const struct annot_set *set, enum annot_class cls, char *out, size_t cap,
                  struct diag *dg);
/* The n the next generated "<class>-<n>" id starts from (>= 1). */
unsigned long long annot_next_id_number(const struct annot_set *set, enum annot_class cls);
/* True when annot_next_id_number follows from the current features alone
 * (then a writer need not record it). */
bool annot_next_id_is_implied(const struct annot_set *set, enum annot_class cls);
/* Raises the high-water mark so that the next generated id of cls is at least
 * "<class>-<next>" (readers call it with the file's "next_ids"); never lowers
 * it. Not an edit: no undo step, dirty state unchanged. */
void annot_reserve_id_number(struct annot_set *set, enum annot_class cls,
                             unsigned long long next);

/* Loading: appends a copy of f exactly as given (no undo step, no timestamps,
 * no id generation, generation and dirty state unchanged). Used by readers.
 * Fails on an empty or duplicate id or a geometry failing annot_geometry_check. */
bool annot_load_feature(struct annot_set *set, const struct annot_feature *f,
                        struct diag *dg);
/* As annot_load_feature, but what f owns moves into the set (no copy; f is
 * left initialised on success, untouched on failure). For readers of large
 * files, where the copy doubled the peak memory. */
bool annot_adopt_feature(struct annot_set *set, struct annot_feature *f, struct diag *dg);
/* As annot_adopt_feature for a whole array at once, into a set without
 * features: on success the set takes `features` itself (allocated with malloc,
 * exactly `count` elements, or NULL when count is 0) as its storage, so no
 * second array exists at any time (a million features: ~150 MB saved at the
 * peak). On failure (the first missing or duplicate id or bad geometry, on
 * dg) nothing is taken: the array and its features remain the caller's, their
 * rings possibly rewound. ids, when not NULL, is idassign_settle's map of
 * every feature's id to its index (ids unique): the set takes it over as its
 * id index instead of hashing every id again; *ids is left empty either way. */
struct idmap;
bool annot_adopt_features(struct annot_set *set, struct annot_feature *features, size_t count,
                          struct idmap *ids, struct diag *dg);

/* ---- edits (each one undoable) --------------------------------------------- */

/* Adds a copy of f at the end. A NULL or empty id gets annot_new_id; NULL
 * label/note become ""; NULL author becomes the set's author; created and
 * modified are set from the clock when NULL. The geometry is checked and
 * rewound. On success *index (if not NULL) is the new feature's index. */
bool annot_add(struct annot_set *set, const struct annot_feature *f, size_t *index,
               struct diag *dg);
/* Replaces the feature with id `id` by a copy of f, keeping `id` unless f->id
 * is non-empty and different (then it must be unused), keeping `created`,
 * refreshing `modified`. */
bool annot_replace(struct annot_set *set, const char *id, const struct annot_feature *f,
                   struct diag *dg);
bool annot_delete(struct annot_set *set, const char *id, struct diag *dg);

/* Single-field edits; strings are borrowed and copied. */
bool annot_edit_label(struct annot_set *set, const char *id, const char *label,
                      struct diag *dg);
bool annot_edit_note(struct annot_set *set, const char *id, const char *note,
                     struct diag *dg);
bool annot_edit_class(struct annot_set *set, const char *id, enum annot_class cls,
                      struct diag *dg);
/* Replaces the geometry with a checked, rewound copy of g. */
bool annot_edit_geometry(struct annot_set *set, const char *id,
                         const struct annot_geometry *g, struct diag *dg);
/* Moves every position by (dlon, dlat) degrees; fails (nothing changed) when a
 * position would leave the valid range. */
bool annot_edit_move(struct annot_set *set, const char *id, double dlon, double dlat,
                     struct diag *dg);
/* Sets position `index` of part `part` (for a collection: of the flattened
 * parts of all members, in order). On a ring, index 0 and n-1 move together. */
bool annot_edit_set_vertex(struct annot_set *set, const char *id, size_t part, size_t index,
                           struct annot_lonlat pos, struct diag *dg);
/* Inserts a position before `index` (index == n appends; on a ring index is in
 * [1, n-1]); removes a position (refused when the part would become too short). */
bool annot_edit_insert_vertex(struct annot_set *set, const char *id, size_t part,
                              size_t index, struct annot_lonlat pos, struct diag *dg);
bool annot_edit_remove_vertex(struct annot_set *set, const char *id, size_t part,
                              size_t index, struct diag *dg);
/* Adds a claim link, or changes its stance when the feature already links it. */
bool annot_edit_add_claim(struct annot_set *set, const char *id, const char *claim,
                          enum annot_stance stance, struct diag *dg);
bool annot_edit_remove_claim(struct annot_set *set, const char *id, const char *claim,
                             struct diag *dg);
/* supports -> contradicts -> context -> supports. */
bool annot_edit_cycle_stance(struct annot_set *set, const char *id, const char *claim,
                             struct diag *dg);
/* Appends an observation (copied); an identical one (same image and sha256)
 * is not duplicated (then no undo step is recorded). */
bool annot_edit_add_observation(struct annot_set *set, const char *id,
                                const struct annot_observation *obs, struct diag *dg);

/* Groups the edits between begin and end into one undo step (e.g. a vertex
 * drag, or a CLI edit changing several fields). Groups nest; only the
 * outermost end closes the step. An empty group records nothing. */
void annot_group_begin(struct annot_set *set);
void annot_group_end(struct annot_set *set);

/* Undo/redo one step; false when there is nothing to undo/redo. A new edit
 * after undo discards the redo steps. The log keeps at most ANNOT_UNDO_MAX
 * steps (the oldest are dropped). */
#define ANNOT_UNDO_MAX 1000
bool annot_undo(struct annot_set *set);
bool annot_redo(struct annot_set *set);
bool annot_can_undo(const struct annot_set *set);
bool annot_can_redo(const struct annot_set *set);
/* Forgets all undo/redo steps. */
void annot_clear_history(struct annot_set *set);

/* Increases on every change (edit, undo, redo, metadata); a viewer redraws
 * when it differs from the value it last drew. */
uint64_t annot_generation(const struct annot_set *set);
/* True when the content differs from the state last marked saved (undoing back
 * to the saved state makes it clean again). A new set is clean. */
bool annot_is_dirty(const struct annot_set *set);
/* Marks the current state as saved (call after a successful gjwrite_file). */
void annot_mark_saved(struct annot_set *set);

#endif
