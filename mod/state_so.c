// SPDX-License-Identifier: GPL-2.0
/*
 * Simultaneous open (RFC 6146 §3.5.2.2, RFC 5382 REQ-4): the store of
 * unsolicited IPv4 SYNs held for 6 s.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_keys.h"
#include "stats.h"

/* RFC 1812 §4.3.2.3: an ICMP error carries at most 576 bytes in all. */
#define SO_COPY_MAX		(576 - sizeof(struct iphdr) - sizeof(struct icmphdr))

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

void nat64_so_init(struct nat64_so_store *ss)
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

	return &ss->hash[nat64_siphash13(k, sizeof(k), &nat64_hash_key) >> (32 - NAT64_SO_HASH_BITS)];
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
void nat64_so_fail(struct nat64_state *st, struct nat64_so *so)
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
int nat64_so_hold(struct nat64_state *st, const struct nat64_sess4_key *k,
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
	so->expires = jiffies + nat64_cls_timeout(st->inst, NAT64_CLS_TCP_SYN4);
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
struct nat64_so *nat64_so_match6(struct nat64_state *st, int pi, u32 mark,
				  const struct nat64_sess6_key *k, struct nat64_bib **bp)
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
	b = nat64_bib_alloc(&k->x6, k->x, t4, t, IPPROTO_TCP, pa, GFP_ATOMIC);
	if (!b) {
		nat64_p4_release(pa, t);
		nat64_so_fail(st, so);
		return NULL;
	}
	old = nat64_bib_publish(&st->tab[pi], b);
	if (old) {
		/* (T,t) known to another bitmap, or a racer bound (X',x). */
		if (old == ERR_PTR(-EEXIST))
			nat64_paddr_put(pa);
		else
			nat64_p4_release(pa, t);
		nat64_so_fail(st, so);
		return NULL;
	}
	nat64_stat_inc(st->inst, NAT64_STAT_BIB_CREATED);
	nat64_log_bib(st, b, "added (simultaneous open)");
	*bp = b;
	return so;
}

/* The gc work: answer the held SYNs whose 6 s are over. */
void nat64_so_gc(struct nat64_state *st)
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
		nat64_so_fail(st, so);
}

/* Instance teardown: no reader left; nothing is answered. */
void nat64_so_destroy(struct nat64_so_store *ss)
{
	struct nat64_so *so, *tmp;

	list_for_each_entry_safe(so, tmp, &ss->fifo, fifo)
		kfree(so);
}
