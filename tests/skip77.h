/*
 * skip77 — how a cmocka unit test says it cannot run here.
 *
 * A test that cannot run (needs root, or must not run as root; a tool or a
 * capability missing) calls SKIP_BECAUSE("reason"): the reason is printed and
 * the test is counted as skipped. main returns SKIP77_EXIT(failed): 1 when a
 * test failed, else 77 when one was skipped (ctest's SKIP_RETURN_CODE, set in
 * tests/CMakeLists.txt), so ctest reports SKIP instead of a silent pass.
 */
#ifndef SATMARK_SKIP77_H
#define SATMARK_SKIP77_H

static int skip77_count;

#define SKIP_BECAUSE(reason)                                                                 \
    do {                                                                                     \
        skip77_count++;                                                                      \
        print_message("SKIP: %s\n", reason);                                                 \
        skip();                                                                              \
    } while (0)

#define SKIP77_EXIT(failed) ((failed) ? 1 : skip77_count ? 77 : 0)

#endif
