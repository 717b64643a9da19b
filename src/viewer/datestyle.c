/*
 * datestyle — the viewer's side of marks observed on other dates
 * (markdate.h): the overlays are classified against the image each side of
 * the view shows, so in compare mode each side ghosts the other date's
 * marks; key D cycles how those are drawn (ghosted / hidden / shown like this
 * image's marks, render_marks_options.other_dates); the status bar says
 * which, whenever such marks exist.
 *
 * The image's SHA-256 is computed on a thread after start-up, so overlays
 * are first classified by file name and acquisition date, and again with the
 * hash once it is known, only when it changes some mark's classification (a
 * renamed or changed file). Runs on the UI thread only.
 */
#include <stdio.h>

#include "viewer.h"

static struct markdate_image image_of(struct image_layer *img, bool *with_hash)
{
    bool hashed = atomic_load(&img->hash_done) && img->hash_ok;
    if (with_hash)
        *with_hash = hashed;
    return (struct markdate_image){img->name, hashed ? img->sha256 : NULL, img->acquired};
}

struct render_overlay *datestyle_overlay(struct viewer *vw, struct image_layer *img,
                                         struct geo_ref *geo, size_t *other_dates,
                                         struct diag *dg)
{
    bool with_hash;
    struct markdate_image match = image_of(img, &with_hash);
    const struct annot_set *sets[1] = {vw->doc.set};
    struct render_overlay *ov =
        render_overlay_new_dated(geo, sets, 1, &match, true, other_dates, dg);
    if (ov && with_hash)
        img->classified_with_hash = true;
    return ov;
}

bool datestyle_hash_changes(struct viewer *vw, struct image_layer *img)
{
    if (img->classified_with_hash || !img->overlay_built || !atomic_load(&img->hash_done))
        return false;
    if (!img->hash_ok) {
        img->classified_with_hash = true; /* nothing better will come */
        return false;
    }
    struct markdate_image by_name = {img->name, NULL, img->acquired};
    struct markdate_image exact = image_of(img, NULL);
    for (size_t i = 0; i < annot_count(vw->doc.set); i++) {
        const struct annot_feature *f = annot_get(vw->doc.set, i);
        if (markdate_classify(f, &by_name) != markdate_classify(f, &exact))
            return true;
    }
    img->classified_with_hash = true;
    return false;
}

bool datestyle_hidden(struct viewer *vw, const struct annot_feature *f)
{
    if (vw->ui.other_dates != RENDER_OTHER_HIDDEN)
        return false;
    struct markdate_image match = image_of(&vw->imagery.a, NULL);
    return markdate_classify(f, &match) == MARKDATE_OTHER_DATES;
}

static const char *state_words(enum render_other_dates state)
{
    switch (state) {
    case RENDER_OTHER_HIDDEN:
        return "hidden";
    case RENDER_OTHER_NORMAL:
        return "shown as this date's";
    case RENDER_OTHER_GHOSTED:
    default:
        return "ghosted";
    }
}

void datestyle_cycle(struct viewer *vw)
{
    switch (vw->ui.other_dates) {
    case RENDER_OTHER_GHOSTED:
        vw->ui.other_dates = RENDER_OTHER_HIDDEN;
        viewer_message(vw, false, "Marks of other dates: hidden");
        break;
    case RENDER_OTHER_HIDDEN:
        vw->ui.other_dates = RENDER_OTHER_NORMAL;
        viewer_message(vw, false, "Marks of other dates: shown like this date's (labels keep "
                                  "their date)");
        break;
    case RENDER_OTHER_NORMAL:
    default:
        vw->ui.other_dates = RENDER_OTHER_GHOSTED;
        viewer_message(vw, false, "Marks of other dates: ghosted (dashed, with their date)");
        break;
    }
    viewer_invalidate(vw);
}

void datestyle_status(const struct viewer *vw, char *buf, size_t size)
{
    size_t n = vw->imagery.a.other_dates + (vw->imagery.has_b ? vw->imagery.b.other_dates : 0);
    if (n == 0) {
        snprintf(buf, size, "%s", "");
        return;
    }
    snprintf(buf, size, "other dates %s (D)", state_words(vw->ui.other_dates));
}
