// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions (RFC 6146 §3.5): creation on a BIB entry, update by each packet
 * (the TCP state machine of core/tcp_state.c, timer refresh), claim and
 * removal; and the timer classes they are listed by.
 *
 * A session sits on the expiry list of (the CPU that created it, its timer
 * class). The data path refreshes ->expires without a lock and moves the
 * session to the tail of its list only when the new expiry is more than
 * 1/8 of the timeout past the one the list was ordered by, so a busy flow
 * takes that lock about eight times per timeout (state_expiry.c reclaims).
 * Locking and layout: state_int.h.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_keys.h"
#include "stats.h"
#include "core/rfc6052.h"
#include "core/tcp_state.h"

#define MAX_TIMEOUT_SECS	NAT64_MAX_TIMEOUT	/* jiffies32 stay comparable */

void nat64_log_session(const struct nat64_state *st, const struct nat64_session *s,
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

unsigned long nat64_cls_timeout(const struct nat64_instance *inst, unsigned int cls)
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
		   max(nat64_timeout_divisor, 1U), 1UL);
}

unsigned int nat64_timer_cls(u8 timer)
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

unsigned int nat64_tcp_opts(const struct nat64_instance *inst)
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
	return &st->exp[s->shard];
}

/* Lock-free refresh; relist only when the list order drifted by > 1/8. */
static void sess_refresh(struct nat64_state *st, struct nat64_session *s,
			 unsigned long timeout)
{
	u32 exp = (u32)jiffies + (u32)timeout;
	struct nat64_explist *l;
	unsigned int cls;

	if (READ_ONCE(s->expires) != exp)
		WRITE_ONCE(s->expires, exp);
	if (exp - READ_ONCE(s->listed) <= max(timeout / 8, (unsigned long)HZ))
		return;
	l = explist(st, s);
	spin_lock_bh(&l->lock);
	cls = nat64_sess_cls(s);
	if (cls < NAT64_NCLS) {
		list_move_tail(&s->exp, &l->head[cls]);
		WRITE_ONCE(s->listed, exp);
	}
	spin_unlock_bh(&l->lock);
}

/* Explist lock held: state and class of s; put it at the tail of class
 * cls with a fresh timer. */
void nat64_sess_relist(struct nat64_state *st, struct nat64_session *s,
			struct nat64_explist *l, u8 state, unsigned int cls)
{
	u32 exp = (u32)jiffies + (u32)nat64_cls_timeout(st->inst, cls);

	WRITE_ONCE(s->expires, exp);
	WRITE_ONCE(s->listed, exp);
	nat64_sess_set(s, state, cls);
	list_move_tail(&s->exp, &l->head[cls]);
}

/* Take s off its expiry list for removal; false if someone else has it
 * or it is still being created. */
bool nat64_sess_claim(struct nat64_state *st, struct nat64_session *s)
{
	struct nat64_explist *l = explist(st, s);
	bool ok;

	spin_lock_bh(&l->lock);
	ok = nat64_sess_cls(s) < NAT64_NCLS;
	if (ok) {
		list_del(&s->exp);
		nat64_sess_set(s, nat64_sess_state(s), NAT64_CLS_DEAD);
	}
	spin_unlock_bh(&l->lock);
	return ok;
}

/* ---- sessions ---------------------------------------------------------- */

static void sess_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(nat64_sess_cache, container_of(rcu, struct nat64_session, rcu));
}

/* s was claimed (nat64_sess_claim): unpublish and free. */
void nat64_sess_destroy(struct nat64_state *st, struct nat64_session *s, bool expired)
{
	struct nat64_bib *b = s->bib;
	struct nat64_tables *t = &st->tab[nat64_proto_index(b->proto)];

	/* Unpublished before the BIB may go: (T,t) cannot pass to another
	 * entry while a session keyed by it is in sess (nat64_sess6_find). */
	rhashtable_remove_fast(&t->sess, &s->node, sess_params);
	atomic_dec(&st->nsessions);
	if (expired)
		nat64_stat_inc(st->inst, NAT64_STAT_SESSIONS_EXPIRED);
	nat64_log_session(st, s, expired ? "expired" : "removed");
	nat64_bib_unlink(st, b, s);
	call_rcu(&s->rcu, sess_free_rcu);
}

bool nat64_sessions_full(struct nat64_state *st, enum nat64_stat *why)
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
struct nat64_session *nat64_sess_create(struct nat64_state *st, struct nat64_tables *t,
					 struct nat64_bib *b, __be32 z4, __be16 z,
					 u8 state, unsigned int cls, bool *created,
					 enum nat64_stat *why)
{
	struct nat64_session *s, *old;
	struct nat64_explist *l;
	struct nat64_sess4_key k4;

	s = kmem_cache_alloc(nat64_sess_cache, GFP_ATOMIC);
	if (!s) {
		*why = NAT64_STAT_DROP_NOMEM;
		return ERR_PTR(-ENOMEM);
	}
	s->bib = b;
	s->raddr = z4;
	s->rport = z;
	nat64_sess_set(s, state, NAT64_CLS_NONE);
	/* The creating CPU's shard: the list lock stays local. */
	s->shard = raw_smp_processor_id() % st->nexp;
	s->expires = (u32)jiffies + (u32)nat64_cls_timeout(st->inst, cls);
	s->listed = s->expires;
	if (!nat64_bib_link(b, s)) {
		kmem_cache_free(nat64_sess_cache, s);
		return ERR_PTR(-EAGAIN);
	}
	/* b is live and owns (T,t): a session already under this key is
	 * b's (see nat64_sess6_find), the one a racer made. */
	sess4_key_of(s, &k4);
	old = rhashtable_lookup_get_insert_key(&t->sess, &k4, &s->node, sess_params);
	if (old)
		goto undo_link;
	atomic_inc(&st->nsessions);
	l = explist(st, s);
	spin_lock_bh(&l->lock);
	if (nat64_sess_cls(s) == NAT64_CLS_NONE) {
		nat64_sess_set(s, state, cls);
		list_add_tail(&s->exp, &l->head[cls]);
	}
	spin_unlock_bh(&l->lock);
	nat64_stat_inc(st->inst, NAT64_STAT_SESSIONS_CREATED);
	nat64_log_session(st, s, "added");
	*created = true;
	return s;

undo_link:
	nat64_bib_unlink(st, b, s);
	call_rcu(&s->rcu, sess_free_rcu);	/* readers may have seen it */
	if (IS_ERR(old)) {
		*why = NAT64_STAT_DROP_NOMEM;
		return old;
	}
	*created = false;
	return old;
}

/* A packet of an existing TCP session: run the state machine. */
static int tcp_update(struct nat64_state *st, struct nat64_session *s,
		      enum nat64_tcp_dir dir, u8 flags, enum nat64_stat *why)
{
	unsigned int opts = nat64_tcp_opts(st->inst);
	u8 sc = READ_ONCE(s->sc);	/* state and class from one read */
	u8 old = NAT64_SC_STATE(sc);
	struct nat64_tcp_step r = nat64_tcp_next(old, dir, flags, opts);
	struct nat64_explist *l;
	unsigned int cls;

	if (r.drop) {
		*why = r.drop;
		return -EPERM;
	}
	if (r.state == old && (r.timer == NAT64_TT_KEEP ||
			       nat64_timer_cls(r.timer) == NAT64_SC_CLS(sc))) {
		if (r.timer != NAT64_TT_KEEP)
			sess_refresh(st, s, nat64_cls_timeout(st->inst, nat64_timer_cls(r.timer)));
		return 0;
	}
	/* State or class change: rare (handshake, FIN, RST), under the lock. */
	l = explist(st, s);
	spin_lock_bh(&l->lock);
	cls = nat64_sess_cls(s);
	if (cls < NAT64_NCLS) {
		r = nat64_tcp_next(nat64_sess_state(s), dir, flags, opts);
		if (!r.drop) {
			if (r.timer != NAT64_TT_KEEP)
				nat64_sess_relist(st, s, l, r.state, nat64_timer_cls(r.timer));
			else
				nat64_sess_set(s, r.state, cls);
		}
	}
	spin_unlock_bh(&l->lock);
	return 0;
}

int nat64_sess_update(struct nat64_state *st, int pi, struct nat64_session *s,
		       enum nat64_tcp_dir dir, u8 flags, enum nat64_stat *why)
{
	if (pi == NAT64_PI_TCP)
		return tcp_update(st, s, dir, flags, why);
	sess_refresh(st, s, nat64_cls_timeout(st->inst, pi == NAT64_PI_UDP ?
					NAT64_CLS_UDP : NAT64_CLS_ICMP));
	return 0;
}

/* Initial state and timer class of a new session, or -EPERM. */
int nat64_sess_initial(struct nat64_state *st, int pi, enum nat64_tcp_dir dir,
			u8 flags, u8 *state, unsigned int *cls, enum nat64_stat *why)
{
	struct nat64_tcp_step r;

	if (pi != NAT64_PI_TCP) {
		*state = NAT64_TCP_ESTABLISHED;
		*cls = pi == NAT64_PI_UDP ? NAT64_CLS_UDP : NAT64_CLS_ICMP;
		return 0;
	}
	r = nat64_tcp_next(NAT64_TCP_CLOSED, dir, flags, nat64_tcp_opts(st->inst));
	if (r.drop) {
		*why = r.drop;
		return -EPERM;
	}
	*state = r.state;
	*cls = nat64_timer_cls(r.timer);
	return 0;
}

/* The expiry as a full jiffies value (->expires keeps the low 32 bits,
 * within 2^31 of now: see the assertions in state_int.h). */
unsigned long nat64_session_expires(const struct nat64_session *s)
{
	unsigned long now = jiffies;

	return now + (long)(s32)(READ_ONCE(s->expires) - (u32)now);
}

