/*
 * cmd_batch — `satmark batch MANIFEST -o DIR [-j N] [--shard I/N]`: renders
 * every figure of a manifest (docs/manifest.md) into DIR.
 *
 * Each figure runs in its own forked process (at most N at a time): a figure
 * that crashes, hangs past --timeout or runs out of memory takes only itself
 * down, and GDAL, PROJ and fontconfig state is never shared between figures.
 * A child reports through a pipe: a status line, then its messages; the
 * parent collects them with poll(), so no child can block on a full pipe.
 * Progress is a one-line bar when stderr is a terminal, silent otherwise;
 * failures are always reported, with a summary at the end. Exit 1 if any
 * figure failed (the others are still written).
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

struct child {
    pid_t pid;
    int fd;
    size_t figure;
    char *msg;
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
    char hex[HASH_SHA256_HEX_LEN + 1];
};

/* The SHA-256 of fig's tile (borrowed from cache), or NULL when the figure
 * hashes it itself (hash off, a remote tile, or hashing failed: the worker
 * then reports why). */
static const char *tile_hash_for(struct tile_hash *cache, size_t *ncache,
                                 const struct figure_spec *spec)
{
    if (!spec->hash_tile || raster_path_is_remote(spec->tile) ||
        strncmp(spec->tile, "/vsi", 4) == 0)
        return NULL;
    for (size_t i = 0; i < *ncache; i++)
        if (strcmp(cache[i].tile, spec->tile) == 0)
            return cache[i].ok ? cache[i].hex : NULL;
    struct tile_hash *t = &cache[(*ncache)++];
    t->tile = spec->tile;
    struct diag *quiet = diag_new();
    t->ok = quiet && hashcache_sha256(spec->tile, t->hex, NULL, quiet);
    diag_free(quiet);
    return t->ok ? t->hex : NULL;
}

/* The child: render one figure, report through fd, never return. */
static void run_child(const struct manifest_figure *fig, int fd, long timeout, bool verbose,
                      int threads, const char *tile_sha256)
{
    alarm((unsigned)timeout);
    struct diag *dg = diag_new();
    struct figure_spec spec = fig->spec;
    spec.threads = threads;
    spec.tile_sha256 = tile_sha256;
    bool ok = dg && figure_run(&spec, NULL, dg);
    char line[64];
    snprintf(line, sizeof line, "%s\n", ok ? "OK" : "FAIL");
    write_all(fd, line, strlen(line));
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
    diag_free(dg);
    close(fd);
    _exit(ok ? 0 : 1);
}

static bool spawn(struct child *c, const struct manifest_figure *fig, size_t index,
                  const struct batch_args *a, struct child *running, size_t nrunning,
                  int threads, const char *tile_sha256)
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < nrunning; i++)
            close(running[i].fd);
        run_child(fig, fds[1], a->timeout, a->verbose, threads, tile_sha256);
    }
    close(fds[1]);
    *c = (struct child){.pid = pid, .fd = fds[0], .figure = index};
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
static void finish(struct child *c, int status, struct outcome *o, long timeout)
{
    bool said_ok = c->msg && strncmp(c->msg, "OK\n", 3) == 0;
    const char *body = c->msg ? strchr(c->msg, '\n') : NULL;
    body = body ? body + 1 : "";
    o->done = true;
    o->ok = said_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    char reason[160] = "";
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGALRM)
            snprintf(reason, sizeof reason, "timed out after %ld s\n", timeout);
        else
            snprintf(reason, sizeof reason, "crashed (signal %d: %s)\n", sig, strsignal(sig));
    } else if (!o->ok && !*body) {
        snprintf(reason, sizeof reason, "failed without a message (exit %d)\n",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    size_t n = strlen(reason) + strlen(body) + 1;
    o->msg = malloc(n);
    if (o->msg)
        snprintf(o->msg, n, "%s%s", reason, body);
    free(c->msg);
    c->msg = NULL;
}

static void print_message(const char *name, const char *msg, bool failed)
{
    const char *p = msg;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "satmark batch: %s: %s%.*s\n", name, failed ? "error: " : "", len, p);
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
    struct child *running = calloc((size_t)a.jobs, sizeof *running);
    if (!sel || !out || !running) {
        fprintf(stderr, "satmark: error: out of memory\n");
        free(sel);
        free(out);
        free(running);
        manifest_free(m);
        diag_free(dg);
        return CLI_FAILED;
    }
    for (size_t i = 0; i < n; i++)
        if (i % a.shard_count == a.shard_index)
            sel[total++] = i;

    /* -j N keeps at most N CPUs busy: N figures at a time on one thread
     * each; when there are fewer figures than N, they share the spare CPUs */
    size_t workers = total < (size_t)a.jobs ? total : (size_t)a.jobs;
    int threads = workers ? (int)((size_t)a.jobs / workers) : 1;
    struct tile_hash *hashes = calloc(n ? n : 1, sizeof *hashes);
    size_t nhashes = 0;
    /* what every worker would load for itself, loaded once before forking */
    figure_prepare();

    bool tty = isatty(STDERR_FILENO);
    size_t next = 0, nrunning = 0, done = 0, failed = 0;
    progress(tty, 0, total, 0);
    while (next < total || nrunning > 0) {
        while (nrunning < (size_t)a.jobs && next < total) {
            size_t idx = sel[next];
            const struct manifest_figure *fig = manifest_figure_at(m, idx);
            const char *sha = hashes ? tile_hash_for(hashes, &nhashes, &fig->spec) : NULL;
            if (!spawn(&running[nrunning], fig, idx, &a, running, nrunning, threads, sha)) {
                out[idx].done = true;
                out[idx].msg = NULL;
                fprintf(stderr, "%ssatmark batch: %s: error: cannot start a worker: %s\n",
                        tty ? "\r\033[K" : "", manifest_figure_at(m, idx)->name,
                        strerror(errno));
                failed++;
                done++;
                next++;
                continue;
            }
            nrunning++;
            next++;
        }
        if (nrunning == 0)
            continue;
        struct pollfd pfd[256];
        for (size_t i = 0; i < nrunning; i++)
            pfd[i] = (struct pollfd){.fd = running[i].fd, .events = POLLIN};
        if (poll(pfd, nrunning, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("satmark batch: poll");
            break;
        }
        for (size_t i = nrunning; i-- > 0;) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct child *c = &running[i];
            char buf[4096];
            ssize_t k = read(c->fd, buf, sizeof buf);
            if (k < 0 && errno == EINTR)
                continue;
            if (k > 0) {
                if (c->len + (size_t)k < BATCH_MAX_MESSAGE) {
                    char *q = realloc(c->msg, c->len + (size_t)k + 1);
                    if (q) {
                        c->msg = q;
                        memcpy(c->msg + c->len, buf, (size_t)k);
                        c->len += (size_t)k;
                        c->msg[c->len] = '\0';
                    }
                }
                continue;
            }
            /* EOF: the child is exiting */
            close(c->fd);
            int status = 0;
            while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
                ;
            struct outcome *o = &out[c->figure];
            finish(c, status, o, a.timeout);
            done++;
            const char *name = manifest_figure_at(m, c->figure)->name;
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
            running[i] = running[nrunning - 1];
            nrunning--;
            progress(tty, done, total, failed);
        }
    }
    if (tty)
        fprintf(stderr, "\n");
    fprintf(stderr, "satmark batch: %zu figure(s)%s, %zu written to %s", total,
            a.shard_count > 1 ? " in this shard" : "", total - failed, a.out_dir);
    if (failed) {
        fprintf(stderr, ", %zu failed:", failed);
        for (size_t k = 0; k < total; k++)
            if (out[sel[k]].done && !out[sel[k]].ok)
                fprintf(stderr, " %s", manifest_figure_at(m, sel[k])->name);
    }
    fprintf(stderr, "\n");
    for (size_t i = 0; i < n; i++)
        free(out[i].msg);
    free(out);
    free(sel);
    free(running);
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
