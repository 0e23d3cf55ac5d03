#!/bin/bash
# Build the test VM's initramfs: busybox, the virtio/9p modules of the guest
# kernel, /init (initramfs-init.sh) and a /sbin/modprobe that forwards to the
# shared host root.  Usage: mkinitrd.sh KVER OUTFILE
#
# The result is cached: OUTFILE is rebuilt only when its inputs (this script,
# the init script, the kernel's module tree, busybox) change.
set -euo pipefail

# Load order matters: insmod does not resolve dependencies.
readonly MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_pci 9pnet 9pnet_virtio netfs fscache 9p)
readonly BUSYBOX=/bin/busybox
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE

die() {
	echo "mkinitrd: $*" >&2
	exit 1
}

# Everything the image is made of; any change invalidates the cache.
input_stamp() {
	local kver=$1
	sha256sum "$HERE/mkinitrd.sh" "$HERE/initramfs-init.sh" "$BUSYBOX"
	echo "$kver"
	stat -c '%n %Y %s' "/lib/modules/$kver/modules.dep"
}

# Print the module file for NAME, or nothing when it is built in or absent.
module_file() {
	local kver=$1 name=$2
	find "/lib/modules/$kver/kernel" \( -name "$name.ko" -o -name "$name.ko.xz" \
		-o -name "$name.ko.zst" -o -name "$name.ko.gz" \) -print -quit
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

# Modules go to /lib/modules/NAME.ko; /etc/modules lists them in load order.
add_modules() {
	local kver=$1 root=$2 name src
	mkdir -p "$root/lib/modules" "$root/etc"
	: >"$root/etc/modules"
	for name in "${MODULES[@]}"; do
		src=$(module_file "$kver" "$name")
		if [[ -z $src ]]; then
			echo "mkinitrd: $name: not a module in $kver (built in or absent), skipped" >&2
			continue
		fi
		install_module "$src" "$root/lib/modules/$name.ko"
		echo "$name" >>"$root/etc/modules"
	done
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
	[[ $# -eq 2 ]] || die "usage: mkinitrd.sh KVER OUTFILE"
	local kver=$1 out=$2 stamp
	[[ -d /lib/modules/$kver/kernel ]] || die "no module tree /lib/modules/$kver"
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
