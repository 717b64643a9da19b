#!/usr/bin/env bash
# `satmark mark` add/edit/delete flows: the file is created, every save keeps
# the previous version as FILE~, ids are readable, edits change only what was
# asked, pixel positions on a georeferenced tile become lon/lat with an
# observation (name, SHA-256), bad input exits 1 (or 2 for usage) and leaves
# the file untouched, and `satmark validate` checks claim links against a
# catalog.
set -euo pipefail
: "${SATMARK:?path of the satmark binary}" "${SATMARK_TEST_DATA:?tests/data}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f="$tmp/site.geojson"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
sm() { timeout 60 "$SATMARK" "$@"; }
# expect_rc RC COMMAND...: runs satmark, checks its exit status, keeps stderr in $err.
expect_rc() {
  local want=$1; shift
  set +e
  out=$(sm "$@" 2>"$tmp/err"); local rc=$?
  set -e
  err=$(cat "$tmp/err")
  [[ $rc -eq $want ]] || fail "satmark $* -> exit $rc, expected $want: $err"
}
prop() { # prop ID JQ-LIKE-FIELD: crude field extraction through python-free grep
  grep -A40 "\"id\": \"$1\"" "$f" | grep -m1 "\"$2\":" | sed 's/^ *"[a-z_]*": //; s/,$//'
}

# --- add creates the file and prints the id -----------------------------------------
expect_rc 0 mark "$f" add --class pier --label "Pier 1" --line 130.3011,42.2431 130.3042,42.2447 \
  --claim fixture-ships-at-least-2:context --site rason-najin --title "Rason/Najin port" --author tester
[[ $out == pier-1 ]] || fail "first id is '$out', expected pier-1"
[[ -f $f && ! -e "$f~" ]] || fail "file not created, or a backup exists after the first save"
sm validate "$f" >/dev/null || fail "new file does not validate"
grep -q '"site": "rason-najin"' "$f" || fail "site not written"
[[ $(prop pier-1 author) == '"tester"' ]] || fail "author not recorded"

expect_rc 0 mark "$f" add --class aoi --id port-area --polygon 130.30,42.24 130.31,42.24 130.31,42.25 130.30,42.25
[[ $out == port-area ]] || fail "explicit id not used: $out"
grep -q '\[\[\[130.3, 42.24\], \[130.31, 42.24\], \[130.31, 42.25\], \[130.3, 42.25\], \[130.3, 42.24\]\]\]' "$f" ||
  fail "polygon not closed counter-clockwise"
expect_rc 0 mark "$f" add --class ship --point 130.305,42.245 --label "Maia?" --note "hull only"
[[ $out == ship-1 ]] || fail "ship id $out"
# Clockwise input is stored counter-clockwise.
expect_rc 0 mark "$f" add --class building --polygon 130.30,42.24 130.30,42.241 130.301,42.241 130.301,42.24
grep -q '\[\[\[130.3, 42.24\], \[130.301, 42.24\], \[130.301, 42.241\], \[130.3, 42.241\], \[130.3, 42.24\]\]\]' "$f" ||
  fail "clockwise polygon not rewound"

# --- edit: several fields in one run; FILE~ is the previous version ---------------------
cp "$f" "$tmp/before-edit"
expect_rc 0 mark "$f" edit ship-1 --label "Maia" --class ship --add-claim fixture-ship-name:supports \
  --move 0.001,-0.001 --note "bow visible"
cmp -s "$tmp/before-edit" "$f~" || fail "FILE~ is not the version before the edit"
[[ $(prop ship-1 label) == '"Maia"' ]] || fail "label not edited"
[[ $(prop ship-1 note) == '"bow visible"' ]] || fail "note not edited"
grep -q '"coordinates": \[130.306, 42.244\]' "$f" || fail "move not applied"
grep -q '{"claim": "fixture-ship-name", "stance": "supports"}' "$f" || fail "claim not added"
expect_rc 0 mark "$f" edit ship-1 --remove-claim fixture-ship-name
grep -q 'fixture-ship-name' "$f" && fail "claim not removed"
expect_rc 0 mark "$f" edit pier-1 --point 130.3,42.2
grep -A3 '"id": "pier-1"' "$f" | grep >/dev/null '"type": "Point", "coordinates": \[130.3, 42.2\]' || fail "geometry not replaced"

# --- delete ---------------------------------------------------------------------------
expect_rc 0 mark "$f" delete building-1
grep -q '"id": "building-1"' "$f" && fail "building-1 still there"
# The next building gets a fresh number: ids are never reused within the
# file's history (issue 11), so a link to the deleted building-1 cannot come to
# name a different object.
expect_rc 0 mark "$f" add --class building --point 130.3,42.2
[[ $out == building-2 ]] || fail "after delete of the only building the id is $out"

# --- pixel positions on a tile (rio_world.byte.tif: EPSG:4326, origin -180,75, 0.125 deg) ---
tile="$SATMARK_TEST_DATA/rio_world.byte.tif"
expect_rc 0 mark "$f" add --class ship --pixel "$tile" 1440,600
id=$out
grep -A3 "\"id\": \"$id\"" "$f" | grep >/dev/null '"coordinates": \[0, 0\]' || fail "pixel 1440,600 is not 0,0"
sha=$(sha256sum "$tile" | cut -d' ' -f1)
grep -A12 "\"id\": \"$id\"" "$f" | grep >/dev/null "{\"image\": \"rio_world.byte.tif\", \"sha256\": \"$sha\"" ||
  fail "observation of the tile not recorded"
expect_rc 0 mark "$f" add --class rail --pixel "$tile" 0,0 8,8
grep -q '"coordinates": \[\[-180, 75\], \[-179, 74\]\]' "$f" || fail "2 pixels did not make a line at -180,75 -179,74"
expect_rc 0 mark "$f" add --class aoi --pixel "$tile" 0,0 8,0 8,8 0,8
expect_rc 0 mark "$f" add --class rail --pixel "$tile" 0,0 8,0 8,8 --as line
grep -q '"coordinates": \[\[-180, 75\], \[-179, 75\], \[-179, 74\]\]' "$f" || fail "--as line not honoured"
expect_rc 0 mark "$f" edit ship-1 --image "$tile"
grep -A12 '"id": "ship-1"' "$f" | grep >/dev/null '"image": "rio_world.byte.tif"' || fail "--image not recorded on edit"
expect_rc 1 mark "$f" add --class ship --pixel "$tile" 99999,5
[[ $err == *"outside the image"* ]] || fail "pixel outside the image: $err"
expect_rc 1 mark "$f" add --class ship --pixel "$SATMARK_TEST_DATA/rio_rotated.tif" 1,1
[[ $err == *"coordinate reference system"* || $err == *"rio_rotated.tif"* ]] || fail "tile without CRS: $err"

# --- failures leave the file untouched ----------------------------------------------------
cp "$f" "$tmp/good"
cp "$f~" "$tmp/good~"
expect_rc 1 mark "$f" edit no-such-id --label x
[[ $err == *no-such-id* ]] || fail "unknown id not named: $err"
expect_rc 1 mark "$f" add --class tank --point 1,2
[[ $err == *'unknown class "tank"'* ]] || fail "bad class: $err"
expect_rc 1 mark "$f" add --class ship --point 45.52,-122.68
[[ $err == *outside* ]] || fail "out of range point: $err"
expect_rc 1 mark "$f" add --class ship --point 1,2 --id pier-1
[[ $err == *"already used"* ]] || fail "duplicate id: $err"
expect_rc 1 mark "$f" add --class ship --point 1,2 --label $'\xff\xfe'
[[ $err == *UTF-8* ]] || fail "invalid UTF-8 label: $err"
expect_rc 1 mark "$f" edit ship-1 --move 200,0
expect_rc 1 mark "$f" add --class ship --point abc
cmp -s "$tmp/good" "$f" || fail "a failed command changed the file"
cmp -s "$tmp/good~" "$f~" || fail "a failed command changed the backup"

# --- usage errors exit 2 --------------------------------------------------------------------
expect_rc 2 mark "$f"
expect_rc 2 mark "$f" frobnicate
expect_rc 2 mark "$f" add --point 1,2
expect_rc 2 mark "$f" add --class ship
expect_rc 2 mark "$f" edit
expect_rc 2 mark "$f" delete ship-1 --label x
expect_rc 2 mark "$f" add --class ship --point 1,2 --claim bad-claim-no-stance
expect_rc 2 mark "$f" add --class ship --point 1,2 --claim x:maybe
expect_rc 2 mark "$f" add --class ship --point 1,2 --line 1,2 3,4
cmp -s "$tmp/good" "$f" || fail "a usage error changed the file"

# --- a corrupt file is never overwritten ------------------------------------------------------
printf '{"type": "FeatureCollection", "features": [' >"$tmp/broken.geojson"
cp "$tmp/broken.geojson" "$tmp/broken.orig"
expect_rc 1 mark "$tmp/broken.geojson" add --class ship --point 1,2
[[ $err == *"broken.geojson:1:"* ]] || fail "corrupt file error has no position: $err"
cmp -s "$tmp/broken.geojson" "$tmp/broken.orig" || fail "corrupt file was overwritten"
expect_rc 1 mark "$tmp/missing.geojson" edit x --label y
[[ ! -e "$tmp/missing.geojson" ]] || fail "edit created a file"

# --- plain GeoJSON from other tools is edited without losing its properties --------------------
cat >"$tmp/qgis.geojson" <<'JSON'
{"type": "FeatureCollection", "name": "layer", "features": [
 {"type": "Feature", "properties": {"fid": 3, "name": "Quay"}, "geometry": {"type": "Point", "coordinates": [130.3, 42.2]}}]}
JSON
expect_rc 0 mark "$tmp/qgis.geojson" edit f-1 --class pier
grep -q '"fid": 3' "$tmp/qgis.geojson" && grep -q '"name": "Quay"' "$tmp/qgis.geojson" &&
  grep -q '"name": "layer"' "$tmp/qgis.geojson" && grep -q '"label": "Quay"' "$tmp/qgis.geojson" ||
  fail "foreign properties lost on edit"

# --- validate checks claim links against a catalog ---------------------------------------------
cat_file="$SATMARK_TEST_DATA/claims/catalog.json"
expect_rc 0 validate --claims "$cat_file" "$f"
[[ $out == *"ok ("*"claim links checked"* ]] || fail "links not checked: $out"
expect_rc 0 mark "$f" edit ship-1 --add-claim no-such-claim:supports
expect_rc 1 validate --claims "$cat_file" "$f"
[[ $err == *no-such-claim* ]] || fail "dangling claim link not reported: $err"
expect_rc 1 validate "$cat_file" "$f"   # the catalog given among the files is used
expect_rc 0 validate "$f"                # no catalog: links unchecked, said so
[[ $out == *"claim links not checked"* ]] || fail "unchecked links not said: $out"
expect_rc 2 validate
expect_rc 2 validate --bogus "$f"

if [[ $failures -ne 0 ]]; then
  echo "mark_flows: $failures failure(s)"
  exit 1
fi
echo "mark_flows: all checks passed"
