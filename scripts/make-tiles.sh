#!/usr/bin/env bash
# Builds satmark-tilegen and regenerates the bundled synthetic demo tiles
# (assets/tiles/*.tif) and the annotation files that mark them
# (annotations/rason-najin.geojson, annotations/dunai.geojson). Deterministic:
# running it twice gives identical files. Prints each tile's SHA-256 and size.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SATMARK_TILEGEN_BUILD:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target satmark-tilegen >/dev/null
"$build/satmark-tilegen" --all "$here/assets/tiles" --annotations "$here/annotations"
for t in "$here"/assets/tiles/*.tif; do
  printf '%s  %s  %s bytes\n' "$(sha256sum "$t" | cut -d' ' -f1)" "$(basename "$t")" "$(stat -c %s "$t")"
done
