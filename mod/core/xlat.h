/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portable translation core: parsing of incoming headers and RFC 7915
 * header translation, working on plain byte buffers. The kernel glue (and
 * the userspace tests) hand it the linear bytes at the start of a packet;
 * the core never allocates, never sleeps and never reads past the lengths
 * it is given.
 *
 * The translation of one packet is:
 *   1. nat64_parse6() / nat64_parse4(): validate the headers and fill a
 *      struct nat64_pkt (incoming tuple, offsets, fragment and ICMP facts).
 *      Any malformation returns -EINVAL with *why set to the DROP_ counter.
 *   2. The caller (state code) computes the outgoing tuple(s).
 *   3. nat64_xlat_6to4() / nat64_xlat_4to6(): write the new headers into
 *      out[]. The first *consumed bytes of the input are replaced by the
 *      returned number of bytes of out[]; the rest of the packet (payload)
 *      is passed through unchanged. For ICMP errors the whole (possibly
 *      truncated) message is consumed and rewritten.
 */
#ifndef NAT64_CORE_XLAT_H
#define NAT64_CORE_XLAT_H

#include "platform.h"
#include "tuple.h"
#include "../../include/nat64.h"

/* Largest header block the core ever writes for a non-error packet:
 * IPv6 (40) + fragment header (8) + TCP without options (20). */
#define NAT64_XLAT_HDR_MAX	128
/* ICMP errors are rewritten whole; IPv6 errors are at most 1280 bytes. */
#define NAT64_XLAT_OUT_MAX	1280

/* What the parser learned about an incoming packet. */
struct nat64_pkt {
	u32 tot_len;	/* L3 length as its header says (<= bytes given) */
	u16 l3_len;	/* IP header + every extension header */
	u16 l4_len;	/* bytes of the transport header the core rewrites:
			 * UDP 8, TCP 20 (options untouched), ICMP 8;
			 * 0 for non-first fragments */
	u8 proto;	/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6) */
	u8 ttl;		/* TTL / hop limit as received */
	u8 tos;		/* TOS / traffic class */
	u8 tcp_flags;	/* TCP: the flags byte (TCPHDR_SYN etc. values) */
	u8 icmp_type;
	u8 icmp_code;
	bool icmp_error;	/* ICMP(v6) error carrying an inner packet */
	bool frag;		/* part of a fragmented packet */
	bool more_frags;
	bool df;		/* IPv4: DF set */
	u16 frag_off;		/* byte offset of this fragment */
	u32 frag_id;		/* host order; IPv4 ids are 16 bits */
	bool csum_partial;	/* set by the caller: L4 checksum field holds
				 * only the pseudo-header sum (CHECKSUM_PARTIAL) */
	union {
		struct nat64_tuple6 t6;	/* filled by nat64_parse6 */
		struct nat64_tuple4 t4;	/* filled by nat64_parse4 */
	};
	/* ICMP errors: the packet inside, as seen from its own direction. */
	u16 inner_off;		/* offset of the inner IP header */
	union {
		struct nat64_tuple6 inner6;
		struct nat64_tuple4 inner4;
	};
};

/* Per-instance settings the header translation needs (RFC 7915 knobs). */
struct nat64_xlat_cfg {
	bool zeroize_traffic_class;
	bool override_tos;
	u8 tos;
	u32 lowest_ipv6_mtu;
	const u16 *plateaus;	/* descending, for Fragmentation Needed MTU 0 */
	u8 plateau_count;
};

/* Parse the headers of an IPv6 packet: len bytes at data are linear,
 * the packet may be longer (tot_len is taken from its header). */
int nat64_parse6(const u8 *data, u32 len, struct nat64_pkt *pkt,
		 enum nat64_stat *why);
int nat64_parse4(const u8 *data, u32 len, struct nat64_pkt *pkt,
		 enum nat64_stat *why);

/*
 * Translate. outer: the tuple of the outgoing packet (from state).
 * inner: for ICMP errors, the tuple of the translated inner packet; NULL
 * otherwise. Returns the number of bytes written to out (> 0), or -errno
 * with *why set. *consumed: how many leading input bytes they replace.
 * *l4_off: offset of the transport header within out (for csum_start).
 */
int nat64_xlat_6to4(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		    const struct nat64_tuple4 *outer,
		    const struct nat64_tuple4 *inner,
		    const struct nat64_xlat_cfg *cfg,
		    u8 *out, u32 out_cap, u32 *consumed, u32 *l4_off,
		    enum nat64_stat *why);
int nat64_xlat_4to6(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		    const struct nat64_tuple6 *outer,
		    const struct nat64_tuple6 *inner,
		    const struct nat64_xlat_cfg *cfg,
		    u8 *out, u32 out_cap, u32 *consumed, u32 *l4_off,
		    enum nat64_stat *why);

#endif
