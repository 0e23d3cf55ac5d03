#!/bin/bash
# Installs every Debian package nat64 needs to build, install and test.
# Run as root. Used by .ci/run and scripts/install.sh.
set -euo pipefail

BUILD_PKGS=(
	build-essential cmake pkg-config kmod dkms
	libnl-3-dev libnl-genl-3-dev libxtables-dev iptables
	libcli11-dev nlohmann-json3-dev libfmt-dev
	libgtest-dev libbenchmark-dev
)
# The guest kernel used by the VM tests, and its headers for the module.
# On Debian 12 a second one, the newest from bookworm-backports (6.12), is
# added (backports_kernel): the upgrade that DKMS and the VM suite cover.
KERNEL_PKGS=(linux-image-amd64 linux-headers-amd64)
TEST_PKGS=(
	qemu-system-x86 busybox-static cpio
	iproute2 iputils-ping socat tcpdump python3-scapy util-linux
	# test/fuzz: clang, and its libFuzzer and sanitizer runtimes (only
	# recommended by clang, and recommends are not installed here).
	clang libclang-rt-dev
	# test/install: man pages rendered by groff, the bash completion run.
	groff-base bash-completion
	# 60-traceroute: UDP, ICMP and TCP traceroute through the translator.
	traceroute
	# 80-dns64: the gateway's resolver, an authoritative server, clients.
	# Only their binaries are used (inside the VM); the services the
	# packages enable on this machine are not needed.
	unbound nsd bind9-dnsutils curl
	# test/bench: TCP throughput through the translator.
	iperf3
)

# Debian 12 only: bookworm-backports as a copy of the Debian entry (same
# URIs and key, Suites: bookworm-backports). Debian pins backports low:
# nothing comes from there unless asked for by name.
add_backports() {
	local codename entry
	# shellcheck source=/dev/null
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[[ $codename == bookworm ]] || return 1
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
	entry=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v RS= '/(^|\n)Suites:[^\n]*bookworm([ \n]|$)/ && !/security/ { print; exit }')
	if [[ -n $entry ]]; then
		sed 's/^Suites:.*/Suites: bookworm-backports/' <<<"$entry" \
			>/etc/apt/sources.list.d/bookworm-backports.sources
	else
		entry=$(grep -hE '^deb[[:space:]].*[[:space:]]bookworm[[:space:]]' /etc/apt/sources.list 2>/dev/null |
			grep -v security | head -n 1)
		[[ -n $entry ]] || { echo "deps.sh: no Debian bookworm apt source to copy" >&2; return 1; }
		sed 's/[[:space:]]bookworm[[:space:]]/ bookworm-backports /' <<<"$entry" \
			>/etc/apt/sources.list.d/bookworm-backports.list
	fi
	echo "deps.sh: added bookworm-backports"
}

# The versioned image and headers behind backports' metapackages (the
# metapackages themselves would replace the distribution's kernel).
backports_kernel() {
	local meta
	for meta in linux-image-amd64 linux-headers-amd64; do
		apt-cache depends "$meta/bookworm-backports" 2>/dev/null |
			sed -n 's/^  Depends: \(linux-[a-z]*-[0-9][^ ]*\)$/\1/p' | head -n 1
	done
}

mode=${1:-all}
pkgs=("${BUILD_PKGS[@]}")
case "$mode" in
build) ;;
all) pkgs+=("${KERNEL_PKGS[@]}" "${TEST_PKGS[@]}") ;;
*) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

export DEBIAN_FRONTEND=noninteractive
backports=0
[[ $mode != all ]] || ! add_backports || backports=1
apt-get update -q
if ((backports)); then
	mapfile -t bpo < <(backports_kernel)
	if ((${#bpo[@]} == 2)); then
		pkgs+=("${bpo[@]}")
	else
		echo "deps.sh: no kernel found in bookworm-backports; testing one kernel only" >&2
	fi
fi
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
