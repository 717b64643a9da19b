#!/usr/bin/env bash
# e2e: every hostile or broken input in tests/data (the rasters copied from
# shared/testdata, tests/data/geojson/bad/*, bad manifests, styles and
# catalogs made here, and a path that does not exist) through every command
# that reads that kind of file. Each run must end with exit 0 (the file is
# usable: several "bad" rasters are valid but tricky) or exit 1 with a message
# naming the file; never a signal, a hang (timeout 120 s per run: 124 fails),
# exit 2 (that would be a usage error: the test is wrong), or a sanitizer
# report. Runs in both builds; in the sanitizer build this is the issue's
# "every bad file through every command under ASan/UBSan".
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
SRC=${SATMARK_SRC:?set SATMARK_SRC}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
runs=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# check NAME_IN_MESSAGE WHAT -- COMMAND...
check() {
  local name=$1 what=$2; shift 3
  local rc=0
  runs=$((runs + 1))
  timeout 120 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
  if grep -qE "AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:" "$tmp/err"; then
    fail "$what: sanitizer report"; head -20 "$tmp/err"; return 0
  fi
  case $rc in
    0) ;;
    1) grep -qF -- "$name" "$tmp/err" || { fail "$what: exit 1 without naming $name"; head -3 "$tmp/err"; } ;;
    124) fail "$what: hung (timeout)" ;;
    *) fail "$what: exit $rc"; head -5 "$tmp/err" ;;
  esac
}

empty="$tmp/empty.geojson"
printf '{"type":"FeatureCollection","features":[]}\n' >"$empty"
good_tile="$SRC/assets/tiles/dunai_2023-11-05.tif"
good_annot="$SRC/annotations/dunai.geojson"

# ---- rasters: info, render, mark --image --pixel, batch ----------------------
rasters=("$DATA"/*.tif "$DATA"/*.vrt "$DATA"/*.h5 "$DATA"/*.grib2 "$tmp/no-such-tile.tif")
for tile in "${rasters[@]}"; do
  [[ -e "$tile" || "$tile" == "$tmp/no-such-tile.tif" ]] || continue
  base=$(basename "$tile")
  check "$base" "info $base" -- "$SATMARK" info "$tile"
  check "$base" "render $base" -- "$SATMARK" render "$tile" "$empty" -o "$tmp/fig.png" --size 256x256
  cp "$empty" "$tmp/m.geojson"
  check "$base" "mark --pixel on $base" -- "$SATMARK" mark "$tmp/m.geojson" add --class ship --pixel "$tile" 1,1
  printf '{"satmark_manifest":1,"figures":[{"name":"f","tile":"%s","annotations":["%s"],"size":"256x256"}]}\n' \
    "$tile" "$empty" >"$tmp/one.manifest"
  check "$base" "batch with $base" -- "$SATMARK" batch "$tmp/one.manifest" -o "$tmp/batch" -j 1
done

# ---- annotation files: validate, export, claims, render, mark ----------------
annots=("$DATA"/geojson/bad/* "$tmp/no-such.geojson")
for f in "${annots[@]}"; do
  base=$(basename "$f")
  check "$base" "validate $base" -- "$SATMARK" validate "$f"
  check "$base" "export $base" -- "$SATMARK" export "$f" -o "$tmp/x.geojson" --no-claims
  check "$base" "claims with $base" -- "$SATMARK" claims "$SRC/annotations/claims.json" "$f"
  check "$base" "render with $base" -- "$SATMARK" render "$good_tile" "$f" -o "$tmp/fig.png" --size 256x256
  if [[ -e "$f" ]]; then cp "$f" "$tmp/$base"; target="$tmp/$base"; else target=$f; fi
  check "$base" "mark add on $base" -- "$SATMARK" mark "$target" add --class ship --point 131.1,43.1
done

# ---- catalogs, manifests, styles: made broken here -----------------------------
printf '{"satmark_claims": 1, "sources": [' >"$tmp/truncated-catalog.json"
printf '\xff\xfe not json' >"$tmp/binary-catalog.json"
printf '{"satmark_claims": 1, "sources": [], "claims": [{"id": "x"}], "discrepancies": []}' >"$tmp/incomplete-catalog.json"
for f in "$tmp"/*-catalog.json "$tmp/no-such-catalog.json"; do
  base=$(basename "$f")
  check "$base" "claims $base" -- "$SATMARK" claims "$f" "$good_annot"
  check "$base" "validate $base" -- "$SATMARK" validate "$good_annot" "$f"
  check "$base" "render --claims $base" -- "$SATMARK" render "$good_tile" "$good_annot" --claims "$f" -o "$tmp/fig.png" --size 256x256
  check "$base" "catalog add-claim to $base" -- "$SATMARK" catalog add-claim "$f" --id x --text t --source s --imagery yes
done
printf '{"satmark_manifest": 1, "figures": [{"name": "a/../b", "tile": "x.tif"}]}' >"$tmp/badname.manifest"
printf '{"satmark_manifest": 1, "figures": [' >"$tmp/truncated.manifest"
printf '{"satmark_manifest": 1, "figures": [{"name": "n", "tile": 7}]}' >"$tmp/wrongtype.manifest"
for f in "$tmp"/*.manifest "$tmp/no-such.manifest"; do
  [[ $(basename "$f") == one.manifest ]] && continue
  base=$(basename "$f")
  check "$base" "batch $base" -- "$SATMARK" batch "$f" -o "$tmp/batch" -j 1
done
printf '{"classes": {"ship": {"colour": "#zzzzzz"}}}' >"$tmp/badcolour-style.json"
printf '[1, 2' >"$tmp/truncated-style.json"
for f in "$tmp"/*-style.json "$tmp/no-such-style.json"; do
  base=$(basename "$f")
  check "$base" "render --style $base" -- "$SATMARK" render "$good_tile" "$good_annot" --style "$f" -o "$tmp/fig.png" --size 256x256
done

echo "bad_inputs_every_command: $runs runs, $failures failure(s)"
[[ $failures -eq 0 ]]
