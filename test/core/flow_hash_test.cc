// The state tables' keyed hash (mod/core/flow_hash.c), the exact function
// the module's rhashtables use: SipHash-1-3 against independent values,
// and resistance to hash flooding without any timing: flows chosen to
// share one bucket under the unkeyed variant spread like random balls
// into bins once the hash is keyed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "collide.h"
#include "pkt_util.h"

namespace {

struct Vector {
	nat64_hash_key key;
	unsigned len;	// message: bytes 0, 1, ..., len - 1
	uint32_t hash;
};

// CPython 3.11 hashes bytes with SipHash-1-3 (sys.hash_info.algorithm);
// these are hash(bytes(range(len))) & 0xffffffff with PYTHONHASHSEED 0
// (key 0), 1 and 4242 (key: CPython's LCG bytes of the seed, read as two
// little-endian words).
const Vector vectors[] = {
	{{0, 0}, 1, 0x8e01e473},
	{{0, 0}, 7, 0xc751325a},
	{{0, 0}, 8, 0x7ebe2eea},
	{{0, 0}, 12, 0x0f9fe1c2},
	{{0, 0}, 20, 0xe68c0100},
	{{0, 0}, 28, 0x130d0ac7},
	{{0, 0}, 32, 0xc910629b},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 1, 0xcecda4b9},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 7, 0x52a69ddf},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 8, 0x7e28dd01},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 12, 0x87e344ad},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 20, 0x7a31cb04},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 28, 0xb7a57839},
	{{0xaed66ce184be2329, 0xebe9bbf1f1499052}, 32, 0x3c64318e},
	{{0x41f6394f25dd9b43, 0xc64ae48da2032d08}, 1, 0xf17947fc},
	{{0x41f6394f25dd9b43, 0xc64ae48da2032d08}, 12, 0x7c293f56},
	{{0x41f6394f25dd9b43, 0xc64ae48da2032d08}, 28, 0xa227e815},
	{{0x41f6394f25dd9b43, 0xc64ae48da2032d08}, 32, 0xfbaf3411},
};

TEST(FlowHash, SipHash13MatchesCPython)
{
	uint8_t msg[32];

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = static_cast<uint8_t>(i);
	for (const Vector &v : vectors)
		EXPECT_EQ(nat64_siphash13(msg, v.len, &v.key), v.hash) << "len " << v.len;
}

TEST(FlowHash, KeyThenSeedInHostOrder)
{
	const nat64_hash_key key{0x0123456789abcdef, 0xfedcba9876543210};
	nat64_sess4_key k{};
	uint8_t buf[sizeof(k) + 4];
	const uint32_t seed = 0xdeadbeef;

	k.t4 = htonl(0xc0000201);
	k.z4 = htonl(0xc0000202);
	k.t = htons(61001);
	k.z = htons(53);
	std::memcpy(buf, &k, sizeof(k));
	std::memcpy(buf + sizeof(k), &seed, 4);
	EXPECT_EQ(nat64_flow_hash(&k, sizeof(k), seed, &key),
		  nat64_siphash13(buf, sizeof(buf), &key));
	// The seed matters (a rehash redistributes).
	EXPECT_NE(nat64_flow_hash(&k, sizeof(k), seed, &key),
		  nat64_flow_hash(&k, sizeof(k), seed + 1, &key));
	EXPECT_EQ(nat64_flow_hash(&k, NAT64_FLOW_KEY_MAX + 4, seed, &key), 0U);
}

// Smallest k such that m * C(n, k) / m^k <= p: by the union bound, the
// probability that n random balls put k or more into one of m bins is at
// most p.
unsigned max_load_bound(unsigned n, unsigned m, double p)
{
	for (unsigned k = 1; k <= n; k++) {
		double log_c = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) -
			       std::lgamma(n - k + 1.0);
		if (std::log(m) + log_c - k * std::log(m) <= std::log(p))
			return k;
	}
	return n;
}

unsigned max_load(const std::vector<nat64_sess6_key> &flows, unsigned bits,
		  const nat64_hash_key &key, uint32_t seed)
{
	std::vector<unsigned> load(1U << bits);

	for (const auto &k : flows)
		load[nat64_flow_hash(&k, sizeof(k), seed, &key) & ((1U << bits) - 1)]++;
	return *std::max_element(load.begin(), load.end());
}

constexpr unsigned kBits = 10, kFlows = 1024, kKeys = 32;

TEST(FlowHash, ChosenCollisionsSpreadUnderARandomKey)
{
	const auto flows = t::colliding_sess6(t::a6("2001:db8::2"), htonl(0xc0000202),
					      1024, kFlows, kBits);
	ASSERT_EQ(flows.size(), kFlows);
	// The attack works on the unkeyed hash: one chain of 1024.
	EXPECT_EQ(max_load(flows, kBits, nat64_hash_key{}, 0), kFlows);

	// Keyed (fixed test keys and seeds, so the result is deterministic):
	// every key must look like random placement. 1e-9 over all keys.
	const unsigned bound = max_load_bound(kFlows, 1U << kBits, 1e-9 / kKeys);
	std::mt19937_64 rng(20261126);
	unsigned worst = 0;
	for (unsigned i = 0; i < kKeys; i++) {
		const nat64_hash_key key{rng(), rng()};
		const auto seed = static_cast<uint32_t>(rng());
		worst = std::max(worst, max_load(flows, kBits, key, seed));
		// The same key, table seed 0 (what the attacker assumed).
		worst = std::max(worst, max_load(flows, kBits, key, 0));
	}
	EXPECT_LE(worst, bound) << "bound " << bound;
	// The bound is far from the attack (and from trivial).
	EXPECT_LT(bound, 20U);
	RecordProperty("max_load_keyed", static_cast<int>(worst));
	RecordProperty("max_load_bound", static_cast<int>(bound));
	std::printf("1024 chosen flows, 1024 buckets: unkeyed max load %u, keyed max load %u (bound %u)\n",
		    kFlows, worst, bound);
}

} // namespace
