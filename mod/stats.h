/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU counters of an instance; the names live in the uapi header. */
#ifndef NAT64_STATS_H
#define NAT64_STATS_H

#include "core/platform_os.h"
#include "instance.h"

struct nat64_stats {
	u64 c[NAT64_STAT_COUNT];
};

struct nat64_stats __percpu *nat64_stats_alloc(void);
void nat64_stats_free(struct nat64_stats __percpu *stats);
/* Sum over every CPU into out[NAT64_STAT_COUNT]. */
void nat64_stats_sum(const struct nat64_instance *inst, u64 *out);

/* Data path: a plain per-CPU increment, no atomics, no shared lines. */
static inline void nat64_stat_inc(struct nat64_instance *inst, enum nat64_stat id)
{
	this_cpu_inc(inst->stats->c[id]);
}

#endif
