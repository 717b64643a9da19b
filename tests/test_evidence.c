/* Unit tests of evidence: each rule of the evidence status (docs/claims-checks.md,
 * "Evidence status") on a catalog and marks where the answer is known, the
 * check results weighed against the imagery, source lineage (outlets versus
 * independent origins), and the catalog rules the status relies on
 * (derived_from resolves and has no cycle, archived copies, "occurrence"
 * discrepancies, a check's window inside its claim's window). Sets are built
 * with annot's loader; the register is a plain evidence_tile list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "annot.h"
#include "claims.h"
#include "evidence.h"

#define HEX(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
               c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define SHA_REAL HEX("a")
#define SHA_SYNTH HEX("b")
#define SHA_LATE HEX("c")
#define SHA_MISDATED HEX("d")
#define SHA_OTHER HEX("e")

/* Three outlets rewriting one Guardian story about one UK report; two other origins. */
static const char catalog_text[] =
    "{\"satmark_claims\":1,\"sources\":["
    "{\"id\":\"ukdi\",\"outlet\":\"UK Defence Intelligence\",\"headline\":\"report\","
    " \"published\":null,\"file\":null,\"reliability\":\"external\"},"
    "{\"id\":\"guardian\",\"outlet\":\"The Guardian\",\"headline\":\"story\",\"published\":null,"
    " \"file\":null,\"reliability\":\"external\",\"derived_from\":[\"ukdi\"]},"
    "{\"id\":\"out1\",\"outlet\":\"Outlet A\",\"headline\":\"a\",\"published\":\"2024-03-20\","
    " \"file\":\"a.txt\",\"reliability\":\"reported\",\"derived_from\":[\"guardian\"]},"
    "{\"id\":\"out2\",\"outlet\":\"Outlet B\",\"headline\":\"b\",\"published\":\"2024-03-20\","
    " \"file\":\"b.txt\",\"reliability\":\"reported\",\"derived_from\":[\"guardian\"]},"
    "{\"id\":\"out3\",\"outlet\":\"Outlet C\",\"headline\":\"c\",\"published\":\"2024-03-21\","
    " \"file\":\"c.txt\",\"reliability\":\"machine-written\",\"derived_from\":[\"out1\",\"guardian\"]},"
    "{\"id\":\"out1b\",\"outlet\":\"Outlet A\",\"headline\":\"a2\",\"published\":\"2024-03-22\","
    " \"file\":\"a2.txt\",\"reliability\":\"reported\"},"
    "{\"id\":\"rusi\",\"outlet\":\"RUSI\",\"headline\":\"r\",\"published\":null,\"file\":null,"
    " \"reliability\":\"external\"},"
    "{\"id\":\"web\",\"outlet\":\"Web\",\"headline\":\"w\",\"published\":null,\"file\":null,"
    " \"reliability\":\"reported\",\"archived\":{\"url\":\"https://example.org/a\","
    " \"sha256\":\"" SHA_OTHER "\",\"archived_at\":\"2024-03-22T10:00:00Z\"}}"
    "],\"claims\":["
#define CLAIM(id, imagery, extra)                                                            \
    "{\"id\":\"" id "\",\"text\":\"t\",\"sources\":[\"out1\",\"out2\",\"out3\"],"            \
    "\"time\":{\"from\":\"2024-03-01\",\"to\":\"2024-03-31\"},\"imagery\":\"" imagery "\"" \
    extra "}"
    CLAIM("seen", "yes", "") ","
    CLAIM("unseeable", "no", "") ","
    CLAIM("partial", "partly", "") ","
    CLAIM("here", "yes", "") ","
    CLAIM("there", "yes", "") ","
    CLAIM("happened", "yes", "") ","
    CLAIM("renamed", "yes", "") ","
    CLAIM("counted", "yes", ",\"check\":{\"class\":\"ship\",\"area\":\"berth\",\"op\":\">=\","
                            "\"value\":2,\"date_from\":\"2024-03-10\",\"date_to\":\"2024-03-20\"}") ","
    "{\"id\":\"two-origins\",\"text\":\"t\",\"sources\":[\"out2\",\"rusi\",\"out1b\",\"web\"],"
    " \"imagery\":\"yes\"}"
    "],\"discrepancies\":["
    "{\"id\":\"where\",\"title\":\"here or there\",\"kind\":\"place\",\"claims\":[\"here\",\"there\"]},"
    "{\"id\":\"whether\",\"title\":\"did it happen\",\"kind\":\"occurrence\",\"claims\":[\"happened\"]},"
    "{\"id\":\"name\",\"title\":\"spelling\",\"kind\":\"name\",\"claims\":[\"renamed\"]}"
    "]}";

static const struct evidence_tile tiles[] = {
    {.file = "real_2024-03-17.tif", .sha256 = SHA_REAL, .acquired = "2024-03-17", .synthetic = false},
    {.file = "synth_2024-03-17.tif", .sha256 = SHA_SYNTH, .acquired = "2024-03-17", .synthetic = true},
    {.file = "late_2024-05-01.tif", .sha256 = SHA_LATE, .acquired = "2024-05-01T01:02:03Z",
     .synthetic = false},
    {.file = "misdated.tif", .sha256 = SHA_MISDATED, .acquired = "2024-05-02", .synthetic = false},
};
#define NTILES (sizeof tiles / sizeof tiles[0])

struct fx {
    struct claims_catalog *cat;
    struct annot_set *set;
    struct diag *dg;
    struct evidence_report *rep;
    int next;
};

static struct fx *fx_new(void)
{
    struct fx *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dg = diag_new();
    if (!claims_catalog_parse(catalog_text, "test.json", &fx->cat, fx->dg))
        fail_msg("catalog: %s", diag_message(fx->dg));
    fx->set = annot_set_new();
    return fx;
}

static void fx_free(struct fx *fx)
{
    evidence_report_free(fx->rep);
    annot_set_free(fx->set);
    claims_catalog_free(fx->cat);
    diag_free(fx->dg);
    free(fx);
}

/* A point mark of class cls at (lon, lat) observed on image (sha may be "",
 * image NULL for none), linked to claim (NULL for none) with stance. */
static void mark(struct fx *fx, enum annot_class cls, double lon, double lat, const char *image,
                 const char *sha, const char *acquired, const char *claim, enum annot_stance stance)
{
    struct annot_feature f;
    annot_feature_init(&f);
    char id[32];
    snprintf(id, sizeof id, "m-%d", ++fx->next);
    struct annot_lonlat p = {lon, lat};
    struct annot_part part = {.n = 1, .pts = &p};
    f.id = id;
    f.cls = cls;
    f.label = f.note = f.author = "";
    f.geom = (struct annot_geometry){.type = ANNOT_GEOM_POINT, .nparts = 1, .parts = &part};
    struct annot_observation obs = {.image = (char *)image, .sha256 = (char *)sha,
                                    .acquired = (char *)acquired};
    if (image) {
        f.nobs = 1;
        f.obs = &obs;
    }
    struct annot_claim_link link = {.claim = (char *)claim, .stance = stance};
    if (claim) {
        f.nclaims = 1;
        f.claims = &link;
    }
    if (!annot_load_feature(fx->set, &f, fx->dg))
        fail_msg("mark: %s", diag_message(fx->dg));
}

static void real_mark(struct fx *fx, const char *claim, enum annot_stance stance)
{
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "real_2024-03-17.tif", SHA_REAL, "2024-03-17", claim,
         stance);
}

static void synthetic_mark(struct fx *fx, const char *claim, enum annot_stance stance)
{
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "synth_2024-03-17.tif", SHA_SYNTH, "2024-03-17", claim,
         stance);
}

static const struct evidence_claim *evaluate(struct fx *fx, const char *claim_id)
{
    evidence_report_free(fx->rep);
    fx->rep = NULL;
    const struct annot_set *sets[1] = {fx->set};
    if (!evidence_evaluate(fx->cat, sets, 1, tiles, NTILES, &fx->rep, fx->dg))
        fail_msg("evaluate: %s", diag_message(fx->dg));
    const struct evidence_claim *ec = evidence_report_find(fx->rep, claim_id);
    assert_non_null(ec);
    assert_non_null(ec->reason);
    return ec;
}

static void expect_status(const struct evidence_claim *ec, enum evidence_status status,
                          const char *reason_needle)
{
    if (ec->status != status || (reason_needle && !strstr(ec->reason, reason_needle)))
        fail_msg("claim %s: expected %s with \"%s\", got %s: \"%s\"", ec->claim->id,
                 evidence_status_name(status), reason_needle ? reason_needle : "",
                 evidence_status_name(ec->status), ec->reason);
}

/* ---- status rules ----------------------------------------------------------- */

static void no_marks_is_no_evidence(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    expect_status(evaluate(fx, "seen"), EVIDENCE_NO_EVIDENCE, "no mark");
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "real_2024-03-17.tif", SHA_REAL, "2024-03-17", "seen",
         ANNOT_STANCE_CONTEXT);
    expect_status(evaluate(fx, "seen"), EVIDENCE_NO_EVIDENCE, "only context");
    fx_free(fx);
}

static void real_registered_mark_in_window_supports(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "seen", ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_SUPPORTED, "1 mark on real, registered imagery");
    assert_int_equal(ec->nobs, 1);
    assert_true(ec->obs[0].counts);
    assert_true(ec->obs[0].registered);
    assert_false(ec->obs[0].synthetic);
    assert_int_equal(ec->obs[0].match, EVIDENCE_MATCH_SHA256);
    assert_string_equal(ec->obs[0].acquired, "2024-03-17");
    fx_free(fx);
}

static void real_contradicting_mark_contradicts(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "seen", ANNOT_STANCE_CONTRADICTS);
    expect_status(evaluate(fx, "seen"), EVIDENCE_CONTRADICTED, "contradicts it");
    fx_free(fx);
}

static void real_marks_both_ways_are_contested(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "seen", ANNOT_STANCE_SUPPORTS);
    real_mark(fx, "seen", ANNOT_STANCE_CONTRADICTS);
    expect_status(evaluate(fx, "seen"), EVIDENCE_CONTESTED, "points both ways");
    fx_free(fx);
}

static void imagery_no_is_not_observable_whatever_the_marks(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    expect_status(evaluate(fx, "unseeable"), EVIDENCE_NOT_OBSERVABLE, "imagery cannot show");
    real_mark(fx, "unseeable", ANNOT_STANCE_SUPPORTS);
    real_mark(fx, "unseeable", ANNOT_STANCE_SUPPORTS);
    expect_status(evaluate(fx, "unseeable"), EVIDENCE_NOT_OBSERVABLE,
                  "2 marks linked to it as supporting or contradicting cannot decide it");
    fx_free(fx);
}

static void synthetic_only_is_illustrative(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    synthetic_mark(fx, "seen", ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_ILLUSTRATIVE, "only synthetic imagery");
    assert_true(ec->obs[0].synthetic);
    assert_true(ec->obs[0].registered);
    assert_false(ec->obs[0].counts);
    /* A contradicting synthetic mark does not contradict either. */
    struct fx *fx2 = fx_new();
    synthetic_mark(fx2, "seen", ANNOT_STANCE_CONTRADICTS);
    expect_status(evaluate(fx2, "seen"), EVIDENCE_ILLUSTRATIVE, NULL);
    fx_free(fx2);
    /* Synthetic marks next to a real one: the real one decides. */
    real_mark(fx, "seen", ANNOT_STANCE_CONTRADICTS);
    expect_status(evaluate(fx, "seen"), EVIDENCE_CONTRADICTED, NULL);
    fx_free(fx);
}

static void unregistered_cannot_support(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "elsewhere_2024-03-17.tif", SHA_OTHER, "2024-03-17",
         "seen", ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_NO_EVIDENCE, "unregistered imagery");
    assert_false(ec->obs[0].registered);
    assert_int_equal(ec->obs[0].match, EVIDENCE_MATCH_NONE);
    assert_true(ec->obs[0].in_window);
    fx_free(fx);
}

static void changed_file_is_not_the_registered_one(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* The registered name, but the marks were made on a file with another hash. */
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "real_2024-03-17.tif", SHA_OTHER, "2024-03-17", "seen",
         ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_NO_EVIDENCE, "unregistered");
    assert_int_equal(ec->obs[0].match, EVIDENCE_MATCH_CHANGED);
    fx_free(fx);
}

static void unhashed_observation_matches_by_file_name(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "real_2024-03-17.tif", "", "2024-03-17", "seen",
         ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_SUPPORTED, NULL);
    assert_int_equal(ec->obs[0].match, EVIDENCE_MATCH_FILE);
    assert_string_equal(ec->obs[0].sha256, SHA_REAL);
    fx_free(fx);
}

static void observation_outside_the_window_does_not_count(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "late_2024-05-01.tif", SHA_LATE, "2024-05-01", "seen",
         ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_NO_EVIDENCE, "no observation dated inside the claim's window "
                                            "2024-03-01..2024-03-31");
    assert_false(ec->obs[0].in_window);
    assert_int_equal(ec->outside_marks, 1);
    /* An undated observation cannot be placed in the window either. */
    struct fx *fx2 = fx_new();
    mark(fx2, ANNOT_CLASS_SHIP, 130, 42, "unknown.tif", "", "", "seen", ANNOT_STANCE_SUPPORTS);
    expect_status(evaluate(fx2, "seen"), EVIDENCE_NO_EVIDENCE, "no observation dated inside");
    fx_free(fx2);
    fx_free(fx);
}

static void register_date_wins_over_the_observation(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* The mark says 15 March; the register says the image was taken on 2 May. */
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "misdated.tif", SHA_MISDATED, "2024-03-15", "seen",
         ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    expect_status(ec, EVIDENCE_NO_EVIDENCE, "no observation dated inside");
    assert_string_equal(ec->obs[0].acquired, "2024-05-02");
    fx_free(fx);
}

static void place_discrepancy_makes_it_at_best_contested(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "here", ANNOT_STANCE_SUPPORTS);
    expect_status(evaluate(fx, "here"), EVIDENCE_CONTESTED, "where it happened");
    /* The other side, with no marks at all, is contested too (not "no evidence"). */
    const struct evidence_claim *there = evidence_report_find(fx->rep, "there");
    expect_status(there, EVIDENCE_CONTESTED, "discrepancy \"where\"");
    assert_int_equal(there->ndiscrepancies, 1);
    /* Synthetic marks do not lift a contested claim to illustrative. */
    synthetic_mark(fx, "there", ANNOT_STANCE_SUPPORTS);
    expect_status(evaluate(fx, "there"), EVIDENCE_CONTESTED, "synthetic");
    /* Real imagery contradicting a contested claim still contradicts it. */
    real_mark(fx, "there", ANNOT_STANCE_CONTRADICTS);
    expect_status(evaluate(fx, "there"), EVIDENCE_CONTRADICTED, "where");
    fx_free(fx);
}

static void occurrence_discrepancy_contests_too(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "happened", ANNOT_STANCE_SUPPORTS);
    expect_status(evaluate(fx, "happened"), EVIDENCE_CONTESTED, "whether it happened");
    fx_free(fx);
}

static void other_discrepancy_kinds_do_not_change_the_status(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "renamed", ANNOT_STANCE_SUPPORTS);
    const struct evidence_claim *ec = evaluate(fx, "renamed");
    expect_status(ec, EVIDENCE_SUPPORTED, NULL);
    assert_int_equal(ec->ndiscrepancies, 1);
    assert_string_equal(ec->discrepancies[0]->id, "name");
    expect_status(evidence_report_find(fx->rep, "seen"), EVIDENCE_NO_EVIDENCE, NULL);
    fx_free(fx);
}

static void partly_observable_says_so(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "partial", ANNOT_STANCE_SUPPORTS);
    expect_status(evaluate(fx, "partial"), EVIDENCE_SUPPORTED, "only part of this claim");
    fx_free(fx);
}

/* ---- checks ----------------------------------------------------------------- */

static void berth(struct fx *fx, const char *image, const char *sha, const char *acquired)
{
    struct annot_feature f;
    annot_feature_init(&f);
    struct annot_lonlat ring[5] = {{129.99, 41.99}, {130.01, 41.99}, {130.01, 42.01},
                                   {129.99, 42.01}, {129.99, 41.99}};
    struct annot_part part = {.n = 5, .pts = ring};
    char id[32];
    snprintf(id, sizeof id, "berth");
    f.id = id;
    f.cls = ANNOT_CLASS_AOI;
    f.label = f.note = f.author = "";
    f.geom = (struct annot_geometry){.type = ANNOT_GEOM_POLYGON, .nparts = 1, .parts = &part};
    struct annot_observation obs = {.image = (char *)image, .sha256 = (char *)sha,
                                    .acquired = (char *)acquired};
    f.nobs = 1;
    f.obs = &obs;
    if (!annot_load_feature(fx->set, &f, fx->dg))
        fail_msg("berth: %s", diag_message(fx->dg));
}

static void ships(struct fx *fx, int n, const char *image, const char *sha)
{
    for (int i = 0; i < n; i++)
        mark(fx, ANNOT_CLASS_SHIP, 130.0 + 0.001 * i, 42, image, sha, "2024-03-17", NULL,
             ANNOT_STANCE_CONTEXT);
}

static void check_on_synthetic_imagery_is_illustrative(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    berth(fx, "synth_2024-03-17.tif", SHA_SYNTH, "2024-03-17");
    ships(fx, 3, "synth_2024-03-17.tif", SHA_SYNTH);
    const struct evidence_claim *ec = evaluate(fx, "counted");
    /* The plain count holds ... */
    const struct claims_claim_result *base = claims_report_find(fx->rep->base, "counted");
    assert_int_equal(base->check.verdict, CLAIMS_VERDICT_CONSISTENT);
    /* ... but on synthetic imagery it is never "consistent". */
    assert_true(ec->has_check);
    assert_int_equal(ec->check, EVIDENCE_CHECK_ILLUSTRATIVE);
    assert_non_null(strstr(ec->check_reason, "synthetic"));
    expect_status(ec, EVIDENCE_ILLUSTRATIVE, "only synthetic imagery");
    fx_free(fx);
}

static void check_on_real_imagery_decides(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    berth(fx, "real_2024-03-17.tif", SHA_REAL, "2024-03-17");
    ships(fx, 2, "real_2024-03-17.tif", SHA_REAL);
    const struct evidence_claim *ec = evaluate(fx, "counted");
    assert_int_equal(ec->check, EVIDENCE_CHECK_CONSISTENT);
    expect_status(ec, EVIDENCE_SUPPORTED, "check holds");
    fx_free(fx);

    fx = fx_new();
    berth(fx, "real_2024-03-17.tif", SHA_REAL, "2024-03-17");
    ships(fx, 1, "real_2024-03-17.tif", SHA_REAL);
    ec = evaluate(fx, "counted");
    assert_int_equal(ec->check, EVIDENCE_CHECK_INCONSISTENT);
    assert_non_null(strstr(ec->check_reason, "1 ship in \"berth\""));
    expect_status(ec, EVIDENCE_CONTRADICTED, "check fails");
    fx_free(fx);
}

static void check_on_unregistered_imagery_is_undetermined(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    berth(fx, "loose.tif", SHA_OTHER, "2024-03-17");
    ships(fx, 5, "loose.tif", SHA_OTHER);
    const struct evidence_claim *ec = evaluate(fx, "counted");
    assert_int_equal(ec->check, EVIDENCE_CHECK_UNDETERMINED);
    assert_non_null(strstr(ec->check_reason, "unregistered"));
    expect_status(ec, EVIDENCE_NO_EVIDENCE, "check undetermined");
    fx_free(fx);
}

/* ---- imagery summary ---------------------------------------------------------- */

static void imagery_summary_says_what_it_rests_on(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    synthetic_mark(fx, NULL, ANNOT_STANCE_CONTEXT);
    synthetic_mark(fx, "seen", ANNOT_STANCE_SUPPORTS);
    evaluate(fx, "seen");
    assert_int_equal(fx->rep->imagery.tiles, 1);
    assert_int_equal(fx->rep->imagery.synthetic, 1);
    char text[256];
    evidence_imagery_sentence(&fx->rep->imagery, text, sizeof text);
    assert_string_equal(text, "1 tile, it is synthetic: no claim can be supported by it.");
    real_mark(fx, NULL, ANNOT_STANCE_CONTEXT);
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "x.tif", "", "", NULL, ANNOT_STANCE_CONTEXT);
    evaluate(fx, "seen");
    evidence_imagery_sentence(&fx->rep->imagery, text, sizeof text);
    assert_non_null(strstr(text, "3 tiles: 1 real and registered, 1 synthetic, 1 unregistered"));
    struct evidence_imagery all = {.tiles = 4, .synthetic = 4};
    evidence_imagery_sentence(&all, text, sizeof text);
    assert_string_equal(text, "4 tiles, all synthetic: no claim can be supported by them.");
    fx_free(fx);
}

/* ---- lineage ---------------------------------------------------------------- */

static void three_outlets_one_origin(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const struct claims_claim *c = claims_find(fx->cat, "seen");
    assert_int_equal(evidence_outlet_count(fx->cat, c), 3);
    assert_int_equal(evidence_independent_origins(fx->cat, c), 1);
    const struct claims_source *origins[4];
    assert_int_equal(evidence_origins(fx->cat, c, origins, 4), 1);
    assert_string_equal(origins[0]->id, "ukdi");
    /* out2 -> guardian -> ukdi; rusi; out1b and web derive from nothing: 4 origins,
     * and "Outlet A" twice is one outlet among 4. */
    const struct claims_claim *two = claims_find(fx->cat, "two-origins");
    assert_int_equal(evidence_independent_origins(fx->cat, two), 4);
    assert_int_equal(evidence_outlet_count(fx->cat, two), 4);
    const struct evidence_claim *ec = evaluate(fx, "seen");
    assert_int_equal(ec->outlets, 3);
    assert_int_equal(ec->independent_origins, 1);
    fx_free(fx);
}

/* ---- catalog rules ------------------------------------------------------------ */

static void expect_catalog_error(const char *text, const char *needle1, const char *needle2)
{
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    bool ok = claims_catalog_parse(text, "cat.json", &cat, dg);
    if (ok || !strstr(diag_message(dg), needle1) || (needle2 && !strstr(diag_message(dg), needle2)))
        fail_msg("expected an error with \"%s\" / \"%s\", got %s: \"%s\"", needle1,
                 needle2 ? needle2 : "", ok ? "success" : "failure", diag_message(dg));
    claims_catalog_free(cat);
    diag_free(dg);
}

#define SOURCE(id, derived) \
    "{\"id\":\"" id "\",\"outlet\":\"O\",\"headline\":\"H\",\"published\":null,\"file\":null," \
    "\"reliability\":\"external\",\"derived_from\":[" derived "]}"
#define ONE_CLAIM(extra)                                                                  \
    "\"claims\":[{\"id\":\"c1\",\"text\":\"t\",\"sources\":[\"a\"],\"imagery\":\"yes\"" extra \
    "}]}"

static void catalog_lineage_rules(void **state)
{
    (void)state;
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "\"nobody\"") "],"
                         ONE_CLAIM(""),
                         "sources[0] \"a\": derived_from", "unknown source \"nobody\"");
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "\"b\"") ","
                         SOURCE("b", "\"c\"") "," SOURCE("c", "\"a\"") "]," ONE_CLAIM(""),
                         "derivation cycle", "a -> b -> c -> a");
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "\"a\"") "],"
                         ONE_CLAIM(""),
                         "derivation cycle", "a -> a");
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "\"c1\"") "],"
                         ONE_CLAIM(""),
                         "unknown source \"c1\"", "that id is a claim");
    /* A diamond is not a cycle. */
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_parse(
        "{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "\"b\",\"c\"") "," SOURCE("b", "\"d\"")
        "," SOURCE("c", "\"d\"") "," SOURCE("d", "") "]," ONE_CLAIM(""),
        "cat.json", &cat, dg));
    assert_int_equal(evidence_independent_origins(cat, claims_find(cat, "c1")), 1);
    claims_catalog_free(cat);
    diag_free(dg);
}

/* A long derived_from chain (hostile or generated) is walked without
 * recursion; a cycle at its end is still found and named. */
static void long_derivation_chain(void **state)
{
    (void)state;
    enum { N = 3000 };
    size_t cap = (size_t)N * 200 + 1024;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "{\"satmark_claims\":1,\"sources\":[");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%s{\"id\":\"s%d\",\"outlet\":\"O%d\",\"headline\":\"H\","
                                "\"published\":null,\"file\":null,\"reliability\":\"external\","
                                "\"derived_from\":[%s%d%s]}",
                                i ? "," : "", i, i, i + 1 < N ? "\"s" : "", i + 1 < N ? i + 1 : 0,
                                i + 1 < N ? "\"" : "");
    /* the last source derives from nothing: write "[0]" above as "[]" */
    char *tail = strstr(text + len - 40, "[0]");
    assert_non_null(tail);
    memmove(tail + 1, tail + 2, strlen(tail + 2) + 1);
    len--;
    snprintf(text + len, cap - len, "],\"claims\":[{\"id\":\"c\",\"text\":\"t\","
                                    "\"sources\":[\"s0\"],\"imagery\":\"yes\"}]}");
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    if (!claims_catalog_parse(text, "chain.json", &cat, dg))
        fail_msg("%s", diag_message(dg));
    const struct claims_source *origin[1];
    assert_int_equal(evidence_origins(cat, claims_find(cat, "c"), origin, 1), 1);
    assert_string_equal(origin[0]->id, "s2999");
    claims_catalog_free(cat);
    /* Close the chain: s2999 -> s0. */
    char *last = strstr(text, "\"id\":\"s2999\"");
    assert_non_null(last);
    char *empty = strstr(last, "[]");
    size_t at = (size_t)(empty - text);
    char *closed = malloc(strlen(text) + 8);
    memcpy(closed, text, at);
    strcpy(closed + at, "[\"s0\"]");
    strcat(closed, empty + 2);
    assert_false(claims_catalog_parse(closed, "chain.json", &cat, dg));
    assert_non_null(strstr(diag_message(dg), "derivation cycle: s0 -> s1 -> s2"));
    free(closed);
    free(text);
    diag_free(dg);
}

static void catalog_archived_and_occurrence(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const struct claims_source *web = claims_find_source(fx->cat, "web");
    assert_string_equal(web->archived_url, "https://example.org/a");
    assert_string_equal(web->archived_sha256, SHA_OTHER);
    assert_string_equal(web->archived_at, "2024-03-22T10:00:00Z");
    assert_null(web->file);
    assert_string_equal(claims_find_source(fx->cat, "out1")->archived_url, "");
    assert_int_equal(claims_find_discrepancy(fx->cat, "whether")->kind, CLAIMS_KIND_OCCURRENCE);
    assert_string_equal(claims_kind_name(CLAIMS_KIND_OCCURRENCE), "occurrence");
    fx_free(fx);
#define ARCHIVED(sha, at)                                                                    \
    "{\"satmark_claims\":1,\"sources\":[{\"id\":\"a\",\"outlet\":\"O\",\"headline\":\"H\","  \
    "\"published\":null,\"file\":null,\"reliability\":\"reported\",\"archived\":{\"url\":" \
    "\"https://x\",\"sha256\":\"" sha "\",\"archived_at\":\"" at "\"}}]," ONE_CLAIM("")
    expect_catalog_error(ARCHIVED("abc", "2024-03-22T10:00:00Z"), "archived: sha256",
                         "64 lowercase hex");
    expect_catalog_error(ARCHIVED(SHA_OTHER, "2024-03-22"), "archived: archived_at", "UTC");
    /* A reported source needs a file or an archived copy. */
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[{\"id\":\"a\",\"outlet\":\"O\","
                         "\"headline\":\"H\",\"published\":null,\"file\":null,"
                         "\"reliability\":\"reported\"}]," ONE_CLAIM(""),
                         "sources[0] \"a\": file", "archived copy");
}

static void catalog_check_window_inside_claim_window(void **state)
{
    (void)state;
#define WINDOWED(from, to)                                                                   \
    ",\"time\":{\"from\":\"2024-03-08\",\"to\":\"2024-03-10\"},\"check\":{\"class\":\"ship\"," \
    "\"area\":\"x\",\"op\":\">\",\"value\":0,\"date_from\":\"" from "\",\"date_to\":\"" to "\"}"
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "") "],"
                         ONE_CLAIM(WINDOWED("2024-03-10", "2024-03-20")),
                         "claims[0] \"c1\": check", "date_to 2024-03-20 is after the claim's "
                                                    "time.to 2024-03-10");
    expect_catalog_error("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "") "],"
                         ONE_CLAIM(WINDOWED("2024-03-01", "2024-03-09")),
                         "claims[0] \"c1\": check", "date_from 2024-03-01 is before");
    struct diag *dg = diag_new();
    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_parse("{\"satmark_claims\":1,\"sources\":[" SOURCE("a", "") "],"
                                     ONE_CLAIM(WINDOWED("2024-03-08", "2024-03-10")),
                                     "cat.json", &cat, dg));
    claims_catalog_free(cat);
    diag_free(dg);
}

static void supporting_links_to_unobservable_claims_warn(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "unseeable", ANNOT_STANCE_SUPPORTS);
    real_mark(fx, "unseeable", ANNOT_STANCE_CONTEXT); /* context is fine */
    real_mark(fx, "seen", ANNOT_STANCE_SUPPORTS);
    assert_int_equal(evidence_warn_unobservable_links(fx->cat, fx->set, "site.geojson", fx->dg), 1);
    assert_non_null(strstr(diag_warning(fx->dg, 0),
                           "site.geojson: feature \"m-1\": supports claim \"unseeable\", which "
                           "imagery cannot show"));
    fx_free(fx);
}

static void imagery_list_records_each_image_once(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    real_mark(fx, "seen", ANNOT_STANCE_SUPPORTS);
    real_mark(fx, NULL, ANNOT_STANCE_CONTEXT);
    mark(fx, ANNOT_CLASS_SHIP, 130, 42, "real_2024-03-17.tif", "", "", NULL, ANNOT_STANCE_CONTEXT);
    evaluate(fx, "seen");
    assert_int_equal(fx->rep->imagery.tiles, 1);
    const struct evidence_image *im = evidence_report_image(fx->rep, "real_2024-03-17.tif");
    assert_non_null(im);
    assert_true(im->registered);
    assert_false(im->synthetic);
    assert_string_equal(im->acquired, "2024-03-17");
    assert_string_equal(im->sha256, SHA_REAL);
    assert_null(evidence_report_image(fx->rep, "other.tif"));
    fx_free(fx);
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(evidence_status_name(EVIDENCE_NOT_OBSERVABLE), "not_observable");
    assert_string_equal(evidence_status_name(EVIDENCE_NO_EVIDENCE), "no_evidence");
    assert_string_equal(evidence_status_name(EVIDENCE_ILLUSTRATIVE), "illustrative");
    assert_string_equal(evidence_check_name(EVIDENCE_CHECK_ILLUSTRATIVE), "illustrative");
    assert_string_equal(evidence_status_name(EVIDENCE_STATUS_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_marks_is_no_evidence),
        cmocka_unit_test(real_registered_mark_in_window_supports),
        cmocka_unit_test(real_contradicting_mark_contradicts),
        cmocka_unit_test(real_marks_both_ways_are_contested),
        cmocka_unit_test(imagery_no_is_not_observable_whatever_the_marks),
        cmocka_unit_test(synthetic_only_is_illustrative),
        cmocka_unit_test(unregistered_cannot_support),
        cmocka_unit_test(changed_file_is_not_the_registered_one),
        cmocka_unit_test(unhashed_observation_matches_by_file_name),
        cmocka_unit_test(observation_outside_the_window_does_not_count),
        cmocka_unit_test(register_date_wins_over_the_observation),
        cmocka_unit_test(place_discrepancy_makes_it_at_best_contested),
        cmocka_unit_test(occurrence_discrepancy_contests_too),
        cmocka_unit_test(other_discrepancy_kinds_do_not_change_the_status),
        cmocka_unit_test(partly_observable_says_so),
        cmocka_unit_test(check_on_synthetic_imagery_is_illustrative),
        cmocka_unit_test(check_on_real_imagery_decides),
        cmocka_unit_test(check_on_unregistered_imagery_is_undetermined),
        cmocka_unit_test(imagery_summary_says_what_it_rests_on),
        cmocka_unit_test(three_outlets_one_origin),
        cmocka_unit_test(catalog_lineage_rules),
        cmocka_unit_test(long_derivation_chain),
        cmocka_unit_test(catalog_archived_and_occurrence),
        cmocka_unit_test(catalog_check_window_inside_claim_window),
        cmocka_unit_test(supporting_links_to_unobservable_claims_warn),
        cmocka_unit_test(imagery_list_records_each_image_once),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
