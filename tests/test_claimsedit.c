/* Unit tests of claimsedit: an empty catalog is created once (never over an
 * existing file); sources (article file or archived URL, with derived_from)
 * and claims are appended and read back; every add the catalog reader would
 * refuse (unknown or cyclic derived_from, duplicate id, bad hash, unknown
 * source) fails naming the entry and leaves the file byte for byte as it was;
 * members satmark does not know (notes) survive an add. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "claims.h"
#include "claimsedit.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct paths {
    char dir[256];
    char catalog[300];
    char article[300];
};

static void setup_dir(struct paths *p)
{
    snprintf(p->dir, sizeof p->dir, "%s/claimsedit-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(p->dir));
    snprintf(p->catalog, sizeof p->catalog, "%s/claims.json", p->dir);
    snprintf(p->article, sizeof p->article, "%s/article.txt", p->dir);
    FILE *f = fopen(p->article, "w");
    assert_non_null(f);
    fputs("An article.\n", f);
    fclose(f);
}

static void cleanup_dir(const struct paths *p)
{
    char path[400];
    const char *names[] = {"claims.json", "claims.json~", "article.txt"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", p->dir, names[i]);
        unlink(path);
    }
    rmdir(p->dir);
}

/* The whole file, NUL-terminated (caller frees). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void init_once(void **state)
{
    (void)state;
    struct paths p;
    setup_dir(&p);
    struct diag *dg = diag_new();
    assert_true(claimsedit_init(p.catalog, dg));
    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_read(p.catalog, &cat, dg));
    assert_int_equal(claims_source_count(cat), 0);
    claims_catalog_free(cat);
    char *before = slurp(p.catalog);
    assert_false(claimsedit_init(p.catalog, dg));
    assert_non_null(strstr(diag_message(dg), "already exists"));
    char *after = slurp(p.catalog);
    assert_string_equal(before, after);
    free(before);
    free(after);
    diag_free(dg);
    cleanup_dir(&p);
}

/* Expects add to fail with needle in the message and the file unchanged. */
#define EXPECT_REFUSED(call, needle)                                                       \
    do {                                                                                    \
        char *before_ = slurp(p.catalog);                                                   \
        struct diag *dg_ = diag_new();                                                      \
        if ((call) || !strstr(diag_message(dg_), needle))                                   \
            fail_msg("expected refusal with \"%s\", got \"%s\"", needle, diag_message(dg_)); \
        char *after_ = slurp(p.catalog);                                                    \
        assert_string_equal(before_, after_);                                               \
        free(before_);                                                                      \
        free(after_);                                                                       \
        diag_free(dg_);                                                                     \
    } while (0)

static void add_sources_and_claims(void **state)
{
    (void)state;
    struct paths p;
    setup_dir(&p);
    struct diag *dg = diag_new();
    assert_true(claimsedit_init(p.catalog, dg));
    struct claimsedit_source web = {.id = "agency", .outlet = "Agency", .url = "https://x/a",
                                    .archived_sha256 = HEX64,
                                    .archived_at = "2024-01-22T10:00:00Z",
                                    .reliability = "external"};
    assert_true(claimsedit_add_source(p.catalog, &web, dg));
    const char *from_agency[] = {"agency"};
    struct claimsedit_source wire = {.id = "wire", .outlet = "Wire", .article = p.article,
                                     .published = "2024-01-23", .derived_from = from_agency,
                                     .nderived_from = 1};
    if (!claimsedit_add_source(p.catalog, &wire, dg))
        fail_msg("%s", diag_message(dg));
    const char *srcs[] = {"wire"};
    struct claimsedit_claim c = {.id = "c1", .text = "Ships at the pier.", .sources = srcs,
                                 .nsources = 1, .time_from = "2024-01-01",
                                 .time_to = "2024-01-31", .imagery = "yes", .place = "Pier"};
    assert_true(claimsedit_add_claim(p.catalog, &c, dg));

    struct claims_catalog *cat = NULL;
    assert_true(claims_catalog_read(p.catalog, &cat, dg));
    const struct claims_source *s = claims_find_source(cat, "wire");
    assert_string_equal(s->file, "article.txt");
    assert_string_equal(s->headline, "article.txt");
    assert_int_equal(s->nderived_from, 1);
    assert_string_equal(claims_find_source(cat, "agency")->archived_sha256, HEX64);
    const struct claims_claim *cl = claims_find(cat, "c1");
    assert_string_equal(cl->time_to, "2024-01-31");
    assert_int_equal(cl->imagery, CLAIMS_IMAGERY_YES);
    claims_catalog_free(cat);

    /* Refusals leave the file as it was. */
    const char *unknown[] = {"nobody"};
    struct claimsedit_source bad = wire;
    bad.id = "w2";
    bad.derived_from = unknown;
    EXPECT_REFUSED(claimsedit_add_source(p.catalog, &bad, dg_), "unknown source \"nobody\"");
    bad = wire;
    EXPECT_REFUSED(claimsedit_add_source(p.catalog, &bad, dg_), "duplicate id");
    const char *self[] = {"w3"};
    bad.id = "w3";
    bad.derived_from = self;
    EXPECT_REFUSED(claimsedit_add_source(p.catalog, &bad, dg_), "derivation cycle: w3 -> w3");
    struct claimsedit_source badhash = web;
    badhash.id = "a2";
    badhash.archived_sha256 = "xyz";
    EXPECT_REFUSED(claimsedit_add_source(p.catalog, &badhash, dg_), "64 lowercase hex");
    struct claimsedit_source both = wire;
    both.id = "b";
    both.url = "https://x";
    EXPECT_REFUSED(claimsedit_add_source(p.catalog, &both, dg_), "not both");
    struct claimsedit_source missing = wire;
    missing.id = "m";
    missing.article = "/nonexistent/article.txt";
    EXPECT_REFUSED(claimsedit_add_source(p.catalog, &missing, dg_), "/nonexistent/article.txt");
    const char *nosrc[] = {"zz"};
    struct claimsedit_claim badclaim = c;
    badclaim.id = "c2";
    badclaim.sources = nosrc;
    EXPECT_REFUSED(claimsedit_add_claim(p.catalog, &badclaim, dg_), "unknown source \"zz\"");
    badclaim = c;
    badclaim.id = "c3";
    badclaim.imagery = "maybe";
    EXPECT_REFUSED(claimsedit_add_claim(p.catalog, &badclaim, dg_), "imagery");
    badclaim.imagery = "no";
    badclaim.time_from = "2024-02-30";
    EXPECT_REFUSED(claimsedit_add_claim(p.catalog, &badclaim, dg_), "2024-02-30");
    diag_free(dg);
    cleanup_dir(&p);
}

static void unknown_members_survive(void **state)
{
    (void)state;
    struct paths p;
    setup_dir(&p);
    FILE *f = fopen(p.catalog, "w");
    assert_non_null(f);
    fputs("{\"satmark_claims\":1,\"notes\":\"keep me\",\"sources\":[{\"id\":\"s\",\"outlet\":\"O\","
          "\"headline\":\"H\",\"published\":null,\"file\":null,\"reliability\":\"external\","
          "\"assessment\":\"also kept\"}],\"claims\":[]}",
          f);
    fclose(f);
    struct diag *dg = diag_new();
    const char *srcs[] = {"s"};
    struct claimsedit_claim c = {.id = "c", .text = "t", .sources = srcs, .nsources = 1,
                                 .imagery = "partly"};
    assert_true(claimsedit_add_claim(p.catalog, &c, dg));
    char *text = slurp(p.catalog);
    assert_non_null(strstr(text, "\"notes\": \"keep me\""));
    assert_non_null(strstr(text, "\"assessment\": \"also kept\""));
    free(text);
    /* The previous version is kept as FILE~. */
    char backup[400];
    snprintf(backup, sizeof backup, "%s~", p.catalog);
    assert_int_equal(access(backup, R_OK), 0);
    /* A broken catalog is not built upon. */
    f = fopen(p.catalog, "w");
    fputs("{\"satmark_claims\":1,\"sources\":[,]}", f);
    fclose(f);
    assert_false(claimsedit_add_claim(p.catalog, &c, dg));
    assert_non_null(strstr(diag_message(dg), "claims.json:1:"));
    diag_free(dg);
    cleanup_dir(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_once),
        cmocka_unit_test(add_sources_and_claims),
        cmocka_unit_test(unknown_members_survive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
