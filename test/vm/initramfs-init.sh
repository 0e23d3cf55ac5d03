#!/bin/sh
# PID 1 of the test VM (busybox sh).  Mounts the host's / read-only over 9p,
# mounts the writable results export inside it, and runs the guest script in
# a chroot.  Settings come from the kernel command line as nat64_KEY=VALUE and
# reach the guest as NAT64_KEY=VALUE.  Exiting PID 1 panics, so always power
# off instead.
export PATH=/bin:/sbin
readonly NEWROOT=/newroot
# Larger 9p messages make reading binaries from the host much faster.
readonly P9OPTS=trans=virtio,version=9p2000.L,msize=262144

say() {
	echo "nat64-vm: $*"
}

halt() {
	sync
	poweroff -f
	sleep 5
}

load_modules() {
	while read -r name; do
		insmod "/lib/modules/$name.ko" || say "insmod $name failed"
	done </etc/modules
}

# devtmpfs lacks what udev and systemd would add; bash's <(...) needs /dev/fd.
populate_dev() {
	ln -s /proc/self/fd "$1/fd"
	ln -s fd/0 "$1/stdin"
	ln -s fd/1 "$1/stdout"
	ln -s fd/2 "$1/stderr"
	mkdir -p "$1/pts" "$1/shm"
	mount -t devpts devpts "$1/pts"
	mount -t tmpfs -o mode=1777 tmpfs "$1/shm"
}

mount_root() {
	mount -t 9p -o "$P9OPTS,ro,cache=loose" host "$NEWROOT" || return 1
	mount -t proc proc "$NEWROOT/proc" &&
		mount -t sysfs sysfs "$NEWROOT/sys" &&
		mount -t devtmpfs devtmpfs "$NEWROOT/dev" || return 1
	populate_dev "$NEWROOT/dev"
	for dir in /tmp /run /var/tmp; do
		mount -t tmpfs -o mode=1777 tmpfs "$NEWROOT$dir" || return 1
	done
	# /run is a fresh tmpfs now, so the mount point can be created there.
	mkdir -p "$NEWROOT/run/out" &&
		mount -t 9p -o "$P9OPTS" out "$NEWROOT/run/out"
}

# nat64_moddir=DIR: the running kernel's module tree is DIR (the debug
# kernel's cache), not the host's /lib/modules/KVER, so modprobe and
# modules.builtin must find it there.  The host's tree is read-only, so a
# tmpfs takes /lib/modules' place in the guest.
mount_moddir() {
	moddir=
	read -r cmdline </proc/cmdline
	for word in $cmdline; do
		case $word in nat64_moddir=*) moddir=${word#*=} ;; esac
	done
	[ -n "$moddir" ] || return 0
	kver=$(uname -r)
	mount -t tmpfs -o mode=755 tmpfs "$NEWROOT/lib/modules" &&
		mkdir "$NEWROOT/lib/modules/$kver" &&
		mount --bind "$NEWROOT$moddir" "$NEWROOT/lib/modules/$kver"
}

# Collect nat64_* settings as NAT64_* environment assignments in $@.
run_guest() {
	guest=
	set --
	read -r cmdline </proc/cmdline
	for word in $cmdline; do
		case $word in
		nat64_guest=*) guest=${word#*=} ;;
		nat64_*=*)
			key=$(echo "${word%%=*}" | tr '[:lower:]' '[:upper:]')
			set -- "$@" "$key=${word#*=}"
			;;
		esac
	done
	[ -n "$guest" ] || { say "no nat64_guest= on the kernel command line"; return 1; }
	chroot "$NEWROOT" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		NAT64_OUT=/run/out "$@" /bin/bash "$guest"
}

# Start on a fresh line after the firmware's output.
echo
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
load_modules
if mount_root && mount_moddir; then
	# Boot stays quiet; from here on warnings (WARN, Oops headers) reach
	# the console so the host can see them even if the guest dies.
	echo 5 >/proc/sys/kernel/printk
	run_guest
	say "guest script exited with status $?"
else
	say "mounting the 9p exports (or the module tree) failed"
fi
halt
