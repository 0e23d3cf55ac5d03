#!/bin/bash
# Build the test VM's initramfs: busybox, the virtio/9p modules of the guest
# kernel, /init (initramfs-init.sh) and a /sbin/modprobe that forwards to the
# shared host root.  Usage: mkinitrd.sh KVER OUTFILE [MODDIR]
# MODDIR is the kernel's module tree (default /lib/modules/KVER; the debug
# kernel's lives in its cache and has virtio and 9p built in).
#
# The result is cached: OUTFILE is rebuilt only when its inputs (this script,
# the init script, the kernel's module tree, busybox) change.
set -euo pipefail

# What /init needs. insmod does not resolve dependencies: the load order
# (and any further module, e.g. netfs under 9pnet since 6.x) comes from the
# kernel's modules.dep, each module after its dependencies.
readonly MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_pci 9pnet 9pnet_virtio netfs fscache 9p)
readonly BUSYBOX=/bin/busybox
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
MODDIR=

die() {
	echo "mkinitrd: $*" >&2
	exit 1
}

# Everything the image is made of; any change invalidates the cache.
input_stamp() {
	local kver=$1
	sha256sum "$HERE/mkinitrd.sh" "$HERE/initramfs-init.sh" "$BUSYBOX"
	echo "$kver"
	stat -c '%n %Y %s' "$MODDIR/modules.dep"
}

# Copy one module, uncompressed, because busybox insmod may lack xz/zstd.
install_module() {
	local src=$1 dst=$2
	case $src in
	*.xz) xz -dc "$src" >"$dst" ;;
	*.zst) zstd -qdc "$src" >"$dst" ;;
	*.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
}

# load_order KVER NAME...: the module files (relative to MODDIR)
# that NAME... need, dependencies first, as modprobe loads them; "-NAME"
# for one that is not a module there (built in or absent).
load_order() {
	local kver=$1
	shift
	awk -v want="$*" '
		function emit(p) { if (!(p in seen)) { seen[p] = 1; print p } }
		BEGIN { n = split(want, w, " ") }
		{
			p = $1; sub(/:$/, "", p)
			m = p; sub(/.*\//, "", m); sub(/\.ko(\.(xz|zst|gz))?$/, "", m)
			line[m] = $0
		}
		END {
			for (i = 1; i <= n; i++) {
				if (!(w[i] in line)) { print "-" w[i]; continue }
				k = split(line[w[i]], f, " ")
				for (j = k; j >= 2; j--) emit(f[j])
				p = f[1]; sub(/:$/, "", p); emit(p)
			}
		}' "$MODDIR/modules.dep"
}

# Modules go to /lib/modules/NAME.ko; /etc/modules lists them in load order.
add_modules() {
	local kver=$1 root=$2 rel name
	mkdir -p "$root/lib/modules" "$root/etc"
	: >"$root/etc/modules"
	while read -r rel; do
		if [[ $rel == -* ]]; then
			echo "mkinitrd: ${rel#-}: not a module in $kver (built in or absent), skipped" >&2
			continue
		fi
		name=$(basename "$rel")
		name=${name%%.ko*}
		install_module "$MODDIR/$rel" "$root/lib/modules/$name.ko"
		echo "$name" >>"$root/etc/modules"
	done < <(load_order "$kver" "${MODULES[@]}")
}

add_busybox() {
	local root=$1 applet
	mkdir -p "$root/bin" "$root/sbin"
	cp "$BUSYBOX" "$root/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
	done
}

# Kernel module auto-loading (request_module) runs /sbin/modprobe in the
# initramfs root, where no module tree exists: hand over to the real one.
add_modprobe_wrapper() {
	local root=$1
	printf '%s\n' '#!/bin/sh' 'exec /bin/chroot /newroot /sbin/modprobe "$@"' \
		>"$root/sbin/modprobe"
	chmod 755 "$root/sbin/modprobe"
}

build_image() {
	local kver=$1 out=$2 root
	root=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: root is local
	trap "rm -rf '$root'" EXIT
	mkdir -p "$root"/{dev,proc,sys,newroot}
	add_busybox "$root"
	add_modules "$kver" "$root"
	add_modprobe_wrapper "$root"
	install -m 755 "$HERE/initramfs-init.sh" "$root/init"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
}

main() {
	[[ $# -eq 2 || $# -eq 3 ]] || die "usage: mkinitrd.sh KVER OUTFILE [MODDIR]"
	local kver=$1 out=$2 stamp
	MODDIR=${3:-/lib/modules/$kver}
	[[ -f $MODDIR/modules.dep ]] || die "no module tree $MODDIR"
	[[ -x $BUSYBOX ]] || die "$BUSYBOX missing (install busybox-static)"
	stamp=$(input_stamp "$kver")
	if [[ -f $out && -f $out.stamp && $(<"$out.stamp") == "$stamp" ]]; then
		return 0
	fi
	mkdir -p "$(dirname "$out")"
	build_image "$kver" "$out"
	echo "$stamp" >"$out.stamp"
	echo "mkinitrd: built $out" >&2
}

main "$@"
