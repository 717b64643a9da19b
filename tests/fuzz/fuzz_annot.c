/*
 * fuzz_annot — libFuzzer target for the annotation reader (gjson): any bytes
 * must give a set or an error, never a crash, leak or sanitizer report. A set
 * that was read is also written back (gjwrite) and read again, since a file
 * satmark accepted must survive its own round trip.
 */
#include <stdint.h>
#include <stdlib.h>

#include "annot.h"
#include "diag.h"
#include "gjson.h"
#include "gjwrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    struct annot_set *set = NULL;
    if (gjson_read_buffer("fuzz.geojson", (const char *)data, size, &set, dg)) {
        size_t len = 0;
        diag_reset(dg);
        char *text = gjwrite_string(set, &len, dg);
        if (text) {
            struct annot_set *again = NULL;
            diag_reset(dg);
            if (!gjson_read_buffer("fuzz-roundtrip.geojson", text, len, &again, dg) ||
                annot_count(again) != annot_count(set))
                abort(); /* what satmark writes, satmark must read back whole */
            annot_set_free(again);
        }
        free(text);
    }
    annot_set_free(set);
    diag_free(dg);
    return 0;
}
