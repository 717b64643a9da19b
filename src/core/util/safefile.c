/*
 * safefile — see safefile.h for the protocol and why. Invariants: a handle
 * owns exactly one temporary name (a file for safefile_begin, a directory
 * plus a file name inside it for safefile_reserve) and removes it on every
 * path except a successful rename; the target is only ever changed by
 * rename(2), and FILE~ only by rename(2) of a whole, synced file.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "safefile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct safefile {
    char *target;  /* symbolic links resolved: a save writes the link's target */
    char *temp;    /* the temporary file */
    char *tempdir; /* safefile_reserve: the private directory holding temp; else NULL */
    FILE *stream;  /* safefile_begin: open on temp; else NULL */
    char *dir;     /* the target's directory, made up front so that nothing
                      after the rename in commit can fail for want of memory */
    dev_t temp_dev; /* identity of temp once synced: checked after the rename */
    ino_t temp_ino;
};

/* "a" + "b" + "c" as a new string (free with free()); NULL on out of memory. */
static char *concat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

/* Directory part of path ("." when none); new string, free with free(). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* False (with the reason on dg) when path exists and is not a regular file,
 * or is read-only: a file someone made read-only (chmod a-w) is not replaced
 * behind their back, even by a user (root) whom permissions would not stop. */
static bool target_usable(const char *path, struct stat *st, bool *exists, struct diag *dg)
{
    *exists = stat(path, st) == 0;
    if (*exists && !S_ISREG(st->st_mode)) {
        diag_error(dg, "%s: not a regular file; not overwriting it", path);
        return false;
    }
    if (*exists && ((st->st_mode & 0222) == 0 || access(path, W_OK) != 0)) {
        diag_error(dg, "%s: the file is read-only (mode %04o); not replacing it (make it "
                       "writable, e.g. chmod u+w, to save)",
                   path, (unsigned)(st->st_mode & 07777));
        return false;
    }
    return true;
}

char *safefile_resolve(const char *path, struct diag *dg)
{
    struct stat lst;
    char *out;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) {
        out = strdup(path);
        if (!out)
            diag_error(dg, "%s: out of memory", path);
        return out;
    }
    out = realpath(path, NULL);
    if (!out)
        diag_error(dg, "%s: a symbolic link whose target cannot be reached (%s); not "
                       "replacing the link",
                   path, strerror(errno));
    return out;
}

static void safefile_free(struct safefile *sf)
{
    free(sf->target);
    free(sf->temp);
    free(sf->tempdir);
    free(sf->dir);
    free(sf);
}

/* New handle whose target is path with a symbolic link resolved. */
static struct safefile *safefile_alloc(const char *path, struct diag *dg)
{
    struct safefile *sf = calloc(1, sizeof *sf);
    if (!sf) {
        diag_error(dg, "%s: out of memory", path);
        return NULL;
    }
    if (!(sf->target = safefile_resolve(path, dg))) {
        free(sf);
        return NULL;
    }
    if (!(sf->dir = dir_of(sf->target))) {
        diag_error(dg, "%s: out of memory", path);
        free(sf->target);
        free(sf);
        return NULL;
    }
    return sf;
}

/* safefile_alloc, refused (NULL, reason on dg) when the target exists but
 * may not be replaced (see target_usable). */
static struct safefile *safefile_start(const char *path, struct diag *dg)
{
    struct stat st;
    bool exists;
    struct safefile *sf = safefile_alloc(path, dg);
    if (sf && !target_usable(sf->target, &st, &exists, dg)) {
        safefile_free(sf);
        return NULL;
    }
    return sf;
}

struct safefile *safefile_begin(const char *path, struct diag *dg)
{
    struct safefile *sf = safefile_start(path, dg);
    if (!sf)
        return NULL;
    path = sf->target;
    sf->temp = concat3(path, ".tmp", "XXXXXX");
    if (!sf->temp) {
        diag_error(dg, "%s: out of memory", path);
        safefile_free(sf);
        return NULL;
    }
    int fd = mkstemp(sf->temp);
    if (fd < 0) {
        diag_error(dg, "%s: cannot create a temporary file next to it: %s", path,
                   strerror(errno));
        safefile_free(sf);
        return NULL;
    }
    sf->stream = fdopen(fd, "wb");
    if (!sf->stream) {
        diag_error(dg, "%s: cannot write %s: %s", path, sf->temp, strerror(errno));
        close(fd);
        unlink(sf->temp);
        safefile_free(sf);
        return NULL;
    }
    return sf;
}

struct safefile *safefile_reserve(const char *path, const char *tag, struct diag *dg)
{
    struct safefile *sf = safefile_start(path, dg);
    if (!sf)
        return NULL;
    path = sf->target;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!base[0]) {
        diag_error(dg, "%s: not a usable file path", path);
        safefile_free(sf);
        return NULL;
    }
    char *dir = dir_of(path);
    char *pattern = dir ? concat3(dir, "/", tag) : NULL;
    sf->tempdir = pattern ? concat3(pattern, "-", "XXXXXX") : NULL;
    free(pattern);
    if (!sf->tempdir) {
        free(dir);
        diag_error(dg, "%s: out of memory", path);
        safefile_free(sf);
        return NULL;
    }
    if (!mkdtemp(sf->tempdir)) {
        diag_error(dg, "%s: cannot create a temporary directory in %s: %s", path, dir,
                   strerror(errno));
        free(dir);
        safefile_free(sf);
        return NULL;
    }
    free(dir);
    sf->temp = concat3(sf->tempdir, "/", base);
    if (!sf->temp) {
        diag_error(dg, "%s: out of memory", path);
        safefile_abort(sf);
        return NULL;
    }
    return sf;
}

FILE *safefile_stream(struct safefile *sf) { return sf->stream; }

const char *safefile_temp_path(const struct safefile *sf) { return sf->temp; }

const char *safefile_target(const struct safefile *sf) { return sf->target; }

/* Removes a reserved directory and whatever another writer left in it
 * (drivers may add side files such as SQLite journals). */
static void remove_tempdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = concat3(dir, "/", e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

void safefile_abort(struct safefile *sf)
{
    if (!sf)
        return;
    if (sf->stream)
        fclose(sf->stream);
    if (sf->temp)
        unlink(sf->temp);
    if (sf->tempdir)
        remove_tempdir(sf->tempdir);
    safefile_free(sf);
}

static bool fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || errno == EINVAL || errno == EROFS;
    close(fd);
    return ok;
}

/* Flushes the temporary file to disk with the given mode; closes the stream. */
static bool sync_temp(struct safefile *sf, mode_t mode, bool skip_sync, struct diag *dg)
{
    bool ok;
    int saved = 0;
    if (sf->stream) {
        int fd = fileno(sf->stream);
        struct stat tst;
        ok = fflush(sf->stream) == 0 && !ferror(sf->stream) && fchmod(fd, mode) == 0 &&
             (skip_sync || fsync(fd) == 0) && fstat(fd, &tst) == 0;
        saved = errno;
        if (ok) {
            sf->temp_dev = tst.st_dev;
            sf->temp_ino = tst.st_ino;
        }
        if (fclose(sf->stream) != 0 && ok) {
            ok = false;
            saved = errno;
        }
        sf->stream = NULL;
    } else {
        int fd = open(sf->temp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        struct stat tst;
        ok = fd >= 0 && fstat(fd, &tst) == 0 && S_ISREG(tst.st_mode) && fchmod(fd, mode) == 0 &&
             (skip_sync || fsync(fd) == 0);
        saved = errno;
        if (ok) {
            sf->temp_dev = tst.st_dev;
            sf->temp_ino = tst.st_ino;
        } else if (fd >= 0 && !saved) {
            saved = EINVAL;
        }
        if (fd >= 0)
            close(fd);
    }
    if (!ok)
        diag_error(dg, "%s: cannot write %s: %s", sf->target, sf->temp,
                   saved ? strerror(saved) : "write error");
    return ok;
}

/* Copies path's content into a new synced temporary file beside it (used
 * where hard links are not supported). *tmp_out: new string. */
static bool copy_to_temp(const char *path, mode_t mode, char **tmp_out)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    char *tmp = concat3(path, "~.cpy", "XXXXXX");
    int fd = tmp ? mkstemp(tmp) : -1;
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    bool ok = out != NULL;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in) && fflush(out) == 0 && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    fclose(in);
    if (out) {
        if (fclose(out) != 0)
            ok = false;
    } else if (fd >= 0) {
        close(fd);
    }
    if (!ok) {
        if (fd >= 0)
            unlink(tmp);
        free(tmp);
        return false;
    }
    *tmp_out = tmp;
    return true;
}

/* FILE~ becomes the current FILE, atomically (see the header). */
static bool keep_backup(const char *path, mode_t mode, struct diag *dg)
{
    char *backup = concat3(path, "~", "");
    char *tmp = concat3(path, "~.lnk", "XXXXXX");
    if (!backup || !tmp) {
        free(backup);
        free(tmp);
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    /* mkstemp reserves a unique name; link() needs it absent, so unlink first.
     * A racing process could take the name in between; link then fails with
     * EEXIST and we retry with a new name. */
    bool linked = false;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, strlen(path) + 12, "%s~.lnkXXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0)
            break;
        close(fd);
        unlink(tmp);
        if (link(path, tmp) == 0) {
            linked = true;
            break;
        }
        if (errno != EEXIST)
            break;
    }
    if (!linked) {
        free(tmp);
        tmp = NULL;
        if (!copy_to_temp(path, mode, &tmp)) {
            diag_error(dg, "%s: cannot read it to keep a backup copy", path);
            free(backup);
            return false;
        }
    }
    bool ok = rename(tmp, backup) == 0;
    if (!ok)
        diag_error(dg, "%s: cannot keep the previous version as %s: %s", path, backup,
                   strerror(errno));
    /* Also after a successful rename: when FILE~ already was a link to the
     * same inode (a save of the same version a moment ago), rename(2) does
     * nothing and leaves tmp in place. */
    unlink(tmp);
    free(tmp);
    free(backup);
    return ok;
}

bool safefile_commit(struct safefile *sf, const struct safefile_options *opt, struct diag *dg)
{
    const struct safefile_options defaults = {0};
    if (!opt)
        opt = &defaults;
    struct stat st;
    bool exists;
    /* Checked again: the target may have appeared or changed kind since begin. */
    if (!target_usable(sf->target, &st, &exists, dg)) {
        safefile_abort(sf);
        return false;
    }
    mode_t mode = exists ? (st.st_mode & 07777) : (opt->new_file_mode ? opt->new_file_mode : 0644);
    if (!sync_temp(sf, mode, opt->skip_sync, dg) || (exists && opt->keep_backup && !keep_backup(sf->target, mode, dg))) {
        safefile_abort(sf);
        return false;
    }
    if (rename(sf->temp, sf->target) != 0) {
        diag_error(dg, "%s: cannot replace it with %s: %s", sf->target, sf->temp, strerror(errno));
        safefile_abort(sf);
        return false;
    }
    bool ok = opt->skip_sync || fsync_dir(sf->dir);
    if (!ok)
        diag_error(dg, "%s: saved, but syncing its directory failed: %s", sf->target,
                   strerror(errno));
    /* Never report a save that is not in the file: a writer that does not
     * take satmark's lock may have replaced it right after the rename. */
    struct stat now;
    if (ok && (stat(sf->target, &now) != 0 || now.st_dev != sf->temp_dev ||
               now.st_ino != sf->temp_ino)) {
        diag_error(dg, "%s: replaced by another program during the save; this version is "
                       "not in the file",
                   sf->target);
        ok = false;
    }
    /* The temporary file is now the target: forget its name before cleaning up. */
    free(sf->temp);
    sf->temp = NULL;
    safefile_abort(sf);
    return ok;
}

bool safefile_write(const char *path, const void *data, size_t len,
                    const struct safefile_options *opt, struct diag *dg)
{
    struct safefile *sf = safefile_begin(path, dg);
    if (!sf)
        return false;
    if (len && fwrite(data, 1, len, safefile_stream(sf)) != len) {
        diag_error(dg, "%s: cannot write %s: %s", path, safefile_temp_path(sf), strerror(errno));
        safefile_abort(sf);
        return false;
    }
    return safefile_commit(sf, opt, dg);
}
