// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter mode: one greedy instance per namespace, hooked at PRE_ROUTING
 * in both families, after defragmentation, conntrack and DNAT (like Jool:
 * NAT_DST + 25). The hooks are registered only while the namespace has a
 * netfilter instance.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include "hooks.h"
#include "packet.h"

static unsigned int nf_verdict(enum nat64_verdict v)
{
	switch (v) {
	case NAT64_STOLEN:
		return NF_STOLEN;
	case NAT64_DROP:
		return NF_DROP;
	case NAT64_CONTINUE:
	default:
		return NF_ACCEPT;
	}
}

/* Netfilter calls hooks inside rcu_read_lock(). */
static unsigned int hook6(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct nat64_instance *inst = nat64_instance_netfilter_rcu(state->net);

	return inst ? nf_verdict(nat64_translate6(inst, skb)) : NF_ACCEPT;
}

static unsigned int hook4(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct nat64_instance *inst = nat64_instance_netfilter_rcu(state->net);

	return inst ? nf_verdict(nat64_translate4(inst, skb)) : NF_ACCEPT;
}

static const struct nf_hook_ops nat64_nf_ops[] = {
	{
		.hook = hook6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST + 25,
	},
	{
		.hook = hook4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST + 25,
	},
};

int nat64_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, nat64_nf_ops, ARRAY_SIZE(nat64_nf_ops));
}

void nat64_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, nat64_nf_ops, ARRAY_SIZE(nat64_nf_ops));
}
