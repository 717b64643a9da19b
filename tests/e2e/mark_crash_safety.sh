#!/usr/bin/env bash
# Crash safety of saves: `satmark mark FILE add ...` is killed with SIGKILL at
# random moments, many times, on a file with a few thousand features (so a
# save takes a while). After every kill FILE must be either the old version
# (byte-identical) or the new one (one more feature, the added id present),
# and valid; FILE~ must be valid too. The kill moment is drawn uniformly over
# the duration of an uninterrupted run (measured first), so kills land in the
# read, the serialisation, the write, the fsyncs and the renames alike.
# Not a timing assertion: the measured duration only spreads the kill moments.
set -euo pipefail
: "${SATMARK:?path of the satmark binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f="$tmp/depot.geojson"

features=2000
want_kills=100   # runs that must really be interrupted
if [[ ${SATMARK_SANITIZED:-0} == 1 ]]; then
  features=1000  # ASan/UBSan runs are several times slower; the protocol is the same
  want_kills=50
fi
max_iterations=$((want_kills * 6))

# A file of $features munitions pits, each a 13-position polygon with a note.
awk -v n="$features" 'BEGIN {
  printf "{\"type\": \"FeatureCollection\", \"features\": [\n"
  for (i = 1; i <= n; i++) {
    lon = 131.0 + (i % 100) * 0.001; lat = 43.0 + int(i / 100) * 0.001
    printf "{\"type\": \"Feature\", \"id\": \"pit-%d\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[", i
    for (k = 0; k < 12; k++) {
      a = k * 3.14159265 / 6
      printf "[%.7f, %.7f], ", lon + 0.0003 * cos(a), lat + 0.0002 * sin(a)
    }
    printf "[%.7f, %.7f]]]}, ", lon + 0.0003, lat
    printf "\"properties\": {\"class\": \"munitions_pit\", \"label\": \"Pit %d\", \"note\": \"revetted pit, fresh spoil on the north side, vehicle track to the east\"}}%s\n", i, (i < n ? "," : "")
  }
  printf "]}\n"
}' >"$f"

count_features() { # prints N of "FILE: ok (N features"; fails when FILE is invalid
  local line
  line=$(timeout 120 "$SATMARK" validate "$1" 2>/dev/null) || return 1
  line=${line#*ok (}
  echo "${line%% feature*}"
}

# One uninterrupted save to normalise the file, then measure a whole run and
# a read-only run (validate: start-up and parsing, no save). Half the kills
# are spread over the whole run, half over the stretch after the read, where
# serialising, writing, fsync and the renames happen.
timeout 120 "$SATMARK" mark "$f" add --class munitions_pit --point 131.0,43.0 --id probe >/dev/null
start=$(date +%s%N)
timeout 120 "$SATMARK" mark "$f" delete probe
end=$(date +%s%N)
run_us=$(((end - start) / 1000))
((run_us > 0)) || run_us=1000
start=$(date +%s%N)
timeout 120 "$SATMARK" validate "$f" >/dev/null
end=$(date +%s%N)
read_us=$(((end - start) / 1000 * 9 / 10))
((read_us < run_us)) || read_us=$((run_us / 2))
echo "mark_crash_safety: $features features; a run takes about $((run_us / 1000)) ms, its read" \
  "about $((read_us / 1000)) ms; until $want_kills runs are interrupted"

failures=0
killed=0
completed=0
old_count=$(count_features "$f")
# The measured duration can be off on a loaded machine (other tests running):
# when a run finishes before its kill, the kill window shrinks a little, so
# the loop keeps landing kills inside runs whatever the machine is doing.
i=0
while ((killed < want_kills && i < max_iterations)); do
  i=$((i + 1))
  cp "$f" "$tmp/old"
  id="new-$i"
  delay_us=$((RANDOM * 32768 + RANDOM))
  if ((i % 2)); then
    delay_us=$((delay_us % (run_us + run_us / 10 + 1)))
  else
    delay_us=$((read_us + delay_us % (run_us + run_us * 4 / 10 - read_us + 1)))
  fi
  "$SATMARK" mark "$f" add --class munitions_pit --point 131.05,43.05 --id "$id" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%06d' $((delay_us / 1000000)) $((delay_us % 1000000)))"
  kill -KILL "$pid" 2>/dev/null || true
  set +e
  wait "$pid" 2>/dev/null
  rc=$?
  set -e
  if [[ $rc -eq 137 ]]; then killed=$((killed + 1)); elif [[ $rc -eq 0 ]]; then
    completed=$((completed + 1))
    run_us=$((run_us * 9 / 10 + 1)); ((read_us < run_us)) || read_us=$((run_us / 2))
  else
    echo "FAIL: iteration $i: satmark exited $rc"; failures=$((failures + 1)); fi

  if ! count=$(count_features "$f"); then
    echo "FAIL: iteration $i: FILE is not valid after a kill"
    timeout 60 "$SATMARK" validate "$f" || echo "(validate: exit $?)"
    failures=$((failures + 1)); cp "$tmp/old" "$f"; continue
  fi
  if cmp -s "$f" "$tmp/old"; then
    : # the old version, whole
  elif [[ $count -eq $((old_count + 1)) ]] && grep -q "\"id\": \"$id\"" "$f"; then
    old_count=$count # the new version, whole
  else
    echo "FAIL: iteration $i: FILE is neither the old nor the new version ($count features, had $old_count)"
    failures=$((failures + 1)); cp "$tmp/old" "$f"; old_count=$(count_features "$f")
  fi
  if [[ -e "$f~" ]] && ! count_features "$f~" >/dev/null; then
    echo "FAIL: iteration $i: FILE~ is not valid"
    failures=$((failures + 1))
  fi
  # Temporary files a killed save leaves behind are harmless; clear them so
  # the directory does not fill up.
  rm -f "$f".tmp?????? "$f"~.lnk?????? "$f"~.cpy??????
done

echo "mark_crash_safety: $killed killed, $completed finished before the kill, $failures failure(s)"
if [[ $failures -ne 0 ]]; then
  exit 1
fi
# The kills must really have interrupted runs, or the test tested nothing.
if [[ $killed -lt $want_kills ]]; then
  echo "FAIL: only $killed of $i runs were interrupted"
  exit 1
fi
