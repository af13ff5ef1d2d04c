# Shared helpers for the xmuc test-server scripts (sourced, not executed).
# Everything here binds to / talks to 127.0.0.1 only.

XMPP_DEFAULT_USERS="alice:alicepass bob:bobpass carol:carolpass dave:davepass admin:adminpass"

die() { echo "$*" >&2; exit 1; }

# now_ms: monotonic-enough wall clock in milliseconds (for bounded waits).
now_ms() { date +%s%3N; }

# resolve_dir DIR: create DIR and print its absolute physical path. Refuses odd characters
# because the path is embedded verbatim in Lua/YAML/Erlang config text.
resolve_dir() {
  local d="$1"
  [ -n "$d" ] || die "usage: $(basename "$0") DIR"
  case "$d" in *[!A-Za-z0-9._/+-]*) die "DIR must match [A-Za-z0-9._/+-]+: $d" ;; esac
  mkdir -p "$d" || die "cannot create $d"
  (cd "$d" && pwd -P)
}

# valid_port NAME VALUE: die unless VALUE is a TCP port number.
valid_port() {
  case "$2" in ''|*[!0-9]*) die "$1 must be a port number, got '$2'" ;; esac
  [ "$2" -ge 1 ] && [ "$2" -le 65535 ] || die "$1 out of range: $2"
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive PID: true when PID exists and is not a zombie.
pid_alive() {
  local pid="$1" state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != "Z" ] && [ "$state" != "X" ]
}

# pid_cmdline_has PID NEEDLE: true when PID is alive and its argv contains NEEDLE.
pid_cmdline_has() {
  pid_alive "$1" || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# wait_ports TIMEOUT_S PID PORT...: wait until every port accepts or PID dies / time runs out.
wait_ports() {
  local timeout_s="$1" pid="$2"; shift 2
  local deadline=$(( $(now_ms) + timeout_s * 1000 )) p ok
  while :; do
    pid_alive "$pid" || { echo "server process $pid exited during startup" >&2; return 1; }
    ok=1
    for p in "$@"; do port_open "$p" || { ok=0; break; }; done
    [ "$ok" = 1 ] && return 0
    [ "$(now_ms)" -lt "$deadline" ] || { echo "ports $* not open after ${timeout_s}s" >&2; return 1; }
    sleep 0.05
  done
}

# stop_pid PID NEEDLE TIMEOUT_S: SIGTERM PID (only if its argv contains NEEDLE), wait up to
# TIMEOUT_S, then SIGKILL. Returns 0 when the process is gone (or was never ours/alive).
stop_pid() {
  local pid="$1" needle="$2" timeout_s="$3"
  [ -n "$pid" ] || return 0
  if ! pid_alive "$pid"; then return 0; fi
  if ! pid_cmdline_has "$pid" "$needle"; then
    echo "PID $pid does not look like our server (argv lacks $needle); not touching it" >&2
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(now_ms) + timeout_s * 1000 ))
  while pid_alive "$pid"; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      echo "PID $pid still alive after ${timeout_s}s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      local kdeadline=$(( $(now_ms) + 5000 ))
      while pid_alive "$pid" && [ "$(now_ms)" -lt "$kdeadline" ]; do sleep 0.05; done
      pid_alive "$pid" && { echo "PID $pid survived SIGKILL" >&2; return 1; }
      return 0
    fi
    sleep 0.05
  done
  return 0
}

# users_list: the account list ("name:password ...") from XMPP_USERS or the defaults; validated.
users_list() {
  local u="${XMPP_USERS:-$XMPP_DEFAULT_USERS}" e
  for e in $u; do
    case "$e" in
      *:*) ;;
      *) die "XMPP_USERS entries must be name:password, got '$e'" ;;
    esac
    case "$e" in *[!A-Za-z0-9._:+-]*) die "XMPP_USERS entry has unsupported characters: $e" ;; esac
  done
  echo "$u"
}

# print_logs FILE...: dump the tail of each existing log file to stderr.
print_logs() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "----- $f (last 80 lines) -----" >&2
    tail -n 80 "$f" >&2
  done
}

# http_post_json URL JSON: POST JSON to a loopback URL, print the body; fails on HTTP >= 400
# or connection errors. Uses curl when present, else the Debian python3 (always there with aioxmpp).
http_post_json() {
  if command -v curl >/dev/null; then
    local tmp code
    tmp="$(mktemp)"
    code="$(curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' --data "$2" \
      -o "$tmp" -w '%{http_code}' "$1")" || { cat "$tmp"; rm -f "$tmp"; return 1; }
    cat "$tmp"; rm -f "$tmp"
    [ "$code" -lt 400 ]
  else
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST",
                             headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode()); sys.exit(1)
PY
  fi
}

# server_down LABEL PIDFILE_NAME ARGV_MARKER GRACE_S CONFIG_NAME DIR [--rm]
# Stop the server recorded in DIR/PIDFILE_NAME (only if its argv contains ARGV_MARKER, where
# the literal @DIR@ stands for DIR); with --rm delete DIR if it looks like a server dir.
server_down() {
  local label="$1" pidname="$2" marker="$3" grace="$4" cfg="$5"
  shift 5
  [ $# -ge 1 ] || die "usage: $(basename "$0") DIR [--rm]"
  local rm=0; [ "${2:-}" = "--rm" ] && rm=1
  [ -d "$1" ] || { echo "no such dir: $1 (nothing to stop)"; return 0; }
  local dir; dir="$(cd "$1" && pwd -P)"
  local pidf="$dir/$pidname"
  if [ -f "$pidf" ]; then
    stop_pid "$(cat "$pidf")" "${marker//@DIR@/$dir}" "$grace" || die "could not stop $label in $dir"
    rm -f "$pidf"
  fi
  if [ "$rm" = 1 ]; then
    [ -f "$dir/$cfg" ] || [ -f "$dir/env.sh" ] || [ -z "$(ls -A "$dir")" ] \
      || die "refusing to rm $dir: it does not look like a server dir"
    rm -rf "$dir"
  fi
}
