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
 *
 * Lengths: the parser needs only the headers it reads to be within the
 * linear bytes it is given; tot_len comes from the IP header and the caller
 * checks it against the real packet length. ICMP errors are the exception:
 * the translator checksums and rewrites the whole message, so the caller
 * must make all tot_len bytes linear before calling nat64_xlat_*().
 *
 * ICMP echo identifiers: the translator writes outer->sport for 6->4 and
 * outer->dport for 4->6 (the translator's side of the binding, (T,t) and
 * (X',x) in RFC 6146 terms); for the inner packet of an ICMP error, the
 * opposite port. By tuple.h's convention both ports are equal anyway.
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
	u32 tot_len;	/* L3 length as its header says (the caller checks it
			 * against the packet; only headers need be linear) */
	u16 l3_len;	/* IP header + every extension header */
	u16 l4_len;	/* bytes of the transport header the core rewrites:
			 * UDP 8, TCP 20 (options untouched), ICMP 8
			 * (also for errors); 0 for non-first fragments */
	u8 proto;	/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6) */
	u8 ttl;		/* TTL / hop limit as received */
	u8 tos;		/* TOS / traffic class */
	u8 tcp_flags;	/* TCP: the flags byte (TCPHDR_SYN etc. values) */
	u8 icmp_type;
	u8 icmp_code;
	bool icmp_error;	/* ICMP(v6) error carrying an inner packet */
	bool frag;		/* IPv4: MF set or offset != 0; IPv6: a Fragment
				 * Header is present (even an atomic one) */
	bool more_frags;
	bool df;		/* IPv4: DF set */
	u16 frag_off;		/* byte offset of this fragment */
	u32 frag_id;		/* host order; IPv4 ids are 16 bits */
	/* IPv4 UDP with checksum 0 (parse4; never a fragment: those are
	 * dropped with DROP_UDP_ZERO_CSUM_FRAG). nat64_xlat_4to6() then
	 * writes the IPv6 pseudo-header sum in the checksum field, as for
	 * csum_partial: the caller completes it over the whole datagram (e.g.
	 * CHECKSUM_PARTIAL, csum_start = l4_off, csum_offset = 6). */
	bool udp_csum_zero;
	/* IPv4 with an unexpired Loose/Strict Source Route option (parse4).
	 * The packet parses whole so that the caller can tell whether it is
	 * its own and answer ICMPv4 Source Route Failed (RFC 7915 §4.1);
	 * nat64_xlat_4to6() refuses it (DROP_SRC_ROUTE). */
	bool src_route;
	/* parse6 failed with DROP_BAD_EXTHDR because a Routing header has
	 * Segments Left != 0: the offset of that byte, the pointer of the
	 * ICMPv6 Parameter Problem (code 0) the caller answers with (RFC 7915
	 * §5.1); 0 otherwise. */
	u16 segments_left_off;
	/* Inputs set by the caller after nat64_parse*() (which zeroes them): */
	bool csum_partial;	/* TCP/UDP checksum field holds only the
				 * pseudo-header sum (CHECKSUM_PARTIAL); the
				 * core refuses it for ICMP (DROP_INTERNAL) */
	u16 ip4_id;		/* 6->4 without Fragment Header and DF clear
				 * (translated packet <= 1260 bytes): the IPv4
				 * Identification to use (RFC 7915 §5.1, RFC 6864
				 * §5.3: unique per src/dst/proto), e.g.
				 * get_random_u16(). DF set: 0 is written. */
	bool reassembled;	/* 6->4: the IPv6 packet arrived in fragments
				 * (reassembled by the stack): as with a
				 * Fragment Header, DF stays clear (RFC 7915
				 * §5.1) and ip4_id is used */
	/* ICMP errors: MTUs of the translator's own next hops, for Packet
	 * Too Big <-> Fragmentation Needed (RFC 7915 §4.2 / §5.2: the MTU
	 * is the minimum of the adjusted MTU field, the outgoing next hop's
	 * MTU and the incoming family's next-hop MTU adjusted). 0: unknown,
	 * no limit. */
	u32 mtu_out;		/* route of the translated error */
	u32 mtu_in;		/* interface the error arrived on */
	u32 seg_len;		/* 6->4 GSO packets: bytes after the IP
				 * header(s) in each segment; the DF rule
				 * (> 1260 bytes) applies to one segment.
				 * 0: not GSO */
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

/*
 * Parse the headers of an IPv6 / IPv4 packet: len bytes at data are linear,
 * the packet may be longer (tot_len is taken from its header). Drops, with
 * *why: malformed or lying IP header or extension chain (DROP_TRUNCATED6/4);
 * Routing header with Segments Left != 0 or more than 8 extension headers
 * (DROP_BAD_EXTHDR); (an unexpired IPv4 source route is not a parse error:
 * see src_route); transport other
 * than TCP/UDP/ICMP (DROP_UNKNOWN_PROTO); short transport header or lying
 * TCP data offset / UDP length (DROP_L4_TRUNCATED); ICMP fragments and
 * IPv6 fragments followed by more extension headers (DROP_FRAGMENT); IPv6
 * UDP with checksum 0 (DROP_CHECKSUM); IPv4 UDP fragments with checksum 0
 * (DROP_UDP_ZERO_CSUM_FRAG); ICMP types and codes with no equivalent
 * (DROP_ICMP6_TYPE / DROP_ICMP4_TYPE); ICMP errors whose inner packet has
 * no readable tuple (DROP_ICMP_ERROR). For an ICMP error the outer tuple
 * ports are 0 and inner6 / inner4 hold the inner packet's tuple.
 */
int nat64_parse6(const u8 *data, u32 len, struct nat64_pkt *pkt,
		 enum nat64_stat *why);
int nat64_parse4(const u8 *data, u32 len, struct nat64_pkt *pkt,
		 enum nat64_stat *why);

/*
 * Translate. outer: the tuple of the outgoing packet (from state).
 * inner: for ICMP errors, the tuple of the translated inner packet; NULL
 * otherwise. Returns the number of bytes written to out (> 0), or -errno
 * with *why set. *consumed: how many leading input bytes they replace.
 * *l4_off: offset of the transport header within out (for csum_start);
 * for non-first fragments, which have none, the returned length.
 *
 * Errors: -EINVAL with DROP_HOP_LIMIT when TTL / hop limit <= 1 (the caller
 * sends Time Exceeded); -EMSGSIZE with DROP_TOO_BIG when a 6->4 packet
 * would exceed 65535 bytes; DROP_CHECKSUM for an ICMP error whose checksum
 * is wrong (it is recomputed from scratch, so it must be checked);
 * DROP_ICMP6_TYPE / DROP_ICMP4_TYPE / DROP_ICMP_ERROR for untranslatable
 * ICMP; DROP_SRC_ROUTE for pkt->src_route (the caller answers it); DROP_INTERNAL when in_len, out_cap or pkt do not fit the contract.
 * Output sizes: at most NAT64_XLAT_HDR_MAX bytes for non-errors; ICMP errors
 * are truncated to 576 bytes (6->4, RFC 1812 §4.3.2.3) or 1280 bytes (4->6)
 * and to out_cap.
 */
int nat64_xlat_6to4(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		    const struct nat64_tuple4 *outer,
		    const struct nat64_tuple4 *inner,
		    const struct nat64_xlat_cfg *cfg,
		    u8 *out, u32 out_cap, u32 *consumed, u32 *l4_off,
		    enum nat64_stat *why);
/*
 * 6->4 MTU fact for the caller (RFC 7915 §5.1): the length of the IPv4
 * packet nat64_xlat_6to4() will write (of each segment when pkt->seg_len
 * is set) if it will carry DF; 0 if DF will be clear (the caller's output
 * and IPv4 routers may fragment it) or for ICMP errors (cut to 576 bytes).
 * A DF packet longer than the IPv4 path MTU is not translated: the caller
 * answers ICMPv6 Packet Too Big.
 */
u32 nat64_xlat_6to4_df_len(const struct nat64_pkt *pkt);

int nat64_xlat_4to6(const u8 *in, u32 in_len, const struct nat64_pkt *pkt,
		    const struct nat64_tuple6 *outer,
		    const struct nat64_tuple6 *inner,
		    const struct nat64_xlat_cfg *cfg,
		    u8 *out, u32 out_cap, u32 *consumed, u32 *l4_off,
		    enum nat64_stat *why);

#endif
