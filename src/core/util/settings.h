/*
 * settings — what the user's environment says about how the core behaves:
 * where the caches and the bundled assets are, who the user is, whether
 * custody records are written. The core never reads the environment
 * itself (no getenv under src/core or src/viewsupport but in
 * settings_from_env, checked by tests/test_settings.c): a front-end fills a struct satmark_settings,
 * usually with settings_from_env(), and installs it once with
 * settings_install() before it calls into the core, as PROJ's context
 * carries search paths and network settings on behalf of its caller.
 *
 * Why installed rather than passed: the settings are read at the bottom of
 * long call chains (figure -> hashcache, render -> style, every caller of
 * raster_open -> raster, imagery -> custody), so passing them down would
 * add a parameter to most of the core's functions for four leaf readers
 * (docs/design.md "Settings").
 *
 * Invariants:
 *   - settings_get() never returns NULL: before anything is installed (a
 *     unit test, a fuzz target, a library user) it returns the defaults of
 *     an empty environment (settings_init).
 *   - settings_install() is called by the front-end's main thread before
 *     any other thread starts; afterwards the installed settings are only
 *     read, so every thread may read them without a lock.
 *   - The strings are owned by the struct (settings_clear frees them);
 *     settings_install only borrows the struct, which must outlive its use.
 */
#ifndef SATMARK_SETTINGS_H
#define SATMARK_SETTINGS_H

#include <stdbool.h>

struct satmark_settings {
    /* hashcache: kept SHA-256s of large files. cache_dir is satmark's cache
     * directory (hashcache adds "sha256/"); NULL: no cache. From
     * $SATMARK_CACHE_DIR, else $XDG_CACHE_HOME/satmark, else
     * $HOME/.cache/satmark; hash_cache false when SATMARK_HASH_CACHE=off. */
    bool hash_cache;
    char *cache_dir;
    /* style: the assets directory ($SATMARK_ASSETS); NULL: found next to
     * the executable. */
    char *assets_dir;
    /* raster: every read through GDAL's general path
     * (SATMARK_RASTER_SLOW_PATH=1; the tests compare both paths). */
    bool raster_slow_path;
    /* export: the OGR formats' attribute texts always through each
     * feature's properties object (SATMARK_EXPORT_SLOW_TEXTS=1), and their
     * features filled on the writing thread (SATMARK_EXPORT_ONE_THREAD=1);
     * the tests compare each with the default way. */
    bool export_slow_texts;
    bool export_one_thread;
    /* custody: false when SATMARK_NO_CUSTODY is set and not empty. */
    bool custody_records;
    /* custody: who the user is: $SATMARK_USER (user), else the login name,
     * else the password entry, else $USER (login_env); NULL when unset or
     * empty. */
    char *user;
    char *login_env;
};

/* The defaults of an empty environment: hash cache on but no directory
 * (so not used), assets next to the executable, fast raster path, custody
 * records on, no user names. */
void settings_init(struct satmark_settings *s);

/* Fills s (its previous strings are not freed: pass an initialised or
 * cleared struct) from the environment. false when out of memory (s is
 * then cleared). */
bool settings_from_env(struct satmark_settings *s);

/* Frees s's strings and sets s to the defaults. */
void settings_clear(struct satmark_settings *s);

/* Makes s (borrowed; NULL: the defaults again) what settings_get returns. */
void settings_install(const struct satmark_settings *s);

/* The installed settings (borrowed), or the defaults. */
const struct satmark_settings *settings_get(void);

#endif
