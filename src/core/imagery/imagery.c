/*
 * imagery — see imagery.h. The register is small (one entry per collected
 * tile), so it is held as a plain array and searched linearly; it is read
 * whole with jansson (duplicate keys rejected) and validated into C structs,
 * stopping at the first problem so the message names exactly one entry.
 * Unknown members are refused rather than dropped, because rewriting the
 * register after `imagery add` would otherwise lose them silently.
 */
#define _DEFAULT_SOURCE /* realpath() */
#include "imagery.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody.h"
#include "pathname.h"
#include "raster.h"
#include "safefile.h"

/* A register larger than this is not a list of collected tiles. */
#define IMAGERY_MAX_FILE_BYTES (16L * 1024 * 1024)
#define IMAGERY_MAX_TEXT 4096

struct imagery_register {
    char *path;
    struct imagery_entry *entries;
    size_t count, cap;
};

/* ---- small helpers -------------------------------------------------------- */

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static void entry_clear(struct imagery_entry *e)
{
    char **fields[] = {&e->id,       &e->file,   &e->sha256,  &e->acquired,
                       &e->acquired_from, &e->provider, &e->sensor, &e->licence,
                       &e->credit,   &e->source_url, &e->added_by, &e->added_at};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

static bool entry_complete(const struct imagery_entry *e)
{
    return e->id && e->file && e->sha256 && e->acquired && e->acquired_from && e->provider &&
           e->sensor && e->licence && e->credit && e->source_url && e->added_by && e->added_at;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool imagery_acquired_valid(const char *s)
{
    if (!s)
        return false;
    if (!*s)
        return true;
    if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int month = num(s + 5, 2), day = num(s + 8, 2);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    const char *t = s + 10;
    if (!*t)
        return true;
    /* THH:MM[:SS[.fff]]Z */
    if (t[0] != 'T' || !digits(t + 1, 2) || t[3] != ':' || !digits(t + 4, 2))
        return false;
    if (num(t + 1, 2) > 23 || num(t + 4, 2) > 59)
        return false;
    t += 6;
    if (*t == ':') {
        if (!digits(t + 1, 2) || num(t + 1, 2) > 60)
            return false;
        t += 3;
        if (*t == '.') {
            t++;
            if (!isdigit((unsigned char)*t))
                return false;
            while (isdigit((unsigned char)*t))
                t++;
        }
    }
    return strcmp(t, "Z") == 0;
}

static bool has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* ---- register lifetime ------------------------------------------------------ */

struct imagery_register *imagery_register_new(const char *path, struct diag *dg)
{
    struct imagery_register *reg = calloc(1, sizeof *reg);
    if (!reg || !(reg->path = strdup(path))) {
        free(reg);
        diag_error(dg, "%s: out of memory", path);
        return NULL;
    }
    return reg;
}

void imagery_register_free(struct imagery_register *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->count; i++)
        entry_clear(&reg->entries[i]);
    free(reg->entries);
    free(reg->path);
    free(reg);
}

const char *imagery_register_path(const struct imagery_register *reg)
{
    return reg->path;
}

size_t imagery_count(const struct imagery_register *reg)
{
    return reg ? reg->count : 0;
}

const struct imagery_entry *imagery_at(const struct imagery_register *reg, size_t i)
{
    return reg && i < reg->count ? &reg->entries[i] : NULL;
}

const struct imagery_entry *imagery_find_sha256(const struct imagery_register *reg,
                                                const char *sha256)
{
    if (!reg || !sha256 || !*sha256)
        return NULL;
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->entries[i].sha256, sha256) == 0)
            return &reg->entries[i];
    return NULL;
}

const struct imagery_entry *imagery_find_id(const struct imagery_register *reg, const char *id)
{
    if (!reg || !id)
        return NULL;
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->entries[i].id, id) == 0)
            return &reg->entries[i];
    return NULL;
}

const struct imagery_entry *imagery_find_file(const struct imagery_register *reg,
                                              const char *basename)
{
    if (!reg || !basename || !*basename)
        return NULL;
    const char *want = pathname_base(basename);
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(pathname_base(reg->entries[i].file), want) == 0)
            return &reg->entries[i];
    return NULL;
}

const struct imagery_entry *imagery_match(const struct imagery_register *reg, const char *image,
                                          const char *sha256, enum imagery_match *how)
{
    const struct imagery_entry *e = imagery_find_sha256(reg, sha256);
    enum imagery_match m = IMAGERY_MATCH_SHA256;
    if (!e) {
        e = imagery_find_file(reg, image);
        m = IMAGERY_MATCH_NAME;
    }
    if (how)
        *how = e ? m : IMAGERY_MATCH_NONE;
    return e;
}

const char *imagery_match_name(enum imagery_match how)
{
    switch (how) {
    case IMAGERY_MATCH_SHA256:
        return "sha256";
    case IMAGERY_MATCH_NAME:
        return "file name";
    case IMAGERY_MATCH_NONE:
        break;
    }
    return "unregistered";
}

bool imagery_entry_path(const struct imagery_register *reg, const struct imagery_entry *e,
                        char *out, size_t cap)
{
    int n;
    const char *slash = strrchr(reg->path, '/');
    if (e->file[0] == '/' || !slash)
        n = snprintf(out, cap, "%s", e->file);
    else
        n = snprintf(out, cap, "%.*s/%s", (int)(slash - reg->path), reg->path, e->file);
    return n >= 0 && (size_t)n < cap;
}

bool imagery_register_locate(const char *annot_path, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (!annot_path || !*annot_path || cap == 0)
        return false;
    struct stat st;
    int n;
    if (stat(annot_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        n = snprintf(out, cap, "%s/%s", annot_path, IMAGERY_DEFAULT_NAME);
    } else {
        const char *slash = strrchr(annot_path, '/');
        if (slash)
            n = snprintf(out, cap, "%.*s/%s", (int)(slash - annot_path), annot_path,
                         IMAGERY_DEFAULT_NAME);
        else
            n = snprintf(out, cap, "%s", IMAGERY_DEFAULT_NAME);
    }
    if (n < 0 || (size_t)n >= cap || stat(out, &st) != 0 || !S_ISREG(st.st_mode)) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* ---- reading ---------------------------------------------------------------- */

/* Reads a regular file of bounded size into a new NUL-terminated buffer. */
static char *read_small_file(const char *path, size_t *len, struct diag *dg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        diag_error(dg, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_size > IMAGERY_MAX_FILE_BYTES) {
        diag_error(dg, "%s: %lld bytes: too large for an imagery register (limit %ld)", path,
                   (long long)st.st_size, IMAGERY_MAX_FILE_BYTES);
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    size_t have = 0;
    while (buf && have < size) {
        ssize_t got = read(fd, buf + have, size - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        have += (size_t)got;
    }
    close(fd);
    if (!buf || have != size) {
        diag_error(dg, "%s: cannot read: %s", path, buf ? "short read" : "out of memory");
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    *len = size;
    return buf;
}

static const char *const entry_keys[] = {
    "id",       "file",       "sha256",   "size",       "acquired",  "acquired_from",
    "provider", "sensor",     "gsd_m",    "licence",    "credit",    "source_url",
    "synthetic", "added_by",  "added_at", NULL,
};

/* Context for one entry's messages: "FILE: images[i] (id): ". */
struct entry_ctx {
    const char *path;
    size_t index;
    const char *id;
    struct diag *dg;
};

static bool entry_fail(const struct entry_ctx *c, const char *what, const char *reason)
{
    if (c->id)
        diag_error(c->dg, "%s: images[%zu] (\"%s\"): %s%s", c->path, c->index, c->id, what, reason);
    else
        diag_error(c->dg, "%s: images[%zu]: %s%s", c->path, c->index, what, reason);
    return false;
}

/* Reads optional string member key into *dst ("" when absent). */
static bool take_string(const struct entry_ctx *c, json_t *obj, const char *key, bool required,
                        char **dst)
{
    json_t *v = json_object_get(obj, key);
    char what[64];
    snprintf(what, sizeof what, "\"%s\" ", key);
    if (!v) {
        if (required)
            return entry_fail(c, what, "is missing");
        *dst = strdup("");
    } else if (!json_is_string(v)) {
        return entry_fail(c, what, "must be a string");
    } else {
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v) || has_control_chars(s))
            return entry_fail(c, what, "contains control characters");
        if (strlen(s) > IMAGERY_MAX_TEXT)
            return entry_fail(c, what, "is too long");
        if (required && !*s)
            return entry_fail(c, what, "is empty");
        *dst = strdup(s);
    }
    if (!*dst)
        return entry_fail(c, what, "out of memory");
    return true;
}

static bool parse_entry(const struct entry_ctx *ctx0, json_t *obj, struct imagery_entry *e)
{
    struct entry_ctx c = *ctx0;
    memset(e, 0, sizeof *e);
    if (!json_is_object(obj))
        return entry_fail(&c, "", "must be an object");
    const char *key;
    json_t *value;
    json_t *idv = json_object_get(obj, "id");
    if (json_is_string(idv) && !has_control_chars(json_string_value(idv)))
        c.id = json_string_value(idv);
    json_object_foreach(obj, key, value) {
        bool known = false;
        for (size_t k = 0; entry_keys[k] && !known; k++)
            known = strcmp(key, entry_keys[k]) == 0;
        if (!known) {
            char what[160];
            snprintf(what, sizeof what, "unknown member \"%.100s\"", key);
            return entry_fail(&c, what, " (this version knows: id, file, sha256, size, "
                                        "acquired, acquired_from, provider, sensor, gsd_m, "
                                        "licence, credit, source_url, synthetic, added_by, "
                                        "added_at)");
        }
    }
    if (!take_string(&c, obj, "id", true, &e->id) || !take_string(&c, obj, "file", true, &e->file) ||
        !take_string(&c, obj, "sha256", true, &e->sha256) ||
        !take_string(&c, obj, "acquired", false, &e->acquired) ||
        !take_string(&c, obj, "acquired_from", false, &e->acquired_from) ||
        !take_string(&c, obj, "provider", false, &e->provider) ||
        !take_string(&c, obj, "sensor", false, &e->sensor) ||
        !take_string(&c, obj, "licence", false, &e->licence) ||
        !take_string(&c, obj, "credit", false, &e->credit) ||
        !take_string(&c, obj, "source_url", false, &e->source_url) ||
        !take_string(&c, obj, "added_by", false, &e->added_by) ||
        !take_string(&c, obj, "added_at", false, &e->added_at))
        return false;
    if (!hash_is_sha256_hex(e->sha256))
        return entry_fail(&c, "\"sha256\" ", "must be 64 lowercase hexadecimal digits");
    json_t *size = json_object_get(obj, "size");
    if (!json_is_integer(size) || json_integer_value(size) < 0)
        return entry_fail(&c, "\"size\" ", "must be a non-negative integer (bytes)");
    e->size = (uint64_t)json_integer_value(size);
    json_t *synthetic = json_object_get(obj, "synthetic");
    if (!json_is_boolean(synthetic))
        return entry_fail(&c, "\"synthetic\" ", "must be true or false");
    e->synthetic = json_is_true(synthetic);
    json_t *gsd = json_object_get(obj, "gsd_m");
    e->gsd_m = 0.0;
    if (gsd && !json_is_null(gsd)) {
        if (!json_is_number(gsd) || !(json_number_value(gsd) > 0.0))
            return entry_fail(&c, "\"gsd_m\" ", "must be a positive number of metres or null");
        e->gsd_m = json_number_value(gsd);
    }
    if (!imagery_acquired_valid(e->acquired))
        return entry_fail(&c, "\"acquired\" ",
                          "must be YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM[:SS]Z");
    if (*e->acquired_from && strcmp(e->acquired_from, "metadata") != 0 &&
        strcmp(e->acquired_from, "given") != 0)
        return entry_fail(&c, "\"acquired_from\" ", "must be \"metadata\", \"given\" or \"\"");
    if (*e->acquired && !*e->acquired_from)
        return entry_fail(&c, "\"acquired_from\" ",
                          "must say where \"acquired\" came from (\"metadata\" or \"given\")");
    if (!*e->acquired && *e->acquired_from)
        return entry_fail(&c, "\"acquired_from\" ", "is set but \"acquired\" is empty");
    if (*e->added_at && !imagery_acquired_valid(e->added_at))
        return entry_fail(&c, "\"added_at\" ", "must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
    return true;
}

static bool parse_register(struct imagery_register *reg, json_t *root, struct diag *dg)
{
    const char *path = reg->path;
    if (!json_is_object(root)) {
        diag_error(dg, "%s: an imagery register must be a JSON object", path);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (strcmp(key, "satmark_imagery") != 0 && strcmp(key, "images") != 0) {
            diag_error(dg, "%s: unknown member \"%.100s\" (expected \"satmark_imagery\" and "
                           "\"images\")", path, key);
            return false;
        }
    }
    json_t *version = json_object_get(root, "satmark_imagery");
    if (!json_is_integer(version)) {
        diag_error(dg, "%s: not an imagery register (no \"satmark_imagery\": %d)", path,
                   IMAGERY_FORMAT_VERSION);
        return false;
    }
    if (json_integer_value(version) != IMAGERY_FORMAT_VERSION) {
        diag_error(dg, "%s: imagery register version %lld; this satmark reads version %d", path,
                   (long long)json_integer_value(version), IMAGERY_FORMAT_VERSION);
        return false;
    }
    json_t *images = json_object_get(root, "images");
    if (!json_is_array(images)) {
        diag_error(dg, "%s: \"images\" must be an array", path);
        return false;
    }
    size_t n = json_array_size(images);
    reg->entries = n ? calloc(n, sizeof *reg->entries) : NULL;
    if (n && !reg->entries) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    reg->cap = n;
    for (size_t i = 0; i < n; i++) {
        struct entry_ctx c = {path, i, NULL, dg};
        struct imagery_entry *e = &reg->entries[i];
        bool ok = parse_entry(&c, json_array_get(images, i), e);
        reg->count = i + 1; /* so a partly filled entry is freed */
        if (!ok)
            return false;
        for (size_t j = 0; j < i; j++) {
            c.id = e->id;
            if (strcmp(reg->entries[j].id, e->id) == 0) {
                char what[64];
                snprintf(what, sizeof what, "\"id\" repeats images[%zu]", j);
                return entry_fail(&c, what, ": ids must be unique");
            }
            if (strcmp(reg->entries[j].sha256, e->sha256) == 0) {
                char what[160];
                snprintf(what, sizeof what, "\"sha256\" repeats images[%zu] (\"%.100s\")", j,
                         reg->entries[j].id);
                return entry_fail(&c, what, ": the same file is registered twice");
            }
        }
    }
    return true;
}

bool imagery_register_read(const char *path, struct imagery_register **out, struct diag *dg)
{
    *out = NULL;
    size_t len = 0;
    char *text = read_small_file(path, &len, dg);
    if (!text)
        return false;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    free(text);
    if (!root) {
        diag_error(dg, "%s:%d:%d: not valid JSON: %s", path, err.line, err.column, err.text);
        return false;
    }
    struct imagery_register *reg = imagery_register_new(path, dg);
    bool ok = reg && parse_register(reg, root, dg);
    json_decref(root);
    if (!ok) {
        imagery_register_free(reg);
        return false;
    }
    *out = reg;
    return true;
}

/* ---- writing ---------------------------------------------------------------- */

static int put(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

json_t *imagery_entry_to_json(const struct imagery_entry *e)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = 0;
    bad |= put(o, "id", json_string(e->id));
    bad |= put(o, "file", json_string(e->file));
    bad |= put(o, "sha256", json_string(e->sha256));
    bad |= put(o, "size", json_integer((json_int_t)e->size));
    bad |= put(o, "acquired", json_string(e->acquired));
    bad |= put(o, "acquired_from", json_string(e->acquired_from));
    bad |= put(o, "provider", json_string(e->provider));
    bad |= put(o, "sensor", json_string(e->sensor));
    bad |= put(o, "gsd_m", e->gsd_m > 0.0 ? json_real(e->gsd_m) : json_null());
    bad |= put(o, "licence", json_string(e->licence));
    bad |= put(o, "credit", json_string(e->credit));
    bad |= put(o, "source_url", json_string(e->source_url));
    bad |= put(o, "synthetic", json_boolean(e->synthetic));
    bad |= put(o, "added_by", json_string(e->added_by));
    bad |= put(o, "added_at", json_string(e->added_at));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

bool imagery_register_write(const struct imagery_register *reg, struct diag *dg)
{
    json_t *root = json_object();
    json_t *images = json_array();
    int bad = !root || !images;
    bad |= put(root, "satmark_imagery", json_integer(IMAGERY_FORMAT_VERSION));
    for (size_t i = 0; i < reg->count && !bad; i++)
        bad |= json_array_append_new(images, imagery_entry_to_json(&reg->entries[i]));
    bad |= json_object_set(root, "images", images);
    json_decref(images);
    char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) {
        diag_error(dg, "%s: cannot format the register (a text is not valid UTF-8?)", reg->path);
        return false;
    }
    size_t n = strlen(text);
    char *with_newline = realloc(text, n + 2);
    if (!with_newline) {
        free(text);
        diag_error(dg, "%s: out of memory", reg->path);
        return false;
    }
    with_newline[n] = '\n';
    with_newline[n + 1] = '\0';
    bool ok = safefile_write(reg->path, with_newline, n + 1, NULL, dg);
    free(with_newline);
    return ok;
}

/* ---- adding a tile ------------------------------------------------------------ */

void imagery_add_options_init(struct imagery_add_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->synthetic = IMAGERY_SYNTHETIC_AUTO;
}

static bool given(const char *s)
{
    return s && *s;
}

/* out = path of target relative to directory base (both absolute, canonical). */
static bool relative_path(const char *base, const char *target, char *out, size_t cap)
{
    size_t common = 0, i = 0;
    /* longest common prefix ending at a component boundary */
    while (base[i] && target[i] && base[i] == target[i]) {
        i++;
        if (target[i] == '/' && (base[i] == '/' || base[i] == '\0'))
            common = i;
    }
    if (base[i] == '\0' && target[i] == '/')
        common = i;
    if (strcmp(base, "/") == 0) {
        int n = snprintf(out, cap, "%s", target + 1);
        return n >= 0 && (size_t)n < cap;
    }
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = base + common; *p; p++)
        if (*p == '/') {
            int n = snprintf(out + used, cap - used, "../");
            if (n < 0 || (size_t)n >= cap - used)
                return false;
            used += (size_t)n;
        }
    int n = snprintf(out + used, cap - used, "%s", target + common + 1);
    return n >= 0 && (size_t)n < cap - used;
}

/* The `file` member for tile_path as seen from the register's directory:
 * relative when both resolve, else the absolute path of the tile. */
static bool file_member(const struct imagery_register *reg, const char *tile_real, char *out,
                        size_t cap, struct diag *dg)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(reg->path, '/');
    int n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - reg->path) + (slash == reg->path),
                             reg->path)
                  : snprintf(dir, sizeof dir, ".");
    char dir_real[PATH_MAX];
    if (n < 0 || (size_t)n >= sizeof dir || !realpath(dir, dir_real)) {
        diag_error(dg, "%s: the register's directory %s does not exist", reg->path, dir);
        return false;
    }
    if (!relative_path(dir_real, tile_real, out, cap)) {
        diag_error(dg, "%s: path too long", tile_real);
        return false;
    }
    return true;
}

/* What `satmark fetch` recorded beside a file it wrote (FILE.stac.json,
 * docs/fetch.md): used for what the user does not give, and only when it
 * describes this very file (same SHA-256). Strings owned here. */
struct fetch_record {
    bool found;
    char *acquired, *provider, *licence, *source_url, *fetched_at;
    double gsd_m;
};

static void fetch_record_clear(struct fetch_record *fr)
{
    free(fr->acquired);
    free(fr->provider);
    free(fr->licence);
    free(fr->source_url);
    free(fr->fetched_at);
    memset(fr, 0, sizeof *fr);
}

static char *clean_member(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (!v || has_control_chars(v) || strlen(v) > IMAGERY_MAX_TEXT)
        return strdup("");
    return strdup(v);
}

/* Reads tile_path.stac.json when it exists. A record that cannot be read or
 * describes another file is a warning and is not used. */
static void read_fetch_record(const char *tile_path, const char *sha256, struct fetch_record *fr,
                              struct diag *dg)
{
    memset(fr, 0, sizeof *fr);
    char path[PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s.stac.json", tile_path);
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0)
        return;
    struct diag *local = diag_new();
    size_t len = 0;
    char *text = local ? read_small_file(path, &len, local) : NULL;
    json_error_t err;
    json_t *root = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &err) : NULL;
    free(text);
    const char *recorded = json_string_value(json_object_get(root, "sha256"));
    if (!json_is_object(root) || !json_is_integer(json_object_get(root, "satmark_fetch"))) {
        diag_warn(dg, "%s: not a satmark fetch record (%s); not used", path,
                  local && diag_failed(local) ? diag_message(local) : "no \"satmark_fetch\"");
    } else if (!recorded || strcmp(recorded, sha256) != 0) {
        diag_warn(dg, "%s: describes another file (sha256 %.12s..., this file %.12s...); not used",
                  path, recorded ? recorded : "none", sha256);
    } else {
        fr->found = true;
        fr->acquired = clean_member(root, "acquired");
        fr->provider = clean_member(root, "provider");
        fr->licence = clean_member(root, "licence");
        fr->source_url = clean_member(root, "item_self");
        fr->fetched_at = clean_member(root, "fetched_at");
        json_t *gsd = json_object_get(root, "gsd_m");
        fr->gsd_m = json_is_number(gsd) && json_number_value(gsd) > 0 ? json_number_value(gsd) : 0;
        if (!fr->acquired || !fr->provider || !fr->licence || !fr->source_url || !fr->fetched_at)
            fetch_record_clear(fr);
        else if (!imagery_acquired_valid(fr->acquired)) {
            /* STAC allows offsets and other forms; keep the date when it is one */
            fr->acquired[strlen(fr->acquired) > 10 ? 10 : strlen(fr->acquired)] = '\0';
            if (!imagery_acquired_valid(fr->acquired))
                fr->acquired[0] = '\0';
        }
    }
    json_decref(root);
    diag_free(local);
}

/* The acquisition time for the new entry: given, else from the metadata
 * (not the TIFF write time). Fills acquired/acquired_from. */
static bool choose_acquired(const char *tile, const struct raster_info *in,
                            const struct fetch_record *fr, const struct imagery_add_options *opt,
                            char **acquired, char **acquired_from, struct diag *dg)
{
    const char *meta = "";
    char meta_buf[RASTER_DATE_MAX];
    bool meta_is_write_time = strcmp(in->acquired_source, "TIFFTAG_DATETIME") == 0;
    if (in->acquired[0] && !meta_is_write_time) {
        snprintf(meta_buf, sizeof meta_buf, "%s", in->acquired);
        if (!imagery_acquired_valid(meta_buf))
            meta_buf[10] = '\0'; /* raster checked the date part; keep only that */
        meta = meta_buf;
    } else if (fr->found && fr->acquired[0]) {
        meta = fr->acquired; /* the fetch record is the file's metadata too */
    }
    if (given(opt->acquired)) {
        if (!imagery_acquired_valid(opt->acquired)) {
            diag_error(dg, "--acquired \"%s\": not YYYY-MM-DD or a UTC time "
                           "YYYY-MM-DDTHH:MM[:SS]Z", opt->acquired);
            return false;
        }
        if (*meta && strncmp(meta, opt->acquired, 10) != 0)
            diag_warn(dg, "%s: its metadata (%s) says acquired %s; registering the given %s",
                      tile, in->acquired_source, meta, opt->acquired);
        *acquired = strdup(opt->acquired);
        *acquired_from = strdup("given");
    } else if (*meta) {
        *acquired = strdup(meta);
        *acquired_from = strdup("metadata");
    } else {
        if (meta_is_write_time)
            diag_warn(dg, "%s: the only date in its metadata is TIFFTAG_DATETIME (when the file "
                          "was written), not used; give --acquired", tile);
        else
            diag_warn(dg, "%s: no acquisition time in its metadata; registered as unknown "
                          "(give --acquired)", tile);
        *acquired = strdup("");
        *acquired_from = strdup("");
    }
    return true;
}

/* Same file, same description (who added it and when aside). */
static bool same_description(const struct imagery_entry *a, const struct imagery_entry *b)
{
    return strcmp(a->sha256, b->sha256) == 0 && strcmp(a->file, b->file) == 0 &&
           strcmp(a->acquired, b->acquired) == 0 &&
           strcmp(a->acquired_from, b->acquired_from) == 0 &&
           strcmp(a->provider, b->provider) == 0 && strcmp(a->sensor, b->sensor) == 0 &&
           strcmp(a->licence, b->licence) == 0 && strcmp(a->credit, b->credit) == 0 &&
           strcmp(a->source_url, b->source_url) == 0 && a->gsd_m == b->gsd_m &&
           a->size == b->size && a->synthetic == b->synthetic;
}

const struct imagery_entry *imagery_add_tile(struct imagery_register *reg, const char *tile_path,
                                             const struct imagery_add_options *opt,
                                             struct imagery_add_outcome *outcome,
                                             struct diag *dg)
{
    struct imagery_add_outcome ignored;
    if (!outcome)
        outcome = &ignored;
    struct imagery_add_options defaults;
    if (!opt) {
        imagery_add_options_init(&defaults);
        opt = &defaults;
    }
    memset(outcome, 0, sizeof *outcome);
    struct stat st;
    if (stat(tile_path, &st) != 0) {
        diag_error(dg, "%s: %s", tile_path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: not a regular file", tile_path);
        return NULL;
    }
    char tile_real[PATH_MAX];
    if (!realpath(tile_path, tile_real)) {
        diag_error(dg, "%s: %s", tile_path, strerror(errno));
        return NULL;
    }
    /* the raster's own warnings (e.g. "synthetic demo image") are about
     * viewing it; this function says what matters for the register */
    struct diag *quiet = diag_new();
    if (!quiet) {
        diag_error(dg, "%s: out of memory", tile_path);
        return NULL;
    }
    struct raster *r = raster_open(tile_path, NULL, quiet);
    if (!r) {
        diag_error(dg, "%s", diag_message(quiet));
        diag_free(quiet);
        return NULL;
    }
    diag_free(quiet);
    const struct raster_info *in = raster_get_info(r);
    struct imagery_entry e = {0};
    bool ok = true;
    if (in->synthetic && opt->synthetic == IMAGERY_SYNTHETIC_NO) {
        diag_error(dg, "%s: its metadata says SATMARK_SYNTHETIC=YES: a synthetic tile can only "
                       "be registered as synthetic", tile_path);
        ok = false;
    }
    e.synthetic = in->synthetic || opt->synthetic == IMAGERY_SYNTHETIC_YES;
    char hex[HASH_SHA256_HEX_LEN + 1];
    char file[PATH_MAX];
    struct fetch_record fr = {0};
    ok = ok && hash_file_sha256(tile_path, hex, dg) &&
         file_member(reg, tile_real, file, sizeof file, dg);
    if (ok)
        read_fetch_record(tile_path, hex, &fr, dg);
    outcome->fetch_record = fr.found;
    ok = ok && choose_acquired(tile_path, in, &fr, opt, &e.acquired, &e.acquired_from, dg);
    if (ok && given(opt->id) && strlen(opt->id) > 200) {
        diag_error(dg, "%s: --id is longer than 200 characters", tile_path);
        ok = false;
    }
    if (ok) {
        char id[256];
        if (given(opt->id)) {
            snprintf(id, sizeof id, "%.200s", opt->id);
        } else {
            snprintf(id, sizeof id, "%.200s", pathname_base(tile_real));
            char *dot = strrchr(id, '.');
            if (dot && dot != id)
                *dot = '\0';
        }
        char who[CUSTODY_WHO_MAX], now[CUSTODY_TIME_LEN + 1];
        if (given(opt->by))
            snprintf(who, sizeof who, "%s", opt->by);
        else
            custody_default_who(who, sizeof who);
        custody_utc_now(now);
        e.id = strdup(id);
        e.file = strdup(file);
        e.sha256 = strdup(hex);
        e.provider = dup_or_empty(given(opt->provider) ? opt->provider : fr.provider);
        e.sensor = dup_or_empty(opt->sensor);
        e.licence = dup_or_empty(given(opt->licence) ? opt->licence : fr.licence);
        e.credit = dup_or_empty(given(opt->credit) ? opt->credit : in->credit);
        e.source_url = dup_or_empty(given(opt->source_url) ? opt->source_url : fr.source_url);
        e.added_by = strdup(who);
        e.added_at = strdup(now);
        e.gsd_m = opt->gsd_m > 0.0 ? opt->gsd_m : fr.gsd_m > 0.0 ? fr.gsd_m : 0.0;
        e.size = (uint64_t)st.st_size;
        if (!entry_complete(&e)) {
            diag_error(dg, "%s: out of memory", tile_path);
            ok = false;
        }
    }
    raster_close(r);
    fetch_record_clear(&fr);
    const char *texts[] = {e.id, e.provider, e.sensor, e.licence, e.credit, e.source_url, e.added_by};
    for (size_t i = 0; ok && i < sizeof texts / sizeof texts[0]; i++)
        if (has_control_chars(texts[i]) || strlen(texts[i]) > IMAGERY_MAX_TEXT) {
            diag_error(dg, "%s: \"%.60s\": control characters or too long", tile_path, texts[i]);
            ok = false;
        }
    if (ok && !*e.id) {
        diag_error(dg, "%s: empty id", tile_path);
        ok = false;
    }
    /* where it goes: a new slot, or over the entry with the same id */
    size_t slot = reg->count;
    for (size_t i = 0; ok && i < reg->count; i++) {
        const struct imagery_entry *old = &reg->entries[i];
        if (strcmp(old->id, e.id) == 0) {
            if (!opt->replace) {
                diag_error(dg, "%s: id \"%s\" is already registered (%s, sha256 %.12s...)%s",
                           tile_path, e.id, old->file, old->sha256,
                           strcmp(old->sha256, e.sha256) == 0
                               ? ": this very file"
                               : "; give --replace to register this file in its place, or --id");
                ok = false;
            } else {
                slot = i;
            }
        } else if (strcmp(old->sha256, e.sha256) == 0) {
            diag_error(dg, "%s: this file (sha256 %.12s...) is already registered as \"%s\"",
                       tile_path, e.sha256, old->id);
            ok = false;
        }
    }
    if (ok && slot == reg->count && reg->count == reg->cap) {
        size_t cap = reg->cap ? 2 * reg->cap : 8;
        struct imagery_entry *grown = realloc(reg->entries, cap * sizeof *grown);
        if (!grown) {
            diag_error(dg, "%s: out of memory", tile_path);
            ok = false;
        } else {
            reg->entries = grown;
            reg->cap = cap;
        }
    }
    if (!ok) {
        entry_clear(&e);
        return NULL;
    }
    if (slot < reg->count && same_description(&reg->entries[slot], &e)) {
        /* --replace with the very file registered, described alike: nothing
         * to change (so re-running a registration script changes nothing) */
        outcome->kind = IMAGERY_UNCHANGED;
        memcpy(outcome->old_sha256, e.sha256, HASH_SHA256_HEX_LEN + 1);
        entry_clear(&e);
        return &reg->entries[slot];
    }
    if (slot < reg->count) {
        outcome->kind = IMAGERY_REPLACED;
        memcpy(outcome->old_sha256, reg->entries[slot].sha256, HASH_SHA256_HEX_LEN + 1);
        entry_clear(&reg->entries[slot]);
    } else {
        reg->count++;
    }
    reg->entries[slot] = e;
    return &reg->entries[slot];
}

/* ---- verification -------------------------------------------------------------- */

const char *imagery_file_state_name(enum imagery_file_state s)
{
    switch (s) {
    case IMAGERY_FILE_OK:
        return "ok";
    case IMAGERY_FILE_CHANGED:
        return "changed";
    case IMAGERY_FILE_MISSING:
        return "missing";
    case IMAGERY_FILE_UNREADABLE:
        return "unreadable";
    case IMAGERY_FILE_SYNTHETIC_REAL:
        return "synthetic registered as real";
    }
    return "?";
}

enum imagery_file_state imagery_check_entry(const struct imagery_register *reg, size_t i,
                                            char actual[HASH_SHA256_HEX_LEN + 1],
                                            struct diag *dg)
{
    actual[0] = '\0';
    const struct imagery_entry *e = imagery_at(reg, i);
    char path[PATH_MAX];
    if (!e || !imagery_entry_path(reg, e, path, sizeof path)) {
        diag_warn(dg, "%s: images[%zu]: path too long", reg->path, i);
        return IMAGERY_FILE_UNREADABLE;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            diag_warn(dg, "%s (\"%s\"): missing", path, e->id);
            return IMAGERY_FILE_MISSING;
        }
        diag_warn(dg, "%s (\"%s\"): %s", path, e->id, strerror(errno));
        return IMAGERY_FILE_UNREADABLE;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_warn(dg, "%s (\"%s\"): not a regular file", path, e->id);
        return IMAGERY_FILE_UNREADABLE;
    }
    struct diag *local = diag_new();
    bool hashed = local && hash_file_sha256(path, actual, local);
    if (!hashed) {
        diag_warn(dg, "%s (\"%s\"): %s", path, e->id, local ? diag_message(local) : "out of memory");
        diag_free(local);
        return IMAGERY_FILE_UNREADABLE;
    }
    diag_free(local);
    if (strcmp(actual, e->sha256) != 0 || (uint64_t)st.st_size != e->size) {
        diag_warn(dg, "%s (\"%s\"): changed since it was registered: sha256 %s, registered %s",
                  path, e->id, actual, e->sha256);
        return IMAGERY_FILE_CHANGED;
    }
    if (!e->synthetic) {
        struct diag *quiet = diag_new();
        struct raster *r = quiet ? raster_open(path, NULL, quiet) : NULL;
        bool says_synthetic = r && raster_get_info(r)->synthetic;
        raster_close(r);
        diag_free(quiet);
        if (says_synthetic) {
            diag_warn(dg, "%s (\"%s\"): registered as real imagery but its metadata says "
                          "SATMARK_SYNTHETIC=YES", path, e->id);
            return IMAGERY_FILE_SYNTHETIC_REAL;
        }
    }
    return IMAGERY_FILE_OK;
}
