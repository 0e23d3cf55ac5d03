/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two ICMP policies of a stateful NAT64 that are globals (Jool's names),
 * decided in the core so that they are unit-tested with the parser.
 */
#ifndef NAT64_CORE_ICMP_POLICY_H
#define NAT64_CORE_ICMP_POLICY_H

#include "xlat.h"

/*
 * drop-icmpv6-info (RFC 6146 §3.5.3 lets a NAT64 filter ICMPv6
 * informational messages): true if the parsed IPv6 packet must be dropped
 * (DROP_ICMP6_INFO) before any state is created. Every informational type
 * other than Echo Request / Echo Reply is refused by the parser anyway
 * (DROP_ICMP6_TYPE, no ICMPv4 equivalent), so, as in Jool, the option
 * drops IPv6 echo requests and replies; errors are never affected, nor is
 * anything travelling 4->6.
 */
bool nat64_icmp6_info_dropped(const struct nat64_pkt *pkt, bool drop_icmpv6_info);

/*
 * The source of an ICMPv6 error translated from an ICMPv4 error (4->6).
 * better (source-icmpv6-errors-better, default on, as in Jool): the IPv4
 * source of the error (the router that sent it) embedded in pool6, so that
 * traceroute shows every hop. Off: RFC 6146 §3.5.x's literal rule, the
 * translated destination of the inner packet (inner->dst), i.e. the
 * address the IPv6 host was talking to.
 */
void nat64_icmp6_err_src(const struct nat64_prefix6 *pool6, __be32 err_src4,
			 const struct nat64_tuple6 *inner, bool better,
			 struct in6_addr *src);

#endif
