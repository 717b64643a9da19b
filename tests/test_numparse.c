/* Unit tests of numparse: decimal numbers and comma lists are read as
 * strtod reads them, and everything else strtod would take (hexadecimal
 * floats, inf, nan, leading spaces, out-of-range values) or that is not
 * exactly the list asked for (trailing junk, empty fields, spaces, too few or
 * too many numbers) is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numparse.h"

static void scans_decimal_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value;
        size_t used;
    } cases[] = {
        {"42", 42, 2},          {"-87.605", -87.605, 7}, {"+1.5", 1.5, 4},
        {".5", 0.5, 2},         {"-.5", -0.5, 3},        {"1.", 1, 2},
        {"1e3", 1000, 3},       {"2.5E-2", 0.025, 6},    {"42.24N", 42.24, 5},
        {"42E130", 4.2e131, 6}, {"1e", 1, 1},            {"7e+x", 7, 1},
        {"0", 0, 1},            {"130.3,42", 130.3, 5},  {"1.5.3", 1.5, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -1;
        const char *end = NULL;
        if (!numparse_scan(cases[i].text, &v, &end))
            fail_msg("\"%s\" refused", cases[i].text);
        assert_true(v == cases[i].value);
        assert_ptr_equal(end, cases[i].text + cases[i].used);
    }
}

static void refuses_what_is_not_a_decimal_number(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",     "-",     "+",     ".",      "-.",    "e5",   "x",        " 1",
        "0x10", "0x1p4", "0X1P4", "inf",    "-inf",  "nan",  "infinity", "NAN(1)",
        "1e400", "-1e400", "1e-400", "\t2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        const char *end = NULL;
        if (numparse_scan(bad[i], &v, &end))
            fail_msg("\"%s\" read as %g", bad[i], v);
        assert_null(end);
    }
}

static void lists_are_exact(void **state)
{
    (void)state;
    double v[4];
    assert_true(numparse_list("129.5,42.1,130.5,42.5", v, 4));
    assert_true(v[0] == 129.5 && v[1] == 42.1 && v[2] == 130.5 && v[3] == 42.5);
    assert_true(numparse_list("-3", v, 1));
    assert_true(v[0] == -3);
    static const struct {
        const char *text;
        size_t n;
    } bad[] = {
        {"1,2,3", 2},  {"1,2", 3},    {"1,,2", 2},   {"1,2,", 2},  {",1,2", 2},
        {"1, 2", 2},   {"1 ,2", 2},   {"1,2 ", 2},   {"1,2x", 2},  {"1;2", 2},
        {"0x1,2", 2},  {"1,inf", 2},  {"nan,1", 2},  {"1e999,1", 2}, {"", 1},
        {"5m", 1},     {"1,2", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (numparse_list(bad[i].text, v, bad[i].n))
            fail_msg("\"%s\" accepted as %zu numbers", bad[i].text, bad[i].n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scans_decimal_numbers),
        cmocka_unit_test(refuses_what_is_not_a_decimal_number),
        cmocka_unit_test(lists_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
