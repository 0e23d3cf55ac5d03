// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of incoming headers (see nat64_parse6() in xlat.h for what is
 * dropped and why). Every read is bounded by the linear length and by the
 * length the IP header claims, whichever is smaller: the packet is hostile.
 */
#include "xlat_internal.h"

/* Bound on the IPv6 extension chain: keeps l3_len small and loops short. */
#define MAX_EXTHDRS	8

static int drop(enum nat64_stat *why, enum nat64_stat reason)
{
	*why = reason;
	return -EINVAL;
}

static bool is_exthdr6(u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS;
}

/* RFC 8200 §4.5 Fragment Header at d + off. */
static int frag6(const u8 *d, u32 lim, u32 off, struct nat64_l3 *l3,
		 enum nat64_stat *why)
{
	u16 fo;

	if (l3->frag)
		return drop(why, NAT64_STAT_DROP_BAD_EXTHDR);
	if (off + FRAG6_HDR_LEN > lim)
		return drop(why, NAT64_STAT_DROP_TRUNCATED6);
	fo = nat64_get16(d + off + 2);
	l3->frag = true;
	l3->frag_off = fo & IP6_OFFMASK;
	l3->more_frags = fo & IP6_MF;
	l3->frag_id = nat64_get32(d + off + 4);
	return 0;
}

/*
 * Hop-by-hop, Routing and Destination Options headers are skipped (RFC 7915
 * §5.1); a Routing header still in use cannot be honoured in IPv4.
 */
static int opts6(const u8 *d, u32 lim, u32 off, u8 nh, bool inner,
		 struct nat64_l3 *l3, u32 *hlen, enum nat64_stat *why)
{
	if (off + 8 > lim)
		return drop(why, NAT64_STAT_DROP_TRUNCATED6);
	*hlen = (d[off + 1] + 1U) * 8;
	if (off + *hlen > lim)
		return drop(why, NAT64_STAT_DROP_TRUNCATED6);
	if (nh == IPPROTO_ROUTING && d[off + 3] && !inner) {
		l3->segments_left_off = (u16)(off + 3);
		return drop(why, NAT64_STAT_DROP_BAD_EXTHDR);
	}
	return 0;
}

static int walk6(const u8 *d, u32 lim, bool inner, struct nat64_l3 *l3,
		 enum nat64_stat *why)
{
	u32 off = IP6_HDR_LEN, hlen;
	unsigned int n;
	u8 nh = d[6];
	int err;

	for (n = 0; is_exthdr6(nh); n++) {
		if (n == MAX_EXTHDRS || (nh == IPPROTO_HOPOPTS && n))
			return drop(why, NAT64_STAT_DROP_BAD_EXTHDR);
		/* A header after a real Fragment Header is in the fragmentable
		 * part: dropping it would shift the other fragments, and in a
		 * later fragment it is not even here. */
		if (l3->frag && (l3->more_frags || l3->frag_off))
			return drop(why, NAT64_STAT_DROP_FRAGMENT);
		if (nh == IPPROTO_FRAGMENT) {
			err = frag6(d, lim, off, l3, why);
			hlen = FRAG6_HDR_LEN;
		} else {
			err = opts6(d, lim, off, nh, inner, l3, &hlen, why);
		}
		if (err)
			return err;
		nh = d[off];
		off += hlen;
	}
	l3->proto = nh;
	l3->l3_len = (u16)off;
	return 0;
}

int nat64_l3_parse6(const u8 *d, u32 len, bool inner, struct nat64_l3 *l3,
		    enum nat64_stat *why)
{
	memset(l3, 0, sizeof(*l3));
	if (len < IP6_HDR_LEN || (d[0] >> 4) != 6)
		return drop(why, NAT64_STAT_DROP_TRUNCATED6);
	l3->tot_len = IP6_HDR_LEN + nat64_get16(d + 4);
	l3->tos = (u8)(nat64_get16(d) >> 4);
	l3->ttl = d[7];
	return walk6(d, nat64_min32(len, l3->tot_len), inner, l3, why);
}

/*
 * RFC 791 options are dropped by the translation (RFC 7915 §4.1), but an
 * unexpired source route must not be: *src_route tells the caller, which
 * refuses the packet with ICMPv4 Source Route Failed.
 */
static int options4(const u8 *d, u32 ihl, bool *src_route,
		    enum nat64_stat *why)
{
	u32 i = IP4_HDR_LEN, olen;

	while (i < ihl) {
		if (d[i] == IPOPT_END)
			break;
		if (d[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 2 > ihl)
			return drop(why, NAT64_STAT_DROP_TRUNCATED4);
		olen = d[i + 1];
		if (olen < 2 || i + olen > ihl)
			return drop(why, NAT64_STAT_DROP_TRUNCATED4);
		/* The pointer is 1-based; past the option = route used up. */
		if ((d[i] == IPOPT_LSRR || d[i] == IPOPT_SSRR) && olen >= 3 &&
		    d[i + 2] <= olen)
			*src_route = true;
		i += olen;
	}
	return 0;
}

int nat64_l3_parse4(const u8 *d, u32 len, bool inner, struct nat64_l3 *l3,
		    enum nat64_stat *why)
{
	u32 ihl;
	u16 fo;

	memset(l3, 0, sizeof(*l3));
	if (len < IP4_HDR_LEN || (d[0] >> 4) != 4)
		return drop(why, NAT64_STAT_DROP_TRUNCATED4);
	ihl = (d[0] & 0xfU) * 4;
	l3->tot_len = nat64_get16(d + 2);
	if (ihl < IP4_HDR_LEN || ihl > len || l3->tot_len < ihl)
		return drop(why, NAT64_STAT_DROP_TRUNCATED4);
	if (!inner && ihl > IP4_HDR_LEN && options4(d, ihl, &l3->src_route, why))
		return -EINVAL;
	l3->l3_len = (u16)ihl;
	l3->tos = d[1];
	l3->ttl = d[8];
	l3->proto = d[9];
	fo = nat64_get16(d + 6);
	l3->df = fo & IP4_DF;
	l3->more_frags = fo & IP4_MF;
	l3->frag_off = (u16)((fo & IP4_OFFMASK) << 3);
	l3->frag = l3->more_frags || l3->frag_off;
	l3->frag_id = nat64_get16(d + 4);
	return 0;
}

/* ---- ICMP error type/code mappings (RFC 7915 §5.2 and §4.2) ---- */

static bool unreach6_code(u8 code, u8 *out)
{
	switch (code) {
	case ICMPV6_NOROUTE:
	case ICMPV6_NOT_NEIGHBOUR:	/* beyond scope of source address */
	case ICMPV6_ADDR_UNREACH:
		*out = ICMP_HOST_UNREACH;
		return true;
	case ICMPV6_ADM_PROHIBITED:
		*out = ICMP_HOST_ANO;
		return true;
	case ICMPV6_PORT_UNREACH:
		*out = ICMP_PORT_UNREACH;
		return true;
	}
	return false;
}

/* RFC 7915 Figure 6: IPv6 header offsets to IPv4 header offsets. */
static bool pointer6to4(u32 ptr, u32 *out)
{
	if (ptr <= 1)
		*out = ptr;
	else if (ptr == 4 || ptr == 5)
		*out = 2;
	else if (ptr == 6)
		*out = 9;
	else if (ptr == 7)
		*out = 8;
	else if (ptr >= 8 && ptr <= 23)
		*out = 12;
	else if (ptr >= 24 && ptr <= 39)
		*out = 16;
	else
		return false;
	return true;
}

static bool paramprob6(const u8 *h, struct nat64_icmp_map *m)
{
	u32 ptr;

	if (h[1] == ICMPV6_UNK_NEXTHDR) {
		m->type = ICMP_DEST_UNREACH;
		m->code = ICMP_PROT_UNREACH;
		return true;
	}
	if (h[1] != ICMPV6_HDR_FIELD || !pointer6to4(nat64_get32(h + 4), &ptr))
		return false;
	m->type = ICMP_PARAMETERPROB;
	m->code = 0;
	m->rest = ptr << 24;	/* ICMPv4 pointer: first byte after checksum */
	return true;
}

bool nat64_icmp6_err_map(const u8 *h, struct nat64_icmp_map *m)
{
	m->rest = 0;
	m->code = h[1];
	switch (h[0]) {
	case ICMPV6_DEST_UNREACH:
		m->type = ICMP_DEST_UNREACH;
		return unreach6_code(h[1], &m->code);
	case ICMPV6_PKT_TOOBIG:
		m->type = ICMP_DEST_UNREACH;
		m->code = ICMP_FRAG_NEEDED;
		return true;
	case ICMPV6_TIME_EXCEED:
		m->type = ICMP_TIME_EXCEEDED;
		return true;
	case ICMPV6_PARAMPROB:
		return paramprob6(h, m);
	}
	return false;
}

static bool unreach4(u8 code, struct nat64_icmp_map *m)
{
	m->type = ICMPV6_DEST_UNREACH;
	switch (code) {
	case ICMP_NET_UNREACH: case ICMP_HOST_UNREACH: case ICMP_SR_FAILED:
	case ICMP_NET_UNKNOWN: case ICMP_HOST_UNKNOWN: case ICMP_HOST_ISOLATED:
	case ICMP_NET_UNR_TOS: case ICMP_HOST_UNR_TOS:
		m->code = ICMPV6_NOROUTE;
		return true;
	case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED:
	case ICMP_PREC_CUTOFF:
		m->code = ICMPV6_ADM_PROHIBITED;
		return true;
	case ICMP_PORT_UNREACH:
		m->code = ICMPV6_PORT_UNREACH;
		return true;
	case ICMP_PROT_UNREACH:
		m->type = ICMPV6_PARAMPROB;
		m->code = ICMPV6_UNK_NEXTHDR;
		m->rest = 6;	/* offset of Next Header */
		return true;
	case ICMP_FRAG_NEEDED:
		m->type = ICMPV6_PKT_TOOBIG;
		m->code = 0;
		return true;
	}
	return false;	/* 14 (host precedence violation) and unknown codes */
}

/* RFC 7915 Figure 3: IPv4 header offsets to IPv6 header offsets. */
static bool pointer4to6(u8 ptr, u32 *out)
{
	if (ptr <= 1)
		*out = ptr;
	else if (ptr == 2 || ptr == 3)
		*out = 4;
	else if (ptr == 8)
		*out = 7;
	else if (ptr == 9)
		*out = 6;
	else if (ptr >= 12 && ptr <= 15)
		*out = 8;
	else if (ptr >= 16 && ptr <= 19)
		*out = 24;
	else
		return false;
	return true;
}

bool nat64_icmp4_err_map(const u8 *h, struct nat64_icmp_map *m)
{
	m->rest = 0;
	m->code = h[1];
	switch (h[0]) {
	case ICMP_DEST_UNREACH:
		return unreach4(h[1], m);
	case ICMP_TIME_EXCEEDED:
		m->type = ICMPV6_TIME_EXCEED;
		return true;
	case ICMP_PARAMETERPROB:
		/* 0: pointer indicates the error; 2: bad length. */
		if (h[1] != 0 && h[1] != 2)
			return false;
		m->type = ICMPV6_PARAMPROB;
		m->code = ICMPV6_HDR_FIELD;
		return pointer4to6(h[4], &m->rest);
	}
	return false;
}

/* ---- Transport headers ---- */

/* Where the parsed ports go: the outer or the inner tuple. */
struct ports {
	__be16 *src;
	__be16 *dst;
};

static void set_ports(const u8 *l4, struct ports p)
{
	memcpy(p.src, l4, 2);
	memcpy(p.dst, l4 + 2, 2);
}

/* ICMP queries use the identifier as both ports (tuple.h). */
static void set_echo_id(const u8 *l4, struct ports p)
{
	memcpy(p.src, l4 + 4, 2);
	memcpy(p.dst, l4 + 4, 2);
}

static bool is_echo6(u8 type)
{
	return type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY;
}

static bool is_echo4(u8 type)
{
	return type == ICMP_ECHO || type == ICMP_ECHOREPLY;
}

/*
 * The transport header of an ICMP error's inner packet: 8 bytes are enough
 * for the ports or the echo identifier, and quoted packets are cut anyway.
 */
static int inner_l4(const u8 *l4, u32 avail, u8 proto, bool v6,
		    struct ports p)
{
	if (avail < 8)
		return -EINVAL;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		set_ports(l4, p);
		return 0;
	}
	if ((v6 && proto == IPPROTO_ICMPV6 && is_echo6(l4[0])) ||
	    (!v6 && proto == IPPROTO_ICMP && is_echo4(l4[0]))) {
		set_echo_id(l4, p);
		return 0;
	}
	return -EINVAL;	/* errors about errors, unknown protocols */
}

/* Transport bytes of a quoted packet: present, and claimed by its header. */
static u32 inner_room(u32 avail, const struct nat64_l3 *l3)
{
	return nat64_min32(avail, l3->tot_len) - l3->l3_len;
}

static u8 tuple_proto(u8 proto)
{
	return proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : proto;
}

static int inner6(const u8 *d, u32 lim, struct nat64_pkt *pkt,
		  enum nat64_stat *why)
{
	struct ports p = { &pkt->inner6.sport, &pkt->inner6.dport };
	u32 ioff = pkt->l3_len + ICMP_HDR_LEN;
	struct nat64_l3 l3;
	const u8 *ih = d + ioff;

	if (nat64_l3_parse6(ih, lim - ioff, true, &l3, why) || l3.frag_off ||
	    inner_l4(ih + l3.l3_len, inner_room(lim - ioff, &l3), l3.proto, true, p))
		return drop(why, NAT64_STAT_DROP_ICMP_ERROR);
	memcpy(&pkt->inner6.src, ih + 8, 16);
	memcpy(&pkt->inner6.dst, ih + 24, 16);
	pkt->inner6.proto = tuple_proto(l3.proto);
	pkt->inner_off = (u16)ioff;
	return 0;
}

static int inner4(const u8 *d, u32 lim, struct nat64_pkt *pkt,
		  enum nat64_stat *why)
{
	struct ports p = { &pkt->inner4.sport, &pkt->inner4.dport };
	u32 ioff = pkt->l3_len + ICMP_HDR_LEN;
	struct nat64_l3 l3;
	const u8 *ih = d + ioff;

	if (nat64_l3_parse4(ih, lim - ioff, true, &l3, why) || l3.frag_off ||
	    inner_l4(ih + l3.l3_len, inner_room(lim - ioff, &l3), l3.proto, false, p))
		return drop(why, NAT64_STAT_DROP_ICMP_ERROR);
	memcpy(&pkt->inner4.src, ih + 12, 4);
	memcpy(&pkt->inner4.dst, ih + 16, 4);
	pkt->inner4.proto = l3.proto;
	pkt->inner_off = (u16)ioff;
	return 0;
}

static int icmp6(const u8 *d, u32 lim, struct nat64_pkt *pkt, struct ports p,
		 enum nat64_stat *why)
{
	const u8 *h = d + pkt->l3_len;
	struct nat64_icmp_map m;

	pkt->icmp_type = h[0];
	pkt->icmp_code = h[1];
	if (is_echo6(h[0])) {
		set_echo_id(h, p);
		return 0;
	}
	if (!nat64_icmp6_err_map(h, &m))
		return drop(why, NAT64_STAT_DROP_ICMP6_TYPE);
	pkt->icmp_error = true;
	return inner6(d, lim, pkt, why);
}

static int icmp4(const u8 *d, u32 lim, struct nat64_pkt *pkt, struct ports p,
		 enum nat64_stat *why)
{
	const u8 *h = d + pkt->l3_len;
	struct nat64_icmp_map m;

	pkt->icmp_type = h[0];
	pkt->icmp_code = h[1];
	if (is_echo4(h[0])) {
		set_echo_id(h, p);
		return 0;
	}
	if (!nat64_icmp4_err_map(h, &m))
		return drop(why, NAT64_STAT_DROP_ICMP4_TYPE);
	pkt->icmp_error = true;
	return inner4(d, lim, pkt, why);
}

static int tcp(const u8 *l4, u32 room, struct nat64_pkt *pkt, struct ports p,
	       enum nat64_stat *why)
{
	u32 doff = (l4[12] >> 4) * 4U;

	/* Options may not be cut by the end of the (first) fragment. */
	if (doff < TCP_HDR_LEN || doff > room)
		return drop(why, NAT64_STAT_DROP_L4_TRUNCATED);
	set_ports(l4, p);
	pkt->tcp_flags = l4[13];
	pkt->l4_len = TCP_HDR_LEN;
	return 0;
}

static int udp(const u8 *l4, u32 room, bool v6, struct nat64_pkt *pkt,
	       struct ports p, enum nat64_stat *why)
{
	bool whole = !pkt->more_frags && !pkt->frag_off;
	u16 ulen = nat64_get16(l4 + 4);

	if (whole && (ulen < UDP_HDR_LEN || ulen > room))
		return drop(why, NAT64_STAT_DROP_L4_TRUNCATED);
	if (!nat64_get16(l4 + UDP_CSUM_OFF)) {
		/* Mandatory in IPv6 (RFC 8200 §8.1): never valid there. */
		if (v6)
			return drop(why, NAT64_STAT_DROP_CHECKSUM);
		/* RFC 6146 §3.4: cannot be computed without reassembly. */
		if (!whole)
			return drop(why, NAT64_STAT_DROP_UDP_ZERO_CSUM_FRAG);
		pkt->udp_csum_zero = true;
	}
	set_ports(l4, p);
	pkt->l4_len = UDP_HDR_LEN;
	return 0;
}

/*
 * The transport header of the outer packet. lim: readable bytes. Non-first
 * fragments have none (ports stay 0). ICMP fragments are refused: the
 * ICMPv6 checksum covers the length of the whole reassembled message,
 * which a fragment does not tell.
 */
static int parse_l4(const u8 *d, u32 lim, bool v6, struct nat64_pkt *pkt,
		    struct ports p, enum nat64_stat *why)
{
	u32 off = pkt->l3_len, room = pkt->tot_len - off;
	bool icmp = pkt->proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	u32 need = pkt->proto == IPPROTO_TCP ? TCP_HDR_LEN : 8;

	if (icmp && (pkt->more_frags || pkt->frag_off))
		return drop(why, NAT64_STAT_DROP_FRAGMENT);
	if (pkt->frag_off)
		return 0;
	if (off + need > lim || need > room)
		return drop(why, NAT64_STAT_DROP_L4_TRUNCATED);
	if (pkt->proto == IPPROTO_TCP)
		return tcp(d + off, room, pkt, p, why);
	if (pkt->proto == IPPROTO_UDP)
		return udp(d + off, room, v6, pkt, p, why);
	pkt->l4_len = ICMP_HDR_LEN;
	return v6 ? icmp6(d, lim, pkt, p, why) : icmp4(d, lim, pkt, p, why);
}

static void pkt_from_l3(struct nat64_pkt *pkt, const struct nat64_l3 *l3)
{
	pkt->tot_len = l3->tot_len;
	pkt->l3_len = l3->l3_len;
	pkt->proto = l3->proto;
	pkt->ttl = l3->ttl;
	pkt->tos = l3->tos;
	pkt->frag = l3->frag;
	pkt->more_frags = l3->more_frags;
	pkt->df = l3->df;
	pkt->src_route = l3->src_route;
	pkt->frag_off = l3->frag_off;
	pkt->frag_id = l3->frag_id;
}

int nat64_parse6(const u8 *data, u32 len, struct nat64_pkt *pkt,
		 enum nat64_stat *why)
{
	struct ports p = { &pkt->t6.sport, &pkt->t6.dport };
	struct nat64_l3 l3;

	memset(pkt, 0, sizeof(*pkt));
	if (nat64_l3_parse6(data, len, false, &l3, why)) {
		pkt->segments_left_off = l3.segments_left_off;
		return -EINVAL;
	}
	pkt_from_l3(pkt, &l3);
	if (l3.proto != IPPROTO_TCP && l3.proto != IPPROTO_UDP &&
	    l3.proto != IPPROTO_ICMPV6)
		return drop(why, NAT64_STAT_DROP_UNKNOWN_PROTO);
	memcpy(&pkt->t6.src, data + 8, 16);
	memcpy(&pkt->t6.dst, data + 24, 16);
	pkt->t6.proto = tuple_proto(l3.proto);
	return parse_l4(data, nat64_min32(len, l3.tot_len), true, pkt, p, why);
}

int nat64_parse4(const u8 *data, u32 len, struct nat64_pkt *pkt,
		 enum nat64_stat *why)
{
	struct ports p = { &pkt->t4.sport, &pkt->t4.dport };
	struct nat64_l3 l3;

	memset(pkt, 0, sizeof(*pkt));
	if (nat64_l3_parse4(data, len, false, &l3, why))
		return -EINVAL;
	pkt_from_l3(pkt, &l3);
	if (l3.proto != IPPROTO_TCP && l3.proto != IPPROTO_UDP &&
	    l3.proto != IPPROTO_ICMP)
		return drop(why, NAT64_STAT_DROP_UNKNOWN_PROTO);
	memcpy(&pkt->t4.src, data + 12, 4);
	memcpy(&pkt->t4.dst, data + 16, 4);
	pkt->t4.proto = l3.proto;
	return parse_l4(data, nat64_min32(len, l3.tot_len), false, pkt, p, why);
}
