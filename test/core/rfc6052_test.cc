// RFC 6052 address embedding (§2.2) with the examples of §2.4.
#include <gtest/gtest.h>

#include "pkt_util.h"

using namespace t;

namespace {

nat64_prefix6 prefix(const char *addr, uint8_t len)
{
	nat64_prefix6 p{};
	p.addr = a6(addr);
	p.len = len;
	return p;
}

struct Example {
	const char *prefix;
	uint8_t len;
	const char *embedded;
};

// RFC 6052 §2.4, Table 1: 192.0.2.33 under each prefix length.
const Example examples[] = {
	{"2001:db8::", 32, "2001:db8:c000:221::"},
	{"2001:db8:100::", 40, "2001:db8:1c0:2:21::"},
	{"2001:db8:122::", 48, "2001:db8:122:c000:2:2100::"},
	{"2001:db8:122:300::", 56, "2001:db8:122:3c0:0:221::"},
	{"2001:db8:122:344::", 64, "2001:db8:122:344:c0:2:2100:0"},
	{"2001:db8:122:344::", 96, "2001:db8:122:344::192.0.2.33"},
	{"64:ff9b::", 96, "64:ff9b::192.0.2.33"},
};

class Rfc6052 : public ::testing::TestWithParam<Example> {};

TEST_P(Rfc6052, EmbedAndExtract)
{
	const Example &e = GetParam();
	nat64_prefix6 p = prefix(e.prefix, e.len);
	ASSERT_TRUE(nat64_prefix6_valid(&p));
	in6_addr out;
	nat64_rfc6052_embed(&p, a4("192.0.2.33"), &out);
	in6_addr want = a6(e.embedded);
	EXPECT_EQ(memcmp(&out, &want, 16), 0);
	__be32 v4 = 0;
	ASSERT_TRUE(nat64_rfc6052_extract(&p, &want, &v4));
	EXPECT_EQ(v4, a4("192.0.2.33"));
}

INSTANTIATE_TEST_SUITE_P(Table1, Rfc6052, ::testing::ValuesIn(examples));

TEST(Rfc6052Valid, RejectsBadLengths)
{
	for (int len : {0, 8, 16, 24, 31, 33, 63, 65, 72, 88, 95, 97, 128}) {
		nat64_prefix6 p = prefix("64:ff9b::", (uint8_t)len);
		EXPECT_FALSE(nat64_prefix6_valid(&p)) << len;
	}
}

TEST(Rfc6052Valid, RejectsBitsPastLength)
{
	nat64_prefix6 p = prefix("64:ff9b::1", 96);
	EXPECT_FALSE(nat64_prefix6_valid(&p));
	p = prefix("2001:db8:0:0:100::", 64);	// u-octet set
	EXPECT_FALSE(nat64_prefix6_valid(&p));
	p = prefix("2001:db8:1::", 32);
	EXPECT_FALSE(nat64_prefix6_valid(&p));
}

TEST(Rfc6052Extract, OutsidePrefix)
{
	nat64_prefix6 p = prefix("64:ff9b::", 96);
	in6_addr a = a6("64:ff9a::192.0.2.33");
	__be32 v4;
	EXPECT_FALSE(nat64_rfc6052_extract(&p, &a, &v4));
	a = a6("2001:db8::1");
	EXPECT_FALSE(nat64_rfc6052_extract(&p, &a, &v4));
}

TEST(Rfc6052Extract, UOctetMustBeZero)
{
	nat64_prefix6 p = prefix("2001:db8::", 32);
	in6_addr a = a6("2001:db8:c000:221:100::");
	__be32 v4;
	EXPECT_FALSE(nat64_rfc6052_extract(&p, &a, &v4));
	// The suffix is ignored (§2.2: reserved for future use).
	a = a6("2001:db8:c000:221:1:2:3:4");
	EXPECT_TRUE(nat64_rfc6052_extract(&p, &a, &v4));
	EXPECT_EQ(v4, a4("192.0.2.33"));
}

TEST(Rfc6052Extract, RoundTripEveryLength)
{
	for (uint8_t len : {32, 40, 48, 56, 64, 96}) {
		nat64_prefix6 p = prefix("2001:db8:aabb:cc00::", len);
		// Clear what lies past the prefix so that it is valid.
		for (int i = len / 8; i < 16; i++)
			p.addr.s6_addr[i] = 0;
		ASSERT_TRUE(nat64_prefix6_valid(&p));
		for (const char *v : {"0.0.0.0", "255.255.255.255", "10.1.2.3", "203.0.113.77"}) {
			in6_addr out;
			__be32 back = 0;
			nat64_rfc6052_embed(&p, a4(v), &out);
			EXPECT_EQ(out.s6_addr[8], 0) << (int)len;
			ASSERT_TRUE(nat64_rfc6052_extract(&p, &out, &back));
			EXPECT_EQ(back, a4(v)) << (int)len << " " << v;
		}
	}
}

}  // namespace
