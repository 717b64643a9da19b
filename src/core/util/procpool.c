/*
 * procpool — see procpool.h. A worker's state is one slot of the parent's
 * table: its pid (0: none), its two pipe ends, whether it is busy and with
 * which job, and the answer received so far.
 */
#include "procpool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct worker {
    pid_t pid;  /* 0 = no process */
    int cmd_fd; /* parent -> worker: jobs */
    int res_fd; /* worker -> parent: answers */
    bool busy;  /* a job is running */
    size_t job; /* which, when busy */
    char *msg;  /* answer received so far; owned */
    size_t len;
};

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

/* ---- the worker side --------------------------------------------------------- */

/* Runs one job under the timeout and answers "OK" or "FAIL", the message,
 * then a NUL byte. */
static void run_job(const struct procpool_options *opt, size_t job, const char *arg, int fd)
{
    char *message = NULL;
    alarm(opt->timeout_s);
    bool ok = opt->work(opt->ctx, job, arg, &message);
    alarm(0);
    write_all(fd, ok ? "OK\n" : "FAIL\n", ok ? 3 : 5);
    if (message)
        write_all(fd, message, strlen(message));
    write_all(fd, "", 1);
    free(message);
}

/* A worker: runs the jobs the parent sends until its pipe closes; never
 * returns. */
static void worker_loop(const struct procpool_options *opt, int cmd_fd, int res_fd)
{
    FILE *in = fdopen(cmd_fd, "r");
    char line[PROCPOOL_ARG_MAX + 32];
    while (in && fgets(line, sizeof line, in)) {
        char *end;
        errno = 0;
        unsigned long long job = strtoull(line, &end, 10);
        if (end == line || *end != ' ' || errno)
            break;
        char *arg = end + 1;
        arg[strcspn(arg, "\n")] = '\0';
        run_job(opt, (size_t)job, arg, res_fd);
    }
    _exit(0);
}

/* ---- the parent side --------------------------------------------------------- */

/* Forks worker w; false (errno set) when no process or pipe could be made. */
static bool spawn(const struct procpool_options *opt, struct worker *w, struct worker *all,
                  size_t nworkers)
{
    int cmd[2], res[2];
    if (pipe(cmd) != 0)
        return false;
    if (pipe(res) != 0) {
        int e = errno;
        close(cmd[0]);
        close(cmd[1]);
        errno = e;
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(cmd[0]);
        close(cmd[1]);
        close(res[0]);
        close(res[1]);
        errno = e;
        return false;
    }
    if (pid == 0) {
        close(cmd[1]);
        close(res[0]);
        for (size_t i = 0; i < nworkers; i++)
            if (all[i].pid > 0) {
                close(all[i].cmd_fd);
                close(all[i].res_fd);
            }
        signal(SIGPIPE, SIG_DFL);
        worker_loop(opt, cmd[0], res[1]);
    }
    close(cmd[0]);
    close(res[1]);
    *w = (struct worker){.pid = pid, .cmd_fd = cmd[1], .res_fd = res[0]};
    return true;
}

/* Hands job (with its argument line) to idle worker w; false when the
 * worker is gone (its end of the pipe closed). */
static bool assign(const struct procpool_options *opt, struct worker *w, size_t job)
{
    char arg[PROCPOOL_ARG_MAX] = "";
    if (opt->prepare)
        opt->prepare(opt->ctx, job, arg, sizeof arg);
    arg[strcspn(arg, "\n")] = '\0';
    char line[PROCPOOL_ARG_MAX + 32];
    int n = snprintf(line, sizeof line, "%zu %s\n", job, arg);
    const char *p = line;
    while (n > 0) {
        ssize_t k = write(w->cmd_fd, p, (size_t)n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (int)k;
    }
    w->busy = true;
    w->job = job;
    return true;
}

/* Reports a job that answered (answer: status line, then its message). */
static void report_answer(const struct procpool_options *opt, size_t job, const char *answer)
{
    struct procpool_result r = {.job = job, .end = PROCPOOL_ANSWERED};
    r.ok = strncmp(answer, "OK\n", 3) == 0;
    const char *body = strchr(answer, '\n');
    body = body ? body + 1 : "";
    if (!r.ok && !*body)
        body = "failed without a message\n";
    r.message = body;
    opt->done(opt->ctx, &r);
}

/* Reports a job whose worker died (wait status) while running it, with what
 * the worker said before (partial, may be NULL). */
static void report_death(const struct procpool_options *opt, size_t job, int status,
                         const char *partial)
{
    struct procpool_result r = {.job = job};
    char reason[160];
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        r.end = PROCPOOL_TIMED_OUT;
        snprintf(reason, sizeof reason, "timed out after %u s\n", opt->timeout_s);
    } else if (WIFSIGNALED(status)) {
        r.end = PROCPOOL_CRASHED;
        r.signal = WTERMSIG(status);
        snprintf(reason, sizeof reason, "crashed (signal %d: %s)\n", r.signal,
                 strsignal(r.signal));
    } else {
        r.end = PROCPOOL_EXITED;
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        snprintf(reason, sizeof reason, "its worker exited (status %d)\n", r.status);
    }
    const char *body = partial ? strchr(partial, '\n') : NULL;
    body = body ? body + 1 : "";
    size_t n = strlen(reason) + strlen(body) + 1;
    char *msg = malloc(n);
    if (msg)
        snprintf(msg, n, "%s%s", reason, body);
    r.message = msg ? msg : "out of memory\n";
    opt->done(opt->ctx, &r);
    free(msg);
}

static void report_not_started(const struct procpool_options *opt, size_t job, int error)
{
    char msg[200];
    snprintf(msg, sizeof msg, "cannot start a worker: %s\n", strerror(error));
    struct procpool_result r = {.job = job, .end = PROCPOOL_NOT_STARTED, .error = error,
                                .message = msg};
    opt->done(opt->ctx, &r);
}

/* Reads what worker w has written; reports its job when the answer is
 * complete or the worker died. Returns how many jobs it reported (0 or 1). */
static size_t collect(const struct procpool_options *opt, struct worker *w)
{
    char buf[4096];
    ssize_t k = read(w->res_fd, buf, sizeof buf);
    if (k < 0 && errno == EINTR)
        return 0;
    size_t reported = 0;
    if (k > 0) {
        if (w->len + (size_t)k < PROCPOOL_MAX_MESSAGE) {
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
            return 0;
        w->busy = false;
        report_answer(opt, w->job, w->msg ? w->msg : "FAIL\nout of memory\n");
        reported = 1;
    } else {
        /* end of the pipe: the worker died (or could not read on) */
        close(w->cmd_fd);
        close(w->res_fd);
        int status = 0;
        while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
            ;
        w->pid = 0;
        if (w->busy) {
            w->busy = false;
            report_death(opt, w->job, status, w->msg);
            reported = 1;
        }
    }
    free(w->msg);
    w->msg = NULL;
    w->len = 0;
    return reported;
}

/* Closing their input ends the workers; waits for each. */
static void stop_all(struct worker *workers, size_t nworkers)
{
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
}

bool procpool_run(const struct procpool_options *opt, const size_t *jobs, size_t njobs)
{
    size_t nworkers = njobs < opt->workers ? njobs : opt->workers;
    if (nworkers == 0)
        nworkers = njobs ? 1 : 0;
    struct worker *workers = calloc(nworkers ? nworkers : 1, sizeof *workers);
    struct pollfd *pfd = calloc(nworkers ? nworkers : 1, sizeof *pfd);
    if (!workers || !pfd) {
        free(workers);
        free(pfd);
        for (size_t i = 0; i < njobs; i++)
            report_not_started(opt, jobs[i], ENOMEM);
        return true;
    }
    void (*old_sigpipe)(int) = signal(SIGPIPE, SIG_IGN);
    bool ok = true;
    size_t next = 0, done = 0;
    while (done < njobs) {
        /* keep every slot with a live worker, and every idle one busy */
        size_t alive = 0;
        int spawn_error = 0;
        for (size_t i = 0; i < nworkers; i++) {
            struct worker *w = &workers[i];
            if (w->pid == 0 && next < njobs && !spawn(opt, w, workers, nworkers))
                spawn_error = errno;
            if (w->pid > 0 && !w->busy && next < njobs && assign(opt, w, jobs[next]))
                next++;
            alive += w->pid > 0;
        }
        if (alive == 0) { /* no worker could be started: the rest fail */
            for (; next < njobs; next++, done++)
                report_not_started(opt, jobs[next], spawn_error);
            break;
        }
        for (size_t i = 0; i < nworkers; i++)
            pfd[i] = (struct pollfd){.fd = workers[i].pid > 0 ? workers[i].res_fd : -1,
                                     .events = POLLIN};
        if (poll(pfd, nworkers, -1) < 0) {
            if (errno == EINTR)
                continue;
            ok = false;
            break;
        }
        for (size_t i = 0; i < nworkers; i++)
            if (workers[i].pid > 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                done += collect(opt, &workers[i]);
    }
    int e = errno;
    stop_all(workers, nworkers);
    signal(SIGPIPE, old_sigpipe);
    free(workers);
    free(pfd);
    errno = e;
    return ok;
}
