/*
 * labelgroup — one label for a cluster of neighbouring marks of one class
 * that carry the same label (17 "Container yard block" labels side by side
 * become one "Container yard blocks (17)"). Used by render_label.c for figures and
 * the viewer alike, so both group the same way. Pure: positions are output
 * pixels the caller computed; no Cairo.
 *
 * Two marks are neighbours when their anchors are within max_gap output
 * pixels; a group is a chain of neighbours (single linkage) with the same
 * class and the same label text (compared exactly after trimming spaces).
 * Groups of at least LABELGROUP_MIN members get one label; smaller ones
 * keep their own labels (two labels of a pair are not clutter).
 */
#ifndef SATMARK_LABELGROUP_H
#define SATMARK_LABELGROUP_H

#include <stdbool.h>
#include <stddef.h>

#define LABELGROUP_MIN 3

struct labelgroup_item {
    const char *label; /* borrowed; NULL or "" = no label (never grouped) */
    int cls;
    double x, y;       /* label anchor, output pixels */
};

/* For each of the n items (borrowed) writes into leader[i] the index of the
 * item that speaks for its group (the member nearest the group's centroid)
 * and into count[i] the group's size (1 for an item on its own; leaders and
 * members of a group alike). Items in groups smaller than LABELGROUP_MIN get
 * leader[i] = i, count[i] = 1. False only on out of memory (leader[i] = i,
 * count[i] = 1 then, as without grouping). */
bool labelgroup_assign(const struct labelgroup_item *items, size_t n, double max_gap,
                       size_t *leader, size_t *count);

/* The label of a group: "LABEL (COUNT)" with the last word of an English
 * label put in the plural ("Container yard block" -> "Container yard blocks
 * (17)"; "Munitions pit" -> "Munitions pits (6)"); a label not ending in a
 * lowercase ASCII letter keeps its text. Written into out (caller's, cap
 * bytes, always terminated). */
void labelgroup_caption(const char *label, size_t count, char *out, size_t cap);

#endif
