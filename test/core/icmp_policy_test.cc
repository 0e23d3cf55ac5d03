// drop-icmpv6-info and source-icmpv6-errors-better (core/icmp_policy.c).
#include <gtest/gtest.h>

#include "pkt_util.h"

extern "C" {
#include "icmp_policy.h"
}

using namespace t;

namespace {

nat64_pkt parsed6(const Bytes &b)
{
	nat64_pkt pkt{};
	nat64_stat why = NAT64_STAT_UNUSED;
	EXPECT_EQ(nat64_parse6(b.data(), (uint32_t)b.size(), &pkt, &why), 0) << why;
	return pkt;
}

// Code 0; bytes 4-7 are an identifier and sequence number (unused bytes
// for an error).
Bytes icmp6_msg(uint8_t type, const Bytes &body)
{
	V6 h;
	L4 l{IPPROTO_ICMP};
	l.icmp_type = type;
	l.sport = 0x0abc;
	l.payload = body;
	return ip6(h, l);
}

TEST(IcmpPolicy, DropIcmpv6InfoTakesEchoBothWays)
{
	for (uint8_t type : {ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY}) {
		nat64_pkt p = parsed6(icmp6_msg(type, Bytes(8, 1)));
		EXPECT_TRUE(nat64_icmp6_info_dropped(&p, true)) << (int)type;
		EXPECT_FALSE(nat64_icmp6_info_dropped(&p, false)) << (int)type;
	}
}

TEST(IcmpPolicy, DropIcmpv6InfoLeavesErrorsAndOtherProtocols)
{
	V6 h;	// the quoted packet travelled 4->6
	h.src = a6("64:ff9b::c000:221");
	h.dst = a6("2001:db8::1");
	L4 u{IPPROTO_UDP};
	u.sport = 53;
	u.dport = 5000;
	u.payload.assign(8, 7);
	Bytes quoted = ip6(h, u);
	nat64_pkt err = parsed6(icmp6_msg(ICMPV6_DEST_UNREACH, quoted));
	ASSERT_TRUE(err.icmp_error);
	EXPECT_FALSE(nat64_icmp6_info_dropped(&err, true));
	nat64_pkt udp = parsed6(ip6(V6{}, u));
	EXPECT_FALSE(nat64_icmp6_info_dropped(&udp, true));
}

TEST(IcmpPolicy, ErrorSource)
{
	nat64_prefix6 pool6{};
	pool6.addr = a6("64:ff9b::");
	pool6.len = 96;
	nat64_tuple6 inner = tuple6("2001:db8::1", 5000, "64:ff9b::c633:6402", 53, IPPROTO_UDP);
	in6_addr src{};
	nat64_icmp6_err_src(&pool6, a4("192.0.2.2"), &inner, true, &src);
	in6_addr router = a6("64:ff9b::c000:202");
	EXPECT_EQ(memcmp(&src, &router, 16), 0);	// the router embedded in pool6
	nat64_icmp6_err_src(&pool6, a4("192.0.2.2"), &inner, false, &src);
	EXPECT_EQ(memcmp(&src, &inner.dst, 16), 0);	// RFC 6146: the destination
}

}  // namespace
