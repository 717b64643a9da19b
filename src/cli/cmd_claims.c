/*
 * cmd_claims — `satmark claims [CATALOG] [FILES...] [--json]`: each published
 * claim with its sources, the marks that support, contradict or give context
 * to it, its evidence status and, for counting claims, the count per image and
 * the verdict; then the discrepancies between sources with their claims.
 *
 * Thin over claims (catalog, evaluation) and gjson (annotation files). The
 * first argument ending in .json (not .geojson) is the catalog; by default the
 * one found by cli_locate_catalog (beside the first FILE, then the
 * investigation root). Without annotation files, every *.geojson next to
 * the catalog is read (by default the .geojson files in annotations/). The rules
 * behind statuses and verdicts are in docs/claims-checks.md.
 */
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "claims.h"
#include "cli.h"
#include "gjson.h"
#include "locate.h"

/* Text output lists at most this many mark ids per stance, then "... and N more". */
#define TEXT_MAX_MARKS 12

struct claims_args {
    const char *catalog;
    char **files; /* new strings */
    size_t nfiles;
    bool json;
    bool verbose;
    char found_catalog[4096]; /* the catalog cli_locate_catalog found */
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static void free_args(struct claims_args *a)
{
    for (size_t i = 0; i < a->nfiles; i++)
        free(a->files[i]);
    free(a->files);
}

static bool add_file(struct claims_args *a, const char *path)
{
    char **grown = realloc(a->files, (a->nfiles + 1) * sizeof *grown);
    if (!grown)
        return false;
    a->files = grown;
    if (!(a->files[a->nfiles] = strdup(path)))
        return false;
    a->nfiles++;
    return true;
}

/* Every *.geojson in the catalog's directory, sorted (glob sorts). */
static bool default_files(struct claims_args *a)
{
    char pattern[4096];
    const char *slash = strrchr(a->catalog, '/');
    if (slash)
        snprintf(pattern, sizeof pattern, "%.*s/*.geojson", (int)(slash - a->catalog),
                 a->catalog);
    else
        snprintf(pattern, sizeof pattern, "*.geojson");
    glob_t g;
    int rc = glob(pattern, 0, NULL, &g);
    bool ok = true;
    for (size_t i = 0; rc == 0 && ok && i < g.gl_pathc; i++)
        ok = add_file(a, g.gl_pathv[i]);
    if (rc == 0)
        globfree(&g);
    return ok;
}

static int parse_args(int argc, char **argv, struct claims_args *a)
{
    memset(a, 0, sizeof *a);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (!options_done && (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0)) {
            a->verbose = true;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("claims", "unknown option '%s'", arg);
        } else if (!a->catalog && a->nfiles == 0 && ends_with(arg, ".json")) {
            a->catalog = arg;
        } else if (!add_file(a, arg)) {
            fprintf(stderr, "satmark: error: out of memory\n");
            return CLI_FAILED;
        }
    }
    if (!a->catalog) {
        /* the one lookup rule (beside the first FILE, then the root) */
        static struct locate_result found;
        bool ok = locate_catalog(a->nfiles ? a->files[0] : NULL, &found);
        char said[2 * LOCATE_PATH_MAX];
        locate_describe(&found, "the claims catalog", said, sizeof said);
        if (a->verbose || !ok)
            fprintf(stderr, "satmark: %s%s\n", ok ? "" : "error: ", said);
        if (!ok)
            return CLI_FAILED;
        snprintf(a->found_catalog, sizeof a->found_catalog, "%s", found.path);
        a->catalog = a->found_catalog;
    }
    if (a->nfiles == 0 && !default_files(a)) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* ---- text ----------------------------------------------------------------- */

static void print_wrapped(const char *indent, const char *text)
{
    /* Wrap at ~78 columns on spaces; long words are not broken. */
    size_t col = 0, width = 78 - strlen(indent);
    const char *p = text;
    printf("%s", indent);
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t word = sp ? (size_t)(sp - p) : strlen(p);
        if (col > 0 && col + 1 + word > width) {
            printf("\n%s", indent);
            col = 0;
        } else if (col > 0) {
            putchar(' ');
            col++;
        }
        fwrite(p, 1, word, stdout);
        col += word;
        p += word;
        while (*p == ' ')
            p++;
    }
    putchar('\n');
}

static void print_sources(const struct claims_catalog *cat, const struct claims_claim *c)
{
    for (size_t s = 0; s < c->nsources; s++) {
        const struct claims_source *src = claims_find_source(cat, c->source_ids[s]);
        printf("    source: %s, \"%s\"%s%s%s\n", src->outlet, src->headline,
               src->published[0] ? " (" : "", src->published, src->published[0] ? ")" : "");
        if (src->reliability != CLAIMS_RELIABILITY_REPORTED)
            printf("            [%s]\n", claims_reliability_name(src->reliability));
    }
}

static void print_marks(const char *stance, const struct claims_claim_result *r,
                        enum claims_stance s)
{
    if (r->nlinks[s] == 0)
        return;
    printf("    %s (%zu):", stance, r->nlinks[s]);
    for (size_t k = 0; k < r->nlinks[s] && k < TEXT_MAX_MARKS; k++)
        printf(" %s", r->links[s][k].feature_id);
    if (r->nlinks[s] > TEXT_MAX_MARKS)
        printf(" ... and %zu more", r->nlinks[s] - TEXT_MAX_MARKS);
    putchar('\n');
}

static void print_check(const struct claims_claim_result *r)
{
    const struct claims_check *c = &r->claim->check;
    printf("    check: count %s in \"%s\", %s..%s, %s %.15g\n", c->class_name, c->area,
           c->date_from, c->date_to, claims_op_name(c->op), c->value);
    for (size_t i = 0; i < r->check.nimages; i++) {
        const struct claims_image_count *im = &r->check.images[i];
        printf("      %s (%s): %zu  %s\n", im->image, im->acquired, im->count,
               im->holds ? "holds" : "fails");
    }
    printf("    verdict: %s (%s)\n", claims_verdict_name(r->check.verdict), r->check.reason);
}

static void print_text(const struct claims_catalog *cat, const struct claims_report *rep,
                       const struct claims_args *a, size_t nfeatures)
{
    printf("catalog: %s (%zu sources, %zu claims, %zu discrepancies)\n", a->catalog,
           claims_source_count(cat), claims_claim_count(cat), claims_discrepancy_count(cat));
    printf("annotations: %zu file%s, %zu features\n", a->nfiles, a->nfiles == 1 ? "" : "s",
           nfeatures);
    for (size_t i = 0; i < a->nfiles; i++)
        printf("  %s\n", a->files[i]);
    size_t by_status[5] = {0}, by_verdict[3] = {0};
    for (size_t i = 0; i < rep->nclaims; i++) {
        const struct claims_claim_result *r = &rep->claims[i];
        printf("\n%s  [%s]\n", r->claim->id, claims_evidence_name(r->evidence));
        print_wrapped("    ", r->claim->text);
        print_sources(cat, r->claim);
        print_marks("supports", r, CLAIMS_SUPPORTS);
        print_marks("contradicts", r, CLAIMS_CONTRADICTS);
        print_marks("context", r, CLAIMS_CONTEXT);
        if (r->has_check) {
            print_check(r);
            by_verdict[r->check.verdict]++;
        }
        by_status[r->evidence]++;
    }
    if (claims_discrepancy_count(cat))
        printf("\ndiscrepancies between sources:\n");
    for (size_t i = 0; i < claims_discrepancy_count(cat); i++) {
        const struct claims_discrepancy *d = claims_discrepancy_at(cat, i);
        printf("\n%s  [%s] %s\n", d->id, claims_kind_name(d->kind), d->title);
        if (d->description[0])
            print_wrapped("    ", d->description);
        for (size_t k = 0; k < d->nclaims; k++) {
            const struct claims_claim_result *r = claims_report_find(rep, d->claim_ids[k]);
            printf("    - %s [%s", d->claim_ids[k], claims_evidence_name(r->evidence));
            if (r->has_check)
                printf(", %s", claims_verdict_name(r->check.verdict));
            printf("]\n");
        }
    }
    printf("\nsummary: %zu claims: ", rep->nclaims);
    for (int s = 0; s < 5; s++)
        printf("%s%zu %s", s ? ", " : "", by_status[s],
               claims_evidence_name((enum claims_evidence)s));
    printf("; checks: %zu consistent, %zu inconsistent, %zu undetermined\n", by_verdict[0],
           by_verdict[1], by_verdict[2]);
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *string_array(char *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static json_t *claim_json(const struct claims_claim_result *r)
{
    const struct claims_claim *c = r->claim;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(c->id));
    json_object_set_new(o, "text", json_string(c->text));
    json_object_set_new(o, "sources", string_array(c->source_ids, c->nsources));
    json_object_set_new(o, "status", json_string(claims_evidence_name(r->evidence)));
    json_t *links = json_object();
    static const char *const names[] = {"supports", "contradicts", "context"};
    for (int s = 0; s < CLAIMS_STANCE_COUNT; s++) {
        json_t *ids = json_array();
        for (size_t k = 0; k < r->nlinks[s]; k++)
            json_array_append_new(ids, json_string(r->links[s][k].feature_id));
        json_object_set_new(links, names[s], ids);
    }
    json_object_set_new(o, "links", links);
    if (!r->has_check) {
        json_object_set_new(o, "check", json_null());
        return o;
    }
    json_t *chk = json_object();
    json_object_set_new(chk, "class", json_string(c->check.class_name));
    json_object_set_new(chk, "area", json_string(c->check.area));
    json_object_set_new(chk, "op", json_string(claims_op_name(c->check.op)));
    /* Counts are whole numbers in every catalog so far: write 100, not 100.0. */
    double v = c->check.value;
    json_object_set_new(chk, "value", v == floor(v) && fabs(v) < 1e15 ? json_integer((json_int_t)v)
                                                                     : json_real(v));
    json_object_set_new(chk, "date_from", json_string(c->check.date_from));
    json_object_set_new(chk, "date_to", json_string(c->check.date_to));
    json_object_set_new(chk, "area_found", json_boolean(r->check.area_found));
    json_t *counts = json_array();
    for (size_t i = 0; i < r->check.nimages; i++) {
        const struct claims_image_count *im = &r->check.images[i];
        json_t *ci = json_object();
        json_object_set_new(ci, "image", json_string(im->image));
        json_object_set_new(ci, "acquired", json_string(im->acquired));
        json_object_set_new(ci, "count", json_integer((json_int_t)im->count));
        json_object_set_new(ci, "holds", json_boolean(im->holds));
        json_array_append_new(counts, ci);
    }
    json_object_set_new(chk, "counts", counts);
    json_object_set_new(chk, "verdict", json_string(claims_verdict_name(r->check.verdict)));
    json_object_set_new(chk, "reason", json_string(r->check.reason ? r->check.reason : ""));
    json_object_set_new(o, "check", chk);
    return o;
}

static bool print_json(const struct claims_catalog *cat, const struct claims_report *rep,
                       const struct claims_args *a, const struct diag *dg)
{
    json_t *root = json_object();
    json_object_set_new(root, "catalog", json_string(a->catalog));
    json_object_set_new(root, "annotations", string_array(a->files, a->nfiles));
    json_t *claims = json_array();
    for (size_t i = 0; i < rep->nclaims; i++)
        json_array_append_new(claims, claim_json(&rep->claims[i]));
    json_object_set_new(root, "claims", claims);
    json_t *discs = json_array();
    for (size_t i = 0; i < claims_discrepancy_count(cat); i++) {
        const struct claims_discrepancy *d = claims_discrepancy_at(cat, i);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(d->id));
        json_object_set_new(o, "title", json_string(d->title));
        json_object_set_new(o, "kind", json_string(claims_kind_name(d->kind)));
        json_object_set_new(o, "description", json_string(d->description));
        json_t *dc = json_array();
        for (size_t k = 0; k < d->nclaims; k++) {
            const struct claims_claim_result *r = claims_report_find(rep, d->claim_ids[k]);
            json_t *ci = json_object();
            json_object_set_new(ci, "id", json_string(d->claim_ids[k]));
            json_object_set_new(ci, "text", json_string(r->claim->text));
            json_object_set_new(ci, "status", json_string(claims_evidence_name(r->evidence)));
            json_object_set_new(ci, "verdict", r->has_check
                                                   ? json_string(claims_verdict_name(r->check.verdict))
                                                   : json_null());
            json_array_append_new(dc, ci);
        }
        json_object_set_new(o, "claims", dc);
        json_array_append_new(discs, o);
    }
    json_object_set_new(root, "discrepancies", discs);
    json_t *warnings = json_array();
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        json_array_append_new(warnings, json_string(diag_warning(dg, i)));
    json_object_set_new(root, "warnings", warnings);
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    if (!text)
        return false;
    printf("%s\n", text);
    free(text);
    return true;
}

/* ---- run ------------------------------------------------------------------ */

static int run_claims(int argc, char **argv)
{
    struct claims_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        free_args(&a);
        return rc;
    }
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    struct claims_report *rep = NULL;
    struct annot_set **sets = calloc(a.nfiles ? a.nfiles : 1, sizeof *sets);
    size_t nfeatures = 0;
    rc = CLI_FAILED;
    if (!dg || !sets) {
        fprintf(stderr, "satmark: error: out of memory\n");
        goto done;
    }
    if (!claims_catalog_read(a.catalog, &cat, dg))
        goto done;
    if (a.nfiles == 0)
        diag_warn(dg, "no annotation files given or found next to %s: every claim has no "
                      "evidence", a.catalog);
    for (size_t i = 0; i < a.nfiles; i++) {
        if (!gjson_read_file(a.files[i], &sets[i], dg))
            goto done;
        nfeatures += annot_count(sets[i]);
    }
    if (!claims_evaluate(cat, (const struct annot_set *const *)sets, a.nfiles, &rep, dg))
        goto done;
    if (a.json) {
        if (!print_json(cat, rep, &a, dg)) {
            diag_error(dg, "%s: out of memory writing the JSON report", a.catalog);
            goto done;
        }
    } else {
        print_text(cat, rep, &a, nfeatures);
    }
    if (fflush(stdout) != 0) {
        diag_error(dg, "cannot write to standard output");
        goto done;
    }
    rc = CLI_OK;
done:
    cli_report(dg);
    claims_report_free(rep);
    for (size_t i = 0; sets && i < a.nfiles; i++)
        annot_set_free(sets[i]);
    free(sets);
    claims_catalog_free(cat);
    diag_free(dg);
    free_args(&a);
    return rc;
}

const struct cli_command cli_cmd_claims = {
    .name = "claims",
    .summary = "weigh the annotations against the published claims",
    .usage =
        "usage: satmark claims [CATALOG] [FILES...] [--json] [--verbose]\n"
        "\n"
        "For every claim of CATALOG (default: claims.json beside the first FILE, else\n"
        "ROOT/annotations/claims.json, ROOT being the directory holding annotations/\n"
        "or the current directory): its sources, the\n"
        "marks in FILES that support, contradict or give context to it, and its\n"
        "evidence status (no evidence, supported, contested, contradicted, context\n"
        "only). For counting claims (those with a check): the number of marks of the\n"
        "class inside the area polygon on each image of the date window, and the\n"
        "verdict consistent / inconsistent / undetermined. Then the discrepancies\n"
        "between sources with their claims. Rules: docs/claims-checks.md.\n"
        "\n"
        "The first argument ending in .json is the catalog. Without FILES, every\n"
        "*.geojson next to the catalog is read.\n"
        "\n"
        "options:\n"
        "  --json   one JSON object: catalog, annotations, claims [{id, text, sources,\n"
        "           status, links {supports, contradicts, context}, check {class, area,\n"
        "           op, value, date_from, date_to, area_found, counts [{image, acquired,\n"
        "           count, holds}], verdict, reason} or null}], discrepancies [{id,\n"
        "           title, kind, description, claims [{id, text, status, verdict}]}],\n"
        "           warnings\n"
        "  -v, --verbose  say where the catalog was looked for and which was used\n"
        "\n"
        "exit status: 0 reported (whatever the verdicts), 1 the catalog or a file is\n"
        "unreadable or invalid, 2 bad usage\n",
    .run = run_claims,
};
