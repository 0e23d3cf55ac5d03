// Microbenchmarks: ns per packet for parse + header translation (the work
// the core does per packet; the payload is never touched). Ratios against
// UDP of the same direction are printed at the end.
#include "bench_ratio.h"
#include "pkt_util.h"

using namespace t;

namespace {

L4 make(uint8_t proto, uint8_t icmp_type)
{
	L4 l{proto};
	l.sport = 5000;
	l.dport = 53;
	l.icmp_type = icmp_type;
	l.payload.assign(64, 0x42);
	if (proto == IPPROTO_TCP)
		l.opts = {2, 4, 5, 0xb4};
	return l;
}

// ICMP errors (destination unreachable) from the host a session's packet
// was sent to, quoting that packet: the inner header is translated too.
constexpr uint8_t ERROR = 0xff;

Bytes packet6(uint8_t proto, uint8_t icmp_type)
{
	if (proto != ERROR)
		return ip6(V6{}, make(proto, icmp_type));
	V6 q;	// the quoted packet: 64:ff9b::192.0.2.33.53 -> 2001:db8::1.5000
	std::swap(q.src, q.dst);
	L4 err{IPPROTO_ICMP};
	err.icmp_type = 1;	// ICMPv6 destination unreachable, code 0
	err.payload = ip6(q, make(IPPROTO_UDP, 0));
	return ip6(V6{}, err);
}

Bytes packet4(uint8_t proto, uint8_t icmp_type)
{
	if (proto != ERROR)
		return ip4(V4{}, make(proto, icmp_type));
	V4 q;	// the quoted packet: 198.51.100.1.61001 -> 192.0.2.33.53
	std::swap(q.src, q.dst);
	L4 quoted = make(IPPROTO_UDP, 0);
	quoted.sport = 61001;
	quoted.dport = 53;
	L4 err{IPPROTO_ICMP};
	err.icmp_type = 3;	// ICMP destination unreachable, code 0
	err.payload = ip4(q, quoted);
	return ip4(V4{}, err);
}

void bench6to4(benchmark::State &state, uint8_t proto, uint8_t icmp_type)
{
	Bytes in = packet6(proto, icmp_type);
	bool error = proto == ERROR;
	nat64_tuple4 o = error ? tuple4("198.51.100.1", 0, "192.0.2.33", 0, IPPROTO_ICMP)
			       : tuple4("198.51.100.1", 61001, "192.0.2.33", 53, proto);
	nat64_tuple4 inner = tuple4("192.0.2.33", 53, "198.51.100.1", 61001, IPPROTO_UDP);
	if (xlat6to4(in, o, error ? &inner : nullptr).rc <= 0)
		state.SkipWithError("the packet does not translate");
	nat64_xlat_cfg cfg = default_cfg();
	uint8_t out[NAT64_XLAT_HDR_MAX];
	for (auto _ : state) {
		nat64_pkt p;
		nat64_stat why;
		uint32_t consumed, l4;
		if (nat64_parse6(in.data(), (uint32_t)in.size(), &p, &why))
			state.SkipWithError("parse");
		int n = nat64_xlat_6to4(in.data(), (uint32_t)in.size(), &p, &o,
					error ? &inner : nullptr, &cfg, out,
					sizeof(out), &consumed, &l4, &why);
		benchmark::DoNotOptimize(n);
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(state.iterations());
}

void bench4to6(benchmark::State &state, uint8_t proto, uint8_t icmp_type)
{
	Bytes in = packet4(proto, icmp_type);
	bool error = proto == ERROR;
	nat64_tuple6 o = error ? tuple6("64:ff9b::c000:221", 0, "2001:db8::1", 0, IPPROTO_ICMP)
			       : tuple6("64:ff9b::c000:221", 53, "2001:db8::1", 5000, proto);
	nat64_tuple6 inner = tuple6("2001:db8::1", 5000, "64:ff9b::c000:221", 53, IPPROTO_UDP);
	if (xlat4to6(in, o, error ? &inner : nullptr).rc <= 0)
		state.SkipWithError("the packet does not translate");
	nat64_xlat_cfg cfg = default_cfg();
	uint8_t out[NAT64_XLAT_HDR_MAX];
	for (auto _ : state) {
		nat64_pkt p;
		nat64_stat why;
		uint32_t consumed, l4;
		if (nat64_parse4(in.data(), (uint32_t)in.size(), &p, &why))
			state.SkipWithError("parse");
		int n = nat64_xlat_4to6(in.data(), (uint32_t)in.size(), &p, &o,
					error ? &inner : nullptr, &cfg, out,
					sizeof(out), &consumed, &l4, &why);
		benchmark::DoNotOptimize(n);
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(bench6to4, udp, IPPROTO_UDP, 0);
BENCHMARK_CAPTURE(bench6to4, tcp, IPPROTO_TCP, 0);
BENCHMARK_CAPTURE(bench6to4, icmp_echo, IPPROTO_ICMP, ICMPV6_ECHO_REQUEST);
BENCHMARK_CAPTURE(bench6to4, icmp_error, ERROR, 0);
BENCHMARK_CAPTURE(bench4to6, udp, IPPROTO_UDP, 0);
BENCHMARK_CAPTURE(bench4to6, tcp, IPPROTO_TCP, 0);
BENCHMARK_CAPTURE(bench4to6, icmp_echo, IPPROTO_ICMP, ICMP_ECHOREPLY);
BENCHMARK_CAPTURE(bench4to6, icmp_error, ERROR, 0);

}  // namespace

int main(int argc, char **argv)
{
	std::vector<std::pair<std::string, std::string>> pairs;
	for (const char *dir : {"bench6to4", "bench4to6"})
		for (const char *c : {"tcp", "icmp_echo", "icmp_error"})
			pairs.emplace_back(std::string(dir) + "/" + c, std::string(dir) + "/udp");
	return bench::run(argc, argv, pairs);
}
