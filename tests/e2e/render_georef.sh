#!/usr/bin/env bash
# render_georef — `satmark render` output opens georeferenced in GDAL: the
# PNG of a whole tile rendered at the tile's own size reports the tile's CRS
# and exactly its corner coordinates; a feature close-up's world file agrees
# with the view; the text chunks are readable by GDAL; the same inputs give
# the same bytes.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_BUILD:?}" "${SATMARK_TEST_DATA:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
tmp=$(mktemp -d /tmp/satmark-e2e-render-georef-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "render_georef: FAIL: $*" >&2; exit 1; }

# fixture: 256x256 px, 4 m pixels, UTM 52N near 130E 42.25N
convert -size 256x256 -seed 3 plasma:fractal -depth 8 "$tmp/src.png"
gdal_translate -q -of GTiff -a_srs EPSG:32652 -a_ullr 581500 4679000 582524 4677976 \
  -mo ACQUISITION_DATE=2024-03-17 -mo SATMARK_SYNTHETIC=YES "$tmp/src.png" "$tmp/tile.tif"
marks="$SATMARK_TEST_DATA/render/marks.geojson"
catalog="$SATMARK_TEST_DATA/render/catalog.json"

timeout 60 "$SATMARK" render "$tmp/tile.tif" "$marks" --claims "$catalog" -o "$tmp/whole.png" \
  --size 256x256 --no-title --no-caption 2>"$tmp/err" || { cat "$tmp/err"; fail "render exited $?"; }
[[ -f "$tmp/whole.pgw" && -f "$tmp/whole.png.aux.xml" ]] || fail "no world file / .aux.xml"

gdalinfo "$tmp/tile.tif" > "$tmp/tile.info"
gdalinfo "$tmp/whole.png" > "$tmp/png.info"
grep -q 'ID\["EPSG",32652\]' "$tmp/png.info" || fail "gdalinfo does not report EPSG:32652 for the PNG"
for corner in "Upper Left" "Lower Left" "Upper Right" "Lower Right" "Center"; do
  want=$(grep "^$corner" "$tmp/tile.info")
  got=$(grep "^$corner" "$tmp/png.info") || fail "no '$corner' in gdalinfo of the PNG"
  [[ "$want" == "$got" ]] || fail "corner differs: tile '$want' vs png '$got'"
done
grep -q '^Size is 256, 256' "$tmp/png.info" || fail "unexpected PNG size"

# text chunks, as GDAL reads them
grep -q '^  Software=satmark ' "$tmp/png.info" || fail "no Software chunk"
grep -q '^  Title=' "$tmp/png.info" || fail "no Title chunk"
grep -q '^  satmark_tile=tile.tif' "$tmp/png.info" || fail "no tile name chunk"
sha=$(sha256sum "$tmp/tile.tif" | cut -d' ' -f1)
grep -q "^  satmark_tile_sha256=$sha" "$tmp/png.info" || fail "tile SHA-256 chunk missing or wrong"
grep -q '^  satmark_acquired=2024-03-17' "$tmp/png.info" || fail "no acquisition date chunk"
grep -q '^  satmark_claims=fixture-ships-loading' "$tmp/png.info" || fail "claims chunk missing"
grep -q '^  Disclaimer=Synthetic demo imagery' "$tmp/png.info" || fail "synthetic disclaimer missing"

# a close-up: north-up, square pixels, CRS kept
timeout 60 "$SATMARK" render "$tmp/tile.tif" "$marks" --claims "$catalog" -o "$tmp/ship.png" \
  --feature ship-1 --pad 100m --size 400x400 2>"$tmp/err" || { cat "$tmp/err"; fail "close-up failed"; }
read -r A D B E C F < <(tr '\n' ' ' < "$tmp/ship.pgw"; echo)
awk -v a="$A" -v e="$E" -v d="$D" -v b="$B" 'BEGIN { if (a <= 0 || e >= 0 || d != 0 || b != 0 || a != -e) exit 1 }' \
  || fail "close-up world file is not north-up with square pixels: $A $D $B $E"
gdalinfo "$tmp/ship.png" | grep >/dev/null 'ID\["EPSG",32652\]' || fail "close-up has no CRS"

# determinism
timeout 60 "$SATMARK" render "$tmp/tile.tif" "$marks" --claims "$catalog" -o "$tmp/ship2.png" \
  --feature ship-1 --pad 100m --size 400x400 2>/dev/null
"$SATMARK_BUILD/tests/png_same" "$tmp/ship.png" "$tmp/ship2.png" || fail "same inputs gave a different figure"
cmp -s "$tmp/ship.pgw" "$tmp/ship2.pgw" || fail "world files differ"

echo "render_georef: ok"
