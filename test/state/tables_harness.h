/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A plain C view, for the GoogleTest files, of one instance's real
 * stateful tables (mod/state*.c, mod/pool4.c) running in userspace on
 * mod/core/platform_user_os.h. Every data-path call holds the RCU read
 * lock, as the netfilter hook does; the clock (jiffies) is the test's.
 * Addresses are text, ports host order.
 *
 * The kernel glue the tables call (state_emit.c, state_kernel.c's own
 * addresses) is replaced by recorders: the packets the state code would
 * send are counted and their addresses kept, and the namespace's own
 * addresses are a list the test sets.
 */
#ifndef NAT64_TEST_TABLES_HARNESS_H
#define NAT64_TEST_TABLES_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct th;

/* Outgoing tuple of a translated packet. */
struct th_out {
	char src[48];
	uint16_t sport;
	char dst[48];
	uint16_t dport;
};

#define TH_HZ 250

/* An instance with pool6 64:ff9b::/96 and RFC 6146 default globals. */
struct th *th_new(void);
void th_free(struct th *th);

/* Globals (seconds). */
void th_set_timeouts(struct th *th, uint32_t udp, uint32_t icmp, uint32_t tcp_est,
		     uint32_t tcp_trans);
void th_set_adf(struct th *th, bool on);
void th_set_drop_ext_tcp(struct th *th, bool on);
void th_set_max_sessions(struct th *th, uint32_t max);
void th_set_max_so(struct th *th, uint32_t max);

/* The clock: jiffies = seconds * TH_HZ (plus ticks). */
void th_clock_set(uint64_t ticks);
uint64_t th_clock(void);
void th_clock_advance(uint64_t ticks);
/* The calling thread's CPU (which expiry list its sessions join). */
void th_cpu(unsigned int cpu);

/* The namespace's own addresses (default pool4). */
void th_own_addrs(const char *const *addrs, unsigned int n);

/* pool4 and static BIB (process context, like netlink). */
int th_pool4_add(struct th *th, uint32_t mark, uint8_t proto, const char *prefix,
		 uint8_t plen, uint16_t pmin, uint16_t pmax);
int th_pool4_del(struct th *th, uint32_t mark, uint8_t proto, const char *prefix,
		 uint8_t plen, uint16_t pmin, uint16_t pmax, bool quick);
int th_bib_add(struct th *th, uint8_t proto, const char *x6, uint16_t x, const char *t4,
	       uint16_t t);
int th_bib_del(struct th *th, uint8_t proto, const char *x6, uint16_t x);

/*
 * Data path. 6->4: a packet (X',x) -> (pool6 + Z, y); 4->6: (Z,z) -> (T,t).
 * Return 0 and fill out, or -errno with *why the counter it would move
 * (enum nat64_stat). For 4->6, -EINPROGRESS means the SYN is now held.
 */
int th_6to4(struct th *th, uint8_t proto, const char *x6, uint16_t x, const char *z4,
	    uint16_t y, uint8_t tcp_flags, uint32_t mark, struct th_out *out, int *why);
int th_4to6(struct th *th, uint8_t proto, const char *z4, uint16_t z, const char *t4,
	    uint16_t t, uint8_t tcp_flags, struct th_out *out, int *why);

/*
 * A 6->4 flow in binary, network byte order: (X',x) -> (pool6 + Z, y), for
 * callers that cannot afford text (benchmarks).
 */
struct th_flow6 {
	uint8_t x6[16];
	uint32_t z4;
	uint16_t x, y;
};
/* th_6to4() of a flow (no TCP flags, mark 0): 0 or -errno. */
int th_6to4_flow(struct th *th, uint8_t proto, const struct th_flow6 *f);
/* The lookups the 6->4 path does first (state_path.c: bib6 by (X',x),
 * then the session table by that entry's (T,t) and (Z,y)): whether the
 * session exists. The caller holds th_rcu_read_lock(), as the hook holds
 * it for a packet. */
bool th_sess6_find(struct th *th, uint8_t proto, const struct th_flow6 *f);
/* The BIB entry bib6 holds for (X',x) (NULL if none), valid while the
 * caller holds th_rcu_read_lock() even if it is removed meanwhile; and
 * the 6->4 session lookup on it towards (Z,y): whether it finds one. */
void *th_bib_ref(struct th *th, uint8_t proto, const char *x6, uint16_t x);
bool th_sess_of_bib(struct th *th, uint8_t proto, void *bib, const char *z4, uint16_t y);
/* Hash buckets of each table of the instances made from now on (a power
 * of two). The shim's rhashtable does not resize (platform_user_os.h):
 * a big table gets the size rhashtable would have grown to. */
void th_table_buckets(uint32_t n);

/* One gc pass, then the RCU callbacks it queued run (frees). True when
 * the pass ran out of budget. */
bool th_gc(struct th *th);
/* Grace period + queued frees only (for threads that are not the gc). */
void th_rcu_barrier(void);
/* The RCU read side, for tests that run their own threads. */
void th_rcu_read_lock(void);
void th_rcu_read_unlock(void);

/* What the tables hold. */
int th_nsessions(struct th *th);
uint64_t th_stat(struct th *th, int id);
/* Counted by walking the tables: the session table, bib6 and bib4; and
 * the sessions on the BIB entries' lists (walking bib4). */
unsigned int th_count(struct th *th, uint8_t proto, int which);
enum { TH_SESS, TH_BIBSESS, TH_BIB6, TH_BIB4 };
/* The session (X',x) <-> (Z,y): its TCP state (enum nat64_tcp_state) and
 * expiry, or -1 when there is none. */
int th_session(struct th *th, uint8_t proto, const char *x6, uint16_t x, const char *z4,
	       uint16_t y, uint64_t *expires);
/* The session (Z,z) <-> (T,t), as the 4->6 path finds it: its TCP state
 * and its IPv6 end (X',x), or -1 when there is none. */
int th_session4(struct th *th, uint8_t proto, const char *z4, uint16_t z, const char *t4,
		uint16_t t, char *x6, uint16_t *x);
/* The session object each direction's lookup finds (NULL: none), for
 * identity checks; valid while the caller holds th_rcu_read_lock(). */
void *th_session_ref(struct th *th, uint8_t proto, const char *x6, uint16_t x,
		     const char *z4, uint16_t y);
void *th_session4_ref(struct th *th, uint8_t proto, const char *z4, uint16_t z,
		      const char *t4, uint16_t t);
/* sizeof(struct nat64_session) in this build. */
unsigned int th_session_size(void);
/* The BIB entry of (X',x): 0 and (T,t) and whether static, or -1. */
int th_bib(struct th *th, uint8_t proto, const char *x6, uint16_t x, char *t4,
	   uint16_t *t, bool *is_static);

/* Packets the state code sent (recorded instead of sent). */
struct th_sent {
	unsigned int probes;		/* nat64_emit_probe6() calls */
	char probe_src[48];		/* the last one's Y' (y) -> X' (x) */
	uint16_t probe_sport;
	char probe_dst[48];
	uint16_t probe_dport;
	unsigned int unreach;		/* nat64_emit_port_unreach4() calls */
	unsigned int unreach_len;	/* the last one's quoted bytes */
	uint8_t unreach_data[576];
};
void th_sent_get(struct th_sent *out);
void th_sent_reset(void);

#ifdef __cplusplus
}
#endif

#endif
