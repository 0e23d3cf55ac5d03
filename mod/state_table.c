// SPDX-License-Identifier: GPL-2.0
/*
 * The BIB and session tables of one protocol: their keyed hashes, their
 * creation and teardown, and the slab caches of their objects.
 * Keys and parameters: state_keys.h. Locking and layout: state_int.h.
 */
#include "state_keys.h"

struct kmem_cache *nat64_bib_cache __read_mostly;
struct kmem_cache *nat64_sess_cache __read_mostly;
struct nat64_hash_key nat64_hash_key __read_mostly;

/*
 * The keys (core/flow_hash.h) are hashed with a secret key so that chosen
 * flows cannot be steered into one bucket; the table's seed is hashed too,
 * so that a rehash redistributes.
 */
u32 nat64_key_hash(const void *key, u32 len, u32 seed)
{
	return nat64_flow_hash(key, len, seed, &nat64_hash_key);
}

u32 nat64_bib6_obj_hash(const void *obj, u32 len, u32 seed)
{
	const struct nat64_bib *b = obj;
	struct nat64_bib6_key k = { .addr = b->addr6, .port = b->port6 };

	return nat64_key_hash(&k, sizeof(k), seed);
}

int nat64_bib6_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct nat64_bib6_key *k = arg->key;
	const struct nat64_bib *b = obj;

	return !(b->port6 == k->port && ipv6_addr_equal(&b->addr6, &k->addr));
}

u32 nat64_bib4_obj_hash(const void *obj, u32 len, u32 seed)
{
	const struct nat64_bib *b = obj;
	struct nat64_bib4_key k = { .addr = b->addr4, .port = b->port4 };

	return nat64_key_hash(&k, sizeof(k), seed);
}

int nat64_bib4_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct nat64_bib4_key *k = arg->key;
	const struct nat64_bib *b = obj;

	return !(b->addr4 == k->addr && b->port4 == k->port);
}


u32 nat64_sess_obj_hash(const void *obj, u32 len, u32 seed)
{
	struct nat64_sess4_key k;

	sess4_key_of(obj, &k);
	return nat64_key_hash(&k, sizeof(k), seed);
}

int nat64_sess_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct nat64_sess4_key *k = arg->key;
	const struct nat64_session *s = obj;

	return !(s->raddr == k->z4 && s->rport == k->z &&
		 s->bib->addr4 == k->t4 && s->bib->port4 == k->t);
}

/* The owner stands for (T,t): see nat64_sess6_find(). */
int nat64_sess6_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct nat64_sess6_lookup *l = arg->key;
	const struct nat64_session *s = obj;

	return !(s->bib == l->b && s->raddr == l->k.z4 && s->rport == l->k.z);
}

/* ---- life cycle -------------------------------------------------------- */

/*
 * The slab caches live while some instance does. The last instance to go
 * waits for every pending call_rcu() of the state code (they free into the
 * caches and run module code) before destroying them, so module unload
 * needs nothing from main.c.
 */
static DEFINE_MUTEX(cache_lock);
static unsigned int cache_users;

int nat64_caches_get(void)
{
	int err = 0;

	mutex_lock(&cache_lock);
	if (cache_users++)
		goto out;
	get_random_bytes(&nat64_hash_key, sizeof(nat64_hash_key));
	nat64_bib_cache = kmem_cache_create("nat64_bib", sizeof(struct nat64_bib), 0, 0, NULL);
	nat64_sess_cache = kmem_cache_create("nat64_session", sizeof(struct nat64_session),
				       0, 0, NULL);
	if (!nat64_bib_cache || !nat64_sess_cache) {
		kmem_cache_destroy(nat64_sess_cache);
		kmem_cache_destroy(nat64_bib_cache);
		cache_users--;
		err = -ENOMEM;
	}
out:
	mutex_unlock(&cache_lock);
	return err;
}

void nat64_caches_put(void)
{
	mutex_lock(&cache_lock);
	if (!--cache_users) {
		rcu_barrier();
		kmem_cache_destroy(nat64_sess_cache);
		kmem_cache_destroy(nat64_bib_cache);
		nat64_sess_cache = NULL;
		nat64_bib_cache = NULL;
	}
	mutex_unlock(&cache_lock);
}

int nat64_tables_init(struct nat64_tables *t)
{
	int err;

	err = rhashtable_init(&t->bib6, &bib6_params);
	if (err)
		return err;
	err = rhashtable_init(&t->bib4, &bib4_params);
	if (err)
		goto err_bib4;
	err = rhashtable_init(&t->sess, &sess_params);
	if (err)
		goto err_sess;
	return 0;

err_sess:
	rhashtable_destroy(&t->bib4);
err_bib4:
	rhashtable_destroy(&t->bib6);
	return err;
}

static void sess_free_now(void *ptr, void *arg)
{
	kmem_cache_free(nat64_sess_cache, ptr);
}

static void bib_free_now(void *ptr, void *arg)
{
	struct nat64_bib *b = ptr;

	nat64_paddr_put(b->pa);
	kmem_cache_free(nat64_bib_cache, b);
}

/* Sessions first (they point to BIB entries), each freed once. */
void nat64_tables_destroy(struct nat64_tables *t)
{
	rhashtable_free_and_destroy(&t->sess, sess_free_now, NULL);
	rhashtable_destroy(&t->bib6);
	rhashtable_free_and_destroy(&t->bib4, bib_free_now, NULL);
}

