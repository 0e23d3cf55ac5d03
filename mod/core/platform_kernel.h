/* SPDX-License-Identifier: GPL-2.0 */
/* Core platform: kernel build. Included only by platform.h. */
#ifndef NAT64_CORE_PLATFORM_KERNEL_H
#define NAT64_CORE_PLATFORM_KERNEL_H

#include <linux/types.h>
#include <linux/string.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <asm/byteorder.h>

/* Kernel services of the stateful code: see platform_os.h. */
#define NAT64_PLATFORM_OS "platform_kernel_os.h"

#endif
