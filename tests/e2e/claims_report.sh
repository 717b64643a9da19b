#!/usr/bin/env bash
# e2e: `satmark claims` on the fixture, where every answer is known. The
# counts (per image, as before):
#   fixture-pits-over-100     101 pits inside the depot on the October image
#                             (3 in the depot's hole, 4 outside, 6 on an August
#                             image outside the window do not count): holds
#   fixture-ships-at-least-2  1 ship inside the berth (the other is outside): fails
#   fixture-rail-cars         area "fixture-yard" not marked: undetermined
# and what they are worth depends on the imagery they rest on:
#   no register        every observation unregistered: nothing supported,
#                      every check undetermined
#   register, real     supported / contested / check consistent, inconsistent
#   register, synthetic  only "illustrative": never supported, never consistent
# plus the discrepancy, the defaults (annotations/ in the current directory),
# the bundled catalog (no "supported" claim, says "synthetic"), and errors.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}" "${SATMARK_TEST_DATA:?}"
fixture="$SATMARK_TEST_DATA/claims"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Each line: "claim-id status verdict count-per-image links..." computed by node from the JSON.
summarise() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const c of r.claims) {
      const counts = c.check ? c.check.counts.map(x => x.image + "=" + x.count).join(",") : "-";
      console.log([c.id, c.status, c.check ? c.check.verdict : "-", counts || "none",
                   c.links.supports.length, c.links.contradicts.length, c.links.context.length].join(" "));
    }
    for (const d of r.discrepancies) console.log(["disc", d.id, d.claims.map(x => x.id).join(",")].join(" "));
  ' "$1"
}
expect_summary() { # name json expected
  local got; got=$(summarise "$2") || { fail "$1: the JSON report does not parse"; return; }
  if [[ "$got" != "$3" ]]; then fail "$1: report differs:"; diff <(echo "$3") <(echo "$got") >&2 || true; fi
}

# ---- no register beside the fixture: nothing can be supported ----------------
timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson" \
  --json >"$work/report.json" 2>"$work/err" || fail "claims --json failed: $(cat "$work/err")"
expect_summary unregistered "$work/report.json" 'fixture-pits-over-100 no_evidence undetermined depot_2023-10-16.tif=101 3 0 1
fixture-ships-at-least-2 no_evidence undetermined port_2023-11-20.tif=1 1 0 1
fixture-containers-loaded no_evidence - - 1 0 2
fixture-name-variant not_observable - - 0 1 0
fixture-rail-cars no_evidence undetermined none 0 0 0
disc fixture-ship-name fixture-containers-loaded,fixture-name-variant'
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const c = r.claims.find(x => x.id === "fixture-pits-over-100");
  if (!/unregistered/.test(c.reason) || !/unregistered/.test(c.check.reason) ||
      r.imagery.unregistered !== 3 || r.imagery.tiles !== 3) process.exit(1);' "$work/report.json" ||
  fail "unregistered: reasons or imagery summary do not say unregistered"

# Text output carries the same, and opens with the imagery.
timeout 120 "$SATMARK" claims "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson" \
  >"$work/report.txt" 2>"$work/err" || fail "claims (text) failed: $(cat "$work/err")"
head -1 "$work/report.txt" | grep -q "^imagery: 3 tiles, none registered" ||
  fail "text does not open with the imagery: $(head -1 "$work/report.txt")"
for needle in "check result: undetermined" "depot_2023-10-16.tif (2023-10-16, unregistered): 101  (not evidence)" \
              "fixture-ship-name  [name]" "discrepancy fixture-ship-name [name]" \
              "checks: 0 consistent, 0 inconsistent, 3 undetermined, 0 illustrative"; do
  grep -qF -- "$needle" "$work/report.txt" || fail "text report lacks '$needle'"
done

# ---- a register saying the fixture's images are real ----------------------------
register() { # dir synthetic(true|false)
  node -e '
    const [dir, syn] = process.argv.slice(1);
    const imgs = [["depot_2023-10-16.tif", "2023-10-16"], ["depot_2023-08-01.tif", "2023-08-01"],
                  ["port_2023-11-20.tif", "2023-11-20"]];
    const images = imgs.map(([f, d], i) => ({id: f.replace(/\.tif$/, ""), file: f,
      sha256: String(i + 1).repeat(64), size: 1, acquired: d, acquired_from: "given",
      synthetic: syn === "true"}));
    require("fs").writeFileSync(dir + "/imagery.json", JSON.stringify({satmark_imagery: 1, images}, null, 1));
  ' "$1" "$2"
}
for kind in real synthetic; do
  mkdir -p "$work/$kind"
  cp "$fixture/catalog.json" "$fixture/depot.geojson" "$fixture/port.geojson" "$work/$kind/"
  register "$work/$kind" "$([[ $kind == synthetic ]] && echo true || echo false)"
  timeout 120 "$SATMARK" claims "$work/$kind/catalog.json" "$work/$kind/depot.geojson" "$work/$kind/port.geojson" \
    --json >"$work/$kind.json" 2>"$work/err" || fail "claims ($kind register) failed: $(cat "$work/err")"
done
expect_summary real "$work/real.json" 'fixture-pits-over-100 supported consistent depot_2023-10-16.tif=101 3 0 1
fixture-ships-at-least-2 contested inconsistent port_2023-11-20.tif=1 1 0 1
fixture-containers-loaded supported - - 1 0 2
fixture-name-variant not_observable - - 0 1 0
fixture-rail-cars no_evidence undetermined none 0 0 0
disc fixture-ship-name fixture-containers-loaded,fixture-name-variant'
expect_summary synthetic "$work/synthetic.json" 'fixture-pits-over-100 illustrative illustrative depot_2023-10-16.tif=101 3 0 1
fixture-ships-at-least-2 illustrative illustrative port_2023-11-20.tif=1 1 0 1
fixture-containers-loaded illustrative - - 1 0 2
fixture-name-variant not_observable - - 0 1 0
fixture-rail-cars no_evidence undetermined none 0 0 0
disc fixture-ship-name fixture-containers-loaded,fixture-name-variant'
timeout 120 "$SATMARK" claims "$work/synthetic/catalog.json" "$work/synthetic/depot.geojson" \
  "$work/synthetic/port.geojson" >"$work/synthetic.txt"
head -1 "$work/synthetic.txt" | grep -qF "imagery: 3 tiles, all synthetic: no claim can be supported by them." ||
  fail "synthetic text opening: $(head -1 "$work/synthetic.txt")"
if grep -qE "consistent \(|\[supported\]" "$work/synthetic.txt"; then
  fail "synthetic report calls something consistent or supported"
fi

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
[[ "$n" == "2 0" ]] || fail "defaults: expected 2 files and no consistent check (no register), got $n"
# The register beside the default files is found too.
register "$work/proj/annotations" false
(cd "$work/proj" && timeout 120 "$SATMARK" claims --json >"$work/r4.json") || fail "claims with defaults and a register failed"
n=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             console.log(r.imagery.registers.length + " " + r.claims.filter(c => c.check && c.check.verdict === "consistent").length)' "$work/r4.json")
[[ "$n" == "1 1" ]] || fail "defaults with a register: expected 1 register and 1 consistent check, got $n"

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

# The bundled demo: synthetic tiles, so no claim is supported and the report
# says so. Its register is annotations/imagery.json when bundled; otherwise the
# tiles are registered here (their metadata makes them synthetic).
if [[ -f "$SATMARK_SRC/annotations/claims.json" ]]; then
  bundled="$work/bundled"
  mkdir -p "$bundled"
  cp "$SATMARK_SRC"/annotations/*.geojson "$SATMARK_SRC/annotations/claims.json" "$bundled/"
  if [[ -f "$SATMARK_SRC/annotations/imagery.json" ]]; then
    reg="$SATMARK_SRC/annotations/imagery.json"
  else
    reg="$bundled/imagery.json"
    SATMARK_USER=tester timeout 300 "$SATMARK" imagery add "$SATMARK_SRC"/assets/tiles/*.tif --register "$reg" \
      >/dev/null 2>"$work/err" || fail "registering the bundled tiles: $(cat "$work/err")"
  fi
  timeout 120 "$SATMARK" validate "$SATMARK_SRC"/annotations/*.geojson "$SATMARK_SRC/annotations/claims.json" \
    >/dev/null 2>"$work/err" || fail "bundled data does not validate: $(cat "$work/err")"
  timeout 120 "$SATMARK" claims "$bundled/claims.json" "$bundled"/*.geojson --imagery "$reg" --json \
    >"$work/bundled.json" 2>"$work/err" || fail "bundled catalog: $(cat "$work/err")"
  timeout 120 "$SATMARK" claims "$bundled/claims.json" "$bundled"/*.geojson --imagery "$reg" \
    >"$work/bundled.txt" 2>"$work/err" || fail "bundled catalog (text): $(cat "$work/err")"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const bad = [];
    const by = {};
    for (const c of r.claims) by[c.status] = (by[c.status] || 0) + 1;
    if (by.supported || by.contradicted) bad.push("supported/contradicted on synthetic imagery: " + JSON.stringify(by));
    if (!by.illustrative) bad.push("no illustrative claim: " + JSON.stringify(by));
    if (r.claims.some(c => c.check && c.check.verdict === "consistent")) bad.push("a consistent check");
    if (r.imagery.synthetic !== r.imagery.tiles || r.imagery.tiles < 1) bad.push("imagery " + JSON.stringify(r.imagery));
    const pits = r.claims.find(c => c.id === "dunai-pits-over-100");
    if (pits && pits.status !== "contested") bad.push("dunai-pits-over-100 is " + pits.status + ", not contested");
    if (bad.length) { console.log(bad.join("; ")); process.exit(1); }' "$work/bundled.json" >"$work/out" ||
    fail "bundled report: $(cat "$work/out")"
  grep -q "synthetic" <(head -1 "$work/bundled.txt") || fail "bundled text does not open saying synthetic: $(head -1 "$work/bundled.txt")"
  if grep -q "\[supported\]" "$work/bundled.txt"; then fail "bundled text has a supported claim"; fi
fi

if ((failures)); then
  echo "claims_report: $failures failure(s)" >&2
  exit 1
fi
echo "claims_report: all passed"
