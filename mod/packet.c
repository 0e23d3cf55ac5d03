// SPDX-License-Identifier: GPL-2.0
/*
 * The data path glue: makes the headers of an skb linear, asks the
 * portable core to parse them, asks the state code for the outgoing tuple,
 * lets the core rewrite the headers in place, fixes the skb's metadata
 * (protocol, checksum offload, GSO) and sends the result on as a packet of
 * the other family through LOCAL_OUT, so that conntrack, the OUTPUT chain
 * and POSTROUTING see it like any packet the gateway originates (its
 * source is a pool4 address, i.e. the gateway's own).
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/random.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include NAT64_GSO_H
#include "packet.h"
#include "state.h"
#include "stats.h"
#include "core/icmp_policy.h"
#include "core/rfc6052.h"
#include "core/xlat.h"

/* Enough for IPv6 + a few extension headers + TCP with options; malformed
 * or unusual chains get one more try with PULL_MAX. */
#define PULL_FIRST	128
#define PULL_MAX	512

/* Output of the core. Softirq with BH disabled: one buffer per CPU is ours
 * until we return, and nothing we call re-enters the translator. */
struct scratch {
	u8 buf[NAT64_XLAT_OUT_MAX];
};
static DEFINE_PER_CPU(struct scratch, nat64_scratch);

static void xlat_cfg(const struct nat64_instance *inst, struct nat64_xlat_cfg *cfg)
{
	const struct nat64_globals *g = &inst->globals;

	cfg->zeroize_traffic_class = READ_ONCE(g->zeroize_traffic_class);
	cfg->override_tos = READ_ONCE(g->override_tos);
	cfg->tos = READ_ONCE(g->tos);
	cfg->lowest_ipv6_mtu = READ_ONCE(g->lowest_ipv6_mtu);
	cfg->plateaus = g->plateaus;
	cfg->plateau_count = READ_ONCE(g->plateau_count);
}

static bool pull(struct sk_buff *skb, u32 len)
{
	return pskb_may_pull(skb, min_t(u32, skb->len, len));
}

/*
 * Linear headers, parsed. ICMP errors are made linear whole because the
 * core rewrites their inner packet too; ICMP checksums are completed first
 * because the core converts them incrementally (no payload in sight).
 */
static int parse(struct sk_buff *skb, bool v6, struct nat64_pkt *pkt,
		 enum nat64_stat *why)
{
	int (*parser)(const u8 *, u32, struct nat64_pkt *, enum nat64_stat *) =
		v6 ? nat64_parse6 : nat64_parse4;
	int err;

	if (!pull(skb, PULL_FIRST))
		goto truncated;
	err = parser(skb->data, skb_headlen(skb), pkt, why);
	if (err && skb_headlen(skb) < skb->len) {
		if (!pull(skb, PULL_MAX))
			goto truncated;
		err = parser(skb->data, skb_headlen(skb), pkt, why);
	}
	if (err)
		return err;
	if (pkt->tot_len != skb->len)
		goto truncated;
	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP &&
	    skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		*why = NAT64_STAT_DROP_INTERNAL;
		return -EINVAL;
	}
	if (pkt->icmp_error && skb_headlen(skb) < skb->len) {
		if (skb_linearize(skb)) {
			*why = NAT64_STAT_DROP_NOMEM;
			return -ENOMEM;
		}
		err = parser(skb->data, skb_headlen(skb), pkt, why);
		if (err)
			return err;
	}
	pkt->csum_partial = skb->ip_summed == CHECKSUM_PARTIAL;
	/* Used by 6->4 for unfragmented packets without DF (RFC 6864); 4->6
	 * has no use for it, so it does not pay for the random number. */
	if (v6)
		pkt->ip4_id = get_random_u16();
	return 0;
truncated:
	*why = v6 ? NAT64_STAT_DROP_TRUNCATED6 : NAT64_STAT_DROP_TRUNCATED4;
	return -EINVAL;
}

/* Replace the first @consumed bytes of the packet with @n bytes of @out. */
static int replace_head(struct sk_buff *skb, u32 consumed, const u8 *out, u32 n)
{
	if (n > consumed) {
		if (skb_cow_head(skb, n - consumed))
			return -ENOMEM;
		__skb_push(skb, n - consumed);
	} else {
		__skb_pull(skb, consumed - n);
	}
	memcpy(skb->data, out, n);
	return 0;
}

/* Does each segment of this GSO packet stay as long as the IP packet of
 * the other family? TCP: yes, fix_gso() moves the header growth out of
 * gso_size. UDP (SKB_GSO_UDP_L4): no, gso_size is the datagram size and
 * must not change, so each segment grows with its headers. */
static bool gso_keeps_len(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6);
}

/* GSO packets keep being GSO packets of the other family; the stack
 * re-validates them (DODGY). 4->6 headers grow by the difference, so a
 * TCP segment size shrinks by it to keep the segments within the same
 * MTU; UDP datagrams keep their size. */
static void fix_gso(struct sk_buff *skb, bool to6, int growth)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	if (to6 && (sh->gso_type & SKB_GSO_TCPV4)) {
		sh->gso_type &= ~(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
		sh->gso_type |= SKB_GSO_TCPV6;
	} else if (!to6 && (sh->gso_type & SKB_GSO_TCPV6)) {
		sh->gso_type &= ~SKB_GSO_TCPV6;
		sh->gso_type |= SKB_GSO_TCPV4;
	}
	if (growth > 0 && gso_keeps_len(skb))
		skb_decrease_gso_size(sh, growth);
	sh->gso_type |= SKB_GSO_DODGY;
	sh->gso_segs = 0;
}

/* The skb now holds a packet of the other family: make its metadata say
 * so and forget everything the first family's stack attached to it. */
static void fix_meta(struct sk_buff *skb, bool to6, u32 l4_off)
{
	skb->protocol = to6 ? htons(ETH_P_IPV6) : htons(ETH_P_IP);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, l4_off);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb->csum_start = skb_headroom(skb) + l4_off;
	else if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	nf_reset_ct(skb);
	skb_dst_drop(skb);
	memset(skb->cb, 0, sizeof(skb->cb));
}

static int rewrite(struct sk_buff *skb, const struct nat64_pkt *pkt, bool to6,
		   const void *outer, const void *inner,
		   const struct nat64_xlat_cfg *cfg, enum nat64_stat *why)
{
	u8 *out = this_cpu_ptr(&nat64_scratch)->buf;
	u32 consumed = 0, l4_off = 0, old_len = skb->len;
	int n;

	if (skb_ensure_writable(skb, skb_headlen(skb))) {
		*why = NAT64_STAT_DROP_NOMEM;
		return -ENOMEM;
	}
	if (to6)
		n = nat64_xlat_4to6(skb->data, skb_headlen(skb), pkt, outer, inner,
				    cfg, out, NAT64_XLAT_OUT_MAX, &consumed, &l4_off, why);
	else
		n = nat64_xlat_6to4(skb->data, skb_headlen(skb), pkt, outer, inner,
				    cfg, out, NAT64_XLAT_OUT_MAX, &consumed, &l4_off, why);
	if (n < 0)
		return n;
	if (WARN_ON_ONCE(consumed > skb_headlen(skb))) {
		*why = NAT64_STAT_DROP_INTERNAL;
		return -EINVAL;
	}
	if (replace_head(skb, consumed, out, n)) {
		*why = NAT64_STAT_DROP_NOMEM;
		return -ENOMEM;
	}
	/* IPv4 UDP without a checksum: the core left the pseudo-header sum;
	 * the stack (or the NIC) completes it over the payload. */
	if (to6 && pkt->udp_csum_zero) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_offset = offsetof(struct udphdr, check);
	}
	fix_gso(skb, to6, (int)skb->len - (int)old_len);
	fix_meta(skb, to6, l4_off);
	return 0;
}

/* ---- routing and MTU (RFC 7915 §4 and §5.1) ------------------------ */

/*
 * Route the translated packet as the gateway's own before the rewrite, so
 * that the path MTU is known while the original packet can still be
 * answered with an ICMP error. The source is a pool4 address, which need
 * not be configured on any interface (ANYSRC).
 */
static struct rtable *route4(struct net *net, const struct sk_buff *skb,
			     const struct nat64_tuple4 *t, u8 tos)
{
	struct flowi4 fl4 = {
		.daddr = t->dst,
		.saddr = t->src,
		.flowi4_tos = RT_TOS(tos),
		.flowi4_proto = t->proto,
		.flowi4_mark = skb->mark,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};

	return ip_route_output_key(net, &fl4);
}

static struct dst_entry *route6(struct net *net, const struct sk_buff *skb,
				const struct nat64_tuple6 *t)
{
	struct flowi6 fl6 = {
		.daddr = t->dst,
		.saddr = t->src,
		.flowi6_proto = t->proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : t->proto,
		.flowi6_mark = skb->mark,
	};
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);
	int err = dst->error;

	if (err) {
		dst_release(dst);
		return ERR_PTR(err);
	}
	return dst;
}

/*
 * Bytes after the IP header(s) in each segment of a GSO packet (TCP, or
 * UDP with segmentation offload), for the per-segment DF rule; 0 if the
 * packet is not GSO or its segments are not separate IP packets.
 */
static u32 gso_seg_len(const struct sk_buff *skb, const struct nat64_pkt *pkt)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);

	if (!skb_is_gso(skb) || pkt->frag_off)
		return 0;
	if (pkt->proto == IPPROTO_TCP && (sh->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)))
		return (skb->data[pkt->l3_len + 12] >> 4) * 4U + sh->gso_size;
	if (pkt->proto == IPPROTO_UDP && (sh->gso_type & SKB_GSO_UDP_L4))
		return sizeof(struct udphdr) + sh->gso_size;
	return 0;
}

/*
 * Does the translated packet (each segment, for GSO) exceed mtu? @growth:
 * how much longer each translated IP packet is than the received one. For
 * GSO the network header must end at the transport header.
 */
static bool too_big(struct sk_buff *skb, const struct nat64_pkt *pkt,
		    int growth, u32 mtu)
{
	if (!skb_is_gso(skb))
		return (s64)skb->len + growth > mtu;
	skb_set_transport_header(skb, pkt->l3_len);
	return !skb_gso_validate_network_len(skb, (u32)((s64)mtu - growth));
}

/*
 * IPv6 -> IPv4 (RFC 7915 §5.1, RFC 6146 §3.7): a packet that gets DF and
 * does not fit the IPv4 path MTU is answered with Packet Too Big, with the
 * IPv4 MTU plus the header difference, never below the IPv6 minimum. A
 * packet that gets no DF is fragmented by the IPv4 output when needed.
 */
static bool mtu_6to4(struct sk_buff *skb, const struct nat64_pkt *pkt, u32 mtu4)
{
	u32 mtu6;

	if (!nat64_xlat_6to4_df_len(pkt) ||
	    !too_big(skb, pkt, (int)sizeof(struct iphdr) - pkt->l3_len, mtu4))
		return true;
	mtu6 = max_t(u32, mtu4 + sizeof(struct ipv6hdr) - sizeof(struct iphdr),
		     IPV6_MIN_MTU);
	icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu6);
	return false;
}

/* icmp_send() needs a route on the packet; at PRE_ROUTING it has none. */
static void icmp4_error(struct sk_buff *skb, int type, int code, __be32 info)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_dst(skb) &&
	    nat64_route_input4(skb, iph->daddr, iph->saddr, iph->tos, skb->dev))
		return;
	icmp_send(skb, type, code, info);
}

/*
 * IPv4 -> IPv6 (RFC 7915 §4): the packet grows by the header difference
 * (and a Fragment Header for fragments). With DF, one that does not fit
 * the IPv6 path MTU is answered with Fragmentation Needed, the IPv6 MTU
 * minus that difference. Without DF the IPv6 output fragments it to
 * *frag_size: the smaller of the path MTU and lowest-ipv6-mtu, since the
 * IPv6 path beyond the next hop may be narrower (Jool's semantics).
 * GSO packets are judged by their segments (TCP ones keep their length,
 * see gso_keeps_len()); send6() segments them first when needed.
 */
static bool mtu_4to6(struct sk_buff *skb, const struct nat64_pkt *pkt,
		     u32 mtu6, u32 lowest, u32 *frag_size)
{
	u32 over = sizeof(struct ipv6hdr) - sizeof(struct iphdr) +
		   (pkt->frag ? sizeof(struct frag_hdr) : 0);
	int growth = (int)(over + sizeof(struct iphdr)) - pkt->l3_len;
	u32 mpl = min_t(u32, mtu6, max_t(u32, lowest, IPV6_MIN_MTU));

	*frag_size = 0;
	if (pkt->icmp_error)	/* cut to 1280 bytes */
		return true;
	if (skb_is_gso(skb) && gso_keeps_len(skb))
		growth = 0;
	if (pkt->df) {
		if (!too_big(skb, pkt, growth, mtu6))
			return true;
		icmp4_error(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			    htonl(mtu6 > over ? min_t(u32, mtu6 - over, 0xffff) : 0));
		return false;
	}
	if (too_big(skb, pkt, growth, mpl))
		*frag_size = mpl;
	return true;
}

static void send4(struct net *net, struct sk_buff *skb, struct rtable *rt)
{
	skb_dst_set(skb, &rt->dst);
	ip_local_out(net, NULL, skb);
}

/*
 * frag_size: fragment to that size (no DF). The IPv6 output honours
 * frag_max_size only for packets that are not GSO (it fragments GSO
 * segments to the path MTU alone), so GSO packets are segmented here
 * first, each segment then fragmented on its own.
 */
static int send6(struct net *net, struct sk_buff *skb, struct dst_entry *dst,
		 u32 frag_size)
{
	struct sk_buff *segs, *seg, *next;

	skb_dst_set(skb, dst);
	if (!frag_size || !skb_is_gso(skb)) {
		IP6CB(skb)->frag_max_size = frag_size;
		ip6_local_out(net, NULL, skb);
		return 0;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(skb);
		return -ENOMEM;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		seg->ignore_df = 1;
		IP6CB(seg)->frag_max_size = frag_size;
		ip6_local_out(net, NULL, seg);
	}
	return 0;
}

static enum nat64_verdict drop(struct nat64_instance *inst, enum nat64_stat why)
{
	nat64_stat_inc(inst, why);
	if (READ_ONCE(inst->globals.logging_debug))
		net_dbg_ratelimited("%s: dropped a packet (counter %d)\n", inst->name, why);
	return NAT64_DROP;
}

/* ---- IPv6 -> IPv4 ------------------------------------------------------ */

/*
 * pool4 exhaustion refuses packets at line rate, and icmpv6_send() works
 * out a route and a source address for each before its per-destination
 * limit suppresses nearly all of them (the order of the stable kernels
 * since the fix for CVE-2024-47678): that was half the cost of a refused
 * packet (perf, test/bench exhaust). Unless the namespace sends ICMPv6
 * errors without limit (net.ipv6.icmp.ratelimit = 0), each CPU makes at
 * most as many attempts per second as the host lets ICMP errors out by
 * default (net.ipv4.icmp_msgs_per_sec).
 */
#define EXHAUSTED_ICMP_PER_SEC	1000

struct icmp_budget {
	unsigned long second;	/* jiffies / HZ of the current window */
	u32 used;
};
static DEFINE_PER_CPU(struct icmp_budget, nat64_icmp_budget);

static bool exhausted_icmp_allowed(const struct net *net)
{
	unsigned long now = jiffies / HZ;
	struct icmp_budget *b;
	bool ok;

	if (!READ_ONCE(net->ipv6.sysctl.icmpv6_time))
		return true;
	b = get_cpu_ptr(&nat64_icmp_budget);
	if (b->second != now) {
		b->second = now;
		b->used = 0;
	}
	ok = b->used < EXHAUSTED_ICMP_PER_SEC;
	b->used += ok;
	put_cpu_ptr(&nat64_icmp_budget);
	return ok;
}

static int state6(struct nat64_instance *inst, struct sk_buff *skb,
		  struct nat64_pkt *pkt, __be32 dst4, struct nat64_tuple4 *outer,
		  struct nat64_tuple4 *inner, enum nat64_stat *why)
{
	int err;

	if (!pkt->icmp_error) {
		err = nat64_state_6to4(inst, pkt, dst4, skb->mark, outer, why);
		if (err == -ENOSPC &&	/* pool4 exhausted / max sessions */
		    exhausted_icmp_allowed(inst->net))
			icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
		return err;
	}
	/* An error about a packet we sent towards IPv6: the inner packet
	 * travelled (Y',y) -> (X',x); it becomes (Z,z) -> (T,t), and the
	 * error itself goes from T to Z. */
	if (nat64_state_inner6(inst, &pkt->inner6, inner)) {
		*why = NAT64_STAT_DROP_ICMP_ERROR;
		return -ENOENT;
	}
	memset(outer, 0, sizeof(*outer));
	outer->src = inner->dst;
	outer->dst = inner->src;
	outer->proto = IPPROTO_ICMP;
	return 0;
}

enum nat64_verdict nat64_translate6(struct nat64_instance *inst, struct sk_buff *skb)
{
	struct nat64_tuple4 outer, inner;
	struct nat64_xlat_cfg cfg;
	struct nat64_pkt pkt;
	enum nat64_stat why = NAT64_STAT_DROP_INTERNAL;
	__be32 dst4, src4;
	struct rtable *rt;

	nat64_stat_inc(inst, NAT64_STAT_RECEIVED6);
	if (!pull(skb, sizeof(struct ipv6hdr)) || skb->len < sizeof(struct ipv6hdr))
		return drop(inst, NAT64_STAT_DROP_TRUNCATED6);
	/* Only packets towards pool6 are ours; look before parsing so that
	 * a greedy (netfilter) instance leaves everything else alone. */
	if (!nat64_rfc6052_extract(&inst->pool6, &ipv6_hdr(skb)->daddr, &dst4)) {
		nat64_stat_inc(inst, NAT64_STAT_NOT_OURS6);
		return NAT64_CONTINUE;
	}
	if (!READ_ONCE(inst->globals.enabled)) {
		nat64_stat_inc(inst, NAT64_STAT_DISABLED);
		return NAT64_CONTINUE;
	}
	if (parse(skb, true, &pkt, &why)) {
		if (why == NAT64_STAT_DROP_BAD_EXTHDR &&	/* RFC 7915 §5.1 */
		    pkt.segments_left_off)
			icmpv6_send(skb, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD,
				    pkt.segments_left_off);
		return drop(inst, why);
	}
	/* A source inside pool6 means the packet came back to us: a loop. */
	if (nat64_rfc6052_extract(&inst->pool6, &pkt.t6.src, &src4))
		return drop(inst, NAT64_STAT_DROP_HAIRPIN_LOOP);
	if (nat64_icmp6_info_dropped(&pkt, READ_ONCE(inst->globals.drop_icmpv6_info)))
		return drop(inst, NAT64_STAT_DROP_ICMP6_INFO);
	if (pkt.ttl <= 1) {
		icmpv6_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		return drop(inst, NAT64_STAT_DROP_HOP_LIMIT);
	}
	if (state6(inst, skb, &pkt, dst4, &outer, &inner, &why))
		return drop(inst, why);
	xlat_cfg(inst, &cfg);
	/* Reassembled by the stack: it had a Fragment Header (RFC 7915 §5.1). */
	pkt.reassembled = IP6CB(skb)->frag_max_size != 0;
	pkt.seg_len = gso_seg_len(skb, &pkt);
	rt = route4(inst->net, skb, &outer, cfg.override_tos ? cfg.tos : pkt.tos);
	if (IS_ERR(rt))
		return drop(inst, NAT64_STAT_DROP_ROUTE);
	pkt.mtu_out = dst_mtu(&rt->dst);
	pkt.mtu_in = skb->dev ? READ_ONCE(skb->dev->mtu) : 0;
	if (!mtu_6to4(skb, &pkt, pkt.mtu_out)) {
		ip_rt_put(rt);
		return drop(inst, NAT64_STAT_DROP_TOO_BIG);
	}
	if (rewrite(skb, &pkt, false, &outer, pkt.icmp_error ? &inner : NULL, &cfg, &why)) {
		ip_rt_put(rt);
		return drop(inst, why);
	}
	send4(inst->net, skb, rt);
	nat64_stat_inc(inst, NAT64_STAT_SUCCESS);
	return NAT64_STOLEN;
}

/* ---- IPv4 -> IPv6 ------------------------------------------------------ */

/*
 * RFC 7915 §4.1: an unexpired source route cannot be honoured in IPv6. If
 * the packet is ours (its destination has a binding; nothing is created),
 * it is refused with Source Route Failed; otherwise it is not our business.
 */
static enum nat64_verdict src_route4(struct nat64_instance *inst,
				     struct sk_buff *skb,
				     const struct nat64_pkt *pkt)
{
	const struct nat64_tuple4 rev = {
		.src = pkt->t4.dst, .sport = pkt->t4.dport,
		.dst = pkt->t4.src, .dport = pkt->t4.sport,
		.proto = pkt->t4.proto,
	};
	struct nat64_tuple6 unused;

	if (nat64_state_inner4(inst, pkt->icmp_error ? &pkt->inner4 : &rev, &unused)) {
		nat64_stat_inc(inst, NAT64_STAT_NOT_OURS4);
		return NAT64_CONTINUE;
	}
	icmp4_error(skb, ICMP_DEST_UNREACH, ICMP_SR_FAILED, 0);
	return drop(inst, NAT64_STAT_DROP_SRC_ROUTE);
}

static int state4(struct nat64_instance *inst, const struct sk_buff *skb,
		  struct nat64_pkt *pkt, struct nat64_tuple6 *outer,
		  struct nat64_tuple6 *inner, enum nat64_stat *why)
{
	if (!pkt->icmp_error)
		return nat64_state_4to6(inst, pkt, skb, outer, why);
	/* The inner packet travelled (T,t) -> (Z,z): it becomes
	 * (X',x) -> (Y',y). The error goes from the sender embedded in
	 * pool6 to X'. */
	if (nat64_state_inner4(inst, &pkt->inner4, inner)) {
		*why = NAT64_STAT_DROP_NO_BIB4;
		return -ENOENT;
	}
	memset(outer, 0, sizeof(*outer));
	nat64_icmp6_err_src(&inst->pool6, pkt->t4.src, inner,
			    READ_ONCE(inst->globals.source_icmpv6_errors_better),
			    &outer->src);
	outer->dst = inner->src;
	outer->proto = IPPROTO_ICMP;
	return 0;
}

enum nat64_verdict nat64_translate4(struct nat64_instance *inst, struct sk_buff *skb)
{
	struct nat64_tuple6 outer, inner;
	struct nat64_xlat_cfg cfg;
	struct nat64_pkt pkt;
	enum nat64_stat why = NAT64_STAT_DROP_INTERNAL;
	struct dst_entry *dst;
	u32 frag_size;
	int err;

	nat64_stat_inc(inst, NAT64_STAT_RECEIVED4);
	if (!READ_ONCE(inst->globals.enabled)) {
		nat64_stat_inc(inst, NAT64_STAT_DISABLED);
		return NAT64_CONTINUE;
	}
	if (parse(skb, false, &pkt, &why)) {
		/* A greedy instance sees all IPv4 traffic: what it cannot
		 * parse is somebody else's business, not a drop of ours. */
		nat64_stat_inc(inst, NAT64_STAT_NOT_OURS4);
		return NAT64_CONTINUE;
	}
	if (pkt.src_route)
		return src_route4(inst, skb, &pkt);
	err = state4(inst, skb, &pkt, &outer, &inner, &why);
	if (err == -ENOENT) {	/* no binding: not a packet of ours */
		nat64_stat_inc(inst, NAT64_STAT_NOT_OURS4);
		return NAT64_CONTINUE;
	}
	if (err == -EINPROGRESS) {	/* a SYN held for a simultaneous open */
		consume_skb(skb);
		return NAT64_STOLEN;
	}
	if (err)
		return drop(inst, why);
	if (pkt.ttl <= 1) {
		icmp4_error(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return drop(inst, NAT64_STAT_DROP_HOP_LIMIT);
	}
	xlat_cfg(inst, &cfg);
	dst = route6(inst->net, skb, &outer);
	if (IS_ERR(dst))
		return drop(inst, NAT64_STAT_DROP_ROUTE);
	pkt.mtu_out = dst_mtu(dst);
	pkt.mtu_in = skb->dev ? READ_ONCE(skb->dev->mtu) : 0;
	if (!mtu_4to6(skb, &pkt, pkt.mtu_out, cfg.lowest_ipv6_mtu, &frag_size)) {
		dst_release(dst);
		return drop(inst, NAT64_STAT_DROP_TOO_BIG);
	}
	if (rewrite(skb, &pkt, true, &outer, pkt.icmp_error ? &inner : NULL, &cfg, &why)) {
		dst_release(dst);
		return drop(inst, why);
	}
	/* Without DF the translator fragments what does not fit (RFC 7915
	 * §4): the IPv6 output does it when told to ignore DF, and to
	 * frag_max_size when that is smaller than the path MTU. */
	skb->ignore_df = !pkt.df;
	if (send6(inst->net, skb, dst, frag_size)) {	/* skb freed */
		nat64_stat_inc(inst, NAT64_STAT_DROP_NOMEM);
		return NAT64_STOLEN;
	}
	nat64_stat_inc(inst, NAT64_STAT_SUCCESS);
	return NAT64_STOLEN;
}
