/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transport tuples as RFC 6146 uses them. Addresses and ports are in network
 * byte order so that they can be copied to and from headers unchanged. For
 * ICMP query messages both ports hold the echo identifier. proto is
 * IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP in both families (ICMPv6 is
 * recorded as IPPROTO_ICMP so that one table key fits both sides).
 */
#ifndef NAT64_CORE_TUPLE_H
#define NAT64_CORE_TUPLE_H

#include "platform.h"

struct nat64_tuple6 {
	struct in6_addr src;
	struct in6_addr dst;
	__be16 sport;
	__be16 dport;
	u8 proto;
};

struct nat64_tuple4 {
	__be32 src;
	__be32 dst;
	__be16 sport;
	__be16 dport;
	u8 proto;
};

/* An RFC 6052 prefix (pool6). */
struct nat64_prefix6 {
	struct in6_addr addr;
	u8 len;
};

#endif
