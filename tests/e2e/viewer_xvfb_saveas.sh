#!/usr/bin/env bash
# Issue 11 under a real X server (Xvfb) with real key events (xdotool): a
# save into a folder that does not exist fails and the error stays on
# screen (a red banner, still there after the 6 s a status message lasts)
# until Esc; Ctrl+Shift+S then saves the work elsewhere (Ctrl+U clears the
# path the prompt starts with), F1 shows the help, and Ctrl+Q quits without
# a question because nothing is left unsaved.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need_command xvfb-run xdotool import

gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 "$work/site.tif"

cat > "$work/drive.sh" <<'DRIVE'
set -euo pipefail
viewer=$1 work=$2 pace=$3
unset SDL_VIDEODRIVER
export SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0
source "$SATMARK_SRC/tests/e2e/lib/xdrive.sh"
xdrive_start "$work/viewer.log" "$viewer" "$work/site.tif" "$work/missing/marks.geojson" --size 1000x848
shot() { sleep "$pace"; import -window "$wid" "$1"; }
step mousemove --window "$wid" 500 400
step key p
step mousemove --window "$wid" 200 300 click 1
step key ctrl+s
sleep 7
shot "$work/banner.png"
step key Escape
shot "$work/dismissed.png"
step key ctrl+shift+s
step key ctrl+u
step type --delay 30 "$work/elsewhere.geojson"
step key Return
step key F1
shot "$work/help.png"
step key F1
step key ctrl+q
xdrive_wait_exit
DRIVE
pace=1
[[ ${SATMARK_SANITIZED:-0} == 1 ]] && pace=3
timeout 300 xvfb-run -a -s "-screen 0 1280x1024x24" bash "$work/drive.sh" "$viewer" "$work" "$pace" \
  || { cat "$work/viewer.log" 2>/dev/null; fail "driving the viewer under Xvfb failed"; }
grep -q "Not saved" "$work/viewer.log" || fail "the failed save was not reported"
red() { convert "$1" -crop 1000x120+0+0 +repage -fuzz 12% -fill black -opaque white -fill white -opaque '#8c1717' \
          -fill black +opaque white -format '%[fx:round(mean*w*h)]' info:; }
shown=$(red "$work/banner.png"); gone=$(red "$work/dismissed.png")
echo "banner pixels: $shown after 7 s, $gone after Esc"
(( shown > 20000 && gone < 100 )) || fail "the error banner did not stay until Esc"
[[ -s "$work/elsewhere.geojson" ]] || { cat "$work/viewer.log"; fail "Ctrl+Shift+S saved nothing"; }
python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['features']; sys.exit(0 if [x['id'] for x in f]==['pier-1'] else 'FAIL: '+str(f))" \
  "$work/elsewhere.geojson"
[[ ! -e "$work/missing" ]] || fail "the missing folder was created"
echo "viewer_xvfb_saveas: OK"
