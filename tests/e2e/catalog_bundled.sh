#!/usr/bin/env bash
# The bundled catalog (annotations/claims.json) and demo annotations keep the
# evidence rules that an audit against the five articles found broken:
#   - every claim's check window lies inside the claim's time window;
#   - a mark "supports" a claim only through an observation dated inside the
#     claim's window (demo marks on later tiles link as context);
#   - the three outlets that rewrite The Guardian's story (000, 001, 004) chain,
#     through derived_from, to one external origin, the UK Defence Intelligence
#     report; every external source has no article file; derived_from resolves;
#   - claims about ships' identity or sanctions are marked as not visible on
#     imagery ("imagery": "no");
#   - the Dunai/Tikhoretsk dispute is a "place" discrepancy naming both sides;
#   - the AiBot date clash and the single-sourced 6,700 containers are recorded.
set -euo pipefail
: "${SATMARK:?}" "${SATMARK_SRC:?}"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
cat="$SATMARK_SRC/annotations/claims.json"
[[ -f "$cat" ]] || { echo "SKIP: no bundled catalog"; exit 77; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

out=$(jq -r '.claims[] | select(.check) |
  select(.check.date_from < .time.from or .check.date_to > .time.to or .check.date_from > .check.date_to) |
  "\(.id): check \(.check.date_from)..\(.check.date_to) outside \(.time.from)..\(.time.to)"' "$cat")
[[ -z "$out" ]] || fail "check windows outside their claims' windows:"$'\n'"$out"

for f in "$SATMARK_SRC"/annotations/*.geojson; do
  out=$(jq -r --slurpfile c "$cat" '
    ($c[0].claims | map({key: .id, value: .time}) | from_entries) as $t |
    .features[] | . as $f | .properties.claims[]? | select(.stance == "supports") |
    ($t[.claim]) as $w |
    select($w == null or ([$f.properties.observations[]? | .acquired[0:10] |
                           select(. >= $w.from and . <= $w.to)] | length) == 0) |
    "\($f.id) supports \(.claim) with no observation inside \($w.from // "?")..\($w.to // "?")"' "$f")
  [[ -z "$out" ]] || fail "$(basename "$f"): support outside the claim's window:"$'\n'"$out"
done

roots=$(jq -r '
  (.sources | map({key: .id, value: (.derived_from // [])}) | from_entries) as $g |
  def roots($id): if ($g[$id] | length) == 0 then [$id] else [$g[$id][] | roots(.)[]] end;
  [("newsweek-2024-01-22", "kyivindependent-2024-01-22", "essanews-2024-01-22") | roots(.)[]] | unique | join(",")' "$cat")
[[ "$roots" == "ukdi-report-2023" ]] || fail "000/001/004 should have one origin, the UK DI report; got '$roots'"
jq -e '.sources[] | select(.id == "guardian-2024-01-22") | .derived_from == ["ukdi-report-2023"]' "$cat" >/dev/null ||
  fail "The Guardian's report does not derive from the UK DI report"
out=$(jq -r '(.sources | map(.id)) as $ids | .sources[] | . as $s | (.derived_from // [])[] |
             select(($ids | index(.)) == null) | "\($s.id) -> \(.)"' "$cat")
[[ -z "$out" ]] || fail "derived_from names unknown sources: $out"
out=$(jq -r '.sources[] | select(.reliability == "external" and .file != null) | .id' "$cat")
[[ -z "$out" ]] || fail "external sources with an article file: $out"

for id in rason-four-sanctioned-ships-dozens-of-visits ships-us-sanctioned-mod-ties ships-us-sanctioned-2022 \
          najin-workers-seen-loading; do
  v=$(jq -r --arg id "$id" '.claims[] | select(.id == $id) | .imagery' "$cat")
  [[ "$v" == no ]] || fail "$id: imagery '$v', expected no (names, sanctions and workers are not visible)"
done
n=$(jq -r '.claims[] | select(.id == "najin-containers-loaded") | .quote' "$cat")
[[ "$n" != *Workers* ]] || fail "najin-containers-loaded still quotes 004's workers for three sources"

jq -e '.discrepancies[] | select(.id == "dunai-vs-tikhoretsk-pits") |
       .kind == "place" and (.claims | index("dunai-pits-over-100") and index("ext-rusi-tikhoretsk-pits")) and
       (.description | test("east of Tikhoretsk"))' "$cat" >/dev/null ||
  fail "dunai-vs-tikhoretsk-pits: not a place discrepancy naming both sides with Dunai east of Tikhoretsk"
for id in aibot-page-date-vs-article-date sk-6700-containers-single-source; do
  jq -e --arg id "$id" 'any(.discrepancies[]; .id == $id)' "$cat" >/dev/null || fail "discrepancy $id missing"
done
jq -e '.discrepancies[] | select(.id == "shell-quantity-estimates") | .description | test("undated")' "$cat" >/dev/null ||
  fail "shell-quantity-estimates gives the South Korean estimate a date the article does not give"

# today's reader accepts all of it
(cd "$SATMARK_SRC" && "$SATMARK" validate annotations/*.geojson annotations/claims.json >/dev/null 2>&1) ||
  fail "satmark validate refuses the bundled data"

if ((failures)); then
  echo "catalog_bundled: $failures failure(s)" >&2
  exit 1
fi
echo "catalog_bundled: all passed"
