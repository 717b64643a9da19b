#!/usr/bin/env bash
# view_other_dates — the viewer under a real X server (Xvfb), on the
# 2024-03-17 Rason tile with the bundled annotations: a ship observed on
# 2023-11-20 is drawn ghosted (no pixel of the ship colour on it, pale dashed
# outline), hidden after D (neither colour), and in the ship style after a
# second D, while this date's ship keeps the ship style throughout; selected
# (clicked) it stays a ghost. In
# --compare with the 2023-11-20 tile, flickering to B (C) shows that ship in
# the ship style on B and this date's ship ghosted there: each side shows
# its own date's marks. Screen positions are computed from the ship's
# coordinates (gdaltransform on the tile) and the view recorded in each
# screenshot (satmark:view), not guessed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "view_other_dates: FAIL: $*" >&2; exit 1; }
need_command xvfb-run
tile="$SATMARK_SRC/assets/tiles/rason-najin_2024-03-17.tif"
tile_b="$SATMARK_SRC/assets/tiles/rason-najin_2023-11-20.tif"
[[ -f "$tile" && -f "$tile_b" ]] || fail "Rason tiles missing (satmark-tilegen --all assets/tiles)"
cp "$SATMARK_SRC/annotations/rason-najin.geojson" "$work/marks.geojson"
annot="$work/marks.geojson"

ids=$(python3 "$here/lib_dates.py" pick "$annot" "$(basename "$tile")" ship) ||
  { echo "view_other_dates: SKIP: no ship of this date and of another in the annotations"; exit 77; }
read -r this_ship other_ship <<< "$ids"
# the B check needs the other ship to be on B
python3 "$here/lib_dates.py" pick "$annot" "$(basename "$tile_b")" ship > /dev/null ||
  fail "no ship observed on $(basename "$tile_b")"
echo "this date: $this_ship; other date: $other_ship"
centre=$(python3 "$here/lib_dates.py" ring "$annot" "$other_ship" |
  awk 'NR > 1 { x += $1; y += $2; n++ } END { printf "%.7f %.7f", x / n, y / n }')

# Centre on the other date's ship (J jumps, Esc drops the selection so it is
# not drawn emphasised), zoom out three steps so this date's ship is in view.
cat > "$work/shot.txt" <<SCRIPT
wait-idle
key j
text $other_ship
key Return
key Escape
key minus
key minus
key minus
wait-idle
screenshot $work/ghosted.png
key d
wait-idle
screenshot $work/hidden.png
key d
wait-idle
screenshot $work/shown.png
key d
wait-idle
screenshot $work/ghosted_again.png
click-lonlat $centre
wait-idle
screenshot $work/selected.png
quit
SCRIPT
cat > "$work/cmp.txt" <<SCRIPT
wait-idle
key j
text $other_ship
key Return
key Escape
key minus
key minus
key minus
key c
wait-idle
screenshot $work/b.png
quit
SCRIPT
cat > "$work/run.sh" <<'RUN'
set -euo pipefail
viewer=$1 work=$2 tile=$3 tile_b=$4
unset SDL_VIDEODRIVER
export SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0 SDL_AUDIODRIVER=dummy
timeout 120 "$viewer" "$tile" "$work/marks.geojson" --size 900x600 --script "$work/shot.txt" \
  2> "$work/viewer.log"
timeout 120 "$viewer" "$tile" "$work/marks.geojson" --compare "$tile_b" --size 900x600 \
  --script "$work/cmp.txt" 2> "$work/viewer_b.log"
RUN
timeout 300 xvfb-run -a -s "-screen 0 1280x1024x24" bash "$work/run.sh" "$viewer" "$work" "$tile" "$tile_b" ||
  { cat "$work"/viewer*.log 2>/dev/null; fail "the viewer failed under Xvfb"; }

# Pixels of a colour (fuzz 12%) inside a mark's outline (grown by 4 px), in
# window pixels through the view the screenshot records.
polygon() { # ID SCREENSHOT
  local view; view=$(identify -format '%[satmark:view]' "$2")
  python3 "$here/lib_dates.py" ring "$annot" "$1" | gdaltransform -i -t_srs EPSG:4326 "$tile" |
    python3 "$here/lib_dates.py" points "$view"
}
count() { # PNG COLOUR POLYGON
  local size; size=$(identify -format '%wx%h' "$1")
  # white (and near-white) pixels first made black, so only COLOUR ends up white
  convert "$1" -alpha off -fuzz 12% -fill black -opaque white -fill white -opaque "$2" \
    -fill black +opaque white \
    \( -size "$size" xc:black -fill white -stroke white -strokewidth 8 -draw "polygon $3" \) \
    -compose multiply -composite -format '%[fx:round(mean*w*h)]' info:
}
ship='#00e5ff'  # the ship class colour (assets/style.json)
ghost='#85d5df' # ghost colour of a ship: 35 % class colour, 65 % grey 205 (render_draw.c)
for shot in ghosted hidden shown ghosted_again selected b; do
  po=$(polygon "$other_ship" "$work/$shot.png")
  pt=$(polygon "$this_ship" "$work/$shot.png")
  declare "other_ship_$shot=$(count "$work/$shot.png" "$ship" "$po")"
  declare "other_ghost_$shot=$(count "$work/$shot.png" "$ghost" "$po")"
  declare "this_ship_$shot=$(count "$work/$shot.png" "$ship" "$pt")"
  declare "this_ghost_$shot=$(count "$work/$shot.png" "$ghost" "$pt")"
  v1="other_ship_$shot" v2="other_ghost_$shot" v3="this_ship_$shot" v4="this_ghost_$shot"
  echo "$shot: other date ship-coloured ${!v1}, ghost-coloured ${!v2};" \
    "this date ship-coloured ${!v3}, ghost-coloured ${!v4}"
done
(( other_ship_ghosted < 10 && other_ghost_ghosted > 40 )) ||
  fail "ghosted: the other date's ship is not drawn distinctly"
(( this_ship_ghosted > 100 )) || fail "ghosted: this date's ship is not in the ship style"
(( other_ship_hidden < 10 && other_ghost_hidden < 10 )) || fail "hidden: the other date's ship is drawn"
(( this_ship_hidden > 100 )) || fail "hidden: this date's ship is gone too"
(( other_ship_shown > 100 )) || fail "shown: the other date's ship is not in the ship style"
(( other_ship_ghosted_again < 10 && other_ghost_ghosted_again > 40 )) ||
  fail "D does not cycle back to ghosted"
# selecting the ghost (a click on it) emphasises it as a ghost, never in the ship style
(( other_ship_selected < 10 && other_ghost_selected > 40 )) ||
  fail "a selected mark of another date is drawn in this date's style"
# compare, B (2023-11-20) shown: the roles swap
(( other_ship_b > 100 )) || fail "compare: B does not show its own date's ship in the ship style"
(( this_ship_b < 10 && this_ghost_b > 40 )) ||
  fail "compare: B shows the other date's ship (A's) in the ship style"
echo "view_other_dates: OK"
