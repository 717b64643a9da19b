#!/usr/bin/env bash
# e2e: `satmark export` to .geojson, .kml, .gpkg and .fgb. The GeoJSON must pass
# two independent validators (geojsonhint and @placemarkio/check-geojson,
# installed by scripts/install-deps.sh into .cache/npm); every output must read
# back through OGR (ogrinfo) with the input's feature count and all export
# attributes. Runs on the test fixture and, when present, on the bundled
# annotations/*.geojson with annotations/claims.json.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?}" "${SATMARK_SRC:?}" "${SATMARK_TEST_DATA:?}"
npm_dir="$SATMARK_SRC/.cache/npm/node_modules"
fixture="$SATMARK_TEST_DATA/claims"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

if [[ ! -x "$npm_dir/.bin/geojsonhint" || ! -d "$npm_dir/@placemarkio/check-geojson" ]]; then
  skip_test "GeoJSON validators missing in $npm_dir (scripts/install-deps.sh installs them)"
fi

fields=(id class label note observed observations claims claim_ids stances citations
        created modified author source_file)

# Features in the input files, counted by node's JSON parser (not ours).
count_features() {
  node -e 'let n = 0; for (const f of process.argv.slice(1))
             n += JSON.parse(require("fs").readFileSync(f, "utf8")).features.length;
           console.log(n)' "$@"
}

validate_geojson() {
  local file=$1 out
  # geojsonhint exits 0 on "message" level findings (e.g. the right-hand
  # rule), so any output at all counts as a failure.
  if ! out=$(timeout 120 "$npm_dir/.bin/geojsonhint" -f compact "$file" 2>&1) || [[ -n "$out" ]]; then
    fail "geojsonhint on $file: $out"
  fi
  if ! out=$(timeout 120 node -e '
      const { getIssues } = require(process.argv[1]);
      const issues = getIssues(require("fs").readFileSync(process.argv[2], "utf8"));
      for (const i of issues) console.log(JSON.stringify(i));
      process.exit(issues.length ? 1 : 0);' "$npm_dir/@placemarkio/check-geojson" "$file" 2>&1); then
    fail "check-geojson on $file: $out"
  fi
}

# ogrinfo -al -so: total feature count over all layers (KML has one per class
# folder) and every export attribute present in every layer.
check_readback() {
  local file=$1 expected=$2 info total layers
  if ! info=$(timeout 120 ogrinfo -ro -al -so "$file" 2>&1); then
    fail "ogrinfo cannot read $file: $info"; return
  fi
  total=$(awk '/^Feature Count:/ { n += $3 } END { print n + 0 }' <<<"$info")
  [[ "$total" == "$expected" ]] || fail "$file: ogrinfo counts $total features, expected $expected"
  layers=$(grep -c '^Layer name:' <<<"$info")
  for f in "${fields[@]}"; do
    local seen
    seen=$(grep -c "^$f: " <<<"$info" || true)
    [[ "$seen" == "$layers" ]] || fail "$file: attribute '$f' in $seen of $layers layers"
  done
}

run_set() {
  local name=$1 catalog=$2; shift 2
  local expected
  expected=$(count_features "$@")
  [[ "$expected" -gt 0 ]] || fail "$name: no features in the inputs"
  for ext in geojson kml gpkg fgb; do
    local out="$work/$name.$ext"
    if ! timeout 300 "$SATMARK" export "$@" --claims "$catalog" -o "$out" 2>"$work/err"; then
      fail "$name: export to .$ext failed: $(cat "$work/err")"; continue
    fi
    [[ -s "$out" ]] || { fail "$name: $out is empty"; continue; }
    [[ "$ext" == geojson ]] && validate_geojson "$out"
    check_readback "$out" "$expected"
  done
  echo "ok: $name ($expected features)"
}

run_set fixture "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson"

# The citations must survive into every format: the ship's claim text and its
# source outlet, read back through OGR.
for ext in geojson gpkg fgb kml; do
  got=$(ogrinfo -ro -al "$work/fixture.$ext" 2>/dev/null | grep -m1 '  citations (String) = supports fixture-ships-at-least-2' || true)
  [[ "$got" == *"At least two ships"*"Newsweek"* ]] || fail "fixture.$ext: ship-1 citations not read back ($got)"
done

# The exported GeoJSON is still an annotation file: the claims report on it
# gives the same verdicts as on the inputs.
verdicts() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
           console.log(r.claims.map(c => c.id + "=" + c.status + "/" + (c.check ? c.check.verdict : "-")).join(" "))'
}
a=$(timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson" --json 2>/dev/null | verdicts)
b=$(timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$work/fixture.geojson" --json 2>/dev/null | verdicts)
[[ -n "$a" && "$a" == "$b" ]] || fail "claims on the export differ: '$a' vs '$b'"

shopt -s nullglob
bundled=("$SATMARK_SRC"/annotations/*.geojson)
if ((${#bundled[@]})) && [[ -f "$SATMARK_SRC/annotations/claims.json" ]]; then
  run_set bundled "$SATMARK_SRC/annotations/claims.json" "${bundled[@]}"
else
  fail "no bundled annotations/*.geojson and annotations/claims.json (they are part of the repository)"
fi

if ((failures)); then
  echo "export_formats: $failures failure(s)" >&2
  exit 1
fi
echo "export_formats: all passed"
