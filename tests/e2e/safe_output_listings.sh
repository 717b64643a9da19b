#!/usr/bin/env bash
# safe_output_listings — text that comes from files never reaches the
# terminal with its control characters (issue 10, "Safe output"). Labels,
# class names, claim references, observation image names, tile metadata,
# manifest values, STAC item fields and register entries carry a terminal
# title sequence (ESC ] 0;PWNED BEL), a C1 CSI (U+009B), other C0 controls
# (SOH, BS, CR) and DEL; every listing command (mark list, validate, claims,
# export, render, info, imagery list/verify, catalog, batch, fetch search,
# text and --json) is run on them with the exit status it should have, and
# neither its stdout nor its stderr holds a raw control byte (tab and newline
# aside). Where the text is shown, it is shown escaped (\x1b, \u009b), not
# dropped.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?}" "${SATMARK_SRC:?}"
need_command python3 gdal_translate jq
tmp=$(mktemp -d /tmp/satmark-e2e-safe-listings-XXXXXX)
api_pid=
trap '[[ -z $api_pid ]] || kill "$api_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "safe_output_listings: FAIL: $*" >&2; exit 1; }
cd "$tmp"

# every C0 control but tab and newline, DEL, and C1 (UTF-8 C2 80..C2 9F)
raw_controls() { # FILE: true when FILE holds a raw control byte
  LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$1"
}
clean() { # WHAT: stdout ($tmp/out) and stderr ($tmp/err) of the last command
  local f
  for f in out err; do
    if raw_controls "$tmp/$f"; then
      LC_ALL=C od -c "$tmp/$f" | grep -m3 -B1 -A1 '033\|302\|001\|\\r' >&2 || :
      fail "$1: raw control characters on std$f"
    fi
  done
}
shown_escaped() { # WHAT FILE: the hostile text is in FILE, escaped
  grep -qF '\x1b]0;PWNED\x07' "$2" || fail "$1: the text is not shown escaped: $(head -c 600 "$2")"
}
run() { # STATUS WHAT -- COMMAND...: runs it, checks its status and its output
  local want=$1 what=$2
  shift 3
  local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  ((rc == want)) || fail "$what: exit $rc, expected $want: $(head -c 800 "$tmp/err" | cat -v)"
  clean "$what"
}

# The hostile files.
bad_py='"\u001b]0;PWNED\u0007 \u009b2J \u0001\u0008\r\u007f"'
tile_src="$SATMARK_SRC/assets/tiles/dunai_2023-11-05.tif"
BAD=$'\e]0;PWNED\a \xc2\x9b2J \x01\x08\r\x7f'
gdal_translate -q -of GTiff -mo "SATMARK_CREDIT=credit $BAD" -mo "SATMARK_SITE=site $BAD" \
  -mo "ACQUISITION_DATE=2023-11-05" "$tile_src" t.tif
cp "$SATMARK_SRC/annotations/claims.json" claims.json
python3 - "$SATMARK_SRC" <<PY
import json, sys
bad = $bad_py
fc = json.load(open(sys.argv[1] + "/annotations/dunai.geojson"))
f = fc["features"][0]
f["properties"]["label"] = "label " + bad
f["properties"]["note"] = "note " + bad
for o in f["properties"]["observations"]:
    o["image"] = "img " + bad + ".tif"
g = fc["features"][1]
g["properties"]["class"] = "tank " + bad
g["properties"]["claims"] = [{"claim": "claim " + bad, "stance": "supports"}]
json.dump(fc, open("marks.geojson", "w"))
# the same without the unknown claim, for the claims report
del g["properties"]["claims"]
json.dump(fc, open("report.geojson", "w"))
json.dump({"satmark_manifest": 1,
           "defaults": {"tile": "t.tif", "annotations": ["report.geojson"], "size": "160x"},
           "figures": [{"name": "ok", "title": "title " + bad},
                       {"name": "broken", "view": {"feature": "nope " + bad}}]},
          open("figs.manifest", "w"))
PY

run 0 "mark list" -- "$SATMARK" mark marks.geojson list
shown_escaped "mark list" out
grep -qF 'claim \x1b]0;PWNED' out || fail "mark list: the claim reference is not shown escaped"
run 0 "mark list --json" -- "$SATMARK" mark marks.geojson list --json
jq -e 'tostring | test("PWNED")' out >/dev/null || fail "mark list --json: not JSON with the label"
run 1 "validate (unknown claim)" -- "$SATMARK" validate marks.geojson
shown_escaped "validate (the unknown claim)" err
run 0 "validate" -- "$SATMARK" validate report.geojson
shown_escaped "validate (warnings)" err
run 0 "export" -- "$SATMARK" export marks.geojson -o x.geojson
run 0 "render" -- "$SATMARK" render t.tif report.geojson -o f.png --size 160x
run 0 "claims" -- "$SATMARK" claims claims.json report.geojson
shown_escaped "claims (image names)" out
run 0 "claims --json" -- "$SATMARK" claims claims.json report.geojson --json
jq -e '.imagery | tostring | test("PWNED")' out >/dev/null || fail "claims --json: no image names"
run 0 "claims, unknown claim reference" -- "$SATMARK" claims claims.json marks.geojson
shown_escaped "claims (the unknown claim, a warning)" err
run 0 "info" -- "$SATMARK" info t.tif
grep -q 'credit:.*PWNED' out || fail "info: the credit is not shown: $(cat out)"
run 0 "info --json" -- "$SATMARK" info --json t.tif
run 1 "batch" -- "$SATMARK" batch figs.manifest -o figs -j 1
shown_escaped "batch (the failed figure's message)" err
run 1 "catalog add-claim" -- "$SATMARK" catalog add-claim claims.json --id "c$BAD" --text "t$BAD" --source x

# An imagery register edited by hand: refused, the message escaped.
mkdir reg
run 0 "imagery add" -- "$SATMARK" imagery add t.tif --register reg/imagery.json --synthetic
for field in id provider credit licence sensor file; do
  python3 - "$field" <<PY
import json, sys
r = json.load(open("reg/imagery.json"))
r["images"][0][sys.argv[1]] += $bad_py
json.dump(r, open("reg/bad.json", "w"))
PY
  cp reg/imagery.custody.jsonl reg/bad.custody.jsonl
  for action in list verify; do
    run 1 "imagery $action ($field)" -- "$SATMARK" imagery "$action" --register reg/bad.json
  done
done
run 0 "imagery list" -- "$SATMARK" imagery list --register reg/imagery.json
run 0 "imagery list --json" -- "$SATMARK" imagery list --register reg/imagery.json --json

# STAC items whose id, date, provider and licence carry controls (the test
# API of fetch_stac.sh, on 127.0.0.1 only).
if command -v node >/dev/null; then
  mkdir items
  python3 - <<PY
import json
bad = $bad_py
json.dump({"type": "Feature", "stac_version": "1.0.0", "id": "item " + bad, "collection": "c",
           "bbox": [132.327, 42.870, 132.353, 42.890],
           "geometry": {"type": "Polygon", "coordinates": [[[132.327, 42.870], [132.353, 42.870],
                        [132.353, 42.890], [132.327, 42.890], [132.327, 42.870]]]},
           "properties": {"datetime": "2023-11-05T01:30:00Z", "eo:cloud_cover": 5, "gsd": 1.6,
                          "providers": [{"name": "provider " + bad}], "license": "licence " + bad},
           "links": [], "assets": {"visual": {"href": "http://127.0.0.1:9/x.tif",
                                              "roles": ["visual"]}}},
          open("items/a.json", "w"))
PY
  node "$SATMARK_SRC/tests/e2e/helpers/stac_api.js" items >api.port 2>api.err &
  api_pid=$!
  for _ in $(seq 1 200); do [[ -s api.port ]] && break; sleep 0.05; done
  port=$(head -1 api.port)
  [[ -n $port ]] || fail "the test STAC API did not start: $(cat api.err)"
  site=(--bbox 132.33,42.875,132.34,42.882)
  run 0 "fetch search" -- "$SATMARK" fetch search "http://127.0.0.1:$port" "${site[@]}" --allow-remote
  grep -qF 'item \x1b]0;PWNED' out || fail "fetch search: the item id is not shown escaped: $(cat out)"
  run 0 "fetch search --json" -- "$SATMARK" fetch search "http://127.0.0.1:$port" "${site[@]}" --json --allow-remote
  jq -e '.[0].id | test("PWNED")' out >/dev/null || fail "fetch search --json: $(cat out)"
else
  not_run="fetch search: node is not installed"
fi

# The test of the test: a raw escape is caught.
printf 'a\033]0;x\007b\n' >out
raw_controls out || fail "raw_controls misses ESC"
printf 'a\xc2\x9bb\n' >out
raw_controls out || fail "raw_controls misses a C1 control"
printf 'Дунай 라선\tok\n' >out
raw_controls out && fail "raw_controls flags tab or non-ASCII text"
[[ -z ${not_run:-} ]] || skip_test "$not_run (the rest passed)"
echo "safe_output_listings: OK"
