# xdrive.sh — sourced by the scripts that drive satmark-view with real X
# input under xvfb-run (view_xvfb, viewer_xvfb_saveas, view_georef_xvfb).
# The viewer is waited on, never raced with a fixed sleep:
#   xdrive_start LOG VIEWER ARGS...  starts the viewer (stderr to LOG) with
#       SATMARK_VIEW_READY_FILE set; returns once it has shown its first
#       complete frame (input sent earlier can be lost) with $vpid and the
#       window id $wid set; fails if the viewer exits first.
#   step XDOTOOL-ARGS...             one xdotool command, then 0.3 x $pace s:
#       input spaced as a person's (X delivers events in order; the pause
#       synchronises nothing)
#   xdrive_wait_exit                 waits for the viewer to exit after the
#       script's Ctrl+Q (the caller's `timeout` bounds it) and returns its
#       exit status.

xdrive_start() {
  local log=$1
  shift
  local ready
  ready=$(mktemp -u "${TMPDIR:-/tmp}/satmark-ready.XXXXXX")
  SATMARK_VIEW_READY_FILE=$ready "$@" 2>"$log" &
  vpid=$!
  while [[ ! -e $ready ]]; do
    if ! kill -0 "$vpid" 2>/dev/null; then
      echo "the viewer exited before its first frame" >&2
      return 1
    fi
    sleep 0.05
  done
  rm -f "$ready"
  wid=$(xdotool search --sync --onlyvisible --name 'satmark' | head -n1)
  [[ -n $wid ]]
}

xdrive_wait_exit() {
  local rc=0
  wait "$vpid" || rc=$?
  return "$rc"
}

step() {
  xdotool "$@"
  sleep "$(awk -v p="$pace" 'BEGIN { print p * 0.3 }')"
}
