/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stateful NAT64 (RFC 6146 §3): pool4, BIB and session tables of one
 * instance, and the lookups the data path makes on them.
 *
 * Locking contract: lookups of existing sessions take no lock (RCU);
 * creating or deleting entries takes fine-grained locks only; nothing on
 * the data path walks a table. Data-path functions are called in softirq
 * context with rcu_read_lock() held.
 */
#ifndef NAT64_STATE_H
#define NAT64_STATE_H

#include "instance.h"

struct netlink_ext_ack;
struct sk_buff;

/* One pool4 entry as configured (pool4 add). Ports in host order. */
struct nat64_pool4_entry {
	u32 mark;
	u8 proto;		/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP */
	__be32 addr;
	u8 plen;
	u16 port_min;
	u16 port_max;
	u32 max_iterations;
};

/* Process context. */
struct nat64_state *nat64_state_create(struct nat64_instance *inst);
/* After the instance is unreachable and an RCU grace period has passed:
 * stops expiry work and frees every entry. */
void nat64_state_destroy(struct nat64_state *st);

/*
 * 6->4 (RFC 6146 §3.5, IPv6 side): pkt->t6 is (X',x) -> (Y',y); dst4 is Z,
 * already extracted from pool6 by the caller. Finds or creates the BIB
 * entry and session (endpoint-independent mapping), runs the TCP state
 * machine, refreshes the timer, and fills out with (T,t) -> (Z,z).
 * Returns 0, or -errno with *why set (e.g. DROP_POOL4_EXHAUSTED).
 */
int nat64_state_6to4(struct nat64_instance *inst, const struct nat64_pkt *pkt,
		     __be32 dst4, u32 mark, struct nat64_tuple4 *out,
		     enum nat64_stat *why);

/*
 * 4->6 (RFC 6146 §3.5, IPv4 side): pkt->t4 is (Z,z) -> (T,t). Finds the
 * BIB entry of (T,t), applies filtering, finds or creates the session and
 * fills out with (Y',y) -> (X',x), Y' = pool6 + Z. skb is the packet
 * itself (data at the IPv4 header); it is only read.
 * Returns 0; -ENOENT when (T,t) has no binding (not ours: *why =
 * DROP_NO_BIB4); -EINPROGRESS when the packet is an unsolicited SYN that
 * is now held for a simultaneous open (a copy was taken and counted as
 * SO_STORED: the caller consumes the skb and counts no drop); or -errno
 * with *why set.
 */
int nat64_state_4to6(struct nat64_instance *inst, const struct nat64_pkt *pkt,
		     const struct sk_buff *skb, struct nat64_tuple6 *out,
		     enum nat64_stat *why);

/* ICMP errors: map the inner packet's tuple without creating anything.
 * inner6 is the inner IPv6 packet as it travelled (Y',y) -> (X',x); fills
 * out with (Z,z) -> (T,t). inner4 likewise (T,t) -> (Z,z) to (X',x) -> (Y',y). */
int nat64_state_inner6(struct nat64_instance *inst, const struct nat64_tuple6 *inner6,
		       struct nat64_tuple4 *out);
int nat64_state_inner4(struct nat64_instance *inst, const struct nat64_tuple4 *inner4,
		       struct nat64_tuple6 *out);

/* Configuration (process context, called by state_nl.c). */
int nat64_pool4_add(struct nat64_instance *inst, const struct nat64_pool4_entry *e,
		    struct netlink_ext_ack *extack);
int nat64_pool4_del(struct nat64_instance *inst, const struct nat64_pool4_entry *e,
		    bool quick, struct netlink_ext_ack *extack);
void nat64_pool4_flush(struct nat64_instance *inst, bool quick);

#endif
