/*
 * cmd_catalog — `satmark catalog init|add-source|add-claim CATALOG ...`:
 * builds a claims catalog by command. Every add is validated exactly as
 * `satmark validate` would (claimsedit re-reads the result before saving)
 * and saved atomically; a refused add leaves the catalog unchanged.
 *
 * Thin over claimsedit. Options taking a list (--source, --derived-from)
 * take every following argument up to the next option, and may be repeated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "claimsedit.h"
#include "cli.h"

#define MAX_LIST 64

static const char usage[] =
    "usage: satmark catalog init CATALOG\n"
    "       satmark catalog add-source CATALOG --id ID --outlet NAME [--headline TEXT]\n"
    "               [--author NAME] [--published YYYY-MM-DD]\n"
    "               (--file ARTICLE | --url URL --archived-sha256 HEX --archived-at UTC)\n"
    "               [--reliability reported|machine-written|official|external]\n"
    "               [--derived-from ID...]\n"
    "       satmark catalog add-claim CATALOG --id ID --text TEXT --source ID...\n"
    "               [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--imagery yes|partly|no]\n"
    "               [--place TEXT] [--quote TEXT]\n"
    "\n"
    "init creates an empty claims catalog (refuses an existing file).\n"
    "add-source records where a claim was published: an article file (its base\n"
    "name is recorded; keep it beside the catalog's articles) or a web page by\n"
    "its URL with the SHA-256 of the copy you archived and when you archived it\n"
    "(UTC, YYYY-MM-DDTHH:MM:SSZ). --derived-from names the sources it relays or\n"
    "rewrites, so the report counts independent origins, not outlets.\n"
    "add-claim records one claim and the sources making it. --imagery says\n"
    "whether imagery can show it; without it the claim is recorded as \"no\"\n"
    "(imagery cannot show it: no mark can support it) and a note says so.\n"
    "\n"
    "Each add is checked as `satmark validate` checks a catalog (unique ids,\n"
    "sources and derived_from resolve without a cycle, dates valid) and saved\n"
    "atomically, the previous version kept as CATALOG~.\n"
    "\n"
    "exit status: 0 saved, 1 refused (the message says why; nothing changed),\n"
    "2 bad usage\n";

struct list {
    const char *items[MAX_LIST];
    size_t n;
};

/* Collects the arguments after argv[*i] up to the next "--option" into l. */
static bool take_list(const char *option, int argc, char **argv, int *i, struct list *l)
{
    size_t before = l->n;
    while (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
        if (l->n == MAX_LIST) {
            cli_usage_error("catalog", "%s: at most %d ids", option, MAX_LIST);
            return false;
        }
        l->items[l->n++] = argv[++*i];
    }
    if (l->n == before) {
        cli_usage_error("catalog", "%s needs at least one id", option);
        return false;
    }
    return true;
}

/* Matches "--name VALUE" at argv[*i]; stores VALUE. -1 usage error, 0 no match, 1 taken. */
static int take_value(const char *name, int argc, char **argv, int *i, const char **out)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error("catalog", "%s needs a value", name);
        return -1;
    }
    *out = argv[++*i];
    return 1;
}

static int finish(bool ok, struct diag *dg, const char *path, const char *what, const char *id)
{
    if (ok) {
        struct claims_catalog *cat = NULL;
        struct diag *quiet = diag_new();
        if (claims_catalog_read(path, &cat, quiet))
            printf("%s: %s \"%s\" (%zu sources, %zu claims, %zu discrepancies)\n", cli_safe(path),
                   what, cli_safe(id), claims_source_count(cat), claims_claim_count(cat),
                   claims_discrepancy_count(cat));
        claims_catalog_free(cat);
        diag_free(quiet);
    }
    cli_report(dg);
    diag_free(dg);
    return ok ? CLI_OK : CLI_FAILED;
}

/* The options of an add action, from argv[3]: names[k] sets *fields[k],
 * list_option (repeatable) adds to list. */
static int take_options(const char *action, int argc, char **argv, const char *const *names,
                        const char **const *fields, size_t nfields, const char *list_option,
                        struct list *list)
{
    for (int i = 3; i < argc; i++) {
        int r = 0;
        for (size_t k = 0; k < nfields && r == 0; k++)
            r = take_value(names[k], argc, argv, &i, fields[k]);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        if (strcmp(argv[i], list_option) == 0) {
            if (!take_list(list_option, argc, argv, &i, list))
                return CLI_USAGE;
            continue;
        }
        return cli_usage_error("catalog", "%s: unexpected argument '%s'", action, argv[i]);
    }
    return CLI_OK;
}

static int add_source(const char *path, int argc, char **argv)
{
    struct claimsedit_source s = {0};
    struct list derived = {.n = 0};
    const char *const names[] = {"--id",          "--outlet",          "--headline",
                                 "--author",      "--published",       "--file",
                                 "--url",         "--archived-sha256", "--archived-at",
                                 "--reliability"};
    const char **const fields[] = {&s.id,  &s.outlet,          &s.headline,   &s.author,
                                   &s.published, &s.article, &s.url, &s.archived_sha256,
                                   &s.archived_at, &s.reliability};
    int rc = take_options("add-source", argc, argv, names, fields, sizeof names / sizeof names[0],
                          "--derived-from", &derived);
    if (rc != CLI_OK)
        return rc;
    if (!s.id || !s.outlet)
        return cli_usage_error("catalog", "add-source needs --id and --outlet");
    if (!s.article && !s.url)
        return cli_usage_error("catalog", "add-source needs --file ARTICLE or --url URL");
    if (s.url && (!s.archived_sha256 || !s.archived_at))
        return cli_usage_error("catalog", "--url needs --archived-sha256 and --archived-at (the "
                                          "copy you archived, so the source can be checked "
                                          "later)");
    s.derived_from = derived.items;
    s.nderived_from = derived.n;
    struct diag *dg = diag_new();
    return finish(claimsedit_add_source(path, &s, dg), dg, path, "added source", s.id);
}

static int add_claim(const char *path, int argc, char **argv)
{
    struct claimsedit_claim c = {0};
    struct list sources = {.n = 0};
    const char *const names[] = {"--id", "--text", "--from", "--to", "--imagery",
                                 "--place", "--quote"};
    const char **const fields[] = {&c.id, &c.text, &c.time_from, &c.time_to, &c.imagery,
                                   &c.place, &c.quote};
    int rc = take_options("add-claim", argc, argv, names, fields, sizeof names / sizeof names[0],
                          "--source", &sources);
    if (rc != CLI_OK)
        return rc;
    if (!c.id || !c.text || sources.n == 0)
        return cli_usage_error("catalog", "add-claim needs --id, --text and --source");
    bool defaulted = !c.imagery;
    if (defaulted)
        c.imagery = "no";
    c.sources = sources.items;
    c.nsources = sources.n;
    struct diag *dg = diag_new();
    bool ok = claimsedit_add_claim(path, &c, dg);
    if (ok && defaulted)
        fprintf(stderr, "satmark: note: claim \"%s\" recorded with imagery \"no\" (imagery "
                        "cannot show it); give --imagery yes or partly if it can\n",
                cli_safe(c.id));
    return finish(ok, dg, path, "added claim", c.id);
}

static int run(int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1])) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc < 3)
        return cli_usage_error("catalog", "needs an action (init, add-source, add-claim) and "
                                          "a CATALOG");
    const char *action = argv[1], *path = argv[2];
    if (strcmp(action, "init") == 0) {
        if (argc > 3)
            return cli_usage_error("catalog", "init takes only CATALOG");
        struct diag *dg = diag_new();
        bool ok = claimsedit_init(path, dg);
        if (ok)
            printf("%s: created an empty claims catalog\n", cli_safe(path));
        cli_report(dg);
        diag_free(dg);
        return ok ? CLI_OK : CLI_FAILED;
    }
    if (strcmp(action, "add-source") == 0)
        return add_source(path, argc, argv);
    if (strcmp(action, "add-claim") == 0)
        return add_claim(path, argc, argv);
    return cli_usage_error("catalog", "unknown action '%s' (init, add-source, add-claim)",
                           action);
}

const struct cli_command cli_cmd_catalog = {
    .name = "catalog",
    .summary = "build a claims catalog: init, add-source, add-claim",
    .usage = usage,
    .run = run,
};
