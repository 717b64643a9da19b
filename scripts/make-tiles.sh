#!/usr/bin/env bash
# Builds satmark-tilegen and regenerates the bundled synthetic demo tiles
# (assets/tiles/*.tif) and the annotation files that mark them
# (annotations/rason-najin.geojson, annotations/dunai.geojson). Deterministic:
# running it twice gives identical files. Prints each tile's SHA-256 and size,
# then re-registers the tiles in annotations/imagery.json
# (scripts/register-tiles.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SATMARK_TILEGEN_BUILD:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target satmark-tilegen >/dev/null
"$build/satmark-tilegen" --all "$here/assets/tiles" --annotations "$here/annotations"
for t in "$here"/assets/tiles/*.tif; do
  printf '%s  %s  %s bytes\n' "$(sha256sum "$t" | cut -d' ' -f1)" "$(basename "$t")" "$(stat -c %s "$t")"
done
# The register must describe the tiles as they now are: re-register them
# (unchanged tiles are left alone; regenerated ones are logged as replaced).
cmake --build "$build" -j "$(nproc)" --target satmark >/dev/null
"$here/scripts/register-tiles.sh" "$build" >/dev/null
echo "make-tiles: annotations/imagery.json updated (satmark imagery list)"
