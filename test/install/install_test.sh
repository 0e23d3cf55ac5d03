#!/bin/bash
# `cmake --install` into a scratch DESTDIR: every file the README promises
# is there, the installed tool runs, the man pages render without a groff
# warning, the systemd unit passes `systemd-analyze verify`, and the bash
# completion completes modes, operations and global keys.
#   install_test.sh BUILD_DIR
set -euo pipefail

BUILD=$1
DEST=$(mktemp -d)
trap 'rm -rf "$DEST"' EXIT
PREFIX=/usr/local
failures=0

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }

DESTDIR=$DEST cmake --install "$BUILD" --prefix "$PREFIX" >"$DEST.log" 2>&1 ||
	{ cat "$DEST.log"; exit 1; }
rm -f "$DEST.log"
root=$DEST$PREFIX

for f in sbin/nat64 share/man/man8/nat64.8 share/man/man8/nat64-iptables.8 \
	share/bash-completion/completions/nat64 lib/systemd/system/nat64.service \
	share/doc/nat64/nat64.conf.example; do
	if [[ -f $root/$f ]]; then ok "installed $f"; else bad "missing $PREFIX/$f"; fi
done
# The iptables extensions go where this machine's iptables looks for them.
for x in JOOL NAT64; do
	n=$(find "$DEST" -name "libxt_$x.so" | wc -l)
	if [[ $n == 1 ]]; then ok "installed libxt_$x.so"; else bad "libxt_$x.so installed $n times"; fi
done

v=$("$root/sbin/nat64" --version)
if [[ $v =~ ^nat64\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; then ok "installed nat64 runs ($v)"; else bad "nat64 --version: '$v'"; fi

for m in nat64.8 nat64-iptables.8; do
	w=$(groff -man -ww -z "$root/share/man/man8/$m" 2>&1)
	if [[ -z $w ]]; then ok "$m renders without warnings"; else bad "$m: $w"; fi
done

unit=$root/lib/systemd/system/nat64.service
if grep -q "^ExecStart=$PREFIX/sbin/nat64 file handle /etc/nat64/nat64.conf$" "$unit"; then
	ok "nat64.service runs the installed nat64"
else
	bad "nat64.service ExecStart: $(grep ^ExecStart= "$unit")"
fi
if command -v systemd-analyze >/dev/null; then
	# verify wants the binaries it names: check a copy naming the DESTDIR's.
	sed "s|$PREFIX/sbin/nat64|$root/sbin/nat64|" "$unit" >"$DEST/nat64.service"
	w=$(systemd-analyze verify --man=no "$DEST/nat64.service" 2>&1 | grep -v 'ConditionPathExists\|modprobe' || true)
	if [[ -z $w ]]; then ok "systemd-analyze verify nat64.service"; else bad "systemd-analyze: $w"; fi
fi

# complete WORD...: the candidates bash completion offers for the last word.
complete_words() {
	bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_nat64
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ \
		"$root/share/bash-completion/completions/nat64" "$@"
}
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
	expect_completion() {
		local want=$1 got
		shift
		got=$(complete_words "$@")
		if [[ $got == "$want" ]]; then ok "completion of '$*': $got"; else bad "completion of '$*': '$got', expected '$want'"; fi
	}
	expect_completion "global " nat64 glo
	expect_completion "--help display update " nat64 global ""
	expect_completion "udp-timeout " nat64 global update udp-
	expect_completion "--help add display flush remove " nat64 pool4 ""
	expect_completion "--help add display flush remove status " nat64 instance ""
fi

echo "$failures failure(s)"
((failures == 0))
