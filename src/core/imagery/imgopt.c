/*
 * imgopt — see imgopt.h. Subdataset names are resolved by opening the
 * container once through raster_open (so the driver allow-list and the
 * remote-access rule apply) and reading the names it lists.
 */
#include "imgopt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "georef.h"

#define IMGOPT_MAX_SUBDATASET 100000

void imgopt_init(struct imgopt *o) { memset(o, 0, sizeof *o); }

bool imgopt_set_georef(struct imgopt *o, const char *method, char *msg, size_t cap)
{
    enum georef_method m;
    if (!method || (strcmp(method, "none") != 0 && !georef_method_from_name(method, &m))) {
        snprintf(msg, cap, "--georef needs a method: auto, poly1, poly2, poly3, tps, rpc or "
                           "none%s%s%s",
                 method ? " (got \"" : "", method ? method : "", method ? "\")" : "");
        return false;
    }
    o->georef_method = method;
    return true;
}

/* A 1-based index written as digits only, else 0. */
static long subdataset_index(const char *text)
{
    if (!text || text[0] < '0' || text[0] > '9')
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    return *end || errno ? 0 : v;
}

bool imgopt_set_subdataset(struct imgopt *o, const char *value, char *msg, size_t cap)
{
    bool digits = value && value[0] >= '0' && value[0] <= '9';
    long v = subdataset_index(value);
    if (!value || !value[0] || (digits && (v < 1 || v > IMGOPT_MAX_SUBDATASET))) {
        snprintf(msg, cap, "--subdataset needs an index (1, 2, ...) or a subdataset's name");
        return false;
    }
    o->subdataset = value;
    return true;
}

enum imgopt_arg imgopt_parse_arg(struct imgopt *o, int argc, char *const *argv, int *i,
                                 char *msg, size_t cap)
{
    const char *arg = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(arg, "--keep-degrees") == 0) {
        o->keep_degrees = true;
        return IMGOPT_TAKEN;
    }
    bool ok;
    if (strcmp(arg, "--georef") == 0) {
        ok = imgopt_set_georef(o, val, msg, cap);
    } else if (strcmp(arg, "--subdataset") == 0) {
        ok = imgopt_set_subdataset(o, val, msg, cap);
    } else if (strcmp(arg, "--dem") == 0) {
        ok = val && val[0];
        if (ok)
            o->dem = val;
        else
            snprintf(msg, cap, "--dem needs a DEM file");
    } else {
        return IMGOPT_NOT_MINE;
    }
    if (!ok)
        return IMGOPT_BAD;
    (*i)++;
    return IMGOPT_TAKEN;
}

/* The variable part of a subdataset name: after the last ':' (quotes
 * dropped), e.g. Band3 in NETCDF:"f.nc":Band3 or //grp/var in HDF5. */
static const char *variable_part(const char *name)
{
    const char *colon = strrchr(name, ':');
    const char *v = colon ? colon + 1 : name;
    return *v == '"' ? v + 1 : v;
}

static bool name_matches(const char *full, const char *want)
{
    if (strcmp(full, want) == 0)
        return true;
    const char *var = variable_part(full);
    size_t n = strlen(var);
    if (n && var[n - 1] == '"')
        n--;
    if (strlen(want) == n && strncmp(var, want, n) == 0)
        return true;
    const char *slash = strrchr(var, '/');
    return slash && strlen(want) == n - (size_t)(slash + 1 - var) &&
           strncmp(slash + 1, want, strlen(want)) == 0;
}

/* "1 Band1, 2 Band2, ..." (at most a few hundred characters) into out. */
static void list_choices(const struct raster_info *in, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < in->subdataset_count && used + 1 < cap; i++) {
        /* DRIVER:"file":var names by their variable; others (TIFF pages:
         * GTIFF_DIR:2:file.tif) in full, the variable part being the file */
        const char *full = in->subdataset_names[i];
        const char *var = strchr(full, '"') ? variable_part(full) : full;
        size_t n = strlen(var);
        if (n && var[n - 1] == '"')
            n--;
        int w = snprintf(out + used, cap - used, "%s%zu %.*s", i ? ", " : "", i + 1, (int)n,
                         var);
        if (w < 0 || (size_t)w >= cap - used) {
            if (cap > 6)
                memcpy(out + cap - 6, ", ...", 6);
            return;
        }
        used += (size_t)w;
    }
}

char *imgopt_prepare(const struct imgopt *o, const char *path, struct raster_open_options *ro,
                     struct diag *dg)
{
    ro->georef_method = o->georef_method;
    ro->dem = o->dem;
    ro->keep_degrees = o->keep_degrees;
    ro->subdataset = 0;
    /* a DEM that is not there must not quietly give an image at height 0 */
    struct stat st;
    if (o->dem && raster_path_is_local(o->dem) && stat(o->dem, &st) != 0) {
        diag_error(dg, "%s: the DEM %s cannot be read: %s", path, o->dem, strerror(errno));
        return NULL;
    }
    if (!o->subdataset) {
        char *copy = strdup(path);
        if (!copy)
            diag_error(dg, "%s: out of memory", path);
        return copy;
    }
    /* The container, opened as cheaply as it can be: no warp, no reprojection. */
    struct raster_open_options probe;
    raster_open_options_init(&probe);
    probe.allow_remote = ro->allow_remote;
    probe.georef_method = "none";
    probe.keep_degrees = true;
    struct diag *quiet = diag_new();
    if (!quiet) {
        diag_error(dg, "%s: out of memory", path);
        return NULL;
    }
    struct raster *r = raster_open(path, &probe, quiet);
    if (!r) {
        diag_error(dg, "%s", diag_message(quiet));
        diag_free(quiet);
        return NULL;
    }
    diag_free(quiet);
    const struct raster_info *in = raster_get_info(r);
    long index = subdataset_index(o->subdataset);
    const char *found = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < in->subdataset_count; i++) {
        bool hit = index ? (size_t)index == i + 1 : name_matches(in->subdataset_names[i],
                                                                 o->subdataset);
        if (hit && !matches++)
            found = in->subdataset_names[i];
    }
    char *result = NULL;
    if (index && in->subdataset_count == 0) {
        /* Not a listed container (one page, one variable): raster_open
         * decides whether that index exists. */
        ro->subdataset = (int)index;
        result = strdup(path);
    } else if (matches == 1) {
        result = strdup(found);
    } else {
        char choices[512];
        list_choices(in, choices, sizeof choices);
        if (in->subdataset_count == 0)
            diag_error(dg, "%s: has no subdatasets, so no subdataset \"%s\"", path,
                       o->subdataset);
        else if (matches > 1)
            diag_error(dg, "%s: %zu subdatasets match \"%s\"; give its index or full name: %s",
                       path, matches, o->subdataset, choices);
        else
            diag_error(dg, "%s: no subdataset \"%s\"; it has %zu: %s", path, o->subdataset,
                       in->subdataset_count, choices);
        raster_close(r);
        return NULL;
    }
    raster_close(r);
    if (!result)
        diag_error(dg, "%s: out of memory", path);
    return result;
}
