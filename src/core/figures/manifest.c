/*
 * manifest — see manifest.h. Each figure object is merged over "defaults"
 * (json_object_update on a copy), checked member by member against the table
 * of known members, and turned into a figure_spec whose strings live in the
 * figure's `struct mfig`.
 */
#include "manifest.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "rfile.h"

struct mfig {
    struct manifest_figure pub;
    char *name, *tile, *out_path, *feature, *catalog, *title, *caption, *style, *font, *params;
    char *georef, *dem, *subdataset; /* image options (imgopt.h) */
    char **annotations;
    size_t nannotations;
    char **claims;
    size_t nclaims;
};

struct manifest {
    struct mfig *figs;
    size_t n;
};

static void mfig_clear(struct mfig *f)
{
    free(f->name);
    free(f->tile);
    free(f->out_path);
    free(f->feature);
    free(f->catalog);
    free(f->title);
    free(f->caption);
    free(f->style);
    free(f->font);
    free(f->params);
    free(f->georef);
    free(f->dem);
    free(f->subdataset);
    for (size_t i = 0; i < f->nannotations; i++)
        free(f->annotations[i]);
    free(f->annotations);
    for (size_t i = 0; i < f->nclaims; i++)
        free(f->claims[i]);
    free(f->claims);
}

void manifest_free(struct manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        mfig_clear(&m->figs[i]);
    free(m->figs);
    free(m);
}

size_t manifest_count(const struct manifest *m) { return m ? m->n : 0; }

const struct manifest_figure *manifest_figure_at(const struct manifest *m, size_t i)
{
    return &m->figs[i].pub;
}

bool manifest_parse_shard(const char *text, size_t *index, size_t *count)
{
    char *end;
    errno = 0;
    unsigned long i = strtoul(text, &end, 10);
    if (end == text || *end != '/' || errno || text[0] == '-')
        return false;
    const char *ns = end + 1;
    unsigned long n = strtoul(ns, &end, 10);
    if (end == ns || *end || errno || ns[0] == '-' || n == 0 || n > 1000000 || i >= n)
        return false;
    *index = i;
    *count = n;
    return true;
}

/* New string: dir/rel, or rel itself when absolute. */
static char *resolve(const char *dir, const char *rel)
{
    size_t nd = strlen(dir), nr = strlen(rel);
    bool absolute = rel[0] == '/' || nd == 0;
    char *out = malloc((absolute ? 0 : nd + 1) + nr + 1);
    if (!out)
        return NULL;
    if (absolute) {
        memcpy(out, rel, nr + 1);
    } else {
        memcpy(out, dir, nd);
        out[nd] = '/';
        memcpy(out + nd + 1, rel, nr + 1);
    }
    return out;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 200 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const char *const known_members[] = {
    "name",   "tile",  "annotations", "view",  "size",   "bands",    "catalog",
    "claims", "title", "caption",     "style", "font",   "fit",      "legend",
    "scalebar", "north", "show_caption", "credit", "inset", "labels", "show_title",
    "hash",   "allow_remote", "all_marks", "ramp", "georef", "dem", "keep_degrees",
    "subdataset", NULL,
};

/* Context for messages: "PATH: figures[I] (NAME): " */
struct where {
    const char *path;
    size_t index;
    const char *name;
};

__attribute__((format(printf, 3, 4))) static bool fail(struct diag *dg, const struct where *w,
                                                       const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->name)
        diag_error(dg, "%s: figures[%zu] (%s): %s", w->path, w->index, w->name, msg);
    else
        diag_error(dg, "%s: figures[%zu]: %s", w->path, w->index, msg);
    return false;
}

static bool get_bool(json_t *obj, const char *key, bool *out, const struct where *w,
                     struct diag *dg)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_boolean(v))
        return fail(dg, w, "%s: must be true or false", key);
    *out = json_is_true(v);
    return true;
}

/* Optional string member into a new copy (*out stays NULL when absent). */
static bool get_string(json_t *obj, const char *key, char **out, const struct where *w,
                       struct diag *dg)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_string(v))
        return fail(dg, w, "%s: must be a string", key);
    *out = strdup(json_string_value(v));
    if (!*out)
        return fail(dg, w, "out of memory");
    return true;
}

/* A string or an array of strings into a new array of new strings. */
static bool get_string_list(json_t *obj, const char *key, const char *dir, char ***out,
                            size_t *n, const struct where *w, struct diag *dg)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    size_t count = json_is_string(v) ? 1 : json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_string(v) && !json_is_array(v))
        return fail(dg, w, "%s: must be a string or an array of strings", key);
    if (count > 10000)
        return fail(dg, w, "%s: too many entries", key);
    *out = calloc(count ? count : 1, sizeof **out);
    if (!*out)
        return fail(dg, w, "out of memory");
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_is_string(v) ? v : json_array_get(v, i);
        if (!json_is_string(e) || !json_string_value(e)[0])
            return fail(dg, w, "%s[%zu]: must be a non-empty string", key, i);
        (*out)[i] = dir ? resolve(dir, json_string_value(e)) : strdup(json_string_value(e));
        if (!(*out)[i])
            return fail(dg, w, "out of memory");
        (*n)++;
    }
    return true;
}

static bool parse_view(json_t *v, struct mfig *f, const struct where *w, struct diag *dg)
{
    struct figure_spec *s = &f->pub.spec;
    if (!v || (json_is_string(v) && strcmp(json_string_value(v), "tile") == 0)) {
        s->view = FIGURE_VIEW_TILE;
        return true;
    }
    if (!json_is_object(v))
        return fail(dg, w, "view: must be \"tile\", {\"feature\": ID, \"pad_m\": M} or "
                           "{\"bbox\": [W, S, E, N]}");
    json_t *feature = json_object_get(v, "feature"), *bbox = json_object_get(v, "bbox");
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (strcmp(key, "feature") && strcmp(key, "pad_m") && strcmp(key, "bbox"))
            return fail(dg, w, "view: unknown member \"%s\"", key);
    }
    if (feature && bbox)
        return fail(dg, w, "view: \"feature\" and \"bbox\" exclude each other");
    if (feature) {
        if (!json_is_string(feature) || !json_string_value(feature)[0])
            return fail(dg, w, "view.feature: must be a feature id");
        f->feature = strdup(json_string_value(feature));
        if (!f->feature)
            return fail(dg, w, "out of memory");
        s->view = FIGURE_VIEW_FEATURE;
        s->feature_id = f->feature;
        json_t *pad = json_object_get(v, "pad_m");
        if (pad) {
            if (!json_is_number(pad) || !(json_number_value(pad) >= 0) ||
                json_number_value(pad) > 1e7)
                return fail(dg, w, "view.pad_m: must be a number of metres >= 0");
            s->pad_m = json_number_value(pad);
        }
        return true;
    }
    if (bbox) {
        if (json_object_get(v, "pad_m"))
            return fail(dg, w, "view.pad_m: only with a feature view");
        if (!json_is_array(bbox) || json_array_size(bbox) != 4)
            return fail(dg, w, "view.bbox: must be [W, S, E, N]");
        for (size_t i = 0; i < 4; i++) {
            json_t *e = json_array_get(bbox, i);
            if (!json_is_number(e) || !isfinite(json_number_value(e)))
                return fail(dg, w, "view.bbox[%zu]: must be a number", i);
            s->bbox[i] = json_number_value(e);
        }
        if (!(s->bbox[0] < s->bbox[2]) || !(s->bbox[1] < s->bbox[3]) || s->bbox[0] < -180 ||
            s->bbox[2] > 180 || s->bbox[1] < -90 || s->bbox[3] > 90)
            return fail(dg, w, "view.bbox: need W < E, S < N within -180..180, -90..90");
        s->view = FIGURE_VIEW_BBOX;
        return true;
    }
    return fail(dg, w, "view: needs \"feature\" or \"bbox\"");
}


/* "ramp", "georef", "dem" (relative to the manifest), "subdataset" (an
 * index or a name), checked as the command line checks them (imgopt). */
static bool parse_image_options(json_t *obj, const char *dir, struct mfig *f,
                                const struct where *w, struct diag *dg)
{
    struct figure_spec *s = &f->pub.spec;
    char msg[256];
    json_t *ramp = json_object_get(obj, "ramp");
    if (ramp && (!json_is_string(ramp) || !ramp_parse(json_string_value(ramp), &s->ramp)))
        return fail(dg, w, "ramp: must be one of %s", ramp_names());
    char *dem = NULL;
    if (!get_string(obj, "georef", &f->georef, w, dg) || !get_string(obj, "dem", &dem, w, dg))
        return false;
    if (f->georef && !imgopt_set_georef(&s->image, f->georef, msg, sizeof msg))
        return fail(dg, w, "georef: %s", msg + strlen("--georef "));
    if (dem) {
        f->dem = resolve(dir, dem);
        free(dem);
        if (!f->dem)
            return fail(dg, w, "out of memory");
        s->image.dem = f->dem;
    }
    json_t *sub = json_object_get(obj, "subdataset");
    if (sub) {
        if (json_is_integer(sub) && json_integer_value(sub) >= 1 &&
            json_integer_value(sub) <= 100000) {
            char num[24];
            snprintf(num, sizeof num, "%d", (int)json_integer_value(sub));
            f->subdataset = strdup(num);
        } else if (json_is_string(sub) && json_string_value(sub)[0]) {
            f->subdataset = strdup(json_string_value(sub));
        } else {
            return fail(dg, w, "subdataset: must be an index (1, 2, ...) or a name");
        }
        if (!f->subdataset)
            return fail(dg, w, "out of memory");
        if (!imgopt_set_subdataset(&s->image, f->subdataset, msg, sizeof msg))
            return fail(dg, w, "subdataset: %s", msg + strlen("--subdataset "));
    }
    return true;
}

/* Every member of obj is one of known_members. */
static bool check_members(json_t *obj, const struct where *w, struct diag *dg)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        bool known = false;
        for (size_t i = 0; known_members[i] && !known; i++)
            known = strcmp(known_members[i], key) == 0;
        if (!known)
            return fail(dg, w, "unknown member \"%s\"", key);
    }
    return true;
}

/* "name", "tile" (relative to the manifest) and the output path the name
 * gives in out_dir; names the figure in w for the messages that follow. */
static bool parse_identity(json_t *obj, const char *dir, const char *out_dir, struct mfig *f,
                           struct where *w, struct diag *dg)
{
    struct figure_spec *s = &f->pub.spec;
    json_t *name = json_object_get(obj, "name");
    if (!json_is_string(name) || !valid_name(json_string_value(name)))
        return fail(dg, w, "name: required, letters, digits, '.', '_' and '-' only");
    f->name = strdup(json_string_value(name));
    if (!f->name)
        return fail(dg, w, "out of memory");
    f->pub.name = f->name;
    w->name = f->name;
    json_t *tile = json_object_get(obj, "tile");
    if (!json_is_string(tile) || !json_string_value(tile)[0])
        return fail(dg, w, "tile: required, a path");
    f->tile = resolve(dir, json_string_value(tile));
    size_t no = strlen(out_dir) + strlen(f->name) + 6;
    f->out_path = malloc(no);
    if (!f->tile || !f->out_path)
        return fail(dg, w, "out of memory");
    snprintf(f->out_path, no, "%s/%s.png", out_dir, f->name);
    s->tile = f->tile;
    s->out_path = f->out_path;
    return true;
}

/* "annotations" (relative to the manifest), "claims" and "view". */
static bool parse_content(json_t *obj, const char *dir, struct mfig *f, const struct where *w,
                          struct diag *dg)
{
    struct figure_spec *s = &f->pub.spec;
    if (!get_string_list(obj, "annotations", dir, &f->annotations, &f->nannotations, w, dg) ||
        !get_string_list(obj, "claims", NULL, &f->claims, &f->nclaims, w, dg))
        return false;
    s->annotations = (const char *const *)f->annotations;
    s->nannotations = f->nannotations;
    s->claim_ids = (const char *const *)f->claims;
    s->nclaim_ids = f->nclaims;
    if (!parse_view(json_object_get(obj, "view"), f, w, dg))
        return false;
    if (s->view == FIGURE_VIEW_FEATURE && f->nannotations == 0)
        return fail(dg, w, "view.feature: needs \"annotations\" that define the feature");
    return true;
}

/* "size", "bands" and "fit": the picture's shape and colours. */
static bool parse_layout(json_t *obj, struct figure_spec *s, const struct where *w,
                         struct diag *dg)
{
    json_t *size = json_object_get(obj, "size");
    if (size && (!json_is_string(size) ||
                 !figure_parse_size(json_string_value(size), &s->width, &s->height)))
        return fail(dg, w, "size: must be \"WxH\" (16..16384) or \"Wx\"");
    json_t *bands = json_object_get(obj, "bands");
    if (bands) {
        if (json_is_string(bands)) {
            if (!figure_parse_bands(json_string_value(bands), s->bands))
                return fail(dg, w, "bands: must be \"R,G,B\" or one band number");
        } else if (json_is_array(bands) && json_array_size(bands) == 3) {
            for (size_t i = 0; i < 3; i++) {
                json_t *b = json_array_get(bands, i);
                if (!json_is_integer(b) || json_integer_value(b) < 1 ||
                    json_integer_value(b) > 65535)
                    return fail(dg, w, "bands[%zu]: must be a band number >= 1", i);
                s->bands[i] = (int)json_integer_value(b);
            }
        } else {
            return fail(dg, w, "bands: must be [R, G, B] or \"R,G,B\"");
        }
    }
    json_t *fit = json_object_get(obj, "fit");
    if (fit) {
        const char *fv = json_is_string(fit) ? json_string_value(fit) : "";
        if (strcmp(fv, "expand") == 0)
            s->fit = RENDER_FIT_EXPAND;
        else if (strcmp(fv, "letterbox") == 0)
            s->fit = RENDER_FIT_LETTERBOX;
        else
            return fail(dg, w, "fit: must be \"expand\" or \"letterbox\"");
    }
    return true;
}

/* "catalog" and "style" (relative to the manifest), "title", "caption" and
 * "font". */
static bool parse_texts(json_t *obj, const char *dir, struct mfig *f, const struct where *w,
                        struct diag *dg)
{
    struct figure_spec *s = &f->pub.spec;
    char *catalog = NULL;
    if (!get_string(obj, "catalog", &catalog, w, dg) ||
        !get_string(obj, "title", &f->title, w, dg) ||
        !get_string(obj, "caption", &f->caption, w, dg) ||
        !get_string(obj, "style", &f->style, w, dg) ||
        !get_string(obj, "font", &f->font, w, dg)) {
        free(catalog);
        return false;
    }
    if (catalog) {
        f->catalog = resolve(dir, catalog);
        free(catalog);
        if (!f->catalog)
            return fail(dg, w, "out of memory");
    }
    if (f->style) {
        char *p = resolve(dir, f->style);
        free(f->style);
        f->style = p;
        if (!p)
            return fail(dg, w, "out of memory");
    }
    s->claims_path = f->catalog;
    s->title = f->title;
    s->caption = f->caption;
    s->style_path = f->style;
    s->font = f->font;
    return true;
}

/* The true/false members. */
static bool parse_switches(json_t *obj, struct figure_spec *s, const struct where *w,
                           struct diag *dg)
{
    return get_bool(obj, "legend", &s->legend, w, dg) &&
           get_bool(obj, "scalebar", &s->scalebar, w, dg) &&
           get_bool(obj, "north", &s->north, w, dg) &&
           get_bool(obj, "show_caption", &s->show_caption, w, dg) &&
           get_bool(obj, "credit", &s->credit, w, dg) &&
           get_bool(obj, "inset", &s->inset, w, dg) &&
           get_bool(obj, "labels", &s->labels, w, dg) &&
           get_bool(obj, "show_title", &s->title_band, w, dg) &&
           get_bool(obj, "hash", &s->hash_tile, w, dg) &&
           get_bool(obj, "allow_remote", &s->allow_remote, w, dg) &&
           get_bool(obj, "all_marks", &s->all_marks, w, dg) &&
           get_bool(obj, "keep_degrees", &s->image.keep_degrees, w, dg);
}

/* One figure object (defaults merged in) into f, member group by member
 * group in the order the messages should come. */
static bool parse_figure(json_t *obj, const char *dir, const char *out_dir, struct mfig *f,
                         const struct where *w0, struct diag *dg)
{
    struct where w = *w0;
    struct figure_spec *s = &f->pub.spec;
    figure_spec_init(s);
    if (!json_is_object(obj))
        return fail(dg, &w, "must be an object");
    if (!check_members(obj, &w, dg) || !parse_identity(obj, dir, out_dir, f, &w, dg) ||
        !parse_content(obj, dir, f, &w, dg) || !parse_layout(obj, s, &w, dg) ||
        !parse_texts(obj, dir, f, &w, dg) || !parse_image_options(obj, dir, f, &w, dg) ||
        !parse_switches(obj, s, &w, dg))
        return false;
    f->params = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (!f->params)
        return fail(dg, &w, "out of memory");
    s->parameters = f->params;
    return true;
}

/* The manifest file's JSON (owned), or NULL with "path: reason" on dg. */
static json_t *load_json(const char *path, struct diag *dg)
{
    /* Opened once, the descriptor checked: a FIFO or device never blocks. */
    size_t text_len;
    char *text = rfile_read(path, MANIFEST_MAX_FILE_SIZE, &text_len, dg);
    if (!text)
        return NULL;
    json_error_t err;
    json_t *root = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &err);
    free(text);
    if (!root) {
        diag_limit_quote(err.text);
        if (err.line > 0)
            diag_error(dg, "%s:%d:%d: %s", path, err.line, err.column, err.text);
        else
            diag_error(dg, "%s: %s", path, err.text);
    }
    return root;
}

/* The figures array and the defaults object (NULL when none) of root, both
 * borrowed from it: root is the array itself, or an object with
 * "satmark_manifest": 1, "defaults" and "figures". */
static bool top_level(json_t *root, const char *path, json_t **figures, json_t **defaults,
                      struct diag *dg)
{
    *figures = root;
    *defaults = NULL;
    if (json_is_object(root)) {
        const char *key;
        json_t *val;
        json_object_foreach(root, key, val)
        {
            if (strcmp(key, "satmark_manifest") && strcmp(key, "defaults") &&
                strcmp(key, "figures")) {
                diag_error(dg, "%s: unknown top-level member \"%s\"", path, key);
                return false;
            }
        }
        json_t *version = json_object_get(root, "satmark_manifest");
        if (version && (!json_is_integer(version) || json_integer_value(version) != 1)) {
            diag_error(dg, "%s: satmark_manifest: only version 1 is known", path);
            return false;
        }
        *figures = json_object_get(root, "figures");
        *defaults = json_object_get(root, "defaults");
        if (*defaults && !json_is_object(*defaults)) {
            diag_error(dg, "%s: defaults: must be an object", path);
            return false;
        }
    }
    if (!json_is_array(*figures)) {
        diag_error(dg, "%s: expected an array of figures or {\"figures\": [...]}", path);
        return false;
    }
    if (json_array_size(*figures) > MANIFEST_MAX_FIGURES) {
        diag_error(dg, "%s: more than %d figures", path, MANIFEST_MAX_FIGURES);
        return false;
    }
    return true;
}

bool manifest_read(const char *path, const char *out_dir, struct manifest **out,
                   struct diag *dg)
{
    *out = NULL;
    json_t *root = load_json(path, dg), *figures, *defaults;
    if (!root)
        return false;
    if (!top_level(root, path, &figures, &defaults, dg)) {
        json_decref(root);
        return false;
    }
    size_t n = json_array_size(figures);
    struct manifest *m = calloc(1, sizeof *m);
    if (m)
        m->figs = calloc(n ? n : 1, sizeof *m->figs);
    char *dir = strdup(path);
    if (!m || !m->figs || !dir) {
        diag_error(dg, "%s: out of memory", path);
        manifest_free(m);
        free(dir);
        json_decref(root);
        return false;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        dir[0] = '\0';
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        struct where w = {path, i, NULL};
        json_t *entry = json_array_get(figures, i);
        json_t *merged = defaults ? json_deep_copy(defaults) : json_object();
        if (!merged || !json_is_object(entry)) {
            ok = fail(dg, &w, merged ? "must be an object" : "out of memory");
            json_decref(merged);
            break;
        }
        json_object_update(merged, entry);
        ok = parse_figure(merged, dir, out_dir, &m->figs[i], &w, dg);
        m->n = i + 1;
        json_decref(merged);
        for (size_t j = 0; ok && j < i; j++)
            if (strcmp(m->figs[j].name, m->figs[i].name) == 0)
                ok = fail(dg, &w, "name \"%s\" is used twice (figures[%zu] too)",
                          m->figs[i].name, j);
    }
    free(dir);
    json_decref(root);
    if (!ok) {
        manifest_free(m);
        return false;
    }
    *out = m;
    return true;
}
