/*
 * cmd_batch — `satmark batch MANIFEST -o DIR [-j N] [--shard I/N]`: renders
 * every figure of a manifest (docs/manifest.md) into DIR.
 *
 * Figures run in N worker processes forked at the start, each rendering one
 * figure at a time, as the parent hands them out: a worker keeps what every
 * figure needs loaded (PROJ's database, fonts, GDAL's caches), so only the
 * first figure of a worker pays for loading it (83 against ~50 ms a figure
 * measured). A figure that crashes, hangs past --timeout (SIGALRM) or runs
 * out of memory takes down only its worker: the parent reports that figure
 * and forks a new worker for the rest. Parent and worker talk through two
 * pipes: the parent writes "INDEX SHA256|-" lines, a worker answers a status
 * line, its messages and a NUL byte; the parent collects answers with poll(),
 * so no worker can block on a full pipe. Progress is a one-line bar when
 * stderr is a terminal, silent otherwise; failures are always reported, with
 * a summary at the end. Exit 1 if any figure failed (the others are still
 * written).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "figure.h"
#include "hashcache.h"
#include "manifest.h"
#include "raster.h"

#define BATCH_MAX_MESSAGE 65536

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

struct worker {
    pid_t pid;     /* 0 = no process */
    int cmd_fd;    /* parent -> worker: figures to render */
    int res_fd;    /* worker -> parent: answers */
    bool busy;     /* a figure is being rendered */
    size_t figure; /* which, when busy */
    char *msg;     /* answer received so far; owned */
    size_t len;
};

struct outcome {
    bool done, ok;
    char *msg; /* status line removed; owned */
};

static int parse(int argc, char **argv, struct batch_args *a)
{
    memset(a, 0, sizeof *a);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    a->jobs = cpus > 0 ? cpus : 1;
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

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
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

/* In a worker: renders one figure and answers "OK" or "FAIL", the messages,
 * then a NUL byte. */
static void render_one(const struct manifest_figure *fig, int fd, long timeout, bool verbose,
                       int threads, const char *tile_sha256, bool sha_cached)
{
    alarm((unsigned)timeout);
    /* Fault injection for tests/e2e/batch_broken.sh: a figure that never
     * finishes, however fast the machine, so the timeout path is tested
     * without racing a slow figure against a short --timeout. */
    const char *hang = getenv("SATMARK_TEST_HANG_FIGURE");
    if (hang && strcmp(hang, fig->name) == 0)
        for (;;)
            pause();
    struct diag *dg = diag_new();
    struct figure_spec spec = fig->spec;
    spec.threads = threads;
    spec.tile_sha256 = tile_sha256;
    spec.tile_sha256_cached = sha_cached;
    spec.record_custody = true; /* appends are flock'ed: workers may record at once */
    bool ok = dg && figure_run(&spec, NULL, dg);
    alarm(0);
    write_all(fd, ok ? "OK\n" : "FAIL\n", ok ? 3 : 5);
    if (dg) {
        if (!ok) {
            write_all(fd, diag_message(dg), strlen(diag_message(dg)));
            write_all(fd, "\n", 1);
        }
        for (size_t i = 0; verbose && i < diag_warning_count(dg); i++) {
            write_all(fd, "warning: ", 9);
            write_all(fd, diag_warning(dg, i), strlen(diag_warning(dg, i)));
            write_all(fd, "\n", 1);
        }
    } else {
        write_all(fd, "out of memory\n", 14);
    }
    write_all(fd, "", 1);
    diag_free(dg);
}

/* A worker: renders the figures the parent sends until its pipe closes;
 * never returns. */
static void worker_loop(const struct manifest *m, int cmd_fd, int res_fd,
                        const struct batch_args *a, int threads)
{
    FILE *in = fdopen(cmd_fd, "r");
    char line[160];
    while (in && fgets(line, sizeof line, in)) {
        char *end;
        unsigned long long idx = strtoull(line, &end, 10);
        if (end == line || *end != ' ' || idx >= manifest_count(m))
            break;
        char sha[HASH_SHA256_HEX_LEN + 1] = "";
        int cached = 0;
        if (sscanf(end + 1, "%64s %d", sha, &cached) != 2)
            break;
        render_one(manifest_figure_at(m, (size_t)idx), res_fd, a->timeout, a->verbose, threads,
                   strcmp(sha, "-") == 0 ? NULL : sha, cached == 1);
    }
    _exit(0);
}

/* Forks worker w; false when no process or pipe could be made. */
static bool spawn(struct worker *w, const struct manifest *m, const struct batch_args *a,
                  struct worker *all, size_t nworkers, int threads)
{
    int cmd[2], res[2];
    if (pipe(cmd) != 0)
        return false;
    if (pipe(res) != 0) {
        close(cmd[0]);
        close(cmd[1]);
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(cmd[0]);
        close(cmd[1]);
        close(res[0]);
        close(res[1]);
        return false;
    }
    if (pid == 0) {
        /* only this worker's ends: another worker's pipe held open here
         * would keep it from ever seeing the end of its input */
        close(cmd[1]);
        close(res[0]);
        for (size_t i = 0; i < nworkers; i++)
            if (all[i].pid > 0) {
                close(all[i].cmd_fd);
                close(all[i].res_fd);
            }
        signal(SIGPIPE, SIG_DFL);
        worker_loop(m, cmd[0], res[1], a, threads);
    }
    close(cmd[0]);
    close(res[1]);
    *w = (struct worker){.pid = pid, .cmd_fd = cmd[1], .res_fd = res[0]};
    return true;
}

/* Hands figure idx (with its tile's hash, may be NULL, and whether the hash
 * came from the hash cache) to idle worker w. */
static bool assign(struct worker *w, size_t idx, const char *sha, bool cached)
{
    char line[160];
    int n = snprintf(line, sizeof line, "%zu %s %d\n", idx, sha ? sha : "-", cached ? 1 : 0);
    const char *p = line;
    while (n > 0) {
        ssize_t k = write(w->cmd_fd, p, (size_t)n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false; /* the worker is gone: its end of the pipe closed */
        p += k;
        n -= (int)k;
    }
    w->busy = true;
    w->figure = idx;
    return true;
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

/* Turns a finished child's pipe text and wait status into an outcome. */
/* The outcome of a figure from its worker's answer (status line, messages). */
static void take_answer(const char *answer, struct outcome *o)
{
    o->done = true;
    o->ok = strncmp(answer, "OK\n", 3) == 0;
    const char *body = strchr(answer, '\n');
    body = body ? body + 1 : "";
    if (!o->ok && !*body)
        body = "failed without a message\n";
    o->msg = strdup(body);
}

/* The outcome of a figure whose worker died while rendering it. */
static void take_death(int status, const char *partial, struct outcome *o, long timeout)
{
    char reason[160];
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(reason, sizeof reason, "timed out after %ld s\n", timeout);
    else if (WIFSIGNALED(status))
        snprintf(reason, sizeof reason, "crashed (signal %d: %s)\n", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(reason, sizeof reason, "its worker exited (status %d)\n",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    /* what the worker said before it died, without the status line */
    const char *body = partial ? strchr(partial, '\n') : NULL;
    body = body ? body + 1 : "";
    size_t n = strlen(reason) + strlen(body) + 1;
    o->done = true;
    o->ok = false;
    o->msg = malloc(n);
    if (o->msg)
        snprintf(o->msg, n, "%s%s", reason, body);
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
    size_t total = 0, n = manifest_count(m);
    size_t *sel = malloc((n ? n : 1) * sizeof *sel);
    struct outcome *out = calloc(n ? n : 1, sizeof *out);
    struct tile_hash *hashes = calloc(n ? n : 1, sizeof *hashes);
    for (size_t i = 0; sel && i < n; i++)
        if (i % a.shard_count == a.shard_index)
            sel[total++] = i;
    /* -j N keeps at most N CPUs busy: N workers, each rendering one figure at
     * a time on one thread; with fewer figures than N, the spare CPUs go to
     * the figures */
    size_t nworkers = total < (size_t)a.jobs ? total : (size_t)a.jobs;
    int threads = nworkers ? (int)((size_t)a.jobs / nworkers) : 1;
    struct worker *workers = calloc(nworkers ? nworkers : 1, sizeof *workers);
    struct pollfd *pfd = calloc(nworkers ? nworkers : 1, sizeof *pfd);
    if (!sel || !out || !hashes || !workers || !pfd) {
        fprintf(stderr, "satmark: error: out of memory\n");
        free(sel);
        free(out);
        free(hashes);
        free(workers);
        free(pfd);
        manifest_free(m);
        diag_free(dg);
        return CLI_FAILED;
    }
    size_t nhashes = 0;
    /* what every worker would load for itself, loaded once before forking;
     * a write to a worker that died must fail, not kill the parent */
    figure_prepare();
    signal(SIGPIPE, SIG_IGN);

    bool tty = isatty(STDERR_FILENO);
    size_t next = 0, done = 0, failed = 0;
    progress(tty, 0, total, 0);
    while (done < total) {
        /* keep every slot with a live worker, and every idle one busy */
        size_t alive = 0;
        for (size_t i = 0; i < nworkers; i++) {
            struct worker *w = &workers[i];
            if (w->pid == 0 && next < total)
                spawn(w, m, &a, workers, nworkers, threads);
            if (w->pid > 0 && !w->busy && next < total) {
                size_t idx = sel[next];
                const struct manifest_figure *fig = manifest_figure_at(m, idx);
                bool cached;
                const char *sha = tile_hash_for(hashes, &nhashes, &fig->spec, &cached);
                if (assign(w, idx, sha, cached))
                    next++;
            }
            alive += w->pid > 0;
        }
        if (alive == 0) { /* no worker could be started: the rest fail */
            for (; next < total; next++) {
                size_t idx = sel[next];
                out[idx] = (struct outcome){true, false, NULL};
                fprintf(stderr, "%ssatmark batch: %s: error: cannot start a worker: %s\n",
                        tty ? "\r\033[K" : "", cli_safe(manifest_figure_at(m, idx)->name),
                        strerror(errno));
                failed++;
                done++;
            }
            break;
        }
        for (size_t i = 0; i < nworkers; i++)
            pfd[i] = (struct pollfd){.fd = workers[i].pid > 0 ? workers[i].res_fd : -1,
                                     .events = POLLIN};
        if (poll(pfd, nworkers, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("satmark batch: poll");
            break;
        }
        for (size_t i = 0; i < nworkers; i++) {
            struct worker *w = &workers[i];
            if (w->pid <= 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t k = read(w->res_fd, buf, sizeof buf);
            if (k < 0 && errno == EINTR)
                continue;
            struct outcome *o = NULL;
            size_t fig_idx = w->figure;
            if (k > 0) {
                if (w->len + (size_t)k < BATCH_MAX_MESSAGE) {
                    char *q = realloc(w->msg, w->len + (size_t)k + 1);
                    if (q) {
                        w->msg = q;
                        memcpy(w->msg + w->len, buf, (size_t)k);
                        w->len += (size_t)k;
                        w->msg[w->len] = '\0';
                    }
                }
                /* a whole answer ends with a NUL byte (the last one read) */
                if (!w->busy || buf[k - 1] != '\0')
                    continue;
                o = &out[fig_idx];
                take_answer(w->msg ? w->msg : "FAIL\nout of memory\n", o);
                w->busy = false;
            } else {
                /* end of the pipe: the worker died (or could not read on) */
                close(w->cmd_fd);
                close(w->res_fd);
                int status = 0;
                while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
                    ;
                w->pid = 0;
                if (w->busy) {
                    o = &out[fig_idx];
                    take_death(status, w->msg, o, a.timeout);
                    w->busy = false;
                }
            }
            free(w->msg);
            w->msg = NULL;
            w->len = 0;
            if (!o)
                continue;
            done++;
            const char *name = manifest_figure_at(m, fig_idx)->name;
            if (!o->ok) {
                failed++;
                if (tty)
                    fprintf(stderr, "\r\033[K");
                print_message(name, o->msg ? o->msg : "out of memory", true);
            } else if (a.verbose && o->msg && *o->msg) {
                if (tty)
                    fprintf(stderr, "\r\033[K");
                print_message(name, o->msg, false);
            }
            progress(tty, done, total, failed);
        }
    }
    /* closing their input ends the workers */
    for (size_t i = 0; i < nworkers; i++) {
        struct worker *w = &workers[i];
        if (w->pid <= 0)
            continue;
        close(w->cmd_fd);
        close(w->res_fd);
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        free(w->msg);
    }
    if (tty)
        fprintf(stderr, "\n");
    fprintf(stderr, "satmark batch: %zu figure(s)%s, %zu written to %s", total,
            a.shard_count > 1 ? " in this shard" : "", total - failed, a.out_dir);
    if (failed) {
        fprintf(stderr, ", %zu failed:", failed);
        for (size_t k = 0; k < total; k++)
            if (out[sel[k]].done && !out[sel[k]].ok)
                fprintf(stderr, " %s", cli_safe(manifest_figure_at(m, sel[k])->name));
    }
    fprintf(stderr, "\n");
    for (size_t i = 0; i < n; i++)
        free(out[i].msg);
    free(out);
    free(sel);
    free(workers);
    free(pfd);
    free(hashes);
    manifest_free(m);
    diag_free(dg);
    return failed ? CLI_FAILED : CLI_OK;
}

const struct cli_command cli_cmd_batch = {
    .name = "batch",
    .summary = "render every figure of a manifest, in parallel",
    .usage = batch_usage,
    .run = run_batch,
};
