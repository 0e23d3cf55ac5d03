// Microbenchmarks of the stateful parts, native:
//  - pool4 port allocation (mod/core/port_alloc.c, the real code) with an
//    address's ports 0 %, 90 %, 99 % and 100 % in use; one operation is an
//    allocation and the release of the port it got, so the use stays put.
//  - session lookup, hit and miss, in tables of 1,000 and 1,000,000 entries.
//    The kernel's tables (mod/state.c: rhashtable, keyed hsiphash) do not
//    compile in userspace here, so this measures an equivalent: the same
//    24-byte IPv6-side session key, SipHash-1-3 of key + seed (what hsiphash
//    is on 64-bit), a power-of-two bucket array kept at most 75 % full (as
//    rhashtable grows it) and chains of separately placed entries compared
//    with memcmp. It is the hashing, cache-miss and comparison cost of a
//    lookup, not rhashtable's own code.
// Each benchmark's ratio against its baseline is printed at the end.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "../core/bench_ratio.h"

extern "C" {
#include "port_alloc.h"
}

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

// ---- session lookup (equivalent open hash, see the top) ---------------------

struct Key {	// mod/state.c's sess6_key: IPv6 source, IPv4 dest, ports
	uint8_t x6[16];
	uint32_t z4;
	uint16_t x, y;
};
static_assert(sizeof(Key) == 24);

struct Entry {	// a session's hash linkage and key, the rest of it as padding
	Entry *next;
	Key key;
	uint8_t rest[96];
};

uint64_t rotl(uint64_t x, int b) { return x << b | x >> (64 - b); }

void sipround(uint64_t &v0, uint64_t &v1, uint64_t &v2, uint64_t &v3)
{
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
}

// SipHash-1-3 of len (a multiple of 4) bytes, 32-bit result.
uint32_t siphash13(const uint8_t *data, size_t len, uint64_t k0, uint64_t k1)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		std::memcpy(&m, data + i, 8);
		v3 ^= m;
		sipround(v0, v1, v2, v3);
		v0 ^= m;
	}
	if (len - i == 4) {
		uint32_t t;
		std::memcpy(&t, data + i, 4);
		b |= t;
	}
	v3 ^= b;
	sipround(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < 3; r++)
		sipround(v0, v1, v2, v3);
	return (uint32_t)(v0 ^ v1 ^ v2 ^ v3);
}

class Table {
public:
	explicit Table(size_t n) : entries_(n)
	{
		size_t nb = 1;
		while (nb * 3 < n * 4)	// at most 75 % full
			nb *= 2;
		buckets_.assign(nb, nullptr);
		// Entries are inserted in random order, so that neighbours in a
		// chain are not neighbours in memory.
		std::vector<size_t> order(n);
		std::iota(order.begin(), order.end(), 0);
		std::shuffle(order.begin(), order.end(), std::mt19937(1));
		for (size_t i : order) {
			Entry &e = entries_[i];
			e.key = key_of(i, false);
			Entry *&head = buckets_[hash(e.key) & (nb - 1)];
			e.next = head;
			head = &e;
		}
	}

	// Flow i: 16 IPv6 sources x source ports x 4 destination ports, like the
	// VM benchmark's table fill; a miss differs in the destination address.
	static Key key_of(size_t i, bool miss)
	{
		Key k{};
		k.x6[0] = 0x20;
		k.x6[1] = 0x01;
		k.x6[2] = 0x0d;
		k.x6[3] = 0xb8;
		k.x6[13] = 1;
		k.x6[15] = (uint8_t)(i % 16);
		k.z4 = miss ? 0xc0000203 : 0xc0000202;
		k.x = (uint16_t)(1024 + i / 64);
		k.y = (uint16_t)(1 + i / 16 % 4);
		return k;
	}

	const Entry *find(const Key &k) const
	{
		for (const Entry *e = buckets_[hash(k) & (buckets_.size() - 1)]; e; e = e->next)
			if (std::memcmp(&e->key, &k, sizeof(k)) == 0)
				return e;
		return nullptr;
	}

private:
	static uint32_t hash(const Key &k)
	{
		uint8_t buf[sizeof(Key) + 4];
		const uint32_t seed = 0x9e3779b9;

		std::memcpy(buf, &k, sizeof(k));
		std::memcpy(buf + sizeof(k), &seed, 4);
		return siphash13(buf, sizeof(buf), 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL);
	}

	std::vector<Entry> entries_;
	std::vector<Entry *> buckets_;
};

void lookup(benchmark::State &state, bool miss)
{
	const size_t n = (size_t)state.range(0);
	const Table table(n);
	// Keys in random order, prepared before timing.
	std::vector<Key> keys(std::min<size_t>(n, 1 << 16));
	std::mt19937 rng(3);
	for (auto &k : keys)
		k = Table::key_of(rng() % n, miss);
	size_t i = 0, found = 0;
	for (auto _ : state) {
		const Entry *e = table.find(keys[i++ % keys.size()]);
		found += e != nullptr;
		benchmark::DoNotOptimize(e);
	}
	if (found != (miss ? 0 : (size_t)state.iterations()))
		state.SkipWithError("wrong lookup result");
}

void lookup_hit(benchmark::State &state) { lookup(state, false); }
void lookup_miss(benchmark::State &state) { lookup(state, true); }
BENCHMARK(lookup_hit)->ArgName("entries")->Arg(1000)->Arg(1000000);
BENCHMARK(lookup_miss)->ArgName("entries")->Arg(1000)->Arg(1000000);

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
	});
}
