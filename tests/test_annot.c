/* Unit tests of annot: names, ids, geometry checks and winding, every edit
 * type with undo and redo (compared through the deterministic GeoJSON text of
 * the whole set), groups, the undo limit, dirty/generation tracking, and
 * annot_geometry's planar ring arithmetic (area, centroid, point in ring). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annot.h"
#include "gjson.h"
#include "gjwrite.h"
#include "idmap.h"

/* A deterministic clock: 2026-01-01T00:00:SSZ, one second later each call. */
static void test_clock(char out[21], void *ctx)
{
    int *tick = ctx;
    unsigned t = (unsigned)*tick % 3600u;
    snprintf(out, 21, "2026-01-01T00:%02u:%02uZ", (t / 60u) % 60u, t % 60u);
    (*tick)++;
}

static int tick;

static struct annot_set *new_set(void)
{
    struct annot_set *set = annot_set_new();
    assert_non_null(set);
    tick = 0;
    annot_set_clock(set, test_clock, &tick);
    return set;
}

static char *snapshot(const struct annot_set *set)
{
    struct diag *dg = diag_new();
    char *s = gjwrite_string(set, NULL, dg);
    assert_non_null(s);
    diag_free(dg);
    return s;
}

static void add_points(struct annot_set *set, enum annot_class cls, const char *id,
                       enum annot_geom_type type, const struct annot_lonlat *pts, size_t n)
{
    struct diag *dg = diag_new();
    struct annot_feature f;
    annot_feature_init(&f);
    f.cls = cls;
    f.id = (char *)id;
    assert_true(annot_geometry_from_points(&f.geom, type, pts, n, dg));
    bool ok = annot_add(set, &f, NULL, dg);
    if (!ok)
        fail_msg("add failed: %s", diag_message(dg));
    annot_geometry_clear(&f.geom);
    diag_free(dg);
}

static const struct annot_lonlat square_cw[] = {
    {130.30, 42.24}, {130.30, 42.25}, {130.31, 42.25}, {130.31, 42.24}};
static const struct annot_lonlat line2[] = {{130.3011, 42.2431}, {130.3042, 42.2447}};
static const struct annot_lonlat one_point[] = {{130.305, 42.245}};

static void names_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < ANNOT_CLASS_COUNT; c++) {
        enum annot_class back;
        assert_true(annot_class_from_name(annot_class_name((enum annot_class)c), &back));
        assert_int_equal(back, c);
    }
    enum annot_class cls = ANNOT_CLASS_SHIP;
    assert_true(annot_class_from_name("Pier", &cls)); /* any case (issue 11) */
    assert_int_equal(cls, ANNOT_CLASS_PIER);
    assert_false(annot_class_from_name("tank", &cls));
    assert_int_equal(cls, ANNOT_CLASS_PIER);
    assert_string_equal(annot_class_name(ANNOT_CLASS_CONTAINER_STACK), "container_stack");
    enum annot_stance st;
    assert_true(annot_stance_from_name("contradicts", &st));
    assert_int_equal(st, ANNOT_STANCE_CONTRADICTS);
    assert_false(annot_stance_from_name("refutes", &st));
}

/* Issue 11: the highest id is not reused either, and the high-water mark can
 * be raised (from a file's next_ids) but never lowered. */
static void ids_never_reused(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    /* an id added and removed before any save never was in the file */
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    assert_true(annot_undo(set));
    assert_true(annot_next_id_is_implied(set, ANNOT_CLASS_SHIP));
    assert_int_equal(annot_next_id_number(set, ANNOT_CLASS_SHIP), 3);
    annot_mark_saved(set); /* ship-1 and ship-2 are now in the file's history */
    assert_true(annot_delete(set, "ship-2", dg));
    assert_false(annot_next_id_is_implied(set, ANNOT_CLASS_SHIP));
    assert_int_equal(annot_next_id_number(set, ANNOT_CLASS_SHIP), 3);
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    assert_non_null(annot_find(set, "ship-3"));
    assert_null(annot_find(set, "ship-2"));
    annot_mark_saved(set);
    /* undoing the add and the delete after a save does not lower it */
    assert_true(annot_undo(set));
    assert_true(annot_undo(set));
    char id[32];
    assert_true(annot_new_id(set, ANNOT_CLASS_SHIP, id, sizeof id, dg));
    assert_string_equal(id, "ship-4");
    annot_reserve_id_number(set, ANNOT_CLASS_CRANE, 7);
    annot_reserve_id_number(set, ANNOT_CLASS_CRANE, 2);
    assert_true(annot_new_id(set, ANNOT_CLASS_CRANE, id, sizeof id, dg));
    assert_string_equal(id, "crane-7");
    diag_free(dg);
    annot_set_free(set);
}

/* Issue 11: classes match in any case, with spaces or hyphens, and by alias;
 * the original spelling is written back while it still names the class. */
static void class_names_aliases_and_original_text(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum annot_class cls;
    } cases[] = {{"Ship", ANNOT_CLASS_SHIP},
                 {"SHIP", ANNOT_CLASS_SHIP},
                 {"munitions pit", ANNOT_CLASS_MUNITIONS_PIT},
                 {"Munitions-Pit", ANNOT_CLASS_MUNITIONS_PIT},
                 {"pit", ANNOT_CLASS_MUNITIONS_PIT},
                 {"container stack", ANNOT_CLASS_CONTAINER_STACK},
                 {"Containers", ANNOT_CLASS_CONTAINER_STACK},
                 {"vessel", ANNOT_CLASS_SHIP},
                 {"AOI", ANNOT_CLASS_AOI}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum annot_class got = ANNOT_CLASS_OTHER;
        assert_true(annot_class_from_name(cases[i].name, &got));
        assert_int_equal(got, cases[i].cls);
    }
    enum annot_class untouched = ANNOT_CLASS_PIER;
    assert_false(annot_class_from_name("tank", &untouched));
    assert_false(annot_class_from_name("", &untouched));
    assert_int_equal(untouched, ANNOT_CLASS_PIER);
    for (size_t i = 0; annot_class_alias(i, NULL); i++) {
        enum annot_class alias_cls, parsed;
        const char *alias = annot_class_alias(i, &alias_cls);
        assert_true(annot_class_from_name(alias, &parsed));
        assert_int_equal(parsed, alias_cls);
    }

    struct annot_feature f;
    annot_feature_init(&f);
    f.class_text = "tank";
    assert_string_equal(annot_feature_class_text(&f), "tank"); /* other: kept */
    f.cls = ANNOT_CLASS_SHIP;
    assert_string_equal(annot_feature_class_text(&f), "ship"); /* no longer names it */
    f.class_text = "Ship";
    assert_string_equal(annot_feature_class_text(&f), "Ship");
    f.class_text = NULL;

    /* copies carry it; a class edit drops it */
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    annot_feature_init(&f);
    f.id = "a";
    f.class_text = "tank";
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, one_point, 1, dg));
    assert_true(annot_add(set, &f, NULL, dg));
    annot_geometry_clear(&f.geom);
    assert_string_equal(annot_feature_class_text(annot_find(set, "a")), "tank");
    assert_true(annot_edit_label(set, "a", "still a tank", dg));
    assert_string_equal(annot_feature_class_text(annot_find(set, "a")), "tank");
    assert_true(annot_edit_class(set, "a", ANNOT_CLASS_OTHER, dg));
    assert_string_equal(annot_feature_class_text(annot_find(set, "a")), "other");
    assert_true(annot_undo(set));
    assert_string_equal(annot_feature_class_text(annot_find(set, "a")), "tank");
    diag_free(dg);
    annot_set_free(set);
}

static void ids_are_readable_and_unique(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_PIER, NULL, ANNOT_GEOM_LINESTRING, line2, 2);
    add_points(set, ANNOT_CLASS_PIER, NULL, ANNOT_GEOM_LINESTRING, line2, 2);
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    assert_string_equal(annot_get(set, 0)->id, "pier-1");
    assert_string_equal(annot_get(set, 1)->id, "pier-2");
    assert_string_equal(annot_get(set, 2)->id, "ship-1");
    /* Deleting pier-1 does not make the next pier reuse a lower number. */
    assert_true(annot_delete(set, "pier-1", dg));
    add_points(set, ANNOT_CLASS_PIER, NULL, ANNOT_GEOM_LINESTRING, line2, 2);
    assert_non_null(annot_find(set, "pier-3"));
    /* An explicit duplicate id is refused and changes nothing. */
    struct annot_feature f;
    annot_feature_init(&f);
    f.id = "ship-1";
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, one_point, 1, dg));
    size_t before = annot_count(set);
    assert_false(annot_add(set, &f, NULL, dg));
    assert_non_null(strstr(diag_message(dg), "ship-1"));
    assert_int_equal(annot_count(set), before);
    annot_geometry_clear(&f.geom);
    /* Timestamps come from the injected clock; new features get defaults. */
    const struct annot_feature *ship = annot_find(set, "ship-1");
    assert_string_equal(ship->created, ship->modified);
    assert_non_null(strstr(ship->created, "2026-01-01T00:00:"));
    assert_string_equal(ship->label, "");
    assert_string_equal(ship->author, "");
    diag_free(dg);
    annot_set_free(set);
}

static void geometry_checks_and_winding(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    struct annot_geometry g;
    /* from_points closes the ring and winds it counter-clockwise. */
    assert_true(annot_geometry_from_points(&g, ANNOT_GEOM_POLYGON, square_cw, 4, dg));
    assert_int_equal(g.parts[0].n, 5);
    assert_true(g.parts[0].pts[0].lon == g.parts[0].pts[4].lon);
    double area2 = 0;
    for (size_t i = 0; i + 1 < g.parts[0].n; i++)
        area2 += g.parts[0].pts[i].lon * g.parts[0].pts[i + 1].lat -
                 g.parts[0].pts[i + 1].lon * g.parts[0].pts[i].lat;
    assert_true(area2 > 0);
    assert_true(annot_geometry_check(&g, "t", dg));
    /* Breaking the closure is caught. */
    g.parts[0].pts[4].lat += 0.001;
    assert_false(annot_geometry_check(&g, "t", dg));
    assert_non_null(strstr(diag_message(dg), "not closed"));
    diag_reset(dg);
    g.parts[0].pts[4] = g.parts[0].pts[0];
    /* Out of range positions are caught. */
    g.parts[0].pts[1].lat = 91;
    assert_false(annot_geometry_check(&g, "t", dg));
    assert_non_null(strstr(diag_message(dg), "outside"));
    annot_geometry_clear(&g);
    diag_reset(dg);
    /* A point needs exactly one position, a line two. */
    assert_false(annot_geometry_from_points(&g, ANNOT_GEOM_POINT, line2, 2, dg));
    diag_reset(dg);
    assert_false(annot_geometry_from_points(&g, ANNOT_GEOM_LINESTRING, one_point, 1, dg));
    diag_reset(dg);
    /* Holes are wound clockwise by normalize. */
    struct annot_part parts[2];
    struct annot_lonlat outer[] = {{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}; /* CW */
    struct annot_lonlat hole[] = {{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}};      /* CCW */
    parts[0] = (struct annot_part){.n = 5, .pts = outer};
    parts[1] = (struct annot_part){.n = 5, .pts = hole};
    struct annot_geometry poly = {ANNOT_GEOM_POLYGON, 2, parts, 0, NULL};
    assert_int_equal(annot_geometry_normalize_winding(&poly), 2);
    assert_true(outer[1].lon == 10 && outer[1].lat == 0);
    assert_true(hole[1].lon == 2 && hole[1].lat == 4);
    assert_int_equal(annot_geometry_normalize_winding(&poly), 0);
    struct annot_lonlat lo, hi;
    assert_true(annot_geometry_bbox(&poly, &lo, &hi));
    assert_true(lo.lon == 0 && hi.lat == 10);
    assert_int_equal(annot_geometry_npositions(&poly), 10);
    diag_free(dg);
}

/* Applies one edit, checks it changed the set, then undo restores the exact
 * previous state and redo the exact edited state. */
typedef bool (*edit_fn)(struct annot_set *set, struct diag *dg);

static void check_undo_redo(struct annot_set *set, edit_fn edit, const char *name)
{
    struct diag *dg = diag_new();
    char *before = snapshot(set);
    uint64_t gen = annot_generation(set);
    if (!edit(set, dg))
        fail_msg("edit %s failed: %s", name, diag_message(dg));
    char *after = snapshot(set);
    if (strcmp(before, after) == 0)
        fail_msg("edit %s changed nothing", name);
    assert_true(annot_generation(set) > gen);
    assert_true(annot_can_undo(set));
    assert_true(annot_undo(set));
    char *undone = snapshot(set);
    if (strcmp(before, undone) != 0)
        fail_msg("undo of %s did not restore the set", name);
    assert_true(annot_can_redo(set));
    assert_true(annot_redo(set));
    char *redone = snapshot(set);
    if (strcmp(after, redone) != 0)
        fail_msg("redo of %s did not restore the edit", name);
    free(before);
    free(after);
    free(undone);
    free(redone);
    diag_free(dg);
}

static bool e_label(struct annot_set *s, struct diag *dg)
{
    return annot_edit_label(s, "pier-1", "Pier 1 (north)", dg);
}
static bool e_note(struct annot_set *s, struct diag *dg)
{
    return annot_edit_note(s, "pier-1", "offloading berth", dg);
}
static bool e_class(struct annot_set *s, struct diag *dg)
{
    return annot_edit_class(s, "ship-1", ANNOT_CLASS_CRANE, dg);
}
static bool e_move(struct annot_set *s, struct diag *dg)
{
    return annot_edit_move(s, "aoi-1", 0.001, -0.002, dg);
}
static bool e_set_vertex(struct annot_set *s, struct diag *dg)
{
    return annot_edit_set_vertex(s, "aoi-1", 0, 0, (struct annot_lonlat){130.299, 42.239}, dg);
}
static bool e_insert_vertex(struct annot_set *s, struct diag *dg)
{
    return annot_edit_insert_vertex(s, "pier-1", 0, 1, (struct annot_lonlat){130.302, 42.244},
                                    dg);
}
static bool e_remove_vertex(struct annot_set *s, struct diag *dg)
{
    return annot_edit_remove_vertex(s, "pier-1", 0, 1, dg);
}
static bool e_geometry(struct annot_set *s, struct diag *dg)
{
    struct annot_geometry g;
    bool ok = annot_geometry_from_points(&g, ANNOT_GEOM_LINESTRING, line2, 2, dg) &&
              annot_edit_geometry(s, "ship-1", &g, dg);
    annot_geometry_clear(&g);
    return ok;
}
static bool e_add_claim(struct annot_set *s, struct diag *dg)
{
    return annot_edit_add_claim(s, "pier-1", "rason-lady-r-pier1", ANNOT_STANCE_SUPPORTS, dg);
}
static bool e_remove_claim(struct annot_set *s, struct diag *dg)
{
    return annot_edit_remove_claim(s, "pier-1", "rason-lady-r-pier1", dg);
}
static bool e_cycle(struct annot_set *s, struct diag *dg)
{
    return annot_edit_cycle_stance(s, "pier-1", "rason-lady-r-pier1", dg);
}
static bool e_observation(struct annot_set *s, struct diag *dg)
{
    struct annot_observation o = {"rason-najin_2024-03-17.tif",
                                  "9f2c000000000000000000000000000000000000000000000000000000000000",
                                  "2024-03-17"};
    return annot_edit_add_observation(s, "pier-1", &o, dg);
}
static bool e_delete(struct annot_set *s, struct diag *dg)
{
    return annot_delete(s, "pier-1", dg);
}
static bool e_add(struct annot_set *s, struct diag *dg)
{
    (void)dg;
    add_points(s, ANNOT_CLASS_MUNITIONS_PIT, NULL, ANNOT_GEOM_POINT, one_point, 1);
    return true;
}
static bool e_replace(struct annot_set *s, struct diag *dg)
{
    struct annot_feature f;
    bool ok = annot_feature_copy(&f, annot_find(s, "ship-1"), dg);
    if (ok) {
        free(f.label);
        f.label = NULL;
        f.cls = ANNOT_CLASS_SHIP;
        free(f.note);
        f.note = strdup("replaced");
        ok = annot_replace(s, "ship-1", &f, dg);
    }
    annot_feature_clear(&f);
    return ok;
}

static void undo_redo_every_edit(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    add_points(set, ANNOT_CLASS_PIER, NULL, ANNOT_GEOM_LINESTRING, line2, 2);
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    add_points(set, ANNOT_CLASS_AOI, NULL, ANNOT_GEOM_POLYGON, square_cw, 4);
    static const struct {
        edit_fn fn;
        const char *name;
    } edits[] = {
        {e_label, "label"},
        {e_note, "note"},
        {e_class, "class"},
        {e_move, "move"},
        {e_set_vertex, "set vertex"},
        {e_insert_vertex, "insert vertex"},
        {e_remove_vertex, "remove vertex"},
        {e_geometry, "geometry"},
        {e_add_claim, "add claim"},
        {e_cycle, "cycle stance"},
        {e_remove_claim, "remove claim"},
        {e_observation, "observation"},
        {e_replace, "replace"},
        {e_add, "add"},
        {e_delete, "delete"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++)
        check_undo_redo(set, edits[i].fn, edits[i].name);
    /* Undo everything back to the three added features, then redo it all. */
    char *end = snapshot(set);
    while (annot_can_undo(set))
        assert_true(annot_undo(set));
    assert_int_equal(annot_count(set), 0);
    assert_false(annot_undo(set));
    while (annot_can_redo(set))
        assert_true(annot_redo(set));
    char *again = snapshot(set);
    assert_string_equal(end, again);
    free(end);
    free(again);
    annot_set_free(set);
}

static void ring_vertex_edits_keep_closure(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_AOI, "area", ANNOT_GEOM_POLYGON, square_cw, 4);
    struct annot_lonlat p = {130.2995, 42.2395};
    assert_true(annot_edit_set_vertex(set, "area", 0, 4, p, dg));
    const struct annot_part *ring = &annot_find(set, "area")->geom.parts[0];
    assert_true(ring->pts[0].lon == p.lon && ring->pts[4].lon == p.lon);
    /* A 4-position ring (triangle) cannot lose a vertex. */
    assert_true(annot_edit_remove_vertex(set, "area", 0, 0, dg));
    ring = &annot_find(set, "area")->geom.parts[0];
    assert_int_equal(ring->n, 4);
    assert_true(ring->pts[0].lon == ring->pts[3].lon && ring->pts[0].lat == ring->pts[3].lat);
    assert_false(annot_edit_remove_vertex(set, "area", 0, 1, dg));
    diag_reset(dg);
    /* Inserting at the ring's start is refused (the closing pair stays). */
    assert_false(annot_edit_insert_vertex(set, "area", 0, 0, p, dg));
    diag_reset(dg);
    assert_false(annot_edit_set_vertex(set, "area", 1, 0, p, dg));
    diag_reset(dg);
    assert_false(annot_edit_set_vertex(set, "area", 0, 9, p, dg));
    diag_free(dg);
    annot_set_free(set);
}

static void failed_edits_change_nothing(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    annot_mark_saved(set);
    char *before = snapshot(set);
    uint64_t gen = annot_generation(set);
    assert_false(annot_edit_move(set, "ship-1", 100.0, 0, dg)); /* lon 230 */
    assert_non_null(strstr(diag_message(dg), "outside"));
    diag_reset(dg);
    assert_false(annot_edit_label(set, "nope", "x", dg));
    assert_non_null(strstr(diag_message(dg), "nope"));
    diag_reset(dg);
    assert_false(annot_edit_remove_claim(set, "ship-1", "unlinked", dg));
    diag_reset(dg);
    assert_false(annot_edit_cycle_stance(set, "ship-1", "unlinked", dg));
    diag_reset(dg);
    assert_false(annot_delete(set, "nope", dg));
    char *after = snapshot(set);
    assert_string_equal(before, after);
    assert_true(annot_generation(set) == gen);
    assert_false(annot_is_dirty(set));
    assert_true(annot_undo(set)); /* only the add is in the log */
    assert_false(annot_can_undo(set));
    free(before);
    free(after);
    diag_free(dg);
    annot_set_free(set);
}

static void stance_cycles(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    assert_true(annot_edit_add_claim(set, "ship-1", "c", ANNOT_STANCE_SUPPORTS, dg));
    enum annot_stance want[] = {ANNOT_STANCE_CONTRADICTS, ANNOT_STANCE_CONTEXT,
                                ANNOT_STANCE_SUPPORTS};
    for (size_t i = 0; i < 3; i++) {
        assert_true(annot_edit_cycle_stance(set, "ship-1", "c", dg));
        assert_int_equal(annot_find(set, "ship-1")->claims[0].stance, want[i]);
    }
    /* Adding an existing link changes its stance instead of duplicating it. */
    assert_true(annot_edit_add_claim(set, "ship-1", "c", ANNOT_STANCE_CONTEXT, dg));
    assert_int_equal(annot_find(set, "ship-1")->nclaims, 1);
    assert_int_equal(annot_find(set, "ship-1")->claims[0].stance, ANNOT_STANCE_CONTEXT);
    diag_free(dg);
    annot_set_free(set);
}

static void groups_undo_as_one(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_PIER, NULL, ANNOT_GEOM_LINESTRING, line2, 2);
    char *before = snapshot(set);
    annot_group_begin(set);
    annot_group_begin(set); /* nested: only the outer end closes */
    assert_true(annot_edit_label(set, "pier-1", "A", dg));
    annot_group_end(set);
    for (int i = 0; i < 5; i++)
        assert_true(annot_edit_move(set, "pier-1", 0.0001, 0, dg));
    annot_group_end(set);
    /* An empty group records nothing. */
    annot_group_begin(set);
    annot_group_end(set);
    assert_true(annot_undo(set));
    char *undone = snapshot(set);
    assert_string_equal(before, undone);
    assert_true(annot_redo(set));
    assert_string_equal(annot_find(set, "pier-1")->label, "A");
    free(before);
    free(undone);
    diag_free(dg);
    annot_set_free(set);
}

static void undo_log_is_bounded(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    for (int i = 0; i < ANNOT_UNDO_MAX + 10; i++) {
        char label[32];
        snprintf(label, sizeof label, "v%d", i);
        assert_true(annot_edit_label(set, "ship-1", label, dg));
    }
    int undone = 0;
    while (annot_undo(set))
        undone++;
    assert_int_equal(undone, ANNOT_UNDO_MAX);
    char want[32];
    snprintf(want, sizeof want, "v%d", 9);
    assert_string_equal(annot_find(set, "ship-1")->label, want);
    diag_free(dg);
    annot_set_free(set);
}

static void dirty_follows_saved_state(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    assert_false(annot_is_dirty(set));
    uint64_t g0 = annot_generation(set);
    add_points(set, ANNOT_CLASS_SHIP, NULL, ANNOT_GEOM_POINT, one_point, 1);
    assert_true(annot_is_dirty(set));
    annot_mark_saved(set);
    assert_false(annot_is_dirty(set));
    assert_true(annot_edit_label(set, "ship-1", "x", dg));
    assert_true(annot_is_dirty(set));
    assert_true(annot_undo(set));
    assert_false(annot_is_dirty(set)); /* back at the saved state */
    assert_true(annot_undo(set));
    assert_true(annot_is_dirty(set));
    assert_true(annot_redo(set));
    assert_false(annot_is_dirty(set));
    /* A different edit after undo is a new state, even with the same content. */
    assert_true(annot_edit_label(set, "ship-1", "y", dg));
    assert_true(annot_undo(set));
    assert_false(annot_is_dirty(set));
    assert_true(annot_generation(set) > g0 + 5);
    assert_true(annot_set_meta(set, "dunai", "Dunai depot", dg));
    assert_true(annot_is_dirty(set));
    annot_mark_saved(set);
    assert_false(annot_is_dirty(set));
    diag_free(dg);
    annot_set_free(set);
}

static void load_feature_rejects_duplicates(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    struct annot_feature f;
    annot_feature_init(&f);
    f.id = "a";
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, one_point, 1, dg));
    assert_true(annot_load_feature(set, &f, dg));
    assert_false(annot_is_dirty(set));
    assert_false(annot_can_undo(set));
    assert_null(annot_find(set, "a")->created); /* loading keeps null timestamps */
    assert_false(annot_load_feature(set, &f, dg));
    assert_non_null(strstr(diag_message(dg), "duplicate"));
    annot_geometry_clear(&f.geom);
    diag_free(dg);
    annot_set_free(set);
}

/* Every feature is found by id at its current index, checked against a scan
 * of annot_get; `absent` (may be NULL) must not be found. */
static void assert_lookups_match(const struct annot_set *set, const char *absent)
{
    for (size_t i = 0; i < annot_count(set); i++) {
        const char *id = annot_get(set, i)->id;
        size_t at = (size_t)-1;
        assert_true(annot_index_of(set, id, &at));
        assert_int_equal(at, i);
        assert_ptr_equal(annot_find(set, id), annot_get(set, i));
    }
    if (absent)
        assert_null(annot_find(set, absent));
}

/* The id index survives growth, deletes that shift indices, renames, undo and
 * redo; new ids follow the largest number present at every point. */
static void id_lookup_follows_every_change(void **state)
{
    (void)state;
    struct annot_set *set = new_set();
    struct diag *dg = diag_new();
    struct annot_feature f;
    annot_feature_init(&f);
    assert_true(annot_geometry_from_points(&f.geom, ANNOT_GEOM_POINT, one_point, 1, dg));
    char id[32];
    for (int i = 1; i <= 3000; i++) {
        snprintf(id, sizeof id, "%s-%d", i % 2 ? "pier" : "ship", i);
        f.id = id;
        assert_true(annot_load_feature(set, &f, dg));
    }
    f.id = "ship-1000";
    assert_false(annot_load_feature(set, &f, dg));
    assert_non_null(strstr(diag_message(dg), "duplicate id \"ship-1000\""));
    diag_free(dg);
    dg = diag_new();
    assert_lookups_match(set, "pier-3001");

    char fresh[32];
    assert_true(annot_new_id(set, ANNOT_CLASS_PIER, fresh, sizeof fresh, dg));
    assert_string_equal(fresh, "pier-3000"); /* ids need not match their class */
    assert_true(annot_new_id(set, ANNOT_CLASS_SHIP, fresh, sizeof fresh, dg));
    assert_string_equal(fresh, "ship-3001");
    assert_true(annot_new_id(set, ANNOT_CLASS_CRANE, fresh, sizeof fresh, dg));
    assert_string_equal(fresh, "crane-1");

    assert_true(annot_delete(set, "ship-1000", dg));
    assert_lookups_match(set, "ship-1000");
    assert_true(annot_delete(set, "ship-3000", dg));
    assert_true(annot_new_id(set, ANNOT_CLASS_SHIP, fresh, sizeof fresh, dg));
    /* the largest number went away, but it was loaded, so it was in the
     * file: never handed out again (issue 11) */
    assert_string_equal(fresh, "ship-3001");
    assert_true(annot_undo(set));
    assert_true(annot_new_id(set, ANNOT_CLASS_SHIP, fresh, sizeof fresh, dg));
    assert_string_equal(fresh, "ship-3001");
    assert_true(annot_undo(set));
    assert_lookups_match(set, NULL);
    assert_int_equal(annot_count(set), 3000);
    assert_true(annot_redo(set));
    assert_lookups_match(set, "ship-1000");
    assert_true(annot_undo(set));

    f.id = "ship-5000";
    assert_true(annot_replace(set, "pier-7", &f, dg));
    assert_lookups_match(set, "pier-7");
    assert_true(annot_new_id(set, ANNOT_CLASS_SHIP, fresh, sizeof fresh, dg));
    assert_string_equal(fresh, "ship-5001");
    f.id = "ship-5000";
    assert_false(annot_add(set, &f, NULL, dg));
    assert_true(annot_undo(set));
    assert_lookups_match(set, "ship-5000");
    assert_true(annot_redo(set));
    assert_lookups_match(set, "pier-7");

    f.id = NULL;
    f.cls = ANNOT_CLASS_SHIP;
    size_t index;
    assert_true(annot_add(set, &f, &index, dg));
    assert_string_equal(annot_get(set, index)->id, "ship-5001");
    assert_lookups_match(set, NULL);
    annot_geometry_clear(&f.geom);
    diag_free(dg);
    annot_set_free(set);
}

/* annot_adopt_features given a map of the ids (idassign's, as the fast
 * reader hands it over): the map becomes the set's id index (lookups, a
 * duplicate refused, new ids after the largest number), and *ids is left
 * empty. A bad feature anywhere in the array (a missing id, a LineString of
 * one position) fails with the message a scan gives, leaves the array the
 * caller's and the set empty and usable. */
static void adopt_features_with_map(void **state)
{
    (void)state;
    static const char *const ids[] = {"ship-1", "ship-7", "pier-2", "x"};
    enum { N = 4 };
    for (int bad = -1; bad < 2 * N; bad++) { /* -1: none; N..2N-1: a missing id */
        struct diag *dg = diag_new();
        struct annot_feature *fs = calloc(N, sizeof *fs);
        const char *keys[N];
        assert_non_null(fs);
        for (int i = 0; i < N; i++) {
            annot_feature_init(&fs[i]);
            fs[i].id = strdup(ids[i]);
            assert_true(annot_geometry_from_points(&fs[i].geom, ANNOT_GEOM_POINT, one_point, 1, dg));
            keys[i] = fs[i].id;
        }
        struct idmap map;
        assert_true(idmap_init(&map, N, idmap_key_in_array, keys));
        for (int i = 0; i < N; i++)
            assert_true(idmap_add(&map, keys[i], (size_t)i, NULL));
        if (bad >= 0 && bad < N)
            fs[bad].geom.type = ANNOT_GEOM_LINESTRING; /* of one position */
        if (bad >= N)
            fs[bad - N].id[0] = '\0';
        struct annot_set *set = new_set();
        bool ok = annot_adopt_features(set, fs, N, &map, dg);
        assert_null(map.slots); /* taken over or freed either way */
        if (bad < 0) {
            assert_true(ok);
            assert_int_equal(annot_count(set), N);
            assert_lookups_match(set, "ship-2");
            struct annot_feature dup;
            annot_feature_init(&dup);
            dup.id = "pier-2";
            assert_true(annot_geometry_from_points(&dup.geom, ANNOT_GEOM_POINT, one_point, 1, dg));
            assert_false(annot_load_feature(set, &dup, dg));
            assert_non_null(strstr(diag_message(dg), "duplicate id \"pier-2\""));
            annot_geometry_clear(&dup.geom);
            char fresh[32];
            assert_true(annot_new_id(set, ANNOT_CLASS_SHIP, fresh, sizeof fresh, dg));
            assert_string_equal(fresh, "ship-8");
        } else {
            assert_false(ok);
            char want[64];
            if (bad >= N)
                snprintf(want, sizeof want, "feature %d: missing id", bad - N);
            else
                snprintf(want, sizeof want, "%s", ids[bad]);
            if (!strstr(diag_message(dg), want))
                fail_msg("bad %d: \"%s\" does not name \"%s\"", bad, diag_message(dg), want);
            /* the index holds the features after the bad one too: not a duplicate */
            assert_null(strstr(diag_message(dg), "duplicate"));
            assert_int_equal(annot_count(set), 0);
            assert_null(annot_find(set, "ship-1"));
            for (int i = 0; i < N; i++)
                annot_feature_clear(&fs[i]);
            free(fs);
            struct annot_feature again;
            annot_feature_init(&again);
            again.id = "ship-1";
            assert_true(annot_geometry_from_points(&again.geom, ANNOT_GEOM_POINT, one_point, 1, dg));
            assert_true(annot_load_feature(set, &again, dg));
            assert_lookups_match(set, "ship-7");
            annot_geometry_clear(&again.geom);
        }
        annot_set_free(set);
        diag_free(dg);
    }
}

/* ---- planar rings (annot_geometry) -------------------------------------- */

static void ring_area_sign_follows_winding(void **state)
{
    (void)state;
    const struct annot_xy ccw[] = {{0, 0}, {2, 0}, {2, 1}, {0, 1}};
    const struct annot_xy cw[] = {{0, 0}, {0, 1}, {2, 1}, {2, 0}};
    const struct annot_xy closed[] = {{0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}};
    assert_float_equal(annot_ring_area2(ccw, 4), 4.0, 1e-12);
    assert_float_equal(annot_ring_area2(cw, 4), -4.0, 1e-12);
    assert_float_equal(annot_ring_area2(closed, 5), 4.0, 1e-12);
    assert_float_equal(annot_ring_area2(ccw, 2), 0.0, 0.0);
}

static void ring_centroid_of_square_and_l_shape(void **state)
{
    (void)state;
    /* far from the origin, as lon/lat of the bundled sites are */
    const struct annot_xy square[] = {{130, 42}, {131, 42}, {131, 43}, {130, 43}, {130, 42}};
    struct annot_xy c = {0, 0};
    assert_true(annot_ring_centroid(square, 5, &c));
    assert_float_equal(c.x, 130.5, 1e-12);
    assert_float_equal(c.y, 42.5, 1e-12);
    /* an L of three unit squares: centroid (5/6, 5/6), whichever winding */
    const struct annot_xy l_ccw[] = {{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}};
    const struct annot_xy l_cw[] = {{0, 2}, {1, 2}, {1, 1}, {2, 1}, {2, 0}, {0, 0}};
    assert_true(annot_ring_centroid(l_ccw, 6, &c));
    assert_float_equal(c.x, 5.0 / 6.0, 1e-12);
    assert_float_equal(c.y, 5.0 / 6.0, 1e-12);
    assert_true(annot_ring_centroid(l_cw, 6, &c));
    assert_float_equal(c.x, 5.0 / 6.0, 1e-12);
    assert_float_equal(c.y, 5.0 / 6.0, 1e-12);
    /* no area: untouched */
    const struct annot_xy flat[] = {{0, 0}, {1, 1}, {2, 2}, {0, 0}};
    c = (struct annot_xy){-1, -1};
    assert_false(annot_ring_centroid(flat, 4, &c));
    assert_float_equal(c.x, -1.0, 0.0);
    assert_false(annot_ring_centroid(square, 2, &c));
}

static void ring_contains_concave_and_holes(void **state)
{
    (void)state;
    /* a U: the notch between its arms is outside */
    const struct annot_xy u[] = {{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}};
    assert_true(annot_ring_contains(u, 8, (struct annot_xy){0.5, 2.5}));
    assert_true(annot_ring_contains(u, 8, (struct annot_xy){1.5, 0.5}));
    assert_false(annot_ring_contains(u, 8, (struct annot_xy){1.5, 2.0}));
    assert_false(annot_ring_contains(u, 8, (struct annot_xy){-0.5, 1.0}));
    assert_false(annot_ring_contains(u, 8, (struct annot_xy){1.5, 3.5}));
    /* closed or not, the same answer */
    const struct annot_xy sq[] = {{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}};
    assert_true(annot_ring_contains(sq, 5, (struct annot_xy){1, 1}));
    assert_true(annot_ring_contains(sq, 4, (struct annot_xy){1, 1}));
    /* a hole toggles: inside the exterior and the hole = outside the polygon */
    const struct annot_xy hole[] = {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}};
    struct annot_xy in_hole = {2, 2}, in_rim = {0.5, 0.5};
    assert_true(annot_ring_contains(sq, 5, in_hole) && annot_ring_contains(hole, 5, in_hole));
    assert_true(annot_ring_contains(sq, 5, in_rim) && !annot_ring_contains(hole, 5, in_rim));
    assert_false(annot_ring_contains(sq, 0, in_rim));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(ids_are_readable_and_unique),
        cmocka_unit_test(ids_never_reused),
        cmocka_unit_test(class_names_aliases_and_original_text),
        cmocka_unit_test(geometry_checks_and_winding),
        cmocka_unit_test(undo_redo_every_edit),
        cmocka_unit_test(ring_vertex_edits_keep_closure),
        cmocka_unit_test(failed_edits_change_nothing),
        cmocka_unit_test(stance_cycles),
        cmocka_unit_test(groups_undo_as_one),
        cmocka_unit_test(undo_log_is_bounded),
        cmocka_unit_test(dirty_follows_saved_state),
        cmocka_unit_test(load_feature_rejects_duplicates),
        cmocka_unit_test(id_lookup_follows_every_change),
        cmocka_unit_test(adopt_features_with_map),
        cmocka_unit_test(ring_area_sign_follows_winding),
        cmocka_unit_test(ring_centroid_of_square_and_l_shape),
        cmocka_unit_test(ring_contains_concave_and_holes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
