// Microbenchmarks: ns per packet for parse + header translation (the work
// the core does per packet; the payload is never touched).
#include <benchmark/benchmark.h>

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

void bench6to4(benchmark::State &state, uint8_t proto, uint8_t icmp_type)
{
	Bytes in = ip6(V6{}, make(proto, icmp_type));
	nat64_tuple4 o = tuple4("198.51.100.1", 61001, "192.0.2.33", 53, proto);
	nat64_xlat_cfg cfg = default_cfg();
	uint8_t out[NAT64_XLAT_HDR_MAX];
	for (auto _ : state) {
		nat64_pkt p;
		nat64_stat why;
		uint32_t consumed, l4;
		if (nat64_parse6(in.data(), (uint32_t)in.size(), &p, &why))
			state.SkipWithError("parse");
		int n = nat64_xlat_6to4(in.data(), (uint32_t)in.size(), &p, &o, nullptr, &cfg, out,
					sizeof(out), &consumed, &l4, &why);
		benchmark::DoNotOptimize(n);
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(state.iterations());
}

void bench4to6(benchmark::State &state, uint8_t proto, uint8_t icmp_type)
{
	Bytes in = ip4(V4{}, make(proto, icmp_type));
	nat64_tuple6 o = tuple6("64:ff9b::c000:221", 53, "2001:db8::1", 5000, proto);
	nat64_xlat_cfg cfg = default_cfg();
	uint8_t out[NAT64_XLAT_HDR_MAX];
	for (auto _ : state) {
		nat64_pkt p;
		nat64_stat why;
		uint32_t consumed, l4;
		if (nat64_parse4(in.data(), (uint32_t)in.size(), &p, &why))
			state.SkipWithError("parse");
		int n = nat64_xlat_4to6(in.data(), (uint32_t)in.size(), &p, &o, nullptr, &cfg, out,
					sizeof(out), &consumed, &l4, &why);
		benchmark::DoNotOptimize(n);
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(bench6to4, udp, IPPROTO_UDP, 0);
BENCHMARK_CAPTURE(bench6to4, tcp, IPPROTO_TCP, 0);
BENCHMARK_CAPTURE(bench6to4, icmp_echo, IPPROTO_ICMP, ICMPV6_ECHO_REQUEST);
BENCHMARK_CAPTURE(bench4to6, udp, IPPROTO_UDP, 0);
BENCHMARK_CAPTURE(bench4to6, tcp, IPPROTO_TCP, 0);
BENCHMARK_CAPTURE(bench4to6, icmp_echo, IPPROTO_ICMP, ICMP_ECHOREPLY);

}  // namespace

BENCHMARK_MAIN();
