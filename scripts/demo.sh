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
