/*
 * cmd_claims — `satmark claims [CATALOG] [FILES...] [--imagery REGISTER] [--json]`:
 * first what imagery the marks rest on (registered or not, synthetic or
 * real, dates), then each published claim with its evidence status and the
 * reason for it, its outlets and independent origins, its sources with their
 * reliability, the marks linked to it, the discrepancies it is part of and,
 * for counting claims, the count per image and the check result; then the
 * discrepancies between sources with their claims.
 *
 * Thin over evidence (statuses, lineage), claims (catalog, links),
 * claims_eval (links by stance, counts), imagery (the register) and gjfast
 * (annotation files: gjson's reader with its fast path for large plain
 * files, same result, docs/scale.md). The first argument
 * ending in .json (not .geojson) is the catalog; by default the one found by
 * cli_locate_catalog (beside the first FILE, then the investigation root).
 * Without annotation files, every *.geojson next to the catalog is read (by
 * default the .geojson files in annotations/). The register is imagery.json
 * beside the annotation files unless --imagery names one. The rules behind
 * statuses are in docs/claims-checks.md.
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
#include "evidence.h"
#include "gjfast.h"
#include "locate.h"

/* Text output lists at most this many mark ids per stance, then "... and N more". */
#define TEXT_MAX_MARKS 12

struct claims_args {
    const char *catalog;
    char **files; /* new strings */
    size_t nfiles;
    const char *imagery; /* register path, NULL: beside the annotation files */
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
        } else if (!options_done && strcmp(arg, "--imagery") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("claims", "--imagery needs a register file");
            a->imagery = argv[++i];
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
            fprintf(stderr, "satmark: %s%s\n", ok ? "" : "error: ", cli_safe(said));
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
    const char *p = cli_safe(text);
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

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void print_lineage(const struct claims_catalog *cat, const struct evidence_claim *ec)
{
    const struct claims_source *origins[8];
    size_t n = evidence_origins(cat, ec->claim, origins, 8);
    printf("    %zu %s, %zu independent %s", ec->outlets, plural(ec->outlets, "outlet", "outlets"),
           ec->independent_origins, plural(ec->independent_origins, "origin", "origins"));
    for (size_t i = 0; i < n && i < 8; i++)
        printf("%s%s", i ? ", " : " (", cli_safe(origins[i]->outlet));
    printf("%s\n", n ? (n > 8 ? ", ...)" : ")") : "");
}

static void print_sources(const struct claims_catalog *cat, const struct claims_claim *c)
{
    for (size_t s = 0; s < c->nsources; s++) {
        const struct claims_source *src = claims_find_source(cat, c->source_ids[s]);
        printf("    source: %s, \"%s\"%s%s%s [%s]\n", cli_safe(src->outlet),
               cli_safe(src->headline), src->published[0] ? " (" : "", cli_safe(src->published),
               src->published[0] ? ")" : "",
               claims_reliability_name(src->reliability));
        for (size_t k = 0; k < src->nderived_from; k++) {
            const struct claims_source *up = claims_find_source(cat, src->derived_from[k]);
            printf("            derived from %s (%s)\n", cli_safe(up->outlet), cli_safe(up->id));
        }
        if (src->archived_url[0])
            printf("            archived copy of %s, sha256 %s, at %s\n",
                   cli_safe(src->archived_url), cli_safe(src->archived_sha256),
                   cli_safe(src->archived_at));
    }
}

static void print_marks(const char *stance, const struct claims_claim_result *r,
                        enum claims_stance s)
{
    if (r->nlinks[s] == 0)
        return;
    printf("    %s (%zu):", stance, r->nlinks[s]);
    for (size_t k = 0; k < r->nlinks[s] && k < TEXT_MAX_MARKS; k++)
        printf(" %s", cli_safe(r->links[s][k].feature_id));
    if (r->nlinks[s] > TEXT_MAX_MARKS)
        printf(" ... and %zu more", r->nlinks[s] - TEXT_MAX_MARKS);
    putchar('\n');
}

static const char *image_kind(const struct evidence_image *im)
{
    if (!im || !im->registered)
        return im && im->match == EVIDENCE_MATCH_CHANGED ? "changed since registered"
                                                         : "unregistered";
    return im->synthetic ? "synthetic" : "real";
}

static void print_check(const struct evidence_report *rep, const struct claims_claim_result *r,
                        const struct evidence_claim *ec)
{
    const struct claims_check *c = &r->claim->check;
    printf("    check: count %s in \"%s\", %s..%s, %s %.15g\n", cli_safe(c->class_name),
           cli_safe(c->area), cli_safe(c->date_from), cli_safe(c->date_to), claims_op_name(c->op),
           c->value);
    for (size_t i = 0; i < r->check.nimages; i++) {
        const struct claims_image_count *im = &r->check.images[i];
        const char *kind = image_kind(evidence_report_image(rep, im->image));
        bool real = strcmp(kind, "real") == 0;
        printf("      %s (%s, %s): %zu  %s\n", cli_safe(im->image), cli_safe(im->acquired), kind,
               im->count,
               real ? (im->holds ? "holds" : "fails") : "(not evidence)");
    }
    printf("    check result: %s (%s)\n", evidence_check_name(ec->check),
           cli_safe(ec->check_reason));
}

static void print_discrepancies_of(const struct evidence_claim *ec)
{
    for (size_t k = 0; k < ec->ndiscrepancies; k++) {
        const struct claims_discrepancy *d = ec->discrepancies[k];
        printf("    discrepancy %s [%s]: %s\n", cli_safe(d->id), claims_kind_name(d->kind),
               cli_safe(d->title));
        printf("      with:");
        for (size_t j = 0; j < d->nclaims; j++)
            if (strcmp(d->claim_ids[j], ec->claim->id) != 0)
                printf(" %s", cli_safe(d->claim_ids[j]));
        putchar('\n');
    }
}

static void print_imagery(const struct evidence_report *rep, const struct evidence_tiles *tiles)
{
    char sentence[512];
    evidence_imagery_sentence(&rep->imagery, sentence, sizeof sentence);
    printf("imagery: %s\n", sentence);
    if (tiles->nregisters == 0)
        printf("  no imagery register (imagery.json) beside the annotation files: every "
               "observation is unregistered\n");
    for (size_t i = 0; i < tiles->nregisters; i++)
        printf("  register: %s\n", cli_safe(tiles->register_paths[i]));
    for (size_t i = 0; i < rep->imagery.tiles; i++) {
        const struct evidence_image *im = &rep->imagery.images[i];
        printf("  %s  %s  %s%s%.12s%s%s\n", cli_safe(im->image),
               im->acquired[0] ? cli_safe(im->acquired) : "(undated)", image_kind(im),
               im->sha256[0] ? "  sha256 " : "", cli_safe(im->sha256), im->provider[0] ? "  " : "",
               cli_safe(im->provider));
    }
}

static void print_text(const struct claims_catalog *cat, const struct evidence_report *rep,
                       const struct evidence_tiles *tiles, const struct claims_args *a,
                       size_t nfeatures)
{
    print_imagery(rep, tiles);
    printf("catalog: %s (%zu sources, %zu claims, %zu discrepancies)\n", cli_safe(a->catalog),
           claims_source_count(cat), claims_claim_count(cat), claims_discrepancy_count(cat));
    printf("annotations: %zu file%s, %zu features\n", a->nfiles, a->nfiles == 1 ? "" : "s",
           nfeatures);
    for (size_t i = 0; i < a->nfiles; i++)
        printf("  %s\n", cli_safe(a->files[i]));
    size_t by_status[EVIDENCE_STATUS_COUNT] = {0}, by_check[EVIDENCE_CHECK_COUNT] = {0};
    for (size_t i = 0; i < rep->nclaims; i++) {
        const struct evidence_claim *ec = &rep->claims[i];
        const struct claims_claim_result *r = &rep->base->claims[i];
        printf("\n%s  [%s]\n", cli_safe(ec->claim->id), evidence_status_name(ec->status));
        print_wrapped("    ", ec->claim->text);
        char why[1100];
        snprintf(why, sizeof why, "why: %s.", ec->reason);
        print_wrapped("    ", why);
        print_lineage(cat, ec);
        print_sources(cat, ec->claim);
        print_marks("supports", r, CLAIMS_SUPPORTS);
        print_marks("contradicts", r, CLAIMS_CONTRADICTS);
        print_marks("context", r, CLAIMS_CONTEXT);
        if (ec->has_check) {
            print_check(rep, r, ec);
            by_check[ec->check]++;
        }
        print_discrepancies_of(ec);
        by_status[ec->status]++;
    }
    if (claims_discrepancy_count(cat))
        printf("\ndiscrepancies between sources:\n");
    for (size_t i = 0; i < claims_discrepancy_count(cat); i++) {
        const struct claims_discrepancy *d = claims_discrepancy_at(cat, i);
        printf("\n%s  [%s] %s\n", cli_safe(d->id), claims_kind_name(d->kind), cli_safe(d->title));
        if (d->description[0])
            print_wrapped("    ", d->description);
        for (size_t k = 0; k < d->nclaims; k++) {
            const struct evidence_claim *ec = evidence_report_find(rep, d->claim_ids[k]);
            printf("    - %s [%s", cli_safe(d->claim_ids[k]), evidence_status_name(ec->status));
            if (ec->has_check)
                printf(", check %s", evidence_check_name(ec->check));
            printf("]\n");
        }
    }
    printf("\nsummary: %zu claims: ", rep->nclaims);
    for (int s = 0; s < EVIDENCE_STATUS_COUNT; s++)
        printf("%s%zu %s", s ? ", " : "", by_status[s],
               evidence_status_name((enum evidence_status)s));
    printf("; checks: ");
    for (int c = 0; c < EVIDENCE_CHECK_COUNT; c++)
        printf("%s%zu %s", c ? ", " : "", by_check[c], evidence_check_name((enum evidence_check)c));
    printf("\n");
    if (rep->imagery.synthetic > 0)
        printf("note: marks on synthetic imagery illustrate how satmark works; they are not "
               "evidence for or against any claim.\n");
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *string_array(char *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static json_t *source_json(const struct claims_source *src)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(src->id));
    json_object_set_new(o, "outlet", json_string(src->outlet));
    json_object_set_new(o, "headline", json_string(src->headline));
    json_object_set_new(o, "published", src->published[0] ? json_string(src->published)
                                                          : json_null());
    json_object_set_new(o, "reliability", json_string(claims_reliability_name(src->reliability)));
    json_object_set_new(o, "derived_from", string_array(src->derived_from, src->nderived_from));
    if (src->archived_url[0]) {
        json_t *ar = json_object();
        json_object_set_new(ar, "url", json_string(src->archived_url));
        json_object_set_new(ar, "sha256", json_string(src->archived_sha256));
        json_object_set_new(ar, "archived_at", json_string(src->archived_at));
        json_object_set_new(o, "archived", ar);
    }
    return o;
}

static json_t *observation_json(const struct evidence_observation *ob)
{
    json_t *o = json_object();
    json_object_set_new(o, "feature", json_string(ob->feature_id));
    json_object_set_new(o, "stance", json_string(claims_stance_name(ob->stance)));
    json_object_set_new(o, "tile", json_string(ob->image));
    json_object_set_new(o, "sha256", json_string(ob->sha256));
    json_object_set_new(o, "acquired", ob->acquired[0] ? json_string(ob->acquired) : json_null());
    json_object_set_new(o, "synthetic", json_boolean(ob->synthetic));
    json_object_set_new(o, "registered", json_boolean(ob->registered));
    json_object_set_new(o, "match", json_string(evidence_match_name(ob->match)));
    json_object_set_new(o, "in_window", json_boolean(ob->in_window));
    json_object_set_new(o, "counts", json_boolean(ob->counts));
    return o;
}

static json_t *check_json(const struct evidence_report *rep, const struct claims_claim_result *r,
                          const struct evidence_claim *ec)
{
    const struct claims_claim *c = r->claim;
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
        const struct evidence_image *ei = evidence_report_image(rep, im->image);
        json_t *ci = json_object();
        json_object_set_new(ci, "image", json_string(im->image));
        json_object_set_new(ci, "acquired", json_string(im->acquired));
        json_object_set_new(ci, "count", json_integer((json_int_t)im->count));
        json_object_set_new(ci, "holds", json_boolean(im->holds));
        json_object_set_new(ci, "synthetic", json_boolean(ei && ei->synthetic));
        json_object_set_new(ci, "registered", json_boolean(ei && ei->registered));
        json_array_append_new(counts, ci);
    }
    json_object_set_new(chk, "counts", counts);
    /* "verdict" keeps its name for existing readers; its value is the check
     * result weighed against the imagery, never "consistent" on synthetic. */
    json_object_set_new(chk, "verdict", json_string(evidence_check_name(ec->check)));
    json_object_set_new(chk, "reason", json_string(ec->check_reason ? ec->check_reason : ""));
    return chk;
}

static json_t *claim_json(const struct claims_catalog *cat, const struct evidence_report *rep,
                          size_t i)
{
    const struct evidence_claim *ec = &rep->claims[i];
    const struct claims_claim_result *r = &rep->base->claims[i];
    const struct claims_claim *c = ec->claim;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(c->id));
    json_object_set_new(o, "text", json_string(c->text));
    json_object_set_new(o, "imagery", json_string(claims_imagery_name(c->imagery)));
    json_object_set_new(o, "time", c->time_from[0] || c->time_to[0]
                                       ? json_pack("{s:s?,s:s?}", "from",
                                                   c->time_from[0] ? c->time_from : NULL, "to",
                                                   c->time_to[0] ? c->time_to : NULL)
                                       : json_null());
    json_object_set_new(o, "status", json_string(evidence_status_name(ec->status)));
    json_object_set_new(o, "reason", json_string(ec->reason));
    json_object_set_new(o, "outlets", json_integer((json_int_t)ec->outlets));
    json_object_set_new(o, "independent_origins", json_integer((json_int_t)ec->independent_origins));
    const struct claims_source *origins[64];
    size_t n = evidence_origins(cat, c, origins, 64);
    json_t *oa = json_array();
    for (size_t k = 0; k < n && k < 64; k++)
        json_array_append_new(oa, json_string(origins[k]->id));
    json_object_set_new(o, "origins", oa);
    json_t *sources = json_array();
    for (size_t k = 0; k < c->nsources; k++)
        json_array_append_new(sources, source_json(claims_find_source(cat, c->source_ids[k])));
    json_object_set_new(o, "sources", sources);
    json_t *links = json_object();
    static const char *const names[] = {"supports", "contradicts", "context"};
    for (int s = 0; s < CLAIMS_STANCE_COUNT; s++) {
        json_t *ids = json_array();
        for (size_t k = 0; k < r->nlinks[s]; k++)
            json_array_append_new(ids, json_string(r->links[s][k].feature_id));
        json_object_set_new(links, names[s], ids);
    }
    json_object_set_new(o, "links", links);
    json_t *obs = json_array();
    for (size_t k = 0; k < ec->nobs; k++)
        json_array_append_new(obs, observation_json(&ec->obs[k]));
    json_object_set_new(o, "observations", obs);
    json_t *discs = json_array();
    for (size_t k = 0; k < ec->ndiscrepancies; k++)
        json_array_append_new(discs, json_string(ec->discrepancies[k]->id));
    json_object_set_new(o, "discrepancies", discs);
    json_object_set_new(o, "check", ec->has_check ? check_json(rep, r, ec) : json_null());
    return o;
}

static json_t *imagery_json(const struct evidence_report *rep, const struct evidence_tiles *tiles)
{
    char sentence[512];
    evidence_imagery_sentence(&rep->imagery, sentence, sizeof sentence);
    json_t *o = json_object();
    json_object_set_new(o, "summary", json_string(sentence));
    json_object_set_new(o, "tiles", json_integer((json_int_t)rep->imagery.tiles));
    json_object_set_new(o, "synthetic", json_integer((json_int_t)rep->imagery.synthetic));
    json_object_set_new(o, "real", json_integer((json_int_t)rep->imagery.real));
    json_object_set_new(o, "unregistered", json_integer((json_int_t)rep->imagery.unregistered));
    json_object_set_new(o, "registers", string_array(tiles->register_paths, tiles->nregisters));
    json_t *images = json_array();
    for (size_t i = 0; i < rep->imagery.tiles; i++) {
        const struct evidence_image *im = &rep->imagery.images[i];
        json_t *e = json_object();
        json_object_set_new(e, "tile", json_string(im->image));
        json_object_set_new(e, "sha256", json_string(im->sha256));
        json_object_set_new(e, "acquired", im->acquired[0] ? json_string(im->acquired) : json_null());
        json_object_set_new(e, "synthetic", json_boolean(im->synthetic));
        json_object_set_new(e, "registered", json_boolean(im->registered));
        json_object_set_new(e, "match", json_string(evidence_match_name(im->match)));
        json_object_set_new(e, "provider", json_string(im->provider));
        json_array_append_new(images, e);
    }
    json_object_set_new(o, "images", images);
    return o;
}

static bool print_json(const struct claims_catalog *cat, const struct evidence_report *rep,
                       const struct evidence_tiles *tiles, const struct claims_args *a,
                       const struct diag *dg)
{
    json_t *root = json_object();
    json_object_set_new(root, "catalog", json_string(a->catalog));
    json_object_set_new(root, "annotations", string_array(a->files, a->nfiles));
    json_object_set_new(root, "imagery", imagery_json(rep, tiles));
    json_t *claims = json_array();
    for (size_t i = 0; i < rep->nclaims; i++)
        json_array_append_new(claims, claim_json(cat, rep, i));
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
            const struct evidence_claim *ec = evidence_report_find(rep, d->claim_ids[k]);
            json_t *ci = json_object();
            json_object_set_new(ci, "id", json_string(d->claim_ids[k]));
            json_object_set_new(ci, "text", json_string(ec->claim->text));
            json_object_set_new(ci, "status", json_string(evidence_status_name(ec->status)));
            json_object_set_new(ci, "verdict", ec->has_check
                                                   ? json_string(evidence_check_name(ec->check))
                                                   : json_null());
            json_array_append_new(dc, ci);
        }
        json_object_set_new(o, "claims", dc);
        json_array_append_new(discs, o);
    }
    json_object_set_new(root, "discrepancies", discs);
    json_t *sources = json_array();
    for (size_t i = 0; i < claims_source_count(cat); i++)
        json_array_append_new(sources, source_json(claims_source_at(cat, i)));
    json_object_set_new(root, "sources", sources);
    json_t *warnings = json_array();
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        json_array_append_new(warnings, json_string(diag_warning(dg, i)));
    json_object_set_new(root, "warnings", warnings);
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    if (!text)
        return false;
    cli_put_json(text);
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
    struct evidence_report *rep = NULL;
    struct evidence_tiles *tiles = NULL;
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
        if (!gjfast_read_file(a.files[i], &sets[i], dg))
            goto done;
        nfeatures += annot_count(sets[i]);
    }
    if (!evidence_tiles_load((const char *const *)a.files, a.nfiles, a.imagery, &tiles, dg))
        goto done;
    if (!evidence_evaluate(cat, (const struct annot_set *const *)sets, a.nfiles, tiles->tiles,
                           tiles->ntiles, &rep, dg))
        goto done;
    if (a.json) {
        if (!print_json(cat, rep, tiles, &a, dg)) {
            diag_error(dg, "%s: out of memory writing the JSON report", a.catalog);
            goto done;
        }
    } else {
        print_text(cat, rep, tiles, &a, nfeatures);
    }
    if (fflush(stdout) != 0) {
        diag_error(dg, "cannot write to standard output");
        goto done;
    }
    rc = CLI_OK;
done:
    cli_report(dg);
    evidence_report_free(rep);
    evidence_tiles_free(tiles);
    for (size_t i = 0; sets && i < a.nfiles; i++)
        cli_free_set_at_exit(sets[i]);
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
        "usage: satmark claims [CATALOG] [FILES...] [--imagery REGISTER] [--json]\n"
        "                      [--verbose]\n"
        "\n"
        "First what imagery the marks in FILES rest on (registered or not,\n"
        "synthetic or real, acquisition dates). Then, for every claim of CATALOG\n"
        "(default: claims.json beside the first FILE, else\n"
        "ROOT/annotations/claims.json, ROOT being the directory holding annotations/\n"
        "or the current directory): its evidence status with the reason, its\n"
        "outlets and independent origins (following derived_from), its sources with\n"
        "their reliability, the marks that support, contradict or give context to\n"
        "it, the discrepancies it is part of and, for counting claims, the count\n"
        "per image and the check result. Then the discrepancies.\n"
        "\n"
        "Statuses: supported / contradicted (by marks on real, registered imagery\n"
        "acquired in the claim's window), contested (marks point both ways, or the\n"
        "sources disagree on where or whether it happened), not_observable (imagery\n"
        "cannot show it), illustrative (only synthetic imagery bears on it),\n"
        "no_evidence. Check results: consistent / inconsistent (on real, registered\n"
        "imagery only), illustrative (synthetic only), undetermined. Rules:\n"
        "docs/claims-checks.md.\n"
        "\n"
        "The first argument ending in .json is the catalog. Without FILES, every\n"
        "*.geojson next to the catalog is read.\n"
        "\n"
        "options:\n"
        "  --imagery REGISTER  the imagery register (default: imagery.json beside\n"
        "                      the annotation files; without one every observation\n"
        "                      is unregistered and no claim can be supported)\n"
        "  --json   one JSON object: catalog, annotations, imagery {summary, tiles,\n"
        "           synthetic, real, unregistered, registers, images [{tile, sha256,\n"
        "           acquired, synthetic, registered, match, provider}]}, claims [{id,\n"
        "           text, imagery, time, status, reason, outlets, independent_origins,\n"
        "           origins, sources [{id, outlet, headline, published, reliability,\n"
        "           derived_from, archived?}], links {supports, contradicts, context},\n"
        "           observations [{feature, stance, tile, sha256, acquired, synthetic,\n"
        "           registered, match, in_window, counts}], discrepancies [ids],\n"
        "           check {class, area, op, value, date_from, date_to, area_found,\n"
        "           counts [{image, acquired, count, holds, synthetic, registered}],\n"
        "           verdict, reason} or null}], discrepancies [{id, title, kind,\n"
        "           description, claims [{id, text, status, verdict}]}], sources,\n"
        "           warnings\n"
        "  -v, --verbose  say where the catalog was looked for and which was used\n"
        "\n"
        "exit status: 0 reported (whatever the statuses), 1 the catalog, the register\n"
        "or a file is unreadable or invalid, 2 bad usage\n",
    .run = run_claims,
};
