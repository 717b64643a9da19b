#!/usr/bin/env bash
# The viewer draws no labels when more than 400 marks are in view
# (VIEWER_LABELS_MAX_VISIBLE: thousands are unreadable and slow). Which marks
# are in view is counted through a grid of their box centres (marks.c, issue
# 14), with marks larger than the grid's reach tested one by one: this checks
# the count at the limit, with and without one large mark (an area of
# interest over the whole tile, far larger than the grid's reach), so a grid
# that lost large marks or miscounted would turn labels on or off wrongly.
#   400 points          -> labels placed
#   401 points          -> no labels
# and, after 5,000 points out of view (so the count goes through the grid):
#   400 points          -> labels placed
#   401 points          -> no labels
#   399 points + 1 area -> labels placed (400 in view)
#   400 points + 1 area -> no labels (401 in view)
set -euo pipefail
viewer="$SATMARK_BUILD/satmark-view"
tilegen="$SATMARK_BUILD/satmark-tilegen"
tile="$SATMARK_SRC/assets/tiles/rason-najin_2024-03-17.tif"
[[ -x $viewer ]] || { echo "SKIP: satmark-view was not built"; exit 77; }
[[ -x $tilegen ]] || { echo "SKIP: satmark-tilegen was not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SATMARK_NO_CUSTODY=1
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -f "$tile" ]] || fail "$tile missing (make it with satmark-tilegen --all assets/tiles)"

points() { # N OUT: N labelled points observed on the tile, inside it
  "$tilegen" --big points --count "$1" --bbox 130.292,42.240,130.308,42.250 \
    --image rason-najin_2024-03-17.tif --date 2024-03-17 -o "$2"
}
# 5,000 points 10 km north of the tile, first in each file: out of view, they
# make the viewer's count go through its grid (the first 4,096 marks in file
# order, all out of view, do not settle it).
"$tilegen" --big points --count 5000 --bbox 130.292,42.340,130.308,42.350 \
  --image rason-najin_2024-03-17.tif --date 2024-03-17 -o "$work/far.geojson"
with_area() { # IN OUT [area]: the far points, IN, and (area) an area of interest over the tile
  python3 - "$work/far.geojson" "$1" "$2" "${3:-}" <<'P'
import json, sys
far = json.load(open(sys.argv[1]))["features"]
for f in far:
    f["properties"]["id"] = "far-" + f["properties"]["id"]
fc = json.load(open(sys.argv[2]))
fc["features"] = far + fc["features"]
if sys.argv[4]:
    ring = [[130.2880, 42.2360], [130.3120, 42.2360], [130.3120, 42.2540], [130.2880, 42.2540],
            [130.2880, 42.2360]]
    fc["features"].append({"type": "Feature", "properties": {
        "id": "aoi-1", "class": "area_of_interest", "label": "whole port",
        "observations": [{"image": "rason-najin_2024-03-17.tif", "acquired": "2024-03-17"}]},
        "geometry": {"type": "Polygon", "coordinates": [ring]}})
json.dump(fc, open(sys.argv[3], "w"))
P
}
placed() { # MARKS -> labels placed at the whole-image view
  printf 'wait-idle\nprint labels\nquit\n' > "$work/s.txt"
  timeout 120 "$viewer" "$tile" "$1" --size 1280x800 --script "$work/s.txt" \
    > "$work/out.txt" 2> "$work/err.txt" || { cat "$work/err.txt" >&2; fail "viewer failed on $1"; }
  local line
  line=$(grep '^labels:' "$work/out.txt") || fail "no labels line for $1"
  echo "$1: $line" >&2
  awk '{ for (i = 1; i < NF; i++) if ($i == "placed") print $(i + 1) }' <<< "$line"
}

points 400 "$work/p400.geojson"
points 401 "$work/p401.geojson"
points 399 "$work/p399.geojson"
with_area "$work/p400.geojson" "$work/f400.geojson"
with_area "$work/p401.geojson" "$work/f401.geojson"
with_area "$work/p399.geojson" "$work/f399a.geojson" area
with_area "$work/p400.geojson" "$work/f400a.geojson" area

n=$(placed "$work/p400.geojson"); (( n > 0 )) || fail "400 marks in view: no labels placed"
n=$(placed "$work/p401.geojson"); (( n == 0 )) || fail "401 marks in view: $n labels placed"
n=$(placed "$work/f400.geojson"); (( n > 0 )) || fail "400 marks in view (5,000 out): no labels placed"
n=$(placed "$work/f401.geojson"); (( n == 0 )) || fail "401 marks in view (5,000 out): $n labels placed"
n=$(placed "$work/f399a.geojson"); (( n > 0 )) || fail "399 points and an area: no labels placed"
n=$(placed "$work/f400a.geojson"); (( n == 0 )) || fail "400 points and an area: $n labels placed"
echo "viewer_labels_limit: OK"
