#!/usr/bin/env bash
# No hangs on special files: a FIFO (with no writer: opening it with fopen
# would block forever) or /dev/zero (endless) given as a tile, an annotation
# file, a style, a claims catalog or a manifest, to every command that reads
# that kind of file. Each run must exit 1 quickly with a message naming the
# file; `timeout` turns a hang into a failure (exit 124).
set -euo pipefail
: "${SATMARK:?path of the satmark binary}"
: "${SATMARK_SRC:?source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tile="$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif"
annot="$SATMARK_SRC/annotations/dunai.geojson"
catalog="$SATMARK_SRC/annotations/claims.json"
style="$SATMARK_SRC/assets/style.json"
mkfifo "$tmp/fifo.tif" "$tmp/fifo.geojson" "$tmp/fifo.json" "$tmp/fifo.manifest"
cp "$annot" "$tmp/a.geojson"
viewer="${SATMARK_BUILD:-}/satmark-view"

expect_refused() { # WHAT SPECIAL CMD...: exit 1 within the timeout, SPECIAL named
  local what=$1 special=$2 rc=0
  shift 2
  timeout 30 "$@" >"$tmp/stdout" 2>"$tmp/err" </dev/null || rc=$?
  ((rc != 124)) || fail "$what: hangs on $special"
  ((rc == 1)) || { cat "$tmp/err" >&2; fail "$what: exit $rc on $special, expected 1"; }
  grep -qF "$special" "$tmp/err" || { cat "$tmp/err" >&2; fail "$what: message does not name $special"; }
}

manifest_with() { # TILE ANNOT STYLE CATALOG -> $tmp/m.manifest
  printf '{"figures": [{"name": "f", "tile": "%s", "annotations": ["%s"], "style": "%s", "catalog": "%s"}]}\n' \
    "$1" "$2" "$3" "$4" >"$tmp/m.manifest"
}

n=0
for kind in fifo zero; do
  if [[ $kind == fifo ]]; then
    t="$tmp/fifo.tif" g="$tmp/fifo.geojson" j="$tmp/fifo.json" m="$tmp/fifo.manifest"
  else
    # "claims" takes its catalog by the .json ending: a link named so.
    ln -sf /dev/zero "$tmp/zero.json"
    t=/dev/zero g=/dev/zero j="$tmp/zero.json" m=/dev/zero
  fi
  # tile
  expect_refused "info tile" "$t" "$SATMARK" info "$t"
  expect_refused "render tile" "$t" "$SATMARK" render "$t" -o "$tmp/o.png"
  manifest_with "$t" "$annot" "$style" "$catalog"
  expect_refused "batch tile" "$t" "$SATMARK" batch "$tmp/m.manifest" -o "$tmp/out" -j 1
  expect_refused "mark --pixel tile" "$t" "$SATMARK" mark "$tmp/a.geojson" add --class pier --pixel "$t" 1,1
  expect_refused "mark --image tile" "$t" "$SATMARK" mark "$tmp/a.geojson" add --class pier --point 131.03,42.84 --image "$t"
  # annotation file
  expect_refused "validate annotations" "$g" "$SATMARK" validate "$g"
  expect_refused "mark annotations" "$g" "$SATMARK" mark "$g" add --class pier --point 131.03,42.84
  expect_refused "render annotations" "$g" "$SATMARK" render "$tile" "$g" -o "$tmp/o.png" --size 64x64
  expect_refused "export annotations" "$g" "$SATMARK" export "$g" -o "$tmp/o.geojson" --no-claims
  manifest_with "$tile" "$g" "$style" "$catalog"
  expect_refused "batch annotations" "$g" "$SATMARK" batch "$tmp/m.manifest" -o "$tmp/out" -j 1
  # style
  expect_refused "render style" "$j" "$SATMARK" render "$tile" -o "$tmp/o.png" --size 64x64 --style "$j"
  manifest_with "$tile" "$annot" "$j" "$catalog"
  expect_refused "batch style" "$j" "$SATMARK" batch "$tmp/m.manifest" -o "$tmp/out" -j 1
  # claims catalog
  expect_refused "render catalog" "$j" "$SATMARK" render "$tile" "$annot" -o "$tmp/o.png" --size 64x64 --claims "$j"
  expect_refused "claims catalog" "$j" "$SATMARK" claims "$j" "$annot"
  expect_refused "export catalog" "$j" "$SATMARK" export "$annot" -o "$tmp/o.geojson" --claims "$j"
  manifest_with "$tile" "$annot" "$style" "$j"
  expect_refused "batch catalog" "$j" "$SATMARK" batch "$tmp/m.manifest" -o "$tmp/out" -j 1
  # manifest
  expect_refused "batch manifest" "$m" "$SATMARK" batch "$m" -o "$tmp/out" -j 1
  # the viewer (headless): tile, annotations, style
  if [[ -x $viewer ]]; then
    export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
    expect_refused "view tile" "$t" "$viewer" "$t" "$tmp/v.geojson"
    expect_refused "view style" "$j" "$viewer" "$tile" "$tmp/v.geojson" --style "$j"
  fi
  n=$((n + 1))
done
echo "special_files: OK (FIFO and /dev/zero as tile, annotations, style, catalog, manifest)"
