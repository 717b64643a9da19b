/*
 * locate — finds an annotation file's catalog and tiles by one rule (see
 * locate.h). Candidates are tried with access(R_OK) on regular files only, in
 * a fixed order; the same path is never tried twice.
 */
#include "locate.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_readable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* Directory part of path into out ("." when it has none). */
static bool dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (!slash)
        n = snprintf(out, cap, ".");
    else if (slash == path)
        n = snprintf(out, cap, "/");
    else
        n = snprintf(out, cap, "%.*s", (int)(slash - path), path);
    return n > 0 && (size_t)n < cap;
}

bool locate_root(const char *annot_path, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (annot_path) {
        char dir[LOCATE_PATH_MAX];
        if (dir_of(annot_path, dir, sizeof dir)) {
            const char *slash = strrchr(dir, '/');
            const char *base = slash ? slash + 1 : dir;
            if (strcmp(base, "annotations") == 0) {
                int n = slash == NULL  ? snprintf(out, cap, ".")
                        : slash == dir ? snprintf(out, cap, "/")
                                       : snprintf(out, cap, "%.*s", (int)(slash - dir), dir);
                return n > 0 && (size_t)n < cap;
            }
        }
    }
    if (is_dir("annotations")) {
        int n = snprintf(out, cap, ".");
        return n > 0 && (size_t)n < cap;
    }
    return false;
}

/* Tries dir/name (dir NULL: skipped); records it; true when it exists. */
static bool try_candidate(struct locate_result *r, const char *dir, const char *sub,
                          const char *name)
{
    if (!dir || r->ntried == LOCATE_MAX_TRIED)
        return false;
    char path[LOCATE_PATH_MAX];
    const char *sep = strcmp(dir, "/") == 0 ? "" : "/";
    int n = sub ? snprintf(path, sizeof path, "%s%s%s/%s", dir, sep, sub, name)
                : snprintf(path, sizeof path, "%s%s%s", dir, sep, name);
    if (n <= 0 || (size_t)n >= sizeof path)
        return false;
    /* "./x" and "x" are the same place: write the shorter form */
    const char *shown = strncmp(path, "./", 2) == 0 ? path + 2 : path;
    for (size_t i = 0; i < r->ntried; i++)
        if (strcmp(r->tried[i], shown) == 0)
            return false;
    snprintf(r->tried[r->ntried++], LOCATE_PATH_MAX, "%s", shown);
    if (!is_readable_file(shown))
        return false;
    snprintf(r->path, sizeof r->path, "%s", shown);
    return true;
}

bool locate_catalog(const char *annot_path, struct locate_result *out)
{
    memset(out, 0, sizeof *out);
    char dir[LOCATE_PATH_MAX], root[LOCATE_PATH_MAX];
    bool have_dir = annot_path && dir_of(annot_path, dir, sizeof dir);
    bool have_root = locate_root(annot_path, root, sizeof root);
    return try_candidate(out, have_dir ? dir : NULL, NULL, "claims.json") ||
           try_candidate(out, have_root ? root : NULL, "annotations", "claims.json");
}

bool locate_tile(const char *annot_path, const char *image, struct locate_result *out)
{
    memset(out, 0, sizeof *out);
    if (!image || !*image || strchr(image, '/') || strcmp(image, "..") == 0 ||
        strcmp(image, ".") == 0)
        return false;
    char dir[LOCATE_PATH_MAX], root[LOCATE_PATH_MAX];
    bool have_dir = annot_path && dir_of(annot_path, dir, sizeof dir);
    bool have_root = locate_root(annot_path, root, sizeof root);
    return try_candidate(out, have_dir ? dir : NULL, NULL, image) ||
           try_candidate(out, have_dir ? dir : NULL, "tiles", image) ||
           try_candidate(out, have_root ? root : NULL, "tiles", image) ||
           try_candidate(out, have_root ? root : NULL, "assets/tiles", image);
}

void locate_describe(const struct locate_result *r, const char *what, char *buf, size_t cap)
{
    if (!cap)
        return;
    size_t used = 0;
    if (r->ntried == 0) {
        snprintf(buf, cap, "looked for %s nowhere: no annotation file given and no "
                           "annotations/ directory here",
                 what);
        return;
    }
    int n = snprintf(buf, cap, "looked for %s in ", what);
    used = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < r->ntried && used < cap; i++) {
        n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", r->tried[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < cap) {
        if (*r->path)
            snprintf(buf + used, cap - used, ": using %s", r->path);
        else
            snprintf(buf + used, cap - used, ": none found");
    }
}
