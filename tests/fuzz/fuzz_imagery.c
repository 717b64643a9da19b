/*
 * fuzz_imagery — libFuzzer target for the imagery register reader: any bytes
 * give a valid register or an error naming the file; a register that was
 * read is walked the way export and figures walk it (lookups by hash and
 * name, an entry's path, its JSON) and written back to memory form.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "fuzz_input.h"
#include "imagery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    const char *path = fuzz_input_file(data, size, ".json");
    struct imagery_register *reg = NULL;
    if (imagery_register_read(path, &reg, dg)) {
        for (size_t i = 0; i < imagery_count(reg); i++) {
            const struct imagery_entry *e = imagery_at(reg, i);
            enum imagery_match how;
            if (imagery_match(reg, e->file, e->sha256, &how) != e)
                abort(); /* hashes are unique: the lookup must find this entry */
            char out[4096];
            (void)imagery_entry_path(reg, e, out, sizeof out);
            json_decref(imagery_entry_to_json(e));
        }
    }
    imagery_register_free(reg);
    diag_free(dg);
    return 0;
}
