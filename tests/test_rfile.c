/* Unit tests of rfile: opening, reading and mapping a file the user named.
 * Special files are refused naming what they are; a mapped file reads as its
 * bytes; rfile_map_release really gives the pages already read back (the
 * mapping's resident size in /proc/self/smaps drops), and a released page
 * reads the same bytes again; a mapped file truncated under a guarded read
 * is an error, not a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "rfile.h"

/* A new temporary file holding len bytes of a pattern; its path in out. */
static void write_pattern(char out[64], size_t len)
{
    snprintf(out, 64, "/tmp/satmark-rfile-XXXXXX");
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < len; i++)
        assert_true(fputc((int)((i * 131u + i / 4096u) & 0xFF), f) != EOF);
    assert_int_equal(fclose(f), 0);
}

static bool matches_pattern(const char *text, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if ((unsigned char)text[i] != ((i * 131u + i / 4096u) & 0xFF))
            return false;
    return true;
}

/* Resident kB of the mapping that starts at addr (/proc/self/smaps); -1
 * when that cannot be read here. */
static long mapping_rss_kb(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    bool in = false;
    long rss = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = start == (unsigned long)(uintptr_t)addr;
            continue;
        }
        if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
            break;
    }
    fclose(f);
    return rss;
}

static void map_reads_the_bytes_and_release_gives_pages_back(void **state)
{
    (void)state;
    const size_t len = (size_t)24 << 20;
    char path[64];
    write_pattern(path, len);
    struct diag *dg = diag_new();
    struct rfile_map m;
    assert_true(rfile_map(path, 0, &m, dg));
    assert_int_equal(m.len, len);
    assert_true(matches_pattern(m.text, 0, len)); /* touches every page */
    long before = mapping_rss_kb(m.text);
    /* only whole pages inside the range: less than a page releases nothing */
    rfile_map_release(&m, 100, 4000);
    long partial = mapping_rss_kb(m.text);
    rfile_map_release(&m, 0, len - 100);
    long after = mapping_rss_kb(m.text);
    if (before >= 0) {
        print_message("mapping resident: %ld kB read, %ld kB after the release\n", before, after);
        assert_true(before >= 20 * 1024);
        assert_int_equal(partial, before);
        assert_true(after >= 0 && after <= 64);
    }
    /* a released page reads the file's bytes again */
    assert_true(matches_pattern(m.text, 0, len));
    rfile_unmap(&m);
    assert_null(m.text);
    assert_int_equal(m.len, 0);
    rfile_unmap(&m); /* twice is fine */
    assert_false(diag_failed(dg));
    unlink(path);
    diag_free(dg);
}

static void map_of_an_empty_file(void **state)
{
    (void)state;
    char path[64];
    write_pattern(path, 0);
    struct diag *dg = diag_new();
    struct rfile_map m;
    assert_true(rfile_map(path, 0, &m, dg));
    assert_int_equal(m.len, 0);
    assert_non_null(m.text);
    rfile_map_release(&m, 0, 0);
    rfile_unmap(&m);
    unlink(path);
    diag_free(dg);
}

static void map_refuses_what_read_refuses(void **state)
{
    (void)state;
    struct {
        const char *path;
        const char *reason;
    } cases[] = {
        {"/tmp", "not a regular file (it is a directory)"},
        {"/dev/zero", "not a regular file (it is a character device)"},
        {"/nonexistent/satmark/file.geojson", "cannot open: No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag *dg = diag_new();
        struct rfile_map m;
        assert_false(rfile_map(cases[i].path, 0, &m, dg));
        assert_null(m.text);
        const char *msg = diag_message(dg);
        assert_non_null(msg);
        if (strncmp(msg, cases[i].path, strlen(cases[i].path)) != 0 ||
            !strstr(msg, cases[i].reason))
            fail_msg("%s: \"%s\"", cases[i].path, msg);
        diag_free(dg);
    }
    /* a size cap */
    char path[64];
    write_pattern(path, 5000);
    struct diag *dg = diag_new();
    struct rfile_map m;
    assert_false(rfile_map(path, 4999, &m, dg));
    assert_non_null(strstr(diag_message(dg), "file too large (5000 bytes, limit 4999)"));
    unlink(path);
    diag_free(dg);
}

/* What a guarded function sees: the text to read and how much it read. */
struct touch {
    const char *text;
    size_t len;
    size_t sum;
    bool returned;
};

static bool sum_text(void *arg)
{
    struct touch *t = arg;
    volatile const unsigned char *p = (const unsigned char *)t->text;
    for (size_t i = 0; i < t->len; i += 4096)
        t->sum += p[i];
    t->returned = true;
    return true;
}

/* A file another program truncates while we hold its mapping: touching the
 * lost pages inside rfile_guarded is an error, not a crash; without a fault
 * the function's result comes back; after the guarded call SIGBUS's handler
 * is the one before it. */
static void guarded_read_survives_a_truncated_file(void **state)
{
    (void)state;
    const size_t len = (size_t)1 << 20;
    char path[64];
    write_pattern(path, len);
    struct diag *dg = diag_new();
    struct rfile_map m;
    assert_true(rfile_map(path, 0, &m, dg));

    struct sigaction before;
    assert_int_equal(sigaction(SIGBUS, NULL, &before), 0);
    struct touch whole = {m.text, m.len, 0, false};
    bool faulted = true;
    assert_true(rfile_guarded(sum_text, &whole, &faulted));
    assert_false(faulted);
    assert_true(whole.returned);

    assert_int_equal(truncate(path, 0), 0); /* as another program would */
    struct touch lost = {m.text, m.len, 0, false};
    assert_false(rfile_guarded(sum_text, &lost, &faulted));
    assert_true(faulted);
    assert_false(lost.returned);

    struct sigaction after;
    assert_int_equal(sigaction(SIGBUS, NULL, &after), 0);
    assert_true(after.sa_handler == before.sa_handler); /* the handler is gone again */
    assert_int_equal(after.sa_flags & SA_SIGINFO, before.sa_flags & SA_SIGINFO);

    rfile_unmap(&m);
    unlink(path);
    diag_free(dg);
}

static void read_gives_a_terminated_copy(void **state)
{
    (void)state;
    char path[64];
    write_pattern(path, 10000);
    struct diag *dg = diag_new();
    size_t len = 0;
    char *text = rfile_read(path, 0, &len, dg);
    assert_non_null(text);
    assert_int_equal(len, 10000);
    assert_true(matches_pattern(text, 0, len));
    assert_int_equal(text[len], '\0');
    free(text);
    unlink(path);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_reads_the_bytes_and_release_gives_pages_back),
        cmocka_unit_test(map_of_an_empty_file),
        cmocka_unit_test(map_refuses_what_read_refuses),
        cmocka_unit_test(guarded_read_survives_a_truncated_file),
        cmocka_unit_test(read_gives_a_terminated_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
