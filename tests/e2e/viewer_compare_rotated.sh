#!/usr/bin/env bash
# Compare mode with a rotated image B: B is the bundled Dunai tile warped
# (gdalwarp) onto a grid rotated by 25 degrees at 1 m pixels (geotransform
# with rotation terms, written through a VRT), so the same ground sits at
# other pixels. The viewer must draw B in A's frame: flickering (C) between
# A and B must keep the ground in place (the frames match in the middle of
# the view, where a B drawn in its own pixel frame would be turned by 25
# degrees), the marks must be drawn over both (swipe halves and flicker),
# and B's own footprint must show turned (background in the corners).
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

# Rotated grid centred on the tile's centre (EPSG:32653).
read -r ox oy px < <(gdalinfo "$tile" | awk -F'[(),]' '/^Origin/ { o1 = $2; o2 = $3 } /^Pixel Size/ { p = $2 } END { print o1, o2, p }')
read -r size < <(gdalinfo "$tile" | awk '/^Size is/ { gsub(",", "", $3); print $3 }')
gdal_create -q -of GTiff -outsize 2048 2048 -bands 3 -ot Byte -a_srs EPSG:32653 \
  -a_ullr 0 2048 2048 0 "$work/base.tif"
gdal_translate -q -of VRT "$work/base.tif" "$work/rot.vrt"
python3 - "$work/rot.vrt" "$ox" "$oy" "$px" "$size" <<'PY'
import math, re, sys
path, ox, oy, px, size = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
xc, yc = ox + size / 2 * px, oy - size / 2 * px
t, p = math.radians(25), 1.0
c, s = math.cos(t), math.sin(t)
gt = [xc - 1024 * p * (c + s), p * c, p * s, yc - 1024 * p * (s - c), p * s, -p * c]
v = open(path).read()
v = re.sub(r"<GeoTransform>[^<]*</GeoTransform>",
           "<GeoTransform>" + ", ".join("%.10f" % g for g in gt) + "</GeoTransform>", v)
open(path, "w").write(v)
PY
# B is the same acquisition, warped: its date says so. The warped file has
# another SHA-256, so marks whose observations record the original's hash
# would be B's marks of another image (ghosted); this test is about the
# geometry of B in A's frame, so the observations keep only name and date.
gdal_translate -q -mo ACQUISITION_DATE=2023-11-05 "$work/rot.vrt" "$work/rot.tif"
python3 - "$work/marks.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["features"]:
    for o in f["properties"].get("observations", []):
        o["sha256"] = ""
json.dump(d, open(sys.argv[1], "w"))
PY
gdalwarp -q -r bilinear "$tile" "$work/rot.tif"
gdalinfo "$work/rot.tif" | grep -A1 "^GeoTransform" | grep -q "0.906307" || fail "rotated test tile has no rotation"

cat > "$work/cmp.txt" <<SCRIPT
wait-idle
screenshot $work/swipe.png
key c
wait-idle
screenshot $work/flick_b.png
key c
wait-idle
screenshot $work/flick_a.png
key 4 shift
key c
wait-idle
screenshot $work/flick_b_nopits.png
quit
SCRIPT
timeout 120 "$viewer" "$tile" "$work/marks.geojson" --compare "$work/rot.tif" --size 640x400 \
  --script "$work/cmp.txt" 2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "viewer failed"; }

# The ground stays put when flickering: the middle of the two frames
# (imagery and marks) differs little.
crop=240x160+200+100
convert "$work/flick_a.png" -crop $crop +repage "$work/mid_a.png"
convert "$work/flick_b.png" -crop $crop +repage "$work/mid_b.png"
diff=$(compare -metric AE -fuzz 20% "$work/mid_a.png" "$work/mid_b.png" null: 2>&1 || true)
diff=${diff%% *}
echo "pixels differing between A and B in the middle: $diff of $((240 * 160))"
[[ "$diff" =~ ^[0-9]+$ ]] || fail "compare failed: $diff"
(( diff < 240 * 160 / 10 )) || fail "B is not drawn in A's frame ($diff pixels differ)"

# Pits (#ff2d78) over B in flicker, over both halves in swipe; gone when hidden.
pink() { convert "$1" -crop "$2" -fuzz 12% -fill white -opaque '#ff2d78' -fill black +opaque white \
           -format '%[fx:mean*w*h]' info:; }
# The pit field lies around x 240..440, y 80..220 of the fitted view.
on_b=$(pink "$work/flick_b.png" 200x140+240+80)
off_b=$(pink "$work/flick_b_nopits.png" 200x140+240+80)
left=$(pink "$work/swipe.png" 76x140+240+80)
right=$(pink "$work/swipe.png" 118x140+322+80)
echo "pit pixels: B $on_b (hidden: $off_b), swipe left $left, right $right"
python3 -c "import sys; b, off, l, r = map(float, sys.argv[1:]); sys.exit(0 if b > 500 and off < b / 10 and l > 100 and r > 100 else 1)" \
  "$on_b" "$off_b" "$left" "$right" || fail "marks not drawn on both images"

# B's footprint is turned: near the top-left corner of A's square (fitted:
# x 133..507, y 0..374) A shows imagery and B, turned by 25 degrees about
# the same centre, does not reach: background (rgb 38,40,44).
at() { convert "$1" -crop 1x1+137+4 -format '%[pixel:p{0,0}]' info:; }
[[ "$(at "$work/flick_a.png")" != "srgb(38,40,44)" ]] || fail "A has no imagery at its corner"
[[ "$(at "$work/flick_b.png")" == "srgb(38,40,44)" ]] ||
  fail "B's footprint is not turned: $(at "$work/flick_b.png") at A's corner"
echo "viewer_compare_rotated: OK"
