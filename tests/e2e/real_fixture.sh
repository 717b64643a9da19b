#!/usr/bin/env bash
# The real-imagery fixture (tests/data/real/) is well formed for today's reader
# and tied to its tile: it validates; it registers as real imagery with the
# given date (in a copy) and verifies; every observation names L7_ETMs.tif with
# the file's SHA-256 and the acquisition date the README gives (1999-04-15,
# "given"); every mark lies on the tile; every check window lies inside its
# claim's window and every claim's window contains the given date. The
# evidence statuses it must reach are tested where the evidence model lives.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_TEST_DATA:?}"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
dir="$SATMARK_TEST_DATA/real" tile="$SATMARK_TEST_DATA/L7_ETMs.tif"
cat="$dir/claims.json" marks="$dir/recife-coast.geojson"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
given=1999-04-15

timeout 60 "$SATMARK" validate "$marks" "$cat" >/dev/null || fail "satmark validate refuses the fixture"
grep -q "given\*\* as $given" "$dir/README.md" || fail "README does not give the acquisition date $given"

sha=$(sha256sum "$tile" | cut -d' ' -f1)
out=$(jq -r --arg sha "$sha" --arg d "$given" '.features[] | select(
        (.properties.observations | length) != 1 or
        (.properties.observations[0] | .image != "L7_ETMs.tif" or .sha256 != $sha or .acquired != $d)) | .id' "$marks")
[[ -z "$out" ]] || fail "observations not on L7_ETMs.tif ($sha, $given): $out"

read -r w s e n < <(timeout 60 "$SATMARK" info "$tile" --json |
  jq -r '.bounds_lonlat | map(tostring) | join(" ")')
out=$(jq -r --argjson w "$w" --argjson s "$s" --argjson e "$e" --argjson n "$n" '
  .features[] | .id as $id | [.geometry.coordinates | .. | arrays | select(length == 2 and (.[0] | type) == "number")] |
  map(select(.[0] < $w or .[0] > $e or .[1] < $s or .[1] > $n)) | select(length > 0) | $id' "$marks")
[[ -z "$out" ]] || fail "marks off the tile ($w $s $e $n): $out"

out=$(jq -r --arg d "$given" '.claims[] | select(.time.from > $d or .time.to < $d or
        (.check and (.check.date_from < .time.from or .check.date_to > .time.to or .check.date_from > $d or .check.date_to < $d))) | .id' "$cat")
[[ -z "$out" ]] || fail "windows that miss the given date or leave the claim's window: $out"

# registered as the README says, in a copy: real, the given date, the file's
# hash; verify passes (the copy's custody log may be written, tests/data not)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dir"/*.json "$dir"/*.geojson "$tile" "$work/"
if timeout 60 "$SATMARK" imagery add "$work/L7_ETMs.tif" --register "$work/imagery.json" --acquired "$given" \
     --real --gsd-m 28.5 --provider "USGS Landsat 7 ETM+" >/dev/null 2>"$work/err"; then
  jq -e --arg sha "$sha" --arg d "$given" '.images | length == 1 and (.[0] | .sha256 == $sha and
        .acquired == $d and .acquired_from == "given" and .synthetic == false)' "$work/imagery.json" >/dev/null ||
    fail "the register entry is not real with the given date $given"
  timeout 60 "$SATMARK" imagery verify --register "$work/imagery.json" >/dev/null 2>&1 ||
    fail "satmark imagery verify fails on the registered fixture"
  timeout 60 "$SATMARK" validate "$work/recife-coast.geojson" "$work/claims.json" >/dev/null 2>&1 ||
    fail "the registered fixture does not validate"
else
  fail "imagery add (real, given $given) refused: $(cat "$work/err")"
fi

# one claim per status the evidence model must give, as the README says
for pair in real-reef-offshore-ne:yes real-forest-northwest:yes real-port-with-ships:yes real-olinda-municipality:no; do
  v=$(jq -r --arg id "${pair%%:*}" '.claims[] | select(.id == $id) | .imagery' "$cat")
  [[ "$v" == "${pair#*:}" ]] || fail "${pair%%:*}: imagery '$v', expected ${pair#*:}"
done
n=$(jq '[.features[] | select(.properties.class == "ship")] | length' "$marks")
[[ $n -eq 0 ]] || fail "$n ship marks: the coast has no port"
jq -e 'any(.features[]; any(.properties.claims[]; .claim == "real-port-with-ships" and .stance == "contradicts"))' "$marks" >/dev/null ||
  fail "no mark contradicts real-port-with-ships"

if ((failures)); then
  echo "real_fixture: $failures failure(s)" >&2
  exit 1
fi
echo "real_fixture: all passed"
