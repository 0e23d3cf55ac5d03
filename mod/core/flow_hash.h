/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keyed hash of the state tables' lookup keys (BIB, sessions, held SYNs).
 * A flow key is hashed with SipHash-1-3 under a secret 128-bit key chosen
 * at load time, and the rhashtable's own per-table seed is hashed with it,
 * so that nobody outside can choose flows that share a bucket (hash
 * flooding). SipHash-1-3 with the 64-bit result cut to 32 bits is what the
 * kernel's hsiphash() computes on 64-bit machines; having it here lets the
 * userspace tests check the module's exact function.
 */
#ifndef NAT64_CORE_FLOW_HASH_H
#define NAT64_CORE_FLOW_HASH_H

#include "platform.h"

struct nat64_hash_key {
	u64 k0;
	u64 k1;
};

/* The tables' keys. Padding is explicit and zero: the bytes are hashed. */
struct nat64_bib6_key {
	struct in6_addr addr;
	__be16 port;
	u16 zero;
};

struct nat64_bib4_key {
	__be32 addr;
	__be16 port;
	u16 zero;
};

/* A 6->4 flow (X',x) -> (Z,y). No table is keyed by it (the session table
 * is keyed by the IPv4 side, mod/state_int.h); the data path passes it. */
struct nat64_sess6_key {
	struct in6_addr x6;
	__be32 z4;
	__be16 x;
	__be16 y;	/* 0 for ICMP */
};

struct nat64_sess4_key {
	__be32 t4;
	__be32 z4;
	__be16 t;
	__be16 z;	/* 0 for ICMP */
};

/* The longest key nat64_flow_hash() takes (the seed is appended). */
#define NAT64_FLOW_KEY_MAX	28

/* SipHash-1-3 of @len bytes, low 32 bits of the result. */
u32 nat64_siphash13(const void *data, u32 len, const struct nat64_hash_key *key);

/*
 * The hash of a table key (@len <= NAT64_FLOW_KEY_MAX, a multiple of 4)
 * and the table's seed: SipHash-1-3 of the key followed by the seed in
 * host byte order. Longer keys hash as 0 (a bug: no key is that long).
 */
u32 nat64_flow_hash(const void *flow, u32 len, u32 seed,
		    const struct nat64_hash_key *key);

#endif
