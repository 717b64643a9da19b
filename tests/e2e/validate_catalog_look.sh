#!/usr/bin/env bash
# e2e: `satmark validate` tells a claims catalog from an annotation file by
# a first look for the "satmark_claims" key, done in 8 MiB windows over the
# mapped file (cmd_validate.c). The look must find the key wherever it is:
# here a catalog whose key starts 5 bytes before the first window's end
# (across the windows), one whose key starts exactly at the second window,
# and one within the first window; each is checked as a catalog. An
# annotation file that only mentions the key in a property is still read as
# annotations, and several files given together are each looked at once.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# a catalog (the bundled one) with a padding member first, so that its key
# starts at the given byte offset
padded_catalog() { # offset out
  python3 - "$SATMARK_SRC/annotations/claims.json" "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
offset, out = int(sys.argv[2]), sys.argv[3]
del doc["satmark_claims"]
head, tail, key = '{"note": "', '", ', '"satmark_claims"'
text = head + "x" * (offset - len(head) - len(tail)) + tail + key + ": 1, " + json.dumps(doc)[1:]
assert text.index(key) == offset
open(out, "w").write(text)
PY
}

window=$((8 << 20))
for offset in $((window - 5)) $window 1000; do
  padded_catalog "$offset" "$work/cat-$offset.json"
  out=$("$SATMARK" validate "$work/cat-$offset.json" 2>"$work/err") ||
    fail "key at byte $offset: not validated as a catalog: $(cat "$work/err")"
  [[ $out == *"ok (claims catalog:"* ]] || fail "key at byte $offset: read as something else: $out"
done

# the key inside a property value is not a catalog's member
cat >"$work/marks.geojson" <<'EOF'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": "m-1", "properties": {"class": "ship", "note": "\"satmark_claims\""},
  "geometry": {"type": "Point", "coordinates": [130.3, 42.2]}}]}
EOF
out=$("$SATMARK" validate "$work/marks.geojson" 2>"$work/err") || fail "annotations: $(cat "$work/err")"
[[ $out == *"marks.geojson: ok"* && $out != *"claims catalog"* ]] || fail "annotations read as: $out"

# together: the catalog among the files links the annotations, each file once
out=$("$SATMARK" validate "$work/marks.geojson" "$work/cat-1000.json" 2>"$work/err") ||
  fail "together: $(cat "$work/err")"
[[ $(grep -c "claims catalog" <<<"$out") == 1 && $(grep -c "marks.geojson: ok" <<<"$out") == 1 ]] ||
  fail "together: $out"

[[ $failures == 0 ]] || exit 1
echo "validate_catalog_look: ok"
