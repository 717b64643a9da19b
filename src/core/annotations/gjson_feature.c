/*
 * gjson_feature — one GeoJSON Feature of an annotation file: its id, its
 * geometry (gjson_geometry.c), its properties (class, label, note, claim
 * links with stances, observations with image dates, times) and the
 * foreign members kept verbatim for the round trip.
 *
 * Invariants: every string kept is a copy owned by the feature; a property
 * satmark defines is checked for type and range, anything else is kept as
 * JSON text, never interpreted.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "gjson_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gjwrite.h"
#include "hash.h"

bool gjson_copy_string(struct reader *r, char **dst, const char *s)
{
    size_t n = strlen(s) + 1;
    *dst = malloc(n);
    if (!*dst) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    memcpy(*dst, s, n);
    return true;
}

static bool is_iso_utc(const char *s)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pattern[i])
            return false;
    return true;
}

static bool is_date_prefix(const char *s)
{
    static const char pattern[] = "dddd-dd-dd";
    if (strlen(s) < sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pattern[i])
            return false;
    return true;
}

/* A string property (null -> ""); other types are an error. */
static bool read_string_prop(struct reader *r, json_t *props, const char *key, char **dst)
{
    json_t *v = json_object_get(props, key);
    if (!v || json_is_null(v))
        return gjson_copy_string(r, dst, "");
    if (!json_is_string(v)) {
        gjson_path_key(r, key);
        gjson_fail(r, "property \"%s\" must be a string, found %s", key, gjson_type_name(v));
        gjson_path_pop(r);
        return false;
    }
    return gjson_copy_string(r, dst, json_string_value(v));
}

static bool read_time_prop(struct reader *r, json_t *props, const char *key, char **dst)
{
    json_t *v = json_object_get(props, key);
    *dst = NULL;
    if (!v || json_is_null(v))
        return true;
    gjson_path_key(r, key);
    bool ok = true;
    if (!json_is_string(v))
        ok = gjson_fail(r, "property \"%s\" must be a time string or null, found %s", key,
                        gjson_type_name(v));
    else if (!is_iso_utc(json_string_value(v)))
        gjson_warn(r, "property \"%s\" is \"%s\", not YYYY-MM-DDTHH:MM:SSZ", key,
                   json_string_value(v));
    if (ok)
        ok = gjson_copy_string(r, dst, json_string_value(v));
    gjson_path_pop(r);
    return ok;
}

/* The array member key (arr, present): checks its type and allocates *items,
 * *n zeroed elements of elem_size (new; the caller stores it in the feature,
 * which frees it). False with the error recorded. */
static bool open_array(struct reader *r, json_t *arr, const char *key, size_t elem_size,
                       void **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!json_is_array(arr))
        return gjson_fail(r, "\"%s\" must be an array, found %s", key, gjson_type_name(arr));
    *n = json_array_size(arr);
    if (*n && !(*items = calloc(*n, elem_size))) {
        *n = 0;
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    return true;
}

static bool read_observations(struct reader *r, json_t *arr, struct annot_feature *f)
{
    if (!arr || json_is_null(arr))
        return true;
    gjson_path_key(r, "observations");
    size_t n = 0;
    void *items = NULL;
    bool ok = open_array(r, arr, "observations", sizeof *f->obs, &items, &n);
    f->obs = items;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_array_get(arr, i);
        gjson_path_index(r, i);
        f->nobs = i + 1;
        struct annot_observation *obs = &f->obs[i];
        if (!json_is_object(o)) {
            ok = gjson_fail(r,
                            "an observation must be an object {image, sha256, acquired}, found %s",
                            gjson_type_name(o));
        } else {
            ok = read_string_prop(r, o, "image", &obs->image) &&
                 read_string_prop(r, o, "sha256", &obs->sha256) &&
                 read_string_prop(r, o, "acquired", &obs->acquired);
            if (ok && !*obs->image)
                ok = gjson_fail(r, "observation without an \"image\"");
            if (ok && *obs->sha256 && !hash_is_sha256_hex(obs->sha256)) {
                gjson_path_key(r, "sha256");
                ok = gjson_fail(r, "\"sha256\" must be 64 lowercase hexadecimal digits");
                gjson_path_pop(r);
            }
            if (ok && *obs->acquired && !is_date_prefix(obs->acquired)) {
                gjson_path_key(r, "acquired");
                gjson_warn(r, "\"acquired\" is \"%s\", not YYYY-MM-DD", obs->acquired);
                gjson_path_pop(r);
            }
            const char *key;
            json_t *value;
            json_object_foreach(o, key, value)
            {
                if (ok && strcmp(key, "image") && strcmp(key, "sha256") &&
                    strcmp(key, "acquired")) {
                    gjson_path_key(r, key);
                    gjson_warn(r, "unknown observation member \"%s\" is not kept", key);
                    gjson_path_pop(r);
                }
            }
        }
        gjson_path_pop(r);
    }
    gjson_path_pop(r);
    return ok;
}

static bool read_claim_links(struct reader *r, json_t *arr, struct annot_feature *f)
{
    if (!arr || json_is_null(arr))
        return true;
    gjson_path_key(r, "claims");
    size_t n = 0;
    void *items = NULL;
    bool ok = open_array(r, arr, "claims", sizeof *f->claims, &items, &n);
    f->claims = items;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_array_get(arr, i);
        gjson_path_index(r, i);
        f->nclaims = i + 1;
        json_t *claim = json_is_object(o) ? json_object_get(o, "claim") : NULL;
        json_t *stance = json_is_object(o) ? json_object_get(o, "stance") : NULL;
        if (!json_is_object(o)) {
            ok = gjson_fail(r, "a claim link must be an object {claim, stance}, found %s",
                            gjson_type_name(o));
        } else if (!json_is_string(claim) || !*json_string_value(claim)) {
            ok = gjson_fail(r, "a claim link needs a non-empty \"claim\" id string");
        } else if (!json_is_string(stance) ||
                   !annot_stance_from_name(json_string_value(stance), &f->claims[i].stance)) {
            gjson_path_key(r, "stance");
            ok = gjson_fail(r, "\"stance\" must be \"supports\", \"contradicts\" or \"context\"");
            gjson_path_pop(r);
        } else {
            for (size_t k = 0; ok && k < i; k++)
                if (strcmp(f->claims[k].claim, json_string_value(claim)) == 0)
                    ok = gjson_fail(r, "claim \"%s\" is linked twice", json_string_value(claim));
            ok = ok && gjson_copy_string(r, &f->claims[i].claim, json_string_value(claim));
        }
        gjson_path_pop(r);
    }
    gjson_path_pop(r);
    return ok;
}

static bool dump_object(struct reader *r, json_t *obj, char **dst)
{
    *dst = NULL;
    if (json_object_size(obj) == 0)
        return true;
    *dst = gjwrite_json_value(obj);
    if (!*dst) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    /* The writer's buffer starts at 4 KiB: kept per feature, that was 4 KiB
     * of a million-feature file's memory each. */
    char *fit = realloc(*dst, strlen(*dst) + 1);
    if (fit)
        *dst = fit;
    return true;
}

bool gjson_foreign_members(struct reader *r, json_t *obj, const char *const *known, char **dst)
{
    *dst = NULL;
    json_t *extra = json_object();
    if (!extra) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        bool listed = false;
        for (const char *const *k = known; *k && !listed; k++)
            listed = strcmp(key, *k) == 0;
        if (!listed)
            json_object_set(extra, key, value);
    }
    bool ok = dump_object(r, extra, dst);
    json_decref(extra);
    return ok;
}

bool gjson_read_properties(struct reader *r, json_t *props, struct annot_feature *f)
{
    gjson_path_key(r, "properties");
    bool ok = true;
    json_t *extra = json_object();
    if (!extra) {
        diag_error(r->dg, "%s: out of memory", r->name);
        ok = false;
    }
    if (ok && props && !json_is_null(props) && !json_is_object(props))
        ok = gjson_fail(r, "\"properties\" must be an object or null, found %s",
                        gjson_type_name(props));
    if (!ok || !props || json_is_null(props)) {
        props = NULL;
    }
    json_t *empty = NULL;
    if (ok && !props) {
        empty = json_object();
        props = empty;
        if (!props) {
            diag_error(r->dg, "%s: out of memory", r->name);
            ok = false;
        }
    }
    if (ok) {
        json_t *cls = json_object_get(props, "class");
        f->cls = ANNOT_CLASS_OTHER;
        if (cls && !json_is_null(cls)) {
            gjson_path_key(r, "class");
            if (!json_is_string(cls))
                ok = gjson_fail(r, "property \"class\" must be a string, found %s",
                                gjson_type_name(cls));
            else if (!annot_class_from_name(json_string_value(cls), &f->cls))
                gjson_warn(r, "unknown class \"%s\" treated as \"other\" (kept as written in "
                              "the file)",
                           json_string_value(cls));
            /* a spelling other than the canonical name is written back as is */
            if (ok && json_is_string(cls) &&
                strcmp(json_string_value(cls), annot_class_name(f->cls)) != 0)
                ok = gjson_copy_string(r, &f->class_text, json_string_value(cls));
            gjson_path_pop(r);
        }
    }
    if (ok) {
        json_t *label = json_object_get(props, "label");
        json_t *name = json_object_get(props, "name");
        json_t *title = json_object_get(props, "title");
        if ((!label || json_is_null(label)) && json_is_string(name))
            ok = gjson_copy_string(r, &f->label, json_string_value(name));
        else if ((!label || json_is_null(label)) && json_is_string(title))
            ok = gjson_copy_string(r, &f->label, json_string_value(title));
        else
            ok = read_string_prop(r, props, "label", &f->label);
    }
    ok = ok && read_observations(r, json_object_get(props, "observations"), f) &&
         read_claim_links(r, json_object_get(props, "claims"), f) &&
         read_string_prop(r, props, "note", &f->note) &&
         read_time_prop(r, props, "created", &f->created) &&
         read_time_prop(r, props, "modified", &f->modified) &&
         read_string_prop(r, props, "author", &f->author);
    if (ok) {
        static const char *const known[] = {"class", "label", "observations", "claims", "note",
                                            "created", "modified", "author", NULL};
        const char *key;
        json_t *value;
        json_object_foreach(props, key, value)
        {
            bool is_known = false;
            for (const char *const *k = known; *k && !is_known; k++)
                is_known = strcmp(key, *k) == 0;
            if (!is_known && json_object_set(extra, key, value) != 0) {
                diag_error(r->dg, "%s: out of memory", r->name);
                ok = false;
                break;
            }
        }
    }
    ok = ok && dump_object(r, extra, &f->extra_properties);
    json_decref(extra);
    json_decref(empty);
    gjson_path_pop(r);
    return ok;
}

static bool read_id(struct reader *r, json_t *id, struct annot_feature *f, bool *given)
{
    *given = false;
    if (!id || json_is_null(id))
        return true;
    gjson_path_key(r, "id");
    bool ok = true;
    char buf[64];
    if (json_is_string(id)) {
        if (!*json_string_value(id))
            ok = gjson_fail(r, "feature \"id\" is an empty string");
        else if (diag_has_control(json_string_value(id)))
            ok = gjson_fail(r, "feature \"id\" contains control characters");
        else
            ok = gjson_copy_string(r, &f->id, json_string_value(id));
    } else if (json_is_integer(id)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        gjson_warn(r, "numeric feature id %s is written back as the string \"%s\"", buf, buf);
        ok = gjson_copy_string(r, &f->id, buf);
    } else if (json_is_real(id)) {
        snprintf(buf, sizeof buf, "%.17g", json_real_value(id));
        gjson_warn(r, "numeric feature id %s is written back as the string \"%s\"", buf, buf);
        ok = gjson_copy_string(r, &f->id, buf);
    } else {
        ok = gjson_fail(r, "feature \"id\" must be a string or a number, found %s",
                        gjson_type_name(id));
    }
    gjson_path_pop(r);
    *given = ok;
    return ok;
}

/* A feature without an id of its own takes a non-empty string or an integer
 * "id" property as its id (idassign gives way to the features' own ids). */
static bool take_property_id(struct reader *r, json_t *props, struct annot_feature *f)
{
    json_t *id = json_object_get(props, "id"); /* NULL when props is not an object */
    char buf[32];
    const char *text = NULL;
    if (json_is_string(id) && *json_string_value(id) && !diag_has_control(json_string_value(id)))
        text = json_string_value(id);
    else if (json_is_integer(id))
        text = (snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(id)), buf);
    if (!text)
        return true;
    f->id_from_properties = true;
    return gjson_copy_string(r, &f->id, text);
}

bool gjson_read_feature(struct reader *r, json_t *obj, struct annot_feature *f)
{
    annot_feature_init(f);
    bool id_given = false;
    r->feature_id = NULL;
    r->warned_4d = false;
    r->warned_jump = false;
    if (!json_is_object(obj))
        return gjson_fail(r, "a feature must be an object, found %s", gjson_type_name(obj));
    json_t *type = json_object_get(obj, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "Feature") != 0) {
        if (type)
            gjson_path_key(r, "type");
        if (!type)
            gjson_fail(r, "feature has no \"type\" member");
        else if (!json_is_string(type))
            gjson_fail(r, "\"type\" must be a string, found %s", gjson_type_name(type));
        else
            gjson_fail(r, "expected \"type\": \"Feature\" here, found \"%s\"",
                       json_string_value(type));
        if (type)
            gjson_path_pop(r);
        return false;
    }
    json_t *id = json_object_get(obj, "id");
    if (json_is_string(id))
        r->feature_id = json_string_value(id);
    static const char *const forbidden[] = {"coordinates", "geometries", "features", NULL};
    if (!gjson_check_forbidden(r, obj, "Feature", forbidden) || !gjson_check_bbox(r, obj) ||
        !read_id(r, id, f, &id_given))
        return false;
    json_t *geom = json_object_get(obj, "geometry");
    if (!json_object_get(obj, "geometry") && !json_object_get(obj, "properties"))
        return gjson_fail(r, "a Feature needs \"geometry\" and \"properties\" members (either may "
                             "be null)");
    if (!geom)
        return gjson_fail(r, "a Feature needs a \"geometry\" member (an object or null)");
    if (!json_object_get(obj, "properties"))
        return gjson_fail(r, "a Feature needs a \"properties\" member (an object or null)");
    if (!json_is_null(geom)) {
        gjson_path_key(r, "geometry");
        bool ok = gjson_read_geometry(r, geom, &f->geom, false);
        if (ok && annot_geometry_normalize_winding(&f->geom))
            gjson_warn(r, "ring winding corrected: exterior rings are written counter-clockwise, "
                          "holes clockwise (RFC 7946 section 3.1.6)");
        gjson_path_pop(r);
        if (!ok)
            return false;
    }
    if (!gjson_read_properties(r, json_object_get(obj, "properties"), f) ||
        (!id_given && !take_property_id(r, json_object_get(obj, "properties"), f)))
        return false;
    /* Foreign members of the Feature are kept. */
    static const char *const known[] = {"type", "id", "geometry", "properties", "bbox", NULL};
    return gjson_foreign_members(r, obj, known, &f->extra_members);
}
