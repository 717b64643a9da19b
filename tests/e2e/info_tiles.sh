#!/usr/bin/env bash
# e2e: `satmark info --json` on the bundled demo tiles (assets/tiles/*.tif,
# made by satmark-tilegen). Each must be georeferenced (EPSG code, lon/lat
# bounds, ground resolution), carry its provenance as the tile convention
# says (ACQUISITION_DATE=YYYY-MM-DD, SATMARK_SYNTHETIC=YES, SATMARK_CREDIT,
# SATMARK_SITE), and report the same SHA-256 as sha256sum. The date must also
# match the date in the file name (<site>_<YYYY-MM-DD>.tif) when it has one.
# Passes with a note when no tile has been generated yet.
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
SRC=${SATMARK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shopt -s nullglob
tiles=("$SRC"/assets/tiles/*.tif)
if [ "${#tiles[@]}" -eq 0 ]; then
    echo "FAIL: info_tiles: no assets/tiles/*.tif (the bundled tiles are part of the repository)"; exit 1
fi
failures=0
for tile in "${tiles[@]}"; do
    name=$(basename "$tile")
    rc=0
    timeout 60 "$SATMARK" info --json "$tile" >"$tmp/out.json" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $name: exit $rc: $(head -3 "$tmp/err")"; failures=$((failures + 1)); continue
    fi
    want_sha=$(sha256sum "$tile" | cut -d' ' -f1)
    if ! python3 - "$name" "$tmp/out.json" "$want_sha" <<'PY'
import json, re, sys
name, path, want_sha = sys.argv[1:4]
d = json.load(open(path))
problems = []
if not (d["crs"] and d["crs"]["epsg"]): problems.append("no EPSG code")
if d["bounds_lonlat"] is None: problems.append("no lon/lat bounds")
if d["resolution_m"] is None or not all(0 < r < 100 for r in d["resolution_m"]):
    problems.append(f"resolution {d['resolution_m']}")
if d["sha256"] != want_sha: problems.append(f"sha256 {d['sha256']} vs sha256sum {want_sha}")
if not d["acquired"] or not re.match(r"^\d{4}-\d{2}-\d{2}", d["acquired"]):
    problems.append(f"acquired {d['acquired']}")
if d["synthetic"] is not True: problems.append("not flagged synthetic (SATMARK_SYNTHETIC=YES)")
if not d["credit"]: problems.append("no credit (SATMARK_CREDIT)")
if not d["site"]: problems.append("no site (SATMARK_SITE)")
m = re.search(r"(\d{4}-\d{2}-\d{2})", name)
if m and d["acquired"] and not d["acquired"].startswith(m.group(1)):
    problems.append(f"acquired {d['acquired']} but file name says {m.group(1)}")
if problems:
    print(f"FAIL: {name}: " + "; ".join(problems)); sys.exit(1)
print(f"ok: {name} ({d['site']}, {d['acquired']}, EPSG:{d['crs']['epsg']})")
PY
    then
        failures=$((failures + 1))
    fi
done
if [ "$failures" -ne 0 ]; then
    echo "info_tiles: $failures failure(s)"; exit 1
fi
echo "info_tiles: ok (${#tiles[@]} tiles)"
