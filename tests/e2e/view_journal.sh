#!/usr/bin/env bash
# The autosave journal: a viewer killed with SIGKILL in the middle of a
# session loses at most the journal interval of work. The next start recovers
# it (--recover=yes, or the R key on the recovery question), discards it
# (--recover=no), and a damaged journal is set aside, never overwritten.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/expect.sh"
viewer="$SATMARK_BUILD/satmark-view"
[[ -x $viewer ]] || skip_test "satmark-view was not built (SATMARK_VIEWER=OFF)"
work=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$1"; }
journal="$work/marks.geojson.journal"

gdal_create -q -of GTiff -outsize 1000 800 -bands 3 -ot Byte -burn 70 -burn 90 -burn 80 \
  -a_srs EPSG:32652 -a_ullr 606000 4679000 608000 4677400 "$work/site.tif"

# Starts a session that marks and then idles; waits until the journal holds
# $2 features, then kills the viewer with SIGKILL.
mark_and_kill() {
  local script=$1 want=$2
  # Started directly (not under timeout) so $! is the viewer itself; the
  # script's final wait ends it anyway if this test dies first.
  "$viewer" "$work/site.tif" "$work/marks.geojson" --size 1000x848 \
    --journal-interval 0.2 --recover=yes --script "$script" > /dev/null 2>> "$work/stderr.txt" &
  pid=$!
  for _ in $(seq 1 600); do
    if [[ -f "$journal" ]] && grep -q "\"features\":$want}" "$journal"; then break; fi
    sleep 0.1
  done
  grep -q "\"features\":$want}" "$journal" 2>/dev/null || { cat "$work/stderr.txt"; fail "journal never reached $want features"; }
  kill -9 "$pid"
  local rc=0
  wait "$pid" 2>/dev/null || rc=$?
  ((rc == 137)) || fail "the viewer was not killed by SIGKILL: exit $rc"
  pid=
}

cat > "$work/a.txt" <<'SCRIPT'
wait-idle
key p
click 100 100
click 200 200
key 4
click 300 300
wait 120000
SCRIPT
mark_and_kill "$work/a.txt" 3
[[ ! -e "$work/marks.geojson" ]] || fail "the annotation file was written without a save"

# Recover with the flag and save.
printf 'wait-idle\nkey s ctrl\nquit\n' > "$work/save.txt"
timeout 120 "$viewer" "$work/site.tif" "$work/marks.geojson" --recover=yes --script "$work/save.txt" \
  2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "recovery run failed"; }
[[ $(count "$work/marks.geojson") == 3 ]] || fail "recovered file has $(count "$work/marks.geojson") features, expected 3"
[[ ! -e "$journal" ]] || fail "journal not deleted after the save"
grep -q "munitions_pit-1" "$work/marks.geojson" || fail "the pit was not recovered"

# Another mark, killed again; this time answer the question with the R key.
printf 'wait-idle\nkey p\nclick 400 400\nwait 120000\n' > "$work/b.txt"
mark_and_kill "$work/b.txt" 4
cat > "$work/answer.txt" <<SCRIPT
wait-idle
screenshot $work/question.png
key r
key s ctrl
quit
SCRIPT
timeout 120 "$viewer" "$work/site.tif" "$work/marks.geojson" --script "$work/answer.txt" \
  2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "R-key recovery failed"; }
[[ $(count "$work/marks.geojson") == 4 ]] || fail "after R: $(count "$work/marks.geojson") features, expected 4"
[[ -s "$work/question.png" ]] || fail "no screenshot of the recovery question"

# Killed once more, then discarded: the file keeps its 4 features.
printf 'wait-idle\nkey p\nclick 500 500\nwait 120000\n' > "$work/c.txt"
mark_and_kill "$work/c.txt" 5
timeout 120 "$viewer" "$work/site.tif" "$work/marks.geojson" --recover=no --script "$work/save.txt" \
  2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "discard run failed"; }
[[ ! -e "$journal" ]] || fail "journal kept after --recover=no"
[[ $(count "$work/marks.geojson") == 4 ]] || fail "discard changed the file"

# A damaged journal is reported and set aside, the file untouched.
printf '{"satmark_journal":1,"target":"marks.geojson"\n{ broken' > "$journal"
timeout 120 "$viewer" "$work/site.tif" "$work/marks.geojson" --recover=yes --script "$work/save.txt" \
  2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "damaged journal run failed"; }
grep -q "Cannot recover" "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "damaged journal not reported"; }
[[ -e "$journal.unreadable" ]] || fail "damaged journal not kept aside"
[[ $(count "$work/marks.geojson") == 4 ]] || fail "damaged journal changed the file"
echo "view_journal: OK"
