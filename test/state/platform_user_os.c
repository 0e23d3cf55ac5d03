// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line part of mod/core/platform_user_os.h: the kernel services
 * the stateful code uses, in userspace, for the unit tests. Simple on
 * purpose, and built so that ThreadSanitizer understands every
 * synchronisation (pthread locks and __atomic operations only).
 */
#include "platform_os.h"

/* ---- RCU: one rwlock -------------------------------------------------------
 * A reader holds it shared for its outermost read section; synchronize_rcu()
 * takes it exclusively, which waits for every reader that started before.
 * Writers are preferred, so a stream of readers cannot starve a grace
 * period; nesting is counted per thread, so a nested rcu_read_lock() never
 * queues behind a waiting writer.
 */
static pthread_rwlock_t rcu_lock;
static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;
static __thread unsigned int rcu_depth;

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_head *cb_head;

static void rcu_setup(void)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&rcu_lock, &a);
	pthread_rwlockattr_destroy(&a);
}

void rcu_read_lock(void)
{
	pthread_once(&rcu_once, rcu_setup);
	if (!rcu_depth++)
		pthread_rwlock_rdlock(&rcu_lock);
}

void rcu_read_unlock(void)
{
	if (!--rcu_depth)
		pthread_rwlock_unlock(&rcu_lock);
}

void synchronize_rcu(void)
{
	pthread_once(&rcu_once, rcu_setup);
	if (rcu_depth)
		abort();	/* would wait for itself */
	pthread_rwlock_wrlock(&rcu_lock);
	pthread_rwlock_unlock(&rcu_lock);
}

static void rcu_enqueue(struct rcu_head *head)
{
	pthread_mutex_lock(&cb_lock);
	head->next = cb_head;
	cb_head = head;
	pthread_mutex_unlock(&cb_lock);
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	head->func = func;
	rcu_enqueue(head);
}

void nat64_ukfree_rcu(struct rcu_head *head, size_t offset)
{
	head->func = (void (*)(struct rcu_head *))offset;
	rcu_enqueue(head);
}

void rcu_barrier(void)
{
	struct rcu_head *h, *next;

	pthread_mutex_lock(&cb_lock);
	h = cb_head;
	cb_head = NULL;
	pthread_mutex_unlock(&cb_lock);
	synchronize_rcu();
	for (; h; h = next) {
		next = h->next;
		if ((uintptr_t)h->func >= 4096)
			h->func(h);
		else	/* kfree_rcu(): the offset of h in its object */
			free((char *)h - (uintptr_t)h->func);
	}
}

/* ---- CPUs and time -------------------------------------------------------- */

static __thread unsigned int this_cpu;
unsigned long nat64_ujiffies;

unsigned int raw_smp_processor_id(void)
{
	return this_cpu;
}

void nat64_ucpu_set(unsigned int cpu)
{
	this_cpu = cpu % NAT64_UNCPUS;
}

/* ---- memory and randomness ------------------------------------------------ */

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags, void *ctor)
{
	struct kmem_cache *c = malloc(sizeof(*c));

	(void)name, (void)align, (void)flags, (void)ctor;
	if (c)
		c->size = size;
	return c;
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	free(c);
}

static u64 rnd_state = 0x6e61743634ULL;	/* fixed: runs are reproducible */
static pthread_mutex_t rnd_lock = PTHREAD_MUTEX_INITIALIZER;

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	pthread_mutex_lock(&rnd_lock);
	while (len--) {
		rnd_state ^= rnd_state << 13;	/* xorshift64 */
		rnd_state ^= rnd_state >> 7;
		rnd_state ^= rnd_state << 17;
		*p++ = (u8)(rnd_state >> 24);
	}
	pthread_mutex_unlock(&rnd_lock);
}

/* ---- SipHash-2-4 (hsiphash: the same, truncated; not the kernel's values) - */

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void sipround(u64 v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static void sipcompress(u64 v[4], u64 m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	u64 v[4] = {
		0x736f6d6570736575ULL ^ key->key[0], 0x646f72616e646f6dULL ^ key->key[1],
		0x6c7967656e657261ULL ^ key->key[0], 0x7465646279746573ULL ^ key->key[1],
	};
	const u8 *p = data;
	u64 m, last = (u64)len << 56;
	size_t i;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&m, p, 8);
		sipcompress(v, m);
	}
	for (i = 0; i < len; i++)
		last |= (u64)p[i] << (8 * i);
	sipcompress(v, last);
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key)
{
	siphash_key_t k = { { key->key[0], key->key[1] } };

	return (u32)siphash(data, len, &k);
}

/* ---- rhashtable ----------------------------------------------------------- */

static u32 urht_buckets = NAT64_URHT_BUCKETS;

void nat64_urht_set_buckets(u32 n)
{
	urht_buckets = n;
}

int rhashtable_init(struct rhashtable *ht, const struct rhashtable_params *params)
{
	ht->nbuckets = urht_buckets;
	ht->buckets = calloc(ht->nbuckets, sizeof(*ht->buckets));
	if (!ht->buckets)
		return -ENOMEM;
	get_random_bytes(&ht->seed, sizeof(ht->seed));
	pthread_mutex_init(&ht->lock, NULL);
	ht->p = *params;
	return 0;
}

void rhashtable_destroy(struct rhashtable *ht)
{
	pthread_mutex_destroy(&ht->lock);
	free(ht->buckets);
}

void rhashtable_free_and_destroy(struct rhashtable *ht, void (*fn)(void *ptr, void *arg),
				 void *arg)
{
	struct rhash_head *he, *next;
	u32 b;

	for (b = 0; b < ht->nbuckets; b++) {
		for (he = ht->buckets[b]; he; he = next) {
			next = he->next;
			fn((char *)he - ht->p.head_offset, arg);
		}
	}
	rhashtable_destroy(ht);
}

void *nat64_urht_insert(struct rhashtable *ht, const void *key, struct rhash_head *obj)
{
	struct rhashtable_compare_arg arg = { .ht = ht, .key = key };
	u32 b = nat64_urht_bucket(ht, ht->p.hashfn(key, ht->p.key_len, ht->seed));
	struct rhash_head *he;
	void *found = NULL;

	pthread_mutex_lock(&ht->lock);
	for (he = ht->buckets[b]; he; he = he->next) {
		if (!ht->p.obj_cmpfn(&arg, (char *)he - ht->p.head_offset)) {
			found = (char *)he - ht->p.head_offset;
			break;
		}
	}
	if (!found) {
		obj->next = ht->buckets[b];
		nat64_ustore(ht->buckets[b], obj);
	}
	pthread_mutex_unlock(&ht->lock);
	return found;
}

/* obj->next stays: a reader standing on obj goes on to the rest. */
int nat64_urht_remove(struct rhashtable *ht, struct rhash_head *obj)
{
	void *o = (char *)obj - ht->p.head_offset;
	u32 b = nat64_urht_bucket(ht, ht->p.obj_hashfn(o, ht->p.key_len, ht->seed));
	struct rhash_head **pp;
	int err = -ENOENT;

	pthread_mutex_lock(&ht->lock);
	for (pp = &ht->buckets[b]; *pp; pp = &(*pp)->next) {
		if (*pp == obj) {
			nat64_ustore(*pp, obj->next);
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&ht->lock);
	return err;
}

void rhashtable_walk_enter(struct rhashtable *ht, struct rhashtable_iter *iter)
{
	iter->ht = ht;
	iter->bucket = 0;
	iter->skip = 0;
}

void rhashtable_walk_start(struct rhashtable_iter *iter)
{
	(void)iter;
	rcu_read_lock();
}

/* Like the kernel's, it may skip an entry when entries go meanwhile. */
void *rhashtable_walk_next(struct rhashtable_iter *iter)
{
	struct rhashtable *ht = iter->ht;
	struct rhash_head *he;
	u32 i;

	for (; iter->bucket < ht->nbuckets; iter->bucket++, iter->skip = 0) {
		he = nat64_uload(ht->buckets[iter->bucket]);
		for (i = 0; he && i < iter->skip; i++)
			he = nat64_uload(he->next);
		if (he) {
			iter->skip++;
			return (char *)he - ht->p.head_offset;
		}
	}
	return NULL;
}

void rhashtable_walk_stop(struct rhashtable_iter *iter)
{
	(void)iter;
	rcu_read_unlock();
}

void rhashtable_walk_exit(struct rhashtable_iter *iter)
{
	(void)iter;
}
