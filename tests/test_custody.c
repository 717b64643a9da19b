/* Unit tests of custody: the hash chain (seq and prev), verification naming
 * the line that was edited, deleted or moved, refusal to append after an
 * incomplete line, and appends from concurrent processes and threads all
 * landing in one unbroken chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "custody.h"
#include "hash.h"
#include "settings.h"

static const char sha_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct fixture {
    char dir[64];
    char log[128];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/satmark-custody-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->log, sizeof fx->log, "%s/imagery.custody.jsonl", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    remove(fx->log);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void append_n(const char *log, int n)
{
    for (int i = 0; i < n; i++) {
        struct diag *dg = diag_new();
        const char *names[] = {"a.tif", "b.tif"};
        const char *hashes[] = {sha_a, sha_b};
        char what[32];
        snprintf(what, sizeof what, "step %d", i);
        assert_true(custody_append(log, "tester", "add", what, names, hashes, 2, dg));
        diag_free(dg);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    *len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

static void spill(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Line i (1-based) of text into out. */
static void nth_line(const char *text, int i, char *out, size_t cap)
{
    const char *p = text;
    for (int k = 1; k < i; k++)
        p = strchr(p, '\n') + 1;
    size_t n = strcspn(p, "\n");
    assert_true(n < cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

static void chain_is_seq_and_prev(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 3);
    size_t len;
    char *text = slurp(fx->log, &len);
    char l1[2048], l2[2048], l3[2048];
    nth_line(text, 1, l1, sizeof l1);
    nth_line(text, 2, l2, sizeof l2);
    nth_line(text, 3, l3, sizeof l3);
    assert_non_null(strstr(l1, "\"seq\":1,"));
    assert_non_null(strstr(l1, "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\""));
    assert_non_null(strstr(l1, "\"who\":\"tester\""));
    assert_non_null(strstr(l1, "\"action\":\"add\""));
    assert_non_null(strstr(l1, "{\"name\":\"a.tif\",\"sha256\":\"" "aaaa"));
    char h1[HASH_SHA256_HEX_LEN + 1], h3[HASH_SHA256_HEX_LEN + 1], want[128];
    hash_buffer_sha256(l1, strlen(l1), h1);
    snprintf(want, sizeof want, "\"prev\":\"%s\"", h1);
    assert_non_null(strstr(l2, "\"seq\":2,"));
    assert_non_null(strstr(l2, want));
    struct diag *dg = diag_new();
    size_t entries = 0;
    char head[HASH_SHA256_HEX_LEN + 1];
    assert_true(custody_verify_head(fx->log, &entries, head, dg));
    assert_int_equal(entries, 3);
    hash_buffer_sha256(l3, strlen(l3), h3);
    assert_string_equal(head, h3);
    diag_free(dg);
}

static void verify_fails(const char *log, const char *expect_in_message)
{
    struct diag *dg = diag_new();
    assert_false(custody_verify(log, NULL, dg));
    if (!strstr(diag_message(dg), expect_in_message))
        fail_msg("message \"%s\" lacks \"%s\"", diag_message(dg), expect_in_message);
    diag_free(dg);
}

static void edited_line_is_named(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 4);
    size_t len;
    char *text = slurp(fx->log, &len);
    char *step = strstr(text, "step 1"); /* on line 2 */
    assert_non_null(step);
    step[5] = '9';
    spill(fx->log, text);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:3: \"prev\" does not match line 2", fx->log);
    verify_fails(fx->log, expect);
}

static void deleted_line_is_named(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 4);
    size_t len;
    char *text = slurp(fx->log, &len);
    char *line2 = strchr(text, '\n') + 1;
    char *line3 = strchr(line2, '\n') + 1;
    memmove(line2, line3, strlen(line3) + 1);
    spill(fx->log, text);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:2: \"seq\" is 3", fx->log);
    verify_fails(fx->log, expect);
}

static void swapped_lines_are_named(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 3);
    size_t len;
    char *text = slurp(fx->log, &len);
    char l1[2048], l2[2048], l3[2048], swapped[8192];
    nth_line(text, 1, l1, sizeof l1);
    nth_line(text, 2, l2, sizeof l2);
    nth_line(text, 3, l3, sizeof l3);
    snprintf(swapped, sizeof swapped, "%s\n%s\n%s\n", l1, l3, l2);
    spill(fx->log, swapped);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:2: \"seq\" is 3", fx->log);
    verify_fails(fx->log, expect);
}

/* The known limit of a hash chain: an edit of the last line breaks no link
 * (until a line follows it; every `imagery verify` appends one), but it
 * changes the head that verify prints, so a recorded head exposes it. */
static void edited_last_line_changes_the_head(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 2);
    struct diag *dg = diag_new();
    char before[HASH_SHA256_HEX_LEN + 1], after[HASH_SHA256_HEX_LEN + 1];
    assert_true(custody_verify_head(fx->log, NULL, before, dg));
    size_t len;
    char *text = slurp(fx->log, &len);
    char *step = strstr(text, "step 1");
    step[5] = '7';
    spill(fx->log, text);
    assert_true(custody_verify_head(fx->log, NULL, after, dg));
    assert_string_not_equal(before, after);
    diag_free(dg);
}

static void first_line_prev_must_be_zero(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 2);
    size_t len;
    char *text = slurp(fx->log, &len);
    char *line2 = strchr(text, '\n') + 1;
    /* drop line 1 and renumber the rest: still caught by prev */
    char *seq = strstr(line2, "\"seq\":2");
    seq[6] = '1';
    spill(fx->log, line2);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:1: \"prev\" of the first line is not 64 zeros", fx->log);
    verify_fails(fx->log, expect);
}

static void incomplete_line_refused(void **state)
{
    struct fixture *fx = *state;
    append_n(fx->log, 2);
    FILE *f = fopen(fx->log, "ab");
    fputs("{\"seq\":3,\"at\"", f);
    fclose(f);
    struct diag *dg = diag_new();
    size_t before, after;
    slurp(fx->log, &before);
    assert_false(custody_append(fx->log, "x", "add", "", NULL, NULL, 0, dg));
    assert_non_null(strstr(diag_message(dg), "incomplete"));
    slurp(fx->log, &after);
    assert_int_equal(before, after); /* nothing appended */
    diag_free(dg);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:3:", fx->log);
    verify_fails(fx->log, expect);
}

static void garbage_and_missing(void **state)
{
    struct fixture *fx = *state;
    verify_fails(fx->log, "deleted or never started");
    spill(fx->log, "not json\n");
    char expect[256];
    snprintf(expect, sizeof expect, "%s:1: not JSON", fx->log);
    verify_fails(fx->log, expect);
    struct diag *dg = diag_new();
    assert_false(custody_append(fx->log, "x", "add", "", NULL, NULL, 0, dg));
    diag_free(dg);
    /* a seq no counter reaches is refused, not incremented past its range */
    spill(fx->log, "{\"seq\":9223372036854775807}\n");
    dg = diag_new();
    assert_false(custody_append(fx->log, "x", "add", "", NULL, NULL, 0, dg));
    assert_non_null(strstr(diag_message(dg), "not a custody entry"));
    diag_free(dg);
    spill(fx->log, "");
    dg = diag_new();
    size_t n = 99;
    assert_true(custody_verify(fx->log, &n, dg));
    assert_int_equal(n, 0);
    assert_false(custody_append(fx->log, "x", "Not A Word", "", NULL, NULL, 0, dg));
    diag_free(dg);
}

/* Hostile sizes: a huge line and a huge (sparse) file are refused without
 * reading them into memory. */
static void oversized_refused(void **state)
{
    struct fixture *fx = *state;
    FILE *f = fopen(fx->log, "wb");
    assert_non_null(f);
    for (long i = 0; i < 5L * 1024 * 1024; i++)
        fputc('x', f);
    fputc('\n', f);
    fclose(f);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:1: line longer than", fx->log);
    verify_fails(fx->log, expect);
    f = fopen(fx->log, "wb");
    fclose(f);
    assert_int_equal(truncate(fx->log, (1LL << 30) + 1), 0);
    verify_fails(fx->log, "larger than any custody log");
}

static void log_path_and_found(void **state)
{
    struct fixture *fx = *state;
    char out[256];
    assert_true(custody_log_path("annotations/imagery.json", out, sizeof out));
    assert_string_equal(out, "annotations/imagery.custody.jsonl");
    assert_true(custody_log_path("reg", out, sizeof out));
    assert_string_equal(out, "reg.custody.jsonl");
    assert_false(custody_log_path("annotations/imagery.json", out, 10));
    append_n(fx->log, 1);
    const char *want[] = {sha_b, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"};
    bool found[2];
    struct diag *dg = diag_new();
    assert_true(custody_find_added(fx->log, want, 2, found, dg));
    assert_true(found[0]);
    assert_false(found[1]);
    diag_free(dg);
}

enum { WORKERS = 4, APPENDS_EACH = 25 };

static void *thread_appends(void *arg)
{
    append_n(arg, APPENDS_EACH);
    return NULL;
}

static void concurrent_appends_keep_the_chain(void **state)
{
    struct fixture *fx = *state;
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            for (int k = 0; k < APPENDS_EACH; k++) {
                struct diag *dg = diag_new();
                bool ok = custody_append(fx->log, "child", "export", "x", NULL, NULL, 0, dg);
                diag_free(dg);
                if (!ok)
                    _exit(1);
            }
            _exit(0);
        }
    }
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, thread_appends, fx->log), 0);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < WORKERS; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    struct diag *dg = diag_new();
    size_t n = 0;
    if (!custody_verify(fx->log, &n, dg))
        fail_msg("%s", diag_message(dg));
    assert_int_equal(n, 2 * WORKERS * APPENDS_EACH);
    diag_free(dg);
}

static void default_who_prefers_env(void **state)
{
    (void)state;
    char who[CUSTODY_WHO_MAX];
    struct satmark_settings settings; /* as a front-end fills it from SATMARK_USER */
    settings_init(&settings);
    settings.user = (char *)"analyst-7";
    settings_install(&settings);
    custody_default_who(who, sizeof who);
    assert_string_equal(who, "analyst-7");
    settings_install(NULL);
    custody_default_who(who, sizeof who);
    assert_true(who[0] != '\0');
    char now[CUSTODY_TIME_LEN + 1];
    custody_utc_now(now);
    assert_int_equal(strlen(now), CUSTODY_TIME_LEN);
    assert_int_equal(now[CUSTODY_TIME_LEN - 1], 'Z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(chain_is_seq_and_prev, setup, teardown),
        cmocka_unit_test_setup_teardown(edited_line_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(deleted_line_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(swapped_lines_are_named, setup, teardown),
        cmocka_unit_test_setup_teardown(edited_last_line_changes_the_head, setup, teardown),
        cmocka_unit_test_setup_teardown(first_line_prev_must_be_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(incomplete_line_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(log_path_and_found, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_appends_keep_the_chain, setup, teardown),
        cmocka_unit_test(default_who_prefers_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
