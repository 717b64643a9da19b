#!/usr/bin/env bash
# e2e: one band through a colour ramp (--bands N --ramp NAME, manifest
# "ramp"): the figure's imagery is in colour where grey was grey, the legend
# says which ramp and the value range (the stretch's low and high in the
# band's own units, also in the PNG's satmark_parameters), batch draws the
# same pixels as render, an R,G,B display keeps its colours with a warning,
# and bad ramp names are usage errors. Before: "unknown option '--ramp'".
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
export SATMARK_ASSETS="${SATMARK_SRC:?}/assets"
command -v identify >/dev/null && command -v convert >/dev/null || { echo "SKIP: no ImageMagick"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
params() { identify -verbose "$1" | sed -n 's/^ *satmark_parameters: //p'; }
# pixels only (no metadata), as one hash
pixels() { convert "$1" -depth 8 rgba:- | sha256sum | cut -d' ' -f1; }
# how far the map's pixels are from grey: mean of max(R,G,B) - min(R,G,B) over a central crop
chroma() { convert "$1" -gravity center -crop 50%x50%+0+0 +repage -colorspace HSL -channel G -separate -format '%[fx:mean]\n' info:; }
l7="$DATA/L7_ETMs.tif"
args=(--size 400x --no-title --no-caption --no-credit)

"$SATMARK" render "$l7" --bands 4 -o "$tmp/grey.png" "${args[@]}" 2>/dev/null
"$SATMARK" render "$l7" --bands 4 --ramp viridis -o "$tmp/viridis.png" "${args[@]}" 2>"$tmp/err" ||
  fail "render --ramp viridis: $(cat "$tmp/err")"
[[ $(pixels "$tmp/grey.png") != $(pixels "$tmp/viridis.png") ]] || fail "viridis looks like grey"
awk -v g="$(chroma "$tmp/grey.png")" -v v="$(chroma "$tmp/viridis.png")" 'BEGIN { exit !(g < 0.01 && v > 0.3) }' ||
  fail "saturation grey $(chroma "$tmp/grey.png"), viridis $(chroma "$tmp/viridis.png")"
[[ $(params "$tmp/viridis.png") == *"ramp=viridis, band 4: 0 to 255"* ]] || fail "viridis parameters: $(params "$tmp/viridis.png")"
[[ $(params "$tmp/grey.png") != *"ramp="* ]] || fail "grey has a ramp legend"
# the legend panel is there: top right of the map, in colour (the rest of that corner is grey imagery)
"$SATMARK" render "$l7" --bands 4 --ramp grey -o "$tmp/grey2.png" "${args[@]}" 2>/dev/null
[[ $(pixels "$tmp/grey2.png") == $(pixels "$tmp/grey.png") ]] || fail "--ramp grey is not the plain grey"

# a band in other units: the range is the band's (a 0..1 reflectance)
gdal_translate -q -b 4 -ot Float32 -scale 0 255 0 1 "$l7" "$tmp/f32.tif"
"$SATMARK" render "$tmp/f32.tif" --ramp terrain -o "$tmp/f32.png" "${args[@]}" 2>"$tmp/err" || fail "render f32 terrain: $(cat "$tmp/err")"
range=$(params "$tmp/f32.png" | sed -n 's/.*ramp=terrain, band 1: \([^;]*\) to \([^;]*\);.*/\1 \2/p')
read -r lo hi <<<"$range" || true
awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo != "" && lo + 0 > 0 && hi + 0 < 1 && lo + 0 < hi + 0) }' ||
  fail "f32 range '$range' is not in the band's 0..1 units: $(params "$tmp/f32.png")"

# batch: the same pixels as render
mkdir -p "$tmp/m"
printf '[{"name":"v","tile":"%s","bands":"4","ramp":"viridis","size":"400x","show_title":false,"show_caption":false,"credit":false}]' \
  "$l7" >"$tmp/m/r.manifest"
"$SATMARK" batch "$tmp/m/r.manifest" -o "$tmp/out" -j 1 2>"$tmp/err" || fail "batch ramp: $(cat "$tmp/err")"
[[ $(pixels "$tmp/out/v.png") == $(pixels "$tmp/viridis.png") ]] || fail "batch ramp: not render's pixels"
[[ $(params "$tmp/out/v.png") == *"ramp=viridis, band 4: 0 to 255"* ]] || fail "batch parameters: $(params "$tmp/out/v.png")"

# R,G,B keeps its colours, with a warning
"$SATMARK" render "$l7" --ramp inferno -o "$tmp/rgb.png" "${args[@]}" 2>"$tmp/err" || fail "render rgb --ramp: $(cat "$tmp/err")"
grep -q "inferno ramp applies to one band shown alone" "$tmp/err" || fail "no warning for a ramp on R,G,B: $(cat "$tmp/err")"
[[ $(params "$tmp/rgb.png") != *"ramp="* ]] || fail "R,G,B figure claims a ramp"

# bad names
set +e
"$SATMARK" render "$l7" --bands 4 --ramp jet -o "$tmp/x.png" 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "grey, viridis, inferno, terrain" "$tmp/err" || fail "--ramp jet: exit $rc $(cat "$tmp/err")"
printf '[{"name":"j","tile":"%s","ramp":"jet"}]' "$l7" >"$tmp/m/bad.manifest"
set +e
"$SATMARK" batch "$tmp/m/bad.manifest" -o "$tmp/out2" 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'figures\[0\] (j): ramp: must be one of grey, viridis, inferno, terrain' "$tmp/err" ||
  fail "manifest ramp jet: exit $rc $(cat "$tmp/err")"

echo "render_ramp: $failures failure(s)"
[[ $failures -eq 0 ]]
