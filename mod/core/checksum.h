/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internet checksum arithmetic (RFC 1071) and its incremental update
 * (RFC 1624), on plain bytes so that the same code runs in the kernel and in
 * userspace. Words are read big-endian, so every value here is the host
 * integer of a network-order 16-bit field: read a checksum field with
 * (p[0] << 8 | p[1]) and write the result back the same way.
 *
 * A "sum" is a one's complement accumulator: any u32 whose folded value is
 * the sum. Every function returns it reduced to 16 bits, so that callers
 * may add a few sums together without overflowing.
 */
#ifndef NAT64_CORE_CHECKSUM_H
#define NAT64_CORE_CHECKSUM_H

#include "platform.h"

/* sum + the 16-bit words of buf (an odd last byte is a high byte). */
u32 nat64_csum_add(u32 sum, const u8 *buf, u32 len);
/* sum - the words of buf (len even): adds their one's complements. */
u32 nat64_csum_sub(u32 sum, const u8 *buf, u32 len);

/* Fold carries back in: the 16-bit one's complement sum, not inverted. */
static inline u16 nat64_csum_fold(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

static inline u32 nat64_csum_add16(u32 sum, u16 word)
{
	return nat64_csum_fold(sum + word);
}

static inline u32 nat64_csum_sub16(u32 sum, u16 word)
{
	return nat64_csum_fold(sum + (u16)~word);
}

/*
 * RFC 1624 eqn. 3: the new value of a checksum field HC after the data it
 * covers changed by delta (new words added, old words subtracted):
 * HC' = ~(~HC + delta).
 */
static inline u16 nat64_csum_update(u16 check, u32 delta)
{
	return (u16)~nat64_csum_fold((u32)(u16)~check + delta);
}

/*
 * The same for a CHECKSUM_PARTIAL field, which holds the folded pseudo-header
 * sum itself rather than the complement of a full sum.
 */
static inline u16 nat64_csum_update_partial(u16 partial, u32 delta)
{
	return nat64_csum_fold((u32)partial + delta);
}

/* The checksum field value for data whose sum is sum. */
static inline u16 nat64_csum_finish(u32 sum)
{
	return (u16)~nat64_csum_fold(sum);
}

#endif
