#!/usr/bin/env bash
# e2e: `satmark export` failure paths. A malformed input exits 1 naming the
# file and leaves no output (and an existing output unchanged); duplicate ids
# across inputs are prefixed (exit 0), or exit 1 with --strict-ids; an unknown extension or a
# missing -o is a usage error (2); a missing default catalog is a warning.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_TEST_DATA:?}"
fixture="$SATMARK_TEST_DATA/claims"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE NEEDLE -- command...: exit code and a stderr substring.
expect() {
  local code=$1 needle=$2; shift 3
  local rc=0
  timeout 120 "$@" >"$work/out" 2>"$work/err" || rc=$?
  [[ $rc == "$code" ]] || fail "'$*' exited $rc, expected $code; stderr: $(cat "$work/err")"
  grep -qF -- "$needle" "$work/err" || fail "'$*': stderr lacks '$needle': $(cat "$work/err")"
}

printf '{"type": "FeatureCollection", "features": [\n  {"type": "Feature",,}\n' >"$work/broken.geojson"
for ext in geojson kml gpkg fgb; do
  expect 1 "$work/broken.geojson" -- "$SATMARK" export "$fixture/port.geojson" "$work/broken.geojson" \
    --claims "$fixture/catalog.json" -o "$work/out.$ext"
  [[ ! -e "$work/out.$ext" ]] || fail "out.$ext created despite the malformed input"
done

echo "previous" >"$work/keep.geojson"
expect 1 "broken.geojson" -- "$SATMARK" export "$work/broken.geojson" --no-claims -o "$work/keep.geojson"
[[ "$(cat "$work/keep.geojson")" == previous ]] || fail "existing output changed by a failed export"

expect 1 "does-not-exist.geojson" -- "$SATMARK" export "$work/does-not-exist.geojson" --no-claims -o "$work/x.geojson"
expect 1 "feature id \"fixture-berth\" is also used" -- "$SATMARK" export "$fixture/port.geojson" \
  "$fixture/port.geojson" --no-claims --strict-ids -o "$work/dup.geojson"
[[ ! -e "$work/dup.geojson" ]] || fail "dup.geojson written despite --strict-ids"
expect 0 "site as prefix" -- "$SATMARK" export "$fixture/port.geojson" "$fixture/port.geojson" --no-claims \
  -o "$work/dup.geojson"
grep -q '"id":"fixture-port:ship-1"' "$work/dup.geojson" || fail "prefixed id missing in dup.geojson"
grep -q '"id":"fixture-port:ship-1-2"' "$work/dup.geojson" || fail "second prefixed id missing in dup.geojson"

expect 2 "must end in" -- "$SATMARK" export "$fixture/port.geojson" -o "$work/out.shp"
expect 2 "no output" -- "$SATMARK" export "$fixture/port.geojson"
expect 2 "no annotation file" -- "$SATMARK" export -o "$work/x.geojson"
echo '{"satmark_claims": 1, "sources": [], "claims": [' >"$work/badcat.json"
expect 1 "badcat.json:2:" -- "$SATMARK" export "$fixture/port.geojson" --claims "$work/badcat.json" -o "$work/y.geojson"
[[ ! -e "$work/y.geojson" ]] || fail "y.geojson created despite the broken catalog"

# No --claims and no annotations/claims.json in the current directory: a warning.
(cd "$work" && expect 0 "no claims catalog" -- "$SATMARK" export "$fixture/port.geojson" -o "$work/z.geojson")
grep -q '(no claims catalog)' "$work/z.geojson" || fail "z.geojson does not say it lacks a catalog"

# Unknown claim links are warnings naming the file and the feature.
sed 's/"fixture-name-variant"/"no-such-claim"/' "$fixture/port.geojson" >"$work/unknown-link.geojson"
expect 0 'feature "pier-1" links to claim "no-such-claim"' -- "$SATMARK" export "$work/unknown-link.geojson" \
  --claims "$fixture/catalog.json" -o "$work/u.geojson"

ls -a "$work" | grep >/dev/null '^\.satmark-export' && fail "temporary directory left behind"
if ((failures)); then
  echo "export_errors: $failures failure(s)" >&2
  exit 1
fi
echo "export_errors: all passed"
