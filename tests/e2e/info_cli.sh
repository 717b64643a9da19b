#!/usr/bin/env bash
# e2e: the `satmark` command surface around `info`: help, version, usage errors
# (exit 2), missing and bad files (exit 1 with the file named on stderr).
set -euo pipefail
SATMARK=${SATMARK:?set SATMARK to the satmark binary}
DATA=${SATMARK_TEST_DATA:?set SATMARK_TEST_DATA}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_rc WANT DESCRIPTION -- command...   (stdout/stderr kept in $tmp/out, $tmp/err)
expect_rc() {
    local want=$1 what=$2; shift 3
    local rc=0
    timeout 60 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$what: exit $rc, want $want"; sed 's/^/    /' "$tmp/err" | head -5
        return 1
    fi
    if grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$tmp/err"; then
        fail "$what: sanitizer report"; head -20 "$tmp/err"; return 1
    fi
    return 0
}

expect_rc 0 "--help" -- "$SATMARK" --help && { grep -q "info" "$tmp/out" || fail "--help does not list info"; }
expect_rc 0 "help info" -- "$SATMARK" help info && { grep -q -- "--json" "$tmp/out" || fail "help info lacks --json"; }
expect_rc 0 "info --help" -- "$SATMARK" info --help && { grep -q "usage: satmark info" "$tmp/out" || fail "info --help lacks usage"; }
expect_rc 0 "--version" -- "$SATMARK" --version && { grep -qE "^satmark [0-9]+\.[0-9]+" "$tmp/out" || fail "--version output: $(cat "$tmp/out")"; }
# usage errors: exit 2 and nothing more to check (expect_rc counts a failure)
expect_usage() { expect_rc 2 "$@" || return 0; }
expect_usage "no command" -- "$SATMARK"
expect_usage "unknown command" -- "$SATMARK" frobnicate
expect_usage "help unknown" -- "$SATMARK" help frobnicate
expect_usage "info without FILE" -- "$SATMARK" info
expect_usage "info unknown option" -- "$SATMARK" info --bogus "$DATA/L7_ETMs.tif"
expect_usage "info two files" -- "$SATMARK" info "$DATA/L7_ETMs.tif" "$DATA/L7_ETMs.tif"
expect_usage "info --bands garbage" -- "$SATMARK" info --bands 3,x,1 "$DATA/L7_ETMs.tif"
expect_usage "info --bands two" -- "$SATMARK" info --bands 3,2 "$DATA/L7_ETMs.tif"
expect_usage "info --bands missing value" -- "$SATMARK" info "$DATA/L7_ETMs.tif" --bands

if expect_rc 1 "missing file" -- "$SATMARK" info "$tmp/no-such-file.tif"; then
    grep -q "^satmark: error: $tmp/no-such-file.tif: No such file" "$tmp/err" || fail "missing file message: $(cat "$tmp/err")"
fi
if expect_rc 1 "directory" -- "$SATMARK" info "$tmp"; then
    grep -q "satmark: error: $tmp: is a directory" "$tmp/err" || fail "directory message: $(cat "$tmp/err")"
fi
mkfifo "$tmp/pipe.tif"
if expect_rc 1 "fifo (must not block)" -- "$SATMARK" info "$tmp/pipe.tif"; then
    grep -q "satmark: error: $tmp/pipe.tif: not a regular file" "$tmp/err" || fail "fifo message: $(cat "$tmp/err")"
fi
echo "not an image" >"$tmp/text.tif"
if expect_rc 1 "text file" -- "$SATMARK" info "$tmp/text.tif"; then
    grep -q "satmark: error: $tmp/text.tif: " "$tmp/err" || fail "text file message: $(cat "$tmp/err")"
fi
if expect_rc 1 "remote refused" -- "$SATMARK" info /vsicurl/https://example.invalid/a.tif; then
    grep -q "remote access is off" "$tmp/err" || fail "remote message: $(cat "$tmp/err")"
fi
if expect_rc 1 "band out of range" -- "$SATMARK" info --bands 9,8,7 "$DATA/L7_ETMs.tif"; then
    grep -q "L7_ETMs.tif: band 9 does not exist" "$tmp/err" || fail "band message: $(cat "$tmp/err")"
fi
# Bands chosen by the user are what would be displayed.
if expect_rc 0 "--bands 3,2,1" -- "$SATMARK" info --json --no-hash --bands 3,2,1 "$DATA/L7_ETMs.tif"; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["display"]["bands"]==[3,2,1], d["display"]; assert d["sha256"] is None' "$tmp/out" || fail "--bands 3,2,1 not reflected"
fi
# Text output names the essentials; SHA-256 matches sha256sum.
if expect_rc 0 "text info" -- "$SATMARK" info "$DATA/L7_ETMs.tif"; then
    want=$(sha256sum "$DATA/L7_ETMs.tif" | cut -d' ' -f1)
    grep -q "^sha256: *$want$" "$tmp/out" || fail "sha256 differs from sha256sum"
    grep -q "EPSG:31985" "$tmp/out" || fail "text lacks EPSG:31985"
    grep -q "^size: *349 x 352 pixels, 6 bands" "$tmp/out" || fail "text size line"
fi

if [ "$failures" -ne 0 ]; then
    echo "info_cli: $failures failure(s)"; exit 1
fi
echo "info_cli: ok"
