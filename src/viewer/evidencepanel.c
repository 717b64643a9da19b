/*
 * evidencepanel — the evidence status of each claim, as the claims report
 * computes it (src/core/evidence/evidence.h), for the viewer's claims panel.
 *
 * Why: linking a mark in the viewer is where an analyst decides what a mark
 * means; the panel must say at that moment what the link does to the claim
 * (supported only by real, registered imagery dated in the claim's window;
 * illustrative on synthetic tiles; contested by a place or occurrence
 * discrepancy), not just which stance was picked.
 *
 * Invariants: the report is rebuilt when the annotation set's generation
 * changes, and only while the panel is asked for it (the UI thread); the
 * imagery register beside the annotation file is read once. A register that
 * cannot be read leaves every tile unregistered, with the reason kept for
 * the panel. Everything here is owned by the viewer and freed by
 * evidencepanel_free.
 */
#include <stdio.h>
#include <string.h>

#include "evidence.h"
#include "viewer.h"

static void refresh(struct viewer_document *doc)
{
    if (!doc->claims || !doc->set)
        return;
    if (doc->evidence && doc->evidence_generation == annot_generation(doc->set))
        return;
    struct diag *dg = diag_new();
    if (!dg)
        return;
    if (!doc->evidence_tiles_tried) {
        doc->evidence_tiles_tried = true;
        const char *paths[1] = {doc->annot_path};
        if (doc->annot_path && !evidence_tiles_load(paths, 1, NULL, &doc->evidence_tiles, dg))
            snprintf(doc->evidence_problem, sizeof doc->evidence_problem, "%.250s",
                     diag_message(dg));
        diag_reset(dg);
    }
    evidence_report_free(doc->evidence);
    doc->evidence = NULL;
    const struct annot_set *sets[1] = {doc->set};
    const struct evidence_tile *tiles = doc->evidence_tiles ? doc->evidence_tiles->tiles : NULL;
    size_t ntiles = doc->evidence_tiles ? doc->evidence_tiles->ntiles : 0;
    if (evidence_evaluate(doc->claims, sets, 1, tiles, ntiles, &doc->evidence, dg))
        doc->evidence_generation = annot_generation(doc->set);
    diag_free(dg);
}

const struct evidence_claim *evidencepanel_claim(struct viewer_document *doc, const char *claim_id)
{
    refresh(doc);
    return doc->evidence ? evidence_report_find(doc->evidence, claim_id) : NULL;
}

const char *evidencepanel_problem(const struct viewer_document *doc)
{
    return doc->evidence_problem;
}

void evidencepanel_free(struct viewer_document *doc)
{
    evidence_report_free(doc->evidence);
    doc->evidence = NULL;
    evidence_tiles_free(doc->evidence_tiles);
    doc->evidence_tiles = NULL;
}
