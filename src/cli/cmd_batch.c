/*
 * cmd_batch — `satmark batch MANIFEST -o DIR [-j N] [--shard I/N]`: renders
 * every figure of a manifest (docs/manifest.md) into DIR.
 *
 * Figures run on a process pool (util/procpool.h): N workers forked at the
 * start, each rendering one figure at a time, keep what every figure needs
 * loaded (PROJ's database, fonts, GDAL's caches), so only the first figure
 * of a worker pays for loading it (83 against ~50 ms a figure measured). A
 * figure that crashes, hangs past --timeout or runs out of memory takes down
 * only its worker. This file says what a job is (a manifest figure, with its
 * tile's SHA-256 hashed once in the parent and handed over as the job's
 * argument "SHA256|- CACHED") and how outcomes are shown: a one-line bar
 * when stderr is a terminal, silent otherwise; failures are always
 * reported, with a summary at the end. Exit 1 if any figure failed (the
 * others are still written).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cpucount.h"
#include "figure.h"
#include "hashcache.h"
#include "manifest.h"
#include "procpool.h"
#include "raster.h"

static const char batch_usage[] =
    "usage: satmark batch MANIFEST -o DIR [-j N] [--shard I/N] [--timeout SEC] [-v]\n"
    "\n"
    "Renders every figure of MANIFEST (format: docs/manifest.md) to DIR/NAME.png\n"
    "(+ .pgw and .png.aux.xml), N figures at a time, each in its own process.\n"
    "\n"
    "  -o DIR          output directory (created if missing)\n"
    "  -j N            parallel workers (default: the number of CPUs)\n"
    "  --shard I/N     only figures k with k % N == I (I from 0 to N-1), so N\n"
    "                  machines or array jobs split one manifest\n"
    "  --timeout SEC   a figure taking longer is stopped and fails (default 600)\n"
    "  -v              also print every figure's warnings\n"
    "\n"
    "A failing figure is reported and the others still run. Exit status: 0 all\n"
    "written, 1 some failed (summary on stderr), 2 usage.\n";

struct batch_args {
    const char *manifest;
    const char *out_dir;
    long jobs;
    size_t shard_index, shard_count;
    long timeout;
    bool verbose;
};

static int parse(int argc, char **argv, struct batch_args *a)
{
    memset(a, 0, sizeof *a);
    a->jobs = cpucount_online();
    a->shard_count = 1;
    a->timeout = 600;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (!val)
                return cli_usage_error("batch", "-o needs a directory");
            a->out_dir = val;
            i++;
        } else if (strcmp(arg, "-j") == 0 || strcmp(arg, "--jobs") == 0) {
            long v = val ? strtol(val, &end, 10) : 0;
            if (!val || *end || v < 1 || v > 256)
                return cli_usage_error("batch", "-j needs a number from 1 to 256");
            a->jobs = v;
            i++;
        } else if (strcmp(arg, "--shard") == 0) {
            if (!val || !manifest_parse_shard(val, &a->shard_index, &a->shard_count))
                return cli_usage_error("batch", "--shard needs I/N with 0 <= I < N");
            i++;
        } else if (strcmp(arg, "--timeout") == 0) {
            long v = val ? strtol(val, &end, 10) : 0;
            if (!val || *end || v < 1 || v > 86400)
                return cli_usage_error("batch", "--timeout needs seconds from 1 to 86400");
            a->timeout = v;
            i++;
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            a->verbose = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("batch", "unknown option '%s'", arg);
        } else if (!a->manifest) {
            a->manifest = arg;
        } else {
            return cli_usage_error("batch", "only one MANIFEST, got '%s' too", arg);
        }
    }
    if (!a->manifest)
        return cli_usage_error("batch", "missing MANIFEST");
    if (!a->out_dir)
        return cli_usage_error("batch", "missing -o DIR");
    return CLI_OK;
}

/* mkdir -p */
static bool make_dirs(const char *path, struct diag *dg)
{
    size_t n = strlen(path);
    char *p = malloc(n + 1);
    if (!p) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            diag_error(dg, "%s: cannot create directory: %s", p, strerror(errno));
            free(p);
            return false;
        }
        p[i] = c;
    }
    free(p);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        diag_error(dg, "%s: not a directory", path);
        return false;
    }
    return true;
}

/* Each tile is hashed once, in the parent, and the hash handed to every
 * figure of that tile: a manifest usually makes many figures of one tile,
 * and hashing a large tile costs as much as drawing a figure. */
struct tile_hash {
    const char *tile; /* borrowed from the manifest */
    bool ok;
    bool cached; /* hex came from the hash cache */
    char hex[HASH_SHA256_HEX_LEN + 1];
};

/* What the pool's callbacks share: the manifest and options (borrowed), the
 * tile hashes (parent), the failures and the progress bar (parent). */
struct batch_run {
    const struct manifest *m;
    const struct batch_args *a;
    int threads;             /* per figure */
    struct tile_hash *hashes; /* one per distinct tile, owned */
    size_t nhashes;
    bool *failed;            /* by manifest index, owned */
    size_t total, done, nfailed;
    bool tty;
};

/* The SHA-256 of fig's tile (borrowed from cache), or NULL when the figure
 * hashes it itself (hash off, a remote tile, or hashing failed: the worker
 * then reports why). */
static const char *tile_hash_for(struct tile_hash *cache, size_t *ncache,
                                 const struct figure_spec *spec, bool *cached)
{
    *cached = false;
    if (!spec->hash_tile || !raster_path_is_local(spec->tile))
        return NULL;
    for (size_t i = 0; i < *ncache; i++)
        if (strcmp(cache[i].tile, spec->tile) == 0) {
            *cached = cache[i].cached;
            return cache[i].ok ? cache[i].hex : NULL;
        }
    struct tile_hash *t = &cache[(*ncache)++];
    t->tile = spec->tile;
    struct diag *quiet = diag_new();
    char file[4096];
    t->ok = quiet && hashcache_sha256(raster_hashed_file(spec->tile, file, sizeof file), t->hex,
                                      &t->cached, quiet);
    *cached = t->cached;
    diag_free(quiet);
    return t->ok ? t->hex : NULL;
}

/* In the parent, as figure idx is handed out: "SHA256|- CACHED". */
static void prepare_figure(void *ctx, size_t idx, char *arg, size_t cap)
{
    struct batch_run *run = ctx;
    bool cached;
    const char *sha = tile_hash_for(run->hashes, &run->nhashes,
                                    &manifest_figure_at(run->m, idx)->spec, &cached);
    snprintf(arg, cap, "%s %d", sha ? sha : "-", cached ? 1 : 0);
}

/* The figure's error and (with -v) warnings, as '\n'-terminated lines
 * (owned; NULL when out of memory). */
static char *figure_messages(const struct diag *dg, bool ok, bool verbose)
{
    size_t n = 1;
    if (!ok)
        n += strlen(diag_message(dg)) + 1;
    for (size_t i = 0; verbose && i < diag_warning_count(dg); i++)
        n += strlen("warning: ") + strlen(diag_warning(dg, i)) + 1;
    char *msg = malloc(n), *p = msg;
    if (!msg)
        return NULL;
    *p = '\0';
    if (!ok)
        p += sprintf(p, "%s\n", diag_message(dg));
    for (size_t i = 0; verbose && i < diag_warning_count(dg); i++)
        p += sprintf(p, "warning: %s\n", diag_warning(dg, i));
    return msg;
}

/* In a worker: renders figure idx with the tile hash arg carries. */
static bool render_figure(void *ctx, size_t idx, const char *arg, char **message)
{
    const struct batch_run *run = ctx;
    char sha[HASH_SHA256_HEX_LEN + 1] = "";
    int cached = 0;
    if (idx >= manifest_count(run->m) || sscanf(arg, "%64s %d", sha, &cached) != 2) {
        *message = strdup("bad job from the batch parent\n");
        return false;
    }
    const struct manifest_figure *fig = manifest_figure_at(run->m, idx);
    /* Fault injection for tests/e2e/batch_broken.sh: a figure that never
     * finishes, however fast the machine, so the timeout path is tested
     * without racing a slow figure against a short --timeout. */
    const char *hang = getenv("SATMARK_TEST_HANG_FIGURE");
    if (hang && strcmp(hang, fig->name) == 0)
        for (;;)
            pause();
    struct diag *dg = diag_new();
    struct figure_spec spec = fig->spec;
    spec.threads = run->threads;
    spec.tile_sha256 = strcmp(sha, "-") == 0 ? NULL : sha;
    spec.tile_sha256_cached = cached == 1;
    spec.record_custody = true; /* appends are flock'ed: workers may record at once */
    bool ok = dg && figure_run(&spec, NULL, dg);
    *message = dg ? figure_messages(dg, ok, run->a->verbose) : strdup("out of memory\n");
    diag_free(dg);
    return ok;
}

static void progress(bool tty, size_t done, size_t total, size_t failed)
{
    if (!tty)
        return;
    int width = 30, filled = total ? (int)(width * done / total) : width;
    fprintf(stderr, "\r\033[K[");
    for (int i = 0; i < width; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %zu/%zu figures", done, total);
    if (failed)
        fprintf(stderr, ", %zu failed", failed);
    fflush(stderr);
}

static void print_message(const char *name, const char *msg, bool failed)
{
    const char *p = msg;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        /* A worker labels its warnings itself ("warning: ..."); only the
         * other lines of a failed figure are its error. */
        bool is_warning = strncmp(p, "warning: ", 9) == 0;
        fprintf(stderr, "satmark batch: %s: %s%.*s\n", cli_safe(name),
                failed && !is_warning ? "error: " : "", len, p);
        p = nl ? nl + 1 : NULL;
    }
}

/* In the parent, as each figure ends: its messages and the progress bar. */
static void figure_done(void *ctx, const struct procpool_result *r)
{
    struct batch_run *run = ctx;
    bool ok = r->end == PROCPOOL_ANSWERED && r->ok;
    const char *name = manifest_figure_at(run->m, r->job)->name;
    run->done++;
    if (!ok) {
        run->failed[r->job] = true;
        run->nfailed++;
        if (run->tty)
            fprintf(stderr, "\r\033[K");
        print_message(name, r->message, true);
    } else if (run->a->verbose && *r->message) {
        if (run->tty)
            fprintf(stderr, "\r\033[K");
        print_message(name, r->message, false);
    }
    progress(run->tty, run->done, run->total, run->nfailed);
}

static void print_summary(const struct batch_run *run, const size_t *sel)
{
    const struct batch_args *a = run->a;
    if (run->tty)
        fprintf(stderr, "\n");
    fprintf(stderr, "satmark batch: %zu figure(s)%s, %zu written to %s", run->total,
            a->shard_count > 1 ? " in this shard" : "", run->total - run->nfailed, a->out_dir);
    if (run->nfailed) {
        fprintf(stderr, ", %zu failed:", run->nfailed);
        for (size_t k = 0; k < run->total; k++)
            if (run->failed[sel[k]])
                fprintf(stderr, " %s", cli_safe(manifest_figure_at(run->m, sel[k])->name));
    }
    fprintf(stderr, "\n");
}

static int run_batch(int argc, char **argv)
{
    struct batch_args a;
    int rc = parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    struct diag *dg = diag_new();
    struct manifest *m = NULL;
    if (!dg || !manifest_read(a.manifest, a.out_dir, &m, dg) || !make_dirs(a.out_dir, dg)) {
        cli_report(dg);
        diag_free(dg);
        manifest_free(m);
        return CLI_FAILED;
    }
    size_t n = manifest_count(m);
    struct batch_run run = {.m = m, .a = &a, .tty = isatty(STDERR_FILENO)};
    size_t *sel = malloc((n ? n : 1) * sizeof *sel);
    run.failed = calloc(n ? n : 1, sizeof *run.failed);
    run.hashes = calloc(n ? n : 1, sizeof *run.hashes);
    if (!sel || !run.failed || !run.hashes) {
        fprintf(stderr, "satmark: error: out of memory\n");
        free(sel);
        free(run.failed);
        free(run.hashes);
        manifest_free(m);
        diag_free(dg);
        return CLI_FAILED;
    }
    for (size_t i = 0; i < n; i++)
        if (i % a.shard_count == a.shard_index)
            sel[run.total++] = i;
    /* -j N keeps at most N CPUs busy: N workers, each rendering one figure at
     * a time on one thread; with fewer figures than N, the spare CPUs go to
     * the figures */
    size_t nworkers = run.total < (size_t)a.jobs ? run.total : (size_t)a.jobs;
    run.threads = nworkers ? (int)((size_t)a.jobs / nworkers) : 1;
    /* what every worker would load for itself, loaded once before forking */
    figure_prepare();
    const struct procpool_options pool = {
        .workers = nworkers,
        .timeout_s = (unsigned)a.timeout,
        .ctx = &run,
        .prepare = prepare_figure,
        .work = render_figure,
        .done = figure_done,
    };
    progress(run.tty, 0, run.total, 0);
    bool waited = procpool_run(&pool, sel, run.total);
    if (!waited)
        perror("satmark batch: poll");
    print_summary(&run, sel);
    free(run.failed);
    free(sel);
    free(run.hashes);
    manifest_free(m);
    diag_free(dg);
    return run.nfailed || !waited ? CLI_FAILED : CLI_OK;
}

const struct cli_command cli_cmd_batch = {
    .name = "batch",
    .summary = "render every figure of a manifest, in parallel",
    .usage = batch_usage,
    .run = run_batch,
};
