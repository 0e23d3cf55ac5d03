// SPDX-License-Identifier: GPL-2.0
/*
 * Session expiry: one pass of the garbage collector over the expiry lists
 * (state_session.c keeps them). The kernel runs a pass every second from a
 * delayed work (state_kernel.c); the unit tests call it with their own
 * clock.
 *
 * A pass reclaims, in batches of NAT64_GC_BATCH under one lock hold,
 * sessions from the heads of the lists; a head whose expiry was pushed
 * back without a move stops its list until then (at most 1/8 of the
 * timeout), so a session is removed between its timeout and 9/8 of it. At
 * most NAT64_GC_BUDGET sessions go per pass; the caller runs the next
 * pass at once when there is more.
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_keys.h"
#include "stats.h"
#include "core/rfc6052.h"
#include "core/tcp_state.h"

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
	struct nat64_session *s, *tmp, *probe[NAT64_GC_BATCH];
	int done = 0, n, np, i;

	do {
		u32 now = (u32)jiffies;
		LIST_HEAD(dead);

		n = 0;
		np = 0;
		/* Sessions to probe stay valid until the probes are out. */
		rcu_read_lock();
		spin_lock_bh(&l->lock);
		while (n < NAT64_GC_BATCH) {
			s = list_first_entry_or_null(&l->head[cls], struct nat64_session, exp);
			if (!s || time_before32(now, s->listed))
				break;
			/* Refreshed without a move: due within 1/8 timeout. */
			if (time_before32(now, READ_ONCE(s->expires)))
				break;
			n++;
			if (cls == NAT64_CLS_TCP_EST) {
				struct nat64_tcp_step r = nat64_tcp_expire(nat64_sess_state(s));

				if (!r.drop) {
					nat64_sess_relist(st, s, l, r.state, nat64_timer_cls(r.timer));
					if (r.probe)
						probe[np++] = s;
					continue;
				}
			}
			nat64_sess_set(s, nat64_sess_state(s), NAT64_CLS_DEAD);
			list_move_tail(&s->exp, &dead);
		}
		spin_unlock_bh(&l->lock);
		for (i = 0; i < np; i++)
			sess_probe(st, probe[i]);
		rcu_read_unlock();
		/* _safe: call_rcu() reuses ->exp's memory. */
		list_for_each_entry_safe(s, tmp, &dead, exp)
			nat64_sess_destroy(st, s, true);
		done += n;
		cond_resched();
	} while (n == NAT64_GC_BATCH && done < budget);
	return done;
}

/* One pass: held SYNs, then up to NAT64_GC_BUDGET due sessions. True when
 * the budget ran out (more is due: run again at once). Process context. */
bool nat64_state_gc(struct nat64_state *st)
{
	int budget = NAT64_GC_BUDGET;
	unsigned int i, cls;

	nat64_so_gc(st);
	for (i = 0; i < st->nexp; i++)
		for (cls = 0; cls < NAT64_NCLS && budget > 0; cls++)
			budget -= gc_list(st, &st->exp[i], cls, budget);
	return budget <= 0;
}
