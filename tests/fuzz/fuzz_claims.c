/*
 * fuzz_claims — libFuzzer target for the claims catalog reader: any bytes
 * give a valid catalog or an error; a catalog that was read is also
 * evaluated against an empty annotation set (the report code walks every
 * claim, check and discrepancy it accepted), and its evidence status
 * computed (lineage through derived_from).
 */
#include <stdint.h>
#include <stdlib.h>

#include "annot.h"
#include "claims.h"
#include "diag.h"
#include "evidence.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag *dg = diag_new();
    if (!dg)
        return 0;
    char *text = fuzz_input_string(data, size);
    struct claims_catalog *cat = NULL;
    if (claims_catalog_parse(text, "fuzz-claims.json", &cat, dg)) {
        struct annot_set *set = annot_set_new();
        const struct annot_set *sets[1] = {set};
        struct claims_report *report = NULL;
        diag_reset(dg);
        if (set && claims_evaluate(cat, sets, 1, &report, dg))
            claims_report_free(report);
        /* and the evidence status, which also walks derived_from and the
         * discrepancies */
        struct evidence_report *ev = NULL;
        if (set && evidence_evaluate(cat, sets, 1, NULL, 0, &ev, dg))
            evidence_report_free(ev);
        annot_set_free(set);
    }
    claims_catalog_free(cat);
    free(text);
    diag_free(dg);
    return 0;
}
