#!/bin/sh
# Makes sure a Chromium is there for the browser test and `npm run bench:layout` (Debian's
# chromium package; no browser is downloaded by npm). Installs it with apt-get when run as root;
# otherwise says what to do and exits 1. CRASHCOW_CHROMIUM names another Chromium binary.
set -eu
say() { printf 'crashcow setup: %s\n' "$*" >&2; }
chromium=${CRASHCOW_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${CRASHCOW_CHROMIUM:-}" ]; then
  say "Chromium missing: installing Debian's chromium package with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } || true
  [ -x "$chromium" ] && exit 0
fi
say "Chromium ($chromium) is needed for the browser test and bench:layout, and this user cannot install it."
say "Install it, then run again:  sudo apt-get install chromium"
say "(or set CRASHCOW_CHROMIUM to the path of a Chromium binary)"
exit 1
