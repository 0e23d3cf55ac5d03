// SPDX-License-Identifier: GPL-2.0
/* ICMP policies of the stateful NAT64 (see icmp_policy.h). */
#include "icmp_policy.h"
#include "rfc6052.h"

bool nat64_icmp6_info_dropped(const struct nat64_pkt *pkt, bool drop_icmpv6_info)
{
	return drop_icmpv6_info && pkt->proto == IPPROTO_ICMPV6 &&
	       !pkt->icmp_error &&
	       (pkt->icmp_type == ICMPV6_ECHO_REQUEST ||
		pkt->icmp_type == ICMPV6_ECHO_REPLY);
}

void nat64_icmp6_err_src(const struct nat64_prefix6 *pool6, __be32 err_src4,
			 const struct nat64_tuple6 *inner, bool better,
			 struct in6_addr *src)
{
	if (better)
		nat64_rfc6052_embed(pool6, err_src4, src);
	else
		*src = inner->dst;
}
