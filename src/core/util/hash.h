/*
 * hash — SHA-256 of files, as lowercase hex, through OpenSSL's libcrypto.
 * Observations record the SHA-256 of the image a mark was made on so a reader
 * can prove which file the evidence came from.
 */
#ifndef SATMARK_HASH_H
#define SATMARK_HASH_H

#include <stdbool.h>

#include "diag.h"

#define HASH_SHA256_HEX_LEN 64

/* Writes the SHA-256 of the file at path (borrowed) into hex (caller's buffer of
 * HASH_SHA256_HEX_LEN + 1 bytes, NUL-terminated). Reads in bounded chunks, so
 * any file size works. On failure returns false with "path: reason" on dg. */
bool hash_file_sha256(const char *path, char hex[HASH_SHA256_HEX_LEN + 1], struct diag *dg);

/* True when s (borrowed) is a SHA-256 as written here: exactly 64 lowercase
 * hexadecimal digits. */
bool hash_is_sha256_hex(const char *s);

/* SHA-256 of a memory buffer (borrowed) into hex as above. */
void hash_buffer_sha256(const void *data, size_t size, char hex[HASH_SHA256_HEX_LEN + 1]);

#endif
