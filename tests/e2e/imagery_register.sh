#!/usr/bin/env bash
# e2e: the imagery register and its custody log, on copies of the bundled
# tiles and annotations in a temporary directory (never the bundled files):
#   imagery add (synthetic from the metadata, --real refused), list --json,
#   verify (passes; a modified tile -> exit 1 naming it; an edited custody
#   line -> exit 1 naming the line; a deleted log -> exit 1, not restarted);
#   export (GeoJSON "satmark_provenance" member, KML, GeoPackage) and render say the
#   imagery is synthetic and append custody entries; validate warns about an
#   observation on an unregistered tile, and mark warns when it records one;
#   the bundled register verifies against the bundled tiles (read only).
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}"
unset SATMARK_NO_CUSTODY # this test checks the recording itself
export SATMARK_USER="e2e tester"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

mkdir -p "$work/annotations" "$work/tiles"
cp "$SATMARK_SRC"/assets/tiles/rason-najin_*.tif "$work/tiles/"
cp "$SATMARK_SRC/annotations/rason-najin.geojson" "$SATMARK_SRC/annotations/claims.json" "$work/annotations/"
cd "$work"
log=annotations/imagery.custody.jsonl

# ---- add ----------------------------------------------------------------------
if timeout 120 "$SATMARK" imagery add tiles/rason-najin_2023-11-20.tif --real >out 2>err; then
  fail "--real accepted for a tile whose metadata says synthetic"
fi
grep -q "SATMARK_SYNTHETIC=YES" err || fail "--real refusal does not say why: $(cat err)"
[[ ! -e annotations/imagery.json ]] || fail "a refused add wrote the register"

timeout 120 "$SATMARK" imagery add tiles/*.tif --provider "test provider" >out 2>err ||
  fail "imagery add failed: $(cat err)"
[[ $(grep -c '(synthetic) acquired' out) == 2 ]] || fail "add did not report two synthetic tiles: $(cat out)"
[[ $(wc -l <"$log") == 2 ]] || fail "custody log has $(wc -l <"$log") lines after two adds"

# ---- list --json: hashes and flags, checked by node against sha256sum ------------
timeout 60 "$SATMARK" imagery list --json >list.json 2>err || fail "imagery list --json failed: $(cat err)"
node -e '
  const r = JSON.parse(require("fs").readFileSync("list.json", "utf8"));
  const want = JSON.parse(process.argv[1]);
  if (r.images.length !== 2) throw new Error("expected 2 images, got " + r.images.length);
  for (const e of r.images) {
    if (e.synthetic !== true) throw new Error(e.id + " not synthetic");
    if (e.sha256 !== want[e.file.replace(/^.*\//, "")]) throw new Error(e.id + ": sha256 " + e.sha256);
    if (e.acquired !== e.id.replace(/^.*_/, "") || e.acquired_from !== "metadata")
      throw new Error(e.id + ": acquired " + e.acquired + " from " + e.acquired_from);
    if (e.provider !== "test provider" || e.added_by !== "e2e tester") throw new Error(e.id + ": who/provider");
  }' "$(for f in tiles/*.tif; do printf '%s %s\n' "$(basename "$f")" "$(sha256sum "$f" | cut -d" " -f1)"; done |
        node -e 'const o = {}; for (const l of require("fs").readFileSync(0, "utf8").trim().split("\n")) {
                   const [n, h] = l.split(" "); o[n] = h; } console.log(JSON.stringify(o))')" ||
  fail "imagery list --json does not match the files"

# ---- verify passes ---------------------------------------------------------------
timeout 120 "$SATMARK" imagery verify >out 2>err || fail "verify failed on untouched copies: $(cat out err)"
grep -q "chain intact" out || fail "verify does not report the chain: $(cat out)"
[[ $(tail -n 1 "$log" | grep -c '"action":"verify"') == 1 ]] || fail "verify not recorded"

# ---- export says what the imagery is, and is recorded -----------------------------
timeout 120 "$SATMARK" export annotations/rason-najin.geojson -o out.geojson >out 2>err ||
  fail "export failed: $(cat err)"
node -e '
  const g = JSON.parse(require("fs").readFileSync("out.geojson", "utf8"));
  const s = g.satmark_provenance;
  if (!s || !Array.isArray(s.imagery) || s.imagery.length !== 2) throw new Error("no satmark_provenance.imagery of 2 tiles");
  for (const t of s.imagery)
    if (t.synthetic !== true || t.registered !== true || t.match !== "sha256" || !/^[0-9a-f]{64}$/.test(t.sha256) ||
        !t.acquired || t.provider !== "test provider")
      throw new Error("tile " + JSON.stringify(t));
  if (!s.note.includes("synthetic demo imagery: illustration, not evidence")) throw new Error("note: " + s.note);
  const observed = g.features.filter(f => f.properties.observations.length);
  if (!observed.length || !observed.every(f => f.properties.imagery.includes("synthetic demo imagery")))
    throw new Error("a feature lacks its imagery attribute");' || fail "exported GeoJSON lacks the imagery provenance"
last=$(tail -n 1 "$log")
grep -q '"action":"export"' <<<"$last" || fail "export not recorded: $last"
grep -q "\"name\":\"out.geojson\",\"sha256\":\"$(sha256sum out.geojson | cut -d' ' -f1)\"" <<<"$last" ||
  fail "export entry lacks the output's SHA-256: $last"

cp "$log" log.before
SATMARK_NO_CUSTODY=1 timeout 120 "$SATMARK" export annotations/rason-najin.geojson -o quiet.geojson 2>err ||
  fail "export with SATMARK_NO_CUSTODY failed: $(cat err)"
cmp -s "$log" log.before || fail "SATMARK_NO_CUSTODY=1 export still appended to the custody log"
timeout 120 "$SATMARK" export annotations/rason-najin.geojson -o out.kml 2>err || fail "KML export: $(cat err)"
grep -q "<description>Imagery: 2 tiles, all synthetic demo imagery" out.kml || fail "KML document lacks the imagery note"
grep -q 'Data name="satmark_imagery"' out.kml || fail "KML lacks satmark_imagery"
timeout 120 "$SATMARK" export annotations/rason-najin.geojson -o out.gpkg 2>err || fail "GPKG export: $(cat err)"
timeout 60 ogrinfo -ro -so out.gpkg annotations >gpkg.txt 2>&1 || fail "ogrinfo out.gpkg: $(cat gpkg.txt)"
grep -q "Imagery: 2 tiles, all synthetic demo imagery" gpkg.txt || fail "GeoPackage layer lacks the imagery description"
grep -q "SATMARK_IMAGERY=" gpkg.txt || fail "GeoPackage layer lacks SATMARK_IMAGERY metadata"

# ---- figure: PNG metadata and custody -------------------------------------------
timeout 300 "$SATMARK" render tiles/rason-najin_2024-03-17.tif annotations/rason-najin.geojson \
  -o fig.png --size 320x 2>err || fail "render failed: $(cat err)"
grep -aq 'satmark_imagery.registered in imagery.json as "rason-najin_2024-03-17" (matched by sha256): synthetic demo imagery' fig.png ||
  fail "figure metadata lacks the register's word on the tile"
last=$(tail -n 1 "$log")
grep -q '"action":"figure"' <<<"$last" || fail "figure not recorded: $last"

# ---- validate warns about an unregistered tile ------------------------------------
node -e '
  const fs = require("fs");
  const g = JSON.parse(fs.readFileSync("annotations/rason-najin.geojson", "utf8"));
  g.features[0].properties.observations.push({image: "elsewhere.tif", sha256: "", acquired: "2024-01-01"});
  fs.writeFileSync("annotations/extra.geojson", JSON.stringify(g));'
timeout 60 "$SATMARK" validate annotations/extra.geojson >out 2>err || fail "validate failed: $(cat err)"
grep -q "observation on unregistered tile elsewhere.tif" err || fail "validate does not warn: $(cat err)"

# ---- mark warns when its tile is not registered -----------------------------------
cp tiles/rason-najin_2024-03-17.tif copy.tif
printf 'y' >>copy.tif
timeout 120 "$SATMARK" mark annotations/extra.geojson add --class ship --label test --image copy.tif \
  --point 130.3,42.24 >out 2>err || fail "mark on an unregistered tile failed: $(cat err)"
grep -q "copy.tif is not in the imagery register" err || fail "mark does not warn about the unregistered tile: $(cat err)"
timeout 120 "$SATMARK" mark annotations/extra.geojson add --class ship --label test2 \
  --image tiles/rason-najin_2024-03-17.tif --point 130.3,42.24 >out 2>err || fail "mark failed: $(cat err)"
grep -q "not in the imagery register" err && fail "mark warns about a registered tile: $(cat err)"

# ---- a changed tile --------------------------------------------------------------
timeout 60 "$SATMARK" imagery verify >out 2>err || fail "verify failed before the change: $(cat out err)"
printf 'x' >>tiles/rason-najin_2024-03-17.tif
if timeout 120 "$SATMARK" imagery verify >out 2>err; then
  fail "verify passed with a modified tile"
fi
grep -q "^changed .*rason-najin_2024-03-17" out || fail "verify does not list the changed tile: $(cat out)"
grep -q "rason-najin_2024-03-17.tif (\"rason-najin_2024-03-17\"): changed" err || fail "verify does not name the file: $(cat err)"
grep -q "^ok .*rason-najin_2023-11-20" out || fail "the untouched tile is not ok: $(cat out)"
cp "$SATMARK_SRC/assets/tiles/rason-najin_2024-03-17.tif" tiles/
mv tiles/rason-najin_2023-11-20.tif moved.tif
if timeout 120 "$SATMARK" imagery verify >out 2>err; then
  fail "verify passed with a missing tile"
fi
grep -q "^missing .*rason-najin_2023-11-20" out || fail "verify does not list the missing tile: $(cat out)"
mv moved.tif tiles/rason-najin_2023-11-20.tif
timeout 120 "$SATMARK" imagery verify >out 2>err || fail "verify fails after restoring the tiles: $(cat out err)"

# ---- a rewritten custody line ----------------------------------------------------
cp "$log" log.bak
sed -i '2s/"who":"e2e tester"/"who":"someone else"/' "$log"
cmp -s "$log" log.bak && fail "test setup: line 2 not edited"
if timeout 120 "$SATMARK" imagery verify >out 2>err; then
  fail "verify passed with an edited custody line"
fi
grep -q 'imagery.custody.jsonl:3: "prev" does not match line 2' err || fail "verify does not name the edited line: $(cat err)"
cp log.bak "$log"
sed -i '3d' "$log"
if timeout 120 "$SATMARK" imagery verify --no-record >out 2>err; then
  fail "verify passed with a deleted custody line"
fi
grep -q 'imagery.custody.jsonl:3: "seq" is 4' err || fail "verify does not name where a line went missing: $(cat err)"
rm "$log"
if timeout 120 "$SATMARK" imagery verify >out 2>err; then
  fail "verify passed without a custody log"
fi
grep -q "deleted or never started" err || fail "verify does not say the log is gone: $(cat err)"
[[ ! -e "$log" ]] || fail "verify restarted a deleted custody log"

# ---- without a register: the export says "unregistered" --------------------------
mkdir -p bare
cp annotations/rason-najin.geojson bare/
timeout 120 "$SATMARK" export bare/rason-najin.geojson --no-claims -o bare.geojson 2>err || fail "bare export: $(cat err)"
grep -q "no imagery register" err || fail "export without a register does not warn: $(cat err)"
node -e '
  const s = JSON.parse(require("fs").readFileSync("bare.geojson", "utf8")).satmark_provenance;
  if (s.imagery_register !== null || !s.imagery.every(t => t.registered === false && t.synthetic === null) ||
      !s.note.includes("unregistered: provenance unknown"))
    throw new Error(JSON.stringify(s));' || fail "export without a register overstates what it knows"

# ---- a broken register fails the export, naming it, and writes nothing -------------
mkdir -p broken
cp annotations/rason-najin.geojson broken/
printf '{"satmark_imagery": 1, "images": [{"id": "x"}]}' >broken/imagery.json
if timeout 120 "$SATMARK" export broken/rason-najin.geojson --no-claims -o broken.geojson 2>err; then
  fail "export succeeded with a broken imagery register"
fi
grep -q 'broken/imagery.json: images\[0\] ("x"): "file" is missing' err || fail "export does not name the register's problem: $(cat err)"
[[ ! -e broken.geojson ]] || fail "export wrote its output despite the broken register"

# ---- the bundled register describes the bundled tiles (read only: --no-record) ------
if [[ -f "$SATMARK_SRC/annotations/imagery.json" ]]; then
  (cd "$SATMARK_SRC" && timeout 120 "$SATMARK" imagery verify --no-record) >out 2>err ||
    fail "the bundled tiles differ from annotations/imagery.json (regenerated? run scripts/register-tiles.sh): $(cat out err)"
  [[ $(grep -c "^ok " out) == $(find "$SATMARK_SRC/assets/tiles" -name '*.tif' | wc -l) ]] ||
    fail "not every bundled tile is registered and ok: $(cat out)"
fi

if ((failures)); then
  echo "imagery_register: $failures failure(s)" >&2
  exit 1
fi
echo "imagery_register: ok"
