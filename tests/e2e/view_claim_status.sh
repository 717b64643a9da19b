#!/usr/bin/env bash
# e2e: the viewer's claims panel gives each claim the same evidence status as
# `satmark claims --json` (the core's evidence model, not a second rule):
#  - on the bundled synthetic data: no claim supported or contradicted, the
#    Dunai pits contested, the Lady R claim only illustrative;
#  - on the real-imagery fixture (tests/data/real with L7_ETMs.tif registered
#    as real, with its given date): supported and contradicted appear, and the
#    status follows an edit made in the viewer (the reef marks deleted: the
#    reef claim's count check fails, so it turns contradicted).
# The viewer runs offscreen (SDL's offscreen driver) with --script; `print
# claims` prints one "claim: ID STATUS origins N" line per claim.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
SRC=${SATMARK_SRC:?set SATMARK_SRC}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
viewer="$(dirname "$SATMARK")/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
export SATMARK_NO_CUSTODY=1 SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy

view_statuses() { # tile annotations script -> "id status" lines
  local rc=0
  timeout 300 "$SATMARK" view "$1" "$2" --script "$3" >"$tmp/v.out" 2>"$tmp/v.err" || rc=$?
  [[ $rc -eq 0 ]] || fail "viewer exit $rc: $(tail -3 "$tmp/v.err")"
  awk '/^claim: / {print $2, $3}' "$tmp/v.out" | sort
}
report_statuses() { # catalog annotations -> "id status" lines
  "$SATMARK" claims "$1" "$2" --json | jq -r '.claims[] | "\(.id) \(.status)"' | sort
}

# Bundled synthetic data (a copy: the viewer may write its journal beside it).
mkdir -p "$tmp/demo/assets"
cp -r "$SRC/annotations" "$tmp/demo/"
ln -s "$SRC/assets/tiles" "$tmp/demo/assets/tiles"
printf 'wait-idle\nprint claims\nquit\n' >"$tmp/print.txt"
cd "$tmp/demo"
view_statuses assets/tiles/rason-najin_2024-03-17.tif annotations/rason-najin.geojson "$tmp/print.txt" >"$tmp/viewer.txt"
report_statuses annotations/claims.json annotations/rason-najin.geojson >"$tmp/report.txt"
[[ -s "$tmp/viewer.txt" ]] || fail "bundled: the viewer printed no claim"
diff "$tmp/report.txt" "$tmp/viewer.txt" >"$tmp/diff" || { fail "bundled: viewer and report differ"; head "$tmp/diff"; }
grep -qE " (supported|contradicted)$" "$tmp/viewer.txt" && fail "bundled synthetic data: a claim is supported or contradicted"
grep -q "^dunai-pits-over-100 contested$" "$tmp/viewer.txt" || fail "bundled: dunai-pits-over-100 not contested"
grep -q "^rason-lady-r-pier1 illustrative$" "$tmp/viewer.txt" || fail "bundled: rason-lady-r-pier1 not illustrative"

# The real fixture, registered as real with its given date.
mkdir -p "$tmp/real"
cp "$DATA/real/claims.json" "$DATA/real/recife-coast.geojson" "$tmp/real/"
cp "$DATA/L7_ETMs.tif" "$tmp/real/"
cd "$tmp/real"
"$SATMARK" imagery add L7_ETMs.tif --register imagery.json --acquired 1999-04-15 --real \
  --provider "USGS (via r-cran-stars)" >/dev/null 2>"$tmp/add.err" || fail "imagery add: $(cat "$tmp/add.err")"
view_statuses L7_ETMs.tif recife-coast.geojson "$tmp/print.txt" >"$tmp/viewer.txt"
report_statuses claims.json recife-coast.geojson >"$tmp/report.txt"
diff "$tmp/report.txt" "$tmp/viewer.txt" >"$tmp/diff" || { fail "real: viewer and report differ"; head "$tmp/diff"; }
grep -q "^real-reef-offshore-ne supported$" "$tmp/viewer.txt" || fail "real: reef claim not supported: $(cat "$tmp/viewer.txt")"
grep -q "^real-port-with-ships contradicted$" "$tmp/viewer.txt" || fail "real: port claim not contradicted"
grep -q "^real-olinda-municipality not_observable$" "$tmp/viewer.txt" || fail "real: municipality claim not not_observable"

# An edit in the viewer changes the status it shows: delete the marks that
# support the reef claim (not its check's area).
reefs=$(jq -r '.features[] | select(.properties.claims[]? | .claim == "real-reef-offshore-ne" and .stance == "supports") | .id' recife-coast.geojson | sort -u)
[[ -n "$reefs" ]] || fail "real: no mark supports the reef claim"
{
  echo wait-idle
  for id in $reefs; do printf 'key j\ntext %s\nkey return\nkey delete\n' "$id"; done
  echo 'print selected'
  echo 'print claims'
  echo 'quit-without-saving' 
} >"$tmp/edit.txt"
sed -i 's/^quit-without-saving$/quit/' "$tmp/edit.txt"
rc=0
timeout 300 "$SATMARK" view L7_ETMs.tif recife-coast.geojson --script "$tmp/edit.txt" >"$tmp/v.out" 2>"$tmp/v.err" || rc=$?
status=$(awk '/^claim: real-reef-offshore-ne / {print $3}' "$tmp/v.out")
# (its count check, other >= 1 in nearshore-ne, now fails on real imagery)
[[ "$status" == contradicted ]] || fail "real: after deleting the reef marks the claim is still '$status' ($(grep -c . "$tmp/v.out") lines; rc $rc)"

echo "view_claim_status: $failures failure(s)"
[[ $failures -eq 0 ]]
