// SPDX-License-Identifier: GPL-2.0
/*
 * Packets the stateful part sends of its own accord (RFC 6146 §3.5.2.2),
 * outside the translation of any packet:
 *  - the ICMPv4 Port Unreachable that answers an unsolicited IPv4 SYN held
 *    for 6 s without an IPv6 SYN meeting it (built from the held copy, so
 *    nothing of the original skb - device, route - has to live that long);
 *  - the probe of an established TCP session whose timer ran out: an empty
 *    segment with only ACK set and sequence and acknowledgment numbers 0,
 *    towards the IPv6 end. A live endpoint answers it (out of window) with
 *    an ACK, which the data path sees and which puts the session back in
 *    ESTABLISHED; a dead one does not, and the session ends after TRANS.
 * Both leave through LOCAL_OUT like any packet the gateway originates.
 * Callers hold no spinlock; softirq or process context.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include "state_int.h"

int nat64_emit_port_unreach4(struct net *net, const u8 *orig, unsigned int len)
{
	const struct iphdr *oiph = (const struct iphdr *)orig;
	struct flowi4 fl4 = {
		.flowi4_proto = IPPROTO_ICMP,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,	/* T: a pool4 address */
	};
	struct icmphdr *ih;
	struct sk_buff *skb;
	struct iphdr *iph;
	struct rtable *rt;
	int err;

	if (len < sizeof(*oiph))
		return -EINVAL;
	/* From the address the SYN was sent to, back to its sender. */
	fl4.daddr = oiph->saddr;
	fl4.saddr = oiph->daddr;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	skb = alloc_skb(LL_RESERVED_SPACE(rt->dst.dev) + sizeof(*iph) + sizeof(*ih) + len +
			rt->dst.dev->needed_tailroom, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	skb_reserve(skb, LL_RESERVED_SPACE(rt->dst.dev));
	skb_reset_network_header(skb);
	iph = skb_put(skb, sizeof(*iph));
	skb_set_transport_header(skb, sizeof(*iph));
	ih = skb_put(skb, sizeof(*ih));
	skb_put_data(skb, orig, len);

	ih->type = ICMP_DEST_UNREACH;
	ih->code = ICMP_PORT_UNREACH;
	ih->un.gateway = 0;
	ih->checksum = 0;
	ih->checksum = csum_fold(csum_partial(ih, sizeof(*ih) + len, 0));

	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = IPTOS_PREC_INTERNETCONTROL;
	iph->tot_len = htons(skb->len);
	iph->frag_off = 0;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;
	ip_select_ident(net, skb, NULL);

	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
	err = ip_local_out(net, NULL, skb);
	return net_xmit_eval(err);	/* a macro: evaluates twice */
}

int nat64_emit_probe6(struct net *net, const struct in6_addr *saddr, __be16 sport,
		      const struct in6_addr *daddr, __be16 dport)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = *saddr,	/* Y': in pool6, not a local address */
		.flowi6_proto = IPPROTO_TCP,
		.fl6_sport = sport,
		.fl6_dport = dport,
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;
	struct tcphdr *th;
	int err;

	dst = ip6_route_output(net, NULL, &fl6);
	err = dst->error;
	if (err) {
		dst_release(dst);
		return err;
	}
	skb = alloc_skb(LL_RESERVED_SPACE(dst->dev) + sizeof(*ip6h) + sizeof(*th) +
			dst->dev->needed_tailroom, GFP_ATOMIC);
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	skb_reserve(skb, LL_RESERVED_SPACE(dst->dev));
	skb_reset_network_header(skb);
	ip6h = skb_put(skb, sizeof(*ip6h));
	skb_set_transport_header(skb, sizeof(*ip6h));
	th = skb_put_zero(skb, sizeof(*th));

	th->source = sport;
	th->dest = dport;
	th->seq = 0;
	th->ack_seq = 0;
	th->doff = sizeof(*th) / 4;
	th->ack = 1;
	th->check = csum_ipv6_magic(saddr, daddr, sizeof(*th), IPPROTO_TCP,
				    csum_partial(th, sizeof(*th), 0));

	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(sizeof(*th));
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;

	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);
	err = ip6_local_out(net, NULL, skb);
	return net_xmit_eval(err);	/* a macro: evaluates twice */
}
