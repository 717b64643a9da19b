/*
 * figure_meta — what a figure says in words (figure_int.h): the title,
 * credit and caption (claims with their sources and evidence status; plain
 * text for the metadata, Pango markup for the drawing), and the PNG's text
 * chunks: software, tile (file name and SHA-256), imagery provenance from
 * the register, CRS, claims, sources, annotation files with their hashes
 * and the parameters. No absolute paths or clock: the same inputs give the
 * same bytes. Text is built in dynbufs capped at FIGURE_MAX_TEXT; a failed
 * buffer fails the write rather than publishing a figure that says less.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custody.h"
#include "figure_int.h"
#include "gjson.h"
#include "hashcache.h"
#include "locate.h"
#include "markdate.h"
#include "pngout.h"

/* Appends s escaped for Pango markup. */
static void markup_escaped(struct dynbuf *b, const char *s)
{
    gchar *e = g_markup_escape_text(s, -1);
    dynbuf_append_str(b, e);
    g_free(e);
}

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

static void stance_counts(const struct fig *f, const char *id, size_t counts[ANNOT_STANCE_COUNT])
{
    memset(counts, 0, ANNOT_STANCE_COUNT * sizeof counts[0]);
    for (size_t i = 0; i < render_overlay_count(f->ov); i++) {
        if (!fig_mark_counts(f, i))
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

/* The title: the spec's, else the annotation set's or the tile's site or
 * file name, with the feature's label for a feature view, and the date. */
static void build_title(struct fig *f)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    if (s->title) {
        dynbuf_printf(&f->title, "%s", s->title);
    } else {
        const char *name = "";
        for (size_t i = 0; i < f->nsets && !*name; i++)
            name = annot_set_title(f->sets[i]);
        if (!*name)
            name = in->site;
        if (!*name)
            name = base_name(s->tile);
        dynbuf_printf(&f->title, "%s", name);
        if (s->view == FIGURE_VIEW_FEATURE) {
            for (size_t i = 0; i < f->nsets; i++) {
                const struct annot_feature *feat = annot_find(f->sets[i], s->feature_id);
                if (feat) {
                    const char *what = feat->label[0] ? feat->label : feat->id;
                    if (!strstr(dynbuf_str(&f->title), what))
                        dynbuf_printf(&f->title, ": %s", what);
                    break;
                }
            }
        }
        if (in->acquired[0])
            dynbuf_printf(&f->title, " — %s", in->acquired);
    }

}

/* The imagery credit: says "synthetic" once, and the date once. */
static void build_credit(struct fig *f)
{
    const struct raster_info *in = f->info;
    if (in->synthetic && !strstr(in->credit, "ynthetic"))
        dynbuf_printf(&f->credit, "Synthetic demo imagery, not a real satellite image%s%s",
                  in->credit[0] ? " · " : "", in->credit);
    else if (in->synthetic)
        dynbuf_printf(&f->credit, "%s", in->credit);
    else
        dynbuf_printf(&f->credit, "Imagery: %s", in->credit[0] ? in->credit : "source not stated");
    if (in->acquired[0] && !strstr(dynbuf_str(&f->credit), in->acquired))
        dynbuf_printf(&f->credit, " · acquired %s", in->acquired);

}

/* The caption: the user's text, then the claims with their citations
 * (markup for the drawing, plain text with every claim for the metadata). */
static void build_caption(struct fig *f)
{
    const struct figure_spec *s = f->spec;
    struct dynbuf *m = &f->caption_markup, *p = &f->caption_plain;
    if (s->caption && s->caption[0]) {
        markup_escaped(m, s->caption);
        dynbuf_printf(p, "%s", s->caption);
    }
    size_t other = other_dates_in_request(f);
    if (other) {
        const char *note = "Marks from other dates shown dashed, with their date: they were "
                           "observed on other images, not on this one.";
        dynbuf_printf(m, "%s<i>%s</i>", dynbuf_len(m) ? "\n" : "", note);
        dynbuf_printf(p, "%s%s", dynbuf_len(p) ? "\n" : "", note);
    }
    for (size_t k = 0; k < f->nclaims; k++) {
        if (dynbuf_len(m))
            dynbuf_printf(m, "\n");
        if (dynbuf_len(p))
            dynbuf_printf(p, "\n");
        if (k == FIGURE_MAX_CAPTION_CLAIMS) {
            dynbuf_printf(m, "<i>… and %zu more claim(s); all are listed in the PNG metadata.</i>",
                      f->nclaims - k);
            /* the plain version (metadata) keeps all of them */
        }
        const struct claims_claim *cl = f->cat ? claims_find(f->cat, f->claim_ids[k]) : NULL;
        bool in_caption = k < FIGURE_MAX_CAPTION_CLAIMS;
        if (!cl) {
            if (in_caption) {
                dynbuf_printf(m, "<b>[%zu]</b> claim ", k + 1);
                markup_escaped(m, f->claim_ids[k]);
            }
            dynbuf_printf(p, "[%zu] claim %s", k + 1, f->claim_ids[k]);
            continue;
        }
        if (in_caption) {
            dynbuf_printf(m, "<b>[%zu]</b> ", k + 1);
            markup_escaped(m, cl->text);
        }
        dynbuf_printf(p, "[%zu] %s (%s)", k + 1, cl->text, cl->id);
        for (size_t j = 0; j < cl->nsources; j++) {
            const struct claims_source *src = claims_find_source(f->cat, cl->source_ids[j]);
            if (!src)
                continue;
            if (in_caption) {
                dynbuf_printf(m, j == 0 ? " — <i>" : "; <i>");
                markup_escaped(m, src->outlet);
                dynbuf_printf(m, "</i>, “");
                markup_escaped(m, src->headline);
                dynbuf_printf(m, "”");
                if (src->published[0])
                    dynbuf_printf(m, ", %s", src->published);
            }
            dynbuf_printf(p, "%s %s, \"%s\"%s%s", j == 0 ? " —" : ";", src->outlet, src->headline,
                      src->published[0] ? ", " : "", src->published);
        }
        if (cl->nattributed) {
            if (in_caption)
                dynbuf_printf(m, "; attributed to ");
            dynbuf_printf(p, "; attributed to ");
            for (size_t j = 0; j < cl->nattributed; j++) {
                if (in_caption) {
                    markup_escaped(m, cl->attributed_to[j]);
                    dynbuf_printf(m, j + 1 < cl->nattributed ? ", " : "");
                }
                dynbuf_printf(p, "%s%s", cl->attributed_to[j], j + 1 < cl->nattributed ? ", " : "");
            }
        }
        size_t counts[ANNOT_STANCE_COUNT];
        stance_counts(f, cl->id, counts);
        if (counts[0] + counts[1] + counts[2] > 0) {
            struct dynbuf st;
            dynbuf_init(&st, FIGURE_MAX_TEXT);
            const char *names[ANNOT_STANCE_COUNT] = {"support", "contradict", "context"};
            for (int i = 0; i < ANNOT_STANCE_COUNT; i++)
                if (counts[i])
                    dynbuf_printf(&st, "%s%zu %s", dynbuf_len(&st) ? ", " : "", counts[i],
                              i == 2 ? (counts[i] == 1 ? "gives context" : "give context")
                                     : names[i]);
            if (in_caption)
                dynbuf_printf(m, ". <span foreground=\"#555555\">Marks shown: %s.</span>", dynbuf_str(&st));
            dynbuf_printf(p, ". Marks shown: %s.", dynbuf_str(&st));
            dynbuf_free(&st);
        } else if (in_caption) {
            dynbuf_printf(m, ".");
        }
        const struct evidence_claim *ec = evidence_report_find(f->evidence, cl->id);
        if (ec) {
            if (in_caption)
                dynbuf_printf(m, " Status: <b>%s</b>.", evidence_status_name(ec->status));
            dynbuf_printf(p, " Status: %s (%s).", evidence_status_name(ec->status), ec->reason);
        }
    }
}

void fig_build_texts(struct fig *f)
{
    build_title(f);
    build_credit(f);
    build_caption(f);
}

/* ---- metadata -------------------------------------------------------------- */

/* What the imagery register says of the tile, in words, for the PNG's
 * satmark_imagery text (no paths beyond file names: the metadata stays the
 * same wherever the figure is made). */
static void imagery_text(const struct fig *f, struct dynbuf *out)
{
    if (!f->imagery) {
        dynbuf_printf(out, "no imagery register: provenance of %s not recorded",
                  base_name(f->spec->tile));
        return;
    }
    enum imagery_match how;
    const struct imagery_entry *e =
        imagery_match(f->imagery, base_name(f->spec->tile), f->tile_sha, &how);
    const char *reg = base_name(imagery_register_path(f->imagery));
    if (!e) {
        dynbuf_printf(out, "unregistered: %s is not in the imagery register %s (provenance unknown)",
                  base_name(f->spec->tile), reg);
        return;
    }
    dynbuf_printf(out, "registered in %s as \"%s\" (matched by %s%s): %s; acquired %s%s%s%s",
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
        dynbuf_printf(out, "; provider: %s", e->provider);
    if (e->sensor[0])
        dynbuf_printf(out, "; sensor: %s", e->sensor);
    if (e->gsd_m > 0.0)
        dynbuf_printf(out, "; %.2f m/pixel", e->gsd_m);
    if (e->licence[0])
        dynbuf_printf(out, "; licence: %s", e->licence);
    if (e->source_url[0])
        dynbuf_printf(out, "; source: %s", e->source_url);
}

/* Appends a "figure" entry (the PNG and the tile, with their SHA-256) to the
 * register's custody log. A failure is a warning: the figure stays. */
void fig_record_custody(const struct fig *f, struct diag *dg)
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
    struct dynbuf what;
    dynbuf_init(&what, FIGURE_MAX_TEXT);
    dynbuf_printf(&what, "figure %s of %s", s->out_path, base_name(s->tile));
    if (dynbuf_failed(&what) || !custody_append(log_path, NULL, "figure", dynbuf_str(&what), names, hashes, 2,
                                       local))
        diag_warn(dg, "%s: figure not recorded in the custody log: %s", s->out_path,
                  diag_message(local));
    dynbuf_free(&what);
    diag_free(local);
}

/* The claims cited (id: text, one a line) and their sources, each source
 * once (id: outlet, "headline", author, date), for the PNG's metadata. */
static void cited_text(const struct fig *f, struct dynbuf *claims_out, struct dynbuf *sources_out)
{
    for (size_t k = 0; k < f->nclaims; k++) {
        const struct claims_claim *cl = f->cat ? claims_find(f->cat, f->claim_ids[k]) : NULL;
        dynbuf_printf(claims_out, "%s%s: %s", k ? "\n" : "", f->claim_ids[k], cl ? cl->text : "");
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
            dynbuf_printf(sources_out, "%s%s: %s, \"%s\"%s%s%s%s", dynbuf_len(sources_out) ? "\n" : "", src->id,
                      src->outlet, src->headline, src->author[0] ? ", " : "", src->author,
                      src->published[0] ? ", " : "", src->published);
        }
    }
}

/* How the figure was made (size, window, bands, view, furniture, ramp,
 * georeferencing options, scale bar, north, the caller's request) into
 * f->params: enough to make it again. */
static void build_params(struct fig *f, const struct figure_result *res)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    dynbuf_printf(&f->params, "size=%dx%d; window=%.3f,%.3f,%.3f,%.3f (tile px); fit=%s; bands=",
              f->w, f->h, res->view.src_x, res->view.src_y, res->view.src_w, res->view.src_h,
              s->fit == RENDER_FIT_LETTERBOX ? "letterbox" : "expand");
    if (s->bands[0])
        dynbuf_printf(&f->params, "%d,%d,%d", s->bands[0], s->bands[1], s->bands[2]);
    else
        dynbuf_printf(&f->params, "auto(%d,%d,%d)", in->display_bands[0], in->display_bands[1],
                  in->display_bands[2]);
    switch (s->view) {
    case FIGURE_VIEW_TILE:
        dynbuf_printf(&f->params, "; view=tile");
        break;
    case FIGURE_VIEW_BBOX:
        dynbuf_printf(&f->params, "; view=bbox:%.7g,%.7g,%.7g,%.7g", s->bbox[0], s->bbox[1],
                  s->bbox[2], s->bbox[3]);
        break;
    case FIGURE_VIEW_FEATURE:
        dynbuf_printf(&f->params, "; view=feature:%s pad=%gm", s->feature_id, s->pad_m);
        break;
    }
    dynbuf_printf(&f->params, "; furniture=%s%s%s%s%s%s%s", s->legend ? "legend," : "",
              s->scalebar ? "scalebar," : "", s->north ? "north," : "",
              s->show_caption ? "caption," : "", s->credit ? "credit," : "",
              s->inset ? "inset," : "", s->labels ? "labels" : "nolabels");
    if (f->ramp_legend[0])
        dynbuf_printf(&f->params, "; ramp=%s", f->ramp_legend);
    if (s->image.georef_method)
        dynbuf_printf(&f->params, "; georef=%s", s->image.georef_method);
    if (s->image.dem)
        dynbuf_printf(&f->params, "; dem=%s", base_name(s->image.dem));
    if (s->image.keep_degrees)
        dynbuf_printf(&f->params, "; keep_degrees");
    if (res->scalebar_m > 0)
        dynbuf_printf(&f->params, "; scalebar=%gm", res->scalebar_m);
    if (res->has_north)
        dynbuf_printf(&f->params, "; north=%.2fdeg", res->north_deg);
    if (s->parameters)
        dynbuf_printf(&f->params, "; request=%s", s->parameters);

}

bool fig_write_png(struct fig *f, const struct figure_result *res, struct diag *dg)
{
    const struct figure_spec *s = f->spec;
    const struct raster_info *in = f->info;
    struct dynbuf software, crs, claims, sources, annots;
    dynbuf_init(&software, FIGURE_MAX_TEXT);
    dynbuf_init(&crs, FIGURE_MAX_TEXT);
    dynbuf_init(&claims, FIGURE_MAX_TEXT);
    dynbuf_init(&sources, FIGURE_MAX_TEXT);
    dynbuf_init(&annots, FIGURE_MAX_TEXT);
    dynbuf_printf(&software, "satmark %s", SATMARK_VERSION);
    if (in->has_crs) {
        dynbuf_printf(&crs, "%s", in->crs_name);
        if (in->epsg)
            dynbuf_printf(&crs, " (EPSG:%d)", in->epsg);
    } else {
        dynbuf_printf(&crs, "none (pixel space)");
    }
    cited_text(f, &claims, &sources);
    for (size_t i = 0; i < f->nsets; i++)
        dynbuf_printf(&annots, "%s%s sha256:%s", i ? "\n" : "", base_name(s->annotations[i]),
                  f->annot_sha[i]);
    build_params(f, res);

    struct pngout_text texts[24];
    size_t n = 0;
    texts[n++] = (struct pngout_text){"Title", dynbuf_str(&f->title)};
    texts[n++] = (struct pngout_text){"Software", dynbuf_str(&software)};
    if (dynbuf_len(&f->caption_plain))
        texts[n++] = (struct pngout_text){"Description", dynbuf_str(&f->caption_plain)};
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
    struct dynbuf imagery;
    dynbuf_init(&imagery, FIGURE_MAX_TEXT);
    imagery_text(f, &imagery);
    texts[n++] = (struct pngout_text){"satmark_imagery", dynbuf_str(&imagery)};
    texts[n++] = (struct pngout_text){"satmark_credit", dynbuf_str(&f->credit)};
    texts[n++] = (struct pngout_text){"satmark_crs", dynbuf_str(&crs)};
    if (f->nsets)
        texts[n++] = (struct pngout_text){"satmark_annotations", dynbuf_str(&annots)};
    if (f->nclaims)
        texts[n++] = (struct pngout_text){"satmark_claims", dynbuf_str(&claims)};
    if (dynbuf_len(&sources))
        texts[n++] = (struct pngout_text){"satmark_sources", dynbuf_str(&sources)};
    texts[n++] = (struct pngout_text){"satmark_parameters", dynbuf_str(&f->params)};

    bool ok = !(dynbuf_failed(&software) || dynbuf_failed(&crs) || dynbuf_failed(&claims) || dynbuf_failed(&sources) ||
                dynbuf_failed(&annots) || dynbuf_failed(&imagery) || dynbuf_failed(&f->params) || dynbuf_failed(&f->title) ||
                dynbuf_failed(&f->caption_plain));
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
    dynbuf_free(&software);
    dynbuf_free(&crs);
    dynbuf_free(&claims);
    dynbuf_free(&sources);
    dynbuf_free(&annots);
    dynbuf_free(&imagery);
    return ok;
}

