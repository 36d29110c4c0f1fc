#!/bin/sh
# Puts QEMU 10's qemu-utils (Debian bookworm-backports) into .qemu/VERSION/ of this project, beside
# the system's QEMU 7.2, without touching the system: apt reads a private sources file and keeps
# its package lists and caches in .qemu/apt/ (git ignores .qemu/), `apt-get download` fetches the
# one package and `dpkg -x` unpacks it; nothing is installed, no file under /etc or /var changes.
# Prints the folder to pass as `--qemu DIR` (or CRASHCOW_QEMU_DIR) as the last line on stdout.
# Run again: a folder already unpacked is reused (QEMU_GET_REFRESH=1 fetches again).
# Exit 0 with the folder; 3 when this system cannot use the packages (not Debian 12, apt, dpkg or the
# archive keyring missing); 1 when it could but the download or the unpacked binaries failed.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
base="$root/.qemu"
suite=bookworm-backports

say() { printf 'crashcow qemu:get: %s\n' "$*" >&2; }
# fail STATUS MESSAGE
fail() {
  status=$1
  shift
  say "$*"
  say "to run crashcow on another QEMU build, pass its folder holding qemu-img and qemu-io: --qemu DIR (or CRASHCOW_QEMU_DIR=DIR)"
  exit "$status"
}

# A folder unpacked before whose binaries still run.
if [ "${QEMU_GET_REFRESH:-0}" != 1 ]; then
  for dir in "$base"/*/usr/bin; do
    if [ -x "$dir/qemu-img" ] && [ -x "$dir/qemu-io" ] && "$dir/qemu-img" --version >/dev/null 2>&1; then
      say "already unpacked: $("$dir/qemu-img" --version | head -n 1)"
      printf '%s\n' "$dir"
      exit 0
    fi
  done
fi

codename=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
[ "$codename" = bookworm ] || fail 3 "this fetches Debian 12 (bookworm) packages; this system is '${codename:-not Debian}'"
for tool in apt-get dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || fail 3 "$tool is missing; it comes with Debian's apt and dpkg"
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || fail 3 "$keyring is missing: install debian-archive-keyring"

# The mirror the system already uses for Debian, so a machine behind a mirror keeps using it.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\/*\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

apt_dir="$base/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" > "$apt_dir/sources.list"
# Every option points apt at .qemu/apt: the sources (and no sources.list.d), the lists and the caches.
set -- -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=- \
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=true \
  -o Acquire::Retries=2 -o Acquire::http::Timeout=30 -q

say "reading $suite from $mirror (private lists in .qemu/apt)"
apt-get "$@" update >"$apt_dir/update.log" 2>&1 || fail 1 "apt-get update of $suite failed (see $apt_dir/update.log)"

work=$(mktemp -d "$base/download.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "$@" download "qemu-utils/$suite" >"$apt_dir/download.log" 2>&1) || fail 1 "apt-get download qemu-utils/$suite failed (see $apt_dir/download.log)"
deb=$(ls "$work"/qemu-utils_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail 1 "apt-get download left no qemu-utils package"

# "1:10.0.2+ds-1~bpo12+1" -> "10.0.2"
full=$(dpkg-deb -f "$deb" Version)
version=$(printf '%s' "$full" | sed 's/^[0-9]*://; s/[+~-].*$//')
dest="$base/$version"
rm -rf "$dest"
dpkg -x "$deb" "$dest"
dir="$dest/usr/bin"
"$dir/qemu-img" --version >/dev/null 2>&1 || fail 1 "the unpacked $dir/qemu-img does not run on this system"
say "qemu-utils $full unpacked: $("$dir/qemu-img" --version | head -n 1)"
printf '%s\n' "$dir"
