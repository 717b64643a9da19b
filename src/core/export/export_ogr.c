/*
 * export_ogr — the OGR backend of export (export_int.h): GeoPackage and
 * FlatGeobuf, written by GDAL's drivers into a path safefile reserved (a
 * private directory beside the target, committed by export.c). One layer
 * "annotations" in EPSG:4326 with lon/lat order (OAMS_TRADITIONAL_GIS_ORDER),
 * every export attribute a string field (claims and observations with the
 * JSON subtype), features in one transaction. GDAL's errors are captured by
 * gdalguard onto our diag, with GDAL's own words as the reason.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "cpucount.h"
#include "export_int.h"
#include "gdalguard.h"
#include "raster.h"
#include "settings.h"

static OGRGeometryH ogr_ring_or_line(const struct annot_part *part, OGRwkbGeometryType type)
{
    OGRGeometryH g = OGR_G_CreateGeometry(type);
    if (!g)
        return NULL;
    for (size_t i = 0; i < part->n; i++) {
        if (part->alt)
            OGR_G_AddPoint(g, part->pts[i].lon, part->pts[i].lat, part->alt[i]);
        else
            OGR_G_AddPoint_2D(g, part->pts[i].lon, part->pts[i].lat);
    }
    return g;
}

/* Adds a copy of part (new, destroyed here either way: whether GDAL's
 * "Directly" variant frees a refused part differs between versions, so the
 * copying call keeps ownership plain). */
static bool add_part(OGRGeometryH container, OGRGeometryH part)
{
    if (!part)
        return false;
    bool ok = OGR_G_AddGeometry(container, part) == OGRERR_NONE;
    OGR_G_DestroyGeometry(part);
    return ok;
}

static OGRGeometryH ogr_polygon(const struct annot_geometry *g, size_t first, size_t end)
{
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    for (size_t r = first; poly && r < end; r++) {
        OGRGeometryH ring = ogr_ring_or_line(&g->parts[r], wkbLinearRing);
        if (!add_part(poly, ring)) {
            OGR_G_DestroyGeometry(poly);
            return NULL;
        }
    }
    return poly;
}

/* New OGR geometry for g (NULL for a null geometry or on failure; *ok says which). */
static OGRGeometryH ogr_geometry(const struct annot_geometry *g, bool *ok)
{
    OGRGeometryH out = NULL, part;
    *ok = true;
    switch (g->type) {
    case ANNOT_GEOM_NONE:
        return NULL;
    case ANNOT_GEOM_POINT:
        out = OGR_G_CreateGeometry(wkbPoint);
        if (out && g->parts[0].alt)
            OGR_G_SetPoint(out, 0, g->parts[0].pts[0].lon, g->parts[0].pts[0].lat,
                           g->parts[0].alt[0]);
        else if (out)
            OGR_G_SetPoint_2D(out, 0, g->parts[0].pts[0].lon, g->parts[0].pts[0].lat);
        break;
    case ANNOT_GEOM_LINESTRING:
        out = ogr_ring_or_line(&g->parts[0], wkbLineString);
        break;
    case ANNOT_GEOM_POLYGON:
        out = ogr_polygon(g, 0, g->nparts);
        break;
    case ANNOT_GEOM_MULTIPOINT:
        out = OGR_G_CreateGeometry(wkbMultiPoint);
        for (size_t i = 0; out && i < g->parts[0].n; i++) {
            struct annot_part one = {.n = 1,
                                     .pts = &g->parts[0].pts[i],
                                     .alt = g->parts[0].alt ? &g->parts[0].alt[i] : NULL};
            struct annot_geometry pt = {.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &one};
            bool sub_ok;
            part = ogr_geometry(&pt, &sub_ok);
            if (!add_part(out, part))
                goto fail;
        }
        break;
    case ANNOT_GEOM_MULTILINESTRING:
        out = OGR_G_CreateGeometry(wkbMultiLineString);
        for (size_t i = 0; out && i < g->nparts; i++) {
            part = ogr_ring_or_line(&g->parts[i], wkbLineString);
            if (!add_part(out, part))
                goto fail;
        }
        break;
    case ANNOT_GEOM_MULTIPOLYGON:
        out = OGR_G_CreateGeometry(wkbMultiPolygon);
        for (size_t first = 0; out && first < g->nparts;) {
            size_t end = annot_geometry_member_end(g, first);
            part = ogr_polygon(g, first, end);
            if (!add_part(out, part))
                goto fail;
            first = end;
        }
        break;
    case ANNOT_GEOM_COLLECTION:
        out = OGR_G_CreateGeometry(wkbGeometryCollection);
        for (size_t i = 0; out && i < g->nmembers; i++) {
            bool sub_ok;
            part = ogr_geometry(&g->members[i], &sub_ok);
            if (!add_part(out, part))
                goto fail;
        }
        break;
    }
    if (!out)
        *ok = false;
    return out;
fail:
    OGR_G_DestroyGeometry(out);
    *ok = false;
    return NULL;
}

static bool ogr_create_fields(OGRLayerH layer, const struct export_merged *m)
{
    size_t total = EXPORT_NFIXED + m->nextra;
    for (size_t k = 0; k < total; k++) {
        const char *name = k < EXPORT_NFIXED ? export_fixed_fields[k] : m->extra_keys[k - EXPORT_NFIXED];
        OGRFieldDefnH fld = OGR_Fld_Create(name, OFTString);
        if (k < EXPORT_NFIXED && (strcmp(name, "claims") == 0 || strcmp(name, "observations") == 0))
            OGR_Fld_SetSubType(fld, OFSTJSON);
        OGRErr err = OGR_L_CreateField(layer, fld, TRUE);
        OGR_Fld_Destroy(fld);
        if (err != OGRERR_NONE)
            return false;
    }
    return true;
}

/* The item's attributes and geometry into feat (its FID cleared for the
 * driver to set); fields[k] is attribute k's field index (negative: the
 * driver renamed it, and already warned). False with the error on dg. */
static bool ogr_fill_feature(OGRFeatureH feat, struct export_merged *m, struct export_item *it,
                             const int *fields, struct export_texts *t, const char *path,
                             struct diag *dg)
{
    if (!export_item_texts(m, it, t, dg)) {
        export_item_texts_done(m, it);
        return false;
    }
    for (size_t k = 0; k < t->n; k++) {
        if (fields[k] < 0)
            continue;
        if (t->text[k])
            OGR_F_SetFieldString(feat, fields[k], t->text[k]); /* OGR copies it */
        else
            OGR_F_SetFieldNull(feat, fields[k]);
    }
    export_item_texts_done(m, it);
    bool geom_ok;
    OGRGeometryH geom = ogr_geometry(export_geometry(it->f), &geom_ok);
    if (!geom_ok) {
        diag_error(dg, "%s: feature \"%s\": cannot build its geometry", path, it->id);
        return false;
    }
    OGR_F_SetGeometryDirectly(feat, geom); /* NULL for a null geometry */
    OGR_F_SetFID(feat, OGRNullFID);
    return true;
}

/* Writes feat (item it) into layer; false with the error on dg. */
static bool ogr_create(OGRLayerH layer, OGRFeatureH feat, const struct export_item *it,
                       const struct gdalguard *g, struct diag *dg)
{
    if (OGR_L_CreateFeature(layer, feat) == OGRERR_NONE && g->errors == 0)
        return true;
    diag_error(dg, "%s: feature \"%s\": %s", g->path, it->id,
               gdalguard_reason(g, "the driver refused it"));
    return false;
}

/* Making an item's OGR feature (texts, fields, geometry) and the driver's
 * writing it cost about the same, so with a second CPU a filler thread
 * fills features into a ring of OGR_SLOTS while this thread writes them in
 * item order (issue 14: a FlatGeobuf export of a million points). The
 * filler owns m (its caches and counts), its texts and its own diag until
 * it is joined; the writer owns layer and dg. Synchronised by one mutex and
 * one condition: filled and written only grow, slot i % OGR_SLOTS is the
 * filler's while i - written < OGR_SLOTS and the writer's once filled > i.
 * A side that waits is woken only when OGR_BATCH items are ready for it
 * (or the end or an error came), so the threads do not wake each other for
 * every feature. */
#define OGR_SLOTS 256
#define OGR_BATCH 64

struct ogr_ring {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    OGRFeatureH slot[OGR_SLOTS];
    /* under lock */
    size_t filled, written; /* items */
    bool filler_waiting, writer_waiting;
    bool filler_failed, stop;
    /* the filler's */
    struct export_merged *m;
    const int *fields;
    struct export_texts texts;
    const char *path;
    struct diag *dg; /* its own: dg is the writer's meanwhile */
};

/* Under lock: wakes the writer when it waits and a batch (or the rest) is
 * filled, or the filler failed. */
static void wake_writer(struct ogr_ring *r)
{
    if (r->writer_waiting &&
        (r->filled - r->written >= OGR_BATCH || r->filled == r->m->n || r->filler_failed))
        pthread_cond_signal(&r->changed);
}

/* Under lock: wakes the filler when it waits and a batch of slots is free,
 * or the writer stopped. */
static void wake_filler(struct ogr_ring *r)
{
    if (r->filler_waiting && (r->filled - r->written <= OGR_SLOTS - OGR_BATCH || r->stop))
        pthread_cond_signal(&r->changed);
}

static void *ogr_filler(void *arg)
{
    struct ogr_ring *r = arg;
    /* GDAL errors of this thread (there should be none) are kept, not printed */
    struct gdalguard g;
    gdalguard_begin(&g, r->path, false, r->dg);
    for (size_t i = 0; i < r->m->n; i++) {
        pthread_mutex_lock(&r->lock);
        if (i - r->written >= OGR_SLOTS) {
            r->filler_waiting = true;
            while (i - r->written > OGR_SLOTS - OGR_BATCH && !r->stop)
                pthread_cond_wait(&r->changed, &r->lock);
            r->filler_waiting = false;
        }
        bool stop = r->stop;
        pthread_mutex_unlock(&r->lock);
        if (stop)
            break;
        bool ok = ogr_fill_feature(r->slot[i % OGR_SLOTS], r->m, &r->m->items[i], r->fields,
                                   &r->texts, r->path, r->dg);
        if (ok && g.errors) {
            diag_error(r->dg, "%s: feature \"%s\": %s", r->path, r->m->items[i].id,
                       g.first_error);
            ok = false;
        }
        pthread_mutex_lock(&r->lock);
        if (ok)
            r->filled = i + 1;
        else
            r->filler_failed = true;
        wake_writer(r);
        pthread_mutex_unlock(&r->lock);
        if (!ok)
            break;
    }
    gdalguard_end(&g);
    return NULL;
}

/* The filler's warnings (and error) onto dg, after it was joined. */
static void ogr_take_filler_diag(struct diag *from, struct diag *dg)
{
    for (size_t i = 0; i < diag_warning_count(from); i++)
        diag_warn(dg, "%s", diag_warning(from, i));
    if (diag_failed(from))
        diag_error(dg, "%s", diag_message(from));
}

/* ogr_write_features with the ring; false when no thread could be started
 * (*started false then, and nothing was written). */
static bool ogr_write_ring(OGRLayerH layer, OGRFeatureDefnH defn, struct export_merged *m,
                           const int *fields, const struct gdalguard *g, struct diag *dg,
                           bool *started)
{
    struct ogr_ring r = {.m = m, .fields = fields, .path = g->path};
    *started = false;
    bool ok = export_texts_init(&r.texts, m) && (r.dg = diag_new());
    size_t made = 0;
    for (; ok && made < OGR_SLOTS; made++)
        ok = (r.slot[made] = OGR_F_Create(defn)) != NULL;
    pthread_t filler;
    if (ok && pthread_mutex_init(&r.lock, NULL) == 0) {
        if (pthread_cond_init(&r.changed, NULL) == 0) {
            *started = pthread_create(&filler, NULL, ogr_filler, &r) == 0;
            if (!*started)
                pthread_cond_destroy(&r.changed);
        }
        if (!*started)
            pthread_mutex_destroy(&r.lock);
    }
    ok = *started;
    bool wrote_all = ok;
    for (size_t i = 0; ok && i < m->n; i++) {
        pthread_mutex_lock(&r.lock);
        if (r.filled <= i) {
            r.writer_waiting = true;
            size_t want = m->n - i < OGR_BATCH ? m->n : i + OGR_BATCH;
            while (r.filled < want && !r.filler_failed)
                pthread_cond_wait(&r.changed, &r.lock);
            r.writer_waiting = false;
        }
        bool ready = r.filled > i;
        pthread_mutex_unlock(&r.lock);
        if (!ready) {
            wrote_all = false; /* the filler failed: its diag says why */
            break;
        }
        /* dg is the writer's: the filler writes only its own diag */
        ok = ogr_create(layer, r.slot[i % OGR_SLOTS], &m->items[i], g, dg);
        wrote_all = ok;
        pthread_mutex_lock(&r.lock);
        r.written = i + 1;
        r.stop = !ok;
        wake_filler(&r);
        pthread_mutex_unlock(&r.lock);
    }
    if (*started) {
        pthread_join(filler, NULL);
        pthread_cond_destroy(&r.changed);
        pthread_mutex_destroy(&r.lock);
        ogr_take_filler_diag(r.dg, dg);
        wrote_all = wrote_all && !diag_failed(r.dg);
    }
    for (size_t k = 0; k < made; k++)
        if (r.slot[k])
            OGR_F_Destroy(r.slot[k]);
    diag_free(r.dg);
    export_texts_free(&r.texts);
    return wrote_all;
}

/* Writes m's features into layer in item order; stops at the first error. */
static bool ogr_write_features(OGRLayerH layer, struct export_merged *m, const struct gdalguard *g,
                               struct diag *dg)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int *fields = calloc(EXPORT_NFIXED + m->nextra, sizeof *fields); /* looked up once */
    if (!fields) {
        diag_error(dg, "%s: out of memory", g->path);
        return false;
    }
    for (size_t k = 0; k < EXPORT_NFIXED + m->nextra; k++)
        fields[k] =
            OGR_FD_GetFieldIndex(defn, k < EXPORT_NFIXED ? export_fixed_fields[k] : m->extra_keys[k - EXPORT_NFIXED]);
    bool started = false, ok = false;
    if (m->n >= 4 * OGR_SLOTS && cpucount_online() > 1 && !settings_get()->export_one_thread)
        ok = ogr_write_ring(layer, defn, m, fields, g, dg, &started);
    if (!started) { /* on this thread: one feature filled again for each item */
        struct export_texts t;
        OGRFeatureH feat = OGR_F_Create(defn);
        ok = export_texts_init(&t, m) && feat;
        if (!ok)
            diag_error(dg, "%s: out of memory", g->path);
        for (size_t i = 0; ok && i < m->n; i++)
            ok = ogr_fill_feature(feat, m, &m->items[i], fields, &t, g->path, dg) &&
                 ogr_create(layer, feat, &m->items[i], g, dg);
        if (feat)
            OGR_F_Destroy(feat);
        export_texts_free(&t);
    }
    free(fields);
    return ok && g->errors == 0;
}

/* Writes m with OGR's driver into tmp_path (a fresh path). */
bool export_ogr_write(const char *tmp_path, const char *out_path, enum export_format format,
                      struct export_merged *m, const struct export_provenance *pv, struct diag *dg)
{
    raster_init();
    /* GDAL's own words are the reason when it gives one */
    struct gdalguard g;
    gdalguard_begin(&g, out_path, false, dg);
    const char *driver_name = format == EXPORT_GPKG ? "GPKG" : "FlatGeobuf";
    GDALDriverH driver = GDALGetDriverByName(driver_name);
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    bool ok = false;
    if (!driver) {
        diag_error(dg, "%s: GDAL has no %s driver", out_path, driver_name);
        goto done;
    }
    ds = GDALCreate(driver, tmp_path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        diag_error(dg, "%s: %s", out_path, gdalguard_reason(&g, "cannot create the file"));
        goto done;
    }
    srs = OSRNewSpatialReference(NULL);
    if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        diag_error(dg, "%s: cannot set up EPSG:4326 (is proj-data installed?): %s", out_path,
                   gdalguard_reason(&g, "no reason given"));
        goto done;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRwkbGeometryType type = m->has_z ? OGR_GT_SetZ(wkbUnknown) : wkbUnknown;
    /* GeoPackage has a place for what the imagery is (the layer's
     * description in gpkg_contents, and metadata in gpkg_metadata);
     * FlatGeobuf has none in this GDAL, so there the per-feature "imagery"
     * attribute carries it. */
    char description[1024];
    snprintf(description, sizeof description, "DESCRIPTION=satmark annotations. Imagery: %s",
             pv->note);
    char *layer_options[] = {format == EXPORT_GPKG ? "IDENTIFIER=satmark annotations" : NULL,
                             format == EXPORT_GPKG ? description : NULL, NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "annotations", srs, type, layer_options);
    if (!layer) {
        diag_error(dg, "%s: %s", out_path, gdalguard_reason(&g, "cannot create the layer"));
        goto done;
    }
    char *prov = format == EXPORT_GPKG ? json_dumps(pv->doc, JSON_COMPACT | JSON_PRESERVE_ORDER)
                                       : NULL;
    if (prov)
        GDALSetMetadataItem(layer, "SATMARK_IMAGERY", prov, NULL);
    free(prov);
    if (!ogr_create_fields(layer, m)) {
        diag_error(dg, "%s: %s", out_path,
                   gdalguard_reason(&g, "cannot create the attribute fields"));
        goto done;
    }
    bool in_transaction = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    ok = ogr_write_features(layer, m, &g, dg);
    if (in_transaction && ok && GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
        diag_error(dg, "%s: %s", out_path, gdalguard_reason(&g, "cannot commit the features"));
        ok = false;
    }
done:
    if (ds)
        GDALClose(ds); /* writes FlatGeobuf's index and header */
    if (srs)
        OSRDestroySpatialReference(srs);
    /* an error GDAL reported without failing a call (or while closing) */
    if (ok && g.errors)
        diag_error(dg, "%s: %s", out_path, g.first_error);
    ok = ok && g.errors == 0;
    gdalguard_end(&g);
    return ok;
}

