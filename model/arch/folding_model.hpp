// The analytic folding model: what each unit of the pipeline costs per output row and per frame
// for a given architecture, and the default architecture it derives from a multiplier budget.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
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
  int64_t cycles = 0;       // a whole frame: row_cycles x rows, plus any wait for weights
  // Weights on DDR: fetched once per band of band_rows output rows, a channel group's words at a
  // time into a double-buffered weight buffer while the PE computes the group before.
  bool weights_in_ddr = false;
  int band_rows = 0;
  int64_t weight_bytes = 0;        // the ROM image: groups x folds words of ceil(PE x SIMD x W / 8) bytes
  int64_t ddr_weight_bytes = 0;    // per frame: weight_bytes x bands
  int64_t weight_wait_cycles = 0;  // per frame: the PE waiting for weights (DRAM uncontended)
  int64_t multipliers() const { return int64_t(pe) * simd; }
};

// Cycles of a conv output row in steady state: out_w pixels x ceil(cout/pe) channel groups x
// ceil(k*k*cin/simd) folds on the array, or out_w x cout codes when the PE's one requant unit (a
// code a cycle) is the slower (folds fewer than the group's channels).
int64_t conv_row_cycles(const Layer& layer, int out_w, int pe, int simd);
// What a row takes beyond its steady state when it starts and ends empty, as the co-simulated RTL
// runs it: the array's four pipeline stages, the hand-off register to the requant unit, its two
// stages, and the last channel group's codes leaving one a cycle. Exact where the requant unit
// keeps up (folds at least the group's channels).
int64_t conv_row_fill(const Layer& layer, int pe);
inline constexpr int kArrayStages = 4, kHandoffStages = 1, kRequantStages = 2;
// Every package layer's plan, in package order: conv layers as folded; an upsample emits one pixel
// (all channels) per cycle; a concat only merges streams (no cycles of its own). Throws ArchError
// for a band taller than its layer's map.
std::vector<LayerPlan> plan_layers(const Package& package, const ArchConfig& config);
// "input" and every layer's output shape, by name, from the layers' plans.
std::map<std::string, TensorShape> map_shapes(const Package& package, const std::vector<LayerPlan>& plans);
// Bytes of one ROM word as it lies in DRAM: PE x SIMD codes of W bits, rounded up to bytes.
int64_t rom_word_bytes(int pe, int simd, int w_bits);
// What a DDR layer's PE waits for weights in one band, in cycles: its first channel group's words
// arrive before it can start, each later group's while it computes the group before (double
// buffering), so it also waits for whatever a fetch outlasts a group's compute. The analytic plan
// and the simulated PE both time a band with this.
inline double band_weight_wait(double groups, double group_compute, double group_fetch) {
  return group_fetch + (groups - 1) * std::max(0.0, group_fetch - group_compute);
}
// A conv layer's plan `p` (its shape and folding set) with its weights streamed from DDR in bands
// of a.band_rows rows at the config's DRAM bandwidth; throws ArchError for a band taller than the map.
void plan_weight_stream(const Layer& layer, const ConvArch& a, const ArchConfig& config, LayerPlan& p);

// The folding optimizer. Each conv layer gets the cheapest PE x SIMD (any sizes up to the
// co-simulation array's, so that every layer can also run on the RTL; a folding that does not
// divide the layer leaves lanes idle in its last group or fold) whose cycles per frame reach
// `interval_cycles`, or its fastest folding when none does.
ArchConfig arch_for_interval(const Package& package, int64_t interval_cycles);
// The smallest initiation interval whose multipliers (sum of pe x simd) fit the budget.
ArchConfig default_arch_config(const Package& package, int multiplier_budget = kDefaultMultiplierBudget);

}  // namespace qflow
