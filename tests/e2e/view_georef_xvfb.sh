#!/usr/bin/env bash
# The georeferencing mode (--georef-picture) under a real X server (Xvfb)
# with real X input (xdotool): three clicks on the picture, each followed by
# a click on the same place of the reference's half of the window, a wheel
# turn over the picture, V (over) and back, Ctrl+S, then Ctrl+Q. The saved
# VRT must carry three GCPs whose lon/lat is the original's at their picture
# pixel (the picture is the original raster stripped of its
# georeferencing), within one pixel.
# Before: "unknown option '--georef-picture'".
set -euo pipefail
viewer="${SATMARK_BUILD:?}/satmark-view"
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run not installed (scripts/install-deps.sh)"; exit 77; }
command -v xdotool >/dev/null || { echo "SKIP: xdotool not installed (scripts/install-deps.sh)"; exit 77; }
command -v gdaltransform >/dev/null || { echo "SKIP: gdaltransform (gdal-bin) missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
src="$DATA/L7_ETMs.tif"
GDAL_PAM_ENABLED=NO gdal_translate -q -of PNG -b 3 -b 2 -b 1 "$src" "$work/picture.png"
rm -f "$work/picture.png.aux.xml"

cat >"$work/drive.sh" <<'DRIVE'
set -euo pipefail
viewer=$1 src=$2 work=$3 pace=$4
unset SDL_VIDEODRIVER
export SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0
source "$SATMARK_SRC/tests/e2e/lib/xdrive.sh"
xdrive_start "$work/viewer.log" "$viewer" "$src" --georef-picture "$work/picture.png" --georef-out "$work/out.vrt" \
  --size 1000x700
step mousemove --window "$wid" 300 300
# 1000x700: the picture fitted into x 0..500, the reference into 500..1000
for xy in "180 240" "400 500" "120 450"; do
  set -- $xy
  step mousemove --window "$wid" "$1" "$2" click 1
  step mousemove --window "$wid" $(($1 + 500)) "$2" click 1
done
step mousemove --window "$wid" 250 300 click 4 # wheel up over the picture
step key v
step key v
step key ctrl+s
sleep "$pace"
step key ctrl+q
xdrive_wait_exit
DRIVE
pace=1
[[ ${SATMARK_SANITIZED:-0} == 1 ]] && pace=3
timeout 240 xvfb-run -a -s "-screen 0 1280x1024x24" bash "$work/drive.sh" "$viewer" "$src" "$work" "$pace" ||
  { cat "$work/viewer.log" 2>/dev/null; fail "driving the viewer under Xvfb failed"; }
[[ -s "$work/out.vrt" ]] || { cat "$work/viewer.log"; fail "Ctrl+S wrote nothing"; }
gcps=$(gdalinfo "$work/out.vrt" | sed -n 's/^ *SATMARK_GEOREF_GCPS=//p')
IFS=';' read -r -a pairs <<<"$gcps"
[[ ${#pairs[@]} -eq 3 ]] || { cat "$work/viewer.log"; fail "want 3 GCPs from the clicks, got '${gcps}'"; }
for p in "${pairs[@]}"; do
  IFS=, read -r px py lon lat <<<"$p"
  read -r wlon wlat _ < <(gdaltransform -t_srs EPSG:4326 "$src" <<<"$px $py")
  awk -v a="$lon" -v b="$lat" -v c="$wlon" -v d="$wlat" \
    'BEGIN { exit !((a - c) ^ 2 + (b - d) ^ 2 < (28.5 / 111320) ^ 2) }' ||
    fail "clicked pair at picture $px,$py -> $lon,$lat; the original says $wlon,$wlat"
done
grep -q "not saved" "$work/viewer.log" && fail "the pairs were saved, yet the viewer says not: $(cat "$work/viewer.log")"
echo "view_georef_xvfb: OK"
