// SPDX-License-Identifier: GPL-2.0
/*
 * BIB entries (RFC 6146 §3.5.1): their life from the port pool4 gives them
 * to the call_rcu() that frees them. A dynamic entry is created by the
 * first packet of (X',x) and dies with its last session; a static one
 * (bib add) lives until bib remove or pool4 remove takes it. Also the
 * administrative removals: one entry (bib remove), every entry of a pool4
 * range (pool4 remove). Locking and layout: state_int.h.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_keys.h"
#include "stats.h"

/* ---- logging (logging-bib / logging-session: abuse tracking) ------------ */

void nat64_log_bib(const struct nat64_state *st, const struct nat64_bib *b,
		    const char *what)
{
	if (!READ_ONCE(st->inst->globals.logging_bib))
		return;
	pr_info("%s: BIB %s proto %u %pI6c#%u <-> %pI4#%u\n", st->inst->name, what,
		b->proto, &b->addr6, be16_to_cpu(b->port6), &b->addr4,
		be16_to_cpu(b->port4));
}

static void bib_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(nat64_bib_cache, container_of(rcu, struct nat64_bib, rcu));
}

/* b->dead was set by us: unpublish, give the port back, free after RCU. */
static void bib_destroy(struct nat64_state *st, struct nat64_bib *b)
{
	struct nat64_tables *t = &st->tab[nat64_proto_index(b->proto)];

	rhashtable_remove_fast(&t->bib6, &b->node6, bib6_params);
	rhashtable_remove_fast(&t->bib4, &b->node4, bib4_params);
	nat64_log_bib(st, b, "removed");
	/* Only now may the port go to someone else: (T,t) is unpublished. */
	nat64_p4_release(b->pa, b->port4);
	call_rcu(&b->rcu, bib_free_rcu);
}

/* bib->lock held: should the caller destroy b now? */
static bool bib_claim_if_unused(struct nat64_bib *b)
{
	if (b->dead || b->is_static || !hlist_empty(&b->sessions))
		return false;
	WRITE_ONCE(b->dead, true);
	return true;
}

void nat64_bib_put_if_unused(struct nat64_state *st, struct nat64_bib *b)
{
	bool kill;

	spin_lock_bh(&b->lock);
	kill = bib_claim_if_unused(b);
	spin_unlock_bh(&b->lock);
	if (kill)
		bib_destroy(st, b);
}

bool nat64_bib_link(struct nat64_bib *b, struct nat64_session *s)
{
	bool ok;

	spin_lock_bh(&b->lock);
	ok = !b->dead;
	if (ok)
		hlist_add_head_rcu(&s->bib_node, &b->sessions);
	spin_unlock_bh(&b->lock);
	return ok;
}

void nat64_bib_unlink(struct nat64_state *st, struct nat64_bib *b,
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

struct nat64_bib *nat64_bib_alloc(const struct in6_addr *a6, __be16 p6, __be32 a4,
				   __be16 p4, u8 proto, struct nat64_paddr *pa, gfp_t gfp)
{
	struct nat64_bib *b = kmem_cache_alloc(nat64_bib_cache, gfp);

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
struct nat64_bib *nat64_bib_publish(struct nat64_tables *t, struct nat64_bib *b)
{
	struct nat64_bib4_key k4 = { .addr = b->addr4, .port = b->port4 };
	struct nat64_bib6_key k6 = { .addr = b->addr6, .port = b->port6 };
	struct nat64_bib *old;

	old = rhashtable_lookup_get_insert_key(&t->bib4, &k4, &b->node4, bib4_params);
	if (old) {
		kmem_cache_free(nat64_bib_cache, b);
		return IS_ERR(old) ? old : ERR_PTR(-EEXIST);
	}
	old = rhashtable_lookup_get_insert_key(&t->bib6, &k6, &b->node6, bib6_params);
	if (old) {
		rhashtable_remove_fast(&t->bib4, &b->node4, bib4_params);
		call_rcu(&b->rcu, bib_free_rcu);	/* was visible in bib4 */
		return old;
	}
	spin_lock_bh(&b->lock);
	WRITE_ONCE(b->dead, false);
	spin_unlock_bh(&b->lock);
	return NULL;
}

/* Data path: a dynamic BIB entry for (X',x), or the one a racer created. */
struct nat64_bib *nat64_bib_create(struct nat64_state *st, int pi, u32 mark,
				    const struct in6_addr *x6, __be16 x,
				    enum nat64_stat *why)
{
	struct nat64_tables *t = &st->tab[pi];
	struct nat64_paddr *pa;
	struct nat64_bib *b, *old;
	__be32 a4;
	__be16 p4;
	int tries, err;

	for (tries = 0; tries < NAT64_CREATE_TRIES; tries++) {
		err = nat64_p4_alloc(st, pi, mark, x6, x, &a4, &p4, &pa, why);
		if (err)
			return ERR_PTR(err);
		b = nat64_bib_alloc(x6, x, a4, p4, nat64_index_proto(pi), pa, GFP_ATOMIC);
		if (!b) {
			nat64_p4_release(pa, p4);
			*why = NAT64_STAT_DROP_NOMEM;
			return ERR_PTR(-ENOMEM);
		}
		old = nat64_bib_publish(t, b);
		if (!old) {
			nat64_stat_inc(st->inst, NAT64_STAT_BIB_CREATED);
			nat64_log_bib(st, b, "added");
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
			if (nat64_sess_claim(st, s))
				batch[n++] = s;
		}
		spin_unlock_bh(&b->lock);
		/* The last nat64_sess_destroy() may free b (after RCU; we hold it). */
		for (i = 0; i < n; i++)
			nat64_sess_destroy(st, batch[i], false);
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
			if (READ_ONCE(b->dead) || !nat64_p4_range_has(e, b->addr4) ||
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
	b = nat64_bib_alloc(a6, p6, a4, p4, nat64_index_proto(pi), pa, GFP_KERNEL);
	if (!b) {
		nat64_p4_release(pa, p4);
		err = -ENOMEM;
		goto out;
	}
	b->is_static = true;
	old = nat64_bib_publish(t, b);
	if (old) {
		nat64_p4_release(pa, p4);
		err = IS_ERR(old) ? PTR_ERR(old) : -EEXIST;
		NL_SET_ERR_MSG(extack, "a packet created a binding for this address meanwhile");
		goto out;
	}
	nat64_stat_inc(inst, NAT64_STAT_BIB_CREATED);
	nat64_log_bib(st, b, "added (static)");
out:
	mutex_unlock(&st->cfg);
	return err;
}

/* Either side identifies the entry (a6 or a4 NULL); when both are given
 * they must belong to the same entry. */
int nat64_bib_del(struct nat64_instance *inst, u8 proto,
		  const struct in6_addr *a6, __be16 p6, const __be32 *a4,
		  __be16 p4, struct netlink_ext_ack *extack)
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
	b = a6 ? bib6_find(&st->tab[pi], a6, p6) :
		 a4 ? bib4_find(&st->tab[pi], *a4, p4) : NULL;
	if (!b || READ_ONCE(b->dead) ||
	    (a6 && (!ipv6_addr_equal(&b->addr6, a6) || b->port6 != p6)) ||
	    (a4 && (b->addr4 != *a4 || b->port4 != p4))) {
		NL_SET_ERR_MSG(extack, "no such BIB entry");
		err = -ESRCH;
	} else {
		bib_kill(st, b);
	}
	rcu_read_unlock();
	mutex_unlock(&st->cfg);
	return err;
}

