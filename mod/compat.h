/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Force-included into every
 * object of the module (Kbuild: -include compat.h). Detect by feature
 * where the headers allow it; fall back to LINUX_VERSION_CODE otherwise.
 * Supported: 5.15 .. the newest Debian kernel (6.12).
 */
#ifndef NAT64_COMPAT_H
#define NAT64_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#error "nat64 needs Linux 5.15 or newer"
#endif

/* genl_family.resv_start_op (6.1): strict validation for every op. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define NAT64_HAVE_GENL_RESV_START_OP
#endif

/*
 * ip_route_input_noref() masks the TOS byte itself on every version (the
 * caller's own mask, IPTOS_RT_MASK, is gone since 6.12); it takes a dscp_t
 * since 6.13 (a signature change: no macro to detect it by).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define nat64_route_input4(skb, daddr, saddr, tos, dev) \
	ip_route_input_noref(skb, daddr, saddr, inet_dsfield_to_dscp(tos), dev)
#else
#define nat64_route_input4(skb, daddr, saddr, tos, dev) \
	ip_route_input_noref(skb, daddr, saddr, tos, dev)
#endif

/*
 * The skb_gso_*() helpers moved from <linux/skbuff.h> to <net/gso.h> (6.5).
 * Users write `#include NAT64_GSO_H` (this header is force-included before
 * the files' own pr_fmt, so it must not include kernel headers itself).
 */
#if __has_include(<net/gso.h>)
#define NAT64_GSO_H <net/gso.h>
#else
#define NAT64_GSO_H "compat.h"	/* <linux/skbuff.h> has them: nothing to add */
#endif

/* get_random_u16() appeared in 6.1. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#define get_random_u16() ((u16)get_random_u32())
#endif

#endif
