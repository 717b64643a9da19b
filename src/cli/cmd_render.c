/*
 * cmd_render — `satmark render TILE [ANNOTATIONS...] -o OUT.png ...`: one
 * annotated, georeferenced figure. Thin over figure_run (src/core/figures/figure.h),
 * the same code `satmark batch` runs for each manifest entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figure.h"
#include "imgopt.h"
#include "ramp.h"

#define RENDER_MAX_INPUTS 256

static const char render_usage[] =
    "usage: satmark render TILE [ANNOTATIONS.geojson...] -o OUT.png [options]\n"
    "\n"
    "Draws the image (with the marks of the annotation files, if any) as a\n"
    "figure: title, legend, scale bar, north arrow, caption citing the claims the\n"
    "marks bear on, imagery credit. Writes OUT.png (with provenance metadata),\n"
    "OUT.pgw (world file) and OUT.png.aux.xml (CRS), so GIS software places it.\n"
    "\n"
    "view (default: the whole tile):\n"
    "  --bbox W,S,E,N        a lon/lat box (degrees)\n"
    "  --feature ID [--pad D] a mark and D around it (default 150m; '80', '80m', '1.5km')\n"
    "  --size WxH            output pixels (default 1600x: height from the view's aspect)\n"
    "  --fit expand|letterbox  fill the output with more imagery around the view\n"
    "                        (default) or keep the view and pad with grey bands\n"
    "  --bands R,G,B | N     source bands shown (default: the file's RGB bands)\n"
    "  --ramp NAME           one band (--bands N) through a colour ramp: grey (default),\n"
    "                        viridis, inferno, terrain; the legend shows the ramp and\n"
    "                        the band's low and high values\n"
    IMGOPT_HELP
    "text:\n"
    "  --title TEXT          title (default: the site's title and the acquisition date)\n"
    "  --caption TEXT        text shown above the citations\n"
    "  --claims CATALOG      claims catalog (default: claims.json beside the first\n"
    "                        annotation file, else ROOT/annotations/claims.json,\n"
    "                        ROOT being the directory holding annotations/)\n"
    "  --register FILE       imagery register (default: imagery.json beside the first\n"
    "                        annotation file, when present); the PNG metadata\n"
    "                        (satmark_imagery) says what it records of TILE, and the\n"
    "                        figure is recorded in its custody log\n"
    "  --claim ID            cite this claim (repeatable; default: every claim a mark\n"
    "                        in the view links to)\n"
    "  --style FILE          style file (default: assets/style.json)\n"
    "  --font FAMILIES       Pango font families (default \"DejaVu Sans, NanumGothic\")\n"
    "furniture (all on by default except the inset):\n"
    "  --no-legend --no-scalebar --no-north --no-caption --no-credit --no-title\n"
    "  --no-labels           marks without their labels\n"
    "  --all-marks           also marks observed only on other images, ghosted (dashed,\n"
    "                        with their dates; the caption says so) (default: the\n"
    "                        marks observed on TILE and those with no observations)\n"
    "  --inset               locator inset: the whole tile with the view outlined\n"
    "  --no-hash             do not record the tile's SHA-256 (faster on huge tiles;\n"
    "                        needed for remote tiles)\n"
    "  --verify-hash         hash the tile again even when the hash cache has it (the\n"
    "                        PNG records whether its hash was computed or cached)\n"
    "  --allow-remote        let TILE be a /vsicurl/, /vsis3/... path (COGs are read by\n"
    "                        range requests: only the window and overview needed)\n"
    "  --timings             print the wall time of each phase to stderr\n"
    "  -v, --verbose         say where the claims catalog was looked for\n"
    "\n"
    "exit status: 0 written, 1 failed (message names the file and the reason), 2 usage\n";

struct render_args {
    struct figure_spec spec;
    const char *annotations[RENDER_MAX_INPUTS];
    const char *claims[RENDER_MAX_INPUTS];
    bool timings;
    bool verbose;
    char found_catalog[4096];
};

/* What the options said about the view, checked together at the end. */
struct view_seen {
    bool bbox, feature, pad;
};

/* An option without a value that sets one flag; false when arg is none. */
static bool take_switch(struct render_args *a, const char *arg)
{
    struct figure_spec *s = &a->spec;
    const struct {
        const char *name;
        bool *field;
        bool value;
    } switches[] = {
        {"--no-legend", &s->legend, false},       {"--no-scalebar", &s->scalebar, false},
        {"--no-north", &s->north, false},         {"--no-caption", &s->show_caption, false},
        {"--no-credit", &s->credit, false},       {"--no-title", &s->title_band, false},
        {"--no-labels", &s->labels, false},       {"--inset", &s->inset, true},
        {"--no-hash", &s->hash_tile, false},      {"--verify-hash", &s->verify_hash, true},
        {"--all-marks", &s->all_marks, true},     {"--allow-remote", &s->allow_remote, true},
        {"--timings", &a->timings, true},         {"--verbose", &a->verbose, true},
        {"-v", &a->verbose, true},
    };
    for (size_t k = 0; k < sizeof switches / sizeof switches[0]; k++)
        if (strcmp(arg, switches[k].name) == 0) {
            *switches[k].field = switches[k].value;
            return true;
        }
    return false;
}

/* An option whose value is kept as given (borrowed from argv): the field it
 * goes to, or NULL when arg is none. */
static const char **text_field(struct figure_spec *s, const char *arg)
{
    const struct cli_text_option texts[] = {
        {"-o", &s->out_path},         {"--output", &s->out_path},
        {"--register", &s->imagery_path}, {"--claims", &s->claims_path},
        {"--caption", &s->caption},   {"--title", &s->title},
        {"--style", &s->style_path},  {"--font", &s->font},
    };
    return cli_text_option(texts, sizeof texts / sizeof texts[0], arg);
}

static const char *const checked_options[] = {"--size", "--bbox", "--feature", "--pad", "--fit",
                                              "--ramp", "--bands", "--claim", NULL};

/* An option whose value is checked (arg one of checked_options). */
static int take_checked(struct render_args *a, const char *arg, const char *val,
                        struct view_seen *seen)
{
    struct figure_spec *s = &a->spec;
    if (strcmp(arg, "--size") == 0) {
        if (!figure_parse_size(val, &s->width, &s->height))
            return cli_usage_error("render", "--size needs WxH (16..16384), e.g. 1600x1200 "
                                             "or 1600x for the view's aspect");
    } else if (strcmp(arg, "--bbox") == 0) {
        if (!figure_parse_bbox(val, s->bbox))
            return cli_usage_error("render", "--bbox needs W,S,E,N in degrees with W < E, "
                                             "S < N");
        s->view = FIGURE_VIEW_BBOX;
        seen->bbox = true;
    } else if (strcmp(arg, "--feature") == 0) {
        s->feature_id = val;
        s->view = FIGURE_VIEW_FEATURE;
        seen->feature = true;
    } else if (strcmp(arg, "--pad") == 0) {
        if (!figure_parse_distance(val, &s->pad_m))
            return cli_usage_error("render", "--pad needs a distance like 150m or 1.5km");
        seen->pad = true;
    } else if (strcmp(arg, "--fit") == 0) {
        if (strcmp(val, "expand") == 0)
            s->fit = RENDER_FIT_EXPAND;
        else if (strcmp(val, "letterbox") == 0)
            s->fit = RENDER_FIT_LETTERBOX;
        else
            return cli_usage_error("render", "--fit is expand or letterbox");
    } else if (strcmp(arg, "--ramp") == 0) {
        if (!ramp_parse(val, &s->ramp))
            return cli_usage_error("render", "--ramp is one of %s", ramp_names());
    } else if (strcmp(arg, "--bands") == 0) {
        if (!figure_parse_bands(val, s->bands))
            return cli_usage_error("render", "--bands needs R,G,B or one band number");
    } else if (strcmp(arg, "--claim") == 0) {
        if (s->nclaim_ids == RENDER_MAX_INPUTS)
            return cli_usage_error("render", "too many --claim options");
        a->claims[s->nclaim_ids++] = val;
    }
    return CLI_OK;
}

static bool is_checked_option(const char *arg)
{
    for (size_t k = 0; checked_options[k]; k++)
        if (strcmp(arg, checked_options[k]) == 0)
            return true;
    return false;
}

/* TILE first, then annotation files. */
static int take_operand(struct render_args *a, const char *arg)
{
    struct figure_spec *s = &a->spec;
    if (!s->tile) {
        s->tile = arg;
        return CLI_OK;
    }
    if (s->nannotations == RENDER_MAX_INPUTS)
        return cli_usage_error("render", "too many annotation files");
    a->annotations[s->nannotations++] = arg;
    return CLI_OK;
}

/* What is required, and which options go together. */
static int check_args(struct render_args *a, const struct view_seen *seen)
{
    struct figure_spec *s = &a->spec;
    if (!s->tile)
        return cli_usage_error("render", "missing TILE");
    if (!s->out_path)
        return cli_usage_error("render", "missing -o OUT.png");
    if (seen->bbox && seen->feature)
        return cli_usage_error("render", "--bbox and --feature exclude each other");
    if (seen->pad && !seen->feature)
        return cli_usage_error("render", "--pad goes with --feature");
    if (seen->feature && s->nannotations == 0)
        return cli_usage_error("render", "--feature needs the annotation file that defines it");
    s->annotations = a->annotations;
    s->claim_ids = a->claims;
    return CLI_OK;
}

static int parse(int argc, char **argv, struct render_args *a)
{
    struct figure_spec *s = &a->spec;
    figure_spec_init(s);
    s->record_custody = true;
    struct view_seen seen = {0};
    bool options_done = false;
    enum imgopt_arg taken;
    char msg[256];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        const char **text;
        int rc = CLI_OK;
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            rc = take_operand(a, arg);
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (take_switch(a, arg)) {
            continue;
        } else if ((taken = imgopt_parse_arg(&s->image, argc, argv, &i, msg, sizeof msg))) {
            if (taken == IMGOPT_BAD)
                return cli_usage_error("render", "%s", msg);
        } else if ((text = text_field(s, arg)) || is_checked_option(arg)) {
            if (!val)
                return cli_usage_error("render", "%s needs a value", arg);
            i++;
            if (text)
                *text = val;
            else
                rc = take_checked(a, arg, val, &seen);
        } else {
            return cli_usage_error("render", "unknown option '%s'", arg);
        }
        if (rc != CLI_OK)
            return rc;
    }
    return check_args(a, &seen);
}

static int run_render(int argc, char **argv)
{
    struct render_args *a = calloc(1, sizeof *a);
    if (!a) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    int rc = parse(argc, argv, a);
    if (rc != CLI_OK) {
        free(a);
        return rc;
    }
    struct diag *dg = diag_new();
    if (!dg) {
        free(a);
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    /* figure_run finds the catalog by the same rule; looked up here only to
     * say where */
    if (a->verbose && !a->spec.claims_path &&
        cli_locate_catalog(a->spec.nannotations ? a->spec.annotations[0] : NULL, true, NULL,
                           a->found_catalog, sizeof a->found_catalog, dg))
        a->spec.claims_path = a->found_catalog;
    struct figure_result res;
    bool ok = figure_run(&a->spec, &res, dg);
    cli_report(dg);
    if (ok)
        fprintf(stderr, "satmark: wrote %s (%dx%d, %zu marks, %zu labels)\n",
                cli_safe(a->spec.out_path),
                res.view.out_w, res.view.out_h, res.marks.drawn, res.marks.labels_placed);
    if (ok && a->timings)
        fprintf(stderr, "satmark: timings ms: load %.1f imagery %.1f draw %.1f write %.1f\n",
                res.ms_load, res.ms_imagery, res.ms_draw, res.ms_write);
    diag_free(dg);
    free(a);
    return ok ? CLI_OK : CLI_FAILED;
}

const struct cli_command cli_cmd_render = {
    .name = "render",
    .summary = "draw an image and its marks as a georeferenced PNG figure",
    .usage = render_usage,
    .run = run_render,
};
