#!/usr/bin/env bash
# Screenshot of the bundled Dunai tile with its munitions pits, compared with
# a reference frame (tests/data/view/dunai_pits_640x400.jpg) with a tolerance:
# at most 1.5% of the pixels may differ by more than 10%. Also checks that the
# pits are what is drawn (their colour covers the pit field) and that hiding
# the class (Shift+4) removes them, so a blank or imagery-only frame cannot
# pass.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
tile="$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif"
ref="$SATMARK_TEST_DATA/view/dunai_pits_640x400.jpg"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -f "$tile" ]] || fail "$tile missing (make it with satmark-tilegen --all assets/tiles)"
cp "$SATMARK_SRC/annotations/dunai.geojson" "$work/dunai.geojson"

cat > "$work/shot.txt" <<SCRIPT
wait-idle
key j
text dunai-depot
key Return
key Escape
wheel 400 200 2
# let the status message expire so the frame is deterministic
wait 6500
wait-idle
screenshot $work/pits.png
key 4 shift
wait-idle
screenshot $work/hidden.png
quit
SCRIPT
timeout 120 "$viewer" "$tile" "$work/dunai.geojson" --size 640x400 --script "$work/shot.txt" \
  2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "viewer failed"; }

if [[ "${SATMARK_UPDATE_REFERENCE:-}" == 1 ]]; then
  [[ -z "${CI:-}" ]] || fail "SATMARK_UPDATE_REFERENCE=1 under CI: references are never rewritten there"
  convert "$work/pits.png" -quality 92 "$ref"
  echo "reference updated: $ref"
fi
[[ "$(identify -format '%wx%h' "$work/pits.png")" == 640x400 ]] || fail "screenshot size"
diff=$(compare -metric AE -fuzz 10% "$work/pits.png" "$ref" null: 2>&1 || true)
diff=${diff%% *}
limit=$((640 * 400 * 15 / 1000))
echo "pixels differing from the reference: $diff (limit $limit)"
[[ "$diff" =~ ^[0-9]+$ ]] || fail "compare failed: $diff"
(( diff <= limit )) || { cp "$work/pits.png" /tmp/view_screenshot_actual.png; fail "frame differs from the reference in $diff pixels (actual kept in /tmp/view_screenshot_actual.png)"; }

# Pit colour (#ff2d78) in the pit field, gone when the class is hidden.
pink() { convert "$1" -crop 320x220+230+60 -fuzz 12% -fill white -opaque '#ff2d78' \
           -fill black +opaque white -format '%[fx:mean*w*h]' info:; }
with=$(pink "$work/pits.png"); without=$(pink "$work/hidden.png")
echo "pit-coloured pixels: $with shown, $without hidden"
python3 -c "import sys; w,h=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if w > 2000 and h < w / 10 else 1)" \
  "$with" "$without" || fail "pits not drawn as expected ($with shown, $without hidden)"
echo "view_screenshot: OK"
