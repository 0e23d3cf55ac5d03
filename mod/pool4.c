// SPDX-License-Identifier: GPL-2.0
/*
 * pool4: the IPv4 transport addresses the NAT64 hands out, and the choice
 * of one for a new BIB entry (RFC 6146 §3.5.1.1, RFC 6056).
 *
 * Each pool4 entry (mark, proto, prefix, ports) keeps one port bitmap per
 * address (core/port_alloc.c), allocated when the entry is added (small
 * prefixes) or on first use. With no entry for a (mark, proto), the
 * namespace's own IPv4 addresses serve with ports 61001-65535, as in Jool.
 *
 * Choice: the address from a keyed hash of X' alone, so all flows of one
 * IPv6 host share one IPv4 address while it has ports (RFC 4787 "paired"
 * pooling); the port from a keyed hash of (X', x) as the bitmap search's
 * start (RFC 6056 algorithm 3 style). Full addresses and full entries are
 * skipped by their free counts, so an exhausted pool answers at once.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_int.h"

/* Above this many addresses an entry's bitmaps are allocated on first use. */
#define EAGER_ADDRS		1024
/* Bounds the per-packet walk over the entries of a protocol. */
#define MAX_POOL4_ENTRIES	4096

static u32 plen_mask(u8 plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

bool nat64_p4_range_has(const struct nat64_pool4_entry *e, __be32 addr)
{
	return !((be32_to_cpu(addr) ^ be32_to_cpu(e->addr)) & plen_mask(e->plen));
}

/* ---- entries by (prefix, length) ----------------------------------------
 * pool4 changes only by configuration, so the hash need not be keyed; what
 * an outsider controls is only the address looked up. A lookup probes one
 * bucket per prefix length in use (usually one or two).
 */

static struct hlist_head *p4_bucket(struct nat64_state *st, int pi, __be32 pfx, u8 plen)
{
	u32 h = jhash_2words((__force u32)pfx, plen, 0);

	return &st->p4hash[pi][h & ((1U << NAT64_P4_HASH_BITS) - 1)];
}

/* st->cfg held. */
static void range_link(struct nat64_state *st, int pi, struct nat64_p4range *r)
{
	unsigned int i = r->e.plen - NAT64_P4_MIN_PLEN;

	list_add_tail_rcu(&r->list, &st->ranges[pi]);
	hlist_add_head_rcu(&r->hnode, p4_bucket(st, pi, r->e.addr, r->e.plen));
	if (!st->p4plen_n[pi][i]++)
		WRITE_ONCE(st->p4plens[pi], st->p4plens[pi] | BIT(i));
	st->nranges++;
}

/* st->cfg held; readers may still see r until a grace period passes. */
static void range_unlink(struct nat64_state *st, int pi, struct nat64_p4range *r)
{
	unsigned int i = r->e.plen - NAT64_P4_MIN_PLEN;

	list_del_rcu(&r->list);
	hlist_del_rcu(&r->hnode);
	if (!--st->p4plen_n[pi][i])
		WRITE_ONCE(st->p4plens[pi], st->p4plens[pi] & ~BIT(i));
	st->nranges--;
}

/* RCU or st->cfg: the entry of proto pi holding (addr, port); of the given
 * mark, or of any mark when mark is NULL. */
static struct nat64_p4range *range_find(struct nat64_state *st, int pi, __be32 addr,
					u16 port, const u32 *mark)
{
	unsigned long plens = READ_ONCE(st->p4plens[pi]);
	struct nat64_p4range *r;
	unsigned int i;

	for_each_set_bit(i, &plens, NAT64_P4_NPLEN) {
		u8 plen = i + NAT64_P4_MIN_PLEN;
		__be32 pfx = cpu_to_be32(be32_to_cpu(addr) & plen_mask(plen));

		hlist_for_each_entry_rcu(r, p4_bucket(st, pi, pfx, plen), hnode,
					 lockdep_is_held(&st->cfg)) {
			if (r->e.addr == pfx && r->e.plen == plen &&
			    port >= r->e.port_min && port <= r->e.port_max &&
			    (!mark || r->e.mark == *mark))
				return r;
		}
	}
	return NULL;
}

void nat64_p4_init(struct nat64_state *st)
{
	int pi, b;

	for (pi = 0; pi < NAT64_NPROTO; pi++) {
		INIT_LIST_HEAD(&st->ranges[pi]);
		INIT_LIST_HEAD(&st->dflt[pi]);
		for (b = 0; b < (1 << NAT64_P4_HASH_BITS); b++)
			INIT_HLIST_HEAD(&st->p4hash[pi][b]);
	}
}

static struct nat64_paddr *paddr_new(__be32 addr, u16 min, u16 max,
				     struct nat64_p4range *r, gfp_t gfp)
{
	struct nat64_paddr *pa;

	pa = kmalloc(offsetof(struct nat64_paddr, ports) +
		     nat64_ports_size(min, max), gfp);
	if (!pa)
		return NULL;
	spin_lock_init(&pa->lock);
	pa->live = true;
	refcount_set(&pa->refs, 1);
	pa->addr = addr;
	pa->range = r;
	INIT_LIST_HEAD(&pa->dflt);
	nat64_ports_init(&pa->ports, min, max);
	return pa;
}

static void paddr_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct nat64_paddr, rcu));
}

void nat64_paddr_put(struct nat64_paddr *pa)
{
	/* The data path may still be looking at it through a range slot. */
	if (refcount_dec_and_test(&pa->refs))
		call_rcu(&pa->rcu, paddr_free_rcu);
}

/* Stop allocating from pa and drop the owner's reference. */
static void paddr_detach(struct nat64_paddr *pa)
{
	spin_lock_bh(&pa->lock);
	pa->live = false;
	pa->range = NULL;
	spin_unlock_bh(&pa->lock);
	nat64_paddr_put(pa);
}

/* Take a port from pa for the flow; a counted reference on success. */
static int paddr_alloc(struct nat64_paddr *pa, u16 want, u32 hash, u16 *port)
{
	int err = -ENOSPC;

	if (!READ_ONCE(pa->ports.nfree))
		return -ENOSPC;
	spin_lock_bh(&pa->lock);
	if (pa->live) {
		err = nat64_ports_alloc(&pa->ports, want, hash, port);
		if (!err) {
			refcount_inc(&pa->refs);
			if (pa->range)
				atomic_long_dec(&pa->range->nfree);
		}
	}
	spin_unlock_bh(&pa->lock);
	return err;
}

void nat64_p4_release(struct nat64_paddr *pa, __be16 port)
{
	spin_lock_bh(&pa->lock);
	if (nat64_ports_used(&pa->ports, be16_to_cpu(port))) {
		nat64_ports_free(&pa->ports, be16_to_cpu(port));
		if (pa->range)
			atomic_long_inc(&pa->range->nfree);
	}
	spin_unlock_bh(&pa->lock);
	nat64_paddr_put(pa);
}

static __be32 range_addr(const struct nat64_p4range *r, u32 j)
{
	return cpu_to_be32(be32_to_cpu(r->e.addr) + j);
}

/* The bitmap of the j-th address of r, created on first use. */
static struct nat64_paddr *range_paddr(struct nat64_p4range *r, u32 j, gfp_t gfp)
{
	struct nat64_paddr *pa = rcu_dereference_check(r->pa[j], 1);
	struct nat64_paddr *fresh;

	if (pa)
		return pa;
	fresh = paddr_new(range_addr(r, j), r->e.port_min, r->e.port_max, r, gfp);
	if (!fresh)
		return NULL;
	spin_lock_bh(&r->lock);
	pa = rcu_dereference_protected(r->pa[j], lockdep_is_held(&r->lock));
	if (!pa && !r->removed) {
		rcu_assign_pointer(r->pa[j], fresh);
		pa = fresh;
		fresh = NULL;
	}
	spin_unlock_bh(&r->lock);
	kfree(fresh);
	return pa;
}

struct p4_choice {
	const struct in6_addr *x6;
	u16 want;		/* x, host order */
	u32 hsrc;		/* hash of X' (which address to start at) */
	u32 hport;		/* hash of (X', x) */
	__be32 addr;
	u16 port;
	struct nat64_paddr *pa;
};

static int try_range(struct nat64_p4range *r, u32 from, u32 to, struct p4_choice *c)
{
	u32 j;
	int err = -ENOSPC;

	for (j = from; j < to; j++) {
		struct nat64_paddr *pa;

		/* Removed or split: its addresses are in other entries now. */
		if (!atomic_long_read(&r->nfree) || READ_ONCE(r->removed))
			return -ENOSPC;
		pa = range_paddr(r, j, GFP_ATOMIC);
		if (!pa) {
			err = -ENOMEM;
			continue;
		}
		if (!paddr_alloc(pa, c->want, c->hport, &c->port)) {
			c->addr = pa->addr;
			c->pa = pa;
			return 0;
		}
	}
	return err;
}

/* Only once a search will happen: an exhausted pool4 refuses without them. */
static void choice_hash(struct nat64_state *st, struct p4_choice *c)
{
	struct {
		struct in6_addr a;
		u32 port;
	} k = { .a = *c->x6, .port = c->want };

	c->hsrc = (u32)siphash(c->x6, sizeof(*c->x6), &st->p4key);
	c->hport = (u32)siphash(&k, sizeof(k), &st->p4key);
}

/*
 * Addresses of the entries of (mark, proto) form one sequence; start at
 * index start and go round once. Returns -ENOENT if no entry has the mark.
 */
static int alloc_ranges(struct nat64_state *st, int pi, u32 mark, struct p4_choice *c)
{
	struct nat64_p4range *r;
	unsigned long nfree = 0;
	u32 n = 0, start, base;
	int err = -ENOSPC, ret;

	list_for_each_entry_rcu(r, &st->ranges[pi], list) {
		if (r->e.mark != mark)
			continue;
		n += r->naddrs;
		nfree += atomic_long_read(&r->nfree);
	}
	if (!n)
		return -ENOENT;
	if (!nfree)
		return -ENOSPC;		/* exhausted: known without a search */
	choice_hash(st, c);
	start = reciprocal_scale(c->hsrc, n);
	/* Pass 1: from start to the end; pass 2: from the beginning to start. */
	base = 0;
	list_for_each_entry_rcu(r, &st->ranges[pi], list) {
		if (r->e.mark != mark)
			continue;
		if (start < base + r->naddrs) {
			ret = try_range(r, start > base ? start - base : 0, r->naddrs, c);
			if (!ret)
				return 0;
			if (ret == -ENOMEM)
				err = ret;
		}
		base += r->naddrs;
	}
	base = 0;
	list_for_each_entry_rcu(r, &st->ranges[pi], list) {
		if (r->e.mark != mark)
			continue;
		if (base >= start)
			break;
		ret = try_range(r, 0, min(start - base, r->naddrs), c);
		if (!ret)
			return 0;
		if (ret == -ENOMEM)
			err = ret;
		base += r->naddrs;
	}
	return err;
}

/* Default bitmaps are only freed with the instance: the result outlives
 * the read section. */
static struct nat64_paddr *dflt_find(struct nat64_state *st, int pi, __be32 addr)
{
	struct nat64_paddr *pa, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(pa, &st->dflt[pi], dflt) {
		if (pa->addr == addr) {
			found = pa;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* The bitmap of a default (own) address, created on first use. */
static struct nat64_paddr *dflt_paddr(struct nat64_state *st, int pi, __be32 addr,
				      gfp_t gfp)
{
	struct nat64_paddr *pa, *fresh;

	pa = dflt_find(st, pi, addr);
	if (pa)
		return pa;
	fresh = paddr_new(addr, NAT64_DEFAULT_PORT_MIN, NAT64_DEFAULT_PORT_MAX, NULL, gfp);
	if (!fresh)
		return NULL;
	spin_lock_bh(&st->dflt_lock);
	pa = dflt_find(st, pi, addr);
	if (!pa) {
		list_add_tail_rcu(&fresh->dflt, &st->dflt[pi]);
		pa = fresh;
		fresh = NULL;
	}
	spin_unlock_bh(&st->dflt_lock);
	kfree(fresh);
	return pa;
}

struct dflt_walk {
	struct nat64_state *st;
	int pi;
	struct p4_choice *c;
	u32 start;		/* index of the address to try first */
	u32 i;
	int pass;		/* 0: from start on; 1: those before start */
	int err;
	bool found;
};

static bool count_addr(__be32 a, void *arg)
{
	return false;
}

static bool try_default(__be32 a, void *arg)
{
	struct dflt_walk *w = arg;
	struct nat64_paddr *pa;
	u32 i = w->i++;

	if (w->pass == 0 ? i < w->start : i >= w->start)
		return false;
	pa = dflt_paddr(w->st, w->pi, a, GFP_ATOMIC);
	if (!pa) {
		w->err = -ENOMEM;
		return false;
	}
	if (paddr_alloc(pa, w->c->want, w->c->hport, &w->c->port))
		return false;
	w->c->addr = pa->addr;
	w->c->pa = pa;
	w->found = true;
	return true;
}

/*
 * Empty pool4 for (mark, proto): the namespace's own addresses. The walk
 * over them (state_kernel.c) happens only when a BIB entry is created.
 */
static int alloc_default(struct nat64_state *st, int pi, struct p4_choice *c)
{
	struct dflt_walk w = { .st = st, .pi = pi, .c = c, .err = -ENOSPC };
	unsigned int n;

	n = nat64_own_addrs_each(st->inst->net, count_addr, NULL);
	if (!n)
		return -ENOSPC;
	choice_hash(st, c);
	w.start = reciprocal_scale(c->hsrc, n);
	for (w.pass = 0; w.pass < 2; w.pass++) {
		w.i = 0;
		nat64_own_addrs_each(st->inst->net, try_default, &w);
		if (w.found)
			return 0;
	}
	return w.err;
}

int nat64_p4_alloc(struct nat64_state *st, int pi, u32 mark,
		   const struct in6_addr *x6, __be16 x, __be32 *addr,
		   __be16 *port, struct nat64_paddr **pa, enum nat64_stat *why)
{
	struct p4_choice c = { .x6 = x6, .want = be16_to_cpu(x) };
	int err;

	err = alloc_ranges(st, pi, mark, &c);
	if (err == -ENOENT)
		err = alloc_default(st, pi, &c);
	if (err) {
		*why = err == -ENOMEM ? NAT64_STAT_DROP_NOMEM :
					NAT64_STAT_DROP_POOL4_EXHAUSTED;
		return err;
	}
	*addr = c.addr;
	*port = cpu_to_be16(c.port);
	*pa = c.pa;
	return 0;
}

static bool own_default(struct nat64_state *st, int pi, __be32 addr, u16 port)
{
	return list_empty(&st->ranges[pi]) && port >= NAT64_DEFAULT_PORT_MIN &&
	       nat64_own_addr(st->inst->net, addr);
}

/* RCU or st->cfg: the bitmap that owns (addr, port) for mark (NULL: any),
 * NULL if none, ERR_PTR(-ENOMEM). */
static struct nat64_paddr *find_owner(struct nat64_state *st, int pi, __be32 addr,
				      u16 port, const u32 *mark, gfp_t gfp)
{
	struct nat64_p4range *r = range_find(st, pi, addr, port, mark);
	struct nat64_paddr *pa;

	if (r)
		pa = range_paddr(r, be32_to_cpu(addr) - be32_to_cpu(r->e.addr), gfp);
	else if (own_default(st, pi, addr, port))
		pa = dflt_paddr(st, pi, addr, gfp);
	else
		return NULL;
	return pa ?: ERR_PTR(-ENOMEM);
}

bool nat64_p4_owns(struct nat64_state *st, int pi, __be32 addr, __be16 port)
{
	u16 p = be16_to_cpu(port);

	return range_find(st, pi, addr, p, NULL) || own_default(st, pi, addr, p);
}

/* Take exactly (addr, port) from pa: a counted reference on success. */
static int paddr_take(struct nat64_paddr *pa, __be16 port)
{
	int err = -ESRCH;

	spin_lock_bh(&pa->lock);
	if (pa->live) {
		err = nat64_ports_take(&pa->ports, be16_to_cpu(port));
		if (!err) {
			refcount_inc(&pa->refs);
			if (pa->range)
				atomic_long_dec(&pa->range->nfree);
		}
	}
	spin_unlock_bh(&pa->lock);
	return err;
}

int nat64_p4_take_atomic(struct nat64_state *st, int pi, u32 mark, __be32 addr,
			 __be16 port, struct nat64_paddr **pap)
{
	struct nat64_paddr *pa;
	int err;

	pa = find_owner(st, pi, addr, be16_to_cpu(port), &mark, GFP_ATOMIC);
	if (IS_ERR_OR_NULL(pa))
		return pa ? PTR_ERR(pa) : -ESRCH;
	err = paddr_take(pa, port);
	if (!err)
		*pap = pa;
	return err;
}

/* Process context, st->cfg held (static BIB entries: any mark). */
int nat64_p4_take(struct nat64_state *st, int pi, __be32 addr, __be16 port,
		  struct nat64_paddr **pap, struct netlink_ext_ack *extack)
{
	struct nat64_paddr *pa;
	int err;

	pa = find_owner(st, pi, addr, be16_to_cpu(port), NULL, GFP_KERNEL);
	if (!pa) {
		NL_SET_ERR_MSG(extack, "IPv4 transport address is not in pool4 (add it to pool4 first)");
		return -EINVAL;
	}
	if (IS_ERR(pa))
		return PTR_ERR(pa);
	err = paddr_take(pa, port);
	if (err == -EEXIST)
		NL_SET_ERR_MSG(extack, "IPv4 transport address is already in use by another binding");
	else if (err)
		NL_SET_ERR_MSG(extack, "IPv4 transport address is not usable");
	if (!err)
		*pap = pa;
	return err;
}

/* ---- configuration ---------------------------------------------------- */

static int check_entry(struct nat64_pool4_entry *e, bool adding,
		       struct netlink_ext_ack *extack)
{
	if (nat64_proto_index(e->proto) < 0) {
		NL_SET_ERR_MSG(extack, "pool4 protocol must be TCP, UDP or ICMP");
		return -EINVAL;
	}
	e->proto = nat64_index_proto(nat64_proto_index(e->proto));
	if (e->plen > 32) {
		NL_SET_ERR_MSG(extack, "pool4 prefix length must be at most 32");
		return -EINVAL;
	}
	if (adding && e->plen < 16) {
		NL_SET_ERR_MSG(extack, "pool4 entry too large: at most 65536 addresses (prefix length >= 16)");
		return -EINVAL;
	}
	if (be32_to_cpu(e->addr) & ~plen_mask(e->plen)) {
		NL_SET_ERR_MSG(extack, "pool4 address has bits set past the prefix length");
		return -EINVAL;
	}
	if (e->port_min > e->port_max) {
		NL_SET_ERR_MSG(extack, "pool4 port range: minimum is above maximum");
		return -EINVAL;
	}
	/* Port 0 cannot carry TCP or UDP; ICMP identifier 0 is fine. */
	if (adding && e->proto != IPPROTO_ICMP && e->port_min == 0) {
		if (e->port_max == 0) {
			NL_SET_ERR_MSG(extack, "pool4 port 0 is not usable for TCP or UDP");
			return -EINVAL;
		}
		e->port_min = 1;
	}
	return 0;
}

static bool overlaps(const struct nat64_pool4_entry *a, const struct nat64_pool4_entry *b)
{
	u8 plen = min(a->plen, b->plen);
	struct nat64_pool4_entry wide = { .addr = a->addr, .plen = plen };

	return nat64_p4_range_has(&wide, b->addr) &&
	       a->port_min <= b->port_max && b->port_min <= a->port_max;
}

/* An entry with no bitmap yet (all are allocated on first use). */
static struct nat64_p4range *range_alloc(const struct nat64_pool4_entry *e)
{
	u32 naddrs = 1U << (32 - e->plen);
	struct nat64_p4range *r;

	r = kvzalloc(struct_size(r, pa, naddrs), GFP_KERNEL);
	if (!r)
		return NULL;
	r->e = *e;
	r->naddrs = naddrs;
	spin_lock_init(&r->lock);
	INIT_LIST_HEAD(&r->pieces);
	atomic_long_set(&r->nfree, (long)naddrs * (e->port_max - e->port_min + 1));
	return r;
}

static struct nat64_p4range *range_new(const struct nat64_pool4_entry *e)
{
	struct nat64_p4range *r = range_alloc(e);
	u32 j;

	if (!r || r->naddrs > EAGER_ADDRS)
		return r;
	for (j = 0; j < r->naddrs; j++) {
		struct nat64_paddr *pa = paddr_new(range_addr(r, j), e->port_min,
						   e->port_max, r, GFP_KERNEL);

		if (!pa)
			break;	/* the rest is allocated on first use */
		RCU_INIT_POINTER(r->pa[j], pa);
	}
	return r;
}

static void range_free_rcu(struct rcu_head *rcu)
{
	kvfree(container_of(rcu, struct nat64_p4range, rcu));
}

/* Unlinked from st->ranges already: stop every bitmap, free after RCU. */
static void range_retire(struct nat64_p4range *r)
{
	struct nat64_paddr *pa;
	u32 j;

	spin_lock_bh(&r->lock);
	WRITE_ONCE(r->removed, true);	/* no more lazy installs */
	spin_unlock_bh(&r->lock);
	for (j = 0; j < r->naddrs; j++) {
		pa = rcu_dereference_protected(r->pa[j], 1);
		if (pa)
			paddr_detach(pa);
	}
	call_rcu(&r->rcu, range_free_rcu);
}

int nat64_pool4_add(struct nat64_instance *inst, const struct nat64_pool4_entry *entry,
		    struct netlink_ext_ack *extack)
{
	struct nat64_state *st = inst->state;
	struct nat64_pool4_entry e = *entry;
	struct nat64_p4range *r;
	int pi, err;

	err = check_entry(&e, true, extack);
	if (err)
		return err;
	pi = nat64_proto_index(e.proto);
	mutex_lock(&st->cfg);
	list_for_each_entry(r, &st->ranges[pi], list) {
		if (r->e.mark == e.mark && r->e.addr == e.addr && r->e.plen == e.plen &&
		    r->e.port_min == e.port_min && r->e.port_max == e.port_max) {
			NL_SET_ERR_MSG(extack, "pool4 entry already exists");
			err = -EEXIST;
			goto out;
		}
		/* Any mark: one (proto, address, port) must have one owner. */
		if (overlaps(&r->e, &e)) {
			NL_SET_ERR_MSG(extack, "pool4 entry overlaps an existing entry (same protocol, address and ports)");
			err = -EEXIST;
			goto out;
		}
	}
	if (st->nranges >= MAX_POOL4_ENTRIES) {
		NL_SET_ERR_MSG(extack, "too many pool4 entries");
		err = -ENOSPC;
		goto out;
	}
	r = range_new(&e);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	range_link(st, pi, r);
out:
	mutex_unlock(&st->cfg);
	return err;
}

/* The part of entry a that is also in b (they overlap). */
static struct nat64_pool4_entry intersect(const struct nat64_pool4_entry *a,
					  const struct nat64_pool4_entry *b)
{
	struct nat64_pool4_entry c = *a;

	if (b->plen > a->plen) {
		c.addr = b->addr;
		c.plen = b->plen;
	}
	c.port_min = max(a->port_min, b->port_min);
	c.port_max = min(a->port_max, b->port_max);
	return c;
}

/* st->cfg held. The ranges of dead are unlinked: stop their bitmaps and,
 * unless quick, remove the BIB entries (and sessions) of the part of each
 * that cut (NULL: all of it) took away. */
static void retire_all(struct nat64_state *st, int pi, struct list_head *dead,
		       const struct nat64_pool4_entry *cut, bool quick)
{
	struct nat64_p4range *r, *tmp;

	list_for_each_entry_safe(r, tmp, dead, dead) {
		struct nat64_pool4_entry gone = cut ? intersect(&r->e, cut) : r->e;

		range_retire(r);
		if (!quick)
			nat64_state_kill_range(st, pi, &gone);
	}
}

/* st->cfg held: allocate the entries that replace r once the addresses of
 * e are taken out of it (e inside r, longer prefix). Nothing is linked. */
static int split_prepare(struct nat64_p4range *r, const struct nat64_pool4_entry *e)
{
	struct nat64_cidr outer = { be32_to_cpu(r->e.addr), r->e.plen };
	struct nat64_cidr inner = { be32_to_cpu(e->addr), e->plen };
	struct nat64_cidr blocks[32];
	unsigned int n, i;

	n = nat64_cidr_subtract(outer, inner, blocks);
	for (i = 0; i < n; i++) {
		struct nat64_pool4_entry pe = r->e;
		struct nat64_p4range *p;

		pe.addr = cpu_to_be32(blocks[i].addr);
		pe.plen = blocks[i].plen;
		p = range_alloc(&pe);
		if (!p)
			return -ENOMEM;
		list_add_tail(&p->list, &r->pieces);
	}
	return 0;
}

static void split_abort(struct nat64_p4range *r)
{
	struct nat64_p4range *p, *tmp;

	list_for_each_entry_safe(p, tmp, &r->pieces, list) {
		list_del(&p->list);
		kvfree(p);
	}
}

/*
 * st->cfg held: put r's pieces in its place. The bitmaps of the addresses
 * that stay move to their piece with the ports they have in use, so the
 * BIB entries on them live on and their ports count against the piece.
 * What is left in r (the removed addresses) is for range_retire().
 */
static void split_commit(struct nat64_state *st, int pi, struct nat64_p4range *r)
{
	long nports = r->e.port_max - r->e.port_min + 1;
	struct nat64_p4range *p, *tmp;
	struct nat64_paddr *pa;
	u32 base, j;

	spin_lock_bh(&r->lock);
	WRITE_ONCE(r->removed, true);	/* nothing new appears in r->pa[] from now on */
	spin_unlock_bh(&r->lock);
	list_for_each_entry_safe(p, tmp, &r->pieces, list) {
		list_del(&p->list);
		base = be32_to_cpu(p->e.addr) - be32_to_cpu(r->e.addr);
		for (j = 0; j < p->naddrs; j++) {
			pa = rcu_dereference_protected(r->pa[base + j],
						       lockdep_is_held(&st->cfg));
			if (!pa)
				continue;
			RCU_INIT_POINTER(r->pa[base + j], NULL);
			spin_lock_bh(&pa->lock);
			pa->range = p;
			atomic_long_sub(nports - pa->ports.nfree, &p->nfree);
			spin_unlock_bh(&pa->lock);
			rcu_assign_pointer(p->pa[j], pa);
		}
		range_link(st, pi, p);
	}
	range_unlink(st, pi, r);
}

/*
 * Remove the addresses of e (prefix) and ports from every entry of e's
 * mark. An entry inside e goes whole; an entry that holds e is split into
 * the blocks around e (as Jool does, whose pool4 is per address). Taking
 * part of an entry's port range is refused: its bitmaps cover its range.
 */
int nat64_pool4_del(struct nat64_instance *inst, const struct nat64_pool4_entry *entry,
		    bool quick, struct netlink_ext_ack *extack)
{
	struct nat64_state *st = inst->state;
	struct nat64_pool4_entry e = *entry;
	struct nat64_p4range *r;
	u32 victims = 0, pieces = 0;
	LIST_HEAD(dead);
	int pi, err;

	err = check_entry(&e, false, extack);
	if (err)
		return err;
	pi = nat64_proto_index(e.proto);
	mutex_lock(&st->cfg);
	list_for_each_entry(r, &st->ranges[pi], list) {
		if (r->e.mark != e.mark || !overlaps(&r->e, &e))
			continue;
		if (e.port_min > r->e.port_min || e.port_max < r->e.port_max) {
			NL_SET_ERR_MSG(extack, "pool4 remove cannot take part of an entry's port range: give its whole range (or none)");
			err = -EOPNOTSUPP;
			goto out;
		}
		list_add_tail(&r->dead, &dead);
		victims++;
		if (e.plen > r->e.plen)
			pieces += e.plen - r->e.plen;
	}
	if (!victims) {
		NL_SET_ERR_MSG(extack, "no pool4 entry matches (mark, protocol, prefix and ports)");
		err = -ESRCH;
		goto out;
	}
	if (st->nranges - victims + pieces > MAX_POOL4_ENTRIES) {
		NL_SET_ERR_MSG(extack, "too many pool4 entries after splitting");
		err = -ENOSPC;
		goto out;
	}
	/* Allocate everything first: a failure changes nothing. */
	list_for_each_entry(r, &dead, dead) {
		if (e.plen > r->e.plen) {
			err = split_prepare(r, &e);
			if (err)
				break;
		}
	}
	if (err) {
		list_for_each_entry(r, &dead, dead)
			split_abort(r);
		goto out;
	}
	list_for_each_entry(r, &dead, dead) {
		if (e.plen > r->e.plen)
			split_commit(st, pi, r);
		else
			range_unlink(st, pi, r);
	}
	/* Entries hold no reference from the data path: an RCU grace period
	 * (call_rcu in range_retire) covers readers that still walk them. */
	retire_all(st, pi, &dead, &e, quick);
out:
	mutex_unlock(&st->cfg);
	return err;
}

static void flush_ranges(struct nat64_state *st, bool quick)
{
	struct nat64_p4range *r, *tmp;
	int pi;

	mutex_lock(&st->cfg);
	for (pi = 0; pi < NAT64_NPROTO; pi++) {
		LIST_HEAD(dead);

		list_for_each_entry_safe(r, tmp, &st->ranges[pi], list) {
			range_unlink(st, pi, r);
			list_add_tail(&r->dead, &dead);
		}
		retire_all(st, pi, &dead, NULL, quick);
	}
	mutex_unlock(&st->cfg);
}

void nat64_pool4_flush(struct nat64_instance *inst, bool quick)
{
	flush_ranges(inst->state, quick);
}

/* Instance teardown: no reader left, every BIB already gone. */
void nat64_p4_destroy(struct nat64_state *st)
{
	struct nat64_paddr *pa, *ptmp;
	int pi;

	flush_ranges(st, true);
	for (pi = 0; pi < NAT64_NPROTO; pi++) {
		list_for_each_entry_safe(pa, ptmp, &st->dflt[pi], dflt) {
			list_del(&pa->dflt);
			paddr_detach(pa);
		}
	}
}
