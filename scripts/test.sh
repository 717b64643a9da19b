#!/usr/bin/env bash
# The test command: installs dependencies, builds, runs every test (cmocka
# unit tests and end-to-end tests) with ctest, then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test again.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"

jobs=$(nproc)
echo "== build (RelWithDebInfo)"
"$here/scripts/build.sh" "$here/build"
echo "== tests"
(cd "$here/build" && ctest --output-on-failure -j "$jobs")

echo "== build (ASan + UBSan)"
"$here/scripts/build.sh" "$here/build-sanitize" -DSATMARK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== tests under sanitizers"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$here/tests/lsan.supp
(cd "$here/build-sanitize" && SATMARK_SANITIZED=1 ctest --output-on-failure -j "$jobs")

echo "== fuzzing (30 s per reader; scripts/fuzz.sh runs longer campaigns)"
SATMARK_FUZZ_SEED=1 "$here/scripts/fuzz.sh" all 30
