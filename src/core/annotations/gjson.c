/*
 * gjson — annotation GeoJSON reading (strict) and RFC 7946 validation. The
 * rules are listed in gjson.h and docs/annotations.md; writing is gjwrite's.
 * This file reads the document; one Feature is gjson_feature.c's, geometry
 * gjson_geometry.c's, positions and messages gjson_report.c's (the files
 * share gjson_int.h).
 *
 * Positions in messages: jansson reports line:column for syntax errors but
 * keeps no positions once parsed. For structural errors the reader tracks the
 * JSON path it is validating (features[3].geometry.coordinates[0][2]) and,
 * only when reporting, walks the original text along that path with a small
 * iterative scanner (jsontext.h) to find the line and column. The text is
 * known to be valid JSON at that point (jansson parsed it), so the scanner
 * stays simple.
 *
 * Scale (issue 14): a FeatureCollection is read one feature at a time. The
 * text is split at the top level by the same small scanner (the features
 * array's elements), the rest of the document is parsed with "features": []
 * in place of the array, and each element is parsed alone by jansson and
 * freed once read, so memory holds one feature's JSON tree, not the file's.
 * A path is located inside the current feature's text only, and a feature's
 * line:column is found by advancing one cursor through the file, so the
 * positions of all messages cost O(file size) together. Warnings are capped
 * per kind (GJSON_WARN_PER_KIND shown, then one "... and N more" line per
 * kind), and a warning past a cap is counted without being located. When
 * anything fails in this streaming read (a syntax or a structural error),
 * the file is read again the whole-document way, so errors are exactly those
 * of a whole-document parse (jansson's syntax errors win over structure).
 *
 * Columns are 1-based and count UTF-8 code points, like jansson's.
 * Coordinates are rounded to 7 decimals on reading (to the value the writer
 * will produce), so what is shown and checked is exactly what gets saved.
 *
 * Ownership: a pointer passed to a function here is borrowed for the call,
 * and one returned is borrowed from its argument, unless its comment says
 * "new" (the caller frees it) or names another owner.
 */
#include "gjson_int.h"
#include "idassign.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsontext.h"
#include "rfile.h"

struct pending {
    struct annot_feature *features;
    size_t count, cap;
};

static void pending_free(struct pending *p)
{
    for (size_t i = 0; i < p->count; i++)
        annot_feature_clear(&p->features[i]);
    free(p->features);
}

/* Reads obj as feature `index` into a new slot of p; the arrays grow by
 * doubling (one element at a time was quadratic). */
static bool pending_add(struct reader *r, struct pending *p, json_t *obj, size_t index)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        struct annot_feature *ff = realloc(p->features, cap * sizeof *ff);
        if (!ff) {
            diag_error(r->dg, "%s: out of memory", r->name);
            return false;
        }
        p->features = ff;
        p->cap = cap;
        if (r->stats)
            r->stats->allocations++;
    }
    r->in_feature = true;
    r->feature_index = index;
    bool ok = gjson_read_feature(r, obj, &p->features[p->count]);
    p->count++; /* also on failure: the partial feature is freed with the rest */
    if (ok)
        r->in_feature = false;
    return ok;
}

/* "next_ids": {"ship": 3, ...}: per class, the number the next generated id
 * starts from (ids of deleted features are never reused). Unknown classes are
 * ignored with a warning. */
static bool read_next_ids(struct reader *r, json_t *next_ids, struct annot_set *set)
{
    gjson_path_key(r, "next_ids");
    bool ok = true;
    if (!json_is_object(next_ids)) {
        ok = gjson_fail(r, "\"satmark.next_ids\" must be an object {class: number}, found %s",
                        gjson_type_name(next_ids));
    } else {
        const char *key;
        json_t *value;
        json_object_foreach(next_ids, key, value)
        {
            enum annot_class cls;
            gjson_path_key(r, key);
            if (!json_is_integer(value))
                ok = gjson_fail(r, "must be a positive integer, found %s", gjson_type_name(value));
            else if (json_integer_value(value) < 1)
                ok = gjson_fail(r, "must be a positive integer, found %" JSON_INTEGER_FORMAT,
                                json_integer_value(value));
            else if (!annot_class_from_name(key, &cls))
                gjson_warn(r, "unknown class \"%s\" in next_ids is ignored", key);
            else
                annot_reserve_id_number(set, cls, (unsigned long long)json_integer_value(value));
            gjson_path_pop(r);
            if (!ok)
                break;
        }
    }
    gjson_path_pop(r);
    return ok;
}

static bool read_satmark_member(struct reader *r, json_t *meta, struct annot_set *set)
{
    gjson_path_key(r, "satmark");
    bool ok = true;
    if (!json_is_object(meta)) {
        ok = gjson_fail(r, "\"satmark\" must be an object {version, site, title}, found %s",
                        gjson_type_name(meta));
    } else {
        json_t *version = json_object_get(meta, "version");
        json_t *site = json_object_get(meta, "site");
        json_t *title = json_object_get(meta, "title");
        /* a number with an integer value (a real when the file holds an
         * integer beyond 64 bits and every integer was read as a double) */
        if (version && (!json_is_number(version) ||
                        json_number_value(version) != floor(json_number_value(version))))
            ok = gjson_fail(r, "\"satmark.version\" must be an integer");
        else if (version && json_number_value(version) > 1)
            ok = gjson_fail(r, "format version %.0f is newer than this satmark understands (1)",
                            json_number_value(version));
        else if ((site && !json_is_string(site) && !json_is_null(site)) ||
                 (title && !json_is_string(title) && !json_is_null(title)))
            ok = gjson_fail(r, "\"satmark.site\" and \"satmark.title\" must be strings");
        if (ok)
            ok = annot_set_meta(set, json_is_string(site) ? json_string_value(site) : "",
                                json_is_string(title) ? json_string_value(title) : "", r->dg);
        json_t *next_ids = json_object_get(meta, "next_ids");
        if (ok && next_ids)
            ok = read_next_ids(r, next_ids, set);
        const char *key;
        json_t *value;
        json_object_foreach(meta, key, value)
        {
            if (ok && strcmp(key, "version") && strcmp(key, "site") && strcmp(key, "title") &&
                strcmp(key, "next_ids")) {
                gjson_path_key(r, key);
                gjson_warn(r, "unknown member \"satmark.%s\" is not kept", key);
                gjson_path_pop(r);
            }
        }
    }
    gjson_path_pop(r);
    return ok;
}

/* The elements of the features array, parsed from the text one at a time
 * (see the top of the file). False on any error, also on text a
 * whole-document parse would reject: the caller then reads that way. */
static bool read_features_streaming(struct reader *r, struct pending *p)
{
    const char *t = r->text;
    size_t end = r->features_end;
    size_t pos = jsontext_skip_ws(t, end, r->features_start + 1);
    bool ok = true;
    if (pos < end && t[pos] == ']')
        return true;
    for (size_t i = 0; ok; i++) {
        size_t start = pos;
        pos = jsontext_skip_value(t, end, pos);
        json_error_t jerr;
        json_t *obj = json_loadb(t + start, pos - start,
                                 JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!obj)
            return false;
        gjson_path_index(r, i);
        r->base = start;
        r->span = pos - start;
        r->origin = r->path.depth;
        r->base_known = false;
        if (r->stats) {
            r->stats->scanned += pos - start;
            r->stats->features++;
        }
        ok = pending_add(r, p, obj, i);
        json_decref(obj);
        gjson_path_pop(r);
        r->base = 0;
        r->span = r->len;
        r->origin = 0;
        r->base_known = false;
        pos = jsontext_skip_ws(t, end, pos);
        if (pos < end && t[pos] == ',')
            pos = jsontext_skip_ws(t, end, pos + 1);
        else if (pos + 1 == end && t[pos] == ']')
            break;
        else
            return false;
    }
    return ok;
}

static bool read_collection(struct reader *r, json_t *root, struct pending *p,
                            struct annot_set *set)
{
    static const char *const forbidden[] = {"coordinates", "geometries", "geometry",
                                            "properties", NULL};
    if (!gjson_check_forbidden(r, root, "FeatureCollection", forbidden) ||
        !gjson_check_bbox(r, root))
        return false;
    json_t *features = json_object_get(root, "features");
    if (!features)
        return gjson_fail(r, "FeatureCollection has no \"features\" member");
    json_t *meta = json_object_get(root, "satmark");
    if (meta && !read_satmark_member(r, meta, set))
        return false;
    if (json_object_get(root, "crs")) {
        gjson_path_key(r, "crs");
        gjson_warn(r, "\"crs\" member dropped (RFC 7946 GeoJSON is always WGS84 lon/lat)");
        gjson_path_pop(r);
    }
    static const char *const known[] = {"type", "features", "bbox", "satmark", "crs", NULL};
    char *extra_text = NULL;
    bool ok = gjson_foreign_members(r, root, known, &extra_text) &&
              annot_set_set_extra_members(set, extra_text, r->dg);
    free(extra_text);
    if (!ok)
        return false;
    gjson_path_key(r, "features");
    if (!json_is_array(features)) {
        gjson_fail(r, "\"features\" must be an array, found %s", gjson_type_name(features));
        gjson_path_pop(r);
        return false;
    }
    if (r->streaming) {
        ok = read_features_streaming(r, p);
        gjson_path_pop(r);
        return ok;
    }
    for (size_t i = 0; i < json_array_size(features); i++) {
        gjson_path_index(r, i);
        ok = pending_add(r, p, json_array_get(features, i), i);
        gjson_path_pop(r);
        if (!ok)
            break;
    }
    gjson_path_pop(r);
    return ok;
}

/* Bare geometry at the root: one feature with default properties. */
static bool read_bare_geometry(struct reader *r, json_t *root, struct pending *p)
{
    struct annot_feature *ff = calloc(1, sizeof *ff);
    if (!ff) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    p->features = ff;
    p->count = 1;
    annot_feature_init(ff);
    bool ok = gjson_read_geometry(r, root, &ff->geom, false);
    if (ok && annot_geometry_normalize_winding(&ff->geom))
        gjson_warn(r, "ring winding corrected: exterior rings are written counter-clockwise, "
                      "holes clockwise (RFC 7946 section 3.1.6)");
    return ok && gjson_read_properties(r, NULL, ff);
}

/* Rejects duplicate ids (naming the later one) and generates "f-<n>" ids for
 * features without one, avoiding every id present (idassign). */
static bool assign_ids(struct reader *r, struct pending *p, bool collection)
{
    struct idassign_result res;
    bool ok = idassign_settle(p->features, p->count, &res, NULL);
    if (r->stats)
        r->stats->ids_tried += res.tried;
    if (res.duplicate) {
        r->path.depth = 0;
        if (collection) {
            gjson_path_key(r, "features");
            gjson_path_index(r, res.dup_index);
        }
        gjson_path_key(r, "id");
        r->in_feature = true;
        r->feature_index = res.dup_index;
        r->feature_id = res.dup_id;
        gjson_fail(r, "duplicate feature id \"%s\" (also used by feature %zu)", res.dup_id,
                   res.dup_first_index);
        return false;
    }
    if (!ok) {
        diag_error(r->dg, "%s: out of memory", r->name);
        return false;
    }
    idassign_warn(r->dg, r->name, &res);
    return true;
}

/* Reads the document whose parsed root is root (reference taken over). */
static bool read_tree(struct reader *r, json_t *root, struct annot_set **out)
{
    struct annot_set *set = annot_set_new();
    struct pending p = {0};
    bool ok = set != NULL;
    if (!ok)
        diag_error(r->dg, "%s: out of memory", r->name);
    bool collection = false;
    json_t *type = json_object_get(root, "type");
    if (ok && !json_is_object(root)) {
        ok = gjson_fail(r, "a GeoJSON document must be an object, found %s", gjson_type_name(root));
    } else if (ok && !type) {
        ok = gjson_fail(r, "GeoJSON object has no \"type\" member");
    } else if (ok && !json_is_string(type)) {
        gjson_path_key(r, "type");
        ok = gjson_fail(r, "\"type\" must be a string, found %s", gjson_type_name(type));
    } else if (ok) {
        const char *t = json_string_value(type);
        if (strcmp(t, "FeatureCollection") == 0) {
            collection = true;
            ok = read_collection(r, root, &p, set);
        } else if (strcmp(t, "Feature") == 0) {
            struct annot_feature *ff = calloc(1, sizeof *ff);
            if (!ff) {
                diag_error(r->dg, "%s: out of memory", r->name);
                ok = false;
            } else {
                p.features = ff;
                p.count = 1;
                r->in_feature = true;
                ok = gjson_read_feature(r, root, ff);
                r->in_feature = false;
            }
        } else {
            enum annot_geom_type gt;
            if (!gjson_geom_type_from_name(t, &gt)) {
                gjson_path_key(r, "type");
                ok = gjson_fail(r, "unknown GeoJSON type \"%s\" (expected FeatureCollection, "
                                   "Feature or a geometry type; the names are case-sensitive)",
                                t);
            } else {
                ok = read_bare_geometry(r, root, &p);
            }
        }
    }
    ok = ok && assign_ids(r, &p, collection);
    for (size_t i = 0; ok && i < p.count; i++)
        ok = annot_adopt_feature(set, &p.features[i], r->dg);
    if (ok && diag_failed(r->dg))
        ok = false;
    if (ok)
        gjson_warn_summaries(r);
    pending_free(&p);
    json_decref(root);
    if (!ok) {
        annot_set_free(set);
        return false;
    }
    annot_clear_history(set);
    annot_mark_saved(set);
    *out = set;
    return true;
}

/* The streaming read of a FeatureCollection (top of the file). False when it
 * does not apply or did not succeed; r and dg are then as they were. */
static bool read_streaming(struct reader *r, struct annot_set **out)
{
    size_t fs, fe;
    if (diag_failed(r->dg) || !jsontext_find_array(r->text, r->len, "features", &fs, &fe))
        return false;
    size_t n = fs + 2 + (r->len - fe);
    char *skeleton = malloc(n);
    if (!skeleton)
        return false;
    memcpy(skeleton, r->text, fs);
    memcpy(skeleton + fs, "[]", 2);
    memcpy(skeleton + fs + 2, r->text + fe, r->len - fe);
    json_error_t jerr;
    json_t *root = json_loadb(skeleton, n, JSON_REJECT_DUPLICATES, &jerr);
    free(skeleton);
    json_t *type = json_object_get(root, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "FeatureCollection") != 0) {
        json_decref(root);
        return false;
    }
    struct reader saved = *r;
    size_t mark = diag_warnings_total(r->dg);
    r->streaming = true;
    r->features_start = fs;
    r->features_end = fe;
    if (read_tree(r, root, out))
        return true;
    diag_clear_error(r->dg);
    diag_rollback(r->dg, mark);
    *r = saved;
    return false;
}

static bool read_document(struct reader *r, struct annot_set **out)
{
    if (read_streaming(r, out))
        return true;
    json_error_t jerr;
    json_t *root = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root && strstr(jerr.text, "too big integer")) {
        /* Valid JSON (RFC 8259 sets no limit): jansson keeps integers in 64
         * bits, so such a file is read with every integer as a double. */
        json_error_t again;
        root = json_loadb(r->text, r->len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
                          &again);
        if (root)
            diag_warn(r->dg, "%s:%d:%d: an integer beyond 64 bits: integers are read as "
                             "floating-point numbers (digits after the 17th are not kept)",
                      r->name, jerr.line, jerr.column >= 1 ? jerr.column : 1);
    }
    if (!root) {
        diag_limit_quote(jerr.text);
        const char *hint = "";
        if (strstr(jerr.text, "unable to decode byte") || strstr(jerr.text, "invalid UTF-8") ||
            strstr(jerr.text, "Invalid UTF-8"))
            hint = " (the file must be UTF-8 encoded)";
        else if (strstr(jerr.text, "duplicate object key"))
            hint = " (duplicate keys are ambiguous in JSON)";
        else if (strstr(jerr.text, "maximum parsing depth"))
            hint = " (nesting deeper than any GeoJSON needs)";
        if (jerr.line >= 1)
            diag_error(r->dg, "%s:%d:%d: %s%s", r->name, jerr.line,
                       jerr.column >= 1 ? jerr.column : 1, jerr.text, hint);
        else
            diag_error(r->dg, "%s: %s%s", r->name, jerr.text, hint);
        return false;
    }
    return read_tree(r, root, out);
}

bool gjson_read_buffer(const char *name, const char *data, size_t len,
                       struct annot_set **out, struct diag *dg)
{
    return gjson_read_buffer_stats(name, data, len, out, dg, NULL);
}

bool gjson_read_buffer_stats(const char *name, const char *data, size_t len,
                             struct annot_set **out, struct diag *dg, struct gjson_stats *stats)
{
    *out = NULL;
    struct reader r = {.name = name, .text = data, .len = len, .dg = dg, .stats = stats};
    if (len > GJSON_MAX_FILE_SIZE) {
        diag_error(dg, "%s: file too large (%zu bytes, limit %zu)", name, len,
                   GJSON_MAX_FILE_SIZE);
        return false;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        diag_warn(dg, "%s: UTF-8 byte order mark ignored (RFC 7946 section 11.2)", name);
        r.text += 3;
        r.len -= 3;
    }
    r.span = r.len;
    r.cursor = (struct jsontext_cursor){0, 1, 1};
    size_t first = jsontext_skip_ws(r.text, r.len, 0);
    if (first == r.len) {
        diag_error(dg, "%s:1:1: empty file (expected a GeoJSON object)", name);
        return false;
    }
    return read_document(&r, out);
}

bool gjson_read_file(const char *path, struct annot_set **out, struct diag *dg)
{
    *out = NULL;
    size_t size; /* opened without blocking, the descriptor checked (rfile.h) */
    FILE *fp = rfile_open(path, GJSON_MAX_FILE_SIZE, &size, dg);
    if (!fp)
        return false;
    char *data = malloc(size ? size : 1);
    if (!data) {
        diag_error(dg, "%s: out of memory", path);
        fclose(fp);
        return false;
    }
    size_t got = fread(data, 1, size, fp);
    bool read_error = ferror(fp) != 0;
    fclose(fp);
    if (read_error || got != size) {
        diag_error(dg, "%s: read error%s", path, read_error ? "" : " (file changed size)");
        free(data);
        return false;
    }
    bool ok = gjson_read_buffer(path, data, size, out, dg);
    free(data);
    return ok;
}
