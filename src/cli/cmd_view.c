/*
 * cmd_view — `satmark view ...`: starts the SDL viewer, `satmark-view`,
 * which lives next to the `satmark` executable (found through
 * /proc/self/exe), passing every argument on unchanged. The viewer is a
 * separate program so the CLI never links SDL.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "imgopt.h"

static const char view_usage[] =
    "usage: satmark view TILE [ANNOTATIONS.geojson] [options]\n"
    "\n"
    "Opens TILE (any image GDAL reads; georeferenced for marks) in the viewer,\n"
    "with the marks of ANNOTATIONS (created on the first save when absent).\n"
    "\n"
    "options:\n"
    "  --claims FILE        claims catalog (default: claims.json beside ANNOTATIONS,\n"
    "                       else ROOT/annotations/claims.json, ROOT being the\n"
    "                       directory holding annotations/)\n"
    "  --compare TILE_B     second date of the same site: swipe (W) or flicker (C)\n"
    "  --style FILE         class styles (default: assets/style.json)\n"
    "  --size WxH           window size (default 1280x800)\n"
    "  --script FILE        replay input from FILE (format in docs/viewer.md)\n"
    "  --screenshot OUT.png write the final frame as PNG, then exit\n"
    "  --recover=yes|no     answer the journal recovery question without asking\n"
    "  --journal-interval S seconds between autosave journal writes (default 2)\n"
    "  --author NAME        author recorded on new marks\n"
    "  --bench              replay a fixed pan/zoom path and print frame times\n"
    "  --verbose            say where the claims catalog was looked for\n"
    "  --bands R,G,B | N    source bands shown (default: the file's RGB bands; key B\n"
    "                       cycles auto and each band alone; Shift+B: true colour)\n"
    "  --ramp NAME          one band through a colour ramp: grey, viridis, inferno,\n"
    "                       terrain\n"
    "  --georef-picture P   georeference picture P (an article's photo) on TILE by\n"
    "                       clicking pairs; --georef-out OUT.vrt|OUT.tif (default\n"
    "                       P.georef.vrt) is written by Ctrl+S\n"
    "how the images are opened (--subdataset: TILE only; the others: both images):\n"
    IMGOPT_HELP
    "\n"
    "Keys: F1 or ? in the viewer lists them all. docs/viewer.md describes the\n"
    "viewer, its autosave journal and the script format.\n"
    "exit status: 0 done, 1 failed (the message names the file and the reason), 2 bad usage\n";

static int run_view(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("view", "missing TILE");
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "satmark: error: /proc/self/exe: %s\n", strerror(errno));
        return CLI_FAILED;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash) {
        fprintf(stderr, "satmark: error: %s: cannot find the executable's directory\n", self);
        return CLI_FAILED;
    }
    static const char viewer_name[] = "satmark-view";
    size_t dir_len = (size_t)(slash - self) + 1;
    if (dir_len + sizeof viewer_name > sizeof self) {
        fprintf(stderr, "satmark: error: %s: path too long\n", self);
        return CLI_FAILED;
    }
    memcpy(slash + 1, viewer_name, sizeof viewer_name);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        fprintf(stderr, "satmark: error: out of memory\n");
        return CLI_FAILED;
    }
    args[0] = self;
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    execv(self, args);
    fprintf(stderr, "satmark: error: %s: cannot start the viewer: %s\n", self, strerror(errno));
    free(args);
    return CLI_FAILED;
}

const struct cli_command cli_cmd_view = {
    .name = "view",
    .summary = "open a tile and its marks in the SDL viewer (satmark-view)",
    .usage = view_usage,
    .run = run_view,
};
