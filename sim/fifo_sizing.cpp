#include "fifo_sizing.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "arch/pipeline_buffers.hpp"
#include "model_error.hpp"

namespace qflow::sim {
namespace {

// Bisection is spent only on the buffers that hold a good share of the bits, a few at most: each
// step is a whole simulated frame.
constexpr double kShrinkShare = 0.1;
constexpr int kMaxShrunk = 4;

}  // namespace

ArchConfig unbounded_fifos(const Package& package, const ArchConfig& config) {
  ArchConfig unbounded = config;
  for (const BufferSpec& b : pipeline_buffers(package, config, plan_layers(package, config)))
    if (!b.in_dram) unbounded.fifo_depths[b.name] = b.map_rows;
  return unbounded;
}

FifoSizing size_fifos(const Package& package, const ArchConfig& given, const ArchConfig& unbounded,
                      const SimulationResult& result, const FrameCycles& target, const FrameCheck& check) {
  std::map<std::string, int> peak;
  for (const ChannelInfo& c : result.channels) peak[c.name] = c.peak;
  std::vector<BufferSpec> buffers;
  for (const BufferSpec& b : pipeline_buffers(package, given, plan_layers(package, given)))
    if (!b.in_dram) buffers.push_back(b);

  FifoSizing s{given, {}};
  s.sized.fifo_depths.clear();
  int64_t peak_bits = 0;
  for (const BufferSpec& b : buffers) {
    const auto it = peak.find(b.name);
    if (it == peak.end()) throw SimulationError(fmt::format("FIFO sizing: channel '{}' was not simulated", b.name));
    s.sized.fifo_depths[b.name] = std::max(1, it->second);
    peak_bits += s.sized.fifo_depths[b.name] * b.row_bits;
  }
  // The largest buffers, by bits at their peak, shrunk one after the other.
  std::vector<const BufferSpec*> order;
  for (const BufferSpec& b : buffers) order.push_back(&b);
  std::stable_sort(order.begin(), order.end(), [&](const BufferSpec* x, const BufferSpec* y) {
    return s.sized.fifo_depths[x->name] * x->row_bits > s.sized.fifo_depths[y->name] * y->row_bits;
  });
  int simulations = 0, shrunk = 0;
  for (const BufferSpec* b : order) {
    int& depth = s.sized.fifo_depths[b->name];
    if (shrunk == kMaxShrunk || double(depth * b->row_bits) < kShrinkShare * double(peak_bits)) break;
    ++shrunk;
    int lo = 1, hi = depth;  // hi keeps the target; find the smallest that does
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      ArchConfig candidate = s.sized;
      candidate.fifo_depths[b->name] = mid;
      ++simulations;
      const std::optional<FrameCycles> cycles = check(candidate);
      if (cycles && *cycles == target)
        hi = mid;
      else
        lo = mid + 1;
    }
    depth = hi;
  }
  // The final depths, checked as a whole.
  ++simulations;
  const std::optional<FrameCycles> final_cycles = check(s.sized);
  if (!final_cycles || !(*final_cycles == target))
    throw SimulationError(fmt::format(
        "FIFO sizing: the sized depths give {} where the unbounded run gave an interval of {} and a latency of {} cycles",
        final_cycles ? fmt::format("an interval of {} and a latency of {} cycles", final_cycles->interval,
                                   final_cycles->latency)
                     : "a failed frame",
        target.interval, target.latency));

  int64_t bits_given = 0, bits_unbounded = 0, bits_sized = 0;
  nlohmann::json channels = nlohmann::json::array();
  for (const BufferSpec& b : buffers) {
    const int depth = s.sized.fifo_depths.at(b.name), open = unbounded.fifo_depths.at(b.name);
    bits_given += b.depth_rows * b.row_bits, bits_unbounded += open * b.row_bits, bits_sized += depth * b.row_bits;
    channels.push_back({{"name", b.name}, {"skip", b.skip}, {"row_bits", b.row_bits}, {"given_rows", b.depth_rows},
                        {"unbounded_rows", open}, {"peak_rows", std::max(1, peak.at(b.name))}, {"sized_rows", depth},
                        {"sized_bits", depth * b.row_bits}});
  }
  s.table = {{"channels", channels},
             {"given_bits", bits_given},
             {"unbounded_bits", bits_unbounded},
             {"peak_bits", peak_bits},
             {"sized_bits", bits_sized},
             {"saved_bits_vs_given", bits_given - bits_sized},
             {"simulations", simulations},
             {"target", {{"initiation_interval_cycles", target.interval}, {"latency_cycles", target.latency}}}};
  return s;
}

std::string fifo_sizing_markdown(const nlohmann::json& t) {
  std::string md = "| channel | kind | row bits | given rows | peak rows (unbounded) | sized rows | sized bits |\n"
                   "|---|---|---|---|---|---|---|\n";
  for (const auto& c : t["channels"])
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", c["name"].get<std::string>(),
                      c["skip"].get<bool>() ? "skip buffer" : "FIFO", c["row_bits"].get<int64_t>(),
                      c["given_rows"].get<int>(), c["peak_rows"].get<int>(), c["sized_rows"].get<int>(),
                      c["sized_bits"].get<int64_t>());
  md += fmt::format(
      "\nFIFOs and on-chip skip buffers: {} bits as given, {} unbounded, {} at their peaks, **{} sized** ({:+} bits "
      "against the given depths). The sized depths keep the unbounded run's interval ({} cycles) and latency ({} "
      "cycles), checked by simulation ({} frames simulated).\n",
      t["given_bits"].get<int64_t>(), t["unbounded_bits"].get<int64_t>(), t["peak_bits"].get<int64_t>(),
      t["sized_bits"].get<int64_t>(), -t["saved_bits_vs_given"].get<int64_t>(),
      t["target"]["initiation_interval_cycles"].get<int64_t>(), t["target"]["latency_cycles"].get<int64_t>(),
      t["simulations"].get<int>());
  return md;
}

}  // namespace qflow::sim
