// What every benchmark uses: medians over repetitions and one way to report a
// figure next to the baseline measured in the same run.
//
// report() prints a line and appends to $SPECTACLES_BENCH_DIR/results.{jsonl,tsv},
// which `./run bench` turns into one table and build/bench/results.json.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace spectacles::bench {

inline double median(std::vector<double> xs) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

inline double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto idx = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(idx, xs.size() - 1)];
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// One result row with its ratio given: for a figure measured in rounds alternating with its
/// baseline, the median of the per-round ratios (not the ratio of the two medians).
inline void report_ratio(const std::string& name, double figure, const std::string& unit,
                         const std::string& baseline, double baseline_figure, double ratio,
                         const std::string& note = {}) {
  std::printf("%-48s %14.2f %-10s", name.c_str(), figure, unit.c_str());
  if (!baseline.empty())
    std::printf(" vs %s: %.3f", baseline.c_str(), ratio);
  std::printf("\n");
  std::fflush(stdout);
  const char* dir = std::getenv("SPECTACLES_BENCH_DIR");
  if (!dir)
    return;
  std::ofstream jsonl{ std::string(dir) + "/results.jsonl", std::ios::app };
  char buf[1024];
  std::snprintf(buf, sizeof(buf),
                "{\"name\":\"%s\",\"figure\":%.4f,\"unit\":\"%s\",\"baseline\":\"%s\","
                "\"baseline_figure\":%.4f,\"ratio\":%.4f,\"note\":\"%s\"}\n",
                name.c_str(), figure, unit.c_str(), baseline.c_str(), baseline_figure, ratio,
                note.c_str());
  jsonl << buf;
  std::ofstream tsv{ std::string(dir) + "/results.tsv", std::ios::app };
  tsv << name << '\t' << figure << '\t' << unit << '\t' << (baseline.empty() ? "-" : baseline)
      << '\t' << (baseline.empty() ? std::string("-") : std::to_string(ratio)) << '\n';
}

/// One result row. `baseline` names the row this figure is compared with
/// (empty for a baseline itself); ratio = figure / baseline_figure.
inline void report(const std::string& name, double figure, const std::string& unit,
                   const std::string& baseline = {}, double baseline_figure = 0,
                   const std::string& note = {}) {
  report_ratio(name, figure, unit, baseline, baseline_figure,
               baseline_figure > 0 ? figure / baseline_figure : 0, note);
}

} // namespace spectacles::bench
