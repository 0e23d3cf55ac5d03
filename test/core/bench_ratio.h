// Google Benchmark console output plus, at the end, each benchmark's ratio
// against its baseline: "ratio NAME / BASELINE = X.XX". Absolute ns depend
// on the machine; the ratios are what the benchmarks are for. They use CPU
// time, which a machine shared with other work inflates much less than
// wall time (a descheduled process accumulates wall time, not CPU time).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bench {

class RatioReporter : public benchmark::ConsoleReporter {
public:
	// pairs: {benchmark name, baseline name}, printed in this order.
	explicit RatioReporter(std::vector<std::pair<std::string, std::string>> pairs)
		: pairs_(std::move(pairs)) {}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		ConsoleReporter::ReportRuns(runs);
		for (const Run &r : runs)
			if (r.run_type == Run::RT_Iteration && !r.error_occurred)
				ns_[r.benchmark_name()] = r.GetAdjustedCPUTime();
	}

	void Finalize() override
	{
		ConsoleReporter::Finalize();
		std::printf("\nratios against the baseline (CPU time per operation):\n");
		for (const auto &[name, base] : pairs_) {
			auto a = ns_.find(name), b = ns_.find(base);
			if (a == ns_.end() || b == ns_.end() || b->second <= 0)
				continue;	// filtered out, or failed
			std::printf("ratio %-40s / %-40s = %6.2f\n", name.c_str(), base.c_str(),
				    a->second / b->second);
		}
		std::fflush(stdout);
	}

private:
	std::vector<std::pair<std::string, std::string>> pairs_;
	std::map<std::string, double> ns_;
};

// main() of a benchmark binary with ratio pairs.
inline int run(int argc, char **argv, std::vector<std::pair<std::string, std::string>> pairs)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	RatioReporter rep(std::move(pairs));
	benchmark::RunSpecifiedBenchmarks(&rep);
	benchmark::Shutdown();
	return 0;
}

}  // namespace bench
