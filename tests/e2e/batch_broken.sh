#!/usr/bin/env bash
# batch_broken — `satmark batch` renders every good figure of a manifest even
# when some are broken (missing tile, unknown feature, corrupt raster), exits
# 1 naming the failures, prints no progress bar when stderr is not a terminal,
# gives the same bytes with -j 1 and -j 2, survives a figure that times out
# (its worker is replaced), and --shard I/N splits the manifest into
# complementary parts.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_BUILD:?}" "${SATMARK_TEST_DATA:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
tmp=$(mktemp -d /tmp/satmark-e2e-batch-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "batch_broken: FAIL: $*" >&2; exit 1; }

convert -size 256x256 -seed 5 plasma:fractal -depth 8 "$tmp/src.png"
mkdir -p "$tmp/m/tiles"
gdal_translate -q -of GTiff -a_srs EPSG:32652 -a_ullr 581500 4679000 582524 4677976 \
  -mo ACQUISITION_DATE=2024-03-17 "$tmp/src.png" "$tmp/m/tiles/t.tif"
cp "$SATMARK_TEST_DATA/render/marks.geojson" "$SATMARK_TEST_DATA/render/catalog.json" "$tmp/m/"
cp "$SATMARK_TEST_DATA/derived_header_only_8bytes.tif" "$tmp/m/tiles/corrupt.tif"
cat > "$tmp/m/figs.manifest" <<'JSON'
{
  "satmark_manifest": 1,
  "defaults": { "tile": "tiles/t.tif", "annotations": ["marks.geojson"], "catalog": "catalog.json", "size": "320x" },
  "figures": [
    { "name": "whole" },
    { "name": "missing-tile", "tile": "tiles/absent.tif" },
    { "name": "ship", "view": { "feature": "ship-1", "pad_m": 80 }, "size": "300x300" },
    { "name": "no-such-feature", "view": { "feature": "nope" } },
    { "name": "box", "view": { "bbox": [129.990, 42.245, 130.000, 42.252] }, "fit": "letterbox", "size": "300x200" },
    { "name": "corrupt", "tile": "tiles/corrupt.tif" }
  ]
}
JSON
cd /  # paths must resolve against the manifest, not the current directory
set +e
timeout 120 "$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/out1" -j 2 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 1 ]] || { cat "$tmp/err" >&2; fail "exit $rc, want 1"; }
for ok in whole ship box; do
  [[ -s "$tmp/out1/$ok.png" && -s "$tmp/out1/$ok.pgw" ]] || fail "$ok.png not written"
done
for bad in missing-tile no-such-feature corrupt; do
  [[ ! -e "$tmp/out1/$bad.png" ]] || fail "$bad.png written although it failed"
  grep -q "$bad" "$tmp/err" || fail "failure of $bad not reported"
done
grep -q "absent.tif" "$tmp/err" || fail "missing tile not named"
grep -q "3 failed" "$tmp/err" || fail "summary lacks the failure count"
grep -q $'\r' "$tmp/err" && fail "progress bar printed although stderr is not a terminal"

timeout 120 "$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/out2" -j 1 2>/dev/null && fail "-j 1 exit 0"
for ok in whole ship box; do
  "$SATMARK_BUILD/tests/png_same" "$tmp/out1/$ok.png" "$tmp/out2/$ok.png" || fail "$ok.png differs between -j 2 and -j 1"
done

# shards 0/2 and 1/2: disjoint, together everything
# (0/2 holds only good figures: exit 0; 1/2 only failing ones: exit 1)
timeout 120 "$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/s0" --shard 0/2 2>/dev/null || fail "shard 0/2: exit $?, want 0"
rc=0; timeout 120 "$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/s1" --shard 1/2 2>/dev/null || rc=$?
[[ $rc -eq 1 ]] || fail "shard 1/2: exit $rc, want 1"
[[ "$(cd "$tmp/s0" && ls *.png | tr '\n' ' ')" == "box.png ship.png whole.png " ]] || fail "shard 0/2: $(ls "$tmp/s0")"
[[ -z "$(ls "$tmp/s1"/*.png 2>/dev/null)" ]] || fail "shard 1/2 should hold only failing figures: $(ls "$tmp/s1")"

# a figure that outlives --timeout takes down only its worker: the figure is
# reported and a new worker renders the ones after it. The stuck figure is
# made to wait forever (SATMARK_TEST_HANG_FIGURE), so the others can have a
# timeout no loaded machine or sanitizer build comes near.
cat > "$tmp/m/slow.manifest" <<'JSON'
{
  "satmark_manifest": 1,
  "defaults": { "tile": "tiles/t.tif", "annotations": ["marks.geojson"], "catalog": "catalog.json", "size": "320x" },
  "figures": [
    { "name": "before" },
    { "name": "stuck" },
    { "name": "after1" },
    { "name": "after2", "view": { "feature": "ship-1", "pad_m": 80 }, "size": "300x300" }
  ]
}
JSON
set +e
SATMARK_TEST_HANG_FIGURE=stuck timeout 600 "$SATMARK" batch "$tmp/m/slow.manifest" -o "$tmp/slow" -j 1 --timeout 30 2>"$tmp/err"
rc=$?
set -e
[[ $rc -eq 1 ]] || { cat "$tmp/err" >&2; fail "timeout run: exit $rc, want 1"; }
grep -q "stuck: error: timed out after 30 s" "$tmp/err" || { cat "$tmp/err" >&2; fail "timeout not reported"; }
for ok in before after1 after2; do
  [[ -s "$tmp/slow/$ok.png" ]] || { cat "$tmp/err" >&2; fail "$ok.png not written after a worker timed out"; }
done
[[ ! -e "$tmp/slow/stuck.png" ]] || fail "stuck.png written although it timed out"

# usage
set +e
"$SATMARK" batch "$tmp/m/figs.manifest" 2>/dev/null; [[ $? -eq 2 ]] || fail "missing -o: not exit 2"
"$SATMARK" batch "$tmp/m/figs.manifest" -o "$tmp/x" --shard 2/2 2>/dev/null; [[ $? -eq 2 ]] || fail "bad shard: not exit 2"
echo '[{"name": "a", "tile": "t.tif", "inest": true}]' > "$tmp/typo.manifest"
"$SATMARK" batch "$tmp/typo.manifest" -o "$tmp/x" 2>"$tmp/err"; [[ $? -eq 1 ]] || fail "typo manifest: not exit 1"
set -e
grep -q 'inest' "$tmp/err" || fail "unknown member not named"
echo "batch_broken: ok"
