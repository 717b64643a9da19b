/*
 * rfile — see rfile.h. Invariant: no function here calls open() without
 * O_NONBLOCK or reads from a descriptor fstat has not shown to be a regular
 * file.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_DONTNEED): posix_madvise ignores it on Linux */
#include "rfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "a special file";
}

/* Opens path without blocking and fstats the descriptor: fd >= 0 on
 * success (st filled), -1 with the reason on dg. */
static int open_checked(const char *path, bool allow_dir, struct stat *st, struct diag *dg)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        diag_error(dg, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        diag_error(dg, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode) && !(allow_dir && S_ISDIR(st->st_mode))) {
        diag_error(dg, "%s: not a regular file (it is %s); not reading it", path,
                   kind_of(st->st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

FILE *rfile_open(const char *path, size_t max_bytes, size_t *size, struct diag *dg)
{
    struct stat st;
    int fd = open_checked(path, false, &st, dg);
    if (fd < 0)
        return NULL;
    if (st.st_size < 0 || (max_bytes && (unsigned long long)st.st_size > max_bytes)) {
        diag_error(dg, "%s: file too large (%lld bytes, limit %zu)", path,
                   (long long)st.st_size, max_bytes);
        close(fd);
        return NULL;
    }
    /* A regular file: reads never block; back to ordinary blocking reads. */
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        diag_error(dg, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (size)
        *size = (size_t)st.st_size;
    return f;
}

char *rfile_read(const char *path, size_t max_bytes, size_t *len, struct diag *dg)
{
    size_t size;
    FILE *f = rfile_open(path, max_bytes, &size, dg);
    if (!f)
        return NULL;
    char *data = malloc(size + 1);
    if (!data) {
        diag_error(dg, "%s: out of memory", path);
        fclose(f);
        return NULL;
    }
    size_t got = fread(data, 1, size, f);
    bool read_error = ferror(f) != 0;
    /* One more byte tells that the file grew since fstat. */
    bool grew = !read_error && got == size && fgetc(f) != EOF;
    fclose(f);
    if (read_error || got != size || grew) {
        diag_error(dg, "%s: read error%s", path, read_error ? "" : " (file changed size)");
        free(data);
        return NULL;
    }
    data[size] = '\0';
    *len = size;
    return data;
}

bool rfile_map(const char *path, size_t max_bytes, struct rfile_map *m, struct diag *dg)
{
    *m = (struct rfile_map){NULL, 0};
    struct stat st;
    int fd = open_checked(path, false, &st, dg);
    if (fd < 0)
        return false;
    if (st.st_size < 0 || (max_bytes && (unsigned long long)st.st_size > max_bytes) ||
        (unsigned long long)st.st_size > SIZE_MAX) {
        diag_error(dg, "%s: file too large (%lld bytes, limit %zu)", path,
                   (long long)st.st_size, max_bytes);
        close(fd);
        return false;
    }
    size_t len = (size_t)st.st_size;
    if (len == 0) {
        close(fd);
        m->text = "";
        return true;
    }
    void *text = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd); /* the mapping keeps the file */
    if (text == MAP_FAILED) {
        diag_error(dg, "%s: cannot read: %s", path, strerror(saved));
        return false;
    }
    madvise(text, len, MADV_SEQUENTIAL); /* advice: read ahead, drop behind */
    m->text = text;
    m->len = len;
    return true;
}

void rfile_map_release(const struct rfile_map *m, size_t from, size_t to)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t step = page > 0 ? (size_t)page : 4096;
    if (!m->len || to > m->len)
        return;
    size_t first = (from + step - 1) / step * step, end = to / step * step;
    /* A private read-only file mapping: MADV_DONTNEED only unmaps the pages
     * (the file and the page cache keep them). */
    if (first < end)
        madvise((char *)m->text + first, end - first, MADV_DONTNEED);
}

void rfile_unmap(struct rfile_map *m)
{
    if (m->len)
        munmap((void *)m->text, m->len);
    *m = (struct rfile_map){NULL, 0};
}

/* The guard of this thread's rfile_guarded call, NULL outside one. */
static _Thread_local sigjmp_buf *guard_jump;
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t guard_users; /* threads inside rfile_guarded */
static struct sigaction guard_previous;

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
    (void)info;
    (void)context;
    if (guard_jump)
        siglongjmp(*guard_jump, 1);
    /* not a guarded read: the previous disposition, for the fault that
     * follows when this handler returns */
    sigaction(sig, &guard_previous, NULL);
}

static void guard_enter(void)
{
    pthread_mutex_lock(&guard_lock);
    if (guard_users++ == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGBUS, &sa, &guard_previous);
    }
    pthread_mutex_unlock(&guard_lock);
}

static void guard_leave(void)
{
    pthread_mutex_lock(&guard_lock);
    if (--guard_users == 0)
        sigaction(SIGBUS, &guard_previous, NULL);
    pthread_mutex_unlock(&guard_lock);
}

bool rfile_guarded(bool (*fn)(void *arg), void *arg, bool *faulted)
{
    sigjmp_buf jump;
    /* volatile: read after siglongjmp */
    volatile bool ok = false;
    *faulted = false;
    guard_enter();
    if (sigsetjmp(jump, 1) == 0) {
        guard_jump = &jump;
        ok = fn(arg);
    } else {
        *faulted = true;
    }
    guard_jump = NULL;
    guard_leave();
    return ok && !*faulted;
}

bool rfile_check(const char *path, bool allow_dir, struct diag *dg)
{
    struct stat st;
    int fd = open_checked(path, allow_dir, &st, dg);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}
