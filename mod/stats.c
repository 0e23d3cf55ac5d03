// SPDX-License-Identifier: GPL-2.0
#define pr_fmt(fmt) "nat64: " fmt

#include <linux/string.h>
#include "stats.h"

struct nat64_stats __percpu *nat64_stats_alloc(void)
{
	return alloc_percpu(struct nat64_stats);
}

void nat64_stats_free(struct nat64_stats __percpu *stats)
{
	free_percpu(stats);
}

void nat64_stats_sum(const struct nat64_instance *inst, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * NAT64_STAT_COUNT);
	for_each_possible_cpu(cpu) {
		const struct nat64_stats *s = per_cpu_ptr(inst->stats, cpu);

		for (i = 0; i < NAT64_STAT_COUNT; i++)
			out[i] += READ_ONCE(s->c[i]);
	}
}
