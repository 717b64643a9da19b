/* Unit tests of hashcache: a large file's hash is kept and reused while the
 * file is unchanged, recomputed after any change (same size, same mtime
 * included), never taken from a damaged entry, and the cache being off,
 * missing or unwritable only means hashing again. The cache is private: its
 * directory is 0700, an entry that another user owns, that others may write
 * or that is a symbolic link is ignored, a directory owned by another user is
 * not used at all, and hashcache_verify re-hashes whatever the cache says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hashcache.h"
#include "skip77.h"
#include "settings.h"

static char dir[64], big[128], small[128], cache[128];
/* what a front-end would fill from SATMARK_CACHE_DIR and SATMARK_HASH_CACHE */
static struct satmark_settings settings;

static void write_file(const char *path, size_t size, unsigned seed)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
        fputc((int)((i * 131u + seed) & 0xff), f);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/satmark-hashcache-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(big, sizeof big, "%s/big.tif", dir);
    snprintf(small, sizeof small, "%s/small.tif", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    settings_init(&settings);
    settings.cache_dir = cache;
    settings_install(&settings);
    write_file(big, (size_t)HASHCACHE_MIN_BYTES + 1000, 1);
    write_file(small, 1000, 2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    settings_install(NULL);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void expect(const char *path, bool want_cached)
{
    char hex[HASH_SHA256_HEX_LEN + 1], fresh[HASH_SHA256_HEX_LEN + 1];
    bool cached = !want_cached;
    struct diag *dg = diag_new();
    assert_true(hashcache_sha256(path, hex, &cached, dg));
    assert_true(hash_file_sha256(path, fresh, dg));
    assert_string_equal(hex, fresh);
    assert_int_equal(cached, want_cached);
    diag_free(dg);
}

static void kept_and_reused(void **state)
{
    (void)state;
    char hex[HASH_SHA256_HEX_LEN + 1];
    assert_false(hashcache_lookup(big, hex));
    expect(big, false);
    expect(big, true);
    assert_true(hashcache_lookup(big, hex));
    /* small files are never kept */
    expect(small, false);
    expect(small, false);
    assert_false(hashcache_lookup(small, hex));
}

static void any_change_is_seen(void **state)
{
    (void)state;
    expect(big, false);
    expect(big, true);
    /* same size, same modification time: only the content and ctime change */
    struct stat before;
    assert_int_equal(stat(big, &before), 0);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    FILE *f = fopen(big, "r+b");
    assert_non_null(f);
    fputc('x', f);
    assert_int_equal(fclose(f), 0);
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, big, times, 0), 0);
    expect(big, false);
    expect(big, true);
}

static void damaged_entry_not_used(void **state)
{
    (void)state;
    expect(big, false);
    /* overwrite every entry with a wrong hash line */
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "for e in '%s'/cache/sha256/*; do head -n 1 \"$e\" > \"$e.t\"; echo 12345 >> \"$e.t\"; "
             "mv \"$e.t\" \"$e\"; done",
             dir);
    assert_int_equal(system(cmd), 0);
    expect(big, false);
    expect(big, true);
}

static void off_missing_or_unwritable(void **state)
{
    (void)state;
    settings.hash_cache = false; /* SATMARK_HASH_CACHE=off */
    expect(big, false);
    expect(big, false);
    settings.hash_cache = true;
    settings.cache_dir = NULL; /* no SATMARK_CACHE_DIR, XDG_CACHE_HOME or HOME */
    expect(big, false);
    expect(big, false);
    settings.cache_dir = (char *)"/proc/satmark-cannot-write-here";
    expect(big, false);
    expect(big, false);
    settings.cache_dir = cache;
    struct diag *dg = diag_new();
    char hex[HASH_SHA256_HEX_LEN + 1];
    assert_false(hashcache_sha256("/nonexistent/x.tif", hex, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent/x.tif"));
    diag_free(dg);
}

/* The one entry of the cache into out (there is one after one big hash). */
static void the_entry(char *out, size_t cap)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls '%s'/cache/sha256/", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char name[128] = "";
    assert_non_null(fgets(name, sizeof name, p));
    pclose(p);
    name[strcspn(name, "\n")] = '\0';
    snprintf(out, cap, "%s/cache/sha256/%s", dir, name);
}

static void untrusted_entries_ignored(void **state)
{
    (void)state;
    expect(big, false);
    char cachedir[160], entry[300];
    snprintf(cachedir, sizeof cachedir, "%s/cache/sha256", dir);
    struct stat st;
    assert_int_equal(stat(cachedir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    the_entry(entry, sizeof entry);
    assert_int_equal(stat(entry, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* writable by others: ignored, hashed again and rewritten */
    assert_int_equal(chmod(entry, 0666), 0);
    expect(big, false);
    expect(big, true);
    /* a symbolic link in place of the entry: ignored */
    char aside[320];
    snprintf(aside, sizeof aside, "%s.aside", entry);
    assert_int_equal(rename(entry, aside), 0);
    assert_int_equal(symlink(aside, entry), 0);
    char hex[HASH_SHA256_HEX_LEN + 1];
    assert_false(hashcache_lookup(big, hex));
}

/* An entry owned by someone else: ignored, hashed again and rewritten. */
static void foreign_entry_ignored(void **state)
{
    (void)state;
    if (geteuid() != 0)
        SKIP_BECAUSE("only root can give a file to another user");
    expect(big, false);
    expect(big, true);
    char entry[300];
    the_entry(entry, sizeof entry);
    assert_int_equal(chown(entry, 12345, 12345), 0);
    expect(big, false);
    expect(big, true);
}

static void foreign_directory_not_used(void **state)
{
    (void)state;
    if (geteuid() != 0)
        SKIP_BECAUSE("only root can give a directory to another user");
    char cache[160], sub[200];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    snprintf(sub, sizeof sub, "%s/sha256", cache);
    assert_int_equal(mkdir(cache, 0777), 0);
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_int_equal(chown(sub, 12345, 12345), 0);
    expect(big, false);
    expect(big, false); /* nothing was kept in, or taken from, their directory */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", sub);
    assert_int_equal(system(cmd), 0);
}

static void verify_rehashes(void **state)
{
    (void)state;
    expect(big, false);
    char entry[300];
    the_entry(entry, sizeof entry);
    /* a wrong (but well-formed) hash in a trusted entry */
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "head -n 1 '%s' > '%s.t' && printf '%%064d\\n' 0 >> '%s.t' && mv '%s.t' '%s' && "
             "chmod 600 '%s'", entry, entry, entry, entry, entry, entry);
    assert_int_equal(system(cmd), 0);
    char hex[HASH_SHA256_HEX_LEN + 1], fresh[HASH_SHA256_HEX_LEN + 1];
    assert_true(hashcache_lookup(big, hex));
    assert_int_equal(hex[0], '0');
    struct diag *dg = diag_new();
    assert_true(hashcache_verify(big, fresh, dg));
    assert_int_not_equal(fresh[0] == '0' && fresh[1] == '0' && fresh[2] == '0', 1);
    assert_int_equal(diag_warning_count(dg), 1);
    assert_non_null(strstr(diag_warning(dg, 0), "another SHA-256"));
    assert_true(hashcache_lookup(big, hex));
    assert_string_equal(hex, fresh);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kept_and_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(any_change_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_entry_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(off_missing_or_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(untrusted_entries_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_entry_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_directory_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_rehashes, setup, teardown),
    };
    return SKIP77_EXIT(cmocka_run_group_tests(tests, NULL, NULL));
}
