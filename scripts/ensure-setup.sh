#!/bin/sh
# Brings a fresh checkout to a runnable state: Node check, npm dependencies, qemu-utils, Chromium
# (for the browser test; optional), build.
# Runs before `npm start` and `npm test` (prestart / pretest). Safe to run again: each step is
# skipped when already done.
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

sh scripts/ensure-chromium.sh || say "continuing without Chromium: the browser test will be skipped, saying why"

say "building (tsc)"
npx tsc -p tsconfig.json
