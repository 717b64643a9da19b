#!/usr/bin/env bash
# viewer_marks_skip — the viewer blends its marks layer only where a cell has
# something in the row at hand (compose.c, the cells' row masks of
# marks.c). That skipping must not change the picture: screenshots of a
# dense mark file (tilegen's marks: outlines, labels, fills), at the first
# view, zoomed in and zoomed out, equal those made with
# SATMARK_VIEW_BLEND_ALL=1 (every row of every cell blended).
set -euo pipefail
: "${SATMARK_BUILD:?}" "${SATMARK_SRC:?}"
viewer="$SATMARK_BUILD/satmark-view"
tilegen="$SATMARK_BUILD/satmark-tilegen"
[[ -x $viewer ]] || { echo "SKIP: satmark-view was not built (SATMARK_VIEWER=OFF)"; exit 77; }
[[ -x $tilegen ]] || { echo "SKIP: satmark-tilegen not built"; exit 77; }
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SATMARK_ASSETS="$SATMARK_SRC/assets"
tmp=$(mktemp -d /tmp/satmark-e2e-marks-skip-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "viewer_marks_skip: FAIL: $*" >&2; exit 1; }

"$tilegen" --quiet --bench-size 2048 --marks 400 -o "$tmp/tile.tif" --marks-out "$tmp/marks.geojson"
for mode in skip all; do
  cat > "$tmp/$mode.txt" <<SCRIPT
wait-idle
screenshot $tmp/$mode-1.png
wheel 500 300 2
wait-idle
screenshot $tmp/$mode-2.png
wheel 200 150 -4
wait-idle
screenshot $tmp/$mode-3.png
quit
SCRIPT
  env $([[ $mode == all ]] && echo SATMARK_VIEW_BLEND_ALL=1) timeout 120 "$viewer" "$tmp/tile.tif" "$tmp/marks.geojson" \
    --size 900x600 --script "$tmp/$mode.txt" 2> "$tmp/$mode.err" || { cat "$tmp/$mode.err"; fail "viewer ($mode)"; }
done
for n in 1 2 3; do
  "$SATMARK_BUILD/tests/png_same" "$tmp/all-$n.png" "$tmp/skip-$n.png" || fail "screenshot $n: skipping empty rows changed the picture"
done
# the marks are there: the first view differs from the tile without marks
echo '{"type":"FeatureCollection","features":[]}' > "$tmp/none.geojson"
sed "s/all-/none-/" "$tmp/all.txt" > "$tmp/none.txt"
timeout 120 "$viewer" "$tmp/tile.tif" "$tmp/none.geojson" --size 900x600 --script "$tmp/none.txt" \
  2> "$tmp/none.err" || { cat "$tmp/none.err"; fail "viewer (no marks)"; }
if "$SATMARK_BUILD/tests/png_same" "$tmp/none-1.png" "$tmp/skip-1.png" 2>/dev/null; then
  fail "the screenshots show no marks"
fi
echo "viewer_marks_skip: ok"
