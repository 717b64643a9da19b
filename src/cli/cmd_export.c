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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "annot.h"
#include "claims.h"
#include "cli.h"
#include "custody.h"
#include "export.h"
#include "hash.h"
#include "imagery.h"
#include "gjfast.h"
#include "gjson.h"
#include "style.h"

struct export_args {
    const char **files;
    size_t nfiles;
    const char *out;
    const char *catalog;
    const char *register_path;
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
        } else if (!options_done && strcmp(arg, "--register") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("export", "--register needs an imagery register file");
            a->register_path = argv[++i];
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

/* The imagery register: --register, else imagery.json beside the first
 * annotation file. None is not an error: the export then says every tile is
 * unregistered. A register that exists but cannot be read fails the export,
 * since the export would otherwise understate what it knows. */
static bool open_register(const struct export_args *a, struct imagery_register **reg,
                          struct diag *dg)
{
    char found[PATH_MAX];
    const char *path = a->register_path;
    if (!path && imagery_register_locate(a->files[0], found, sizeof found))
        path = found;
    if (!path) {
        diag_warn(dg, "no imagery register beside %s (imagery.json; see `satmark help "
                      "imagery`): the export says its tiles are unregistered", a->files[0]);
        return true;
    }
    return imagery_register_read(path, reg, dg);
}

/* Appends an "export" entry to the register's custody log: the output and
 * its SHA-256, the annotation files and the tiles the marks rest on. A
 * failure is a warning: the export itself is written and stays. */
static void record_custody(const struct export_args *a, const struct imagery_register *reg,
                           struct annot_set *const *sets, struct diag *dg)
{
    size_t cap = 1 + a->nfiles;
    for (size_t i = 0; i < a->nfiles; i++)
        for (size_t k = 0; k < annot_count(sets[i]); k++)
            cap += annot_get(sets[i], k)->nobs;
    const char **names = calloc(cap, sizeof *names);
    const char **hashes = calloc(cap, sizeof *hashes);
    char (*file_hashes)[HASH_SHA256_HEX_LEN + 1] = calloc(1 + a->nfiles, sizeof *file_hashes);
    char log_path[PATH_MAX];
    struct diag *local = diag_new();
    if (!names || !hashes || !file_hashes || !local ||
        !custody_log_path(imagery_register_path(reg), log_path, sizeof log_path)) {
        diag_warn(dg, "%s: export not recorded in the custody log (out of memory)", a->out);
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i <= a->nfiles; i++) {
        const char *path = i == 0 ? a->out : a->files[i - 1];
        if (!hash_file_sha256(path, file_hashes[i], local))
            diag_clear_error(local); /* recorded with an empty hash */
        names[n] = path;
        hashes[n++] = file_hashes[i];
    }
    size_t first_tile = n;
    for (size_t i = 0; i < a->nfiles; i++)
        for (size_t k = 0; k < annot_count(sets[i]); k++) {
            const struct annot_feature *f = annot_get(sets[i], k);
            for (size_t o = 0; o < f->nobs; o++) {
                const char *image = f->obs[o].image ? f->obs[o].image : "";
                const char *sha = f->obs[o].sha256 ? f->obs[o].sha256 : "";
                bool seen = false;
                for (size_t j = first_tile; j < n && !seen; j++)
                    seen = strcmp(names[j], image) == 0 && strcmp(hashes[j], sha) == 0;
                if (!seen) {
                    names[n] = image;
                    hashes[n++] = hash_is_sha256_hex(sha) ? sha : "";
                }
            }
        }
    char what[PATH_MAX + 64];
    snprintf(what, sizeof what, "export %s (%zu tile%s)", a->out, n - first_tile,
             n - first_tile == 1 ? "" : "s");
    if (!custody_append(log_path, NULL, "export", what, names, hashes, n, local))
        diag_warn(dg, "%s: export not recorded in the custody log: %s", a->out,
                  diag_message(local));
done:
    diag_free(local);
    free(names);
    free(hashes);
    free(file_hashes);
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
    struct imagery_register *reg = NULL;
    struct style *st = NULL;
    rc = CLI_FAILED;
    if (!dg || !sets || !inputs) {
        fprintf(stderr, "satmark: error: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < a.nfiles; i++) {
        if (!gjfast_read_file(a.files[i], &sets[i], dg))
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

    if (!open_register(&a, &reg, dg))
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
        .imagery = reg,
        .style = st,
        .duplicates = a.strict_ids ? EXPORT_DUPLICATES_FAIL : EXPORT_DUPLICATES_PREFIX,
    };
    if (export_write(a.out, inputs, a.nfiles, &opts, dg)) {
        size_t total = 0;
        for (size_t i = 0; i < a.nfiles; i++)
            total += annot_count(sets[i]);
        if (reg && custody_recording_enabled())
            record_custody(&a, reg, sets, dg);
        cli_report(dg);
        fprintf(stderr, "satmark: wrote %zu feature%s to %s (%s)\n", total, total == 1 ? "" : "s",
                cli_safe(a.out), export_format_name(format));
        rc = CLI_OK;
    }
done:
    if (rc != CLI_OK)
        cli_report(dg);
    for (size_t i = 0; sets && i < a.nfiles; i++)
        cli_free_set_at_exit(sets[i]);
    free(sets);
    free(inputs);
    style_free(st);
    imagery_register_free(reg);
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
        "                      [--strict-ids] [--verbose] [--register IMAGERY.json]\n"
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
        "author, source_file and imagery; `claims` resolves each link against the\n"
        "catalog (claim text, and each source's outlet, headline and date).\n"
        "Every output says what imagery the marks rest on: for each tile its SHA-256,\n"
        "acquisition date, provider, and whether it is synthetic (an illustration,\n"
        "not evidence), real or unregistered, from the imagery register (GeoJSON:\n"
        "a top-level \"satmark_provenance\" member; KML: the document's description and\n"
        "ExtendedData; GeoPackage: the layer description and metadata; every\n"
        "format: the per-feature \"imagery\" attribute). When a register exists the\n"
        "export is recorded in its custody log. See docs/export.md.\n"
        "\n"
        "options:\n"
        "  -o, --output OUT     the file to write (replaced atomically)\n"
        "  --claims CATALOG     claims catalog (default: claims.json beside the first\n"
        "                       FILE, else ROOT/annotations/claims.json; ROOT is the\n"
        "                       directory holding annotations/)\n"
        "  -v, --verbose        say where the catalog was looked for and which was used\n"
        "  --no-claims          export links unresolved, without a catalog\n"
        "  --register FILE      imagery register (default: imagery.json beside the\n"
        "                       first FILE, if present)\n"
        "  --strict-ids         fail when two FILEs use the same feature id (default:\n"
        "                       every feature with such an id is exported as SITE:ID,\n"
        "                       SITE being the file's satmark.site or its base name)\n"
        "\n"
        "exit status: 0 written, 1 failed (an input, the catalog or the imagery\n"
        "register is unreadable, or OUT cannot be written; OUT is then unchanged),\n"
        "2 bad usage\n",
    .run = run_export,
};
