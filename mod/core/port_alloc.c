// SPDX-License-Identifier: GPL-2.0
/* Bitmap port allocator of one pool4 address; see port_alloc.h. */
#include "port_alloc.h"

#define WORD_BITS 64U
/* Bit i of a word is port min + i: even/odd bit positions. */
#define EVEN_BITS 0x5555555555555555ULL
#define ODD_BITS  0xaaaaaaaaaaaaaaaaULL
#define LOW_CLASS_END 1023U	/* RFC 4787 REQ-3: 0-1023 vs 1024-65535 */

static u32 nwords(u16 min, u16 max)
{
	return ((u32)max - min + WORD_BITS) / WORD_BITS;
}

size_t nat64_ports_size(u16 min, u16 max)
{
	return sizeof(struct nat64_ports) + nwords(min, max) * sizeof(u64);
}

static unsigned int port_class(u32 port)
{
	return port > LOW_CLASS_END;
}

static bool class_bounds(const struct nat64_ports *p, unsigned int cls,
			 u32 *lo, u32 *hi);

void nat64_ports_init(struct nat64_ports *p, u16 min, u16 max)
{
	u32 n = nwords(min, max), tail, lo, hi, first, last, even;
	unsigned int cls;

	p->min = min;
	p->max = max;
	p->nfree = (u32)max - min + 1;
	p->probes = 0;
	memset(p->cnt, 0, sizeof(p->cnt));
	memset(p->words, 0, n * sizeof(u64));
	/* Bits past max are permanently "used": the search never returns them. */
	tail = p->nfree % WORD_BITS;
	if (tail)
		p->words[n - 1] = ~0ULL << tail;
	for (cls = 0; cls < 2; cls++) {
		if (!class_bounds(p, cls, &lo, &hi))
			continue;
		first = lo + min;
		last = hi + min;
		even = last / 2 - (first + 1) / 2 + 1;
		p->cnt[cls][0] = even;
		p->cnt[cls][1] = last - first + 1 - even;
	}
}

/* Bit-index bounds [*lo, *hi] of a class within the range; false if empty. */
static bool class_bounds(const struct nat64_ports *p, unsigned int cls,
			 u32 *lo, u32 *hi)
{
	u32 first = cls ? LOW_CLASS_END + 1 : 0;
	u32 last = cls ? 0xffff : LOW_CLASS_END;

	if (first < p->min)
		first = p->min;
	if (last > p->max)
		last = p->max;
	if (first > last)
		return false;
	*lo = first - p->min;
	*hi = last - p->min;
	return true;
}

static u64 bits_from(u32 b)	/* bits b..63 */
{
	return ~0ULL << b;
}

static u64 bits_upto(u32 b)	/* bits 0..b */
{
	return ~0ULL >> (WORD_BITS - 1 - b);
}

/*
 * First free bit with the parity mask pmask in [lo, hi], scanning
 * cyclically from start. One word per step; the start word is visited
 * twice (its bits >= start first, its bits < start last).
 */
static long search(struct nat64_ports *p, u32 lo, u32 hi, u32 start, u64 pmask)
{
	u32 wlo = lo / WORD_BITS, whi = hi / WORD_BITS, ws = start / WORD_BITS;
	u32 nw = whi - wlo + 1, k;

	for (k = 0; k <= nw; k++) {
		u32 w = wlo + (ws - wlo + k) % nw;
		u64 mask = pmask, free;

		if (w == wlo)
			mask &= bits_from(lo % WORD_BITS);
		if (w == whi)
			mask &= bits_upto(hi % WORD_BITS);
		if (k == 0)
			mask &= bits_from(start % WORD_BITS);
		else if (k == nw)
			mask &= ~bits_from(start % WORD_BITS);
		p->probes++;
		free = ~p->words[w] & mask;
		if (free)
			return (long)(w * WORD_BITS + __builtin_ctzll(free));
	}
	return -1;
}

static void mark_used(struct nat64_ports *p, u32 bit)
{
	u32 port = p->min + bit;

	p->words[bit / WORD_BITS] |= 1ULL << (bit % WORD_BITS);
	WRITE_ONCE(p->nfree, p->nfree - 1);
	p->cnt[port_class(port)][port & 1]--;
}

/* Try one (class, parity) pair; -1 if it has no free port. */
static long alloc_in(struct nat64_ports *p, unsigned int cls, unsigned int odd,
		     u32 hash)
{
	u32 lo, hi;
	u64 pmask;

	if (!p->cnt[cls][odd] || !class_bounds(p, cls, &lo, &hi))
		return -1;
	/* Bit i has port parity (min + i) & 1. */
	pmask = ((p->min & 1) ^ odd) ? ODD_BITS : EVEN_BITS;
	return search(p, lo, hi, lo + hash % (hi - lo + 1), pmask);
}

int nat64_ports_alloc(struct nat64_ports *p, u16 want, u32 hash, u16 *port)
{
	unsigned int cls = port_class(want), odd = want & 1, i;
	/* Preference: same class and parity, same class, same parity, any. */
	static const unsigned char order[4][2] = {
		{ 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 },
	};

	p->probes = 0;
	if (!p->nfree)
		return -ENOSPC;
	for (i = 0; i < 4; i++) {
		long bit = alloc_in(p, cls ^ order[i][0], odd ^ order[i][1], hash);

		if (bit >= 0) {
			mark_used(p, (u32)bit);
			*port = (u16)(p->min + bit);
			return 0;
		}
	}
	return -ENOSPC;	/* counts and bitmap disagree: cannot happen */
}

bool nat64_ports_used(const struct nat64_ports *p, u16 port)
{
	u32 bit;

	if (port < p->min || port > p->max)
		return false;
	bit = (u32)port - p->min;
	return p->words[bit / WORD_BITS] & (1ULL << (bit % WORD_BITS));
}

int nat64_ports_take(struct nat64_ports *p, u16 port)
{
	if (port < p->min || port > p->max)
		return -ERANGE;
	if (nat64_ports_used(p, port))
		return -EEXIST;
	mark_used(p, (u32)port - p->min);
	return 0;
}

void nat64_ports_free(struct nat64_ports *p, u16 port)
{
	u32 bit;

	if (!nat64_ports_used(p, port))
		return;
	bit = (u32)port - p->min;
	p->words[bit / WORD_BITS] &= ~(1ULL << (bit % WORD_BITS));
	WRITE_ONCE(p->nfree, p->nfree + 1);
	p->cnt[port_class(port)][port & 1]++;
}

unsigned int nat64_cidr_subtract(struct nat64_cidr outer, struct nat64_cidr inner,
				 struct nat64_cidr *out)
{
	unsigned int n = 0, l;

	for (l = outer.plen + 1U; l <= inner.plen && l <= 32; l++) {
		/* The block of length l that holds inner, with its last bit
		 * flipped: inside outer, disjoint from inner. */
		out[n].addr = (inner.addr & (~0U << (32 - l))) ^ (1U << (32 - l));
		out[n].plen = l;
		n++;
	}
	return n;
}
