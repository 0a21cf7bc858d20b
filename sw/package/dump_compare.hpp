// Layer-by-layer comparison of two layer dumps: where two stages of the stack part ways.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "npy.hpp"

namespace qflow {

struct LayerDiff {
  std::string layer;
  bool in_a = true, in_b = true;  // present on each side
  bool same_shape = true;
  int64_t codes = 0, mismatches = 0;
  int max_abs_diff = 0;
  int first_c = -1, first_y = -1, first_x = -1;  // first mismatch in C, H, W order
  int first_a = 0, first_b = 0;                  // the two codes there

  bool matches() const { return in_a && in_b && same_shape && mismatches == 0; }
};

// One entry per layer in `order` (layers missing from it follow, alphabetically).
std::vector<LayerDiff> compare_dumps(const std::map<std::string, CodeMap>& a,
                                     const std::map<std::string, CodeMap>& b,
                                     const std::vector<std::string>& order);

}  // namespace qflow
