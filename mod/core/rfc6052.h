/* SPDX-License-Identifier: GPL-2.0 */
/* RFC 6052 IPv4-embedded IPv6 addresses, every prefix length of §2.2. */
#ifndef NAT64_CORE_RFC6052_H
#define NAT64_CORE_RFC6052_H

#include "platform.h"
#include "tuple.h"

/* Length in {32,40,48,56,64,96}, bits past the length zero, and for
 * lengths < 96 the u-octet (bits 64-71) zero. */
bool nat64_prefix6_valid(const struct nat64_prefix6 *p);
void nat64_rfc6052_embed(const struct nat64_prefix6 *p, __be32 v4,
			 struct in6_addr *out);
/* false if addr is not inside p (or its u-octet is not zero). */
bool nat64_rfc6052_extract(const struct nat64_prefix6 *p,
			   const struct in6_addr *addr, __be32 *v4);

#endif
