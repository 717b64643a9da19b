#!/usr/bin/env bash
# Scripted viewer session, headless (SDL offscreen driver): on a small
# georeferenced tile made here with GDAL, add two piers by screen clicks and a
# munitions pit by lon/lat, link a claim from the claims panel (and cycle its
# stance once), add a third pier and undo it, save with Ctrl+S. The saved file
# must hold exactly the expected features, at the lon/lat gdaltransform gives
# for the clicked pixels (within one screen pixel), with the claim link.
# Also: bad script lines and unknown keys fail with file:line, and
# `satmark view` finds satmark-view next to itself.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
claims="$SATMARK_SRC/annotations/claims.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1000x800 px, 2 m pixels, UTM 52N near Rason. Window 1000x848 = image + the
# 48 px bottom chrome (hint bar and status line), so the fitted view is exactly 1:1: screen (x, y) is image
# pixel corner (x, y).
gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 "$work/site.tif"

cat > "$work/session.txt" <<'SCRIPT'
# two piers by screen position, one pit by lon/lat
wait-idle
key 1
key p
click 200 300
click 250 320
key 4
click-lonlat 130.2950 42.2470
# link the selected pit to a claim: search, Enter links (supports), Enter again cycles
key Tab
text lady-r-pier1
key Return
key Return
key Tab
# a third pier, undone
key 1
click 600 600
key z ctrl
key s ctrl
wait-idle
screenshot SHOT
quit
SCRIPT
sed -i "s#SHOT#$work/shot.png#" "$work/session.txt"
timeout 120 "$viewer" "$work/site.tif" "$work/marks.geojson" --claims "$claims" \
  --size 1000x848 --script "$work/session.txt" 2> "$work/stderr.txt" \
  || { cat "$work/stderr.txt"; fail "viewer session exited non-zero"; }
[[ -s "$work/marks.geojson" ]] || fail "nothing saved"
[[ -s "$work/shot.png" ]] || fail "no screenshot"
[[ ! -e "$work/marks.geojson.journal" ]] || fail "journal left after a save"

# Expected positions from GDAL itself (pixel corner -> lon/lat).
read -r lon1 lat1 _ < <(echo "200 300" | gdaltransform -t_srs EPSG:4326 "$work/site.tif")
read -r lon2 lat2 _ < <(echo "250 320" | gdaltransform -t_srs EPSG:4326 "$work/site.tif")
python3 - "$work/marks.geojson" "$lon1" "$lat1" "$lon2" "$lat2" <<'PY'
import json, math, sys
path = sys.argv[1]
exp = {"pier-1": (float(sys.argv[2]), float(sys.argv[3])),
       "pier-2": (float(sys.argv[4]), float(sys.argv[5])),
       "munitions_pit-1": (130.2950, 42.2470)}
doc = json.load(open(path))
feats = {f["id"]: f for f in doc["features"]}
if sorted(feats) != sorted(exp):
    sys.exit(f"FAIL: features {sorted(feats)}, expected {sorted(exp)} (pier-3 must be undone)")
# one screen pixel = 2 m here; allow that in degrees
tol_lat = 2.0 / 111320
tol_lon = 2.0 / (111320 * math.cos(math.radians(42.25)))
for fid, (lon, lat) in exp.items():
    g = feats[fid]["geometry"]
    if g["type"] != "Point":
        sys.exit(f"FAIL: {fid} is a {g['type']}")
    glon, glat = g["coordinates"]
    if abs(glon - lon) > tol_lon or abs(glat - lat) > tol_lat:
        sys.exit(f"FAIL: {fid} at {glon},{glat}, expected {lon},{lat}")
props = {k: v["properties"] for k, v in feats.items()}
if props["pier-1"]["class"] != "pier" or props["munitions_pit-1"]["class"] != "munitions_pit":
    sys.exit("FAIL: classes " + str({k: p["class"] for k, p in props.items()}))
links = props["munitions_pit-1"]["claims"]
if links != [{"claim": "rason-lady-r-pier1", "stance": "contradicts"}]:
    sys.exit(f"FAIL: claim links {links}")
if props["pier-1"]["claims"]:
    sys.exit("FAIL: pier-1 should have no claim links")
obs = props["pier-1"]["observations"]
if len(obs) != 1 or obs[0]["image"] != "site.tif" or len(obs[0]["sha256"]) != 64:
    sys.exit(f"FAIL: observations {obs}")
print("saved features OK")
PY
sha=$(sha256sum "$work/site.tif" | cut -d' ' -f1)
grep -q "$sha" "$work/marks.geojson" || fail "observation does not carry the tile's SHA-256"

# The screenshot shows the marks: pier colour around (200, 300).
convert "$work/shot.png" -crop 5x5+198+298 -format '%[fx:mean.r*255] %[fx:mean.g*255] %[fx:mean.b*255]' info: > "$work/px.txt"
read -r r g b < "$work/px.txt" || true
python3 -c "import sys; r,g,b=map(float,sys.argv[1:]); sys.exit(0 if abs(r-70)+abs(g-90)+abs(b-80) > 60 else 1)" "$r" "$g" "$b" \
  || fail "no mark drawn at the first pier (pixel $r $g $b is the background)"

# Errors name the script file and line.
printf 'wait-idle\nclick 10\n' > "$work/bad.txt"
if timeout 60 "$viewer" "$work/site.tif" --script "$work/bad.txt" 2> "$work/err.txt"; then
  fail "a malformed script was accepted"
fi
grep -q "bad.txt:2" "$work/err.txt" || { cat "$work/err.txt"; fail "no file:line in the script error"; }
printf 'key NoSuchKey\n' > "$work/badkey.txt"
if timeout 60 "$viewer" "$work/site.tif" --script "$work/badkey.txt" 2> "$work/err.txt"; then
  fail "an unknown key was accepted"
fi
grep -q "badkey.txt:1" "$work/err.txt" || { cat "$work/err.txt"; fail "no file:line for the unknown key"; }

# A missing tile is a clear error, exit 1, naming the file.
set +e
timeout 60 "$viewer" "$work/nope.tif" 2> "$work/err.txt"; rc=$?
set -e
[[ $rc -eq 1 ]] || fail "missing tile: exit $rc"
grep -q "nope.tif" "$work/err.txt" || fail "missing tile: message does not name the file"

# `satmark view` runs the viewer next to it (usage error passes through: exit 2).
set +e
"$SATMARK" view --size nonsense "$work/site.tif" 2> "$work/err.txt"; rc=$?
set -e
[[ $rc -eq 2 ]] || { cat "$work/err.txt"; fail "satmark view bad usage: exit $rc"; }
printf 'wait-idle\nquit\n' > "$work/quit.txt"
timeout 60 "$SATMARK" view "$work/site.tif" --script "$work/quit.txt" --screenshot "$work/v.png" 2>/dev/null \
  || fail "satmark view did not run the viewer"
[[ -s "$work/v.png" ]] || fail "satmark view: no screenshot"
echo "view_session: OK"
