/* Unit tests of diag's output safety: control characters quoted from a file
 * (terminal escapes, BEL, newlines, C1 controls) are escaped in every stored
 * message, errors and warnings alike; text without them is kept as is
 * (UTF-8 included); a JSON parser's quote of file content is cut to
 * DIAG_QUOTE_MAX bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"

static void control_characters_escaped(void **state)
{
    (void)state;
    struct diag *dg = diag_new();
    diag_error(dg, "f.geojson: id \"%s\"", "\x1b]0;PWNED\x07");
    assert_string_equal(diag_message(dg), "f.geojson: id \"\\x1b]0;PWNED\\x07\"");
    diag_warn(dg, "label %s", "a\nb\tc\r\x7f \xc2\x9b" "31m");
    assert_string_equal(diag_warning(dg, 0), "label a\\nb\\tc\\r\\x7f \\u009b31m");
    diag_warn(dg, "Rason \xec\x84\xa0\xeb\xb4\x89 port"); /* Korean: not a control */
    assert_string_equal(diag_warning(dg, 1), "Rason \xec\x84\xa0\xeb\xb4\x89 port");
    assert_true(diag_has_control("x\x1b"));
    assert_false(diag_has_control("plain"));
    assert_false(diag_has_control(NULL));
    char *e = diag_escape("\x01");
    assert_string_equal(e, "\\x01");
    free(e);
    diag_free(dg);
}

static void quoted_content_cut(void **state)
{
    (void)state;
    char text[160] = "'[' or '{' expected near 'supersecretpassword'";
    diag_limit_quote(text);
    assert_string_equal(text, "'[' or '{' expected near 'supersec...'");
    char short_text[160] = "'[' or '{' expected near 'root'";
    diag_limit_quote(short_text);
    assert_string_equal(short_text, "'[' or '{' expected near 'root'");
    char none[160] = "end of file expected";
    diag_limit_quote(none);
    assert_string_equal(none, "end of file expected");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(control_characters_escaped),
        cmocka_unit_test(quoted_content_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
