/* Unit tests of dynbuf, the one growable buffer: appends and printf keep the
 * content NUL-terminated; the size cap refuses an append that would pass it
 * (content up to exactly the cap is fine); an allocation failure is sticky
 * (later appends are no-ops, the content is what came before) and reported
 * once by dynbuf_error; dynbuf_take hands the memory over and leaves the
 * buffer empty. Allocation failure is injected through -Wl,--wrap=realloc
 * (tests/CMakeLists.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dynbuf.h"

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);

static bool fail_allocations;
static size_t last_realloc_size;

void *__wrap_realloc(void *p, size_t size)
{
    last_realloc_size = size;
    return fail_allocations ? NULL : __real_realloc(p, size);
}
void *__wrap_calloc(size_t n, size_t size) { return fail_allocations ? NULL : __real_calloc(n, size); }
void *__wrap_malloc(size_t size) { return fail_allocations ? NULL : __real_malloc(size); }
char *__wrap_strdup(const char *s) { return fail_allocations ? NULL : __real_strdup(s); }

static void append_and_printf(void **state)
{
    (void)state;
    struct dynbuf b;
    dynbuf_init(&b, 1024);
    assert_string_equal(dynbuf_str(&b), "");
    assert_true(dynbuf_append_str(&b, "Rason"));
    assert_true(dynbuf_append(&b, " port, Najin", 5));
    assert_true(dynbuf_printf(&b, " %d ships, %.1f km", 3, 2.5));
    assert_string_equal(dynbuf_str(&b), "Rason port 3 ships, 2.5 km");
    assert_int_equal(dynbuf_len(&b), strlen("Rason port 3 ships, 2.5 km"));
    assert_false(dynbuf_failed(&b));
    assert_string_equal(dynbuf_error(&b), "");
    dynbuf_reset(&b);
    assert_string_equal(dynbuf_str(&b), "");
    assert_true(dynbuf_append(&b, "", 0));
    dynbuf_free(&b);
}

/* printf output longer than any fixed scratch buffer (export's old one had 512 bytes). */
static void long_printf(void **state)
{
    (void)state;
    char word[2000];
    memset(word, 'x', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    struct dynbuf b;
    dynbuf_init(&b, 1 << 20);
    assert_true(dynbuf_printf(&b, "<%s>", word));
    assert_int_equal(dynbuf_len(&b), sizeof word + 1);
    dynbuf_free(&b);
}

static void cap_is_sticky(void **state)
{
    (void)state;
    struct dynbuf b;
    dynbuf_init(&b, 8);
    assert_true(dynbuf_append_str(&b, "12345678")); /* exactly the cap */
    assert_false(dynbuf_append_str(&b, "9"));
    assert_true(dynbuf_failed(&b));
    assert_string_equal(dynbuf_error(&b), "over the size limit");
    assert_string_equal(dynbuf_str(&b), "12345678"); /* no partial append */
    /* sticky: even an append that would fit does nothing now */
    dynbuf_reset(&b);
    assert_false(dynbuf_append_str(&b, "a"));
    assert_false(dynbuf_printf(&b, "%s", "a"));
    assert_string_equal(dynbuf_str(&b), "");
    assert_null(dynbuf_take(&b, NULL));
    assert_false(dynbuf_failed(&b)); /* take leaves an empty, usable buffer */
    dynbuf_init(&b, 100);
    assert_false(dynbuf_printf(&b, "%0200d", 1));
    assert_true(dynbuf_failed(&b));
    dynbuf_free(&b);
}

/* The allocation never passes the cap plus the NUL, whatever doubling asks. */
static void growth_bounded_by_cap(void **state)
{
    (void)state;
    struct dynbuf b;
    dynbuf_init(&b, 300);
    char text[300];
    memset(text, 'a', sizeof text);
    assert_true(dynbuf_append(&b, text, 200));
    assert_true(dynbuf_append(&b, text, 100));
    assert_int_equal(last_realloc_size, 301);
    assert_int_equal(b.size, 301);
    dynbuf_free(&b);
}

static void allocation_failure_is_sticky(void **state)
{
    (void)state;
    struct dynbuf b;
    dynbuf_init(&b, 1 << 20);
    assert_true(dynbuf_append_str(&b, "before"));
    char big[1000];
    memset(big, 'b', sizeof big);
    fail_allocations = true;
    assert_false(dynbuf_append(&b, big, sizeof big)); /* needs to grow: fails */
    fail_allocations = false;
    assert_true(dynbuf_failed(&b));
    assert_string_equal(dynbuf_error(&b), "out of memory");
    assert_false(dynbuf_append_str(&b, "x")); /* memory is back, the error stays */
    assert_string_equal(dynbuf_str(&b), "before");
    assert_null(dynbuf_take(&b, NULL)); /* releases the memory (LeakSanitizer checks) */

    /* failing on the very first allocation */
    fail_allocations = true;
    assert_false(dynbuf_printf(&b, "%s", "first"));
    fail_allocations = false;
    assert_string_equal(dynbuf_error(&b), "out of memory");
    dynbuf_free(&b);
    assert_false(dynbuf_failed(&b));
}

static void take_hands_over(void **state)
{
    (void)state;
    struct dynbuf b;
    dynbuf_init(&b, 64);
    size_t len = 99;
    char *empty = dynbuf_take(&b, &len); /* an empty buffer gives "" */
    assert_non_null(empty);
    assert_string_equal(empty, "");
    assert_int_equal(len, 0);
    free(empty);
    dynbuf_append_str(&b, "Dunai");
    char *s = dynbuf_take(&b, &len);
    assert_string_equal(s, "Dunai");
    assert_int_equal(len, 5);
    assert_null(b.data);
    assert_int_equal(dynbuf_len(&b), 0);
    free(s);
    /* caller-refused content (dynbuf_fail) is not handed over */
    dynbuf_append_str(&b, "x");
    dynbuf_fail(&b);
    assert_string_equal(dynbuf_error(&b), "refused");
    assert_null(dynbuf_take(&b, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_and_printf),
        cmocka_unit_test(long_printf),
        cmocka_unit_test(cap_is_sticky),
        cmocka_unit_test(growth_bounded_by_cap),
        cmocka_unit_test(allocation_failure_is_sticky),
        cmocka_unit_test(take_hands_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
