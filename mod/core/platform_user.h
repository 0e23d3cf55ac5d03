/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Core platform: userspace build (GoogleTest, fuzzers, benchmarks).
 * Included only by platform.h. Gives the core the kernel's type names and
 * the uapi protocol header structs.
 */
#ifndef NAT64_CORE_PLATFORM_USER_H
#define NAT64_CORE_PLATFORM_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <netinet/in.h>	/* before the uapi headers: glibc's libc-compat */
#include <arpa/inet.h>
#include <linux/types.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef __always_inline		/* glibc's sys/cdefs.h has it */
#define __always_inline inline __attribute__((__always_inline__))
#endif

/* The kernel's marked accesses; relaxed atomics, so that ThreadSanitizer
 * sees them as the intended lockless accesses they are. */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Kernel services of the stateful code: see platform_os.h. */
#define NAT64_PLATFORM_OS "platform_user_os.h"

#define cpu_to_be16(x) htons(x)
#define be16_to_cpu(x) ntohs(x)
#define cpu_to_be32(x) htonl(x)
#define be32_to_cpu(x) ntohl(x)

#endif
