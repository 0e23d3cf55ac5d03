/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private helpers shared by parse.c, xlat6to4.c and xlat4to6.c: byte-order
 * accessors that work on unaligned bytes, the header-chain parsers that the
 * translators reuse for the inner packet of ICMP errors, and the RFC 7915
 * ICMP type/code mappings.
 */
#ifndef NAT64_CORE_XLAT_INTERNAL_H
#define NAT64_CORE_XLAT_INTERNAL_H

#include "xlat.h"
#include "checksum.h"

#define IP4_HDR_LEN	20U
#define IP6_HDR_LEN	40U
#define FRAG6_HDR_LEN	8U
#define ICMP_HDR_LEN	8U
#define UDP_HDR_LEN	8U
#define TCP_HDR_LEN	20U
#define TCP_CSUM_OFF	16U
#define UDP_CSUM_OFF	6U
#define ICMP_CSUM_OFF	2U

/* RFC 7915 §5.1: DF is set iff the translated packet exceeds this. */
#define NAT64_DF_THRESHOLD	1260U
/* RFC 1812 §4.3.2.3: ICMPv4 errors stay within 576 bytes. */
#define NAT64_ICMP4_ERR_MAX	576U
#define NAT64_IPV6_MIN_MTU	1280U

#define IP4_DF		0x4000
#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP6_MF		0x0001
#define IP6_OFFMASK	0xfff8

static inline u16 nat64_get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 nat64_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void nat64_put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void nat64_put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static inline u32 nat64_min32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* What one IP header chain says (outer packet, or inner one of an error). */
struct nat64_l3 {
	u32 tot_len;	/* from the header */
	u32 frag_id;
	u16 l3_len;	/* IP header + extension headers (or options) */
	u16 frag_off;	/* bytes */
	u8 proto;	/* the transport protocol number as found */
	u8 ttl;
	u8 tos;
	bool frag;	/* see struct nat64_pkt */
	bool more_frags;
	bool df;
	bool src_route;	/* IPv4 outer header: unexpired source route */
	u16 segments_left_off;	/* see struct nat64_pkt */
};

/* The L3 facts of the outer packet, in the form the builders take. */
static inline void nat64_l3_from_pkt(const struct nat64_pkt *pkt,
				     struct nat64_l3 *l3)
{
	l3->tot_len = pkt->tot_len;
	l3->frag_id = pkt->frag_id;
	l3->l3_len = pkt->l3_len;
	l3->frag_off = pkt->frag_off;
	l3->proto = pkt->proto;
	l3->ttl = pkt->ttl;
	l3->tos = pkt->tos;
	l3->frag = pkt->frag;
	l3->more_frags = pkt->more_frags;
	l3->df = pkt->df;
}

/*
 * Parse one header chain at d, of which len bytes are readable. inner: the
 * packet quoted by an ICMP error (truncated, travelling the other way):
 * source routes are expected there and are not checked.
 */
int nat64_l3_parse6(const u8 *d, u32 len, bool inner, struct nat64_l3 *l3,
		    enum nat64_stat *why);
int nat64_l3_parse4(const u8 *d, u32 len, bool inner, struct nat64_l3 *l3,
		    enum nat64_stat *why);

/* The ICMP header bytes 0-7 after translation of an error. */
struct nat64_icmp_map {
	u8 type;
	u8 code;
	u32 rest;	/* bytes 4-7: pointer or MTU, host order */
};

/*
 * RFC 7915 §5.2 / §4.2 type/code/pointer mapping of an ICMP error header
 * h (8 bytes). The MTU is left to the translators (it needs more facts).
 * Returns false if the message must be silently dropped.
 */
bool nat64_icmp6_err_map(const u8 *h, struct nat64_icmp_map *m);
bool nat64_icmp4_err_map(const u8 *h, struct nat64_icmp_map *m);

/*
 * RFC 4884 multi-part ICMP errors, for both directions. The body of an
 * incoming error (the bytes after its ICMP header) is the quoted packet,
 * possibly followed by an extension structure when the error's length
 * attribute says where the quoted packet ends. The translation keeps the
 * extension unchanged (its checksum covers only itself) if the outgoing
 * type has a length attribute too and there is room for it after a quote
 * of at least 128 bytes; otherwise it is dropped. Either way the quote
 * ends where the length attribute says.
 */
#define NAT64_ICMP_EXT_MIN_QUOTE	128U

struct nat64_icmp_ext {
	u32 quote;	/* bytes of the body that are the quoted packet */
	u32 ext;	/* bytes of extension structure kept (0: none) */
	u32 room;	/* room for the translated quote */
};

/*
 * length: the incoming length attribute in bytes (0: none). min_quote: the
 * quoted headers' length; an attribute that cuts them, or that is not
 * shorter than the body, is ignored (no extension). room: bytes available
 * after the outgoing ICMP header; word: the outgoing length unit (4 or 8).
 */
static inline void nat64_icmp_ext_plan(struct nat64_icmp_ext *e, u32 body,
				       u32 length, u32 min_quote,
				       bool out_has_length, u32 room, u32 word)
{
	e->quote = body;
	e->ext = 0;
	e->room = room;
	if (!length || length >= body || length < min_quote)
		return;
	e->quote = length;
	if (!out_has_length ||
	    room < NAT64_ICMP_EXT_MIN_QUOTE + (body - length))
		return;
	e->ext = body - length;
	e->room = (room - e->ext) & ~(word - 1);
}

/*
 * After the translated quote (n <= e->room bytes at q): zero padding to a
 * whole number of words and at least 128 bytes, then the extension from
 * ext_in. Returns the body length; *words: the outgoing length attribute.
 */
static inline u32 nat64_icmp_ext_put(const struct nat64_icmp_ext *e, u8 *q,
				     u32 n, const u8 *ext_in, u32 word,
				     u32 *words)
{
	u32 padded = (n + word - 1) & ~(word - 1);

	if (padded < NAT64_ICMP_EXT_MIN_QUOTE)
		padded = NAT64_ICMP_EXT_MIN_QUOTE;
	memset(q + n, 0, padded - n);
	memcpy(q + padded, ext_in, e->ext);
	*words = padded / word;
	return padded + e->ext;
}

/* What both directions decide about an incoming ICMP error (icmp_err.c). */
struct nat64_err_plan {
	struct nat64_icmp_map m;	/* outgoing type, code, bytes 4-7 */
	struct nat64_l3 l3;		/* the quoted packet's headers */
	struct nat64_icmp_ext ext;	/* RFC 4884 layout of the body */
};

/*
 * The first steps of an ICMP error translation, shared by both directions:
 * the caller's contract (the whole message linear, the inner packet right
 * after the ICMP header), TTL / hop limit, the checksum, the type mapping,
 * the quoted header chain and the RFC 4884 plan. in_v6: the error is
 * ICMPv6. room: bytes available after the outgoing ICMP header. Returns 0
 * or -EINVAL with *why set.
 */
int nat64_err_plan(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		   bool in_v6, u32 room, struct nat64_err_plan *p,
		   enum nat64_stat *why);
/*
 * After the translated quote (n bytes at q): the padding and extension of
 * the plan, if it keeps one, and the outgoing length attribute in
 * p->m.rest. Returns the body length.
 */
u32 nat64_err_body_end(struct nat64_err_plan *p, const u8 *in,
		       const struct nat64_pkt *pkt, u8 *q, u32 n, bool out_v6);

/*
 * Rewrite of a transport header copied into the output: new ports or ICMP
 * echo type and identifier, and the checksum adjusted incrementally for
 * them and for the pseudo-header change (RFC 1624; the payload is never
 * read). Shared by both directions and by inner packets of ICMP errors.
 */
struct nat64_l4_rw {
	u8 *h;			/* transport header in the output */
	u32 hlen;		/* bytes of it present (inner ones may be cut) */
	const u8 *addr6;	/* src + dst of the IPv6 header (32 bytes) */
	const u8 *addr4;	/* src + dst of the IPv4 header (8 bytes) */
	u32 icmp6_len;		/* ICMPv6 length for its pseudo-header */
	__be16 sport;		/* new ports; ICMP: sport is the identifier */
	__be16 dport;
	u8 proto;		/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP */
	bool to6;		/* direction: 4->6 */
	bool partial;		/* the checksum field is CHECKSUM_PARTIAL */
};

/* 0, or -EINVAL if an ICMP header is not an echo (caller bug). */
int nat64_l4_rewrite(const struct nat64_l4_rw *rw);

/* Sum of the IPv6 pseudo-header (RFC 8200 §8.1) without the addresses. */
static inline u32 nat64_pseudo6_len_proto(u32 len, u8 proto)
{
	return nat64_csum_fold((len >> 16) + (len & 0xffff) + proto);
}

#endif
