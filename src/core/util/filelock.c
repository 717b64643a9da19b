/*
 * filelock — see filelock.h. Invariant: a handle holds LOCK_EX on an open
 * descriptor of the inode that, when it was obtained, was named lock_path;
 * no other satmark process can hold it until release unlinks the name.
 */
#define _DEFAULT_SOURCE /* flock */
#include "filelock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"

struct filelock {
    int fd;
    char *lock_path;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* True when fd is still the inode named path (not removed by a releaser). */
static bool still_named(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

struct filelock *filelock_acquire(const char *path, double wait_s, struct diag *dg)
{
    char *target = safefile_resolve(path, dg);
    if (!target)
        return NULL;
    struct filelock *lk = calloc(1, sizeof *lk);
    size_t n = strlen(target);
    char *lock_path = malloc(n + sizeof FILELOCK_SUFFIX);
    if (!lk || !lock_path) {
        diag_error(dg, "%s: out of memory", path);
        free(lk);
        free(lock_path);
        free(target);
        return NULL;
    }
    memcpy(lock_path, target, n);
    memcpy(lock_path + n, FILELOCK_SUFFIX, sizeof FILELOCK_SUFFIX);
    free(target);
    lk->lock_path = lock_path;
    double deadline = now_s() + wait_s;
    long backoff_ms = 1;
    for (;;) {
        int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
        if (fd < 0) {
            diag_error(dg, "%s: cannot create the lock file %s: %s", path, lock_path,
                       strerror(errno));
            break;
        }
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            diag_error(dg, "%s: the lock file %s is not a regular file", path, lock_path);
            close(fd);
            break;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (still_named(fd, lock_path)) {
                lk->fd = fd;
                return lk;
            }
            close(fd); /* released and removed meanwhile: start over at once */
            continue;
        }
        int err = errno;
        close(fd);
        if (err != EWOULDBLOCK && err != EINTR) {
            diag_error(dg, "%s: cannot lock %s: %s", path, lock_path, strerror(err));
            break;
        }
        if (now_s() >= deadline) {
            diag_error(dg, "%s: another program is saving it (it holds %s); gave up after "
                           "%.0f s, nothing saved",
                       path, lock_path, wait_s);
            break;
        }
        pause_ms(backoff_ms);
        if (backoff_ms < 20)
            backoff_ms *= 2;
    }
    free(lk->lock_path);
    free(lk);
    return NULL;
}

void filelock_release(struct filelock *lk)
{
    if (!lk)
        return;
    unlink(lk->lock_path); /* while still held: see filelock.h */
    close(lk->fd);
    free(lk->lock_path);
    free(lk);
}

const char *filelock_path(const struct filelock *lk)
{
    return lk->lock_path;
}

void filestamp_take(const char *path, struct filestamp *out)
{
    struct stat st;
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0)
        return;
    out->exists = true;
    out->dev = st.st_dev;
    out->ino = st.st_ino;
    out->size = st.st_size;
    out->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

bool filestamp_same(const struct filestamp *a, const struct filestamp *b)
{
    if (!a->exists || !b->exists)
        return a->exists == b->exists;
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns;
}
