#!/usr/bin/env bash
# Large generated annotation files (issue 14), checked for correctness, not
# speed (speed is scripts/bench.sh's): satmark-tilegen --big makes
#   100,000 points with the id as a property and no feature id,
#   50,000 points with numeric feature ids (QGIS), 20,000 polygons;
# validate reads all of them (feature count in the ok line), warns about the
# numeric ids in a capped list with one "... and N more" line, exports to
# GeoJSON and FlatGeobuf read back by ogrinfo with the same count and
# distinct ids, and `claims` counts the points in a rectangular area exactly
# as an awk scan of the generated file does (the spatial index changes no
# count). Under the sanitizers the 100,000-point file is cut to 20,000 (ASan
# makes the reader ~10x slower; the linear-growth check is the unit test
# test_gjson_scale), so the test stays well under a minute there.
set -euo pipefail
: "${SATMARK:?path of the satmark binary}" "${SATMARK_BUILD:?build directory}"
tilegen=$SATMARK_BUILD/satmark-tilegen
[[ -x $tilegen ]] || { echo "SKIP: satmark-tilegen not built"; exit 77; }
command -v ogrinfo >/dev/null || { echo "SKIP: ogrinfo missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

npoints=100000
[[ ${SATMARK_SANITIZED:-0} == 1 ]] && npoints=20000
bbox=130.27,42.22,130.33,42.27
"$tilegen" --big points --count "$npoints" --bbox "$bbox" --image t.tif --date 2024-03-17 -o "$tmp/points.geojson"
"$tilegen" --big qgis --count 50000 --bbox "$bbox" -o "$tmp/qgis.geojson"
"$tilegen" --big polygons --count 20000 --bbox "$bbox" -o "$tmp/polys.geojson"
# same inputs, same bytes
"$tilegen" --big polygons --count 20000 --bbox "$bbox" -o "$tmp/polys2.geojson"
cmp -s "$tmp/polys.geojson" "$tmp/polys2.geojson" || fail "tilegen --big is not deterministic"

# validate: every feature read
"$SATMARK" validate "$tmp/points.geojson" > "$tmp/v.out" 2> "$tmp/v.err" || fail "validate points: $(cat "$tmp/v.err")"
grep -q "ok ($npoints features" "$tmp/v.out" || fail "validate points: $(cat "$tmp/v.out")"
# the detector's ids are properties: they become the marks' ids (one line)
grep -q "$npoints features without an id of their own took their \"id\" property as the id" "$tmp/v.err" ||
  fail "no property-id line: $(cat "$tmp/v.err")"
grep -q "generated ids" "$tmp/v.err" && fail "ids generated although the features have id properties"
"$SATMARK" validate "$tmp/polys.geojson" > "$tmp/v.out" 2> "$tmp/v.err" || fail "validate polygons"
grep -q "ok (20000 features, 0 warnings" "$tmp/v.out" || fail "validate polygons: $(cat "$tmp/v.out")"

# numeric ids: 20 warnings with their line:column, then one summary line
"$SATMARK" validate "$tmp/qgis.geojson" > "$tmp/v.out" 2> "$tmp/v.err" || fail "validate qgis"
grep -q "ok (50000 features, 21 warnings" "$tmp/v.out" || fail "qgis: $(cat "$tmp/v.out")"
[[ $(grep -c "numeric feature id" "$tmp/v.err") == 21 ]] || fail "qgis: warnings not capped: $(wc -l < "$tmp/v.err") lines"
grep -q "qgis.geojson:2:24: feature 0: numeric feature id 0 is written back" "$tmp/v.err" || fail "qgis: first warning: $(head -1 "$tmp/v.err")"
grep -q "\.\.\. and 49,980 more warnings like this one" "$tmp/v.err" || fail "qgis: no summary line"

# export, read back by OGR: same count, ids distinct; the points' ids are
# the detector's (their "id" property is that attribute: no clash, no loss)
count_of() { ogrinfo -ro -so -al "$1" | awk -F': ' '/Feature Count/ { s += $2 } END { print s + 0 }'; }
distinct_ids() {
  local layer
  layer=$(ogrinfo -ro -q "$1" | awk -F'[: ]+' '/^[0-9]+:/ { print $2; exit }')
  ogrinfo -ro -q -sql "SELECT COUNT(DISTINCT id) AS n FROM \"$layer\"" "$1" | awk -F'= ' '/ n \(/ { print $2 }'
}
for f in points polys; do
  n=$([[ $f == points ]] && echo "$npoints" || echo 20000)
  for ext in geojson fgb; do
    "$SATMARK" export --no-claims "$tmp/$f.geojson" -o "$tmp/out-$f.$ext" 2> "$tmp/e.err" || fail "export $f.$ext: $(cat "$tmp/e.err")"
    grep -q "clashes\|source_id" "$tmp/e.err" && fail "$f.$ext: the id property clashes: $(cat "$tmp/e.err")"
    [[ $(count_of "$tmp/out-$f.$ext") == "$n" ]] || fail "$f.$ext: ogrinfo counts $(count_of "$tmp/out-$f.$ext"), not $n"
    [[ $(distinct_ids "$tmp/out-$f.$ext") == "$n" ]] || fail "$f.$ext: $(distinct_ids "$tmp/out-$f.$ext") distinct ids, not $n"
    if [[ $f == points ]]; then
      last=$(ogrinfo -ro -q -sql "SELECT id FROM \"$(ogrinfo -ro -q "$tmp/out-$f.$ext" | awk -F'[: ]+' '/^[0-9]+:/ { print $2; exit }')\" WHERE label = 'det $n'" "$tmp/out-$f.$ext" |
        awk -F'= ' '/ id \(String\)/ { print $2 }')
      [[ $last == "det-$n" ]] || fail "$f.$ext: the point labelled \"det $n\" has id \"$last\", not det-$n"
    fi
  done
done

# claims: the count in a rectangle equals a scan of the generated file
cat > "$tmp/claims.json" <<'JSON'
{"satmark_claims": 1,
 "sources": [{"id": "s", "outlet": "test", "headline": "generated", "author": "", "published": "2024-03-20", "file": null, "reliability": "external", "reliability_note": "test", "cites": []}],
 "claims": [{"id": "c", "text": "count", "quote": "", "sources": ["s"], "attributed_to": [], "place": "test", "time": {"from": "2024-03-01", "to": "2024-03-31"}, "imagery": "yes",
   "check": {"class": "container_stack", "area": "area", "op": ">=", "value": 1, "date_from": "2024-03-01", "date_to": "2024-03-31"}}],
 "discrepancies": []}
JSON
cat > "$tmp/area.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","id":"area","properties":{"class":"aoi","observations":[{"image":"t.tif","acquired":"2024-03-17"}]},
 "geometry":{"type":"Polygon","coordinates":[[[130.29,42.23],[130.31,42.23],[130.31,42.25],[130.29,42.25],[130.29,42.23]]]}}]}
JSON
expect=$(grep -o '"coordinates":\[[0-9.]*,[0-9.]*\]' "$tmp/points.geojson" | tr -d '"coordinates:[]' |
  awk -F, '$1 > 130.29 && $1 < 130.31 && $2 > 42.23 && $2 < 42.25 { n++ } END { print n + 0 }')
"$SATMARK" claims "$tmp/claims.json" "$tmp/area.geojson" "$tmp/points.geojson" > "$tmp/c.out" 2> "$tmp/c.err" || fail "claims: $(cat "$tmp/c.err")"
# (the tile is not in an imagery register, so the count is reported but is not evidence)
grep -qE "t.tif \(2024-03-17(, unregistered)?\): $expect( |$)" "$tmp/c.out" || fail "claims: expected $expect, got: $(grep 't.tif' "$tmp/c.out")"
echo "PASS: $npoints points, 50,000 QGIS points, 20,000 polygons (claims count $expect)"
