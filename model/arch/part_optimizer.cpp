#include "part_optimizer.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "arch/resource_model.hpp"
#include "arch/run_plan.hpp"
#include "model_error.hpp"
#include "package/network_shapes.hpp"

namespace qflow {
namespace {

PartFit fit_of(const ArchConfig& config, const Package& package, const FpgaPart& part, const PartCatalog& catalog,
               const CircuitCostModel& cost) {
  return fit_to_part(estimate_resources(package, config, plan_layers(package, config), cost), part, catalog);
}

}  // namespace

void assign_multipliers(ArchConfig& config, const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                        const CircuitCostModel& cost) {
  for (auto& [name, a] : config.convs) a.multipliers = MultiplierImpl::Dsp;
  const std::vector<LayerPlan> plans = plan_layers(package, config);
  const ResourceEstimate in_dsps = estimate_resources(package, config, plans, cost);
  ArchConfig all_lut = config;
  for (auto& [name, a] : all_lut.convs) a.multipliers = MultiplierImpl::Lut;
  const ResourceEstimate in_luts = estimate_resources(package, all_lut, plans, cost);
  struct Move {
    std::string layer;
    double dsps_freed, luts_added;
  };
  std::vector<Move> moves;
  double dsps = 0;
  for (size_t i = 0; i < in_dsps.layers.size(); ++i) {
    const LayerResources &d = in_dsps.layers[i], &l = in_luts.layers[i];
    const double freed = d.array.dsps + d.requant.dsps - l.array.dsps - l.requant.dsps;
    dsps += d.array.dsps + d.requant.dsps;
    if (freed > 0) moves.push_back({d.name, freed, l.array.luts + l.requant.luts - d.array.luts - d.requant.luts});
  }
  std::stable_sort(moves.begin(), moves.end(), [](const Move& a, const Move& b) {
    return a.luts_added / a.dsps_freed < b.luts_added / b.dsps_freed;
  });
  const double limit = part.capacity.dsps * catalog.ceilings.dsps;
  for (const Move& m : moves) {
    if (dsps <= limit) break;
    config.convs.at(m.layer).multipliers = MultiplierImpl::Lut;
    dsps -= m.dsps_freed;
  }
}

namespace {

// A layer whose weights stream from DDR waits for the first channel group of every band: it may
// take this much longer than the interval its folding was chosen for (the frame rate reported is
// the slowest layer's, waits included).
constexpr double kStreamSlack = 1.05;

// Block RAM of a layer's memories (UltraRAM counted as the block RAM it would replace is not
// attempted here: the fit does that).
double bram_of(const std::vector<MemoryShape>& memories) {
  double bram = 0;
  for (const MemoryShape& m : memories) bram += block_ram(m).bram36;
  return bram;
}

}  // namespace

void place_weights(ArchConfig& config, const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                   const CircuitCostModel& cost, int64_t interval_cycles) {
  for (auto& [name, a] : config.convs) a.weights = WeightPlacement::Rom;
  PartFit fit = fit_of(config, package, part, catalog, cost);
  if (fit.fits || (fit.binding != "bram36" && fit.binding != "uram")) return;
  const std::vector<LayerPlan> plans = plan_layers(package, config);
  const std::map<std::string, TensorShape> maps = map_shapes(package, plans);
  const double fps = config.clock_mhz * 1e6 / double(interval_cycles);
  struct Move {
    std::string layer;
    int band_rows = 0;
    double bram_saved = 0, gbps = 0;
  };
  // Per layer, its bands that keep it within the interval and save block RAM.
  std::vector<std::vector<Move>> options;
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    if (!layer.is_conv()) continue;
    const TensorShape& in = maps.at(layer.inputs.at(0));
    const double rom_bram = bram_of(conv_memories(layer, plans[i], in));
    std::vector<Move> bands;
    for (int band = 1;; band = std::min(2 * band, plans[i].out.height)) {
      ConvArch a = config.convs.at(layer.name);
      a.weights = WeightPlacement::Ddr;
      a.band_rows = band;
      LayerPlan p = plans[i];
      plan_weight_stream(layer, a, config, p);
      const Move m{layer.name, band, rom_bram - bram_of(conv_memories(layer, p, in)), double(p.ddr_weight_bytes) * fps / 1e9};
      if (double(p.cycles) <= kStreamSlack * double(interval_cycles) && m.bram_saved > 0) bands.push_back(m);
      if (band == plans[i].out.height) break;
    }
    if (!bands.empty()) options.push_back(bands);
  }
  // The layers that can save the most block RAM first; each takes the band saving the most that
  // the DDR's remaining bandwidth allows (a taller band: less traffic, more line buffer).
  const auto most_saved = [](const std::vector<Move>& bands) {
    double most = 0;
    for (const Move& m : bands) most = std::max(most, m.bram_saved);
    return most;
  };
  std::stable_sort(options.begin(), options.end(),
                   [&](const auto& x, const auto& y) { return most_saved(x) > most_saved(y); });
  double budget = fit.ddr_gbps_limit - fit.ddr_gbps_used;
  for (const std::vector<Move>& bands : options) {
    const Move* pick = nullptr;
    for (const Move& m : bands)
      if (m.gbps <= budget && (!pick || m.bram_saved > pick->bram_saved)) pick = &m;
    if (!pick) continue;
    ConvArch& a = config.convs.at(pick->layer);
    a.weights = WeightPlacement::Ddr;
    a.band_rows = pick->band_rows;
    budget -= pick->gbps;
    if (fit_of(config, package, part, catalog, cost).fits) return;
  }
}

ArchConfig arch_for_part(const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                         const CircuitCostModel& cost, bool dsp_packing, double clock_mhz) {
  const auto config_for = [&](int64_t interval, SkipPlacement skips, int fifo_rows) {
    ArchConfig config = arch_for_interval(package, interval);
    config.clock_mhz = clock_mhz;
    config.skips = skips;
    config.fifo_depth_rows = fifo_rows;
    config.dsp_packing = dsp_packing && part.packs_two_macs_per_dsp();
    // The weight streams are timed at the share of the part's DDR a design may plan on.
    if (part.ddr_gbps > 0) config.dram.bandwidth_gbps = part.ddr_gbps * catalog.ddr_ceiling;
    assign_multipliers(config, package, part, catalog, cost);
    place_weights(config, package, part, catalog, cost, interval);
    return config;
  };
  const std::vector<TensorShape> shapes = infer_shapes(package);
  int64_t slowest = 1;  // every layer at one multiplier
  for (size_t i = 0; i < package.layers.size(); ++i)
    if (package.layers[i].is_conv())
      slowest = std::max(slowest, conv_row_cycles(package.layers[i], shapes[i].width, 1, 1) * shapes[i].height);
  // Per skip placement and FIFO depth, binary search on the interval (resources shrink as every
  // layer's folding narrows); the faster wins, on a tie skips on chip (no DRAM traffic) and FIFOs
  // of two rows (a unit may then run a row ahead of its consumer). One-row FIFOs halve the wide
  // ones behind the upsample and concat units, which move a whole pixel a cycle.
  std::optional<ArchConfig> best;
  int64_t best_interval = 0;
  PartFit narrowest;
  for (int fifo_rows : {ArchConfig{}.fifo_depth_rows, 1})
    for (SkipPlacement skips : {SkipPlacement::OnChip, SkipPlacement::Dram}) {
      narrowest = fit_of(config_for(slowest, skips, fifo_rows), package, part, catalog, cost);
      if (!narrowest.fits) continue;
      int64_t lo = 1, hi = slowest;
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (fit_of(config_for(mid, skips, fifo_rows), package, part, catalog, cost).fits)
          hi = mid;
        else
          lo = mid + 1;
      }
      if (!best || lo < best_interval) best = config_for(lo, skips, fifo_rows), best_interval = lo;
    }
  if (!best)
    throw ArchError(fmt::format("no folding of '{}' fits {}: even one multiplier per layer, weights on DDR, skip "
                                "buffers in DRAM and one-row FIFOs need {:.0f}% of its {} ceiling",
                                package.name, part.name, 100 * narrowest.binding_fraction, narrowest.binding));
  return *best;
}

}  // namespace qflow
