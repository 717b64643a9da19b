#!/usr/bin/env bash
# The viewer under a real X server (Xvfb) driven by real X input (xdotool):
# find the window by its title, choose the point tool and the pit class with
# keys, click two marks, type a label, undo nothing, save with Ctrl+S, quit
# with Ctrl+Q; then check the saved file. This is the path a user's keyboard
# and mouse take (X events -> SDL), not synthetic SDL events.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need_command xvfb-run xdotool gdal_create

gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 "$work/site.tif"

cat > "$work/drive.sh" <<'DRIVE'
set -euo pipefail
viewer=$1 work=$2 pace=$3
unset SDL_VIDEODRIVER
# Software rendering: what this test checks is the input path; Mesa's GLX
# under Xvfb also keeps allocations LeakSanitizer reports at exit.
export SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0
source "$SATMARK_SRC/tests/e2e/lib/xdrive.sh"
xdrive_start "$work/viewer.log" "$viewer" "$work/site.tif" "$work/marks.geojson" --size 1000x848
# Without a window manager, focus follows the pointer: put it in the window.
step mousemove --window "$wid" 500 400
step key p
step key 4
step mousemove --window "$wid" 200 300 click 1
step mousemove --window "$wid" 600 500 click 1
# Label the selected (last) mark: Enter, type, Enter.
step key Return
step type --delay 50 'Pit 7'
step key Return
step key ctrl+s
sleep "$pace"
step key ctrl+q
xdrive_wait_exit
DRIVE
pace=1
[[ ${SATMARK_SANITIZED:-0} == 1 ]] && pace=3
timeout 240 xvfb-run -a -s "-screen 0 1280x1024x24" bash "$work/drive.sh" "$viewer" "$work" "$pace" \
  || { cat "$work/viewer.log" 2>/dev/null; fail "driving the viewer under Xvfb failed"; }
[[ -s "$work/marks.geojson" ]] || { cat "$work/viewer.log"; fail "Ctrl+S saved nothing"; }
python3 - "$work/marks.geojson" <<'PY'
import json, sys
feats = json.load(open(sys.argv[1]))["features"]
ids = [f["id"] for f in feats]
if ids != ["munitions_pit-1", "munitions_pit-2"]:
    sys.exit(f"FAIL: features {ids}")
if feats[1]["properties"]["label"] != "Pit 7":
    sys.exit(f"FAIL: label {feats[1]['properties']['label']!r}")
lon0, lat0 = feats[0]["geometry"]["coordinates"]
lon1, lat1 = feats[1]["geometry"]["coordinates"]
# The second click was 400 px right and 200 px down: east and south.
if not (lon1 > lon0 and lat1 < lat0):
    sys.exit("FAIL: mark positions do not follow the clicks")
print("xvfb session OK")
PY
[[ ! -e "$work/marks.geojson.journal" ]] || fail "journal left after saving"
echo "view_xvfb: OK"
