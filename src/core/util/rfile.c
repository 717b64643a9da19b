/*
 * rfile — see rfile.h. Invariant: no function here calls open() without
 * O_NONBLOCK or reads from a descriptor fstat has not shown to be a regular
 * file.
 */
#include "rfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

bool rfile_check(const char *path, bool allow_dir, struct diag *dg)
{
    struct stat st;
    int fd = open_checked(path, allow_dir, &st, dg);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}
