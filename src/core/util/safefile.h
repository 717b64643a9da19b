/*
 * safefile — atomic replacement of a file: the one place that implements
 * "save so that a crash never leaves a half-written file".
 *
 * Why: annotation files are evidence, journals protect unsaved work and
 * exports are handed to others; a crash, a kill or a full disk must leave the
 * target either the old version or the new one, whole, never a mix. Writing
 * in place cannot promise that, so every save follows one protocol:
 *
 *   1. The new content goes to a temporary file in the target's own
 *      directory (mkstemp "FILE.tmpXXXXXX"), so the final rename stays on one
 *      file system and is atomic. A target that exists but is not a regular
 *      file (directory, FIFO, device) is refused before anything is written.
 *   2. Commit: the temporary file is flushed and fsync'ed (its data is on
 *      disk before its name can replace the target) and given the target's
 *      current permission bits (or opt->new_file_mode for a new target).
 *   3. Optional backup: the current FILE becomes FILE~ through a hard link to
 *      a temporary name ("FILE~.lnkXXXXXX") renamed over FILE~, so FILE~ is
 *      at every moment a whole old version; where hard links are not
 *      supported the old content is copied ("FILE~.cpyXXXXXX", fsync'ed).
 *   4. The temporary file is renamed over FILE, then the directory is
 *      fsync'ed so the rename itself survives a power loss (file systems that
 *      cannot sync a directory, EINVAL/EROFS, are accepted).
 *   Abort (or any failure) removes the temporary file; the target and FILE~
 *   are untouched unless the failure is the final directory sync.
 *
 * Two ways to produce the content: stream it into safefile_stream() (begun
 * with safefile_begin), or let another writer (an OGR driver, which wants to
 * create the file itself, may add side files and cares about the extension)
 * create the file at safefile_temp_path() (begun with safefile_reserve,
 * which makes a fresh private directory beside the target and names a file
 * with the target's base name inside it; the directory and anything left in
 * it are removed at commit or abort).
 *
 * Where FILE is a symbolic link, the link's target is saved (and FILE~ sits
 * beside the target); the link itself stays. A FILE that exists but is
 * read-only (no write bit, or not writable by this user) is refused: a
 * read-only evidence file is not replaced behind its owner's back. After the
 * rename, commit checks that FILE is the file just written (else another
 * program replaced it meanwhile, and the save is reported as failed).
 *
 * Errors name the target: "FILE: reason".
 */
#ifndef SATMARK_SAFEFILE_H
#define SATMARK_SAFEFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "diag.h"

struct safefile;

struct safefile_options {
    bool keep_backup;     /* keep the previous FILE as FILE~ */
    mode_t new_file_mode; /* permission bits when FILE does not exist yet; 0 = 0644 */
    /* No fsync of the file or the directory (steps 2 and 4), for content
     * that can be made again at will (rendered figures): the replacement is
     * still atomic for every reader and after a crash of the process, but
     * not guaranteed to survive a power loss. */
    bool skip_sync;
};

/* Starts saving path (borrowed; copied): creates the temporary file beside
 * it. New handle: finish with safefile_commit or safefile_abort. NULL with
 * "path: reason" on dg when path is not a regular file or the temporary file
 * cannot be created (e.g. a missing directory). */
struct safefile *safefile_begin(const char *path, struct diag *dg);

/* Starts saving path for another writer: creates a fresh directory
 * "<dir of path>/<tag>-XXXXXX" (tag borrowed, e.g. ".satmark-export") and
 * names the file <base name of path> inside it; nothing is created there.
 * New handle: finish with safefile_commit or safefile_abort. */
struct safefile *safefile_reserve(const char *path, const char *tag, struct diag *dg);

/* The stream to write the content into (safefile_begin only; NULL for a
 * reserved handle). Borrowed until commit/abort; do not fclose it. */
FILE *safefile_stream(struct safefile *sf);

/* The temporary file's path; borrowed until commit/abort. */
const char *safefile_temp_path(const struct safefile *sf);

/* The target path; borrowed until commit/abort. */
const char *safefile_target(const struct safefile *sf);

/* Commits as described above and frees sf (always, also on failure, when the
 * temporary file is removed). opt may be NULL (no backup, new files 0644). */
bool safefile_commit(struct safefile *sf, const struct safefile_options *opt, struct diag *dg);

/* Removes the temporary file (and a reserved directory) and frees sf; the
 * target is untouched. Accepts NULL. */
void safefile_abort(struct safefile *sf);

/* path (borrowed) with its symbolic link resolved when path is one, else a
 * copy: new string (free with free()). NULL with "path: reason" when the
 * link's target cannot be reached. */
char *safefile_resolve(const char *path, struct diag *dg);

/* Convenience: atomic save of len bytes of data (borrowed) to path. */
bool safefile_write(const char *path, const void *data, size_t len,
                    const struct safefile_options *opt, struct diag *dg);

#endif
