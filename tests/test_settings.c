/* Unit tests of settings: settings_from_env reads each variable as the core
 * used to (cache directory precedence, "off", "1", empty meaning unset),
 * nothing installed means an empty environment's defaults, and no file
 * under src/core or src/viewsupport but settings.c reads the environment
 * (a getenv there would bring back what this module replaced). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>

#include <cmocka.h>

#include "settings.h"

static const char *const variables[] = {
    "SATMARK_HASH_CACHE", "SATMARK_CACHE_DIR", "XDG_CACHE_HOME", "HOME", "SATMARK_ASSETS",
    "SATMARK_RASTER_SLOW_PATH", "SATMARK_EXPORT_SLOW_TEXTS", "SATMARK_EXPORT_ONE_THREAD",
    "SATMARK_NO_CUSTODY", "SATMARK_USER", "USER",
};

static void clear_environment(void)
{
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++)
        unsetenv(variables[i]);
}

static void empty_environment_gives_defaults(void **state)
{
    (void)state;
    clear_environment();
    struct satmark_settings s;
    assert_true(settings_from_env(&s));
    assert_true(s.hash_cache);
    assert_null(s.cache_dir);
    assert_null(s.assets_dir);
    assert_false(s.raster_slow_path);
    assert_false(s.export_slow_texts);
    assert_false(s.export_one_thread);
    assert_true(s.custody_records);
    assert_null(s.user);
    assert_null(s.login_env);
    settings_clear(&s);
    /* nothing installed: the same defaults */
    settings_install(NULL);
    const struct satmark_settings *got = settings_get();
    assert_non_null(got);
    assert_true(got->hash_cache);
    assert_null(got->cache_dir);
    assert_true(got->custody_records);
}

static void cache_directory_precedence(void **state)
{
    (void)state;
    clear_environment();
    struct satmark_settings s;
    setenv("HOME", "/home/a", 1);
    assert_true(settings_from_env(&s));
    assert_string_equal(s.cache_dir, "/home/a/.cache/satmark");
    settings_clear(&s);
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    assert_true(settings_from_env(&s));
    assert_string_equal(s.cache_dir, "/xdg/satmark");
    settings_clear(&s);
    setenv("SATMARK_CACHE_DIR", "/mine", 1);
    assert_true(settings_from_env(&s));
    assert_string_equal(s.cache_dir, "/mine");
    settings_clear(&s);
    /* empty means unset */
    setenv("SATMARK_CACHE_DIR", "", 1);
    setenv("XDG_CACHE_HOME", "", 1);
    assert_true(settings_from_env(&s));
    assert_string_equal(s.cache_dir, "/home/a/.cache/satmark");
    settings_clear(&s);
    setenv("SATMARK_HASH_CACHE", "off", 1);
    assert_true(settings_from_env(&s));
    assert_false(s.hash_cache);
    settings_clear(&s);
    setenv("SATMARK_HASH_CACHE", "on", 1);
    assert_true(settings_from_env(&s));
    assert_true(s.hash_cache);
    settings_clear(&s);
    clear_environment();
}

static void other_variables(void **state)
{
    (void)state;
    clear_environment();
    setenv("SATMARK_ASSETS", "/assets", 1);
    setenv("SATMARK_RASTER_SLOW_PATH", "1", 1);
    setenv("SATMARK_EXPORT_SLOW_TEXTS", "1", 1);
    setenv("SATMARK_EXPORT_ONE_THREAD", "1", 1);
    setenv("SATMARK_NO_CUSTODY", "1", 1);
    setenv("SATMARK_USER", "analyst-7", 1);
    setenv("USER", "login", 1);
    struct satmark_settings s;
    assert_true(settings_from_env(&s));
    assert_string_equal(s.assets_dir, "/assets");
    assert_true(s.raster_slow_path);
    assert_true(s.export_slow_texts);
    assert_true(s.export_one_thread);
    assert_false(s.custody_records);
    assert_string_equal(s.user, "analyst-7");
    assert_string_equal(s.login_env, "login");
    settings_install(&s);
    assert_ptr_equal(settings_get(), &s);
    settings_install(NULL);
    settings_clear(&s);
    /* only "1" forces the slow path; an empty SATMARK_NO_CUSTODY records */
    setenv("SATMARK_RASTER_SLOW_PATH", "yes", 1);
    setenv("SATMARK_EXPORT_ONE_THREAD", "yes", 1);
    setenv("SATMARK_NO_CUSTODY", "", 1);
    setenv("SATMARK_ASSETS", "", 1);
    assert_true(settings_from_env(&s));
    assert_false(s.raster_slow_path);
    assert_false(s.export_one_thread);
    assert_true(s.custody_records);
    assert_null(s.assets_dir);
    settings_clear(&s);
    clear_environment();
}

/* ---- no environment reads outside settings.c ---------------------------- */

static char offenders[4096];

static int look_for_getenv(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    size_t len = strlen(path);
    if (type != FTW_F || len < 2 || path[len - 2] != '.' ||
        (path[len - 1] != 'c' && path[len - 1] != 'h'))
        return 0;
    if (len >= 11 && strcmp(path + len - 11, "/settings.c") == 0)
        return 0; /* the one reader, called by the front-ends */
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (strstr(line, "getenv(") || strstr(line, "**environ") || strstr(line, "environ[")) {
            size_t used = strlen(offenders);
            snprintf(offenders + used, sizeof offenders - used, "%s:%d\n", path, lineno);
        }
    }
    fclose(f);
    return 0;
}

static void no_environment_reads_in_libraries(void **state)
{
    (void)state;
    offenders[0] = '\0';
    assert_int_equal(nftw(SATMARK_SOURCE_DIR "/src/core", look_for_getenv, 16, FTW_PHYS), 0);
    assert_int_equal(nftw(SATMARK_SOURCE_DIR "/src/viewsupport", look_for_getenv, 16, FTW_PHYS),
                     0);
    if (offenders[0])
        fail_msg("the environment is read outside settings.c (a front-end fills struct "
                 "satmark_settings instead):\n%s",
                 offenders);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_environment_gives_defaults),
        cmocka_unit_test(cache_directory_precedence),
        cmocka_unit_test(other_variables),
        cmocka_unit_test(no_environment_reads_in_libraries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
