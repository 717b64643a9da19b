/*
 * cmd_imagery — `satmark imagery add|list|verify`: the imagery register of
 * an investigation (annotations/imagery.json) and its custody log.
 *
 * Thin over imagery (register) and custody (log). `add` holds the custody
 * log's lock from reading the register to appending its entries, so two
 * concurrent adds cannot lose one another's entry. `verify` re-hashes every
 * registered file, checks the custody chain and that every entry's file was
 * logged when it was added, and records its own result in the log (unless
 * --no-record, or the log is missing: a deleted log is reported, never
 * silently restarted).
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "custody.h"
#include "hash.h"
#include "imagery.h"
#include "numparse.h"

#define DEFAULT_REGISTER_DIR "annotations"
#define DEFAULT_REGISTER DEFAULT_REGISTER_DIR "/" IMAGERY_DEFAULT_NAME

struct imagery_args {
    const char *sub;
    const char **tiles;
    size_t ntiles;
    const char *register_path;
    struct imagery_add_options add;
    bool json, no_record;
};

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int parse_args(int argc, char **argv, struct imagery_args *a)
{
    memset(a, 0, sizeof *a);
    imagery_add_options_init(&a->add);
    if (argc < 2)
        return cli_usage_error("imagery", "no subcommand (add, list or verify)");
    a->sub = argv[1];
    bool is_add = strcmp(a->sub, "add") == 0;
    if (!is_add && strcmp(a->sub, "list") != 0 && strcmp(a->sub, "verify") != 0)
        return cli_usage_error("imagery", "unknown subcommand '%s' (add, list or verify)", a->sub);
    a->tiles = calloc((size_t)argc, sizeof *a->tiles);
    if (!a->tiles) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    static const char *const add_text_options[] = {"--acquired", "--provider", "--sensor",
                                                   "--licence",  "--credit",   "--source-url",
                                                   "--by",       "--id",       NULL};
    const char **add_text_targets[] = {&a->add.acquired, &a->add.provider, &a->add.sensor,
                                       &a->add.licence,  &a->add.credit,   &a->add.source_url,
                                       &a->add.by,       &a->add.id};
    bool options_done = false;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        int text_option = -1;
        for (int k = 0; is_add && !options_done && add_text_options[k]; k++)
            if (strcmp(arg, add_text_options[k]) == 0)
                text_option = k;
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!is_add && !options_done && strcmp(a->sub, "verify") == 0 &&
                   strcmp(arg, "--by") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("imagery", "--by needs a name");
            a->add.by = argv[++i];
        } else if (!options_done && strcmp(arg, "--register") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("imagery", "--register needs a file name");
            a->register_path = argv[++i];
        } else if (text_option >= 0) {
            if (i + 1 >= argc)
                return cli_usage_error("imagery", "%s needs a value", arg);
            *add_text_targets[text_option] = argv[++i];
        } else if (is_add && !options_done && strcmp(arg, "--gsd-m") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("imagery", "--gsd-m needs a number of metres");
            double v;
            if (!numparse_list(argv[++i], &v, 1) || v <= 0.0)
                return cli_usage_error("imagery", "--gsd-m '%s': not a positive number of metres",
                                       argv[i]);
            a->add.gsd_m = v;
        } else if (is_add && !options_done && strcmp(arg, "--synthetic") == 0) {
            if (a->add.synthetic == IMAGERY_SYNTHETIC_NO)
                return cli_usage_error("imagery", "--synthetic and --real exclude each other");
            a->add.synthetic = IMAGERY_SYNTHETIC_YES;
        } else if (is_add && !options_done && strcmp(arg, "--real") == 0) {
            if (a->add.synthetic == IMAGERY_SYNTHETIC_YES)
                return cli_usage_error("imagery", "--synthetic and --real exclude each other");
            a->add.synthetic = IMAGERY_SYNTHETIC_NO;
        } else if (is_add && !options_done && strcmp(arg, "--replace") == 0) {
            a->add.replace = true;
        } else if (!is_add && !options_done && strcmp(a->sub, "list") == 0 &&
                   strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (!is_add && !options_done && strcmp(a->sub, "verify") == 0 &&
                   strcmp(arg, "--no-record") == 0) {
            a->no_record = true;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("imagery", "unknown option '%s' for `imagery %s`", arg, a->sub);
        } else if (is_add) {
            a->tiles[a->ntiles++] = arg;
        } else {
            return cli_usage_error("imagery", "`imagery %s` takes no file argument ('%s'); use "
                                              "--register PATH", a->sub, arg);
        }
    }
    if (is_add && a->ntiles == 0)
        return cli_usage_error("imagery", "`imagery add` needs a TILE");
    if (is_add && a->add.id && a->ntiles > 1)
        return cli_usage_error("imagery", "--id names one tile; %zu given", a->ntiles);
    if (a->add.acquired && !imagery_acquired_valid(a->add.acquired))
        return cli_usage_error("imagery", "--acquired '%s': not YYYY-MM-DD or a UTC time "
                                          "YYYY-MM-DDTHH:MM[:SS]Z", a->add.acquired);
    if (!a->register_path) {
        if (!is_dir(DEFAULT_REGISTER_DIR))
            return cli_usage_error("imagery", "no ./" DEFAULT_REGISTER_DIR " directory here: "
                                              "give --register PATH/imagery.json");
        a->register_path = DEFAULT_REGISTER;
    }
    return CLI_OK;
}

/* ---- add -------------------------------------------------------------------- */

static int run_add(struct imagery_args *a, struct diag *dg)
{
    char log_path[PATH_MAX];
    if (!custody_log_path(a->register_path, log_path, sizeof log_path)) {
        diag_error(dg, "%s: path too long", a->register_path);
        return CLI_FAILED;
    }
    struct custody_log *log = custody_open(log_path, dg);
    if (!log)
        return CLI_FAILED;
    struct imagery_register *reg = NULL;
    int rc = CLI_FAILED;
    struct imagery_add_outcome *outcome = calloc(a->ntiles, sizeof *outcome);
    const struct imagery_entry **added = calloc(a->ntiles, sizeof *added);
    char **ids = calloc(a->ntiles, sizeof *ids);
    if (!outcome || !added || !ids) {
        diag_error(dg, "out of memory");
        goto done;
    }
    if (is_file(a->register_path)) {
        if (!imagery_register_read(a->register_path, &reg, dg))
            goto done;
    } else if (!(reg = imagery_register_new(a->register_path, dg))) {
        goto done;
    }
    for (size_t i = 0; i < a->ntiles; i++) {
        const struct imagery_entry *e = imagery_add_tile(reg, a->tiles[i], &a->add, &outcome[i], dg);
        if (!e || !(ids[i] = strdup(e->id)))
            goto done; /* nothing written: the register stays as it was */
    }
    if (!imagery_register_write(reg, dg))
        goto done;
    /* entries may have moved while the array grew: look them up only now */
    for (size_t i = 0; i < a->ntiles; i++)
        added[i] = imagery_find_id(reg, ids[i]);
    rc = CLI_OK;
    for (size_t i = 0; i < a->ntiles; i++) {
        const struct imagery_entry *e = added[i];
        if (!e)
            continue;
        if (outcome[i].kind == IMAGERY_UNCHANGED) {
            printf("%s: \"%s\" unchanged (sha256 %s, already registered alike)\n",
                   cli_safe(a->register_path), cli_safe(e->id), cli_safe(e->sha256));
            continue;
        }
        char what[1024];
        if (outcome[i].kind == IMAGERY_REPLACED)
            snprintf(what, sizeof what, "replaced \"%.200s\" (was sha256 %s): %s, %s%s",
                     cli_safe(e->id), cli_safe(outcome[i].old_sha256),
                     e->synthetic ? "synthetic" : "real imagery",
                     e->acquired[0] ? "acquired " : "acquisition time unknown",
                     cli_safe(e->acquired));
        else
            snprintf(what, sizeof what, "registered \"%.200s\": %s, %s%s", cli_safe(e->id),
                     e->synthetic ? "synthetic" : "real imagery",
                     e->acquired[0] ? "acquired " : "acquisition time unknown",
                     cli_safe(e->acquired));
        /* a fetched file: its fetch record is part of what was collected */
        char record[PATH_MAX], record_sha[HASH_SHA256_HEX_LEN + 1] = "";
        size_t nfiles = 1;
        if (outcome[i].fetch_record &&
            snprintf(record, sizeof record, "%s.stac.json", e->file) < (int)sizeof record) {
            char record_path[PATH_MAX];
            struct diag *quiet = diag_new();
            if (quiet && snprintf(record_path, sizeof record_path, "%s.stac.json", a->tiles[i]) <
                             (int)sizeof record_path &&
                hash_file_sha256(record_path, record_sha, quiet)) {
                nfiles = 2;
                size_t used = strlen(what);
                snprintf(what + used, sizeof what - used, "; described by its fetch record %.400s",
                         record);
            }
            diag_free(quiet);
        }
        const char *names[] = {e->file, record};
        const char *hashes[] = {e->sha256, record_sha};
        if (!custody_log_append(log, a->add.by, "add", what, names, hashes, nfiles, dg)) {
            /* the register is written; say plainly that the record is not */
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", diag_message(dg));
            diag_clear_error(dg);
            diag_error(dg, "%s registered, but its custody entry was not written: %s", e->id, msg);
            rc = CLI_FAILED;
            break;
        }
        printf("%s: %s \"%s\" sha256 %s %s%s%s\n", cli_safe(a->register_path),
               outcome[i].kind == IMAGERY_REPLACED ? "replaced" : "registered", cli_safe(e->id),
               cli_safe(e->sha256), e->synthetic ? "(synthetic)" : "(real imagery)",
               e->acquired[0] ? " acquired " : " acquisition time unknown",
               cli_safe(e->acquired));
    }
done:
    custody_close(log);
    imagery_register_free(reg);
    for (size_t i = 0; ids && i < a->ntiles; i++)
        free(ids[i]);
    free(ids);
    free(outcome);
    free(added);
    return rc;
}

/* ---- list ------------------------------------------------------------------- */

static int run_list(struct imagery_args *a, struct diag *dg)
{
    struct imagery_register *reg = NULL;
    if (!imagery_register_read(a->register_path, &reg, dg))
        return CLI_FAILED;
    int rc = CLI_OK;
    if (a->json) {
        json_t *root = json_object();
        json_t *images = json_array();
        char log_path[PATH_MAX];
        int bad = !root || !images || !custody_log_path(a->register_path, log_path, sizeof log_path);
        bad = bad || json_object_set_new(root, "register", json_string(a->register_path));
        bad = bad || json_object_set_new(root, "custody_log", json_string(log_path));
        for (size_t i = 0; !bad && i < imagery_count(reg); i++) {
            const struct imagery_entry *e = imagery_at(reg, i);
            json_t *o = imagery_entry_to_json(e);
            char path[PATH_MAX];
            bad = !o || !imagery_entry_path(reg, e, path, sizeof path) ||
                  json_object_set_new(o, "path", json_string(path)) ||
                  json_array_append_new(images, o);
        }
        bad = bad || json_object_set(root, "images", images);
        char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(images);
        json_decref(root);
        if (!text) {
            diag_error(dg, "%s: cannot format the listing", a->register_path);
            rc = CLI_FAILED;
        } else {
            cli_put_json(text);
            free(text);
        }
    } else {
        size_t synthetic = 0;
        for (size_t i = 0; i < imagery_count(reg); i++)
            synthetic += imagery_at(reg, i)->synthetic;
        printf("%s: %zu image%s, %zu synthetic, %zu real\n", cli_safe(a->register_path),
               imagery_count(reg),
               imagery_count(reg) == 1 ? "" : "s", synthetic, imagery_count(reg) - synthetic);
        for (size_t i = 0; i < imagery_count(reg); i++) {
            const struct imagery_entry *e = imagery_at(reg, i);
            printf("  %-28s %-10s %-10s %.12s  %s\n", cli_safe(e->id),
                   e->synthetic ? "synthetic" : "real",
                   e->acquired[0] ? cli_safe(e->acquired) : "unknown", cli_safe(e->sha256),
                   cli_safe(e->file));
            if (e->provider[0] || e->sensor[0] || e->gsd_m > 0.0) {
                printf("  %-28s provider: %s", "",
                       e->provider[0] ? cli_safe(e->provider) : "unknown");
                if (e->sensor[0])
                    printf(", sensor: %s", cli_safe(e->sensor));
                if (e->gsd_m > 0.0)
                    printf(", %.2f m/pixel", e->gsd_m);
                printf("\n");
            }
            if (e->licence[0] || e->credit[0])
                printf("  %-28s licence: %s; credit: %s\n", "",
                       e->licence[0] ? cli_safe(e->licence) : "?",
                       e->credit[0] ? cli_safe(e->credit) : "?");
        }
    }
    imagery_register_free(reg);
    return rc;
}

/* ---- verify ----------------------------------------------------------------- */

static int run_verify(struct imagery_args *a, struct diag *dg)
{
    struct imagery_register *reg = NULL;
    if (!imagery_register_read(a->register_path, &reg, dg))
        return CLI_FAILED;
    size_t n = imagery_count(reg);
    size_t counts[IMAGERY_FILE_SYNTHETIC_REAL + 1] = {0};
    char (*actual)[HASH_SHA256_HEX_LEN + 1] = calloc(n ? n : 1, sizeof *actual);
    const char **names = calloc(n ? n : 1, sizeof *names);
    const char **hashes = calloc(n ? n : 1, sizeof *hashes);
    const char **registered = calloc(n ? n : 1, sizeof *registered);
    bool *logged = calloc(n ? n : 1, sizeof *logged);
    struct diag *files_dg = diag_new();
    int rc = CLI_FAILED;
    if (!actual || !names || !hashes || !registered || !logged || !files_dg) {
        diag_error(dg, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const struct imagery_entry *e = imagery_at(reg, i);
        enum imagery_file_state s = imagery_check_entry(reg, i, actual[i], files_dg);
        counts[s]++;
        names[i] = e->file;
        hashes[i] = actual[i];
        registered[i] = e->sha256;
        printf("%-10s %s (%s)\n", s == IMAGERY_FILE_OK ? "ok" : imagery_file_state_name(s),
               cli_safe(e->id), cli_safe(e->file));
    }
    for (size_t i = 0; i < diag_warning_count(files_dg); i++)
        fprintf(stderr, "satmark: %s\n", diag_warning(files_dg, i));
    size_t bad_files = n - counts[IMAGERY_FILE_OK];

    char log_path[PATH_MAX], head[HASH_SHA256_HEX_LEN + 1];
    size_t entries = 0;
    bool log_exists = custody_log_path(a->register_path, log_path, sizeof log_path) &&
                      is_file(log_path);
    struct diag *chain_dg = diag_new();
    bool chain_ok = chain_dg && custody_verify_head(log_path, &entries, head, chain_dg);
    size_t unlogged = 0;
    if (chain_dg && log_exists) {
        struct diag *scan = diag_new();
        if (scan && custody_find_added(log_path, registered, n, logged, scan)) {
            for (size_t i = 0; i < n; i++)
                if (!logged[i]) {
                    unlogged++;
                    fprintf(stderr, "satmark: %s: \"%s\" (sha256 %.12s...) has no \"add\" entry "
                                    "in the custody log\n",
                            cli_safe(log_path), cli_safe(imagery_at(reg, i)->id),
                            cli_safe(registered[i]));
                }
        }
        diag_free(scan);
    }
    if (chain_ok)
        printf("custody log %s: %zu entr%s, chain intact (head sha256 %s)\n", cli_safe(log_path),
               entries,
               entries == 1 ? "y" : "ies", head);
    else {
        fprintf(stderr, "satmark: custody log broken: %s\n",
                chain_dg ? diag_message(chain_dg) : "out of memory");
        for (size_t i = 0; chain_dg && i < diag_warning_count(chain_dg); i++)
            fprintf(stderr, "satmark: custody log broken: %s\n", diag_warning(chain_dg, i));
    }
    printf("%zu image%s: %zu ok, %zu changed, %zu missing, %zu unreadable, %zu synthetic "
           "registered as real\n",
           n, n == 1 ? "" : "s", counts[IMAGERY_FILE_OK], counts[IMAGERY_FILE_CHANGED],
           counts[IMAGERY_FILE_MISSING], counts[IMAGERY_FILE_UNREADABLE],
           counts[IMAGERY_FILE_SYNTHETIC_REAL]);

    if (!a->no_record && log_exists) {
        char what[512];
        snprintf(what, sizeof what, "verify: %zu ok, %zu changed, %zu missing, %zu unreadable, "
                                    "%zu synthetic registered as real; chain %s",
                 counts[IMAGERY_FILE_OK], counts[IMAGERY_FILE_CHANGED],
                 counts[IMAGERY_FILE_MISSING], counts[IMAGERY_FILE_UNREADABLE],
                 counts[IMAGERY_FILE_SYNTHETIC_REAL], chain_ok ? "intact" : "BROKEN");
        if (!custody_append(log_path, a->add.by, "verify", what, names, hashes, n, dg)) {
            diag_warn(dg, "verification not recorded: %s", diag_message(dg));
            diag_clear_error(dg);
        }
    }
    rc = bad_files == 0 && chain_ok && unlogged == 0 ? CLI_OK : CLI_FAILED;
    if (rc != CLI_OK)
        diag_error(dg, "%s: verification failed (%zu file%s not as registered%s%s)",
                   a->register_path, bad_files, bad_files == 1 ? "" : "s",
                   chain_ok ? "" : ", custody chain broken",
                   unlogged ? ", entries missing from the custody log" : "");
    diag_free(chain_dg);
done:
    diag_free(files_dg);
    free(actual);
    free(names);
    free(hashes);
    free(registered);
    free(logged);
    imagery_register_free(reg);
    return rc;
}

static int run_imagery(int argc, char **argv)
{
    struct imagery_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        free(a.tiles);
        return rc;
    }
    struct diag *dg = diag_new();
    if (!dg) {
        fprintf(stderr, "satmark: error: out of memory\n");
        free(a.tiles);
        return CLI_FAILED;
    }
    if (strcmp(a.sub, "add") == 0)
        rc = run_add(&a, dg);
    else if (strcmp(a.sub, "list") == 0)
        rc = run_list(&a, dg);
    else
        rc = run_verify(&a, dg);
    if (rc != CLI_OK && !diag_failed(dg))
        diag_error(dg, "imagery %s failed", a.sub);
    cli_report(dg);
    diag_free(dg);
    free(a.tiles);
    return rc;
}

const struct cli_command cli_cmd_imagery = {
    .name = "imagery",
    .summary = "register imagery (hash, date, provider, synthetic) and verify its custody",
    .usage =
        "usage: satmark imagery add TILE... [--register PATH] [--acquired ISO8601]\n"
        "                       [--provider TEXT] [--sensor TEXT] [--gsd-m METRES]\n"
        "                       [--licence TEXT] [--credit TEXT] [--source-url URL]\n"
        "                       [--synthetic | --real] [--id ID] [--by NAME] [--replace]\n"
        "       satmark imagery list [--register PATH] [--json]\n"
        "       satmark imagery verify [--register PATH] [--no-record] [--by NAME]\n"
        "\n"
        "The imagery register (default " DEFAULT_REGISTER ") records, for each\n"
        "raster the marks rest on, its SHA-256 and size, when it was acquired, who\n"
        "supplied it and under what licence, and whether it is synthetic. Beside it,\n"
        "imagery.custody.jsonl is an append-only custody log: every add, verify,\n"
        "export and figure appends who, when, what and the files' SHA-256, each line\n"
        "carrying the SHA-256 of the line before it. Tiles are never modified.\n"
        "See docs/formats.md (\"Imagery register\", \"Custody log\").\n"
        "\n"
        "add      hash TILE and register it. The acquisition time comes from the\n"
        "         file's metadata (SATMARK_ACQUIRED, ACQUISITION_DATE, ...; never the\n"
        "         TIFF write time), or from --acquired (YYYY-MM-DD or a UTC time\n"
        "         YYYY-MM-DDTHH:MM[:SS]Z) for files whose metadata lacks it.\n"
        "           --synthetic   register as synthetic (illustration, not evidence);\n"
        "                         automatic when the metadata says SATMARK_SYNTHETIC=YES\n"
        "           --real        assert real imagery: refused for a synthetic tile\n"
        "           --id ID       entry id (default: file name without extension)\n"
        "           --by NAME     who adds it (default: $SATMARK_USER, else the login name)\n"
        "           --replace     register TILE in place of the entry with the same id\n"
        "                         (e.g. a regenerated demo tile); logged with the old hash\n"
        "list     print the register (--json: as JSON, with each file's path)\n"
        "verify   re-hash every registered file, check the custody chain and that\n"
        "         every file was logged when added; report changed or missing files\n"
        "         and the first broken custody line; record the result in the log\n"
        "         (--no-record: do not; --by NAME: who verifies)\n"
        "\n"
        "exit status: 0 done (verify: everything as registered), 1 failed (verify: a\n"
        "file changed or went missing, or the custody log is broken), 2 bad usage\n",
    .run = run_imagery,
};
