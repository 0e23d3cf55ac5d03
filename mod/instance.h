/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An instance of the translator: its configuration, its tables and its
 * counters. Instances live in a per-network-namespace list (instance.c);
 * the data path finds them under RCU and never takes a lock to do so.
 */
#ifndef NAT64_INSTANCE_H
#define NAT64_INSTANCE_H

#include "core/platform_os.h"	/* lists, RCU, refcount: also in userspace */
#include "core/tuple.h"
#include "core/xlat.h"
#include "../include/nat64.h"

struct nat64_state;	/* BIB, sessions and pool4: state.c */
struct nat64_stats;	/* per-CPU counters: stats.c */
struct net;
struct netlink_ext_ack;

/*
 * Globals. The data path reads them without a lock (READ_ONCE per field);
 * GLOBAL_SET validates the whole request first, then writes under the
 * instance's config mutex, so a reader may see a mix of old and new values
 * for an instant but never a half-validated one.
 */
struct nat64_globals {
	bool enabled;
	u32 lowest_ipv6_mtu;
	bool logging_debug;
	bool zeroize_traffic_class;
	bool override_tos;
	u8 tos;
	u16 plateaus[NAT64_MAX_PLATEAUS];
	u8 plateau_count;
	bool address_dependent_filtering;
	bool drop_externally_initiated_tcp;
	bool drop_icmpv6_info;
	bool source_icmpv6_errors_better;
	u8 f_args;
	bool handle_rst_during_fin_rcv;
	u32 tcp_est_timeout;	/* seconds */
	u32 tcp_trans_timeout;
	u32 udp_timeout;
	u32 icmp_timeout;
	u32 max_simultaneous_opens;
	bool logging_bib;
	bool logging_session;
	u32 max_sessions;	/* 0 = unlimited */
};

struct nat64_instance {
	struct list_head list;		/* in the netns list, RCU */
	struct list_head unlinked;	/* flush: waiting for the grace period */
	struct rcu_head rcu;
	refcount_t refs;
	struct net *net;		/* not counted: the instance dies first */
	char name[NAT64_INAME_MAX];
	u8 framework;			/* enum nat64_framework */
	struct nat64_prefix6 pool6;	/* fixed after creation */
	struct nat64_globals globals;
	struct nat64_state *state;
	struct nat64_stats __percpu *stats;
};

/* instance.c */
int nat64_instance_init(void);
void nat64_instance_exit(void);
/* RCU read side: the caller holds rcu_read_lock() (or the namespace's
 * instance mutex) and uses the result only inside it (no reference taken). */
struct nat64_instance *nat64_instance_find_rcu(struct net *net, const char *name);
struct nat64_instance *nat64_instance_netfilter_rcu(struct net *net);
/* Process context: returns a counted reference or NULL. */
struct nat64_instance *nat64_instance_get(struct net *net, const char *name);
void nat64_instance_put(struct nat64_instance *inst);
/* globals: the keys to start with (validated by the caller) */
int nat64_instance_add(struct net *net, const char *name, u8 framework,
		       const struct nat64_prefix6 *pool6,
		       const struct nat64_globals *globals,
		       struct netlink_ext_ack *extack);
int nat64_instance_del(struct net *net, const char *name,
		       struct netlink_ext_ack *extack);
void nat64_instance_flush(struct net *net);
/* Iterate for dumps: the idx-th instance of net (RCU), or NULL. */
struct nat64_instance *nat64_instance_nth_rcu(struct net *net, unsigned long idx);
void nat64_globals_default(struct nat64_globals *g);

#endif
