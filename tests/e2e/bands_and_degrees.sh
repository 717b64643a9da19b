#!/usr/bin/env bash
# e2e: which bands are shown, and images in degrees.
#  - A multispectral image that does not say which bands are red, green and
#    blue (L7_ETMs.tif: 6 bands, no colour names) shows 1,2,3 with a warning
#    in info and render; the same file saying it is Landsat 7 shows 3,2,1,
#    Landsat 8 shows 4,3,2, and band descriptions Red/Green/Blue are followed
#    wherever they sit; --bands overrides every choice.
#  - A real raster put in EPSG:4326 at 60 N (gdalwarp, then placed by
#    gdal_translate -a_ullr) is shown in the UTM zone of its centre: square
#    ground pixels, and a whole-image figure whose height/width follows the
#    ground (about 2: 0.1 degree of longitude is half as long as 0.1 degree of
#    latitude there), not the degrees (1); --keep-degrees shows it as stored.
#    A whole-world image stays in degrees.
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
display() { "$SATMARK" info --json --no-hash "$@" | jq -c '[.display.bands, .display.reason]'; }

l7="$DATA/L7_ETMs.tif"
[[ $(display "$l7") == '[[1,2,3],""]' ]] || fail "L7 auto: $(display "$l7")"
"$SATMARK" info --json --no-hash "$l7" | jq -e '.warnings | map(test("multispectral image \\(6 bands\\)")) | any' >/dev/null ||
  fail "L7: no multispectral warning"
printf '{"type":"FeatureCollection","features":[]}' >"$tmp/e.geojson"
"$SATMARK" render "$l7" "$tmp/e.geojson" -o "$tmp/l7.png" --size 300x 2>"$tmp/err" >/dev/null
grep -q "multispectral image" "$tmp/err" || fail "render: no multispectral warning"

gdal_translate -q -mo SPACECRAFT_ID=LANDSAT_7 "$l7" "$tmp/l7-said.tif"
[[ $(display "$tmp/l7-said.tif") == '[[3,2,1],"Landsat 4-7 band order"]' ]] || fail "Landsat 7: $(display "$tmp/l7-said.tif")"
"$SATMARK" info --json --no-hash "$tmp/l7-said.tif" | jq -e '.warnings | map(test("multispectral")) | any | not' >/dev/null ||
  fail "Landsat 7 said: still warns"
gdal_translate -q -mo SPACECRAFT_ID=LANDSAT_8 "$l7" "$tmp/l8.tif"
[[ $(display "$tmp/l8.tif") == '[[4,3,2],"Landsat 8/9 band order"]' ]] || fail "Landsat 8: $(display "$tmp/l8.tif")"
# Band descriptions, out of order.
gdal_translate -q -of VRT "$l7" "$tmp/desc.vrt"
awk 'BEGIN{n=0; split("Blue,Near infrared,Green,Red edge,Red,SWIR", d, ",")}
     /<VRTRasterBand/ {print; n++; print "    <Description>" d[n] "</Description>"; next} {print}' \
  "$tmp/desc.vrt" >"$tmp/desc2.vrt"
sed -i "s|relativeToVRT=\"1\">L7_ETMs.tif|relativeToVRT=\"0\">$l7|" "$tmp/desc2.vrt"
[[ $(display "$tmp/desc2.vrt") == '[[5,3,1],"band descriptions"]' ]] || fail "descriptions: $(display "$tmp/desc2.vrt")"
[[ $(display --bands 6,5,4 "$tmp/l8.tif") == '[[6,5,4],"chosen"]' ]] || fail "--bands: $(display --bands 6,5,4 "$tmp/l8.tif")"

# Degrees at 60 N.
gdalwarp -q -t_srs EPSG:4326 "$l7" "$tmp/geo.tif"
gdal_translate -q -a_ullr 10.0 60.1 10.1 60.0 "$tmp/geo.tif" "$tmp/n60.tif"
info=$("$SATMARK" info --json --no-hash "$tmp/n60.tif")
[[ $(jq -r '.reprojected_from' <<<"$info") == "WGS 84" ]] || fail "n60: not reprojected: $(jq -c '.reprojected_from' <<<"$info")"
jq -e '.resolution_m as $r | (($r[0] - $r[1]) | fabs) < 0.01 * $r[0]' <<<"$info" >/dev/null ||
  fail "n60: pixels not square on the ground: $(jq -c .resolution_m <<<"$info")"
# The north-up UTM rectangle covers the degree one, a little wider where the
# meridians lean (convergence ~0.9 degree here: ~170 m over the image's 11 km).
jq -e '.bounds_lonlat as $b | (($b[0] - 10.0) | fabs) < 0.005 and (($b[2] - 10.1) | fabs) < 0.005 and (($b[3] - 60.1) | fabs) < 0.002' <<<"$info" >/dev/null ||
  fail "n60: bounds moved: $(jq -c .bounds_lonlat <<<"$info")"
"$SATMARK" render "$tmp/n60.tif" "$tmp/e.geojson" -o "$tmp/n60.png" --size 400x --no-title --no-caption --no-legend --no-credit 2>"$tmp/out" >/dev/null
w=0; h=0; read -r w h < <(sed -n 's/.*(\([0-9]*\)x\([0-9]*\),.*/\1 \2/p' "$tmp/out") || true
awk -v w="$w" -v h="$h" 'BEGIN { r = h / w; exit !(r > 1.8 && r < 2.2) }' || fail "n60 figure ${w}x$h: height/width should follow the ground (~2)"
kept=$("$SATMARK" info --json --no-hash --keep-degrees "$tmp/n60.tif")
[[ $(jq -r '.reprojected_from' <<<"$kept") == null && $(jq -r '.crs.name' <<<"$kept") == "WGS 84" ]] ||
  fail "--keep-degrees: $(jq -c '[.reprojected_from, .crs]' <<<"$kept")"
world=$("$SATMARK" info --json --no-hash "$DATA/rio_world.byte.tif")
[[ $(jq -r '.reprojected_from' <<<"$world") == null ]] || fail "the whole world should stay in degrees"

echo "bands_and_degrees: $failures failure(s)"
[[ $failures -eq 0 ]]
