# expect.sh — sourced by tests/e2e/*.sh (not a test itself: ctest only runs
# tests/e2e/*.sh). Exit statuses are always checked, never swallowed:
#   expect_exit N CMD...   runs CMD; fails the test unless it exits N
#                          (redirect around the call to keep CMD's output:
#                          the failure message still reaches the test's
#                          own stderr, kept here as fd $expect_stderr)
#   skip_test REASON       the test cannot run here: exit 77, which ctest
#                          reports as SKIP (SKIP_RETURN_CODE in tests/CMakeLists.txt)
#   need_command CMD...    skip_test unless every CMD is installed

exec {expect_stderr}>&2

skip_test() {
  echo "SKIP: $*"
  exit 77
}

need_command() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null ||
      skip_test "$c is not installed (scripts/install-deps.sh installs it)"
  done
}

expect_exit() {
  local want=$1 rc=0
  shift
  "$@" || rc=$?
  if ((rc != want)); then
    echo "FAIL: exit $rc, expected $want: $*" >&"$expect_stderr"
    exit 1
  fi
}
