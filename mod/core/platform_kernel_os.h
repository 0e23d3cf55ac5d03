/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel services of the stateful code: the kernel's. Only via platform_os.h. */
#ifndef NAT64_CORE_PLATFORM_KERNEL_OS_H
#define NAT64_CORE_PLATFORM_KERNEL_OS_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#endif
