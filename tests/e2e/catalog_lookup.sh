#!/usr/bin/env bash
# catalog_lookup — one rule finds the claims catalog for every command
# (issue 11): claims.json beside the annotation file, then the investigation
# root's annotations/claims.json (ROOT: the directory holding annotations/, or
# the current directory's annotations/); --verbose says where it looked and
# what it used. `mark --claim` with an id the catalog lacks is an error
# (exit 1, naming the claim and the catalog) unless --allow-unknown-claim; no
# catalog at all is a warning naming where it looked.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?}" "${SATMARK_TEST_DATA:?}"
tmp=$(mktemp -d /tmp/satmark-e2e-catalog-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "catalog_lookup: FAIL: $*" >&2; failures=$((failures + 1)); }
run() {
  local want=$1; shift
  set +e
  out=$(timeout 60 "$SATMARK" "$@" 2>"$tmp/err"); local rc=$?
  set -e
  err=$(cat "$tmp/err")
  [[ $rc -eq $want ]] || fail "satmark $* -> exit $rc, want $want: $err"
}
root="$tmp/inv"
mkdir -p "$root/annotations" "$root/work" "$tmp/empty"
cp "$SATMARK_TEST_DATA/render/catalog.json" "$root/annotations/claims.json"
a="$root/annotations/site.geojson"
cd "$tmp/empty"

# mark: a typo in a claim id is refused, naming the id and the catalog
run 0 mark "$a" add --class ship --point 130.30,42.24 --claim fixture-ships-loading:supports
run 1 mark "$a" add --class ship --point 130.31,42.24 --claim typo:supports
grep -q '"typo"' <<<"$err" && grep -q "$root/annotations/claims.json" <<<"$err" ||
  fail "error does not name the claim and the catalog: $err"
grep -q '"typo"' "$a" && fail "the unknown claim was saved"
run 0 mark "$a" add --class ship --point 130.31,42.24 --claim typo:supports --allow-unknown-claim
grep -q 'warning:.*typo' <<<"$err" || fail "--allow-unknown-claim without a warning: $err"
run 0 mark "$a" delete ship-2
# no catalog anywhere: a warning naming where it looked, saved
run 0 mark "$tmp/empty/lone.geojson" add --class ship --point 130.30,42.24 --claim x:supports
grep -q 'warning: no claims catalog.*looked for the claims catalog in .*claims.json' <<<"$err" ||
  fail "missing catalog: no warning naming where it looked: $err"

# export and claims from another directory find the catalog beside the file
run 0 export "$a" -o "$tmp/out.geojson" --verbose
grep -q "using $root/annotations/claims.json" <<<"$err" || fail "export --verbose: $err"
grep -q 'no claims catalog' <<<"$err" && fail "export did not find the catalog beside the file: $err"
run 0 claims "$a" --verbose
grep -q "catalog: $root/annotations/claims.json" <<<"$out" || fail "claims used another catalog: $out $err"

# a file outside annotations/ (work/) run from ROOT: the root's catalog
cp "$a" "$root/work/copy.geojson"
cd "$root"
run 0 validate --verbose work/copy.geojson
grep -q 'claim links checked against annotations/claims.json' <<<"$out" ||
  fail "validate did not use ROOT/annotations/claims.json: $out"
grep -q 'looked for the claims catalog in work/claims.json, annotations/claims.json: using annotations/claims.json' <<<"$err" ||
  fail "validate --verbose does not say where it looked: $err"
run 0 export work/copy.geojson -o "$tmp/out2.geojson"
grep -q 'no claims catalog' <<<"$err" && fail "export from ROOT: $err"
grep -q 'fixture-news-2024-01-22\|Fixture' "$tmp/out2.geojson" || fail "export did not resolve the claims"

# the viewer follows the same rule (and says so with --verbose)
viewer="$(dirname "$SATMARK")/satmark-view"
if [[ -x $viewer ]] && command -v gdal_create >/dev/null; then
  gdal_create -q -of GTiff -outsize 200 160 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
    -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 "$tmp/site.tif"
  printf 'wait-idle\nquit\n' >"$tmp/quit.txt"
  set +e
  SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy timeout 120 "$SATMARK" view "$tmp/site.tif" \
    work/copy.geojson --verbose --script "$tmp/quit.txt" 2>"$tmp/err"
  rc=$?
  set -e
  [[ $rc -eq 0 ]] || fail "viewer exit $rc: $(cat "$tmp/err")"
  grep -q 'looked for the claims catalog in work/claims.json, annotations/claims.json: using annotations/claims.json' "$tmp/err" ||
    fail "viewer --verbose: $(cat "$tmp/err")"
else
  not_run="viewer part: no satmark-view or gdal_create"
fi

[[ $failures -eq 0 ]] || exit 1
[[ -z ${not_run:-} ]] || skip_test "$not_run (the rest passed)"
echo "catalog_lookup: ok"
