// Which Verilated co-simulation arrays (rtl/rtl_config.json's sizes) a folding runs on: the size that
// holds its SIMD with the fewest lanes evaluated, as many side by side as its PE needs (at most
// rtl_config's tiles). The same rule bounds the foldings the optimizer may choose, so that every
// folding it picks can be co-simulated.
#pragma once

#include "qflow/rtl_config.hpp"

namespace qflow::rtl {

struct ArrayChoice {
  int pe = 0, simd = 0, tiles = 0;  // tiles = 0: no size holds the folding
  constexpr int lanes() const { return tiles * pe * simd; }
};

// Fewest lanes, then fewest tiles.
constexpr ArrayChoice choose_array(int pe, int simd) {
  ArrayChoice best;
  for (const rtl_config::ArraySize& size : rtl_config::kArraySizes) {
    const ArrayChoice c{size.pe, size.simd, (pe + size.pe - 1) / size.pe};
    if (size.simd < simd || c.tiles > rtl_config::kArrayTiles) continue;
    if (best.tiles == 0 || c.lanes() < best.lanes() || (c.lanes() == best.lanes() && c.tiles < best.tiles)) best = c;
  }
  return best;
}

// The widest SIMD a folding of `pe` output channels can have and still be co-simulated (0: none).
constexpr int max_cosim_simd(int pe) {
  int widest = 0;
  for (const rtl_config::ArraySize& size : rtl_config::kArraySizes)
    if ((pe + size.pe - 1) / size.pe <= rtl_config::kArrayTiles && size.simd > widest) widest = size.simd;
  return widest;
}

}  // namespace qflow::rtl
