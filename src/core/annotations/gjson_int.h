/*
 * gjson_int — what the gjson*.c files (the annotation GeoJSON reader)
 * share, and nothing else: the reader's state and the functions more than
 * one of them calls. Only gjson*.c include it; everyone else uses gjson.h.
 *
 * The files:
 *   gjson.c           the document: streaming or whole-tree read, the
 *                     FeatureCollection and its satmark members, ids, entry
 *                     points;
 *   gjson_feature.c   one Feature: id, properties (class, label, claims,
 *                     observations, times), foreign members kept;
 *   gjson_geometry.c  RFC 7946 geometry (positions, rings, winding, 3D and
 *                     4D positions, collections), bbox and forbidden members;
 *   gjson_report.c    the JSON path being read, and errors and warnings
 *                     located by line:column (warnings capped per kind).
 *
 * Invariants: every error goes through gjson_fail and every warning through
 * gjson_warn, with the reader's path pointing at the value concerned (push
 * with gjson_path_key/gjson_path_index, pop after), so each message names
 * file:line:column and the feature; a function that returns false has
 * recorded an error on r->dg.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#ifndef SATMARK_GJSON_INT_H
#define SATMARK_GJSON_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "gjson.h"
#include "jsontext.h"

/* Warnings of one kind (one format string) shown before the rest are counted. */
#define GJSON_WARN_PER_KIND 20
#define GJSON_WARN_KINDS 32

struct warn_kind {
    const char *fmt; /* identity of the kind; NULL: free slot */
    size_t shown, suppressed;
    char example[96]; /* the first one's message, for the summary line */
};

struct reader {
    const char *name;
    const char *text;
    size_t len;
    struct diag *dg;
    struct jsontext_path path;
    /* The value being read is text[base, base + span), reached by the path's
     * first `origin` steps (0, len, 0 for the whole document). */
    size_t base, span, origin;
    struct jsontext_cursor base_cursor; /* line:column of text[base], valid when base_known */
    bool base_known;
    struct jsontext_cursor cursor;      /* monotonic: the furthest base located so far */
    struct warn_kind kinds[GJSON_WARN_KINDS];
    struct gjson_stats *stats;      /* NULL, or operation counts to add to */
    /* Streaming read: the features array is text[features_start, features_end)
     * and the parsed root has "features": [] in its place. */
    bool streaming;
    size_t features_start, features_end;
    bool in_feature;
    size_t feature_index;
    const char *feature_id; /* borrowed from the JSON tree, may be NULL */
    bool warned_4d;
    bool warned_jump; /* once per feature */
};


/* ---- defined in gjson_report.c ---- */

/* Push a member key (borrowed until popped) or an array index on r's path. */
void gjson_path_key(struct reader *r, const char *key);
void gjson_path_index(struct reader *r, size_t index);
void gjson_path_pop(struct reader *r);
/* Records the error "<file:line:col: feature N (ID): >message" for r's
 * current path; returns false. */
__attribute__((format(printf, 2, 3))) bool gjson_fail(struct reader *r, const char *fmt, ...);
/* Records a warning the same way, or only counts it past its kind's cap. */
__attribute__((format(printf, 2, 3))) void gjson_warn(struct reader *r, const char *fmt, ...);
/* One "... and N more" line per kind that went past its cap. */
void gjson_warn_summaries(struct reader *r);
/* "an object", "a string", ... for messages; a static string. */
const char *gjson_type_name(const json_t *v);

/* ---- defined in gjson_geometry.c ---- */

/* False (with an error) when obj (borrowed) has one of the members
 * forbidden (NULL-terminated, borrowed) for a `what`. */
bool gjson_check_forbidden(struct reader *r, json_t *obj, const char *what,
                           const char *const *forbidden);
/* Checks obj's optional "bbox" member. */
bool gjson_check_bbox(struct reader *r, json_t *obj);
/* Reads the geometry object obj (borrowed; null = no geometry) into g (the
 * caller owns it and frees it with annot_geometry_clear, also on failure);
 * nested: a member of a GeometryCollection. */
bool gjson_read_geometry(struct reader *r, json_t *obj, struct annot_geometry *g, bool nested);
/* The geometry type named name (borrowed); false when it is none. */
bool gjson_geom_type_from_name(const char *name, enum annot_geom_type *type);

/* ---- defined in gjson_feature.c ---- */

/* *dst = a new copy of s (borrowed) that the caller frees; false (with an
 * error) on out of memory. */
bool gjson_copy_string(struct reader *r, char **dst, const char *s);
/* *dst = the members of obj (borrowed) not named in known (NULL-terminated,
 * borrowed) as compact JSON text, kept verbatim for the round trip: new
 * (the caller frees it), or NULL when there are none; false (with an error)
 * on out of memory. */
bool gjson_foreign_members(struct reader *r, json_t *obj, const char *const *known, char **dst);
/* Reads a Feature's "properties" (borrowed) into f (caller-owned). */
bool gjson_read_properties(struct reader *r, json_t *props, struct annot_feature *f);
/* Reads the Feature object obj (borrowed) into f (the caller owns it and
 * clears it, also on failure). Without an "id" member, f takes its "id"
 * property (f->id_from_properties) when that is a usable id. */
bool gjson_read_feature(struct reader *r, json_t *obj, struct annot_feature *f);

#endif
