/*
 * stac — finding imagery of a site on a date in a STAC catalog or API, and
 * fetching just the window that covers the site from a cloud-optimised
 * GeoTIFF, with its provenance recorded at collection.
 *
 * Why: a real investigation starts with "what imagery exists of this place
 * on these dates", then needs a few megabytes around the site, not a
 * gigabyte scene. STAC is how providers publish that (Sentinel-2, Landsat,
 * Planet, Maxar's open data): a static catalog (catalog.json -> children ->
 * items) or an API (POST /search). Assets are usually COGs, so GDAL's
 * /vsicurl/ reads the window through HTTP range requests.
 *
 * Invariants:
 *   - No request is sent unless net->allow_remote; HTTPS only, plain HTTP
 *     only to a loopback host (127.0.0.0/8, localhost, [::1]) or with
 *     net->allow_http; redirects never leave those rules. Each request has
 *     a timeout, and a JSON document a size cap.
 *   - Results are filtered here too (bbox, dates, cloud cover, collections),
 *     so a server that ignores a search field cannot widen the result.
 *   - A fetched file appears at its path only when complete (safefile); its
 *     provenance sidecar (PATH.stac.json) is written after it, so a sidecar
 *     never describes a missing or partial file.
 *   - Strings from the network are kept as given (UTF-8 from jansson);
 *     printing them safely is the front-end's job.
 */
#ifndef SATMARK_STAC_H
#define SATMARK_STAC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct stac_net {
    bool allow_remote;     /* false: every call refuses before any request */
    bool allow_http;       /* plain http:// to hosts other than loopback */
    long timeout_s;        /* per request; 0 = 30 */
    size_t max_json_bytes; /* per JSON document; 0 = 16 MiB */
};

struct stac_query {
    double bbox[4];          /* west, south, east, north (degrees) */
    char from[32], to[32];   /* "YYYY-MM-DD" or RFC 3339; "" = open */
    const char *const *collections; /* borrowed; NULL/0 = any */
    size_t ncollections;
    double max_cloud;        /* percent; < 0 = no limit */
    size_t limit;            /* most items returned; 0 = 100 */
    const char *item_id;     /* borrowed; non-NULL: only the item with this id */
};

struct stac_item {
    char *id;
    char *self_href;   /* the item's own URL */
    char *collection;  /* "" when unknown */
    char *datetime;    /* properties.datetime (or start_datetime) */
    char *provider;    /* first provider's name, "" when none */
    char *licence;     /* item or collection licence, "" when unknown */
    double cloud_cover; /* eo:cloud_cover percent; < 0 unknown */
    double gsd_m;       /* gsd; <= 0 unknown */
    double bbox[4];
    char *json;        /* the item as compact JSON (assets are read from it) */
};

struct stac_result {
    struct stac_item *items; /* sorted by datetime, then id */
    size_t count;
    size_t documents;        /* JSON documents fetched to get them */
};

/* Searches endpoint (borrowed): a URL ending in ".json" is a static catalog
 * (or collection, or item) crawled through its child/item links; anything
 * else is a STAC API root or its /search, queried with POST /search (bbox,
 * datetime, collections, ids, limit, and eo:cloud_cover through the query
 * extension) following "next" links. On success *out is new (free with
 * stac_result_free), possibly with no items. Errors name the URL and the
 * reason (HTTP status, timeout, bad JSON, not STAC). */
bool stac_search(const char *endpoint, const struct stac_query *q, const struct stac_net *net,
                 struct stac_result **out, struct diag *dg);
void stac_result_free(struct stac_result *res);

/* What a fetch wrote, for the caller to report or register. */
struct stac_fetched {
    char sha256[65];
    char asset_href[2048]; /* first asset's URL (or "a,b,c" for band assets) */
    long long bytes;       /* size of the file written */
    int width, height;
};

struct stac_fetch {
    const struct stac_item *item; /* borrowed */
    /* Asset key; NULL = "visual", else the first asset of type
     * image/tiff (COG) with role "visual" or "data". */
    const char *asset;
    /* Or several single-band asset keys (e.g. red, green, blue) combined in
     * this order; used when nband_assets > 0. Borrowed. */
    const char *const *band_assets;
    size_t nband_assets;
    double bbox[4];        /* lon/lat window to keep */
    const char *out_path;  /* borrowed; ".tif" */
    const char *endpoint;  /* borrowed; recorded in the sidecar */
    /* Progress 0..1 (may be NULL); ctx borrowed. */
    void (*progress)(double fraction, void *ctx);
    void *progress_ctx;
};

/* Reads the window of the item's asset(s) through /vsicurl/ (range
 * requests) into out_path as a tiled, compressed GeoTIFF in the asset's
 * CRS, atomically; records the provenance in out_path + ".stac.json"
 * (satmark_fetch 1: endpoint, item id and self link, collection, asset keys
 * and hrefs, acquisition datetime, provider, licence, bbox, fetch time UTC,
 * SHA-256 and size of the file written). An empty window (the bbox misses
 * the asset) is an error naming both. *done (may be NULL) is filled. */
bool stac_fetch_window(const struct stac_fetch *req, const struct stac_net *net,
                       struct stac_fetched *done, struct diag *dg);

/* True when url (borrowed) may be requested under net; false with the
 * reason on dg. Exposed for tests. */
bool stac_url_allowed(const char *url, const struct stac_net *net, struct diag *dg);

#endif
