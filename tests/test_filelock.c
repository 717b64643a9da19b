/* Unit tests of filelock: a second locker waits while the lock is held and
 * gives up after its wait naming the file; release lets the next one in and
 * leaves no FILE.lock; a symbolic link and its target share one lock; a
 * directory that cannot hold the lock file fails naming the path. Threads
 * are synchronised by the lock itself and a pthread barrier, never by sleeps
 * (the only wait measured is filelock's own give-up, asserted as a failure,
 * not as a duration). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "filelock.h"

static char dir[] = "/tmp/satmark-filelock-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void held_lock_excludes_and_release_removes(void **state)
{
    (void)state;
    char path[256], lock_file[300];
    snprintf(path, sizeof path, "%s/a.geojson", dir);
    snprintf(lock_file, sizeof lock_file, "%s.lock", path);
    struct diag *dg = diag_new();
    struct filelock *first = filelock_acquire(path, 1.0, dg);
    assert_non_null(first);
    assert_string_equal(filelock_path(first), lock_file);
    assert_int_equal(access(lock_file, F_OK), 0);
    /* Held: a second locker (its own open file description) gives up. */
    assert_null(filelock_acquire(path, 0.0, dg));
    assert_non_null(strstr(diag_message(dg), path));
    assert_non_null(strstr(diag_message(dg), "another program is saving it"));
    diag_reset(dg);
    filelock_release(first);
    assert_int_not_equal(access(lock_file, F_OK), 0);
    struct filelock *second = filelock_acquire(path, 0.0, dg);
    assert_non_null(second);
    filelock_release(second);
    assert_int_not_equal(access(lock_file, F_OK), 0);
    filelock_release(NULL);
    diag_free(dg);
}

static void symlink_shares_the_lock(void **state)
{
    (void)state;
    char real[256], link_path[256];
    snprintf(real, sizeof real, "%s/real.geojson", dir);
    snprintf(link_path, sizeof link_path, "%s/link.geojson", dir);
    FILE *f = fopen(real, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(symlink("real.geojson", link_path), 0);
    struct diag *dg = diag_new();
    struct filelock *via_link = filelock_acquire(link_path, 1.0, dg);
    assert_non_null(via_link);
    assert_null(filelock_acquire(real, 0.0, dg));
    filelock_release(via_link);
    diag_free(dg);
}

struct contender {
    const char *path;
    pthread_barrier_t *start;
    int *counter; /* changed only under the lock */
    int rounds;
    bool ok;
};

/* Read-modify-write of *counter under the lock, with a yield in between so
 * an unserialised increment would be lost. */
static void *contend(void *arg)
{
    struct contender *c = arg;
    struct diag *dg = diag_new();
    pthread_barrier_wait(c->start);
    c->ok = true;
    for (int i = 0; i < c->rounds && c->ok; i++) {
        struct filelock *lk = filelock_acquire(c->path, 60.0, dg);
        if (!lk) {
            c->ok = false;
            break;
        }
        int seen = *(volatile int *)c->counter;
        sched_yield();
        *(volatile int *)c->counter = seen + 1;
        filelock_release(lk);
    }
    diag_free(dg);
    return NULL;
}

static void contenders_serialised(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/b.geojson", dir);
    enum { THREADS = 8, ROUNDS = 200 };
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    int counter = 0;
    pthread_t th[THREADS];
    struct contender c[THREADS];
    for (int i = 0; i < THREADS; i++) {
        c[i] = (struct contender){path, &start, &counter, ROUNDS, false};
        assert_int_equal(pthread_create(&th[i], NULL, contend, &c[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_true(c[i].ok);
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(counter, THREADS * ROUNDS);
    char lock_file[300];
    snprintf(lock_file, sizeof lock_file, "%s.lock", path);
    assert_int_not_equal(access(lock_file, F_OK), 0);
}

static void unwritable_directory_named(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    char path[256];
    snprintf(path, sizeof path, "%s/no-such-dir/c.geojson", dir);
    assert_null(filelock_acquire(path, 0.0, dg));
    assert_non_null(strstr(diag_message(dg), path));
    assert_non_null(strstr(diag_message(dg), "lock file"));
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(held_lock_excludes_and_release_removes),
        cmocka_unit_test(symlink_shares_the_lock),
        cmocka_unit_test(contenders_serialised),
        cmocka_unit_test(unwritable_directory_named),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
