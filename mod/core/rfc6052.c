// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 6052 §2.2 IPv4-embedded IPv6 addresses. For prefixes shorter than 96
 * bits the 32 bits of IPv4 address are split around the u-octet (bits
 * 64-71), which must stay zero; the suffix after the address is zero when
 * embedding and ignored when extracting (§2.2: reserved for extensions).
 */
#include "rfc6052.h"

/* The u-octet: byte 8 of the IPv6 address. */
#define U_OCTET 8

/*
 * Byte position in the IPv6 address of each of the 4 IPv4 address bytes:
 * they start right after the prefix and skip the u-octet.
 */
static int v4_byte_pos(u8 plen, unsigned int i)
{
	unsigned int pos = plen / 8 + i;

	if (plen < 96 && pos >= U_OCTET)
		pos++;
	return (int)pos;
}

static bool plen_supported(u8 len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 ||
	       len == 64 || len == 96;
}

bool nat64_prefix6_valid(const struct nat64_prefix6 *p)
{
	const u8 *a = p->addr.s6_addr;
	unsigned int i;

	if (!plen_supported(p->len))
		return false;
	/* Lengths are whole bytes: everything from byte len/8 on is zero. */
	for (i = p->len / 8; i < 16; i++)
		if (a[i])
			return false;
	return true;
}

void nat64_rfc6052_embed(const struct nat64_prefix6 *p, __be32 v4,
			 struct in6_addr *out)
{
	const u8 *b = (const u8 *)&v4;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	memcpy(out->s6_addr, p->addr.s6_addr, p->len / 8);
	for (i = 0; i < 4; i++)
		out->s6_addr[v4_byte_pos(p->len, i)] = b[i];
}

bool nat64_rfc6052_extract(const struct nat64_prefix6 *p,
			   const struct in6_addr *addr, __be32 *v4)
{
	u8 *b = (u8 *)v4;
	unsigned int i;

	if (!plen_supported(p->len))
		return false;
	if (memcmp(addr->s6_addr, p->addr.s6_addr, p->len / 8))
		return false;
	if (p->len < 96 && addr->s6_addr[U_OCTET])
		return false;
	for (i = 0; i < 4; i++)
		b[i] = addr->s6_addr[v4_byte_pos(p->len, i)];
	return true;
}
