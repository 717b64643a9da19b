#!/usr/bin/env bash
# Figures say where their tile's SHA-256 came from: the first render of a
# large tile computes it ("computed"), the next takes it from the hash cache
# ("cache"), `render --verify-hash` computes it again ("computed"), and batch
# passes the parent's answer on. The cache directory is private (0700) and a
# cache entry another user could have written is not trusted.
set -euo pipefail
: "${SATMARK:?path of the satmark binary}"
: "${SATMARK_SRC:?source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export SATMARK_CACHE_DIR="$tmp/cache"
unset SATMARK_HASH_CACHE
# A tile above the cache's 4 MB threshold: a bundled one, padded by a copy
# into a larger GeoTIFF (uncompressed).
gdal_translate -q -co COMPRESS=NONE "$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif" "$tmp/t.tif"
(($(stat -c %s "$tmp/t.tif") > 4194304)) || fail "test tile is too small for the cache"
source_of() { # PNG -> the value of satmark_tile_sha256_source
  LC_ALL=C grep -ao 'satmark_tile_sha256_source.[a-z]*' "$1" | head -1 | cut -c28-
}
"$SATMARK" render "$tmp/t.tif" -o "$tmp/a.png" --size 64x64 2>/dev/null
[[ $(source_of "$tmp/a.png") == computed ]] || fail "first render: $(source_of "$tmp/a.png")"
"$SATMARK" render "$tmp/t.tif" -o "$tmp/b.png" --size 64x64 2>/dev/null
[[ $(source_of "$tmp/b.png") == cache ]] || fail "second render: $(source_of "$tmp/b.png")"
"$SATMARK" render "$tmp/t.tif" -o "$tmp/c.png" --size 64x64 --verify-hash 2>/dev/null
[[ $(source_of "$tmp/c.png") == computed ]] || fail "--verify-hash: $(source_of "$tmp/c.png")"
printf '{"figures": [{"name": "d", "tile": "%s", "size": "64x64"}]}\n' "$tmp/t.tif" >"$tmp/m.manifest"
"$SATMARK" batch "$tmp/m.manifest" -o "$tmp/out" -j 1 2>/dev/null
[[ $(source_of "$tmp/out/d.png") == cache ]] || fail "batch: $(source_of "$tmp/out/d.png")"
[[ $(stat -c %a "$tmp/cache/sha256") == 700 ]] || fail "cache directory mode $(stat -c %a "$tmp/cache/sha256")"
for e in "$tmp"/cache/sha256/*; do
  [[ $(stat -c %a "$e") == 600 ]] || fail "entry $e mode $(stat -c %a "$e")"
done
# An entry others may write is not trusted: the hash is computed again.
chmod 0666 "$tmp"/cache/sha256/*
"$SATMARK" render "$tmp/t.tif" -o "$tmp/e.png" --size 64x64 2>/dev/null
[[ $(source_of "$tmp/e.png") == computed ]] || fail "untrusted entry used: $(source_of "$tmp/e.png")"
echo "hash_cache_figures: OK"
