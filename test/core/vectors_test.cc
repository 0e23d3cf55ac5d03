// Byte-exact golden vectors (gen_vectors.py builds both sides from scratch
// with full checksums; the core updates them incrementally).
#include <gtest/gtest.h>

#include "pkt_util.h"

using namespace t;

namespace {

#include "vectors.inc"

#define B(name) Bytes(name, name + sizeof(name))

const char *H6 = "2001:db8::1";
const char *S6 = "64:ff9b::c000:221";
const char *R6 = "64:ff9b::cb00:7101";
const char *P4 = "198.51.100.1";
const char *S4 = "192.0.2.33";

void expect_same(const Bytes &got, const Bytes &want)
{
	EXPECT_EQ(hex(got), hex(want));
	EXPECT_TRUE(l4_csum_ok(got));
}

TEST(Vectors, InputsAreValid)
{
	for (const Bytes &b : {B(udp_6to4_in), B(udp_4to6_in), B(tcp_6to4_in), B(tcp_4to6_in),
			       B(echo_6to4_in), B(echo_4to6_in), B(udp_6to4_out), B(udp_4to6_out),
			       B(tcp_6to4_out), B(tcp_4to6_out), B(echo_6to4_out), B(echo_4to6_out)})
		EXPECT_TRUE(l4_csum_ok(b));
}

TEST(Vectors, Udp6to4)
{
	Xr r = xlat6to4(B(udp_6to4_in), tuple4(P4, 61001, S4, 53, IPPROTO_UDP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.rc, 28);
	EXPECT_EQ(r.consumed, 48u);
	EXPECT_EQ(r.l4_off, 20u);
	expect_same(r.out, B(udp_6to4_out));
}

TEST(Vectors, Udp4to6)
{
	Xr r = xlat4to6(B(udp_4to6_in), tuple6(S6, 53, H6, 5000, IPPROTO_UDP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.rc, 48);
	EXPECT_EQ(r.consumed, 28u);
	EXPECT_EQ(r.l4_off, 40u);
	expect_same(r.out, B(udp_4to6_out));
}

TEST(Vectors, Tcp6to4)
{
	Xr r = xlat6to4(B(tcp_6to4_in), tuple4(P4, 61002, S4, 80, IPPROTO_TCP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.consumed, 60u);	// options stay in the untouched rest
	expect_same(r.out, B(tcp_6to4_out));
	EXPECT_EQ(r.pkt.tcp_flags, 0x02);
}

TEST(Vectors, Tcp4to6)
{
	Xr r = xlat4to6(B(tcp_4to6_in), tuple6(S6, 80, H6, 40000, IPPROTO_TCP));
	ASSERT_GT(r.rc, 0) << r.why;
	expect_same(r.out, B(tcp_4to6_out));
	EXPECT_EQ(r.pkt.tcp_flags, 0x12);
}

TEST(Vectors, Echo6to4)
{
	Xr r = xlat6to4(B(echo_6to4_in), tuple4(P4, 0x1f40, S4, 0x1f40, IPPROTO_ICMP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.pkt.t6.sport, htons(0x0abc));
	EXPECT_EQ(r.pkt.t6.dport, htons(0x0abc));
	EXPECT_EQ(r.pkt.t6.proto, IPPROTO_ICMP);
	expect_same(r.out, B(echo_6to4_out));
}

TEST(Vectors, Echo4to6)
{
	Xr r = xlat4to6(B(echo_4to6_in), tuple6(S6, 0x0abc, H6, 0x0abc, IPPROTO_ICMP));
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.pkt.t4.sport, htons(0x1f40));
	expect_same(r.out, B(echo_4to6_out));
}

TEST(Vectors, PortUnreachable6to4)
{
	nat64_tuple4 inner = tuple4(S4, 53, P4, 61001, IPPROTO_UDP);
	Xr r = xlat6to4(B(err_port_6to4_in), tuple4(P4, 0, S4, 0, IPPROTO_ICMP), &inner);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_TRUE(r.pkt.icmp_error);
	EXPECT_EQ(r.pkt.inner_off, 48);
	EXPECT_EQ(r.pkt.inner6.sport, htons(53));
	EXPECT_EQ(r.pkt.inner6.dport, htons(5000));
	EXPECT_EQ(r.consumed, sizeof(err_port_6to4_in));
	EXPECT_EQ(hex(r.out), hex(B(err_port_6to4_out)));
	// The quoted UDP datagram is whole: its checksum must verify too.
	EXPECT_TRUE(l4_csum_ok(Bytes(r.out.begin() + 28, r.out.end())));
}

TEST(Vectors, PacketTooBig4to6)
{
	nat64_tuple6 inner = tuple6(H6, 40000, S6, 80, IPPROTO_TCP);
	Xr r = xlat4to6(B(err_ptb_4to6_in), tuple6(R6, 0, H6, 0, IPPROTO_ICMP), &inner);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.pkt.inner4.sport, htons(61002));
	EXPECT_EQ(hex(r.out), hex(B(err_ptb_4to6_out)));
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Vectors, TimeExceededQuotingEcho4to6)
{
	nat64_tuple6 inner = tuple6(H6, 0x0abc, S6, 0x0abc, IPPROTO_ICMP);
	Xr r = xlat4to6(B(err_time_4to6_in), tuple6(R6, 0, H6, 0, IPPROTO_ICMP), &inner);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.pkt.inner4.proto, IPPROTO_ICMP);
	EXPECT_EQ(hex(r.out), hex(B(err_time_4to6_out)));
	EXPECT_TRUE(l4_csum_ok(r.out));
	EXPECT_TRUE(l4_csum_ok(Bytes(r.out.begin() + 48, r.out.end())));
}

// RFC 4884 multi-part errors: the quote translated and padded again to the
// outgoing length unit, the length attribute rewritten, the extension
// (with its own checksum) carried unchanged after it.
TEST(Vectors, TimeExceededWithExtension4to6)
{
	nat64_tuple6 inner = tuple6(H6, 0x0abc, S6, 0x0abc, IPPROTO_ICMP);
	Xr r = xlat4to6(B(err_ext_4to6_in), tuple6(R6, 0, H6, 0, IPPROTO_ICMP), &inner);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(r.consumed, sizeof(err_ext_4to6_in));
	EXPECT_EQ(hex(r.out), hex(B(err_ext_4to6_out)));
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Vectors, PortUnreachableWithExtension6to4)
{
	nat64_tuple4 inner = tuple4(S4, 53, P4, 61001, IPPROTO_UDP);
	Xr r = xlat6to4(B(err_ext_6to4_in), tuple4(P4, 0, S4, 0, IPPROTO_ICMP), &inner);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(hex(r.out), hex(B(err_ext_6to4_out)));
	EXPECT_TRUE(l4_csum_ok(r.out));
}

TEST(Vectors, ExtensionThatCannotFitIsDropped6to4)
{
	nat64_tuple4 inner = tuple4(S4, 53, P4, 61001, IPPROTO_UDP);
	Xr r = xlat6to4(B(err_bigext_6to4_in), tuple4(P4, 0, S4, 0, IPPROTO_ICMP), &inner);
	ASSERT_GT(r.rc, 0) << r.why;
	EXPECT_EQ(hex(r.out), hex(B(err_bigext_6to4_out)));
	EXPECT_TRUE(l4_csum_ok(r.out));
}

}  // namespace
