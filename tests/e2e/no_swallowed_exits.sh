#!/usr/bin/env bash
# no_swallowed_exits — a lint of the e2e tests themselves: no test throws away
# the exit status of the command it tests. Fails when a tests/e2e/*.sh line
# runs satmark (or its viewer) and ends in `|| true`, `|| :` or `; true`, or
# when a script ends early with `exit 0` (a silent pass: a test that cannot
# run exits 77, see tests/e2e/lib/expect.sh). Also checks that this lint
# catches such a line (a test of the test).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Prints FILE:LINE: TEXT for each offending line of the given scripts.
offenders() {
  # continuation lines are joined so a command split over lines is one line
  awk '
    FNR == 1 { line = ""; start = 1 }
    {
      if (line == "") start = FNR
      text = $0
      if (text ~ /\\$/) { line = line substr(text, 1, length(text) - 1); next }
      line = line text
      code = line; sub(/[ \t]#.*$/, "", code)
      if (code ~ /(\$SATMARK|\$\{SATMARK\}|\$viewer|\$VIEWER|satmark-view)/ &&
          code ~ /(\|\|[ \t]*(true|:)[ \t;]*($|\)|&|\|)|;[ \t]*true[ \t]*$)/)
        printf "%s:%d: swallowed exit status: %s\n", FILENAME, start, line
      if (code ~ /(^|[;&|{][ \t]*)exit 0([ \t;}]|$)/)
        printf "%s:%d: early exit 0 (a test that cannot run exits 77): %s\n", FILENAME, start, line
      line = ""
    }' "$@"
}

# (this script is left out: its test of the test holds such lines on purpose)
scripts=()
for f in "$dir"/*.sh; do [[ $f == "$dir/no_swallowed_exits.sh" ]] || scripts+=("$f"); done
found=$(offenders "${scripts[@]}")
if [[ -n $found ]]; then
  echo "$found" >&2
  echo "FAIL: check the exit status the test expects (expect_exit N cmd... in tests/e2e/lib/expect.sh)" >&2
  exit 1
fi

# The test of the test: lines that must be caught, and lines that must not.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/bad.sh" <<'BAD'
"$SATMARK" validate x.geojson || true
timeout 60 "$SATMARK" render t.tif \
  -o x.png || :
"$viewer" t.tif --script s.txt; true
[[ -f x ]] || { echo "nothing to test"; exit 0; }
BAD
cat >"$tmp/good.sh" <<'GOOD'
expect_exit 1 "$SATMARK" validate x.geojson
n=$(grep -c x "$tmp/log" || true)
"$SATMARK" info t.tif || fail "info" # not || true
GOOD
[[ $(offenders "$tmp/bad.sh" | wc -l) -eq 4 ]] ||
  { offenders "$tmp/bad.sh" >&2; echo "FAIL: the lint misses swallowed exit statuses" >&2; exit 1; }
[[ -z $(offenders "$tmp/good.sh") ]] ||
  { offenders "$tmp/good.sh" >&2; echo "FAIL: the lint flags correct lines" >&2; exit 1; }
echo "no_swallowed_exits: OK"
