/*
 * satmark-tilegen — deterministic generator of the synthetic 0.5 m demo tiles
 * (assets/tiles) and of the annotation files that mark what they show
 * (annotations/<site>.geojson), plus large benchmark tiles.
 *
 *   satmark-tilegen --site rason-najin|dunai --date YYYY-MM-DD [--size N] -o FILE
 *   satmark-tilegen --all DIR [--annotations DIR]
 *   satmark-tilegen --annotations DIR --tiles DIR
 *   satmark-tilegen --bench-size N --marks M -o BIG.tif --marks-out BIG.geojson [--site S]
 *   satmark-tilegen --big points|qgis|polygons --count N [--bbox W,S,E,N] [--seed S]
 *                   [--clockwise] [--image NAME --date D] -o BIG.geojson   (tgbig.h)
 *
 * Same inputs, same bytes: the scene is seeded from the site, GDAL writes no
 * clock time, the annotation timestamps are fixed.
 * Exit status: 0 done, 1 failed (message names file and reason), 2 bad usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "hash.h"
#include "tgannot.h"
#include "tgbig.h"
#include "tggeo.h"
#include "tgscene.h"
#include "tgwrite.h"

#define PIXEL_M 0.5
#define BUNDLED_SIZE 4096
#define ANNOT_TIMESTAMP "2026-11-23T00:00:00Z"

static const char *const sites[2] = {"rason-najin", "dunai"};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: satmark-tilegen --site rason-najin|dunai --date YYYY-MM-DD [--size N] -o FILE\n"
            "       satmark-tilegen --all DIR [--annotations DIR]\n"
            "       satmark-tilegen --annotations DIR --tiles DIR\n"
            "       satmark-tilegen --bench-size N [--marks M] [--site S] [--date D] -o FILE\n"
            "                       [--marks-out FILE.geojson]\n"
            "       satmark-tilegen --big points|qgis|polygons --count N [--bbox W,S,E,N]\n"
            "                       [--seed S] [--clockwise] [--image NAME --date D] -o FILE\n"
            "options: --quality Q (JPEG quality, default 88), --quiet\n"
            "Tiles are synthetic 0.5 m imagery (JPEG COG), byte-identical for equal inputs.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "satmark-tilegen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    usage(stderr);
    return 2;
}

static int fail(struct diag *dg)
{
    fprintf(stderr, "satmark-tilegen: error: %s\n", diag_message(dg));
    diag_free(dg);
    return 1;
}

/* New scene for site/date at the site's UTM origin; NULL + dg on failure. */
static struct tgscene *make_scene(const char *site, const char *date, double half, bool bench,
                                  struct tggeo **geo_out, struct diag *dg)
{
    int epsg;
    double lon, lat;
    const char *title;
    if (!tgscene_site_info(site, &epsg, &lon, &lat, &title)) {
        diag_error(dg, "%s: unknown site (expected rason-najin or dunai)", site);
        return NULL;
    }
    struct tggeo *geo = tggeo_new(epsg, dg);
    double e, n;
    if (!geo || !tggeo_to_utm(geo, lon, lat, &e, &n, dg)) {
        tggeo_free(geo);
        return NULL;
    }
    /* whole metres: the geotransform stays exact and PROJ rounding noise cannot
     * leak into the pixels */
    struct tgscene *sc = tgscene_build(site, date, (double)(long)(e + 0.5),
                                       (double)(long)(n + 0.5), half, bench, dg);
    if (!sc || !geo_out)
        tggeo_free(geo);
    else
        *geo_out = geo;
    return sc;
}

static bool write_tile(const char *site, const char *date, int size, int quality, bool bench,
                       bool quiet, const char *path, struct diag *dg)
{
    double half = size * PIXEL_M / 2;
    struct tgscene *sc = make_scene(site, date, half, bench, NULL, dg);
    if (!sc)
        return false;
    struct tgwrite_options opt = {size, PIXEL_M, quality, quiet};
    bool ok = tgwrite_tile(sc, &opt, path, dg);
    tgscene_free(sc);
    if (ok && !quiet)
        fprintf(stderr, "satmark-tilegen: wrote %s (%s %s, %dx%d, 0.5 m)\n", path, site, date,
                size, size);
    return ok;
}

static bool ensure_dir(const char *dir, struct diag *dg)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        diag_error(dg, "%s: cannot create directory: %s", dir, strerror(errno));
        return false;
    }
    return true;
}

/* Writes DIR/<site>.geojson for the bundled tiles found in tiles_dir. */
static bool write_site_annotations(const char *site, const char *tiles_dir, const char *out_dir,
                                   struct diag *dg)
{
    const char *dates[2];
    tgscene_site_dates(site, dates);
    struct tgscene *scenes[2] = {NULL, NULL};
    struct tggeo *geo = NULL;
    char names[2][128], hashes[2][HASH_SHA256_HEX_LEN + 1], path[4096];
    struct tgannot_image images[2];
    bool ok = true;
    for (int i = 0; ok && i < 2; i++) {
        snprintf(names[i], sizeof names[i], "%s_%s.tif", site, dates[i]);
        snprintf(path, sizeof path, "%s/%s", tiles_dir, names[i]);
        ok = hash_file_sha256(path, hashes[i], dg);
        if (ok) {
            scenes[i] = make_scene(site, dates[i], BUNDLED_SIZE * PIXEL_M / 2, false,
                                   i == 0 ? &geo : NULL, dg);
            ok = scenes[i] != NULL;
        }
        images[i].scene = scenes[i];
        images[i].image = names[i];
        images[i].sha256 = hashes[i];
    }
    if (ok) {
        struct tgannot_options opt = {ANNOT_TIMESTAMP, 0, false, BUNDLED_SIZE * PIXEL_M / 2};
        snprintf(path, sizeof path, "%s/%s.geojson", out_dir, site);
        ok = tgannot_write(images, 2, geo, &opt, path, dg);
        if (ok)
            fprintf(stderr, "satmark-tilegen: wrote %s\n", path);
    }
    tgscene_free(scenes[0]);
    tgscene_free(scenes[1]);
    tggeo_free(geo);
    return ok;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

int main(int argc, char **argv)
{
    const char *site = NULL, *date = NULL, *out = NULL, *all_dir = NULL, *annot_dir = NULL,
               *tiles_dir = NULL, *marks_out = NULL;
    int size = BUNDLED_SIZE, bench_size = 0, marks = 500, quality = 88;
    bool quiet = false;
    const char *big = NULL;
    struct tgbig_options big_opt = {TGBIG_POINTS, 1000, 130.28, 42.22, 130.36, 42.28, 1, false,
                                    NULL, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = true;
            takes = false;
        } else if (strcmp(a, "--clockwise") == 0) {
            big_opt.clockwise = true;
            takes = false;
        } else if (!v) {
            return usage_error("%s: missing value", a);
        } else if (strcmp(a, "--big") == 0) {
            big = v;
            if (!tgbig_kind_from_name(v, &big_opt.kind))
                return usage_error("--big %s: expected points, qgis or polygons", v);
        } else if (strcmp(a, "--count") == 0) {
            int count;
            if (!parse_int(v, 1, 100000000, &count))
                return usage_error("--count %s: expected 1..100000000", v);
            big_opt.count = (size_t)count;
        } else if (strcmp(a, "--bbox") == 0) {
            if (sscanf(v, "%lf,%lf,%lf,%lf", &big_opt.west, &big_opt.south, &big_opt.east,
                       &big_opt.north) != 4 ||
                !(big_opt.west < big_opt.east && big_opt.south < big_opt.north))
                return usage_error("--bbox %s: expected W,S,E,N in degrees", v);
        } else if (strcmp(a, "--seed") == 0) {
            big_opt.seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--image") == 0) {
            big_opt.image = v;
        } else if (strcmp(a, "--site") == 0) {
            site = v;
        } else if (strcmp(a, "--date") == 0) {
            date = v;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            out = v;
        } else if (strcmp(a, "--all") == 0) {
            all_dir = v;
        } else if (strcmp(a, "--annotations") == 0) {
            annot_dir = v;
        } else if (strcmp(a, "--tiles") == 0) {
            tiles_dir = v;
        } else if (strcmp(a, "--marks-out") == 0) {
            marks_out = v;
        } else if (strcmp(a, "--size") == 0) {
            if (!parse_int(v, 64, 65536, &size))
                return usage_error("--size %s: expected 64..65536 pixels", v);
        } else if (strcmp(a, "--bench-size") == 0) {
            if (!parse_int(v, 512, 65536, &bench_size))
                return usage_error("--bench-size %s: expected 512..65536 pixels", v);
        } else if (strcmp(a, "--marks") == 0) {
            if (!parse_int(v, 1, 1000000, &marks))
                return usage_error("--marks %s: expected 1..1000000", v);
        } else if (strcmp(a, "--quality") == 0) {
            if (!parse_int(v, 10, 100, &quality))
                return usage_error("--quality %s: expected 10..100", v);
        } else {
            return usage_error("%s: unknown option", a);
        }
        if (takes)
            i++;
    }
    struct diag *dg = diag_new();
    if (!dg) {
        fprintf(stderr, "satmark-tilegen: out of memory\n");
        return 1;
    }
    if (big) {
        if (!out) {
            diag_free(dg);
            return usage_error("%s", "--big needs -o FILE");
        }
        big_opt.date = date;
        if (!tgbig_write(&big_opt, out, dg))
            return fail(dg);
        diag_free(dg);
        return 0;
    }
    int modes = (all_dir || annot_dir) + (bench_size > 0) + (out && !bench_size);
    if (modes != 1) {
        diag_free(dg);
        return usage_error("%s", "choose one of: --site/--date/-o, --all/--annotations, "
                                 "--bench-size");
    }
    if (bench_size) {
        if (!out) {
            diag_free(dg);
            return usage_error("%s", "--bench-size needs -o FILE");
        }
        const char *dates[2];
        if (!site)
            site = "rason-najin";
        if (!tgscene_site_dates(site, dates)) {
            diag_free(dg);
            return usage_error("--site %s: expected rason-najin or dunai", site);
        }
        if (!date)
            date = dates[1];
        if (!write_tile(site, date, bench_size, quality, true, quiet, out, dg))
            return fail(dg);
        if (marks_out) {
            char hex[HASH_SHA256_HEX_LEN + 1];
            struct tggeo *geo = NULL;
            double half = bench_size * PIXEL_M / 2;
            struct tgscene *sc = hash_file_sha256(out, hex, dg)
                                     ? make_scene(site, date, half, true, &geo, dg)
                                     : NULL;
            if (!sc)
                return fail(dg);
            const char *base = strrchr(out, '/');
            struct tgannot_image im = {sc, base ? base + 1 : out, hex};
            struct tgannot_options opt = {ANNOT_TIMESTAMP, (size_t)marks, true, half};
            bool ok = tgannot_write(&im, 1, geo, &opt, marks_out, dg);
            tgscene_free(sc);
            tggeo_free(geo);
            if (!ok)
                return fail(dg);
        }
        diag_free(dg);
        return 0;
    }
    if (all_dir || annot_dir) {
        if (all_dir) {
            if (!ensure_dir(all_dir, dg))
                return fail(dg);
            for (int s = 0; s < 2; s++) {
                const char *dates[2];
                tgscene_site_dates(sites[s], dates);
                for (int d = 0; d < 2; d++) {
                    char path[4096];
                    snprintf(path, sizeof path, "%s/%s_%s.tif", all_dir, sites[s], dates[d]);
                    if (!write_tile(sites[s], dates[d], BUNDLED_SIZE, quality, false, quiet,
                                    path, dg))
                        return fail(dg);
                }
            }
        }
        if (annot_dir) {
            if (!tiles_dir)
                tiles_dir = all_dir;
            if (!tiles_dir) {
                diag_free(dg);
                return usage_error("%s", "--annotations needs --tiles DIR (or --all DIR)");
            }
            if (!ensure_dir(annot_dir, dg))
                return fail(dg);
            for (int s = 0; s < 2; s++)
                if (!write_site_annotations(sites[s], tiles_dir, annot_dir, dg))
                    return fail(dg);
        }
        diag_free(dg);
        return 0;
    }
    if (!site || !date) {
        diag_free(dg);
        return usage_error("%s", "a single tile needs --site and --date");
    }
    if (!write_tile(site, date, size, quality, false, quiet, out, dg))
        return fail(dg);
    diag_free(dg);
    return 0;
}
