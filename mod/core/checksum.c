// SPDX-License-Identifier: GPL-2.0
/* Internet checksum arithmetic: see checksum.h. */
#include "checksum.h"
#include "xlat_internal.h"

/*
 * Big-endian 32-bit words summed into 64 bits: since 2^16 = 1 modulo
 * 0xffff, a 32-bit word counts as its two 16-bit halves once folded. No
 * carry can be lost for any length a packet can have, and the result does
 * not depend on host byte order.
 */
u32 nat64_csum_add(u32 sum, const u8 *buf, u32 len)
{
	u64 acc = sum;
	__be32 w;
	u32 i;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&w, buf + i, 4);	/* unaligned-safe single load */
		acc += be32_to_cpu(w);
	}
	for (; i + 1 < len; i += 2)
		acc += (u32)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		acc += (u32)buf[len - 1] << 8;
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return nat64_csum_fold((u32)acc);
}

/* ~w of a 32-bit word is the complement of both of its halves. */
u32 nat64_csum_sub(u32 sum, const u8 *buf, u32 len)
{
	u64 acc = sum;
	__be32 w;
	u32 i;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&w, buf + i, 4);
		acc += ~be32_to_cpu(w);
	}
	for (; i + 1 < len; i += 2)
		acc += 0xffff ^ ((u32)buf[i] << 8 | buf[i + 1]);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return nat64_csum_fold((u32)acc);
}

/*
 * Transport checksum adjustment for a translation (declared in
 * xlat_internal.h): it lives here because it is nothing but RFC 1624
 * arithmetic over the few header words a translation changes.
 */

/* Echo types: 8/0 in ICMPv4, 128/129 in ICMPv6 (RFC 7915 §4.2, §5.2). */
static int echo_type(u8 type, bool to6, u8 *out)
{
	if (to6 && (type == ICMP_ECHO || type == ICMP_ECHOREPLY)) {
		*out = type == ICMP_ECHO ? ICMPV6_ECHO_REQUEST : ICMPV6_ECHO_REPLY;
		return 0;
	}
	if (!to6 && (type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY)) {
		*out = type == ICMPV6_ECHO_REQUEST ? ICMP_ECHO : ICMP_ECHOREPLY;
		return 0;
	}
	return -EINVAL;
}

/*
 * ICMPv6 covers a pseudo-header and ICMPv4 does not: 4->6 adds it, 6->4
 * takes it out. Then the type and identifier words change.
 */
static int rewrite_icmp(const struct nat64_l4_rw *rw)
{
	u8 *h = rw->h;
	u32 pseudo, delta;
	u8 type;

	if (rw->hlen < ICMP_HDR_LEN || echo_type(h[0], rw->to6, &type))
		return -EINVAL;
	pseudo = nat64_csum_add(nat64_pseudo6_len_proto(rw->icmp6_len,
							IPPROTO_ICMPV6),
				rw->addr6, 32);
	delta = rw->to6 ? pseudo : nat64_csum_sub16(0, nat64_csum_fold(pseudo));
	delta = nat64_csum_sub(delta, h, 2);
	delta = nat64_csum_sub(delta, h + 4, 2);
	h[0] = type;
	memcpy(h + 4, &rw->sport, 2);
	delta = nat64_csum_add(delta, h, 2);
	delta = nat64_csum_add(delta, h + 4, 2);
	nat64_put16(h + ICMP_CSUM_OFF,
		    nat64_csum_update(nat64_get16(h + ICMP_CSUM_OFF), delta));
	return 0;
}

/*
 * TCP and UDP: the pseudo-headers of both families hold the same length and
 * protocol, so only the addresses change there; plus the ports.
 */
static int rewrite_ports(const struct nat64_l4_rw *rw)
{
	u8 *h = rw->h;
	u32 off = rw->proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
	bool udp = rw->proto == IPPROTO_UDP;
	u32 delta;
	u16 check;

	if (rw->hlen < 4)
		return -EINVAL;
	if (rw->to6)
		delta = nat64_csum_add(nat64_csum_sub(0, rw->addr4, 8), rw->addr6, 32);
	else
		delta = nat64_csum_add(nat64_csum_sub(0, rw->addr6, 32), rw->addr4, 8);
	/* A partial checksum does not cover the ports yet: whoever completes
	 * it sums them as they will be. */
	if (!rw->partial)
		delta = nat64_csum_sub(delta, h, 4);
	memcpy(h, &rw->sport, 2);
	memcpy(h + 2, &rw->dport, 2);
	if (!rw->partial)
		delta = nat64_csum_add(delta, h, 4);
	/* A quoted (inner) packet may be cut before its checksum. */
	if (rw->hlen < off + 2)
		return 0;
	check = nat64_get16(h + off);
	/* IPv4 UDP without checksum: the caller decides what to write. */
	if (udp && !check && !rw->partial)
		return 0;
	if (rw->partial) {
		check = nat64_csum_update_partial(check, delta);
	} else {
		check = nat64_csum_update(check, delta);
		/* 0 would mean "no checksum" (RFC 768). */
		if (udp && !check)
			check = 0xffff;
	}
	nat64_put16(h + off, check);
	return 0;
}

int nat64_l4_rewrite(const struct nat64_l4_rw *rw)
{
	switch (rw->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		return rewrite_ports(rw);
	case IPPROTO_ICMP:
		return rewrite_icmp(rw);
	}
	return -EINVAL;
}
