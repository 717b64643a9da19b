/*
 * bandpick — true-colour bands from band descriptions or the mission's
 * fixed band order (see bandpick.h).
 */
#include "bandpick.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum colour { RED, GREEN, BLUE };

/* True when word occurs in s as a whole word, case-insensitively. */
static bool has_word(const char *s, const char *word)
{
    size_t k = strlen(word);
    for (const char *p = s; *p; p++) {
        if (strncasecmp(p, word, k) != 0)
            continue;
        bool starts = p == s || !isalnum((unsigned char)p[-1]);
        bool ends = !isalnum((unsigned char)p[k]);
        if (starts && ends)
            return true;
    }
    return false;
}

/* The colour a description names, or -1. "Red edge" and "near infrared"
 * are not red; a plain band code ("B4") says nothing without the mission. */
static int colour_of(const char *d)
{
    if (!d || !*d)
        return -1;
    if (has_word(d, "red") && !has_word(d, "edge") && !has_word(d, "infrared") &&
        !has_word(d, "nir") && !strstr(d, "rededge") && !strstr(d, "RedEdge"))
        return RED;
    if (has_word(d, "green"))
        return GREEN;
    if (has_word(d, "blue") && !has_word(d, "coastal"))
        return BLUE;
    return -1;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t k = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, k) == 0)
            return true;
    return false;
}

static bool mission_is(const char *mission, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (contains_nocase(mission, names[i]))
            return true;
    return false;
}

bool bandpick_true_colour(const struct bandpick_input *in, int rgb[3], const char **why)
{
    int found[3] = {0, 0, 0};
    for (int b = 1; b <= in->n; b++) {
        int c = colour_of(in->descriptions ? in->descriptions[b - 1] : NULL);
        if (c >= 0 && !found[c])
            found[c] = b;
    }
    if (found[RED] && found[GREEN] && found[BLUE]) {
        memcpy(rgb, found, sizeof found);
        *why = "band descriptions";
        return true;
    }
    const char *m = in->mission ? in->mission : "";
    /* Fixed band orders of whole-scene stacks: OLI (Landsat 8/9) and MSI
     * (Sentinel-2, 12 or 13 bands) put blue, green, red at 2, 3, 4; TM and
     * ETM+ (Landsat 4, 5, 7) at 1, 2, 3. */
    static const char *const oli[] = {"LANDSAT_8", "LANDSAT_9", "LANDSAT-8", "LANDSAT-9",
                                      "Landsat 8", "Landsat 9", "LC08", "LC09", NULL};
    static const char *const msi[] = {"SENTINEL-2", "SENTINEL_2", "Sentinel2", "S2A", "S2B",
                                      "S2C", NULL};
    static const char *const tm[] = {"LANDSAT_4", "LANDSAT_5", "LANDSAT_7", "LANDSAT-7",
                                     "Landsat 7", "Landsat 5", "LE07", "LT05", NULL};
    if (in->n >= 4 && (mission_is(m, oli) || mission_is(m, msi))) {
        rgb[0] = 4, rgb[1] = 3, rgb[2] = 2;
        *why = mission_is(m, oli) ? "Landsat 8/9 band order" : "Sentinel-2 band order";
        return true;
    }
    if (in->n >= 3 && mission_is(m, tm)) {
        rgb[0] = 3, rgb[1] = 2, rgb[2] = 1;
        *why = "Landsat 4-7 band order";
        return true;
    }
    return false;
}
