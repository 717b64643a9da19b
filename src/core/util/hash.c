/*
 * hash — see hash.h. Uses the EVP interface (the low-level SHA256_* calls are
 * deprecated in OpenSSL 3).
 */
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include "rfile.h"

static void to_hex(const unsigned char *digest, unsigned len, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * len] = '\0';
}

bool hash_file_sha256(const char *path, char hex[HASH_SHA256_HEX_LEN + 1], struct diag *dg)
{
    hex[0] = '\0';
    FILE *f = rfile_open(path, 0, NULL, dg); /* never a FIFO or device: rfile.h */
    if (!f)
        return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        fclose(f);
        diag_error(dg, "%s: cannot start SHA-256", path);
        return false;
    }
    unsigned char buf[1 << 16];
    size_t n;
    bool ok = true;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (EVP_DigestUpdate(md, buf, n) != 1)
            ok = false;
    if (ferror(f)) {
        diag_error(dg, "%s: read error: %s", path, strerror(errno));
        ok = false;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (ok && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == 32)
        to_hex(digest, len, hex);
    else if (ok) {
        diag_error(dg, "%s: SHA-256 failed", path);
        ok = false;
    }
    EVP_MD_CTX_free(md);
    fclose(f);
    return ok;
}

void hash_buffer_sha256(const void *data, size_t size, char hex[HASH_SHA256_HEX_LEN + 1])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(data, size, digest, &len, EVP_sha256(), NULL);
    to_hex(digest, len, hex);
}

bool hash_is_sha256_hex(const char *s)
{
    return s && strlen(s) == HASH_SHA256_HEX_LEN &&
           strspn(s, "0123456789abcdef") == HASH_SHA256_HEX_LEN;
}
