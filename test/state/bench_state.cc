// Microbenchmarks of the stateful parts, native:
//  - pool4 port allocation (mod/core/port_alloc.c, the real code) with an
//    address's ports 0 %, 90 %, 99 % and 100 % in use; one operation is an
//    allocation and the release of the port it got, so the use stays put.
//  - session lookup, hit and miss, in tables of 1,000 and 1,000,000 UDP
//    sessions: the module's own table code (mod/state*.c, pool4.c, built
//    unsanitized at -O2 as nat64tables_bench) on the userspace shim
//    (mod/core/platform_user_os.h), filled through the real 6->4 path. The
//    shim is not the kernel: its rhashtable is a fixed bucket array (sized
//    here as rhashtable would grow it, at most 75 % full) walked with the
//    module's own hash and compare functions (flow_hash.c, state_table.c),
//    and its RCU read lock is an rwlock (held across the whole loop here,
//    as a packet's hook holds the kernel's).
// Each benchmark's ratio against its baseline is printed at the end.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include <arpa/inet.h>
#include <sys/resource.h>

#include "../core/bench_ratio.h"

extern "C" {
#include "port_alloc.h"
}
#include "tables_harness.h"

namespace {

// ---- port allocation ------------------------------------------------------

constexpr uint16_t PORT_MIN = 1, PORT_MAX = 65535;	// the run's pool4 range

struct FreeDeleter {
	void operator()(void *p) const { std::free(p); }
};

std::unique_ptr<nat64_ports, FreeDeleter> ports_in_use(unsigned int percent)
{
	std::unique_ptr<nat64_ports, FreeDeleter> p(
		static_cast<nat64_ports *>(std::malloc(nat64_ports_size(PORT_MIN, PORT_MAX))));
	nat64_ports_init(p.get(), PORT_MIN, PORT_MAX);
	std::vector<uint16_t> order(PORT_MAX - PORT_MIN + 1);
	std::iota(order.begin(), order.end(), PORT_MIN);
	std::shuffle(order.begin(), order.end(), std::mt19937(42));
	size_t used = order.size() * percent / 100;
	for (size_t i = 0; i < used; i++)
		nat64_ports_take(p.get(), order[i]);
	return p;
}

// Pseudo-random (want, hash) pairs, computed before timing.
std::vector<uint32_t> random_words(size_t n)
{
	std::mt19937 rng(7);
	std::vector<uint32_t> v(n);
	for (auto &x : v)
		x = rng();
	return v;
}

void port_alloc(benchmark::State &state)
{
	auto p = ports_in_use((unsigned int)state.range(0));
	const auto rnd = random_words(4096);
	size_t i = 0;
	uint64_t probes = 0, full = 0;
	for (auto _ : state) {
		uint32_t r = rnd[i++ & 4095];
		uint16_t port;
		if (nat64_ports_alloc(p.get(), (uint16_t)r, r * 2654435761u, &port) == 0)
			nat64_ports_free(p.get(), port);
		else
			full++;
		probes += p->probes;
	}
	state.counters["words_probed"] =
		benchmark::Counter((double)probes, benchmark::Counter::kAvgIterations);
	state.counters["no_port"] =
		benchmark::Counter((double)full, benchmark::Counter::kAvgIterations);
}
BENCHMARK(port_alloc)->ArgName("pct_used")->Arg(0)->Arg(90)->Arg(99)->Arg(100);

// ---- session lookup (the real tables, see the top) ---------------------------

constexpr uint8_t UDP = 17;

// Flow i: 16 IPv6 sources x source ports x 4 destination ports to one
// IPv4 server, like the VM benchmark's table fill (four sessions per BIB
// entry); a miss is the same flow towards another server.
th_flow6 flow(size_t i, bool miss)
{
	th_flow6 f{};
	const uint8_t x6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 1, 0, (uint8_t)(i % 16) };
	std::memcpy(f.x6, x6, sizeof(x6));
	f.z4 = htonl(miss ? 0xc0000203 : 0xc0000202);	// 192.0.2.3 / .2
	f.x = htons((uint16_t)(1024 + i / 64));
	f.y = htons((uint16_t)(1 + i / 16 % 4));
	return f;
}

// What rhashtable grows a table of n entries to: it doubles when more than
// 75 % full. The shim does not resize, so it is given this size up front.
uint32_t buckets_for(size_t n)
{
	uint32_t nb = 1;
	while ((size_t)nb * 3 < n * 4)
		nb *= 2;
	return nb;
}

double rss_mib()
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024;	// KiB on Linux
}

// An instance holding n UDP sessions made by the real 6->4 path, built once
// per size (1M takes seconds) and kept for the process.
struct Filled {
	th *t;
	double create_s;	// wall time of the n 6->4 packets
	double rss_mib;		// peak RSS growth while filling
};

const Filled &filled(size_t n)
{
	static std::map<size_t, Filled> made;
	auto it = made.find(n);
	if (it != made.end())
		return it->second;
	th_table_buckets(buckets_for(n));
	th *t = th_new();
	if (!t)
		std::abort();
	// 16 addresses x 65,535 ports: room for the 250,000 BIB entries of 1M.
	if (th_pool4_add(t, 0, UDP, "203.0.113.0", 28, 1, 65535))
		std::abort();
	const double rss0 = rss_mib();
	const auto t0 = std::chrono::steady_clock::now();
	for (size_t i = 0; i < n; i++) {
		th_flow6 f = flow(i, false);
		if (th_6to4_flow(t, UDP, &f)) {
			std::fprintf(stderr, "session %zu not created\n", i);
			std::abort();
		}
	}
	const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
	if (th_nsessions(t) != (int)n)
		std::abort();
	return made[n] = Filled{ t, dt.count(), rss_mib() - rss0 };
}

// Up to 65,536 of the n filled flows (or their misses) in random order,
// prepared before timing.
std::vector<th_flow6> random_flows(size_t n, bool miss)
{
	std::vector<th_flow6> keys(std::min<size_t>(n, 1 << 16));
	std::mt19937 rng(3);
	for (auto &k : keys)
		k = flow(rng() % n, miss);
	return keys;
}

// Each iteration is the lookup the 6->4 path does first: bib6 by (X',x),
// then the session table by that entry's (T,t) and (Z,y). The benchmark
// holds the RCU read lock throughout, as the hook does for a packet; the
// shim's (an rwlock) is not in the timing.
void lookup(benchmark::State &state, bool miss)
{
	const size_t n = (size_t)state.range(0);
	const Filled &fl = filled(n);
	const std::vector<th_flow6> keys = random_flows(n, miss);
	size_t i = 0, found = 0;
	th_rcu_read_lock();
	for (auto _ : state) {
		bool hit = th_sess6_find(fl.t, UDP, &keys[i++ % keys.size()]);
		found += hit;
		benchmark::DoNotOptimize(hit);
	}
	th_rcu_read_unlock();
	if (found != (miss ? 0 : (size_t)state.iterations()))
		state.SkipWithError("wrong lookup result");
	state.counters["fill_s"] = fl.create_s;
	state.counters["fill_MiB"] = fl.rss_mib;
}

void lookup_hit(benchmark::State &state) { lookup(state, false); }
void lookup_miss(benchmark::State &state) { lookup(state, true); }
BENCHMARK(lookup_hit)->ArgName("entries")->Arg(1000)->Arg(1000000);
BENCHMARK(lookup_miss)->ArgName("entries")->Arg(1000)->Arg(1000000);

// The whole 6->4 state step of a packet of an established flow: the lookup
// above, the session's refresh (nat64_sess_update) and the outgoing tuple.
// The clock stands still, so the refresh finds the session already due at
// the same time (what back-to-back packets of one flow do).
void established_6to4(benchmark::State &state)
{
	const size_t n = (size_t)state.range(0);
	const Filled &fl = filled(n);
	const std::vector<th_flow6> keys = random_flows(n, false);
	size_t i = 0, failed = 0;
	th_rcu_read_lock();	// th_6to4_flow()'s own nests inside
	for (auto _ : state)
		failed += th_6to4_flow(fl.t, UDP, &keys[i++ % keys.size()]) != 0;
	th_rcu_read_unlock();
	if (failed || th_nsessions(fl.t) != (int)n)
		state.SkipWithError("an established flow was not translated alone");
}
BENCHMARK(established_6to4)->ArgName("entries")->Arg(1000)->Arg(1000000);

}  // namespace

int main(int argc, char **argv)
{
	return bench::run(argc, argv, {
		{"port_alloc/pct_used:90", "port_alloc/pct_used:0"},
		{"port_alloc/pct_used:99", "port_alloc/pct_used:0"},
		{"port_alloc/pct_used:100", "port_alloc/pct_used:0"},
		{"lookup_hit/entries:1000000", "lookup_hit/entries:1000"},
		{"lookup_miss/entries:1000", "lookup_hit/entries:1000"},
		{"lookup_miss/entries:1000000", "lookup_hit/entries:1000000"},
		{"established_6to4/entries:1000", "lookup_hit/entries:1000"},
		{"established_6to4/entries:1000000", "established_6to4/entries:1000"},
	});
}
