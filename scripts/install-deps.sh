#!/usr/bin/env bash
# Installs every Debian package satmark needs to build, run and test, and the
# npm GeoJSON validators the tests use. Safe to run twice: packages already
# installed are skipped, and `apt-get update` runs at most once per call.
#   scripts/install-deps.sh          build + run + test dependencies
#   scripts/install-deps.sh --bench  also the tools bench.sh compares against
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config git ca-certificates
  libgdal-dev gdal-bin libproj-dev proj-bin proj-data
  libpng-dev zlib1g-dev libisal-dev libjansson-dev libssl-dev
  libcairo2-dev libpango1.0-dev libfontconfig-dev libcurl4-openssl-dev
  libsdl2-dev libcmocka-dev
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer's runtime
  clang libclang-rt-14-dev
  fonts-dejavu-core fonts-nanum
  # tests: headless viewer under Xvfb, npm validators, images
  xvfb xauth xdotool imagemagick jq python3
  # tests: a local web server for the STAC fetch test
  nginx
)
# Node.js for the npm validators: use the machine's own if it has one (some
# images ship NodeSource's nodejs, which bundles npm and conflicts with
# Debian's npm package); otherwise Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(mapserver-bin hyperfine time)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# Independent GeoJSON validators for the export tests, kept inside the tree
# (ignored by git) so nothing global is touched.
npm_dir="$here/.cache/npm"
if [[ ! -x "$npm_dir/node_modules/.bin/geojsonhint" || ! -d "$npm_dir/node_modules/@placemarkio/check-geojson" ]]; then
  mkdir -p "$npm_dir"
  (cd "$npm_dir" && { [[ -f package.json ]] || echo '{"name":"satmark-test-tools","private":true}' > package.json; } &&
     npm install --no-audit --no-fund --loglevel=error @placemarkio/check-geojson@0 @mapbox/geojsonhint@3.2.0)
fi
