#!/usr/bin/env bash
# e2e: Shift+B in the viewer jumps to the true-colour preset the file's
# metadata gives (bandpick: colour interpretation, band descriptions, or the
# mission's band order), from wherever B's cycling is, and says which bands
# and why; on a file that does not say, it says so and claims no true colour.
# Before: Shift+B was B (the next preset: band 1 alone).
set -euo pipefail
viewer="${SATMARK_BUILD:?}/satmark-view"
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
command -v convert >/dev/null || { echo "SKIP: no ImageMagick"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pixels() { convert "$1" -gravity center -crop 30%x30%+0+0 +repage -depth 8 rgba:- | sha256sum | cut -d' ' -f1; }

# Landsat 7 by its metadata: true colour is bands 3,2,1.
gdal_translate -q -mo SPACECRAFT_ID=LANDSAT_7 "$DATA/L7_ETMs.tif" "$work/l7.tif"
cat >"$work/tc.txt" <<SCRIPT
wait-idle
screenshot $work/auto.png
key b
key b
wait-idle
screenshot $work/band2.png
key b shift
wait-idle
screenshot $work/tc.png
print status
quit
SCRIPT
timeout 120 "$viewer" "$work/l7.tif" --size 400x300 --script "$work/tc.txt" >"$work/out" 2>"$work/err" ||
  fail "viewer: $(cat "$work/err")"
grep -q "message: true colour: bands 3,2,1 as R,G,B (Landsat 4-7 band order)" "$work/out" ||
  fail "Shift+B should say which bands and why: $(grep '^status' "$work/out")"
[[ $(pixels "$work/tc.png") == $(pixels "$work/auto.png") ]] || fail "Shift+B should show the true-colour frame again"
[[ $(pixels "$work/band2.png") != $(pixels "$work/auto.png") ]] || fail "B B should have left true colour"

# A file that does not say: no true colour is claimed.
printf 'wait-idle\nkey b\nkey b shift\nwait-idle\nprint status\nquit\n' >"$work/plain.txt"
timeout 120 "$viewer" "$DATA/L7_ETMs.tif" --size 400x300 --script "$work/plain.txt" >"$work/out" 2>"$work/err" ||
  fail "viewer on the plain file: $(cat "$work/err")"
grep -q "message: no true colour: L7_ETMs.tif does not say which bands are red, green and blue; showing bands 1,2,3" "$work/out" ||
  fail "Shift+B on a file that does not say: $(grep '^status' "$work/out")"

echo "viewer_true_colour: $failures failure(s)"
[[ $failures -eq 0 ]]
