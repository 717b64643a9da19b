#!/usr/bin/env bash
# Issue 11, the viewer a new user does not have to guess, driven by scripts
# (SDL offscreen driver) on a tile made here with GDAL:
#   1 failures you can see: a failed save shows a banner until Esc, Save As
#     writes elsewhere, a script ending unsaved or after a failed save exits
#     1, a failed autosave journal is shown;
#   2 the hint bar (tool, keys, "F1 for help", what comes after a mark) and
#     the help that fits or scrolls at every window size;
#   3 a click 10 px off a line inside a large area selects the line;
#   4 go to a coordinate typed as DMS, decimal in either order, or with
#     hemisphere letters;
#   5 the mark list filters by class, date and claim and goes to the mark;
#   6 the pixel values under the pointer in the status line;
#   7 A records that the selected mark is also seen on this image;
#   9 compare: the date stays on screen in flicker mode, swipe captions are
#     not covered by labels.
# (8, label grouping, is viewer_labels.sh and test_render / test_labelgroup.)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
claims="$SATMARK_SRC/annotations/claims.json"
work=$(mktemp -d)
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT
[[ -z "${KEEP:-}" ]] || echo "kept: $work"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }
# The window is the image at 1:1 plus the 48 px bottom chrome: screen (x, y)
# is image pixel corner (x, y).
size=${VIEWER_TEST_SIZE:-1000x848} # another size only to run this against older builds

gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 -mo ACQUISITION_DATE=2024-03-17 \
  "$work/site.tif"
gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 60 -burn 60 -burn 60 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 -mo ACQUISITION_DATE=2023-11-20 \
  "$work/before.tif"
site_sha=$(sha256sum "$work/site.tif" | cut -d' ' -f1)

# lon lat of an image pixel corner, from GDAL itself
lonlat() { echo "$1 $2" | gdaltransform -t_srs EPSG:4326 "$work/site.tif" | awk '{printf "%.9f %.9f\n", $1, $2}'; }

# The marks: a large area, a line across it, a ship seen on another date
# (2023-11-20) and a pier linked to a claim, and a point near the top.
python3 - "$work/base.geojson" "$(lonlat 50 50)" "$(lonlat 950 50)" "$(lonlat 950 750)" \
  "$(lonlat 50 750)" "$(lonlat 100 400)" "$(lonlat 900 400)" "$(lonlat 700 200)" \
  "$(lonlat 300 600)" "$(lonlat 530 12)" <<'PY'
import json, sys
out = sys.argv[1]
p = [tuple(map(float, a.split())) for a in sys.argv[2:]]
def feat(fid, cls, label, geom, obs, claims=()):
    return {"type": "Feature", "id": fid, "geometry": geom,
            "properties": {"class": cls, "label": label, "observations": obs,
                           "claims": [{"claim": c, "stance": "supports"} for c in claims]}}
other = [{"image": "before.tif", "sha256": "", "acquired": "2023-11-20"}]
here = [{"image": "site.tif", "sha256": "", "acquired": "2024-03-17"}]
doc = {"type": "FeatureCollection", "features": [
    feat("area_of_interest-1", "area_of_interest", "Port area",
         {"type": "Polygon", "coordinates": [[p[0], p[1], p[2], p[3], p[0]]]}, here),
    feat("rail-1", "rail", "Spur", {"type": "LineString", "coordinates": [p[4], p[5]]}, here),
    feat("ship-1", "ship", "Vessel", {"type": "Point", "coordinates": p[6]}, other),
    feat("pier-1", "pier", "Pier one", {"type": "Point", "coordinates": p[7]}, here,
         ["lady-r-pier1"]),
    feat("other-1", "other", "Top mark label", {"type": "Point", "coordinates": p[8]}, here),
]}
json.dump(doc, open(out, "w"))
PY

# run NAME [viewer args...]: the script $work/NAME.txt, stdout to NAME.out;
# sets rc (the viewer's exit status).
run() {
  local name=$1; shift
  rc=0
  timeout 120 "$viewer" "$@" --script "$work/$name.txt" > "$work/$name.out" \
    2> "$work/$name.err" || rc=$?
}
ids() { python3 -c "import json,sys; print(' '.join(sorted(f['id'] for f in json.load(open(sys.argv[1]))['features'])))" "$1"; }
# pixels within ${4:-12}% of colour $2 in the crop $3 of image $1
count_colour() { convert "$1" -crop "$3" +repage -fuzz "${4:-12}%" -fill black -opaque white -fill white -opaque "$2" -fill black +opaque white -format '%[fx:round(mean*w*h)]' info:; }

# ---- 3: selection -------------------------------------------------------------
cp "$work/base.geojson" "$work/m3.geojson"
cat > "$work/select.txt" <<'S'
wait-idle
click 500 410
print selected
key Delete
key s ctrl
quit
S
run select "$work/site.tif" "$work/m3.geojson" --size $size
[[ $rc == 0 ]] || { cat "$work/select.err"; fail "selection run exited $rc"; }
grep -q "^selected: rail-1$" "$work/select.out" || fail "click 10 px off the line selected: $(cat "$work/select.out")"
[[ "$(ids "$work/m3.geojson")" == "area_of_interest-1 other-1 pier-1 ship-1" ]] \
  || fail "Delete after the click removed the wrong mark: $(ids "$work/m3.geojson")"
echo "selection: OK"

# ---- 4: go to a coordinate ----------------------------------------------------
read -r tlon tlat < <(lonlat 321 123)
cat > "$work/dms.py" <<'PY'
import sys
v, lat = float(sys.argv[1]), sys.argv[2] == "lat"
h = ("N" if v >= 0 else "S") if lat else ("E" if v >= 0 else "W")
v = abs(v)
d = int(v); m = int((v - d) * 60); s = (v - d - m / 60) * 3600
print(f"{d}\u00b0{m}'{s:.3f}\"{h}")
PY
dms() { python3 "$work/dms.py" "$1" "$2"; }
forms=("$(dms "$tlat" lat) $(dms "$tlon" lon)"
       "$tlon $tlat"
       "${tlat}N,${tlon}E")
for i in 0 1 2; do
  cp "$work/base.geojson" "$work/m4.geojson"
  printf 'wait-idle\nkey j\ntext %s\nkey Return\nprint view\nkey p\nclick 500 424\nkey s ctrl\nquit\n' \
    "${forms[$i]}" > "$work/goto.txt"
  run goto "$work/site.tif" "$work/m4.geojson" --size $size
  [[ $rc == 0 ]] || { cat "$work/goto.err"; fail "goto run exited $rc"; }
  python3 - "$work/m4.geojson" "$tlon" "$tlat" "${forms[$i]}" <<'PY' || exit 1
import json, math, sys
doc = json.load(open(sys.argv[1]))
lon, lat = float(sys.argv[2]), float(sys.argv[3])
new = [f for f in doc["features"] if f["id"].startswith("pier-") and f["id"] != "pier-1"]
if len(new) != 1:
    sys.exit("FAIL: expected one new point")
glon, glat = new[0]["geometry"]["coordinates"]
dx = (glon - lon) * 111320 * math.cos(math.radians(lat)); dy = (glat - lat) * 111320
# the centre of the window is within a pixel (2 m) of the place typed
if math.hypot(dx, dy) > 3:
    sys.exit(f"FAIL: '{sys.argv[4]}': the view went {math.hypot(dx, dy):.1f} m away from it")
PY
done
echo "goto coordinate: OK"

# ---- 5: mark list -------------------------------------------------------------
cp "$work/base.geojson" "$work/m5.geojson"
cat > "$work/list.txt" <<'S'
wait-idle
key F2
text class:ship
key Return
print selected
key Escape
key Escape
key F2
text date:2023-11
print hint
key Return
print selected
key F2
key F2
text claim:lady-r
key Return
print selected
key Escape
key Escape
key Delete
key s ctrl
quit
S
run list "$work/site.tif" "$work/m5.geojson" --size $size --claims "$claims"
[[ $rc == 0 ]] || { cat "$work/list.err"; fail "mark list run exited $rc"; }
[[ "$(grep '^selected:' "$work/list.out" | tr '\n' ' ')" == "selected: ship-1 selected: ship-1 selected: pier-1 " ]] \
  || fail "mark list filters went to: $(grep '^selected:' "$work/list.out" | tr '\n' ' ')"
[[ "$(ids "$work/m5.geojson")" == "area_of_interest-1 other-1 rail-1 ship-1" ]] \
  || fail "the mark list did not select pier-1: $(ids "$work/m5.geojson")"
echo "mark list: OK"

# ---- 6: pixel values, 7: also seen here ------------------------------------------
cp "$work/base.geojson" "$work/m7.geojson"
cat > "$work/seen.txt" <<'S'
wait-idle
move 500 424
print status
key j
text ship-1
key Return
key a
key a
key s ctrl
quit
S
run seen "$work/site.tif" "$work/m7.geojson" --size $size
[[ $rc == 0 ]] || { cat "$work/seen.err"; fail "also-seen run exited $rc"; }
grep -q "B1 70  B2 90  B3 80  → RGB 70,90,80" "$work/seen.out" \
  || fail "pixel values not in the status line: $(cat "$work/seen.out")"
python3 - "$work/m7.geojson" "$site_sha" <<'PY' || exit 1
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["features"]}["ship-1"]
obs = f["properties"]["observations"]
want = {"image": "site.tif", "sha256": sys.argv[2], "acquired": "2024-03-17"}
if len(obs) != 2 or obs[0]["acquired"] != "2023-11-20" or {k: obs[1].get(k) for k in want} != want:
    sys.exit(f"FAIL: ship-1 observations after A (twice): {obs}")
PY
echo "pixel values, also seen here: OK"

# ---- 1: failures you can see ----------------------------------------------------
cat > "$work/savefail.txt" <<S
wait-idle
key p
click 100 100
key s ctrl
wait-idle
print error
screenshot $work/banner.png
wait 6500
wait-idle
screenshot $work/banner_later.png
key Escape
wait-idle
print error
screenshot $work/dismissed.png
S
# a file in a folder that does not exist: every save fails
run savefail "$work/site.tif" "$work/missing/marks.geojson" --size $size
[[ $rc == 1 ]] || fail "a script whose save failed exited $rc, expected 1"
grep -q "last save failed" "$work/savefail.err" || fail "no word of the failed save on stderr"
grep -q "^error: Not saved: .*missing" "$work/savefail.out" || fail "the failed save is not shown: $(cat "$work/savefail.out")"
[[ "$(sed -n 2p "$work/savefail.out")" == "error: " ]] || fail "Esc did not dismiss the error"
# the banner (dark red) at the top, still there after 6.5 s, gone after Esc
red_now=$(count_colour "$work/banner.png" '#8c1717' 1000x120+0+0)
red_later=$(count_colour "$work/banner_later.png" '#8c1717' 1000x120+0+0)
red_gone=$(count_colour "$work/dismissed.png" '#8c1717' 1000x120+0+0)
echo "banner pixels: $red_now shown, $red_later after 6.5 s, $red_gone after Esc"
(( red_now > 20000 && red_later > 20000 && red_gone < 100 )) || fail "the error banner is not shown until acknowledged"

# Save As from the same situation: the work is saved elsewhere, exit 0.
cat > "$work/saveas.txt" <<S
wait-idle
key p
click 100 100
key s ctrl
key Escape
key s ctrl+shift
key u ctrl
text $work/elsewhere.geojson
key Return
print error
quit
S
run saveas "$work/site.tif" "$work/missing/marks.geojson" --size $size
[[ $rc == 0 ]] || { cat "$work/saveas.err"; fail "Save As run exited $rc"; }
[[ "$(ids "$work/elsewhere.geojson")" == "pier-1" ]] || fail "Save As did not write the mark elsewhere"

# A script that ends with unsaved changes exits 1 (the work is in the journal).
printf 'wait-idle\nkey p\nclick 100 100\n' > "$work/unsaved.txt"
run unsaved "$work/site.tif" "$work/u.geojson" --size $size
[[ $rc == 1 ]] || fail "a script ending with unsaved changes exited $rc, expected 1"
grep -q "unsaved changes" "$work/unsaved.err" || fail "no word of the unsaved changes"

# A failing autosave journal (its path is taken by a folder) is shown.
mkdir "$work/j.geojson.journal"
printf 'wait-idle\nkey p\nclick 100 100\nwait 1500\nprint error\nkey Escape\nkey s ctrl\nquit\n' > "$work/journal.txt"
run journal "$work/site.tif" "$work/j.geojson" --size $size --journal-interval 0.2
grep -q "^error: Autosave journal failed" "$work/journal.out" || fail "the failed journal is not shown: $(cat "$work/journal.out")"
[[ -s "$work/j.geojson" ]] || fail "the save after the journal failure did not happen"
# A message longer than the status line is shortened, not dropped: at
# 640x400, a J query that matches nothing gives a long red message.
cat > "$work/longmsg.txt" <<S
wait-idle
move 300 200
key j
text no-such-mark-with-a-rather-long-name-that-does-not-fit-the-status-line
key Return
wait-idle
screenshot $work/longmsg.png
S
run longmsg "$work/site.tif" --size 640x400
[[ $rc == 0 ]] || { cat "$work/longmsg.err"; fail "long message run exited $rc"; }
msg_red=$(count_colour "$work/longmsg.png" '#ff6e64' 300x26+0+374)
echo "status line pixels of the long error message: $msg_red"
(( msg_red > 400 )) || fail "a long message is not shown in the status line"
echo "visible failures, Save As, script exit status: OK"

# ---- 2: hint bar and help ----------------------------------------------------------
cat > "$work/hint.txt" <<S
wait-idle
print hint
key p
print hint
click 100 100
print hint
wait-idle
screenshot $work/hint.png
key Escape
print hint
key s ctrl
quit
S
cp "$work/base.geojson" "$work/m2.geojson"
run hint "$work/site.tif" "$work/m2.geojson" --size $size
[[ $rc == 0 ]] || { cat "$work/hint.err"; fail "hint run exited $rc"; }
sed -n 1p "$work/hint.out" | grep -q "^hint: Tool: Select .*F1 for help$" || fail "hint: $(sed -n 1p "$work/hint.out")"
sed -n 2p "$work/hint.out" | grep -q "^hint: Tool: Point (Pier) · click: add a point" || fail "hint: $(sed -n 2p "$work/hint.out")"
sed -n 3p "$work/hint.out" | grep -q "Enter: label · Tab: link a claim · Esc: done" || fail "after a mark: $(sed -n 3p "$work/hint.out")"
sed -n 4p "$work/hint.out" | grep -q "^hint: Tool: Point" || fail "after Esc: $(sed -n 4p "$work/hint.out")"
# the bar itself: its background left of the text, above the status line
bar=$(count_colour "$work/hint.png" '#292b33' 6x12+1+805 3)
[[ "$bar" == 72 ]] || fail "no hint bar at the bottom ($bar of 72 pixels)"

# The help fits at 1280x800 and scrolls to its end at 640x400 and 200x150.
for s in 1280x800 640x400 200x150; do
  cat > "$work/help.txt" <<S
wait-idle
key F1
wait-idle
print help
screenshot $work/help_top.png
$(for _ in $(seq 1 40); do echo "key PageDown"; done)
wait-idle
print help
screenshot $work/help_end.png
key F1
quit
S
  run help "$work/site.tif" --size "$s"
  [[ $rc == 0 ]] || { cat "$work/help.err"; fail "help run at $s exited $rc"; }
  read -r _ _ _ top _ max < <(sed -n 1p "$work/help.out")
  read -r _ _ _ end _ max2 < <(sed -n 2p "$work/help.out")
  echo "help at $s: scroll $top..$end of $max"
  if [[ $s == 1280x800 ]]; then
    [[ $max == 0 ]] || fail "the help does not fit at 1280x800"
  else
    (( max > 0 )) && [[ $end == "$max" && $max2 == "$max" && $top == 0 ]] || fail "the help at $s cannot be scrolled to its end"
    diff=$(compare -metric AE "$work/help_top.png" "$work/help_end.png" null: 2>&1 || true)
    (( ${diff%% *} > 100 )) || fail "scrolling the help at $s changed nothing on screen"
  fi
done
echo "hint bar, help: OK"

# ---- 9: compare --------------------------------------------------------------------
cp "$work/base.geojson" "$work/m9.geojson"
cat > "$work/compare.txt" <<S
wait-idle
key w
wait-idle
screenshot $work/swipe_labels.png
key t
wait-idle
screenshot $work/swipe_nolabels.png
key t
key c
wait 7000
wait-idle
screenshot $work/flicker.png
quit
S
run compare "$work/site.tif" "$work/m9.geojson" --compare "$work/before.tif" --size $size
[[ $rc == 0 ]] || { cat "$work/compare.err"; fail "compare run exited $rc"; }
# labels never in the caption strip at the top: it is the same with labels off
convert "$work/swipe_labels.png" -crop 1000x30+0+0 +repage "$work/strip_labels.png"
convert "$work/swipe_nolabels.png" -crop 1000x30+0+0 +repage "$work/strip_nolabels.png"
strip=$(compare -metric AE -fuzz 3% "$work/strip_labels.png" "$work/strip_nolabels.png" null: 2>&1 || true)
echo "caption strip pixels changed by labels: ${strip%% *}"
[[ ${strip%% *} == 0 ]] || fail "a label is drawn over the swipe date captions"
# flicker, 7 s later: the date caption (yellow text in a dark box) is still there
yellow=$(count_colour "$work/flicker.png" '#ffdc50' 1000x30+0+0)
echo "flicker caption pixels after 7 s: $yellow"
(( yellow > 150 )) || fail "the date is not on screen in flicker mode after 7 s"
echo "viewer_newuser: OK"
