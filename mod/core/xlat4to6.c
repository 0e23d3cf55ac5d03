// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 7915 §4: IPv4 -> IPv6. Non-error packets get a new IP header (plus a
 * Fragment Header when the IPv4 packet is a fragment) and an incrementally
 * updated transport header; ICMPv4 errors are rebuilt whole (§4.2-4.3)
 * with their inner packet translated too.
 */
#include "xlat_internal.h"

/* One translation: its input, settings and output buffer. */
struct ctx4 {
	const u8 *in;
	u32 in_len;
	const struct nat64_pkt *pkt;
	const struct nat64_xlat_cfg *cfg;
	u8 *out;
	u32 out_cap;
	enum nat64_stat *why;
};

static int fail(const struct ctx4 *c, enum nat64_stat reason, int err)
{
	*c->why = reason;
	return err;
}

static u8 proto6(u8 proto)
{
	return proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : proto;
}

/* IPv6 header, and Fragment Header only for IPv4 fragments (§4.1). */
static u32 hdr6_len(const struct nat64_l3 *l3)
{
	return IP6_HDR_LEN + (l3->frag ? FRAG6_HDR_LEN : 0);
}

/* The 16-bit IPv4 id goes in the low half of the 32-bit one (§4.1). */
static void write_frag6(u8 *f, const struct nat64_l3 *l3)
{
	f[0] = proto6(l3->proto);
	f[1] = 0;
	nat64_put16(f + 2, (u16)(l3->frag_off | (l3->more_frags ? IP6_MF : 0)));
	nat64_put32(f + 4, l3->frag_id & 0xffff);
}

/*
 * Writes hdr6_len(l3) bytes for the IPv4 header l3 with payload_len bytes
 * after the IPv6 header (§4.1). inner: the packet quoted by an ICMP error,
 * which keeps its TTL (its state as it was sent).
 */
static void write_ip6(const struct ctx4 *c, u8 *o, const struct nat64_l3 *l3,
		      u32 payload_len, const struct nat64_tuple6 *t, bool inner)
{
	u8 tc = c->cfg->zeroize_traffic_class ? 0 : l3->tos;

	o[0] = (u8)(0x60 | tc >> 4);
	o[1] = (u8)(tc << 4);	/* flow label: 0 */
	o[2] = 0;
	o[3] = 0;
	nat64_put16(o + 4, (u16)payload_len);
	o[6] = l3->frag ? IPPROTO_FRAGMENT : proto6(l3->proto);
	o[7] = inner ? l3->ttl : l3->ttl - 1;
	memcpy(o + 8, &t->src, 16);
	memcpy(o + 24, &t->dst, 16);
	if (l3->frag)
		write_frag6(o + IP6_HDR_LEN, l3);
}

static u32 payload6(const struct nat64_l3 *l3)
{
	return l3->tot_len - l3->l3_len + (l3->frag ? FRAG6_HDR_LEN : 0);
}

/* The transport rewrite of h (hlen bytes) between in4 and out6 headers. */
static int rewrite_l4(const u8 *in4, const u8 *out6, u8 *h, u32 hlen,
		      const struct nat64_l3 *l3, __be16 sport, __be16 dport,
		      bool partial)
{
	struct nat64_l4_rw rw = {
		.h = h,
		.hlen = hlen,
		.addr6 = out6 + 8,
		.addr4 = in4 + 12,
		.icmp6_len = l3->tot_len - l3->l3_len,
		.sport = sport,
		.dport = dport,
		.proto = l3->proto,
		.to6 = true,
		.partial = partial,
	};

	return nat64_l4_rewrite(&rw);
}

/*
 * IPv4 UDP without checksum (RFC 7915 §4.5): IPv6 needs one, and it covers
 * the payload, which is not here. Leave the pseudo-header sum, as
 * CHECKSUM_PARTIAL would, for the caller to complete.
 */
static void udp_zero_csum(u8 *out6, u8 *udp)
{
	u32 sum = nat64_pseudo6_len_proto(nat64_get16(udp + 4), IPPROTO_UDP);

	sum = nat64_csum_add(sum, out6 + 8, 32);
	nat64_put16(udp + UDP_CSUM_OFF, nat64_csum_fold(sum));
}

static int plain(const struct ctx4 *c, const struct nat64_tuple6 *outer,
		 u32 *consumed, u32 *l4_off)
{
	const struct nat64_pkt *pkt = c->pkt;
	u32 used = pkt->l3_len + pkt->l4_len, hdr;
	bool icmp = pkt->proto == IPPROTO_ICMP;
	struct nat64_l3 l3;

	nat64_l3_from_pkt(pkt, &l3);
	hdr = hdr6_len(&l3);
	if (c->in_len < used || pkt->tot_len < used ||
	    c->out_cap < hdr + pkt->l4_len || (icmp && pkt->csum_partial))
		return fail(c, NAT64_STAT_DROP_INTERNAL, -EINVAL);
	if (pkt->ttl <= 1)
		return fail(c, NAT64_STAT_DROP_HOP_LIMIT, -EINVAL);
	if (pkt->src_route)
		return fail(c, NAT64_STAT_DROP_SRC_ROUTE, -EINVAL);
	if (pkt->udp_csum_zero && pkt->frag)
		return fail(c, NAT64_STAT_DROP_UDP_ZERO_CSUM_FRAG, -EINVAL);
	write_ip6(c, c->out, &l3, payload6(&l3), outer, false);
	memcpy(c->out + hdr, c->in + pkt->l3_len, pkt->l4_len);
	if (pkt->l4_len &&
	    rewrite_l4(c->in, c->out, c->out + hdr, pkt->l4_len, &l3,
		       icmp ? outer->dport : outer->sport, outer->dport,
		       pkt->csum_partial))
		return fail(c, NAT64_STAT_DROP_INTERNAL, -EINVAL);
	if (pkt->udp_csum_zero && pkt->l4_len)
		udp_zero_csum(c->out, c->out + hdr);
	*consumed = used;
	*l4_off = hdr;
	return (int)(hdr + pkt->l4_len);
}

/* ---- ICMPv4 errors (§4.2, §4.3) ---- */

/*
 * Fragmentation Needed -> Packet Too Big (§4.2): the minimum of the MTU
 * field plus 20 for the IPv6 header, the MTU of the translator's IPv6 next
 * hop and its IPv4 next hop's MTU plus 20; never below the IPv6 minimum
 * MTU. A router that sent MTU 0 predates RFC 1191: guess with its
 * plateaus, the greatest one below the quoted packet's length.
 */
static u32 mtu6(const struct nat64_xlat_cfg *cfg, const struct nat64_pkt *pkt,
		u32 mtu, u32 quoted_len)
{
	const u32 grow = IP6_HDR_LEN - IP4_HDR_LEN;
	unsigned int i;

	for (i = 0; !mtu && i < cfg->plateau_count; i++)
		if (cfg->plateaus[i] < quoted_len)
			mtu = cfg->plateaus[i];
	mtu += grow;
	if (pkt->mtu_out)
		mtu = nat64_min32(mtu, pkt->mtu_out);
	if (pkt->mtu_in)
		mtu = nat64_min32(mtu, pkt->mtu_in + grow);
	return mtu < NAT64_IPV6_MIN_MTU ? NAT64_IPV6_MIN_MTU : mtu;
}

/* Inner IPv6 header(s) and transport header at o, from the quote bytes
 * of the quoted packet; returns bytes written. */
static int inner_pkt(const struct ctx4 *c, const struct nat64_tuple6 *inner,
		     const struct nat64_l3 *l3, u32 quote, u8 *o, u32 room)
{
	const u8 *ih = c->in + c->pkt->inner_off;
	/* Not past the quoted packet's own end: RFC 4884 zero padding. */
	u32 avail = nat64_min32(quote, l3->tot_len) - l3->l3_len;
	u32 hdr = hdr6_len(l3), copy;

	if (room < hdr + 8 || l3->frag_off)
		return -EINVAL;
	copy = nat64_min32(avail, room - hdr);
	if (copy < 8)
		return -EINVAL;
	write_ip6(c, o, l3, payload6(l3), inner, true);
	memcpy(o + hdr, ih + l3->l3_len, copy);
	if (rewrite_l4(ih, o, o + hdr, copy, l3, inner->sport, inner->dport,
		       false))
		return -EINVAL;
	return (int)(hdr + copy);
}

/* Contract of this direction: an ICMPv4 error is never a fragment (the
 * parser refuses those) and its translation needs room for an IPv6 quote
 * with a Fragment Header. */
static int check_error(const struct ctx4 *c, const struct nat64_tuple6 *inner)
{
	if (!inner || c->pkt->frag ||
	    c->out_cap < IP6_HDR_LEN + ICMP_HDR_LEN + IP6_HDR_LEN +
			 FRAG6_HDR_LEN + 8)
		return fail(c, NAT64_STAT_DROP_INTERNAL, -EINVAL);
	return 0;
}

/* ICMPv6 header at h for n message bytes, checksummed with out's addresses. */
static void write_icmp6(u8 *out, u8 *h, const struct nat64_icmp_map *m,
			u32 n)
{
	u32 sum;

	h[0] = m->type;
	h[1] = m->code;
	nat64_put16(h + ICMP_CSUM_OFF, 0);
	nat64_put32(h + 4, m->rest);
	sum = nat64_pseudo6_len_proto(n, IPPROTO_ICMPV6);
	sum = nat64_csum_add(sum, out + 8, 32);
	sum = nat64_csum_add(sum, h, n);
	nat64_put16(h + ICMP_CSUM_OFF, nat64_csum_finish(sum));
}

static int icmp_error(const struct ctx4 *c, const struct nat64_tuple6 *outer,
		      const struct nat64_tuple6 *inner, u32 *consumed,
		      u32 *l4_off)
{
	const struct nat64_pkt *pkt = c->pkt;
	u32 cap = nat64_min32(c->out_cap, NAT64_XLAT_OUT_MAX);
	u8 *icmp = c->out + IP6_HDR_LEN;
	struct nat64_err_plan p;
	struct nat64_l3 l3;
	int n, err = check_error(c, inner);

	if (!err)
		err = nat64_err_plan(c->in, c->in_len, pkt, false,
				     cap - IP6_HDR_LEN - ICMP_HDR_LEN, &p, c->why);
	if (err)
		return err;
	if (pkt->src_route)
		return fail(c, NAT64_STAT_DROP_SRC_ROUTE, -EINVAL);
	n = inner_pkt(c, inner, &p.l3, p.ext.quote, icmp + ICMP_HDR_LEN, p.ext.room);
	if (n < 0)
		return fail(c, NAT64_STAT_DROP_ICMP_ERROR, -EINVAL);
	n = (int)nat64_err_body_end(&p, c->in, pkt, icmp + ICMP_HDR_LEN, (u32)n, true);
	if (p.m.type == ICMPV6_PKT_TOOBIG)
		p.m.rest = mtu6(c->cfg, pkt, nat64_get16(c->in + pkt->l3_len + 6),
				p.l3.tot_len);
	n += ICMP_HDR_LEN;
	nat64_l3_from_pkt(pkt, &l3);
	write_ip6(c, c->out, &l3, (u32)n, outer, false);
	write_icmp6(c->out, icmp, &p.m, (u32)n);
	*consumed = pkt->tot_len;
	*l4_off = IP6_HDR_LEN;
	return IP6_HDR_LEN + n;
}

int nat64_xlat_4to6(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		    const struct nat64_tuple6 *outer,
		    const struct nat64_tuple6 *inner,
		    const struct nat64_xlat_cfg *cfg,
		    u8 *out, u32 out_cap, u32 *consumed, u32 *l4_off,
		    enum nat64_stat *why)
{
	const struct ctx4 c = {
		.in = in, .in_len = in_len, .pkt = pkt, .cfg = cfg,
		.out = out, .out_cap = out_cap, .why = why,
	};

	if (pkt->icmp_error)
		return icmp_error(&c, outer, inner, consumed, l4_off);
	return plain(&c, outer, consumed, l4_off);
}
