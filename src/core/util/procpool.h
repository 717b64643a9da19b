/*
 * procpool — runs jobs in a pool of forked worker processes, so that a job
 * that crashes, hangs or runs out of memory takes down only its worker.
 *
 * The parent forks up to `workers` processes at the start; each runs one job
 * at a time, as the parent hands them out, and keeps what it loaded between
 * jobs (batch's figures share PROJ's database, fonts and GDAL's caches). A
 * worker that dies is reported for the job it was running and replaced for
 * the rest. Parent and worker talk through two pipes: the parent writes
 * "JOB ARG" lines, a worker answers "OK" or "FAIL", its message and a NUL
 * byte; the parent collects answers with poll(), so no worker can block on
 * a full pipe.
 *
 * Invariants:
 *   - done() is called exactly once for every job given, in the parent, in
 *     the order the jobs finish; work() runs only in a worker.
 *   - A job that runs past timeout_s is killed by SIGALRM and reported as
 *     timed out; its worker is replaced.
 *   - A worker holds only its own pipes (another worker's end held open
 *     would keep that worker from ever seeing the end of its input).
 *   - While procpool_run runs, SIGPIPE is ignored in the parent (a write to
 *     a dead worker fails instead of killing it); the previous disposition
 *     is restored before it returns. Workers get SIGPIPE's default.
 *   - An answer is kept up to PROCPOOL_MAX_MESSAGE bytes; the rest is dropped.
 */
#ifndef SATMARK_PROCPOOL_H
#define SATMARK_PROCPOOL_H

#include <stdbool.h>
#include <stddef.h>

#define PROCPOOL_MAX_MESSAGE 65536
#define PROCPOOL_ARG_MAX 128 /* an argument line, with its NUL */

/* How a job ended. */
enum procpool_end {
    PROCPOOL_ANSWERED,    /* work() returned: ok says what it returned */
    PROCPOOL_TIMED_OUT,   /* killed after timeout_s */
    PROCPOOL_CRASHED,     /* its worker died of a signal (signal) */
    PROCPOOL_EXITED,      /* its worker exited while running it (status) */
    PROCPOOL_NOT_STARTED, /* no worker could be forked (error: errno) */
};

struct procpool_result {
    size_t job;
    bool ok; /* only when end == PROCPOOL_ANSWERED */
    enum procpool_end end;
    int signal, status, error;
    /* borrowed for the call: work()'s message; for a job that did not
     * answer, a line saying why ("timed out after 5 s", "crashed (signal
     * 11: Segmentation fault)", "its worker exited (status 3)", "cannot
     * start a worker: ...") then whatever the worker wrote before it died.
     * A failed answer without a message reads "failed without a message".
     * Lines end with '\n'; never NULL (out of memory: "out of memory\n"). */
    const char *message;
};

struct procpool_options {
    size_t workers;     /* >= 1; more than jobs are never forked */
    unsigned timeout_s; /* per job; 0: none */
    void *ctx;          /* passed to the three functions */
    /* In the parent, just before job is handed out: its argument line (no
     * newline) into arg (cap bytes, zeroed). May be NULL: an empty line. */
    void (*prepare)(void *ctx, size_t job, char *arg, size_t cap);
    /* In a worker: runs job with the argument prepare wrote (borrowed);
     * returns success, and may set *message (malloc'd, '\n'-terminated
     * lines; the pool frees it) to what should be reported. */
    bool (*work)(void *ctx, size_t job, const char *arg, char **message);
    /* In the parent, once a job has ended (r and its message borrowed). */
    void (*done)(void *ctx, const struct procpool_result *r);
};

/* Runs jobs[0..njobs) (borrowed) on the pool opt describes and returns when
 * every job has been reported to done(). False only when the parent could
 * not wait for its workers (poll failed, errno set): the jobs not reported
 * by then were not run to an end. */
bool procpool_run(const struct procpool_options *opt, const size_t *jobs, size_t njobs);

#endif
