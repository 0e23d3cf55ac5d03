#!/bin/bash
# The test command: builds what is missing, runs the unit tests (ctest),
# DKMS in scratch trees (test/dkms.sh) and the VM end-to-end tests, and
# prints one final "N passed, N failed" line.
#   test/run.sh [--unit-only|--vm-only] [VM case ...]
# Kernels: every kernel with an image in /boot and headers in
# /lib/modules/*/build. The module in mod/ is built for the oldest (the
# distribution's; NAT64_KVER overrides) and the whole VM suite runs on it;
# each newer kernel (an upgrade, e.g. from backports) gets its own module
# build in BUILD/kmod-KVER and runs NAT64_EXTRA_CASES (default: the
# representative subset below; "all" for every case). VM case arguments
# select the cases on every kernel.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NAT64_BUILD:-$REPO/build}
# On newer kernels: harness, both modes, pool4, lifecycle, TCP states,
# ICMP errors, PMTUD, DNS64 gateway, DKMS. The full suite takes about
# twice as long and adds little that is kernel-specific.
readonly DEFAULT_EXTRA_CASES="00 10 20 30 40 50 60 61 80 81"
unit=1 vm=1
case "${1:-}" in
--unit-only) vm=0; shift ;;
--vm-only) unit=0; shift ;;
esac

# Kernels that can be both booted and built for, oldest first.
kernels() {
	local d k
	for d in /lib/modules/*/build; do
		k=$(basename "$(dirname "$d")")
		[[ -f $d/Makefile && -e /boot/vmlinuz-$k ]] && echo "$k"
	done | sort -V
}

mapfile -t KERNELS < <(kernels)
PRIMARY=${NAT64_KVER:-${KERNELS[0]:-}}

build() {
	local kdir=()
	[[ -z $PRIMARY ]] || kdir=(-DKDIR="/lib/modules/$PRIMARY/build")
	cmake -S "$REPO" -B "$BUILD" "${kdir[@]}" >/dev/null &&
		cmake --build "$BUILD" -j2 &&
		cmake --build "$BUILD" --target module
}

# build_for KVER: the module's sources (as DKMS gets them) built for KVER
# into BUILD/kmod-KVER/mod/nat64.ko.
build_for() {
	local k=$1 dir=$BUILD/kmod-$1
	mkdir -p "$dir"
	(cd "$REPO" && find mod include -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
		tar --null -T - -cf -) | tar -C "$dir" -xf -
	echo "test/run.sh: building nat64.ko for $k in $dir"
	make -C "/lib/modules/$k/build" M="$dir/mod" -j2 modules >"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log"; return 1; }
}

# "N passed, N failed" -> "N N"
counts() {
	sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1 \2/p' | tail -n 1
}

passed=0 failed=0
# add_counts LOG: adds the last "N passed, N failed" of LOG, or 1 failure.
add_counts() {
	local p f
	read -r p f < <(counts <"$1") || true
	if [ -z "${p:-}" ]; then
		failed=$((failed + 1))
	else
		passed=$((passed + p))
		failed=$((failed + f))
	fi
}

build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

if [ "$unit" = 1 ]; then
	ctest --test-dir "$BUILD" --output-on-failure -j2 2>&1 | tee "$BUILD/ctest.log"
	total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' "$BUILD/ctest.log")
	if [ -z "$total" ]; then
		failed=$((failed + 1))
	else
		read -r f t <<<"$total"
		passed=$((passed + t - f))
		failed=$((failed + f))
	fi
	# libFuzzer targets (clang build in BUILD/fuzz), a short run each; one
	# passed or failed per target. Longer: test/fuzz/run.sh --time 600.
	NAT64_BUILD=$BUILD "$REPO/test/fuzz/run.sh" --time "${NAT64_FUZZ_TIME:-15}" --jobs 2 2>&1 |
		tee "$BUILD/fuzz.log"
	add_counts "$BUILD/fuzz.log"
fi
if [ "$vm" = 1 ]; then
	"$REPO/test/dkms.sh" --build "$BUILD" "${KERNELS[@]}" 2>&1 | tee "$BUILD/dkms.log"
	add_counts "$BUILD/dkms.log"
	"$REPO/test/vm/run.sh" --build "$BUILD" ${PRIMARY:+--kernel "$PRIMARY"} "$@" 2>&1 |
		tee "$BUILD/vm.log"
	add_counts "$BUILD/vm.log"
	for k in "${KERNELS[@]}"; do
		[ "$k" != "$PRIMARY" ] || continue
		cases=("$@")
		if [ $# = 0 ] && [ "${NAT64_EXTRA_CASES:-}" != all ]; then
			read -ra cases <<<"${NAT64_EXTRA_CASES:-$DEFAULT_EXTRA_CASES}"
		fi
		log=$BUILD/kmod-$k/vm.log
		if ! build_for "$k"; then
			echo "FAIL nat64.ko for $k does not build"
			failed=$((failed + 1))
			continue
		fi
		echo "test/run.sh: VM suite on $k: ${cases[*]:-all cases}"
		NAT64_KO=$BUILD/kmod-$k/mod/nat64.ko NAT64_CLI=$BUILD/usr/nat64 \
			NAT64_XTABLES_DIR=$BUILD/usr NAT64_DKMS_ROOT=$BUILD/dkms/root \
			"$REPO/test/vm/run.sh" --build "$BUILD/kmod-$k" --kernel "$k" "${cases[@]}" 2>&1 |
			tee "$log"
		add_counts "$log"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
