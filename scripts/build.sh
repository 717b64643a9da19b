#!/usr/bin/env bash
# Configures and builds satmark into build/ (or $1), with any extra CMake
# arguments after it. Used by demo.sh, test.sh and bench.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$here/build}
shift || true
cmake -S "$here" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
