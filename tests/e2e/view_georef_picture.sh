#!/usr/bin/env bash
# e2e: georeferencing a published picture in the viewer (--georef-picture).
#  - A real raster (L7_ETMs.tif, UTM 25S) stripped of its georeferencing is
#    the "picture"; the original is the reference. Pairs typed by script
#    (gcp PX PY LON LAT, lon/lat read off the original's own geotransform)
#    give live residuals: none below the method's minimum, ~0 m RMS from
#    three on; gcp-undo and gcp-delete take pairs away; M/poly2/tps refit.
#  - Saved through the core (georef-save) as a VRT and a GeoTIFF: `satmark
#    info` gives the original's lon/lat bounds within one pixel, gdalinfo
#    shows the picture's SHA-256, the GCPs and the method; the picture is
#    unchanged.
#  - Clicks, as a user makes them: a click on the picture then one on the
#    reference at the same place of its half of the window (both fitted the
#    same way, they show the same ground) make a pair whose lon/lat is the
#    original's at that pixel (within one pixel).
#  - Failures: saving with two pairs (exit 1, the reason, no file); a
#    reference without georeferencing (exit 1); pairs never saved are
#    printed as the `satmark georef` command that redoes them.
# Before: "unknown option '--georef-picture'" and "unknown command" (gcp).
set -euo pipefail
viewer="${SATMARK_BUILD:?}/satmark-view"
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
command -v gdaltransform >/dev/null || { echo "SKIP: gdaltransform (gdal-bin) missing"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

src="$DATA/L7_ETMs.tif"
GDAL_PAM_ENABLED=NO gdal_translate -q -of PNG -b 3 -b 2 -b 1 "$src" "$work/picture.png"
rm -f "$work/picture.png.aux.xml" "$work/picture.wld"
"$SATMARK" info --json --no-hash "$work/picture.png" | jq -e '.bounds_lonlat == null' >/dev/null ||
  fail "the picture should have no georeferencing"
sha_before=$(sha256sum "$work/picture.png" | cut -d' ' -f1)

lonlat() { gdaltransform -t_srs EPSG:4326 "$src" <<<"$1 $2" | awk '{ printf "%.10f %.10f\n", $1, $2 }'; }
pixels=("0 0" "349 0" "0 352" "349 352" "174.5 176" "174.5 0")
gcp_lines=()
for p in "${pixels[@]}"; do
  gcp_lines+=("gcp $p $(lonlat $p)")
done

want=$("$SATMARK" info --json --no-hash "$src" | jq -c '.bounds_lonlat')
# one pixel: 28.5 m; in degrees at 8 S: 28.5 / 111320 (lat), / (111320 cos 8) (lon)
within_a_pixel() { # $1 = bounds json
  jq -e -n --argjson a "$want" --argjson b "$1" \
    '[range(4)] | all(. as $i | (($a[$i] - $b[$i]) | fabs) < (28.5 / 111320 / 0.99))' >/dev/null
}

# ---- pairs by script, residuals live, save as VRT and GeoTIFF -----------------
{
  echo wait-idle
  printf '%s\n' "${gcp_lines[@]:0:2}"
  echo "print gcps"
  printf '%s\n' "${gcp_lines[@]:2:4}"
  echo "print gcps"
  echo "gcp 100 100 -34.5 -7.5" # a wrong pick, then taken back
  echo "gcp-undo"
  echo "gcp 10 10 -34.5 -7.5"   # another, removed by number
  echo "gcp-delete 7"
  echo "print gcps"
  echo "georef-save $work/out.vrt"
  echo "georef-save $work/out.tif"
  echo "georef-method tps"
  echo "print gcps"
  echo "georef-method poly2"
  echo "print gcps"
  echo "georef-method poly1"
  echo "georef-save $work/out.vrt"
  echo "key v"
  echo "print hint"
  echo "wait-idle"
  echo "screenshot $work/over.png"
  echo quit
} >"$work/pairs.txt"
rc=0
timeout 120 "$viewer" "$src" --georef-picture "$work/picture.png" --size 1000x700 \
  --script "$work/pairs.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 0 ]] || { fail "scripted pairs: exit $rc"; cat "$work/err"; }
mapfile -t summaries < <(grep '^gcps:' "$work/out")
[[ ${#summaries[@]} -eq 5 ]] || fail "want 5 'gcps:' summaries, got ${#summaries[@]}: $(cat "$work/out")"
grep -q "^gcps: 2 pairs method poly1 no fit: poly1 needs 3 pairs, 2 so far" <<<"${summaries[0]:-}" ||
  fail "two pairs should have no fit yet: ${summaries[0]:-}"
for k in 1 2; do
  awk '{ for (i = 1; i < NF; i++) if ($i == "rms_m") exit !($(i + 1) < 5) ; exit 1 }' <<<"${summaries[$k]:-}" ||
    fail "exact pairs should give an RMS near 0: ${summaries[$k]:-}"
  grep -q "^gcps: 6 pairs method poly1" <<<"${summaries[$k]:-}" || fail "want 6 poly1 pairs: ${summaries[$k]:-}"
done
grep -q "^gcps: 6 pairs method tps .* leave-one-out" <<<"${summaries[3]:-}" ||
  fail "tps should report leave-one-out residuals: ${summaries[3]:-}"
grep -q "^gcps: 6 pairs method poly2 rms_m" <<<"${summaries[4]:-}" || fail "poly2 with 6 pairs should fit: ${summaries[4]:-}"
# every pair's residual printed, after the last wrong picks were removed
[[ $(grep -c '^gcp: [0-9]* px' "$work/out") -eq $((2 + 6 + 6 + 6 + 6)) ]] || fail "per-pair lines: $(grep -c '^gcp:' "$work/out")"
grep -q -- "-34.5" <<<"$(sed -n '/^gcps: 6 pairs/,$p' "$work/out")" && fail "an undone or deleted pair is still listed"
grep -q "^hint: Picture over the reference through the poly1 fit" "$work/out" || fail "V should show the picture over the reference"
[[ -s "$work/over.png" ]] || fail "no screenshot of the picture over the reference"

for out in "$work/out.vrt" "$work/out.tif"; do
  [[ -e $out ]] || { fail "$(basename "$out") not written"; continue; }
  info=$("$SATMARK" info --json --no-hash "$out")
  got=$(jq -c '.bounds_lonlat' <<<"$info")
  within_a_pixel "$got" || fail "$(basename "$out"): bounds $got, want $want within one pixel"
  md=$(gdalinfo "$out")
  grep -q "SATMARK_GEOREF_SOURCE_SHA256=$sha_before" <<<"$md" || fail "$(basename "$out"): no picture SHA-256 recorded"
  grep -q "SATMARK_GEOREF_METHOD=poly1" <<<"$md" || fail "$(basename "$out"): method not recorded"
  grep -q "SATMARK_GEOREF_GCPS=0.000,0.000,-34.91616" <<<"$md" || fail "$(basename "$out"): GCPs not recorded"
  grep -q "SATMARK_GEOREF_REFERENCE=L7_ETMs.tif" <<<"$md" || fail "$(basename "$out"): reference not recorded"
  grep -q "SATMARK_GEOREF_REFERENCE_SHA256=$(sha256sum "$src" | cut -d' ' -f1)" <<<"$md" ||
    fail "$(basename "$out"): reference SHA-256 not recorded"
done
[[ $(sha256sum "$work/picture.png" | cut -d' ' -f1) == "$sha_before" ]] || fail "the picture was modified"

# ---- pairs by clicks ------------------------------------------------------------
# 1000x700 window: the picture fitted into x 0..500, the reference into
# 500..1000, the same size: a point at (x, y) on the left is the same ground
# as (x + 500, y) on the right.
{
  echo wait-idle
  echo "click 180 240"
  echo "print hint"
  echo "click 680 240"
  echo "click 400 500"
  echo "click 900 500"
  echo "click 120 450"
  echo "click 620 450"
  echo "print gcps"
  echo "georef-save $work/clicked.vrt"
  echo "click 400 500"   # pair 2's number on the picture: selects it
  echo "print hint"
  echo "key Delete"
  echo "print gcps"
  echo "key BackSpace"   # undoes the last pair
  echo "print gcps"
  echo quit
} >"$work/clicks.txt"
rc=0
timeout 120 "$viewer" "$src" --georef-picture "$work/picture.png" --size 1000x700 \
  --script "$work/clicks.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 0 ]] || { fail "clicked pairs: exit $rc"; cat "$work/err"; }
grep -q "^hint: Pair 1: now click the same place on the reference" "$work/out" ||
  fail "after a click on the picture the hint should ask for the reference: $(grep '^hint' "$work/out")"
[[ $(grep -c '^gcp: ' "$work/out") -eq $((3 + 2 + 1)) ]] || fail "3, 2, then 1 pairs expected: $(cat "$work/out")"
grep -q "^hint: Pair 2 selected" "$work/out" || fail "a click on pair 2's number should select it: $(grep '^hint' "$work/out")"
grep -q "^gcps: 2 pairs method poly1 no fit" "$work/out" || fail "Delete should remove the selected pair"
grep -q "^gcps: 1 pairs method poly1 no fit" "$work/out" || fail "Backspace should undo the last pair"
first=$(grep '^gcp: ' "$work/out" | head -1 | cut -d' ' -f1-11)
[[ $(grep '^gcp: ' "$work/out" | tail -1 | cut -d' ' -f1-11) == "$first" ]] ||
  fail "after deleting pair 2 and undoing the last, pair 1 should be left: $(cat "$work/out")"
while read -r _ n _ px _ py _ lon _ lat _; do
  read -r wlon wlat < <(lonlat "$px" "$py")
  awk -v a="$lon" -v b="$lat" -v c="$wlon" -v d="$wlat" \
    'BEGIN { exit !((a - c) ^ 2 + (b - d) ^ 2 < (28.5 / 111320) ^ 2) }' ||
    fail "clicked pair $n: picture $px,$py -> $lon,$lat; the original says $wlon,$wlat"
done < <(sed -n '1,/^gcps:/p' "$work/out" | grep '^gcp: ')
grep -q "^gcps: 3 pairs method poly1 rms_m" "$work/out" || fail "three clicked pairs should fit"
[[ -e "$work/clicked.vrt" ]] || fail "clicked.vrt not written"

# ---- failures --------------------------------------------------------------------
{
  echo wait-idle
  printf '%s\n' "${gcp_lines[@]:0:2}"
  echo "georef-save $work/two.vrt"
  echo quit
} >"$work/two.txt"
rc=0
timeout 120 "$viewer" "$src" --georef-picture "$work/picture.png" --size 800x600 \
  --script "$work/two.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 1 ]] || fail "saving two pairs: exit $rc, want 1"
grep -q "georef-save: .*poly1 needs at least 3 ground control points, 2 given" "$work/err" ||
  fail "saving two pairs: no clear reason: $(cat "$work/err")"
[[ ! -e "$work/two.vrt" ]] || fail "saving two pairs wrote a file"
# the unsaved pairs are not lost: the command that redoes them
grep -q "satmark georef '$work/picture.png' --gcp 0.000,0.000,-34.9161655" "$work/err" ||
  fail "unsaved pairs: no command to redo them: $(cat "$work/err")"

rc=0
timeout 60 "$viewer" "$work/picture.png" --georef-picture "$work/picture.png" --size 800x600 \
  --script "$work/two.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 1 ]] || fail "a reference without georeferencing: exit $rc, want 1"
grep -q "picture.png: has no georeferencing" "$work/err" || fail "no georeferencing: message: $(cat "$work/err")"
rc=0
timeout 60 "$viewer" "$src" --georef-picture "$work/nope.png" --size 800x600 \
  --script "$work/two.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "nope.png" "$work/err" || fail "a missing picture: exit $rc: $(cat "$work/err")"
rc=0
timeout 60 "$viewer" "$src" --compare "$src" --georef-picture "$work/picture.png" --size 800x600 \
  --script "$work/two.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "cannot be combined" "$work/err" || fail "--compare with --georef-picture: exit $rc: $(cat "$work/err")"
rc=0
printf 'gcp 1 2 3\n' >"$work/bad.txt"
timeout 60 "$viewer" "$src" --georef-picture "$work/picture.png" --script "$work/bad.txt" \
  >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "bad.txt:1: .*PX PY LON LAT" "$work/err" || fail "gcp with three numbers: exit $rc: $(cat "$work/err")"
rc=0
printf 'wait-idle\ngcp 1 2 3 4\nquit\n' >"$work/nomode.txt"
timeout 60 "$viewer" "$src" --size 800x600 --script "$work/nomode.txt" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "not georeferencing a picture" "$work/err" || fail "gcp without the mode: exit $rc: $(cat "$work/err")"

echo "view_georef_picture: $failures failure(s)"
[[ $failures -eq 0 ]]
