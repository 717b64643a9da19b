/*
 * cmd_info — `satmark info FILE`: what an image is, as text or one JSON object.
 *
 * Thin over raster (open, metadata, hash) and geo (bounds, resolution, north).
 * It never reads pixels (only the file bytes for the SHA-256, which --no-hash
 * skips), so it is quick even on hostile files that declare huge sizes.
 * Warnings are part of the description: listed in the output (text or the
 * JSON "warnings" array), and only on failure also printed on stderr.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figure.h"
#include "geo.h"
#include "imgopt.h"
#include "raster.h"

struct info_args {
    const char *path;
    bool json;
    bool hash;
    struct raster_open_options open;
    struct imgopt image;
};

static int parse_args(int argc, char **argv, struct info_args *a)
{
    memset(a, 0, sizeof *a);
    a->hash = true;
    raster_open_options_init(&a->open);
    imgopt_init(&a->image);
    bool options_done = false;
    char msg[256];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        enum imgopt_arg taken =
            options_done ? IMGOPT_NOT_MINE
                         : imgopt_parse_arg(&a->image, argc, argv, &i, msg, sizeof msg);
        if (taken == IMGOPT_BAD)
            return cli_usage_error("info", "%s", msg);
        if (taken == IMGOPT_TAKEN)
            continue;
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (!options_done && strcmp(arg, "--no-hash") == 0) {
            a->hash = false;
        } else if (!options_done && strcmp(arg, "--allow-remote") == 0) {
            a->open.allow_remote = true;
        } else if (!options_done && strcmp(arg, "--bands") == 0) {
            if (i + 1 >= argc || !figure_parse_bands(argv[++i], a->open.bands))
                return cli_usage_error("info", "--bands needs R,G,B or one band number");
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("info", "unknown option '%s'", arg);
        } else if (!a->path) {
            a->path = arg;
        } else {
            return cli_usage_error("info", "only one FILE, got '%s' too", arg);
        }
    }
    if (!a->path)
        return cli_usage_error("info", "missing FILE");
    return CLI_OK;
}

/* What geo can say about the image: NULL-safe summary for both outputs. */
struct geo_summary {
    bool have_bounds_crs;
    struct geo_bounds bounds_crs;
    bool have_bounds_lonlat;
    struct geo_bounds bounds_lonlat;
    bool have_resolution;
    double res_x_m, res_y_m;
    bool have_north;
    double north_deg;
};

static void summarise_geo(const struct raster *r, struct geo_summary *s, struct diag *dg)
{
    memset(s, 0, sizeof *s);
    const struct raster_info *in = raster_get_info(r);
    if (!in->has_geotransform)
        return;
    struct diag *local = diag_new();
    struct geo_ref *g = geo_ref_from_raster(r, local);
    if (!g) {
        diag_warn(dg, "%s", diag_message(local));
        diag_free(local);
        return;
    }
    geo_bounds_crs(g, in->width, in->height, &s->bounds_crs);
    s->have_bounds_crs = true;
    if (geo_ref_has_crs(g)) {
        s->have_bounds_lonlat = geo_bounds_lonlat(g, in->width, in->height, &s->bounds_lonlat, local);
        if (!s->have_bounds_lonlat)
            diag_warn(dg, "%s", diag_message(local));
        diag_clear_error(local);
        s->have_resolution = geo_ground_resolution(g, in->width, in->height, &s->res_x_m,
                                                   &s->res_y_m, local);
        diag_clear_error(local);
        s->have_north = geo_true_north_deg(g, in->width / 2.0, in->height / 2.0, &s->north_deg,
                                           local);
        if (!s->have_resolution || !s->have_north)
            diag_warn(dg, "%s: the image centre cannot be converted to lon/lat: no ground "
                          "resolution or north direction", in->path);
    }
    geo_ref_free(g);
    diag_free(local);
}

/* A JSON string of s; bytes that are not valid UTF-8 (possible in file
 * metadata) become '?' so the key is never silently dropped. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *ascii = malloc(n + 1);
    if (!ascii)
        return json_null();
    for (size_t i = 0; i <= n; i++)
        ascii[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
    j = json_string(ascii);
    free(ascii);
    return j ? j : json_null();
}

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jnodata(const struct raster_band_info *b)
{
    if (!b->has_nodata)
        return json_null();
    if (isnan(b->nodata))
        return json_string("nan");
    if (isinf(b->nodata))
        return json_string(b->nodata > 0 ? "inf" : "-inf");
    if (b->nodata == floor(b->nodata) && fabs(b->nodata) < 9e15)
        return json_integer((json_int_t)b->nodata);
    return json_real(b->nodata);
}

static json_t *jbounds(const struct geo_bounds *b)
{
    return json_pack("[o,o,o,o]", jnum(b->west), jnum(b->south), jnum(b->east), jnum(b->north));
}

static int print_json(const struct raster_info *in, const struct geo_summary *s,
                      const char *sha, const struct diag *dg)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", jstr(in->path));
    json_object_set_new(o, "driver", jstr(in->driver));
    json_object_set_new(o, "driver_long", jstr(in->driver_long));
    json_object_set_new(o, "width", json_integer(in->width));
    json_object_set_new(o, "height", json_integer(in->height));
    json_t *bands = json_array();
    for (int i = 0; i < in->band_count; i++) {
        const struct raster_band_info *b = &in->bands[i];
        json_array_append_new(bands, json_pack("{s:o,s:o,s:o,s:b,s:i}", "type",
                                               jstr(b->type_name), "nodata", jnodata(b),
                                               "color_interp", jstr(b->color_interp), "palette", b->has_palette,
                                               "bits", b->bits));
    }
    json_object_set_new(o, "bands", bands);
    json_t *display = json_pack("{s:[i,i,i],s:o,s:b,s:s}", "bands", in->display_bands[0],
                                in->display_bands[1], in->display_bands[2], "alpha_band",
                                in->display_alpha_band ? json_integer(in->display_alpha_band)
                                                       : json_null(),
                                "palette", in->palette_expanded, "reason",
                                in->display_reason ? in->display_reason : "");
    json_object_set_new(o, "display", display);
    if (in->has_crs)
        json_object_set_new(o, "crs", json_pack("{s:o,s:o,s:o}", "name", jstr(in->crs_name),
                                                "epsg",
                                                in->epsg ? json_integer(in->epsg) : json_null(),
                                                "wkt", jstr(in->crs_wkt)));
    else
        json_object_set_new(o, "crs", json_null());
    if (in->has_geotransform) {
        json_t *gt = json_array();
        for (int i = 0; i < 6; i++)
            json_array_append_new(gt, jnum(in->geotransform[i]));
        json_object_set_new(o, "geotransform", gt);
    } else {
        json_object_set_new(o, "geotransform", json_null());
    }
    json_object_set_new(o, "bounds_crs", s->have_bounds_crs ? jbounds(&s->bounds_crs) : json_null());
    json_object_set_new(o, "bounds_lonlat",
                        s->have_bounds_lonlat ? jbounds(&s->bounds_lonlat) : json_null());
    json_object_set_new(o, "resolution_m",
                        s->have_resolution ? json_pack("[o,o]", jnum(s->res_x_m), jnum(s->res_y_m))
                                           : json_null());
    json_object_set_new(o, "true_north_deg", s->have_north ? jnum(s->north_deg) : json_null());
    json_t *ovs = json_array();
    for (int i = 0; i < in->overview_count; i++)
        json_array_append_new(ovs, json_pack("[i,i]", in->overviews[i].width,
                                             in->overviews[i].height));
    json_object_set_new(o, "overviews", ovs);
    json_object_set_new(o, "rpc", json_boolean(in->has_rpc));
    json_object_set_new(o, "gcps", json_boolean(in->has_gcps));
    if (in->georef_by[0]) {
        json_t *g = json_object();
        json_object_set_new(g, "method", json_string(in->georef_by));
        json_object_set_new(g, "gcp_count", json_integer((json_int_t)in->gcp_count));
        json_object_set_new(g, "rms_m", in->gcp_count ? jnum(in->gcp_rms_m) : json_null());
        json_object_set_new(g, "max_m", in->gcp_count ? jnum(in->gcp_max_m) : json_null());
        json_object_set_new(g, "leave_one_out", json_boolean(in->gcp_leave_one_out));
        json_object_set_new(o, "georeferenced_by", g);
    } else {
        json_object_set_new(o, "georeferenced_by", json_null());
    }
    json_t *subs = json_array();
    for (size_t i = 0; i < in->subdataset_count; i++)
        json_array_append_new(subs, json_pack("{s:i,s:s,s:s}", "index", (int)(i + 1), "name",
                                              in->subdataset_names[i], "description",
                                              in->subdataset_descriptions[i]));
    json_object_set_new(o, "subdatasets", subs);
    json_object_set_new(o, "reprojected_from",
                        in->reprojected_from[0] ? json_string(in->reprojected_from) : json_null());
    json_object_set_new(o, "acquired", in->acquired[0] ? jstr(in->acquired) : json_null());
    json_object_set_new(o, "acquired_source",
                        in->acquired_source[0] ? jstr(in->acquired_source) : json_null());
    json_object_set_new(o, "synthetic", json_boolean(in->synthetic));
    json_object_set_new(o, "credit", in->credit[0] ? jstr(in->credit) : json_null());
    json_object_set_new(o, "site", in->site[0] ? jstr(in->site) : json_null());
    json_object_set_new(o, "sha256", sha ? jstr(sha) : json_null());
    json_t *warnings = json_array();
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        json_array_append_new(warnings, jstr(diag_warning(dg, i)));
    json_object_set_new(o, "warnings", warnings);
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (!text) {
        fprintf(stderr, "satmark: error: %s: cannot write the description as JSON\n", in->path);
        return CLI_FAILED;
    }
    cli_put_json(text);
    free(text);
    return CLI_OK;
}

static void print_nodata(const struct raster_band_info *b)
{
    if (!b->has_nodata)
        return;
    if (isnan(b->nodata))
        printf(", nodata nan");
    else
        printf(", nodata %.17g", b->nodata);
}

static void print_bounds(const char *label, const struct geo_bounds *b, int decimals)
{
    printf("%-18s west %.*f  south %.*f  east %.*f  north %.*f\n", label, decimals, b->west,
           decimals, b->south, decimals, b->east, decimals, b->north);
}

static int print_text(const struct raster_info *in, const struct geo_summary *s, const char *sha,
                      const struct diag *dg)
{
    printf("%-18s %s\n", "file:", cli_safe(in->path));
    printf("%-18s %s (%s)\n", "driver:", cli_safe(in->driver), cli_safe(in->driver_long));
    printf("%-18s %d x %d pixels, %d band%s\n", "size:", in->width, in->height, in->band_count,
           in->band_count == 1 ? "" : "s");
    for (int i = 0; i < in->band_count; i++) {
        const struct raster_band_info *b = &in->bands[i];
        char label[32];
        snprintf(label, sizeof label, "band %d:", i + 1);
        printf("%-18s %s, %s", label, cli_safe(b->type_name), cli_safe(b->color_interp));
        if (b->bits && b->bits != 8 && b->bits != 16 && b->bits != 32 && b->bits != 64)
            printf(", %d bits", b->bits);
        if (b->has_palette)
            printf(", palette");
        print_nodata(b);
        printf("\n");
    }
    if (in->palette_expanded)
        printf("%-18s band %d through its palette", "display:", in->display_bands[0]);
    else if (in->display_bands[0] == in->display_bands[1] &&
             in->display_bands[1] == in->display_bands[2])
        printf("%-18s band %d as grey", "display:", in->display_bands[0]);
    else
        printf("%-18s bands %d,%d,%d as R,G,B", "display:", in->display_bands[0],
               in->display_bands[1], in->display_bands[2]);
    if (in->display_alpha_band)
        printf(", alpha band %d", in->display_alpha_band);
    if (in->display_reason && !in->display_reason[0])
        printf(" (the file does not say which bands are red, green and blue)");
    else if (in->display_reason && strcmp(in->display_reason, "chosen") != 0 &&
             strcmp(in->display_reason, "colour interpretation") != 0 &&
             strcmp(in->display_reason, "single band") != 0)
        printf(" (from its %s)", cli_safe(in->display_reason));
    printf("\n");
    if (in->has_crs) {
        if (in->epsg)
            printf("%-18s %s (EPSG:%d)\n", "crs:", cli_safe(in->crs_name), in->epsg);
        else
            printf("%-18s %s (no EPSG code)\n", "crs:", cli_safe(in->crs_name));
    } else {
        printf("%-18s none\n", "crs:");
    }
    if (in->has_geotransform) {
        const double *g = in->geotransform;
        printf("%-18s %.12g, %.12g, %.12g, %.12g, %.12g, %.12g\n", "geotransform:", g[0], g[1],
               g[2], g[3], g[4], g[5]);
    } else {
        printf("%-18s none (pixel space)\n", "geotransform:");
    }
    if (in->georef_by[0] && in->gcp_count)
        printf("%-18s %zu ground control points, %s: residual RMS %.2f m, max %.2f m%s\n",
               "georeferenced by:", in->gcp_count, in->georef_by, in->gcp_rms_m, in->gcp_max_m,
               in->gcp_leave_one_out ? " (leave-one-out)" : "");
    else if (in->georef_by[0])
        printf("%-18s its RPCs (north-up view in the UTM zone of its centre)\n",
               "georeferenced by:");
    for (size_t i = 0; i < in->subdataset_count; i++)
        printf("%-18s %zu: %s  (%s)\n", i ? "" : "subdatasets:", i + 1,
               cli_safe(in->subdataset_names[i]), cli_safe(in->subdataset_descriptions[i]));
    if (in->subdataset_count)
        printf("%-18s open one with --subdataset N here, or pass its name to any command\n", "");
    if (in->reprojected_from[0])
        printf("%-18s the file is in %s (degrees); shown in the UTM zone of its centre so\n"
               "%-18s ground distances are equal along both axes (--keep-degrees: as stored)\n",
               "reprojected:", in->reprojected_from, "");
    if (s->have_bounds_crs)
        print_bounds("bounds (crs):", &s->bounds_crs, 6);
    if (s->have_bounds_lonlat)
        print_bounds("bounds (lon/lat):", &s->bounds_lonlat, 7);
    if (s->have_resolution)
        printf("%-18s %.3f m x %.3f m per pixel (at the image centre)\n", "resolution:",
               s->res_x_m, s->res_y_m);
    if (s->have_north)
        printf("%-18s %.3f degrees clockwise from up (at the image centre)\n", "true north:",
               fabs(s->north_deg) < 5e-4 ? 0.0 : s->north_deg);
    printf("%-18s", "overviews:");
    if (in->overview_count == 0)
        printf(" none");
    for (int i = 0; i < in->overview_count; i++)
        printf("%s %dx%d", i ? "," : "", in->overviews[i].width, in->overviews[i].height);
    printf("\n");
    if (in->acquired[0])
        printf("%-18s %s (from %s)\n", "acquired:", cli_safe(in->acquired),
               cli_safe(in->acquired_source));
    else
        printf("%-18s unknown\n", "acquired:");
    if (in->synthetic)
        printf("%-18s yes (generated demo image, not real imagery)\n", "synthetic:");
    if (in->credit[0])
        printf("%-18s %s\n", "credit:", cli_safe(in->credit));
    if (in->site[0])
        printf("%-18s %s\n", "site:", cli_safe(in->site));
    if (sha)
        printf("%-18s %s\n", "sha256:", sha);
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        printf("%-18s %s\n", "warning:", diag_warning(dg, i));
    return CLI_OK;
}

static int run_info(int argc, char **argv)
{
    struct info_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    struct diag *dg = diag_new();
    if (!dg) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    char *name = imgopt_prepare(&a.image, a.path, &a.open, dg);
    struct raster *r = name ? raster_open(name, &a.open, dg) : NULL;
    free(name);
    if (!r) {
        cli_report(dg);
        diag_free(dg);
        return CLI_FAILED;
    }
    const struct raster_info *in = raster_get_info(r);
    struct geo_summary s;
    summarise_geo(r, &s, dg);
    char sha[HASH_SHA256_HEX_LEN + 1];
    bool have_sha = false;
    if (a.hash) {
        struct diag *hdg = diag_new();
        have_sha = raster_sha256(r, sha, hdg);
        if (!have_sha)
            diag_warn(dg, "no SHA-256: %s", diag_message(hdg));
        diag_free(hdg);
    }
    rc = a.json ? print_json(in, &s, have_sha ? sha : NULL, dg)
                : print_text(in, &s, have_sha ? sha : NULL, dg);
    raster_close(r);
    diag_free(dg);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "satmark: error: cannot write the output: %s\n", strerror(errno));
        return CLI_FAILED;
    }
    return rc;
}

const struct cli_command cli_cmd_info = {
    .name = "info",
    .summary = "describe an image: size, bands, CRS, bounds, resolution, date, SHA-256",
    .usage =
        "usage: satmark info FILE [--json] [--bands R,G,B | --bands N] [--subdataset N|NAME]\n"
        "                    [--allow-remote] [--no-hash] [--georef METHOD] [--dem DEM]\n"
        "                    [--keep-degrees]\n"
        "\n"
        "Describes a raster without reading its pixels: driver, size, bands (type, colour,\n"
        "nodata), the bands that would be displayed, CRS (name, EPSG code), geotransform,\n"
        "bounds in the image CRS and in WGS84 lon/lat, ground resolution and true north at\n"
        "the image centre, overviews, acquisition date, credit, SHA-256 of the file, and\n"
        "warnings (no georeferencing, rotated, synthetic, ...).\n"
        "\n"
        "  --json           one JSON object instead of text (keys: file, driver, width,\n"
        "                   height, bands, display, crs, geotransform, bounds_crs,\n"
        "                   bounds_lonlat [west,south,east,north], resolution_m [x,y],\n"
        "                   true_north_deg, overviews, acquired, synthetic, credit, site,\n"
        "                   sha256, warnings; null where unknown)\n"
        "  --bands R,G,B    bands to display (1-based), or one band N shown as grey\n"
        IMGOPT_HELP
        "  --allow-remote   allow network paths (/vsicurl/, /vsis3/, http://...)\n"
        "  --no-hash        skip the SHA-256 (it reads the whole file)\n"
        "\n"
        "exit status: 0 described, 1 the file cannot be opened (message names it), 2 usage\n",
    .run = run_info,
};
