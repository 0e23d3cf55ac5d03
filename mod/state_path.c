// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's questions to the tables (RFC 6146 §3.5): find or create
 * the BIB entry and session of a packet, filter (endpoint-independent or
 * address-dependent), and compute the outgoing tuple; and the lookups for
 * the inner packets of ICMP errors. Softirq, rcu_read_lock() held; finding
 * an existing flow takes no lock. Locking and layout: state_int.h.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_keys.h"
#include "stats.h"
#include "core/rfc6052.h"
#include "core/tcp_state.h"

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

/* 6->4 miss: find or make the BIB entry, then the session. b: what bib6
 * gave for (X',x), NULL or maybe dying. */
static struct nat64_session *sess_new6(struct nat64_state *st, int pi,
				       const struct nat64_sess6_key *k, struct nat64_bib *b,
				       u32 mark, u8 flags, enum nat64_stat *why)
{
	struct nat64_tables *t = &st->tab[pi];
	struct nat64_session *s = ERR_PTR(-EAGAIN);
	struct nat64_tcp_step so_step;
	struct nat64_so *so;
	unsigned int cls;
	bool created = false;
	u8 state;
	int tries, err;

	err = nat64_sess_initial(st, pi, NAT64_TCP_FROM6, flags, &state, &cls, why);
	if (err)
		return ERR_PTR(err);
	if (nat64_sessions_full(st, why))
		return ERR_PTR(-ENOSPC);
	for (tries = 0; tries < NAT64_CREATE_TRIES && s == ERR_PTR(-EAGAIN); tries++) {
		if (tries)
			b = bib6_find(t, &k->x6, k->x);	/* the last one died */
		so = pi == NAT64_PI_TCP ? nat64_so_match6(st, pi, mark, k, &b) : NULL;
		if (!b) {
			b = nat64_bib_create(st, pi, mark, &k->x6, k->x, why);
			if (IS_ERR(b))
				return ERR_CAST(b);
		}
		if (!so) {
			s = nat64_sess_create(st, t, b, k->z4, k->y, state, cls, &created, why);
		} else {
			/* As if the held SYN had opened a V4 INIT session. */
			so_step = nat64_tcp_next(NAT64_TCP_V4_INIT, NAT64_TCP_FROM6, flags,
						 nat64_tcp_opts(st->inst));
			s = nat64_sess_create(st, t, b, k->z4, k->y, so_step.state,
					nat64_timer_cls(so_step.timer), &created, why);
			if (IS_ERR(s)) {
				nat64_so_fail(st, so);
			} else {
				nat64_stat_inc(st->inst, NAT64_STAT_SO_OPENED);
				kfree_rcu(so, rcu);
			}
		}
		if (IS_ERR(s))
			nat64_bib_put_if_unused(st, b);	/* do not leave it empty */
	}
	if (s == ERR_PTR(-EAGAIN))
		*why = NAT64_STAT_DROP_INTERNAL;
	if (!IS_ERR(s) && !created) {
		err = nat64_sess_update(st, pi, s, NAT64_TCP_FROM6, flags, why);
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
	struct nat64_session *s = NULL;
	struct nat64_sess6_key k;
	struct nat64_bib *b;
	int err;

	if (pi < 0) {
		*why = NAT64_STAT_DROP_UNKNOWN_PROTO;
		return -EINVAL;
	}
	k.x6 = pkt->t6.src;
	k.z4 = dst4;
	k.x = pkt->t6.sport;
	k.y = pi == NAT64_PI_ICMP ? 0 : pkt->t6.dport;
	/* No session table by the IPv6 side (state_int.h): (X',x) gives
	 * (T,t), and (T,t,Z,y) the session. */
	b = bib6_find(&st->tab[pi], &k.x6, k.x);
	if (b)
		s = nat64_sess6_find(&st->tab[pi], b, k.z4, k.y);
	if (s) {
		err = nat64_sess_update(st, pi, s, NAT64_TCP_FROM6, pkt->tcp_flags, why);
		if (err)
			return err;
	} else {
		s = sess_new6(st, pi, &k, b, mark, pkt->tcp_flags, why);
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
				       const struct nat64_sess4_key *k, u8 flags,
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
		err = nat64_sess_initial(st, pi, NAT64_TCP_FROM4, flags, &state, &cls, why);
		if (err)
			return ERR_PTR(err);
		return ERR_PTR(nat64_so_hold(st, k, skb, NAT64_STAT_DROP_NO_BIB4, why));
	}
	err = nat64_sess_initial(st, pi, NAT64_TCP_FROM4, flags, &state, &cls, why);
	if (err)
		return ERR_PTR(err);
	if (READ_ONCE(st->inst->globals.address_dependent_filtering) &&
	    !bib_knows(b, k->z4)) {
		/* A SYN (nat64_sess_initial let it through) may be a simultaneous open. */
		if (pi == NAT64_PI_TCP)
			return ERR_PTR(nat64_so_hold(st, k, skb, NAT64_STAT_DROP_NO_SESSION4, why));
		*why = NAT64_STAT_DROP_NO_SESSION4;
		return ERR_PTR(-EPERM);
	}
	if (nat64_sessions_full(st, why))
		return ERR_PTR(-ENOSPC);
	s = nat64_sess_create(st, t, b, k->z4, k->z, state, cls, &created, why);
	if (s == ERR_PTR(-EAGAIN)) {
		*why = NAT64_STAT_DROP_NO_BIB4;	/* it died just now */
		return ERR_PTR(-ENOENT);
	}
	if (!IS_ERR(s) && !created) {
		err = nat64_sess_update(st, pi, s, NAT64_TCP_FROM4, flags, why);
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
	struct nat64_sess4_key k;
	int err;

	if (pi < 0) {
		*why = NAT64_STAT_DROP_UNKNOWN_PROTO;
		return -EINVAL;
	}
	k.t4 = pkt->t4.dst;
	k.z4 = pkt->t4.src;
	k.t = pkt->t4.dport;
	k.z = pi == NAT64_PI_ICMP ? 0 : pkt->t4.sport;
	s = sess4_find(&st->tab[pi], &k);
	if (s) {
		err = nat64_sess_update(st, pi, s, NAT64_TCP_FROM4, pkt->tcp_flags, why);
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
	struct nat64_bib *b;
	__be32 z4;

	if (pi < 0 || !nat64_rfc6052_extract(&inst->pool6, &inner6->src, &z4))
		return -EINVAL;
	/* The inner packet went (Y',y) -> (X',x); the BIB entry of (X',x) is
	 * all that is needed, the session need not exist any more. */
	b = bib6_find(&st->tab[pi], &inner6->dst, inner6->dport);
	if (!b)
		return -ENOENT;
	/* Same direction as the inner packet: (Z,z) -> (T,t). */
	out->src = z4;
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

