// SPDX-License-Identifier: GPL-2.0
/*
 * Stateful NAT64 (RFC 6146 §3.5): the BIB and session tables of an
 * instance, the data-path lookups on them, and session expiry.
 * Locking and object layout: state_int.h. Memory: docs/STATE.md.
 *
 * Expiry: a session sits on the expiry list of (the CPU that created it,
 * its timer class). The data path refreshes ->expires without a lock and
 * moves the session to the tail of its list only when the new expiry is
 * more than 1/8 of the timeout past the one the list was ordered by, so a
 * busy flow takes that lock about eight times per timeout. A delayed work
 * runs every second and reclaims, in bounded batches, sessions from the
 * heads of the lists; a head whose expiry was pushed back without a move
 * stops its list until then (at most 1/8 of the timeout), so a session is
 * removed between its timeout and 9/8 of it.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/time.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include "state_int.h"
#include "stats.h"
#include "core/rfc6052.h"
#include "core/tcp_state.h"

#define GC_BATCH		64	/* sessions per lock hold */
#define GC_BUDGET		16384	/* sessions per run before yielding */
#define MAX_TIMEOUT_SECS	NAT64_MAX_TIMEOUT	/* jiffies32 stay comparable */
#define CREATE_TRIES		3	/* races with a dying BIB entry */

/* RFC 1812 §4.3.2.3: an ICMP error carries at most 576 bytes in all. */
#define SO_COPY_MAX		(576 - sizeof(struct iphdr) - sizeof(struct icmphdr))

/*
 * Testing only: every timeout (and the 6 s of held SYNs) is divided by
 * this, so that a VM test can watch an established TCP session expire and
 * be probed (tcp-est-timeout is at least 2 hours). Read-only once loaded;
 * the module warns when it is not 1.
 */
static unsigned int test_timeout_divisor = 1;
module_param(test_timeout_divisor, uint, 0444);
MODULE_PARM_DESC(test_timeout_divisor,
		 "TESTING ONLY: divide every session timeout by this (default 1)");

static struct kmem_cache *bib_cache __read_mostly;
static struct kmem_cache *sess_cache __read_mostly;
static hsiphash_key_t hash_key __read_mostly;

/* ---- hash tables ------------------------------------------------------- */

struct bib6_key {
	struct in6_addr addr;
	__be16 port;
	u16 zero;
};

struct bib4_key {
	__be32 addr;
	__be16 port;
	u16 zero;
};

struct sess6_key {
	struct in6_addr x6;
	__be32 z4;
	__be16 x;
	__be16 y;	/* 0 for ICMP */
};

struct sess4_key {
	__be32 t4;
	__be32 z4;
	__be16 t;
	__be16 z;	/* 0 for ICMP */
};

/*
 * Keyed hash so that chosen flows cannot be steered into one bucket; the
 * table's seed is hashed too, so that a rehash redistributes.
 */
static u32 key_hash(const void *key, u32 len, u32 seed)
{
	u32 buf[8];

	memcpy(buf, key, len);
	buf[len / 4] = seed;
	return hsiphash(buf, len + 4, &hash_key);
}

static u32 bib6_obj_hash(const void *obj, u32 len, u32 seed)
{
	const struct nat64_bib *b = obj;
	struct bib6_key k = { .addr = b->addr6, .port = b->port6 };

	return key_hash(&k, sizeof(k), seed);
}

static int bib6_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct bib6_key *k = arg->key;
	const struct nat64_bib *b = obj;

	return !(b->port6 == k->port && ipv6_addr_equal(&b->addr6, &k->addr));
}

static u32 bib4_obj_hash(const void *obj, u32 len, u32 seed)
{
	const struct nat64_bib *b = obj;
	struct bib4_key k = { .addr = b->addr4, .port = b->port4 };

	return key_hash(&k, sizeof(k), seed);
}

static int bib4_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct bib4_key *k = arg->key;
	const struct nat64_bib *b = obj;

	return !(b->addr4 == k->addr && b->port4 == k->port);
}

static void sess6_key_of(const struct nat64_session *s, struct sess6_key *k)
{
	const struct nat64_bib *b = s->bib;

	k->x6 = b->addr6;
	k->z4 = s->raddr;
	k->x = b->port6;
	k->y = s->rport;
}

static u32 sess6_obj_hash(const void *obj, u32 len, u32 seed)
{
	struct sess6_key k;

	sess6_key_of(obj, &k);
	return key_hash(&k, sizeof(k), seed);
}

static int sess6_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct sess6_key *k = arg->key;
	const struct nat64_session *s = obj;
	const struct nat64_bib *b = s->bib;

	return !(s->raddr == k->z4 && s->rport == k->y && b->port6 == k->x &&
		 ipv6_addr_equal(&b->addr6, &k->x6));
}

static void sess4_key_of(const struct nat64_session *s, struct sess4_key *k)
{
	k->t4 = s->bib->addr4;
	k->z4 = s->raddr;
	k->t = s->bib->port4;
	k->z = s->rport;
}

static u32 sess4_obj_hash(const void *obj, u32 len, u32 seed)
{
	struct sess4_key k;

	sess4_key_of(obj, &k);
	return key_hash(&k, sizeof(k), seed);
}

static int sess4_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct sess4_key *k = arg->key;
	const struct nat64_session *s = obj;

	return !(s->raddr == k->z4 && s->rport == k->z &&
		 s->bib->addr4 == k->t4 && s->bib->port4 == k->t);
}

static const struct rhashtable_params bib6_params = {
	.key_len = sizeof(struct bib6_key),
	.head_offset = offsetof(struct nat64_bib, node6),
	.hashfn = key_hash,
	.obj_hashfn = bib6_obj_hash,
	.obj_cmpfn = bib6_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params bib4_params = {
	.key_len = sizeof(struct bib4_key),
	.head_offset = offsetof(struct nat64_bib, node4),
	.hashfn = key_hash,
	.obj_hashfn = bib4_obj_hash,
	.obj_cmpfn = bib4_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params sess6_params = {
	.key_len = sizeof(struct sess6_key),
	.head_offset = offsetof(struct nat64_session, node6),
	.hashfn = key_hash,
	.obj_hashfn = sess6_obj_hash,
	.obj_cmpfn = sess6_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params sess4_params = {
	.key_len = sizeof(struct sess4_key),
	.head_offset = offsetof(struct nat64_session, node4),
	.hashfn = key_hash,
	.obj_hashfn = sess4_obj_hash,
	.obj_cmpfn = sess4_cmp,
	.automatic_shrinking = true,
};

/* Caller holds rcu_read_lock(). */
static struct nat64_bib *bib6_find(struct nat64_tables *t, const struct in6_addr *a,
				   __be16 p)
{
	struct bib6_key k = { .addr = *a, .port = p };

	return rhashtable_lookup(&t->bib6, &k, bib6_params);
}

static struct nat64_bib *bib4_find(struct nat64_tables *t, __be32 a, __be16 p)
{
	struct bib4_key k = { .addr = a, .port = p };

	return rhashtable_lookup(&t->bib4, &k, bib4_params);
}

/* ---- logging (logging-bib / logging-session: abuse tracking) ------------ */

static void log_bib(const struct nat64_state *st, const struct nat64_bib *b,
		    const char *what)
{
	if (!READ_ONCE(st->inst->globals.logging_bib))
		return;
	pr_info("%s: BIB %s proto %u %pI6c#%u <-> %pI4#%u\n", st->inst->name, what,
		b->proto, &b->addr6, be16_to_cpu(b->port6), &b->addr4,
		be16_to_cpu(b->port4));
}

static void log_session(const struct nat64_state *st, const struct nat64_session *s,
			const char *what)
{
	const struct nat64_bib *b = s->bib;

	if (!READ_ONCE(st->inst->globals.logging_session))
		return;
	pr_info("%s: session %s proto %u %pI6c#%u %pI4#%u <-> %pI4#%u\n",
		st->inst->name, what, b->proto, &b->addr6, be16_to_cpu(b->port6),
		&b->addr4, be16_to_cpu(b->port4), &s->raddr, be16_to_cpu(s->rport));
}

/* ---- timers ------------------------------------------------------------ */

static unsigned long cls_timeout(const struct nat64_instance *inst, unsigned int cls)
{
	const struct nat64_globals *g = &inst->globals;
	u32 secs;

	switch (cls) {
	case NAT64_CLS_UDP:
		secs = READ_ONCE(g->udp_timeout);
		break;
	case NAT64_CLS_ICMP:
		secs = READ_ONCE(g->icmp_timeout);
		break;
	case NAT64_CLS_TCP_EST:
		secs = READ_ONCE(g->tcp_est_timeout);
		break;
	case NAT64_CLS_TCP_TRANS:
		secs = READ_ONCE(g->tcp_trans_timeout);
		break;
	default:
		secs = NAT64_TCP_INCOMING_SYN_TIMEOUT;
		break;
	}
	return max((unsigned long)clamp(secs, 1U, MAX_TIMEOUT_SECS) * HZ /
		   max(test_timeout_divisor, 1U), 1UL);
}

static unsigned int timer_cls(u8 timer)
{
	switch (timer) {
	case NAT64_TT_EST:
		return NAT64_CLS_TCP_EST;
	case NAT64_TT_TRANS:
		return NAT64_CLS_TCP_TRANS;
	default:
		return NAT64_CLS_TCP_SYN4;
	}
}

static unsigned int tcp_opts(const struct nat64_instance *inst)
{
	unsigned int o = 0;

	if (READ_ONCE(inst->globals.handle_rst_during_fin_rcv))
		o |= NAT64_TCPO_RST_IN_FIN;
	if (READ_ONCE(inst->globals.drop_externally_initiated_tcp))
		o |= NAT64_TCPO_DROP_EXT;
	return o;
}

static struct nat64_explist *explist(struct nat64_state *st, const struct nat64_session *s)
{
	return per_cpu_ptr(st->exp, s->cpu);
}

/* Lock-free refresh; relist only when the list order drifted by > 1/8. */
static void sess_refresh(struct nat64_state *st, struct nat64_session *s,
			 unsigned long timeout)
{
	unsigned long exp = jiffies + timeout;
	struct nat64_explist *l;

	if (READ_ONCE(s->expires) != exp)
		WRITE_ONCE(s->expires, exp);
	if ((u32)exp - READ_ONCE(s->listed) <= max(timeout / 8, (unsigned long)HZ))
		return;
	l = explist(st, s);
	spin_lock_bh(&l->lock);
	if (s->cls < NAT64_NCLS) {
		list_move_tail(&s->exp, &l->head[s->cls]);
		WRITE_ONCE(s->listed, (u32)exp);
	}
	spin_unlock_bh(&l->lock);
}

/* Explist lock held: put s at the tail of class cls with a fresh timer. */
static void sess_relist(struct nat64_state *st, struct nat64_session *s,
			struct nat64_explist *l, unsigned int cls)
{
	unsigned long exp = jiffies + cls_timeout(st->inst, cls);

	WRITE_ONCE(s->expires, exp);
	WRITE_ONCE(s->listed, (u32)exp);
	WRITE_ONCE(s->cls, cls);
	list_move_tail(&s->exp, &l->head[cls]);
}

/* Take s off its expiry list for removal; false if someone else has it
 * or it is still being created. */
static bool sess_claim(struct nat64_state *st, struct nat64_session *s)
{
	struct nat64_explist *l = explist(st, s);
	bool ok;

	spin_lock_bh(&l->lock);
	ok = s->cls < NAT64_NCLS;
	if (ok) {
		list_del(&s->exp);
		WRITE_ONCE(s->cls, NAT64_CLS_DEAD);
	}
	spin_unlock_bh(&l->lock);
	return ok;
}

/* ---- BIB entries ------------------------------------------------------- */

static void bib_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(bib_cache, container_of(rcu, struct nat64_bib, rcu));
}

/* b->dead was set by us: unpublish, give the port back, free after RCU. */
static void bib_destroy(struct nat64_state *st, struct nat64_bib *b)
{
	struct nat64_tables *t = &st->tab[nat64_proto_index(b->proto)];

	rhashtable_remove_fast(&t->bib6, &b->node6, bib6_params);
	rhashtable_remove_fast(&t->bib4, &b->node4, bib4_params);
	log_bib(st, b, "removed");
	/* Only now may the port go to someone else: (T,t) is unpublished. */
	nat64_p4_release(b->pa, b->port4);
	call_rcu(&b->rcu, bib_free_rcu);
}

/* bib->lock held: should the caller destroy b now? */
static bool bib_claim_if_unused(struct nat64_bib *b)
{
	if (b->dead || b->is_static || !hlist_empty(&b->sessions))
		return false;
	b->dead = true;
	return true;
}

static void bib_put_if_unused(struct nat64_state *st, struct nat64_bib *b)
{
	bool kill;

	spin_lock_bh(&b->lock);
	kill = bib_claim_if_unused(b);
	spin_unlock_bh(&b->lock);
	if (kill)
		bib_destroy(st, b);
}

static bool bib_link(struct nat64_bib *b, struct nat64_session *s)
{
	bool ok;

	spin_lock_bh(&b->lock);
	ok = !b->dead;
	if (ok)
		hlist_add_head_rcu(&s->bib_node, &b->sessions);
	spin_unlock_bh(&b->lock);
	return ok;
}

static void bib_unlink(struct nat64_state *st, struct nat64_bib *b,
		       struct nat64_session *s)
{
	bool kill;

	spin_lock_bh(&b->lock);
	hlist_del_rcu(&s->bib_node);
	kill = bib_claim_if_unused(b);
	spin_unlock_bh(&b->lock);
	if (kill)
		bib_destroy(st, b);
}

static struct nat64_bib *bib_alloc(const struct in6_addr *a6, __be16 p6, __be32 a4,
				   __be16 p4, u8 proto, struct nat64_paddr *pa, gfp_t gfp)
{
	struct nat64_bib *b = kmem_cache_alloc(bib_cache, gfp);

	if (!b)
		return NULL;
	b->addr6 = *a6;
	b->port6 = p6;
	b->addr4 = a4;
	b->port4 = p4;
	b->proto = proto;
	b->is_static = false;
	b->dead = true;		/* nobody links to it until both inserts are done */
	spin_lock_init(&b->lock);
	INIT_HLIST_HEAD(&b->sessions);
	b->pa = pa;
	return b;
}

/*
 * Publish b in bib4, then bib6. NULL: b is live. Otherwise b is freed and
 * the result is ERR_PTR(-EEXIST) when (T,t) was taken, the entry that
 * already holds (X',x), or another ERR_PTR. The port stays the caller's.
 */
static struct nat64_bib *bib_publish(struct nat64_tables *t, struct nat64_bib *b)
{
	struct bib4_key k4 = { .addr = b->addr4, .port = b->port4 };
	struct bib6_key k6 = { .addr = b->addr6, .port = b->port6 };
	struct nat64_bib *old;

	old = rhashtable_lookup_get_insert_key(&t->bib4, &k4, &b->node4, bib4_params);
	if (old) {
		kmem_cache_free(bib_cache, b);
		return IS_ERR(old) ? old : ERR_PTR(-EEXIST);
	}
	old = rhashtable_lookup_get_insert_key(&t->bib6, &k6, &b->node6, bib6_params);
	if (old) {
		rhashtable_remove_fast(&t->bib4, &b->node4, bib4_params);
		call_rcu(&b->rcu, bib_free_rcu);	/* was visible in bib4 */
		return old;
	}
	spin_lock_bh(&b->lock);
	b->dead = false;
	spin_unlock_bh(&b->lock);
	return NULL;
}

/* Data path: a dynamic BIB entry for (X',x), or the one a racer created. */
static struct nat64_bib *bib_create(struct nat64_state *st, int pi, u32 mark,
				    const struct in6_addr *x6, __be16 x,
				    enum nat64_stat *why)
{
	struct nat64_tables *t = &st->tab[pi];
	struct nat64_paddr *pa;
	struct nat64_bib *b, *old;
	__be32 a4;
	__be16 p4;
	int tries, err;

	for (tries = 0; tries < CREATE_TRIES; tries++) {
		err = nat64_p4_alloc(st, pi, mark, x6, x, &a4, &p4, &pa, why);
		if (err)
			return ERR_PTR(err);
		b = bib_alloc(x6, x, a4, p4, nat64_index_proto(pi), pa, GFP_ATOMIC);
		if (!b) {
			nat64_p4_release(pa, p4);
			*why = NAT64_STAT_DROP_NOMEM;
			return ERR_PTR(-ENOMEM);
		}
		old = bib_publish(t, b);
		if (!old) {
			nat64_stat_inc(st->inst, NAT64_STAT_BIB_CREATED);
			log_bib(st, b, "added");
			return b;
		}
		if (old == ERR_PTR(-EEXIST)) {
			/* (T,t) is held by an entry this bitmap does not know
			 * (pool4 changed under it): leave the bit set, retry. */
			nat64_paddr_put(pa);
			continue;
		}
		nat64_p4_release(pa, p4);
		if (IS_ERR(old))
			*why = NAT64_STAT_DROP_NOMEM;
		return old;	/* a racer's entry for (X',x) */
	}
	*why = NAT64_STAT_DROP_POOL4_EXHAUSTED;
	return ERR_PTR(-ENOSPC);
}

/* ---- sessions ---------------------------------------------------------- */

static void sess_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(sess_cache, container_of(rcu, struct nat64_session, rcu));
}

/* s was claimed (sess_claim): unpublish and free. */
static void sess_destroy(struct nat64_state *st, struct nat64_session *s, bool expired)
{
	struct nat64_bib *b = s->bib;
	struct nat64_tables *t = &st->tab[nat64_proto_index(b->proto)];

	/* sess4 first: a session in sess4 is always in sess6 too, which
	 * keeps creation (sess6 first) from colliding in sess4. */
	rhashtable_remove_fast(&t->sess4, &s->node4, sess4_params);
	rhashtable_remove_fast(&t->sess6, &s->node6, sess6_params);
	atomic_dec(&st->nsessions);
	if (expired)
		nat64_stat_inc(st->inst, NAT64_STAT_SESSIONS_EXPIRED);
	log_session(st, s, expired ? "expired" : "removed");
	bib_unlink(st, b, s);
	call_rcu(&s->rcu, sess_free_rcu);
}

static bool sessions_full(struct nat64_state *st, enum nat64_stat *why)
{
	u32 max = READ_ONCE(st->inst->globals.max_sessions);

	if (max && atomic_read(&st->nsessions) >= max) {
		*why = NAT64_STAT_DROP_MAX_SESSIONS;
		return true;
	}
	return false;
}

/*
 * Link a new session to b and publish it. Returns the session, the one a
 * racer published first (*created false), ERR_PTR(-EAGAIN) if b is dying,
 * or another ERR_PTR with *why set.
 */
static struct nat64_session *sess_create(struct nat64_state *st, struct nat64_tables *t,
					 struct nat64_bib *b, __be32 z4, __be16 z,
					 u8 state, unsigned int cls, bool *created,
					 enum nat64_stat *why)
{
	struct nat64_session *s, *old;
	struct nat64_explist *l;
	struct sess6_key k6;
	struct sess4_key k4;

	s = kmem_cache_alloc(sess_cache, GFP_ATOMIC);
	if (!s) {
		*why = NAT64_STAT_DROP_NOMEM;
		return ERR_PTR(-ENOMEM);
	}
	s->bib = b;
	s->raddr = z4;
	s->rport = z;
	s->state = state;
	s->cls = NAT64_CLS_NONE;
	s->cpu = raw_smp_processor_id();
	s->expires = jiffies + cls_timeout(st->inst, cls);
	s->listed = (u32)s->expires;
	if (!bib_link(b, s)) {
		kmem_cache_free(sess_cache, s);
		return ERR_PTR(-EAGAIN);
	}
	sess6_key_of(s, &k6);
	old = rhashtable_lookup_get_insert_key(&t->sess6, &k6, &s->node6, sess6_params);
	if (old)
		goto undo_link;
	sess4_key_of(s, &k4);
	old = rhashtable_lookup_get_insert_key(&t->sess4, &k4, &s->node4, sess4_params);
	if (old) {
		rhashtable_remove_fast(&t->sess6, &s->node6, sess6_params);
		if (!IS_ERR(old))
			old = ERR_PTR(-EEXIST);	/* cannot happen, see sess_destroy */
		goto undo_link;
	}
	atomic_inc(&st->nsessions);
	l = explist(st, s);
	spin_lock_bh(&l->lock);
	if (s->cls == NAT64_CLS_NONE) {
		WRITE_ONCE(s->cls, cls);
		list_add_tail(&s->exp, &l->head[cls]);
	}
	spin_unlock_bh(&l->lock);
	nat64_stat_inc(st->inst, NAT64_STAT_SESSIONS_CREATED);
	log_session(st, s, "added");
	*created = true;
	return s;

undo_link:
	bib_unlink(st, b, s);
	call_rcu(&s->rcu, sess_free_rcu);	/* readers may have seen it */
	if (IS_ERR(old)) {
		*why = PTR_ERR(old) == -EEXIST ? NAT64_STAT_DROP_INTERNAL :
						 NAT64_STAT_DROP_NOMEM;
		return old;
	}
	*created = false;
	return old;
}

/* A packet of an existing TCP session: run the state machine. */
static int tcp_update(struct nat64_state *st, struct nat64_session *s,
		      enum nat64_tcp_dir dir, u8 flags, enum nat64_stat *why)
{
	unsigned int opts = tcp_opts(st->inst);
	u8 old = READ_ONCE(s->state);
	struct nat64_tcp_step r = nat64_tcp_next(old, dir, flags, opts);
	struct nat64_explist *l;

	if (r.drop) {
		*why = r.drop;
		return -EPERM;
	}
	if (r.state == old && (r.timer == NAT64_TT_KEEP ||
			       timer_cls(r.timer) == READ_ONCE(s->cls))) {
		if (r.timer != NAT64_TT_KEEP)
			sess_refresh(st, s, cls_timeout(st->inst, timer_cls(r.timer)));
		return 0;
	}
	/* State or class change: rare (handshake, FIN, RST), under the lock. */
	l = explist(st, s);
	spin_lock_bh(&l->lock);
	if (s->cls < NAT64_NCLS) {
		r = nat64_tcp_next(s->state, dir, flags, opts);
		if (!r.drop) {
			WRITE_ONCE(s->state, r.state);
			if (r.timer != NAT64_TT_KEEP)
				sess_relist(st, s, l, timer_cls(r.timer));
		}
	}
	spin_unlock_bh(&l->lock);
	return 0;
}

static int sess_update(struct nat64_state *st, int pi, struct nat64_session *s,
		       enum nat64_tcp_dir dir, u8 flags, enum nat64_stat *why)
{
	if (pi == NAT64_PI_TCP)
		return tcp_update(st, s, dir, flags, why);
	sess_refresh(st, s, cls_timeout(st->inst, pi == NAT64_PI_UDP ?
					NAT64_CLS_UDP : NAT64_CLS_ICMP));
	return 0;
}

/* Initial state and timer class of a new session, or -EPERM. */
static int sess_initial(struct nat64_state *st, int pi, enum nat64_tcp_dir dir,
			u8 flags, u8 *state, unsigned int *cls, enum nat64_stat *why)
{
	struct nat64_tcp_step r;

	if (pi != NAT64_PI_TCP) {
		*state = NAT64_TCP_ESTABLISHED;
		*cls = pi == NAT64_PI_UDP ? NAT64_CLS_UDP : NAT64_CLS_ICMP;
		return 0;
	}
	r = nat64_tcp_next(NAT64_TCP_CLOSED, dir, flags, tcp_opts(st->inst));
	if (r.drop) {
		*why = r.drop;
		return -EPERM;
	}
	*state = r.state;
	*cls = timer_cls(r.timer);
	return 0;
}

static void out4_of(const struct nat64_session *s, u8 proto, struct nat64_tuple4 *out)
{
	const struct nat64_bib *b = s->bib;

	out->src = b->addr4;
	out->sport = b->port4;
	out->dst = s->raddr;
	out->dport = proto == IPPROTO_ICMP ? b->port4 : s->rport;
	out->proto = proto;
}

static void out6_of(const struct nat64_instance *inst, const struct nat64_session *s,
		    u8 proto, struct nat64_tuple6 *out)
{
	const struct nat64_bib *b = s->bib;

	nat64_rfc6052_embed(&inst->pool6, s->raddr, &out->src);
	out->sport = proto == IPPROTO_ICMP ? b->port6 : s->rport;
	out->dst = b->addr6;
	out->dport = b->port6;
	out->proto = proto;
}

/* ---- simultaneous open (RFC 6146 §3.5.2.2) ------------------------------
 *
 * An IPv4 SYN that filtering would drop - no BIB entry for (T,t) although
 * (T,t) is a pool4 transport address, or address-dependent filtering and
 * no session of that entry towards Z - is held for 6 s (at most
 * maximum-simultaneous-opens of them). An IPv6 SYN towards (Z,z) that
 * needs a new session claims it: from the BIB entry of (T,t), or, without
 * a BIB entry for its source, with (T,t) as that entry's address (the IPv4
 * end chose it, e.g. learned through a rendezvous server), when pool4
 * offers (T,t) to the packet's mark. The session then starts as the V4
 * INIT + V6 SYN transition says (ESTABLISHED) and the held copy is dropped.
 * Unclaimed after 6 s, the copy is answered with ICMP Port Unreachable.
 * Lookups by the IPv6 side take no lock (RCU) and none at all while
 * nothing is held; changes take the store's spinlock.
 */

static void so_init(struct nat64_so_store *ss)
{
	int i;

	spin_lock_init(&ss->lock);
	INIT_LIST_HEAD(&ss->fifo);
	for (i = 0; i < ARRAY_SIZE(ss->hash); i++)
		INIT_HLIST_HEAD(&ss->hash[i]);
}

static struct hlist_head *so_bucket(struct nat64_so_store *ss, __be32 z4, __be16 z)
{
	u32 k[2] = { (__force u32)z4, (__force u32)z };

	return &ss->hash[hsiphash(k, sizeof(k), &hash_key) >> (32 - NAT64_SO_HASH_BITS)];
}

/* RCU or ss->lock: the held SYN from (Z,z) to (T,t); to any (T,t) if !t4. */
static struct nat64_so *so_find(struct nat64_so_store *ss, __be32 z4, __be16 z,
				__be32 t4, __be16 t)
{
	struct nat64_so *so;

	hlist_for_each_entry_rcu(so, so_bucket(ss, z4, z), hnode,
				 lockdep_is_held(&ss->lock)) {
		if (so->z4 == z4 && so->z == z && (!t4 || (so->t4 == t4 && so->t == t)))
			return so;
	}
	return NULL;
}

/* ss->lock held. */
static void so_unlink(struct nat64_so_store *ss, struct nat64_so *so)
{
	hlist_del_rcu(&so->hnode);
	list_del(&so->fifo);
	WRITE_ONCE(ss->count, ss->count - 1);
}

/* Take the held SYN off the store; the caller disposes of it. */
static struct nat64_so *so_claim(struct nat64_so_store *ss, __be32 z4, __be16 z,
				 __be32 t4, __be16 t)
{
	struct nat64_so *so;

	if (!READ_ONCE(ss->count) || !so_find(ss, z4, z, t4, t))
		return NULL;
	spin_lock_bh(&ss->lock);
	so = so_find(ss, z4, z, t4, t);
	if (so)
		so_unlink(ss, so);
	spin_unlock_bh(&ss->lock);
	return so;
}

/* Unclaimed (or its open failed): answer the IPv4 end, then forget it. */
static void so_fail(struct nat64_state *st, struct nat64_so *so)
{
	int err = nat64_emit_port_unreach4(st->inst->net, so->data, so->len);

	if (err)
		net_dbg_ratelimited("%s: ICMP port unreachable to %pI4 not sent: %d\n",
				    st->inst->name, &so->z4, err);
	nat64_stat_inc(st->inst, NAT64_STAT_SO_EXPIRED);
	kfree_rcu(so, rcu);
}

/*
 * Hold a copy of the SYN in skb (k: its (T,t,Z,z)). Returns -EINPROGRESS
 * when held (the caller consumes the skb), or -errno with *why: a
 * retransmission of a held SYN is dropped as filtered.
 */
static int so_hold(struct nat64_state *st, const struct sess4_key *k,
		   const struct sk_buff *skb, enum nat64_stat filtered,
		   enum nat64_stat *why)
{
	struct nat64_so_store *ss = &st->so;
	u32 max = READ_ONCE(st->inst->globals.max_simultaneous_opens);
	unsigned int len = min_t(unsigned int, skb->len, SO_COPY_MAX);
	struct nat64_so *so;
	int err = -EINPROGRESS;

	if (so_find(ss, k->z4, k->z, k->t4, k->t)) {
		*why = filtered;
		return -EPERM;
	}
	if (READ_ONCE(ss->count) >= max) {
		*why = NAT64_STAT_DROP_SO_LIMIT;
		return -ENOBUFS;
	}
	so = kmalloc(struct_size(so, data, len), GFP_ATOMIC);
	if (!so) {
		*why = NAT64_STAT_DROP_NOMEM;
		return -ENOMEM;
	}
	if (skb_copy_bits(skb, 0, so->data, len)) {
		kfree(so);
		*why = NAT64_STAT_DROP_INTERNAL;
		return -EINVAL;
	}
	so->len = len;
	so->z4 = k->z4;
	so->z = k->z;
	so->t4 = k->t4;
	so->t = k->t;
	so->expires = jiffies + cls_timeout(st->inst, NAT64_CLS_TCP_SYN4);
	spin_lock_bh(&ss->lock);
	if (so_find(ss, k->z4, k->z, k->t4, k->t)) {
		*why = filtered;
		err = -EPERM;
	} else if (ss->count >= max) {
		*why = NAT64_STAT_DROP_SO_LIMIT;
		err = -ENOBUFS;
	} else {
		hlist_add_head_rcu(&so->hnode, so_bucket(ss, k->z4, k->z));
		list_add_tail(&so->fifo, &ss->fifo);
		WRITE_ONCE(ss->count, ss->count + 1);
	}
	spin_unlock_bh(&ss->lock);
	if (err != -EINPROGRESS) {
		kfree(so);
		return err;
	}
	nat64_stat_inc(st->inst, NAT64_STAT_SO_STORED);
	net_dbg_ratelimited("%s: holding SYN %pI4#%u -> %pI4#%u for a simultaneous open\n",
			    st->inst->name, &k->z4, be16_to_cpu(k->z), &k->t4,
			    be16_to_cpu(k->t));
	return err;
}

/*
 * An IPv6 SYN (X',x) -> (Z,z) that needs a session: claim a held IPv4 SYN
 * from (Z,z). With a BIB entry *bp it must have gone to that entry's
 * (T,t). Without one, (T,t) becomes the new entry if pool4 gives it to
 * this mark and it is free; *bp is set to that entry.
 */
static struct nat64_so *so_match6(struct nat64_state *st, int pi, u32 mark,
				  const struct sess6_key *k, struct nat64_bib **bp)
{
	struct nat64_so_store *ss = &st->so;
	struct nat64_paddr *pa;
	struct nat64_bib *b, *old;
	struct nat64_so *so;
	__be32 t4;
	__be16 t;

	if (*bp)
		return so_claim(ss, k->z4, k->y, (*bp)->addr4, (*bp)->port4);
	if (!READ_ONCE(ss->count))
		return NULL;
	so = so_find(ss, k->z4, k->y, 0, 0);
	if (!so)
		return NULL;
	t4 = so->t4;
	t = so->t;
	if (nat64_p4_take_atomic(st, pi, mark, t4, t, &pa))
		return NULL;	/* not ours to give: the held SYN stays */
	so = so_claim(ss, k->z4, k->y, t4, t);
	if (!so) {
		nat64_p4_release(pa, t);
		return NULL;
	}
	b = bib_alloc(&k->x6, k->x, t4, t, IPPROTO_TCP, pa, GFP_ATOMIC);
	if (!b) {
		nat64_p4_release(pa, t);
		so_fail(st, so);
		return NULL;
	}
	old = bib_publish(&st->tab[pi], b);
	if (old) {
		/* (T,t) known to another bitmap, or a racer bound (X',x). */
		if (old == ERR_PTR(-EEXIST))
			nat64_paddr_put(pa);
		else
			nat64_p4_release(pa, t);
		so_fail(st, so);
		return NULL;
	}
	nat64_stat_inc(st->inst, NAT64_STAT_BIB_CREATED);
	log_bib(st, b, "added (simultaneous open)");
	*bp = b;
	return so;
}

/* The gc work: answer the held SYNs whose 6 s are over. */
static void so_gc(struct nat64_state *st)
{
	struct nat64_so_store *ss = &st->so;
	unsigned long now = jiffies;
	struct nat64_so *so, *tmp;
	LIST_HEAD(due);

	if (!READ_ONCE(ss->count))
		return;
	spin_lock_bh(&ss->lock);
	list_for_each_entry_safe(so, tmp, &ss->fifo, fifo) {
		if (time_before(now, so->expires))
			break;
		so_unlink(ss, so);
		list_add_tail(&so->fifo, &due);
	}
	spin_unlock_bh(&ss->lock);
	list_for_each_entry_safe(so, tmp, &due, fifo)
		so_fail(st, so);
}

/* Instance teardown: no reader left; nothing is answered. */
static void so_destroy(struct nat64_so_store *ss)
{
	struct nat64_so *so, *tmp;

	list_for_each_entry_safe(so, tmp, &ss->fifo, fifo)
		kfree(so);
}

/* 6->4 miss: find or make the BIB entry, then the session. */
static struct nat64_session *sess_new6(struct nat64_state *st, int pi,
				       const struct sess6_key *k, u32 mark, u8 flags,
				       enum nat64_stat *why)
{
	struct nat64_tables *t = &st->tab[pi];
	struct nat64_session *s = ERR_PTR(-EAGAIN);
	struct nat64_tcp_step so_step;
	struct nat64_so *so;
	struct nat64_bib *b;
	unsigned int cls;
	bool created = false;
	u8 state;
	int tries, err;

	err = sess_initial(st, pi, NAT64_TCP_FROM6, flags, &state, &cls, why);
	if (err)
		return ERR_PTR(err);
	if (sessions_full(st, why))
		return ERR_PTR(-ENOSPC);
	for (tries = 0; tries < CREATE_TRIES && s == ERR_PTR(-EAGAIN); tries++) {
		b = bib6_find(t, &k->x6, k->x);
		so = pi == NAT64_PI_TCP ? so_match6(st, pi, mark, k, &b) : NULL;
		if (!b) {
			b = bib_create(st, pi, mark, &k->x6, k->x, why);
			if (IS_ERR(b))
				return ERR_CAST(b);
		}
		if (!so) {
			s = sess_create(st, t, b, k->z4, k->y, state, cls, &created, why);
		} else {
			/* As if the held SYN had opened a V4 INIT session. */
			so_step = nat64_tcp_next(NAT64_TCP_V4_INIT, NAT64_TCP_FROM6, flags,
						 tcp_opts(st->inst));
			s = sess_create(st, t, b, k->z4, k->y, so_step.state,
					timer_cls(so_step.timer), &created, why);
			if (IS_ERR(s)) {
				so_fail(st, so);
			} else {
				nat64_stat_inc(st->inst, NAT64_STAT_SO_OPENED);
				kfree_rcu(so, rcu);
			}
		}
		if (IS_ERR(s))
			bib_put_if_unused(st, b);	/* do not leave it empty */
	}
	if (s == ERR_PTR(-EAGAIN))
		*why = NAT64_STAT_DROP_INTERNAL;
	if (!IS_ERR(s) && !created) {
		err = sess_update(st, pi, s, NAT64_TCP_FROM6, flags, why);
		if (err)
			return ERR_PTR(err);
	}
	return s;
}

int nat64_state_6to4(struct nat64_instance *inst, const struct nat64_pkt *pkt,
		     __be32 dst4, u32 mark, struct nat64_tuple4 *out,
		     enum nat64_stat *why)
{
	struct nat64_state *st = inst->state;
	int pi = nat64_proto_index(pkt->proto);
	struct nat64_session *s;
	struct sess6_key k;
	int err;

	if (pi < 0) {
		*why = NAT64_STAT_DROP_UNKNOWN_PROTO;
		return -EINVAL;
	}
	k.x6 = pkt->t6.src;
	k.z4 = dst4;
	k.x = pkt->t6.sport;
	k.y = pi == NAT64_PI_ICMP ? 0 : pkt->t6.dport;
	s = rhashtable_lookup(&st->tab[pi].sess6, &k, sess6_params);
	if (s) {
		err = sess_update(st, pi, s, NAT64_TCP_FROM6, pkt->tcp_flags, why);
		if (err)
			return err;
	} else {
		s = sess_new6(st, pi, &k, mark, pkt->tcp_flags, why);
		if (IS_ERR(s)) {
			net_dbg_ratelimited("%s: no session for %pI6c#%u: %ld\n", inst->name,
					    &k.x6, be16_to_cpu(k.x), PTR_ERR(s));
			return PTR_ERR(s);
		}
	}
	out4_of(s, nat64_index_proto(pi), out);
	return 0;
}

/* Address-dependent filtering: has (T,t) talked to Z? */
static bool bib_knows(const struct nat64_bib *b, __be32 z4)
{
	const struct nat64_session *s;

	hlist_for_each_entry_rcu(s, &b->sessions, bib_node)
		if (s->raddr == z4)
			return true;
	return false;
}

/* 4->6 miss: filtering (§3.5.1, §3.5.2.2), then a session on (T,t)'s BIB. */
static struct nat64_session *sess_new4(struct nat64_state *st, int pi,
				       const struct sess4_key *k, u8 flags,
				       const struct sk_buff *skb, enum nat64_stat *why)
{
	struct nat64_tables *t = &st->tab[pi];
	struct nat64_session *s;
	struct nat64_bib *b;
	unsigned int cls;
	bool created = false;
	u8 state;
	int err;

	b = bib4_find(t, k->t4, k->t);
	if (!b || READ_ONCE(b->dead)) {
		/* Not ours unless a SYN to a pool4 transport address. */
		if (pi != NAT64_PI_TCP || !(flags & NAT64_TCPF_SYN) ||
		    !nat64_p4_owns(st, pi, k->t4, k->t)) {
			*why = NAT64_STAT_DROP_NO_BIB4;
			return ERR_PTR(-ENOENT);
		}
		/* drop-externally-initiated-tcp drops it instead. */
		err = sess_initial(st, pi, NAT64_TCP_FROM4, flags, &state, &cls, why);
		if (err)
			return ERR_PTR(err);
		return ERR_PTR(so_hold(st, k, skb, NAT64_STAT_DROP_NO_BIB4, why));
	}
	err = sess_initial(st, pi, NAT64_TCP_FROM4, flags, &state, &cls, why);
	if (err)
		return ERR_PTR(err);
	if (READ_ONCE(st->inst->globals.address_dependent_filtering) &&
	    !bib_knows(b, k->z4)) {
		/* A SYN (sess_initial let it through) may be a simultaneous open. */
		if (pi == NAT64_PI_TCP)
			return ERR_PTR(so_hold(st, k, skb, NAT64_STAT_DROP_NO_SESSION4, why));
		*why = NAT64_STAT_DROP_NO_SESSION4;
		return ERR_PTR(-EPERM);
	}
	if (sessions_full(st, why))
		return ERR_PTR(-ENOSPC);
	s = sess_create(st, t, b, k->z4, k->z, state, cls, &created, why);
	if (s == ERR_PTR(-EAGAIN)) {
		*why = NAT64_STAT_DROP_NO_BIB4;	/* it died just now */
		return ERR_PTR(-ENOENT);
	}
	if (!IS_ERR(s) && !created) {
		err = sess_update(st, pi, s, NAT64_TCP_FROM4, flags, why);
		if (err)
			return ERR_PTR(err);
	}
	return s;
}

int nat64_state_4to6(struct nat64_instance *inst, const struct nat64_pkt *pkt,
		     const struct sk_buff *skb, struct nat64_tuple6 *out,
		     enum nat64_stat *why)
{
	struct nat64_state *st = inst->state;
	int pi = nat64_proto_index(pkt->proto);
	struct nat64_session *s;
	struct sess4_key k;
	int err;

	if (pi < 0) {
		*why = NAT64_STAT_DROP_UNKNOWN_PROTO;
		return -EINVAL;
	}
	k.t4 = pkt->t4.dst;
	k.z4 = pkt->t4.src;
	k.t = pkt->t4.dport;
	k.z = pi == NAT64_PI_ICMP ? 0 : pkt->t4.sport;
	s = rhashtable_lookup(&st->tab[pi].sess4, &k, sess4_params);
	if (s) {
		err = sess_update(st, pi, s, NAT64_TCP_FROM4, pkt->tcp_flags, why);
		if (err)
			return err;
	} else {
		s = sess_new4(st, pi, &k, pkt->tcp_flags, skb, why);
		if (IS_ERR(s))
			return PTR_ERR(s);
	}
	out6_of(inst, s, nat64_index_proto(pi), out);
	return 0;
}

int nat64_state_inner6(struct nat64_instance *inst, const struct nat64_tuple6 *inner6,
		       struct nat64_tuple4 *out)
{
	struct nat64_state *st = inst->state;
	int pi = nat64_proto_index(inner6->proto);
	struct nat64_session *s;
	struct nat64_bib *b;
	struct sess6_key k;

	if (pi < 0 || !nat64_rfc6052_extract(&inst->pool6, &inner6->src, &k.z4))
		return -EINVAL;
	/* The inner packet went (Y',y) -> (X',x). */
	k.x6 = inner6->dst;
	k.x = inner6->dport;
	k.y = pi == NAT64_PI_ICMP ? 0 : inner6->sport;
	s = rhashtable_lookup(&st->tab[pi].sess6, &k, sess6_params);
	b = s ? s->bib : bib6_find(&st->tab[pi], &k.x6, k.x);
	if (!b)
		return -ENOENT;
	/* Same direction as the inner packet: (Z,z) -> (T,t). */
	out->src = k.z4;
	out->sport = pi == NAT64_PI_ICMP ? b->port4 : inner6->sport;
	out->dst = b->addr4;
	out->dport = b->port4;
	out->proto = nat64_index_proto(pi);
	return 0;
}

int nat64_state_inner4(struct nat64_instance *inst, const struct nat64_tuple4 *inner4,
		       struct nat64_tuple6 *out)
{
	struct nat64_state *st = inst->state;
	int pi = nat64_proto_index(inner4->proto);
	struct nat64_bib *b;

	if (pi < 0)
		return -EINVAL;
	/* The inner packet went (T,t) -> (Z,z); the BIB entry of (T,t) is
	 * all that is needed, the session need not exist any more. */
	b = bib4_find(&st->tab[pi], inner4->src, inner4->sport);
	if (!b)
		return -ENOENT;
	out->src = b->addr6;
	out->sport = b->port6;
	nat64_rfc6052_embed(&inst->pool6, inner4->dst, &out->dst);
	out->dport = pi == NAT64_PI_ICMP ? b->port6 : inner4->dport;
	out->proto = nat64_index_proto(pi);
	return 0;
}

unsigned long nat64_session_expires(const struct nat64_session *s)
{
	return READ_ONCE(s->expires);
}

/* ---- expiry ------------------------------------------------------------ */

/*
 * RFC 6146 §3.5.2.2: an established session timed out. An empty ACK with
 * sequence and acknowledgment numbers 0 towards its IPv6 end draws an ACK
 * from a live endpoint, which brings the session back to ESTABLISHED; the
 * session is in TRANS meanwhile. Caller: rcu_read_lock(), no spinlock.
 */
static void sess_probe(struct nat64_state *st, const struct nat64_session *s)
{
	const struct nat64_bib *b = s->bib;
	struct in6_addr y6;
	int err;

	nat64_rfc6052_embed(&st->inst->pool6, s->raddr, &y6);
	err = nat64_emit_probe6(st->inst->net, &y6, s->rport, &b->addr6, b->port6);
	if (err) {
		net_dbg_ratelimited("%s: TCP probe to %pI6c#%u not sent: %d\n",
				    st->inst->name, &b->addr6, be16_to_cpu(b->port6), err);
		return;
	}
	nat64_stat_inc(st->inst, NAT64_STAT_TCP_PROBES);
}

/* Reclaim up to budget due sessions from the head of one list. */
static int gc_list(struct nat64_state *st, struct nat64_explist *l,
		   unsigned int cls, int budget)
{
	struct nat64_session *s, *tmp, *probe[GC_BATCH];
	int done = 0, n, np, i;

	do {
		unsigned long now = jiffies;
		LIST_HEAD(dead);

		n = 0;
		np = 0;
		/* Sessions to probe stay valid until the probes are out. */
		rcu_read_lock();
		spin_lock_bh(&l->lock);
		while (n < GC_BATCH) {
			s = list_first_entry_or_null(&l->head[cls], struct nat64_session, exp);
			if (!s || time_before32((u32)now, s->listed))
				break;
			/* Refreshed without a move: due within 1/8 timeout. */
			if (time_before(now, READ_ONCE(s->expires)))
				break;
			n++;
			if (cls == NAT64_CLS_TCP_EST) {
				struct nat64_tcp_step r = nat64_tcp_expire(s->state);

				if (!r.drop) {
					WRITE_ONCE(s->state, r.state);
					sess_relist(st, s, l, timer_cls(r.timer));
					if (r.probe)
						probe[np++] = s;
					continue;
				}
			}
			WRITE_ONCE(s->cls, NAT64_CLS_DEAD);
			list_move_tail(&s->exp, &dead);
		}
		spin_unlock_bh(&l->lock);
		for (i = 0; i < np; i++)
			sess_probe(st, probe[i]);
		rcu_read_unlock();
		/* _safe: call_rcu() reuses ->exp's memory. */
		list_for_each_entry_safe(s, tmp, &dead, exp)
			sess_destroy(st, s, true);
		done += n;
		cond_resched();
	} while (n == GC_BATCH && done < budget);
	return done;
}

static void gc_work(struct work_struct *work)
{
	struct nat64_state *st = container_of(to_delayed_work(work),
					      struct nat64_state, gc);
	int budget = GC_BUDGET, cpu;
	unsigned int cls;

	so_gc(st);
	for_each_possible_cpu(cpu)
		for (cls = 0; cls < NAT64_NCLS && budget > 0; cls++)
			budget -= gc_list(st, per_cpu_ptr(st->exp, cpu), cls, budget);
	/* Out of budget: more is due, come back at once (after yielding). */
	queue_delayed_work(system_power_efficient_wq, &st->gc, budget > 0 ? HZ : 1);
}

/* ---- administration (process context) ---------------------------------- */

/* Remove every session of b, and b itself (static or not). */
static void bib_kill(struct nat64_state *st, struct nat64_bib *b)
{
	struct nat64_session *batch[16], *s;
	bool kill;
	int n, i;

	spin_lock_bh(&b->lock);
	b->is_static = false;
	kill = bib_claim_if_unused(b);
	spin_unlock_bh(&b->lock);
	if (kill) {
		bib_destroy(st, b);
		return;
	}
	do {
		n = 0;
		spin_lock_bh(&b->lock);
		hlist_for_each_entry(s, &b->sessions, bib_node) {
			if (n == ARRAY_SIZE(batch))
				break;
			if (sess_claim(st, s))
				batch[n++] = s;
		}
		spin_unlock_bh(&b->lock);
		/* The last sess_destroy() may free b (after RCU; we hold it). */
		for (i = 0; i < n; i++)
			sess_destroy(st, batch[i], false);
	} while (n == ARRAY_SIZE(batch));
}

void nat64_state_kill_range(struct nat64_state *st, int pi,
			    const struct nat64_pool4_entry *e)
{
	struct nat64_tables *t = &st->tab[pi];
	struct rhashtable_iter iter;
	struct nat64_bib *b;
	int pass, found;

	/* A walk that removes may skip entries (resizes): walk until clean. */
	for (pass = 0; pass < 4; pass++) {
		found = 0;
		rhashtable_walk_enter(&t->bib4, &iter);
		rhashtable_walk_start(&iter);
		while ((b = rhashtable_walk_next(&iter)) != NULL) {
			if (IS_ERR(b)) {
				if (PTR_ERR(b) == -EAGAIN)
					continue;
				break;
			}
			if (b->dead || !nat64_p4_range_has(e, b->addr4) ||
			    be16_to_cpu(b->port4) < e->port_min ||
			    be16_to_cpu(b->port4) > e->port_max)
				continue;
			bib_kill(st, b);
			if (++found % 256 == 0) {
				rhashtable_walk_stop(&iter);
				cond_resched();
				rhashtable_walk_start(&iter);
			}
		}
		rhashtable_walk_stop(&iter);
		rhashtable_walk_exit(&iter);
		if (!found)
			break;
	}
}

int nat64_bib_add_static(struct nat64_instance *inst, u8 proto,
			 const struct in6_addr *a6, __be16 p6, __be32 a4,
			 __be16 p4, struct netlink_ext_ack *extack)
{
	struct nat64_state *st = inst->state;
	int pi = nat64_proto_index(proto);
	struct nat64_paddr *pa;
	struct nat64_bib *b, *old;
	struct nat64_tables *t;
	int err = 0;

	if (pi < 0) {
		NL_SET_ERR_MSG(extack, "BIB protocol must be TCP, UDP or ICMP");
		return -EINVAL;
	}
	t = &st->tab[pi];
	mutex_lock(&st->cfg);
	rcu_read_lock();
	b = bib6_find(t, a6, p6);
	if (b && b->addr4 == a4 && b->port4 == p4) {
		/* The same dynamic binding: make it static. */
		spin_lock_bh(&b->lock);
		if (!b->dead)
			b->is_static = true;
		else
			err = -EAGAIN;
		spin_unlock_bh(&b->lock);
		if (err)
			NL_SET_ERR_MSG(extack, "that binding is being removed; try again");
	} else if (b) {
		NL_SET_ERR_MSG(extack, "IPv6 transport address already has a binding");
		err = -EEXIST;
	} else if (bib4_find(t, a4, p4)) {
		NL_SET_ERR_MSG(extack, "IPv4 transport address already has a binding");
		err = -EEXIST;
	}
	rcu_read_unlock();
	if (err || b)
		goto out;
	err = nat64_p4_take(st, pi, a4, p4, &pa, extack);
	if (err)
		goto out;
	b = bib_alloc(a6, p6, a4, p4, nat64_index_proto(pi), pa, GFP_KERNEL);
	if (!b) {
		nat64_p4_release(pa, p4);
		err = -ENOMEM;
		goto out;
	}
	b->is_static = true;
	old = bib_publish(t, b);
	if (old) {
		nat64_p4_release(pa, p4);
		err = IS_ERR(old) ? PTR_ERR(old) : -EEXIST;
		NL_SET_ERR_MSG(extack, "a packet created a binding for this address meanwhile");
		goto out;
	}
	nat64_stat_inc(inst, NAT64_STAT_BIB_CREATED);
	log_bib(st, b, "added (static)");
out:
	mutex_unlock(&st->cfg);
	return err;
}

int nat64_bib_del(struct nat64_instance *inst, u8 proto,
		  const struct in6_addr *a6, __be16 p6, const __be32 *a4,
		  const __be16 *p4, struct netlink_ext_ack *extack)
{
	struct nat64_state *st = inst->state;
	int pi = nat64_proto_index(proto);
	struct nat64_bib *b;
	int err = 0;

	if (pi < 0) {
		NL_SET_ERR_MSG(extack, "BIB protocol must be TCP, UDP or ICMP");
		return -EINVAL;
	}
	mutex_lock(&st->cfg);
	rcu_read_lock();
	b = bib6_find(&st->tab[pi], a6, p6);
	if (!b || b->dead || (a4 && b->addr4 != *a4) || (p4 && b->port4 != *p4)) {
		NL_SET_ERR_MSG(extack, "no such BIB entry");
		err = -ESRCH;
	} else {
		bib_kill(st, b);
	}
	rcu_read_unlock();
	mutex_unlock(&st->cfg);
	return err;
}

int nat64_table_walk(struct rhashtable *ht, u64 *pos,
		     int (*fn)(void *obj, void *arg), void *arg)
{
	const struct bucket_table *tbl;
	struct rhash_head *he;
	int err = 0;
	u64 b, i;

	rcu_read_lock();
	tbl = rht_dereference_rcu(ht->tbl, ht);
	for (b = pos[0]; b < tbl->size; b++) {
		i = 0;
		rht_for_each_rcu(he, tbl, b) {
			if (i++ < pos[1])
				continue;
			if (fn(rht_obj(ht, he), arg)) {
				pos[0] = b;
				pos[1] = i - 1;
				err = -EMSGSIZE;
				goto out;
			}
		}
		pos[1] = 0;
	}
	pos[0] = b;
out:
	rcu_read_unlock();
	return err;
}

/* ---- life cycle -------------------------------------------------------- */

/*
 * The slab caches live while some instance does. The last instance to go
 * waits for every pending call_rcu() of this file (they free into the
 * caches and run module code) before destroying them, so module unload
 * needs nothing from main.c.
 */
static DEFINE_MUTEX(cache_lock);
static unsigned int cache_users;

static int caches_get(void)
{
	int err = 0;

	mutex_lock(&cache_lock);
	if (cache_users++)
		goto out;
	get_random_bytes(&hash_key, sizeof(hash_key));
	bib_cache = kmem_cache_create("nat64_bib", sizeof(struct nat64_bib), 0, 0, NULL);
	sess_cache = kmem_cache_create("nat64_session", sizeof(struct nat64_session),
				       0, 0, NULL);
	if (!bib_cache || !sess_cache) {
		kmem_cache_destroy(sess_cache);
		kmem_cache_destroy(bib_cache);
		cache_users--;
		err = -ENOMEM;
	}
out:
	mutex_unlock(&cache_lock);
	return err;
}

static void caches_put(void)
{
	mutex_lock(&cache_lock);
	if (!--cache_users) {
		rcu_barrier();
		kmem_cache_destroy(sess_cache);
		kmem_cache_destroy(bib_cache);
		sess_cache = NULL;
		bib_cache = NULL;
	}
	mutex_unlock(&cache_lock);
}

static int tables_init(struct nat64_tables *t)
{
	int err;

	err = rhashtable_init(&t->bib6, &bib6_params);
	if (err)
		return err;
	err = rhashtable_init(&t->bib4, &bib4_params);
	if (err)
		goto err_bib4;
	err = rhashtable_init(&t->sess6, &sess6_params);
	if (err)
		goto err_sess6;
	err = rhashtable_init(&t->sess4, &sess4_params);
	if (err)
		goto err_sess4;
	return 0;

err_sess4:
	rhashtable_destroy(&t->sess6);
err_sess6:
	rhashtable_destroy(&t->bib4);
err_bib4:
	rhashtable_destroy(&t->bib6);
	return err;
}

static void sess_free_now(void *ptr, void *arg)
{
	kmem_cache_free(sess_cache, ptr);
}

static void bib_free_now(void *ptr, void *arg)
{
	struct nat64_bib *b = ptr;

	nat64_paddr_put(b->pa);
	kmem_cache_free(bib_cache, b);
}

/* Sessions first (they point to BIB entries), each freed once. */
static void tables_destroy(struct nat64_tables *t)
{
	rhashtable_destroy(&t->sess4);
	rhashtable_free_and_destroy(&t->sess6, sess_free_now, NULL);
	rhashtable_destroy(&t->bib6);
	rhashtable_free_and_destroy(&t->bib4, bib_free_now, NULL);
}

struct nat64_state *nat64_state_create(struct nat64_instance *inst)
{
	struct nat64_state *st;
	int pi, cpu, cls;

	if (caches_get())
		return NULL;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		goto err_st;
	st->inst = inst;
	get_random_bytes(&st->p4key, sizeof(st->p4key));
	mutex_init(&st->cfg);
	spin_lock_init(&st->dflt_lock);
	atomic_set(&st->nsessions, 0);
	st->exp = alloc_percpu(struct nat64_explist);
	if (!st->exp)
		goto err_exp;
	for_each_possible_cpu(cpu) {
		struct nat64_explist *l = per_cpu_ptr(st->exp, cpu);

		spin_lock_init(&l->lock);
		for (cls = 0; cls < NAT64_NCLS; cls++)
			INIT_LIST_HEAD(&l->head[cls]);
	}
	nat64_p4_init(st);
	so_init(&st->so);
	for (pi = 0; pi < NAT64_NPROTO; pi++) {
		if (tables_init(&st->tab[pi]))
			goto err_tables;
	}
	if (test_timeout_divisor != 1)
		pr_warn_once("test_timeout_divisor=%u: timeouts are not the configured ones (testing only)\n",
			     test_timeout_divisor);
	INIT_DELAYED_WORK(&st->gc, gc_work);
	queue_delayed_work(system_power_efficient_wq, &st->gc, HZ);
	return st;

err_tables:
	while (--pi >= 0)
		tables_destroy(&st->tab[pi]);
	free_percpu(st->exp);
err_exp:
	kfree(st);
err_st:
	caches_put();
	return NULL;
}

void nat64_state_destroy(struct nat64_state *st)
{
	int pi;

	if (!st)
		return;
	/* Also stops the work from queueing itself again. */
	cancel_delayed_work_sync(&st->gc);
	for (pi = 0; pi < NAT64_NPROTO; pi++)
		tables_destroy(&st->tab[pi]);
	so_destroy(&st->so);
	nat64_p4_destroy(st);
	free_percpu(st->exp);
	mutex_destroy(&st->cfg);
	kfree(st);
	caches_put();	/* after the call_rcu()s above */
}
