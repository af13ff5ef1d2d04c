#!/usr/bin/env bash
# Stop the ejabberd started by ejabberd-up.sh DIR (only the recorded beam.smp PID, only if its
# argv names DIR). SIGTERM = init:stop (clean Mnesia shutdown); SIGKILL after 20 s.
#   ejabberd-down.sh DIR [--rm]     --rm deletes DIR afterwards
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
server_down ejabberd ejabberd.pid "\"@DIR@/db\"" 20 ejabberd.yml "$@"
