#!/bin/sh
# Brings a fresh checkout to a runnable state: Node check, npm dependencies, qemu-utils, Chromium
# (for the browser test; optional), build; with the argument `test` (npm test's pretest) also
# QEMU 10 beside the system's QEMU, for the tests that run on every QEMU the machine has. Runs
# before `npm start` and `npm test` (prestart / pretest). Safe to run again: each step is skipped
# when already done.
set -eu
cd "$(dirname "$0")/.."

say() { printf 'crashcow setup: %s\n' "$*" >&2; }

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  say "Node.js $(node -v) is too old; crashcow needs Node 20 or newer."
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if ! command -v qemu-img >/dev/null 2>&1 || ! command -v qemu-io >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "qemu-img/qemu-io missing: installing qemu-utils with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q qemu-utils >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q qemu-utils >/dev/null; }
  else
    say "qemu-img and qemu-io are needed but missing, and this user cannot install them."
    say "Install them, then run the command again:  sudo apt-get install qemu-utils"
    say "(on other systems: the package that provides qemu-img and qemu-io, QEMU 7.2 or newer)"
    exit 1
  fi
fi

# QEMU 10 through scripts/qemu-get.sh, into .qemu/ (nothing installed). A system that cannot use
# Debian 12's packages gets a note saying the QEMU-10 parts of the tests will be skipped; one that
# can but whose download fails stops here, since the tests would then silently cover one QEMU only.
# CRASHCOW_QEMU_GET=off skips the step on purpose. The reason for a skip is kept in
# .qemu/unavailable.txt, which the tests print beside each part they skip.
unavailable=.qemu/unavailable.txt
skip_qemu10() {
  mkdir -p .qemu
  printf '%s\n' "$1" > "$unavailable"
  say "QEMU 10 parts of the tests will be SKIPPED: $1"
  say "to run them: npm run qemu:get (Debian 12, network), or CRASHCOW_QEMU_DIR=DIR naming another build"
}
if [ "${1:-}" != test ]; then
  :
elif [ "${CRASHCOW_QEMU_GET:-on}" = off ]; then
  # A build unpacked before is still used; only the fetch is skipped.
  ls .qemu/*/usr/bin/qemu-io >/dev/null 2>&1 || skip_qemu10 "CRASHCOW_QEMU_GET=off"
else
  rm -f "$unavailable"
  status=0
  messages=$(sh scripts/qemu-get.sh 2>&1 >/dev/null) || status=$?
  printf '%s\n' "$messages" >&2
  if [ "$status" = 3 ]; then
    skip_qemu10 "scripts/qemu-get.sh cannot fetch QEMU 10 here: $(printf '%s\n' "$messages" | head -n 1 | sed 's/^crashcow qemu:get: //')"
  elif [ "$status" != 0 ]; then
    say "FAILED to fetch QEMU 10 with scripts/qemu-get.sh (exit $status, its message above)."
    say "This system should be able to (Debian 12 with apt): check the network, then run the command again."
    say "To run the tests without QEMU 10 on purpose: CRASHCOW_QEMU_GET=off npm test"
    exit 1
  fi
fi

sh scripts/ensure-chromium.sh || say "continuing without Chromium: the browser test will be skipped, saying why"

say "building (tsc)"
npx tsc -p tsconfig.json
