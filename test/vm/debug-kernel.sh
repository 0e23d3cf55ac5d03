#!/bin/bash
# The VM suite on a debug kernel: builds (once, cached outside the repo)
# Debian's linux-source-6.1 with KASAN, kmemleak, lockdep (PROVE_LOCKING),
# DEBUG_ATOMIC_SLEEP and DEBUG_LIST, with everything the cases use built in
# (test/vm/debug-kernel.config), builds nat64.ko against it and runs
# test/vm/run.sh on it.  A separate command, not part of CI: the first build
# takes about an hour on this (shared) 2-core machine.  See test/vm/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
readonly HERE REPO
readonly FRAGMENT=$HERE/debug-kernel.config
readonly SOURCE_PKG=linux-source-6.1
readonly TARBALL=/usr/src/linux-source-6.1.tar.xz
CACHE=${NAT64_DEBUG_KERNEL_CACHE:-$HOME/.cache/nat64-debug-kernel}
JOBS=${NAT64_DEBUG_KERNEL_JOBS:-2}
# KASAN and lockdep under TCG: cases run several times slower.
FACTOR=${NAT64_DEBUG_TIMEOUT_FACTOR:-4}
# Extra kernel command-line words.  (acpi=noirq would skip the minute ACPI
# loses at boot in QEMU's _PRT, but without MPPARSE it also loses the local
# APIC: the guest comes up with one CPU.)
KARGS=${NAT64_DEBUG_KERNEL_ARGS:-}
# 55-million's session count, on this kernel only (see the case).
MILLION=${NAT64_DEBUG_MILLION_SESSIONS:-}
BUILD=$REPO/build
KERNEL_ONLY=0
MODULE_ONLY=0
RUN_ARGS=()

usage() {
	cat <<USAGE
usage: test/vm/debug-kernel.sh [options] [run.sh options] [CASE...]
Build the debug kernel if it is not cached, build nat64.ko against it and run
the VM cases (all, or those named) on it with test/vm/run.sh.
  --kernel-only     only build (or find) the kernel; print KVER, image, modules dir
  --module-only     also build nat64.ko for it, but do not run the cases
  --cache DIR       kernel cache (default \$NAT64_DEBUG_KERNEL_CACHE, else
                    ~/.cache/nat64-debug-kernel)
  --build DIR       cmake build dir (CLI, libxt_JOOL.so); nat64.ko for the debug
                    kernel goes to DIR/debug-kernel/mod (default $REPO/build)
Anything else goes to run.sh (e.g. -v, --timeout). Environment:
NAT64_DEBUG_KERNEL_JOBS (make -j, default 2), NAT64_DEBUG_TIMEOUT_FACTOR
(case time limits are multiplied by it, default 4), NAT64_DEBUG_KERNEL_ARGS
(extra kernel command-line words), NAT64_DEBUG_MILLION_SESSIONS
(sessions 55-million creates on this kernel, default its 1,000,000).
USAGE
}

die() {
	echo "debug-kernel: $*" >&2
	exit 2
}

say() {
	echo "debug-kernel: $*" >&2
}

parse_args() {
	while (($#)); do
		case $1 in
		--kernel-only) KERNEL_ONLY=1; shift ;;
		--module-only) MODULE_ONLY=1; shift ;;
		--cache) CACHE=${2:?--cache needs a value}; shift 2 ;;
		--build) BUILD=${2:?--build needs a value}; shift 2 ;;
		-h | --help) usage; exit 0 ;;
		*) RUN_ARGS+=("$1"); shift ;;
		esac
	done
}

# The source and what building it takes (not in scripts/deps.sh: CI does
# not build this kernel).
readonly PACKAGES=("$SOURCE_PKG" bc bison flex libelf-dev libssl-dev xz-utils gcc make)

ensure_packages() {
	local pkg
	local -a missing=()
	for pkg in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$pkg")
	done
	((${#missing[@]} == 0)) && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2 ||
		die "cannot install ${missing[*]}"
}

# The unpacked tree, one per package version.
unpack_source() {
	local version=$1 src=$CACHE/src-$1
	if [[ ! -f $src/.nat64-unpacked ]]; then
		say "unpacking $TARBALL to $src"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		nice -n 19 tar -xf "$TARBALL" -C "$src.tmp" --strip-components=1
		mv "$src.tmp" "$src"
		echo "$version" >"$src/.nat64-unpacked"
	fi
	echo "$src"
}

# One build tree per source version, config fragment and compiler.
tree_key() {
	local version=$1
	{
		echo "$version"
		cat "$FRAGMENT"
		gcc --version | head -n 1
	} | sha256sum | cut -c1-12
}

# Every line of the fragment must hold in the final .config, or a
# dependency silently dropped an option (e.g. KASAN without its prerequisite).
check_config() {
	local config=$1 line name bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Z0-9_]+)= ]]; then
			grep -qxF "$line" "$config" || { say "not in .config: $line"; bad=1; }
		elif [[ $line =~ ^#\ (CONFIG_[A-Z0-9_]+)\ is\ not\ set ]]; then
			name=${BASH_REMATCH[1]}
			! grep -q "^$name=" "$config" || { say "still set: $(grep "^$name=" "$config")"; bad=1; }
		fi
	done <"$FRAGMENT"
	((bad == 0)) || die "the config fragment does not apply cleanly (see above)"
}

# A new tree (the fragment changed) starts as a copy of the newest built
# tree of the same source: Kbuild then rebuilds only the objects that
# depend on the options that changed (minutes instead of an hour).
seed_tree() {
	local src=$1 tree=$2 old
	[[ -e $tree ]] && return 0
	old=$(for t in "$CACHE"/build-*/.nat64-built; do
		[[ -f $t && $(cat "$(dirname "$t")/.nat64-source" 2>/dev/null) == "$src" ]] &&
			echo "$(stat -c %Y "$t") $(dirname "$t")"
	done | sort -n | tail -n 1 | cut -d' ' -f2-)
	[[ -n $old ]] || return 0
	say "starting $tree from a copy of $old"
	cp -a "$old" "$tree.tmp"
	rm -f "$tree.tmp/.nat64-configured" "$tree.tmp/.nat64-built" "$tree.tmp/.nat64-build-seconds"
	mv "$tree.tmp" "$tree"
}

configure_tree() {
	local src=$1 tree=$2
	[[ -f $tree/.nat64-configured ]] && return 0
	seed_tree "$src" "$tree"
	say "configuring $tree"
	mkdir -p "$tree"
	echo "$src" >"$tree/.nat64-source"
	make -s -C "$src" O="$tree" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >&2
	check_config "$tree/.config"
	touch "$tree/.nat64-configured"
}

# bzImage, and `modules` for Module.symvers (what M= builds link against);
# modules_install writes modules.builtin and friends, so the guest's
# `modprobe veth` finds veth built in.
build_tree() {
	local src=$1 tree=$2 start=$SECONDS
	[[ -f $tree/.nat64-built ]] && return 0
	say "building the kernel in $tree (make -j$JOBS, niced; about an hour)"
	nice -n 19 make -s -C "$src" O="$tree" -j"$JOBS" bzImage modules >&2
	rm -rf "$tree/modroot"
	make -s -C "$src" O="$tree" INSTALL_MOD_PATH="$tree/modroot" modules_install >&2
	say "kernel built in $((SECONDS - start))s"
	echo "$((SECONDS - start))" >"$tree/.nat64-build-seconds"
	touch "$tree/.nat64-built"
}

# Sets KTREE, KVER, KIMAGE, KMODULES.
kernel() {
	local version src
	ensure_packages
	version=$(dpkg-query -W -f='${Version}' "$SOURCE_PKG" 2>/dev/null) ||
		die "$SOURCE_PKG is not installed"
	mkdir -p "$CACHE"
	src=$(unpack_source "$version")
	KTREE=$CACHE/build-$(tree_key "$version")
	configure_tree "$src" "$KTREE"
	build_tree "$src" "$KTREE"
	KVER=$(make -s -C "$src" O="$KTREE" kernelrelease)
	KIMAGE=$KTREE/arch/x86/boot/bzImage
	KMODULES=$KTREE/modroot/lib/modules/$KVER
	[[ -f $KIMAGE && -f $KMODULES/modules.builtin ]] || die "incomplete build in $KTREE"
}

# nat64.ko for the debug kernel, from a copy of mod/ and include/ so the
# regular build in mod/ stays as it is.
# Rebuilt only when the sources or the kernel tree changed.
build_module() {
	local dst=$BUILD/debug-kernel stamp
	NAT64_KO=$dst/mod/nat64.ko
	stamp=$( (cd "$REPO" && find mod include -type f \( -name '*.[ch]' -o -name Kbuild \) \
		-print0 | sort -z | xargs -0 sha256sum; echo "$KTREE") | sha256sum)
	if [[ -f $NAT64_KO && $(cat "$dst/stamp" 2>/dev/null) == "$stamp" ]]; then
		return 0
	fi
	mkdir -p "$dst"
	rm -rf "$dst/mod" "$dst/include" "$dst/stamp"
	cp -r "$REPO/mod" "$REPO/include" "$dst/"
	find "$dst/mod" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
	make -s -C "$KTREE" M="$dst/mod" -j"$JOBS" modules >&2
	echo "$stamp" >"$dst/stamp"
}

main() {
	parse_args "$@"
	kernel
	if ((KERNEL_ONLY)); then
		printf 'KVER=%s\nIMAGE=%s\nMODULES=%s\nBUILD_SECONDS=%s\n' "$KVER" "$KIMAGE" \
			"$KMODULES" "$(cat "$KTREE/.nat64-build-seconds" 2>/dev/null || echo '?')"
		return 0
	fi
	mkdir -p "$BUILD"
	BUILD=$(cd "$BUILD" && pwd)
	build_module
	say "kernel $KVER, module $NAT64_KO"
	((MODULE_ONLY == 0)) || return 0
	[[ -z $MILLION ]] || KARGS+=" nat64_million_sessions=$MILLION"
	NAT64_KO=$NAT64_KO exec "$HERE/run.sh" --build "$BUILD" \
		--kernel-image "$KIMAGE" --modules "$KMODULES" \
		--timeout-factor "$FACTOR" --memory 1536 --kernel-args "$KARGS" "${RUN_ARGS[@]}"
}

main "$@"
