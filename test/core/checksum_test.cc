// Internet checksum arithmetic (RFC 1071, RFC 1624).
#include <gtest/gtest.h>

#include <random>

#include "pkt_util.h"

using namespace t;

namespace {

// RFC 1071 §3 numerical example.
TEST(Checksum, Rfc1071Example)
{
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	EXPECT_EQ(nat64_csum_fold(nat64_csum_add(0, b, sizeof(b))), 0xddf2);
	EXPECT_EQ(nat64_csum_finish(nat64_csum_add(0, b, sizeof(b))), 0x220d);
}

// RFC 1624 §4: eqn. 3 gives 0x0000 where eqn. 2 would give 0xFFFF.
TEST(Checksum, Rfc1624Example)
{
	uint32_t delta = nat64_csum_add16(nat64_csum_sub16(0, 0x5555), 0x3285);
	EXPECT_EQ(nat64_csum_update(0xdd2f, delta), 0x0000);
}

TEST(Checksum, OddLengthPadsWithZero)
{
	const uint8_t b[] = {0x12, 0x34, 0x56};
	EXPECT_EQ(nat64_csum_fold(nat64_csum_add(0, b, 3)), 0x1234 + 0x5600);
}

TEST(Checksum, SubUndoesAdd)
{
	const uint8_t b[] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0x00, 0x00};
	uint32_t s = nat64_csum_add(0x1234, b, 8);
	s = nat64_csum_sub(s, b, 8);
	// 0xffff is one's complement -0: equal to 0x1234 once folded in.
	EXPECT_EQ(nat64_csum_fold(nat64_csum_add16(s, 0)), 0x1234);
}

TEST(Checksum, LongBufferNoOverflow)
{
	Bytes b(65535, 0xff);
	EXPECT_EQ(nat64_csum_fold(nat64_csum_add(0, b.data(), (uint32_t)b.size())),
		  (uint16_t)sum(b));
}

// The incremental update of any changed words equals recomputing.
TEST(Checksum, IncrementalMatchesScratch)
{
	std::mt19937 rng(1);
	for (int n = 0; n < 2000; n++) {
		Bytes b(2 * (1 + rng() % 40));
		for (auto &x : b)
			x = (uint8_t)rng();
		uint16_t check = finish(sum(b));
		size_t w = 2 * (rng() % (b.size() / 2));
		uint8_t old[2] = {b[w], b[w + 1]};
		b[w] = (uint8_t)rng();
		b[w + 1] = (uint8_t)rng();
		uint32_t delta = nat64_csum_add(nat64_csum_sub(0, old, 2), &b[w], 2);
		uint16_t upd = nat64_csum_update(check, delta);
		// Both verify: the data plus the field sums to -0.
		EXPECT_EQ((uint16_t)sum(b, upd), 0xffff) << n;
	}
}

}  // namespace
