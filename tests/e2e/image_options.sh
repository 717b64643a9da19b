#!/usr/bin/env bash
# e2e: the image options (--georef, --dem, --keep-degrees, --subdataset N|NAME)
# reach every command that opens imagery: render, batch (manifest members
# "georef", "dem", "keep_degrees", "subdataset"), mark --pixel / --image and
# the viewer, and mean the same in each. Before they were shared only `info`
# took them (render, mark and the viewer: "unknown option"; batch: "unknown
# member"), and --subdataset took no names.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
VIEWER=${SATMARK_BUILD:?set SATMARK_BUILD}/satmark-view
export SATMARK_ASSETS="${SATMARK_SRC:?}/assets"
command -v identify >/dev/null || { echo "SKIP: no ImageMagick identify"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
meta() { identify -verbose "$1" | sed -n "s/^ *$2: //p"; }
size_of() { identify -format '%w %h\n' "$1"; }
rpc="$DATA/gdal_byte_rpc.tif"
printf '{"type":"FeatureCollection","features":[]}' >"$tmp/e.geojson"

# --- --georef: an RPC image, georeferenced by default, pixel space with none
"$SATMARK" render "$rpc" -o "$tmp/rpc.png" --size 200x 2>/dev/null
"$SATMARK" render "$rpc" --georef none -o "$tmp/rpc-none.png" --size 200x 2>/dev/null ||
  fail "render --georef none: exit $?"
[[ $(meta "$tmp/rpc.png" satmark_crs) == *"UTM zone 55S"* ]] || fail "render default: $(meta "$tmp/rpc.png" satmark_crs)"
[[ $(meta "$tmp/rpc-none.png" satmark_crs) == "none (pixel space)" ]] ||
  fail "render --georef none: $(meta "$tmp/rpc-none.png" satmark_crs)"
[[ ! -e "$tmp/rpc-none.pgw" && -e "$tmp/rpc.pgw" ]] || fail "world files: georeferenced figure only"
set +e
"$SATMARK" render "$rpc" --georef bogus -o "$tmp/x.png" 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "poly1, poly2, poly3, tps, rpc or none" "$tmp/err" || fail "--georef bogus: exit $rc $(cat "$tmp/err")"

# --- --dem: heights move an RPC image (a flat DEM 2000 m up)
gdal_create -q -of GTiff -outsize 50 50 -a_srs EPSG:4326 -a_ullr 147 -42 148 -43 -burn 2000 -ot Float32 "$tmp/dem.tif"
"$SATMARK" render "$rpc" --dem "$tmp/dem.tif" -o "$tmp/rpc-dem.png" --size 200x 2>/dev/null || fail "render --dem: exit $?"
[[ -e "$tmp/rpc-dem.pgw" ]] && ! cmp -s "$tmp/rpc.pgw" "$tmp/rpc-dem.pgw" || fail "render --dem: same place as without"
set +e
"$SATMARK" render "$rpc" --dem "$tmp/absent.tif" -o "$tmp/x.png" 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "absent.tif cannot be read" "$tmp/err" || fail "missing DEM: exit $rc $(cat "$tmp/err")"

# --- batch: the same members, relative to the manifest
mkdir -p "$tmp/m"
cp "$rpc" "$tmp/m/rpc.tif"
cp "$tmp/dem.tif" "$tmp/m/dem.tif"
cat >"$tmp/m/figs.manifest" <<'JSON'
{ "satmark_manifest": 1, "defaults": { "tile": "rpc.tif", "size": "200x" },
  "figures": [ { "name": "auto" }, { "name": "none", "georef": "none" },
               { "name": "dem", "dem": "dem.tif", "title": "gdal_byte_rpc.tif" } ] }
JSON
# "dem" carries render's default title (the tile's file name): at 200 px a
# longer title wraps onto a second line, and a taller title band moves the
# map and its world file down
(cd / && "$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/out" -j 1 2>"$tmp/err") || fail "batch: $(cat "$tmp/err")"
[[ $(meta "$tmp/out/none.png" satmark_crs) == "none (pixel space)" ]] || fail "batch georef none: $(meta "$tmp/out/none.png" satmark_crs)"
[[ $(meta "$tmp/out/auto.png" satmark_crs) == *"UTM zone 55S"* ]] || fail "batch auto: $(meta "$tmp/out/auto.png" satmark_crs)"
cmp -s "$tmp/out/dem.pgw" "$tmp/rpc-dem.pgw" || fail "batch dem: not where render --dem put it"
printf '[{"name":"bad","tile":"rpc.tif","georef":"poly9"}]' >"$tmp/m/bad.manifest"
set +e
"$SATMARK" batch "$tmp/m/bad.manifest" -o "$tmp/out2" 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'figures\[0\] (bad): georef:' "$tmp/err" || fail "manifest georef poly9: exit $rc $(cat "$tmp/err")"

# --- mark: pixel positions in pixel space have no lon/lat
set +e
"$SATMARK" mark "$tmp/m1.geojson" add --class other --pixel "$rpc" 5,5 --georef none >/dev/null 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "no coordinate reference system" "$tmp/err" || fail "mark --georef none: exit $rc $(cat "$tmp/err")"
"$SATMARK" mark "$tmp/m1.geojson" add --class other --pixel "$rpc" 5,5 >/dev/null 2>"$tmp/err" || fail "mark on RPC: $(cat "$tmp/err")"

# --- --keep-degrees: an image in degrees at 60 N (see bands_and_degrees.sh)
gdalwarp -q -t_srs EPSG:4326 "$DATA/L7_ETMs.tif" "$tmp/geo.tif"
gdal_translate -q -a_ullr 10.0 60.1 10.1 60.0 "$tmp/geo.tif" "$tmp/n60.tif"
read -r gw gh < <(gdalinfo "$tmp/n60.tif" | sed -n 's/^Size is \([0-9]*\), \([0-9]*\)/\1 \2/p')
furniture=(--size 400x --no-title --no-caption --no-legend --no-credit)
"$SATMARK" render "$tmp/n60.tif" -o "$tmp/utm.png" "${furniture[@]}" 2>/dev/null
"$SATMARK" render "$tmp/n60.tif" --keep-degrees -o "$tmp/deg.png" "${furniture[@]}" 2>/dev/null || fail "render --keep-degrees: exit $?"
read -r uw uh < <(size_of "$tmp/utm.png")
read -r dw dh < <(size_of "$tmp/deg.png")
awk -v a="$uh" -v b="$uw" 'BEGIN { exit !(a / b > 1.8) }' || fail "n60 in UTM: ${uw}x$uh, want ~1:2"
awk -v a="$dh" -v b="$dw" -v c="$gh" -v d="$gw" 'BEGIN { r = (a / b) / (c / d); exit !(r > 0.97 && r < 1.03) }' ||
  fail "n60 --keep-degrees: ${dw}x$dh, want the grid's aspect ${gw}x$gh"
[[ $(meta "$tmp/deg.png" satmark_crs) == "WGS 84 (EPSG:4326)" ]] || fail "--keep-degrees crs: $(meta "$tmp/deg.png" satmark_crs)"
printf '[{"name":"deg","tile":"%s","keep_degrees":true,"size":"400x","show_title":false,"show_caption":false,"legend":false,"credit":false}]' \
  "$tmp/n60.tif" >"$tmp/deg.manifest"
"$SATMARK" batch "$tmp/deg.manifest" -o "$tmp/out3" -j 1 2>"$tmp/err" || fail "batch keep_degrees: $(cat "$tmp/err")"
[[ $(size_of "$tmp/out3/deg.png") == "$dw $dh" ]] || fail "batch keep_degrees: $(size_of "$tmp/out3/deg.png"), render gave $dw $dh"
# mark: pixel (0,0) is the grid's corner (10.0 E, 60.1 N) only in degrees
"$SATMARK" mark "$tmp/m2.geojson" add --class other --pixel "$tmp/n60.tif" 0,0 --keep-degrees >/dev/null 2>&1 || fail "mark --keep-degrees"
"$SATMARK" mark "$tmp/m3.geojson" add --class other --pixel "$tmp/n60.tif" 0,0 >/dev/null 2>&1 || fail "mark in UTM"
jq -e '.features[0].geometry.coordinates | ((.[0] - 10.0) | fabs) < 1e-9 and ((.[1] - 60.1) | fabs) < 1e-9' "$tmp/m2.geojson" >/dev/null ||
  fail "mark --keep-degrees 0,0: $(jq -c '.features[0].geometry.coordinates' "$tmp/m2.geojson")"
jq -e '.features[0].geometry.coordinates | ((.[0] - 10.0) | fabs) + ((.[1] - 60.1) | fabs) > 1e-4' "$tmp/m3.geojson" >/dev/null ||
  fail "mark in UTM 0,0 should be the UTM view's corner: $(jq -c '.features[0].geometry.coordinates' "$tmp/m3.geojson")"

# --- --subdataset N|NAME: the same as NETCDF:"file":Band3 everywhere
formats=$(gdalinfo --formats)
if grep -q netCDF <<<"$formats"; then
  nc="$tmp/l7.nc"
  gdal_translate -q -of netCDF "$DATA/L7_ETMs.tif" "$nc"
  band3="NETCDF:\"$nc\":Band3"
  "$SATMARK" render "$band3" -o "$tmp/b3.png" --size 200x 2>/dev/null
  for sel in 3 Band3 "$band3"; do
    "$SATMARK" render "$nc" --subdataset "$sel" -o "$tmp/sel.png" --size 200x 2>"$tmp/err" || fail "render --subdataset $sel: $(cat "$tmp/err")"
    "$SATMARK_BUILD/tests/png_same" "$tmp/b3.png" "$tmp/sel.png" || fail "render --subdataset $sel differs from $band3"
  done
  [[ $(meta "$tmp/sel.png" satmark_tile) == 'NETCDF:"l7.nc":Band3' ]] || fail "figure names $(meta "$tmp/sel.png" satmark_tile)"
  [[ $("$SATMARK" info --json --subdataset Band3 "$nc" | jq -r .file) == "$band3" ]] || fail "info --subdataset Band3"
  printf '[{"name":"n","tile":"l7.nc","subdataset":3,"size":"200x"},{"name":"s","tile":"l7.nc","subdataset":"Band3","size":"200x"}]' >"$tmp/nc.manifest"
  "$SATMARK" batch "$tmp/nc.manifest" -o "$tmp/out4" -j 1 2>"$tmp/err" || fail "batch subdataset: $(cat "$tmp/err")"
  for n in n s; do
    [[ $(meta "$tmp/out4/$n.png" satmark_tile) == 'NETCDF:"l7.nc":Band3' ]] || fail "batch $n: tile $(meta "$tmp/out4/$n.png" satmark_tile)"
    [[ $(meta "$tmp/out4/$n.png" satmark_tile_sha256) == $(sha256sum "$nc" | cut -d' ' -f1) ]] || fail "batch $n: not the container's hash"
  done
  "$SATMARK" mark "$tmp/s1.geojson" add --class other --pixel "$band3" 100,100 >/dev/null 2>&1 || fail "mark $band3"
  "$SATMARK" mark "$tmp/s2.geojson" add --class other --pixel "$nc" 100,100 --subdataset Band3 >/dev/null 2>"$tmp/err" ||
    fail "mark --subdataset Band3: $(cat "$tmp/err")"
  [[ $(jq -c '.features[0] | [.geometry, .properties.observations]' "$tmp/s1.geojson") == \
     "$(jq -c '.features[0] | [.geometry, .properties.observations]' "$tmp/s2.geojson")" ]] ||
    fail "mark --subdataset Band3 differs from $band3"
  # a name that is not there: exit 1 naming the choices, in every command
  for cmd in "info $nc" "render $nc -o $tmp/x.png" "mark $tmp/s3.geojson add --class other --pixel $nc 1,1"; do
    set +e
    # shellcheck disable=SC2086 # the words of cmd are its arguments
    "$SATMARK" $cmd --subdataset Band9 >/dev/null 2>"$tmp/err"; rc=$?
    set -e
    [[ $rc -eq 1 ]] && grep -q 'no subdataset "Band9"; it has 6: 1 Band1, 2 Band2, 3 Band3' "$tmp/err" ||
      fail "${cmd%% *} --subdataset Band9: exit $rc $(cat "$tmp/err")"
  done
  printf '[{"name":"x","tile":"l7.nc","subdataset":"Band9"}]' >"$tmp/bad9.manifest"
  set +e
  "$SATMARK" batch "$tmp/bad9.manifest" -o "$tmp/out5" -j 1 2>"$tmp/err"; rc=$?
  set -e
  [[ $rc -eq 1 ]] && grep -q 'no subdataset "Band9"' "$tmp/err" || fail "batch subdataset Band9: exit $rc $(cat "$tmp/err")"
  # the viewer opens its images before it needs a display
  set +e
  "$SATMARK" view "$nc" --subdataset Band9 >/dev/null 2>"$tmp/err"; rc=$?
  set -e
  [[ $rc -eq 1 ]] && grep -q 'no subdataset "Band9"' "$tmp/err" || fail "view --subdataset Band9: exit $rc $(cat "$tmp/err")"
else
  not_run="subdataset checks: GDAL without netCDF"
fi

# --- the viewer takes the same flags (checked before any window opens)
set +e
"$VIEWER" "$rpc" --georef bogus >/dev/null 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "poly1, poly2, poly3, tps, rpc or none" "$tmp/err" || fail "viewer --georef bogus: exit $rc $(cat "$tmp/err")"
set +e
"$SATMARK" view "$rpc" --dem "$tmp/absent.tif" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "absent.tif cannot be read" "$tmp/err" || fail "view --dem absent: exit $rc $(cat "$tmp/err")"
viewer_help=$("$VIEWER" --help)
grep -q -- "--keep-degrees" <<<"$viewer_help" || fail "viewer help: no --keep-degrees"
for cmd in render mark info view; do
  help=$("$SATMARK" help "$cmd")
  grep -q -- "--subdataset N|NAME" <<<"$help" || fail "help $cmd: no --subdataset N|NAME"
done

echo "image_options: $failures failure(s)"
[[ $failures -eq 0 ]]
[[ -z ${not_run:-} ]] || skip_test "$not_run (the rest passed)"
