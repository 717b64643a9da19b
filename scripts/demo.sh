#!/usr/bin/env bash
# The main job on the bundled data: installs dependencies, builds, then
# describes every bundled tile and writes the publishable outputs into out/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
"$here/scripts/build.sh" "$here/build"
satmark="$here/build/satmark"
out="$here/out"
mkdir -p "$out/info"

echo "== satmark info on every bundled tile"
for tile in "$here"/assets/tiles/*.tif; do
  name=$(basename "$tile" .tif)
  "$satmark" info "$tile" | tee "$out/info/$name.txt"
  "$satmark" info --json "$tile" > "$out/info/$name.json"
done
echo "demo: outputs in $out"

echo "== validate the annotation files and the claims catalog"
"$satmark" validate "$here"/annotations/*.geojson "$here/annotations/claims.json"
echo "== claims: evidence per claim, verdicts of the counting claims, discrepancies"
(cd "$here" && "$satmark" claims) | tee "$out/claims.txt"
(cd "$here" && "$satmark" claims --json) > "$out/claims.json"
echo "== export the annotations (GeoJSON, KML, GeoPackage) to out/"
for site in rason-najin dunai; do
  for ext in geojson kml gpkg fgb; do
    "$satmark" export "$here/annotations/$site.geojson" --claims "$here/annotations/claims.json" \
      -o "$out/$site.$ext"
  done
done
echo "== figures of scripts/figures.manifest into out/figures"
"$satmark" batch "$here/scripts/figures.manifest" -o "$out/figures" -j "$(nproc)"
echo "demo: figures in $out/figures"
