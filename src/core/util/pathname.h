/*
 * pathname — file names taken apart as text, without touching the file
 * system. The one base-name helper: every file satmark writes names the
 * tile, register or annotations it rests on by base name, and they must
 * agree on what that is.
 *
 * Invariants: only '/' separates (satmark runs on POSIX systems); nothing is
 * allocated; results point into the caller's string.
 */
#ifndef SATMARK_PATHNAME_H
#define SATMARK_PATHNAME_H

/* The part of path (borrowed) after its last '/', or path itself when it
 * has none: "dir/tile.tif" -> "tile.tif", "dir/" -> "". Unlike basename(3)
 * it never modifies path and never drops a trailing slash. The result
 * points into path. */
const char *pathname_base(const char *path);

#endif
