// SPDX-License-Identifier: GPL-2.0
/*
 * Stateful NAT64 (RFC 6146 §3): the life cycle of an instance's tables.
 * The parts, by responsibility (layout and locking: state_int.h; design:
 * docs/STATE.md):
 *   state_table.c    keyed hashes, the rhashtables, slab caches
 *   state_bib.c      BIB entries: creation, death, bib add/remove
 *   state_session.c  sessions: creation, update (TCP), timer classes
 *   state_path.c     the data path's lookups and filtering
 *   state_so.c       held SYNs of simultaneous opens
 *   state_expiry.c   one gc pass
 *   pool4.c          pool4 and the choice of (T,t)
 * These compile into the module and, for the unit tests, into userspace.
 * The kernel-only glue: state_kernel.c (gc work, module parameter, own
 * addresses), state_emit.c (packets), state_nl.c (netlink).
 */
#define pr_fmt(fmt) "nat64: " fmt

#include "state_int.h"

/* Tables, pool4 and the store of held SYNs of inst; the caller starts the
 * gc. Process context. */
struct nat64_state *nat64_state_alloc(struct nat64_instance *inst)
{
	struct nat64_state *st;
	unsigned int i, cls;
	int pi;

	if (nat64_caches_get())
		return NULL;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		goto err_st;
	st->inst = inst;
	get_random_bytes(&st->p4key, sizeof(st->p4key));
	mutex_init(&st->cfg);
	spin_lock_init(&st->dflt_lock);
	atomic_set(&st->nsessions, 0);
	st->nexp = min_t(unsigned int, nr_cpu_ids, NAT64_EXP_SHARDS_MAX);
	st->exp = kvcalloc(st->nexp, sizeof(*st->exp), GFP_KERNEL);
	if (!st->exp)
		goto err_exp;
	for (i = 0; i < st->nexp; i++) {
		struct nat64_explist *l = &st->exp[i];

		spin_lock_init(&l->lock);
		for (cls = 0; cls < NAT64_NCLS; cls++)
			INIT_LIST_HEAD(&l->head[cls]);
	}
	nat64_p4_init(st);
	nat64_so_init(&st->so);
	for (pi = 0; pi < NAT64_NPROTO; pi++) {
		if (nat64_tables_init(&st->tab[pi]))
			goto err_tables;
	}
	return st;

err_tables:
	while (--pi >= 0)
		nat64_tables_destroy(&st->tab[pi]);
	kvfree(st->exp);
err_exp:
	kfree(st);
err_st:
	nat64_caches_put();
	return NULL;
}

/* After the instance is unreachable, an RCU grace period has passed and
 * the gc has stopped: frees every entry. */
void nat64_state_free(struct nat64_state *st)
{
	int pi;

	for (pi = 0; pi < NAT64_NPROTO; pi++)
		nat64_tables_destroy(&st->tab[pi]);
	nat64_so_destroy(&st->so);
	nat64_p4_destroy(st);
	kvfree(st->exp);
	mutex_destroy(&st->cfg);
	kfree(st);
	nat64_caches_put();	/* after the call_rcu()s above */
}
