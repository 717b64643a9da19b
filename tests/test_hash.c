/* Unit tests of hash: known SHA-256 vectors (FIPS 180-2) for buffers and files,
 * and the error for a missing file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

static void buffer_vectors(void **state)
{
    (void)state;
    char hex[HASH_SHA256_HEX_LEN + 1];
    hash_buffer_sha256("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hash_buffer_sha256("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void file_matches_buffer(void **state)
{
    (void)state;
    char path[] = "/tmp/satmark-hash-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    /* Larger than one read chunk, so the streaming path is exercised. */
    static char data[200000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 31u);
    fwrite(data, 1, sizeof data, f);
    fclose(f);
    char from_file[HASH_SHA256_HEX_LEN + 1], from_buffer[HASH_SHA256_HEX_LEN + 1];
    struct diag *dg = diag_new();
    assert_true(hash_file_sha256(path, from_file, dg));
    hash_buffer_sha256(data, sizeof data, from_buffer);
    assert_string_equal(from_file, from_buffer);
    remove(path);
    diag_free(dg);
}

static void missing_file_names_path(void **state)
{
    (void)state;
    char hex[HASH_SHA256_HEX_LEN + 1];
    struct diag *dg = diag_new();
    assert_false(hash_file_sha256("/nonexistent/x.tif", hex, dg));
    assert_non_null(strstr(diag_message(dg), "/nonexistent/x.tif"));
    assert_string_equal(hex, "");
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_vectors),
        cmocka_unit_test(file_matches_buffer),
        cmocka_unit_test(missing_file_names_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
