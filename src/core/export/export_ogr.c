/*
 * export_ogr — the OGR backend of export (export_int.h): GeoPackage and
 * FlatGeobuf, written by GDAL's drivers into a path safefile reserved (a
 * private directory beside the target, committed by export.c). One layer
 * "annotations" in EPSG:4326 with lon/lat order (OAMS_TRADITIONAL_GIS_ORDER),
 * every export attribute a string field (claims and observations with the
 * JSON subtype), features in one transaction. GDAL's errors are captured by
 * gdalguard onto our diag, with GDAL's own words as the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "export_int.h"
#include "gdalguard.h"
#include "raster.h"

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

/* Per attribute: the layer's field index, and the last non-string value
 * written with its text (a reference is held, so the same pointer is the
 * same value: features share their observations array, export.c). */
struct ogr_field {
    int index;
    json_t *last;
    char *last_text;
};

static bool ogr_write_feature(OGRLayerH layer, OGRFeatureDefnH defn, struct export_merged *m,
                              struct export_item *it, struct ogr_field *fields,
                              const struct gdalguard *g, struct diag *dg);

/* Writes m's features into layer; stops at the first GDAL error g saw. */
static bool ogr_write_features(OGRLayerH layer, struct export_merged *m, const struct gdalguard *g,
                               struct diag *dg)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    size_t total = EXPORT_NFIXED + m->nextra;
    struct ogr_field *fields = calloc(total, sizeof *fields); /* looked up once */
    if (!fields)
        return false;
    for (size_t k = 0; k < total; k++)
        fields[k].index =
            OGR_FD_GetFieldIndex(defn, k < EXPORT_NFIXED ? export_fixed_fields[k] : m->extra_keys[k - EXPORT_NFIXED]);
    bool ok = true;
    for (size_t i = 0; ok && i < m->n && g->errors == 0; i++)
        ok = ogr_write_feature(layer, defn, m, &m->items[i], fields, g, dg);
    for (size_t k = 0; k < total; k++) {
        json_decref(fields[k].last);
        free(fields[k].last_text);
    }
    free(fields);
    return ok && g->errors == 0;
}

/* v's text for field fl (export_value_text), borrowed until the next call
 * for fl; NULL for null or on out of memory (*failed set then). */
static const char *field_text(struct ogr_field *fl, json_t *v, bool *failed)
{
    *failed = false;
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v); /* OGR copies it */
    if (json_is_array(v) && json_array_size(v) == 0)
        return "[]"; /* no claim links: a new empty array per feature */
    if (v != fl->last) {
        json_decref(fl->last);
        free(fl->last_text);
        fl->last = json_incref(v);
        fl->last_text = export_value_text(v);
    }
    *failed = fl->last_text == NULL;
    return fl->last_text;
}

/* One item into layer; fields[k] is attribute k's (see struct ogr_field). */
static bool ogr_write_feature(OGRLayerH layer, OGRFeatureDefnH defn, struct export_merged *m,
                              struct export_item *it, struct ogr_field *fields,
                              const struct gdalguard *g, struct diag *dg)
{
    if (!export_item_props(m, it, dg))
        return false;
    OGRFeatureH feat = OGR_F_Create(defn);
    if (!feat) {
        export_item_props_done(m, it);
        return false;
    }
    size_t total = EXPORT_NFIXED + m->nextra;
    bool failed = false;
    for (size_t k = 0; k < total && !failed; k++) {
        const char *name = k < EXPORT_NFIXED ? export_fixed_fields[k] : m->extra_keys[k - EXPORT_NFIXED];
        if (fields[k].index < 0)
            continue; /* the driver renamed it; it already warned */
        const char *v = field_text(&fields[k], json_object_get(it->props, name), &failed);
        if (v)
            OGR_F_SetFieldString(feat, fields[k].index, v);
        else if (!failed)
            OGR_F_SetFieldNull(feat, fields[k].index);
    }
    export_item_props_done(m, it);
    if (failed) {
        OGR_F_Destroy(feat);
        diag_error(dg, "%s: feature \"%s\": out of memory", g->path, it->id);
        return false;
    }
    bool geom_ok;
    OGRGeometryH geom = ogr_geometry(export_geometry(it->f), &geom_ok);
    if (!geom_ok) {
        OGR_F_Destroy(feat);
        diag_error(dg, "%s: feature \"%s\": cannot build its geometry", g->path, it->id);
        return false;
    }
    if (geom)
        OGR_F_SetGeometryDirectly(feat, geom);
    OGRErr err = OGR_L_CreateFeature(layer, feat);
    OGR_F_Destroy(feat);
    if (err != OGRERR_NONE) {
        diag_error(dg, "%s: feature \"%s\": %s", g->path, it->id,
                   gdalguard_reason(g, "the driver refused it"));
        return false;
    }
    return true;
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

