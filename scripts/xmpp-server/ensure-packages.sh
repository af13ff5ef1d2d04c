#!/usr/bin/env bash
# Make sure the Debian packages the xmuc integration tests need are installed.
# Installs (apt-get update once, then a non-interactive install) only when something is missing
# and we are root; otherwise prints the command to run and exits 1. Idempotent and quick when
# everything is present. openssl (PROSODY_TLS=1) and curl (ejabberd API) are small extras;
# chromium is the browser the browser tests drive (playwright-core, never a downloaded browser);
# tmux runs `xmuc chat` on a terminal in its test.
set -euo pipefail
PKGS=(prosody prosody-modules ejabberd python3-aioxmpp python3-slixmpp openssl curl chromium tmux)

missing=()
for p in "${PKGS[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "xmuc integration tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them as root:  $cmd" >&2
  exit 1
fi
command -v apt-get >/dev/null || { echo "no apt-get; install ${missing[*]} by hand" >&2; exit 1; }
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# -qq: quiet; Lock::Timeout: wait for a parallel apt run (another checkout's setup) instead of failing.
apt-get update -qq -o DPkg::Lock::Timeout=600
apt-get install -y -qq -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null >/dev/null
