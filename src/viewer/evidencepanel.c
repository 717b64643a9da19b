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

static void refresh(struct viewer *vw)
{
    if (!vw->claims || !vw->set)
        return;
    if (vw->evidence && vw->evidence_generation == annot_generation(vw->set))
        return;
    struct diag *dg = diag_new();
    if (!dg)
        return;
    if (!vw->evidence_tiles_tried) {
        vw->evidence_tiles_tried = true;
        const char *paths[1] = {vw->annot_path};
        if (vw->annot_path &&
            !evidence_tiles_load(paths, 1, NULL, &vw->evidence_tiles, dg))
            snprintf(vw->evidence_problem, sizeof vw->evidence_problem, "%.250s",
                     diag_message(dg));
        diag_reset(dg);
    }
    evidence_report_free(vw->evidence);
    vw->evidence = NULL;
    const struct annot_set *sets[1] = {vw->set};
    const struct evidence_tile *tiles = vw->evidence_tiles ? vw->evidence_tiles->tiles : NULL;
    size_t ntiles = vw->evidence_tiles ? vw->evidence_tiles->ntiles : 0;
    if (evidence_evaluate(vw->claims, sets, 1, tiles, ntiles, &vw->evidence, dg))
        vw->evidence_generation = annot_generation(vw->set);
    diag_free(dg);
}

const struct evidence_claim *evidencepanel_claim(struct viewer *vw, const char *claim_id)
{
    refresh(vw);
    return vw->evidence ? evidence_report_find(vw->evidence, claim_id) : NULL;
}

const char *evidencepanel_problem(const struct viewer *vw)
{
    return vw->evidence_problem;
}

void evidencepanel_free(struct viewer *vw)
{
    evidence_report_free(vw->evidence);
    vw->evidence = NULL;
    evidence_tiles_free(vw->evidence_tiles);
    vw->evidence_tiles = NULL;
}
