// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 7915 §5: IPv6 -> IPv4. Non-error packets get a new IP header and an
 * incrementally updated transport header; ICMPv6 errors are rebuilt whole
 * (§5.2-5.3) with their inner packet translated too.
 */
#include "xlat_internal.h"

/* One translation: its input, settings and output buffer. */
struct ctx6 {
	const u8 *in;
	u32 in_len;
	const struct nat64_pkt *pkt;
	const struct nat64_xlat_cfg *cfg;
	u8 *out;
	u32 out_cap;
	enum nat64_stat *why;
};

static int fail(const struct ctx6 *c, enum nat64_stat reason, int err)
{
	*c->why = reason;
	return err;
}

/*
 * §5.1: DF iff the IPv4 packet exceeds 1260 bytes, unless the IPv6 one had
 * a Fragment Header (or had one before the stack reassembled it). A GSO
 * packet becomes several packets: the rule is about each.
 */
static bool sets_df(const struct nat64_pkt *pkt, const struct nat64_l3 *l3,
		    u32 tot_len, bool inner)
{
	if (l3->frag || (!inner && pkt->reassembled))
		return false;
	if (!inner && pkt->seg_len)
		tot_len = IP4_HDR_LEN + pkt->seg_len;
	return tot_len > NAT64_DF_THRESHOLD;
}

u32 nat64_xlat_6to4_df_len(const struct nat64_pkt *pkt)
{
	u32 tot4 = pkt->tot_len - pkt->l3_len + IP4_HDR_LEN;
	struct nat64_l3 l3;

	if (pkt->icmp_error || pkt->tot_len < pkt->l3_len)
		return 0;	/* errors are cut to 576 bytes */
	nat64_l3_from_pkt(pkt, &l3);
	if (!sets_df(pkt, &l3, tot4, false))
		return 0;
	return pkt->seg_len ? IP4_HDR_LEN + pkt->seg_len : tot4;
}

/*
 * Writes the 20-byte IPv4 header for the IPv6 chain l3, which becomes a
 * packet of tot_len bytes (§5.1). inner: the packet quoted by an ICMP
 * error, which keeps its hop limit (its state as it was sent) and whose
 * original Identification is unknown.
 */
static void write_ip4(const struct ctx6 *c, u8 *o, const struct nat64_l3 *l3,
		      u32 tot_len, const struct nat64_tuple4 *t, bool inner)
{
	const struct nat64_pkt *pkt = c->pkt;
	u16 frag = 0, id = 0;

	if (l3->frag) {
		/* Fragment Header: its id and offsets; DF stays clear. */
		id = (u16)l3->frag_id;
		frag = (u16)((l3->more_frags ? IP4_MF : 0) | l3->frag_off >> 3);
	} else if (sets_df(pkt, l3, tot_len, inner)) {
		frag = IP4_DF;	/* atomic datagram: the id means nothing */
	} else if (!inner) {
		id = pkt->ip4_id;
	}
	o[0] = 0x45;
	o[1] = c->cfg->override_tos ? c->cfg->tos : l3->tos;
	nat64_put16(o + 2, (u16)tot_len);
	nat64_put16(o + 4, id);
	nat64_put16(o + 6, frag);
	o[8] = inner ? l3->ttl : l3->ttl - 1;
	o[9] = l3->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : l3->proto;
	nat64_put16(o + 10, 0);
	memcpy(o + 12, &t->src, 4);
	memcpy(o + 16, &t->dst, 4);
	nat64_put16(o + 10, nat64_csum_finish(nat64_csum_add(0, o, IP4_HDR_LEN)));
}

/* The transport rewrite of h (hlen bytes) between in6 and out4 headers. */
static int rewrite_l4(const u8 *in6, const u8 *out4, u8 *h, u32 hlen,
		      const struct nat64_l3 *l3, __be16 sport, __be16 dport,
		      bool partial)
{
	struct nat64_l4_rw rw = {
		.h = h,
		.hlen = hlen,
		.addr6 = in6 + 8,
		.addr4 = out4 + 12,
		.icmp6_len = l3->tot_len - l3->l3_len,
		.sport = sport,
		.dport = dport,
		.proto = l3->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : l3->proto,
		.to6 = false,
		.partial = partial,
	};

	return nat64_l4_rewrite(&rw);
}

static int plain(const struct ctx6 *c, const struct nat64_tuple4 *outer,
		 u32 *consumed, u32 *l4_off)
{
	const struct nat64_pkt *pkt = c->pkt;
	u32 used = pkt->l3_len + pkt->l4_len, tot4;
	bool icmp = pkt->proto == IPPROTO_ICMPV6;
	struct nat64_l3 l3;

	if (c->in_len < used || pkt->tot_len < used ||
	    c->out_cap < IP4_HDR_LEN + pkt->l4_len ||
	    (icmp && pkt->csum_partial))
		return fail(c, NAT64_STAT_DROP_INTERNAL, -EINVAL);
	if (pkt->ttl <= 1)
		return fail(c, NAT64_STAT_DROP_HOP_LIMIT, -EINVAL);
	tot4 = pkt->tot_len - pkt->l3_len + IP4_HDR_LEN;
	if (tot4 > 0xffff)
		return fail(c, NAT64_STAT_DROP_TOO_BIG, -EMSGSIZE);
	nat64_l3_from_pkt(pkt, &l3);
	write_ip4(c, c->out, &l3, tot4, outer, false);
	memcpy(c->out + IP4_HDR_LEN, c->in + pkt->l3_len, pkt->l4_len);
	if (pkt->l4_len &&
	    rewrite_l4(c->in, c->out, c->out + IP4_HDR_LEN, pkt->l4_len, &l3,
		       outer->sport, outer->dport, pkt->csum_partial))
		return fail(c, NAT64_STAT_DROP_INTERNAL, -EINVAL);
	*consumed = used;
	*l4_off = IP4_HDR_LEN;
	return (int)(IP4_HDR_LEN + pkt->l4_len);
}

/* ---- ICMPv6 errors (§5.2, §5.3) ---- */

/*
 * Packet Too Big -> Fragmentation Needed (§5.2): the IPv4 packet is 20
 * bytes smaller, 28 if the quoted packet carried a Fragment Header; the
 * result is also capped by the MTU of the translator's IPv4 next hop and
 * its IPv6 next hop's MTU reduced the same way.
 */
static u32 mtu4(const struct nat64_pkt *pkt, u32 mtu6,
		const struct nat64_l3 *inner)
{
	u32 shrink = IP6_HDR_LEN - IP4_HDR_LEN + (inner->frag ? FRAG6_HDR_LEN : 0);
	u32 mtu;

	if (mtu6 <= shrink)
		return 0;
	mtu = nat64_min32(mtu6 - shrink, 0xffff);
	if (pkt->mtu_out)
		mtu = nat64_min32(mtu, pkt->mtu_out);
	if (pkt->mtu_in > shrink)
		mtu = nat64_min32(mtu, pkt->mtu_in - shrink);
	return mtu;
}

/* Inner IPv4 header and transport header at o, from the quote bytes of
 * the quoted packet; returns bytes written. */
static int inner_pkt(const struct ctx6 *c, const struct nat64_tuple4 *inner,
		     const struct nat64_l3 *l3, u32 quote, u8 *o, u32 room)
{
	const u8 *ih = c->in + c->pkt->inner_off;
	/* Not past the quoted packet's own end: RFC 4884 zero padding. */
	u32 avail = nat64_min32(quote, l3->tot_len) - l3->l3_len;
	u32 copy = nat64_min32(avail, room - IP4_HDR_LEN);
	u32 tot4 = l3->tot_len - l3->l3_len + IP4_HDR_LEN;
	bool icmp = l3->proto == IPPROTO_ICMPV6;

	if (tot4 > 0xffff || copy < 8 || l3->frag_off)
		return -EINVAL;
	write_ip4(c, o, l3, tot4, inner, true);
	memcpy(o + IP4_HDR_LEN, ih + l3->l3_len, copy);
	if (rewrite_l4(ih, o, o + IP4_HDR_LEN, copy, l3,
		       icmp ? inner->dport : inner->sport, inner->dport, false))
		return -EINVAL;
	return (int)(IP4_HDR_LEN + copy);
}

static int icmp_error(const struct ctx6 *c, const struct nat64_tuple4 *outer,
		      const struct nat64_tuple4 *inner, u32 *consumed,
		      u32 *l4_off)
{
	const struct nat64_pkt *pkt = c->pkt;
	u32 cap = nat64_min32(c->out_cap, NAT64_ICMP4_ERR_MAX);
	u8 *icmp = c->out + IP4_HDR_LEN;
	struct nat64_err_plan p;
	struct nat64_l3 l3;
	int n, err;

	if (!inner || c->out_cap < IP4_HDR_LEN + ICMP_HDR_LEN + IP4_HDR_LEN + 8)
		return fail(c, NAT64_STAT_DROP_INTERNAL, -EINVAL);
	err = nat64_err_plan(c->in, c->in_len, pkt, true,
			     cap - IP4_HDR_LEN - ICMP_HDR_LEN, &p, c->why);
	if (err)
		return err;
	n = inner_pkt(c, inner, &p.l3, p.ext.quote, icmp + ICMP_HDR_LEN, p.ext.room);
	if (n < 0)
		return fail(c, NAT64_STAT_DROP_ICMP_ERROR, -EINVAL);
	n = (int)nat64_err_body_end(&p, c->in, pkt, icmp + ICMP_HDR_LEN, (u32)n, false);
	if (p.m.type == ICMP_DEST_UNREACH && p.m.code == ICMP_FRAG_NEEDED)
		p.m.rest = mtu4(pkt, nat64_get32(c->in + pkt->l3_len + 4), &p.l3);
	n += ICMP_HDR_LEN;
	icmp[0] = p.m.type;
	icmp[1] = p.m.code;
	nat64_put16(icmp + ICMP_CSUM_OFF, 0);
	nat64_put32(icmp + 4, p.m.rest);
	nat64_put16(icmp + ICMP_CSUM_OFF,
		    nat64_csum_finish(nat64_csum_add(0, icmp, (u32)n)));
	nat64_l3_from_pkt(pkt, &l3);
	write_ip4(c, c->out, &l3, IP4_HDR_LEN + (u32)n, outer, false);
	*consumed = pkt->tot_len;
	*l4_off = IP4_HDR_LEN;
	return IP4_HDR_LEN + n;
}

int nat64_xlat_6to4(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		    const struct nat64_tuple4 *outer,
		    const struct nat64_tuple4 *inner,
		    const struct nat64_xlat_cfg *cfg,
		    u8 *out, u32 out_cap, u32 *consumed, u32 *l4_off,
		    enum nat64_stat *why)
{
	const struct ctx6 c = {
		.in = in, .in_len = in_len, .pkt = pkt, .cfg = cfg,
		.out = out, .out_cap = out_cap, .why = why,
	};

	if (pkt->icmp_error)
		return icmp_error(&c, outer, inner, consumed, l4_off);
	return plain(&c, outer, consumed, l4_off);
}
