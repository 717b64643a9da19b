/*
 * claimsedit — creating a catalog and appending sources and claims (see
 * claimsedit.h). The edited document is validated by the same reader every
 * command uses (claims_catalog_parse) before it is saved atomically.
 */
#include "claimsedit.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "claims.h"
#include "safefile.h"

static bool given(const char *s) { return s && s[0]; }

/* Serialises root (members in insertion order, two-space indent, as the
 * bundled catalog is written), checks it reads back as a valid catalog, and
 * saves it atomically keeping the old version as FILE~. */
static bool save_checked(const char *path, json_t *root, struct diag *dg)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        diag_error(dg, "%s: out of memory writing the catalog", path);
        return false;
    }
    struct claims_catalog *cat = NULL;
    bool ok = claims_catalog_parse(text, path, &cat, dg);
    claims_catalog_free(cat);
    if (ok) {
        size_t len = strlen(text);
        text[len] = '\n'; /* replaces the NUL: the file ends with a newline */
        struct safefile_options opt = {.keep_backup = true};
        ok = safefile_write(path, text, len + 1, &opt, dg);
    }
    free(text);
    return ok;
}

bool claimsedit_init(const char *path, struct diag *dg)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        diag_error(dg, "%s: already exists; not overwritten", path);
        return false;
    }
    json_t *root = json_pack("{s:i,s:[],s:[],s:[]}", "satmark_claims", CLAIMS_FORMAT_VERSION,
                             "sources", "claims", "discrepancies");
    if (!root) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    bool ok = save_checked(path, root, dg);
    json_decref(root);
    return ok;
}

/* Loads the catalog at path as a JSON document after checking it is a valid
 * catalog now (an add must not build on a broken file). New reference. */
static json_t *load(const char *path, struct diag *dg)
{
    struct claims_catalog *cat = NULL;
    if (!claims_catalog_read(path, &cat, dg))
        return NULL;
    claims_catalog_free(cat);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        diag_error(dg, "%s:%d:%d: %s", path, err.line, err.column, err.text);
    return root;
}

static bool append(const char *path, const char *list, json_t *entry, struct diag *dg)
{
    if (!entry) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    json_t *root = load(path, dg);
    if (!root) {
        json_decref(entry);
        return false;
    }
    json_t *array = json_object_get(root, list);
    if (!json_is_array(array)) {
        array = json_array();
        json_object_set_new(root, list, array);
    }
    bool ok = json_array_append_new(array, entry) == 0 && save_checked(path, root, dg);
    json_decref(root);
    return ok;
}

static json_t *string_list(const char *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static void set_string(json_t *o, const char *key, const char *value)
{
    json_object_set_new(o, key, given(value) ? json_string(value) : json_null());
}

bool claimsedit_add_source(const char *path, const struct claimsedit_source *src,
                           struct diag *dg)
{
    bool has_article = given(src->article), has_url = given(src->url);
    if (has_article == has_url) {
        diag_error(dg, "%s: source \"%s\": give either an article file or a URL with its "
                       "archived copy, not %s", path, src->id ? src->id : "",
                   has_article ? "both" : "neither");
        return false;
    }
    const char *base = NULL;
    if (has_article) {
        struct stat st;
        if (stat(src->article, &st) != 0) {
            diag_error(dg, "%s: cannot read the article: %s", src->article, strerror(errno));
            return false;
        }
        if (!S_ISREG(st.st_mode)) {
            diag_error(dg, "%s: the article is not a regular file", src->article);
            return false;
        }
        const char *slash = strrchr(src->article, '/');
        base = slash ? slash + 1 : src->article;
    }
    json_t *e = json_object();
    if (!e) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    set_string(e, "id", src->id);
    set_string(e, "outlet", src->outlet);
    set_string(e, "headline", given(src->headline) ? src->headline : has_article ? base : src->url);
    json_object_set_new(e, "author", json_string(given(src->author) ? src->author : ""));
    set_string(e, "published", src->published);
    set_string(e, "file", base);
    json_object_set_new(e, "reliability",
                        json_string(given(src->reliability) ? src->reliability : "reported"));
    json_object_set_new(e, "derived_from", string_list(src->derived_from, src->nderived_from));
    if (has_url)
        json_object_set_new(e, "archived",
                            json_pack("{s:s,s:s?,s:s?}", "url", src->url, "sha256",
                                      src->archived_sha256, "archived_at", src->archived_at));
    return append(path, "sources", e, dg);
}

bool claimsedit_add_claim(const char *path, const struct claimsedit_claim *claim,
                          struct diag *dg)
{
    json_t *e = json_object();
    if (!e) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    set_string(e, "id", claim->id);
    set_string(e, "text", claim->text);
    if (given(claim->quote))
        json_object_set_new(e, "quote", json_string(claim->quote));
    json_object_set_new(e, "sources", string_list(claim->sources, claim->nsources));
    if (given(claim->place))
        json_object_set_new(e, "place", json_string(claim->place));
    if (given(claim->time_from) || given(claim->time_to)) {
        json_t *t = json_object();
        set_string(t, "from", claim->time_from);
        set_string(t, "to", claim->time_to);
        json_object_set_new(e, "time", t);
    } else {
        json_object_set_new(e, "time", json_null());
    }
    set_string(e, "imagery", claim->imagery);
    json_object_set_new(e, "check", json_null());
    return append(path, "claims", e, dg);
}
