/*
 * stac — STAC search (static catalogs and APIs) and windowed COG fetches
 * (see stac.h for the why and the invariants).
 *
 * HTTP for JSON is libcurl's (protocols, redirects, timeouts and sizes set
 * per request); JSON is jansson's; the window is GDAL's gdal_translate
 * through /vsicurl/, whose range requests read only the tiles the window
 * needs. The URL rules live in one function, stac_url_allowed, checked
 * before every request and by libcurl's protocol lists on redirects.
 */
#include "stac.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <curl/curl.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <jansson.h>

#include "dynbuf.h"
#include "gdalguard.h"
#include "hash.h"
#include "raster.h"
#include "safefile.h"

#define DEFAULT_TIMEOUT_S 30L
#define DEFAULT_MAX_JSON ((size_t)16 * 1024 * 1024)
#define MAX_DOCUMENTS 2000 /* a static crawl or an API's pages */
#define MAX_DEPTH 8
#define MAX_URL 2048

static pthread_once_t curl_ready = PTHREAD_ONCE_INIT;

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- URL rules -------------------------------------------------------------- */

static bool host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
        strcmp(host, "::1") == 0)
        return true;
    if (strncmp(host, "127.", 4) != 0)
        return false;
    for (const char *p = host + 4; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.')
            return false;
    return true;
}

bool stac_url_allowed(const char *url, const struct stac_net *net, struct diag *dg)
{
    if (!net || !net->allow_remote) {
        diag_error(dg, "%s: network access is off; pass --allow-remote to send requests", url);
        return false;
    }
    pthread_once(&curl_ready, init_curl);
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
    if (!ok) {
        diag_error(dg, "%.200s: not a URL satmark can use", url);
    } else if (strcasecmp(scheme, "https") == 0) {
        ok = true;
    } else if (strcasecmp(scheme, "http") == 0) {
        ok = net->allow_http || host_is_loopback(host);
        if (!ok)
            diag_error(dg, "%s: plain HTTP to %s would travel unencrypted; use https, or "
                           "pass --allow-http", url, host);
    } else {
        diag_error(dg, "%s: only https:// (and http:// to this machine) is fetched", url);
        ok = false;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* base + relative reference -> absolute URL (new, free()); NULL when invalid. */
static char *resolve_url(const char *base, const char *ref)
{
    CURLU *u = curl_url();
    char *out = NULL, *abs = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
        out = strdup(abs);
    curl_free(abs);
    curl_url_cleanup(u);
    return out;
}

/* ---- HTTP + JSON -------------------------------------------------------------- */

/* curl's write callback: appends to a dynbuf (capped at the caller's
 * limit); returning short makes curl stop with CURLE_WRITE_ERROR. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct dynbuf *b = userdata;
    size_t n = size * nmemb;
    return dynbuf_append(b, ptr, n) ? n : 0;
}

/* GET (post_body NULL) or POST (JSON body) url; the parsed JSON document
 * (new reference) or NULL with "URL: reason" on dg. */
static json_t *request_json(const char *url, const char *post_body, const struct stac_net *net,
                            struct diag *dg)
{
    if (!stac_url_allowed(url, net, dg))
        return NULL;
    CURL *c = curl_easy_init();
    if (!c) {
        diag_error(dg, "%s: cannot start an HTTP request", url);
        return NULL;
    }
    struct dynbuf b;
    dynbuf_init(&b, net->max_json_bytes ? net->max_json_bytes : DEFAULT_MAX_JSON);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/geo+json, application/json");
    if (post_body)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, net->allow_http ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, net->timeout_s > 0 ? net->timeout_s : DEFAULT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "satmark/" SATMARK_VERSION);
    if (post_body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    json_t *doc = NULL;
    if (b.status == DYNBUF_TOO_BIG) {
        diag_error(dg, "%s: the response is larger than %zu bytes; refused", url, b.max);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        diag_error(dg, "%s: no answer within %ld s", url,
                   net->timeout_s > 0 ? net->timeout_s : DEFAULT_TIMEOUT_S);
    } else if (rc != CURLE_OK) {
        diag_error(dg, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (status >= 400) {
        diag_error(dg, "%s: HTTP %ld%s", url, status,
                   status == 404 ? " (not found)" : status >= 500 ? " (server error)" : "");
    } else if (!dynbuf_len(&b)) {
        diag_error(dg, "%s: empty response", url);
    } else {
        json_error_t err;
        doc = json_loadb(dynbuf_str(&b), dynbuf_len(&b), JSON_REJECT_DUPLICATES, &err);
        if (!doc)
            diag_error(dg, "%s:%d:%d: not JSON: %s", url, err.line, err.column, err.text);
        else if (!json_is_object(doc)) {
            diag_error(dg, "%s: not a STAC document (a JSON %s, not an object)", url,
                       json_is_array(doc) ? "array" : "value");
            json_decref(doc);
            doc = NULL;
        }
    }
    dynbuf_free(&b);
    return doc;
}

/* The HTTP status of a one-byte range GET of url (0 when there was no
 * answer): for naming the reason when GDAL could not open an asset. */
static long probe_status(const char *url, const struct stac_net *net)
{
    CURL *c = curl_easy_init();
    if (!c)
        return 0;
    struct dynbuf b;
    dynbuf_init(&b, 4096);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, net->allow_http ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_RANGE, "0-0");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, net->timeout_s > 0 ? net->timeout_s : DEFAULT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    dynbuf_free(&b);
    return status;
}

/* ---- items ------------------------------------------------------------------ */

static const char *str_member(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static double num_member(const json_t *o, const char *key, double missing)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : missing;
}

/* "YYYY-MM-DD" -> the first/last instant of that day; RFC 3339 kept. */
static void instant(const char *date, bool end_of_day, char out[32])
{
    if (strlen(date) == 10)
        snprintf(out, 32, "%sT%s", date, end_of_day ? "23:59:59Z" : "00:00:00Z");
    else
        snprintf(out, 32, "%s", date);
}

static bool bbox_intersects(const double a[4], const double b[4])
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

static bool item_bbox(const json_t *item, double out[4])
{
    const json_t *bb = json_object_get(item, "bbox");
    size_t n = json_array_size(bb);
    if (n != 4 && n != 6)
        return false;
    size_t half = n / 2;
    out[0] = json_number_value(json_array_get(bb, 0));
    out[1] = json_number_value(json_array_get(bb, 1));
    out[2] = json_number_value(json_array_get(bb, half));
    out[3] = json_number_value(json_array_get(bb, half + 1));
    return isfinite(out[0]) && isfinite(out[1]) && isfinite(out[2]) && isfinite(out[3]);
}

static const char *link_href(const json_t *doc, const char *rel)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "links"), i, l)
        if (strcmp(str_member(l, "rel"), rel) == 0 && json_is_string(json_object_get(l, "href")))
            return str_member(l, "href");
    return NULL;
}

/* Checks item against the query; true when it is kept. */
static bool item_matches(const json_t *item, const struct stac_query *q, const char *collection)
{
    const json_t *props = json_object_get(item, "properties");
    if (q->item_id && strcmp(str_member(item, "id"), q->item_id) != 0)
        return false;
    double bb[4];
    if (!item_bbox(item, bb) || !bbox_intersects(bb, q->bbox))
        return false;
    const char *dt = str_member(props, "datetime");
    const char *start = *dt ? dt : str_member(props, "start_datetime");
    const char *end = *dt ? dt : str_member(props, "end_datetime");
    char lo[32], hi[32];
    if (q->from[0]) {
        instant(q->from, false, lo);
        if (!*end || strcmp(end, lo) < 0)
            return false;
    }
    if (q->to[0]) {
        instant(q->to, true, hi);
        if (!*start || strcmp(start, hi) > 0)
            return false;
    }
    if (q->max_cloud >= 0) {
        double cc = num_member(props, "eo:cloud_cover", -1);
        if (cc < 0 || cc > q->max_cloud)
            return false; /* unknown cloud cover cannot pass a limit */
    }
    if (q->ncollections) {
        bool found = false;
        for (size_t i = 0; i < q->ncollections && !found; i++)
            found = strcmp(collection, q->collections[i]) == 0;
        if (!found)
            return false;
    }
    return true;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static bool add_item(struct stac_result *res, size_t *cap, const json_t *item, const char *url,
                     const json_t *collection_doc)
{
    for (size_t i = 0; i < res->count; i++) /* the same item through two links */
        if (strcmp(res->items[i].id, str_member(item, "id")) == 0)
            return true;
    if (res->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct stac_item *n = realloc(res->items, ncap * sizeof *n);
        if (!n)
            return false;
        res->items = n;
        *cap = ncap;
    }
    const json_t *props = json_object_get(item, "properties");
    struct stac_item *it = &res->items[res->count];
    memset(it, 0, sizeof *it);
    const char *self = link_href(item, "self");
    char *self_abs = self ? resolve_url(url, self) : NULL;
    const char *provider = "";
    const json_t *providers = json_object_get(props, "providers");
    if (!json_array_size(providers))
        providers = json_object_get(collection_doc, "providers");
    if (json_array_size(providers))
        provider = str_member(json_array_get(providers, 0), "name");
    const char *licence = str_member(props, "license");
    if (!*licence)
        licence = str_member(collection_doc, "license");
    const char *collection = str_member(item, "collection");
    if (!*collection)
        collection = str_member(collection_doc, "id");
    const char *dt = str_member(props, "datetime");
    it->id = dup_or_empty(str_member(item, "id"));
    it->self_href = self_abs ? self_abs : strdup(url);
    it->collection = dup_or_empty(collection);
    it->datetime = dup_or_empty(*dt ? dt : str_member(props, "start_datetime"));
    it->provider = dup_or_empty(provider);
    it->licence = dup_or_empty(licence);
    it->cloud_cover = num_member(props, "eo:cloud_cover", -1);
    it->gsd_m = num_member(props, "gsd", num_member(item, "gsd", -1));
    item_bbox(item, it->bbox);
    it->json = json_dumps(item, JSON_COMPACT);
    /* Asset hrefs are kept absolute, so a fetch needs no base URL. */
    if (it->json) {
        json_t *copy = json_deep_copy(item);
        const char *key;
        json_t *asset;
        json_object_foreach(json_object_get(copy, "assets"), key, asset) {
            const char *href = json_string_value(json_object_get(asset, "href"));
            char *abs = href ? resolve_url(url, href) : NULL;
            if (abs)
                json_object_set_new(asset, "href", json_string(abs));
            free(abs);
        }
        free(it->json);
        it->json = json_dumps(copy, JSON_COMPACT);
        json_decref(copy);
    }
    if (!it->id || !it->self_href || !it->collection || !it->datetime || !it->provider ||
        !it->licence || !it->json)
        return false;
    res->count++;
    return true;
}

void stac_result_free(struct stac_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->count; i++) {
        struct stac_item *it = &res->items[i];
        free(it->id);
        free(it->self_href);
        free(it->collection);
        free(it->datetime);
        free(it->provider);
        free(it->licence);
        free(it->json);
    }
    free(res->items);
    free(res);
}

static int compare_items(const void *a, const void *b)
{
    const struct stac_item *x = a, *y = b;
    int c = strcmp(x->datetime, y->datetime);
    return c ? c : strcmp(x->id, y->id);
}

/* ---- static catalogs ----------------------------------------------------------- */

struct crawl_entry {
    char *url;
    int depth;
    json_t *parent_collection; /* borrowed reference kept alive by `docs` */
};

static bool crawl(const char *root, const struct stac_query *q, const struct stac_net *net,
                  struct stac_result *res, struct diag *dg)
{
    size_t limit = q->limit ? q->limit : 100, cap = 0;
    struct crawl_entry *todo = calloc(MAX_DOCUMENTS, sizeof *todo);
    json_t *docs = json_array(); /* keeps collection documents alive */
    size_t head = 0, tail = 0;
    bool ok = todo && docs;
    if (ok) {
        todo[tail].url = strdup(root);
        ok = todo[tail++].url != NULL;
    }
    while (ok && head < tail && res->count < limit) {
        struct crawl_entry e = todo[head++];
        json_t *doc = request_json(e.url, NULL, net, dg);
        res->documents++;
        if (!doc) {
            ok = false;
        } else {
            const char *type = str_member(doc, "type");
            json_t *collection = e.parent_collection;
            if (strcmp(type, "Collection") == 0) {
                json_array_append(docs, doc);
                collection = doc;
            }
            if (strcmp(type, "Feature") == 0) {
                if (item_matches(doc, q, *str_member(doc, "collection")
                                             ? str_member(doc, "collection")
                                             : str_member(collection, "id")))
                    ok = add_item(res, &cap, doc, e.url, collection);
            } else if (strcmp(type, "Catalog") != 0 && strcmp(type, "Collection") != 0) {
                diag_error(dg, "%s: not a STAC catalog, collection or item (type \"%.40s\")",
                           e.url, type);
                ok = false;
            } else if (e.depth < MAX_DEPTH) {
                size_t i;
                json_t *l;
                json_array_foreach(json_object_get(doc, "links"), i, l) {
                    const char *rel = str_member(l, "rel");
                    const char *href = str_member(l, "href");
                    if ((strcmp(rel, "child") && strcmp(rel, "item")) || !*href)
                        continue;
                    if (tail == MAX_DOCUMENTS) {
                        diag_warn(dg, "%s: stopped after %d documents", root, MAX_DOCUMENTS);
                        break;
                    }
                    char *abs = resolve_url(e.url, href);
                    if (!abs)
                        continue;
                    bool seen = false;
                    for (size_t k = 0; k < tail && !seen; k++)
                        seen = strcmp(todo[k].url, abs) == 0;
                    if (seen) {
                        free(abs);
                        continue;
                    }
                    todo[tail++] = (struct crawl_entry){abs, e.depth + 1, collection};
                }
            }
            json_decref(doc);
        }
    }
    for (size_t i = 0; todo && i < tail; i++)
        free(todo[i].url);
    free(todo);
    json_decref(docs);
    return ok;
}

/* ---- APIs ---------------------------------------------------------------------- */

static char *search_body(const struct stac_query *q, size_t limit)
{
    json_t *body = json_object();
    json_t *bbox = json_array();
    for (int i = 0; i < 4; i++)
        json_array_append_new(bbox, json_real(q->bbox[i]));
    json_object_set_new(body, "bbox", bbox);
    if (q->from[0] || q->to[0]) {
        char lo[32] = "..", hi[32] = "..", both[70];
        if (q->from[0])
            instant(q->from, false, lo);
        if (q->to[0])
            instant(q->to, true, hi);
        snprintf(both, sizeof both, "%s/%s", lo, hi);
        json_object_set_new(body, "datetime", json_string(both));
    }
    if (q->ncollections) {
        json_t *c = json_array();
        for (size_t i = 0; i < q->ncollections; i++)
            json_array_append_new(c, json_string(q->collections[i]));
        json_object_set_new(body, "collections", c);
    }
    if (q->item_id) {
        json_t *ids = json_array();
        json_array_append_new(ids, json_string(q->item_id));
        json_object_set_new(body, "ids", ids);
    }
    if (q->max_cloud >= 0)
        json_object_set_new(body, "query",
                            json_pack("{s:{s:f}}", "eo:cloud_cover", "lte", q->max_cloud));
    json_object_set_new(body, "limit", json_integer((json_int_t)(limit < 250 ? limit : 250)));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

static bool api_search(const char *endpoint, const struct stac_query *q,
                       const struct stac_net *net, struct stac_result *res, struct diag *dg)
{
    size_t limit = q->limit ? q->limit : 100, cap = 0;
    size_t n = strlen(endpoint);
    char *url = NULL;
    if (n >= 7 && strcmp(endpoint + n - 7, "/search") == 0)
        url = strdup(endpoint);
    else
        url = resolve_url(n && endpoint[n - 1] == '/' ? endpoint : CPLSPrintf("%s/", endpoint),
                          "search");
    char *body = search_body(q, limit);
    bool ok = url && body;
    while (ok && res->count < limit && res->documents < MAX_DOCUMENTS) {
        json_t *page = request_json(url, body, net, dg);
        res->documents++;
        if (!page) {
            ok = false;
            break;
        }
        json_t *features = json_object_get(page, "features");
        if (strcmp(str_member(page, "type"), "FeatureCollection") != 0 || !json_is_array(features)) {
            diag_error(dg, "%s: not a STAC search result (no FeatureCollection)", url);
            json_decref(page);
            ok = false;
            break;
        }
        size_t i;
        json_t *item;
        json_array_foreach(features, i, item) {
            if (res->count >= limit)
                break;
            if (item_matches(item, q, str_member(item, "collection")) &&
                !add_item(res, &cap, item, url, NULL)) {
                diag_error(dg, "%s: out of memory", url);
                ok = false;
                break;
            }
        }
        /* "next": a GET link, or a POST with its own body. */
        const json_t *next = NULL;
        json_t *l;
        json_array_foreach(json_object_get(page, "links"), i, l)
            if (strcmp(str_member(l, "rel"), "next") == 0)
                next = l;
        char *next_url = next && json_array_size(features) ? resolve_url(url, str_member(next, "href")) : NULL;
        if (next_url && strcasecmp(str_member(next, "method"), "POST") == 0 &&
            json_is_object(json_object_get(next, "body"))) {
            free(body);
            body = json_dumps(json_object_get(next, "body"), JSON_COMPACT);
        } else if (next_url) {
            free(body);
            body = NULL; /* GET */
        }
        json_decref(page);
        free(url);
        url = next_url;
        if (!url)
            break;
    }
    free(url);
    free(body);
    return ok;
}

bool stac_search(const char *endpoint, const struct stac_query *q, const struct stac_net *net,
                 struct stac_result **out, struct diag *dg)
{
    *out = NULL;
    if (!(q->bbox[0] <= q->bbox[2] && q->bbox[1] <= q->bbox[3] && q->bbox[1] >= -90 &&
          q->bbox[3] <= 90)) {
        diag_error(dg, "%s: the search box %g,%g,%g,%g is not west,south,east,north", endpoint,
                   q->bbox[0], q->bbox[1], q->bbox[2], q->bbox[3]);
        return false;
    }
    struct stac_result *res = calloc(1, sizeof *res);
    if (!res) {
        diag_error(dg, "%s: out of memory", endpoint);
        return false;
    }
    size_t n = strlen(endpoint);
    bool is_static = n >= 5 && strcasecmp(endpoint + n - 5, ".json") == 0;
    bool ok = is_static ? crawl(endpoint, q, net, res, dg) : api_search(endpoint, q, net, res, dg);
    if (!ok) {
        stac_result_free(res);
        return false;
    }
    if (res->count > 1)
        qsort(res->items, res->count, sizeof *res->items, compare_items);
    *out = res;
    return true;
}

/* ---- fetching a window ------------------------------------------------------------ */

/* The href of asset key in item_json (borrowed JSON text); NULL when absent.
 * With key NULL: "visual", else the first GeoTIFF with role visual or data. */
static char *asset_href(const char *item_json, const char *key, char *chosen, size_t cap)
{
    json_t *item = json_loads(item_json, 0, NULL);
    json_t *assets = json_object_get(item, "assets");
    json_t *a = key ? json_object_get(assets, key) : json_object_get(assets, "visual");
    const char *name = key ? key : "visual";
    if (!a && !key) {
        const char *k;
        json_t *v;
        json_object_foreach(assets, k, v) {
            const char *type = str_member(v, "type");
            size_t i;
            json_t *role;
            bool fits = false;
            json_array_foreach(json_object_get(v, "roles"), i, role) {
                const char *r = json_string_value(role);
                fits |= r && (strcmp(r, "visual") == 0 || strcmp(r, "data") == 0);
            }
            if (fits && strstr(type, "image/tiff")) {
                a = v;
                name = k;
                break;
            }
        }
    }
    char *href = a && json_is_string(json_object_get(a, "href"))
                     ? strdup(str_member(a, "href"))
                     : NULL;
    if (href && chosen)
        snprintf(chosen, cap, "%s", name);
    json_decref(item);
    return href;
}

struct progress_relay {
    void (*fn)(double, void *);
    void *ctx;
};

static int CPL_STDCALL relay_progress(double fraction, const char *msg, void *arg)
{
    (void)msg;
    struct progress_relay *r = arg;
    if (r->fn)
        r->fn(fraction, r->ctx);
    return TRUE;
}

static void utc_now(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool write_sidecar(const struct stac_fetch *req, const char *keys, const char *hrefs,
                          const struct stac_fetched *done, struct diag *dg)
{
    const struct stac_item *it = req->item;
    char now[21];
    utc_now(now);
    json_t *bbox = json_pack("[ffff]", req->bbox[0], req->bbox[1], req->bbox[2], req->bbox[3]);
    json_t *o = json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:b}",
        "satmark_fetch", 1, "endpoint", req->endpoint ? req->endpoint : "", "item", it->id,
        "item_self", it->self_href, "collection", it->collection, "assets", keys, "asset_hrefs",
        hrefs, "acquired", it->datetime, "provider", it->provider, "licence", it->licence, "bbox",
        bbox, "fetched_at", now, "sha256", done->sha256, "size", (json_int_t)done->bytes,
        "synthetic", 0);
    if (o && it->cloud_cover >= 0)
        json_object_set_new(o, "cloud_cover", json_real(it->cloud_cover));
    if (o && it->gsd_m > 0)
        json_object_set_new(o, "gsd_m", json_real(it->gsd_m));
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    char path[4096];
    snprintf(path, sizeof path, "%s.stac.json", req->out_path);
    bool ok = text != NULL;
    if (ok) {
        size_t n = strlen(text);
        text[n] = '\n';
        ok = safefile_write(path, text, n + 1, NULL, dg);
    } else {
        diag_error(dg, "%s: out of memory", path);
    }
    free(text);
    return ok;
}

bool stac_fetch_window(const struct stac_fetch *req, const struct stac_net *net,
                       struct stac_fetched *done, struct diag *dg)
{
    struct stac_fetched local;
    if (!done)
        done = &local;
    memset(done, 0, sizeof *done);
    size_t nkeys = req->nband_assets ? req->nband_assets : 1;
    char **hrefs = calloc(nkeys, sizeof *hrefs);
    char keys[512] = "", all_hrefs[4 * MAX_URL] = "";
    bool ok = hrefs != NULL;
    for (size_t i = 0; ok && i < nkeys; i++) {
        const char *key = req->nband_assets ? req->band_assets[i] : req->asset;
        char chosen[128] = "";
        hrefs[i] = asset_href(req->item->json, key, chosen, sizeof chosen);
        if (!hrefs[i]) {
            diag_error(dg, "item %s: has no asset %s%s%s", req->item->id, key ? "\"" : "",
                       key ? key : "\"visual\" nor a GeoTIFF with role visual or data",
                       key ? "\"" : "");
            ok = false;
        } else {
            ok = stac_url_allowed(hrefs[i], net, dg);
            snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", i ? "," : "", chosen);
            snprintf(all_hrefs + strlen(all_hrefs), sizeof all_hrefs - strlen(all_hrefs), "%s%s",
                     i ? "," : "", hrefs[i]);
        }
    }
    if (!ok) {
        for (size_t i = 0; hrefs && i < nkeys; i++)
            free(hrefs[i]);
        free(hrefs);
        return false;
    }
    /* The first href (all of them are in the sidecar). */
    size_t first = strcspn(all_hrefs, ",");
    if (first >= sizeof done->asset_href)
        first = sizeof done->asset_href - 1;
    memcpy(done->asset_href, all_hrefs, first);
    done->asset_href[first] = '\0';
    if (!raster_init_remote(true)) {
        diag_error(dg, "%s: remote access was turned off for this process when its first "
                       "image was opened", req->out_path);
        for (size_t i = 0; hrefs && i < nkeys; i++)
            free(hrefs[i]);
        free(hrefs);
        return false;
    }
    struct gdalguard call;
    gdalguard_begin(&call, req->out_path, true, dg);
    /* Range requests only, no directory listing, bounded time. */
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%ld", net->timeout_s > 0 ? net->timeout_s : DEFAULT_TIMEOUT_S);
    CPLSetThreadLocalConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
    CPLSetThreadLocalConfigOption("GDAL_HTTP_TIMEOUT", timeout);
    CPLSetThreadLocalConfigOption("GDAL_HTTP_MAX_RETRY", "2");
    CPLSetThreadLocalConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", NULL);
    CPLSetThreadLocalConfigOption("GDAL_INGESTED_BYTES_AT_OPEN", "32768");

    GDALDatasetH *srcs = calloc(nkeys, sizeof *srcs);
    for (size_t i = 0; ok && i < nkeys; i++) {
        char vsi[MAX_URL + 16];
        snprintf(vsi, sizeof vsi, "/vsicurl/%s", hrefs[i]);
        srcs[i] = GDALOpenEx(vsi, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
        if (!srcs[i]) {
            long status = probe_status(hrefs[i], net);
            if (status >= 400)
                diag_error(dg, "%s: HTTP %ld%s", hrefs[i], status,
                           status == 404 ? " (not found)" : "");
            else
                diag_error(dg, "%s: cannot open it as a GeoTIFF: %s", hrefs[i],
                           gdalguard_reason(&call, status ? "not a raster GDAL reads"
                                                          : "no answer"));
            ok = false;
        }
    }
    GDALDatasetH input = NULL, stacked = NULL;
    if (ok && nkeys > 1) {
        char *argv[] = {(char *)"-separate", NULL};
        GDALBuildVRTOptions *bo = GDALBuildVRTOptionsNew(argv, NULL);
        stacked = bo ? GDALBuildVRT("", (int)nkeys, srcs, NULL, bo, NULL) : NULL;
        GDALBuildVRTOptionsFree(bo);
        if (!stacked) {
            diag_error(dg, "item %s: cannot combine the band assets %s: %s", req->item->id, keys,
                       gdalguard_reason(&call, "unknown reason"));
            ok = false;
        }
        input = stacked;
    } else if (ok) {
        input = srcs[0];
    }
    struct safefile *sf = ok ? safefile_reserve(req->out_path, ".satmark-fetch", dg) : NULL;
    ok = ok && sf;
    if (ok) {
        char w[32], n[32], e[32], s[32];
        snprintf(w, sizeof w, "%.10g", req->bbox[0]);
        snprintf(s, sizeof s, "%.10g", req->bbox[1]);
        snprintf(e, sizeof e, "%.10g", req->bbox[2]);
        snprintf(n, sizeof n, "%.10g", req->bbox[3]);
        char *argv[] = {(char *)"-of", (char *)"GTiff", (char *)"-co", (char *)"TILED=YES",
                        (char *)"-co", (char *)"COMPRESS=DEFLATE", (char *)"-projwin_srs",
                        (char *)"EPSG:4326", (char *)"-projwin", w, n, e, s, NULL};
        GDALTranslateOptions *to = GDALTranslateOptionsNew(argv, NULL);
        struct progress_relay relay = {req->progress, req->progress_ctx};
        if (to)
            GDALTranslateOptionsSetProgress(to, relay_progress, &relay);
        int usage = FALSE;
        GDALDatasetH outds = to ? GDALTranslate(safefile_temp_path(sf), input, to, &usage) : NULL;
        GDALTranslateOptionsFree(to);
        if (outds) {
            done->width = GDALGetRasterXSize(outds);
            done->height = GDALGetRasterYSize(outds);
            GDALSetMetadataItem(outds, "SATMARK_STAC_ITEM", req->item->id, NULL);
            GDALSetMetadataItem(outds, "SATMARK_ACQUIRED", req->item->datetime, NULL);
            if (req->item->provider[0])
                GDALSetMetadataItem(outds, "SATMARK_CREDIT", req->item->provider, NULL);
            CPLErrorReset();
            GDALClose(outds);
            ok = CPLGetLastErrorType() != CE_Failure && CPLGetLastErrorType() != CE_Fatal;
        } else {
            ok = false;
        }
        if (!ok) {
            const char *why = gdalguard_reason(&call, "unknown reason");
            if (strstr(why, "outside") || strstr(why, "projwin"))
                diag_error(dg, "%s: the window %g,%g,%g,%g does not overlap asset %s of item %s",
                           req->out_path, req->bbox[0], req->bbox[1], req->bbox[2],
                           req->bbox[3], keys, req->item->id);
            else
                diag_error(dg, "%s: cannot read the window from %s: %s", req->out_path,
                           all_hrefs, why);
        }
        if (ok && !hash_file_sha256(safefile_temp_path(sf), done->sha256, dg))
            ok = false;
        if (ok) {
            FILE *f = fopen(safefile_temp_path(sf), "rb");
            if (f && fseek(f, 0, SEEK_END) == 0)
                done->bytes = ftell(f);
            if (f)
                fclose(f);
        }
        if (ok)
            ok = safefile_commit(sf, NULL, dg);
        else
            safefile_abort(sf);
    }
    if (stacked)
        GDALClose(stacked);
    for (size_t i = 0; srcs && i < nkeys; i++)
        if (srcs[i])
            GDALClose(srcs[i]);
    free(srcs);
    gdalguard_end(&call);
    if (ok)
        ok = write_sidecar(req, keys, all_hrefs, done, dg);
    for (size_t i = 0; i < nkeys; i++)
        free(hrefs[i]);
    free(hrefs);
    return ok;
}
