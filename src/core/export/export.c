/*
 * export — see export.h. Three stages:
 *
 * 1. merge: the inputs' features in order, each with its export id (checked
 *    unique through a small hash set; duplicates fail or get the file's site
 *    as prefix) and its properties as one jansson object in a fixed order.
 *    The properties carry the claim links resolved against the catalog, so a
 *    reader of any output sees what each mark is evidence for and who said it.
 * 2. write: GeoJSON and KML are text written here (geometry numbers through
 *    gjwrite_number so every satmark output formats coordinates alike;
 *    XML escaped by hand); GeoPackage and FlatGeobuf go through OGR, whose
 *    errors are captured by a thread-local handler onto our diag.
 * 3. commit through safefile (the atomic-save protocol): text is streamed
 *    into a temporary file beside the target; OGR writes into a fresh private
 *    directory beside it (safefile_reserve, so drivers that add side files or
 *    care about the extension are satisfied). Either is fsync'ed, renamed
 *    over the target and the directory fsync'ed; on failure the temporary
 *    file or directory is removed and the target is untouched.
 *
 * Coordinates: WGS84 lon/lat degrees, lon first everywhere (OGR is told
 * OAMS_TRADITIONAL_GIS_ORDER so EPSG:4326's lat/lon axis order never leaks).
 */
#include "export.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "annot.h"
#include "claims.h"
#include "evidence.h"
#include "gjson.h"
#include "gdalguard.h"
#include "gjwrite.h"
#include "imagery.h"
#include "raster.h"
#include "safefile.h"
#include "style.h"

/* Clashing extra properties warned one by one; the rest are counted in one
 * line (a detector's file has an "id" property on every feature). */
#define EXPORT_CLASH_WARNINGS 5

/* Text outputs larger than this are refused rather than exhausting memory. */
#define EXPORT_MAX_TEXT ((size_t)1 << 30)

/* The attributes every format carries, in this order (docs/export.md). */
static const char *const fixed_fields[] = {
    "id",        "class",   "label",  "note",     "observed",    "observations", "claims",
    "claim_ids", "stances", "citations", "created", "modified", "author",       "source_file",
    "imagery",
};
#define NFIXED (sizeof fixed_fields / sizeof fixed_fields[0])

/* ---- formats -------------------------------------------------------------- */

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    if (ls < lx)
        return false;
    for (size_t i = 0; i < lx; i++)
        if (tolower((unsigned char)s[ls - lx + i]) != suffix[i])
            return false;
    return true;
}

bool export_format_from_path(const char *path, enum export_format *out)
{
    if (ends_with_ci(path, ".geojson") || ends_with_ci(path, ".json"))
        *out = EXPORT_GEOJSON;
    else if (ends_with_ci(path, ".kml"))
        *out = EXPORT_KML;
    else if (ends_with_ci(path, ".gpkg"))
        *out = EXPORT_GPKG;
    else if (ends_with_ci(path, ".fgb"))
        *out = EXPORT_FGB;
    else
        return false;
    return true;
}

const char *export_format_name(enum export_format format)
{
    switch (format) {
    case EXPORT_GEOJSON: return "GeoJSON";
    case EXPORT_KML: return "KML";
    case EXPORT_GPKG: return "GeoPackage";
    case EXPORT_FGB: return "FlatGeobuf";
    }
    return "?";
}

/* ---- growable text buffer ------------------------------------------------- */

struct text {
    char *data;
    size_t len, cap;
    bool failed; /* out of memory or over EXPORT_MAX_TEXT; later appends are no-ops */
};

static void text_append_n(struct text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = cap <= EXPORT_MAX_TEXT ? realloc(t->data, cap) : NULL;
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_append(struct text *t, const char *s) { text_append_n(t, s, strlen(s)); }

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        t->failed = true;
        return;
    }
    text_append_n(t, buf, (size_t)n);
}

/* ---- merge ---------------------------------------------------------------- */

struct item {
    const struct annot_feature *f;
    size_t input;
    char *id;      /* export id (new) */
    json_t *props; /* properties in fixed order (new reference) */
};

/* When an item's properties object exists (issue 14: a million of them held
 * at once was most of the memory of an export). */
enum props_mode {
    PROPS_KEEP,  /* built by merge and kept (KML) */
    PROPS_LATER, /* built by the writer, one item at a time (GeoJSON, and the OGR
                    formats, for which merge only collects the extra keys) */
};

struct merged {
    struct item *items;
    size_t n;
    enum props_mode props_mode;
    bool need_extra_keys; /* with PROPS_LATER: merge collects extra_keys (OGR fields) */
    size_t clashes;       /* extra properties dropped for clashing; the first few warn */
    const struct export_input *inputs; /* borrowed, for building props later */
    const struct claims_catalog *cat;  /* borrowed, may be NULL */
    const struct imagery_register *imagery; /* borrowed, may be NULL */
    char **extra_keys; /* union of the inputs' extra property names, first-seen order */
    size_t nextra;
    bool has_z;
    /* Evidence status of the claims the marks link to, computed on the
     * exported marks and the register (NULL without a catalog). */
    struct evidence_report *evidence;
    struct evidence_tile *tiles; /* the report's tile list */
};

static void merged_free(struct merged *m)
{
    evidence_report_free(m->evidence);
    free(m->tiles);
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].id);
        json_decref(m->items[i].props);
    }
    free(m->items);
    for (size_t i = 0; i < m->nextra; i++)
        free(m->extra_keys[i]);
    free(m->extra_keys);
    memset(m, 0, sizeof *m);
}

/* Open-addressing set of borrowed strings (ids), each with the index of the
 * input it was first seen in. Sized by the caller to at least twice the
 * number of entries, so probing always ends. */
struct idslot {
    const char *id;
    size_t input;
};

struct idset {
    struct idslot *slots;
    size_t cap;
};

static uint64_t hash_string(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static bool idset_init(struct idset *set, size_t entries)
{
    set->cap = 16;
    while (set->cap < entries * 2)
        set->cap *= 2;
    set->slots = calloc(set->cap, sizeof *set->slots);
    return set->slots != NULL;
}

/* The slot holding id, or NULL. */
static const struct idslot *idset_find(const struct idset *set, const char *id)
{
    for (size_t i = hash_string(id) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slots[i].id)
            return NULL;
        if (strcmp(set->slots[i].id, id) == 0)
            return &set->slots[i];
    }
}

static bool idset_contains(const struct idset *set, const char *id)
{
    return idset_find(set, id) != NULL;
}

/* Adds id (borrowed) unless present. */
static void idset_add(struct idset *set, const char *id, size_t input)
{
    size_t i = hash_string(id) & (set->cap - 1);
    while (set->slots[i].id) {
        if (strcmp(set->slots[i].id, id) == 0)
            return;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = (struct idslot){.id = id, .input = input};
}

/* The file's site for id prefixes: satmark.site, else the base name without extension. */
static void site_of(const struct export_input *in, char *out, size_t cap)
{
    const char *site = annot_set_site(in->set);
    if (site && site[0]) {
        snprintf(out, cap, "%s", site);
        return;
    }
    const char *base = strrchr(in->path, '/');
    base = base ? base + 1 : in->path;
    snprintf(out, cap, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

static json_t *string_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* Adds a key to obj; json_object_set_new steals the value and ignores NULL
 * (jansson returns -1), which the caller sees as a missing key: the final
 * check in build_props catches out-of-memory that way. */
static void put(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new(obj, key, value);
}

/* One link resolved: {claim, stance, text, sources: [{id, outlet, headline,
 * author, published, reliability}]}; text null when the claim is unknown. */
static json_t *resolve_link(const struct annot_claim_link *link, const struct claims_catalog *cat,
                            const struct evidence_report *ev, struct text *citation)
{
    json_t *o = json_object();
    put(o, "claim", json_string(link->claim));
    put(o, "stance", json_string(annot_stance_name(link->stance)));
    const struct claims_claim *claim = claims_find(cat, link->claim);
    put(o, "text", claim ? json_string(claim->text) : json_null());
    json_t *sources = json_array();
    text_printf(citation, "%s ", annot_stance_name(link->stance));
    text_append(citation, link->claim);
    if (claim) {
        text_append(citation, ": \"");
        text_append(citation, claim->text);
        text_append(citation, "\"");
        for (size_t s = 0; s < claim->nsources; s++) {
            const struct claims_source *src = claims_find_source(cat, claim->source_ids[s]);
            if (!src)
                continue; /* cannot happen in a validated catalog */
            json_t *so = json_object();
            put(so, "id", json_string(src->id));
            put(so, "outlet", json_string(src->outlet));
            put(so, "headline", json_string(src->headline));
            put(so, "author", json_string(src->author));
            put(so, "published", src->published[0] ? json_string(src->published) : json_null());
            put(so, "reliability", json_string(claims_reliability_name(src->reliability)));
            json_array_append_new(sources, so);
            text_append(citation, s ? "; " : " (");
            text_append(citation, src->outlet);
            text_append(citation, ", \"");
            text_append(citation, src->headline);
            text_append(citation, "\"");
            if (src->published[0]) {
                text_append(citation, ", ");
                text_append(citation, src->published);
            }
            if (src->reliability == CLAIMS_RELIABILITY_MACHINE_WRITTEN)
                text_append(citation, ", machine-written");
            if (s + 1 == claim->nsources)
                text_append(citation, ")");
        }
    } else {
        text_append(citation, cat ? " (not in the claims catalog)" : " (no claims catalog)");
    }
    put(o, "sources", sources);
    /* The claim's computed status, so an export never reads as more than the
     * claims report says (docs/claims-checks.md). */
    const struct evidence_claim *ec = claim ? evidence_report_find(ev, claim->id) : NULL;
    if (ec) {
        put(o, "status", json_string(evidence_status_name(ec->status)));
        put(o, "status_reason", json_string(ec->reason));
        put(o, "independent_origins", json_integer((json_int_t)ec->independent_origins));
        text_printf(citation, " [%s]", evidence_status_name(ec->status));
    }
    return o;
}

/* ---- imagery provenance --------------------------------------------------- */

#define SYNTHETIC_NOTE "synthetic demo imagery: illustration, not evidence"

/* Appends what obs's tile is, in words: "IMAGE: synthetic demo imagery
 * (illustration, not evidence), acquired DATE" / "IMAGE: real imagery,
 * acquired DATE, PROVIDER" / "IMAGE: unregistered (provenance unknown)". */
static void imagery_sentence(struct text *t, const struct imagery_register *reg,
                             const struct annot_observation *obs)
{
    enum imagery_match how;
    const struct imagery_entry *e = imagery_match(reg, obs->image, obs->sha256, &how);
    text_append(t, obs->image && obs->image[0] ? obs->image : "(unnamed image)");
    if (!e) {
        text_append(t, ": unregistered (provenance unknown)");
        return;
    }
    text_append(t, e->synthetic ? ": synthetic demo imagery (illustration, not evidence)"
                                : ": real imagery");
    text_printf(t, ", acquired %s", e->acquired[0] ? e->acquired : "unknown");
    if (e->provider[0])
        text_printf(t, ", %s", e->provider);
    if (how == IMAGERY_MATCH_NAME)
        text_append(t, obs->sha256 && obs->sha256[0]
                           ? ", registered only by file name (its SHA-256 differs from the "
                             "register's)"
                           : ", registered only by file name (the mark records no SHA-256)");
}

/* The tiles the exported marks rest on, one per distinct SHA-256 (or image
 * name when an observation has no hash), in first-seen order, each matched
 * against the register. */
struct provenance {
    json_t *doc;  /* {"imagery_register", "imagery": [...], "note"} (new reference) */
    char *note;   /* the note as text (new) */
};

static json_t *tile_json(const struct annot_observation *obs, const struct imagery_entry *e,
                         enum imagery_match how)
{
    json_t *o = json_object();
    put(o, "file", json_string(obs->image ? obs->image : ""));
    put(o, "sha256", json_string(obs->sha256 ? obs->sha256 : ""));
    put(o, "registered", json_boolean(e != NULL));
    put(o, "match", json_string(imagery_match_name(how)));
    if (!e) {
        put(o, "acquired", json_string(obs->acquired ? obs->acquired : ""));
        put(o, "acquired_from", json_string(obs->acquired && obs->acquired[0] ? "annotation" : ""));
        put(o, "synthetic", json_null()); /* unknown: nobody vouched for the file */
        return o;
    }
    put(o, "id", json_string(e->id));
    if (how == IMAGERY_MATCH_NAME)
        put(o, "registered_sha256", json_string(e->sha256));
    put(o, "acquired", json_string(e->acquired));
    put(o, "acquired_from", json_string(e->acquired_from));
    put(o, "provider", json_string(e->provider));
    put(o, "sensor", json_string(e->sensor));
    put(o, "gsd_m", e->gsd_m > 0.0 ? json_real(e->gsd_m) : json_null());
    put(o, "licence", json_string(e->licence));
    put(o, "credit", json_string(e->credit));
    put(o, "source_url", json_string(e->source_url));
    put(o, "synthetic", json_boolean(e->synthetic));
    return o;
}

static bool build_provenance(const struct merged *m, const struct imagery_register *reg,
                             struct provenance *pv)
{
    pv->doc = json_object();
    json_t *tiles = json_array();
    size_t synthetic = 0, real = 0, unregistered = 0, by_name = 0;
    bool ok = pv->doc && tiles;
    for (size_t i = 0; ok && i < m->n; i++) {
        const struct annot_feature *f = m->items[i].f;
        for (size_t k = 0; ok && k < f->nobs; k++) {
            const struct annot_observation *obs = &f->obs[k];
            bool hashed = obs->sha256 && obs->sha256[0];
            const char *key = hashed ? obs->sha256 : obs->image ? obs->image : "";
            bool seen = false;
            size_t j;
            json_t *t;
            json_array_foreach(tiles, j, t) {
                const char *have = json_string_value(json_object_get(t, hashed ? "sha256" : "file"));
                const char *have_sha = json_string_value(json_object_get(t, "sha256"));
                if (have && strcmp(have, key) == 0 && (hashed || !have_sha || !have_sha[0])) {
                    seen = true;
                    break;
                }
            }
            if (seen)
                continue;
            enum imagery_match how;
            const struct imagery_entry *e = imagery_match(reg, obs->image, obs->sha256, &how);
            json_t *o = tile_json(obs, e, how);
            ok = o && json_array_append_new(tiles, o) == 0;
            if (!e)
                unregistered++;
            else if (e->synthetic)
                synthetic++;
            else
                real++;
            by_name += how == IMAGERY_MATCH_NAME;
        }
    }
    size_t total = synthetic + real + unregistered;
    struct text note = {0};
    if (total == 0)
        text_append(&note, "no mark records the image it was observed on");
    else if (synthetic == total)
        text_printf(&note, "%zu tile%s, all " SYNTHETIC_NOTE, total, total == 1 ? "" : "s");
    else {
        text_printf(&note, "%zu tile%s: ", total, total == 1 ? "" : "s");
        const char *sep = "";
        if (real) {
            text_printf(&note, "%zu real, registered", real);
            sep = "; ";
        }
        if (synthetic) {
            text_printf(&note, "%s%zu " SYNTHETIC_NOTE, sep, synthetic);
            sep = "; ";
        }
        if (unregistered)
            text_printf(&note, "%s%zu unregistered: provenance unknown%s", sep, unregistered,
                        reg ? "" : " (no imagery register)");
    }
    if (by_name)
        text_printf(&note, "; %zu matched the register only by file name (the SHA-256 the "
                           "marks record differs, or they record none)", by_name);
    ok = ok && !note.failed;
    pv->note = note.data;
    if (ok) {
        put(pv->doc, "imagery_register", reg ? json_string(imagery_register_path(reg)) : json_null());
        ok = json_object_set(pv->doc, "imagery", tiles) == 0;
        put(pv->doc, "note", json_string(pv->note));
        ok = ok && json_object_size(pv->doc) == 3;
    }
    json_decref(tiles);
    return ok;
}

static void provenance_free(struct provenance *pv)
{
    json_decref(pv->doc);
    free(pv->note);
}

static bool build_props(struct item *it, const struct export_input *in,
                        const struct claims_catalog *cat, const struct imagery_register *reg,
                        const struct evidence_report *ev, struct diag *dg)
{
    const struct annot_feature *f = it->f;
    json_t *p = json_object();
    if (!p)
        return false;
    it->props = p;
    put(p, "id", json_string(it->id));
    put(p, "class", json_string(annot_class_name(f->cls)));
    put(p, "label", json_string(f->label ? f->label : ""));
    put(p, "note", json_string(f->note ? f->note : ""));

    struct text observed = {0};
    json_t *obs = json_array();
    for (size_t i = 0; i < f->nobs; i++) {
        const struct annot_observation *o = &f->obs[i];
        json_t *oo = json_object();
        put(oo, "image", json_string(o->image ? o->image : ""));
        put(oo, "sha256", json_string(o->sha256 ? o->sha256 : ""));
        put(oo, "acquired", json_string(o->acquired ? o->acquired : ""));
        json_array_append_new(obs, oo);
        text_append(&observed, i ? "; " : "");
        text_append(&observed, o->image ? o->image : "");
        if (o->acquired && o->acquired[0])
            text_printf(&observed, " (%.40s)", o->acquired);
    }
    put(p, "observed", json_string(observed.data ? observed.data : ""));
    put(p, "observations", obs);

    struct text ids = {0}, stances = {0}, citations = {0};
    json_t *links = json_array();
    for (size_t i = 0; i < f->nclaims; i++) {
        const struct annot_claim_link *link = &f->claims[i];
        if (cat && !claims_find(cat, link->claim))
            diag_warn(dg, "%s: feature \"%s\" links to claim \"%s\", which the catalog %s does "
                          "not define; exported unresolved",
                      in->path, f->id, link->claim, claims_catalog_path(cat));
        text_append(&citations, i ? " | " : "");
        json_array_append_new(links, resolve_link(link, cat, ev, &citations));
        text_append(&ids, i ? "; " : "");
        text_append(&ids, link->claim);
        text_append(&stances, i ? "; " : "");
        text_append(&stances, annot_stance_name(link->stance));
    }
    put(p, "claims", links);
    put(p, "claim_ids", json_string(ids.data ? ids.data : ""));
    put(p, "stances", json_string(stances.data ? stances.data : ""));
    put(p, "citations", json_string(citations.data ? citations.data : ""));
    put(p, "created", string_or_null(f->created));
    put(p, "modified", string_or_null(f->modified));
    put(p, "author", json_string(f->author ? f->author : ""));
    put(p, "source_file", json_string(in->path));
    struct text imagery = {0};
    for (size_t i = 0; i < f->nobs; i++) {
        text_append(&imagery, i ? "; " : "");
        imagery_sentence(&imagery, reg, &f->obs[i]);
    }
    put(p, "imagery", json_string(imagery.data ? imagery.data : "no observation"));
    bool text_ok = !observed.failed && !ids.failed && !stances.failed && !citations.failed &&
                   !imagery.failed;
    free(imagery.data);
    free(observed.data);
    free(ids.data);
    free(stances.data);
    free(citations.data);
    /* A NULL value (out of memory, or a string that is not UTF-8) is dropped
     * by jansson, so a short object means something went wrong. */
    return text_ok && json_object_size(p) == NFIXED;
}

/* Adds f's extra properties (JSON object text kept by the reader) to its
 * props after the fixed ones, and their names to the union. */
static bool add_extras(struct merged *m, struct item *it, const char *path, struct diag *dg)
{
    if (!it->f->extra_properties)
        return true;
    json_error_t err;
    json_t *extra = json_loads(it->f->extra_properties, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(extra)) {
        json_decref(extra);
        diag_warn(dg, "%s: feature \"%s\": unreadable extra properties dropped", path, it->f->id);
        return true;
    }
    const char *key;
    json_t *value;
    json_object_foreach(extra, key, value) {
        if (json_object_get(it->props, key)) {
            if (m->clashes++ < EXPORT_CLASH_WARNINGS)
                diag_warn(dg, "%s: feature \"%s\": property \"%s\" clashes with an export "
                              "attribute; dropped", path, it->f->id, key);
            continue;
        }
        json_object_set(it->props, key, value);
        bool known = false;
        for (size_t k = 0; k < m->nextra && !known; k++)
            known = strcmp(m->extra_keys[k], key) == 0;
        if (!known) {
            char **grown = realloc(m->extra_keys, (m->nextra + 1) * sizeof *grown);
            if (!grown || !(grown[m->nextra] = strdup(key))) {
                if (grown)
                    m->extra_keys = grown;
                json_decref(extra);
                return false;
            }
            m->extra_keys = grown;
            m->nextra++;
        }
    }
    json_decref(extra);
    return true;
}

/* Adds the names of f's extra properties to m's union, as add_extras would
 * (names of fixed attributes clash and are dropped there), without building
 * the properties. False on out of memory. */
static bool note_extra_keys(struct merged *m, const struct annot_feature *f)
{
    if (!f->extra_properties)
        return true;
    json_error_t err;
    json_t *extra = json_loads(f->extra_properties, JSON_REJECT_DUPLICATES, &err);
    const char *key;
    json_t *value;
    bool ok = true;
    json_object_foreach(extra, key, value) {
        bool known = false;
        for (size_t k = 0; k < NFIXED && !known; k++)
            known = strcmp(fixed_fields[k], key) == 0;
        for (size_t k = 0; k < m->nextra && !known; k++)
            known = strcmp(m->extra_keys[k], key) == 0;
        if (known)
            continue;
        char **grown = realloc(m->extra_keys, (m->nextra + 1) * sizeof *grown);
        if (!grown || !(grown[m->nextra] = strdup(key))) {
            if (grown)
                m->extra_keys = grown;
            ok = false;
            break;
        }
        m->extra_keys = grown;
        m->nextra++;
    }
    json_decref(extra);
    return ok;
}

static bool geometry_has_z(const struct annot_geometry *g)
{
    for (size_t i = 0; i < g->nparts; i++)
        if (g->parts[i].alt)
            return true;
    for (size_t i = 0; i < g->nmembers; i++)
        if (geometry_has_z(&g->members[i]))
            return true;
    return false;
}

/* Finds the ids used by more than one input into `shared` (ids borrowed from
 * the sets). In EXPORT_DUPLICATES_FAIL mode the first one is an error. */
static bool find_shared_ids(const struct export_input *inputs, size_t ninputs,
                            const struct export_options *opts, struct idset *shared,
                            size_t *nshared, struct diag *dg)
{
    size_t total = 0;
    for (size_t in = 0; in < ninputs; in++)
        total += annot_count(inputs[in].set);
    struct idset seen;
    if (!idset_init(&seen, total))
        return false;
    *nshared = 0;
    bool ok = true;
    for (size_t in = 0; ok && in < ninputs; in++) {
        for (size_t i = 0; ok && i < annot_count(inputs[in].set); i++) {
            const char *id = annot_get(inputs[in].set, i)->id;
            const struct idslot *first = idset_find(&seen, id);
            if (!first) {
                idset_add(&seen, id, in);
                continue;
            }
            if (opts->duplicates == EXPORT_DUPLICATES_FAIL) {
                diag_error(dg, "%s: feature id \"%s\" is also used in %s; ids must be unique in "
                               "the export (without --strict-ids they get their file's site "
                               "as prefix)",
                           inputs[in].path, id, inputs[first->input].path);
                ok = false;
            } else if (!idset_contains(shared, id)) {
                idset_add(shared, id, first->input);
                (*nshared)++;
            }
        }
    }
    free(seen.slots);
    return ok;
}

/* The export id of feature f of input `in` into out (cap bytes): its own id,
 * or "SITE:ID" (then "SITE:ID-2", ...) when another input uses the same id.
 * `used` holds every id taken so far. */
static bool export_id(const struct export_input *in, const struct annot_feature *f,
                      const struct idset *shared, const struct idset *used, char *out,
                      size_t cap)
{
    if (!idset_contains(shared, f->id)) {
        snprintf(out, cap, "%s", f->id);
        return true;
    }
    char site[128];
    site_of(in, site, sizeof site);
    snprintf(out, cap, "%s:%s", site, f->id);
    for (int n = 2; idset_contains(used, out) && n < 1000; n++)
        snprintf(out, cap, "%s:%s-%d", site, f->id, n);
    return !idset_contains(used, out);
}

/* Evaluates the catalog's claims on the exported marks (m->evidence); its
 * warnings (links to unknown claims) are the export's own already, so they go
 * to a scratch diag. */
static bool evaluate_evidence(const struct export_input *inputs, size_t ninputs,
                              const struct export_options *opts, const char *out_path,
                              struct merged *m, struct diag *dg)
{
    if (!opts->catalog)
        return true;
    size_t ntiles = 0;
    const struct annot_set **sets = calloc(ninputs ? ninputs : 1, sizeof *sets);
    struct diag *scratch = diag_new();
    bool ok = sets && scratch &&
              evidence_tiles_from_register(opts->imagery, &m->tiles, &ntiles, scratch);
    for (size_t i = 0; ok && i < ninputs; i++)
        sets[i] = inputs[i].set;
    ok = ok && evidence_evaluate(opts->catalog, sets, ninputs, m->tiles, ntiles, &m->evidence,
                                 scratch);
    if (!ok)
        diag_error(dg, "%s: %s", out_path,
                   scratch && diag_failed(scratch) ? diag_message(scratch) : "out of memory");
    diag_free(scratch);
    free(sets);
    return ok;
}

static bool merge(const struct export_input *inputs, size_t ninputs,
                  const struct export_options *opts, const char *out_path, struct merged *m,
                  struct diag *dg)
{
    if (!evaluate_evidence(inputs, ninputs, opts, out_path, m, dg))
        return false;
    size_t total = 0;
    for (size_t i = 0; i < ninputs; i++)
        total += annot_count(inputs[i].set);
    struct idset shared = {0}, used = {0};
    size_t nshared = 0;
    m->items = calloc(total ? total : 1, sizeof *m->items);
    if (!m->items || !idset_init(&shared, total) || !idset_init(&used, total)) {
        free(shared.slots);
        diag_error(dg, "%s: out of memory", out_path);
        return false;
    }
    bool ok = find_shared_ids(inputs, ninputs, opts, &shared, &nshared, dg);
    /* Ids kept as they are are taken first, so a prefixed id cannot take one. */
    for (size_t in = 0; ok && in < ninputs; in++)
        for (size_t i = 0; i < annot_count(inputs[in].set); i++) {
            const char *id = annot_get(inputs[in].set, i)->id;
            if (!idset_contains(&shared, id))
                idset_add(&used, id, in);
        }
    for (size_t in = 0; ok && in < ninputs; in++) {
        size_t renamed = 0;
        char examples[160] = "";
        for (size_t i = 0; ok && i < annot_count(inputs[in].set); i++) {
            const struct annot_feature *f = annot_get(inputs[in].set, i);
            struct item *it = &m->items[m->n];
            it->f = f;
            it->input = in;
            char id[512];
            if (!export_id(&inputs[in], f, &shared, &used, id, sizeof id)) {
                diag_error(dg, "%s: cannot make feature id \"%s\" unique", inputs[in].path,
                           f->id);
                ok = false;
                break;
            }
            if (strcmp(id, f->id) != 0) {
                if (renamed++ < 3 && strlen(examples) + strlen(id) + 3 < sizeof examples) {
                    strcat(examples, renamed > 1 ? ", " : "");
                    strcat(examples, id);
                }
            }
            it->id = strdup(id);
            m->n++;
            if (!it->id) {
                diag_error(dg, "%s: out of memory", out_path);
                ok = false;
                break;
            }
            if (strcmp(id, f->id) != 0)
                idset_add(&used, it->id, in);
            if (m->props_mode != PROPS_LATER &&
                (!build_props(it, &inputs[in], opts->catalog, opts->imagery, m->evidence, dg) ||
                 !add_extras(m, it, inputs[in].path, dg))) {
                diag_error(dg, "%s: feature \"%s\": cannot build its properties (out of memory "
                               "or text that is not UTF-8)", inputs[in].path, f->id);
                ok = false;
                break;
            }
            if (m->props_mode == PROPS_LATER && m->need_extra_keys &&
                !note_extra_keys(m, f)) {
                diag_error(dg, "%s: out of memory", out_path);
                ok = false;
                break;
            }
            m->has_z = m->has_z || geometry_has_z(&f->geom);
        }
        if (ok && renamed)
            diag_warn(dg, "%s: %zu feature id%s also used by another input exported with the "
                          "file's site as prefix (%s%s)",
                      inputs[in].path, renamed, renamed == 1 ? "" : "s", examples,
                      renamed > 3 ? ", ..." : "");
    }
    free(shared.slots);
    free(used.slots);
    return ok;
}

/* Makes it->props exist for a writer (see enum props_mode), with its
 * warnings on dg. False with the error on dg. Release with item_props_done. */
static bool item_props(struct merged *m, struct item *it, struct diag *dg)
{
    if (it->props)
        return true;
    const struct export_input *in = &m->inputs[it->input];
    if (build_props(it, in, m->cat, m->imagery, m->evidence, dg) && add_extras(m, it, in->path, dg))
        return true;
    diag_error(dg, "%s: feature \"%s\": cannot build its properties (out of memory or text "
                   "that is not UTF-8)", in->path, it->f->id);
    return false;
}

static void item_props_done(const struct merged *m, struct item *it)
{
    if (m->props_mode == PROPS_KEEP)
        return;
    json_decref(it->props);
    it->props = NULL;
}

/* ---- geometry walking ----------------------------------------------------- */

/* The geometry to write for f (borrowed from f): a GeometryCollection of one
 * member is written as that member, since RFC 7946 §3.1.8 asks writers to
 * avoid single-member collections (and validators flag them). */
static const struct annot_geometry *export_geometry(const struct annot_feature *f)
{
    const struct annot_geometry *g = &f->geom;
    while (g->type == ANNOT_GEOM_COLLECTION && g->nmembers == 1)
        g = &g->members[0];
    return g;
}

/* Twice the signed area of a ring (positive = counter-clockwise). */
static double ring_signed_area(const struct annot_part *ring)
{
    double a = 0;
    if (ring->n < 3)
        return 0;
    double ox = ring->pts[0].lon, oy = ring->pts[0].lat;
    for (size_t i = 0, j = ring->n - 1; i < ring->n; j = i++)
        a += (ring->pts[j].lon - ox) * (ring->pts[i].lat - oy) -
             (ring->pts[i].lon - ox) * (ring->pts[j].lat - oy);
    return a;
}

/* Index of the end of the member that starts at part `first`. */
static size_t member_end(const struct annot_geometry *g, size_t first)
{
    size_t end = first + 1;
    while (end < g->nparts && g->parts[end].member == g->parts[first].member)
        end++;
    return end;
}

/* ---- GeoJSON -------------------------------------------------------------- */

static void geojson_position(struct text *t, const struct annot_part *part, size_t i)
{
    char x[40], y[40];
    gjwrite_number(part->pts[i].lon, x, sizeof x);
    gjwrite_number(part->pts[i].lat, y, sizeof y);
    text_printf(t, "[%s,%s", x, y);
    if (part->alt) {
        char z[40];
        gjwrite_number(part->alt[i], z, sizeof z);
        text_printf(t, ",%s", z);
    }
    text_append(t, "]");
}

/* A position list; `reverse` walks it backwards (to fix a ring's winding). */
static void geojson_positions(struct text *t, const struct annot_part *part, bool reverse)
{
    text_append(t, "[");
    for (size_t k = 0; k < part->n; k++) {
        text_append(t, k ? "," : "");
        geojson_position(t, part, reverse ? part->n - 1 - k : k);
    }
    text_append(t, "]");
}

/* Rings [first, end) of one polygon, exterior counter-clockwise and holes
 * clockwise whatever the input (RFC 7946 §3.1.6). */
static void geojson_polygon(struct text *t, const struct annot_geometry *g, size_t first,
                            size_t end)
{
    text_append(t, "[");
    for (size_t r = first; r < end; r++) {
        text_append(t, r > first ? "," : "");
        double a = ring_signed_area(&g->parts[r]);
        bool want_ccw = r == first;
        geojson_positions(t, &g->parts[r], want_ccw ? a < 0 : a > 0);
    }
    text_append(t, "]");
}

static void geojson_geometry(struct text *t, const struct annot_geometry *g)
{
    switch (g->type) {
    case ANNOT_GEOM_NONE:
        text_append(t, "null");
        return;
    case ANNOT_GEOM_POINT:
        text_append(t, "{\"type\":\"Point\",\"coordinates\":");
        geojson_position(t, &g->parts[0], 0);
        break;
    case ANNOT_GEOM_LINESTRING:
        text_append(t, "{\"type\":\"LineString\",\"coordinates\":");
        geojson_positions(t, &g->parts[0], false);
        break;
    case ANNOT_GEOM_MULTIPOINT:
        text_append(t, "{\"type\":\"MultiPoint\",\"coordinates\":");
        geojson_positions(t, &g->parts[0], false);
        break;
    case ANNOT_GEOM_POLYGON:
        text_append(t, "{\"type\":\"Polygon\",\"coordinates\":");
        geojson_polygon(t, g, 0, g->nparts);
        break;
    case ANNOT_GEOM_MULTILINESTRING:
        text_append(t, "{\"type\":\"MultiLineString\",\"coordinates\":[");
        for (size_t i = 0; i < g->nparts; i++) {
            text_append(t, i ? "," : "");
            geojson_positions(t, &g->parts[i], false);
        }
        text_append(t, "]");
        break;
    case ANNOT_GEOM_MULTIPOLYGON:
        text_append(t, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (size_t first = 0; first < g->nparts;) {
            size_t end = member_end(g, first);
            text_append(t, first ? "," : "");
            geojson_polygon(t, g, first, end);
            first = end;
        }
        text_append(t, "]");
        break;
    case ANNOT_GEOM_COLLECTION:
        text_append(t, "{\"type\":\"GeometryCollection\",\"geometries\":[");
        for (size_t i = 0; i < g->nmembers; i++) {
            text_append(t, i ? "," : "");
            geojson_geometry(t, &g->members[i]);
        }
        text_append(t, "]");
        break;
    }
    text_append(t, "}");
}

/* Writes what t holds to fp and empties it; false on a write error. */
static bool text_flush(struct text *t, FILE *fp)
{
    if (t->failed || fwrite(t->data, 1, t->len, fp) != t->len)
        return false;
    t->len = 0;
    return true;
}

/* The GeoJSON text, written to fp 1 MiB at a time (so memory does not grow
 * with the file). False with the error on dg. */
static bool build_geojson(struct merged *m, const struct provenance *pv, struct text *t, FILE *fp,
                          const char *out_path, struct diag *dg)
{
    /* the provenance is a foreign member (RFC 7946 §6.1) ahead of the
     * features, so a reader meets it first */
    char *prov = json_dumps(pv->doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!prov) {
        diag_error(dg, "%s: out of memory building the GeoJSON text", out_path);
        return false;
    }
    text_append(t, "{\n\"type\": \"FeatureCollection\",\n\"satmark_provenance\": ");
    text_append(t, prov);
    free(prov);
    text_append(t, ",\n\"features\": [\n");
    for (size_t i = 0; i < m->n; i++) {
        struct item *it = &m->items[i];
        if (!item_props(m, it, dg))
            return false;
        json_t *id = json_string(it->id);
        char *id_text = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
        char *props = json_dumps(it->props, JSON_COMPACT);
        json_decref(id);
        item_props_done(m, it);
        if (!id_text || !props) {
            free(id_text);
            free(props);
            diag_error(dg, "%s: out of memory building the GeoJSON text", out_path);
            return false;
        }
        text_printf(t, "{\"type\":\"Feature\",\"id\":");
        text_append(t, id_text);
        text_append(t, ",\"geometry\":");
        geojson_geometry(t, export_geometry(it->f));
        text_append(t, ",\"properties\":");
        text_append(t, props);
        text_append(t, i + 1 < m->n ? "},\n" : "}\n");
        free(id_text);
        free(props);
        if (t->len > ((size_t)1 << 20) && !text_flush(t, fp))
            break;
    }
    text_append(t, "]\n}\n");
    if (!text_flush(t, fp)) {
        if (t->failed)
            diag_error(dg, "%s: out of memory building the GeoJSON text", out_path);
        else
            diag_error(dg, "%s: cannot write: %s", out_path, strerror(errno));
        return false;
    }
    return true;
}

/* ---- KML ------------------------------------------------------------------ */

/* Appends s with the XML specials escaped; characters XML 1.0 forbids
 * (controls other than tab, LF, CR) become spaces. With `html`, the text is
 * destined for a CDATA section holding HTML, so it is escaped as HTML text and
 * newlines become <br/>. */
static void xml_escaped(struct text *t, const char *s, bool html)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': text_append(t, "&amp;"); break;
        case '<': text_append(t, "&lt;"); break;
        case '>': text_append(t, "&gt;"); break;
        case '"': text_append(t, "&quot;"); break;
        case '\'': text_append(t, "&#39;"); break;
        case '\n': text_append(t, html ? "<br/>" : "\n"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\r')
                text_append(t, " ");
            else
                text_append_n(t, s, 1);
        }
    }
}

/* Appends html inside a CDATA section; "]]>" in it is split across two
 * sections so it cannot end the first one early. */
static void cdata(struct text *t, const char *html)
{
    text_append(t, "<![CDATA[");
    for (const char *p = html; *p;) {
        const char *end = strstr(p, "]]>");
        if (!end) {
            text_append(t, p);
            break;
        }
        text_append_n(t, p, (size_t)(end - p) + 2);
        text_append(t, "]]><![CDATA[");
        p = end + 2;
    }
    text_append(t, "]]>");
}

/* KML colour: aabbggrr hex. */
static void kml_colour(struct text *t, struct style_rgb c, double alpha)
{
    int a = (int)(alpha * 255.0 + 0.5);
    a = a < 0 ? 0 : a > 255 ? 255 : a;
    text_printf(t, "<color>%02x%02x%02x%02x</color>", a, c.b, c.g, c.r);
}

static void kml_coordinates(struct text *t, const struct annot_part *part, bool reverse)
{
    text_append(t, "<coordinates>");
    for (size_t k = 0; k < part->n; k++) {
        size_t i = reverse ? part->n - 1 - k : k;
        char x[40], y[40];
        gjwrite_number(part->pts[i].lon, x, sizeof x);
        gjwrite_number(part->pts[i].lat, y, sizeof y);
        text_printf(t, "%s%s,%s", k ? " " : "", x, y);
        if (part->alt) {
            char z[40];
            gjwrite_number(part->alt[i], z, sizeof z);
            text_printf(t, ",%s", z);
        }
    }
    text_append(t, "</coordinates>");
}

static void kml_polygon(struct text *t, const struct annot_geometry *g, size_t first, size_t end)
{
    text_append(t, "<Polygon>");
    for (size_t r = first; r < end; r++) {
        double a = ring_signed_area(&g->parts[r]);
        bool exterior = r == first;
        text_append(t, exterior ? "<outerBoundaryIs><LinearRing>" : "<innerBoundaryIs><LinearRing>");
        kml_coordinates(t, &g->parts[r], exterior ? a < 0 : a > 0);
        text_append(t, exterior ? "</LinearRing></outerBoundaryIs>" : "</LinearRing></innerBoundaryIs>");
    }
    text_append(t, "</Polygon>");
}

static void kml_geometry(struct text *t, const struct annot_geometry *g)
{
    switch (g->type) {
    case ANNOT_GEOM_NONE:
        return;
    case ANNOT_GEOM_POINT:
        text_append(t, "<Point>");
        kml_coordinates(t, &g->parts[0], false);
        text_append(t, "</Point>");
        return;
    case ANNOT_GEOM_LINESTRING:
        text_append(t, "<LineString><tessellate>1</tessellate>");
        kml_coordinates(t, &g->parts[0], false);
        text_append(t, "</LineString>");
        return;
    case ANNOT_GEOM_POLYGON:
        kml_polygon(t, g, 0, g->nparts);
        return;
    case ANNOT_GEOM_MULTIPOINT:
        text_append(t, "<MultiGeometry>");
        for (size_t i = 0; i < g->parts[0].n; i++) {
            struct annot_part one = {.n = 1,
                                     .pts = &g->parts[0].pts[i],
                                     .alt = g->parts[0].alt ? &g->parts[0].alt[i] : NULL};
            text_append(t, "<Point>");
            kml_coordinates(t, &one, false);
            text_append(t, "</Point>");
        }
        text_append(t, "</MultiGeometry>");
        return;
    case ANNOT_GEOM_MULTILINESTRING:
        text_append(t, "<MultiGeometry>");
        for (size_t i = 0; i < g->nparts; i++) {
            text_append(t, "<LineString><tessellate>1</tessellate>");
            kml_coordinates(t, &g->parts[i], false);
            text_append(t, "</LineString>");
        }
        text_append(t, "</MultiGeometry>");
        return;
    case ANNOT_GEOM_MULTIPOLYGON:
        text_append(t, "<MultiGeometry>");
        for (size_t first = 0; first < g->nparts;) {
            size_t end = member_end(g, first);
            kml_polygon(t, g, first, end);
            first = end;
        }
        text_append(t, "</MultiGeometry>");
        return;
    case ANNOT_GEOM_COLLECTION:
        text_append(t, "<MultiGeometry>");
        for (size_t i = 0; i < g->nmembers; i++)
            kml_geometry(t, &g->members[i]);
        text_append(t, "</MultiGeometry>");
        return;
    }
}

/* The balloon: label, class and id, note, observations, then each claim with
 * its stance, text and sources, so Google Earth shows the citations. */
static void kml_description(struct text *html, const struct item *it,
                            const struct claims_catalog *cat, const struct imagery_register *reg,
                            const struct evidence_report *ev)
{
    const struct annot_feature *f = it->f;
    text_append(html, "<h3>");
    xml_escaped(html, f->label && f->label[0] ? f->label : it->id, true);
    text_append(html, "</h3><p>");
    xml_escaped(html, annot_class_name(f->cls), true);
    text_append(html, " &middot; <code>");
    xml_escaped(html, it->id, true);
    text_append(html, "</code></p>");
    if (f->note && f->note[0]) {
        text_append(html, "<p>");
        xml_escaped(html, f->note, true);
        text_append(html, "</p>");
    }
    if (f->nobs) {
        text_append(html, "<p><b>Observed on</b></p><ul>");
        for (size_t i = 0; i < f->nobs; i++) {
            text_append(html, "<li>");
            xml_escaped(html, f->obs[i].image ? f->obs[i].image : "", true);
            if (f->obs[i].acquired && f->obs[i].acquired[0]) {
                text_append(html, " (acquired ");
                xml_escaped(html, f->obs[i].acquired, true);
                text_append(html, ")");
            }
            text_append(html, "<br/><i>");
            struct text what = {0};
            imagery_sentence(&what, reg, &f->obs[i]);
            html->failed |= what.failed;
            const char *colon = what.data ? strstr(what.data, ": ") : NULL;
            xml_escaped(html, colon ? colon + 2 : "", true);
            free(what.data);
            text_append(html, "</i></li>");
        }
        text_append(html, "</ul>");
    }
    if (f->nclaims) {
        text_append(html, "<p><b>Evidence for published claims</b></p><ul>");
        for (size_t i = 0; i < f->nclaims; i++) {
            const struct claims_claim *claim = claims_find(cat, f->claims[i].claim);
            text_append(html, "<li><b>");
            xml_escaped(html, annot_stance_name(f->claims[i].stance), true);
            text_append(html, "</b> <code>");
            xml_escaped(html, f->claims[i].claim, true);
            text_append(html, "</code>");
            if (!claim) {
                text_append(html, cat ? " (not in the claims catalog)" : "");
                text_append(html, "</li>");
                continue;
            }
            text_append(html, ": &ldquo;");
            xml_escaped(html, claim->text, true);
            text_append(html, "&rdquo;<br/>Sources: ");
            for (size_t s = 0; s < claim->nsources; s++) {
                const struct claims_source *src = claims_find_source(cat, claim->source_ids[s]);
                if (!src)
                    continue;
                text_append(html, s ? "; " : "");
                xml_escaped(html, src->outlet, true);
                text_append(html, ", <i>");
                xml_escaped(html, src->headline, true);
                text_append(html, "</i>");
                if (src->published[0]) {
                    text_append(html, ", ");
                    xml_escaped(html, src->published, true);
                }
                if (src->reliability == CLAIMS_RELIABILITY_MACHINE_WRITTEN)
                    text_append(html, " (machine-written)");
            }
            const struct evidence_claim *ec = evidence_report_find(ev, claim->id);
            if (ec) {
                text_append(html, "<br/>Status: <b>");
                xml_escaped(html, evidence_status_name(ec->status), true);
                text_append(html, "</b> (");
                xml_escaped(html, ec->reason, true);
                text_append(html, ")");
            }
            text_append(html, "</li>");
        }
        text_append(html, "</ul>");
    }
}

/* A property value as text for ExtendedData and OGR string fields: strings
 * as they are, null as NULL, anything else as compact JSON (new, free()). */
static char *value_text(json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void kml_data(struct text *t, const char *name, json_t *value)
{
    char *v = value_text(value);
    text_append(t, "<Data name=\"");
    xml_escaped(t, name, false);
    text_append(t, "\"><value>");
    xml_escaped(t, v ? v : "", false);
    text_append(t, "</value></Data>");
    free(v);
}

static bool build_kml(const struct merged *m, const struct export_options *opts,
                      const struct provenance *pv, const struct style *st, struct text *t)
{
    text_append(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
                   "<name>satmark export</name>\n<description>Imagery: ");
    xml_escaped(t, pv->note, false);
    text_append(t, "</description>\n");
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        const struct style_class *sc = style_for_class(st, (enum annot_class)c);
        text_printf(t, "<Style id=\"class-%s\">", annot_class_name((enum annot_class)c));
        text_append(t, "<IconStyle>");
        kml_colour(t, sc->colour, 1.0);
        text_append(t, "<Icon><href>http://maps.google.com/mapfiles/kml/shapes/"
                       "placemark_circle.png</href></Icon></IconStyle><LabelStyle>");
        kml_colour(t, sc->label_colour, 1.0);
        text_append(t, "</LabelStyle><LineStyle>");
        kml_colour(t, sc->colour, 1.0);
        text_printf(t, "<width>%.1f</width></LineStyle><PolyStyle>", sc->line_width);
        kml_colour(t, sc->colour, sc->fill_opacity);
        text_append(t, "</PolyStyle></Style>\n");
    }
    /* KML orders a Document's children: styles, then ExtendedData, then
     * the folders */
    char *prov = json_dumps(pv->doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!prov)
        return false;
    text_append(t, "<ExtendedData><Data name=\"satmark_imagery\"><value>");
    xml_escaped(t, prov, false);
    text_append(t, "</value></Data></ExtendedData>\n");
    free(prov);
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        bool any = false;
        for (size_t i = 0; i < m->n && !any; i++)
            any = (int)m->items[i].f->cls == c;
        if (!any)
            continue;
        const struct style_class *sc = style_for_class(st, (enum annot_class)c);
        text_append(t, "<Folder><name>");
        xml_escaped(t, sc->title[0] ? sc->title : annot_class_name((enum annot_class)c), false);
        text_append(t, "</name>\n");
        for (size_t i = 0; i < m->n; i++) {
            const struct item *it = &m->items[i];
            if ((int)it->f->cls != c)
                continue;
            text_append(t, "<Placemark><name>");
            xml_escaped(t, it->f->label && it->f->label[0] ? it->f->label : it->id, false);
            text_append(t, "</name><description>");
            struct text html = {0};
            kml_description(&html, it, opts->catalog, opts->imagery, m->evidence);
            if (html.failed) {
                free(html.data);
                return false;
            }
            cdata(t, html.data ? html.data : "");
            free(html.data);
            text_printf(t, "</description><styleUrl>#class-%s</styleUrl><ExtendedData>",
                        annot_class_name(it->f->cls));
            for (size_t k = 0; k < NFIXED; k++)
                kml_data(t, fixed_fields[k], json_object_get(it->props, fixed_fields[k]));
            for (size_t k = 0; k < m->nextra; k++)
                kml_data(t, m->extra_keys[k], json_object_get(it->props, m->extra_keys[k]));
            text_append(t, "</ExtendedData>");
            kml_geometry(t, export_geometry(it->f));
            text_append(t, "</Placemark>\n");
        }
        text_append(t, "</Folder>\n");
    }
    text_append(t, "</Document>\n</kml>\n");
    return !t->failed;
}

/* ---- OGR (GeoPackage, FlatGeobuf) ----------------------------------------- */

static OGRGeometryH ogr_ring_or_line(const struct annot_part *part, OGRwkbGeometryType type)
{
    OGRGeometryH g = OGR_G_CreateGeometry(type);
    if (!g)
        return NULL;
    for (size_t i = 0; i < part->n; i++) {
        if (part->alt)
            OGR_G_AddPoint(g, part->pts[i].lon, part->pts[i].lat, part->alt[i]);
        else
            OGR_G_AddPoint_2D(g, part->pts[i].lon, part->pts[i].lat);
    }
    return g;
}

/* Adds a copy of part (new, destroyed here either way: whether GDAL's
 * "Directly" variant frees a refused part differs between versions, so the
 * copying call keeps ownership plain). */
static bool add_part(OGRGeometryH container, OGRGeometryH part)
{
    if (!part)
        return false;
    bool ok = OGR_G_AddGeometry(container, part) == OGRERR_NONE;
    OGR_G_DestroyGeometry(part);
    return ok;
}

static OGRGeometryH ogr_polygon(const struct annot_geometry *g, size_t first, size_t end)
{
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    for (size_t r = first; poly && r < end; r++) {
        OGRGeometryH ring = ogr_ring_or_line(&g->parts[r], wkbLinearRing);
        if (!add_part(poly, ring)) {
            OGR_G_DestroyGeometry(poly);
            return NULL;
        }
    }
    return poly;
}

/* New OGR geometry for g (NULL for a null geometry or on failure; *ok says which). */
static OGRGeometryH ogr_geometry(const struct annot_geometry *g, bool *ok)
{
    OGRGeometryH out = NULL, part;
    *ok = true;
    switch (g->type) {
    case ANNOT_GEOM_NONE:
        return NULL;
    case ANNOT_GEOM_POINT:
        out = OGR_G_CreateGeometry(wkbPoint);
        if (out && g->parts[0].alt)
            OGR_G_SetPoint(out, 0, g->parts[0].pts[0].lon, g->parts[0].pts[0].lat,
                           g->parts[0].alt[0]);
        else if (out)
            OGR_G_SetPoint_2D(out, 0, g->parts[0].pts[0].lon, g->parts[0].pts[0].lat);
        break;
    case ANNOT_GEOM_LINESTRING:
        out = ogr_ring_or_line(&g->parts[0], wkbLineString);
        break;
    case ANNOT_GEOM_POLYGON:
        out = ogr_polygon(g, 0, g->nparts);
        break;
    case ANNOT_GEOM_MULTIPOINT:
        out = OGR_G_CreateGeometry(wkbMultiPoint);
        for (size_t i = 0; out && i < g->parts[0].n; i++) {
            struct annot_part one = {.n = 1,
                                     .pts = &g->parts[0].pts[i],
                                     .alt = g->parts[0].alt ? &g->parts[0].alt[i] : NULL};
            struct annot_geometry pt = {.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &one};
            bool sub_ok;
            part = ogr_geometry(&pt, &sub_ok);
            if (!add_part(out, part))
                goto fail;
        }
        break;
    case ANNOT_GEOM_MULTILINESTRING:
        out = OGR_G_CreateGeometry(wkbMultiLineString);
        for (size_t i = 0; out && i < g->nparts; i++) {
            part = ogr_ring_or_line(&g->parts[i], wkbLineString);
            if (!add_part(out, part))
                goto fail;
        }
        break;
    case ANNOT_GEOM_MULTIPOLYGON:
        out = OGR_G_CreateGeometry(wkbMultiPolygon);
        for (size_t first = 0; out && first < g->nparts;) {
            size_t end = member_end(g, first);
            part = ogr_polygon(g, first, end);
            if (!add_part(out, part))
                goto fail;
            first = end;
        }
        break;
    case ANNOT_GEOM_COLLECTION:
        out = OGR_G_CreateGeometry(wkbGeometryCollection);
        for (size_t i = 0; out && i < g->nmembers; i++) {
            bool sub_ok;
            part = ogr_geometry(&g->members[i], &sub_ok);
            if (!add_part(out, part))
                goto fail;
        }
        break;
    }
    if (!out)
        *ok = false;
    return out;
fail:
    OGR_G_DestroyGeometry(out);
    *ok = false;
    return NULL;
}

static bool ogr_create_fields(OGRLayerH layer, const struct merged *m)
{
    size_t total = NFIXED + m->nextra;
    for (size_t k = 0; k < total; k++) {
        const char *name = k < NFIXED ? fixed_fields[k] : m->extra_keys[k - NFIXED];
        OGRFieldDefnH fld = OGR_Fld_Create(name, OFTString);
        if (k < NFIXED && (strcmp(name, "claims") == 0 || strcmp(name, "observations") == 0))
            OGR_Fld_SetSubType(fld, OFSTJSON);
        OGRErr err = OGR_L_CreateField(layer, fld, TRUE);
        OGR_Fld_Destroy(fld);
        if (err != OGRERR_NONE)
            return false;
    }
    return true;
}

static bool ogr_write_feature(OGRLayerH layer, OGRFeatureDefnH defn, struct merged *m,
                              struct item *it, const int *field_index,
                              const struct gdalguard *g, struct diag *dg);

/* Writes m's features into layer; stops at the first GDAL error g saw. */
static bool ogr_write_features(OGRLayerH layer, struct merged *m, const struct gdalguard *g,
                               struct diag *dg)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    size_t total = NFIXED + m->nextra;
    int *field_index = malloc(total * sizeof *field_index); /* looked up once, not per feature */
    if (!field_index)
        return false;
    for (size_t k = 0; k < total; k++)
        field_index[k] =
            OGR_FD_GetFieldIndex(defn, k < NFIXED ? fixed_fields[k] : m->extra_keys[k - NFIXED]);
    bool ok = true;
    for (size_t i = 0; ok && i < m->n && g->errors == 0; i++)
        ok = ogr_write_feature(layer, defn, m, &m->items[i], field_index, g, dg);
    free(field_index);
    return ok && g->errors == 0;
}

/* One item into layer; field_index[k] is the layer's index of attribute k. */
static bool ogr_write_feature(OGRLayerH layer, OGRFeatureDefnH defn, struct merged *m,
                              struct item *it, const int *field_index,
                              const struct gdalguard *g, struct diag *dg)
{
    if (!item_props(m, it, dg))
        return false;
    OGRFeatureH feat = OGR_F_Create(defn);
    if (!feat) {
        item_props_done(m, it);
        return false;
    }
    size_t total = NFIXED + m->nextra;
    for (size_t k = 0; k < total; k++) {
        const char *name = k < NFIXED ? fixed_fields[k] : m->extra_keys[k - NFIXED];
        int idx = field_index[k];
        char *v = value_text(json_object_get(it->props, name));
        if (idx < 0) {
            free(v);
            continue; /* the driver renamed it; it already warned */
        }
        if (v)
            OGR_F_SetFieldString(feat, idx, v);
        else
            OGR_F_SetFieldNull(feat, idx);
        free(v);
    }
    item_props_done(m, it);
    bool geom_ok;
    OGRGeometryH geom = ogr_geometry(export_geometry(it->f), &geom_ok);
    if (!geom_ok) {
        OGR_F_Destroy(feat);
        diag_error(dg, "%s: feature \"%s\": cannot build its geometry", g->path, it->id);
        return false;
    }
    if (geom)
        OGR_F_SetGeometryDirectly(feat, geom);
    OGRErr err = OGR_L_CreateFeature(layer, feat);
    OGR_F_Destroy(feat);
    if (err != OGRERR_NONE) {
        diag_error(dg, "%s: feature \"%s\": %s", g->path, it->id,
                   gdalguard_reason(g, "the driver refused it"));
        return false;
    }
    return true;
}

/* Writes m with OGR's driver into tmp_path (a fresh path). */
static bool write_ogr(const char *tmp_path, const char *out_path, enum export_format format,
                      struct merged *m, const struct provenance *pv, struct diag *dg)
{
    raster_init();
    /* GDAL's own words are the reason when it gives one */
    struct gdalguard g;
    gdalguard_begin(&g, out_path, false, dg);
    const char *driver_name = format == EXPORT_GPKG ? "GPKG" : "FlatGeobuf";
    GDALDriverH driver = GDALGetDriverByName(driver_name);
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    bool ok = false;
    if (!driver) {
        diag_error(dg, "%s: GDAL has no %s driver", out_path, driver_name);
        goto done;
    }
    ds = GDALCreate(driver, tmp_path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        diag_error(dg, "%s: %s", out_path, gdalguard_reason(&g, "cannot create the file"));
        goto done;
    }
    srs = OSRNewSpatialReference(NULL);
    if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        diag_error(dg, "%s: cannot set up EPSG:4326 (is proj-data installed?): %s", out_path,
                   gdalguard_reason(&g, "no reason given"));
        goto done;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRwkbGeometryType type = m->has_z ? OGR_GT_SetZ(wkbUnknown) : wkbUnknown;
    /* GeoPackage has a place for what the imagery is (the layer's
     * description in gpkg_contents, and metadata in gpkg_metadata);
     * FlatGeobuf has none in this GDAL, so there the per-feature "imagery"
     * attribute carries it. */
    char description[1024];
    snprintf(description, sizeof description, "DESCRIPTION=satmark annotations. Imagery: %s",
             pv->note);
    char *layer_options[] = {format == EXPORT_GPKG ? "IDENTIFIER=satmark annotations" : NULL,
                             format == EXPORT_GPKG ? description : NULL, NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "annotations", srs, type, layer_options);
    if (!layer) {
        diag_error(dg, "%s: %s", out_path, gdalguard_reason(&g, "cannot create the layer"));
        goto done;
    }
    char *prov = format == EXPORT_GPKG ? json_dumps(pv->doc, JSON_COMPACT | JSON_PRESERVE_ORDER)
                                       : NULL;
    if (prov)
        GDALSetMetadataItem(layer, "SATMARK_IMAGERY", prov, NULL);
    free(prov);
    if (!ogr_create_fields(layer, m)) {
        diag_error(dg, "%s: %s", out_path,
                   gdalguard_reason(&g, "cannot create the attribute fields"));
        goto done;
    }
    bool in_transaction = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    ok = ogr_write_features(layer, m, &g, dg);
    if (in_transaction && ok && GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
        diag_error(dg, "%s: %s", out_path, gdalguard_reason(&g, "cannot commit the features"));
        ok = false;
    }
done:
    if (ds)
        GDALClose(ds); /* writes FlatGeobuf's index and header */
    if (srs)
        OSRDestroySpatialReference(srs);
    /* an error GDAL reported without failing a call (or while closing) */
    if (ok && g.errors)
        diag_error(dg, "%s: %s", out_path, g.first_error);
    ok = ok && g.errors == 0;
    gdalguard_end(&g);
    return ok;
}

/* ---- atomic commit (protocol in safefile.h) ------------------------------- */

static bool write_text(struct safefile *sf, const struct text *t, struct diag *dg)
{
    if (fwrite(t->data, 1, t->len, safefile_stream(sf)) == t->len)
        return true;
    diag_error(dg, "%s: cannot write: %s", safefile_target(sf), strerror(errno));
    return false;
}

bool export_write(const char *out_path, const struct export_input *inputs, size_t ninputs,
                  const struct export_options *opts, struct diag *dg)
{
    struct export_options defaults = {0};
    if (!opts)
        opts = &defaults;
    enum export_format format;
    if (!export_format_from_path(out_path, &format)) {
        diag_error(dg, "%s: unknown output format (use .geojson, .kml, .gpkg or .fgb)", out_path);
        return false;
    }
    for (size_t i = 0; i < ninputs; i++)
        if (strcmp(inputs[i].path, out_path) == 0) {
            diag_error(dg, "%s: the output would overwrite an input", out_path);
            return false;
        }

    struct merged m = {0};
    struct text t = {0};
    struct safefile *sf = NULL;
    const struct style *st = opts->style;
    struct style *owned_style = NULL;
    m.inputs = inputs;
    m.cat = opts->catalog;
    m.props_mode = format == EXPORT_KML ? PROPS_KEEP : PROPS_LATER;
    m.need_extra_keys = format == EXPORT_GPKG || format == EXPORT_FGB;
    m.imagery = opts->imagery;
    struct provenance pv = {0};
    bool ok = merge(inputs, ninputs, opts, out_path, &m, dg);
    if (ok && !build_provenance(&m, opts->imagery, &pv)) {
        diag_error(dg, "%s: out of memory building the imagery provenance", out_path);
        ok = false;
    }
    if (ok && format == EXPORT_GEOJSON) {
        ok = (sf = safefile_begin(out_path, dg)) &&
             build_geojson(&m, &pv, &t, safefile_stream(sf), out_path, dg);
    } else if (ok && format == EXPORT_KML) {
        if (!st)
            st = owned_style = style_default();
        ok = st && build_kml(&m, opts, &pv, st, &t);
        if (!ok)
            diag_error(dg, "%s: out of memory building the KML text", out_path);
        ok = ok && (sf = safefile_begin(out_path, dg)) && write_text(sf, &t, dg);
    } else if (ok) {
        /* OGR creates the file itself (and may add side files): give it a
         * path in a private directory beside the target. */
        ok = (sf = safefile_reserve(out_path, ".satmark-export", dg)) &&
             write_ogr(safefile_temp_path(sf), out_path, format, &m, &pv, dg);
        if (!ok && sf)
            diag_error(dg, "%s: writing the %s file failed", out_path, export_format_name(format));
    }
    if (ok && m.clashes > EXPORT_CLASH_WARNINGS)
        diag_warn(dg, "%s: ... and %zu more properties that clash with an export attribute "
                      "dropped", out_path, m.clashes - EXPORT_CLASH_WARNINGS);
    if (ok) {
        ok = safefile_commit(sf, NULL, dg);
        sf = NULL;
    }
    safefile_abort(sf);
    style_free(owned_style);
    free(t.data);
    provenance_free(&pv);
    merged_free(&m);
    return ok;
}
