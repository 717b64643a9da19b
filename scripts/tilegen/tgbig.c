/*
 * tgbig — see tgbig.h. The file is written to PATH.tmp and renamed, so a
 * killed run leaves no half file under the final name.
 */
#include "tgbig.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PI 3.14159265358979323846

static unsigned long long splitmix(unsigned long long *state)
{
    unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unit(unsigned long long *state)
{
    return (double)(splitmix(state) >> 11) / 9007199254740992.0;
}

bool tgbig_kind_from_name(const char *name, enum tgbig_kind *out)
{
    static const char *const names[] = {"points", "qgis", "polygons"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (enum tgbig_kind)i;
            return true;
        }
    return false;
}

static void write_observation(FILE *fp, const struct tgbig_options *opt)
{
    if (opt->image)
        fprintf(fp, ",\"observations\":[{\"image\":\"%s\",\"acquired\":\"%s\"}]", opt->image,
                opt->date ? opt->date : "");
}

/* A star-shaped ring of n distinct vertices around (lon, lat), radius in
 * metres, closed (n + 1 positions). */
static void write_ring(FILE *fp, unsigned long long *st, double lon, double lat, int n,
                       double radius_m, bool clockwise)
{
    double m_per_deg_lat = 111320.0, m_per_deg_lon = 111320.0 * cos(lat * PI / 180.0);
    double first_x = 0, first_y = 0;
    fputs("[[", fp);
    for (int i = 0; i < n; i++) {
        double a = 2.0 * PI * i / n;
        if (clockwise)
            a = -a;
        double r = radius_m * (0.6 + 0.4 * unit(st));
        double x = lon + r * cos(a) / m_per_deg_lon, y = lat + r * sin(a) / m_per_deg_lat;
        if (i == 0)
            first_x = x, first_y = y;
        fprintf(fp, "%s[%.7f,%.7f]", i ? "," : "", x, y);
    }
    fprintf(fp, ",[%.7f,%.7f]]]", first_x, first_y);
}

bool tgbig_write(const struct tgbig_options *opt, const char *path, struct diag *dg)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        diag_error(dg, "%s: path too long", path);
        return false;
    }
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        diag_error(dg, "%s: cannot create: %s", tmp, strerror(errno));
        return false;
    }
    static char buf[1 << 20];
    setvbuf(fp, buf, _IOFBF, sizeof buf);
    unsigned long long st = opt->seed;
    double dx = opt->east - opt->west, dy = opt->north - opt->south;
    fputs("{\"type\":\"FeatureCollection\",\"features\":[\n", fp);
    for (size_t i = 0; i < opt->count; i++) {
        double lon = opt->west + dx * unit(&st), lat = opt->south + dy * unit(&st);
        const char *sep = i + 1 < opt->count ? "," : "";
        switch (opt->kind) {
        case TGBIG_POINTS:
            fprintf(fp,
                    "{\"type\":\"Feature\",\"properties\":{\"id\":\"det-%zu\",\"class\":"
                    "\"container_stack\",\"label\":\"det %zu\",\"score\":%.3f",
                    i + 1, i + 1, unit(&st));
            write_observation(fp, opt);
            fprintf(fp, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}%s\n",
                    lon, lat, sep);
            break;
        case TGBIG_QGIS:
            fprintf(fp,
                    "{\"type\":\"Feature\",\"id\":%zu,\"properties\":{\"fid\":%zu,\"class\":"
                    "\"building\"",
                    i, i);
            write_observation(fp, opt);
            fprintf(fp, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}%s\n",
                    lon, lat, sep);
            break;
        case TGBIG_POLYGONS: {
            int n = 5 + (int)(splitmix(&st) % 46); /* 5..50 vertices */
            fprintf(fp,
                    "{\"type\":\"Feature\",\"id\":\"bldg-%zu\",\"properties\":{\"class\":"
                    "\"building\",\"label\":\"bldg %zu\"",
                    i + 1, i + 1);
            write_observation(fp, opt);
            fputs("},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":", fp);
            write_ring(fp, &st, lon, lat, n, 4.0 + 12.0 * unit(&st), opt->clockwise);
            fprintf(fp, "}}%s\n", sep);
            break;
        }
        }
    }
    fputs("]}\n", fp);
    bool ok = !ferror(fp);
    if (fclose(fp) != 0)
        ok = false;
    if (!ok) {
        diag_error(dg, "%s: write error: %s", tmp, strerror(errno));
        remove(tmp);
        return false;
    }
    if (rename(tmp, path) != 0) {
        diag_error(dg, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return false;
    }
    return true;
}
