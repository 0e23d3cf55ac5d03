/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the stateful part, shared by state.c (BIB, sessions,
 * expiry), pool4.c (pool4 and port allocation) and state_nl.c (netlink).
 * Nothing outside these three files includes it.
 *
 * Objects and their locks:
 *  - struct nat64_bib: one binding (X',x) <-> (T,t). In two rhashtables
 *    (bib6 keyed (X',x), bib4 keyed (T,t)). bib->lock protects its session
 *    list, ->dead and ->is_static. A dynamic BIB dies with its last session.
 *  - struct nat64_session: one flow. In sess6 keyed (X',x,Z,y) and sess4
 *    keyed (T,t,Z,z); both keys reach X',x,T,t through ->bib, so a session
 *    stores only Z and the remote port. On its BIB's list (RCU hlist, for
 *    address-dependent filtering and BIB removal) and on one expiry list.
 *  - struct nat64_explist: per CPU; a session stays on the list of the CPU
 *    that created it, one list per timer class. Its lock protects ->exp,
 *    ->cls, ->listed and the TCP ->state.
 *  - struct nat64_paddr: the port bitmap of one pool4 address; ->lock.
 *    Lock order: bib->lock, then an explist lock; paddr->lock is a leaf.
 * Readers (the data path) take none of these locks to find a flow.
 */
#ifndef NAT64_STATE_INT_H
#define NAT64_STATE_INT_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "state.h"
#include "core/port_alloc.h"

enum { NAT64_PI_TCP, NAT64_PI_UDP, NAT64_PI_ICMP, NAT64_NPROTO };

/* Expiry (timer) classes: each has one timeout, so appending keeps order. */
enum nat64_cls {
	NAT64_CLS_UDP,
	NAT64_CLS_ICMP,
	NAT64_CLS_TCP_EST,
	NAT64_CLS_TCP_TRANS,
	NAT64_CLS_TCP_SYN4,
	NAT64_NCLS,
	NAT64_CLS_NONE = 0xfe,	/* being created: on no list yet */
	NAT64_CLS_DEAD = 0xff,	/* claimed for removal */
};

struct nat64_p4range;

/* Port bitmap of one IPv4 address of pool4 (or of a default address). */
struct nat64_paddr {
	spinlock_t lock;
	bool live;			/* still part of pool4: may allocate */
	refcount_t refs;		/* owner (range or default list) + BIBs */
	__be32 addr;
	struct nat64_p4range *range;	/* NULL once detached; for nfree */
	struct list_head dflt;		/* on st->dflt[] (default addresses) */
	struct rcu_head rcu;
	struct nat64_ports ports;	/* last: flexible bitmap */
};

/* One pool4 entry: a prefix of addresses sharing a port range. */
struct nat64_p4range {
	struct list_head list;		/* st->ranges[proto], RCU */
	struct hlist_node hnode;	/* st->p4hash[proto], RCU */
	struct list_head dead;		/* private list while being removed */
	struct list_head pieces;	/* split: its replacements, under cfg */
	struct rcu_head rcu;
	struct nat64_pool4_entry e;	/* addr masked to plen */
	u32 naddrs;
	spinlock_t lock;		/* ->dead and lazy ->pa[] installs */
	bool removed;
	atomic_long_t nfree;		/* free ports over all addresses */
	struct nat64_paddr __rcu *pa[];	/* lazily allocated bitmaps */
};

struct nat64_bib {
	struct rhash_head node6;
	struct rhash_head node4;
	struct in6_addr addr6;		/* X' */
	__be32 addr4;			/* T */
	__be16 port6;			/* x */
	__be16 port4;			/* t */
	u8 proto;			/* IPPROTO_TCP/UDP/ICMP */
	bool is_static;
	bool dead;			/* unusable: being created or removed */
	spinlock_t lock;
	struct hlist_head sessions;
	struct nat64_paddr *pa;		/* holds port4's bit, counted */
	struct rcu_head rcu;
};

struct nat64_session {
	struct rhash_head node6;
	struct rhash_head node4;
	struct hlist_node bib_node;	/* on bib->sessions */
	union {
		struct list_head exp;	/* on an expiry list, under its lock */
		struct rcu_head rcu;	/* once off every list */
	};
	struct nat64_bib *bib;
	unsigned long expires;		/* jiffies; refreshed without a lock */
	u32 listed;			/* (u32) expiry when put on its list */
	__be32 raddr;			/* Z (Y' = pool6 + Z) */
	__be16 rport;			/* z = y; 0 for ICMP (id is the BIB's) */
	u8 state;			/* enum nat64_tcp_state */
	u8 cls;				/* enum nat64_cls */
	u16 cpu;			/* whose expiry list */
};

struct nat64_tables {
	struct rhashtable bib6;
	struct rhashtable bib4;
	struct rhashtable sess6;
	struct rhashtable sess4;
};

struct nat64_explist {
	spinlock_t lock;
	struct list_head head[NAT64_NCLS];
};

/*
 * An unsolicited IPv4 SYN held for a simultaneous open (RFC 6146
 * §3.5.2.2): a copy of its first bytes, for the ICMP error sent if no IPv6
 * SYN towards (Z,z) claims it within 6 s. Hashed by (Z,z), the IPv6 SYN's
 * destination; (T,t) is the address it was sent to.
 */
struct nat64_so {
	struct hlist_node hnode;	/* st->so.hash, RCU */
	struct list_head fifo;		/* st->so.fifo, oldest first */
	struct rcu_head rcu;
	unsigned long expires;		/* jiffies */
	__be32 z4;
	__be32 t4;
	__be16 z;
	__be16 t;
	u16 len;
	u8 data[];			/* from the IPv4 header on */
};

#define NAT64_SO_HASH_BITS	6

/* Held SYNs of one instance; at most maximum-simultaneous-opens. */
struct nat64_so_store {
	spinlock_t lock;
	u32 count;			/* lockless readers: READ_ONCE */
	struct list_head fifo;
	struct hlist_head hash[1 << NAT64_SO_HASH_BITS];
};

/* pool4 entries are hashed by (prefix, length); lengths 16..32. */
#define NAT64_P4_MIN_PLEN	16
#define NAT64_P4_NPLEN		(32 - NAT64_P4_MIN_PLEN + 1)
#define NAT64_P4_HASH_BITS	8

struct nat64_state {
	struct nat64_instance *inst;
	struct nat64_tables tab[NAT64_NPROTO];
	struct nat64_explist __percpu *exp;
	atomic_t nsessions;
	struct delayed_work gc;
	/* pool4 */
	struct mutex cfg;		/* pool4 and static BIB changes */
	struct list_head ranges[NAT64_NPROTO];
	u32 nranges;
	/* The same entries by (prefix, length), for "does (T,t) belong to
	 * pool4" without a walk: one bucket per length in use. */
	struct hlist_head p4hash[NAT64_NPROTO][1 << NAT64_P4_HASH_BITS];
	unsigned long p4plens[NAT64_NPROTO];	/* bit plen - 16: in use */
	u16 p4plen_n[NAT64_NPROTO][NAT64_P4_NPLEN];	/* under cfg */
	spinlock_t dflt_lock;		/* adding to dflt[] */
	struct list_head dflt[NAT64_NPROTO];
	siphash_key_t p4key;		/* RFC 6056 port/address choice */
	struct nat64_so_store so;
};

static inline int nat64_proto_index(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return NAT64_PI_TCP;
	case IPPROTO_UDP:
		return NAT64_PI_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return NAT64_PI_ICMP;
	}
	return -1;
}

static inline u8 nat64_index_proto(int pi)
{
	static const u8 protos[NAT64_NPROTO] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	return protos[pi];
}

/* pool4.c */
int nat64_p4_alloc(struct nat64_state *st, int pi, u32 mark,
		   const struct in6_addr *x6, __be16 x, __be32 *addr,
		   __be16 *port, struct nat64_paddr **pa, enum nat64_stat *why);
int nat64_p4_take(struct nat64_state *st, int pi, __be32 addr, __be16 port,
		  struct nat64_paddr **pa, struct netlink_ext_ack *extack);
/* Data path (RCU): take (addr, port) for a flow of this mark, if pool4
 * (or the default own addresses) offers it to that mark and it is free. */
int nat64_p4_take_atomic(struct nat64_state *st, int pi, u32 mark, __be32 addr,
			 __be16 port, struct nat64_paddr **pa);
/* Data path (RCU): is (addr, port) a pool4 transport address of proto pi,
 * for any mark? O(number of prefix lengths in use), no walk. */
bool nat64_p4_owns(struct nat64_state *st, int pi, __be32 addr, __be16 port);
void nat64_p4_init(struct nat64_state *st);
void nat64_p4_release(struct nat64_paddr *pa, __be16 port);
void nat64_paddr_put(struct nat64_paddr *pa);
void nat64_p4_destroy(struct nat64_state *st);
bool nat64_p4_range_has(const struct nat64_pool4_entry *e, __be32 addr);

/* state.c, for pool4.c and state_nl.c (process context) */
void nat64_state_kill_range(struct nat64_state *st, int pi,
			    const struct nat64_pool4_entry *e);
int nat64_bib_add_static(struct nat64_instance *inst, u8 proto,
			 const struct in6_addr *a6, __be16 p6, __be32 a4,
			 __be16 p4, struct netlink_ext_ack *extack);
int nat64_bib_del(struct nat64_instance *inst, u8 proto,
		  const struct in6_addr *a6, __be16 p6, const __be32 *a4,
		  __be16 p4, struct netlink_ext_ack *extack);
/* Resumable walk of one table for dumps: pos[0] bucket, pos[1] index in
 * its chain. fn returns nonzero when the message is full; the walk then
 * stops with pos at that entry and returns -EMSGSIZE. */
int nat64_table_walk(struct rhashtable *ht, u64 *pos,
		     int (*fn)(void *obj, void *arg), void *arg);
unsigned long nat64_session_expires(const struct nat64_session *s);

/* state_emit.c: packets the stateful part originates (process context or
 * softirq; the caller holds no spinlock). */
int nat64_emit_port_unreach4(struct net *net, const u8 *orig, unsigned int len);
int nat64_emit_probe6(struct net *net, const struct in6_addr *saddr, __be16 sport,
		      const struct in6_addr *daddr, __be16 dport);

#endif
