/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the stateful part, shared by its files:
 *  - portable (compiled into the module and, for the unit tests, into
 *    userspace against core/platform_os.h): state.c (life cycle),
 *    state_table.c (hashes, tables, caches; keys in state_keys.h),
 *    state_bib.c (BIB entries), state_session.c (sessions, timer classes),
 *    state_path.c (the data path's lookups), state_so.c (simultaneous
 *    open), state_expiry.c (gc pass), pool4.c (pool4, port choice);
 *  - kernel only: state_kernel.c (gc work, module parameter, the
 *    namespace's own addresses), state_emit.c (packets the state code
 *    sends), state_nl.c (netlink).
 *
 * Objects and their locks:
 *  - struct nat64_bib: one binding (X',x) <-> (T,t). In two rhashtables
 *    (bib6 keyed (X',x), bib4 keyed (T,t)). bib->lock protects its session
 *    list, ->dead and ->is_static. A dynamic BIB dies with its last session.
 *  - struct nat64_session: one flow. In one rhashtable, sess, keyed
 *    (T,t,Z,z); the key reaches T,t through ->bib, so a session stores
 *    only Z and the remote port. There is no table by the IPv6 side: a
 *    6->4 packet finds its BIB entry in bib6 by (X',x), then the session
 *    by that entry's (T,t) and (Z,y) (nat64_sess6_find()). One table
 *    instead of two saves a bucket array and a hash node per session
 *    (memory: docs/STATE.md). On its BIB's list (RCU hlist, for
 *    address-dependent filtering and BIB removal) and on one expiry list.
 *    It is linked to its live BIB before it enters sess and leaves sess
 *    before it is unlinked, so a BIB entry leaves bib4 (and gives (T,t)
 *    back to pool4) only after every session keyed by (T,t) left sess.
 *  - struct nat64_explist: one of st->nexp; a session stays on the list of
 *    the shard (CPU modulo st->nexp) that created it, one list per timer
 *    class. Its lock protects ->exp, ->listed and ->sc (TCP state and
 *    timer class).
 *  - struct nat64_paddr: the port bitmap of one pool4 address; ->lock.
 *    Lock order: bib->lock, then an explist lock; paddr->lock is a leaf.
 * Readers (the data path) take none of these locks to find a flow.
 */
#ifndef NAT64_STATE_INT_H
#define NAT64_STATE_INT_H

#include "core/platform_os.h"
#include "state.h"
#include "stats.h"
#include "core/flow_hash.h"
#include "core/port_alloc.h"
#include "core/tcp_state.h"

#define NAT64_GC_BATCH		64	/* sessions per lock hold */
#define NAT64_GC_BUDGET		16384	/* sessions per gc pass */
#define NAT64_CREATE_TRIES	3	/* races with a dying BIB entry */

enum { NAT64_PI_TCP, NAT64_PI_UDP, NAT64_PI_ICMP, NAT64_NPROTO };

/* Expiry (timer) classes: each has one timeout, so appending keeps order. */
enum nat64_cls {
	NAT64_CLS_UDP,
	NAT64_CLS_ICMP,
	NAT64_CLS_TCP_EST,
	NAT64_CLS_TCP_TRANS,
	NAT64_CLS_TCP_SYN4,
	NAT64_NCLS,
	NAT64_CLS_NONE = 0xe,	/* being created: on no list yet */
	NAT64_CLS_DEAD = 0xf,	/* claimed for removal */
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

/*
 * 64 bytes (the static assertion below), one cache line: at a million
 * sessions every byte here is a megabyte. Hence 32-bit jiffies (timeouts
 * are capped so that they compare, see below), the TCP state and the timer
 * class in one byte, and a one-byte expiry shard instead of a CPU number.
 */
struct nat64_session {
	struct rhash_head node;		/* in sess */
	struct hlist_node bib_node;	/* on bib->sessions */
	union {
		struct list_head exp;	/* on an expiry list, under its lock */
		struct rcu_head rcu;	/* once off every list */
	};
	struct nat64_bib *bib;
	u32 expires;			/* (u32) jiffies; refreshed without a lock */
	u32 listed;			/* (u32) expiry when put on its list */
	__be32 raddr;			/* Z (Y' = pool6 + Z) */
	__be16 rport;			/* z = y; 0 for ICMP (id is the BIB's) */
	u8 sc;				/* NAT64_SC(TCP state, timer class) */
	u8 shard;			/* its expiry list: st->exp[shard] */
};

_Static_assert(sizeof(struct nat64_session) <= 64,
	       "struct nat64_session must stay within 64 bytes (memory per session)");
/* Every expiry is at most NAT64_MAX_TIMEOUT (plus the gc's 1/8) ahead of
 * or behind the clock; 32-bit jiffies compare right within 2^31. */
_Static_assert((u64)NAT64_MAX_TIMEOUT * HZ / 8 * 9 < (1ULL << 31),
	       "timeouts too long for 32-bit jiffies");
_Static_assert(__NAT64_TCP_STATE_COUNT <= 16 && NAT64_CLS_DEAD <= 15,
	       "the TCP state and the timer class share a byte");

/* ->sc: TCP state in the low nibble, timer class in the high one. Written
 * under the explist lock (before publication: by the creator); read with
 * READ_ONCE anywhere. */
#define NAT64_SC(state, cls)	((u8)(((cls) << 4) | (state)))
#define NAT64_SC_STATE(sc)	((u8)((sc) & 0xf))
#define NAT64_SC_CLS(sc)	((unsigned int)(sc) >> 4)

static inline u8 nat64_sess_state(const struct nat64_session *s)
{
	return NAT64_SC_STATE(READ_ONCE(s->sc));
}

static inline unsigned int nat64_sess_cls(const struct nat64_session *s)
{
	return NAT64_SC_CLS(READ_ONCE(s->sc));
}

/* Explist lock held (or s unpublished). */
static inline void nat64_sess_set(struct nat64_session *s, u8 state, unsigned int cls)
{
	WRITE_ONCE(s->sc, NAT64_SC(state, cls));
}

struct nat64_tables {
	struct rhashtable bib6;
	struct rhashtable bib4;
	struct rhashtable sess;
};

/* Expiry shards: one per CPU up to this many (->shard is a byte). */
#define NAT64_EXP_SHARDS_MAX	256

struct nat64_explist {
	spinlock_t lock;
	struct list_head head[NAT64_NCLS];
} ____cacheline_aligned_in_smp;

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
	struct nat64_explist *exp;	/* nexp of them */
	unsigned int nexp;
	atomic_t nsessions;
	void *gc;			/* the glue's (state_kernel.c: delayed work) */
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

struct nat64_sess6_key;
struct nat64_sess4_key;

/* state.c: the tables of an instance, without the gc work (the glue's) */
struct nat64_state *nat64_state_alloc(struct nat64_instance *inst);
void nat64_state_free(struct nat64_state *st);

/* state_table.c */
extern struct kmem_cache *nat64_bib_cache;
extern struct kmem_cache *nat64_sess_cache;
extern struct nat64_hash_key nat64_hash_key;
int nat64_caches_get(void);
void nat64_caches_put(void);
int nat64_tables_init(struct nat64_tables *t);
void nat64_tables_destroy(struct nat64_tables *t);

/* state_bib.c */
void nat64_log_bib(const struct nat64_state *st, const struct nat64_bib *b,
		   const char *what);
struct nat64_bib *nat64_bib_alloc(const struct in6_addr *a6, __be16 p6, __be32 a4,
				  __be16 p4, u8 proto, struct nat64_paddr *pa, gfp_t gfp);
/* Publish b in bib4, then bib6: NULL, or b is gone (see the function). */
struct nat64_bib *nat64_bib_publish(struct nat64_tables *t, struct nat64_bib *b);
struct nat64_bib *nat64_bib_create(struct nat64_state *st, int pi, u32 mark,
				   const struct in6_addr *x6, __be16 x,
				   enum nat64_stat *why);
bool nat64_bib_link(struct nat64_bib *b, struct nat64_session *s);
void nat64_bib_unlink(struct nat64_state *st, struct nat64_bib *b,
		      struct nat64_session *s);
void nat64_bib_put_if_unused(struct nat64_state *st, struct nat64_bib *b);
/* pool4.c and state_nl.c (process context) */
void nat64_state_kill_range(struct nat64_state *st, int pi,
			    const struct nat64_pool4_entry *e);
int nat64_bib_add_static(struct nat64_instance *inst, u8 proto,
			 const struct in6_addr *a6, __be16 p6, __be32 a4,
			 __be16 p4, struct netlink_ext_ack *extack);
int nat64_bib_del(struct nat64_instance *inst, u8 proto,
		  const struct in6_addr *a6, __be16 p6, const __be32 *a4,
		  __be16 p4, struct netlink_ext_ack *extack);

/* state_session.c */
/* Every timeout is divided by this (module parameter test_timeout_divisor). */
extern unsigned int nat64_timeout_divisor;
unsigned long nat64_cls_timeout(const struct nat64_instance *inst, unsigned int cls);
unsigned int nat64_timer_cls(u8 timer);
unsigned int nat64_tcp_opts(const struct nat64_instance *inst);
void nat64_log_session(const struct nat64_state *st, const struct nat64_session *s,
		       const char *what);
void nat64_sess_relist(struct nat64_state *st, struct nat64_session *s,
		       struct nat64_explist *l, u8 state, unsigned int cls);
bool nat64_sess_claim(struct nat64_state *st, struct nat64_session *s);
void nat64_sess_destroy(struct nat64_state *st, struct nat64_session *s, bool expired);
bool nat64_sessions_full(struct nat64_state *st, enum nat64_stat *why);
struct nat64_session *nat64_sess_create(struct nat64_state *st, struct nat64_tables *t,
					struct nat64_bib *b, __be32 z4, __be16 z,
					u8 state, unsigned int cls, bool *created,
					enum nat64_stat *why);
int nat64_sess_update(struct nat64_state *st, int pi, struct nat64_session *s,
		      enum nat64_tcp_dir dir, u8 flags, enum nat64_stat *why);
int nat64_sess_initial(struct nat64_state *st, int pi, enum nat64_tcp_dir dir,
		       u8 flags, u8 *state, unsigned int *cls, enum nat64_stat *why);
unsigned long nat64_session_expires(const struct nat64_session *s);

/* state_so.c */
void nat64_so_init(struct nat64_so_store *ss);
void nat64_so_destroy(struct nat64_so_store *ss);
int nat64_so_hold(struct nat64_state *st, const struct nat64_sess4_key *k,
		  const struct sk_buff *skb, enum nat64_stat filtered,
		  enum nat64_stat *why);
struct nat64_so *nat64_so_match6(struct nat64_state *st, int pi, u32 mark,
				 const struct nat64_sess6_key *k, struct nat64_bib **bp);
void nat64_so_fail(struct nat64_state *st, struct nat64_so *so);
void nat64_so_gc(struct nat64_state *st);

/* state_expiry.c: one gc pass (held SYNs, then at most NAT64_GC_BUDGET
 * sessions); true when more is due. Process context. */
bool nat64_state_gc(struct nat64_state *st);

/* state_nl.c: resumable walk of one table for dumps: pos[0] bucket, pos[1]
 * index in its chain. fn returns nonzero when the message is full; the
 * walk then stops with pos at that entry and returns -EMSGSIZE. */
int nat64_table_walk(struct rhashtable *ht, u64 *pos,
		     int (*fn)(void *obj, void *arg), void *arg);

/* state_kernel.c: the namespace's own IPv4 addresses (default pool4).
 * RCU held. fn is called for each usable one until it returns true;
 * returns how many were visited. */
unsigned int nat64_own_addrs_each(struct net *net, bool (*fn)(__be32 a, void *arg),
				  void *arg);
/* Is a a usable own address of net? */
bool nat64_own_addr(struct net *net, __be32 a);

/* state_emit.c: packets the stateful part originates (process context or
 * softirq; the caller holds no spinlock). */
int nat64_emit_port_unreach4(struct net *net, const u8 *orig, unsigned int len);
int nat64_emit_probe6(struct net *net, const struct in6_addr *saddr, __be16 sport,
		      const struct in6_addr *daddr, __be16 dport);

#endif
