#!/bin/bash
# vm-timeout: 120
# vm-cost: 6
# The module DKMS built and installed for the running kernel (test/dkms.sh,
# scratch install tree BUILD/dkms/root/lib/modules) loads with modprobe,
# dependencies included, and translates a ping; the system's own module
# tree has no nat64 (nothing is auto-loaded from there by other cases).
# Skipped (exit 77) when test/dkms.sh has not built for this kernel.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly ROOT=${NAT64_DKMS_ROOT:-$NAT64_BUILD/dkms/root}
KVER=$(uname -r)
# nat64.ko, or nat64.ko.xz where the kernel's modules are compressed (6.12).
KO=$(find "$ROOT/lib/modules/$KVER/updates/dkms" -name 'nat64.ko*' -print -quit 2>/dev/null || true)
readonly KVER KO

if [[ -z $KO ]]; then
	echo "SKIP: no DKMS-installed nat64 for $KVER under $ROOT (run test/dkms.sh --build $NAT64_BUILD)"
	exit 77
fi
[[ -x $NAT64_CLI ]] || fail "nat64 CLI not found at $NAT64_CLI"
expect_fail "the system's module tree has no nat64" modprobe -n nat64
expect_eq "$(modinfo -F vermagic "$KO" | cut -d' ' -f1)" "$KVER" "DKMS module built for the running kernel"

check "modprobe -d $ROOT nat64" modprobe -d "$ROOT" nat64
nat64_loaded || fail "nat64 not in /proc/modules after modprobe"
expect_eq "$(cat /sys/module/nat64/srcversion)" "$(modinfo -F srcversion "$KO")" \
	"the loaded module is the DKMS one"
for dep in x_tables nf_defrag_ipv4 nf_defrag_ipv6; do
	module_loaded "$dep" || fail "dependency $dep not loaded by modprobe"
done
ok "modprobe loaded the dependencies x_tables nf_defrag_ipv4 nf_defrag_ipv6"

topo_setup
check "instance add default --netfilter" \
	in_ns r nat64 instance add default --netfilter --pool6 64:ff9b::/96
ping_ok v6 64:ff9b::192.0.2.2 3
expect_sessions icmp 1 '^192\.0\.2\.1$' 61001 65535
check "instance remove default" in_ns r nat64 instance remove default
topo_teardown
for _ in {1..50}; do
	modprobe -d "$ROOT" -r nat64 2>"$CASE_TMP/rm.err" && break
	sleep 0.2
done
! nat64_loaded || fail "modprobe -r nat64: $(cat "$CASE_TMP/rm.err")"
ok "modprobe -d $ROOT -r nat64"
expect_no_kernel_warnings
