/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys of the BIB and session tables and their rhashtable parameters.
 * The parameters are constants in every file that looks a table up, so
 * that the kernel's rhashtable code is specialised for them (the hash and
 * compare functions are called directly); the functions live in
 * state_table.c.
 */
#ifndef NAT64_STATE_KEYS_H
#define NAT64_STATE_KEYS_H

#include "state_int.h"
#include "core/flow_hash.h"

u32 nat64_key_hash(const void *key, u32 len, u32 seed);
u32 nat64_bib6_obj_hash(const void *obj, u32 len, u32 seed);
int nat64_bib6_cmp(struct rhashtable_compare_arg *arg, const void *obj);
u32 nat64_bib4_obj_hash(const void *obj, u32 len, u32 seed);
int nat64_bib4_cmp(struct rhashtable_compare_arg *arg, const void *obj);
u32 nat64_sess_obj_hash(const void *obj, u32 len, u32 seed);
int nat64_sess_cmp(struct rhashtable_compare_arg *arg, const void *obj);
int nat64_sess6_cmp(struct rhashtable_compare_arg *arg, const void *obj);

/* The 6->4 path's key into sess: the hashed part first, then the BIB
 * entry the session must belong to (nat64_sess6_find()). */
struct nat64_sess6_lookup {
	struct nat64_sess4_key k;
	const struct nat64_bib *b;
};

static inline void sess4_key_of(const struct nat64_session *s, struct nat64_sess4_key *k)
{
	k->t4 = s->bib->addr4;
	k->z4 = s->raddr;
	k->t = s->bib->port4;
	k->z = s->rport;
}

static const struct rhashtable_params bib6_params = {
	.key_len = sizeof(struct nat64_bib6_key),
	.head_offset = offsetof(struct nat64_bib, node6),
	.hashfn = nat64_key_hash,
	.obj_hashfn = nat64_bib6_obj_hash,
	.obj_cmpfn = nat64_bib6_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params bib4_params = {
	.key_len = sizeof(struct nat64_bib4_key),
	.head_offset = offsetof(struct nat64_bib, node4),
	.hashfn = nat64_key_hash,
	.obj_hashfn = nat64_bib4_obj_hash,
	.obj_cmpfn = nat64_bib4_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params sess_params = {
	.key_len = sizeof(struct nat64_sess4_key),
	.head_offset = offsetof(struct nat64_session, node),
	.hashfn = nat64_key_hash,
	.obj_hashfn = nat64_sess_obj_hash,
	.obj_cmpfn = nat64_sess_cmp,
	.automatic_shrinking = true,
};

/*
 * The same table, looked up with a struct nat64_sess6_lookup: the same
 * hash (over the leading key_len bytes) and a compare by owner, Z and z,
 * which reads no other entry's BIB while it walks a chain.
 */
static const struct rhashtable_params sess6_lookup_params = {
	.key_len = sizeof(struct nat64_sess4_key),
	.head_offset = offsetof(struct nat64_session, node),
	.hashfn = nat64_key_hash,
	.obj_hashfn = nat64_sess_obj_hash,
	.obj_cmpfn = nat64_sess6_cmp,
	.automatic_shrinking = true,
};

/* Caller holds rcu_read_lock(). */
static inline struct nat64_bib *bib6_find(struct nat64_tables *t, const struct in6_addr *a,
				   __be16 p)
{
	struct nat64_bib6_key k = { .addr = *a, .port = p };

	return rhashtable_lookup(&t->bib6, &k, bib6_params);
}

static inline struct nat64_bib *bib4_find(struct nat64_tables *t, __be32 a, __be16 p)
{
	struct nat64_bib4_key k = { .addr = a, .port = p };

	return rhashtable_lookup(&t->bib4, &k, bib4_params);
}

static inline struct nat64_session *sess4_find(struct nat64_tables *t,
					       const struct nat64_sess4_key *k)
{
	return rhashtable_lookup(&t->sess, k, sess_params);
}

/*
 * The session of BIB entry b towards (Z,y) (y 0 for ICMP): the 6->4
 * lookup, after bib6 gave b for (X',x). The session table is keyed by the
 * IPv4 side, so this is a lookup of (T,t,Z,y), compared by owner. The
 * owner matters only for a b that RCU still shows after its removal: its
 * (T,t) may already belong to another entry whose session must not be
 * taken for this flow's. A live b owns (T,t), and every session keyed by
 * it is b's.
 */
static inline struct nat64_session *nat64_sess6_find(struct nat64_tables *t,
						     const struct nat64_bib *b,
						     __be32 z4, __be16 y)
{
	struct nat64_sess6_lookup l = {
		.k = { .t4 = b->addr4, .z4 = z4, .t = b->port4, .z = y },
		.b = b,
	};

	return rhashtable_lookup(&t->sess, &l, sess6_lookup_params);
}

#endif
