#!/usr/bin/env bash
# Stop the Prosody started by prosody-up.sh DIR (only the recorded PID, only if its argv names DIR).
#   prosody-down.sh DIR [--rm]     --rm deletes DIR afterwards
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
server_down Prosody prosody.pid "@DIR@/prosody.cfg.lua" 10 prosody.cfg.lua "$@"
