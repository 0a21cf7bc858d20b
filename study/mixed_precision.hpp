// A mixed-precision configuration chosen under a LUT budget, greedily, from the measured per-layer
// sensitivities (`qflow-train sensitivity` of the W8A8 run): starting from W8A8, repeatedly take
// the one-step lowering (a layer's weights, or an activation group's codes, to the next measured
// width) that costs the least validation EPE per LUT saved, until the estimate fits the budget.
// The EPE changes were measured one unit at a time and are assumed to add up; the fine-tuned
// mixed run then measures what they really add up to.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "circuit_cost.hpp"

namespace qflow::study {

struct MixedChoice {
  std::vector<FoldedLayer> layers;  // the chosen widths, on the W8A8 run's folding
  double base_luts = 0, luts = 0, budget_luts = 0, predicted_delta_epe = 0;
  std::vector<std::string> moves;  // in the order taken
  // qflow-train's --layer-bits: every conv as name=W:A (A: its output width)
  std::string layer_bits() const;
  nlohmann::json to_json() const;
};

// network: the W8A8 package's network.json (its graph carries widths from layer to layer);
// folded: its layers on the simulated folding; sensitivity: `qflow-train sensitivity`'s JSON.
MixedChoice choose_mixed_precision(const nlohmann::json& network, const std::vector<FoldedLayer>& folded,
                                   const nlohmann::json& sensitivity, const CircuitCostModel& table, double luts_fraction);

}  // namespace qflow::study
