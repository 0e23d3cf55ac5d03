// SPDX-License-Identifier: GPL-2.0
/*
 * SipHash-1-3 (Aumasson and Bernstein; one compression round per 8-byte
 * word, three finalisation rounds), byte order independent: words are
 * read little-endian, as the reference specifies.
 */
#include "flow_hash.h"

static inline u64 rotl64(u64 v, unsigned int n)
{
	return (v << n) | (v >> (64 - n));
}

/*
 * The state lives in locals and the rounds are inlined: this runs for
 * every packet (a session lookup) and several times for every new flow,
 * and a round through memory, with a byte-at-a-time load, cost several
 * times as much (perf in the benchmark guest).
 */
#define SIP_ROUND(v0, v1, v2, v3)			\
	do {						\
		v0 += v1;				\
		v1 = rotl64(v1, 13);			\
		v1 ^= v0;				\
		v0 = rotl64(v0, 32);			\
		v2 += v3;				\
		v3 = rotl64(v3, 16);			\
		v3 ^= v2;				\
		v0 += v3;				\
		v3 = rotl64(v3, 21);			\
		v3 ^= v0;				\
		v2 += v1;				\
		v1 = rotl64(v1, 17);			\
		v1 ^= v2;				\
		v2 = rotl64(v2, 32);			\
	} while (0)

/* 8 bytes at @p as a little-endian number, in one load. */
static inline u64 load_le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The last 0-7 bytes at @p as a little-endian number. */
static u64 load_le_tail(const u8 *p, u32 n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

u32 nat64_siphash13(const void *data, u32 len, const struct nat64_hash_key *key)
{
	u64 v0 = 0x736f6d6570736575ULL ^ key->k0;
	u64 v1 = 0x646f72616e646f6dULL ^ key->k1;
	u64 v2 = 0x6c7967656e657261ULL ^ key->k0;
	u64 v3 = 0x7465646279746573ULL ^ key->k1;
	const u8 *p = data;
	u32 left = len;
	u64 m;

	for (; left >= 8; left -= 8, p += 8) {
		m = load_le64(p);
		v3 ^= m;
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	m = ((u64)len << 56) | load_le_tail(p, left);
	v3 ^= m;
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return (u32)((v0 ^ v1) ^ (v2 ^ v3));
}

u32 nat64_flow_hash(const void *flow, u32 len, u32 seed,
		    const struct nat64_hash_key *key)
{
	u8 buf[NAT64_FLOW_KEY_MAX + sizeof(u32)];

	if (len > NAT64_FLOW_KEY_MAX)
		return 0;
	memcpy(buf, flow, len);
	memcpy(buf + len, &seed, sizeof(seed));
	return nat64_siphash13(buf, len + sizeof(seed), key);
}
