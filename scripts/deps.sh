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
KERNEL_PKGS=(linux-image-amd64 linux-headers-amd64)
TEST_PKGS=(
	qemu-system-x86 busybox-static cpio
	iproute2 iputils-ping socat tcpdump python3-scapy util-linux
	clang
)

mode=${1:-all}
pkgs=("${BUILD_PKGS[@]}")
case "$mode" in
build) ;;
all) pkgs+=("${KERNEL_PKGS[@]}" "${TEST_PKGS[@]}") ;;
*) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
