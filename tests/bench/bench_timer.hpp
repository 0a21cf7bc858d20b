// Median wall time of repeated runs: the benchmarks' one timing rule (medians, side by side).
#pragma once

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace qflow::bench {

inline double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
  return values[values.size() / 2];
}

// One run's wall time, no warm-up (for callers that alternate runs of several contenders).
template <typename F>
double seconds_of(F&& run) {
  const auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename F>
double median_seconds(int repeats, F&& run) {
  run();  // warm-up: first-touch allocation, kernel JIT, caches
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) times.push_back(seconds_of(run));
  return median(std::move(times));
}

// The CPU's model name (figures compare only on the same machine).
inline std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

}  // namespace qflow::bench
