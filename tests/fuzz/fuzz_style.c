/*
 * fuzz_style — libFuzzer target for the style reader (assets/style.json's
 * format), through the shared scratch file since it opens by path.
 */
#include <stdint.h>

#include "diag.h"
#include "fuzz_input.h"
#include "style.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    const char *path = fuzz_input_file(data, size, ".json");
    struct style *st = NULL;
    if (style_load(path, &st, dg))
        style_free(st);
    diag_free(dg);
    return 0;
}
