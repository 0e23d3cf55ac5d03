# shellcheck shell=bash
# Helpers for the VM test cases (cases/NN-name.sh), sourced inside the guest.
# A case runs as root in a fresh bash, with the host's / mounted read-only,
# and may write only to /tmp, /run, /var/tmp (tmpfs) and $NAT64_OUT.
#
# Conventions: every check prints "ok: WHAT" when it holds; the first failed
# check prints "FAIL: WHAT" and exits 1.  Unexpected command failures are
# caught by the ERR trap, so a case never passes by accident.

set -Eeuo pipefail

NAT64_REPO=${NAT64_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NAT64_BUILD=${NAT64_BUILD:-$NAT64_REPO/build}
NAT64_KO=${NAT64_KO:-$NAT64_REPO/mod/nat64.ko}
NAT64_CLI=${NAT64_CLI:-$NAT64_BUILD/usr/nat64}
# Module name from the file name, so a reference build (jool.ko) can stand in.
NAT64_MOD=$(basename "$NAT64_KO" .ko)
# The project's iptables extension (libxt_JOOL.so) lives in the build tree.
NAT64_XTABLES_DIR=${NAT64_XTABLES_DIR:-$NAT64_BUILD/usr}
XTABLES_LIBDIR=$NAT64_XTABLES_DIR:/usr/lib/x86_64-linux-gnu/xtables
# Debian's python3 has scapy; another python3 earlier in PATH may not.
PYTHON=/usr/bin/python3
VM_DIR=$NAT64_REPO/test/vm
# Same list as run.sh's (lockdep and list debugging: the debug kernel).
KERNEL_BAD='Oops|WARNING:|BUG:|Call Trace|KASAN|kmemleak|general protection|Kernel panic|soft lockup|detected stall|blocked for more than|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called|lock held when returning|list_(add|del) corruption'
export NAT64_REPO NAT64_BUILD NAT64_KO NAT64_CLI NAT64_XTABLES_DIR XTABLES_LIBDIR

CASE_TMP=$(mktemp -d /tmp/case.XXXXXX)
# The peer address:port a server saw in the last tcp_transfer/udp_echo.
# shellcheck disable=SC2034 # read by the cases
PEER=

# `ip netns exec r nat64 ...` must work like an installed tool, so put the
# built CLI on PATH under its real name.
mkdir -p /tmp/nat64-bin
ln -sfn "$NAT64_CLI" /tmp/nat64-bin/nat64
PATH=/tmp/nat64-bin:$PATH

# ---------------------------------------------------------------- reporting

log() {
	echo "# $*"
}

ok() {
	echo "ok: $*"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

on_error() {
	local rc=$1 where=$2 cmd=$3
	fail "command failed (status $rc) at $where: $cmd"
}
trap 'on_error $? "${BASH_SOURCE[0]##*/}:$LINENO" "$BASH_COMMAND"' ERR

# Background helpers (servers) must not outlive the case.
on_exit() {
	local -a pids
	mapfile -t pids < <(jobs -p)
	((${#pids[@]} == 0)) || kill "${pids[@]}" 2>/dev/null || true
	rm -rf "$CASE_TMP"
}
trap on_exit EXIT

expect_eq() {
	local actual=$1 expected=$2 what=$3
	[[ $actual == "$expected" ]] || fail "$what: got '$actual', expected '$expected'"
	ok "$what ($actual)"
}

expect_contains() {
	local haystack=$1 needle=$2 what=$3
	[[ $haystack == *"$needle"* ]] ||
		fail "$what: '$needle' not found in:"$'\n'"$haystack"
	ok "$what"
}

expect_not_contains() {
	local haystack=$1 needle=$2 what=$3
	[[ $haystack != *"$needle"* ]] ||
		fail "$what: unexpected '$needle' in:"$'\n'"$haystack"
	ok "$what"
}

# expect_match TEXT ERE WHAT: TEXT matches the extended regex ERE.
expect_match() {
	local text=$1 ere=$2 what=$3
	[[ $text =~ $ere ]] || fail "$what: '$text' does not match /$ere/"
	ok "$what ($text)"
}

expect_in_range() {
	local value=$1 min=$2 max=$3 what=$4
	if ! [[ $value =~ ^[0-9]+$ ]] || ((value < min || value > max)); then
		fail "$what: '$value' not in $min-$max"
	fi
	ok "$what ($value in $min-$max)"
}

# check WHAT CMD...: CMD succeeds; its output is shown only on failure.
check() {
	local what=$1
	shift
	if ! "$@" >"$CASE_TMP/check.out" 2>&1; then
		cat "$CASE_TMP/check.out" >&2
		fail "$what (command: $*)"
	fi
	ok "$what"
}

# expect_fail WHAT CMD...: CMD fails; its output is kept in $LAST_OUT.
expect_fail() {
	local what=$1
	shift
	if LAST_OUT=$("$@" 2>&1); then
		fail "$what: command succeeded but should fail: $*"$'\n'"$LAST_OUT"
	fi
	ok "$what"
}

# The guest clears the kernel log before each case, so all of dmesg is ours.
expect_no_kernel_warnings() {
	local hits
	hits=$(dmesg | grep -E "$KERNEL_BAD" || true)
	[[ -z $hits ]] || fail "kernel log has warnings:"$'\n'"$(dmesg | tail -n 60)"
	ok "kernel log has no Oops/WARNING/BUG"
}

# ---------------------------------------------------------------- namespaces

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Forget nothing between cases: processes first, then the namespaces.
kill_ns() {
	local ns=$1
	local -a pids
	mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null || true)
	((${#pids[@]} == 0)) || kill -9 "${pids[@]}" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

new_ns() {
	local ns=$1
	ip netns add "$ns"
	in_ns "$ns" ip link set lo up
	# Addresses must be usable at once, without duplicate detection.
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}

# v6 (2001:db8::2) -- r (2001:db8::1 | 192.0.2.1) -- v4 (192.0.2.2)
topo_setup() {
	local ns
	modprobe veth
	for ns in v6 r v4; do
		kill_ns "$ns"
		new_ns "$ns"
	done
	ip link add name to_r netns v6 type veth peer name to_v6 netns r
	ip link add name to_r netns v4 type veth peer name to_v4 netns r
	in_ns v6 ip -6 addr add 2001:db8::2/64 dev to_r nodad
	in_ns r ip -6 addr add 2001:db8::1/64 dev to_v6 nodad
	in_ns r ip addr add 192.0.2.1/24 dev to_v4
	in_ns v4 ip addr add 192.0.2.2/24 dev to_r
	for ns in v6 v4; do in_ns "$ns" ip link set to_r up; done
	in_ns r ip link set to_v6 up
	in_ns r ip link set to_v4 up
	in_ns r sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
	# 64:ff9b::/96 (and everything else) goes to the translator.
	in_ns v6 ip -6 route add default via 2001:db8::1
	in_ns v4 ip route add default via 192.0.2.1
	log "topology up: v6 2001:db8::2 -- r 2001:db8::1, 192.0.2.1 -- v4 192.0.2.2"
}

# topo_fixed_macs: the veths get the fixed MAC addresses the packet-socket
# helpers (xlat_bytes.py, malformed.py, hashflood.py) write into their
# frames, and r static neighbour entries for both endpoints, so that frames
# sent to a silenced endpoint need no neighbour discovery.
topo_fixed_macs() {
	in_ns v6 ip link set to_r address 02:00:00:00:06:02
	in_ns r ip link set to_v6 address 02:00:00:00:06:01
	in_ns r ip link set to_v4 address 02:00:00:00:04:01
	in_ns v4 ip link set to_r address 02:00:00:00:04:02
	in_ns r ip neigh replace 2001:db8::2 lladdr 02:00:00:00:06:02 dev to_v6 nud permanent
	in_ns r ip neigh replace 192.0.2.2 lladdr 02:00:00:00:04:02 dev to_v4 nud permanent
}

topo_teardown() {
	local ns
	for ns in v6 r v4; do kill_ns "$ns"; done
}

# ---------------------------------------------------------------- the module

# Fail early and clearly when the artifacts under test have not been built.
require_nat64() {
	[[ -z ${_nat64_checked:-} ]] || return 0
	_nat64_checked=1
	[[ -f $NAT64_KO ]] ||
		fail "nat64.ko not found at $NAT64_KO (build the module, or set NAT64_KO)"
	[[ -x $NAT64_CLI ]] ||
		fail "nat64 CLI not found at $NAT64_CLI (build usr/, or pass --build DIR)"
	ok "module $NAT64_KO and CLI $NAT64_CLI exist"
}

require_xt_jool() {
	[[ -f $NAT64_XTABLES_DIR/libxt_JOOL.so ]] ||
		fail "iptables extension not found at $NAT64_XTABLES_DIR/libxt_JOOL.so"
	ok "iptables extension libxt_JOOL.so exists"
}

module_loaded() {
	grep -q "^$1 " /proc/modules
}

nat64_loaded() {
	module_loaded "$NAT64_MOD"
}

# insmod does not resolve dependencies: load what modinfo lists first, from
# beside the .ko when built there, else from the kernel's tree.
load_nat64() {
	local deps dep dir
	require_nat64
	dir=$(dirname "$NAT64_KO")
	deps=$(modinfo -F depends "$NAT64_KO")
	for dep in ${deps//,/ }; do
		if module_loaded "$dep"; then
			continue
		elif [[ -f $dir/$dep.ko ]]; then
			insmod "$dir/$dep.ko"
		else
			modprobe "$dep"
		fi
	done
	check "insmod $NAT64_KO" insmod "$NAT64_KO"
}

# Namespace teardown is asynchronous, so the module may stay busy briefly.
unload_nat64() {
	local try
	for try in {1..50}; do
		rmmod "$NAT64_MOD" 2>"$CASE_TMP/rmmod.err" && break
		sleep 0.2
	done
	! nat64_loaded || fail "rmmod $NAT64_MOD: $(cat "$CASE_TMP/rmmod.err")"
	ok "rmmod $NAT64_MOD (after $try attempt(s))"
}

# ---------------------------------------------------------------- traffic

# wait_listen NS tcp|udp PORT: a server socket is bound in NS.
wait_listen() {
	local ns=$1 proto=$2 port=$3 flag=-lnt try
	[[ $proto == udp ]] && flag=-lnu
	for try in {1..100}; do
		in_ns "$ns" ss -H "$flag" "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	fail "no $proto listener on port $port in namespace $ns"
}

# ping_ok NS TARGET [COUNT]: all COUNT echo requests are answered.
ping_ok() {
	local ns=$1 target=$2 count=${3:-3} out
	out=$(in_ns "$ns" ping -c "$count" -i 0.2 -W 2 "$target" 2>&1) ||
		fail "ping $target from $ns:"$'\n'"$out"
	expect_contains "$out" "$count packets transmitted, $count received" \
		"ping $target from $ns: $count/$count replies"
}

sha_of() {
	sha256sum "$1" | cut -d' ' -f1
}

socat_addr() {
	local target=$1 port=$2
	if [[ $target == *:* ]]; then
		echo "TCP6:[$target]:$port"
	else
		echo "TCP4:$target:$port"
	fi
}

# Peer "ADDR:PORT" from a `socat -d -d` listener log.
socat_peer() {
	sed -n 's/.*accepting connection from AF=[0-9]* \(.*\) on AF=.*/\1/p' "$1" | head -n 1
}

# tcp_transfer up|down CLIENT_NS TARGET SERVER_NS PORT BYTES
# A TCP4 listener on PORT in SERVER_NS; the client in CLIENT_NS connects to
# TARGET.  "up" sends BYTES client->server, "down" server->client.  Checks the
# sha256 on both ends and leaves the peer seen by the server in PEER.
tcp_transfer() {
	local dir=$1 cns=$2 target=$3 sns=$4 port=$5 bytes=$6
	local src=$CASE_TMP/tcp.src dst=$CASE_TMP/tcp.dst slog=$CASE_TMP/tcp.slog spid
	head -c "$bytes" /dev/urandom >"$src"
	rm -f "$dst"
	if [[ $dir == up ]]; then
		in_ns "$sns" timeout 60 socat -d -d -u \
			"TCP4-LISTEN:$port,reuseaddr" "CREATE:$dst" 2>"$slog" &
		spid=$!
		wait_listen "$sns" tcp "$port"
		in_ns "$cns" timeout 60 socat -u "OPEN:$src" "$(socat_addr "$target" "$port")" ||
			fail "TCP client $cns -> $target:$port failed"
	else
		in_ns "$sns" timeout 60 socat -d -d -u \
			"OPEN:$src" "TCP4-LISTEN:$port,reuseaddr" 2>"$slog" &
		spid=$!
		wait_listen "$sns" tcp "$port"
		in_ns "$cns" timeout 60 socat -u "$(socat_addr "$target" "$port")" "CREATE:$dst" ||
			fail "TCP client $cns <- $target:$port failed"
	fi
	wait "$spid" || fail "TCP server in $sns failed:"$'\n'"$(cat "$slog")"
	# shellcheck disable=SC2034 # read by the cases
	PEER=$(socat_peer "$slog")
	expect_eq "$(sha_of "$dst")" "$(sha_of "$src")" \
		"TCP $dir $bytes bytes $cns -> $target:$port intact (sha256)"
}

# udp_echo CLIENT_NS TARGET SERVER_NS PORT COUNT SIZE
# COUNT datagrams of SIZE bytes, each echoed back (request/response); checks
# the sha256 at the server and of the echoes, leaves the server's peer in PEER.
udp_echo() {
	local cns=$1 target=$2 sns=$3 port=$4 count=$5 size=$6
	local tool=$VM_DIR/udp_echo.py slog=$CASE_TMP/udp.slog clog=$CASE_TMP/udp.clog spid
	in_ns "$sns" timeout 60 "$PYTHON" "$tool" server "$port" >"$slog" 2>&1 &
	spid=$!
	wait_listen "$sns" udp "$port"
	in_ns "$cns" timeout 60 "$PYTHON" "$tool" client "$target" "$port" "$count" "$size" \
		>"$clog" 2>&1 || fail "UDP client $cns -> $target:$port:"$'\n'"$(cat "$clog")"
	wait "$spid" || fail "UDP server in $sns:"$'\n'"$(cat "$slog")"
	local sent echoed received
	sent=$(sed -n 's/^sent .* sha256=//p' "$clog")
	echoed=$(sed -n 's/^echoed .* sha256=//p' "$clog")
	received=$(sed -n 's/^received .* sha256=//p' "$slog")
	# shellcheck disable=SC2034 # read by the cases
	PEER=$(sed -n 's/^peer //p' "$slog")
	expect_eq "$(grep -c '^peer ' "$slog")" 1 "UDP server saw a single peer"
	expect_eq "$received" "$sent" "UDP $count x $size bytes $cns -> $target:$port intact at server"
	expect_eq "$echoed" "$sent" "UDP echoes intact back at $cns"
}

# ---------------------------------------------------------------- sessions

# sessions tcp|udp|icmp: the translator's sessions as CSV without header:
# proto,6remote,6rid,6local,6lid,4local,4lid,4remote,4rid,expires[,state]
sessions() {
	in_ns r nat64 session display "--$1" --numeric --csv --no-headers
}

# expect_sessions PROTO COUNT V4LOCAL_ERE PORT_MIN PORT_MAX
# Exactly COUNT sessions of PROTO between 2001:db8::2 and 192.0.2.2 (through
# 64:ff9b::c000:202), with an IPv4 local address matching V4LOCAL_ERE and an
# IPv4 local port (ICMP: identifier) in PORT_MIN-PORT_MAX.
expect_sessions() {
	local proto=$1 count=$2 ere=$3 min=$4 max=$5 out r6 l6 l4 l4id r4
	out=$(sessions "$proto")
	log "nat64 session display --$proto:"$'\n'"$out"
	expect_eq "$(count_lines "$out")" "$count" "number of $proto sessions"
	while IFS=, read -r _ r6 _ l6 _ l4 l4id r4 _; do
		expect_eq "$r6" 2001:db8::2 "$proto session IPv6 remote address"
		expect_eq "$l6" 64:ff9b::c000:202 "$proto session IPv6 local address"
		expect_eq "$r4" 192.0.2.2 "$proto session IPv4 remote address"
		expect_match "$l4" "$ere" "$proto session IPv4 local address"
		expect_in_range "$l4id" "$min" "$max" "$proto session IPv4 local port/id"
	done <<<"$out"
}

# expect_peer PEER V4_ERE PORT_MIN PORT_MAX: the IPv4 server saw the client
# as an address matching V4_ERE and a source port in the range.
expect_peer() {
	local peer=$1 ere=$2 min=$3 max=$4
	[[ $peer == *:* ]] || fail "no peer address recorded (got '$peer')"
	expect_match "${peer%:*}" "$ere" "IPv4 server saw translated source address"
	expect_in_range "${peer##*:}" "$min" "$max" "IPv4 server saw translated source port"
}

# expect_session_of_peer PROTO PEER SERVER_PORT: the data plane and the
# session table agree: a PROTO session maps PEER (as the v4 server saw it)
# to 192.0.2.2:SERVER_PORT.
expect_session_of_peer() {
	local proto=$1 peer=$2 port=$3
	expect_contains "$(sessions "$proto")" ",${peer%:*},${peer##*:},192.0.2.2,$port," \
		"$proto session for $peer -> 192.0.2.2:$port listed"
}

# nat64_traffic V4_ERE PORT_MIN PORT_MAX [PORT_BASE]: UDP echo, TCP both
# ways, ping from v6 to 64:ff9b::192.0.2.2 (v4), all translated to a source
# address matching V4_ERE with ports in the range.  Servers use PORT_BASE+0..2.
# The ping goes last: on a slow guest (debug kernel, loaded host) the TCP
# transfers can outlast the ICMP session's 60 s timeout, and the callers
# count the ICMP session afterwards.
nat64_traffic() {
	local ere=$1 min=$2 max=$3 base=${4:-6000}
	udp_echo v6 64:ff9b::192.0.2.2 v4 "$base" 64 1024
	expect_peer "$PEER" "$ere" "$min" "$max"
	expect_session_of_peer udp "$PEER" "$base"
	tcp_transfer up v6 64:ff9b::192.0.2.2 v4 $((base + 1)) 1048576
	expect_peer "$PEER" "$ere" "$min" "$max"
	expect_session_of_peer tcp "$PEER" $((base + 1))
	tcp_transfer down v6 64:ff9b::192.0.2.2 v4 $((base + 2)) 1048576
	expect_peer "$PEER" "$ere" "$min" "$max"
	expect_session_of_peer tcp "$PEER" $((base + 2))
	ping_ok v6 64:ff9b::192.0.2.2 3
}

# instances [NS]: `nat64 instance display` as CSV without header.
instances() {
	if [[ -n ${1:-} ]]; then
		in_ns "$1" nat64 instance display --csv --no-headers
	else
		nat64 instance display --csv --no-headers
	fi
}

# pyj EXPR: evaluates the Python expression EXPR with `j` = the JSON
# document on stdin; prints strings as they are, anything else as JSON.
pyj() {
	"$PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

count_lines() {
	grep -c . <<<"$1" || true
}
