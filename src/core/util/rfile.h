/*
 * rfile — opening a file named by the user (or by a file the user gave) for
 * reading, so that no special file can hang or flood satmark.
 *
 * Why: fopen() of a FIFO blocks until some other process opens it for
 * writing (forever, in practice), and a device such as /dev/zero never ends.
 * So a file is opened once with O_NONBLOCK (opening a FIFO for reading then
 * returns at once), the *descriptor* is checked with fstat (no window
 * between a check by name and the open), anything but a regular file is
 * refused naming what it is, and the size is capped before anything is read.
 * Errors read "PATH: reason".
 */
#ifndef SATMARK_RFILE_H
#define SATMARK_RFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* Opens path (borrowed) for reading as described above; *size (may be NULL)
 * gets its size. max_bytes: larger files are refused (0: no cap). New
 * stream (fclose it); NULL with the reason on dg. */
FILE *rfile_open(const char *path, size_t max_bytes, size_t *size, struct diag *dg);

/* Reads all of path: new buffer of *len bytes plus a terminating NUL (free
 * with free()); NULL with the reason on dg. Same checks as rfile_open. */
char *rfile_read(const char *path, size_t max_bytes, size_t *len, struct diag *dg);

/* A regular file mapped read-only (rfile_map): text[0, len), not
 * NUL-terminated. For readers of large files that go through the text once:
 * the pages come from the page cache (no copy), and rfile_map_release drops
 * those already read from the process's memory, so the peak memory holds a
 * window of the file rather than all of it (gjfast releases every 8 MiB). A page touched again after its
 * release is read again from the file.
 *
 * A file another program truncates while it is mapped makes a page past
 * its new end raise SIGBUS when touched: readers touch the text only inside
 * rfile_guarded, which turns that into an error instead of a crash. */
struct rfile_map {
    const char *text; /* borrowed from the mapping until rfile_unmap */
    size_t len;
};

/* Maps path (borrowed) after the same checks as rfile_open. True with *m
 * filled (an empty file gives len 0 and no mapping); false with the reason
 * on dg. Unmap with rfile_unmap. */
bool rfile_map(const char *path, size_t max_bytes, struct rfile_map *m, struct diag *dg);
/* Releases the whole pages inside text[from, to) (see above). Thread-safe:
 * readers that go through separate parts of the text on separate threads
 * each release their own part. */
void rfile_map_release(const struct rfile_map *m, size_t from, size_t to);
/* Unmaps; m is zeroed. Accepts an unmapped (zeroed) m. */
void rfile_unmap(struct rfile_map *m);

/* Runs fn(arg) on this thread with SIGBUS (a mapped file that shrank under
 * us) turned into a return: false with *faulted true, fn cut short where it
 * touched the missing page (what it allocated by then may leak; it must not
 * hold a lock). Otherwise fn's result, *faulted false. Each thread that
 * touches a mapping calls it for itself; the handler is installed while any
 * thread is inside (thread-safe), and a SIGBUS outside a guarded call keeps
 * its previous disposition. */
bool rfile_guarded(bool (*fn)(void *arg), void *arg, bool *faulted);

/* Checks without reading that path is a regular file (or, with allow_dir, a
 * directory), by open + fstat of the descriptor: for paths another library
 * (GDAL) will open by name. True when it is; false with the reason on dg. */
bool rfile_check(const char *path, bool allow_dir, struct diag *dg);

#endif
