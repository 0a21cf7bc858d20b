// Small builders shared by the sw tests: random code maps and conv layers with chosen extremes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "package/network_shapes.hpp"
#include "test_helpers.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow::test {

// Codes uniform in [0, max_code], or all at max_code when `extreme`.
inline CodeMap random_codes(int c, int h, int w, int64_t max_code, std::mt19937_64& rng, bool extreme = false) {
  CodeMap m{c, h, w, std::vector<int16_t>(size_t(c) * h * w)};
  std::uniform_int_distribution<int64_t> pick(0, max_code);
  for (int16_t& v : m.codes) v = int16_t(extreme ? max_code : pick(rng));
  return m;
}

struct ConvSpec {
  int cin = 4, cout = 3, kernel = 3, stride = 1, pad = 1;
  int in_bits = 8, in_frac = 0, w_bits = 8, out_bits = 8;
  bool flow_head = false;
  bool extreme_weights = false;  // every weight at the most negative code
};

// A conv layer with random weights and a random requant that keeps outputs in range (not all
// clamped): m ~ 2^out_bits / (4 * sd of the accumulator) for random inputs, random offsets.
inline Layer random_conv(const ConvSpec& s, std::mt19937_64& rng) {
  Layer l;
  l.name = "conv";
  l.op = s.flow_head ? LayerOp::FlowHead : LayerOp::Conv;
  l.inputs = {"input"};
  l.kernel = s.kernel;
  l.stride = s.stride;
  l.pad = s.pad;
  l.cin = s.cin;
  l.cout = s.cout;
  l.in_bits = s.in_bits;
  l.in_frac = s.in_frac;
  l.w_bits = s.w_bits;
  l.out_bits = s.flow_head ? kFlowHeadBits : s.out_bits;
  l.rom = "rom/conv.hex";
  const int lo = -(1 << (s.w_bits - 1)), hi = (1 << (s.w_bits - 1)) - 1;
  std::uniform_int_distribution<int> code(lo, hi);
  l.weights.resize(size_t(l.weight_count()));
  for (int8_t& w : l.weights) w = int8_t(s.extreme_weights ? lo : code(rng));
  const double depth = double(s.cin) * s.kernel * s.kernel;
  const double acc_sd = std::sqrt(depth) * (hi + 1) / std::sqrt(3.0) * double((1 << s.in_bits) << s.in_frac) / 2;
  const double out_range = s.flow_head ? 2000.0 : double(1 << l.out_bits);
  l.shift = 20;
  std::uniform_real_distribution<double> jitter(0.5, 2.0), offset(-0.5, 1.0);
  for (int c = 0; c < s.cout; ++c) {
    const double m = out_range / (4 * acc_sd) * jitter(rng);
    l.mult.push_back(std::llround(std::ldexp(m, l.shift)));
    l.bias.push_back(std::llround(std::ldexp(offset(rng) * out_range / 2, l.shift)) + (int64_t(1) << (l.shift - 1)));
  }
  return l;
}

// A flow-head layer's requant set to show its accumulators: code = round(acc / 2^shift) (M = 1,
// B = 2^(shift-1)), in int16 when |acc| < 2^(shift+15). How a test reads sums back through a kernel.
inline void read_accumulators_back(Layer& l, int shift) {
  l.shift = shift;
  std::fill(l.mult.begin(), l.mult.end(), 1);
  std::fill(l.bias.begin(), l.bias.end(), int64_t(1) << (shift - 1));
}

inline TensorShape conv_out_shape(const Layer& l, const CodeMap& in) {
  return conv_output_shape(l, in.height, in.width);
}

}  // namespace qflow::test
