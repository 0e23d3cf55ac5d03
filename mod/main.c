// SPDX-License-Identifier: GPL-2.0
/*
 * nat64: a stateful NAT64 translator (RFC 6146) for Linux.
 * Module entry: per-namespace instances, the JOOL/NAT64 xtables targets
 * and the "nat64" generic netlink family, registered in that order so that
 * nothing can reach an instance before the structures behind it exist.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include "genl.h"
#include "hooks.h"
#include "instance.h"

static int __init nat64_init(void)
{
	int err;

	err = nat64_instance_init();
	if (err)
		return err;
	err = nat64_xt_init();
	if (err)
		goto instances;
	err = nat64_genl_init();
	if (err)
		goto xt;
	pr_info("loaded\n");
	return 0;
xt:
	nat64_xt_exit();
instances:
	nat64_instance_exit();
	return err;
}

/* Reverse order: no new configuration, no new rule hits, then every
 * namespace's instances go (pernet exit). */
static void __exit nat64_exit(void)
{
	nat64_genl_exit();
	nat64_xt_exit();
	nat64_instance_exit();
	pr_info("unloaded\n");
}

module_init(nat64_init);
module_exit(nat64_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Stateful NAT64 translator (RFC 6146)");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_GENL_FAMILY(NAT64_GENL_NAME);
/* iptables loads the module that provides a target by these names. */
MODULE_ALIAS("xt_JOOL");
MODULE_ALIAS("ipt_JOOL");
MODULE_ALIAS("ip6t_JOOL");
MODULE_ALIAS("xt_NAT64");
MODULE_ALIAS("ipt_NAT64");
MODULE_ALIAS("ip6t_NAT64");
