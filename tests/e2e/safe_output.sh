#!/usr/bin/env bash
# Safe output and validation gaps: terminal escapes in ids, labels and class
# names from a file never reach the terminal raw (escaped in messages; ids
# with control characters refused); a non-JSON file's content is quoted by at
# most a few bytes; a GeoJSON bbox with south > north, hex floats in --point
# or --bbox, and zero-area polygons are refused.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?path of the satmark binary}"
: "${SATMARK_SRC:?source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
no_raw_controls() { # FILE WHAT: no ESC, BEL or CSI byte in FILE
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; then
    od -c "$1" | head >&2
    fail "$2: raw control characters in the output"
  fi
}
feature() { # ID CLASS LABEL GEOMETRY
  printf '{"type":"Feature","id":"%s","geometry":%s,"properties":{"class":"%s","label":"%s"}}' "$1" "$4" "$2" "$3"
}
pt='{"type":"Point","coordinates":[131.03,42.84]}'

# An id with a terminal title sequence: refused, and the message escaped.
printf '{"type":"FeatureCollection","features":[%s]}\n' \
  "$(feature '\u001b]0;PWNED\u0007' pier x "$pt")" >"$tmp/id.geojson"
rc=0; "$SATMARK" validate "$tmp/id.geojson" >"$tmp/out" 2>"$tmp/err" || rc=$?
((rc == 1)) || fail "control characters in an id: exit $rc"
grep -q 'contains control characters' "$tmp/err" || fail "id: no reason given: $(cat "$tmp/err")"
no_raw_controls "$tmp/err" "validate (id)"
no_raw_controls "$tmp/out" "validate (id) stdout"

# Escapes in a class name and a label: every message quoting them is escaped.
printf '{"type":"FeatureCollection","features":[%s]}\n' \
  "$(feature ok-1 'tank\u001b[31m' 'red\u001b[0m\u009b2J' "$pt")" >"$tmp/label.geojson"
expect_exit 0 "$SATMARK" validate "$tmp/label.geojson" >"$tmp/out" 2>"$tmp/err"
no_raw_controls "$tmp/err" "validate (class, label)"
no_raw_controls "$tmp/out" "validate (class, label) stdout"
expect_exit 0 "$SATMARK" render "$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif" "$tmp/label.geojson" \
  -o "$tmp/f.png" --size 64x64 >"$tmp/out" 2>"$tmp/err"
no_raw_controls "$tmp/err" "render (class, label)"

# mark refuses an id with control characters.
rc=0; "$SATMARK" mark "$tmp/new.geojson" add --class pier --point 131.03,42.84 --id $'a\033]0;x\007' \
  >"$tmp/out" 2>"$tmp/err" || rc=$?
((rc == 1)) || fail "mark --id with ESC: exit $rc"
no_raw_controls "$tmp/err" "mark --id"
[[ ! -e "$tmp/new.geojson" ]] || fail "mark --id with ESC created the file"

# A non-JSON file: at most a few bytes of it in the message.
printf 'supersecretpassword:$6$salt$hash:19000:0:99999:7:::\n' >"$tmp/shadow"
rc=0; "$SATMARK" validate "$tmp/shadow" 2>"$tmp/err" || rc=$?
((rc == 1)) || fail "non-JSON file: exit $rc"
grep -q 'supersecretp' "$tmp/err" && fail "non-JSON file: its content is quoted: $(cat "$tmp/err")"
printf '{"figures": 1}\nsupersecretpassword' >"$tmp/m.manifest"
"$SATMARK" batch "$tmp/m.manifest" -o "$tmp/o" 2>"$tmp/err" && fail "bad manifest accepted"
grep -q 'supersecretp' "$tmp/err" && fail "manifest: content quoted: $(cat "$tmp/err")"

# A GeoJSON bbox with south > north.
printf '{"type":"FeatureCollection","bbox":[131,43,132,42],"features":[%s]}\n' \
  "$(feature b-1 pier x "$pt")" >"$tmp/bbox.geojson"
rc=0; "$SATMARK" validate "$tmp/bbox.geojson" >/dev/null 2>"$tmp/err" || rc=$?
((rc == 1)) || fail "bbox south > north: exit $rc"
grep -q 'south' "$tmp/err" || fail "bbox: reason not named: $(cat "$tmp/err")"
printf '{"type":"FeatureCollection","bbox":[179,42,-179,43],"features":[%s]}\n' \
  "$(feature b-1 pier x "$pt")" >"$tmp/bbox-am.geojson"
"$SATMARK" validate "$tmp/bbox-am.geojson" >/dev/null 2>&1 || fail "antimeridian bbox (west > east) refused"

# Hex floats: refused in --point and --bbox.
rc=0; "$SATMARK" mark "$tmp/hex.geojson" add --class pier --point 0x1p4,0x1p3 >/dev/null 2>&1 || rc=$?
((rc != 0)) || fail "--point 0x1p4,0x1p3 accepted"
[[ ! -e "$tmp/hex.geojson" ]] || fail "hex --point created the file"
rc=0; "$SATMARK" render "$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif" -o "$tmp/h.png" \
  --bbox 0x1p7,0x1p5,0x1.08p7,0x1.5p5 >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "--bbox with hex floats: exit $rc, expected 2"

# Zero-area polygons: collinear, and all one point.
for poly in "131,42 131.1,42.1 131.2,42.2" "131,42 131,42 131,42"; do
  # shellcheck disable=SC2086 # positions are separate arguments
  rc=0; "$SATMARK" mark "$tmp/zero.geojson" add --class aoi --polygon $poly >/dev/null 2>"$tmp/err" || rc=$?
  ((rc == 1)) || fail "zero-area polygon ($poly): exit $rc"
  grep -q 'no area' "$tmp/err" || fail "zero-area: reason not named: $(cat "$tmp/err")"
done
printf '{"type":"FeatureCollection","features":[%s]}\n' \
  "$(feature z-1 aoi x '{"type":"Polygon","coordinates":[[[131,42],[131.1,42.1],[131.2,42.2],[131,42]]]}')" >"$tmp/zero.geojson"
rc=0; "$SATMARK" validate "$tmp/zero.geojson" >/dev/null 2>&1 || rc=$?
((rc == 1)) || fail "zero-area polygon in a file: exit $rc"
# A claims catalog whose text carries a terminal escape: refused (the
# claims report and figure captions print catalog text).
python3 - "$SATMARK_SRC/annotations/claims.json" "$tmp/claims.json" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
cat["sources"][0]["headline"] += "\u001b]0;PWNED\u0007"
json.dump(cat, open(sys.argv[2], "w"))
PY
rc=0; "$SATMARK" claims "$tmp/claims.json" "$SATMARK_SRC/annotations/dunai.geojson" >"$tmp/out" 2>"$tmp/err" || rc=$?
((rc == 1)) || fail "catalog with an escape in a headline: exit $rc"
grep -q 'control character' "$tmp/err" || fail "catalog: reason not named: $(cat "$tmp/err")"
no_raw_controls "$tmp/out" "claims report"
no_raw_controls "$tmp/err" "claims report stderr"

# Integers of 2^63 and more are valid JSON: read (as doubles, with a warning).
printf '{"type":"FeatureCollection","satmark":{"version":1},"features":[{"type":"Feature","id":"p-1","geometry":%s,"properties":{"class":"pier","count":18446744073709551616}}]}\n' \
  "$pt" >"$tmp/big.geojson"
"$SATMARK" validate "$tmp/big.geojson" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "integer >= 2^63 refused"; }
grep -q 'beyond 64 bits' "$tmp/err" || fail "integer >= 2^63: no warning"
"$SATMARK" mark "$tmp/big.geojson" add --class ship --point 131.031,42.841 >/dev/null 2>&1 ||
  fail "mark on a file with an integer >= 2^63 failed"
echo "safe_output: OK"
