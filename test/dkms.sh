#!/bin/bash
# DKMS as users run it, in scratch trees, so that this machine's /usr/src,
# /var/lib/dkms and /lib/modules never see nat64:
#   test/dkms.sh [--build DIR] [KVER...]
# For the oldest kernel: `dkms add` + `dkms install` (what scripts/install.sh
# does); for every other kernel: `dkms autoinstall -k KVER`, what the kernel
# packages' postinst hook (/etc/kernel/postinst.d/dkms) runs on an upgrade.
# KVER defaults to every kernel with headers in /lib/modules/*/build.
# Trees, under DIR/dkms (DIR: default build/; must be visible to the VM):
#   src/nat64-VERSION   --sourcetree   (/usr/src)
#   lib-dkms            --dkmstree     (/var/lib/dkms)
#   root/lib/modules    --installtree  (/lib/modules); each kernel's own
#                       modules are linked in, so `depmod -b DIR/dkms/root`
#                       and `modprobe -d DIR/dkms/root nat64` resolve nat64's
#                       dependencies (VM case 81-dkms loads it that way).
# DKMS signs the module with its key /var/lib/dkms/mok.key, creating that
# key if missing, as on any machine that uses DKMS.
# Ends with "N passed, N failed"; exit status non-zero on any failure.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NAT64_BUILD:-$REPO/build}
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
KVERS=()
passed=0 failed=0

while (($#)); do
	case $1 in
	--build) BUILD=${2:?--build needs a value}; shift 2 ;;
	-h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) KVERS+=("$1"); shift ;;
	esac
done
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
S=$BUILD/dkms
ROOT=$S/root
LOG=$S/log

ok() {
	echo "PASS $*"
	passed=$((passed + 1))
}

bad() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

# check WHAT CMD...: output to the log; its tail is shown on failure.
check() {
	local what=$1
	shift
	echo "### $what: $*" >>"$LOG"
	if "$@" >>"$LOG.step" 2>&1; then
		cat "$LOG.step" >>"$LOG"
		ok "$what"
	else
		cat "$LOG.step" >>"$LOG"
		bad "$what"
		tail -n 25 "$LOG.step" | sed 's/^/    | /'
	fi
	rm -f "$LOG.step"
}

dkms_() {
	dkms --sourcetree "$S/src" --dkmstree "$S/lib-dkms" --installtree "$ROOT/lib/modules" \
		--no-depmod -j 2 "$@"
}

# What /usr/src/nat64-VERSION holds after install.sh: sources only.
stage_source() {
	local dst=$S/src/nat64-$VER
	mkdir -p "$dst"
	(cd "$REPO" && find dkms.conf mod include -type f \
		\( -name dkms.conf -o -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
		tar --null -T - -cf -) | tar -C "$dst" -xf -
}

# An install tree for KVER that already holds the kernel's own modules.
prepare_kernel_tree() {
	local k=$1 dir=$ROOT/lib/modules/$1 f
	mkdir -p "$dir"
	ln -sfn "/lib/modules/$k/kernel" "$dir/kernel"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[[ ! -e /lib/modules/$k/$f ]] || cp "/lib/modules/$k/$f" "$dir/"
	done
}

default_kernels() {
	local d
	for d in /lib/modules/*/build; do
		[[ -f $d/Makefile ]] && basename "$(dirname "$d")"
	done | sort -V
}

nat64_on_host() {
	find /lib/modules -name 'nat64.ko*' 2>/dev/null
	ls -d /usr/src/nat64-* /var/lib/dkms/nat64 2>/dev/null
}

check_kernel() {
	local k=$1 ko vermagic deps
	# DKMS compresses it like the kernel's own modules (6.12: .ko.xz).
	ko=$(find "$ROOT/lib/modules/$k/updates/dkms" -name 'nat64.ko*' -print -quit 2>/dev/null)
	check "$k: dkms status: installed" \
		grep -q "^nat64/$VER, $k, x86_64: installed" <(dkms_ status -m nat64 -v "$VER" -k "$k" 2>>"$LOG")
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	if [[ $vermagic == "$k" ]]; then ok "$k: nat64.ko vermagic $vermagic"; else bad "$k: vermagic '$vermagic'"; fi
	check "$k: depmod -b" depmod -b "$ROOT" "$k"
	deps=$(modprobe -d "$ROOT" -S "$k" --show-depends nat64 2>&1)
	echo "### $k: modprobe --show-depends nat64"$'\n'"$deps" >>"$LOG"
	if grep -q "^insmod $ROOT/lib/modules/$k/updates/dkms/nat64\.ko" <<<"$deps" &&
		grep -q '/x_tables\.ko' <<<"$deps"; then
		ok "$k: modprobe -d resolves nat64 and its dependencies"
	else
		bad "$k: modprobe -d --show-depends nat64:"$'\n'"$deps"
	fi
}

# A kernel outside dkms.conf's range is skipped (status 77), not failed:
# installing such a kernel must not break on nat64.
check_exclusive() {
	local rc=0 fake=6.13.0-nat64-test
	dkms_ build -m nat64 -v "$VER" -k "$fake" --kernelsourcedir "/lib/modules/$1/build" \
		>>"$LOG" 2>&1 || rc=$?
	if ((rc == 77)); then ok "$fake: skipped by BUILD_EXCLUSIVE (status 77)"; else bad "$fake: dkms build status $rc, expected 77"; fi
}

main() {
	local k first leftovers start=$SECONDS
	((${#KVERS[@]})) || mapfile -t KVERS < <(default_kernels)
	((${#KVERS[@]})) || { bad "no kernel headers in /lib/modules/*/build"; exit 1; }
	leftovers=$(nat64_on_host)
	rm -rf "$S"
	mkdir -p "$S/src" "$S/lib-dkms" "$ROOT/lib/modules"
	: >"$LOG"
	echo "dkms.sh: kernels ${KVERS[*]}; trees and log ($LOG) under $S"
	for k in "${KVERS[@]}"; do prepare_kernel_tree "$k"; done
	stage_source
	check "dkms add nat64/$VER" dkms_ add -m nat64 -v "$VER"
	first=${KVERS[0]}
	check "$first: dkms install" dkms_ install -m nat64 -v "$VER" -k "$first"
	for k in "${KVERS[@]:1}"; do
		check "$k: dkms autoinstall (kernel upgrade)" dkms_ autoinstall -k "$k"
	done
	for k in "${KVERS[@]}"; do check_kernel "$k"; done
	check_exclusive "$first"
	if [[ "$(nat64_on_host)" == "$leftovers" ]]; then
		ok "host /lib/modules, /usr/src, /var/lib/dkms untouched"
	else
		bad "nat64 appeared on the host:"$'\n'"$(nat64_on_host)"
	fi
	echo "dkms.sh: took $((SECONDS - start))s"
	echo "$passed passed, $failed failed"
	((failed == 0))
}

main
