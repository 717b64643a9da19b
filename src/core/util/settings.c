/*
 * settings — see settings.h. The one file under src/core that reads the
 * environment (settings_from_env, called by the front-ends' main); the
 * no-getenv check (tests/test_settings.c) names it as the exception.
 */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct satmark_settings defaults = {
    .hash_cache = true,
    .custody_records = true,
};

static const struct satmark_settings *installed;

static bool set(const char *v) { return v && *v; }

/* A copy of prefix + suffix in *out (owned); false when out of memory. */
static bool copy_joined(char **out, const char *prefix, const char *suffix)
{
    size_t n = strlen(prefix) + strlen(suffix) + 1;
    *out = malloc(n);
    if (!*out)
        return false;
    snprintf(*out, n, "%s%s", prefix, suffix);
    return true;
}

void settings_init(struct satmark_settings *s)
{
    *s = defaults;
}

bool settings_from_env(struct satmark_settings *s)
{
    settings_init(s);
    const char *off = getenv("SATMARK_HASH_CACHE");
    s->hash_cache = !(off && strcmp(off, "off") == 0);
    const char *base;
    bool ok = true;
    if (set(base = getenv("SATMARK_CACHE_DIR")))
        ok = copy_joined(&s->cache_dir, base, "");
    else if (set(base = getenv("XDG_CACHE_HOME")))
        ok = copy_joined(&s->cache_dir, base, "/satmark");
    else if (set(base = getenv("HOME")))
        ok = copy_joined(&s->cache_dir, base, "/.cache/satmark");
    const char *assets = getenv("SATMARK_ASSETS");
    if (ok && set(assets))
        ok = copy_joined(&s->assets_dir, assets, "");
    const char *slow = getenv("SATMARK_RASTER_SLOW_PATH");
    s->raster_slow_path = slow && strcmp(slow, "1") == 0;
    const char *slow_texts = getenv("SATMARK_EXPORT_SLOW_TEXTS");
    s->export_slow_texts = slow_texts && strcmp(slow_texts, "1") == 0;
    const char *one_thread = getenv("SATMARK_EXPORT_ONE_THREAD");
    s->export_one_thread = one_thread && strcmp(one_thread, "1") == 0;
    s->custody_records = !set(getenv("SATMARK_NO_CUSTODY"));
    const char *user = getenv("SATMARK_USER"), *login = getenv("USER");
    if (ok && set(user))
        ok = copy_joined(&s->user, user, "");
    if (ok && set(login))
        ok = copy_joined(&s->login_env, login, "");
    if (!ok)
        settings_clear(s);
    return ok;
}

void settings_clear(struct satmark_settings *s)
{
    free(s->cache_dir);
    free(s->assets_dir);
    free(s->user);
    free(s->login_env);
    settings_init(s);
}

void settings_install(const struct satmark_settings *s)
{
    installed = s;
}

const struct satmark_settings *settings_get(void)
{
    return installed ? installed : &defaults;
}
