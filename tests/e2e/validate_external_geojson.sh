#!/usr/bin/env bash
# The external GeoJSON corpus (tests/data/geojson/{controls-valid,geojsonhint,
# check-geojson,antimeridian}, see tests/data/LICENSES-geojson.md) meets the
# expectation table below: "ok" exits 0 (the generated-id warning of plain
# GeoJSON is allowed), "warn" exits 0 with the named warning, "error" exits 1
# with "FILE:LINE:COLUMN: reason" naming the reason. Files the validators of
# the corpus README call INVALID are rejected, except where RFC 7946 allows a
# reader to accept; those deviations carry their reason in the last column.
set -euo pipefail
: "${SATMARK:?path of the satmark binary}" "${SATMARK_TEST_DATA:?tests/data}"
dir="$SATMARK_TEST_DATA/geojson"

# file | expect | text in the message | reason when we deviate from the README's verdict
table=$(cat <<'TABLE'
controls-valid/antimeridian-simple-noncrossing.json|ok||
controls-valid/geojsonhint-good-feature.geojson|ok||
controls-valid/geojsonhint-good-featurecollection-bbox3d.geojson|ok||
controls-valid/geojsonhint-good-geometrycollection.geojson|ok||
controls-valid/geojsonhint-multipolygon.geojson|ok||
controls-valid/geojsonhint-nullgeometry.geojson|ok||
antimeridian/almost-180.json|warn|more than 180 degrees in longitude|
antimeridian/both-poles.json|warn|more than 180 degrees in longitude|
antimeridian/complex-split.json|warn|more than 180 degrees in longitude|
antimeridian/cw-only.json|warn|winding corrected|
antimeridian/great-circle.json|warn|more than 180 degrees in longitude|
antimeridian/issues-124.json|warn|more than 180 degrees in longitude|
antimeridian/latitude-band.json|warn|more than 180 degrees in longitude|
antimeridian/line.json|warn|more than 180 degrees in longitude|
antimeridian/multi-split.json|warn|more than 180 degrees in longitude|
antimeridian/north-pole.json|warn|more than 180 degrees in longitude|
antimeridian/over-180.json|error|outside longitude [-180, 180]|
antimeridian/point-on-antimeridian.json|warn|more than 180 degrees in longitude|
antimeridian/south-pole.json|warn|more than 180 degrees in longitude|
geojsonhint/bad-duplicate-properties.geojson|error|duplicate object key|
geojsonhint/bad-featurelist.geojson|error|expected an array of positions|
geojsonhint/bad-json.geojson|error|expected near|
geojsonhint/bad-object-type.geojson|error|"type" must be a string|
geojsonhint/bad-polygon-interiorring-rhr.geojson|warn|winding corrected|
geojsonhint/bad-polygonloop.geojson|error|linear ring needs at least 4 positions|
geojsonhint/bad-properties-as-array.geojson|error|"properties" must be an object or null|
geojsonhint/badcoord.geojson|error|must be a number|
geojsonhint/badcoordtype.geojson|error|linear ring needs at least 4 positions|
geojsonhint/badfeature.geojson|error|a feature must be an object|
geojsonhint/badfeatureid.geojson|error|"id" must be a string or a number|
geojsonhint/bbox-4or6elements.geojson|error|bbox must have 4 or 6 numbers|
geojsonhint/bbox-contains-string.geojson|error|bbox element must be a number|
geojsonhint/bbox-string.geojson|error|bbox must be an array|
geojsonhint/different-first-last.geojson|error|not closed|
geojsonhint/different-first-size.geojson|error|mix 2 and 3 dimensions|
geojsonhint/excessive_precision_truncated.geojson|ok||
geojsonhint/expected_object.geojson|error|"properties" must be an object or null|
geojsonhint/false.geojson|error|a geometry must be an object|
geojsonhint/feature_changed_semantics.geojson|error|must not have a "coordinates" member|
geojsonhint/featurecollection-obj.geojson|error|"features" must be an array|
geojsonhint/featurecollection-type-case.geojson|error|case-sensitive|
geojsonhint/featurecollection.geojson|error|no "features" member|
geojsonhint/featurecollection_changed_semantics.geojson|error|must not have a "coordinates" member|
geojsonhint/geometry_changed_semantics.geojson|error|must not have a "geometry" member|
geojsonhint/geometrycollection_nested.geojson|error|nested GeometryCollection|
geojsonhint/geometrycollection_single.geojson|warn|single member|RFC 7946 3.1.8: a single-member collection SHOULD be avoided, it is not invalid; accepted with a warning
geojsonhint/good-issue82-coords-out-of-range.geojson|error|outside longitude [-180, 180]|
geojsonhint/multiple_problems.geojson|error|"id" must be a string or a number|
geojsonhint/multipoint-multidimension.geojson|error|must be a number|
geojsonhint/multipoint-nondimension.geojson|error|expected a position|
geojsonhint/nofeaturetype.geojson|error|expected "type": "Feature"|
geojsonhint/notype.geojson|error|no "type" member|
geojsonhint/point-labeled-as-a-multipolygon.geojson|error|expected an array of linear rings|
geojsonhint/point-string.geojson|error|must be a number|
geojsonhint/point-toofew.geojson|error|at least 2 numbers|
geojsonhint/point-toomany.geojson|warn|4 numbers|RFC 7946 3.1.1: parsers MAY ignore position elements beyond the third; accepted with a warning, the extras kept and written back (as bad-geojson/position-4d)
geojsonhint/point.geojson|error|no "coordinates" member|
geojsonhint/polygon_winding_order.geojson|warn|winding corrected|
geojsonhint/rootstring.geojson|error|expected near 'null'|
geojsonhint/short-line.geojson|error|a line needs at least 2 positions|
geojsonhint/short-linearring.geojson|error|linear ring needs at least 4 positions|
geojsonhint/short-multilinestring.geojson|error|a line needs at least 2 positions|
geojsonhint/stringcoord.geojson|error|must be a number|
geojsonhint/unknowntype.geojson|error|unknown GeoJSON type "FooBar"|
check-geojson/badfeature-no-properties.geojson|error|needs a "properties" member|
check-geojson/multipoint-nocoordinates.geojson|error|no "coordinates" member|
TABLE
)

failures=0
checked=0
while IFS='|' read -r file expect text reason; do
  [[ -n $file ]] || continue
  path="$dir/$file"
  if [[ ! -f $path ]]; then echo "FAIL: missing $path"; failures=$((failures + 1)); continue; fi
  set +e
  out=$(cd "$dir" && timeout 60 "$SATMARK" validate "$file" 2>&1)
  rc=$?
  set -e
  checked=$((checked + 1))
  case $expect in
    ok)
      if [[ $rc -ne 0 ]] || grep -v 'generated ids' <<<"$out" | grep >/dev/null '^warning'; then
        echo "FAIL: $file: expected ok without warnings, rc=$rc"; echo "$out"; failures=$((failures + 1))
      fi ;;
    warn)
      if [[ $rc -ne 0 ]] || ! grep '^warning' <<<"$out" | grep -F >/dev/null -- "$text"; then
        echo "FAIL: $file: expected exit 0 with warning \"$text\", rc=$rc"; echo "$out"; failures=$((failures + 1))
      fi ;;
    error)
      if [[ $rc -ne 1 ]] || ! grep -Eq "^${file//./\\.}:[0-9]+:[0-9]+: " <<<"$out" || ! grep -qF -- "$text" <<<"$out"; then
        echo "FAIL: $file: expected exit 1 with FILE:LINE:COLUMN and \"$text\", rc=$rc"; echo "$out"; failures=$((failures + 1))
      fi ;;
    *) echo "FAIL: bad table entry for $file"; failures=$((failures + 1)) ;;
  esac
  [[ -z $reason ]] || echo "note: $file: $reason"
done <<<"$table"

# Every file of the copied folders is in the table.
for f in "$dir"/controls-valid/* "$dir"/geojsonhint/* "$dir"/check-geojson/* "$dir"/antimeridian/*; do
  rel=${f#"$dir/"}
  grep -q "^$rel|" <<<"$table" || { echo "FAIL: no expectation for $rel"; failures=$((failures + 1)); }
done

# An accepted file written back by satmark is valid, RFC 7946 shaped and stable.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in controls-valid/geojsonhint-multipolygon.geojson antimeridian/cw-only.json geojsonhint/bad-polygon-interiorring-rhr.geojson; do
  cp "$dir/$f" "$tmp/in.geojson"
  # An edit that changes nothing is not saved, so add and delete a feature.
  timeout 60 "$SATMARK" mark "$tmp/in.geojson" add --class other --point 0,0 --id probe >/dev/null 2>&1
  timeout 60 "$SATMARK" mark "$tmp/in.geojson" delete probe 2>/dev/null
  first=$(cat "$tmp/in.geojson")
  if timeout 60 "$SATMARK" validate "$tmp/in.geojson" 2>&1 | grep >/dev/null '^warning.*winding'; then
    echo "FAIL: $f: written file still has wrongly wound rings"; failures=$((failures + 1))
  fi
  timeout 60 "$SATMARK" mark "$tmp/in.geojson" add --class other --point 0,0 --id probe >/dev/null 2>&1
  timeout 60 "$SATMARK" mark "$tmp/in.geojson" delete probe 2>/dev/null
  [[ "$(cat "$tmp/in.geojson")" == "$first" ]] || { echo "FAIL: $f: second write differs"; failures=$((failures + 1)); }
done

if [[ $failures -ne 0 ]]; then
  echo "validate_external_geojson: $failures failure(s)"
  exit 1
fi
echo "validate_external_geojson: $checked files as expected"
