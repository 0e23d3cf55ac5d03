/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel services of the stateful code, userspace edition (unit tests,
 * ThreadSanitizer). Only via platform_os.h. The subset mod/state*.c and
 * mod/pool4.c use, with the kernel's names and meaning, written for
 * clarity rather than speed:
 *  - spinlocks and mutexes are pthread mutexes; "bh" means nothing here;
 *  - RCU is one global rwlock: readers hold it shared (nesting counted per
 *    thread), a grace period is taking it exclusively. call_rcu() queues;
 *    the queue runs in rcu_barrier() / nat64_urcu_flush(), after a grace
 *    period. rcu_dereference / rcu_assign_pointer are acquire / release
 *    atomics, so TSan sees every publication;
 *  - every "next" pointer of a list a reader may walk is read and written
 *    atomically;
 *  - a CPU is a number a thread chooses (nat64_ucpu_set()); per-CPU data
 *    is an array of NAT64_UNCPUS copies;
 *  - jiffies is a variable the test sets (nat64_ujiffies_set()): the clock
 *    is injected;
 *  - rhashtable has a fixed number of buckets (no resizing), lock-free
 *    lookups, a mutex per table for changes. The count is taken at
 *    rhashtable_init() from nat64_urht_set_buckets() (default 4096), so a
 *    benchmark can give a big table the size rhashtable would grow to.
 * Implementation of the out-of-line parts: test/state/platform_user_os.c.
 */
#ifndef NAT64_CORE_PLATFORM_USER_OS_H
#define NAT64_CORE_PLATFORM_USER_OS_H

#include <pthread.h>
#include <stdlib.h>

#define __rcu
#define __percpu
#define __read_mostly
#define __force

/* ---- misc ---------------------------------------------------------------- */

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))
#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define struct_size(p, member, n) (sizeof(*(p)) + (size_t)(n) * sizeof(*(p)->member))
#define cond_resched() ((void)0)

#define MAX_ERRNO 4095
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return (unsigned long)p >= (unsigned long)-MAX_ERRNO; }
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }
static inline void *ERR_CAST(const void *p) { return (void *)p; }

static inline u32 reciprocal_scale(u32 val, u32 ep_ro)
{
	return (u32)(((u64)val * ep_ro) >> 32);
}

static inline unsigned int nat64_unext_bit(const unsigned long *w, unsigned int n,
					   unsigned int from)
{
	for (; from < n; from++)
		if (*w & (1UL << from))
			return from;
	return n;
}
#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = nat64_unext_bit(addr, size, 0); (bit) < (size);	\
	     (bit) = nat64_unext_bit(addr, size, (bit) + 1))

/* Not keyed, like the kernel's: only pool4's (prefix, length) hash. */
static inline u32 jhash_2words(u32 a, u32 b, u32 initval)
{
	u64 h = ((u64)a << 32 | b) ^ initval;

	h *= 0x9e3779b97f4a7c15ULL;
	return (u32)(h >> 32) ^ (u32)h;
}

static inline bool ipv6_addr_equal(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Logging: the kernel's formats (%pI6c...) mean nothing to printf. */
static inline void nat64_ulog(const char *fmt, ...) { (void)fmt; }
#define pr_info(...) nat64_ulog(__VA_ARGS__)
#define pr_warn_once(...) nat64_ulog(__VA_ARGS__)
#define net_dbg_ratelimited(...) nat64_ulog(__VA_ARGS__)

/* ---- netlink extack, skb (only what the state code reads) ---------------- */

struct netlink_ext_ack {
	const char *_msg;
};
#define NL_SET_ERR_MSG(e, m) do { if (e) (e)->_msg = (m); } while (0)

struct net;	/* opaque: the glue's business */

struct sk_buff {
	const u8 *data;
	unsigned int len;
};

static inline int skb_copy_bits(const struct sk_buff *skb, int off, void *to, int len)
{
	if (off < 0 || len < 0 || (unsigned int)(off + len) > skb->len)
		return -EFAULT;
	memcpy(to, skb->data + off, len);
	return 0;
}

/* ---- atomics -------------------------------------------------------------- */

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { int refs; } refcount_t;

#define atomic_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_dec(v) ((void)__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_RELAXED))
#define atomic_long_read(v) atomic_read(v)
#define atomic_long_set(v, i) atomic_set(v, i)
#define atomic_long_inc(v) atomic_inc(v)
#define atomic_long_dec(v) atomic_dec(v)
#define atomic_long_sub(i, v) ((void)__atomic_fetch_sub(&(v)->counter, (i), __ATOMIC_RELAXED))

#define refcount_set(r, n) __atomic_store_n(&(r)->refs, (n), __ATOMIC_RELAXED)
#define refcount_inc(r) ((void)__atomic_fetch_add(&(r)->refs, 1, __ATOMIC_RELAXED))
#define refcount_dec_and_test(r) (__atomic_fetch_sub(&(r)->refs, 1, __ATOMIC_ACQ_REL) == 1)

/* ---- locks ---------------------------------------------------------------- */

typedef struct { pthread_mutex_t m; } spinlock_t;
struct mutex { pthread_mutex_t m; };

#define spin_lock_init(l) pthread_mutex_init(&(l)->m, NULL)
#define spin_lock(l) pthread_mutex_lock(&(l)->m)
#define spin_unlock(l) pthread_mutex_unlock(&(l)->m)
#define spin_lock_bh(l) spin_lock(l)
#define spin_unlock_bh(l) spin_unlock(l)
#define DEFINE_MUTEX(name) struct mutex name = { PTHREAD_MUTEX_INITIALIZER }
#define mutex_init(l) pthread_mutex_init(&(l)->m, NULL)
#define mutex_destroy(l) pthread_mutex_destroy(&(l)->m)
#define mutex_lock(l) pthread_mutex_lock(&(l)->m)
#define mutex_unlock(l) pthread_mutex_unlock(&(l)->m)
#define lockdep_is_held(l) 1

/* ---- RCU ------------------------------------------------------------------ */

/* Two pointers, as in the kernel (objects' sizes are asserted). As the
 * kernel does, kfree_rcu() stores the head's offset in its object in
 * place of a function: below 4096 it is no function's address. */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

void rcu_read_lock(void);
void rcu_read_unlock(void);
void synchronize_rcu(void);
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void nat64_ukfree_rcu(struct rcu_head *head, size_t offset);
/* A grace period, then every callback queued before the call. */
void rcu_barrier(void);
#define kfree_rcu(p, field) nat64_ukfree_rcu(&(p)->field, offsetof(__typeof__(*(p)), field))

#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_check(p, c) rcu_dereference(p)
#define rcu_dereference_protected(p, c) __atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELAXED)

/* ---- lists (every ->next atomic: readers may walk any of them) ------------ */

#define nat64_uload(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define nat64_ustore(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(n) { &(n), &(n) }
#define LIST_HEAD(n) struct list_head n = LIST_HEAD_INIT(n)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	nat64_ustore(l->next, l);
	l->prev = l;
}

static inline void nat64_ulist_add(struct list_head *n, struct list_head *prev,
				   struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	nat64_ustore(prev->next, n);
}

static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	nat64_ulist_add(n, head->prev, head);
}
#define list_add_tail_rcu list_add_tail

static inline void nat64_ulist_unlink(struct list_head *e)
{
	e->next->prev = e->prev;
	nat64_ustore(e->prev->next, e->next);
}

static inline void list_del(struct list_head *e)
{
	nat64_ulist_unlink(e);
	e->next = NULL;
	e->prev = NULL;
}

/* Leaves ->next: a reader on e goes on. */
static inline void list_del_rcu(struct list_head *e)
{
	nat64_ulist_unlink(e);
	e->prev = NULL;
}

static inline void list_move_tail(struct list_head *e, struct list_head *head)
{
	nat64_ulist_unlink(e);
	list_add_tail(e, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return nat64_uload(head->next) == head;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry_or_null(head, type, member) ({			\
	struct list_head *_h = (head), *_n = nat64_uload(_h->next);	\
	_n != _h ? list_entry(_n, type, member) : NULL; })
#define list_next_entry(pos, member) \
	list_entry(nat64_uload((pos)->member.next), __typeof__(*(pos)), member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry(nat64_uload((head)->next), __typeof__(*(pos)), member); \
	     &pos->member != (head); pos = list_next_entry(pos, member))
#define list_for_each_entry_rcu(pos, head, member, ...) \
	list_for_each_entry(pos, head, member)
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry(nat64_uload((head)->next), __typeof__(*(pos)), member), \
	     n = list_next_entry(pos, member);				\
	     &pos->member != (head); pos = n, n = list_next_entry(n, member))

struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct hlist_head {
	struct hlist_node *first;
};

#define INIT_HLIST_HEAD(h) nat64_ustore((h)->first, (struct hlist_node *)NULL)

static inline bool hlist_empty(const struct hlist_head *h)
{
	return !nat64_uload(h->first);
}

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	if (first)
		first->pprev = &n->next;
	nat64_ustore(h->first, n);
}

static inline void hlist_del_rcu(struct hlist_node *n)
{
	struct hlist_node *next = n->next;

	nat64_ustore(*n->pprev, next);
	if (next)
		next->pprev = n->pprev;
	n->pprev = NULL;
}

#define hlist_entry_safe(ptr, type, member) ({				\
	struct hlist_node *_p = (ptr);					\
	_p ? container_of(_p, type, member) : NULL; })
#define hlist_for_each_entry(pos, head, member)				\
	for (pos = hlist_entry_safe(nat64_uload((head)->first), __typeof__(*(pos)), member); \
	     pos;							\
	     pos = hlist_entry_safe(nat64_uload((pos)->member.next), __typeof__(*(pos)), member))
#define hlist_for_each_entry_rcu(pos, head, member, ...) \
	hlist_for_each_entry(pos, head, member)

/* ---- CPUs, per-CPU data, time --------------------------------------------- */

#define NAT64_UNCPUS 4
/* The calling thread's CPU (0 unless it chose another). */
unsigned int raw_smp_processor_id(void);
void nat64_ucpu_set(unsigned int cpu);

#define nr_cpu_ids NAT64_UNCPUS
/* No cache-line alignment: calloc() would not honour it. */
#define ____cacheline_aligned_in_smp
#define alloc_percpu(type) ((type *)calloc(NAT64_UNCPUS, sizeof(type)))
#define free_percpu(p) free(p)
#define per_cpu_ptr(p, cpu) (&(p)[cpu])
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < NAT64_UNCPUS; (cpu)++)
/* Counted on CPU 0's copy, atomically: the sum over CPUs is the same. */
#define this_cpu_inc(x) ((void)__atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED))

#define HZ 250
extern unsigned long nat64_ujiffies;
#define jiffies __atomic_load_n(&nat64_ujiffies, __ATOMIC_RELAXED)
#define time_before(a, b) ((long)((a) - (b)) < 0)
#define time_after(a, b) time_before(b, a)
#define time_before32(a, b) ((s32)((u32)(a) - (u32)(b)) < 0)

/* ---- memory, randomness, hashes ------------------------------------------- */

typedef unsigned int gfp_t;
#define GFP_KERNEL 0U
#define GFP_ATOMIC 1U

static inline void *kmalloc(size_t n, gfp_t gfp) { (void)gfp; return malloc(n); }
static inline void *kzalloc(size_t n, gfp_t gfp) { (void)gfp; return calloc(1, n); }
static inline void *kvzalloc(size_t n, gfp_t gfp) { (void)gfp; return calloc(1, n); }
static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp) { (void)gfp; return calloc(n, size); }
static inline void kfree(const void *p) { free((void *)p); }
static inline void kvfree(const void *p) { free((void *)p); }

struct kmem_cache {
	size_t size;
};
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags, void *ctor);
void kmem_cache_destroy(struct kmem_cache *c);
static inline void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	(void)gfp;
	return malloc(c->size);
}
static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	(void)c;
	free(p);
}

/* Deterministic in tests: a generator the test may seed. */
void get_random_bytes(void *buf, size_t len);

typedef struct { u64 key[2]; } siphash_key_t;
typedef struct { unsigned long key[2]; } hsiphash_key_t;
u64 siphash(const void *data, size_t len, const siphash_key_t *key);
u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key);

/* ---- rhashtable (fixed size; lock-free lookups, one mutex for changes) ---- */

#define NAT64_URHT_BUCKETS 4096	/* the default */

/* Buckets of the tables initialised from now on (a power of two). */
void nat64_urht_set_buckets(u32 n);

struct rhashtable;
struct rhash_head {
	struct rhash_head *next;
};

struct rhashtable_compare_arg {
	struct rhashtable *ht;
	const void *key;
};

struct rhashtable_params {
	u16 key_len;
	u16 head_offset;
	bool automatic_shrinking;
	u32 (*hashfn)(const void *data, u32 len, u32 seed);
	u32 (*obj_hashfn)(const void *data, u32 len, u32 seed);
	int (*obj_cmpfn)(struct rhashtable_compare_arg *arg, const void *obj);
};

struct rhashtable {
	struct rhash_head **buckets;
	u32 nbuckets;
	u32 seed;
	pthread_mutex_t lock;
	struct rhashtable_params p;
};

struct rhashtable_iter {
	struct rhashtable *ht;
	u32 bucket;
	u32 skip;
};

int rhashtable_init(struct rhashtable *ht, const struct rhashtable_params *params);
void rhashtable_destroy(struct rhashtable *ht);
void rhashtable_free_and_destroy(struct rhashtable *ht, void (*fn)(void *ptr, void *arg),
				 void *arg);
/* Insert obj unless the key is there: NULL, or the object holding it. */
void *nat64_urht_insert(struct rhashtable *ht, const void *key, struct rhash_head *obj);
int nat64_urht_remove(struct rhashtable *ht, struct rhash_head *obj);
void rhashtable_walk_enter(struct rhashtable *ht, struct rhashtable_iter *iter);
void rhashtable_walk_start(struct rhashtable_iter *iter);
void *rhashtable_walk_next(struct rhashtable_iter *iter);
void rhashtable_walk_stop(struct rhashtable_iter *iter);
void rhashtable_walk_exit(struct rhashtable_iter *iter);

static inline u32 nat64_urht_bucket(const struct rhashtable *ht, u32 hash)
{
	return hash & (ht->nbuckets - 1);
}

/* Caller: rcu_read_lock(). */
static inline void *rhashtable_lookup(struct rhashtable *ht, const void *key,
				      const struct rhashtable_params params)
{
	struct rhashtable_compare_arg arg = { .ht = ht, .key = key };
	u32 b = nat64_urht_bucket(ht, params.hashfn(key, params.key_len, ht->seed));
	struct rhash_head *he;

	for (he = nat64_uload(ht->buckets[b]); he; he = nat64_uload(he->next)) {
		void *obj = (char *)he - params.head_offset;

		if (!params.obj_cmpfn(&arg, obj))
			return obj;
	}
	return NULL;
}

static inline void *rhashtable_lookup_get_insert_key(struct rhashtable *ht, const void *key,
						     struct rhash_head *obj,
						     const struct rhashtable_params params)
{
	(void)params;
	return nat64_urht_insert(ht, key, obj);
}

static inline int rhashtable_remove_fast(struct rhashtable *ht, struct rhash_head *obj,
					 const struct rhashtable_params params)
{
	(void)params;
	return nat64_urht_remove(ht, obj);
}

#endif
