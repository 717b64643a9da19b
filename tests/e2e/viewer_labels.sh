#!/usr/bin/env bash
# Issue 11, label clutter in the viewer: on the bundled Rason tile with its
# marks, at three zoom levels, labels that repeat for neighbouring marks of
# one class are drawn once for the group ("Container yard blocks (25)"): no
# label text is placed more than twice (a pair keeps its two labels), and
# some labels were grouped. Before, "Container yard block" was drawn 22
# times. (This date's marks only: other dates hidden with D.) The screenshots are kept with KEEP=1 for a look.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
tile="$SATMARK_SRC/assets/tiles/rason-najin_2024-03-17.tif"
work=$(mktemp -d)
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT
[[ -z "${KEEP:-}" ]] || echo "kept: $work"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -f "$tile" ]] || fail "$tile missing (make it with satmark-tilegen --all assets/tiles)"
cp "$SATMARK_SRC/annotations/rason-najin.geojson" "$work/marks.geojson"
# D: marks of other dates hidden (they are ghosted by default, each with its
# date in its label: those of one date group among themselves)
cat > "$work/zoom.txt" <<S
wait-idle
key d
wait-idle
print labels
screenshot $work/zoom1.png
wheel 560 420 3
wait-idle
print labels
screenshot $work/zoom2.png
wheel 560 420 3
wait-idle
print labels
screenshot $work/zoom3.png
quit
S
timeout 120 "$viewer" "$tile" "$work/marks.geojson" --size 1280x800 --script "$work/zoom.txt" \
  > "$work/out.txt" 2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "viewer failed"; }
cat "$work/out.txt"
[[ $(grep -c '^labels:' "$work/out.txt") == 3 ]] || fail "expected three label reports"
while read -r _ _ drawn _ placed _ skipped _ grouped _ repeat; do
  (( placed > 5 )) || fail "only $placed labels placed ($drawn marks drawn)"
  (( grouped > 0 )) || fail "no label grouped at a zoom level with the container yard in view"
  (( repeat <= 2 )) || fail "one label text placed $repeat times"
done < "$work/out.txt"
echo "viewer_labels: OK"
