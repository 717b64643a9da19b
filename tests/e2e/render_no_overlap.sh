#!/usr/bin/env bash
# render_no_overlap — a view that shows none of the tile is refused (issue
# 11): `render --bbox` or `--feature` off the image exits 1 naming the view and
# the image's bounds and writes nothing (it used to write a blank figure and
# exit 0); in `batch` that figure fails the same way while the others are
# written, and `batch -v` labels the figures' warnings as warnings, not as
# "error: warning: ...".
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?}" "${SATMARK_TEST_DATA:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
tmp=$(mktemp -d /tmp/satmark-e2e-nooverlap-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "render_no_overlap: FAIL: $*" >&2; failures=$((failures + 1)); }
need_command convert gdal_translate

convert -size 128x128 -seed 5 plasma:fractal -depth 8 "$tmp/src.png"
mkdir -p "$tmp/m"
gdal_translate -q -of GTiff -a_srs EPSG:32652 -a_ullr 581500 4679000 582524 4677976 \
  -mo ACQUISITION_DATE=2024-03-17 -mo SATMARK_SYNTHETIC=YES "$tmp/src.png" "$tmp/m/t.tif"
cp "$SATMARK_TEST_DATA/render/marks.geojson" "$SATMARK_TEST_DATA/render/catalog.json" "$tmp/m/"
# a mark far from the tile
cat >"$tmp/m/far.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": "far-ship", "geometry": {"type": "Point", "coordinates": [132.33, 42.88]},
  "properties": {"class": "ship"}}]}
JSON

set +e
timeout 60 "$SATMARK" render "$tmp/m/t.tif" --bbox 132.3,42.87,132.35,42.89 -o "$tmp/box.png" 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "bbox off the tile: exit $rc, want 1"
grep -q 'W,S,E,N = 132.3,42.87,132.35,42.89 does not overlap the image, which covers lon' "$tmp/err" ||
  fail "message does not name the box and the bounds: $(cat "$tmp/err")"
[[ ! -e "$tmp/box.png" ]] || fail "a blank figure was written"

set +e
timeout 60 "$SATMARK" render "$tmp/m/t.tif" "$tmp/m/far.geojson" --feature far-ship --pad 50m \
  -o "$tmp/far.png" 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "feature off the tile: exit $rc, want 1"
grep -q 'feature "far-ship".*does not overlap the image' "$tmp/err" || fail "feature not named: $(cat "$tmp/err")"
[[ ! -e "$tmp/far.png" ]] || fail "a blank figure was written for the feature"

cat >"$tmp/m/figs.manifest" <<'JSON'
{
  "satmark_manifest": 1,
  "defaults": { "tile": "t.tif", "annotations": ["marks.geojson"], "catalog": "catalog.json", "size": "200x" },
  "figures": [
    { "name": "whole" },
    { "name": "off", "view": { "bbox": [132.3, 42.87, 132.35, 42.89] } },
    { "name": "nofeat", "view": { "feature": "nope" } }
  ]
}
JSON
set +e
timeout 120 "$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/out" -j 1 -v 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "batch: exit $rc, want 1"
[[ -s "$tmp/out/whole.png" ]] || fail "whole.png not written"
[[ ! -e "$tmp/out/off.png" ]] || fail "off.png written"
grep -q 'off: error: .*does not overlap the image' "$tmp/err" || fail "batch: off not reported: $(cat "$tmp/err")"
grep -q 'error: warning' "$tmp/err" && fail "batch -v labels warnings as errors: $(grep 'error: warning' "$tmp/err")"
for bad in off nofeat; do
  grep -q "$bad: warning: .*synthetic" "$tmp/err" ||
    fail "batch -v: the warning of failed figure $bad is not shown as a warning: $(cat "$tmp/err")"
done

[[ $failures -eq 0 ]] || exit 1
echo "render_no_overlap: ok"
