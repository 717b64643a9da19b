/*
 * fuzz_manifest — libFuzzer target for the batch manifest reader (it opens by
 * path, so the bytes go through the shared scratch file).
 */
#include <stdint.h>

#include "diag.h"
#include "fuzz_input.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    const char *path = fuzz_input_file(data, size, ".manifest");
    struct manifest *m = NULL;
    if (manifest_read(path, "fuzz-out", &m, dg)) {
        /* Touch every figure the reader accepted. */
        volatile size_t names = 0;
        for (size_t i = 0; i < manifest_count(m); i++)
            names += manifest_figure_at(m, i)->name[0] != '\0';
        (void)names;
    }
    manifest_free(m);
    diag_free(dg);
    return 0;
}
