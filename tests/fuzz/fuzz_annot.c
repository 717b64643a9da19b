/*
 * fuzz_annot — libFuzzer target for the annotation reader (gjson): any bytes
 * must give a set or an error, never a crash, leak or sanitizer report. A set
 * that was read is also written back (gjwrite) and read again, since a file
 * satmark accepted must survive its own round trip. The fast reader in
 * front of it (gjfast) must agree with gjson on every input: the same
 * success, the same error, and the same set written back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "diag.h"
#include "gjfast.h"
#include "gjson.h"
#include "gjwrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* gjfast against gjson on the same bytes: abort on any difference. */
static void check_fast_path_agrees(const uint8_t *data, size_t size, const struct annot_set *set,
                                   const struct diag *slow_dg)
{
    struct diag *dg = diag_new();
    if (!dg)
        return;
    struct annot_set *fast = NULL;
    bool ok = gjfast_read_buffer("fuzz.geojson", (const char *)data, size, &fast, dg);
    if (ok != (set != NULL))
        abort();
    if (!ok && strcmp(diag_message(dg), diag_message(slow_dg)) != 0)
        abort();
    if (diag_warning_count(dg) != diag_warning_count(slow_dg))
        abort();
    for (size_t i = 0; i < diag_warning_count(dg); i++)
        if (strcmp(diag_warning(dg, i), diag_warning(slow_dg, i)) != 0)
            abort();
    if (ok) {
        size_t la = 0, lb = 0;
        struct diag *wd = diag_new();
        char *a = wd ? gjwrite_string(set, &la, wd) : NULL;
        char *b = wd ? gjwrite_string(fast, &lb, wd) : NULL;
        if (a && b && (la != lb || memcmp(a, b, la) != 0))
            abort();
        free(a);
        free(b);
        diag_free(wd);
    }
    annot_set_free(fast);
    diag_free(dg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    struct annot_set *set = NULL;
    bool read = gjson_read_buffer("fuzz.geojson", (const char *)data, size, &set, dg);
    check_fast_path_agrees(data, size, read ? set : NULL, dg);
    if (read) {
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
