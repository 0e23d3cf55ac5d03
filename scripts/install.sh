#!/bin/bash
# Installs nat64 on this Debian/Ubuntu machine and loads it:
#   packages, the `nat64` CLI, the iptables extension (libxt_JOOL.so,
#   libxt_NAT64.so), and nat64.ko through DKMS so that it is rebuilt for
#   every kernel installed later. Run as root from the source tree.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
SRC=/usr/src/nat64-$VER

bash "$REPO/scripts/deps.sh" build
# Headers of the running kernel, where the distribution has them.
apt-get install -y -q "linux-headers-$(uname -r)" 2>/dev/null ||
	echo "note: no headers package for the running kernel $(uname -r)"

cmake -S "$REPO" -B "$REPO/build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$REPO/build" -j"$(nproc)" --target nat64 xt_JOOL xt_NAT64
cmake --install "$REPO/build"

# DKMS wants the module sources under /usr/src/<name>-<version>: sources
# only, no objects from a build in this tree.
dkms remove "nat64/$VER" --all >/dev/null 2>&1 || true
rm -rf "$SRC"
mkdir -p "$SRC"
(cd "$REPO" && find dkms.conf mod include -type f \
	\( -name dkms.conf -o -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
	tar --null -T - -cf -) | tar -C "$SRC" -xf -
dkms add "nat64/$VER"
# Every kernel that has headers now (the running one, one installed for the
# next boot); kernels installed later get it from DKMS's own kernel hook.
installed=0
for build in /lib/modules/*/build; do
	[ -f "$build/Makefile" ] || continue
	kver=$(basename "$(dirname "$build")")
	rc=0
	dkms install "nat64/$VER" -k "$kver" || rc=$?
	case $rc in
	0) installed=$((installed + 1)) ;;
	77) echo "note: kernel $kver is outside dkms.conf's supported range, skipped" ;;
	*) echo "error: dkms install for $kver failed (status $rc)" >&2; exit 1 ;;
	esac
done
[ "$installed" -gt 0 ] || { echo "error: no kernel headers to build nat64 against" >&2; exit 1; }

if [ -d /proc/modules ] || [ -e /proc/modules ]; then
	modprobe nat64 && echo "nat64 loaded: try 'nat64 instance add default --netfilter --pool6 64:ff9b::/96'"
else
	echo "this kernel cannot load modules here; nat64.ko is installed for the next boot"
fi
