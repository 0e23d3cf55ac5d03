/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port (or ICMP identifier) allocator of one pool4 address: a bitmap over
 * the range min..max with free counts, so that
 *  - a full address is known at once (nfree == 0: no search at all);
 *  - a search looks at 64 ports per step and is bounded by the number of
 *    words in the range (at most 1024);
 *  - the start of the search is the caller's RFC 6056 keyed hash, so the
 *    choice is unpredictable from outside but deterministic for a flow;
 *  - port parity and range class (< 1024 vs >= 1024, RFC 4787 REQ-3/4) are
 *    preserved whenever a port of the same class and parity is free, which
 *    the per-(class, parity) counts tell without searching.
 * No locking inside: the caller serialises every call on one bitmap.
 */
#ifndef NAT64_CORE_PORT_ALLOC_H
#define NAT64_CORE_PORT_ALLOC_H

#include "platform.h"

struct nat64_ports {
	u16 min;		/* first port of the range */
	u16 max;		/* last port, inclusive */
	u32 nfree;		/* free ports in the whole range */
	u32 cnt[2][2];		/* free ports by [class >= 1024][odd] */
	u32 probes;		/* words examined by the last alloc (tests) */
	u64 words[];		/* bit i set = port min + i in use */
};

/* Bytes needed for a range (struct and bitmap). min <= max. */
size_t nat64_ports_size(u16 min, u16 max);
/* Initialise (all free) memory of nat64_ports_size(min, max) bytes. */
void nat64_ports_init(struct nat64_ports *p, u16 min, u16 max);
/*
 * Take a free port for a flow whose own port is want, starting at a
 * position derived from hash. 0 and *port, or -ENOSPC when none is free.
 */
int nat64_ports_alloc(struct nat64_ports *p, u16 want, u32 hash, u16 *port);
/* Take exactly this port: 0, -ERANGE (outside min..max), -EEXIST (used). */
int nat64_ports_take(struct nat64_ports *p, u16 port);
/* Give a port back; ports outside the range or already free are ignored. */
void nat64_ports_free(struct nat64_ports *p, u16 port);
bool nat64_ports_used(const struct nat64_ports *p, u16 port);

/* An IPv4 prefix, host order. */
struct nat64_cidr {
	u32 addr;
	u8 plen;
};

/*
 * pool4 removal of part of an entry: the addresses of outer that are not in
 * inner (inner inside outer, inner.plen > outer.plen) as the
 * inner.plen - outer.plen sibling blocks on the way down, largest first.
 * Returns how many were written to out[] (at most 32).
 */
unsigned int nat64_cidr_subtract(struct nat64_cidr outer, struct nat64_cidr inner,
				 struct nat64_cidr *out);

#endif
