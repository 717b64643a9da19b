#!/usr/bin/env bash
# png_same — the e2e tests' figure comparison (tests/tools/png_same.c) says
# "same" for equal bytes and for the same figure whose image data is deflated
# differently (the known igzip variance, noted on stderr), and "different"
# for a changed pixel, a changed text chunk or a missing chunk.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_BUILD:?}" "${SATMARK_TEST_DATA:?}" "${SATMARK_SRC:?}"
export SATMARK_ASSETS="$SATMARK_SRC/assets"
same=$SATMARK_BUILD/tests/png_same
[[ -x $same ]] || { echo "png_same: FAIL: $same not built" >&2; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing (scripts/install-deps.sh installs it)"; exit 77; }
tmp=$(mktemp -d /tmp/satmark-e2e-png-same-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "png_same: FAIL: $*" >&2; exit 1; }

convert -size 300x300 -seed 5 plasma:fractal -depth 8 "$tmp/src.png"
gdal_translate -q -of GTiff -a_srs EPSG:32652 -a_ullr 581500 4679000 582700 4677800 \
  -mo ACQUISITION_DATE=2024-03-17 -mo SATMARK_SYNTHETIC=YES "$tmp/src.png" "$tmp/tile.tif"
timeout 60 "$SATMARK" render "$tmp/tile.tif" "$SATMARK_TEST_DATA/render/marks.geojson" \
  -o "$tmp/a.png" --size 300x300 2>"$tmp/err" || { cat "$tmp/err"; fail "render"; }

# Rewrites a.png: its IDAT data inflated, passed through a change (none,
# one byte of a scanline, one byte of the first tEXt, the first tEXt left
# out), deflated at level 9 and cut into as many IDAT chunks as before.
variant() {
  python3 - "$tmp/a.png" "$tmp/$1.png" "$1" <<'PY'
import struct, sys, zlib
src, dst, how = sys.argv[1:]
data = open(src, "rb").read()
chunks, p = [], 8
while p < len(data):
    n, = struct.unpack(">I", data[p:p + 4])
    chunks.append((data[p + 4:p + 8], data[p + 8:p + 8 + n]))
    p += 12 + n
idat = [i for i, (t, _) in enumerate(chunks) if t == b"IDAT"]
raw = bytearray(zlib.decompress(b"".join(chunks[i][1] for i in idat)))
if how == "pixel":
    raw[len(raw) // 2] ^= 1
z = zlib.compress(bytes(raw), 9)
assert z != b"".join(chunks[i][1] for i in idat), "level 9 gave the same stream"
k = len(idat)
parts = [z[j * len(z) // k:(j + 1) * len(z) // k] for j in range(k)]
for i, part in zip(idat, parts):
    chunks[i] = (b"IDAT", part)
if how == "text":
    t = next(i for i, (ty, _) in enumerate(chunks) if ty == b"tEXt")
    body = bytearray(chunks[t][1]); body[-1] ^= 1; chunks[t] = (b"tEXt", bytes(body))
if how == "dropped":
    del chunks[next(i for i, (ty, _) in enumerate(chunks) if ty == b"tEXt")]
out = bytearray(data[:8])
for t, body in chunks:
    out += struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body))
open(dst, "wb").write(out)
PY
}

"$same" "$tmp/a.png" "$tmp/a.png" 2>"$tmp/err" || fail "a file against itself: $(cat "$tmp/err")"
[[ -s $tmp/err ]] && fail "equal bytes noted: $(cat "$tmp/err")"

variant encoded
cmp -s "$tmp/a.png" "$tmp/encoded.png" && fail "the re-encoded file has the same bytes"
"$same" "$tmp/a.png" "$tmp/encoded.png" 2>"$tmp/err" || fail "re-encoded figure: $(cat "$tmp/err")"
grep -q "differ only in the deflate encoding" "$tmp/err" || fail "the re-encoding is not noted"

for how in pixel text dropped; do
  variant "$how"
  if "$same" "$tmp/a.png" "$tmp/$how.png" 2>"$tmp/err"; then fail "$how: called the same"; fi
  [[ -s $tmp/err ]] || fail "$how: no reason given"
done
grep -q "different image data" <("$same" "$tmp/a.png" "$tmp/pixel.png" 2>&1 || true) || fail "pixel: wrong reason"
grep -q "differ in chunk tEXt" <("$same" "$tmp/a.png" "$tmp/text.png" 2>&1 || true) || fail "text: wrong reason"
rc=0; "$same" "$tmp/a.png" "$tmp/missing.png" 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "a missing file: exit $rc, not 2"
echo "png_same: ok"
