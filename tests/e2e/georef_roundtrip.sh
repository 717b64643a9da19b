#!/usr/bin/env bash
# e2e: `satmark georef` and GCP/RPC images.
#  - Round trip: a real raster (L7_ETMs.tif, UTM 25S) is stripped of its
#    georeferencing into a plain picture; ground control points are read off
#    the original's own geotransform (gdaltransform); `satmark georef` with
#    them must give back the original's lon/lat bounds within one pixel, as a
#    VRT (opened through the GCPs) and as a north-up GeoTIFF, with residuals
#    near zero, and the picture unchanged (same SHA-256).
#  - A wrong pick shows: one GCP moved by ~1 km gets by far the largest
#    residual (poly1 over 6 points).
#  - An RPC image (gdal_byte_rpc.tif) opens georeferenced through its RPCs:
#    the same grid as `gdalwarp -rpc` into the UTM zone of its centre.
#  - Errors: too few GCPs (exit 1, names the method and the count), a bad
#    --gcp (exit 2), a missing picture (exit 1 naming it), an output with
#    another extension (exit 1) — and nothing written in each case.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
need_command gdaltransform gdal_translate jq

src="$DATA/L7_ETMs.tif"
GDAL_PAM_ENABLED=NO gdal_translate -q -of PNG -b 3 -b 2 -b 1 "$src" "$tmp/picture.png"
rm -f "$tmp/picture.png.aux.xml" "$tmp/picture.wld"
if "$SATMARK" info --json --no-hash "$tmp/picture.png" | jq -e '.bounds_lonlat != null' >/dev/null; then
  fail "the picture should have no georeferencing"
fi
sha_before=$(sha256sum "$tmp/picture.png" | cut -d' ' -f1)

# GCPs at the corners, edge middles and centre, lon/lat from the original.
pixels=("0 0" "349 0" "0 352" "349 352" "174.5 176" "174.5 0")
gcps=()
for p in "${pixels[@]}"; do
  read -r lon lat _ < <(gdaltransform -t_srs EPSG:4326 "$src" <<<"$p")
  gcps+=(--gcp "${p% *},${p#* },$lon,$lat")
done

want=$("$SATMARK" info --json --no-hash "$src" | jq -c '.bounds_lonlat')
# one pixel: 28.5 m; in degrees at 8 S: 28.5 / 111320 (lat), / (111320 cos 8) (lon)
within_a_pixel() { # $1 = bounds json
  jq -e -n --argjson a "$want" --argjson b "$1" \
    '[range(4)] | all(. as $i | (($a[$i] - $b[$i]) | fabs) < (28.5 / 111320 / 0.99))' >/dev/null
}

for out in "$tmp/picture.vrt" "$tmp/picture-north-up.tif"; do
  rc=0
  "$SATMARK" georef "$tmp/picture.png" "${gcps[@]}" --method poly1 -o "$out" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [[ $rc -eq 0 ]] || { fail "georef -o $(basename "$out"): exit $rc"; cat "$tmp/err"; continue; }
  rms=$(awk '/RMS/ {print $2}' "$tmp/out")
  awk -v r="$rms" 'BEGIN { exit !(r < 5) }' || fail "$(basename "$out"): RMS $rms m for exact GCPs"
  info=$("$SATMARK" info --json --no-hash "$out")
  got=$(jq -c '.bounds_lonlat' <<<"$info")
  within_a_pixel "$got" || fail "$(basename "$out"): bounds $got, want $want within one pixel"
  case $out in
    *.vrt) [[ $(jq -r '.georeferenced_by.method' <<<"$info") == poly1 ]] || fail "vrt: not opened through its GCPs" ;;
    *.tif) [[ $(jq -r '.georeferenced_by' <<<"$info") == null ]] || fail "tif: should have its own geotransform"
           [[ $(jq -r '.crs.epsg // .epsg // empty' <<<"$info" | head -1) != "" ]] || fail "tif: no EPSG code" ;;
  esac
  md=$(gdalinfo "$out")
  grep -q "SATMARK_GEOREF_SOURCE_SHA256=$sha_before" <<<"$md" || fail "$(basename "$out"): no source SHA-256 recorded"
  grep -q "SATMARK_GEOREF_METHOD=poly1" <<<"$md" || fail "$(basename "$out"): no method recorded"
  grep -q "SATMARK_GEOREF_GCPS=0.000,0.000," <<<"$md" || fail "$(basename "$out"): GCPs not recorded"
done
# The VRT refers to the picture by its bare name (they sit together).
grep -q '<SourceFilename relativeToVRT="1">picture.png</SourceFilename>' "$tmp/picture.vrt" ||
  fail "the VRT should refer to picture.png relative to itself"
[[ $(sha256sum "$tmp/picture.png" | cut -d' ' -f1) == "$sha_before" ]] || fail "the picture was modified"

# A wrong pick: GCP 5 (the centre) moved ~1 km east.
bad=("${gcps[@]}")
IFS=, read -r px py lon lat <<<"${bad[9]}"
bad[9]="$px,$py,$(awk -v l="$lon" 'BEGIN { printf "%.7f", l + 0.009 }'),$lat"
"$SATMARK" georef "$tmp/picture.png" "${bad[@]}" --method poly1 -o "$tmp/bad.vrt" >"$tmp/out"
worst=$(awk '$1 ~ /^[0-9]+$/ {print $1, $6}' "$tmp/out" | sort -k2 -g | tail -1 | cut -d' ' -f1)
[[ "$worst" == 5 ]] || { fail "moved GCP 5 should have the largest residual (got $worst)"; cat "$tmp/out"; }

# TPS: leave-one-out residuals (not all zero) on the same points.
"$SATMARK" georef "$tmp/picture.png" "${bad[@]}" --method tps -o "$tmp/tps.vrt" >"$tmp/out"
grep -q "leave-one-out" "$tmp/out" || fail "tps residuals should be leave-one-out"
awk '/RMS/ { exit !($2 > 1) }' "$tmp/out" || fail "tps with a wrong pick should show a residual"

# RPC image: the grid gdalwarp makes into the UTM zone of its centre.
rpc="$DATA/gdal_byte_rpc.tif"
gdalwarp -q -rpc -t_srs EPSG:32755 -et 0.125 -r bilinear "$rpc" "$tmp/rpcw.tif"
want_gt=$(gdalinfo -json "$tmp/rpcw.tif" | jq -c '[.geoTransform[] | . * 1000 | round]')
got_json=$("$SATMARK" info --json --no-hash "$rpc")
got_gt=$(jq -c '[.geotransform[] | . * 1000 | round]' <<<"$got_json")
[[ "$got_gt" == "$want_gt" ]] || fail "rpc grid $got_gt, gdalwarp's $want_gt"
[[ $(jq -r '.georeferenced_by.method' <<<"$got_json") == rpc ]] || fail "rpc: method not reported"
jq -e '.warnings | map(test("without a DEM")) | any' <<<"$got_json" >/dev/null || fail "rpc: no warning about the missing DEM"
[[ $("$SATMARK" info --json --no-hash --georef none "$rpc" | jq -r '.bounds_lonlat') == null ]] ||
  fail "--georef none should keep pixel space"

# Errors.
expect() { # rc what -- cmd...
  local want=$1 what=$2; shift 3; local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [[ $rc -eq $want ]] || { fail "$what: exit $rc, want $want"; head -3 "$tmp/err"; }
}
expect 1 "two GCPs" -- "$SATMARK" georef "$tmp/picture.png" "${gcps[@]:0:4}" -o "$tmp/two.vrt"
grep -q "poly1 needs at least 3 ground control points, 2 given" "$tmp/err" || fail "two GCPs: message"
[[ ! -e "$tmp/two.vrt" ]] || fail "two GCPs: wrote a file"
expect 2 "hex GCP" -- "$SATMARK" georef "$tmp/picture.png" --gcp 0x1p4,0,1,1 -o "$tmp/x.vrt"
expect 2 "latitude 95" -- "$SATMARK" georef "$tmp/picture.png" --gcp 0,0,10,95 -o "$tmp/x.vrt"
expect 1 "missing picture" -- "$SATMARK" georef "$tmp/nope.png" "${gcps[@]}" -o "$tmp/x.vrt"
grep -q "nope.png" "$tmp/err" || fail "missing picture: not named"
expect 1 "bad extension" -- "$SATMARK" georef "$tmp/picture.png" "${gcps[@]}" -o "$tmp/x.png"
[[ ! -e "$tmp/x.vrt" && ! -e "$tmp/x.png" ]] || fail "a failed georef wrote a file"
ls -a "$tmp" | grep -q '^\.satmark-georef' && fail "a reserved directory was left behind"

echo "georef_roundtrip: $failures failure(s)"
[[ $failures -eq 0 ]]
