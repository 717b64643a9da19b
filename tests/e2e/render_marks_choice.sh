#!/usr/bin/env bash
# render_marks_choice — which marks a figure draws depends on the tile's
# SHA-256 (a mark observed on another file, or on this file name with another
# hash, is left out). `render` chooses the marks before the hash is known and
# checks the choice against it before writing; `batch` hands the hash over
# from the parent. Both must draw exactly the marks the hash selects, give the
# same bytes, and report the left-out marks once.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_BUILD:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
tmp=$(mktemp -d /tmp/satmark-e2e-choice-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "render_marks_choice: FAIL: $*" >&2; exit 1; }

convert -size 256x256 -seed 7 plasma:fractal -depth 8 "$tmp/src.png"
gdal_translate -q -of GTiff -a_srs EPSG:32652 -a_ullr 581500 4679000 582524 4677976 \
  -mo ACQUISITION_DATE=2024-03-17 "$tmp/src.png" "$tmp/x.tif"
sha=$(sha256sum "$tmp/x.tif" | cut -d' ' -f1)
other=0000000000000000000000000000000000000000000000000000000000000000
# six points inside the tile, one per case: by name and date alone, 4 would
# be drawn; by the hash, 3
pt() { # ID LON LAT OBSERVATIONS-JSON
  printf '{"type":"Feature","id":"%s","geometry":{"type":"Point","coordinates":[%s,%s]},"properties":{"class":"crane","label":"%s","observations":%s}}' \
    "$1" "$2" "$3" "$1" "$4"
}
{
  echo '{"type":"FeatureCollection","features":['
  pt same-name-same-hash 129.9985 42.2600 "[{\"image\":\"x.tif\",\"sha256\":\"$sha\",\"acquired\":\"2024-03-17\"}]"; echo ,
  pt same-name-other-hash 129.9995 42.2600 "[{\"image\":\"x.tif\",\"sha256\":\"$other\",\"acquired\":\"2024-03-17\"}]"; echo ,
  pt same-date-other-hash 129.9995 42.2590 "[{\"image\":\"z.tif\",\"sha256\":\"$other\",\"acquired\":\"2024-03-17\"}]"; echo ,
  pt renamed-same-hash 130.0005 42.2600 "[{\"image\":\"old-name.tif\",\"sha256\":\"$sha\",\"acquired\":\"2020-01-01\"}]"; echo ,
  pt no-observation 130.0015 42.2600 "[]"; echo ,
  pt other-image 130.0025 42.2600 "[{\"image\":\"y.tif\",\"acquired\":\"2020-01-01\"}]"
  echo ']}'
} > "$tmp/marks.geojson"

timeout 120 "$SATMARK" render "$tmp/x.tif" "$tmp/marks.geojson" -o "$tmp/render.png" \
  --size 400x400 2> "$tmp/render.err" || { cat "$tmp/render.err" >&2; fail "render failed"; }
grep -F "(400x400, 3 marks," "$tmp/render.err" >/dev/null ||
  { cat "$tmp/render.err" >&2; fail "render should draw the 3 marks the hash selects"; }
n=$(grep -c "3 mark(s) observed only on other images" "$tmp/render.err" || true)
[[ "$n" == 1 ]] || { cat "$tmp/render.err" >&2; fail "the left-out marks are reported $n times, not once"; }
grep -F "satmark_tile_sha256" -A0 <(strings "$tmp/render.png") >/dev/null || fail "no tile hash in the PNG"
strings "$tmp/render.png" | grep -F "$sha" >/dev/null || fail "the PNG does not record the tile's SHA-256"

cat > "$tmp/figs.manifest" <<JSON
{"satmark_manifest": 1,
 "defaults": {"tile": "x.tif", "annotations": ["marks.geojson"], "size": "400x400"},
 "figures": [{"name": "one"}, {"name": "two"}]}
JSON
for j in 1 2; do
  timeout 120 "$SATMARK" batch "$tmp/figs.manifest" -o "$tmp/b$j" -j "$j" 2> "$tmp/b$j.err" ||
    { cat "$tmp/b$j.err" >&2; fail "batch -j $j failed"; }
done
# the figures differ from `render` only in the request recorded in the metadata:
# compare the pixels
for f in "$tmp/b1/one.png" "$tmp/b2/one.png" "$tmp/b2/two.png"; do
  d=$(compare -metric AE "$tmp/render.png" "$f" null: 2>&1 || true)
  [[ "$d" == 0 ]] || fail "$(basename "$f") differs from render's figure in $d pixels"
done
"$SATMARK_BUILD/tests/png_same" "$tmp/b1/one.png" "$tmp/b2/one.png" || fail "batch -j 1 and -j 2 give different bytes"
echo "render_marks_choice: ok (3 of 6 marks drawn, the same by render and batch)"
