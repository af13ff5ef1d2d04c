#!/usr/bin/env bash
# Stop the Prosody started by prosody-up.sh DIR (only the recorded PID, only if its argv names DIR).
#   prosody-down.sh DIR [--rm]     --rm deletes DIR afterwards
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

[ $# -ge 1 ] || die "usage: $(basename "$0") DIR [--rm]"
RM=0; [ "${2:-}" = "--rm" ] && RM=1
[ -d "$1" ] || { echo "no such dir: $1 (nothing to stop)"; exit 0; }
DIR="$(cd "$1" && pwd -P)"
PIDF="$DIR/prosody.pid"
if [ -f "$PIDF" ]; then
  stop_pid "$(cat "$PIDF")" "$DIR/prosody.cfg.lua" 10 || die "could not stop Prosody in $DIR"
  rm -f "$PIDF"
fi
if [ "$RM" = 1 ]; then
  [ -f "$DIR/prosody.cfg.lua" ] || [ -f "$DIR/env.sh" ] || [ -z "$(ls -A "$DIR")" ] \
    || die "refusing to rm $DIR: it does not look like a server dir"
  rm -rf "$DIR"
fi
