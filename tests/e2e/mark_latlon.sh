#!/usr/bin/env bash
# mark_latlon — positions off the imagery are refused (issue 11): latitude and
# longitude typed in the wrong order are caught when the mark would fall off
# the tile named with --image or off the tiles the file's observations name,
# with the swapped LON,LAT suggested; an out-of-range latitude (Rason typed
# LAT,LON) gets the same suggestion; `--image TILE --point` must be on TILE;
# `validate` fails a feature whose geometry misses an observed tile it can
# find, and only warns when it cannot find the tile.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?}"
tmp=$(mktemp -d /tmp/satmark-e2e-latlon-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "mark_latlon: FAIL: $*" >&2; failures=$((failures + 1)); }
# run RC ARGS...: satmark with its exit status checked; stderr in $err, stdout in $out
run() {
  local want=$1; shift
  set +e
  out=$(timeout 60 "$SATMARK" "$@" 2>"$tmp/err"); local rc=$?
  set -e
  err=$(cat "$tmp/err")
  [[ $rc -eq $want ]] || fail "satmark $* -> exit $rc, want $want: $err"
}
need_command convert gdal_translate

# A Chicago tile (EPSG:4326) in an investigation: root/annotations + root/tiles.
mkdir -p "$tmp/root/annotations" "$tmp/root/tiles"
convert -size 64x64 -seed 3 plasma:fractal -depth 8 "$tmp/src.png"
gdal_translate -q -of GTiff -a_srs EPSG:4326 -a_ullr -87.62 41.90 -87.59 41.88 \
  -mo ACQUISITION_DATE=2024-05-01 "$tmp/src.png" "$tmp/root/tiles/chicago.tif"
f="$tmp/root/annotations/chicago.geojson"
cd "$tmp"

# --image: swapped order refused with the suggestion, nothing written
run 1 mark "$f" add --class ship --point 41.8905,-87.6050 --image root/tiles/chicago.tif
grep -q 'did you mean LON,LAT = -87.6050,41.8905' <<<"$err" || fail "no swap suggestion: $err"
[[ ! -e $f ]] || fail "file written although the point was refused"

# the right order is accepted and records the observation
run 0 mark "$f" add --class ship --point -87.6050,41.8905 --image root/tiles/chicago.tif
[[ $out == ship-1 ]] || fail "id $out"
grep -q '"image": "chicago.tif"' "$f" || fail "observation not recorded"

# without --image: the file's own tiles (found under ROOT/tiles) are the check
cp "$f" "$tmp/before.geojson"
run 1 mark "$f" add --class ship --point 41.8905,-87.6050
grep -q 'did you mean LON,LAT = -87.6050,41.8905' <<<"$err" || fail "no suggestion from site tiles: $err"
cmp -s "$f" "$tmp/before.geojson" || fail "file changed by a refused add"
# any vertex of a polygon
run 1 mark "$f" add --class aoi --polygon -87.61,41.885 -87.60,41.885 -87.60,41.95
grep -q -- '-87.60,41.95' <<<"$err" || fail "the vertex off the image is not named: $err"
cmp -s "$f" "$tmp/before.geojson" || fail "file changed by a refused polygon"
# an edit's new geometry is held to the same rule
run 1 mark "$f" edit ship-1 --point 41.8905,-87.6050
grep -q 'did you mean' <<<"$err" || fail "edit: no suggestion: $err"

# so is a move that takes the mark off the imagery
run 1 mark "$f" edit ship-1 --move 0.1,0
grep -q 'is not on' <<<"$err" || fail "move off the imagery not refused: $err"
cmp -s "$f" "$tmp/before.geojson" || fail "file changed by a refused move"
run 0 mark "$f" edit ship-1 --move 0.001,0
cp "$f" "$tmp/before.geojson"

# --image TILE --point: a valid position that is not on TILE is refused
run 1 mark "$f" add --class ship --point -87.50,41.8905 --image root/tiles/chicago.tif
grep -q 'not on root/tiles/chicago.tif' <<<"$err" || fail "point off --image not refused: $err"

# out of range (Rason typed LAT,LON): the message suggests the swap
run 1 mark "$tmp/rason.geojson" add --class ship --point 42.2431,130.3011
grep -q 'did you mean LON,LAT = 130.3011,42.2431' <<<"$err" || fail "out-of-range: no suggestion: $err"

# validate: an observation whose geometry misses its (found) tile fails
cat >"$tmp/root/annotations/off.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": "ship-1", "geometry": {"type": "Point", "coordinates": [-87.5, 41.8905]},
  "properties": {"class": "ship",
   "observations": [{"image": "chicago.tif", "sha256": "", "acquired": "2024-05-01"}]}}]}
JSON
run 1 validate "$tmp/root/annotations/off.geojson"
grep -q 'ship-1.*chicago.tif' <<<"$err" || fail "validate does not name the feature off its tile: $err"
run 0 validate "$f"
# ... and only warns when the tile cannot be found
mkdir -p "$tmp/elsewhere"
cp "$tmp/root/annotations/off.geojson" "$tmp/elsewhere/"
(cd "$tmp/elsewhere" && timeout 60 "$SATMARK" validate off.geojson >/dev/null 2>"$tmp/err") ||
  fail "validate fails although the tile cannot be found: $(cat "$tmp/err")"
grep -q 'observed image not found.*looked for chicago.tif in' "$tmp/err" ||
  fail "no warning naming the tile not found and where it was looked for: $(cat "$tmp/err")"

[[ $failures -eq 0 ]] || exit 1
echo "mark_latlon: ok"
