/*
 * satmark fetch — find imagery of a site in a STAC catalog or API
 * (`fetch search`) and fetch just the window around it from a COG asset
 * (`fetch get`), recording where it came from. No request is sent without
 * --allow-remote. The work is the core's (stac.h); this file parses
 * arguments, turns an annotation file's marks into a box, and prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "annot.h"
#include "cli.h"
#include "gjfast.h"
#include "gjson.h"
#include "numparse.h"
#include "stac.h"

#define MAX_COLLECTIONS 32
#define MAX_BAND_ASSETS 8
#define METRES_PER_DEGREE 111320.0
#define PI 3.14159265358979323846

struct fetch_args {
    bool get;
    const char *endpoint;
    bool have_bbox;
    double bbox[4];
    const char *aoi, *feature;
    double pad_m;
    struct stac_query q;
    const char *collections[MAX_COLLECTIONS];
    const char *asset;
    char *band_list;
    const char *band_assets[MAX_BAND_ASSETS];
    size_t nband_assets;
    const char *out;
    bool json;
    struct stac_net net;
};

static bool parse_date(const char *s, char out[32])
{
    size_t n = strlen(s);
    if (n < 10 || n > 31 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    snprintf(out, 32, "%s", s);
    return true;
}

static int parse_args(int argc, char **argv, struct fetch_args *a)
{
    memset(a, 0, sizeof *a);
    a->q.max_cloud = -1;
    if (argc < 2 || (strcmp(argv[1], "search") && strcmp(argv[1], "get")))
        return cli_usage_error("fetch", "say `fetch search` or `fetch get`");
    a->get = strcmp(argv[1], "get") == 0;
    const char *cmd = a->get ? "fetch get" : "fetch search";
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED(what) \
    do { if (!val) return cli_usage_error(cmd, "%s needs %s", arg, what); i++; } while (0)
        if (strcmp(arg, "--bbox") == 0) {
            NEED("W,S,E,N");
            if (!numparse_list(val, a->bbox, 4) || a->bbox[1] > a->bbox[3] ||
                fabs(a->bbox[1]) > 90 || fabs(a->bbox[3]) > 90 || fabs(a->bbox[0]) > 180 ||
                fabs(a->bbox[2]) > 180 || a->bbox[0] > a->bbox[2])
                return cli_usage_error(cmd, "--bbox '%s': want W,S,E,N in degrees (west <= east, "
                                            "south <= north)", val);
            a->have_bbox = true;
        } else if (strcmp(arg, "--aoi") == 0) {
            NEED("an annotation file");
            a->aoi = val;
        } else if (strcmp(arg, "--feature") == 0) {
            NEED("a mark id");
            a->feature = val;
        } else if (strcmp(arg, "--pad") == 0) {
            NEED("metres");
            if (!numparse_list(val, &a->pad_m, 1) || a->pad_m < 0 || a->pad_m > 1e6)
                return cli_usage_error(cmd, "--pad needs metres >= 0");
        } else if (strcmp(arg, "--from") == 0) {
            NEED("a date");
            if (!parse_date(val, a->q.from))
                return cli_usage_error(cmd, "--from '%s': want YYYY-MM-DD", val);
        } else if (strcmp(arg, "--to") == 0) {
            NEED("a date");
            if (!parse_date(val, a->q.to))
                return cli_usage_error(cmd, "--to '%s': want YYYY-MM-DD", val);
        } else if (strcmp(arg, "--collection") == 0) {
            NEED("a collection id");
            if (a->q.ncollections == MAX_COLLECTIONS)
                return cli_usage_error(cmd, "at most %d --collection", MAX_COLLECTIONS);
            a->collections[a->q.ncollections++] = val;
        } else if (strcmp(arg, "--max-cloud") == 0) {
            NEED("a percentage");
            if (!numparse_list(val, &a->q.max_cloud, 1) || a->q.max_cloud < 0 ||
                a->q.max_cloud > 100)
                return cli_usage_error(cmd, "--max-cloud needs 0..100");
        } else if (strcmp(arg, "--limit") == 0) {
            NEED("a number");
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || v < 1 || v > 10000)
                return cli_usage_error(cmd, "--limit needs 1..10000");
            a->q.limit = (size_t)v;
        } else if (strcmp(arg, "--item") == 0) {
            NEED("an item id");
            a->q.item_id = val;
        } else if (strcmp(arg, "--asset") == 0) {
            NEED("an asset key");
            a->asset = val;
        } else if (strcmp(arg, "--band-assets") == 0) {
            NEED("asset keys A,B,C");
            free(a->band_list);
            a->band_list = strdup(val);
            a->nband_assets = 0;
            for (char *save = NULL, *t = strtok_r(a->band_list, ",", &save); t;
                 t = strtok_r(NULL, ",", &save)) {
                if (a->nband_assets == MAX_BAND_ASSETS)
                    return cli_usage_error(cmd, "at most %d band assets", MAX_BAND_ASSETS);
                a->band_assets[a->nband_assets++] = t;
            }
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            NEED("OUT.tif");
            a->out = val;
        } else if (strcmp(arg, "--timeout") == 0) {
            NEED("seconds");
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || v < 1 || v > 3600)
                return cli_usage_error(cmd, "--timeout needs 1..3600 seconds");
            a->net.timeout_s = v;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (strcmp(arg, "--allow-remote") == 0) {
            a->net.allow_remote = true;
        } else if (strcmp(arg, "--allow-http") == 0) {
            a->net.allow_http = true;
        } else if (arg[0] == '-' && arg[1]) {
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (!a->endpoint) {
            a->endpoint = arg;
        } else {
            return cli_usage_error(cmd, "one catalog or API at a time ('%s' is extra)", arg);
        }
#undef NEED
    }
    a->q.collections = a->collections;
    if (!a->endpoint)
        return cli_usage_error(cmd, "needs the URL of a STAC catalog (…/catalog.json) or API");
    if (a->have_bbox == (a->aoi != NULL))
        return cli_usage_error(cmd, "give the site as --bbox W,S,E,N or --aoi FILE.geojson");
    if (a->feature && !a->aoi)
        return cli_usage_error(cmd, "--feature goes with --aoi");
    if (a->get && (!a->q.item_id || !a->out))
        return cli_usage_error(cmd, "needs --item ID and -o OUT.tif");
    if (a->get && a->asset && a->nband_assets)
        return cli_usage_error(cmd, "--asset or --band-assets, not both");
    return CLI_OK;
}

/* The box of the site: --bbox, or an annotation file's feature (or all of
 * its features), padded by pad_m metres. */
static bool site_box(struct fetch_args *a, struct diag *dg)
{
    if (a->aoi) {
        struct annot_set *set = NULL;
        if (!gjfast_read_file(a->aoi, &set, dg))
            return false;
        bool found = false;
        for (size_t i = 0; i < annot_count(set); i++) {
            const struct annot_feature *f = annot_get(set, i);
            if (a->feature && strcmp(f->id, a->feature) != 0)
                continue;
            struct annot_lonlat lo, hi;
            if (!annot_geometry_bbox(&f->geom, &lo, &hi))
                continue;
            if (!found) {
                a->bbox[0] = lo.lon; a->bbox[1] = lo.lat; a->bbox[2] = hi.lon; a->bbox[3] = hi.lat;
            } else {
                a->bbox[0] = fmin(a->bbox[0], lo.lon); a->bbox[1] = fmin(a->bbox[1], lo.lat);
                a->bbox[2] = fmax(a->bbox[2], hi.lon); a->bbox[3] = fmax(a->bbox[3], hi.lat);
            }
            found = true;
        }
        annot_set_free(set);
        if (!found) {
            if (a->feature)
                diag_error(dg, "%s: no mark \"%s\" with a geometry", a->aoi, a->feature);
            else
                diag_error(dg, "%s: no mark with a geometry to take the site from", a->aoi);
            return false;
        }
    }
    double dlat = a->pad_m / METRES_PER_DEGREE;
    double dlon = dlat / fmax(0.01, cos((a->bbox[1] + a->bbox[3]) / 2 * PI / 180));
    a->bbox[0] -= dlon; a->bbox[2] += dlon;
    a->bbox[1] = fmax(-90, a->bbox[1] - dlat); a->bbox[3] = fmin(90, a->bbox[3] + dlat);
    memcpy(a->q.bbox, a->bbox, sizeof a->bbox);
    return true;
}

static void print_items(const struct stac_result *res, bool as_json)
{
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < res->count; i++) {
            const struct stac_item *it = &res->items[i];
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", it->id, "datetime",
                                  it->datetime, "collection", it->collection, "provider",
                                  it->provider, "licence", it->licence, "self", it->self_href);
            json_object_set_new(o, "cloud_cover", it->cloud_cover >= 0 ? json_real(it->cloud_cover) : json_null());
            json_object_set_new(o, "gsd_m", it->gsd_m > 0 ? json_real(it->gsd_m) : json_null());
            json_array_append_new(arr, o);
        }
        char *text = json_dumps(arr, JSON_INDENT(2));
        if (text)
            cli_put_json(text);
        free(text);
        json_decref(arr);
        return;
    }
    printf("%-32s %-20s %6s %6s  %-20s %s\n", "item", "acquired", "cloud%", "gsd m", "provider",
           "licence");
    for (size_t i = 0; i < res->count; i++) {
        const struct stac_item *it = &res->items[i];
        char cloud[16] = "?", gsd[16] = "?";
        if (it->cloud_cover >= 0)
            snprintf(cloud, sizeof cloud, "%.1f", it->cloud_cover);
        if (it->gsd_m > 0)
            snprintf(gsd, sizeof gsd, "%.1f", it->gsd_m);
        printf("%-32.32s %-20.20s %6s %6s  %-20.20s %s\n", cli_safe(it->id),
               cli_safe(it->datetime), cloud, gsd, it->provider[0] ? cli_safe(it->provider) : "?",
               it->licence[0] ? cli_safe(it->licence) : "?");
    }
    printf("%zu item(s)\n", res->count);
}

static void show_progress(double fraction, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "\rfetching %3d%%", (int)(fraction * 100 + 0.5));
    if (fraction >= 1.0)
        fputc('\n', stderr);
}

static int run_fetch(int argc, char **argv)
{
    struct fetch_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        free(a.band_list);
        return rc;
    }
    struct diag *dg = diag_new();
    struct stac_result *res = NULL;
    bool ok = dg && site_box(&a, dg) && stac_search(a.endpoint, &a.q, &a.net, &res, dg);
    if (ok && !a.get) {
        print_items(res, a.json);
    } else if (ok) {
        if (res->count == 0) {
            diag_error(dg, "%s: no item \"%s\" covers %g,%g,%g,%g in the dates given", a.endpoint,
                       a.q.item_id, a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]);
            ok = false;
        } else {
            struct stac_fetch req = {
                .item = &res->items[0], .asset = a.asset, .band_assets = a.band_assets,
                .nband_assets = a.nband_assets, .out_path = a.out, .endpoint = a.endpoint,
                .progress = isatty(STDERR_FILENO) ? show_progress : NULL};
            memcpy(req.bbox, a.bbox, sizeof a.bbox);
            struct stac_fetched done;
            ok = stac_fetch_window(&req, &a.net, &done, dg);
            if (ok)
                printf("%s: %dx%d pixels, %lld bytes, sha256 %s\n  from %s (item %s, %s)\n"
                       "  provenance: %s.stac.json\n",
                       cli_safe(a.out), done.width, done.height, done.bytes, done.sha256,
                       cli_safe(done.asset_href), cli_safe(res->items[0].id),
                       cli_safe(res->items[0].datetime), cli_safe(a.out));
        }
    }
    if (dg)
        cli_report(dg);
    else
        fprintf(stderr, "satmark: error: out of memory\n");
    stac_result_free(res);
    diag_free(dg);
    free(a.band_list);
    return ok ? CLI_OK : CLI_FAILED;
}

const struct cli_command cli_cmd_fetch = {
    .name = "fetch",
    .summary = "find imagery of a site in a STAC catalog or API and fetch just its window",
    .usage =
        "usage: satmark fetch search URL (--bbox W,S,E,N | --aoi FILE.geojson [--feature ID])\n"
        "                    [--pad M] [--from DATE] [--to DATE] [--collection C ...]\n"
        "                    [--max-cloud PCT] [--limit N] [--json] --allow-remote\n"
        "       satmark fetch get URL --item ID (--bbox ... | --aoi ...) [--pad M]\n"
        "                    [--asset KEY | --band-assets A,B,C] -o OUT.tif --allow-remote\n"
        "\n"
        "URL is a static STAC catalog (ending in .json: catalog -> collections -> items are\n"
        "followed) or a STAC API (POST /search). The site is a box in degrees or the extent\n"
        "of an annotation file's marks (or one mark), padded by --pad metres.\n"
        "\n"
        "search lists the items that cover the site in the dates (id, acquisition time,\n"
        "cloud cover, ground resolution, provider, licence), as a table or --json.\n"
        "\n"
        "get reads the window of one item's asset (default \"visual\", else the first\n"
        "GeoTIFF with role visual or data; or several single-band assets combined with\n"
        "--band-assets red,green,blue) through HTTP range requests, never the whole file,\n"
        "into OUT.tif (tiled, compressed, in the asset's CRS). OUT.tif appears only when\n"
        "complete. OUT.tif.stac.json records the provenance: item id and self link,\n"
        "collection, asset hrefs, acquisition time, provider, licence, fetch time and the\n"
        "SHA-256 of the file written.\n"
        "\n"
        "Network: nothing is sent without --allow-remote. https only; plain http only to\n"
        "this machine (127.0.0.1, localhost, ::1) or with --allow-http. --timeout S per\n"
        "request (default 30); JSON documents over 16 MB are refused.\n"
        "\n"
        "exit status: 0 done, 1 failed (message names the URL or file and the reason), 2 usage\n",
    .run = run_fetch,
};
