#!/usr/bin/env bash
# Manual stress check of "no lost marks" (issue 10): 20 `satmark mark FILE add`
# in parallel, ROUNDS times (default 50: 1,000 concurrent adds). Every printed
# id must be in the file and no stray file (FILE~.lnkXXXXXX, FILE.lock,
# temporary files) may be left. The same test as tests/e2e/mark_concurrent.sh,
# with more rounds.
#   scripts/stress-marks.sh [ROUNDS] [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-50}
build=${2:-$here/build}
SATMARK="$build/satmark" SATMARK_CONCURRENT_ROUNDS=$rounds exec bash "$here/tests/e2e/mark_concurrent.sh"
