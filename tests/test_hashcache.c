/* Unit tests of hashcache: a large file's hash is kept and reused while the
 * file is unchanged, recomputed after any change (same size, same mtime
 * included), never taken from a damaged entry, and the cache being off,
 * missing or unwritable only means hashing again. */
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

static char dir[64], big[128], small[128];

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
    char cache[128];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    setenv("SATMARK_CACHE_DIR", cache, 1);
    unsetenv("SATMARK_HASH_CACHE");
    write_file(big, (size_t)HASHCACHE_MIN_BYTES + 1000, 1);
    write_file(small, 1000, 2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
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
    setenv("SATMARK_HASH_CACHE", "off", 1);
    expect(big, false);
    expect(big, false);
    unsetenv("SATMARK_HASH_CACHE");
    char cache[128];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    setenv("SATMARK_CACHE_DIR", "/proc/satmark-cannot-write-here", 1);
    expect(big, false);
    expect(big, false);
    setenv("SATMARK_CACHE_DIR", cache, 1);
    struct diag *dg = diag_new();
    char hex[HASH_SHA256_HEX_LEN + 1];
    assert_false(hashcache_sha256("/nonexistent/x.tif", hex, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent/x.tif"));
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kept_and_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(any_change_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_entry_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(off_missing_or_unwritable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
