/*
 * cmd_mark — `satmark mark FILE add|edit|delete|list ...`: edits (or lists)
 * an annotation file from the command line.
 *
 * Each run reads FILE (created when absent), applies one edit through the
 * annot module (so the same checks as in the viewer apply), and saves with
 * gjwrite_file: atomic replace, previous version kept as FILE~. Pixel
 * positions (--pixel TILE X,Y ...) use the geo module's convention: (0,0) is
 * the top-left corner of the top-left pixel, X right, Y down, so the centre
 * of pixel (i, j) is i+0.5,j+0.5. Giving a tile (--pixel or --image) records
 * an observation: the tile's file name, SHA-256 and acquisition date.
 * Concurrent runs on the same FILE are serialised by filelock (FILE.lock):
 * the read, the edit and the save happen under the lock, so no run loses
 * another's change, and the new id is printed only once it is in the file.
 * Before saving: positions must lie on the imagery (--image, else the tiles
 * the file's observations name, found by locate_tile; footprint module), claim
 * ids must be in the catalog found by the one lookup rule (locate_catalog)
 * unless --allow-unknown-claim. `list` prints the marks through marklist.
 */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annot.h"
#include "claims.h"
#include "cli.h"
#include "filelock.h"
#include "footprint.h"
#include "geo.h"
#include "gjfast.h"
#include "gjson.h"
#include "gjwrite.h"
#include "imagery.h"
#include "imgopt.h"
#include "locate.h"
#include "marklist.h"
#include "numparse.h"
#include "pathname.h"
#include "raster.h"
#include "rfile.h"

static const char usage[] =
    "usage: satmark mark FILE add --class CLASS GEOMETRY [options]\n"
    "       satmark mark FILE edit ID [options] [GEOMETRY]\n"
    "       satmark mark FILE delete ID\n"
    "       satmark mark FILE list [--json] [--class CLASS] [--date DATE] [--claim ID]\n"
    "\n"
    "Adds, edits or deletes one annotation in FILE (GeoJSON; created when\n"
    "absent). Every save is atomic and keeps the previous version as FILE~.\n"
    "`add` prints the id of the new feature; ids are never reused within the\n"
    "file's history (after deleting ship-2, the next ship is ship-3).\n"
    "`list` prints each mark's id, class, label, observation dates and claims\n"
    "(filtered by class, date or date prefix, claim id), or --json.\n"
    "\n"
    "Positions must lie on the imagery: on --image TILE when given, else on one\n"
    "of the tiles the file's observations name (found beside FILE, in its tiles/,\n"
    "ROOT/tiles/ or ROOT/assets/tiles/; ROOT is the directory holding\n"
    "annotations/). A position off the imagery is refused, with the swapped\n"
    "LON,LAT suggested when that would be on it.\n"
    "\n"
    "GEOMETRY (positions are LON,LAT in WGS84 degrees):\n"
    "  --point LON,LAT\n"
    "  --line LON,LAT LON,LAT [LON,LAT...]\n"
    "  --polygon LON,LAT LON,LAT LON,LAT [LON,LAT...]   (closed for you)\n"
    "  --pixel TILE X,Y [X,Y...]  pixel positions on a georeferenced tile\n"
    "                    (0,0 = top-left corner of the image); 1 position makes a\n"
    "                    point, 2 a line, 3 or more a polygon (see --as)\n"
    "  --as point|line|polygon   geometry type for --pixel\n"
    "\n"
    "options:\n"
    "  --class CLASS     pier ship container_stack munitions_pit rail crane\n"
    "                    building aoi other (any case; aliases such as pit,\n"
    "                    containers, vessel: docs/formats.md)\n"
    "  --label TEXT      --note TEXT      --author NAME (default $SATMARK_AUTHOR)\n"
    "  --id ID           id for a new feature (default CLASS-N)\n"
    "  --claim ID:STANCE link a claim (STANCE: supports, contradicts, context);\n"
    "                    repeatable; with edit the same as --add-claim. The id\n"
    "                    must be in the claims catalog (claims.json beside FILE,\n"
    "                    else ROOT/annotations/claims.json)\n"
    "  --allow-unknown-claim   accept claim ids the catalog does not define\n"
    "  --verbose         say where the catalog and tiles were looked for\n"
    "  --add-claim ID:STANCE   --remove-claim ID     (edit; repeatable)\n"
    "  --move DLON,DLAT  shift the geometry by degrees (edit)\n"
    "  --image TILE      record an observation on TILE (file name, SHA-256,\n"
    "                    acquisition date); --pixel records its tile too\n"
    "  --site NAME --title TEXT  file metadata (the \"satmark\" member)\n"
    "how --pixel and --image tiles are opened:\n"
    IMGOPT_HELP
    "\n"
    "exit status: 0 saved, 1 failed (nothing saved), 2 bad usage\n";

#define MAX_LIST 64

struct claim_arg {
    const char *id;
    enum annot_stance stance;
};

struct mark_args {
    const char *file;
    const char *action;
    const char *id;
    const char *cls;
    const char *label;
    const char *note;
    const char *author;
    const char *image;
    const char *site;
    const char *title;
    const char *as;
    const char *move;
    enum annot_geom_type geom_type; /* NONE: no geometry option */
    const char *pixel_tile;
    const char *positions[4096];
    size_t npositions;
    struct claim_arg add_claims[MAX_LIST];
    size_t nadd_claims;
    const char *remove_claims[MAX_LIST];
    size_t nremove_claims;
    struct imgopt image_opts; /* how --pixel / --image tiles are opened */
    struct raster_open_options open;
    bool allow_unknown_claim;
    bool verbose;
    bool json;        /* list */
    const char *date; /* list filter */
    const char *claim_filter;
};

static bool is_option(const char *s)
{
    return s[0] == '-' && s[1] == '-';
}

/* "A,B" into *a and *b: decimal numbers only (numparse: no hex floats,
 * "inf" or "nan", nothing trailing). */
static bool parse_pair(const char *s, double *a, double *b)
{
    double v[2];
    if (!numparse_list(s, v, 2))
        return false;
    *a = v[0];
    *b = v[1];
    return true;
}

static bool parse_claim(const char *s, struct claim_arg *out)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return false;
    if (!annot_stance_from_name(colon + 1, &out->stance))
        return false;
    out->id = s; /* cut at the colon by the caller's copy below */
    return true;
}

/* Reads the value of an option; returns NULL (usage error printed) when absent. */
static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc || is_option(argv[*i + 1]))
        return NULL;
    return argv[++*i];
}

/* `mark FILE list [--json] [--class C] [--date D] [--claim ID]`, from argv[i]. */
static int parse_list_args(int argc, char **argv, int i, struct mark_args *a)
{
    for (; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--json") == 0)
            a->json = true;
        else if (strcmp(argv[i], "--class") == 0)
            slot = &a->cls;
        else if (strcmp(argv[i], "--date") == 0)
            slot = &a->date;
        else if (strcmp(argv[i], "--claim") == 0)
            slot = &a->claim_filter;
        else
            return cli_usage_error("mark", "list takes --json, --class, --date and "
                                           "--claim, not \"%s\"",
                                   argv[i]);
        if (slot && !(*slot = option_value(argc, argv, &i)))
            return cli_usage_error("mark", "%s needs a value", argv[i]);
    }
    return CLI_OK;
}

/* An option whose value is kept as given (borrowed from argv): the field it
 * goes to, or NULL when opt is none. */
static const char **text_slot(struct mark_args *a, const char *opt)
{
    const struct cli_text_option texts[] = {
        {"--class", &a->cls},   {"--label", &a->label}, {"--note", &a->note},
        {"--author", &a->author}, {"--image", &a->image}, {"--site", &a->site},
        {"--title", &a->title}, {"--as", &a->as},       {"--move", &a->move},
        {"--id", &a->id},
    };
    return cli_text_option(texts, sizeof texts / sizeof texts[0], opt);
}

/* The options that name claims (opt is one): --claim / --add-claim
 * CLAIM_ID:STANCE, copied into claim_buf with the id cut at the colon, and
 * --remove-claim CLAIM_ID. */
static int take_claim_option(int argc, char **argv, int *i, struct mark_args *a,
                             char claim_buf[][256])
{
    const char *opt = argv[*i];
    const char *v = option_value(argc, argv, i);
    if (strcmp(opt, "--remove-claim") == 0) {
        if (!v)
            return cli_usage_error("mark", "--remove-claim needs a claim id");
        if (a->nremove_claims == MAX_LIST)
            return cli_usage_error("mark", "too many claim options");
        a->remove_claims[a->nremove_claims++] = v;
        return CLI_OK;
    }
    struct claim_arg c;
    if (!v || !parse_claim(v, &c) || strlen(v) >= 256)
        return cli_usage_error("mark", "%s needs CLAIM_ID:STANCE with STANCE supports, "
                                       "contradicts or context",
                               opt);
    if (a->nadd_claims == MAX_LIST)
        return cli_usage_error("mark", "too many claim options");
    char *copy = claim_buf[a->nadd_claims];
    snprintf(copy, 256, "%s", v);
    *strrchr(copy, ':') = '\0';
    c.id = copy;
    a->add_claims[a->nadd_claims++] = c;
    return CLI_OK;
}

/* --point, --line, --polygon POSITIONS... or --pixel TILE POSITIONS... (gt
 * NONE for --pixel); positions run up to the next option. */
static int take_geometry(int argc, char **argv, int *i, enum annot_geom_type gt,
                         struct mark_args *a)
{
    const char *opt = argv[*i];
    if (a->npositions || a->pixel_tile)
        return cli_usage_error("mark", "give one geometry option");
    a->geom_type = gt;
    if (gt == ANNOT_GEOM_NONE) {
        if (*i + 1 >= argc || is_option(argv[*i + 1]))
            return cli_usage_error("mark", "--pixel needs a TILE and X,Y positions");
        a->pixel_tile = argv[++*i];
    }
    while (*i + 1 < argc && !is_option(argv[*i + 1])) {
        if (a->npositions == sizeof a->positions / sizeof a->positions[0])
            return cli_usage_error("mark", "too many positions");
        a->positions[a->npositions++] = argv[++*i];
    }
    if (a->npositions == 0)
        return cli_usage_error("mark", "%s needs positions", opt);
    return CLI_OK;
}

/* What each action requires and refuses. */
static int check_action_args(const struct mark_args *a)
{
    if (strcmp(a->action, "add") == 0) {
        if (!a->cls)
            return cli_usage_error("mark", "add needs --class");
        if (a->npositions == 0)
            return cli_usage_error("mark", "add needs a geometry (--point, --line, --polygon "
                                           "or --pixel)");
    }
    if (strcmp(a->action, "delete") == 0 &&
        (a->cls || a->label || a->note || a->npositions || a->nadd_claims ||
         a->nremove_claims || a->image || a->move))
        return cli_usage_error("mark", "delete takes only the feature ID");
    if (a->as && !a->pixel_tile)
        return cli_usage_error("mark", "--as goes with --pixel");
    if (a->author && strcmp(a->action, "add") != 0)
        return cli_usage_error("mark", "--author is for add (a feature keeps its author)");
    if (a->move && strcmp(a->action, "edit") != 0)
        return cli_usage_error("mark", "--move is for edit");
    return CLI_OK;
}

/* One option of add, edit or delete at argv[*i] (values consumed). */
static int take_option(int argc, char **argv, int *i, bool needs_id, struct mark_args *a,
                       char claim_buf[][256])
{
    const char *opt = argv[*i];
    const char **slot = text_slot(a, opt);
    if (slot) {
        if (slot == &a->id && needs_id)
            return cli_usage_error("mark", "--id is for add; edit and delete take the ID "
                                           "after the action");
        /* Values may start with a single '-' (negative numbers, notes). */
        if (*i + 1 >= argc)
            return cli_usage_error("mark", "%s needs a value", opt);
        *slot = argv[++*i];
        return CLI_OK;
    }
    if (strcmp(opt, "--claim") == 0 || strcmp(opt, "--add-claim") == 0 ||
        strcmp(opt, "--remove-claim") == 0)
        return take_claim_option(argc, argv, i, a, claim_buf);
    if (strcmp(opt, "--allow-unknown-claim") == 0) {
        a->allow_unknown_claim = true;
        return CLI_OK;
    }
    if (strcmp(opt, "--verbose") == 0) {
        a->verbose = true;
        return CLI_OK;
    }
    if (strcmp(opt, "--point") == 0)
        return take_geometry(argc, argv, i, ANNOT_GEOM_POINT, a);
    if (strcmp(opt, "--line") == 0)
        return take_geometry(argc, argv, i, ANNOT_GEOM_LINESTRING, a);
    if (strcmp(opt, "--polygon") == 0)
        return take_geometry(argc, argv, i, ANNOT_GEOM_POLYGON, a);
    if (strcmp(opt, "--pixel") == 0)
        return take_geometry(argc, argv, i, ANNOT_GEOM_NONE, a);
    char msg[256];
    enum imgopt_arg taken = imgopt_parse_arg(&a->image_opts, argc, argv, i, msg, sizeof msg);
    if (taken == IMGOPT_BAD)
        return cli_usage_error("mark", "%s", msg);
    if (taken == IMGOPT_TAKEN)
        return CLI_OK;
    if (cli_is_help(opt))
        return -1;
    return cli_usage_error("mark", "unknown option or stray argument \"%s\"", opt);
}

static int parse_args(int argc, char **argv, struct mark_args *a, char claim_buf[][256])
{
    memset(a, 0, sizeof *a);
    a->geom_type = ANNOT_GEOM_NONE;
    if (argc < 3)
        return cli_usage_error("mark", "expected FILE and add, edit or delete");
    a->file = argv[1];
    a->action = argv[2];
    int i = 3;
    bool needs_id = strcmp(a->action, "edit") == 0 || strcmp(a->action, "delete") == 0;
    bool list = strcmp(a->action, "list") == 0;
    if (!needs_id && !list && strcmp(a->action, "add") != 0)
        return cli_usage_error("mark", "unknown action \"%s\" (add, edit, delete or list)",
                               a->action);
    if (list)
        return parse_list_args(argc, argv, i, a);
    if (needs_id) {
        if (i >= argc || is_option(argv[i]))
            return cli_usage_error("mark", "%s needs a feature ID", a->action);
        a->id = argv[i++];
    }
    for (; i < argc; i++) {
        int rc = take_option(argc, argv, &i, needs_id, a, claim_buf);
        if (rc != CLI_OK)
            return rc;
    }
    return check_action_args(a);
}

/* Text from the command line must be UTF-8 to be written as JSON. */
static bool check_utf8(const char *what, const char *s, struct diag *dg)
{
    if (!s)
        return true;
    json_t *probe = json_string(s);
    if (!probe) {
        diag_error(dg, "%s is not valid UTF-8 text", what);
        return false;
    }
    json_decref(probe);
    return true;
}

/* With an imagery register beside the annotation file: warns when an
 * observation's tile is not in it (the mark still works; every output will
 * call the tile unregistered). */
static void warn_unregistered(const char *annot_file, const struct annot_observation *obs,
                              size_t nobs, struct diag *dg)
{
    char reg_path[PATH_MAX];
    struct imagery_register *reg = NULL;
    struct diag *quiet = diag_new();
    if (nobs && quiet && imagery_register_locate(annot_file, reg_path, sizeof reg_path) &&
        imagery_register_read(reg_path, &reg, quiet)) {
        for (size_t i = 0; i < nobs; i++)
            if (!imagery_find_sha256(reg, obs[i].sha256))
                diag_warn(dg, "%s is not in the imagery register %s: the mark is recorded, but "
                              "outputs will call its tile unregistered (`satmark imagery add`)",
                          obs[i].image, reg_path);
    }
    imagery_register_free(reg);
    diag_free(quiet);
}

/* Opens tile, converts pixel positions (if any) and fills the observation. */
static bool use_tile(const char *tile, const struct mark_args *a, bool convert,
                     struct annot_lonlat *pts, struct annot_observation *obs,
                     char sha[HASH_SHA256_HEX_LEN + 1], char *acquired, size_t acquired_cap,
                     struct diag *dg)
{
    struct raster *r = raster_open(tile, &a->open, dg);
    if (!r)
        return false;
    bool ok = raster_sha256(r, sha, dg);
    const struct raster_info *info = raster_get_info(r);
    snprintf(acquired, acquired_cap, "%s", info->acquired);
    if (ok && !*acquired)
        diag_warn(dg, "%s: acquisition date unknown; the observation has none", tile);
    if (ok && convert) {
        struct geo_ref *g = geo_ref_from_raster(r, dg);
        ok = g != NULL;
        if (ok && !geo_ref_has_crs(g)) {
            diag_error(dg, "%s: the tile has no coordinate reference system; pixel positions "
                           "cannot be turned into longitude/latitude",
                       tile);
            ok = false;
        }
        for (size_t k = 0; ok && k < a->npositions; k++) {
            double px, py;
            if (!parse_pair(a->positions[k], &px, &py)) {
                diag_error(dg, "--pixel: \"%s\" is not X,Y", a->positions[k]);
                ok = false;
            } else if (px < 0 || py < 0 || px > info->width || py > info->height) {
                diag_error(dg, "%s: pixel position %s is outside the image (%d x %d)", tile,
                           a->positions[k], info->width, info->height);
                ok = false;
            } else {
                ok = geo_pixel_to_lonlat(g, px, py, &pts[k].lon, &pts[k].lat, dg);
            }
        }
        geo_ref_free(g);
    }
    raster_close(r);
    obs->image = (char *)pathname_base(tile);
    obs->sha256 = sha;
    obs->acquired = acquired;
    return ok;
}

static bool in_range(double lon, double lat)
{
    return lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0;
}

/* "A,B" -> "B,A" into out; false when text has no comma or out is too small. */
static bool swap_text(const char *text, char *out, size_t cap)
{
    const char *comma = strchr(text, ',');
    if (!comma)
        return false;
    int n = snprintf(out, cap, "%s,%.*s", comma + 1, (int)(comma - text), text);
    return n > 0 && (size_t)n < cap;
}

/* Builds the geometry from the options (nothing when none was given). */
static bool build_geometry(const struct mark_args *a, struct annot_geometry *g,
                           struct annot_observation *pixel_obs, bool *have_pixel_obs,
                           char sha[HASH_SHA256_HEX_LEN + 1], char *acquired, size_t cap,
                           struct diag *dg)
{
    *have_pixel_obs = false;
    memset(g, 0, sizeof *g);
    if (a->npositions == 0)
        return true;
    struct annot_lonlat *pts = calloc(a->npositions, sizeof *pts);
    if (!pts) {
        diag_error(dg, "out of memory");
        return false;
    }
    enum annot_geom_type type = a->geom_type;
    bool ok = true;
    if (a->pixel_tile) {
        ok = use_tile(a->pixel_tile, a, true, pts, pixel_obs, sha, acquired, cap, dg);
        *have_pixel_obs = ok;
        if (a->as) {
            if (strcmp(a->as, "point") == 0)
                type = ANNOT_GEOM_POINT;
            else if (strcmp(a->as, "line") == 0)
                type = ANNOT_GEOM_LINESTRING;
            else if (strcmp(a->as, "polygon") == 0)
                type = ANNOT_GEOM_POLYGON;
            else {
                diag_error(dg, "--as must be point, line or polygon");
                ok = false;
            }
        } else {
            type = a->npositions == 1   ? ANNOT_GEOM_POINT
                   : a->npositions == 2 ? ANNOT_GEOM_LINESTRING
                                        : ANNOT_GEOM_POLYGON;
        }
    } else {
        for (size_t k = 0; ok && k < a->npositions; k++)
            if (!parse_pair(a->positions[k], &pts[k].lon, &pts[k].lat)) {
                diag_error(dg, "\"%s\" is not LON,LAT (decimal degrees, longitude first)",
                           a->positions[k]);
                ok = false;
            } else if (!in_range(pts[k].lon, pts[k].lat)) {
                char swapped[256];
                bool fits = in_range(pts[k].lat, pts[k].lon) &&
                            swap_text(a->positions[k], swapped, sizeof swapped);
                diag_error(dg, "\"%s\": %s %.10g is outside [%s]; positions are LON,LAT%s%s%s",
                           a->positions[k], fabs(pts[k].lat) > 90 ? "latitude" : "longitude",
                           fabs(pts[k].lat) > 90 ? pts[k].lat : pts[k].lon,
                           fabs(pts[k].lat) > 90 ? "-90, 90" : "-180, 180",
                           fits ? " (did you mean LON,LAT = " : "", fits ? swapped : "",
                           fits ? "?)" : "");
                ok = false;
            }
    }
    ok = ok && annot_geometry_from_points(g, type, pts, a->npositions, dg) &&
         annot_geometry_check(g, "the new geometry", dg);
    free(pts);
    return ok;
}

/* Claim ids must be in the catalog found by the one rule (beside FILE, then
 * the investigation root): an unknown id is an error unless
 * --allow-unknown-claim (then a warning); no catalog is a warning naming where
 * it looked. */
static bool check_claims(const struct mark_args *a, struct diag *dg)
{
    if (a->nadd_claims == 0)
        return true;
    char path[4096];
    if (!cli_locate_catalog(a->file, a->verbose,
                            "claim ids are not checked (satmark validate checks them "
                            "once there is a catalog)",
                            path, sizeof path, dg))
        return true;
    struct diag *inner = diag_new();
    struct claims_catalog *cat = NULL;
    bool ok = true;
    if (!inner) {
        diag_error(dg, "out of memory");
        return false;
    }
    if (!claims_catalog_read(path, &cat, inner)) {
        diag_warn(dg, "claim ids are not checked: %s", diag_message(inner));
    } else {
        for (size_t i = 0; ok && i < a->nadd_claims; i++) {
            if (claims_find(cat, a->add_claims[i].id))
                continue;
            if (a->allow_unknown_claim) {
                diag_warn(dg, "%s: claim \"%s\" is not in %s (accepted: "
                              "--allow-unknown-claim; satmark validate rejects the link until "
                              "it is added)",
                          a->file, a->add_claims[i].id, path);
            } else {
                diag_error(dg, "%s: claim \"%s\" is not in the catalog %s (check the id, add "
                               "the claim to the catalog, or pass --allow-unknown-claim); "
                               "nothing saved",
                           a->file, a->add_claims[i].id, path);
                ok = false;
            }
        }
    }
    claims_catalog_free(cat);
    diag_free(inner);
    return ok;
}

/* The footprints the new positions must lie on: --image's tile, else the
 * tiles the file's observations name (found by locate_tile; at most
 * MAX_FOOTPRINTS distinct images). Returns how many were opened into fps. */
#define MAX_FOOTPRINTS 16
static size_t imagery_footprints(const struct mark_args *a, const struct annot_set *set,
                                 struct footprint **fps, struct diag *dg)
{
    size_t n = 0;
    struct diag *quiet = diag_new();
    if (!quiet)
        return 0;
    if (a->image) {
        fps[n] = footprint_open(a->image, quiet);
        if (fps[n])
            n++;
        else
            diag_warn(dg, "positions not checked against %s: %s", a->image,
                      diag_message(quiet));
        diag_free(quiet);
        return n;
    }
    const char *names[MAX_FOOTPRINTS];
    size_t nnames = 0;
    static struct locate_result found;
    for (size_t i = 0; i < annot_count(set) && nnames < MAX_FOOTPRINTS; i++) {
        const struct annot_feature *f = annot_get(set, i);
        for (size_t k = 0; k < f->nobs && nnames < MAX_FOOTPRINTS; k++) {
            const char *image = f->obs[k].image;
            bool seen = false;
            for (size_t j = 0; j < nnames && !seen; j++)
                seen = strcmp(names[j], image) == 0;
            if (seen || !image || !*image)
                continue;
            names[nnames++] = image;
            bool located = locate_tile(a->file, image, &found);
            if (a->verbose) {
                char said[2 * LOCATE_PATH_MAX];
                locate_describe(&found, image, said, sizeof said);
                fprintf(stderr, "satmark: %s\n", cli_safe(said));
            }
            diag_reset(quiet);
            if (located && (fps[n] = footprint_open(found.path, quiet)) != NULL)
                n++;
        }
    }
    diag_free(quiet);
    return n;
}

/* Every position of g must lie on one of the footprints (none: not checked).
 * typed: g was built from the LON,LAT texts of a->positions, so the message
 * names the position as typed and, when swapping its two numbers lands on the
 * imagery, suggests that; else (pixel positions, a moved geometry) it names
 * the first position off the imagery. */
static bool check_on_imagery(const struct mark_args *a, const struct annot_set *set,
                             const struct annot_geometry *g, bool typed, struct diag *dg)
{
    if (g->type == ANNOT_GEOM_NONE)
        return true;
    struct footprint *fps[MAX_FOOTPRINTS];
    size_t n = imagery_footprints(a, set, fps, dg);
    bool ok = true;
    for (size_t k = 0; ok && n && k < a->npositions; k++) {
        double lon, lat;
        if (!typed || !parse_pair(a->positions[k], &lon, &lat))
            break; /* checked on g below */
        bool on = false, swapped_on = false;
        for (size_t t = 0; t < n && !on; t++)
            on = footprint_contains(fps[t], lon, lat);
        for (size_t t = 0; t < n && !on && !swapped_on; t++)
            swapped_on = footprint_contains(fps[t], lat, lon);
        if (on)
            continue;
        const struct geo_bounds *b = footprint_bounds(fps[0]);
        char swapped[256] = "";
        swapped_on = swapped_on && swap_text(a->positions[k], swapped, sizeof swapped);
        diag_error(dg, "position %s is not on %s%s (lon %.4f to %.4f, lat %.4f to %.4f)%s%s%s; "
                       "nothing saved",
                   a->positions[k], a->image ? "" : "the imagery of this file, e.g. ",
                   footprint_path(fps[0]), b->west, b->east, b->south, b->north,
                   swapped_on ? ": did you mean LON,LAT = " : "", swapped,
                   swapped_on ? "?" : " (positions are LON,LAT, longitude first)");
        ok = false;
    }
    if (ok && n && !typed) {
        struct annot_lonlat off;
        bool on_any = false;
        for (size_t t = 0; t < n && !on_any; t++)
            on_any = footprint_contains_all(fps[t], g, &off);
        if (!on_any) {
            diag_error(dg, "position %.7g,%.7g is not on %s; nothing saved", off.lon, off.lat,
                       footprint_path(fps[0]));
            ok = false;
        }
    }
    for (size_t t = 0; t < n; t++)
        footprint_free(fps[t]);
    return ok;
}

static bool apply_edit(struct annot_set *set, const struct mark_args *a,
                       const struct annot_geometry *g, const struct annot_observation *obs,
                       size_t nobs, char *new_id, size_t new_id_cap, struct diag *dg)
{
    enum annot_class cls = ANNOT_CLASS_OTHER;
    if (a->cls && !annot_class_from_name(a->cls, &cls)) {
        diag_error(dg, "unknown class \"%s\" (pier, ship, container_stack, munitions_pit, "
                       "rail, crane, building, aoi, other, in any case; aliases such as pit or "
                       "containers: docs/formats.md)",
                   a->cls);
        return false;
    }
    if (strcmp(a->action, "delete") == 0)
        return annot_delete(set, a->id, dg);
    if (strcmp(a->action, "add") == 0) {
        struct annot_feature f;
        annot_feature_init(&f);
        f.id = (char *)a->id;
        f.cls = cls;
        f.label = (char *)a->label;
        f.note = (char *)a->note;
        f.author = (char *)a->author;
        f.geom = *g;
        struct annot_claim_link links[MAX_LIST];
        for (size_t i = 0; i < a->nadd_claims; i++) {
            links[i].claim = (char *)a->add_claims[i].id;
            links[i].stance = a->add_claims[i].stance;
            for (size_t k = 0; k < i; k++)
                if (strcmp(links[k].claim, links[i].claim) == 0) {
                    diag_error(dg, "claim \"%s\" given twice", links[i].claim);
                    return false;
                }
        }
        f.claims = a->nadd_claims ? links : NULL;
        f.nclaims = a->nadd_claims;
        f.obs = (struct annot_observation *)obs;
        f.nobs = nobs;
        size_t index;
        if (!annot_add(set, &f, &index, dg))
            return false;
        snprintf(new_id, new_id_cap, "%s", annot_get(set, index)->id);
        return true;
    }
    /* edit: several field changes, one undo step. */
    if (!annot_find(set, a->id)) {
        diag_error(dg, "%s: no feature with id \"%s\"", a->file, a->id);
        return false;
    }
    bool ok = true;
    annot_group_begin(set);
    if (ok && a->cls)
        ok = annot_edit_class(set, a->id, cls, dg);
    if (ok && a->label)
        ok = annot_edit_label(set, a->id, a->label, dg);
    if (ok && a->note)
        ok = annot_edit_note(set, a->id, a->note, dg);
    if (ok && g->type != ANNOT_GEOM_NONE)
        ok = annot_edit_geometry(set, a->id, g, dg);
    if (ok && a->move) {
        double dlon, dlat;
        if (!parse_pair(a->move, &dlon, &dlat)) {
            diag_error(dg, "--move: \"%s\" is not DLON,DLAT", a->move);
            ok = false;
        } else {
            ok = annot_edit_move(set, a->id, dlon, dlat, dg);
        }
    }
    for (size_t i = 0; ok && i < a->nadd_claims; i++)
        ok = annot_edit_add_claim(set, a->id, a->add_claims[i].id, a->add_claims[i].stance, dg);
    for (size_t i = 0; ok && i < a->nremove_claims; i++)
        ok = annot_edit_remove_claim(set, a->id, a->remove_claims[i], dg);
    for (size_t i = 0; ok && i < nobs; i++)
        ok = annot_edit_add_observation(set, a->id, &obs[i], dg);
    annot_group_end(set);
    snprintf(new_id, new_id_cap, "%s", a->id);
    return ok;
}

/* `mark FILE list`: one line per mark (or --json), through the core listing
 * the viewer's mark list uses too. */
static int run_list(const struct mark_args *a)
{
    struct marklist_filter flt = {.date = a->date, .claim = a->claim_filter};
    if (a->cls && !annot_class_from_name(a->cls, &flt.cls))
        return cli_usage_error("mark", "unknown class \"%s\"", a->cls);
    flt.by_class = a->cls != NULL;
    struct diag *dg = diag_new();
    struct annot_set *set = NULL;
    bool ok = dg && gjfast_read_file(a->file, &set, dg);
    if (ok && a->json) {
        char *text = marklist_json(set, a->file, &flt, dg);
        ok = text != NULL;
        if (ok)
            cli_put_json(text);
        free(text);
    } else if (ok) {
        size_t shown = 0;
        for (size_t i = 0; i < annot_count(set); i++) {
            const struct annot_feature *f = annot_get(set, i);
            if (!marklist_matches(f, &flt))
                continue;
            shown++;
            printf("%s\t%s\t%s\t", cli_safe(f->id), cli_safe(annot_class_name(f->cls)),
                   cli_safe(f->label));
            char dates[8][MARKLIST_DATE_LEN + 1];
            size_t nd = marklist_dates(f, dates, 8);
            for (size_t k = 0; k < nd && k < 8; k++)
                printf("%s%s", k ? "," : "", cli_safe(dates[k]));
            if (nd > 8)
                printf(",... (%zu dates)", nd);
            printf("%s", nd ? "\t" : "-\t");
            for (size_t k = 0; k < f->nclaims; k++)
                printf("%s%s:%s", k ? "," : "", cli_safe(f->claims[k].claim),
                       annot_stance_name(f->claims[k].stance));
            printf("%s\n", f->nclaims ? "" : "-");
        }
        fprintf(stderr, "satmark: %zu of %zu marks listed (id, class, label, dates, claims; "
                        "tab-separated)\n",
                shown, annot_count(set));
    }
    if (ok && fflush(stdout) != 0) {
        diag_error(dg, "cannot write to standard output");
        ok = false;
    }
    cli_report(dg);
    annot_set_free(set);
    diag_free(dg);
    return ok ? CLI_OK : CLI_FAILED;
}

/* Every text from the command line that goes into the file is UTF-8. */
static bool check_texts(const struct mark_args *a, struct diag *dg)
{
    const char *texts[][2] = {{"--label", a->label}, {"--note", a->note}, {"--author", a->author},
                              {"--class", a->cls},   {"--site", a->site}, {"--title", a->title},
                              {"the id", a->id}};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof texts / sizeof texts[0]; i++)
        ok = check_utf8(texts[i][0], texts[i][1], dg);
    for (size_t i = 0; ok && i < a->nadd_claims; i++)
        ok = check_utf8("a claim id", a->add_claims[i].id, dg);
    return ok;
}

/* The annotation file into *set (owned by the caller), or a new set for add
 * when there is none; --site and --title applied. Called under the lock. */
static bool load_set(const struct mark_args *a, struct annot_set **set, struct diag *dg)
{
    struct stat st;
    if (stat(a->file, &st) == 0) {
        if (!gjfast_read_file(a->file, set, dg))
            return false;
    } else if (strcmp(a->action, "add") != 0) {
        diag_error(dg, "%s: no such file (only add creates a file)", a->file);
        return false;
    } else if (!(*set = annot_set_new())) {
        diag_error(dg, "out of memory");
        return false;
    }
    if (a->site || a->title)
        return annot_set_meta(*set, a->site ? a->site : annot_set_site(*set),
                              a->title ? a->title : annot_set_title(*set), dg);
    return true;
}

/* What add or edit puts into the file: the geometry, and an observation of
 * the --pixel tile and of the --image tile (one when they are the same
 * file). The observations point into sha and acq. */
struct mark_input {
    struct annot_geometry geom; /* owned: annot_geometry_clear */
    struct annot_observation obs[2];
    size_t nobs;
    char sha[2][HASH_SHA256_HEX_LEN + 1];
    char acq[2][RASTER_DATE_MAX];
    /* a subdataset given by index or name: the tile is then named by it */
    char *pixel_tile, *image; /* owned; a->pixel_tile and a->image point here */
};

/* Opens the tiles given, builds the geometry and the observations into in,
 * and checks them against the imagery and the claims catalog. */
static bool gather_input(struct mark_args *a, const struct annot_set *set, struct mark_input *in,
                         struct diag *dg)
{
    bool have_pixel_obs = false;
    if (a->pixel_tile &&
        !(a->pixel_tile = in->pixel_tile = imgopt_prepare(&a->image_opts, a->pixel_tile,
                                                          &a->open, dg)))
        return false;
    if (a->image && !(a->image = in->image = imgopt_prepare(&a->image_opts, a->image, &a->open,
                                                            dg)))
        return false;
    bool ok = build_geometry(a, &in->geom, &in->obs[0], &have_pixel_obs, in->sha[0], in->acq[0],
                             sizeof in->acq[0], dg);
    if (have_pixel_obs)
        in->nobs = 1;
    if (ok && a->image) {
        size_t k = in->nobs;
        ok = use_tile(a->image, a, false, NULL, &in->obs[k], in->sha[1], in->acq[1],
                      sizeof in->acq[1], dg);
        if (ok && !(k == 1 && strcmp(in->obs[0].sha256, in->obs[1].sha256) == 0))
            in->nobs++;
    }
    /* --pixel positions are on their tile by construction; --image is checked */
    if (ok && !(a->pixel_tile && !a->image))
        ok = check_on_imagery(a, set, &in->geom, !a->pixel_tile, dg);
    if (ok)
        ok = check_claims(a, dg);
    if (ok)
        warn_unregistered(a->file, in->obs, in->nobs, dg);
    return ok;
}

static int run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return CLI_OK;
        }
    static struct mark_args a;
    static char claim_buf[MAX_LIST][256];
    int rc = parse_args(argc, argv, &a, claim_buf);
    if (rc != CLI_OK)
        return rc;
    if (strcmp(a.action, "list") == 0)
        return run_list(&a);
    if (!a.author)
        a.author = getenv("SATMARK_AUTHOR");
    raster_open_options_init(&a.open);

    struct diag *dg = diag_new();
    if (!dg) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    bool ok = check_texts(&a, dg);
    struct annot_set *set = NULL;
    /* An existing FILE must be a regular file (a FIFO or device is refused
     * here, before any lock file is made beside it). */
    struct stat pre;
    if (ok && stat(a.file, &pre) == 0)
        ok = rfile_check(a.file, false, dg);
    /* Read, edit and save under the lock (read again now that it is held). */
    struct filelock *lock = ok ? filelock_acquire(a.file, FILELOCK_DEFAULT_WAIT_S, dg) : NULL;
    ok = ok && lock && load_set(&a, &set, dg);
    struct mark_input in = {0};
    if (ok)
        ok = gather_input(&a, set, &in, dg);
    char id[256] = "";
    if (ok)
        ok = apply_edit(set, &a, &in.geom, in.obs, in.nobs, id, sizeof id, dg);
    if (ok && a.move && annot_find(set, a.id))
        ok = check_on_imagery(&a, set, &annot_find(set, a.id)->geom, false, dg);
    bool changed = ok && annot_is_dirty(set);
    if (ok && !changed)
        diag_warn(dg, "%s: nothing changed; not saved", a.file);
    if (changed)
        ok = gjwrite_file(a.file, set, dg);
    filelock_release(lock);
    if (ok)
        annot_mark_saved(set);
    annot_geometry_clear(&in.geom);
    cli_report(dg);
    if (ok && strcmp(a.action, "add") == 0)
        printf("%s\n", cli_safe(id));
    annot_set_free(set);
    diag_free(dg);
    free(in.pixel_tile);
    free(in.image);
    return ok ? CLI_OK : CLI_FAILED;
}

const struct cli_command cli_cmd_mark = {
    .name = "mark",
    .summary = "add, edit or delete an annotation in a GeoJSON file",
    .usage = usage,
    .run = run,
};
