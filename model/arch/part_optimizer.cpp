#include "part_optimizer.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "arch/resource_model.hpp"
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

ArchConfig arch_for_part(const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                         const CircuitCostModel& cost, bool dsp_packing, double clock_mhz) {
  const auto config_for = [&](int64_t interval, SkipPlacement skips) {
    ArchConfig config = arch_for_interval(package, interval);
    config.clock_mhz = clock_mhz;
    config.skips = skips;
    config.dsp_packing = dsp_packing && part.packs_two_macs_per_dsp();
    assign_multipliers(config, package, part, catalog, cost);
    return config;
  };
  const std::vector<TensorShape> shapes = infer_shapes(package);
  int64_t slowest = 1;  // every layer at one multiplier
  for (size_t i = 0; i < package.layers.size(); ++i)
    if (package.layers[i].is_conv())
      slowest = std::max(slowest, conv_row_cycles(package.layers[i], shapes[i].width, 1, 1) * shapes[i].height);
  // Per skip placement, binary search on the interval (resources shrink as every layer's folding
  // narrows); the faster wins, on chip on a tie (no DRAM traffic).
  std::optional<ArchConfig> best;
  int64_t best_interval = 0;
  PartFit narrowest;
  for (SkipPlacement skips : {SkipPlacement::OnChip, SkipPlacement::Dram}) {
    narrowest = fit_of(config_for(slowest, skips), package, part, catalog, cost);
    if (!narrowest.fits) continue;
    int64_t lo = 1, hi = slowest;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (fit_of(config_for(mid, skips), package, part, catalog, cost).fits)
        hi = mid;
      else
        lo = mid + 1;
    }
    if (!best || lo < best_interval) best = config_for(lo, skips), best_interval = lo;
  }
  if (!best)
    throw ArchError(fmt::format("no folding of '{}' fits {}: even one multiplier per layer needs {:.0f}% of its {} "
                                "ceiling, skip buffers in DRAM",
                                package.name, part.name, 100 * narrowest.binding_fraction, narrowest.binding));
  return *best;
}

}  // namespace qflow
