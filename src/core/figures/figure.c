/*
 * figure — see figure.h; the files of the module are listed in
 * figure_int.h. figure_run loads its inputs into a `struct fig` (every
 * resource it owns, freed in one place), and fig_make goes through its steps:
 * choose marks and claims and build the texts, measure the bands and size
 * the output, read the imagery once at the output size straight into a
 * Cairo ARGB32 surface (in parts, on several threads, composed over the
 * background), draw the marks (keeping clear of the furniture boxes), the
 * furniture and the bands, then hand the surface's memory to pngout
 * (PNGOUT_ARGB32) with the metadata.
 */
#include "figure.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pthread.h>
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
#include "dynbuf.h"
#include "geo.h"
#include "gjfast.h"
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

#include "figure_int.h"

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

/* ---- the figure's state ---------------------------------------------------- */

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

/* Whether the marks chosen without the tile's hash could change once it is
 * known: only an observation naming a SHA-256 can (markdate's rule). */
static bool marks_depend_on_hash(const struct fig *f)
{
    for (size_t i = 0; i < f->nsets; i++)
        for (size_t k = 0; k < annot_count(f->sets[i]); k++) {
            const struct annot_feature *af = annot_get(f->sets[i], k);
            for (size_t o = 0; o < af->nobs; o++)
                if (af->obs[o].sha256 && af->obs[o].sha256[0])
                    return true;
        }
    return false;
}

struct set_release {
    struct annot_set **sets; /* owned, with the sets */
    size_t n;
};

static void *release_sets(void *arg)
{
    struct set_release *rel = arg;
    for (size_t i = 0; i < rel->n; i++)
        annot_set_free(rel->sets[i]);
    free(rel->sets);
    free(rel);
    return NULL;
}

/* Once the content is settled (overlay, texts, claims), the annotation sets
 * are needed again only to confirm a speculative choice of marks that the
 * tile's hash could change, or by the evidence report, which borrows them.
 * Otherwise they are freed on another thread while the marks are drawn (one
 * core; the imagery before used both): a detector's 100,000 marks are
 * ~11 ms of free() that would end the figure on one core. Nothing happens
 * when a thread cannot be started (fig_free frees them as before). */
static void release_sets_early(struct fig *f)
{
    if (f->spec->threads == 1 || f->nsets == 0 || f->evidence ||
        (f->speculative && marks_depend_on_hash(f)))
        return;
    struct set_release *rel = malloc(sizeof *rel);
    struct annot_set **sets = malloc(f->nsets * sizeof *sets);
    if (!rel || !sets) {
        free(rel);
        free(sets);
        return;
    }
    memcpy(sets, f->sets, f->nsets * sizeof *sets);
    *rel = (struct set_release){sets, f->nsets};
    if (pthread_create(&f->release_thread, NULL, release_sets, rel) != 0) {
        free(sets);
        free(rel);
        return;
    }
    f->releasing = true;
    f->sets_released = true;
    for (size_t i = 0; i < f->nsets; i++)
        f->sets[i] = NULL;
}

/* An empty figure state: nothing owned yet, text buffers capped. */
static void fig_init(struct fig *f)
{
    memset(f, 0, sizeof *f);
    dynbuf_init(&f->title, FIGURE_MAX_TEXT);
    dynbuf_init(&f->caption_markup, FIGURE_MAX_TEXT);
    dynbuf_init(&f->caption_plain, FIGURE_MAX_TEXT);
    dynbuf_init(&f->credit, FIGURE_MAX_TEXT);
    dynbuf_init(&f->params, FIGURE_MAX_TEXT);
}

static void fig_free(struct fig *f)
{
    finish_hash(f, NULL);
    if (f->releasing)
        pthread_join(f->release_thread, NULL);
    diag_free(f->hash_dg);
    if (f->cr)
        cairo_destroy(f->cr);
    if (f->surface)
        cairo_surface_destroy(f->surface);
    free(f->claim_ids);
    dynbuf_free(&f->title);
    dynbuf_free(&f->caption_markup);
    dynbuf_free(&f->caption_plain);
    dynbuf_free(&f->credit);
    dynbuf_free(&f->params);
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
    if (!f->sets) {
        diag_error(dg, "%s: out of memory", s->out_path);
        return false;
    }
    for (size_t i = 0; i < s->nannotations; i++) {
        if (!gjfast_read_file(s->annotations[i], &f->sets[i], dg))
            return false;
        f->nsets++;
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

/* The SHA-256 of every annotation file into f->annot_sha (allocated by the
 * caller); false with the reason on dg. */
static bool hash_annotations(struct fig *f, struct diag *dg)
{
    for (size_t i = 0; i < f->spec->nannotations; i++)
        if (!hash_file_sha256(f->spec->annotations[i], f->annot_sha[i], dg))
            return false;
    return true;
}

/* Opens the tile and hashes the annotation files on this thread while
 * another reads the annotations, style and catalog (a detector's 25 MB of
 * points: ~60 ms to hash, as long as reading them), then builds the
 * overlay. Messages come out in the same order as if all ran here: the
 * tile's first, then reading's, then hashing's. */
static bool load_inputs(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    struct side_loader sl = {f, diag_new(), false};
    struct diag *hash_dg = diag_new();
    f->annot_sha = calloc(s->nannotations ? s->nannotations : 1, sizeof *f->annot_sha);
    if (!sl.dg || !hash_dg || !f->annot_sha) {
        diag_free(sl.dg);
        diag_free(hash_dg);
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
    bool hashed = threaded && ok && hash_annotations(f, hash_dg);
    if (threaded)
        pthread_join(tid, NULL);
    else
        run_side_loader(&sl);
    if (!threaded && ok && sl.ok)
        hashed = hash_annotations(f, hash_dg);
    for (size_t i = 0; i < diag_warning_count(sl.dg); i++)
        diag_warn(dg, "%s", diag_warning(sl.dg, i));
    if (ok && !sl.ok)
        diag_error(dg, "%s", diag_message(sl.dg));
    else if (ok && !hashed)
        diag_error(dg, "%s", diag_message(hash_dg));
    ok = ok && sl.ok && hashed;
    diag_free(sl.dg);
    diag_free(hash_dg);
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
    if (!f->speculative || f->sets_released) /* released: no mark depends on the hash */
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
        if (!fig_mark_counts(f, i))
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
/* ---- imagery --------------------------------------------------------------- */

/* Reads the view's imagery into the (ARGB32) surface, composed over the
 * background. On failure the first reason goes to dg. */
static bool read_imagery(struct fig *f, struct diag *dg)
{
    cairo_surface_flush(f->surface);
    bool ok = viewread_argb(f->r, &f->view, f->w, f->h, f->spec->threads,
                            cairo_image_surface_get_data(f->surface),
                            cairo_image_surface_get_stride(f->surface), FIGURE_BACKGROUND, dg);
    cairo_surface_mark_dirty(f->surface);
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

/* Inputs loaded, the request placed on the tile, the claims chosen and
 * the texts built. */
static bool fig_prepare_content(struct fig *f, struct diag *dg)
{
    if (!load_inputs(f, dg) || !compute_request(f, dg) || !request_on_tile(f, dg) ||
        !choose_claims(f, dg))
        return false;
    evaluate_claims(f);
    fig_build_texts(f);
    return true;
}

/* The output size (height from the request when the spec leaves it 0), the
 * bands fitted into it and the view placed in the map area. */
static bool size_output(struct fig *f, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    f->w = s->width;
    f->scale = fmin(3.0, fmax(1.0, f->w / 1000.0));
    fig_measure_bands(f);
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
    return render_view_place(&f->req, f->w, f->h, &f->map, &f->view, &f->placed, dg);
}

/* With RENDER_FIT_LETTERBOX: the background around the placed imagery. */
static void draw_letterbox(struct fig *f)
{
    cairo_t *cr = f->cr;
    if (f->spec->fit != RENDER_FIT_LETTERBOX)
        return;
    cairo_rectangle(cr, 0, 0, f->w, f->h);
    cairo_rectangle(cr, f->placed.x, f->placed.y, f->placed.w, f->placed.h);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_source_rgb(cr, FIGURE_BACKGROUND.r / 255.0, FIGURE_BACKGROUND.g / 255.0,
                         FIGURE_BACKGROUND.b / 255.0);
    cairo_fill(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
}

/* The marks, clipped to the map, labels kept clear of the furniture and the
 * bands; what was left out is said on dg. */
static bool draw_marks(struct fig *f, const struct furniture *fu, struct figure_result *res,
                       struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    cairo_t *cr = f->cr;
    struct render_rect keep[8];
    size_t nkeep = 0;
    if (fu->has_legend)
        keep[nkeep++] = fu->legend;
    if (fu->has_ramp)
        keep[nkeep++] = fu->ramp;
    if (fu->has_north)
        keep[nkeep++] = fu->north;
    if (fu->has_scalebar)
        keep[nkeep++] = fu->scalebar;
    if (fu->has_credit)
        keep[nkeep++] = fu->credit;
    if (fu->has_inset)
        keep[nkeep++] = fu->inset;
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
    return true;
}

/* What the caller learns of the figure: view, furniture, georeferencing
 * (the output pixels' geotransform). */
static void fill_result(const struct fig *f, const struct furniture *fu,
                        struct figure_result *res, struct diag *dg)
{
    res->view = f->view;
    res->has_north = fu->has_north;
    res->north_deg = fu->north_deg;
    res->scalebar_m = fu->has_scalebar ? fu->bar_m : 0;
    res->georeferenced = f->info->has_geotransform;
    if (!res->georeferenced)
        diag_warn(dg, "%s: the image has no georeferencing, so the PNG gets no world file",
                  f->spec->tile);
    double gt[6];
    geo_ref_geotransform(f->g, gt);
    double kx = f->view.src_w / f->w, ky = f->view.src_h / f->h;
    res->geotransform[0] = gt[0] + gt[1] * f->view.src_x + gt[2] * f->view.src_y;
    res->geotransform[1] = gt[1] * kx;
    res->geotransform[2] = gt[2] * ky;
    res->geotransform[3] = gt[3] + gt[4] * f->view.src_x + gt[5] * f->view.src_y;
    res->geotransform[4] = gt[4] * kx;
    res->geotransform[5] = gt[5] * ky;
}

static bool fig_make(struct fig *f, struct figure_result *res, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    double t0 = now_ms();
    if (!fig_prepare_content(f, dg) || !size_output(f, dg))
        return false;

    f->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, f->w, f->h);
    if (cairo_surface_status(f->surface) != CAIRO_STATUS_SUCCESS) {
        diag_error(dg, "%s: out of memory for a %dx%d figure", s->out_path, f->w, f->h);
        return false;
    }
    double t1 = now_ms();
    res->ms_load = t1 - t0;
    if (!read_imagery(f, dg))
        return false;
    /* hashing now overlaps drawing and compressing, which leave a core free,
     * and so does freeing the annotation sets */
    if (f->speculative && !start_hash(f, dg))
        return false;
    release_sets_early(f);
    double t2 = now_ms();
    res->ms_imagery = t2 - t1;

    f->cr = cairo_create(f->surface);
    draw_letterbox(f);
    struct furniture fu;
    fig_layout_furniture(f, &fu, dg);
    if (!draw_marks(f, &fu, res, dg) || !fig_draw_furniture(f, &fu, dg))
        return false;
    if (cairo_status(f->cr) != CAIRO_STATUS_SUCCESS) {
        diag_error(dg, "%s: drawing failed: %s", s->out_path,
                   cairo_status_to_string(cairo_status(f->cr)));
        return false;
    }
    fill_result(f, &fu, res, dg);
    double t3 = now_ms();
    res->ms_draw = t3 - t2;
    if (!confirm_marks(f, dg))
        return false;
    bool ok = fig_write_png(f, res, dg);
    if (ok)
        fig_record_custody(f, dg);
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
    fig_init(&f);
    f.spec = &resolved;
    f.open = ro;
    /* on one thread there is no second core to hash on: hash first */
    f.exact = spec->threads == 1;
    bool ok = fig_make(&f, result, attempt);
    bool redo = f.redo;
    fig_free(&f);
    if (redo) {
        memset(result, 0, sizeof *result);
        fig_init(&f);
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

