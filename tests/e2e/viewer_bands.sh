#!/usr/bin/env bash
# e2e: band choice in the viewer. Key B cycles auto -> band 1 alone -> ... ->
# band N alone -> auto (the frame comes back identical); a band alone is grey,
# or coloured with --ramp; --bands N and --subdataset NAME open as in render.
# Before: no key B (the frame stayed in colour) and "unknown option '--bands'".
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="${SATMARK_BUILD:?}/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
command -v convert >/dev/null || { echo "SKIP: no ImageMagick"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# mean HSL saturation of the centre of a screenshot (the image, no panels)
sat() { convert "$1" -gravity center -crop 30%x30%+0+0 +repage -colorspace HSL -channel G -separate -format '%[fx:mean]\n' info:; }
pixels() { convert "$1" -gravity center -crop 30%x30%+0+0 +repage -depth 8 rgba:- | sha256sum | cut -d' ' -f1; }
l7="$DATA/L7_ETMs.tif"

{
  echo wait-idle
  echo "screenshot $work/auto.png"
  echo "key b"
  echo wait-idle
  echo "screenshot $work/band1.png"
  for _ in 2 3 4 5 6 7; do echo "key b"; done
  echo wait-idle
  echo "screenshot $work/again.png"
  echo quit
} >"$work/cycle.txt"
timeout 120 "$viewer" "$l7" --size 400x300 --script "$work/cycle.txt" 2>"$work/err" || fail "viewer cycle: $(cat "$work/err")"
awk -v s="$(sat "$work/auto.png")" 'BEGIN { exit !(s > 0.05) }' || fail "auto (bands 1,2,3) should be in colour: $(sat "$work/auto.png")"
awk -v s="$(sat "$work/band1.png")" 'BEGIN { exit !(s < 0.01) }' || fail "B: band 1 alone should be grey: $(sat "$work/band1.png")"
[[ $(pixels "$work/again.png") == $(pixels "$work/auto.png") ]] || fail "B seven times (6 bands + auto) should come back to auto"

printf 'wait-idle\nscreenshot %s\nkey b\nwait-idle\nscreenshot %s\nquit\n' "$work/b4.png" "$work/b4-b.png" >"$work/ramp.txt"
timeout 120 "$viewer" "$l7" --bands 4 --ramp viridis --size 400x300 --script "$work/ramp.txt" 2>"$work/err" ||
  fail "viewer --bands 4 --ramp viridis: $(cat "$work/err")"
awk -v s="$(sat "$work/b4.png")" 'BEGIN { exit !(s > 0.3) }' || fail "--bands 4 --ramp viridis should be in colour: $(sat "$work/b4.png")"
awk -v s="$(sat "$work/b4-b.png")" 'BEGIN { exit !(s > 0.05) }' || fail "after --bands 4, B gives auto: $(sat "$work/b4-b.png")"

formats=$(gdalinfo --formats)
if grep -q netCDF <<<"$formats"; then
  gdal_translate -q -of netCDF "$l7" "$work/l7.nc"
  printf 'wait-idle\nscreenshot %s\nquit\n' "$work/nc.png" >"$work/nc.txt"
  timeout 120 "$viewer" "$work/l7.nc" --subdataset Band3 --size 400x300 --script "$work/nc.txt" 2>"$work/err" ||
    fail "viewer --subdataset Band3: $(cat "$work/err")"
  grep -q "showing subdataset 1" "$work/err" && fail "--subdataset Band3 still shows the first"
  printf 'wait-idle\nkey b\nkey b\nkey b\nwait-idle\nscreenshot %s\nquit\n' "$work/l7b3.png" >"$work/b3.txt"
  timeout 120 "$viewer" "$l7" --size 400x300 --script "$work/b3.txt" 2>"$work/err" || fail "viewer B B B: $(cat "$work/err")"
  [[ $(pixels "$work/nc.png") == $(pixels "$work/l7b3.png") ]] || fail "netCDF Band3 differs from L7 band 3 alone"
fi

echo "viewer_bands: $failures failure(s)"
[[ $failures -eq 0 ]]
