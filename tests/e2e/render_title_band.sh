#!/usr/bin/env bash
# The title band holds the whole title. The title is drawn bold; the band
# used to be measured from the plain text, which is narrower, so a title that
# wraps only in bold (the Dunai "after" figure's) spilled its second line over
# the map. Checked from the pixels: the map starts at the first row that is
# mostly imagery, and the three rows above it (the band's bottom margin) must
# hold no glyph pixel.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}"
source "$SATMARK_SRC/tests/e2e/lib/expect.sh"
need_command convert
export SATMARK_ASSETS="$SATMARK_SRC/assets"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

expect_exit 0 "$SATMARK" render "$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif" \
  "$SATMARK_SRC/annotations/dunai.geojson" --feature dunai-depot --pad 60m --size 1600x1200 \
  -o "$work/fig.png" 2>"$work/err"
# mean grey level of every row (0..255), top to bottom
convert "$work/fig.png" -colorspace gray -scale '1x1200!' -depth 8 txt:- |
  awk -F'[(,)]' 'NR > 1 { print $5 + 0 }' >"$work/rows"
[[ $(wc -l <"$work/rows") -eq 1200 ]] || fail "expected 1200 rows, got $(wc -l <"$work/rows")"
# the map: the first row of 30 in a row that are all imagery-dark (a line of
# title text darkens a few rows only, separated by white)
map_top=$(awk '{ v[NR - 1] = $1 } END { for (y = 0; y + 30 <= NR; y++) { ok = 1
  for (k = 0; k < 30; k++) if (v[y + k] >= 120) { ok = 0; break }
  if (ok) { print y; exit } } }' "$work/rows")
[[ -n $map_top && $map_top -ge 20 ]] || fail "no title band above the map (map starts at row '${map_top}')"
darkest=$(convert "$work/fig.png" -colorspace gray -crop "1600x3+0+$((map_top - 3))" +repage \
  -depth 8 -format '%[fx:round(255*minima)]' info:)
((darkest > 200)) ||
  fail "text in the band's bottom margin (rows $((map_top - 3))-$((map_top - 1)), darkest $darkest): the title spills over the map"
echo "render_title_band: OK (map starts at row $map_top, band margin darkest $darkest)"
