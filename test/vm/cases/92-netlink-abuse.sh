#!/bin/bash
# vm-timeout: 480
# vm-cost: 59
# Hostile netlink input (issue 7): every change the CLI can make is refused
# with EPERM without CAP_NET_ADMIN (root without capabilities, nobody, and
# root of a user namespace that does not own the network namespace) and
# leaves the configuration identical; displays are allowed exactly where
# mod/genl.c allows them. Malformed requests from a raw generic netlink
# client (nl_abuse.py) get their exact errno and extack message and change
# nothing; then a seeded random fuzzer runs for FUZZ_SECONDS as root.
# shellcheck source-path=SCRIPTDIR/..
# shellcheck source=lib.sh
. "$(dirname "$0")/../lib.sh"

readonly TOOL=$VM_DIR/cases/nl_abuse.py
# Fixed: a failure replays with `nl_abuse.py fuzz SEED SECONDS` in the
# namespace the fuzzer used (same messages in the same order).
readonly FUZZ_SEED=6146
readonly FUZZ_SECONDS=30
readonly CONF=$CASE_TMP/file.json
readonly EPERM_TEXT='nat64: Operation not permitted (CAP_NET_ADMIN is required)'

# Everything a change could touch, as JSON (BIB: static and dynamic).
config_json() {
	local p
	in_ns r nat64 instance display --json
	in_ns r nat64 global display --json
	in_ns r nat64 pool4 display --json
	for p in tcp udp icmp; do in_ns r nat64 bib display "--$p" --json; done
}

setup_config() {
	check "instance add default --iptables" \
		in_ns r nat64 instance add default --iptables --pool6 64:ff9b::/96
	check "pool4 add --tcp 192.0.2.1 1000-3000" in_ns r nat64 pool4 add --tcp 192.0.2.1 1000-3000
	check "pool4 add --udp 192.0.2.1 1000-3000" in_ns r nat64 pool4 add --udp 192.0.2.1 1000-3000
	check "bib add --tcp 2001:db8::5#5000 192.0.2.1#2000" \
		in_ns r nat64 bib add --tcp 2001:db8::5#5000 192.0.2.1#2000
	check "global update udp-timeout 10:00" in_ns r nat64 global update udp-timeout 10:00
	cat >"$CONF" <<-EOF
		{
			"instance": "default",
			"framework": "iptables",
			"global": { "pool6": "64:ff9b::/96", "udp-timeout": "20:00" },
			"pool4": [ { "protocol": "UDP", "prefix": "192.0.2.1", "port range": "4000-5000" } ],
			"bib": []
		}
	EOF
	# nobody must get as far as the kernel's refusal.
	chmod 755 "$CASE_TMP"
	chmod 644 "$CONF"
}

# Every change operation of the CLI, one per line (run inside namespace r).
readonly CHANGES=(
	"instance add other --iptables --pool6 64:ff9b::/96"
	"instance add other2 --netfilter --pool6 64:ff9b::/96"
	"instance remove default"
	"instance flush"
	"global update manually-enabled false"
	"global update udp-timeout 20:00"
	"global update tcp-est-timeout 3:00:00"
	"global update lowest-ipv6-mtu 1500"
	"global update tos 5"
	"global update f-args 3"
	"global update mtu-plateaus 9000,1500"
	"global update maximum-sessions 10"
	"global update logging-session true"
	"pool4 add --udp 198.51.100.1 1-100"
	"pool4 add --icmp 198.51.100.0/30"
	"pool4 remove --tcp 192.0.2.1"
	"pool4 remove --quick --udp 192.0.2.1"
	"pool4 flush"
	"pool4 flush --quick"
	"bib add --tcp 2001:db8::6#6000 192.0.2.1#2500"
	"bib remove --tcp 2001:db8::5#5000"
	"bib remove --tcp 2001:db8::5#5000 192.0.2.1#2000"
	"file handle $CONF"
)
# Displays: allowed to anyone, except the tables that show who talks to whom.
readonly OPEN_DISPLAYS=("instance display" "instance status" "global display"
	"stats display" "stats display --all" "pool4 display")
readonly ADMIN_DISPLAYS=("bib display --tcp" "session display --udp")

# userns [-n] CMD...: CMD as root of a new user namespace, in namespace r
# (-n: in a new network namespace that this user namespace owns). A process
# in a chroot may not create a user namespace, and cases run in the guest's
# chroot of /newroot (initramfs-init.sh): so start from PID 1's root (the
# initramfs, busybox), create the user namespace there, and chroot back.
userns() {
	local net=
	[[ $1 != -n ]] || { net=-n; shift; }
	nsenter --net=/run/netns/r --root=/proc/1/root /bin/busybox unshare $net -r \
		/bin/busybox chroot /newroot /usr/bin/env PATH="$PATH" "$@"
}

# as IDENTITY CMD...: run CMD in namespace r as one of the unprivileged callers.
as() {
	local who=$1
	shift
	case $who in
	root) in_ns r "$@" ;;
	root-nocaps) in_ns r setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all "$@" ;;
	nobody) in_ns r setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --ambient-caps=-all --bounding-set=-all "$@" ;;
	userns-root) userns "$@" ;;
	esac
}

identities_are_unprivileged() {
	local who capeff
	for who in root-nocaps nobody; do
		capeff=$(as "$who" sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
		expect_eq "$capeff" 0000000000000000 "$who has no effective capability"
	done
	expect_eq "$(as nobody id -u)" 65534 "nobody runs as uid 65534"
	# Root of its own user namespace: all capabilities there, none over r.
	expect_eq "$(as userns-root id -u)" 0 "userns-root is uid 0 in its user namespace"
	[[ $(as userns-root readlink /proc/self/ns/user) != "$(in_ns r readlink /proc/self/ns/user)" ]] ||
		fail "unshare --user did not create a user namespace"
	expect_eq "$(as userns-root readlink /proc/self/ns/net)" "$(in_ns r readlink /proc/self/ns/net)" \
		"userns-root is still in namespace r (owned by the initial user namespace)"
}

# batch WHO OP...: runs `nat64 OP` for each OP in one shell as WHO (a CLI
# run costs seconds under TCG; the namespace and identity switches are paid
# once). Leaves each OP's status in RC[OP] and its output in OUT[OP].
declare -A RC OUT
batch() {
	local who=$1 line block='' op rc
	shift
	RC=() OUT=()
	# shellcheck disable=SC2016 # expanded by the inner bash
	while IFS= read -r line; do
		if [[ $line == "@@ "* ]]; then
			read -r _ rc op <<<"$line"
			RC[$op]=$rc
			OUT[$op]=${block%$'\n'}
			block=
		else
			block+=$line$'\n'
		fi
	done < <(as "$who" bash -c 'for op; do out=$(nat64 $op 2>&1); rc=$?
		printf "%s\n@@ %s %s\n" "$out" "$rc" "$op"; done' _ "$@")
	expect_eq "${#RC[@]}" "$#" "$who: ran all $# commands"
}

# expect_refused WHO OP...: every OP failed with exactly the EPERM message.
expect_refused() {
	local who=$1 op
	shift
	for op; do
		if [[ ${RC[$op]} == 0 || ${OUT[$op]} != *"$EPERM_TEXT" ]]; then
			fail "$who: nat64 $op: status ${RC[$op]}, no EPERM:"$'\n'"${OUT[$op]}"
		fi
		ok "$who: nat64 $op -> ${OUT[$op]##*$'\n'}"
	done
}

changes_refused() {
	local before who
	before=$(config_json)
	# (nobody: the displays below; every change costs a CLI run)
	for who in root-nocaps userns-root; do
		batch "$who" "${CHANGES[@]}"
		expect_refused "$who" "${CHANGES[@]}"
		expect_eq "$(config_json | sha256sum)" "$(sha256sum <<<"$before")" \
			"configuration identical after every refused change by $who"
	done
}

displays_as_genl_allows() {
	local who op
	local -A want
	batch root "${OPEN_DISPLAYS[@]}"
	for op in "${OPEN_DISPLAYS[@]}"; do want[$op]=${OUT[$op]}; done
	for who in root-nocaps nobody userns-root; do
		batch "$who" "${OPEN_DISPLAYS[@]}" "${ADMIN_DISPLAYS[@]}"
		for op in "${OPEN_DISPLAYS[@]}"; do
			[[ ${RC[$op]} == 0 ]] || fail "$who: nat64 $op failed:"$'\n'"${OUT[$op]}"
			# (no traffic reaches r's iptables instance: counters stay put)
			expect_eq "${OUT[$op]}" "${want[$op]}" "$who: nat64 $op works (same as root)"
		done
		expect_refused "$who" "${ADMIN_DISPLAYS[@]}"
	done
}

# The contract is CAP_NET_ADMIN over the namespace: root of a user namespace
# does configure a network namespace that its user namespace owns.
own_namespace_allowed() {
	local out
	out=$(userns -n sh -c '
		nat64 instance add own --iptables --pool6 64:ff9b::/96 &&
		nat64 -i own pool4 add --tcp 192.0.2.9 1-9 &&
		nat64 -i own global update udp-timeout 30:00 &&
		nat64 instance display --csv --no-headers' 2>&1) ||
		fail "userns root in its own network namespace:"$'\n'"$out"
	expect_match "$out" '^[0-9]+,own,iptables$' \
		"userns root configures a network namespace its user namespace owns"
	expect_not_contains "$(instances r)" ",own," "that instance is not in r"
}

malformed() {
	local before out
	before=$(config_json)
	out=$(in_ns r "$PYTHON" "$TOOL" cases default 2>&1) || fail "nl_abuse.py cases:"$'\n'"$out"
	echo "$out"
	expect_match "$(tail -n 1 <<<"$out")" '^[0-9]+ malformed requests, 0 failed$' \
		"every malformed request got its errno and extack, nothing changed"
	expect_eq "$(config_json | sha256sum)" "$(sha256sum <<<"$before")" \
		"configuration identical after the malformed requests (CLI view)"
}

fuzz() {
	local before out name
	before=$(config_json)
	new_ns fz
	check "instance add fz0 in namespace fz" \
		in_ns fz nat64 instance add fz0 --iptables --pool6 64:ff9b::/96
	check "pool4 add in fz" in_ns fz nat64 -i fz0 pool4 add --udp 198.51.100.0/28 1000-2000
	check "bib add in fz" in_ns fz nat64 -i fz0 bib add --udp 2001:db8::7#53 198.51.100.1#1500
	out=$(in_ns fz "$PYTHON" "$TOOL" fuzz "$FUZZ_SEED" "$FUZZ_SECONDS" 2>&1) ||
		fail "fuzzer (seed $FUZZ_SEED):"$'\n'"$out"
	echo "$out"
	expect_match "$(grep '^FUZZ_SENT ' <<<"$out")" '^FUZZ_SENT [1-9][0-9]*$' "fuzzer sent messages"
	# The module still answers and whatever the fuzzer left is valid.
	out=$(in_ns fz nat64 instance display --csv --no-headers)
	log "instances the fuzzer left in fz:"$'\n'"$out"
	while IFS=, read -r _ name _; do
		check "fz: global display of $name" in_ns fz nat64 -i "$name" global display --json
		check "fz: pool4 display of $name" in_ns fz nat64 -i "$name" pool4 display --json
		check "fz: bib display of $name" in_ns fz nat64 -i "$name" bib display --udp --json
		check "fz: stats display of $name" in_ns fz nat64 -i "$name" stats display
	done <<<"$out"
	check "nl_abuse.py snapshot in fz" in_ns fz "$PYTHON" "$TOOL" snapshot
	expect_eq "$(config_json | sha256sum)" "$(sha256sum <<<"$before")" \
		"namespace r untouched by the fuzzer in fz"
	check "instance flush in fz" in_ns fz nat64 instance flush
	expect_eq "$(instances fz)" "" "fz has no instance left"
	kill_ns fz
}

require_nat64
topo_setup
load_nat64
setup_config
identities_are_unprivileged
changes_refused
displays_as_genl_allows
own_namespace_allowed
malformed
fuzz
topo_teardown
unload_nat64
expect_no_kernel_warnings
