/*
 * cmd_validate — `satmark validate FILE...`: checks annotation files and
 * claims catalogs without changing them.
 *
 * A file whose top-level object has a "satmark_claims" member is a claims
 * catalog and is checked by the claims module; anything else is read as an
 * annotation file by gjson (strict: errors name FILE:LINE:COLUMN). Claim
 * links of annotation files are checked against a catalog: the one given with
 * --claims, else a catalog among the FILE arguments, else the one found by
 * cli_locate_catalog (beside the annotation file, then the investigation
 * root). Each observation's geometry must lie on the observed tile when that
 * tile can be found (footprint_check_observations). Errors go to stderr as the
 * bare "FILE:LINE:COLUMN: reason" so editors can jump to them; one line per file on
 * stdout says "FILE: ok (...)". Exit 1 when any file has an error; warnings
 * never fail. Catalog rules (a check's window inside its claim's window,
 * derived_from resolving without a cycle) are the reader's; a "supports" or
 * "contradicts" link to a claim imagery cannot show is a warning.
 */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annot.h"
#include "claims.h"
#include "cli.h"
#include "evidence.h"
#include "footprint.h"
#include "gjfast.h"
#include "gjson.h"
#include "rfile.h"
#include "imagery.h"

static const char usage[] =
    "usage: satmark validate [--claims CATALOG] [--quiet] [--verbose] FILE...\n"
    "\n"
    "Checks annotation files (GeoJSON) and claims catalogs (JSON with a\n"
    "\"satmark_claims\" member): a catalog's ids resolve, sources' derived_from\n"
    "has no cycle, a check's dates lie inside its claim's time window; an\n"
    "annotation's links name catalog claims (a supporting or contradicting link\n"
    "to a claim imagery cannot show is a warning). Prints \"FILE: ok (N\n"
    "features, W warnings)\" for each good file; errors are printed as\n"
    "FILE:LINE:COLUMN: reason.\n"
    "A feature whose geometry lies off a tile it is observed on is an error; the\n"
    "tiles are found beside FILE, in its tiles/, ROOT/tiles/ or ROOT/assets/tiles/\n"
    "(a warning names the ones not found).\n"
    "\n"
    "  --claims CATALOG  check the claim links of annotation files against this\n"
    "                    catalog (default: a catalog given among FILE, else\n"
    "                    claims.json next to the annotation file, else\n"
    "                    ROOT/annotations/claims.json, ROOT being the directory\n"
    "                    holding annotations/)\n"
    "  --quiet           print errors only (no warnings, no ok lines)\n"
    "  -v, --verbose     say where the catalog was looked for and which was used\n"
    "\n"
    "exit status: 0 all files valid (warnings allowed), 1 a file has an error,\n"
    "2 bad usage\n";

/* Cheap first look: does the text contain the key at all? Annotation files
 * are large (a detector's million points: 250 MB), so they are not parsed
 * twice: the file is mapped (no copy out of the page cache) and searched
 * with memmem in windows whose pages are released behind the search, so the
 * look costs neither a read of the file nor its size in memory. */
#define CATALOG_KEY "\"satmark_claims\""
#define CATALOG_LOOK_WINDOW ((size_t)8 << 20)

struct key_look {
    const struct rfile_map *map;
    bool found;
};

static bool look_for_key(void *arg)
{
    struct key_look *look = arg;
    const struct rfile_map *m = look->map;
    const size_t key_len = sizeof CATALOG_KEY - 1;
    for (size_t at = 0; at < m->len && !look->found;) {
        size_t end = m->len - at > CATALOG_LOOK_WINDOW ? at + CATALOG_LOOK_WINDOW : m->len;
        /* a key across the window's end is found from the next window on */
        look->found = memmem(m->text + at, end - at, CATALOG_KEY, key_len) != NULL;
        size_t next = end == m->len ? end : end - (key_len - 1);
        rfile_map_release(m, at, next);
        at = next;
    }
    return true;
}

static bool mentions_catalog_key(const char *path)
{
    struct rfile_map m;
    if (!rfile_map(path, 0, &m, NULL)) /* a FIFO or device: not a catalog */
        return false;
    struct key_look look = {&m, false};
    bool faulted; /* a file cut short while searched: read it as annotations */
    bool done = rfile_guarded(look_for_key, &look, &faulted);
    rfile_unmap(&m);
    return done && look.found;
}

static bool is_catalog(const char *path)
{
    if (!mentions_catalog_key(path))
        return false;
    json_error_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    bool catalog = json_is_object(root) && json_object_get(root, "satmark_claims") != NULL;
    json_decref(root);
    return catalog;
}

static void print_warnings(const struct diag *dg, bool quiet)
{
    if (quiet)
        return;
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        fprintf(stderr, "warning: %s\n", diag_warning(dg, i));
}

static bool validate_catalog(const char *path, bool quiet)
{
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    bool ok = claims_catalog_read(path, &cat, dg);
    print_warnings(dg, quiet);
    if (!ok)
        fprintf(stderr, "%s\n", diag_message(dg));
    else if (!quiet)
        printf("%s: ok (claims catalog: %zu sources, %zu claims, %zu discrepancies, %zu "
               "warnings)\n",
               cli_safe(path), claims_source_count(cat), claims_claim_count(cat),
               claims_discrepancy_count(cat), diag_warning_count(dg));
    claims_catalog_free(cat);
    diag_free(dg);
    return ok;
}

/* With an imagery register beside path: warns, once per tile, about
 * observations on tiles the register does not hold (or holds under the same
 * name with another SHA-256). Never fails: such marks still work, but every
 * report will say "unregistered". A register that cannot be read is a
 * warning here; `satmark imagery list` names its problem. */
static void check_imagery(const char *path, const struct annot_set *set, struct diag *dg)
{
    char reg_path[PATH_MAX];
    if (!imagery_register_locate(path, reg_path, sizeof reg_path))
        return;
    struct imagery_register *reg = NULL;
    struct diag *local = diag_new();
    if (!local || !imagery_register_read(reg_path, &reg, local)) {
        diag_warn(dg, "%s: observations not checked against the imagery register: %s", path,
                  local ? diag_message(local) : "out of memory");
        diag_free(local);
        return;
    }
    diag_free(local);
    const char **seen = NULL;
    size_t nseen = 0;
    for (size_t i = 0; i < annot_count(set); i++) {
        const struct annot_feature *f = annot_get(set, i);
        for (size_t k = 0; k < f->nobs; k++) {
            const char *image = f->obs[k].image ? f->obs[k].image : "";
            enum imagery_match how;
            imagery_match(reg, image, f->obs[k].sha256, &how);
            if (how == IMAGERY_MATCH_SHA256)
                continue;
            bool known = false;
            for (size_t j = 0; j < nseen && !known; j++)
                known = strcmp(seen[j], image) == 0;
            if (known)
                continue;
            const char **grown = realloc(seen, (nseen + 1) * sizeof *grown);
            if (!grown)
                break;
            seen = grown;
            seen[nseen++] = image;
            if (how == IMAGERY_MATCH_NONE)
                diag_warn(dg, "%s: feature \"%s\": observation on unregistered tile %s (not in "
                              "%s; see `satmark imagery add`)", path, f->id, image, reg_path);
            else
                diag_warn(dg, "%s: feature \"%s\": observation on tile %s whose SHA-256 differs "
                              "from the one registered in %s", path, f->id, image, reg_path);
        }
    }
    free(seen);
    imagery_register_free(reg);
}

/* last: no file is validated after this one (its set is left to the exit). */
static bool validate_annotations(const char *path, const char *catalog_path, bool quiet,
                                 bool verbose, bool last)
{
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    bool ok = gjfast_read_file(path, &set, dg);
    char sibling[PATH_MAX];
    const char *link_catalog = catalog_path;
    if (ok && !link_catalog &&
        cli_locate_catalog(path, verbose, NULL, sibling, sizeof sibling, dg) &&
        is_catalog(sibling))
        link_catalog = sibling;
    if (ok && link_catalog) {
        struct claims_catalog *cat = NULL;
        if (!claims_catalog_read(link_catalog, &cat, dg)) {
            /* The catalog's own problems are reported when it is validated;
             * here they only mean the links cannot be checked. */
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", diag_message(dg));
            diag_clear_error(dg);
            diag_warn(dg, "%s: claim links not checked: %s", path, msg);
        } else {
            ok = claims_check_links(cat, set, path, dg);
            if (ok)
                evidence_warn_unobservable_links(cat, set, path, dg);
        }
        claims_catalog_free(cat);
    }
    /* observations must lie on their tiles, when the tiles can be found */
    if (ok)
        ok = footprint_check_observations(set, path, NULL, dg);
    if (ok)
        check_imagery(path, set, dg);
    print_warnings(dg, quiet);
    if (!ok)
        fprintf(stderr, "%s\n", diag_message(dg));
    else if (!quiet)
        printf("%s: ok (%zu feature%s, %zu warning%s%s%s)\n", cli_safe(path), annot_count(set),
               annot_count(set) == 1 ? "" : "s", diag_warning_count(dg),
               diag_warning_count(dg) == 1 ? "" : "s",
               link_catalog ? ", claim links checked against " : ", claim links not checked",
               link_catalog ? link_catalog : "");
    if (last)
        cli_free_set_at_exit(set);
    else
        annot_set_free(set);
    diag_free(dg);
    return ok;
}

static int run(int argc, char **argv)
{
    const char *catalog = NULL;
    bool quiet = false, verbose = false;
    int first = 1;
    for (; first < argc; first++) {
        const char *a = argv[first];
        if (cli_is_help(a)) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--claims") == 0) {
            if (first + 1 >= argc)
                return cli_usage_error("validate", "--claims needs a file");
            catalog = argv[++first];
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            verbose = true;
        } else if (strcmp(a, "--") == 0) {
            first++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("validate", "unknown option %s", a);
        } else {
            break;
        }
    }
    if (first >= argc)
        return cli_usage_error("validate", "no file given");
    /* each file is looked at once: the first catalog links the others */
    bool *catalog_arg = calloc((size_t)argc, sizeof *catalog_arg);
    if (!catalog_arg) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    for (int i = first; i < argc; i++) {
        catalog_arg[i] = is_catalog(argv[i]);
        if (catalog_arg[i] && !catalog)
            catalog = argv[i];
    }
    bool all_ok = true;
    for (int i = first; i < argc; i++) {
        bool ok = catalog_arg[i] ? validate_catalog(argv[i], quiet)
                                 : validate_annotations(argv[i], catalog, quiet, verbose,
                                                        i == argc - 1);
        all_ok = all_ok && ok;
    }
    free(catalog_arg);
    return all_ok ? CLI_OK : CLI_FAILED;
}

const struct cli_command cli_cmd_validate = {
    .name = "validate",
    .summary = "check annotation files and claims catalogs",
    .usage = usage,
    .run = run,
};
