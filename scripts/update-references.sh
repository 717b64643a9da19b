#!/usr/bin/env bash
# Rewrites the render test's reference images (tests/data/render/*.png) from
# the current code: builds, runs test_render with SATMARK_UPDATE_REFS=1, then
# runs it again normally (the test of the test checks that the new references
# still catch a figure without labels, legend or scale bar). Look at every
# rewritten PNG before committing it. Never run in CI: the test refuses the
# update mode when CI is set, and scripts/test.sh unsets the variable.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
if [[ -n "${CI:-}" ]]; then
  echo "update-references: refused under CI (references are only rewritten by hand)" >&2
  exit 2
fi
"$here/scripts/build.sh" "$build"
# the update run reports SKIP (77): it rewrote, it did not compare
rc=0
(cd "$build/tests" && SATMARK_UPDATE_REFS=1 ./test_render) || rc=$?
((rc == 77)) || { echo "update-references: test_render exited $rc while rewriting" >&2; exit 1; }
(cd "$build/tests" && ./test_render)
echo "update-references: look at these before committing:"
git -C "$here" status --short -- tests/data/render
