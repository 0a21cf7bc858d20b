// A small conv layer for the RTL tests: 3x3, stride 2, 5 -> 6 channels (not a multiple of 4 PEs,
// so the last channel group has idle lanes), random 8-bit weights, and requant integers that put
// the codes mid-range; `in_frac` 4 takes the 1/16-unit inputs of an upsampled map.
#pragma once

#include <cmath>
#include <random>

#include "package/package.hpp"

namespace qflow::rtl {

inline Layer small_conv(int in_frac, std::mt19937_64& rng) {
  Layer l;
  l.name = "conv";
  l.inputs = {"input"};
  l.kernel = 3;
  l.stride = 2;
  l.pad = 1;
  l.cin = 5;
  l.cout = 6;  // not a multiple of the array's 4 PEs: the last group has idle lanes
  l.in_bits = 8;
  l.in_frac = in_frac;
  l.w_bits = 8;
  l.out_bits = 8;
  l.shift = 24;
  std::uniform_int_distribution<int> w(-128, 127);
  l.weights.resize(size_t(l.weight_count()));
  for (int8_t& v : l.weights) v = int8_t(w(rng));
  for (int c = 0; c < l.cout; ++c) {
    // About a quarter of the range per accumulator standard deviation, centred a quarter up.
    const double sd = std::sqrt(45.0) * 74 * (in_frac ? 1200.0 : 74.0);
    l.mult.push_back(std::llround(64.0 / sd * (1 << 24)));
    l.bias.push_back((int64_t(64) << 24) + (int64_t(1) << 23));
  }
  return l;
}

// Its input: C x h x w codes uniform over the layer's input range.
inline CodeMap small_conv_input(const Layer& layer, int h, int w, std::mt19937_64& rng) {
  CodeMap in{layer.cin, h, w, std::vector<int16_t>(size_t(layer.cin) * h * w)};
  std::uniform_int_distribution<int> code(0, (255 << layer.in_frac));
  for (int16_t& v : in.codes) v = int16_t(code(rng));
  return in;
}

}  // namespace qflow::rtl
