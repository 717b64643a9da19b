#!/usr/bin/env bash
# e2e: containers (a netCDF made from the real L7_ETMs.tif with gdal_translate,
# one variable per band; a two-page TIFF). `info` lists the subdatasets with
# the names any command opens them by; the container opens on its first
# subdataset with a warning; `info`, `render` and `mark --pixel` take the
# NETCDF:"file":var form, and the SHA-256 they record is the container file's.
# Both used to fail: "subdataset 1 has no name" (the netCDF driver answers only
# GetMetadata for that domain) and "cannot open: No such file or directory"
# (the name was hashed as a path).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
formats=$(gdalinfo --formats)
if ! grep -q netCDF <<<"$formats"; then skip_test "GDAL without netCDF"; fi
need_command identify jq gdal_translate

nc="$tmp/l7.nc"
gdal_translate -q -of netCDF "$DATA/L7_ETMs.tif" "$nc"
sha=$(sha256sum "$nc" | cut -d' ' -f1)
info=$("$SATMARK" info --json "$nc" 2>"$tmp/err") || fail "info on the container: $(cat "$tmp/err")"
[[ $(jq '.subdatasets | length' <<<"$info") -eq 6 ]] || fail "6 subdatasets expected: $(jq -c .subdatasets <<<"$info")"
[[ $(jq -r '.subdatasets[2].name' <<<"$info") == "NETCDF:\"$nc\":Band3" ]] || fail "subdataset 3's name: $(jq -r '.subdatasets[2].name' <<<"$info")"
[[ $(jq -r .sha256 <<<"$info") == "$sha" ]] || fail "info: the container's SHA-256"
jq -e '.warnings | map(test("showing subdataset 1 of 6")) | any' <<<"$info" >/dev/null || fail "no warning naming the subdataset shown"

band3="NETCDF:\"$nc\":Band3"
[[ $("$SATMARK" info --json "$band3" | jq -r .sha256) == "$sha" ]] || fail "info on a subdataset: not the container's SHA-256"
printf '{"type":"FeatureCollection","features":[]}' >"$tmp/e.geojson"
"$SATMARK" render "$band3" "$tmp/e.geojson" -o "$tmp/fig.png" --size 200x 2>"$tmp/err" >/dev/null || fail "render a subdataset: $(cat "$tmp/err")"
md=$(identify -verbose "$tmp/fig.png")
grep -q "satmark_tile_sha256: $sha" <<<"$md" || fail "figure: not the container's SHA-256"
grep -q 'satmark_tile: NETCDF:"l7.nc":Band3' <<<"$md" || fail "figure: tile name $(grep satmark_tile: <<<"$md")"
cp "$tmp/e.geojson" "$tmp/m.geojson"
"$SATMARK" mark "$tmp/m.geojson" add --class other --pixel "$band3" 100,100 >/dev/null 2>"$tmp/err" || fail "mark --pixel on a subdataset: $(cat "$tmp/err")"
[[ $(jq -r '.features[0].properties.observations[0].sha256' "$tmp/m.geojson") == "$sha" ]] || fail "mark: observation sha256"

pages=$("$SATMARK" info --json --no-hash "$DATA/gdal_twoimages.tif")
[[ $(jq -r '.subdatasets[1].name' <<<"$pages") == "GTIFF_DIR:2:$DATA/gdal_twoimages.tif" ]] || fail "TIFF pages: $(jq -c .subdatasets <<<"$pages")"

echo "subdatasets: $failures failure(s)"
[[ $failures -eq 0 ]]
