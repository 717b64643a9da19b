/*
 * hashcache — see hashcache.h. Entry file: line 1 the key (the file's
 * status fields), line 2 the SHA-256; the entry's name is the SHA-256 of the
 * key, so different files never share an entry and a lookup is one open().
 */
#include "hashcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "settings.h"

#define KEY_MAX 256
#define DIR_MAX 4096

/* The key of a file's current status; false when it is not a regular file. */
static bool status_key(const char *path, char key[KEY_MAX], off_t *size)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    *size = st.st_size;
    int n = snprintf(key, KEY_MAX, "dev=%ju ino=%ju size=%jd mtime=%jd.%09ld ctime=%jd.%09ld",
                     (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
                     (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
    return n > 0 && n < KEY_MAX;
}

/* The cache directory (with its sha256/ part) into dir; false when off or
 * when no base directory is known. */
static bool cache_dir(char dir[DIR_MAX])
{
    const struct satmark_settings *set = settings_get();
    if (!set->hash_cache || !set->cache_dir)
        return false;
    int n = snprintf(dir, DIR_MAX, "%s/sha256", set->cache_dir);
    return n > 0 && n < DIR_MAX;
}

static bool entry_path(const char *dir, const char *key, char path[DIR_MAX])
{
    char name[HASH_SHA256_HEX_LEN + 1];
    hash_buffer_sha256(key, strlen(key), name);
    int n = snprintf(path, DIR_MAX, "%s/%s", dir, name);
    return n > 0 && n < DIR_MAX;
}

/* True when dir is a real directory (not a link) owned by this user and
 * private (0700): nobody else can plant or change an entry in it. A
 * directory of ours with looser bits is made private first. */
static bool dir_private(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return false;
    if ((st.st_mode & 077) == 0)
        return true;
    return chmod(dir, 0700) == 0;
}

/* The kept hash of key, if there is a valid entry: a regular file (not a
 * link) owned by this user, writable by nobody else, in a private cache. */
static bool lookup(const char *entry, const char *key, char hex[HASH_SHA256_HEX_LEN + 1])
{
    int fd = open(entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    FILE *f = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 022) || !(f = fdopen(fd, "r"))) {
        close(fd);
        return false;
    }
    char line1[KEY_MAX + 2], line2[HASH_SHA256_HEX_LEN + 3];
    bool ok = fgets(line1, sizeof line1, f) && fgets(line2, sizeof line2, f);
    fclose(f);
    if (!ok)
        return false;
    line1[strcspn(line1, "\n")] = '\0';
    line2[strcspn(line2, "\n")] = '\0';
    if (strcmp(line1, key) != 0 || !hash_is_sha256_hex(line2))
        return false;
    memcpy(hex, line2, HASH_SHA256_HEX_LEN + 1);
    return true;
}

/* mkdir -p for the cache directory (private: mode 0700). */
static bool make_dirs(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        bool ok = mkdir(dir, 0700) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return false;
    }
    return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

/* Keeps hex for key, atomically through safefile (a temporary file with an
 * unpredictable name, mode 0600, renamed over the entry); any failure, or a
 * cache directory that is not private to this user, just leaves no entry. */
static void store(char *dir, const char *entry, const char *key, const char *hex)
{
    if (!make_dirs(dir) || !dir_private(dir))
        return;
    char text[KEY_MAX + HASH_SHA256_HEX_LEN + 4];
    int n = snprintf(text, sizeof text, "%s\n%s\n", key, hex);
    if (n <= 0 || n >= (int)sizeof text)
        return;
    /* An old entry goes first: safefile keeps a target's mode and owner, and
     * an entry being replaced may be one that was not trusted. */
    unlink(entry);
    struct diag *quiet = diag_new();
    const struct safefile_options opt = {.new_file_mode = 0600};
    if (quiet)
        safefile_write(entry, text, (size_t)n, &opt, quiet);
    diag_free(quiet);
}

bool hashcache_sha256(const char *path, char hex[HASH_SHA256_HEX_LEN + 1], bool *from_cache,
                      struct diag *dg)
{
    if (from_cache)
        *from_cache = false;
    char key[KEY_MAX], dir[DIR_MAX], entry[DIR_MAX];
    off_t size = 0;
    bool cacheable = status_key(path, key, &size) && size >= HASHCACHE_MIN_BYTES &&
                     cache_dir(dir) && entry_path(dir, key, entry);
    if (cacheable && dir_private(dir) && lookup(entry, key, hex)) {
        if (from_cache)
            *from_cache = true;
        return true;
    }
    if (!hash_file_sha256(path, hex, dg))
        return false;
    /* keep it only if the file did not change while it was read */
    char after[KEY_MAX];
    off_t size_after = 0;
    if (cacheable && status_key(path, after, &size_after) && strcmp(after, key) == 0)
        store(dir, entry, key, hex);
    return true;
}

bool hashcache_lookup(const char *path, char hex[HASH_SHA256_HEX_LEN + 1])
{
    char key[KEY_MAX], dir[DIR_MAX], entry[DIR_MAX];
    off_t size = 0;
    return status_key(path, key, &size) && size >= HASHCACHE_MIN_BYTES && cache_dir(dir) &&
           dir_private(dir) && entry_path(dir, key, entry) && lookup(entry, key, hex);
}

bool hashcache_verify(const char *path, char hex[HASH_SHA256_HEX_LEN + 1], struct diag *dg)
{
    char kept[HASH_SHA256_HEX_LEN + 1];
    bool had = hashcache_lookup(path, kept);
    if (!hash_file_sha256(path, hex, dg))
        return false;
    char key[KEY_MAX], dir[DIR_MAX], entry[DIR_MAX];
    off_t size = 0;
    if (had && strcmp(kept, hex) != 0)
        diag_warn(dg, "%s: the hash cache held another SHA-256 for this file (%.12s..., now "
                      "%.12s...); the cache entry is replaced",
                  path, kept, hex);
    if (status_key(path, key, &size) && size >= HASHCACHE_MIN_BYTES && cache_dir(dir) &&
        entry_path(dir, key, entry))
        store(dir, entry, key, hex);
    return true;
}
