/*
 * figure — see figure.h. figure_run loads its inputs into a `struct fig`
 * (every resource it owns, freed in one place), measures the text bands,
 * fits the view, reads the imagery once at the output size straight into a
 * Cairo ARGB32 surface (in parts, on several threads, composed over the
 * background), draws marks (keeping clear of the furniture boxes), the
 * furniture and the bands, then hands the surface's memory to pngout
 * (PNGOUT_ARGB32) with the metadata.
 */
#include "figure.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "annot.h"
#include "claims.h"
#include "evidence.h"
#include "custody.h"
#include "geo.h"
#include "gjson.h"
#include "hash.h"
#include "hashcache.h"
#include "imagery.h"
#include "locate.h"
#include "pathname.h"
#include "pngout.h"
#include "raster.h"
#include "style.h"
#include "viewread.h"

#define FIGURE_PI 3.14159265358979323846
#define FIGURE_MAX_TEXT ((size_t)1 << 20) /* cap of any text we build */
#define FIGURE_MAX_CAPTION_CLAIMS 8

static const struct style_rgb INK = {26, 26, 26};
static const struct style_rgb GREY = {90, 90, 90};
static const struct style_rgb BACKGROUND = {64, 64, 64}; /* outside the image / letterbox */

void figure_spec_init(struct figure_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->view = FIGURE_VIEW_TILE;
    spec->pad_m = 150;
    spec->width = 1600;
    spec->height = 0;
    spec->fit = RENDER_FIT_EXPAND;
    spec->legend = spec->scalebar = spec->north = spec->show_caption = spec->credit = true;
    spec->labels = spec->title_band = true;
    spec->inset = false;
    spec->hash_tile = true;
}

/* ---- small parsers ----------------------------------------------------------- */

bool figure_parse_size(const char *text, int *width, int *height)
{
    char *end;
    errno = 0;
    long w = strtol(text, &end, 10);
    if (end == text || *end != 'x' || errno || w < 16 || w > 16384)
        return false;
    const char *hs = end + 1;
    long h = 0;
    if (*hs) {
        h = strtol(hs, &end, 10);
        if (end == hs || *end || errno || (h != 0 && (h < 16 || h > 16384)))
            return false;
    }
    *width = (int)w;
    *height = (int)h;
    return true;
}

bool figure_parse_distance(const char *text, double *metres)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0)
        return false;
    if (*end == '\0' || strcmp(end, "m") == 0)
        *metres = v;
    else if (strcmp(end, "km") == 0)
        *metres = v * 1000;
    else
        return false;
    return *metres <= 1e7;
}

bool figure_parse_bbox(const char *text, double bbox[4])
{
    if (text[strspn(text, "0123456789+-.eE,")] != '\0')
        return false; /* decimal degrees only (strtod would take 0x1p4) */
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        char *end;
        bbox[i] = strtod(p, &end);
        if (end == p || !isfinite(bbox[i]))
            return false;
        if (i < 3 && *end != ',')
            return false;
        if (i == 3 && *end != '\0')
            return false;
        p = end + 1;
    }
    return bbox[0] < bbox[2] && bbox[1] < bbox[3] && bbox[0] >= -180 && bbox[2] <= 180 &&
           bbox[1] >= -90 && bbox[3] <= 90;
}

bool figure_parse_bands(const char *text, int bands[3])
{
    const char *p = text;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        long b = strtol(p, &end, 10);
        if (end == p || errno || b < 1 || b > 65535 || n == 3)
            return false;
        bands[n++] = (int)b;
        if (*end == '\0')
            break;
        if (*end != ',')
            return false;
        p = end + 1;
    }
    if (n == 1)
        bands[1] = bands[2] = 0;
    return n == 1 || n == 3;
}

double figure_round_length(double max_m)
{
    double p = pow(10, floor(log10(max_m)));
    double best = p;
    for (int k = 0; k < 3; k++) {
        double c = p * (k == 0 ? 1 : k == 1 ? 2 : 5);
        if (c <= max_m * (1 + 1e-9))
            best = c;
    }
    return best;
}

/* ---- bounded string builder ------------------------------------------------ */

struct sbuf {
    char *s;
    size_t n, cap;
    bool failed;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt,
                                                             ...)
{
    if (b->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || b->n + (size_t)k + 1 > FIGURE_MAX_TEXT) {
        b->failed = true;
        va_end(ap2);
        return;
    }
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + (size_t)k + 1)
            nc *= 2;
        char *q = realloc(b->s, nc);
        if (!q) {
            b->failed = true;
            va_end(ap2);
            return;
        }
        b->s = q;
        b->cap = nc;
    }
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap2);
    va_end(ap2);
    b->n += (size_t)k;
}

/* Appends s escaped for Pango markup. */
static void sb_markup(struct sbuf *b, const char *s)
{
    gchar *e = g_markup_escape_text(s, -1);
    sb_printf(b, "%s", e);
    g_free(e);
}

static const char *sb_str(const struct sbuf *b) { return b->s ? b->s : ""; }

static const char *(*const base_name)(const char *path) = pathname_base; /* util/pathname */

/* The tile as a figure names it: its file name, or for a subdataset
 * (NETCDF:"/data/x.nc":var) the same form with the file's name only, so a
 * figure neither hides which variable it shows nor leaks a directory. */
static const char *tile_display_name(const char *tile, char *out, size_t cap)
{
    char file[4096];
    raster_hashed_file(tile, file, sizeof file);
    const char *at = strcmp(file, tile) ? strstr(tile, file) : NULL;
    if (!at) {
        snprintf(out, cap, "%s", base_name(tile));
        return out;
    }
    const char *name = base_name(file), *rest = at + strlen(file);
    size_t lead = (size_t)(at - tile), n = strlen(name), m = strlen(rest);
    if (lead + n + m >= cap) {
        snprintf(out, cap, "%s", base_name(tile));
        return out;
    }
    memcpy(out, tile, lead);
    memcpy(out + lead, name, n);
    memcpy(out + lead + n, rest, m + 1);
    return out;
}

/* ---- the figure's state ---------------------------------------------------- */

struct fig {
    const struct figure_spec *spec;
    struct raster *r;
    const struct raster_info *info;
    struct geo_ref *g;
    struct annot_set **sets;
    size_t nsets;
    struct style *st;
    struct claims_catalog *cat;
    char *catalog_path;
    struct imagery_register *imagery; /* NULL: no register */
    /* Each cited claim's evidence status (NULL: no catalog, or out of memory:
     * then the caption names none rather than a wrong one). */
    struct evidence_report *evidence;
    struct evidence_tile *evidence_tiles;
    struct render_overlay *ov;
    char tile_sha[HASH_SHA256_HEX_LEN + 1];
    /* the tile is hashed on its own thread while the rest loads */
    pthread_t hash_thread;
    bool hashing;          /* hash_thread started and not joined yet */
    bool hash_ok;
    bool sha_cached;       /* tile_sha came from the hash cache, not computed now */
    struct diag *hash_dg;  /* owned; the hash thread's errors */
    /* Which marks to draw depends on the tile's hash (markdate_classify),
     * and hashing a large tile takes as long as the rest of the figure.
     * Rather than wait for it, the marks are chosen by file name and date
     * (speculative); the hash is computed on a second thread while the
     * figure is drawn and compressed (one thread each), and the choice is
     * checked against it before the PNG is written. When they differ (a
     * renamed or changed tile) the figure is made again with the hash known
     * first (exact). The PNG is the same either way. */
    bool exact, speculative, redo;
    /* how the tile is opened (figure_run: spec->image resolved, spec->tile
     * then names the subdataset itself) */
    struct raster_open_options open;
    char ramp_legend[160]; /* "viridis, band 1: LOW to HIGH" when a ramp is shown */
    char (*annot_sha)[HASH_SHA256_HEX_LEN + 1];

    struct render_rect req; /* requested window, tile px */
    const char **claim_ids; /* claims cited, catalog order */
    size_t nclaims;
    struct sbuf title, caption_markup, caption_plain, credit, params;

    int w, h;
    double scale;
    double title_h, caption_h;
    struct render_view view;
    struct render_rect placed, map; /* output px */
    cairo_surface_t *surface;
    cairo_t *cr;
};

static void *hash_tile(void *arg)
{
    struct fig *f = arg;
    char file[4096];
    const char *hashed = raster_hashed_file(f->spec->tile, file, sizeof file);
    f->hash_ok = f->spec->verify_hash
                     ? hashcache_verify(hashed, f->tile_sha, f->hash_dg)
                     : hashcache_sha256(hashed, f->tile_sha, &f->sha_cached, f->hash_dg);
    return NULL;
}

/* Hashes the tile on this thread (through the hash cache for local files). */
static bool hash_tile_now(struct fig *f, struct diag *dg)
{
    if (!raster_path_is_local(f->spec->tile))
        return raster_sha256(f->r, f->tile_sha, dg); /* says why it cannot */
    char file[4096];
    const char *hashed = raster_hashed_file(f->spec->tile, file, sizeof file);
    if (f->spec->verify_hash)
        return hashcache_verify(hashed, f->tile_sha, dg);
    return hashcache_sha256(hashed, f->tile_sha, &f->sha_cached, dg);
}

/* Starts hashing the tile in the background; hashes here when no thread can
 * be started. False with the reason on dg when hashing cannot be done. */
static bool start_hash(struct fig *f, struct diag *dg)
{
    if (!raster_path_is_local(f->spec->tile) || !(f->hash_dg = diag_new()) ||
        pthread_create(&f->hash_thread, NULL, hash_tile, f) != 0)
        return hash_tile_now(f, dg);
    f->hashing = true;
    return true;
}

/* Waits for the background hash; false with its reason on dg when it failed. */
static bool finish_hash(struct fig *f, struct diag *dg)
{
    if (!f->hashing)
        return true;
    pthread_join(f->hash_thread, NULL);
    f->hashing = false;
    if (!f->hash_ok)
        diag_error(dg, "%s", diag_message(f->hash_dg));
    return f->hash_ok;
}

static void fig_free(struct fig *f)
{
    finish_hash(f, NULL);
    diag_free(f->hash_dg);
    if (f->cr)
        cairo_destroy(f->cr);
    if (f->surface)
        cairo_surface_destroy(f->surface);
    free(f->claim_ids);
    free(f->title.s);
    free(f->caption_markup.s);
    free(f->caption_plain.s);
    free(f->credit.s);
    free(f->params.s);
    render_overlay_free(f->ov);
    evidence_report_free(f->evidence);
    free(f->evidence_tiles);
    claims_catalog_free(f->cat);
    free(f->catalog_path);
    imagery_register_free(f->imagery);
    style_free(f->st);
    for (size_t i = 0; i < f->nsets; i++)
        annot_set_free(f->sets[i]);
    free(f->sets);
    free(f->annot_sha);
    geo_ref_free(f->g);
    raster_close(f->r);
}

/* Reads the annotation files (and their hashes), the style and the claims
 * catalog; none of them needs the tile. */
static bool load_side_inputs(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    f->sets = calloc(s->nannotations ? s->nannotations : 1, sizeof *f->sets);
    f->annot_sha = calloc(s->nannotations ? s->nannotations : 1, sizeof *f->annot_sha);
    if (!f->sets || !f->annot_sha) {
        diag_error(dg, "%s: out of memory", s->out_path);
        return false;
    }
    for (size_t i = 0; i < s->nannotations; i++) {
        if (!gjson_read_file(s->annotations[i], &f->sets[i], dg))
            return false;
        f->nsets++;
        if (!hash_file_sha256(s->annotations[i], f->annot_sha[i], dg))
            return false;
    }

    if (s->style_path) {
        if (!style_load(s->style_path, &f->st, dg))
            return false;
    } else {
        struct diag *quiet = diag_new();
        if (!quiet || !style_load_default_file(&f->st, quiet)) {
            diag_warn(dg, "using the built-in style (%s)",
                      quiet ? diag_message(quiet) : "out of memory");
            f->st = style_default();
        }
        diag_free(quiet);
        if (!f->st) {
            diag_error(dg, "%s: out of memory", s->out_path);
            return false;
        }
    }

    const char *cat_path = s->claims_path;
    if (!cat_path) {
        /* the one lookup rule (locate.h): beside the file, then the root */
        struct locate_result *found = malloc(sizeof *found);
        if (!found) {
            diag_error(dg, "%s: out of memory", s->out_path);
            return false;
        }
        if (locate_catalog(s->nannotations ? s->annotations[0] : NULL, found)) {
            f->catalog_path = strdup(found->path);
            if (!f->catalog_path) {
                free(found);
                diag_error(dg, "%s: out of memory", s->out_path);
                return false;
            }
            cat_path = f->catalog_path;
        }
        free(found);
    }
    if (cat_path && !claims_catalog_read(cat_path, &f->cat, dg))
        return false;
    char found[4096];
    const char *reg_path = s->imagery_path;
    if (!reg_path && s->nannotations &&
        imagery_register_locate(s->annotations[0], found, sizeof found))
        reg_path = found;
    if (reg_path && !imagery_register_read(reg_path, &f->imagery, dg))
        return false;
    /* fontconfig's first use reads its configuration and caches (~5 ms);
     * doing it here takes that off the main thread's first text layout */
    FcInit();
    return true;
}

struct side_loader {
    struct fig *f;
    struct diag *dg; /* owned by the starter */
    bool ok;
};

static void *run_side_loader(void *arg)
{
    struct side_loader *sl = arg;
    sl->ok = load_side_inputs(sl->f, sl->dg);
    return NULL;
}

/* Opens the tile on this thread while another reads the annotations, style
 * and catalog (each takes ~15 ms, the tile mostly in PROJ's CRS lookup),
 * then builds the overlay. Messages come out in the same order as if all
 * ran here: the tile's first. */
static bool load_inputs(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    struct side_loader sl = {f, diag_new(), false};
    if (!sl.dg) {
        diag_error(dg, "%s: out of memory", s->out_path);
        return false;
    }
    pthread_t tid;
    bool threaded = s->threads != 1 && pthread_create(&tid, NULL, run_side_loader, &sl) == 0;

    f->r = raster_open(s->tile, &f->open, dg);
    bool ok = f->r != NULL;
    if (ok) {
        f->info = raster_get_info(f->r);
        /* the hash is needed now only when the marks cannot be chosen without it */
        char lookup_file[4096];
        if (s->hash_tile && s->tile_sha256 && !s->verify_hash) {
            memcpy(f->tile_sha, s->tile_sha256, HASH_SHA256_HEX_LEN);
            f->sha_cached = s->tile_sha256_cached;
        } else if (s->hash_tile && !s->verify_hash &&
                   hashcache_lookup(raster_hashed_file(s->tile, lookup_file, sizeof lookup_file),
                                    f->tile_sha)) {
            f->sha_cached = true;
        } else if (s->hash_tile && f->exact) {
            ok = hash_tile_now(f, dg);
        }
    }
    if (ok) {
        f->g = geo_ref_from_raster(f->r, dg);
        ok = f->g != NULL;
    }
    if (threaded)
        pthread_join(tid, NULL);
    else
        run_side_loader(&sl);
    for (size_t i = 0; i < diag_warning_count(sl.dg); i++)
        diag_warn(dg, "%s", diag_warning(sl.dg, i));
    if (ok && !sl.ok)
        diag_error(dg, "%s", diag_message(sl.dg));
    ok = ok && sl.ok;
    diag_free(sl.dg);
    if (!ok)
        return false;

    for (size_t i = 0; f->cat && i < f->nsets; i++)
        if (!claims_check_links(f->cat, f->sets[i], s->annotations[i], dg))
            return false;

    struct markdate_image match = {base_name(s->tile), f->tile_sha, f->info->acquired};
    f->speculative = s->hash_tile && !f->tile_sha[0];
    size_t other_dates = 0;
    f->ov = render_overlay_new_dated(f->g, (const struct annot_set *const *)f->sets, f->nsets,
                                     &match, s->all_marks, &other_dates, dg);
    if (other_dates && !s->all_marks)
        diag_warn(dg, "%s: %zu mark(s) observed only on other images are not drawn (use "
                      "--all-marks to draw them)", s->tile, other_dates);
    else if (other_dates)
        diag_warn(dg, "%s: %zu mark(s) observed only on other images are drawn dashed, with "
                      "their dates", s->tile, other_dates);
    return f->ov != NULL;
}

/* Waits for the tile's hash and checks that it selects the same marks as the
 * speculative choice; sets f->redo and returns false when it does not. */
static bool confirm_marks(struct fig *f, struct diag *dg)
{
    if (!finish_hash(f, dg))
        return false;
    if (!f->speculative)
        return true;
    const char *image = base_name(f->spec->tile);
    struct markdate_image guess = {image, NULL, f->info->acquired};
    struct markdate_image exact = {image, f->tile_sha, f->info->acquired};
    for (size_t i = 0; i < f->nsets; i++)
        for (size_t k = 0; k < annot_count(f->sets[i]); k++) {
            const struct annot_feature *af = annot_get(f->sets[i], k);
            if (markdate_classify(af, &guess) != markdate_classify(af, &exact)) {
                f->redo = true;
                return false;
            }
        }
    return true;
}

static bool compute_request(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    switch (s->view) {
    case FIGURE_VIEW_TILE:
        render_request_tile(f->info->width, f->info->height, &f->req);
        return true;
    case FIGURE_VIEW_BBOX:
        if (!render_request_bbox(f->g, s->bbox[0], s->bbox[1], s->bbox[2], s->bbox[3], &f->req,
                                 dg)) {
            diag_error(dg, "%s: cannot frame the box", s->tile);
            return false;
        }
        return true;
    case FIGURE_VIEW_FEATURE:
        for (size_t i = 0; i < f->nsets; i++) {
            const struct annot_feature *feat = annot_find(f->sets[i], s->feature_id);
            if (feat) {
                if (!render_request_feature(f->g, feat, s->pad_m, &f->req, dg)) {
                    diag_error(dg, "%s: cannot frame feature %s", s->annotations[i],
                               s->feature_id);
                    return false;
                }
                return true;
            }
        }
        diag_error(dg, "%s: no feature with id \"%s\" in the annotation files", s->tile,
                   s->feature_id ? s->feature_id : "");
        return false;
    }
    return false;
}

/* A view that shows none of the tile would be a blank figure passed off as
 * imagery: refuse it, naming the view and where the image lies. */
static bool request_on_tile(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    const struct render_rect *q = &f->req;
    double w = f->info->width, h = f->info->height;
    if (q->x < w && q->x + q->w > 0 && q->y < h && q->y + q->h > 0)
        return true;
    char view[256];
    if (s->view == FIGURE_VIEW_FEATURE)
        snprintf(view, sizeof view, "feature \"%s\" (with %g m around it)", s->feature_id,
                 s->pad_m);
    else
        snprintf(view, sizeof view, "the box W,S,E,N = %.6g,%.6g,%.6g,%.6g", s->bbox[0],
                 s->bbox[1], s->bbox[2], s->bbox[3]);
    struct geo_bounds b;
    struct diag *quiet = diag_new();
    if (quiet && geo_bounds_lonlat(f->g, f->info->width, f->info->height, &b, quiet))
        diag_error(dg, "%s: %s does not overlap the image, which covers lon %.6g to %.6g, lat "
                       "%.6g to %.6g; nothing written (is it the right tile?)",
                   s->tile, view, b.west, b.east, b.south, b.north);
    else
        diag_error(dg, "%s: %s does not overlap the image; nothing written", s->tile, view);
    diag_free(quiet);
    return false;
}

static bool rect_meets(const struct render_rect *a, const struct render_rect *b)
{
    return a->x <= b->x + b->w && b->x <= a->x + a->w && a->y <= b->y + b->h &&
           b->y <= a->y + a->h;
}

/* The evidence status of the cited claims, computed as `satmark claims` does
 * on the figure's annotation files and register. */
static void evaluate_claims(struct fig *f)
{
    if (!f->cat || f->nclaims == 0)
        return;
    struct diag *scratch = diag_new();
    size_t ntiles = 0;
    if (scratch &&
        evidence_tiles_from_register(f->imagery, &f->evidence_tiles, &ntiles, scratch))
        evidence_evaluate(f->cat, (const struct annot_set *const *)f->sets, f->nsets,
                          f->evidence_tiles, ntiles, &f->evidence, scratch);
    diag_free(scratch);
}

/* Claims cited: the explicit list, else those linked by marks in the request. */
static bool choose_claims(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    size_t cap = s->nclaim_ids;
    for (size_t i = 0; i < render_overlay_count(f->ov); i++)
        cap += render_overlay_claim_count(f->ov, i);
    f->claim_ids = calloc(cap ? cap : 1, sizeof *f->claim_ids);
    if (!f->claim_ids) {
        diag_error(dg, "%s: out of memory", s->out_path);
        return false;
    }
    if (s->nclaim_ids) {
        for (size_t k = 0; k < s->nclaim_ids; k++) {
            if (!f->cat) {
                diag_error(dg, "%s: claim \"%s\" given but no claims catalog (use --claims)",
                           s->out_path, s->claim_ids[k]);
                return false;
            }
            if (!claims_find(f->cat, s->claim_ids[k])) {
                diag_error(dg, "%s: claim \"%s\" is not in the catalog",
                           claims_catalog_path(f->cat), s->claim_ids[k]);
                return false;
            }
            f->claim_ids[f->nclaims++] = s->claim_ids[k];
        }
        return true;
    }
    /* linked from marks in the requested window, in catalog order when known */
    size_t nlinked = 0;
    const char **linked = f->claim_ids;
    for (size_t i = 0; i < render_overlay_count(f->ov); i++) {
        struct render_rect box;
        if (!render_overlay_bbox(f->ov, i, &box) || !rect_meets(&box, &f->req))
            continue;
        /* a mark of another date says nothing about this image */
        if (render_overlay_relation(f->ov, i) == MARKDATE_OTHER_DATES)
            continue;
        for (size_t k = 0; k < render_overlay_claim_count(f->ov, i); k++) {
            const char *id = render_overlay_claim(f->ov, i, k);
            bool seen = false;
            for (size_t j = 0; j < nlinked && !seen; j++)
                seen = strcmp(linked[j], id) == 0;
            if (!seen)
                linked[nlinked++] = id;
        }
    }
    if (!f->cat) {
        f->nclaims = nlinked;
        if (nlinked)
            diag_warn(dg, "%s: marks link %zu claim(s) but no claims catalog was found: the "
                          "caption lists their ids without citations", s->out_path, nlinked);
        return true;
    }
    /* reorder into catalog order */
    const char **ordered = calloc(nlinked ? nlinked : 1, sizeof *ordered);
    if (!ordered) {
        diag_error(dg, "%s: out of memory", s->out_path);
        return false;
    }
    size_t n = 0;
    for (size_t c = 0; c < claims_claim_count(f->cat); c++) {
        const struct claims_claim *cl = claims_claim_at(f->cat, c);
        for (size_t j = 0; j < nlinked; j++)
            if (strcmp(linked[j], cl->id) == 0) {
                ordered[n++] = cl->id;
                break;
            }
    }
    memcpy(f->claim_ids, ordered, n * sizeof *ordered);
    free(ordered);
    f->nclaims = n;
    return true;
}

/* Counts the marks in the request linking claim id, per stance. */
static void stance_counts(const struct fig *f, const char *id, size_t counts[ANNOT_STANCE_COUNT])
{
    memset(counts, 0, ANNOT_STANCE_COUNT * sizeof counts[0]);
    for (size_t i = 0; i < render_overlay_count(f->ov); i++) {
        struct render_rect box;
        if (!render_overlay_bbox(f->ov, i, &box) || !rect_meets(&box, &f->req))
            continue;
        /* a mark of another date says nothing about this image */
        if (render_overlay_relation(f->ov, i) == MARKDATE_OTHER_DATES)
            continue;
        for (size_t k = 0; k < render_overlay_claim_count(f->ov, i); k++)
            if (strcmp(render_overlay_claim(f->ov, i, k), id) == 0) {
                enum annot_stance st = render_overlay_claim_stance(f->ov, i, k);
                if ((int)st >= 0 && st < ANNOT_STANCE_COUNT)
                    counts[st]++;
            }
    }
}

/* How many marks of other dates meet the request (drawn with --all-marks). */
static size_t other_dates_in_request(const struct fig *f)
{
    size_t n = 0;
    for (size_t i = 0; i < render_overlay_count(f->ov); i++) {
        struct render_rect box;
        if (render_overlay_relation(f->ov, i) == MARKDATE_OTHER_DATES &&
            render_overlay_bbox(f->ov, i, &box) && rect_meets(&box, &f->req))
            n++;
    }
    return n;
}

static void build_texts(struct fig *f)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    evaluate_claims(f);
    /* title */
    if (s->title) {
        sb_printf(&f->title, "%s", s->title);
    } else {
        const char *name = "";
        for (size_t i = 0; i < f->nsets && !*name; i++)
            name = annot_set_title(f->sets[i]);
        if (!*name)
            name = in->site;
        if (!*name)
            name = base_name(s->tile);
        sb_printf(&f->title, "%s", name);
        if (s->view == FIGURE_VIEW_FEATURE) {
            for (size_t i = 0; i < f->nsets; i++) {
                const struct annot_feature *feat = annot_find(f->sets[i], s->feature_id);
                if (feat) {
                    const char *what = feat->label[0] ? feat->label : feat->id;
                    if (!strstr(sb_str(&f->title), what))
                        sb_printf(&f->title, ": %s", what);
                    break;
                }
            }
        }
        if (in->acquired[0])
            sb_printf(&f->title, " — %s", in->acquired);
    }

    /* credit: say "synthetic" once, and the date once */
    if (in->synthetic && !strstr(in->credit, "ynthetic"))
        sb_printf(&f->credit, "Synthetic demo imagery, not a real satellite image%s%s",
                  in->credit[0] ? " · " : "", in->credit);
    else if (in->synthetic)
        sb_printf(&f->credit, "%s", in->credit);
    else
        sb_printf(&f->credit, "Imagery: %s", in->credit[0] ? in->credit : "source not stated");
    if (in->acquired[0] && !strstr(sb_str(&f->credit), in->acquired))
        sb_printf(&f->credit, " · acquired %s", in->acquired);

    /* caption: user text, then the claims with their citations */
    struct sbuf *m = &f->caption_markup, *p = &f->caption_plain;
    if (s->caption && s->caption[0]) {
        sb_markup(m, s->caption);
        sb_printf(p, "%s", s->caption);
    }
    size_t other = other_dates_in_request(f);
    if (other) {
        const char *note = "Marks from other dates shown dashed, with their date: they were "
                           "observed on other images, not on this one.";
        sb_printf(m, "%s<i>%s</i>", m->n ? "\n" : "", note);
        sb_printf(p, "%s%s", p->n ? "\n" : "", note);
    }
    for (size_t k = 0; k < f->nclaims; k++) {
        if (m->n)
            sb_printf(m, "\n");
        if (p->n)
            sb_printf(p, "\n");
        if (k == FIGURE_MAX_CAPTION_CLAIMS) {
            sb_printf(m, "<i>… and %zu more claim(s); all are listed in the PNG metadata.</i>",
                      f->nclaims - k);
            /* the plain version (metadata) keeps all of them */
        }
        const struct claims_claim *cl = f->cat ? claims_find(f->cat, f->claim_ids[k]) : NULL;
        bool in_caption = k < FIGURE_MAX_CAPTION_CLAIMS;
        if (!cl) {
            if (in_caption) {
                sb_printf(m, "<b>[%zu]</b> claim ", k + 1);
                sb_markup(m, f->claim_ids[k]);
            }
            sb_printf(p, "[%zu] claim %s", k + 1, f->claim_ids[k]);
            continue;
        }
        if (in_caption) {
            sb_printf(m, "<b>[%zu]</b> ", k + 1);
            sb_markup(m, cl->text);
        }
        sb_printf(p, "[%zu] %s (%s)", k + 1, cl->text, cl->id);
        for (size_t j = 0; j < cl->nsources; j++) {
            const struct claims_source *src = claims_find_source(f->cat, cl->source_ids[j]);
            if (!src)
                continue;
            if (in_caption) {
                sb_printf(m, j == 0 ? " — <i>" : "; <i>");
                sb_markup(m, src->outlet);
                sb_printf(m, "</i>, “");
                sb_markup(m, src->headline);
                sb_printf(m, "”");
                if (src->published[0])
                    sb_printf(m, ", %s", src->published);
            }
            sb_printf(p, "%s %s, \"%s\"%s%s", j == 0 ? " —" : ";", src->outlet, src->headline,
                      src->published[0] ? ", " : "", src->published);
        }
        if (cl->nattributed) {
            if (in_caption)
                sb_printf(m, "; attributed to ");
            sb_printf(p, "; attributed to ");
            for (size_t j = 0; j < cl->nattributed; j++) {
                if (in_caption) {
                    sb_markup(m, cl->attributed_to[j]);
                    sb_printf(m, j + 1 < cl->nattributed ? ", " : "");
                }
                sb_printf(p, "%s%s", cl->attributed_to[j], j + 1 < cl->nattributed ? ", " : "");
            }
        }
        size_t counts[ANNOT_STANCE_COUNT];
        stance_counts(f, cl->id, counts);
        if (counts[0] + counts[1] + counts[2] > 0) {
            struct sbuf st = {0};
            const char *names[ANNOT_STANCE_COUNT] = {"support", "contradict", "context"};
            for (int i = 0; i < ANNOT_STANCE_COUNT; i++)
                if (counts[i])
                    sb_printf(&st, "%s%zu %s", st.n ? ", " : "", counts[i],
                              i == 2 ? (counts[i] == 1 ? "gives context" : "give context")
                                     : names[i]);
            if (in_caption)
                sb_printf(m, ". <span foreground=\"#555555\">Marks shown: %s.</span>", sb_str(&st));
            sb_printf(p, ". Marks shown: %s.", sb_str(&st));
            free(st.s);
        } else if (in_caption) {
            sb_printf(m, ".");
        }
        const struct evidence_claim *ec = evidence_report_find(f->evidence, cl->id);
        if (ec) {
            if (in_caption)
                sb_printf(m, " Status: <b>%s</b>.", evidence_status_name(ec->status));
            sb_printf(p, " Status: %s (%s).", evidence_status_name(ec->status), ec->reason);
        }
    }
}

/* ---- imagery --------------------------------------------------------------- */

/* Reads the view's imagery into the (ARGB32) surface, composed over the
 * background. On failure the first reason goes to dg. */
static bool read_imagery(struct fig *f, struct diag *dg)
{
    cairo_surface_flush(f->surface);
    bool ok = viewread_argb(f->r, &f->view, f->w, f->h, f->spec->threads,
                            cairo_image_surface_get_data(f->surface),
                            cairo_image_surface_get_stride(f->surface), BACKGROUND, dg);
    cairo_surface_mark_dirty(f->surface);
    return ok;
}

/* ---- furniture -------------------------------------------------------------- */

static void panel(cairo_t *cr, const struct render_rect *r, double radius)
{
    double x = r->x, y = r->y, w = r->w, h = r->h;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - radius, y + radius, radius, -FIGURE_PI / 2, 0);
    cairo_arc(cr, x + w - radius, y + h - radius, radius, 0, FIGURE_PI / 2);
    cairo_arc(cr, x + radius, y + h - radius, radius, FIGURE_PI / 2, FIGURE_PI);
    cairo_arc(cr, x + radius, y + radius, radius, FIGURE_PI, 3 * FIGURE_PI / 2);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.35);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

struct legend_entry {
    enum annot_class cls;
    enum render_mark_kind kind;
    bool other_dates; /* the row for marks of other dates (cls unused) */
    bool dense;       /* drawn as a density layer (render_dense_classes) */
};

#define LEGEND_OTHER_DATES_TITLE "Seen on another date"
#define LEGEND_MAX_ENTRIES (ANNOT_CLASS_COUNT + 1)

/* The legend text of an entry: the class title (for a density layer with a
 * note saying so: its marks are not drawn one by one), or the other-dates
 * row's; buf (cap bytes) may hold it. */
static const char *legend_title(const struct fig *f, const struct legend_entry *e, char *buf,
                                size_t cap)
{
    if (e->other_dates)
        return LEGEND_OTHER_DATES_TITLE;
    const struct style_class *sc = style_for_class(f->st, e->cls);
    if (!e->dense)
        return sc->title;
    snprintf(buf, cap, "%s (density of marks)", sc->title);
    return buf;
}

/* Classes with a mark of this image (or undated) in the view, in legend
 * order, with the kind of their first visible mark, then one row for the
 * marks of other dates when any is visible (drawn ghosted, whatever their
 * class). Returns the count. */
static size_t legend_entries(const struct fig *f, struct legend_entry out[LEGEND_MAX_ENTRIES])
{
    bool seen[ANNOT_CLASS_COUNT] = {false};
    bool other = false;
    enum render_mark_kind kind[ANNOT_CLASS_COUNT] = {RENDER_MARK_POINT};
    for (size_t i = 0; i < render_overlay_count(f->ov); i++) {
        enum annot_class c = render_overlay_class(f->ov, i);
        if ((int)c < 0 || c >= ANNOT_CLASS_COUNT)
            continue;
        bool ghost = render_overlay_relation(f->ov, i) == MARKDATE_OTHER_DATES;
        if ((ghost ? other : seen[c]) || !render_overlay_visible(f->ov, i, &f->view))
            continue;
        if (ghost) {
            other = true;
            continue;
        }
        seen[c] = true;
        kind[c] = render_overlay_kind(f->ov, i);
    }
    unsigned dense = render_dense_classes(f->ov, &f->view, 0);
    size_t n = 0;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++)
        if (seen[c])
            out[n++] = (struct legend_entry){(enum annot_class)c, kind[c], false,
                                             (dense & (1u << c)) != 0};
    if (other)
        out[n++] = (struct legend_entry){ANNOT_CLASS_OTHER, RENDER_MARK_AREA, true, false};
    return n;
}

struct furniture {
    struct render_rect legend, north, scalebar, credit, inset, ramp;
    bool has_legend, has_north, has_scalebar, has_credit, has_inset, has_ramp;
    char ramp_title[96], ramp_low[32], ramp_high[32];
    struct legend_entry entries[LEGEND_MAX_ENTRIES];
    size_t nentries;
    double north_deg;
    double bar_m, bar_px;
    int inset_w, inset_h;
};

static double font_px(const struct fig *f, double base) { return base * f->scale; }

static void measure(const struct fig *f, const char *text, double px, double wrap, double *w,
                    double *h)
{
    render_text(f->cr, text, f->spec->font, px, 0, 0, wrap, INK, 0, INK, true, w, h);
}

static void format_length(double m, char *out, size_t cap)
{
    if (m >= 1000)
        snprintf(out, cap, "%g km", m / 1000);
    else
        snprintf(out, cap, "%g m", m);
}

/* A single band shown through a colour ramp: the figure must say what its
 * colours stand for, so a legend panel (under the class legend) shows the
 * ramp from the stretch's low to high value in the band's own units. The
 * text also goes into the PNG's parameters. Always shown with a ramp, even
 * with --no-legend: without it the colours mean nothing. */
static void layout_ramp(struct fig *f, struct furniture *fu, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    if (s->ramp == RAMP_GREY)
        return;
    bool grey = !in->palette_expanded && in->display_bands[0] == in->display_bands[1] &&
                in->display_bands[1] == in->display_bands[2];
    if (!grey) {
        diag_warn(dg, "%s: the %s ramp applies to one band shown alone (--bands N); this "
                      "image is shown as %s, so it is not used",
                  s->tile, ramp_name(s->ramp), in->palette_expanded ? "a palette" : "R,G,B");
        return;
    }
    struct raster_stretch st;
    struct diag *quiet = diag_new();
    bool ok = quiet && raster_get_stretch(f->r, &st, quiet);
    diag_free(quiet);
    if (!ok) {
        diag_warn(dg, "%s: the value range of the %s ramp is unknown", s->tile,
                  ramp_name(s->ramp));
        return;
    }
    snprintf(fu->ramp_title, sizeof fu->ramp_title, "Band %d, %s", in->display_bands[0],
             ramp_name(s->ramp));
    snprintf(fu->ramp_low, sizeof fu->ramp_low, "%.4g", st.low[0]);
    snprintf(fu->ramp_high, sizeof fu->ramp_high, "%.4g", st.high[0]);
    snprintf(f->ramp_legend, sizeof f->ramp_legend, "%s, band %d: %s to %s",
             ramp_name(s->ramp), in->display_bands[0], fu->ramp_low, fu->ramp_high);
    double pad = 8 * f->scale, margin = 12 * f->scale, tw, th, lw, lh, hw, hh;
    measure(f, fu->ramp_title, font_px(f, 11), 0, &tw, &th);
    measure(f, fu->ramp_low, font_px(f, 10), 0, &lw, &lh);
    measure(f, fu->ramp_high, font_px(f, 10), 0, &hw, &hh);
    double w = fmax(fmax(tw, lw + hw + pad), 120 * f->scale) + 2 * pad;
    double h = th + 12 * f->scale + fmax(lh, hh) + 2 * pad + 6 * f->scale;
    double top = fu->has_legend ? fu->legend.y + fu->legend.h + pad : f->map.y + margin;
    fu->ramp = (struct render_rect){f->map.x + f->map.w - margin - w, top, w, h};
    fu->has_ramp = true;
}

static void draw_ramp(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    double pad = 8 * f->scale, tw, th, lw, lh;
    const struct render_rect *b = &fu->ramp;
    panel(cr, b, 4 * f->scale);
    render_text(cr, fu->ramp_title, f->spec->font, font_px(f, 11), b->x + pad, b->y + pad, 0,
                INK, 0, INK, false, &tw, &th);
    double sy = b->y + pad + th + 3 * f->scale, sh = 12 * f->scale, sw = b->w - 2 * pad;
    cairo_pattern_t *grad = cairo_pattern_create_linear(b->x + pad, 0, b->x + pad + sw, 0);
    for (int i = 0; i <= 32; i++) {
        uint8_t c[3];
        ramp_colour(f->spec->ramp, i / 32.0, c);
        cairo_pattern_add_color_stop_rgb(grad, i / 32.0, c[0] / 255.0, c[1] / 255.0,
                                         c[2] / 255.0);
    }
    cairo_rectangle(cr, b->x + pad, sy, sw, sh);
    cairo_set_source(cr, grad);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(grad);
    cairo_set_source_rgb(cr, INK.r / 255.0, INK.g / 255.0, INK.b / 255.0);
    cairo_set_line_width(cr, fmax(1, f->scale));
    cairo_stroke(cr);
    double ty = sy + sh + 3 * f->scale;
    render_text(cr, fu->ramp_low, f->spec->font, font_px(f, 10), b->x + pad, ty, 0, INK, 0,
                INK, false, NULL, NULL);
    measure(f, fu->ramp_high, font_px(f, 10), 0, &lw, &lh);
    render_text(cr, fu->ramp_high, f->spec->font, font_px(f, 10), b->x + pad + sw - lw, ty, 0,
                INK, 0, INK, false, NULL, NULL);
}

/* Decides what furniture is shown and where (output px). */
static void layout_furniture(struct fig *f, struct furniture *fu, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    double pad = 8 * f->scale, margin = 12 * f->scale;
    struct render_rect map = f->map;
    memset(fu, 0, sizeof *fu);
    double left_x = map.x + margin;

    if (s->inset && f->info->width > 0 && f->info->height > 0) {
        double iw = fmax(96, 0.2 * f->w);
        double ih = iw * f->info->height / f->info->width;
        if (ih > 0.3 * map.h) {
            ih = 0.3 * map.h;
            iw = ih * f->info->width / f->info->height;
        }
        fu->inset_w = (int)fmax(8, iw);
        fu->inset_h = (int)fmax(8, ih);
        fu->inset = (struct render_rect){left_x, map.y + margin, fu->inset_w, fu->inset_h};
        fu->has_inset = true;
        left_x += fu->inset_w + margin;
    }

    double cx, cy;
    render_view_to_tile(&f->view, f->placed.x + f->placed.w / 2, f->placed.y + f->placed.h / 2,
                        &cx, &cy);
    if (s->north) {
        if (!geo_ref_has_crs(f->g)) {
            diag_warn(dg, "%s: no CRS, so no north arrow", s->tile);
        } else {
            struct diag *quiet = diag_new();
            if (quiet && geo_true_north_deg(f->g, cx, cy, &fu->north_deg, quiet)) {
                double side = 56 * f->scale;
                fu->north = (struct render_rect){left_x, map.y + margin, side, side};
                fu->has_north = true;
            } else {
                diag_warn(dg, "%s: no north arrow (%s)", s->tile,
                          quiet ? diag_message(quiet) : "out of memory");
            }
            diag_free(quiet);
        }
    }

    if (s->scalebar) {
        double lon1, lat1, lon2, lat2, x1, y1, x2, y2;
        double half = fmin(100, f->w / 4.0);
        render_view_to_tile(&f->view, f->w / 2.0 - half, f->placed.y + f->placed.h / 2, &x1, &y1);
        render_view_to_tile(&f->view, f->w / 2.0 + half, f->placed.y + f->placed.h / 2, &x2, &y2);
        struct diag *quiet = diag_new();
        if (!geo_ref_has_crs(f->g)) {
            diag_warn(dg, "%s: no CRS, so no scale bar", s->tile);
        } else if (quiet && geo_pixel_to_lonlat(f->g, x1, y1, &lon1, &lat1, quiet) &&
                   geo_pixel_to_lonlat(f->g, x2, y2, &lon2, &lat2, quiet)) {
            double m_per_px = geo_distance_m(lon1, lat1, lon2, lat2) / (2 * half);
            double max_px = 0.25 * map.w;
            if (m_per_px > 0 && isfinite(m_per_px)) {
                fu->bar_m = figure_round_length(max_px * m_per_px);
                fu->bar_px = fu->bar_m / m_per_px;
                double tw, th;
                char label[64];
                format_length(fu->bar_m, label, sizeof label);
                measure(f, label, font_px(f, 11), 0, &tw, &th);
                double w = fu->bar_px + tw + 3 * pad, h = th * 1.2 + 8 * f->scale + 2 * pad;
                fu->scalebar = (struct render_rect){map.x + margin, map.y + map.h - margin - h, w, h};
                fu->has_scalebar = true;
            }
        } else {
            diag_warn(dg, "%s: no scale bar (%s)", s->tile,
                      quiet ? diag_message(quiet) : "out of memory");
        }
        diag_free(quiet);
    }

    if (s->credit) {
        double tw, th;
        measure(f, sb_str(&f->credit), font_px(f, 9.5), 0.6 * map.w, &tw, &th);
        fu->credit = (struct render_rect){map.x + map.w - margin - tw - 2 * pad,
                                          map.y + map.h - margin - th - pad, tw + 2 * pad,
                                          th + pad};
        fu->has_credit = true;
    }

    if (s->legend) {
        fu->nentries = legend_entries(f, fu->entries);
        if (fu->nentries) {
            double maxw = 0, rowh = 0;
            for (size_t i = 0; i < fu->nentries; i++) {
                char buf[160];
                double tw, th;
                measure(f, legend_title(f, &fu->entries[i], buf, sizeof buf), font_px(f, 11), 0,
                        &tw, &th);
                maxw = fmax(maxw, tw);
                rowh = fmax(rowh, th);
            }
            rowh = fmax(rowh * 1.25, 16 * f->scale);
            double sw = 26 * f->scale;
            double w = sw + maxw + 3 * pad, h = rowh * fu->nentries + 2 * pad;
            fu->legend = (struct render_rect){map.x + map.w - margin - w, map.y + margin, w, h};
            fu->has_legend = true;
        }
    }
    layout_ramp(f, fu, dg);
}

static void draw_legend(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    double pad = 8 * f->scale, sw = 26 * f->scale;
    panel(cr, &fu->legend, 4 * f->scale);
    double rowh = (fu->legend.h - 2 * pad) / fu->nentries;
    for (size_t i = 0; i < fu->nentries; i++) {
        const struct style_class *sc = style_for_class(f->st, fu->entries[i].cls);
        char buf[160];
        const char *title = legend_title(f, &fu->entries[i], buf, sizeof buf);
        double y = fu->legend.y + pad + i * rowh;
        if (fu->entries[i].other_dates)
            render_legend_swatch_other_dates(cr, fu->legend.x + pad, y + rowh * 0.15, sw,
                                             rowh * 0.7, f->scale);
        else
            render_legend_swatch(cr, sc, fu->entries[i].kind, fu->legend.x + pad,
                                 y + rowh * 0.15, sw, rowh * 0.7, f->scale);
        double tw, th;
        measure(f, title, font_px(f, 11), 0, &tw, &th);
        render_text(cr, title, f->spec->font, font_px(f, 11), fu->legend.x + 2 * pad + sw,
                    y + (rowh - th) / 2, 0, INK, 0, INK, false, NULL, NULL);
    }
}

static void draw_north(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    panel(cr, &fu->north, 4 * f->scale);
    double cx = fu->north.x + fu->north.w / 2, cy = fu->north.y + fu->north.h / 2;
    double len = fu->north.h * 0.5;
    double a = fu->north_deg * FIGURE_PI / 180;
    cairo_save(cr);
    cairo_translate(cr, cx, cy + fu->north.h * 0.08 * cos(a));
    cairo_translate(cr, -fu->north.h * 0.08 * sin(a), 0);
    cairo_rotate(cr, a);
    double hw = len * 0.3;
    /* left half dark, right half light: readable on any imagery */
    cairo_move_to(cr, 0, -len / 2);
    cairo_line_to(cr, -hw, len / 2);
    cairo_line_to(cr, 0, len * 0.28);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
    cairo_move_to(cr, 0, -len / 2);
    cairo_line_to(cr, hw, len / 2);
    cairo_line_to(cr, 0, len * 0.28);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, fmax(1, 0.8 * f->scale));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_restore(cr);
    /* the N stays upright, beyond the tip */
    double tw, th;
    measure(f, "N", font_px(f, 12), 0, &tw, &th);
    double r = len / 2 + th * 0.45;
    double nx = cx + sin(a) * r - fu->north.h * 0.08 * sin(a);
    double ny = cy - cos(a) * r + fu->north.h * 0.08 * cos(a);
    render_markup(cr, "<b>N</b>", f->spec->font, font_px(f, 12), nx - tw / 2, ny - th / 2, 0, INK,
                  false, NULL, NULL);
}

static void draw_scalebar(struct fig *f, const struct furniture *fu)
{
    cairo_t *cr = f->cr;
    double pad = 8 * f->scale;
    panel(cr, &fu->scalebar, 4 * f->scale);
    char label[64], half[64];
    format_length(fu->bar_m, label, sizeof label);
    double tw, th;
    measure(f, label, font_px(f, 11), 0, &tw, &th);
    double x0 = fu->scalebar.x + pad, bar_h = 6 * f->scale;
    double y0 = fu->scalebar.y + pad + th * 1.2;
    int segments = 4;
    for (int i = 0; i < segments; i++) {
        cairo_rectangle(cr, x0 + fu->bar_px * i / segments, y0, fu->bar_px / segments, bar_h);
        if (i % 2 == 0)
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, x0, y0, fu->bar_px, bar_h);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, fmax(1, 0.75 * f->scale));
    cairo_stroke(cr);
    double px = font_px(f, 11);
    render_text(cr, "0", f->spec->font, px, x0 - 2 * f->scale, fu->scalebar.y + pad * 0.6, 0,
                INK, 0, INK, false, NULL, NULL);
    snprintf(half, sizeof half, "%g", fu->bar_m >= 1000 ? fu->bar_m / 2000 : fu->bar_m / 2);
    double hw, hh;
    measure(f, half, px, 0, &hw, &hh);
    render_text(cr, half, f->spec->font, px, x0 + fu->bar_px / 2 - hw / 2,
                fu->scalebar.y + pad * 0.6, 0, INK, 0, INK, false, NULL, NULL);
    double nw, nh;
    char num[64];
    snprintf(num, sizeof num, "%g", fu->bar_m >= 1000 ? fu->bar_m / 1000 : fu->bar_m);
    measure(f, num, px, 0, &nw, &nh);
    render_text(cr, label, f->spec->font, px, x0 + fu->bar_px - nw / 2,
                fu->scalebar.y + pad * 0.6, 0, INK, 0, INK, false, NULL, NULL);
}

static void draw_credit(struct fig *f, const struct furniture *fu)
{
    double pad = 8 * f->scale;
    panel(f->cr, &fu->credit, 3 * f->scale);
    render_text(f->cr, sb_str(&f->credit), f->spec->font, font_px(f, 9.5), fu->credit.x + pad,
                fu->credit.y + pad / 2, 0.6 * f->map.w, GREY, 0, INK, false, NULL, NULL);
}

static bool draw_inset(struct fig *f, const struct furniture *fu, struct diag *dg)
{
    int iw = fu->inset_w, ih = fu->inset_h;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        diag_error(dg, "%s: out of memory", f->spec->out_path);
        return false;
    }
    struct render_view whole = {0};
    whole.src_w = f->info->width;
    whole.src_h = f->info->height;
    whole.out_w = iw;
    whole.out_h = ih;
    cairo_surface_flush(s);
    bool read = viewread_argb(f->r, &whole, iw, ih, 1, cairo_image_surface_get_data(s),
                              cairo_image_surface_get_stride(s), BACKGROUND, dg);
    cairo_surface_mark_dirty(s);
    if (!read) {
        cairo_surface_destroy(s);
        return false;
    }
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_set_source_surface(cr, s, fu->inset.x, fu->inset.y);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(s);
    cairo_rectangle(cr, fu->inset.x, fu->inset.y, iw, ih);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, fmax(1.5, 1.5 * f->scale));
    cairo_stroke(cr);
    /* the requested window on the whole tile */
    double kx = iw / (double)f->info->width, ky = ih / (double)f->info->height;
    double x = fu->inset.x + f->req.x * kx, y = fu->inset.y + f->req.y * ky;
    double w = fmax(3, f->req.w * kx), h = fmax(3, f->req.h * ky);
    cairo_save(cr);
    cairo_rectangle(cr, fu->inset.x, fu->inset.y, iw, ih);
    cairo_clip(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgb(cr, 1.0, 0.85, 0.1);
    cairo_set_line_width(cr, fmax(1.5, 2 * f->scale));
    cairo_stroke(cr);
    cairo_restore(cr);
    return true;
}

static void draw_bands(struct fig *f)
{
    cairo_t *cr = f->cr;
    double pad = 14 * f->scale;
    if (f->title_h > 0) {
        cairo_rectangle(cr, 0, 0, f->w, f->title_h);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
        gchar *esc = g_markup_escape_text(sb_str(&f->title), -1);
        struct sbuf mk = {0};
        sb_printf(&mk, "<b>%s</b>", esc);
        g_free(esc);
        render_markup(cr, sb_str(&mk), f->spec->font, font_px(f, 19), pad, pad * 0.6,
                      f->w - 2 * pad, INK, false, NULL, NULL);
        free(mk.s);
    }
    if (f->caption_h > 0) {
        double y = f->h - f->caption_h;
        cairo_rectangle(cr, 0, y, f->w, f->caption_h);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
        render_markup(cr, sb_str(&f->caption_markup), f->spec->font, font_px(f, 11.5), pad,
                      y + pad * 0.7, f->w - 2 * pad, INK, false, NULL, NULL);
    }
    /* a hairline frame around the map */
    cairo_rectangle(cr, 0.5, f->title_h + 0.5, f->w - 1, f->h - f->title_h - f->caption_h - 1);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

/* ---- metadata -------------------------------------------------------------- */

/* What the imagery register says of the tile, in words, for the PNG's
 * satmark_imagery text (no paths beyond file names: the metadata stays the
 * same wherever the figure is made). */
static void imagery_text(const struct fig *f, struct sbuf *out)
{
    if (!f->imagery) {
        sb_printf(out, "no imagery register: provenance of %s not recorded",
                  base_name(f->spec->tile));
        return;
    }
    enum imagery_match how;
    const struct imagery_entry *e =
        imagery_match(f->imagery, base_name(f->spec->tile), f->tile_sha, &how);
    const char *reg = base_name(imagery_register_path(f->imagery));
    if (!e) {
        sb_printf(out, "unregistered: %s is not in the imagery register %s (provenance unknown)",
                  base_name(f->spec->tile), reg);
        return;
    }
    sb_printf(out, "registered in %s as \"%s\" (matched by %s%s): %s; acquired %s%s%s%s",
              reg, e->id, imagery_match_name(how),
              how != IMAGERY_MATCH_NAME ? ""
              : f->tile_sha[0]        ? ", the SHA-256 differs from the register's"
                                      : ", the tile was not hashed",
              e->synthetic ? "synthetic demo imagery (illustration, not evidence)"
                           : "real imagery",
              e->acquired[0] ? e->acquired : "unknown",
              e->acquired_from[0] ? " (" : "", e->acquired_from,
              e->acquired_from[0] ? ")" : "");
    if (e->provider[0])
        sb_printf(out, "; provider: %s", e->provider);
    if (e->sensor[0])
        sb_printf(out, "; sensor: %s", e->sensor);
    if (e->gsd_m > 0.0)
        sb_printf(out, "; %.2f m/pixel", e->gsd_m);
    if (e->licence[0])
        sb_printf(out, "; licence: %s", e->licence);
    if (e->source_url[0])
        sb_printf(out, "; source: %s", e->source_url);
}

/* Appends a "figure" entry (the PNG and the tile, with their SHA-256) to the
 * register's custody log. A failure is a warning: the figure stays. */
static void record_custody(const struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    if (!s->record_custody || !f->imagery || !custody_recording_enabled())
        return;
    char log_path[4096], png_sha[HASH_SHA256_HEX_LEN + 1] = "";
    struct diag *local = diag_new();
    if (!local || !custody_log_path(imagery_register_path(f->imagery), log_path, sizeof log_path)) {
        diag_warn(dg, "%s: figure not recorded in the custody log", s->out_path);
        diag_free(local);
        return;
    }
    if (!hash_file_sha256(s->out_path, png_sha, local))
        diag_clear_error(local);
    const char *names[] = {s->out_path, base_name(s->tile)};
    const char *hashes[] = {png_sha, f->tile_sha};
    struct sbuf what = {0};
    sb_printf(&what, "figure %s of %s", s->out_path, base_name(s->tile));
    if (what.failed || !custody_append(log_path, NULL, "figure", sb_str(&what), names, hashes, 2,
                                       local))
        diag_warn(dg, "%s: figure not recorded in the custody log: %s", s->out_path,
                  diag_message(local));
    free(what.s);
    diag_free(local);
}

static bool write_png(struct fig *f, const struct figure_result *res, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    struct sbuf software = {0}, crs = {0}, claims = {0}, sources = {0}, annots = {0};
    sb_printf(&software, "satmark %s", SATMARK_VERSION);
    if (in->has_crs) {
        sb_printf(&crs, "%s", in->crs_name);
        if (in->epsg)
            sb_printf(&crs, " (EPSG:%d)", in->epsg);
    } else {
        sb_printf(&crs, "none (pixel space)");
    }
    for (size_t k = 0; k < f->nclaims; k++) {
        const struct claims_claim *cl = f->cat ? claims_find(f->cat, f->claim_ids[k]) : NULL;
        sb_printf(&claims, "%s%s: %s", k ? "\n" : "", f->claim_ids[k], cl ? cl->text : "");
        for (size_t j = 0; cl && j < cl->nsources; j++) {
            bool dup = false;
            for (size_t kk = 0; kk < k && !dup; kk++) {
                const struct claims_claim *o = claims_find(f->cat, f->claim_ids[kk]);
                for (size_t jj = 0; o && jj < o->nsources && !dup; jj++)
                    dup = strcmp(o->source_ids[jj], cl->source_ids[j]) == 0;
            }
            for (size_t jj = 0; jj < j && !dup; jj++)
                dup = strcmp(cl->source_ids[jj], cl->source_ids[j]) == 0;
            const struct claims_source *src = claims_find_source(f->cat, cl->source_ids[j]);
            if (dup || !src)
                continue;
            sb_printf(&sources, "%s%s: %s, \"%s\"%s%s%s%s", sources.n ? "\n" : "", src->id,
                      src->outlet, src->headline, src->author[0] ? ", " : "", src->author,
                      src->published[0] ? ", " : "", src->published);
        }
    }
    for (size_t i = 0; i < f->nsets; i++)
        sb_printf(&annots, "%s%s sha256:%s", i ? "\n" : "", base_name(s->annotations[i]),
                  f->annot_sha[i]);
    sb_printf(&f->params, "size=%dx%d; window=%.3f,%.3f,%.3f,%.3f (tile px); fit=%s; bands=",
              f->w, f->h, res->view.src_x, res->view.src_y, res->view.src_w, res->view.src_h,
              s->fit == RENDER_FIT_LETTERBOX ? "letterbox" : "expand");
    if (s->bands[0])
        sb_printf(&f->params, "%d,%d,%d", s->bands[0], s->bands[1], s->bands[2]);
    else
        sb_printf(&f->params, "auto(%d,%d,%d)", in->display_bands[0], in->display_bands[1],
                  in->display_bands[2]);
    switch (s->view) {
    case FIGURE_VIEW_TILE:
        sb_printf(&f->params, "; view=tile");
        break;
    case FIGURE_VIEW_BBOX:
        sb_printf(&f->params, "; view=bbox:%.7g,%.7g,%.7g,%.7g", s->bbox[0], s->bbox[1],
                  s->bbox[2], s->bbox[3]);
        break;
    case FIGURE_VIEW_FEATURE:
        sb_printf(&f->params, "; view=feature:%s pad=%gm", s->feature_id, s->pad_m);
        break;
    }
    sb_printf(&f->params, "; furniture=%s%s%s%s%s%s%s", s->legend ? "legend," : "",
              s->scalebar ? "scalebar," : "", s->north ? "north," : "",
              s->show_caption ? "caption," : "", s->credit ? "credit," : "",
              s->inset ? "inset," : "", s->labels ? "labels" : "nolabels");
    if (f->ramp_legend[0])
        sb_printf(&f->params, "; ramp=%s", f->ramp_legend);
    if (s->image.georef_method)
        sb_printf(&f->params, "; georef=%s", s->image.georef_method);
    if (s->image.dem)
        sb_printf(&f->params, "; dem=%s", base_name(s->image.dem));
    if (s->image.keep_degrees)
        sb_printf(&f->params, "; keep_degrees");
    if (res->scalebar_m > 0)
        sb_printf(&f->params, "; scalebar=%gm", res->scalebar_m);
    if (res->has_north)
        sb_printf(&f->params, "; north=%.2fdeg", res->north_deg);
    if (s->parameters)
        sb_printf(&f->params, "; request=%s", s->parameters);

    struct pngout_text texts[24];
    size_t n = 0;
    texts[n++] = (struct pngout_text){"Title", sb_str(&f->title)};
    texts[n++] = (struct pngout_text){"Software", sb_str(&software)};
    if (f->caption_plain.n)
        texts[n++] = (struct pngout_text){"Description", sb_str(&f->caption_plain)};
    if (in->synthetic)
        texts[n++] = (struct pngout_text){"Disclaimer",
                                          "Synthetic demo imagery, not a real satellite image"};
    char tile_name[512];
    texts[n++] = (struct pngout_text){"satmark_tile", tile_display_name(s->tile, tile_name,
                                                                        sizeof tile_name)};
    if (f->tile_sha[0]) {
        texts[n++] = (struct pngout_text){"satmark_tile_sha256", f->tile_sha};
        /* "cache": from the hash cache (same device, inode, size and times as
         * when it was computed); --verify-hash computes it again */
        texts[n++] = (struct pngout_text){"satmark_tile_sha256_source",
                                          f->sha_cached ? "cache" : "computed"};
    }
    texts[n++] = (struct pngout_text){"satmark_acquired", in->acquired};
    struct sbuf imagery = {0};
    imagery_text(f, &imagery);
    texts[n++] = (struct pngout_text){"satmark_imagery", sb_str(&imagery)};
    texts[n++] = (struct pngout_text){"satmark_credit", sb_str(&f->credit)};
    texts[n++] = (struct pngout_text){"satmark_crs", sb_str(&crs)};
    if (f->nsets)
        texts[n++] = (struct pngout_text){"satmark_annotations", sb_str(&annots)};
    if (f->nclaims)
        texts[n++] = (struct pngout_text){"satmark_claims", sb_str(&claims)};
    if (sources.n)
        texts[n++] = (struct pngout_text){"satmark_sources", sb_str(&sources)};
    texts[n++] = (struct pngout_text){"satmark_parameters", sb_str(&f->params)};

    bool ok = !(software.failed || crs.failed || claims.failed || sources.failed ||
                annots.failed || imagery.failed || f->params.failed || f->title.failed ||
                f->caption_plain.failed);
    if (!ok)
        diag_error(dg, "%s: metadata too large or out of memory", s->out_path);
    /* figures are rendered again from their inputs at will: no fsync */
    struct pngout_options po;
    pngout_options_init(&po);
    po.format = PNGOUT_ARGB32;
    po.sync = false;
    po.threads = s->threads;
    cairo_surface_flush(f->surface);
    ok = ok && pngout_write(s->out_path, cairo_image_surface_get_data(f->surface), f->w, f->h,
                            (size_t)cairo_image_surface_get_stride(f->surface), texts, n, &po,
                            dg);
    if (ok && res->georeferenced)
        ok = pngout_write_georef_opt(s->out_path, res->geotransform,
                                     in->has_crs ? in->crs_wkt : NULL, &po, dg);
    free(software.s);
    free(crs.s);
    free(claims.s);
    free(sources.s);
    free(annots.s);
    free(imagery.s);
    return ok;
}

/* ---- the whole figure ------------------------------------------------------ */

static bool check_spec(const struct figure_spec *s, struct diag *dg)
{
    if (!s->tile || !*s->tile) {
        diag_error(dg, "figure: no image given");
        return false;
    }
    if (!s->out_path || !*s->out_path) {
        diag_error(dg, "%s: no output file given", s->tile);
        return false;
    }
    if (s->tile_sha256 && !hash_is_sha256_hex(s->tile_sha256)) {
        diag_error(dg, "%s: the given SHA-256 is not 64 lowercase hex digits", s->tile);
        return false;
    }
    size_t n = strlen(s->out_path);
    if (n < 5 || strcmp(s->out_path + n - 4, ".png") != 0) {
        diag_error(dg, "%s: the output file name must end in .png", s->out_path);
        return false;
    }
    if (s->width < 16 || s->width > 16384 || (s->height != 0 && (s->height < 16 ||
                                                                 s->height > 16384))) {
        diag_error(dg, "%s: output size %dx%d out of range (16..16384)", s->out_path, s->width,
                   s->height);
        return false;
    }
    if (s->view == FIGURE_VIEW_FEATURE && (!s->feature_id || !*s->feature_id)) {
        diag_error(dg, "%s: a feature view needs a feature id", s->out_path);
        return false;
    }
    return true;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool fig_make(struct fig *f, struct figure_result *res, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    double t0 = now_ms();
    if (!load_inputs(f, dg) || !compute_request(f, dg) || !request_on_tile(f, dg) ||
        !choose_claims(f, dg))
        return false;
    build_texts(f);

    f->w = s->width;
    f->scale = fmin(3.0, fmax(1.0, f->w / 1000.0));
    /* measure the bands on a scratch surface */
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    f->cr = cairo_create(scratch);
    cairo_surface_destroy(scratch);
    double pad = 14 * f->scale, tw, th;
    f->title_h = 0;
    if (s->title_band && f->title.n) {
        measure(f, sb_str(&f->title), font_px(f, 19), f->w - 2 * pad, &tw, &th);
        f->title_h = ceil(th + 1.2 * pad);
    }
    f->caption_h = 0;
    if (s->show_caption && f->caption_markup.n) {
        render_markup(f->cr, sb_str(&f->caption_markup), s->font, font_px(f, 11.5), 0, 0,
                      f->w - 2 * pad, INK, true, &tw, &th);
        f->caption_h = ceil(th + 1.4 * pad);
    }
    cairo_destroy(f->cr);
    f->cr = NULL;

    f->h = s->height;
    if (f->h == 0) {
        double map_h = f->req.h * f->w / f->req.w;
        f->h = (int)lround(fmin(4.0 * f->w, map_h + f->title_h + f->caption_h));
        f->h = f->h < 16 ? 16 : f->h;
    }
    if ((double)f->w * f->h > (double)RASTER_MAX_OUT_PIXELS || f->h > 16384) {
        diag_error(dg, "%s: output %dx%d is too large", s->out_path, f->w, f->h);
        return false;
    }
    if (f->title_h + f->caption_h > 0.6 * f->h) {
        diag_warn(dg, "%s: %dx%d is too small for the title and caption; caption left out",
                  s->out_path, f->w, f->h);
        f->caption_h = 0;
        if (f->title_h > 0.3 * f->h)
            f->title_h = 0;
    }
    f->map = (struct render_rect){0, f->title_h, f->w, f->h - f->title_h - f->caption_h};
    if (!render_view_place(&f->req, f->w, f->h, &f->map, &f->view, &f->placed, dg))
        return false;

    /* imagery */
    f->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, f->w, f->h);
    if (cairo_surface_status(f->surface) != CAIRO_STATUS_SUCCESS) {
        diag_error(dg, "%s: out of memory for a %dx%d figure", s->out_path, f->w, f->h);
        return false;
    }
    double t1 = now_ms();
    res->ms_load = t1 - t0;
    if (!read_imagery(f, dg))
        return false;
    /* hashing now overlaps drawing and compressing, which leave a core free */
    if (f->speculative && !start_hash(f, dg))
        return false;
    double t2 = now_ms();
    res->ms_imagery = t2 - t1;
    f->cr = cairo_create(f->surface);
    cairo_t *cr = f->cr;
    if (s->fit == RENDER_FIT_LETTERBOX) {
        cairo_rectangle(cr, 0, 0, f->w, f->h);
        cairo_rectangle(cr, f->placed.x, f->placed.y, f->placed.w, f->placed.h);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        cairo_set_source_rgb(cr, BACKGROUND.r / 255.0, BACKGROUND.g / 255.0, BACKGROUND.b / 255.0);
        cairo_fill(cr);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    }

    struct furniture fu;
    layout_furniture(f, &fu, dg);
    struct render_rect keep[8];
    size_t nkeep = 0;
    if (fu.has_legend)
        keep[nkeep++] = fu.legend;
    if (fu.has_ramp)
        keep[nkeep++] = fu.ramp;
    if (fu.has_north)
        keep[nkeep++] = fu.north;
    if (fu.has_scalebar)
        keep[nkeep++] = fu.scalebar;
    if (fu.has_credit)
        keep[nkeep++] = fu.credit;
    if (fu.has_inset)
        keep[nkeep++] = fu.inset;
    keep[nkeep++] = (struct render_rect){0, 0, f->w, f->title_h};
    keep[nkeep++] = (struct render_rect){0, f->h - f->caption_h, f->w, f->caption_h};

    struct render_marks_options mo;
    render_marks_options_init(&mo);
    mo.scale = f->scale;
    mo.labels = s->labels;
    mo.font = s->font;
    mo.frame = s->fit == RENDER_FIT_LETTERBOX ? f->placed : f->map;
    mo.keep_clear = keep;
    mo.nkeep_clear = nkeep;
    if (s->view == FIGURE_VIEW_FEATURE)
        mo.highlight_id = s->feature_id;
    cairo_save(cr);
    if (s->fit == RENDER_FIT_LETTERBOX)
        cairo_rectangle(cr, f->placed.x, f->placed.y, f->placed.w, f->placed.h);
    else
        cairo_rectangle(cr, f->map.x, f->map.y, f->map.w, f->map.h);
    cairo_clip(cr);
    bool drawn = render_overlay_draw(cr, &f->view, f->ov, f->st, &mo, &res->marks, dg);
    cairo_restore(cr);
    if (!drawn)
        return false;
    if (res->marks.classes_dense)
        diag_warn(dg, "%s: classes with more than %zu marks in view drawn as density layers, "
                      "without their %zu labels", s->out_path, render_dense_limit(&f->view),
                  res->marks.labels_thinned);
    if (res->marks.labels_skipped)
        diag_warn(dg, "%s: %zu of %zu labels left out where they would overlap", s->out_path,
                  res->marks.labels_skipped,
                  res->marks.labels_skipped + res->marks.labels_placed);

    if (fu.has_inset && !draw_inset(f, &fu, dg))
        return false;
    if (fu.has_legend)
        draw_legend(f, &fu);
    if (fu.has_ramp)
        draw_ramp(f, &fu);
    if (fu.has_north)
        draw_north(f, &fu);
    if (fu.has_scalebar)
        draw_scalebar(f, &fu);
    if (fu.has_credit)
        draw_credit(f, &fu);
    draw_bands(f);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        diag_error(dg, "%s: drawing failed: %s", s->out_path,
                   cairo_status_to_string(cairo_status(cr)));
        return false;
    }

    res->view = f->view;
    res->has_north = fu.has_north;
    res->north_deg = fu.north_deg;
    res->scalebar_m = fu.has_scalebar ? fu.bar_m : 0;
    res->georeferenced = f->info->has_geotransform;
    if (!res->georeferenced)
        diag_warn(dg, "%s: the image has no georeferencing, so the PNG gets no world file",
                  s->tile);
    double gt[6];
    geo_ref_geotransform(f->g, gt);
    double kx = f->view.src_w / f->w, ky = f->view.src_h / f->h;
    res->geotransform[0] = gt[0] + gt[1] * f->view.src_x + gt[2] * f->view.src_y;
    res->geotransform[1] = gt[1] * kx;
    res->geotransform[2] = gt[2] * ky;
    res->geotransform[3] = gt[3] + gt[4] * f->view.src_x + gt[5] * f->view.src_y;
    res->geotransform[4] = gt[4] * kx;
    res->geotransform[5] = gt[5] * ky;
    double t3 = now_ms();
    res->ms_draw = t3 - t2;
    if (!confirm_marks(f, dg))
        return false;
    bool ok = write_png(f, res, dg);
    if (ok)
        record_custody(f, dg);
    res->ms_write = now_ms() - t3;
    return ok;
}

void figure_prepare(void)
{
    raster_init();
    FcInit();
}

bool figure_run(const struct figure_spec *spec, struct figure_result *result, struct diag *dg)
{
    struct figure_result local;
    if (!result)
        result = &local;
    memset(result, 0, sizeof *result);
    if (!check_spec(spec, dg))
        return false;
    /* the first attempt reports into its own diag: if it has to be made
     * again (see confirm_marks), its warnings must not show twice */
    struct diag *attempt = diag_new();
    if (!attempt) {
        diag_error(dg, "%s: out of memory", spec->out_path);
        return false;
    }
    /* a subdataset given by index or name becomes its own GDAL name: the
     * figure names and hashes it as if it had been given so */
    struct raster_open_options ro;
    raster_open_options_init(&ro);
    memcpy(ro.bands, spec->bands, sizeof ro.bands);
    ro.allow_remote = spec->allow_remote;
    ro.ramp = spec->ramp;
    char *tile = imgopt_prepare(&spec->image, spec->tile, &ro, dg);
    if (!tile) {
        diag_free(attempt);
        return false;
    }
    struct figure_spec resolved = *spec;
    resolved.tile = tile;
    struct fig f;
    memset(&f, 0, sizeof f);
    f.spec = &resolved;
    f.open = ro;
    /* on one thread there is no second core to hash on: hash first */
    f.exact = spec->threads == 1;
    bool ok = fig_make(&f, result, attempt);
    bool redo = f.redo;
    fig_free(&f);
    if (redo) {
        memset(result, 0, sizeof *result);
        memset(&f, 0, sizeof f);
        f.spec = &resolved;
        f.open = ro;
        f.exact = true;
        ok = fig_make(&f, result, dg);
        fig_free(&f);
    } else {
        for (size_t i = 0; i < diag_warning_count(attempt); i++)
            diag_warn(dg, "%s", diag_warning(attempt, i));
        if (!ok)
            diag_error(dg, "%s", diag_message(attempt));
    }
    diag_free(attempt);
    free(tile);
    return ok;
}
