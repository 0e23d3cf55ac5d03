// SPDX-License-Identifier: GPL-2.0
/*
 * What both directions decide about an incoming ICMP error before they
 * write its translation (RFC 7915 §4.2-4.3 and §5.2-5.3, RFC 4884): the
 * caller's contract, the checksum, the type mapping, the quoted packet's
 * headers and the layout of quote and extension.
 */
#include "xlat_internal.h"

/* The checksum is rebuilt from scratch, so a corrupt one must not be
 * laundered: check it over the whole message first (with the IPv6
 * pseudo-header for ICMPv6). */
static bool csum_ok(const u8 *in, const struct nat64_pkt *pkt, bool v6)
{
	u32 len = pkt->tot_len - pkt->l3_len, sum = 0;

	if (v6) {
		sum = nat64_pseudo6_len_proto(len, IPPROTO_ICMPV6);
		sum = nat64_csum_add(sum, in + 8, 32);
	}
	sum = nat64_csum_add(sum, in + pkt->l3_len, len);
	return nat64_csum_fold(sum) == 0xffff;
}

static int refuse(enum nat64_stat *why, enum nat64_stat reason)
{
	*why = reason;
	return -EINVAL;
}

/*
 * RFC 4884 length attributes, in bytes: ICMPv4 Destination Unreachable,
 * Time Exceeded and Parameter Problem (byte 5, 32-bit words); ICMPv6
 * Destination Unreachable and Time Exceeded (byte 4, 64-bit words).
 */
static u32 length_attr(const u8 *h, bool v6)
{
	if (v6)
		return h[0] == ICMPV6_DEST_UNREACH || h[0] == ICMPV6_TIME_EXCEED ?
		       h[4] * 8U : 0;
	return h[0] == ICMP_DEST_UNREACH || h[0] == ICMP_TIME_EXCEEDED ||
	       h[0] == ICMP_PARAMETERPROB ? h[5] * 4U : 0;
}

static bool has_length(u8 type, bool v6)
{
	if (v6)
		return type == ICMPV6_DEST_UNREACH || type == ICMPV6_TIME_EXCEED;
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

int nat64_err_plan(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		   bool in_v6, u32 room, struct nat64_err_plan *p,
		   enum nat64_stat *why)
{
	const u8 *h = in + pkt->l3_len;
	u32 body;
	bool ok;

	if (pkt->csum_partial || in_len < pkt->tot_len ||
	    pkt->inner_off != pkt->l3_len + ICMP_HDR_LEN ||
	    pkt->tot_len < pkt->inner_off)
		return refuse(why, NAT64_STAT_DROP_INTERNAL);
	if (pkt->ttl <= 1)
		return refuse(why, NAT64_STAT_DROP_HOP_LIMIT);
	if (!csum_ok(in, pkt, in_v6))
		return refuse(why, NAT64_STAT_DROP_CHECKSUM);
	ok = in_v6 ? nat64_icmp6_err_map(h, &p->m) : nat64_icmp4_err_map(h, &p->m);
	if (!ok)
		return refuse(why, in_v6 ? NAT64_STAT_DROP_ICMP6_TYPE :
				      NAT64_STAT_DROP_ICMP4_TYPE);
	body = pkt->tot_len - pkt->inner_off;
	if ((in_v6 ? nat64_l3_parse6 : nat64_l3_parse4)(in + pkt->inner_off, body,
							true, &p->l3, why))
		return refuse(why, NAT64_STAT_DROP_ICMP_ERROR);
	nat64_icmp_ext_plan(&p->ext, body, length_attr(h, in_v6),
			    p->l3.l3_len + 8U, has_length(p->m.type, !in_v6),
			    room, in_v6 ? 4 : 8);
	return 0;
}

u32 nat64_err_body_end(struct nat64_err_plan *p, const u8 *in,
		       const struct nat64_pkt *pkt, u8 *q, u32 n, bool out_v6)
{
	u32 word = out_v6 ? 8 : 4, words;

	if (!p->ext.ext)
		return n;
	n = nat64_icmp_ext_put(&p->ext, q, n, in + pkt->inner_off + p->ext.quote,
			       word, &words);
	/* ICMPv6: byte 4 of the header; ICMPv4: byte 5. */
	p->m.rest |= words << (out_v6 ? 24 : 16);
	return n;
}
