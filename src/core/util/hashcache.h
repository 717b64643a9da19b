/*
 * hashcache — SHA-256 of large files, remembered across runs.
 *
 * Why: every figure records the SHA-256 of its tile, and hashing a 60 MB
 * tile costs as much as drawing the whole figure. A user renders many
 * figures of one tile, so the hash is kept, as git and ccache keep theirs,
 * keyed on what the kernel says about the file: device, inode, size,
 * modification time and status-change time (ctime), all to the nanosecond.
 * Any write to the file, a rename over it or a copy in its place changes the
 * inode or ctime, and ctime cannot be set back by a program (only by
 * changing the system clock), so a kept hash is only reused for the same,
 * unchanged file.
 *
 * Invariants:
 *   - An entry is one small file in the cache directory, named after the
 *     key, holding the key's fields and the hash; it is used only when every
 *     field matches the file's current status and the hash is 64 hex digits.
 *   - Entries are written through safefile (a temporary file with an
 *     unpredictable name, mode 0600, renamed), so a reader never sees half
 *     an entry and nobody can plant one by guessing the temporary name.
 *   - The cache directory is created 0700 and used only while it is a real
 *     directory owned by this user and private to them; an entry is used
 *     only when it is a regular file owned by this user and writable by
 *     nobody else. Anything else is ignored (the file is hashed again).
 *   - A missing, unreadable, unwritable or untrusted cache only means
 *     hashing again: it never fails the caller.
 *   - Files under HASHCACHE_MIN_BYTES are hashed every time (faster than a
 *     lookup), and a file that changed while it was hashed is not kept.
 *   - Directory: the installed settings' cache_dir (settings.h: from
 *     $SATMARK_CACHE_DIR, else $XDG_CACHE_HOME/satmark, else
 *     $HOME/.cache/satmark), subdirectory sha256/; none, or hash_cache
 *     false (SATMARK_HASH_CACHE=off), turns the cache off.
 */
#ifndef SATMARK_HASHCACHE_H
#define SATMARK_HASHCACHE_H

#include <stdbool.h>

#include "diag.h"
#include "hash.h"

#define HASHCACHE_MIN_BYTES (4L * 1024 * 1024)

/* As hash_file_sha256 (path borrowed; hex: caller's buffer), but a large
 * file's hash is taken from the cache when the file is unchanged, and kept
 * there after it is computed. *from_cache (may be NULL) tells which. On
 * failure (the file cannot be read) returns false with "path: reason" on dg. */
bool hashcache_sha256(const char *path, char hex[HASH_SHA256_HEX_LEN + 1], bool *from_cache,
                      struct diag *dg);

/* Hashes path (borrowed) again whatever the cache holds (render
 * --verify-hash), warns on dg when the cache held another hash, and keeps
 * the new one. Same failure as hash_file_sha256. */
bool hashcache_verify(const char *path, char hex[HASH_SHA256_HEX_LEN + 1], struct diag *dg);

/* Only the cache: true with the kept hash in hex when path (borrowed) is
 * unchanged since its hash was kept; false otherwise (nothing is hashed). */
bool hashcache_lookup(const char *path, char hex[HASH_SHA256_HEX_LEN + 1]);

#endif
