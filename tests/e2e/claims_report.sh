#!/usr/bin/env bash
# e2e: `satmark claims` on the fixture, where every answer is known:
#   fixture-pits-over-100     101 pits inside the depot on the October image
#                             (3 in the depot's hole, 4 outside, 6 on an August
#                             image outside the window do not count) -> consistent
#   fixture-ships-at-least-2  1 ship inside the berth (the other is outside) -> inconsistent
#   fixture-rail-cars         area "fixture-yard" not marked -> undetermined
# plus evidence statuses, the discrepancy, the defaults (annotations/ in the
# current directory), the bundled catalog when present, and errors.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}" "${SATMARK_TEST_DATA:?}"
fixture="$SATMARK_TEST_DATA/claims"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson" \
  --json >"$work/report.json" 2>"$work/err" || fail "claims --json failed: $(cat "$work/err")"

# Each line: "claim-id status verdict count-per-image..." computed by node from the JSON.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const c of r.claims) {
    const counts = c.check ? c.check.counts.map(x => x.image + "=" + x.count).join(",") : "-";
    console.log([c.id, c.status.replace(/ /g, "_"), c.check ? c.check.verdict : "-", counts || "none",
                 c.links.supports.length, c.links.contradicts.length, c.links.context.length].join(" "));
  }
  for (const d of r.discrepancies) console.log(["disc", d.id, d.claims.map(x => x.id).join(",")].join(" "));
' "$work/report.json" >"$work/summary" || fail "the JSON report does not parse"

expected='fixture-pits-over-100 supported consistent depot_2023-10-16.tif=101 3 0 1
fixture-ships-at-least-2 supported inconsistent port_2023-11-20.tif=1 1 0 1
fixture-containers-loaded supported - - 1 0 2
fixture-name-variant contradicted - - 0 1 0
fixture-rail-cars no_evidence undetermined none 0 0 0
disc fixture-ship-name fixture-containers-loaded,fixture-name-variant'
if [[ "$(cat "$work/summary")" != "$expected" ]]; then
  fail "report differs:"; diff <(echo "$expected") "$work/summary" >&2 || true
fi

# Text output carries the same verdicts.
timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson" \
  >"$work/report.txt" 2>"$work/err" || fail "claims (text) failed: $(cat "$work/err")"
for needle in "verdict: consistent" "verdict: inconsistent" "verdict: undetermined" \
              "depot_2023-10-16.tif (2023-10-16): 101  holds" "fixture-ship-name  [name]" \
              "checks: 1 consistent, 1 inconsistent, 1 undetermined"; do
  grep -qF -- "$needle" "$work/report.txt" || fail "text report lacks '$needle'"
done

# Without the depot file the pit claim has no area: undetermined.
timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$fixture/port.geojson" --json >"$work/r2.json"
v=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             console.log(r.claims.find(c => c.id === "fixture-pits-over-100").check.verdict)' "$work/r2.json")
[[ "$v" == undetermined ]] || fail "pits without the depot: verdict $v, expected undetermined"

# Defaults: annotations/claims.json and annotations/*.geojson in the current directory.
mkdir -p "$work/proj/annotations"
cp "$fixture/catalog.json" "$work/proj/annotations/claims.json"
cp "$fixture/depot.geojson" "$fixture/port.geojson" "$work/proj/annotations/"
(cd "$work/proj" && timeout 120 "$SATMARK" claims --json >"$work/r3.json") || fail "claims with defaults failed"
n=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             console.log(r.annotations.length + " " + r.claims.filter(c => c.check && c.check.verdict === "consistent").length)' "$work/r3.json")
[[ "$n" == "2 1" ]] || fail "defaults: expected 2 files and 1 consistent check, got $n"

# Errors: a broken catalog names file:line:column; a missing file exits 1.
printf '{\n  "satmark_claims": 1,\n  "sources": [,]\n}\n' >"$work/broken.json"
rc=0; "$SATMARK" claims "$work/broken.json" "$fixture/port.geojson" 2>"$work/err" >/dev/null || rc=$?
[[ $rc == 1 ]] || fail "broken catalog: exit $rc, expected 1"
grep -q "broken.json:3:[0-9]*:" "$work/err" || fail "broken catalog: no file:line:column in: $(cat "$work/err")"
sed 's/"sources": \["uk-defence-intelligence"\]/"sources": ["nobody"]/' "$fixture/catalog.json" >"$work/badref.json"
rc=0; "$SATMARK" claims "$work/badref.json" "$fixture/port.geojson" 2>"$work/err" >/dev/null || rc=$?
[[ $rc == 1 ]] && grep -q 'claims\[2\] "fixture-containers-loaded": sources: unknown source "nobody"' "$work/err" ||
  fail "unknown source: exit $rc, stderr $(cat "$work/err")"
rc=0; "$SATMARK" claims "$fixture/catalog.json" "$work/missing.geojson" 2>"$work/err" >/dev/null || rc=$?
[[ $rc == 1 ]] && grep -q "missing.geojson" "$work/err" || fail "missing file: exit $rc, stderr $(cat "$work/err")"
rc=0; "$SATMARK" claims --bogus 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "unknown option: exit $rc, expected 2"

# The bundled catalog validates and evaluates (whatever the verdicts).
if [[ -f "$SATMARK_SRC/annotations/claims.json" ]]; then
  (cd "$SATMARK_SRC" && timeout 120 "$SATMARK" claims --json >"$work/bundled.json" 2>"$work/err") ||
    fail "bundled catalog: $(cat "$work/err")"
fi

if ((failures)); then
  echo "claims_report: $failures failure(s)" >&2
  exit 1
fi
echo "claims_report: all passed"
