// SPDX-License-Identifier: GPL-2.0
/*
 * tables_harness.h: the real tables of mod/ in userspace, and the
 * recorders that stand in for the kernel-only glue.
 */
#include <stdio.h>
#include "state_keys.h"
#include "core/rfc6052.h"
#include "tables_harness.h"

struct th {
	struct nat64_instance inst;
};

/* ---- the kernel-only glue, recorded ------------------------------------- */

unsigned int nat64_timeout_divisor = 1;

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct th_sent rec;
static __be32 own[16];
static unsigned int nown;

int nat64_emit_port_unreach4(struct net *net, const u8 *orig, unsigned int len)
{
	(void)net;
	pthread_mutex_lock(&rec_lock);
	rec.unreach++;
	rec.unreach_len = len < sizeof(rec.unreach_data) ? len : sizeof(rec.unreach_data);
	memcpy(rec.unreach_data, orig, rec.unreach_len);
	pthread_mutex_unlock(&rec_lock);
	return 0;
}

int nat64_emit_probe6(struct net *net, const struct in6_addr *saddr, __be16 sport,
		      const struct in6_addr *daddr, __be16 dport)
{
	(void)net;
	pthread_mutex_lock(&rec_lock);
	rec.probes++;
	inet_ntop(AF_INET6, saddr, rec.probe_src, sizeof(rec.probe_src));
	inet_ntop(AF_INET6, daddr, rec.probe_dst, sizeof(rec.probe_dst));
	rec.probe_sport = ntohs(sport);
	rec.probe_dport = ntohs(dport);
	pthread_mutex_unlock(&rec_lock);
	return 0;
}

unsigned int nat64_own_addrs_each(struct net *net, bool (*fn)(__be32 a, void *arg),
				  void *arg)
{
	unsigned int i;

	(void)net;
	for (i = 0; i < nown; i++)
		if (fn(own[i], arg))
			return i + 1;
	return nown;
}

bool nat64_own_addr(struct net *net, __be32 a)
{
	unsigned int i;

	(void)net;
	for (i = 0; i < nown; i++)
		if (own[i] == a)
			return true;
	return false;
}

void th_own_addrs(const char *const *addrs, unsigned int n)
{
	for (nown = 0; nown < n && nown < ARRAY_SIZE(own); nown++)
		inet_pton(AF_INET, addrs[nown], &own[nown]);
}

void th_sent_get(struct th_sent *out)
{
	pthread_mutex_lock(&rec_lock);
	*out = rec;
	pthread_mutex_unlock(&rec_lock);
}

void th_sent_reset(void)
{
	pthread_mutex_lock(&rec_lock);
	memset(&rec, 0, sizeof(rec));
	pthread_mutex_unlock(&rec_lock);
}

/* ---- instance ------------------------------------------------------------ */

struct th *th_new(void)
{
	struct th *th = calloc(1, sizeof(*th));
	struct nat64_globals *g = &th->inst.globals;

	if (!th)
		return NULL;
	snprintf(th->inst.name, sizeof(th->inst.name), "test");
	inet_pton(AF_INET6, "64:ff9b::", &th->inst.pool6.addr);
	th->inst.pool6.len = 96;
	g->enabled = true;
	g->tcp_est_timeout = 7200;
	g->tcp_trans_timeout = 240;
	g->udp_timeout = 300;
	g->icmp_timeout = 60;
	g->max_simultaneous_opens = 10;
	th->inst.stats = alloc_percpu(struct nat64_stats);
	th->inst.state = nat64_state_alloc(&th->inst);
	if (!th->inst.stats || !th->inst.state) {
		th_free(th);
		return NULL;
	}
	return th;
}

void th_free(struct th *th)
{
	if (!th)
		return;
	rcu_barrier();
	if (th->inst.state)
		nat64_state_free(th->inst.state);
	rcu_barrier();
	free_percpu(th->inst.stats);
	free(th);
}

void th_set_timeouts(struct th *th, uint32_t udp, uint32_t icmp, uint32_t tcp_est,
		     uint32_t tcp_trans)
{
	WRITE_ONCE(th->inst.globals.udp_timeout, udp);
	WRITE_ONCE(th->inst.globals.icmp_timeout, icmp);
	WRITE_ONCE(th->inst.globals.tcp_est_timeout, tcp_est);
	WRITE_ONCE(th->inst.globals.tcp_trans_timeout, tcp_trans);
}

void th_set_adf(struct th *th, bool on)
{
	WRITE_ONCE(th->inst.globals.address_dependent_filtering, on);
}

void th_set_drop_ext_tcp(struct th *th, bool on)
{
	WRITE_ONCE(th->inst.globals.drop_externally_initiated_tcp, on);
}

void th_set_max_sessions(struct th *th, uint32_t max)
{
	WRITE_ONCE(th->inst.globals.max_sessions, max);
}

void th_set_max_so(struct th *th, uint32_t max)
{
	WRITE_ONCE(th->inst.globals.max_simultaneous_opens, max);
}

void th_clock_set(uint64_t ticks)
{
	__atomic_store_n(&nat64_ujiffies, (unsigned long)ticks, __ATOMIC_RELAXED);
}

uint64_t th_clock(void)
{
	return jiffies;
}

void th_clock_advance(uint64_t ticks)
{
	__atomic_fetch_add(&nat64_ujiffies, (unsigned long)ticks, __ATOMIC_RELAXED);
}

void th_cpu(unsigned int cpu)
{
	nat64_ucpu_set(cpu);
}

/* ---- configuration ------------------------------------------------------- */

static struct nat64_pool4_entry entry(uint32_t mark, uint8_t proto, const char *prefix,
				      uint8_t plen, uint16_t pmin, uint16_t pmax)
{
	struct nat64_pool4_entry e = {
		.mark = mark, .proto = proto, .plen = plen,
		.port_min = pmin, .port_max = pmax,
	};

	inet_pton(AF_INET, prefix, &e.addr);
	return e;
}

int th_pool4_add(struct th *th, uint32_t mark, uint8_t proto, const char *prefix,
		 uint8_t plen, uint16_t pmin, uint16_t pmax)
{
	struct nat64_pool4_entry e = entry(mark, proto, prefix, plen, pmin, pmax);

	return nat64_pool4_add(&th->inst, &e, NULL);
}

int th_pool4_del(struct th *th, uint32_t mark, uint8_t proto, const char *prefix,
		 uint8_t plen, uint16_t pmin, uint16_t pmax, bool quick)
{
	struct nat64_pool4_entry e = entry(mark, proto, prefix, plen, pmin, pmax);

	return nat64_pool4_del(&th->inst, &e, quick, NULL);
}

int th_bib_add(struct th *th, uint8_t proto, const char *x6, uint16_t x, const char *t4,
	       uint16_t t)
{
	struct in6_addr a6;
	__be32 a4;

	inet_pton(AF_INET6, x6, &a6);
	inet_pton(AF_INET, t4, &a4);
	return nat64_bib_add_static(&th->inst, proto, &a6, htons(x), a4, htons(t), NULL);
}

int th_bib_del(struct th *th, uint8_t proto, const char *x6, uint16_t x)
{
	struct in6_addr a6;

	inet_pton(AF_INET6, x6, &a6);
	return nat64_bib_del(&th->inst, proto, &a6, htons(x), NULL, 0, NULL);
}

/* ---- data path ----------------------------------------------------------- */

int th_6to4(struct th *th, uint8_t proto, const char *x6, uint16_t x, const char *z4,
	    uint16_t y, uint8_t tcp_flags, uint32_t mark, struct th_out *out, int *why)
{
	struct nat64_pkt pkt;
	struct nat64_tuple4 o;
	enum nat64_stat w = 0;
	__be32 dst4;
	int err;

	memset(&pkt, 0, sizeof(pkt));
	pkt.proto = proto;
	pkt.tcp_flags = tcp_flags;
	inet_pton(AF_INET6, x6, &pkt.t6.src);
	inet_pton(AF_INET, z4, &dst4);
	nat64_rfc6052_embed(&th->inst.pool6, dst4, &pkt.t6.dst);
	pkt.t6.sport = htons(x);
	pkt.t6.dport = htons(y);
	pkt.t6.proto = proto;
	rcu_read_lock();
	err = nat64_state_6to4(&th->inst, &pkt, dst4, mark, &o, &w);
	rcu_read_unlock();
	if (why)
		*why = err ? (int)w : 0;
	if (!err && out) {
		inet_ntop(AF_INET, &o.src, out->src, sizeof(out->src));
		inet_ntop(AF_INET, &o.dst, out->dst, sizeof(out->dst));
		out->sport = ntohs(o.sport);
		out->dport = ntohs(o.dport);
	}
	return err;
}

static void sess6_key_of_flow(const struct th_flow6 *f, struct nat64_sess6_key *k)
{
	memcpy(&k->x6, f->x6, sizeof(k->x6));
	k->z4 = f->z4;
	k->x = f->x;
	k->y = f->y;
}

int th_6to4_flow(struct th *th, uint8_t proto, const struct th_flow6 *f)
{
	struct nat64_sess6_key k;
	struct nat64_pkt pkt;
	struct nat64_tuple4 o;
	enum nat64_stat w = 0;
	int err;

	sess6_key_of_flow(f, &k);
	memset(&pkt, 0, sizeof(pkt));
	pkt.proto = proto;
	pkt.t6.src = k.x6;
	nat64_rfc6052_embed(&th->inst.pool6, k.z4, &pkt.t6.dst);
	pkt.t6.sport = k.x;
	pkt.t6.dport = k.y;
	pkt.t6.proto = proto;
	rcu_read_lock();
	err = nat64_state_6to4(&th->inst, &pkt, k.z4, 0, &o, &w);
	rcu_read_unlock();
	return err;
}

/* What nat64_state_6to4() looks up before it creates anything. */
static struct nat64_session *sess6_lookup(struct th *th, int pi,
					  const struct nat64_sess6_key *k)
{
	struct nat64_tables *t = &th->inst.state->tab[pi];
	struct nat64_bib *b = bib6_find(t, &k->x6, k->x);

	return b ? nat64_sess6_find(t, b, k->z4, pi == NAT64_PI_ICMP ? 0 : k->y) : NULL;
}

bool th_sess6_find(struct th *th, uint8_t proto, const struct th_flow6 *f)
{
	int pi = nat64_proto_index(proto);
	struct nat64_sess6_key k;

	if (pi < 0)
		return false;
	sess6_key_of_flow(f, &k);
	return sess6_lookup(th, pi, &k) != NULL;
}

void *th_bib_ref(struct th *th, uint8_t proto, const char *x6, uint16_t x)
{
	struct in6_addr a6;

	inet_pton(AF_INET6, x6, &a6);
	return bib6_find(&th->inst.state->tab[nat64_proto_index(proto)], &a6, htons(x));
}

bool th_sess_of_bib(struct th *th, uint8_t proto, void *bib, const char *z4, uint16_t y)
{
	int pi = nat64_proto_index(proto);
	__be32 z;

	inet_pton(AF_INET, z4, &z);
	return nat64_sess6_find(&th->inst.state->tab[pi], bib, z,
				pi == NAT64_PI_ICMP ? 0 : htons(y)) != NULL;
}

void th_table_buckets(uint32_t n)
{
	nat64_urht_set_buckets(n);
}

int th_4to6(struct th *th, uint8_t proto, const char *z4, uint16_t z, const char *t4,
	    uint16_t t, uint8_t tcp_flags, struct th_out *out, int *why)
{
	/* What a held SYN copies: an IPv4 + TCP header, marked to be found. */
	u8 bytes[40] = { 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, IPPROTO_TCP };
	struct sk_buff skb = { .data = bytes, .len = sizeof(bytes) };
	struct nat64_pkt pkt;
	struct nat64_tuple6 o;
	enum nat64_stat w = 0;
	int err;

	memset(&pkt, 0, sizeof(pkt));
	pkt.proto = proto;
	pkt.tcp_flags = tcp_flags;
	inet_pton(AF_INET, z4, &pkt.t4.src);
	inet_pton(AF_INET, t4, &pkt.t4.dst);
	pkt.t4.sport = htons(z);
	pkt.t4.dport = htons(t);
	pkt.t4.proto = proto;
	memcpy(bytes + 12, &pkt.t4.src, 4);
	memcpy(bytes + 16, &pkt.t4.dst, 4);
	memcpy(bytes + 20, &pkt.t4.sport, 2);
	memcpy(bytes + 22, &pkt.t4.dport, 2);
	rcu_read_lock();
	err = nat64_state_4to6(&th->inst, &pkt, &skb, &o, &w);
	rcu_read_unlock();
	if (why)
		*why = err ? (int)w : 0;
	if (!err && out) {
		inet_ntop(AF_INET6, &o.src, out->src, sizeof(out->src));
		inet_ntop(AF_INET6, &o.dst, out->dst, sizeof(out->dst));
		out->sport = ntohs(o.sport);
		out->dport = ntohs(o.dport);
	}
	return err;
}

bool th_gc(struct th *th)
{
	bool more = nat64_state_gc(th->inst.state);

	rcu_barrier();
	return more;
}

void th_rcu_barrier(void)
{
	rcu_barrier();
}

void th_rcu_read_lock(void)
{
	rcu_read_lock();
}

void th_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

/* ---- inspection ---------------------------------------------------------- */

int th_nsessions(struct th *th)
{
	return atomic_read(&th->inst.state->nsessions);
}

uint64_t th_stat(struct th *th, int id)
{
	uint64_t sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += __atomic_load_n(&per_cpu_ptr(th->inst.stats, cpu)->c[id],
				       __ATOMIC_RELAXED);
	return sum;
}

unsigned int th_count(struct th *th, uint8_t proto, int which)
{
	struct nat64_tables *t = &th->inst.state->tab[nat64_proto_index(proto)];
	struct rhashtable *ht[] = { &t->sess, &t->bib4, &t->bib6, &t->bib4 };
	const struct nat64_session *s;
	struct rhashtable_iter it;
	struct nat64_bib *b;
	unsigned int n = 0;

	rhashtable_walk_enter(ht[which], &it);
	rhashtable_walk_start(&it);
	while ((b = rhashtable_walk_next(&it)) != NULL) {
		if (which != TH_BIBSESS) {
			n++;
			continue;
		}
		spin_lock(&b->lock);
		hlist_for_each_entry(s, &b->sessions, bib_node)
			n++;
		spin_unlock(&b->lock);
	}
	rhashtable_walk_stop(&it);
	rhashtable_walk_exit(&it);
	return n;
}

int th_session(struct th *th, uint8_t proto, const char *x6, uint16_t x, const char *z4,
	       uint16_t y, uint64_t *expires)
{
	int pi = nat64_proto_index(proto);
	struct nat64_session *s;
	struct nat64_sess6_key k;
	int ret = -1;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, x6, &k.x6);
	inet_pton(AF_INET, z4, &k.z4);
	k.x = htons(x);
	k.y = htons(y);
	rcu_read_lock();
	s = sess6_lookup(th, pi, &k);
	if (s) {
		ret = nat64_sess_state(s);
		if (expires)
			*expires = nat64_session_expires(s);
	}
	rcu_read_unlock();
	return ret;
}

int th_session4(struct th *th, uint8_t proto, const char *z4, uint16_t z, const char *t4,
		uint16_t t, char *x6, uint16_t *x)
{
	int pi = nat64_proto_index(proto);
	struct nat64_session *s;
	struct nat64_sess4_key k;
	int ret = -1;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET, z4, &k.z4);
	inet_pton(AF_INET, t4, &k.t4);
	k.z = pi == NAT64_PI_ICMP ? 0 : htons(z);
	k.t = htons(t);
	rcu_read_lock();
	s = sess4_find(&th->inst.state->tab[pi], &k);
	if (s) {
		ret = nat64_sess_state(s);
		inet_ntop(AF_INET6, &s->bib->addr6, x6, 48);
		*x = ntohs(s->bib->port6);
	}
	rcu_read_unlock();
	return ret;
}

void *th_session_ref(struct th *th, uint8_t proto, const char *x6, uint16_t x,
		     const char *z4, uint16_t y)
{
	struct nat64_sess6_key k;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, x6, &k.x6);
	inet_pton(AF_INET, z4, &k.z4);
	k.x = htons(x);
	k.y = htons(y);
	return sess6_lookup(th, nat64_proto_index(proto), &k);
}

void *th_session4_ref(struct th *th, uint8_t proto, const char *z4, uint16_t z,
		      const char *t4, uint16_t t)
{
	int pi = nat64_proto_index(proto);
	struct nat64_sess4_key k;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET, z4, &k.z4);
	inet_pton(AF_INET, t4, &k.t4);
	k.z = pi == NAT64_PI_ICMP ? 0 : htons(z);
	k.t = htons(t);
	return sess4_find(&th->inst.state->tab[pi], &k);
}

unsigned int th_session_size(void)
{
	return sizeof(struct nat64_session);
}

int th_bib(struct th *th, uint8_t proto, const char *x6, uint16_t x, char *t4,
	   uint16_t *t, bool *is_static)
{
	struct nat64_bib *b;
	struct in6_addr a6;
	int ret = -1;

	inet_pton(AF_INET6, x6, &a6);
	rcu_read_lock();
	b = bib6_find(&th->inst.state->tab[nat64_proto_index(proto)], &a6, htons(x));
	if (b && !READ_ONCE(b->dead)) {
		inet_ntop(AF_INET, &b->addr4, t4, 16);
		*t = ntohs(b->port4);
		spin_lock(&b->lock);
		*is_static = b->is_static;
		spin_unlock(&b->lock);
		ret = 0;
	}
	rcu_read_unlock();
	return ret;
}
