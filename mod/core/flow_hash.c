// SPDX-License-Identifier: GPL-2.0
/*
 * SipHash-1-3 (Aumasson and Bernstein; one compression round per 8-byte
 * word, three finalisation rounds), byte order independent: words are
 * read little-endian, as the reference specifies.
 */
#include "flow_hash.h"

static u64 rotl64(u64 v, unsigned int n)
{
	return (v << n) | (v >> (64 - n));
}

struct sip {
	u64 v0, v1, v2, v3;
};

/* Inlined: a table lookup is mostly this hash, and the calls stay short. */
static __always_inline void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static void sip_word(struct sip *s, u64 m)
{
	s->v3 ^= m;
	sip_round(s);
	s->v0 ^= m;
}

/* Up to 8 bytes at @p as a little-endian number. */
static u64 load_le(const u8 *p, u32 n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

u32 nat64_siphash13(const void *data, u32 len, const struct nat64_hash_key *key)
{
	struct sip s = {
		.v0 = 0x736f6d6570736575ULL ^ key->k0,
		.v1 = 0x646f72616e646f6dULL ^ key->k1,
		.v2 = 0x6c7967656e657261ULL ^ key->k0,
		.v3 = 0x7465646279746573ULL ^ key->k1,
	};
	const u8 *p = data;
	u32 left = len;
	u64 last;

	for (; left >= 8; left -= 8, p += 8)
		sip_word(&s, load_le(p, 8));
	last = ((u64)len << 56) | load_le(p, left);
	sip_word(&s, last);
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return (u32)((s.v0 ^ s.v1) ^ (s.v2 ^ s.v3));
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
