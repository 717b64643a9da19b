/*
 * fuzz_custody — libFuzzer target for the custody log verifier: any bytes
 * are a log that verifies or fails naming a line, never a crash; a log that
 * verifies gets one more entry appended, which must verify too (the chain
 * extends whatever the last line's formatting).
 */
#include <stdint.h>
#include <stdlib.h>

#include "custody.h"
#include "diag.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    const char *path = fuzz_input_file(data, size, ".custody.jsonl");
    size_t entries = 0;
    char head[HASH_SHA256_HEX_LEN + 1];
    if (custody_verify_head(path, &entries, head, dg)) {
        const char *names[] = {"fuzz.tif"};
        const char *hashes[] = {""};
        diag_reset(dg);
        if (custody_append(path, "fuzz", "verify", "fuzz", names, hashes, 1, dg)) {
            size_t after = 0;
            if (!custody_verify(path, &after, dg) || after != entries + 1)
                abort();
        }
    }
    diag_free(dg);
    return 0;
}
