#!/usr/bin/env bash
# e2e: the whole path from a real raster to "supported" and "contradicted",
# as a user would walk it, in a temporary investigation:
#   1. register tests/data/L7_ETMs.tif (real USGS Landsat 7 ETM+, public
#      domain; tests/data/LICENSES.md) with a given acquisition date (its
#      metadata has none; the date is the test's, not the scene's), and a
#      copy flagged SATMARK_SYNTHETIC=YES (registered synthetic automatically);
#   2. build a catalog with `satmark catalog` (article file, URL source with
#      an archived copy, derived_from lineage) and check `validate`;
#   3. mark features on the real tile with `satmark mark --pixel`, linked to
#      the claims, and read `satmark claims --json`:
#        harbour-ship     supports, in the window       -> supported
#        pier-empty       contradicts, in the window    -> contradicted
#        ship-name        imagery "no"                  -> not_observable (validate warns)
#        later-visit      window in 2001                -> no_evidence
#        either-harbour   supports, but a place discrepancy -> contested
#        other-harbour    the other side, no marks      -> contested
#   4. the same marks on the synthetic copy give only "illustrative", and no
#      register at all gives nothing supported.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_TEST_DATA:?}"
command -v gdal_translate >/dev/null || { echo "SKIP: gdal_translate (gdal-bin) missing"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
export SATMARK_USER=tester SATMARK_AUTHOR=tester

inv="$work/inv"
mkdir -p "$inv/annotations" "$inv/tiles" "$inv/articles"
cp "$SATMARK_TEST_DATA/L7_ETMs.tif" "$inv/tiles/landsat.tif"
gdal_translate -q -mo SATMARK_SYNTHETIC=YES "$inv/tiles/landsat.tif" "$inv/tiles/landsat_synthetic.tif"
reg="$inv/annotations/imagery.json"
"$SATMARK" imagery add "$inv/tiles/landsat.tif" --register "$reg" --acquired 2000-02-14 --real \
  --provider "USGS Landsat 7 ETM+" --licence "public domain (USGS)" >/dev/null ||
  fail "imagery add (real) failed"
"$SATMARK" imagery add "$inv/tiles/landsat_synthetic.tif" --register "$reg" --acquired 2000-02-14 \
  >/dev/null || fail "imagery add (synthetic) failed"

# ---- catalog, built by command -------------------------------------------
cat="$inv/annotations/claims.json"
echo "A wire report says a ship was in the harbour in February 2000." >"$inv/articles/wire.txt"
echo "An outlet rewrites the wire report." >"$inv/articles/rewrite.txt"
"$SATMARK" catalog init "$cat" >/dev/null || fail "catalog init"
"$SATMARK" catalog add-source "$cat" --id agency --outlet "Agency" --reliability external \
  --url https://example.org/agency --archived-sha256 "$(printf 'a%.0s' {1..64})" \
  --archived-at 2000-03-01T12:00:00Z >/dev/null || fail "add-source agency"
"$SATMARK" catalog add-source "$cat" --id wire --outlet "Wire" --file "$inv/articles/wire.txt" \
  --published 2000-03-01 --derived-from agency >/dev/null || fail "add-source wire"
"$SATMARK" catalog add-source "$cat" --id rewrite --outlet "Rewrite" --file "$inv/articles/rewrite.txt" \
  --published 2000-03-02 --derived-from wire >/dev/null || fail "add-source rewrite"
"$SATMARK" catalog add-source "$cat" --id local --outlet "Local paper" --file "$inv/articles/wire.txt" \
  --published 2000-03-03 >/dev/null || fail "add-source local"
add_claim() { "$SATMARK" catalog add-claim "$cat" "$@" >/dev/null 2>"$work/err" || fail "add-claim $*: $(cat "$work/err")"; }
add_claim --id harbour-ship --text "A ship was in the harbour." --source wire rewrite \
  --from 2000-02-01 --to 2000-02-29 --imagery yes
add_claim --id pier-empty --text "The pier was empty." --source local --from 2000-02-01 --to 2000-02-29 \
  --imagery yes
add_claim --id ship-name --text "The ship was the Example." --source wire --from 2000-02-01 --to 2000-02-29
add_claim --id later-visit --text "A ship called in 2001." --source local --from 2001-01-01 --to 2001-12-31 \
  --imagery yes
add_claim --id either-harbour --text "The ship loaded here, not elsewhere." --source local \
  --from 2000-02-01 --to 2000-02-29 --imagery yes
add_claim --id other-harbour --text "The ship loaded elsewhere." --source wire \
  --from 2000-02-01 --to 2000-02-29 --imagery yes
# A place discrepancy between the last two (no command for discrepancies yet).
node -e '
  const fs = require("fs"); const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  c.discrepancies.push({id: "which-harbour", title: "Which harbour", kind: "place",
                        claims: ["either-harbour", "other-harbour"], description: ""});
  fs.writeFileSync(process.argv[1], JSON.stringify(c, null, 2));' "$cat"

# A window outside the claim's is refused by validate (check inside claim window).
node -e '
  const fs = require("fs"); const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  c.claims[0].check = {class: "ship", area: "harbour", op: ">=", value: 1,
                       date_from: "2000-02-10", date_to: "2000-03-20"};
  fs.writeFileSync(process.argv[2], JSON.stringify(c, null, 2));' "$cat" "$work/badwindow.json"
rc=0; "$SATMARK" validate "$work/badwindow.json" 2>"$work/err" >/dev/null || rc=$?
[[ $rc == 1 ]] && grep -q 'claims\[0\] "harbour-ship": check: date_to 2000-03-20 is after' "$work/err" ||
  fail "check window outside the claim's: exit $rc, $(cat "$work/err")"

# ---- marks on the real tile -------------------------------------------------
marks="$inv/annotations/harbour.geojson"
mark() { "$SATMARK" mark "$marks" add "$@" >/dev/null 2>"$work/err" || fail "mark $*: $(cat "$work/err")"; }
mark --class ship --pixel "$inv/tiles/landsat.tif" 100,100 --claim harbour-ship:supports
mark --class pier --pixel "$inv/tiles/landsat.tif" 120,140 --claim pier-empty:contradicts
mark --class ship --pixel "$inv/tiles/landsat.tif" 101,101 --claim ship-name:supports
mark --class ship --pixel "$inv/tiles/landsat.tif" 102,102 --claim later-visit:supports
mark --class ship --pixel "$inv/tiles/landsat.tif" 103,103 --claim either-harbour:supports

"$SATMARK" validate "$marks" "$cat" >"$work/out" 2>"$work/err" || fail "validate: $(cat "$work/err")"
grep -q 'supports claim "ship-name", which imagery cannot show' "$work/err" ||
  fail "validate does not warn about the supports link to a not-observable claim: $(cat "$work/err")"

statuses() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const c of r.claims) console.log(c.id + " " + c.status);' "$1"
}
"$SATMARK" claims "$cat" "$marks" --json >"$work/real.json" 2>"$work/err" || fail "claims: $(cat "$work/err")"
expected='harbour-ship supported
pier-empty contradicted
ship-name not_observable
later-visit no_evidence
either-harbour contested
other-harbour contested'
[[ "$(statuses "$work/real.json")" == "$expected" ]] ||
  { fail "real imagery statuses differ:"; diff <(echo "$expected") <(statuses "$work/real.json") >&2 || true; }

# The JSON says what each status rests on.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const bad = [];
  const c = r.claims.find(x => x.id === "harbour-ship");
  const o = c.observations[0];
  if (!(o && o.tile === "landsat.tif" && o.registered === true && o.synthetic === false &&
        o.acquired === "2000-02-14" && o.counts === true && /^[0-9a-f]{64}$/.test(o.sha256)))
    bad.push("observation " + JSON.stringify(o));
  if (c.outlets !== 2 || c.independent_origins !== 1 || c.origins[0] !== "agency")
    bad.push("lineage " + c.outlets + "/" + c.independent_origins + "/" + c.origins);
  if (!c.sources.every(s => s.reliability === "reported")) bad.push("reliability");
  if (!/real, registered imagery/.test(c.reason)) bad.push("reason " + c.reason);
  const later = r.claims.find(x => x.id === "later-visit");
  if (!/2001-01-01\.\.2001-12-31/.test(later.reason)) bad.push("later reason " + later.reason);
  if (r.imagery.real !== 1 || r.imagery.synthetic !== 0 || r.imagery.tiles !== 1)
    bad.push("imagery " + JSON.stringify(r.imagery));
  if (bad.length) { console.log(bad.join("; ")); process.exit(1); }' "$work/real.json" >"$work/out" ||
  fail "real JSON: $(cat "$work/out")"

"$SATMARK" claims "$cat" "$marks" >"$work/real.txt" 2>"$work/err" || fail "claims text: $(cat "$work/err")"
head -1 "$work/real.txt" | grep -q "^imagery: 1 tile, all real and registered" ||
  fail "text report does not open with the imagery: $(head -1 "$work/real.txt")"
grep -q "2 outlets, 1 independent origin (Agency)" "$work/real.txt" || fail "text lacks the lineage"
grep -q "discrepancy which-harbour \[place\]" "$work/real.txt" || fail "text lacks the discrepancy under the claim"

# Exports carry the same status on each link.
"$SATMARK" export "$marks" --claims "$cat" --register "$reg" -o "$work/export.geojson" >/dev/null 2>"$work/err" ||
  fail "export: $(cat "$work/err")"
node -e '
  const g = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const got = g.features.map(f => f.properties.claims.map(l => l.claim + "=" + l.status).join(",")).join(" ");
  const want = "harbour-ship=supported pier-empty=contradicted ship-name=not_observable later-visit=no_evidence either-harbour=contested";
  if (got !== want) { console.log(got); process.exit(1); }
  if (!/\[supported\]/.test(g.features[0].properties.citations)) { console.log("citation"); process.exit(1); }' \
  "$work/export.geojson" >"$work/out" || fail "export statuses: $(cat "$work/out")"
"$SATMARK" export "$marks" --claims "$cat" --register "$reg" -o "$work/export.kml" >/dev/null 2>"$work/err" ||
  fail "export KML: $(cat "$work/err")"
grep -q "Status: <b>supported</b>" "$work/export.kml" || fail "KML balloons lack the status"

# ---- the same marks on the synthetic copy: illustrative only ----------------
sed 's/"landsat\.tif"/"landsat_synthetic.tif"/' "$marks" >"$work/synth_marks.geojson"
synth_sha=$(sha256sum "$inv/tiles/landsat_synthetic.tif" | cut -d' ' -f1)
real_sha=$(sha256sum "$inv/tiles/landsat.tif" | cut -d' ' -f1)
sed -i "s/$real_sha/$synth_sha/" "$work/synth_marks.geojson"
cp "$work/synth_marks.geojson" "$inv/annotations/harbour_synthetic.geojson"
"$SATMARK" claims "$cat" "$inv/annotations/harbour_synthetic.geojson" --json >"$work/synth.json" 2>"$work/err" ||
  fail "claims (synthetic): $(cat "$work/err")"
expected='harbour-ship illustrative
pier-empty illustrative
ship-name not_observable
later-visit no_evidence
either-harbour contested
other-harbour contested'
[[ "$(statuses "$work/synth.json")" == "$expected" ]] ||
  { fail "synthetic statuses differ:"; diff <(echo "$expected") <(statuses "$work/synth.json") >&2 || true; }
"$SATMARK" claims "$cat" "$inv/annotations/harbour_synthetic.geojson" >"$work/synth.txt"
head -1 "$work/synth.txt" | grep -q "1 tile, it is synthetic: no claim can be supported by it" ||
  fail "synthetic text opening: $(head -1 "$work/synth.txt")"
if grep -qw "supported\]" "$work/synth.txt"; then fail "synthetic report has a supported claim"; fi

# ---- no register: nothing can be supported ------------------------------------
mkdir -p "$work/noreg"
cp "$marks" "$work/noreg/harbour.geojson"
"$SATMARK" claims "$cat" "$work/noreg/harbour.geojson" --json >"$work/noreg.json" 2>"$work/err" ||
  fail "claims (no register): $(cat "$work/err")"
n=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(r.claims.filter(c => c.status === "supported" || c.status === "contradicted").length,
              r.imagery.unregistered)' "$work/noreg.json")
[[ "$n" == "0 1" ]] || fail "without a register: expected 0 supported/contradicted and 1 unregistered tile, got $n"
# ... unless the register is named.
"$SATMARK" claims "$cat" "$work/noreg/harbour.geojson" --imagery "$reg" --json >"$work/named.json"
[[ "$(statuses "$work/named.json" | head -1)" == "harbour-ship supported" ]] || fail "--imagery REGISTER not used"

# ---- a changed tile is not the registered one ------------------------------------
sed "s/$real_sha/$(printf 'f%.0s' {1..64})/" "$marks" >"$inv/annotations/harbour_changed.geojson"
"$SATMARK" claims "$cat" "$inv/annotations/harbour_changed.geojson" --json >"$work/changed.json"
[[ "$(statuses "$work/changed.json" | head -1)" == "harbour-ship no_evidence" ]] ||
  fail "marks on a file with another hash still count: $(statuses "$work/changed.json" | head -1)"

# ---- the bundled real-imagery fixture (tests/data/real) ------------------------
# Registered here as real with its given date (see its README); then its
# claims reach supported, contradicted and not_observable.
if [[ -f "$SATMARK_TEST_DATA/real/claims.json" ]]; then
  fx="$work/fixture"
  mkdir -p "$fx"
  cp "$SATMARK_TEST_DATA"/real/*.json "$SATMARK_TEST_DATA"/real/*.geojson "$fx/"
  cp "$SATMARK_TEST_DATA/L7_ETMs.tif" "$fx/L7_ETMs.tif"
  "$SATMARK" imagery add "$fx/L7_ETMs.tif" --register "$fx/imagery.json" --acquired 1999-04-15 --real \
    --provider "USGS (via the R package stars)" >/dev/null 2>"$work/err" || fail "fixture register: $(cat "$work/err")"
  "$SATMARK" validate "$fx"/*.geojson "$fx/claims.json" >/dev/null 2>"$work/err" ||
    fail "fixture does not validate: $(cat "$work/err")"
  "$SATMARK" claims "$fx/claims.json" "$fx"/*.geojson --json >"$work/fixture.json" 2>"$work/err" ||
    fail "claims on the fixture: $(cat "$work/err")"
  expected='real-reef-offshore-ne supported consistent
real-forest-northwest supported -
real-port-with-ships contradicted inconsistent
real-olinda-municipality not_observable -'
  got=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const c of r.claims) console.log(c.id + " " + c.status + " " + (c.check ? c.check.verdict : "-"));' "$work/fixture.json")
  [[ "$got" == "$expected" ]] || { fail "real fixture statuses differ:"; diff <(echo "$expected") <(echo "$got") >&2 || true; }
fi

if ((failures)); then
  echo "evidence_real: $failures failure(s)" >&2
  exit 1
fi
echo "evidence_real: all passed"
