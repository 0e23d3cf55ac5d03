/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that decides whether the portable core is being compiled
 * into the kernel module or into the userspace library (tests, fuzzers,
 * microbenchmarks). Core files include only this header for types, byte
 * order and protocol header structs; nothing else in the core may test
 * __KERNEL__.
 */
#ifndef NAT64_CORE_PLATFORM_H
#define NAT64_CORE_PLATFORM_H

#ifdef __KERNEL__
#include "platform_kernel.h"
#else
#include "platform_user.h"
#endif

#endif
