// FIFO sizing by simulation (`run --size-fifos`). The frame first runs with every FIFO and on-chip
// skip buffer as deep as the map it carries, so that no producer ever waits for room: its
// initiation interval and latency are the targets. Each buffer then gets the most rows it held,
// which keeps every producer's schedule. A producer with slack (the input streamer runs ahead of
// conv1) holds more than the frame needs, so the largest buffers are then shrunk by bisection,
// each candidate checked by simulating it: a depth is kept only when the interval and the latency
// stay exactly those of the unbounded run. A candidate too shallow for a skip path deadlocks, which
// the model reports (never a hang), and counts as a failed check.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "arch/arch_config.hpp"
#include "package/package.hpp"
#include "system.hpp"

namespace qflow::sim {

// `config` with every FIFO and on-chip skip buffer as deep as its map.
ArchConfig unbounded_fifos(const Package& package, const ArchConfig& config);

struct FrameCycles {
  int64_t interval = 0, latency = 0;
  bool operator==(const FrameCycles& o) const { return interval == o.interval && latency == o.latency; }
};

// Simulates a candidate (in another process: SystemC elaborates once per process); nullopt when
// the frame failed (a deadlock).
using FrameCheck = std::function<std::optional<FrameCycles>(const ArchConfig&)>;

struct FifoSizing {
  ArchConfig sized;
  nlohmann::json table;  // per channel: given, unbounded, peak and sized depths and bits; totals
};

// `given`: the config the user asked for; `result`: the unbounded run's, whose cycles are the target.
FifoSizing size_fifos(const Package& package, const ArchConfig& given, const ArchConfig& unbounded,
                      const SimulationResult& result, const FrameCycles& target, const FrameCheck& check);

std::string fifo_sizing_markdown(const nlohmann::json& table);

}  // namespace qflow::sim
