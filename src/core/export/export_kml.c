/*
 * export_kml — the KML backend of export (export_int.h): one Document with a
 * style per class, the imagery provenance as ExtendedData, one Folder per
 * class, each Placemark with an HTML balloon (label, observations, claims
 * with their sources and status) and every export attribute as
 * ExtendedData. All text goes through xmlesc (the one XML escaper); the
 * balloon's HTML sits in CDATA sections. The whole document is built in one
 * dynbuf (capped at EXPORT_MAX_TEXT) before anything is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "export_int.h"
#include "gjwrite.h"
#include "xmlesc.h"

/* Appends html inside a CDATA section; "]]>" in it is split across two
 * sections so it cannot end the first one early. */
static void cdata(struct dynbuf *t, const char *html)
{
    dynbuf_append_str(t, "<![CDATA[");
    for (const char *p = html; *p;) {
        const char *end = strstr(p, "]]>");
        if (!end) {
            dynbuf_append_str(t, p);
            break;
        }
        dynbuf_append(t, p, (size_t)(end - p) + 2);
        dynbuf_append_str(t, "]]><![CDATA[");
        p = end + 2;
    }
    dynbuf_append_str(t, "]]>");
}

/* KML colour: aabbggrr hex. */
static void kml_colour(struct dynbuf *t, struct style_rgb c, double alpha)
{
    int a = (int)(alpha * 255.0 + 0.5);
    a = a < 0 ? 0 : a > 255 ? 255 : a;
    dynbuf_printf(t, "<color>%02x%02x%02x%02x</color>", a, c.b, c.g, c.r);
}

static void kml_coordinates(struct dynbuf *t, const struct annot_part *part, bool reverse)
{
    dynbuf_append_str(t, "<coordinates>");
    for (size_t k = 0; k < part->n; k++) {
        size_t i = reverse ? part->n - 1 - k : k;
        char x[40], y[40];
        gjwrite_number(part->pts[i].lon, x, sizeof x);
        gjwrite_number(part->pts[i].lat, y, sizeof y);
        dynbuf_printf(t, "%s%s,%s", k ? " " : "", x, y);
        if (part->alt) {
            char z[40];
            gjwrite_number(part->alt[i], z, sizeof z);
            dynbuf_printf(t, ",%s", z);
        }
    }
    dynbuf_append_str(t, "</coordinates>");
}

static void kml_polygon(struct dynbuf *t, const struct annot_geometry *g, size_t first, size_t end)
{
    dynbuf_append_str(t, "<Polygon>");
    for (size_t r = first; r < end; r++) {
        double a = annot_ring_signed_area2(&g->parts[r]);
        bool exterior = r == first;
        dynbuf_append_str(t, exterior ? "<outerBoundaryIs><LinearRing>" : "<innerBoundaryIs><LinearRing>");
        kml_coordinates(t, &g->parts[r], exterior ? a < 0 : a > 0);
        dynbuf_append_str(t, exterior ? "</LinearRing></outerBoundaryIs>" : "</LinearRing></innerBoundaryIs>");
    }
    dynbuf_append_str(t, "</Polygon>");
}

static void kml_geometry(struct dynbuf *t, const struct annot_geometry *g)
{
    switch (g->type) {
    case ANNOT_GEOM_NONE:
        return;
    case ANNOT_GEOM_POINT:
        dynbuf_append_str(t, "<Point>");
        kml_coordinates(t, &g->parts[0], false);
        dynbuf_append_str(t, "</Point>");
        return;
    case ANNOT_GEOM_LINESTRING:
        dynbuf_append_str(t, "<LineString><tessellate>1</tessellate>");
        kml_coordinates(t, &g->parts[0], false);
        dynbuf_append_str(t, "</LineString>");
        return;
    case ANNOT_GEOM_POLYGON:
        kml_polygon(t, g, 0, g->nparts);
        return;
    case ANNOT_GEOM_MULTIPOINT:
        dynbuf_append_str(t, "<MultiGeometry>");
        for (size_t i = 0; i < g->parts[0].n; i++) {
            struct annot_part one = {.n = 1,
                                     .pts = &g->parts[0].pts[i],
                                     .alt = g->parts[0].alt ? &g->parts[0].alt[i] : NULL};
            dynbuf_append_str(t, "<Point>");
            kml_coordinates(t, &one, false);
            dynbuf_append_str(t, "</Point>");
        }
        dynbuf_append_str(t, "</MultiGeometry>");
        return;
    case ANNOT_GEOM_MULTILINESTRING:
        dynbuf_append_str(t, "<MultiGeometry>");
        for (size_t i = 0; i < g->nparts; i++) {
            dynbuf_append_str(t, "<LineString><tessellate>1</tessellate>");
            kml_coordinates(t, &g->parts[i], false);
            dynbuf_append_str(t, "</LineString>");
        }
        dynbuf_append_str(t, "</MultiGeometry>");
        return;
    case ANNOT_GEOM_MULTIPOLYGON:
        dynbuf_append_str(t, "<MultiGeometry>");
        for (size_t first = 0; first < g->nparts;) {
            size_t end = annot_geometry_member_end(g, first);
            kml_polygon(t, g, first, end);
            first = end;
        }
        dynbuf_append_str(t, "</MultiGeometry>");
        return;
    case ANNOT_GEOM_COLLECTION:
        dynbuf_append_str(t, "<MultiGeometry>");
        for (size_t i = 0; i < g->nmembers; i++)
            kml_geometry(t, &g->members[i]);
        dynbuf_append_str(t, "</MultiGeometry>");
        return;
    }
}

/* The balloon: label, class and id, note, observations, then each claim with
 * its stance, text and sources, so Google Earth shows the citations. */
static void kml_description(struct dynbuf *html, const struct export_item *it,
                            const struct claims_catalog *cat, const struct imagery_register *reg,
                            const struct evidence_report *ev)
{
    const struct annot_feature *f = it->f;
    dynbuf_append_str(html, "<h3>");
    xmlesc_append(html, f->label && f->label[0] ? f->label : it->id, XMLESC_HTML);
    dynbuf_append_str(html, "</h3><p>");
    xmlesc_append(html, annot_class_name(f->cls), XMLESC_HTML);
    dynbuf_append_str(html, " &middot; <code>");
    xmlesc_append(html, it->id, XMLESC_HTML);
    dynbuf_append_str(html, "</code></p>");
    if (f->note && f->note[0]) {
        dynbuf_append_str(html, "<p>");
        xmlesc_append(html, f->note, XMLESC_HTML);
        dynbuf_append_str(html, "</p>");
    }
    if (f->nobs) {
        dynbuf_append_str(html, "<p><b>Observed on</b></p><ul>");
        for (size_t i = 0; i < f->nobs; i++) {
            dynbuf_append_str(html, "<li>");
            xmlesc_append(html, f->obs[i].image ? f->obs[i].image : "", XMLESC_HTML);
            if (f->obs[i].acquired && f->obs[i].acquired[0]) {
                dynbuf_append_str(html, " (acquired ");
                xmlesc_append(html, f->obs[i].acquired, XMLESC_HTML);
                dynbuf_append_str(html, ")");
            }
            dynbuf_append_str(html, "<br/><i>");
            struct dynbuf what;
            dynbuf_init(&what, EXPORT_MAX_TEXT);
            export_imagery_sentence(&what, reg, &f->obs[i]);
            if (dynbuf_failed(&what))
                dynbuf_fail(html);
            const char *colon = strstr(dynbuf_str(&what), ": ");
            xmlesc_append(html, colon ? colon + 2 : "", XMLESC_HTML);
            dynbuf_free(&what);
            dynbuf_append_str(html, "</i></li>");
        }
        dynbuf_append_str(html, "</ul>");
    }
    if (f->nclaims) {
        dynbuf_append_str(html, "<p><b>Evidence for published claims</b></p><ul>");
        for (size_t i = 0; i < f->nclaims; i++) {
            const struct claims_claim *claim = claims_find(cat, f->claims[i].claim);
            dynbuf_append_str(html, "<li><b>");
            xmlesc_append(html, annot_stance_name(f->claims[i].stance), XMLESC_HTML);
            dynbuf_append_str(html, "</b> <code>");
            xmlesc_append(html, f->claims[i].claim, XMLESC_HTML);
            dynbuf_append_str(html, "</code>");
            if (!claim) {
                dynbuf_append_str(html, cat ? " (not in the claims catalog)" : "");
                dynbuf_append_str(html, "</li>");
                continue;
            }
            dynbuf_append_str(html, ": &ldquo;");
            xmlesc_append(html, claim->text, XMLESC_HTML);
            dynbuf_append_str(html, "&rdquo;<br/>Sources: ");
            for (size_t s = 0; s < claim->nsources; s++) {
                const struct claims_source *src = claims_find_source(cat, claim->source_ids[s]);
                if (!src)
                    continue;
                dynbuf_append_str(html, s ? "; " : "");
                xmlesc_append(html, src->outlet, XMLESC_HTML);
                dynbuf_append_str(html, ", <i>");
                xmlesc_append(html, src->headline, XMLESC_HTML);
                dynbuf_append_str(html, "</i>");
                if (src->published[0]) {
                    dynbuf_append_str(html, ", ");
                    xmlesc_append(html, src->published, XMLESC_HTML);
                }
                if (src->reliability == CLAIMS_RELIABILITY_MACHINE_WRITTEN)
                    dynbuf_append_str(html, " (machine-written)");
            }
            const struct evidence_claim *ec = evidence_report_find(ev, claim->id);
            if (ec) {
                dynbuf_append_str(html, "<br/>Status: <b>");
                xmlesc_append(html, evidence_status_name(ec->status), XMLESC_HTML);
                dynbuf_append_str(html, "</b> (");
                xmlesc_append(html, ec->reason, XMLESC_HTML);
                dynbuf_append_str(html, ")");
            }
            dynbuf_append_str(html, "</li>");
        }
        dynbuf_append_str(html, "</ul>");
    }
}

static void kml_data(struct dynbuf *t, const char *name, json_t *value)
{
    char *v = export_value_text(value);
    dynbuf_append_str(t, "<Data name=\"");
    xmlesc_append(t, name, XMLESC_TEXT);
    dynbuf_append_str(t, "\"><value>");
    xmlesc_append(t, v ? v : "", XMLESC_TEXT);
    dynbuf_append_str(t, "</value></Data>");
    free(v);
}

bool export_kml_build(const struct export_merged *m, const struct export_options *opts,
                      const struct export_provenance *pv, const struct style *st, struct dynbuf *t)
{
    dynbuf_append_str(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
                   "<name>satmark export</name>\n<description>Imagery: ");
    xmlesc_append(t, pv->note, XMLESC_TEXT);
    dynbuf_append_str(t, "</description>\n");
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        const struct style_class *sc = style_for_class(st, (enum annot_class)c);
        dynbuf_printf(t, "<Style id=\"class-%s\">", annot_class_name((enum annot_class)c));
        dynbuf_append_str(t, "<IconStyle>");
        kml_colour(t, sc->colour, 1.0);
        dynbuf_append_str(t, "<Icon><href>http://maps.google.com/mapfiles/kml/shapes/"
                       "placemark_circle.png</href></Icon></IconStyle><LabelStyle>");
        kml_colour(t, sc->label_colour, 1.0);
        dynbuf_append_str(t, "</LabelStyle><LineStyle>");
        kml_colour(t, sc->colour, 1.0);
        dynbuf_printf(t, "<width>%.1f</width></LineStyle><PolyStyle>", sc->line_width);
        kml_colour(t, sc->colour, sc->fill_opacity);
        dynbuf_append_str(t, "</PolyStyle></Style>\n");
    }
    /* KML orders a Document's children: styles, then ExtendedData, then
     * the folders */
    char *prov = json_dumps(pv->doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!prov)
        return false;
    dynbuf_append_str(t, "<ExtendedData><Data name=\"satmark_imagery\"><value>");
    xmlesc_append(t, prov, XMLESC_TEXT);
    dynbuf_append_str(t, "</value></Data></ExtendedData>\n");
    free(prov);
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        bool any = false;
        for (size_t i = 0; i < m->n && !any; i++)
            any = (int)m->items[i].f->cls == c;
        if (!any)
            continue;
        const struct style_class *sc = style_for_class(st, (enum annot_class)c);
        dynbuf_append_str(t, "<Folder><name>");
        xmlesc_append(t, sc->title[0] ? sc->title : annot_class_name((enum annot_class)c), XMLESC_TEXT);
        dynbuf_append_str(t, "</name>\n");
        for (size_t i = 0; i < m->n; i++) {
            const struct export_item *it = &m->items[i];
            if ((int)it->f->cls != c)
                continue;
            dynbuf_append_str(t, "<Placemark><name>");
            xmlesc_append(t, it->f->label && it->f->label[0] ? it->f->label : it->id, XMLESC_TEXT);
            dynbuf_append_str(t, "</name><description>");
            struct dynbuf html;
            dynbuf_init(&html, EXPORT_MAX_TEXT);
            kml_description(&html, it, opts->catalog, opts->imagery, m->evidence);
            if (dynbuf_failed(&html)) {
                dynbuf_free(&html);
                return false;
            }
            cdata(t, dynbuf_str(&html));
            dynbuf_free(&html);
            dynbuf_printf(t, "</description><styleUrl>#class-%s</styleUrl><ExtendedData>",
                        annot_class_name(it->f->cls));
            for (size_t k = 0; k < EXPORT_NFIXED; k++)
                kml_data(t, export_fixed_fields[k], json_object_get(it->props, export_fixed_fields[k]));
            for (size_t k = 0; k < m->nextra; k++)
                kml_data(t, m->extra_keys[k], json_object_get(it->props, m->extra_keys[k]));
            dynbuf_append_str(t, "</ExtendedData>");
            kml_geometry(t, export_geometry(it->f));
            dynbuf_append_str(t, "</Placemark>\n");
        }
        dynbuf_append_str(t, "</Folder>\n");
    }
    dynbuf_append_str(t, "</Document>\n</kml>\n");
    return !dynbuf_failed(t);
}

