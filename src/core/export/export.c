/*
 * export — see export.h. This file chooses the format, merges the inputs,
 * builds the imagery provenance and commits the result; the formats are
 * written by backends (export_int.h: export_geojson.c, export_kml.c,
 * export_ogr.c), as curl's vtls/ backends sit behind one front.
 *
 * 1. merge: the inputs' features in order, each with its export id (checked
 *    unique through idmaps; duplicates fail or get the file's site as
 *    prefix) and its properties as one jansson object in a fixed order. The
 *    properties carry the claim links resolved against the catalog, so a
 *    reader of any output sees what each mark is evidence for and who said
 *    it. Text is built in dynbufs capped at EXPORT_MAX_TEXT.
 * 2. write: one backend per format family. GeoJSON goes through gjwrite (the
 *    only GeoJSON writer), KML is text escaped by xmlesc (the only XML
 *    escaper), GeoPackage and FlatGeobuf go through OGR, whose errors are
 *    captured by gdalguard onto our diag.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "claims.h"
#include "dynbuf.h"
#include "evidence.h"
#include "export_int.h"
#include "gjwrite.h"
#include "idmap.h"
#include "imagery.h"
#include "jsontext.h"
#include "safefile.h"
#include "settings.h"
#include "style.h"

const char *const export_fixed_fields[EXPORT_NFIXED] = {
    "id",        "class",   "label",  "note",     "observed",    "observations", "claims",
    "claim_ids", "stances", "citations", "created", "modified", "author",       "source_file",
    "imagery",
};

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

/* ---- merge ---------------------------------------------------------------- */

static void obs_cache_clear(struct export_obs_cache *c)
{
    for (size_t i = 0; i < c->nobs; i++) {
        free(c->obs[i].image);
        free(c->obs[i].sha256);
        free(c->obs[i].acquired);
    }
    free(c->obs);
    free(c->observations_text);
    json_decref(c->observed);
    json_decref(c->observations);
    json_decref(c->imagery);
    memset(c, 0, sizeof *c);
}

static bool same_text_or_null(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether f's observations equal the cached ones (so their values can be
 * shared). */
static bool obs_cache_matches(const struct export_obs_cache *c, const struct annot_feature *f)
{
    if (!c->observed || c->nobs != f->nobs)
        return false;
    for (size_t i = 0; i < f->nobs; i++)
        if (!same_text_or_null(c->obs[i].image, f->obs[i].image) ||
            !same_text_or_null(c->obs[i].sha256, f->obs[i].sha256) ||
            !same_text_or_null(c->obs[i].acquired, f->obs[i].acquired))
            return false;
    return true;
}

/* Caches f's observations and the three values built from them (references
 * taken). Out of memory only leaves the cache empty. */
static void obs_cache_store(struct export_obs_cache *c, const struct annot_feature *f,
                            json_t *observed, json_t *observations, json_t *imagery)
{
    obs_cache_clear(c);
    if (!observed || !observations || !imagery)
        return;
    if (f->nobs && !(c->obs = calloc(f->nobs, sizeof *c->obs)))
        return;
    c->nobs = f->nobs;
    for (size_t i = 0; i < f->nobs; i++) {
        const struct annot_observation *o = &f->obs[i];
        if ((o->image && !(c->obs[i].image = strdup(o->image))) ||
            (o->sha256 && !(c->obs[i].sha256 = strdup(o->sha256))) ||
            (o->acquired && !(c->obs[i].acquired = strdup(o->acquired)))) {
            obs_cache_clear(c);
            return;
        }
    }
    c->observed = json_incref(observed);
    c->observations = json_incref(observations);
    c->imagery = json_incref(imagery);
}

static void merged_free(struct export_merged *m)
{
    obs_cache_clear(&m->obs_cache);
    evidence_report_free(m->evidence);
    free(m->tiles);
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].owned_id);
        json_decref(m->items[i].props);
    }
    free(m->items);
    for (size_t i = 0; i < m->nextra; i++)
        free(m->extra_keys[i]);
    free(m->extra_keys);
    memset(m, 0, sizeof *m);
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
                            const struct evidence_report *ev, struct dynbuf *citation)
{
    json_t *o = json_object();
    put(o, "claim", json_string(link->claim));
    put(o, "stance", json_string(annot_stance_name(link->stance)));
    const struct claims_claim *claim = claims_find(cat, link->claim);
    put(o, "text", claim ? json_string(claim->text) : json_null());
    json_t *sources = json_array();
    dynbuf_printf(citation, "%s ", annot_stance_name(link->stance));
    dynbuf_append_str(citation, link->claim);
    if (claim) {
        dynbuf_append_str(citation, ": \"");
        dynbuf_append_str(citation, claim->text);
        dynbuf_append_str(citation, "\"");
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
            dynbuf_append_str(citation, s ? "; " : " (");
            dynbuf_append_str(citation, src->outlet);
            dynbuf_append_str(citation, ", \"");
            dynbuf_append_str(citation, src->headline);
            dynbuf_append_str(citation, "\"");
            if (src->published[0]) {
                dynbuf_append_str(citation, ", ");
                dynbuf_append_str(citation, src->published);
            }
            if (src->reliability == CLAIMS_RELIABILITY_MACHINE_WRITTEN)
                dynbuf_append_str(citation, ", machine-written");
            if (s + 1 == claim->nsources)
                dynbuf_append_str(citation, ")");
        }
    } else {
        dynbuf_append_str(citation, cat ? " (not in the claims catalog)" : " (no claims catalog)");
    }
    put(o, "sources", sources);
    /* The claim's computed status, so an export never reads as more than the
     * claims report says (docs/claims-checks.md). */
    const struct evidence_claim *ec = claim ? evidence_report_find(ev, claim->id) : NULL;
    if (ec) {
        put(o, "status", json_string(evidence_status_name(ec->status)));
        put(o, "status_reason", json_string(ec->reason));
        put(o, "independent_origins", json_integer((json_int_t)ec->independent_origins));
        dynbuf_printf(citation, " [%s]", evidence_status_name(ec->status));
    }
    return o;
}

/* ---- imagery provenance --------------------------------------------------- */

#define SYNTHETIC_NOTE "synthetic demo imagery: illustration, not evidence"

void export_imagery_sentence(struct dynbuf *t, const struct imagery_register *reg,
                             const struct annot_observation *obs)
{
    enum imagery_match how;
    const struct imagery_entry *e = imagery_match(reg, obs->image, obs->sha256, &how);
    dynbuf_append_str(t, obs->image && obs->image[0] ? obs->image : "(unnamed image)");
    if (!e) {
        dynbuf_append_str(t, ": unregistered (provenance unknown)");
        return;
    }
    dynbuf_append_str(t, e->synthetic ? ": synthetic demo imagery (illustration, not evidence)"
                                : ": real imagery");
    dynbuf_printf(t, ", acquired %s", e->acquired[0] ? e->acquired : "unknown");
    if (e->provider[0])
        dynbuf_printf(t, ", %s", e->provider);
    if (how == IMAGERY_MATCH_NAME)
        dynbuf_append_str(t, obs->sha256 && obs->sha256[0]
                           ? ", registered only by file name (its SHA-256 differs from the "
                             "register's)"
                           : ", registered only by file name (the mark records no SHA-256)");
}

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

static bool build_provenance(const struct export_merged *m, const struct imagery_register *reg,
                             struct export_provenance *pv)
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
    struct dynbuf note;
    dynbuf_init(&note, EXPORT_MAX_TEXT);
    if (total == 0)
        dynbuf_append_str(&note, "no mark records the image it was observed on");
    else if (synthetic == total)
        dynbuf_printf(&note, "%zu tile%s, all " SYNTHETIC_NOTE, total, total == 1 ? "" : "s");
    else {
        dynbuf_printf(&note, "%zu tile%s: ", total, total == 1 ? "" : "s");
        const char *sep = "";
        if (real) {
            dynbuf_printf(&note, "%zu real, registered", real);
            sep = "; ";
        }
        if (synthetic) {
            dynbuf_printf(&note, "%s%zu " SYNTHETIC_NOTE, sep, synthetic);
            sep = "; ";
        }
        if (unregistered)
            dynbuf_printf(&note, "%s%zu unregistered: provenance unknown%s", sep, unregistered,
                        reg ? "" : " (no imagery register)");
    }
    if (by_name)
        dynbuf_printf(&note, "; %zu matched the register only by file name (the SHA-256 the "
                           "marks record differs, or they record none)", by_name);
    ok = ok && !dynbuf_failed(&note);
    pv->note = dynbuf_take(&note, NULL);
    if (ok) {
        put(pv->doc, "imagery_register", reg ? json_string(imagery_register_path(reg)) : json_null());
        ok = json_object_set(pv->doc, "imagery", tiles) == 0;
        put(pv->doc, "note", json_string(pv->note));
        ok = ok && json_object_size(pv->doc) == 3;
    }
    json_decref(tiles);
    return ok;
}

static void provenance_free(struct export_provenance *pv)
{
    json_decref(pv->doc);
    free(pv->note);
}

/* The three values built from f's observations: "observed" (text),
 * "observations" (array) and "imagery" (text), as new references (NULL on
 * out of memory or text that is not UTF-8). */
static void build_obs_values(const struct annot_feature *f, const struct imagery_register *reg,
                             json_t **observed_out, json_t **observations_out,
                             json_t **imagery_out)
{
    struct dynbuf observed;
    dynbuf_init(&observed, EXPORT_MAX_TEXT);
    json_t *obs = json_array();
    bool ok = obs != NULL;
    for (size_t i = 0; ok && i < f->nobs; i++) {
        const struct annot_observation *o = &f->obs[i];
        json_t *oo = json_object();
        put(oo, "image", json_string(o->image ? o->image : ""));
        put(oo, "sha256", json_string(o->sha256 ? o->sha256 : ""));
        put(oo, "acquired", json_string(o->acquired ? o->acquired : ""));
        ok = json_object_size(oo) == 3 && json_array_append_new(obs, oo) == 0;
        dynbuf_append_str(&observed, i ? "; " : "");
        dynbuf_append_str(&observed, o->image ? o->image : "");
        if (o->acquired && o->acquired[0])
            dynbuf_printf(&observed, " (%.40s)", o->acquired);
    }
    struct dynbuf imagery;
    dynbuf_init(&imagery, EXPORT_MAX_TEXT);
    for (size_t i = 0; i < f->nobs; i++) {
        dynbuf_append_str(&imagery, i ? "; " : "");
        export_imagery_sentence(&imagery, reg, &f->obs[i]);
    }
    ok = ok && !dynbuf_failed(&observed) && !dynbuf_failed(&imagery);
    *observed_out = ok ? json_string(dynbuf_str(&observed)) : NULL;
    *imagery_out =
        ok ? json_string(dynbuf_len(&imagery) ? dynbuf_str(&imagery) : "no observation") : NULL;
    *observations_out = ok ? obs : NULL;
    if (!ok)
        json_decref(obs);
    dynbuf_free(&imagery);
    dynbuf_free(&observed);
}

static bool build_props(struct export_item *it, const struct export_input *in,
                        const struct claims_catalog *cat, const struct imagery_register *reg,
                        const struct evidence_report *ev, struct export_obs_cache *cache,
                        struct diag *dg)
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

    json_t *observed, *observations, *imagery_text;
    if (obs_cache_matches(cache, f)) {
        observed = json_incref(cache->observed);
        observations = json_incref(cache->observations);
        imagery_text = json_incref(cache->imagery);
    } else {
        build_obs_values(f, reg, &observed, &observations, &imagery_text);
        obs_cache_store(cache, f, observed, observations, imagery_text);
    }
    put(p, "observed", observed);
    put(p, "observations", observations);

    struct dynbuf ids, stances, citations;

    dynbuf_init(&ids, EXPORT_MAX_TEXT);

    dynbuf_init(&stances, EXPORT_MAX_TEXT);

    dynbuf_init(&citations, EXPORT_MAX_TEXT);
    json_t *links = json_array();
    for (size_t i = 0; i < f->nclaims; i++) {
        const struct annot_claim_link *link = &f->claims[i];
        if (cat && !claims_find(cat, link->claim))
            diag_warn(dg, "%s: feature \"%s\" links to claim \"%s\", which the catalog %s does "
                          "not define; exported unresolved",
                      in->path, f->id, link->claim, claims_catalog_path(cat));
        dynbuf_append_str(&citations, i ? " | " : "");
        json_array_append_new(links, resolve_link(link, cat, ev, &citations));
        dynbuf_append_str(&ids, i ? "; " : "");
        dynbuf_append_str(&ids, link->claim);
        dynbuf_append_str(&stances, i ? "; " : "");
        dynbuf_append_str(&stances, annot_stance_name(link->stance));
    }
    put(p, "claims", links);
    put(p, "claim_ids", json_string(dynbuf_str(&ids)));
    put(p, "stances", json_string(dynbuf_str(&stances)));
    put(p, "citations", json_string(dynbuf_str(&citations)));
    put(p, "created", string_or_null(f->created));
    put(p, "modified", string_or_null(f->modified));
    put(p, "author", json_string(f->author ? f->author : ""));
    put(p, "source_file", json_string(in->path));
    put(p, "imagery", imagery_text);
    bool text_ok = !dynbuf_failed(&ids) && !dynbuf_failed(&stances) && !dynbuf_failed(&citations);
    dynbuf_free(&ids);
    dynbuf_free(&stances);
    dynbuf_free(&citations);
    /* A NULL value (out of memory, or a string that is not UTF-8) is dropped
     * by jansson, so a short object means something went wrong. */
    return text_ok && json_object_size(p) == EXPORT_NFIXED;
}

size_t export_attribute_index(const struct export_merged *m, const char *key, size_t n)
{
    for (size_t k = 0; k < EXPORT_NFIXED; k++)
        if (strncmp(export_fixed_fields[k], key, n) == 0 && export_fixed_fields[k][n] == '\0')
            return k;
    for (size_t k = 0; k < m->nextra; k++)
        if (strncmp(m->extra_keys[k], key, n) == 0 && m->extra_keys[k][n] == '\0')
            return EXPORT_NFIXED + k;
    return EXPORT_NFIXED + m->nextra;
}

/* Adds key (n bytes, borrowed) to m's union unless it is a fixed attribute
 * or known. False on out of memory. */
static bool note_extra_key(struct export_merged *m, const char *key, size_t n)
{
    if (export_attribute_index(m, key, n) < EXPORT_NFIXED + m->nextra)
        return true;
    char **grown = realloc(m->extra_keys, (m->nextra + 1) * sizeof *grown);
    if (!grown)
        return false;
    m->extra_keys = grown;
    if (!(grown[m->nextra] = malloc(n + 1)))
        return false;
    memcpy(grown[m->nextra], key, n);
    grown[m->nextra++][n] = '\0';
    return true;
}

/* Whether an "id" property value (borrowed) says what the exported id says:
 * the same string, or an integer written as it (the reader took it so). */
static bool same_id(const json_t *value, const char *id)
{
    if (json_is_string(value))
        return strcmp(json_string_value(value), id) == 0;
    if (!json_is_integer(value))
        return false;
    char buf[32];
    snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
    return strcmp(buf, id) == 0;
}

/* Whether the "id" property of the extra properties `extra` (borrowed) is
 * exported as EXPORT_SOURCE_ID: it differs from the exported id, and the
 * feature has no property of that name itself. */
static bool id_to_source_id(const json_t *extra, const char *id)
{
    const json_t *value = json_object_get(extra, "id");
    return value && !same_id(value, id) && !json_object_get(extra, EXPORT_SOURCE_ID);
}

/* Adds f's extra properties (JSON object text kept by the reader) to its
 * props after the fixed ones, and their names to the union. An "id" property
 * equal to the exported id is that attribute already; one that differs is
 * kept as EXPORT_SOURCE_ID. */
static bool add_extras(struct export_merged *m, struct export_item *it, const char *path, struct diag *dg)
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
    bool id_apart = id_to_source_id(extra, it->id);
    json_object_foreach(extra, key, value) {
        const char *name = key; /* key itself drives json_object_foreach */
        bool is_id = strcmp(key, "id") == 0;
        if (is_id && !id_apart && same_id(value, it->id))
            continue;
        if (is_id && id_apart) {
            m->ids_apart++;
            name = EXPORT_SOURCE_ID;
        }
        if (json_object_get(it->props, name)) {
            if (m->clashes++ < EXPORT_CLASH_WARNINGS)
                diag_warn(dg, "%s: feature \"%s\": property \"%s\" clashes with an export "
                              "attribute; dropped", path, it->f->id, name);
            continue;
        }
        json_object_set(it->props, name, value);
        if (!note_extra_key(m, name, strlen(name))) {
            json_decref(extra);
            return false;
        }
    }
    json_decref(extra);
    return true;
}

/* note_extra_keys for object text whose keys have no escape, from the text
 * itself (jansson would build every value only to be dropped: a million
 * features' worth). *taken false when the text is not of that form (then
 * nothing was added). False on out of memory. */
static bool note_plain_extra_keys(struct export_merged *m, const char *t, bool *taken)
{
    size_t len = strlen(t), at = 0;
    struct export_member mb;
    int r;
    *taken = false;
    while ((r = export_next_member(t, len, &at, &mb)) > 0) {
    } /* first the form, so that nothing is added from a text declined */
    if (r < 0)
        return true;
    for (at = 0; export_next_member(t, len, &at, &mb) > 0;)
        if (!note_extra_key(m, mb.key, mb.key_n))
            return false;
    *taken = true;
    return true;
}

/* Whether the "id" property of the item's feature goes to EXPORT_SOURCE_ID
 * (id_to_source_id), parsing the extra properties only when an "id" key may
 * be there and the exported id is not the one the reader took from it. */
static bool item_id_apart(const struct export_item *it)
{
    const struct annot_feature *f = it->f;
    if (!strstr(f->extra_properties, "\"id\"") ||
        (f->id_from_properties && strcmp(f->id, it->id) == 0))
        return false;
    json_error_t err;
    json_t *extra = json_loads(f->extra_properties, JSON_REJECT_DUPLICATES, &err);
    bool apart = id_to_source_id(extra, it->id);
    json_decref(extra);
    return apart;
}

/* Adds the names of the extra properties of the item's feature to m's
 * union, as add_extras would (names of fixed attributes clash and are
 * dropped there, an "id" property may be EXPORT_SOURCE_ID), without building
 * the properties. False on out of memory. */
static bool note_extra_keys(struct export_merged *m, const struct export_item *it)
{
    const struct annot_feature *f = it->f;
    if (!f->extra_properties)
        return true;
    if (item_id_apart(it) && !note_extra_key(m, EXPORT_SOURCE_ID, strlen(EXPORT_SOURCE_ID)))
        return false;
    bool taken;
    if (!note_plain_extra_keys(m, f->extra_properties, &taken))
        return false;
    if (taken)
        return true;
    json_error_t err;
    json_t *extra = json_loads(f->extra_properties, JSON_REJECT_DUPLICATES, &err);
    const char *key;
    json_t *value;
    bool ok = true;
    json_object_foreach(extra, key, value) {
        if (!(ok = note_extra_key(m, key, strlen(key))))
            break;
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

/* The ids of an export by feature number g (inputs in order, features in
 * order; g is also the feature's item index): keys[g] is the feature's own
 * id, keys[total + g] the prefixed id it was given, if any. The idmaps of
 * merge look their keys up here. */
struct id_keys {
    const char **keys; /* 2 * total, borrowed from the sets and the items */
    size_t *input;     /* input of feature g */
    size_t total;
};

static bool id_keys_init(struct id_keys *k, const struct export_input *inputs, size_t ninputs)
{
    k->total = 0;
    for (size_t in = 0; in < ninputs; in++)
        k->total += annot_count(inputs[in].set);
    k->keys = calloc(2 * k->total + 1, sizeof *k->keys);
    k->input = calloc(k->total + 1, sizeof *k->input);
    if (!k->keys || !k->input)
        return false;
    size_t g = 0;
    for (size_t in = 0; in < ninputs; in++)
        for (size_t i = 0; i < annot_count(inputs[in].set); i++, g++) {
            k->keys[g] = annot_get(inputs[in].set, i)->id;
            k->input[g] = in;
        }
    return true;
}

static void id_keys_free(struct id_keys *k)
{
    free(k->keys);
    free(k->input);
}

/* Finds the ids used by more than one input into `shared` (value: the
 * feature that used it first). In EXPORT_DUPLICATES_FAIL mode the first one
 * is an error. */
static bool find_shared_ids(const struct export_input *inputs, const struct id_keys *k,
                            const struct export_options *opts, struct idmap *shared,
                            const char *out_path, struct diag *dg)
{
    struct idmap seen;
    if (!idmap_init(&seen, k->total, idmap_key_in_array, k->keys)) {
        diag_error(dg, "%s: out of memory", out_path);
        return false;
    }
    bool ok = true;
    for (size_t g = 0; ok && g < k->total; g++) {
        size_t first;
        if (!idmap_find(&seen, k->keys[g], &first)) {
            ok = idmap_add(&seen, k->keys[g], g, NULL);
        } else if (opts->duplicates == EXPORT_DUPLICATES_FAIL) {
            diag_error(dg, "%s: feature id \"%s\" is also used in %s; ids must be unique in "
                           "the export (without --strict-ids they get their file's site "
                           "as prefix)",
                       inputs[k->input[g]].path, k->keys[g], inputs[k->input[first]].path);
            idmap_free(&seen);
            return false;
        } else {
            ok = idmap_add(shared, k->keys[g], first, NULL);
        }
    }
    if (!ok)
        diag_error(dg, "%s: out of memory", out_path);
    idmap_free(&seen);
    return ok;
}

/* The export id of feature f of input `in` into out (cap bytes): its own id,
 * or "SITE:ID" (then "SITE:ID-2", ...) when another input uses the same id.
 * `used` holds every id taken so far. */
static bool export_id(const struct export_input *in, const struct annot_feature *f,
                      const struct idmap *shared, const struct idmap *used, char *out,
                      size_t cap)
{
    if (!idmap_find(shared, f->id, NULL)) {
        snprintf(out, cap, "%s", f->id);
        return true;
    }
    char site[128];
    site_of(in, site, sizeof site);
    snprintf(out, cap, "%s:%s", site, f->id);
    for (int n = 2; idmap_find(used, out, NULL) && n < 1000; n++)
        snprintf(out, cap, "%s:%s-%d", site, f->id, n);
    return !idmap_find(used, out, NULL);
}

/* Evaluates the catalog's claims on the exported marks (m->evidence); its
 * warnings (links to unknown claims) are the export's own already, so they go
 * to a scratch diag. */
static bool evaluate_evidence(const struct export_input *inputs, size_t ninputs,
                              const struct export_options *opts, const char *out_path,
                              struct export_merged *m, struct diag *dg)
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
                  const struct export_options *opts, const char *out_path, struct export_merged *m,
                  struct diag *dg)
{
    if (!evaluate_evidence(inputs, ninputs, opts, out_path, m, dg))
        return false;
    struct id_keys k;
    struct idmap shared = {0}, used = {0};
    /* One input's ids are unique already (a set's invariant) and none is
     * renamed, so the maps of shared and used ids stay empty (issue 14:
     * hashing a million ids into two maps was ~5% of an export). */
    bool several = ninputs > 1;
    bool ok = id_keys_init(&k, inputs, ninputs) &&
              (m->items = calloc(k.total + 1, sizeof *m->items)) &&
              idmap_init(&shared, 0, idmap_key_in_array, k.keys) &&
              idmap_init(&used, several ? k.total : 0, idmap_key_in_array, k.keys);
    if (!ok)
        diag_error(dg, "%s: out of memory", out_path);
    ok = ok && (!several || find_shared_ids(inputs, &k, opts, &shared, out_path, dg));
    /* Ids kept as they are are taken first, so a prefixed id cannot take one. */
    for (size_t g = 0; ok && several && g < k.total; g++)
        if (!idmap_find(&shared, k.keys[g], NULL))
            ok = idmap_add(&used, k.keys[g], g, NULL);
    for (size_t in = 0; ok && in < ninputs; in++) {
        size_t renamed = 0;
        char examples[160] = "";
        for (size_t i = 0; ok && i < annot_count(inputs[in].set); i++) {
            const struct annot_feature *f = annot_get(inputs[in].set, i);
            size_t g = m->n;
            struct export_item *it = &m->items[g];
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
            /* an id kept as it is stays the set's (a million copies were
             * 1M allocations and 30 MB) */
            bool own = strcmp(id, f->id) != 0;
            it->id = own ? (it->owned_id = strdup(id)) : f->id;
            m->n++;
            if (!it->id) {
                diag_error(dg, "%s: out of memory", out_path);
                ok = false;
                break;
            }
            if (strcmp(id, f->id) != 0) {
                k.keys[k.total + g] = it->id;
                ok = idmap_add(&used, it->id, k.total + g, NULL);
                if (!ok) {
                    diag_error(dg, "%s: out of memory", out_path);
                    break;
                }
            }
            if (m->props_mode != EXPORT_PROPS_LATER &&
                (!build_props(it, &inputs[in], opts->catalog, opts->imagery, m->evidence,
                             &m->obs_cache, dg) ||
                 !add_extras(m, it, inputs[in].path, dg))) {
                diag_error(dg, "%s: feature \"%s\": cannot build its properties (out of memory "
                               "or text that is not UTF-8)", inputs[in].path, f->id);
                ok = false;
                break;
            }
            if (m->props_mode == EXPORT_PROPS_LATER && m->need_extra_keys &&
                !note_extra_keys(m, it)) {
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
    idmap_free(&shared);
    idmap_free(&used);
    id_keys_free(&k);
    return ok;
}

bool export_item_props(struct export_merged *m, struct export_item *it, struct diag *dg)
{
    if (it->props)
        return true;
    const struct export_input *in = &m->inputs[it->input];
    if (build_props(it, in, m->cat, m->imagery, m->evidence, &m->obs_cache, dg) &&
        add_extras(m, it, in->path, dg))
        return true;
    diag_error(dg, "%s: feature \"%s\": cannot build its properties (out of memory or text "
                   "that is not UTF-8)", in->path, it->f->id);
    return false;
}

void export_item_props_done(const struct export_merged *m, struct export_item *it)
{
    if (m->props_mode == EXPORT_PROPS_KEEP)
        return;
    json_decref(it->props);
    it->props = NULL;
}

bool export_obs_texts(struct export_merged *m, const struct annot_feature *f,
                      const char **observed, const char **observations, const char **imagery)
{
    struct export_obs_cache *c = &m->obs_cache;
    if (!obs_cache_matches(c, f)) {
        json_t *o1, *o2, *o3;
        build_obs_values(f, m->imagery, &o1, &o2, &o3);
        obs_cache_store(c, f, o1, o2, o3);
        json_decref(o1);
        json_decref(o2);
        json_decref(o3);
        if (!obs_cache_matches(c, f))
            return false;
    }
    if (!c->observations_text)
        c->observations_text = json_dumps(c->observations, JSON_COMPACT | JSON_ENCODE_ANY);
    *observed = json_string_value(c->observed);
    *observations = c->observations_text;
    *imagery = json_string_value(c->imagery);
    return *observed && *observations && *imagery;
}

/* ---- shared with the backends (export_int.h) ------------------------------ */

const struct annot_geometry *export_geometry(const struct annot_feature *f)
{
    const struct annot_geometry *g = &f->geom;
    while (g->type == ANNOT_GEOM_COLLECTION && g->nmembers == 1)
        g = &g->members[0];
    return g;
}

char *export_value_text(json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_real(v)) { /* as the GeoJSON export writes it: 0.765, not 0.76500000000000001 */
        char text[32];
        return strdup(gjwrite_real(json_real_value(v), text, sizeof text));
    }
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* ---- atomic commit (protocol in safefile.h) ------------------------------- */

static bool write_text(struct safefile *sf, const struct dynbuf *t, struct diag *dg)
{
    if (fwrite(dynbuf_str(t), 1, dynbuf_len(t), safefile_stream(sf)) == dynbuf_len(t))
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

    struct export_merged m = {0};
    struct dynbuf t;
    dynbuf_init(&t, EXPORT_MAX_TEXT);
    struct safefile *sf = NULL;
    const struct style *st = opts->style;
    struct style *owned_style = NULL;
    m.inputs = inputs;
    m.cat = opts->catalog;
    m.props_mode = format == EXPORT_KML ? EXPORT_PROPS_KEEP : EXPORT_PROPS_LATER;
    m.need_extra_keys = format == EXPORT_GPKG || format == EXPORT_FGB;
    m.texts_from_props = settings_get()->export_slow_texts;
    m.imagery = opts->imagery;
    struct export_provenance pv = {0};
    bool ok = merge(inputs, ninputs, opts, out_path, &m, dg);
    if (ok && !build_provenance(&m, opts->imagery, &pv)) {
        diag_error(dg, "%s: out of memory building the imagery provenance", out_path);
        ok = false;
    }
    if (ok && format == EXPORT_GEOJSON) {
        ok = (sf = safefile_begin(out_path, dg)) &&
             export_geojson_write(&m, &pv, safefile_stream(sf), out_path, dg);
    } else if (ok && format == EXPORT_KML) {
        if (!st)
            st = owned_style = style_default();
        ok = st && export_kml_build(&m, opts, &pv, st, &t);
        if (!ok)
            diag_error(dg, "%s: out of memory building the KML text", out_path);
        ok = ok && (sf = safefile_begin(out_path, dg)) && write_text(sf, &t, dg);
    } else if (ok) {
        /* OGR creates the file itself (and may add side files): give it a
         * path in a private directory beside the target. */
        ok = (sf = safefile_reserve(out_path, ".satmark-export", dg)) &&
             export_ogr_write(safefile_temp_path(sf), out_path, format, &m, &pv, dg);
        if (!ok && sf)
            diag_error(dg, "%s: writing the %s file failed", out_path, export_format_name(format));
    }
    if (ok && m.clashes > EXPORT_CLASH_WARNINGS)
        diag_warn(dg, "%s: ... and %zu more properties that clash with an export attribute "
                      "dropped", out_path, m.clashes - EXPORT_CLASH_WARNINGS);
    if (ok && m.ids_apart)
        diag_warn(dg, "%s: %zu feature%s an \"id\" property other than %s exported id: kept "
                      "as \"" EXPORT_SOURCE_ID "\"",
                  out_path, m.ids_apart, m.ids_apart == 1 ? " has" : "s have",
                  m.ids_apart == 1 ? "its" : "their");
    if (ok) {
        ok = safefile_commit(sf, NULL, dg);
        sf = NULL;
    }
    safefile_abort(sf);
    style_free(owned_style);
    dynbuf_free(&t);
    provenance_free(&pv);
    merged_free(&m);
    return ok;
}
