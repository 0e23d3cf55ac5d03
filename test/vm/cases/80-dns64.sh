#!/bin/bash
# vm-timeout: 300
# vm-cost: 27
# The whole NAT64/DNS64 gateway as operators build it (seed workflow):
#   v4: nsd, authoritative for "example." (a-only.example: A only;
#       dual.example: A and AAAA), and an HTTP server, both on 192.0.2.2
#   r:  nat64 plus unbound doing DNS64 for the IPv6 clients
#       (module-config "dns64 iterator", dns64-synthall no, a stub zone
#       to nsd), listening on 2001:db8::1
#   v6: an IPv6-only client using r as its resolver
# AAAA of the A-only name is synthesized from pool6, the dual-stack name
# keeps its real AAAA, and `curl http://a-only.example/` fetches the page
# through nat64: netfilter and iptables mode (the seed's -j JOOL rules),
# with 64:ff9b::/96 and with an operator's /64 (RFC 6052, u-octet).
# Daemons run as root, unchrooted, with every file under this case's tmpfs.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly GW6=2001:db8::1 GW4=192.0.2.1 SERVER4=192.0.2.2
readonly DUAL6=2001:db8:a::80
readonly -a JOOL=(-j JOOL --instance default)
DNS=$CASE_TMP/dns
WWW=$CASE_TMP/www

# ---------------------------------------------------------------- services

# nsd in v4: the IPv4-only world's authoritative server.
start_nsd() {
	mkdir -p "$DNS/nsd"
	cat >"$DNS/nsd/example.zone" <<-EOF
		\$ORIGIN example.
		\$TTL 60
		@        SOA ns.example. hostmaster.example. 1 3600 600 86400 60
		@        NS  ns.example.
		ns       A   $SERVER4
		a-only   A   $SERVER4
		dual     A   $SERVER4
		dual     AAAA $DUAL6
	EOF
	cat >"$DNS/nsd/nsd.conf" <<-EOF
		server:
		    ip-address: $SERVER4
		    port: 53
		    username: ""
		    chroot: ""
		    zonesdir: "$DNS/nsd"
		    database: ""
		    zonelistfile: "$DNS/nsd/zone.list"
		    xfrdfile: "$DNS/nsd/xfrd.state"
		    xfrdir: "$DNS/nsd"
		    pidfile: "$DNS/nsd/nsd.pid"
		    logfile: "$DNS/nsd/nsd.log"
		    server-count: 1
		    verbosity: 1
		remote-control:
		    control-enable: no
		zone:
		    name: "example"
		    zonefile: "example.zone"
	EOF
	check "nsd-checkconf" nsd-checkconf "$DNS/nsd/nsd.conf"
	check "nsd-checkzone example" nsd-checkzone example "$DNS/nsd/example.zone"
	in_ns v4 nsd -d -c "$DNS/nsd/nsd.conf" >"$DNS/nsd/stdout" 2>&1 &
	wait_listen v4 udp 53
	ok "nsd serves example. on $SERVER4"
}

# The previous resolver (another dns64-prefix) must be gone for good.
stop_unbound() {
	local pidfile=$DNS/unbound/unbound.pid pid
	[[ -s $pidfile ]] || return 0
	pid=$(<"$pidfile")
	kill "$pid"
	for _ in {1..100}; do
		[[ -d /proc/$pid ]] || break
		sleep 0.1
	done
	[[ ! -d /proc/$pid ]] || fail "unbound ($pid) did not stop"
	rm -f "$pidfile"
	ok "previous unbound stopped"
}

# unbound in r, configured as the seed workflow does, for pool6 $1.
start_unbound() {
	local prefix=$1 dir=$DNS/unbound
	stop_unbound
	mkdir -p "$dir"
	cat >"$dir/unbound.conf" <<-EOF
		server:
		    interface: $GW6
		    port: 53
		    do-daemonize: no
		    username: ""
		    chroot: ""
		    directory: "$dir"
		    pidfile: "$dir/unbound.pid"
		    logfile: "$dir/unbound.log"
		    use-syslog: no
		    verbosity: 1
		    num-threads: 1
		    so-reuseport: no
		    module-config: "dns64 iterator"
		    dns64-prefix: $prefix
		    dns64-synthall: no
		    access-control: 2001:db8::/64 allow
		    # The translator owns these ports on the gateway's address.
		    outgoing-port-avoid: 61001-65535
		    # The test zone is unsigned and not delegated from the root.
		    domain-insecure: "example"
		remote-control:
		    control-enable: no
		stub-zone:
		    name: "example"
		    stub-addr: $SERVER4
	EOF
	check "unbound-checkconf" unbound-checkconf "$dir/unbound.conf"
	in_ns r unbound -d -c "$dir/unbound.conf" >"$dir/stdout" 2>&1 &
	wait_listen r udp 53
	# unbound binds its sockets before it writes the pid file.
	for _ in {1..100}; do
		[[ -s $dir/unbound.pid ]] && break
		sleep 0.1
	done
	[[ -s $dir/unbound.pid ]] || fail "unbound wrote no pid file"
	ok "unbound (DNS64 $prefix) listens on $GW6"
}

start_http() {
	mkdir -p "$WWW"
	echo "hello from the IPv4-only web server" >"$WWW/index.html"
	in_ns v4 "$PYTHON" -u -m http.server --bind "$SERVER4" --directory "$WWW" 80 \
		>"$CASE_TMP/http.log" 2>&1 &
	wait_listen v4 tcp 80
	ok "HTTP server on $SERVER4:80"
}

# The client's /etc/resolv.conf names r; the root is read-only, so bind a
# file over it in a private mount namespace.
as_client() {
	echo "nameserver $GW6" >"$CASE_TMP/resolv.conf"
	# shellcheck disable=SC2016 # expanded by the inner sh
	in_ns v6 unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$CASE_TMP/resolv.conf" "$@"
}

dig_short() {
	in_ns v6 dig +short +time=3 +tries=2 "@$GW6" "$@"
}

# Canonical text of an IPv6 address, so any spelling compares equal.
canon6() {
	"$PYTHON" -c 'import ipaddress, sys; print(ipaddress.IPv6Address(sys.argv[1]))' "$1"
}

# ---------------------------------------------------------------- checks

check_dns() {
	local synth=$1 out
	out=$(dig_short AAAA a-only.example)
	expect_eq "$(count_lines "$out")" 1 "one AAAA for a-only.example"
	expect_eq "$(canon6 "$out")" "$(canon6 "$synth")" "AAAA a-only.example synthesized from pool6"
	out=$(dig_short AAAA dual.example)
	expect_eq "$out" "$(canon6 "$DUAL6")" "AAAA dual.example is the real one (no synthesis)"
	expect_eq "$(dig_short A a-only.example)" "$SERVER4" "A a-only.example passes through"
	out=$(as_client getent ahostsv6 a-only.example | awk 'NR == 1 { print $1 }')
	expect_eq "$(canon6 "$out")" "$(canon6 "$synth")" "the client's resolver (resolv.conf) gets it too"
}

check_curl() {
	local synth=$1 out peer seen
	seen=$(wc -l <"$CASE_TMP/http.log")
	out=$(as_client curl -sS --noproxy '*' --max-time 30 -o "$CASE_TMP/page" \
		-w '%{remote_ip} %{http_code}' http://a-only.example/) ||
		fail "curl http://a-only.example/ from v6 failed: $out"
	log "curl: $out"
	expect_eq "$(canon6 "${out% *}")" "$(canon6 "$synth")" "curl connected to the synthesized address"
	expect_eq "${out#* }" 200 "HTTP status"
	expect_eq "$(cat "$CASE_TMP/page")" "$(cat "$WWW/index.html")" "page content"
	peer=$(awk -v seen="$seen" 'NR > seen && /"GET \/ HTTP/ { print $1; exit }' "$CASE_TMP/http.log")
	expect_eq "$peer" "$GW4" "the IPv4 server saw the translator's address"
	out=$(sessions tcp)
	log "nat64 session display --tcp:"$'\n'"$out"
	expect_contains "$out" ",$(canon6 "$synth"),80,$GW4," "TCP session to $synth port 80"
	expect_contains "$out" ",$SERVER4,80," "TCP session to $SERVER4:80"
}

add_seed_rules() {
	local prefix=$1
	in_ns r ip6tables -t mangle -A PREROUTING -d "$prefix" "${JOOL[@]}"
	in_ns r iptables -t mangle -A PREROUTING -d "$GW4" -p tcp --dport 61001:65535 "${JOOL[@]}"
	in_ns r iptables -t mangle -A PREROUTING -d "$GW4" -p udp --dport 61001:65535 "${JOOL[@]}"
	in_ns r iptables -t mangle -A PREROUTING -d "$GW4" -p icmp "${JOOL[@]}"
	ok "seed -j JOOL rules for $prefix added"
}

# run_mode netfilter|iptables POOL6 SYNTHESIZED_ADDRESS_OF_192.0.2.2
run_mode() {
	local mode=$1 prefix=$2 synth=$3
	log "=== $mode mode, pool6 $prefix ==="
	check "instance add default --$mode --pool6 $prefix" \
		in_ns r nat64 instance add default "--$mode" --pool6 "$prefix"
	[[ $mode == netfilter ]] || add_seed_rules "$prefix"
	check_curl "$synth"
	if [[ $mode == iptables ]]; then
		in_ns r ip6tables -t mangle -F PREROUTING
		in_ns r iptables -t mangle -F PREROUTING
	fi
	check "instance remove default" in_ns r nat64 instance remove default
}

# run_prefix POOL6 SYNTHESIZED_ADDRESS_OF_192.0.2.2: unbound and nat64 agree
# on POOL6; DNS64 answers, then the page through both modes.
run_prefix() {
	local prefix=$1 synth=$2
	log "=== DNS64 with $prefix ==="
	start_unbound "$prefix"
	check_dns "$synth"
	run_mode netfilter "$prefix" "$synth"
	run_mode iptables "$prefix" "$synth"
}

require_nat64
require_xt_jool
for tool in nsd unbound dig curl; do
	command -v "$tool" >/dev/null || fail "$tool not installed (scripts/deps.sh all)"
done
# One topology and one set of IPv4 services for all four runs.
topo_setup
load_nat64
start_nsd
start_http
run_prefix 64:ff9b::/96 64:ff9b::c000:202
# RFC 6052 /64: the IPv4 address straddles the u-octet (bits 64-71).
run_prefix 2001:db8:64::/64 2001:db8:64:0:c0:2:200:0
topo_teardown
unload_nat64
expect_no_kernel_warnings
