#!/bin/bash
# Get Jool (the translator nat64 is compared with) from Debian's packages and
# build its modules for the guest kernel, in a scratch directory outside the
# repository.  Nothing of Jool is ever part of this project.
#   get-jool.sh KVER DIR
# Afterwards DIR/KVER/jool.ko (with jool_common.ko beside it) and
# DIR/root/usr/bin/jool exist; a second call with the same KVER does nothing.
# Needs apt (jool-dkms and jool-tools from the configured Debian archive), the
# headers of KVER in /lib/modules/KVER/build, and libnl-genl-3 for the CLI.
set -euo pipefail

die() {
	echo "get-jool: $*" >&2
	exit 1
}

main() {
	[[ $# -eq 2 ]] || die "usage: get-jool.sh KVER DIR"
	local kver=$1 dir=$2
	local out=$dir/$kver kdir=/lib/modules/$1/build
	if [[ -f $out/jool.ko && -f $out/jool_common.ko && -x $dir/root/usr/bin/jool ]]; then
		return 0
	fi
	[[ -d $kdir ]] || die "no kernel headers at $kdir (install linux-headers-$kver)"
	mkdir -p "$dir/debs"
	dir=$(cd "$dir" && pwd)
	out=$dir/$kver
	if [[ ! -x $dir/root/usr/bin/jool ]] || ! compgen -G "$dir/root/usr/src/jool-dkms-*" >/dev/null; then
		echo "get-jool: apt-get download jool-dkms jool-tools" >&2
		# apt's download sandbox user may not write here; root may.
		(cd "$dir/debs" && apt-get download -o APT::Sandbox::User=root jool-dkms jool-tools) >&2 ||
			die "apt-get download jool-dkms jool-tools failed"
		rm -rf "$dir/root"
		local deb
		for deb in "$dir"/debs/jool-dkms_*.deb "$dir"/debs/jool-tools_*.deb; do
			dpkg-deb -x "$deb" "$dir/root"
		done
	fi
	local src
	src=$(compgen -G "$dir/root/usr/src/jool-dkms-*" | sort -V | tail -n 1)
	[[ -d $src/src/mod/nat64 ]] || die "unexpected jool-dkms layout in $src"
	# Build in a copy: the extracted package stays pristine.
	rm -rf "$out" "$dir/build-$kver"
	cp -r "$src" "$dir/build-$kver"
	local mod=$dir/build-$kver/src/mod
	echo "get-jool: building $(basename "$src") against $kdir" >&2
	if ! make -s -C "$kdir" M="$mod/common" modules >"$dir/build-$kver.log" 2>&1 ||
		! make -s -C "$kdir" M="$mod/nat64" modules >>"$dir/build-$kver.log" 2>&1; then
		die "building Jool failed, see $dir/build-$kver.log"
	fi
	mkdir -p "$out"
	cp "$mod/nat64/jool.ko" "$mod/common/jool_common.ko" "$out/"
	echo "get-jool: $out/jool.ko, $dir/root/usr/bin/jool" >&2
}

main "$@"
