/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel services for the portable stateful code (BIB, sessions, pool4):
 * lists, RCU, spinlocks and mutexes, atomics and refcounts, per-CPU data,
 * jiffies, memory, hsiphash/siphash, rhashtable. In the module these are
 * the kernel's own (platform_kernel_os.h); in userspace a small
 * implementation of the subset the tables use (platform_user_os.h,
 * test/state/platform_user_os.c), simple and visible to ThreadSanitizer.
 * platform.h decides which, as for the rest of the core.
 */
#ifndef NAT64_CORE_PLATFORM_OS_H
#define NAT64_CORE_PLATFORM_OS_H

#include "platform.h"
#include NAT64_PLATFORM_OS

#endif
