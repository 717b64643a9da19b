/*
 * satmark georef — place a picture (a photo or crop published with an
 * article) on the map from ground control points the user read off it and a
 * reference: writes a VRT with the GCPs or a north-up GeoTIFF, never touching
 * the picture, and prints each GCP's residual so a wrong pick shows. The
 * work is the core's (georef.h); this file parses and prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "georef.h"
#include "numparse.h"

#define MAX_CLI_GCPS 1000

/* "PX,PY,LON,LAT" with finite decimal numbers (no hex, no inf/nan). */
static bool parse_gcp(const char *text, struct georef_gcp *g)
{
    double v[4];
    if (!numparse_list(text, v, 4))
        return false;
    if (fabs(v[3]) > 90.0 || fabs(v[2]) > 180.0)
        return false;
    g->px = v[0];
    g->py = v[1];
    g->lon = v[2];
    g->lat = v[3];
    return true;
}

static int run_georef(int argc, char **argv)
{
    const char *image = NULL, *out = NULL;
    enum georef_method method = GEOREF_AUTO;
    struct georef_gcp *gcps = calloc(MAX_CLI_GCPS, sizeof *gcps);
    size_t n = 0;
    int rc = CLI_OK;
    if (!gcps) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--gcp") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("georef", "--gcp needs PX,PY,LON,LAT");
            } else if (n >= MAX_CLI_GCPS) {
                rc = cli_usage_error("georef", "at most %d --gcp", MAX_CLI_GCPS);
            } else if (!parse_gcp(argv[++i], &gcps[n])) {
                rc = cli_usage_error("georef", "--gcp '%s': want PX,PY,LON,LAT (pixel, line, "
                                               "then longitude and latitude in degrees)", argv[i]);
            } else {
                n++;
            }
        } else if (strcmp(arg, "--method") == 0) {
            if (i + 1 >= argc || !georef_method_from_name(argv[++i], &method) ||
                method == GEOREF_RPC)
                rc = cli_usage_error("georef", "--method needs poly1, poly2, poly3, tps or auto");
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (i + 1 >= argc)
                rc = cli_usage_error("georef", "-o needs OUT.vrt or OUT.tif");
            else
                out = argv[++i];
        } else if (arg[0] == '-' && arg[1]) {
            rc = cli_usage_error("georef", "unknown option '%s'", arg);
        } else if (!image) {
            image = arg;
        } else {
            rc = cli_usage_error("georef", "one picture at a time ('%s' is extra)", arg);
        }
    }
    if (rc == CLI_OK && (!image || !out || n == 0))
        rc = cli_usage_error("georef", "needs IMAGE, at least 3 --gcp and -o OUT");
    if (rc != CLI_OK) {
        free(gcps);
        return rc;
    }
    struct diag *dg = diag_new();
    double *residual = calloc(n, sizeof *residual);
    struct georef_fit fit;
    bool ok = dg && residual && georef_write(image, gcps, n, method, out, residual, &fit, dg);
    if (ok) {
        printf("%s: %zu ground control points, %s%s\n", cli_safe(out), n,
               georef_method_name(fit.method),
               fit.leave_one_out ? " (residuals leave-one-out: each GCP against a fit of the "
                                   "others)"
                                 : "");
        printf("  %-4s %12s %12s %13s %12s %12s\n", "gcp", "pixel", "line", "lon", "lat",
               "residual m");
        for (size_t i = 0; i < n; i++)
            printf("  %-4zu %12.2f %12.2f %13.7f %12.7f %12.2f\n", i + 1, gcps[i].px, gcps[i].py,
                   gcps[i].lon, gcps[i].lat, residual[i]);
        printf("  RMS %.2f m, largest %.2f m\n", fit.rms_m, fit.max_m);
    } else if (dg) {
        cli_report(dg);
    } else {
        fprintf(stderr, "satmark: error: out of memory\n");
    }
    diag_free(dg);
    free(residual);
    free(gcps);
    return ok ? CLI_OK : CLI_FAILED;
}

const struct cli_command cli_cmd_georef = {
    .name = "georef",
    .summary = "place a picture on the map from ground control points (VRT or GeoTIFF)",
    .usage =
        "usage: satmark georef IMAGE --gcp PX,PY,LON,LAT [--gcp ...] [--method M] -o OUT\n"
        "\n"
        "Georeferences a picture that has no georeferencing (a photo or a crop published\n"
        "with an article) from ground control points: for each, the pixel and line of a\n"
        "feature on the picture (pixel-corner convention: 0,0 is the top-left corner)\n"
        "and its longitude and latitude read off a georeferenced tile. IMAGE is never\n"
        "modified. Prints each point's residual in metres (how far the fitted mapping\n"
        "puts it from where you said) and the RMS: a large residual is a wrong pick.\n"
        "\n"
        "  --method M   poly1 (affine, 3+ points), poly2 (6+), poly3 (10+), tps (thin-plate\n"
        "               spline, 4+: exact at every point, so its residuals are\n"
        "               leave-one-out), auto (default: poly2 with 6+ points, else poly1)\n"
        "  -o OUT.vrt   a VRT beside the picture that refers to it and carries the GCPs\n"
        "               (satmark opens it georeferenced; GDAL and QGIS see the GCPs)\n"
        "  -o OUT.tif   a north-up GeoTIFF in the UTM zone of its centre (a working copy)\n"
        "\n"
        "Both record the picture's file name and SHA-256, the GCPs, the method and the\n"
        "RMS in their metadata (SATMARK_GEOREF_*), so a reader can redo the work.\n"
        "\n"
        "exit status: 0 written, 1 failed (message names the file and the reason), 2 usage\n",
    .run = run_georef,
};
