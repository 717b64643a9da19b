/*
 * export_int.h — what export.c shares with its format backends (private to
 * src/core/export; as SQLite's btreeInt.h or curl's vtls/ backends).
 *
 * export.c owns the format choice, the merge of the inputs (ids, properties,
 * claim links resolved, evidence status), the imagery provenance and the
 * atomic commit. Each backend writes one family of formats from a merged
 * set:
 *   export_geojson.c  GeoJSON, through gjwrite's export writer
 *   export_kml.c      KML (with HTML balloons)
 *   export_ogr.c      GeoPackage and FlatGeobuf, through OGR
 * and export_texts.c makes the attribute texts of the OGR formats.
 * A backend borrows everything it is given and owns nothing past its call.
 */
#ifndef SATMARK_EXPORT_INT_H
#define SATMARK_EXPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "annot.h"
#include "claims.h"
#include "dynbuf.h"
#include "evidence.h"
#include "export.h"
#include "imagery.h"
#include "style.h"

/* Clashing extra properties warned one by one; the rest are counted in one
 * line. */
#define EXPORT_CLASH_WARNINGS 5

/* Where an "id" property that is not the exported id goes, so that it is not
 * lost: a detector's own ids when the file's features have ids of their own,
 * or ids renamed for a second input. */
#define EXPORT_SOURCE_ID "source_id"

/* Text outputs larger than this are refused rather than exhausting memory. */
#define EXPORT_MAX_TEXT ((size_t)1 << 30)

/* The attributes every format carries, in this order (docs/export.md). */
extern const char *const export_fixed_fields[];
#define EXPORT_NFIXED 15

struct export_item {
    const struct annot_feature *f;
    size_t input;
    const char *id; /* export id: owned_id, or the feature's own (borrowed) */
    char *owned_id; /* an id given for the export (new), or NULL */
    json_t *props; /* properties in fixed order (new reference) */
};

/* When an item's properties object exists (issue 14: a million of them held
 * at once was most of the memory of an export). */
enum export_props_mode {
    EXPORT_PROPS_KEEP,  /* built by merge and kept (KML) */
    EXPORT_PROPS_LATER, /* built by the writer, one item at a time (GeoJSON,
                           and the OGR formats, for which merge only collects
                           the extra keys) */
};

/* The observation-derived properties of the last feature built
 * (build_props): a detector's million marks share one image and date, so
 * the next feature with equal observations shares these values (jansson
 * references) instead of building them again. */
struct export_obs_cache {
    struct annot_observation *obs; /* copies of the texts (new) */
    size_t nobs;
    json_t *observed, *observations, *imagery; /* new references, NULL: empty */
    char *observations_text; /* observations as compact JSON (new), made on first use */
};

struct export_merged {
    struct export_item *items;
    size_t n;
    enum export_props_mode props_mode;
    bool need_extra_keys; /* with PROPS_LATER: merge collects extra_keys (OGR fields) */
    bool texts_from_props; /* settings' export_slow_texts: always the properties object */
    size_t clashes;       /* extra properties dropped for clashing; the first few warn */
    size_t ids_apart;     /* "id" properties exported as "source_id" (one summary line) */
    const struct export_input *inputs;      /* borrowed, for building props later */
    const struct claims_catalog *cat;       /* borrowed, may be NULL */
    const struct imagery_register *imagery; /* borrowed, may be NULL */
    char **extra_keys; /* union of the inputs' extra property names, first-seen order */
    size_t nextra;
    bool has_z;
    /* Evidence status of the claims the marks link to, computed on the
     * exported marks and the register (NULL without a catalog). */
    struct evidence_report *evidence;
    struct evidence_tile *tiles; /* the report's tile list */
    struct export_obs_cache obs_cache;
};

/* The tiles the exported marks rest on, one per distinct SHA-256 (or image
 * name when an observation has no hash), in first-seen order, each matched
 * against the register. */
struct export_provenance {
    json_t *doc; /* {"imagery_register", "imagery": [...], "note"} (new reference) */
    char *note;  /* the note as text (new) */
};

/* ---- export.c, for the backends ---- */

/* Makes it->props exist for a writer (see enum export_props_mode), with its
 * warnings on dg. False with the error on dg. Release with
 * export_item_props_done. */
bool export_item_props(struct export_merged *m, struct export_item *it, struct diag *dg);
void export_item_props_done(const struct export_merged *m, struct export_item *it);

/* The attribute texts of one item for a writer of string fields (the OGR
 * formats): text[k] for attribute k (the fixed ones, then m->extra_keys) as
 * export_value_text gives it, NULL for null or absent. Valid until the next
 * export_item_texts or export_item_texts_done on the same struct. */
struct export_texts {
    const char **text; /* EXPORT_NFIXED + nextra entries (owned) */
    size_t *at;        /* where in scratch each text is, or EXPORT_TEXT_BORROWED (owned) */
    size_t n;
    struct dynbuf scratch; /* texts made for this item: numbers, copies of spans */
};
#define EXPORT_TEXT_BORROWED ((size_t)-1)

/* Sets t up for m's attributes. False on out of memory. */
bool export_texts_init(struct export_texts *t, const struct export_merged *m);
void export_texts_free(struct export_texts *t);

/* Fills t with the texts of item it: straight from the feature (issue 14:
 * a jansson object per feature, then its extra properties parsed by
 * jansson, was a fifth of a FlatGeobuf export), or, for a feature with
 * claim links or extra properties beyond plain scalars, through its
 * properties object as export_item_props builds it. The same texts,
 * warnings and counts either way. False with the error on dg; call
 * export_item_texts_done after either. */
bool export_item_texts(struct export_merged *m, struct export_item *it, struct export_texts *t,
                       struct diag *dg);
void export_item_texts_done(struct export_merged *m, struct export_item *it);

/* The index of attribute `key` (n bytes): a fixed one (< EXPORT_NFIXED),
 * then m's extra keys; EXPORT_NFIXED + m->nextra when it is neither. */
size_t export_attribute_index(const struct export_merged *m, const char *key, size_t n);

/* One member of an extra-properties text (a JSON object as the readers
 * keep it), read without jansson. */
enum export_value_kind {
    EXPORT_VALUE_STRING,  /* without escapes; value is between the quotes */
    EXPORT_VALUE_INTEGER, /* as jansson reads it: no leading zeros, no "-0", <= 18 digits */
    EXPORT_VALUE_REAL,    /* a number with a fraction or an exponent */
    EXPORT_VALUE_LITERAL, /* true, false */
    EXPORT_VALUE_NULL,
    EXPORT_VALUE_OTHER,   /* an array, an object, an escaped string, another number */
};
struct export_member {
    const char *key, *value; /* into the text */
    size_t key_n, value_n;
    enum export_value_kind kind;
};

/* The next member of the object text t (len bytes); *at is 0 before the
 * first. 1: a member in *mb; 0: the object's end; -1: the text is not an
 * object whose keys are without escapes (nothing more can be read). */
int export_next_member(const char *t, size_t len, size_t *at, struct export_member *mb);

/* export_texts.c's use of export.c: the "observed", "observations" (as
 * compact JSON) and "imagery" texts of f, borrowed from m's cache of the
 * last observations (rebuilt when f's differ). False on out of memory. */
bool export_obs_texts(struct export_merged *m, const struct annot_feature *f,
                      const char **observed, const char **observations, const char **imagery);

/* The geometry to write for f (borrowed from f): a GeometryCollection of one
 * member is written as that member, since RFC 7946 §3.1.8 asks writers to
 * avoid single-member collections (and validators flag them). */
const struct annot_geometry *export_geometry(const struct annot_feature *f);

/* A property value as text for KML ExtendedData and OGR string fields:
 * strings as they are, null as NULL, a real as the GeoJSON export writes it
 * (gjwrite_real: shortest text that reads back), anything else as compact
 * JSON (new, free()). */
char *export_value_text(json_t *v);

/* Appends what obs's tile is, in words: "IMAGE: synthetic demo imagery
 * (illustration, not evidence), acquired DATE" / "IMAGE: real imagery,
 * acquired DATE, PROVIDER" / "IMAGE: unregistered (provenance unknown)". */
void export_imagery_sentence(struct dynbuf *t, const struct imagery_register *reg,
                             const struct annot_observation *obs);

/* ---- the backends ---- */

/* GeoJSON streamed to fp 1 MiB at a time (memory does not grow with the
 * file). False with the error on dg. */
bool export_geojson_write(struct export_merged *m, const struct export_provenance *pv, FILE *fp,
                          const char *out_path, struct diag *dg);

/* The KML document into t (an empty dynbuf). False when t failed. */
bool export_kml_build(const struct export_merged *m, const struct export_options *opts,
                      const struct export_provenance *pv, const struct style *st,
                      struct dynbuf *t);

/* GeoPackage or FlatGeobuf written by OGR's driver into tmp_path (a fresh
 * path reserved by safefile). False with the error on dg. */
bool export_ogr_write(const char *tmp_path, const char *out_path, enum export_format format,
                      struct export_merged *m, const struct export_provenance *pv,
                      struct diag *dg);

#endif
