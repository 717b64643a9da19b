#!/usr/bin/env bash
# `batch -j 64` (and -j 9) on a 2048x2048 figure: more threads than pngout's
# worker slots must be bounded, not overflow them (an ASan abort on machines
# with 9 or more CPUs, where -j defaults to the CPU count). The figure is
# written and is identical to the one written with -j 1.
set -euo pipefail
: "${SATMARK:?path of the satmark binary}"
: "${SATMARK_SRC:?source tree}" "${SATMARK_BUILD:?build directory}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cat >"$tmp/m.manifest" <<EOF2
{"figures": [{"name": "big", "tile": "$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif",
  "size": "2048x2048", "hash": false}]}
EOF2
for j in 1 9 64; do
  timeout 300 "$SATMARK" batch "$tmp/m.manifest" -o "$tmp/out$j" -j "$j" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; fail "-j $j failed"; }
  [[ -s "$tmp/out$j/big.png" ]] || fail "-j $j wrote no figure"
done
"$SATMARK_BUILD/tests/png_same" "$tmp/out1/big.png" "$tmp/out64/big.png" || fail "-j 64 figure differs from -j 1"
"$SATMARK_BUILD/tests/png_same" "$tmp/out1/big.png" "$tmp/out9/big.png" || fail "-j 9 figure differs from -j 1"
echo "batch_many_jobs: OK"
