#!/usr/bin/env bash
# render_other_dates — a figure of the 2024-03-17 Rason tile draws the marks
# observed on it in their class style, leaves out the marks of other dates
# by default, and with --all-marks draws those distinctly (pale dashed
# outline, no fill: no pixel of the class colour on them), says so in the
# caption (PNG Description) and still draws this date's marks normally.
# Positions come from the figure's own georeferencing (gdaltransform on the
# PNG and its world file), not from guessed pixels.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/satmark-e2e-dates-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "render_other_dates: FAIL: $*" >&2; exit 1; }
tile="$SATMARK_SRC/assets/tiles/rason-najin_2024-03-17.tif"
annot="$SATMARK_SRC/annotations/rason-najin.geojson"
[[ -f "$tile" ]] || fail "$tile missing (make it with satmark-tilegen --all assets/tiles)"

ids=$(python3 "$here/lib_dates.py" pick "$annot" "$(basename "$tile")" ship) ||
  { echo "render_other_dates: SKIP: no ship of this date and of another in $annot"; exit 77; }
read -r this_ship other_ship <<< "$ids"
echo "this date: $this_ship; other date: $other_ship"

for mode in plain all; do
  extra=()
  [[ $mode == all ]] && extra=(--all-marks)
  timeout 120 "$SATMARK" render "$tile" "$annot" -o "$tmp/$mode.png" --size 1200x "${extra[@]}" \
    2> "$tmp/$mode.err" || { cat "$tmp/$mode.err" >&2; fail "render ($mode) failed"; }
done
grep -q "observed only on other images are drawn dashed" "$tmp/all.err" ||
  { cat "$tmp/all.err" >&2; fail "--all-marks does not report the marks of other dates"; }

# The caption (PNG Description) says what the dashed marks are, only when drawn.
desc_all=$(python3 "$here/lib_dates.py" pngtext "$tmp/all.png" Description)
desc_plain=$(python3 "$here/lib_dates.py" pngtext "$tmp/plain.png" Description)
grep -q "Marks from other dates shown dashed, with their date" <<< "$desc_all" ||
  fail "the --all-marks caption does not mention other dates: $desc_all"
! grep -q "other dates" <<< "$desc_plain" || fail "the default caption mentions other dates"
grep -q "Synthetic demo imagery" <(python3 "$here/lib_dates.py" pngtext "$tmp/all.png" Disclaimer) ||
  fail "the synthetic disclaimer is gone"

# Pixels of a colour (fuzz 12%) inside a mark's outline (grown by 4 px).
polygon() { python3 "$here/lib_dates.py" ring "$annot" "$1" |
              gdaltransform -i -t_srs EPSG:4326 "$2" | python3 "$here/lib_dates.py" points -; }
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
p_this=$(polygon "$this_ship" "$tmp/all.png")
p_other=$(polygon "$other_ship" "$tmp/all.png")
this_all=$(count "$tmp/all.png" "$ship" "$p_this")
this_plain=$(count "$tmp/plain.png" "$ship" "$p_this")
other_all=$(count "$tmp/all.png" "$ship" "$p_other")
other_plain=$(count "$tmp/plain.png" "$ship" "$p_other")
other_ghost=$(count "$tmp/all.png" "$ghost" "$p_other")
plain_ghost=$(count "$tmp/plain.png" "$ghost" "$p_other")
echo "ship-coloured pixels: this date $this_all (--all-marks) / $this_plain (default);" \
  "other date $other_all / $other_plain; ghost-coloured at the other date: $other_ghost / $plain_ghost"
(( this_all > 100 && this_plain > 100 )) || fail "this date's ship is not drawn in the ship style"
(( other_plain < 10 )) || fail "the other date's ship is drawn by default"
(( other_all < 10 )) || fail "--all-marks draws the other date's ship in this date's style ($other_all px)"
(( other_ghost > 40 && other_ghost > 4 * plain_ghost )) ||
  fail "--all-marks does not draw the other date's ship distinctly ($other_ghost ghost px)"

# batch: a manifest's all_marks draws the same figure (pixels) as --all-marks
cat > "$tmp/figs.manifest" <<JSON
{"satmark_manifest": 1,
 "defaults": {"tile": "$tile", "annotations": ["$annot"], "size": "1200x"},
 "figures": [{"name": "all", "all_marks": true}]}
JSON
timeout 120 "$SATMARK" batch "$tmp/figs.manifest" -o "$tmp/batch" -j 1 2> "$tmp/batch.err" ||
  { cat "$tmp/batch.err" >&2; fail "batch failed"; }
d=$(compare -metric AE "$tmp/all.png" "$tmp/batch/all.png" null: 2>&1 || true)
[[ "$d" == 0 ]] || fail "batch's all_marks figure differs from render --all-marks in $d pixels"
grep -q "Marks from other dates shown dashed" <(python3 "$here/lib_dates.py" pngtext "$tmp/batch/all.png" Description) ||
  fail "batch's caption does not mention other dates"
echo "render_other_dates: ok"
