/* Unit tests of procpool with real child processes: every job is reported
 * exactly once with what its worker answered; a worker is reused between
 * jobs and replaced after it crashes, exits or times out, and the job it was
 * running is reported with the reason; the argument the parent prepares
 * reaches the worker. Nothing here waits by sleeping: the parent blocks on
 * the workers' pipes, and the one timed-out job is ended by the pool's own
 * alarm (1 s). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "procpool.h"

enum kind { JOB_OK, JOB_FAIL, JOB_FAIL_SILENT, JOB_CRASH, JOB_EXIT, JOB_HANG };

#define MAX_JOBS 64

struct seen {
    const enum kind *kinds; /* by job number */
    int reports[MAX_JOBS];  /* done() calls per job */
    struct procpool_result result[MAX_JOBS];
    char message[MAX_JOBS][256];
    long pid[MAX_JOBS]; /* worker pid, from an answered job's message */
    size_t order[MAX_JOBS], nreported;
};

static void prepare(void *ctx, size_t job, char *arg, size_t cap)
{
    (void)ctx;
    snprintf(arg, cap, "arg-%zu", job);
}

static bool work(void *ctx, size_t job, const char *arg, char **message)
{
    const struct seen *s = ctx;
    char text[128];
    snprintf(text, sizeof text, "pid %ld %s\n", (long)getpid(), arg);
    switch (s->kinds[job]) {
    case JOB_OK:
        *message = strdup(text);
        return true;
    case JOB_FAIL:
        *message = strdup(text);
        return false;
    case JOB_FAIL_SILENT:
        return false;
    case JOB_CRASH:
        raise(SIGKILL);
        break;
    case JOB_EXIT:
        _exit(3);
    case JOB_HANG:
        for (;;)
            pause();
    }
    return false;
}

static void done(void *ctx, const struct procpool_result *r)
{
    struct seen *s = ctx;
    assert_true(r->job < MAX_JOBS);
    assert_non_null(r->message);
    s->reports[r->job]++;
    s->result[r->job] = *r;
    snprintf(s->message[r->job], sizeof s->message[r->job], "%s", r->message);
    s->result[r->job].message = s->message[r->job];
    s->pid[r->job] = strncmp(r->message, "pid ", 4) == 0 ? strtol(r->message + 4, NULL, 10) : 0;
    s->order[s->nreported++] = r->job;
}

static void run(struct seen *s, const enum kind *kinds, size_t njobs, size_t workers,
                unsigned timeout_s)
{
    memset(s, 0, sizeof *s);
    s->kinds = kinds;
    size_t jobs[MAX_JOBS] = {0};
    for (size_t i = 0; i < njobs; i++)
        jobs[i] = i;
    struct procpool_options opt = {.workers = workers, .timeout_s = timeout_s, .ctx = s,
                                   .prepare = prepare, .work = work, .done = done};
    assert_true(procpool_run(&opt, jobs, njobs));
    assert_int_equal(s->nreported, njobs);
    for (size_t i = 0; i < njobs; i++)
        assert_int_equal(s->reports[i], 1);
}

static void every_outcome_reported_once(void **state)
{
    (void)state;
    /* one worker, so the jobs run in this order in a known process */
    static const enum kind kinds[] = {JOB_OK,  JOB_FAIL, JOB_FAIL_SILENT, JOB_CRASH,
                                      JOB_OK,  JOB_EXIT, JOB_OK,          JOB_HANG,
                                      JOB_OK};
    struct seen s;
    run(&s, kinds, sizeof kinds / sizeof kinds[0], 1, 1);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(s.order[i], i); /* one worker: in order */

    assert_int_equal(s.result[0].end, PROCPOOL_ANSWERED);
    assert_true(s.result[0].ok);
    assert_non_null(strstr(s.message[0], " arg-0\n"));
    assert_int_equal(s.result[1].end, PROCPOOL_ANSWERED);
    assert_false(s.result[1].ok);
    assert_non_null(strstr(s.message[1], " arg-1\n"));
    assert_false(s.result[2].ok);
    assert_string_equal(s.message[2], "failed without a message\n");

    assert_int_equal(s.result[3].end, PROCPOOL_CRASHED);
    assert_false(s.result[3].ok);
    assert_int_equal(s.result[3].signal, SIGKILL);
    assert_true(strncmp(s.message[3], "crashed (signal 9: ", 19) == 0);

    assert_int_equal(s.result[5].end, PROCPOOL_EXITED);
    assert_int_equal(s.result[5].status, 3);
    assert_string_equal(s.message[5], "its worker exited (status 3)\n");

    assert_int_equal(s.result[7].end, PROCPOOL_TIMED_OUT);
    assert_string_equal(s.message[7], "timed out after 1 s\n");

    /* a worker is reused until it dies, then replaced */
    assert_true(s.pid[0] > 0 && s.pid[0] != getpid());
    assert_int_equal(s.pid[1], s.pid[0]);
    assert_true(s.pid[4] > 0 && s.pid[4] != s.pid[0]);
    assert_true(s.pid[6] > 0 && s.pid[6] != s.pid[4]);
    assert_true(s.pid[8] > 0 && s.pid[8] != s.pid[6]);
}

static void many_jobs_on_several_workers(void **state)
{
    (void)state;
    enum kind kinds[MAX_JOBS];
    for (size_t i = 0; i < MAX_JOBS; i++)
        kinds[i] = i % 10 == 9 ? JOB_CRASH : JOB_OK;
    struct seen s;
    run(&s, kinds, MAX_JOBS, 4, 0);
    long pids[MAX_JOBS];
    size_t npids = 0;
    for (size_t i = 0; i < MAX_JOBS; i++) {
        if (kinds[i] == JOB_CRASH) {
            assert_int_equal(s.result[i].end, PROCPOOL_CRASHED);
            continue;
        }
        assert_true(s.result[i].ok);
        char want[32];
        snprintf(want, sizeof want, " arg-%zu\n", i);
        assert_non_null(strstr(s.message[i], want));
        size_t k = 0;
        while (k < npids && pids[k] != s.pid[i])
            k++;
        if (k == npids)
            pids[npids++] = s.pid[i];
    }
    /* 4 workers to start with, one more for each of the 6 crashes at most */
    assert_true(npids >= 1 && npids <= 4 + 6);
}

static void no_jobs_no_workers(void **state)
{
    (void)state;
    struct seen s;
    run(&s, NULL, 0, 4, 0);
    assert_int_equal(s.nreported, 0);
}

static void sigpipe_disposition_restored(void **state)
{
    (void)state;
    static const enum kind kinds[] = {JOB_OK};
    void (*before)(int) = signal(SIGPIPE, SIG_DFL);
    struct seen s;
    run(&s, kinds, 1, 1, 0);
    assert_ptr_equal(signal(SIGPIPE, before), SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_outcome_reported_once),
        cmocka_unit_test(many_jobs_on_several_workers),
        cmocka_unit_test(no_jobs_no_workers),
        cmocka_unit_test(sigpipe_disposition_restored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
