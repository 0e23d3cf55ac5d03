// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel glue of the stateful part: what the portable table code
 * (state*.c, pool4.c) cannot do in userspace - the delayed work that runs
 * the gc every second, the test_timeout_divisor module parameter, and the
 * network namespace's own IPv4 addresses (the default pool4).
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/inetdevice.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>
#include "state_int.h"

/*
 * Testing only: every timeout (and the 6 s of held SYNs) is divided by
 * this, so that a VM test can watch an established TCP session expire and
 * be probed (tcp-est-timeout is at least 2 hours). Read-only once loaded;
 * the module warns when it is not 1.
 */
unsigned int nat64_timeout_divisor = 1;
module_param_named(test_timeout_divisor, nat64_timeout_divisor, uint, 0444);
MODULE_PARM_DESC(test_timeout_divisor,
		 "TESTING ONLY: divide every session timeout by this (default 1)");

struct nat64_gc {
	struct delayed_work work;
	struct nat64_state *st;
};

static void gc_work(struct work_struct *work)
{
	struct nat64_gc *gc = container_of(to_delayed_work(work), struct nat64_gc, work);
	bool more = nat64_state_gc(gc->st);

	/* Out of budget: more is due, come back at once (after yielding). */
	queue_delayed_work(system_power_efficient_wq, &gc->work, more ? 1 : HZ);
}

struct nat64_state *nat64_state_create(struct nat64_instance *inst)
{
	struct nat64_state *st;
	struct nat64_gc *gc;

	gc = kzalloc(sizeof(*gc), GFP_KERNEL);
	if (!gc)
		return NULL;
	st = nat64_state_alloc(inst);
	if (!st) {
		kfree(gc);
		return NULL;
	}
	if (nat64_timeout_divisor != 1)
		pr_warn_once("test_timeout_divisor=%u: timeouts are not the configured ones (testing only)\n",
			     nat64_timeout_divisor);
	gc->st = st;
	st->gc = gc;
	INIT_DELAYED_WORK(&gc->work, gc_work);
	queue_delayed_work(system_power_efficient_wq, &gc->work, HZ);
	return st;
}

void nat64_state_destroy(struct nat64_state *st)
{
	struct nat64_gc *gc;

	if (!st)
		return;
	gc = st->gc;
	/* Also stops the work from queueing itself again. */
	cancel_delayed_work_sync(&gc->work);
	kfree(gc);
	nat64_state_free(st);
}

static bool usable_own_addr(__be32 a)
{
	return !ipv4_is_loopback(a) && !ipv4_is_zeronet(a) && !ipv4_is_multicast(a);
}

unsigned int nat64_own_addrs_each(struct net *net, bool (*fn)(__be32 a, void *arg),
				  void *arg)
{
	struct net_device *dev;
	struct in_device *in_dev;
	const struct in_ifaddr *ifa;
	unsigned int n = 0;

	for_each_netdev_rcu(net, dev) {
		in_dev = __in_dev_get_rcu(dev);
		if (!in_dev)
			continue;
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (!usable_own_addr(ifa->ifa_local))
				continue;
			n++;
			if (fn(ifa->ifa_local, arg))
				return n;
		}
	}
	return n;
}

bool nat64_own_addr(struct net *net, __be32 a)
{
	return usable_own_addr(a) && __ip_dev_find(net, a, false);
}
