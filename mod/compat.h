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

/* ip_route_input_noref() takes a dscp_t instead of a TOS byte since 6.13. */
/* (expanded only in files that include <net/route.h>) */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define nat64_route_input4(skb, daddr, saddr, tos, dev) \
	ip_route_input_noref(skb, daddr, saddr, inet_dsfield_to_dscp(tos), dev)
#else
#define nat64_route_input4(skb, daddr, saddr, tos, dev) \
	ip_route_input_noref(skb, daddr, saddr, (tos) & IPTOS_RT_MASK, dev)
#endif

#endif
