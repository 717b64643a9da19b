/*
 * export_geojson — the GeoJSON backend of export (export_int.h). The text is
 * written by gjwrite's export writer (the only GeoJSON writer); this file
 * only streams it: the buffer is written to the file whenever it passes
 * 1 MiB, so memory does not grow with the export, and each feature's
 * properties exist only while it is written (EXPORT_PROPS_LATER).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dynbuf.h"
#include "export_int.h"
#include "gjwrite.h"

#define GEOJSON_FLUSH_BYTES ((size_t)1 << 20)

/* Writes what t holds to fp and empties it; false on a failed buffer or a
 * write error. */
static bool flush(struct dynbuf *t, FILE *fp)
{
    if (dynbuf_failed(t) || fwrite(dynbuf_str(t), 1, dynbuf_len(t), fp) != dynbuf_len(t))
        return false;
    dynbuf_reset(t);
    return true;
}

bool export_geojson_write(struct export_merged *m, const struct export_provenance *pv, FILE *fp,
                          const char *out_path, struct diag *dg)
{
    struct dynbuf t;
    dynbuf_init(&t, EXPORT_MAX_TEXT);
    bool ok = true;
    gjwrite_export_begin(&t, "satmark_provenance", pv->doc);
    for (size_t i = 0; ok && i < m->n; i++) {
        struct export_item *it = &m->items[i];
        if (!export_item_props(m, it, dg)) {
            dynbuf_free(&t);
            return false;
        }
        gjwrite_export_feature(&t, it->id, export_geometry(it->f), it->props, i + 1 == m->n);
        export_item_props_done(m, it);
        if (dynbuf_len(&t) > GEOJSON_FLUSH_BYTES)
            ok = flush(&t, fp);
    }
    gjwrite_export_end(&t);
    ok = ok && flush(&t, fp);
    if (!ok) {
        if (dynbuf_failed(&t))
            diag_error(dg, "%s: out of memory building the GeoJSON text", out_path);
        else
            diag_error(dg, "%s: cannot write: %s", out_path, strerror(errno));
    }
    dynbuf_free(&t);
    return ok;
}
