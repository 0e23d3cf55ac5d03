// SPDX-License-Identifier: GPL-2.0
/*
 * iptables mode: the xtables target "JOOL" (so that existing Jool rule
 * sets keep working) and its alias "NAT64", for IPv4 and IPv6, in mangle
 * PREROUTING: -j JOOL --instance NAME.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/netfilter/x_tables.h>
#include "hooks.h"
#include "instance.h"
#include "packet.h"

static unsigned int xt_verdict(enum nat64_verdict v)
{
	switch (v) {
	case NAT64_STOLEN:
		return NF_STOLEN;
	case NAT64_DROP:
		return NF_DROP;
	case NAT64_CONTINUE:
	default:
		return XT_CONTINUE;	/* later rules still apply */
	}
}

/* xtables runs targets inside rcu_read_lock(). A rule naming an instance
 * that does not exist (yet) lets packets through untouched. */
static struct nat64_instance *tg_instance(const struct xt_action_param *par)
{
	const struct xt_nat64_tginfo *info = par->targinfo;
	struct nat64_instance *inst;

	inst = nat64_instance_find_rcu(xt_net(par), info->instance);
	return inst && inst->framework == NAT64_FW_IPTABLES ? inst : NULL;
}

static unsigned int tg6(struct sk_buff *skb, const struct xt_action_param *par)
{
	struct nat64_instance *inst = tg_instance(par);

	return inst ? xt_verdict(nat64_translate6(inst, skb)) : XT_CONTINUE;
}

static unsigned int tg4(struct sk_buff *skb, const struct xt_action_param *par)
{
	struct nat64_instance *inst = tg_instance(par);

	return inst ? xt_verdict(nat64_translate4(inst, skb)) : XT_CONTINUE;
}

static int tg_check(const struct xt_tgchk_param *par)
{
	const struct xt_nat64_tginfo *info = par->targinfo;
	size_t len = strnlen(info->instance, NAT64_INAME_MAX);

	if (len == 0 || len == NAT64_INAME_MAX) {
		pr_info_ratelimited("JOOL target: bad instance name\n");
		return -EINVAL;
	}
	if (info->flags) {
		pr_info_ratelimited("JOOL target: unknown flags 0x%x\n", info->flags);
		return -EINVAL;
	}
	return 0;
}

#define NAT64_TARGET(tname, fam, fn) {				\
	.name = tname,						\
	.revision = 0,						\
	.family = fam,						\
	.table = "mangle",					\
	.hooks = 1 << NF_INET_PRE_ROUTING,			\
	.target = fn,						\
	.targetsize = sizeof(struct xt_nat64_tginfo),		\
	.checkentry = tg_check,					\
	.me = THIS_MODULE,					\
}

static struct xt_target nat64_tg_reg[] __read_mostly = {
	NAT64_TARGET("JOOL", NFPROTO_IPV6, tg6),
	NAT64_TARGET("JOOL", NFPROTO_IPV4, tg4),
	NAT64_TARGET("NAT64", NFPROTO_IPV6, tg6),
	NAT64_TARGET("NAT64", NFPROTO_IPV4, tg4),
};

int nat64_xt_init(void)
{
	return xt_register_targets(nat64_tg_reg, ARRAY_SIZE(nat64_tg_reg));
}

void nat64_xt_exit(void)
{
	xt_unregister_targets(nat64_tg_reg, ARRAY_SIZE(nat64_tg_reg));
}
