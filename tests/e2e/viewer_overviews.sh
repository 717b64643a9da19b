#!/usr/bin/env bash
# Building overviews from the viewer, driven by a script (headless): a
# 2600x2000 GeoTIFF made here without overviews; the viewer offers to build
# them at open (stderr), key O builds IMAGE.ovr on a thread while the view
# keeps working, wait-idle waits for it, then gdalinfo must list the
# overviews (external .ovr), and the image itself must be byte-for-byte
# unchanged (it is evidence). The view after the switch must still show the
# imagery (its colour fills the frame).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }

gdal_create -q -of GTiff -outsize 2600 2000 -bands 3 -ot Byte -burn 30 -burn 140 -burn 200 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 611200 4675000 "$work/big.tif"
gdalinfo "$work/big.tif" | grep -q "Overviews:" && fail "test image already has overviews"
sum_before=$(sha256sum < "$work/big.tif")

cat > "$work/build.txt" <<SCRIPT
wait-idle
key o
# pan and zoom while it builds: the viewer keeps reading decimated
wheel 300 200 2
key Left
wait-idle
key Home
wait-idle
screenshot $work/after.png
quit
SCRIPT
timeout 300 "$viewer" "$work/big.tif" --size 640x400 --script "$work/build.txt" \
  2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "viewer failed"; }
grep -q "has no overviews" "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "no offer to build overviews at open"; }

[[ -s "$work/big.tif.ovr" ]] || { cat "$work/stderr.txt"; fail "big.tif.ovr was not written"; }
info=$(gdalinfo "$work/big.tif")
grep -q "Overviews: 1300x1000, 650x500" <<< "$info" || { echo "$info" >&2; fail "gdalinfo lists no overviews"; }
[[ "$(sha256sum < "$work/big.tif")" == "$sum_before" ]] || fail "the image was modified"

# The imagery (rgb 30,140,200) fills the fitted view after the switch.
blue=$(convert "$work/after.png" -crop 400x250+120+60 -fuzz 6% -fill white -opaque 'rgb(30,140,200)' \
  -fill black +opaque white -format '%[fx:mean]' info:)
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.95 else 1)" "$blue" ||
  fail "imagery not shown after switching to the overviews ($blue of the crop)"
echo "viewer_overviews: OK"
