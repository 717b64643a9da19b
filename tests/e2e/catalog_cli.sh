#!/usr/bin/env bash
# e2e: `satmark catalog` as a user builds a catalog: init (never over an
# existing file), add-source from an article file and from a URL with its
# archived copy, derived_from lineage, add-claim; usage errors exit 2,
# refused adds exit 1 with the reason and leave the catalog byte for byte
# unchanged; the result validates and `claims` counts the origins.
set -euo pipefail
: "${SATMARK:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
cat="$work/claims.json"
hex=$(printf 'a%.0s' {1..64})
echo "text" >"$work/article.txt"

"$SATMARK" catalog init "$cat" >/dev/null || fail "init"
rc=0; "$SATMARK" catalog init "$cat" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] && grep -q "already exists" "$work/err" || fail "init over an existing file: exit $rc"

ok() { "$SATMARK" catalog "$@" >/dev/null 2>"$work/err" || fail "catalog $*: $(cat "$work/err")"; }
ok add-source "$cat" --id report --outlet "Report" --reliability external \
  --url https://example.org/r --archived-sha256 "$hex" --archived-at 2024-01-22T10:00:00Z
ok add-source "$cat" --id a --outlet "Outlet A" --file "$work/article.txt" --derived-from report
ok add-source "$cat" --id b --outlet "Outlet B" --file "$work/article.txt" --derived-from report
ok add-source "$cat" --id c --outlet "Outlet C" --file "$work/article.txt" --derived-from a b
ok add-claim "$cat" --id claim-1 --text "Something happened." --source a b c --from 2024-01-01 \
  --to 2024-01-31 --imagery partly --place "Somewhere"

refused() { # expected-exit needle args...
  local want=$1 needle=$2; shift 2
  cp "$cat" "$work/before.json"
  local rc=0; "$SATMARK" catalog "$@" >/dev/null 2>"$work/err" || rc=$?
  [[ $rc == "$want" ]] || fail "catalog $*: exit $rc, expected $want ($(cat "$work/err"))"
  grep -qF -- "$needle" "$work/err" || fail "catalog $*: message lacks '$needle': $(cat "$work/err")"
  cmp -s "$cat" "$work/before.json" || fail "catalog $*: the catalog changed"
}
refused 1 'derived_from: unknown source "nobody"' add-source "$cat" --id d --outlet D --file "$work/article.txt" --derived-from nobody
refused 1 "duplicate id" add-source "$cat" --id a --outlet D --file "$work/article.txt"
refused 1 'claims[1] "claim-2": sources: unknown source "zz"' add-claim "$cat" --id claim-2 --text t --source zz
refused 1 "2024-02-30" add-claim "$cat" --id claim-2 --text t --source a --from 2024-02-30
refused 1 "no-such-article.txt" add-source "$cat" --id d --outlet D --file "$work/no-such-article.txt"
refused 2 "--archived-sha256" add-source "$cat" --id d --outlet D --url https://x
refused 2 "needs --id" add-claim "$cat" --text t --source a
refused 2 "unknown action" remove "$cat"
refused 2 "unexpected argument" add-claim "$cat" --id x --text t --source a --bogus

"$SATMARK" validate "$cat" >/dev/null 2>"$work/err" || fail "the built catalog does not validate: $(cat "$work/err")"
"$SATMARK" claims "$cat" --json >"$work/r.json" 2>/dev/null || fail "claims on the built catalog"
n=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const c = r.claims[0]; console.log(c.outlets + " " + c.independent_origins + " " + c.origins.join(","))' "$work/r.json")
[[ "$n" == "3 1 report" ]] || fail "lineage of the built claim: $n"

if ((failures)); then
  echo "catalog_cli: $failures failure(s)" >&2
  exit 1
fi
echo "catalog_cli: all passed"
