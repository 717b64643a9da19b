#!/usr/bin/env bash
# The viewer never silently overwrites an annotation file that another
# program saved after the viewer loaded it: the save is refused with a
# visible message, the viewer's marks are kept in the journal, and the other
# program's mark stays in the file. The session is synchronised with the
# test by files (screenshot = loaded, wait-file = the file was changed).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
: "${SATMARK:?path of the satmark binary}"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
work=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }
f="$work/marks.geojson"

gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 "$work/site.tif"
"$SATMARK" mark "$f" add --class pier --point 129.0,42.25 --id first >/dev/null

cat > "$work/session.txt" <<SCRIPT
wait-idle
screenshot $work/loaded.png
key p
click 100 100
wait-file $work/changed
key s ctrl
SCRIPT
timeout 120 "$viewer" "$work/site.tif" "$f" --size 1000x826 --script "$work/session.txt" \
  > /dev/null 2> "$work/stderr.txt" &
pid=$!
for _ in $(seq 1 1200); do [[ -e "$work/loaded.png" ]] && break; sleep 0.1; done
[[ -e "$work/loaded.png" ]] || { cat "$work/stderr.txt"; fail "the session never loaded"; }
# Another program saves the file while the viewer has it open.
"$SATMARK" mark "$f" add --class ship --point 129.001,42.251 --id theirs >/dev/null
touch "$work/changed"
# the save was refused, so the session ends with exit 1
rc=0; wait "$pid" || rc=$?
((rc == 1)) || { cat "$work/stderr.txt"; fail "viewer session: exit $rc, expected 1"; }
pid=

grep -q "Not saved: .*marks.geojson changed on disk since it was loaded" "$work/stderr.txt" ||
  { cat "$work/stderr.txt"; fail "no visible refusal"; }
grep -q '"id": "theirs"' "$f" || fail "the other program's mark was overwritten"
grep -q '"id": "first"' "$f" || fail "the first mark is gone"
[[ -f "$f.journal" ]] || fail "the viewer's marks were not kept in the journal"
grep -q '"features":2}' "$f.journal" || { head -c 300 "$f.journal"; fail "journal does not hold the viewer's 2 marks"; }
[[ ! -e "$f.lock" ]] || fail "lock file left behind"
echo "view_changed_on_disk: OK"
