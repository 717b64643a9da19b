#!/usr/bin/env bash
# mark_classes_ids — what `mark` must not lose or reuse (issue 11): class
# names match case-insensitively and by the aliases of docs/formats.md, and a
# class string the reader did not understand ("tank") stays in the file
# through later saves, as do 4th coordinates; ids of deleted marks are never handed out again, also
# by a later run (the high-water mark is kept in the file as
# satmark.next_ids); `mark FILE list [--json]` lists id, class, label, dates
# and claims with filters.
set -euo pipefail
: "${SATMARK:?}"
tmp=$(mktemp -d /tmp/satmark-e2e-classes-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "mark_classes_ids: FAIL: $*" >&2; failures=$((failures + 1)); }
run() {
  local want=$1; shift
  set +e
  out=$(timeout 60 "$SATMARK" "$@" 2>"$tmp/err"); local rc=$?
  set -e
  err=$(cat "$tmp/err")
  [[ $rc -eq $want ]] || fail "satmark $* -> exit $rc, want $want: $err"
}
cd "$tmp"
f="$tmp/qgis.geojson"
# as QGIS or geojson.io would write it: capitalised, spaced, aliased, unknown
cat >"$f" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [130.30, 42.24]},
  "properties": {"class": "Ship", "observations": [{"image": "t.tif", "sha256": "", "acquired": "2024-03-17"}]}},
 {"type": "Feature", "id": "b", "geometry": {"type": "Point", "coordinates": [130.301, 42.241]},
  "properties": {"class": "munitions pit"}},
 {"type": "Feature", "id": "c", "geometry": {"type": "Point", "coordinates": [130.302, 42.242]},
  "properties": {"class": "pit"}},
 {"type": "Feature", "id": "d", "geometry": {"type": "Point", "coordinates": [130.303, 42.243]},
  "properties": {"class": "container stack"}},
 {"type": "Feature", "id": "e", "geometry": {"type": "Point", "coordinates": [130.304, 42.244]},
  "properties": {"class": "containers"}},
 {"type": "Feature", "id": "g", "geometry": {"type": "Point", "coordinates": [130.305, 42.245]},
  "properties": {"class": "tank"}},
 {"type": "Feature", "id": "h", "geometry": {"type": "LineString",
  "coordinates": [[130.30, 42.24, 12, 1700000000], [130.31, 42.25, 13, 1700000060]]},
  "properties": {"class": "rail"}}
]}
JSON
run 0 mark "$f" list --json
for pair in a:ship b:munitions_pit c:munitions_pit d:container_stack e:container_stack g:other; do
  id=${pair%%:*} cls=${pair#*:}
  tr -d ' \n' <<<"$out" | grep -q "\"id\":\"$id\",\"class\":\"$cls\"" || fail "$id is not read as $cls: $out"
done
run 0 mark "$f" list --class ship
[[ $(cut -f1 <<<"$out") == a ]] || fail "list --class ship: $out"

# an add rewrites the file: every class string is kept as written
run 0 mark "$f" add --class munitions_pit --point 130.306,42.246
[[ $out == munitions_pit-1 ]] || fail "add gave $out"
run 0 mark "$f" add --class Pit --point 130.307,42.246
[[ $out == munitions_pit-2 ]] || fail "--class Pit gave $out"
for cls in '"Ship"' '"munitions pit"' '"pit"' '"container stack"' '"containers"' '"tank"'; do
  grep -q "\"class\": $cls" "$f" || fail "class $cls not kept as written: $(grep class "$f")"
done
grep -q '"class": "munitions_pit"' "$f" || fail "the new mark's class is not canonical"
grep -q '\[\[130.3, 42.24, 12, 1700000000\], \[130.31, 42.25, 13, 1700000060\]\]' "$f" ||
  fail "4th coordinates lost: $(grep -A1 '"id": "h"' "$f")"
# a class the user sets replaces the original string
run 0 mark "$f" edit g --class crane
grep -q '"tank"' "$f" && fail "tank kept after the class was changed"

# ids: after deleting ship-2, the next ship is ship-3, also in a later run
g="$tmp/ids.geojson"
run 0 mark "$g" add --class ship --point 130.30,42.24
run 0 mark "$g" add --class ship --point 130.31,42.24
[[ $out == ship-2 ]] || fail "second ship is $out"
run 0 mark "$g" delete ship-2
grep -q '"next_ids": {"ship": 3}' "$g" || fail "high-water mark not kept in the file: $(head -3 "$g")"
run 0 mark "$g" add --class ship --point 130.32,42.24
[[ $out == ship-3 ]] || fail "after deleting ship-2 the next add is $out, want ship-3"
run 0 validate "$g"

# list: text columns and filters by date and claim
h="$tmp/list.geojson"
run 0 mark "$h" add --class ship --label "Angara" --point 130.30,42.24 --claim c-1:supports --allow-unknown-claim
run 0 mark "$h" add --class crane --point 130.31,42.24
run 0 mark "$h" list
[[ $(wc -l <<<"$out") -eq 2 ]] || fail "list: $out"
grep -q $'^ship-1\tship\tAngara\t-\tc-1:supports$' <<<"$out" || fail "list line: $out"
run 0 mark "$h" list --claim c-1 --json
grep -q '"count": 1' <<<"$out" || fail "list --claim: $out"
run 0 mark "$f" list --date 2024-03
[[ $(cut -f1 <<<"$out") == a ]] || fail "list --date: $out"

[[ $failures -eq 0 ]] || exit 1
echo "mark_classes_ids: ok"
