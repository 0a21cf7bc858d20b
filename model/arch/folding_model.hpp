// The analytic folding model: what each unit of the pipeline costs per output row and per frame
// for a given architecture, and the default architecture it derives from a multiplier budget.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch_config.hpp"
#include "package/network_shapes.hpp"
#include "package/package.hpp"

namespace qflow {

inline constexpr int kDefaultMultiplierBudget = 1024;

struct LayerPlan {
  std::string name;
  LayerOp op = LayerOp::Conv;
  TensorShape out;
  int64_t macs = 0;
  int pe = 0, simd = 0;     // conv layers
  int64_t row_cycles = 0;   // cycles to compute one output row
  int64_t cycles = 0;       // a whole frame: row_cycles x rows
  int64_t multipliers() const { return int64_t(pe) * simd; }
};

// Cycles of a conv output row: out_w pixels x ceil(cout/pe) channel groups x ceil(k*k*cin/simd) folds.
int64_t conv_row_cycles(const Layer& layer, int out_w, int pe, int simd);
// Every package layer's plan, in package order: conv layers as folded; an upsample emits one pixel
// (all channels) per cycle; a concat only merges streams (no cycles of its own).
std::vector<LayerPlan> plan_layers(const Package& package, const ArchConfig& config);

// The folding optimizer. Each conv layer gets the cheapest PE x SIMD (any sizes up to the
// co-simulation array's, so that every layer can also run on the RTL; a folding that does not
// divide the layer leaves lanes idle in its last group or fold) whose cycles per frame reach
// `interval_cycles`, or its fastest folding when none does.
ArchConfig arch_for_interval(const Package& package, int64_t interval_cycles);
// The smallest initiation interval whose multipliers (sum of pe x simd) fit the budget.
ArchConfig default_arch_config(const Package& package, int multiplier_budget = kDefaultMultiplierBudget);

}  // namespace qflow
