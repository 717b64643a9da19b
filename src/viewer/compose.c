/*
 * compose — the imagery of a frame, composited by the viewer itself into one
 * streaming texture the size of the window, then drawn with one unscaled
 * copy.
 *
 * Why: under SDL's software renderer a scaled SDL_RenderCopy per tile costs
 * 5-7 ms a frame while zooming (SDL converts and stretches every tile on
 * its own, with clipping per call); sampling the tiles here with per-column
 * and per-row lookup tables, and copying repeated rows whole, costs a few ms
 * and is split between the UI thread and one helper thread. The composite is
 * kept while nothing it shows changes (view, compare state, tiles), so a
 * frame that only moves the pointer copies it unchanged.
 *
 * Sampling is nearest neighbour, as SDL's copies were: the screen pixel
 * centre (x + 0.5, y + 0.5) maps to an image position through the view,
 * then to the texel of the tile that covers it at the view's level, or of
 * the nearest coarser level that has that area (so the view is never empty
 * while finer tiles arrive). Tiles that are not opaque (nodata, partial
 * reads) are blended over the background colour. Pixels are 0xAARRGGBB
 * values; the texture is the window's XRGB8888 when it has that format.
 *
 * Threads: the plan (which tile texture each part of the window samples) is
 * made on the UI thread, which alone talks to the tile cache; the helper
 * thread only reads tile pixels, which the UI thread does not free while a
 * composite is under way (it waits for the helper before going on).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viewer.h"

#define COMPOSE_BACKGROUND 0xFF26282Cu /* rgb(38, 40, 44), as the empty window */
/* Rows are handed out in bands of this many, to whichever thread is free:
 * when the helper is not scheduled (busy machine), the UI thread does it all
 * and never waits for more than one band. */
#define COMPOSE_CHUNK_ROWS 32
/* Below this many pixels a composite is not worth waking the helper for. */
#define COMPOSE_SPLIT_MIN_PIXELS (256 * 256)

/* Everything that decides what the composite shows. */
struct compose_key {
    int w, h;
    int mode; /* 0 image A, 1 swipe A|B, 2 image B (flicker) */
    bool imagery;
    uint64_t marks_generation;
    int split;
    bool b_ok, b_affine;
    struct view va, vb;
    uint64_t gen_a, gen_b;
};

/* How one image fills one rectangle of the window; made on the UI thread. */
struct compose_plan {
    SDL_Rect clip;
    int ntx, nty;                              /* tile columns and rows in view */
    const struct tilecache_texture **sources;  /* ntx * nty; NULL = background */
    unsigned char *shifts;                     /* levels above the view's, per tile */
    int *coltile;                              /* per clip column: tile column or -1 */
    int *rowtile;                              /* per clip row: tile row or -1 */
    int *colmap[TILECACHE_MAX_LEVELS];         /* per shift used: texel column per clip column */
    int *rowmap[TILECACHE_MAX_LEVELS];         /* per shift used: texel row per clip row */
    unsigned *row_shifts;                      /* per tile row: bit s = shift s used */
    int *runs;                                 /* (start, end, tile column) per run of columns */
    int nruns;
    /* Affine plans (image B rotated against A): each window pixel maps to
     * B through m from A's view av; sources cover tiles tx0.., ty0.. . */
    bool affine;
    double m[6];
    struct view av;
    int level, tile, img_w, img_h, tx0, ty0;
};

/* Where the marks layer's last result goes on the window (nearest
 * neighbour from the view it was drawn for); made on the UI thread. */
struct compose_marks {
    bool on;
    const uint32_t *pixels; /* premultiplied ARGB, w x h; borrowed from the viewer */
    const viewer_marks_cell *cells; /* per cell, its rows holding anything; borrowed */
    int w, h, cols;
    int *mx;                /* per window column: result column or -1; owned */
    int *my;                /* per window row: result row or -1; owned */
    int *segs;              /* (x0, x1, cell column or -1) runs of window columns; owned */
    int nsegs;
    /* SATMARK_VIEW_BLEND_ALL=1: blend every row of every cell, the picture
     * the skipping of empty cells and rows must give (e2e.viewer_marks_skip) */
    bool blend_all;
};

struct compose_band {
    const struct compose_plan *plan;
    const struct compose_marks *marks;
    uint32_t *pixels; /* the texture's top-left */
    int pitch;        /* in pixels */
    int y0, y1;       /* clip rows [y0, y1) */
};

struct compose {
    SDL_Texture *texture;
    int w, h;
    bool valid;
    struct compose_key key;
    bool blend_all; /* SATMARK_VIEW_BLEND_ALL, read once */
    /* the helper thread */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    bool has_job;              /* job's rows are being handed out */
    bool helper_busy;          /* the helper runs a band of the job */
    struct compose_band job;   /* all the rows to composite */
    int next_row;              /* the first row not handed out yet */
};

static void fill(uint32_t *d, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = COMPOSE_BACKGROUND;
}

static uint32_t over_background(uint32_t p)
{
    uint32_t a = p >> 24, na = 255 - a;
    uint32_t r = (((p >> 16) & 255) * a + ((COMPOSE_BACKGROUND >> 16) & 255) * na + 127) / 255;
    uint32_t g = (((p >> 8) & 255) * a + ((COMPOSE_BACKGROUND >> 8) & 255) * na + 127) / 255;
    uint32_t b = ((p & 255) * a + (COMPOSE_BACKGROUND & 255) * na + 127) / 255;
    return 0xFF000000u | r << 16 | g << 8 | b;
}

/* True when clip row y samples the same texel rows as row y - 1 (same tile
 * row, same texel row at every level that tile row uses). */
static bool same_as_previous_row(const struct compose_plan *p, int y)
{
    int rt = p->rowtile[y];
    if (rt != p->rowtile[y - 1])
        return false;
    if (rt < 0)
        return true;
    for (unsigned mask = p->row_shifts[rt], s = 0; mask; mask >>= 1, s++)
        if ((mask & 1) && p->rowmap[s][y] != p->rowmap[s][y - 1])
            return false;
    return true;
}

/* m (premultiplied alpha, as Cairo draws) over the opaque d: two channels
 * per multiply. d * (255 - a) / 255 per channel is at most 255 - a and m's
 * channels at most a, so the sums never carry into the next channel. */
static inline uint32_t blend(uint32_t m, uint32_t d)
{
    uint32_t na = 255 - (m >> 24);
    uint32_t rb = (d & 0xFF00FFu) * na;
    rb = ((rb + 0x800080u + ((rb >> 8) & 0xFF00FFu)) >> 8) & 0xFF00FFu;
    uint32_t g = (d & 0xFF00u) * na;
    g = ((g + 0x8000u + ((g >> 8) & 0xFF00u)) >> 8) & 0xFF00u;
    return 0xFF000000u | ((m & 0xFFFFFFu) + rb + g);
}

/* m over *d: copied when opaque, blended when partly transparent. */
static inline void blend_pixel(uint32_t m, uint32_t *d)
{
    uint32_t a = m >> 24;
    if (a == 255)
        *d = m;
    else if (a)
        *d = blend(m, *d);
}

/* Blends the marks result's row for window row y over d (the window row),
 * within window columns [x0, x1). A segment maps to one cell column of the
 * result and is skipped unless its cell has something in this very row (the
 * cells' row masks: most of an occupied cell's rows are empty, and reading
 * them was most of the blend). Where a segment maps one to one (the marks
 * drawn for this view, or panned) it is blended from a pointer, four
 * transparent pixels at a time skipped. */
static void blend_marks_row(const struct compose_marks *mk, int y, uint32_t *d, int x0, int x1)
{
    int sy = mk->my[y];
    if (sy < 0)
        return;
    const viewer_marks_cell *cell_row = mk->cells + (size_t)(sy / VIEWER_MARKS_CELL) * mk->cols;
    viewer_marks_cell row_bit = (viewer_marks_cell)(1u << (sy % VIEWER_MARKS_CELL));
    const uint32_t *src = mk->pixels + (size_t)sy * mk->w;
    for (int i = 0; i < mk->nsegs; i++) {
        int a = mk->segs[3 * i], b = mk->segs[3 * i + 1], cell = mk->segs[3 * i + 2];
        if (cell < 0 || (!mk->blend_all && !(cell_row[cell] & row_bit)) || b <= x0 || a >= x1)
            continue;
        a = a > x0 ? a : x0;
        b = b < x1 ? b : x1;
        if (mk->mx[b - 1] - mk->mx[a] == b - 1 - a) { /* mx is non-decreasing */
            const uint32_t *s = src + mk->mx[a]; /* s[i] lands on window column a + i */
            uint32_t *w = d + a;
            int n = b - a, i = 0;
            for (; i + 4 <= n; i += 4) {
                if (!((s[i] | s[i + 1] | s[i + 2] | s[i + 3]) & 0xFF000000u))
                    continue;
                for (int k = i; k < i + 4; k++)
                    blend_pixel(s[k], &w[k]);
            }
            for (; i < n; i++)
                blend_pixel(s[i], &w[i]);
            continue;
        }
        for (int x = a; x < b; x++)
            blend_pixel(src[mk->mx[x]], &d[x]);
    }
}

/* One clip row of an affine plan into d (the row at the clip's left):
 * nearest texel of B under each pixel centre, stepping along the row. */
static void affine_row(const struct compose_plan *p, int y, uint32_t *d)
{
    const struct view *v = &p->av;
    const double *m = p->m;
    double iy = v->cy + (p->clip.y + y + 0.5 - v->h / 2.0) / v->scale;
    double ix = v->cx + (p->clip.x + 0.5 - v->w / 2.0) / v->scale;
    double bx = m[0] + m[1] * ix + m[2] * iy, by = m[3] + m[4] * ix + m[5] * iy;
    double dbx = m[1] / v->scale, dby = m[4] / v->scale;
    long span = (long)p->tile << p->level;
    for (int x = 0; x < p->clip.w; x++, bx += dbx, by += dby) {
        d[x] = COMPOSE_BACKGROUND;
        if (!(bx >= 0 && by >= 0 && bx < p->img_w && by < p->img_h))
            continue;
        long xi = (long)bx, yi = (long)by;
        long tx = xi / span - p->tx0, ty = yi / span - p->ty0;
        if (tx < 0 || ty < 0 || tx >= p->ntx || ty >= p->nty)
            continue;
        size_t k = (size_t)ty * p->ntx + (size_t)tx;
        const struct tilecache_texture *t = p->sources[k];
        if (!t)
            continue;
        int l = p->level + p->shifts[k];
        long source_span = (long)p->tile << l;
        long col = (xi % source_span) >> l, row = (yi % source_span) >> l;
        col = col < t->w ? col : t->w - 1;
        row = row < t->h ? row : t->h - 1;
        uint32_t px = t->pixels[(size_t)row * t->w + (size_t)col];
        d[x] = t->opaque ? px : over_background(px);
    }
}

static void run_band(const struct compose_band *band)
{
    const struct compose_plan *p = band->plan;
    const struct compose_marks *mk = band->marks;
    for (int y = band->y0; y < band->y1; y++) {
        int wy = p->clip.y + y;
        uint32_t *row_start = band->pixels + (size_t)wy * band->pitch;
        uint32_t *d = row_start + p->clip.x;
        if (p->affine) {
            affine_row(p, y, d);
            if (mk->on)
                blend_marks_row(mk, wy, row_start, p->clip.x, p->clip.x + p->clip.w);
            continue;
        }
        if (y > band->y0 && same_as_previous_row(p, y) && (!mk->on || mk->my[wy] == mk->my[wy - 1])) {
            memcpy(d, d - band->pitch, (size_t)p->clip.w * 4);
            continue;
        }
        int rt = p->rowtile[y];
        if (rt < 0) {
            fill(d, p->clip.w);
        } else {
            for (int r = 0; r < p->nruns; r++) {
                int x0 = p->runs[3 * r], x1 = p->runs[3 * r + 1], ct = p->runs[3 * r + 2];
                const struct tilecache_texture *t = ct >= 0 ? p->sources[rt * p->ntx + ct] : NULL;
                if (!t) {
                    fill(d + x0, x1 - x0);
                    continue;
                }
                int s = p->shifts[rt * p->ntx + ct];
                const uint32_t *row = t->pixels + (size_t)p->rowmap[s][y] * t->w;
                const int *cm = p->colmap[s];
                if (t->opaque) {
                    for (int x = x0; x < x1; x++)
                        d[x] = row[cm[x]];
                } else {
                    for (int x = x0; x < x1; x++)
                        d[x] = over_background(row[cm[x]]);
                }
            }
        }
        if (mk->on)
            blend_marks_row(mk, wy, row_start, p->clip.x, p->clip.x + p->clip.w);
    }
}

/* The next band of rows of the current job (COMPOSE_CHUNK_ROWS), or false
 * when none is left. Caller holds the lock. */
static bool take_chunk(struct compose *c, struct compose_band *band)
{
    if (!c->has_job || c->next_row >= c->job.y1)
        return false;
    *band = c->job;
    band->y0 = c->next_row;
    band->y1 = c->next_row + COMPOSE_CHUNK_ROWS < c->job.y1 ? c->next_row + COMPOSE_CHUNK_ROWS
                                                            : c->job.y1;
    c->next_row = band->y1;
    return true;
}

static void *helper_main(void *arg)
{
    struct compose *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        struct compose_band band;
        while (!c->stopping && !take_chunk(c, &band))
            pthread_cond_wait(&c->cond, &c->lock);
        if (c->stopping)
            break;
        c->helper_busy = true;
        pthread_mutex_unlock(&c->lock);
        run_band(&band);
        pthread_mutex_lock(&c->lock);
        c->helper_busy = false;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

struct compose *compose_new(void)
{
    struct compose *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    const char *blend_all = getenv("SATMARK_VIEW_BLEND_ALL");
    c->blend_all = blend_all && strcmp(blend_all, "1") == 0;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, helper_main, c) == 0)
        c->started = true; /* without it, everything is composited on the UI thread */
    return c;
}

void compose_free(struct compose *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (c->started)
        pthread_join(c->thread, NULL);
    if (c->texture)
        SDL_DestroyTexture(c->texture);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void plan_free(struct compose_plan *p)
{
    free(p->sources);
    free(p->shifts);
    free(p->coltile);
    free(p->rowtile);
    free(p->row_shifts);
    free(p->runs);
    for (int s = 0; s < TILECACHE_MAX_LEVELS; s++) {
        free(p->colmap[s]);
        free(p->rowmap[s]);
    }
}

/* Texel index in a tile covering [origin, origin + extent) of the image
 * with `texels` texels, for image position pos (clamped into the tile). */
static int texel_of(double pos, double origin, double extent, int texels)
{
    long t = (long)floor((pos - origin) * texels / extent);
    return (int)(t < 0 ? 0 : t >= texels ? texels - 1 : t);
}

/* The tile (or coarser stand-in) each tile of level over tx0..tx1 x
 * ty0..ty1 samples: p->sources, p->shifts (and p->ntx, nty); returns the
 * mask of shifts used, or -1 when out of memory. */
static long fill_sources(struct compose_plan *p, struct tilecache *tc, int level, int tx0, int tx1,
                         int ty0, int ty1)
{
    int levels = tilecache_level_count(tc);
    p->ntx = tx1 - tx0 + 1;
    p->nty = ty1 - ty0 + 1;
    size_t ntiles = (size_t)p->ntx * p->nty;
    p->sources = calloc(ntiles, sizeof *p->sources);
    p->shifts = calloc(ntiles, 1);
    p->row_shifts = calloc((size_t)p->nty, sizeof *p->row_shifts);
    if (!p->sources || !p->shifts || !p->row_shifts)
        return -1;
    unsigned used = 0;
    for (int ty = ty0; ty <= ty1; ty++)
        for (int tx = tx0; tx <= tx1; tx++)
            for (int l = level; l < levels; l++) {
                int s = l - level;
                struct tilecache_tile *t = tilecache_get(tc, l, tx >> s, ty >> s, false);
                struct tilecache_texture *tex = tilecache_tile_texture(t);
                if (!tex)
                    continue;
                size_t k = (size_t)(ty - ty0) * p->ntx + (tx - tx0);
                p->sources[k] = tex;
                p->shifts[k] = (unsigned char)s;
                p->row_shifts[ty - ty0] |= 1u << s;
                used |= 1u << s;
                break;
            }
    return (long)used;
}

/* The level and the image-B box (x0, y0, x1, y1) an affine plan of clip
 * needs (for its requests and its sources). */
static int affine_box(struct image_layer *img, const struct view *va, const double m[6],
                      SDL_Rect clip, double box[4])
{
    double det = fabs(m[1] * m[5] - m[2] * m[4]);
    double scale_b = va->scale / sqrt(det > 0 ? det : 1);
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (int corner = 0; corner < 4; corner++) {
        double ix, iy;
        view_screen_to_image(va, clip.x + (corner & 1 ? clip.w : 0),
                             clip.y + (corner & 2 ? clip.h : 0), &ix, &iy);
        double bx = m[0] + m[1] * ix + m[2] * iy, by = m[3] + m[4] * ix + m[5] * iy;
        box[0] = fmin(box[0], bx);
        box[1] = fmin(box[1], by);
        box[2] = fmax(box[2], bx);
        box[3] = fmax(box[3], by);
    }
    return tilecache_level_for_scale(img->cache, scale_b);
}

/* Plans how B fills clip through the affine map m from A's view va. */
static bool plan_affine(struct compose_plan *p, struct image_layer *img, const struct view *va,
                        const double m[6], SDL_Rect clip)
{
    memset(p, 0, sizeof *p);
    p->clip = clip;
    p->affine = true;
    memcpy(p->m, m, sizeof p->m);
    p->av = *va;
    p->img_w = img->width;
    p->img_h = img->height;
    struct tilecache *tc = img->cache;
    double box[4];
    p->level = affine_box(img, va, m, clip, box);
    p->tile = tilecache_tile_size(tc);
    int cols, rows;
    tilecache_grid(tc, p->level, &cols, &rows);
    double span = (double)((long)p->tile << p->level);
    int tx0 = (int)fmax(0, floor(box[0] / span)), ty0 = (int)fmax(0, floor(box[1] / span));
    int tx1 = (int)fmin(cols - 1, floor(box[2] / span));
    int ty1 = (int)fmin(rows - 1, floor(box[3] / span));
    if (tx1 < tx0 || ty1 < ty0)
        return true; /* ntx = 0: all background */
    p->tx0 = tx0;
    p->ty0 = ty0;
    return fill_sources(p, tc, p->level, tx0, tx1, ty0, ty1) >= 0;
}

/* Plans how img fills clip for view v: which tile (or coarser stand-in)
 * each part samples, and the lookup tables. False when out of memory (the
 * caller fills the clip with the background). */
static bool plan_make(struct compose_plan *p, struct image_layer *img, const struct view *v,
                      SDL_Rect clip)
{
    memset(p, 0, sizeof *p);
    p->clip = clip;
    p->coltile = malloc((size_t)clip.w * sizeof *p->coltile);
    p->rowtile = malloc((size_t)clip.h * sizeof *p->rowtile);
    p->runs = malloc((size_t)(clip.w + 1) * 3 * sizeof *p->runs);
    if (!p->coltile || !p->rowtile || !p->runs)
        return false;
    if (!img || !img->cache) { /* imagery off: the background */
        for (int y = 0; y < clip.h; y++)
            p->rowtile[y] = -1;
        for (int x = 0; x < clip.w; x++)
            p->coltile[x] = -1;
        p->runs[0] = 0;
        p->runs[1] = clip.w;
        p->runs[2] = -1;
        p->nruns = 1;
        return true;
    }
    struct tilecache *tc = img->cache;
    int levels = tilecache_level_count(tc);
    int level = tilecache_level_for_scale(tc, v->scale);
    double span = (double)((long)tilecache_tile_size(tc) << level);
    /* Tile column / row of every pixel centre, and the range in view. */
    int tx0 = -1, tx1 = -1, ty0 = -1, ty1 = -1;
    for (int x = 0; x < clip.w; x++) {
        double ix = v->cx + (clip.x + x + 0.5 - v->w / 2.0) / v->scale;
        int t = ix >= 0 && ix < img->width ? (int)(ix / span) : -1;
        p->coltile[x] = t;
        if (t >= 0) {
            tx0 = tx0 < 0 || t < tx0 ? t : tx0;
            tx1 = t > tx1 ? t : tx1;
        }
    }
    for (int y = 0; y < clip.h; y++) {
        double iy = v->cy + (clip.y + y + 0.5 - v->h / 2.0) / v->scale;
        int t = iy >= 0 && iy < img->height ? (int)(iy / span) : -1;
        p->rowtile[y] = t;
        if (t >= 0) {
            ty0 = ty0 < 0 || t < ty0 ? t : ty0;
            ty1 = t > ty1 ? t : ty1;
        }
    }
    /* Runs of columns in one tile column (relative tile indices). */
    for (int x = 0; x < clip.w;) {
        int t = p->coltile[x], end = x + 1;
        while (end < clip.w && p->coltile[end] == t)
            end++;
        p->runs[3 * p->nruns] = x;
        p->runs[3 * p->nruns + 1] = end;
        p->runs[3 * p->nruns + 2] = t >= 0 ? t - tx0 : -1;
        p->nruns++;
        x = end;
    }
    if (tx0 < 0 || ty0 < 0) {
        for (int y = 0; y < clip.h; y++)
            p->rowtile[y] = -1;
        return true;
    }
    long used_shifts = fill_sources(p, tc, level, tx0, tx1, ty0, ty1);
    if (used_shifts < 0)
        return false;
    unsigned used = (unsigned)used_shifts;
    for (int y = 0; y < clip.h; y++)
        if (p->rowtile[y] >= 0)
            p->rowtile[y] -= ty0;
    /* Texel tables for each shift some tile uses. */
    for (int s = 0; s < levels - level && s < TILECACHE_MAX_LEVELS; s++) {
        if (!(used & (1u << s)))
            continue;
        p->colmap[s] = calloc((size_t)clip.w, sizeof *p->colmap[s]);
        p->rowmap[s] = calloc((size_t)clip.h, sizeof *p->rowmap[s]);
        if (!p->colmap[s] || !p->rowmap[s])
            return false;
        int l = level + s;
        for (int x = 0; x < clip.w; x++) {
            if (p->coltile[x] < 0)
                continue;
            double ix = v->cx + (clip.x + x + 0.5 - v->w / 2.0) / v->scale;
            double ox, oy, ow, oh;
            int texw, texh;
            tilecache_tile_rect(tc, l, p->coltile[x] >> s, 0, &ox, &oy, &ow, &oh, &texw, &texh);
            p->colmap[s][x] = texel_of(ix, ox, ow, texw);
        }
        for (int y = 0; y < clip.h; y++) {
            if (p->rowtile[y] < 0)
                continue;
            double iy = v->cy + (clip.y + y + 0.5 - v->h / 2.0) / v->scale;
            double ox, oy, ow, oh;
            int texw, texh;
            tilecache_tile_rect(tc, l, 0, (p->rowtile[y] + ty0) >> s, &ox, &oy, &ow, &oh, &texw,
                                &texh);
            p->rowmap[s][y] = texel_of(iy, oy, oh, texh);
        }
    }
    return true;
}

/* Composites img (NULL: the background) for view v into clip of the locked
 * texture, with the marks over it; with affine (6 terms), img is B seen
 * through that map from A's view v. */
static void compose_part(struct compose *c, struct image_layer *img, const struct view *v,
                         const double *affine, SDL_Rect clip, const struct compose_marks *marks,
                         uint32_t *pixels, int pitch)
{
    struct compose_plan plan;
    bool planned = img && affine ? plan_affine(&plan, img, v, affine, clip)
                                 : plan_make(&plan, img, v, clip);
    if (!planned) {
        plan_free(&plan);
        if (!plan_make(&plan, NULL, v, clip)) { /* out of memory: leave what was there */
            plan_free(&plan);
            return;
        }
    }
    struct compose_band all = {&plan, marks, pixels, pitch, 0, clip.h};
    if (!c->started || (long)clip.w * clip.h < COMPOSE_SPLIT_MIN_PIXELS) {
        run_band(&all);
    } else {
        pthread_mutex_lock(&c->lock);
        c->job = all;
        c->next_row = 0;
        c->has_job = true;
        pthread_cond_broadcast(&c->cond);
        struct compose_band band;
        while (take_chunk(c, &band)) {
            pthread_mutex_unlock(&c->lock);
            run_band(&band);
            pthread_mutex_lock(&c->lock);
        }
        c->has_job = false;
        while (c->helper_busy)
            pthread_cond_wait(&c->cond, &c->lock);
        pthread_mutex_unlock(&c->lock);
    }
    plan_free(&plan);
}

static bool same_view(const struct view *a, const struct view *b)
{
    return a->cx == b->cx && a->cy == b->cy && a->scale == b->scale && a->w == b->w &&
           a->h == b->h;
}

static bool same_key(const struct compose_key *a, const struct compose_key *b)
{
    return a->w == b->w && a->h == b->h && a->mode == b->mode && a->split == b->split &&
           a->imagery == b->imagery && a->marks_generation == b->marks_generation &&
           a->b_ok == b->b_ok && a->b_affine == b->b_affine && same_view(&a->va, &b->va) && same_view(&a->vb, &b->vb) &&
           a->gen_a == b->gen_a && a->gen_b == b->gen_b;
}

static bool ensure_texture(struct viewer *vw, struct compose *c)
{
    if (c->texture && c->w == vw->view.w && c->h == vw->view.h)
        return true;
    if (c->texture)
        SDL_DestroyTexture(c->texture);
    c->valid = false;
    /* The window's own format when it is XRGB: SDL's copy is then a memcpy. */
    Uint32 format = vw->window_format == SDL_PIXELFORMAT_RGB888 ? SDL_PIXELFORMAT_RGB888
                                                                : SDL_PIXELFORMAT_ARGB8888;
    c->texture = SDL_CreateTexture(vw->renderer, format, SDL_TEXTUREACCESS_STREAMING, vw->view.w,
                                   vw->view.h);
    if (!c->texture) {
        viewer_message(vw, true, "cannot create the imagery texture: %s", SDL_GetError());
        return false;
    }
    SDL_SetTextureBlendMode(c->texture, SDL_BLENDMODE_NONE);
    c->w = vw->view.w;
    c->h = vw->view.h;
    return true;
}

static void marks_free_map(struct compose_marks *mk)
{
    free(mk->mx);
    free(mk->my);
    free(mk->segs);
}

/* Maps window pixels to the marks result (drawn for vw->frame.marks_view). */
static void marks_map(struct viewer *vw, struct compose_marks *mk)
{
    memset(mk, 0, sizeof *mk);
    const struct view *r = &vw->frame.marks_view, *v = &vw->view;
    if (!vw->frame.marks_ready || !vw->frame.marks_pixels || !vw->frame.marks_cells)
        return;
    double k = v->scale / r->scale;
    if (!(k > 1.0 / 64 && k < 64))
        return;
    /* Result pixel x lands at window ox + k x. */
    double ox = (r->cx - r->w / 2.0 / r->scale - v->cx) * v->scale + v->w / 2.0;
    double oy = (r->cy - r->h / 2.0 / r->scale - v->cy) * v->scale + v->h / 2.0;
    mk->mx = malloc((size_t)v->w * sizeof *mk->mx);
    mk->my = malloc((size_t)v->h * sizeof *mk->my);
    mk->segs = malloc((size_t)(v->w + 1) * 3 * sizeof *mk->segs);
    if (!mk->mx || !mk->my || !mk->segs) {
        marks_free_map(mk);
        memset(mk, 0, sizeof *mk);
        return;
    }
    mk->pixels = vw->frame.marks_pixels;
    mk->cells = vw->frame.marks_cells;
    mk->w = vw->frame.marks_w;
    mk->h = vw->frame.marks_h;
    mk->cols = vw->frame.marks_cols;
    for (int x = 0; x < v->w; x++) {
        double sx = floor((x + 0.5 - ox) / k);
        mk->mx[x] = sx >= 0 && sx < mk->w ? (int)sx : -1;
    }
    /* Never over the status bar (the chrome draws it opaque anyway). */
    for (int y = 0; y < v->h; y++) {
        double sy = floor((y + 0.5 - oy) / k);
        mk->my[y] = sy >= 0 && sy < mk->h && y < v->h - VIEWER_STATUS_H ? (int)sy : -1;
    }
    for (int x = 0; x < v->w;) {
        int cell = mk->mx[x] >= 0 ? mk->mx[x] / VIEWER_MARKS_CELL : -1, end = x + 1;
        while (end < v->w &&
               (mk->mx[end] >= 0 ? mk->mx[end] / VIEWER_MARKS_CELL : -1) == cell)
            end++;
        mk->segs[3 * mk->nsegs] = x;
        mk->segs[3 * mk->nsegs + 1] = end;
        mk->segs[3 * mk->nsegs + 2] = cell;
        mk->nsegs++;
        x = end;
    }
    mk->on = true;
}

void compose_draw(struct viewer *vw)
{
    struct compose *c = vw->frame.compose;
    SDL_Rect whole = {0, 0, vw->view.w, vw->view.h};
    vw->imagery.a.missing_tiles = vw->imagery.a.failed_tiles = 0;
    vw->imagery.b.missing_tiles = vw->imagery.b.failed_tiles = 0;
    if (!c || !ensure_texture(vw, c)) {
        SDL_SetRenderDrawColor(vw->renderer, 38, 40, 44, 255);
        SDL_RenderClear(vw->renderer);
        return;
    }
    struct compose_key key;
    struct b_mapping map;
    memset(&key, 0, sizeof key);
    key.w = vw->view.w;
    key.h = vw->view.h;
    key.imagery = vw->ui.show_imagery;
    key.marks_generation = vw->frame.marks_generation;
    key.va = vw->view;
    key.gen_a = vw->imagery.a.tiles_generation;
    SDL_Rect left = whole, right = whole;
    if (vw->imagery.has_b) {
        key.mode = vw->ui.compare == COMPARE_SWIPE ? 1 : vw->ui.show_b ? 2 : 0;
        key.gen_b = vw->imagery.b.tiles_generation;
        if (key.mode) {
            key.b_ok = view_b_mapping(&vw->imagery, &vw->view, &map);
            key.vb = map.vb;
            key.b_affine = key.b_ok && map.affine;
        }
        if (key.mode == 1) {
            key.split = (int)floor(vw->ui.divider * vw->view.w);
            key.split = key.split < 0 ? 0 : key.split > vw->view.w ? vw->view.w : key.split;
            left.w = key.split;
            right.x = key.split;
            right.w = vw->view.w - key.split;
        }
    }
    if (key.mode != 1) {
        left = key.mode == 0 ? whole : (SDL_Rect){0, 0, 0, 0};
        right = key.mode == 2 ? whole : (SDL_Rect){0, 0, 0, 0};
    }
    /* Requests every frame (a request not renewed is dropped). */
    if (key.imagery && left.w > 0)
        imagery_request(&vw->imagery.a, &vw->view, left);
    if (key.imagery && key.b_ok && right.w > 0) {
        if (key.b_affine) {
            double box[4];
            int level = affine_box(&vw->imagery.b, &vw->view, map.m, right, box);
            imagery_request_box(&vw->imagery.b, level, box[0], box[1], box[2], box[3]);
        } else {
            imagery_request(&vw->imagery.b, &key.vb, right);
        }
    }

    if (!c->valid || !same_key(&key, &c->key)) {
        void *locked;
        int pitch;
        if (SDL_LockTexture(c->texture, NULL, &locked, &pitch) != 0) {
            viewer_message(vw, true, "cannot lock the imagery texture: %s", SDL_GetError());
            return;
        }
        struct compose_marks marks;
        marks_map(vw, &marks);
        marks.blend_all = c->blend_all;
        uint32_t *px = locked;
        int pitch_px = pitch / 4;
        if (left.w > 0)
            compose_part(c, key.imagery ? &vw->imagery.a : NULL, &vw->view, NULL, left, &marks, px,
                         pitch_px);
        if (right.w > 0) {
            struct image_layer *b = key.imagery && key.b_ok ? &vw->imagery.b : NULL;
            if (key.b_affine)
                compose_part(c, b, &vw->view, map.m, right, &marks, px, pitch_px);
            else
                compose_part(c, b, &key.vb, NULL, right, &marks, px, pitch_px);
        }
        marks_free_map(&marks);
        SDL_UnlockTexture(c->texture);
        c->key = key;
        c->valid = true;
    }
    SDL_RenderCopy(vw->renderer, c->texture, NULL, NULL);
}
