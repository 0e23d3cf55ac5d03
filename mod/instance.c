// SPDX-License-Identifier: GPL-2.0
/*
 * Instances, per network namespace. Writers (netlink, namespace exit)
 * serialise on the namespace's mutex; the data path finds instances under
 * RCU. An instance is freed when its last reference goes, which is after
 * it has been unlinked and a grace period has passed, so no packet can
 * still be using its tables.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/netns/generic.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include "instance.h"
#include "hooks.h"
#include "state.h"
#include "stats.h"
#include "core/rfc6052.h"

struct nat64_pernet {
	struct mutex lock;			/* writers */
	struct list_head instances;		/* RCU readers */
	struct nat64_instance __rcu *netfilter;	/* the greedy one, if any */
};

static unsigned int nat64_net_id __read_mostly;

static struct nat64_pernet *pernet(struct net *net)
{
	return net_generic(net, nat64_net_id);
}

static const u16 default_plateaus[] = {
	65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68
};

void nat64_globals_default(struct nat64_globals *g)
{
	memset(g, 0, sizeof(*g));
	g->enabled = true;
	g->lowest_ipv6_mtu = NAT64_DEF_LOWEST_IPV6_MTU;
	memcpy(g->plateaus, default_plateaus, sizeof(default_plateaus));
	g->plateau_count = ARRAY_SIZE(default_plateaus);
	g->source_icmpv6_errors_better = true;
	g->f_args = NAT64_DEF_F_ARGS;
	g->tcp_est_timeout = NAT64_DEF_TCP_EST_TIMEOUT;
	g->tcp_trans_timeout = NAT64_DEF_TCP_TRANS_TIMEOUT;
	g->udp_timeout = NAT64_DEF_UDP_TIMEOUT;
	g->icmp_timeout = NAT64_DEF_ICMP_TIMEOUT;
	g->max_simultaneous_opens = NAT64_DEF_MAX_SIMULTANEOUS_OPENS;
}

/* Under RCU (packets, dumps) or the namespace's mutex (writers checking
 * a name): lockdep is told about the second, for PROVE_RCU_LIST. */
struct nat64_instance *nat64_instance_find_rcu(struct net *net, const char *name)
{
	struct nat64_pernet *pn = pernet(net);
	struct nat64_instance *inst;

	list_for_each_entry_rcu(inst, &pn->instances, list,
				lockdep_is_held(&pn->lock))
		if (strncmp(inst->name, name, NAT64_INAME_MAX) == 0)
			return inst;
	return NULL;
}

struct nat64_instance *nat64_instance_netfilter_rcu(struct net *net)
{
	return rcu_dereference(pernet(net)->netfilter);
}

struct nat64_instance *nat64_instance_nth_rcu(struct net *net, unsigned long idx)
{
	struct nat64_instance *inst;

	list_for_each_entry_rcu(inst, &pernet(net)->instances, list)
		if (idx-- == 0)
			return inst;
	return NULL;
}

struct nat64_instance *nat64_instance_get(struct net *net, const char *name)
{
	struct nat64_instance *inst;

	rcu_read_lock();
	inst = nat64_instance_find_rcu(net, name);
	if (inst && !refcount_inc_not_zero(&inst->refs))
		inst = NULL;
	rcu_read_unlock();
	return inst;
}

static void instance_free(struct nat64_instance *inst)
{
	if (inst->state)
		nat64_state_destroy(inst->state);
	nat64_stats_free(inst->stats);
	kfree(inst);
}

/* The last reference goes only after unlink + synchronize_rcu (see
 * instance_unlink), so freeing here cannot race with the data path. */
void nat64_instance_put(struct nat64_instance *inst)
{
	if (refcount_dec_and_test(&inst->refs))
		instance_free(inst);
}

/* ASCII only: the kernel's isalnum() also accepts Latin-1 letters. */
static bool name_char_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool name_valid(const char *name)
{
	size_t i, len = strnlen(name, NAT64_INAME_MAX);

	if (len == 0 || len >= NAT64_INAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!name_char_valid(name[i]))
			return false;
	return true;
}

static struct nat64_instance *instance_alloc(struct net *net, const char *name,
					     u8 framework,
					     const struct nat64_prefix6 *pool6,
					     const struct nat64_globals *globals)
{
	struct nat64_instance *inst = kzalloc(sizeof(*inst), GFP_KERNEL);

	if (!inst)
		return NULL;
	refcount_set(&inst->refs, 1);
	inst->net = net;
	strscpy(inst->name, name, sizeof(inst->name));
	inst->framework = framework;
	inst->pool6 = *pool6;
	inst->globals = *globals;
	inst->stats = nat64_stats_alloc();
	if (!inst->stats)
		goto fail;
	inst->state = nat64_state_create(inst);
	if (!inst->state)
		goto fail;
	return inst;
fail:
	instance_free(inst);
	return NULL;
}

/* Defragmentation must run before us in both families: the translator
 * needs whole transport headers. Referenced once per instance. */
static int defrag_enable(struct net *net)
{
	int err = nf_defrag_ipv4_enable(net);

	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		nf_defrag_ipv4_disable(net);
	return err;
}

static void defrag_disable(struct net *net)
{
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
}

static int check_add(struct nat64_pernet *pn, struct net *net, const char *name,
		     u8 framework, const struct nat64_prefix6 *pool6,
		     struct netlink_ext_ack *extack)
{
	if (!name_valid(name)) {
		NL_SET_ERR_MSG(extack, "Invalid instance name: 1-15 characters of [A-Za-z0-9_.-]");
		return -EINVAL;
	}
	if (framework != NAT64_FW_NETFILTER && framework != NAT64_FW_IPTABLES) {
		NL_SET_ERR_MSG(extack, "Framework must be netfilter or iptables");
		return -EINVAL;
	}
	if (!nat64_prefix6_valid(pool6)) {
		NL_SET_ERR_MSG(extack, "pool6 must be an RFC 6052 prefix: length 32, 40, 48, 56, 64 or 96, host bits and bits 64-71 zero");
		return -EINVAL;
	}
	if (nat64_instance_find_rcu(net, name)) {
		NL_SET_ERR_MSG(extack, "An instance with that name already exists in this namespace");
		return -EEXIST;
	}
	if (framework == NAT64_FW_NETFILTER &&
	    rcu_access_pointer(pn->netfilter)) {
		NL_SET_ERR_MSG(extack, "This namespace already has a netfilter instance (only one can hook the namespace)");
		return -EEXIST;
	}
	return 0;
}

int nat64_instance_add(struct net *net, const char *name, u8 framework,
		       const struct nat64_prefix6 *pool6,
		       const struct nat64_globals *globals,
		       struct netlink_ext_ack *extack)
{
	struct nat64_pernet *pn = pernet(net);
	struct nat64_instance *inst;
	int err;

	mutex_lock(&pn->lock);
	err = check_add(pn, net, name, framework, pool6, extack);
	if (err)
		goto unlock;
	err = -ENOMEM;
	inst = instance_alloc(net, name, framework, pool6, globals);
	if (!inst) {
		NL_SET_ERR_MSG(extack, "Out of memory creating the instance");
		goto unlock;
	}
	err = defrag_enable(net);
	if (err) {
		NL_SET_ERR_MSG(extack, "Cannot enable IPv4/IPv6 defragmentation");
		goto free;
	}
	if (framework == NAT64_FW_NETFILTER) {
		err = nat64_hooks_register(net);
		if (err) {
			NL_SET_ERR_MSG(extack, "Cannot register the netfilter hooks");
			goto defrag;
		}
		rcu_assign_pointer(pn->netfilter, inst);
	}
	list_add_tail_rcu(&inst->list, &pn->instances);
	mutex_unlock(&pn->lock);
	pr_info("instance %s added (%s)\n", name,
		framework == NAT64_FW_NETFILTER ? "netfilter" : "iptables");
	return 0;
defrag:
	defrag_disable(net);
free:
	instance_free(inst);
unlock:
	mutex_unlock(&pn->lock);
	return err;
}

/* Caller holds pn->lock; the caller must synchronize_rcu() before the
 * final put. */
static void instance_unlink(struct nat64_pernet *pn, struct nat64_instance *inst)
{
	if (rcu_access_pointer(pn->netfilter) == inst) {
		RCU_INIT_POINTER(pn->netfilter, NULL);
		nat64_hooks_unregister(inst->net);
	}
	list_del_rcu(&inst->list);
	defrag_disable(inst->net);
}

int nat64_instance_del(struct net *net, const char *name,
		       struct netlink_ext_ack *extack)
{
	struct nat64_pernet *pn = pernet(net);
	struct nat64_instance *inst;

	mutex_lock(&pn->lock);
	inst = nat64_instance_find_rcu(net, name);
	if (!inst) {
		mutex_unlock(&pn->lock);
		NL_SET_ERR_MSG(extack, "No instance with that name in this namespace");
		return -ESRCH;
	}
	instance_unlink(pn, inst);
	mutex_unlock(&pn->lock);
	synchronize_rcu();
	nat64_instance_put(inst);
	pr_info("instance %s removed\n", name);
	return 0;
}

void nat64_instance_flush(struct net *net)
{
	struct nat64_pernet *pn = pernet(net);
	struct nat64_instance *inst, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&pn->lock);
	list_for_each_entry_safe(inst, tmp, &pn->instances, list) {
		instance_unlink(pn, inst);
		/* ->list stays as list_del_rcu left it for readers still
		 * walking; the dead list uses a field of its own. */
		list_add(&inst->unlinked, &dead);
	}
	mutex_unlock(&pn->lock);
	if (list_empty(&dead))
		return;
	synchronize_rcu();	/* one grace period for all of them */
	list_for_each_entry_safe(inst, tmp, &dead, unlinked)
		nat64_instance_put(inst);
}

static int __net_init nat64_net_init(struct net *net)
{
	struct nat64_pernet *pn = pernet(net);

	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->instances);
	RCU_INIT_POINTER(pn->netfilter, NULL);
	return 0;
}

static void __net_exit nat64_net_exit(struct net *net)
{
	nat64_instance_flush(net);
}

static struct pernet_operations nat64_net_ops = {
	.init = nat64_net_init,
	.exit = nat64_net_exit,
	.id = &nat64_net_id,
	.size = sizeof(struct nat64_pernet),
};

int nat64_instance_init(void)
{
	return register_pernet_subsys(&nat64_net_ops);
}

void nat64_instance_exit(void)
{
	unregister_pernet_subsys(&nat64_net_ops);
}
