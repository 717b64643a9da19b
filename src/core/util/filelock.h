/*
 * filelock — an advisory lock held for the read-modify-write of one file, so
 * that writers which each read FILE, change it and save it never lose each
 * other's changes (20 `satmark mark FILE add` at once: all 20 marks saved).
 *
 * Why a sidecar and not FILE itself: every save replaces FILE by rename(2)
 * (see safefile.h), so the name moves to a new inode; a waiter that locked
 * the old inode would go on to read a file that another writer already
 * replaced. The lock is flock(2) LOCK_EX on "FILE.lock", FILE being the
 * target after resolving a symbolic link (the same file reached by the link
 * or directly is one lock). The sidecar is removed at release while still
 * held; whoever then obtains the lock on the removed inode sees that the
 * name no longer refers to it and starts over, so the lock that counts is
 * always the one on the inode named FILE.lock, and no FILE.lock is left
 * behind by a finished writer (one killed mid-save leaves an unlocked one,
 * which the next writer reuses and removes).
 *
 * Advisory: every satmark writer of annotation files takes it (CLI mark,
 * viewer save); a text editor does not, and safefile_commit then reports the
 * lost race instead of claiming success. A waiter gives up after wait_s
 * seconds with "FILE: another program is saving it ...".
 */
#ifndef SATMARK_FILELOCK_H
#define SATMARK_FILELOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "diag.h"

#define FILELOCK_SUFFIX ".lock"
#define FILELOCK_DEFAULT_WAIT_S 60.0

struct filelock;

/* Locks path (borrowed) for writing: waits up to wait_s seconds. New handle,
 * release with filelock_release; NULL with "path: reason" on dg (cannot
 * create the lock file, e.g. a read-only directory, or the wait ran out). */
struct filelock *filelock_acquire(const char *path, double wait_s, struct diag *dg);

/* Removes the lock file, unlocks and frees lk. Accepts NULL. */
void filelock_release(struct filelock *lk);

/* The lock file's path; borrowed from lk. */
const char *filelock_path(const struct filelock *lk);

/* What a file on disk was when a program read it, to tell later whether
 * someone else saved it since (a satmark save always makes a new inode; an
 * editor writing in place changes the size or the modification time). */
struct filestamp {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    long long mtime_ns;
};

/* Fills *out (caller's) from path (borrowed; symbolic links followed). */
void filestamp_take(const char *path, struct filestamp *out);

/* True when a and b describe the same version of the file. */
bool filestamp_same(const struct filestamp *a, const struct filestamp *b);

#endif
