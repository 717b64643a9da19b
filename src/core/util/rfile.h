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

/* Checks without reading that path is a regular file (or, with allow_dir, a
 * directory), by open + fstat of the descriptor: for paths another library
 * (GDAL) will open by name. True when it is; false with the reason on dg. */
bool rfile_check(const char *path, bool allow_dir, struct diag *dg);

#endif
