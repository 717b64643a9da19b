/*
 * journal — the viewer's autosave journal: a copy of the unsaved annotation
 * set kept beside the annotation file (FILE.journal), so a crash or a kill
 * loses at most a few seconds of work.
 *
 * Why a separate file and not saving FILE itself: saving is the user's act
 * (FILE is evidence others may read); the journal only protects work in
 * progress. It is written atomically through safefile (temporary file in the same directory,
 * fsync, rename, fsync of the directory), so a kill at any moment leaves the
 * previous journal or the new one, whole. It is deleted when FILE is saved or
 * the user discards the changes.
 *
 * Format: one header line of JSON
 *   {"satmark_journal":1,"target":"dunai.geojson","target_sha256":"<hex or empty>",
 *    "written":"YYYY-MM-DDTHH:MM:SSZ","features":N}
 * followed by the annotation set exactly as gjson writes a file. The target's
 * SHA-256 at the time of writing lets recovery say when FILE changed since.
 */
#ifndef SATMARK_JOURNAL_H
#define SATMARK_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annot.h"
#include "diag.h"
#include "hash.h"

#define JOURNAL_SUFFIX ".journal"
#define JOURNAL_FORMAT_VERSION 1

/* The journal path for an annotation file: new string target + ".journal"
 * (free with free()); NULL on out of memory. target borrowed. */
char *journal_path_for(const char *target);

/* True when a journal exists at journal_path (borrowed). */
bool journal_exists(const char *journal_path);

/* Writes set (borrowed) atomically to journal_path as described above;
 * target (borrowed) is the annotation file it protects (its name and current
 * SHA-256 go into the header; a missing target is recorded as ""). */
bool journal_write(const char *journal_path, const char *target, const struct annot_set *set,
                   struct diag *dg);

struct journal_info {
    char target[256];                              /* file name from the header */
    char target_sha256[HASH_SHA256_HEX_LEN + 1];   /* "" when the target did not exist */
    char written[32];                              /* when the journal was written */
    size_t features;
    /* True when the target's SHA-256 now differs from the header's (the file
     * was saved or changed by something else after the journal). */
    bool target_changed;
};

/* Reads the journal at journal_path (borrowed) written for target (borrowed):
 * fills info (caller's) and returns a new set in *out (free with
 * annot_set_free). Fails with "journal_path: reason" (a broken header, a
 * GeoJSON error with its line, or a feature count that does not match).
 * Warnings from reading the GeoJSON go to dg. */
bool journal_read(const char *journal_path, const char *target, struct journal_info *info,
                  struct annot_set **out, struct diag *dg);

/* Deletes the journal; a missing journal is not an error. */
bool journal_remove(const char *journal_path, struct diag *dg);

/* When to write: the set changed (generation differs from the one last
 * journalled), it has unsaved changes, and at least interval_s seconds
 * passed since the last write (or since the session started). So at most
 * interval_s seconds of work are ever missing from the journal. Pure. */
bool journal_due(uint64_t generation_now, uint64_t generation_written, bool unsaved,
                 double now_s, double last_write_s, double interval_s);

#endif
