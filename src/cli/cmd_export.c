/*
 * cmd_export — `satmark export FILE... -o OUT [--claims CATALOG]`: write the
 * annotation files, merged, as GeoJSON, KML, GeoPackage or FlatGeobuf (by
 * OUT's extension) with every claim link resolved into citations.
 *
 * Thin over gjson (read), claims (catalog), style (KML colours) and export.
 * The catalog is found by the one rule (cli_locate_catalog: beside the first
 * FILE, then the investigation root's annotations/claims.json); without one
 * the links are exported unresolved with a warning naming where it looked.
 * Any unreadable input fails the whole export (exit 1, naming the file) and
 * leaves OUT untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "annot.h"
#include "claims.h"
#include "cli.h"
#include "export.h"
#include "gjson.h"
#include "style.h"

struct export_args {
    const char **files;
    size_t nfiles;
    const char *out;
    const char *catalog;
    bool no_catalog;
    bool strict_ids;
    bool verbose;
};

static int parse_args(int argc, char **argv, struct export_args *a)
{
    memset(a, 0, sizeof *a);
    a->files = calloc((size_t)argc, sizeof *a->files);
    if (!a->files) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)) {
            if (i + 1 >= argc)
                return cli_usage_error("export", "%s needs a file name", arg);
            a->out = argv[++i];
        } else if (!options_done && strcmp(arg, "--claims") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("export", "--claims needs a catalog file");
            a->catalog = argv[++i];
        } else if (!options_done && strcmp(arg, "--no-claims") == 0) {
            a->no_catalog = true;
        } else if (!options_done && strcmp(arg, "--strict-ids") == 0) {
            a->strict_ids = true;
        } else if (!options_done && (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0)) {
            a->verbose = true;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("export", "unknown option '%s'", arg);
        } else {
            a->files[a->nfiles++] = arg;
        }
    }
    if (a->nfiles == 0)
        return cli_usage_error("export", "no annotation file given");
    if (!a->out)
        return cli_usage_error("export", "no output given (-o OUT.geojson|.kml|.gpkg|.fgb)");
    enum export_format format;
    if (!export_format_from_path(a->out, &format))
        return cli_usage_error("export", "'%s': the output must end in .geojson, .json, .kml, "
                                         ".gpkg or .fgb", a->out);
    if (a->catalog && a->no_catalog)
        return cli_usage_error("export", "--claims and --no-claims exclude each other");
    return CLI_OK;
}

static int run_export(int argc, char **argv)
{
    struct export_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        free(a.files);
        return rc;
    }
    struct diag *dg = diag_new();
    struct annot_set **sets = calloc(a.nfiles, sizeof *sets);
    struct export_input *inputs = calloc(a.nfiles, sizeof *inputs);
    struct claims_catalog *cat = NULL;
    struct style *st = NULL;
    rc = CLI_FAILED;
    if (!dg || !sets || !inputs) {
        fprintf(stderr, "satmark: error: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < a.nfiles; i++) {
        if (!gjson_read_file(a.files[i], &sets[i], dg))
            goto done;
        inputs[i] = (struct export_input){.set = sets[i], .path = a.files[i]};
    }

    const char *catalog = a.catalog;
    char found[4096];
    if (!catalog && !a.no_catalog &&
        cli_locate_catalog(a.files[0], a.verbose,
                           "claim links are exported without their text and sources", found,
                           sizeof found, dg))
        catalog = found;
    if (catalog && !claims_catalog_read(catalog, &cat, dg))
        goto done;

    enum export_format format;
    export_format_from_path(a.out, &format);
    if (format == EXPORT_KML && !style_load_default_file(&st, dg)) {
        /* The compiled-in palette is the shipped style.json; say we fell back. */
        diag_warn(dg, "%s; using the built-in class colours", diag_message(dg));
        diag_clear_error(dg);
        st = NULL;
    }
    struct export_options opts = {
        .catalog = cat,
        .style = st,
        .duplicates = a.strict_ids ? EXPORT_DUPLICATES_FAIL : EXPORT_DUPLICATES_PREFIX,
    };
    if (export_write(a.out, inputs, a.nfiles, &opts, dg)) {
        size_t total = 0;
        for (size_t i = 0; i < a.nfiles; i++)
            total += annot_count(sets[i]);
        cli_report(dg);
        fprintf(stderr, "satmark: wrote %zu feature%s to %s (%s)\n", total, total == 1 ? "" : "s",
                a.out, export_format_name(format));
        rc = CLI_OK;
    }
done:
    if (rc != CLI_OK)
        cli_report(dg);
    for (size_t i = 0; sets && i < a.nfiles; i++)
        annot_set_free(sets[i]);
    free(sets);
    free(inputs);
    style_free(st);
    claims_catalog_free(cat);
    diag_free(dg);
    free(a.files);
    return rc;
}

const struct cli_command cli_cmd_export = {
    .name = "export",
    .summary = "write annotations as GeoJSON, KML, GeoPackage or FlatGeobuf with citations",
    .usage =
        "usage: satmark export FILE... -o OUT [--claims CATALOG | --no-claims]\n"
        "                      [--strict-ids] [--verbose]\n"
        "\n"
        "Writes the annotation files (merged, in order) to OUT; the format follows\n"
        "OUT's extension:\n"
        "  .geojson/.json  RFC 7946 GeoJSON (counter-clockwise exteriors, <= 7 decimals)\n"
        "  .kml            KML for Google Earth: a folder per class, class colours,\n"
        "                  citations in each placemark's balloon\n"
        "  .gpkg           GeoPackage (layer \"annotations\", EPSG:4326)\n"
        "  .fgb            FlatGeobuf (EPSG:4326)\n"
        "Every format carries the attributes id, class, label, note, observed,\n"
        "observations, claims, claim_ids, stances, citations, created, modified,\n"
        "author and source_file; `claims` resolves each link against the catalog\n"
        "(claim text, and each source's outlet, headline and date). See docs/export.md.\n"
        "\n"
        "options:\n"
        "  -o, --output OUT     the file to write (replaced atomically)\n"
        "  --claims CATALOG     claims catalog (default: claims.json beside the first\n"
        "                       FILE, else ROOT/annotations/claims.json; ROOT is the\n"
        "                       directory holding annotations/)\n"
        "  -v, --verbose        say where the catalog was looked for and which was used\n"
        "  --no-claims          export links unresolved, without a catalog\n"
        "  --strict-ids         fail when two FILEs use the same feature id (default:\n"
        "                       every feature with such an id is exported as SITE:ID,\n"
        "                       SITE being the file's satmark.site or its base name)\n"
        "\n"
        "exit status: 0 written, 1 failed (an input or the catalog is unreadable, or\n"
        "OUT cannot be written; OUT is then unchanged), 2 bad usage\n",
    .run = run_export,
};
