#!/usr/bin/env bash
# render_cli — `satmark render` usage errors exit 2, bad inputs exit 1 with a
# message naming the file, nothing is left behind on failure, hostile rasters
# neither crash nor hang nor allocate their declared size; `--bands` and a
# single-band tile work; Unicode labels do not break anything.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_TEST_DATA:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
tmp=$(mktemp -d /tmp/satmark-e2e-render-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "render_cli: FAIL: $*" >&2; exit 1; }

expect() { # expect CODE DESCRIPTION -- COMMAND...
  local want=$1 what=$2; shift 3
  set +e
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  [[ $rc -eq $want ]] || { cat "$tmp/err" >&2; fail "$what: exit $rc, want $want"; }
}

convert -size 128x96 gradient:'#304050'-'#c0b090' -depth 8 "$tmp/src.png"
gdal_translate -q -of GTiff -a_srs EPSG:32652 -a_ullr 581500 4679000 582012 4678616 "$tmp/src.png" "$tmp/tile.tif"
marks="$SATMARK_TEST_DATA/render/marks.geojson"

expect 2 "no arguments" -- "$SATMARK" render
expect 2 "no -o" -- "$SATMARK" render "$tmp/tile.tif"
expect 2 "unknown option" -- "$SATMARK" render "$tmp/tile.tif" -o "$tmp/x.png" --frobnicate
expect 2 "bbox and feature" -- "$SATMARK" render "$tmp/tile.tif" "$marks" -o "$tmp/x.png" --bbox 1,2,3,4 --feature a
expect 2 "bad size" -- "$SATMARK" render "$tmp/tile.tif" -o "$tmp/x.png" --size 12
expect 2 "feature without annotations" -- "$SATMARK" render "$tmp/tile.tif" -o "$tmp/x.png" --feature pier-1
expect 2 "pad without feature" -- "$SATMARK" render "$tmp/tile.tif" -o "$tmp/x.png" --pad 10m
expect 0 "help" -- "$SATMARK" render --help
grep -q -- '--feature' "$tmp/out" || fail "help text lacks --feature"

expect 1 "missing tile" -- "$SATMARK" render "$tmp/nope.tif" -o "$tmp/x.png"
grep -q "nope.tif" "$tmp/err" || fail "missing-tile message does not name the file"
expect 1 "not .png" -- "$SATMARK" render "$tmp/tile.tif" -o "$tmp/x.jpg"
expect 1 "unknown feature" -- "$SATMARK" render "$tmp/tile.tif" "$marks" -o "$tmp/x.png" --feature nope
grep -q '"nope"' "$tmp/err" || fail "unknown-feature message does not name the id"
echo '{"type": "FeatureCollection", "features": [' > "$tmp/broken.geojson"
expect 1 "broken GeoJSON" -- "$SATMARK" render "$tmp/tile.tif" "$tmp/broken.geojson" -o "$tmp/x.png"
grep -q "broken.geojson" "$tmp/err" || fail "broken-GeoJSON message does not name the file"
for bad in derived_zero_bytes.tif derived_header_only_8bytes.tif; do
  expect 1 "$bad" -- "$SATMARK" render "$SATMARK_TEST_DATA/$bad" -o "$tmp/x.png"
  grep -q "$bad" "$tmp/err" || fail "$bad: message does not name the file"
done
[[ ! -e "$tmp/x.png" ]] || fail "a failed render left $tmp/x.png"
ls "$tmp" | grep >/dev/null '\.tmp' && fail "temporary files left behind"

# hostile but valid: a 100000x100000 declaration must not be allocated; a sparse
# COG renders (transparent -> background) through its overviews
for f in derived_huge_dims_100k_square.tif cogeotiff_sparse.tif; do
  set +e
  # a 4 GB address-space cap catches a width x height allocation; ASan needs
  # a huge shadow mapping, so in the sanitizer build its own allocator takes
  # the same 4 GB cap (and aborts, never returning NULL, when it is passed)
  limit=4000000 asan=${ASAN_OPTIONS:-}
  if [[ "${SATMARK_SANITIZED:-0}" == 1 ]]; then
    limit=unlimited asan="${asan:+$asan:}max_allocation_size_mb=4000:allocator_may_return_null=0"
  fi
  (ulimit -v "$limit"; ASAN_OPTIONS=$asan timeout 60 "$SATMARK" render "$SATMARK_TEST_DATA/$f" -o "$tmp/h.png" --size 300x) 2>"$tmp/err"
  rc=$?
  set -e
  [[ $rc -eq 0 || $rc -eq 1 ]] || { cat "$tmp/err" >&2; fail "$f: exit $rc (crash or hang)"; }
  [[ $rc -eq 0 ]] || grep >/dev/null "$f" "$tmp/err" || fail "$f: failure message does not name the file"
done

# bands and a rotated tile without CRS (warnings, no world-file CRS)
expect 0 "Landsat bands 3,2,1" -- "$SATMARK" render "$SATMARK_TEST_DATA/L7_ETMs.tif" --bands 3,2,1 -o "$tmp/l7.png" --size 300x
expect 0 "single band as grey" -- "$SATMARK" render "$SATMARK_TEST_DATA/L7_ETMs.tif" --bands 4 -o "$tmp/l7g.png" --size 300x
expect 0 "rotated, no CRS" -- "$SATMARK" render "$SATMARK_TEST_DATA/rio_rotated.tif" -o "$tmp/rot.png" --size 300x
grep -qi "north" "$tmp/err" || fail "no warning about the missing north arrow"
expect 1 "explicit unknown claim" -- "$SATMARK" render "$tmp/tile.tif" "$marks" --claims "$SATMARK_TEST_DATA/render/catalog.json" --claim nope -o "$tmp/c.png"
grep -q '"nope"' "$tmp/err" || fail "unknown-claim message does not name it"
expect 0 "everything off" -- "$SATMARK" render "$tmp/tile.tif" "$marks" -o "$tmp/bare.png" --no-legend --no-scalebar --no-north --no-caption --no-credit --no-title --no-labels --size 128x96
expect 0 "letterbox with inset" -- "$SATMARK" render "$tmp/tile.tif" "$marks" -o "$tmp/lb.png" --fit letterbox --inset --size 400x400 --title "Дунай / 라선"
echo "render_cli: ok"
