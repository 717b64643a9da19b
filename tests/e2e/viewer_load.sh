#!/usr/bin/env bash
# The annotation file is read on a thread after the first frame: nothing may
# be lost because of it. (1) A script whose first command saves (Ctrl+S)
# must wait for the marks, so the saved file still holds every feature (a
# save of the empty stand-in set would have emptied it). (2) An unreadable
# annotation file still fails with status 1, names the file, and is left
# untouched. (3) --screenshot alone waits for the marks: the marks' colour
# is in the frame.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }

tile="$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif"
[[ -f "$tile" ]] || fail "$tile missing"
cp "$SATMARK_SRC/annotations/dunai.geojson" "$work/marks.geojson"
count() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$1"; }
before=$(count "$work/marks.geojson")
(( before > 100 )) || fail "expected the Dunai file to hold many marks, got $before"

# (1) save first thing
printf 'key s ctrl\nquit\n' > "$work/save.txt"
timeout 120 "$viewer" "$tile" "$work/marks.geojson" --size 640x400 --script "$work/save.txt" \
  2> "$work/save.err" || { cat "$work/save.err"; fail "viewer failed on the save script"; }
after=$(count "$work/marks.geojson")
[[ "$after" == "$before" ]] || fail "save before the marks were read lost features: $before -> $after"

# (2) unreadable file: status 1, named, untouched
printf '{"type": "FeatureCollection", "features": [ {"type": "Feat' > "$work/broken.geojson"
cp "$work/broken.geojson" "$work/broken.orig"
set +e
timeout 120 "$viewer" "$tile" "$work/broken.geojson" --size 640x400 --script "$work/save.txt" \
  2> "$work/broken.err"
rc=$?
set -e
[[ $rc == 1 ]] || { cat "$work/broken.err"; fail "broken annotations: exit $rc, expected 1"; }
grep -q "broken.geojson" "$work/broken.err" || { cat "$work/broken.err"; fail "error does not name the file"; }
cmp -s "$work/broken.geojson" "$work/broken.orig" || fail "the broken file was modified"
[[ ! -e "$work/broken.geojson.journal" ]] || fail "a journal was written for the broken file"

# (3) --screenshot waits for the marks (pits are #ff2d78)
timeout 120 "$viewer" "$tile" "$work/marks.geojson" --size 640x400 --screenshot "$work/shot.png" \
  2> "$work/shot.err" || { cat "$work/shot.err"; fail "screenshot run failed"; }
pink=$(convert "$work/shot.png" -fuzz 12% -fill white -opaque '#ff2d78' -fill black +opaque white \
  -format '%[fx:mean*w*h]' info:)
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 500 else 1)" "$pink" ||
  fail "marks missing from the --screenshot frame ($pink pit-coloured pixels)"
echo "viewer_load: OK ($before marks kept; broken file refused; screenshot has $pink pit pixels)"
