#!/usr/bin/env bash
# Every file of tests/data/geojson/bad (the shared bad-geojson set) meets the
# outcome its README asks for: errors exit 1 with "FILE:LINE:COLUMN: reason"
# on stderr; the edge cases RFC 7946 says to accept exit 0 with a warning.
# Also: the 100000-deep file must not overflow the stack (it runs under ASan
# in the sanitizer build), and nothing may hang (timeout).
set -euo pipefail
: "${SATMARK:?path of the satmark binary}" "${SATMARK_TEST_DATA:?tests/data}"
dir="$SATMARK_TEST_DATA/geojson/bad"
failures=0

# file | expect (error/warn) | text the message must contain
cases=(
  "empty-file.geojson|error|empty file"
  "json-trailing-comma.geojson|error|expected"
  "truncated-mid-document.geojson|error|end of file"
  "nan-literal.geojson|error|NaN"
  "missing-type-geometry.geojson|error|no \"type\""
  "polygon-ring-unclosed.geojson|error|not closed"
  "lat-beyond-pole.geojson|error|beyond the pole"
  "latlon-swapped-out-of-range.geojson|error|longitude first"
  "non-utf8-latin1.geojson|error|UTF-8"
  "duplicate-json-keys.geojson|error|duplicate"
  "nested-arrays-depth-100000.geojson|error|depth"
  "utf8-bom.geojson|warn|byte order mark"
  "winding-exterior-clockwise.geojson|warn|winding corrected"
  "position-4d.geojson|warn|4 numbers"
)

checked=0
for entry in "${cases[@]}"; do
  IFS='|' read -r name expect text <<<"$entry"
  file="$dir/$name"
  [[ -f "$file" ]] || { echo "FAIL: missing test file $file"; failures=$((failures + 1)); continue; }
  set +e
  out=$(cd "$dir" && timeout 60 "$SATMARK" validate "$name" 2>&1)
  rc=$?
  set -e
  checked=$((checked + 1))
  if [[ $expect == error ]]; then
    if [[ $rc -ne 1 ]]; then
      echo "FAIL: $name: exit $rc, expected 1"; echo "$out"; failures=$((failures + 1)); continue
    fi
    if ! grep -Eq "^$name:[0-9]+:[0-9]+: " <<<"$out"; then
      echo "FAIL: $name: no FILE:LINE:COLUMN message"; echo "$out"; failures=$((failures + 1)); continue
    fi
  else
    if [[ $rc -ne 0 ]]; then
      echo "FAIL: $name: exit $rc, expected 0 (accepted with a warning)"; echo "$out"
      failures=$((failures + 1)); continue
    fi
    if ! grep -q "^warning: " <<<"$out" || ! grep -q "^$name: ok (1 feature" <<<"$out"; then
      echo "FAIL: $name: expected a warning and an ok line"; echo "$out"; failures=$((failures + 1)); continue
    fi
  fi
  if ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: $name: message lacks \"$text\""; echo "$out"; failures=$((failures + 1)); continue
  fi
done

# Every file in the folder has an expectation above (a new file must get one).
for f in "$dir"/*; do
  name=$(basename "$f")
  printf "%s\n" "${cases[@]}" | grep "^$name|" >/dev/null || { echo "FAIL: no expectation for $name"; failures=$((failures + 1)); }
done

# A file that is not there and a directory fail cleanly too.
set +e
out=$(timeout 60 "$SATMARK" validate "$dir/does-not-exist.geojson" 2>&1); rc=$?
set -e
[[ $rc -eq 1 && $out == *"does-not-exist.geojson: cannot open"* ]] || { echo "FAIL: missing file: rc=$rc $out"; failures=$((failures + 1)); }

# Several files at once: one error makes the exit status 1, the good ones still print ok.
set +e
out=$(cd "$dir" && timeout 60 "$SATMARK" validate utf8-bom.geojson nan-literal.geojson 2>&1); rc=$?
set -e
[[ $rc -eq 1 && $out == *"utf8-bom.geojson: ok"* && $out == *"nan-literal.geojson:1:"* ]] ||
  { echo "FAIL: mixed run: rc=$rc $out"; failures=$((failures + 1)); }

if [[ $failures -ne 0 ]]; then
  echo "validate_bad_geojson: $failures failure(s)"
  exit 1
fi
echo "validate_bad_geojson: $checked files as expected"
