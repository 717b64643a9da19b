/*
 * tgannot — writes the satmark annotation file (docs/formats.md) for scenes
 * the generator painted: one Feature per annotated object, observed on every
 * image whose scene contains it (same id). Geometry comes from the scene, so
 * the marks sit exactly on what the tiles show. The features go into a
 * struct annot_set written by the core writer (gjwrite), so the file has
 * exactly the format `satmark mark` writes (WGS84 lon,lat with at most 7
 * decimals, counter-clockwise exterior rings, fixed key order); timestamps
 * come from the options through the set's clock, so equal inputs give
 * byte-identical files.
 */
#ifndef SATMARK_TGANNOT_H
#define SATMARK_TGANNOT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "tggeo.h"
#include "tgscene.h"

struct tgannot_image {
    const struct tgscene *scene; /* borrowed */
    const char *image;           /* file name recorded in observations (borrowed) */
    const char *sha256;          /* hex SHA-256 of the final tile (borrowed) */
};

struct tgannot_options {
    const char *timestamp; /* created/modified, YYYY-MM-DDTHH:MM:SSZ */
    size_t max_features;   /* 0: all; else keep this many, spread over the scene */
    bool bench;            /* also mark unlabelled objects (ships, stacks, buildings...) */
    double half_extent;    /* metres around the origin that the tile covers */
};

/* Builds the set and writes path (borrowed) with the core writer (gjwrite)
 * through safefile (atomic; no FILE~ backup). */
bool tgannot_write(const struct tgannot_image *images, int nimages, struct tggeo *geo,
                   const struct tgannot_options *opt, const char *path, struct diag *dg);

#endif
