// A whole small conv layer through the Verilated mac_array and requant equals the naive reference.
#include <random>

#include <gtest/gtest.h>

#include "Vmac_array_w8a12.h"
#include "Vmac_array_w8a12_params.hpp"
#include "Vrequant_a8.h"
#include "conv_folding.hpp"
#include "mac_array_pins.hpp"
#include "requant_pins.hpp"
#include "waves.hpp"
#include "ref/naive_ops.hpp"

namespace qflow::rtl {
namespace {

using ArrayPins = MacArrayPins<Vmac_array_w8a12, Vmac_array_w8a12_params>;

Layer small_conv(int in_frac, std::mt19937_64& rng) {
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

class ConvLayer : public ::testing::TestWithParam<int> {};

TEST_P(ConvLayer, ThroughTheRtlEqualsTheReference) {
  const int in_frac = GetParam();
  std::mt19937_64 rng(4);
  const Layer layer = small_conv(in_frac, rng);
  CodeMap in{layer.cin, 9, 11, std::vector<int16_t>(size_t(layer.cin) * 9 * 11)};
  std::uniform_int_distribution<int> code(0, (255 << in_frac));
  for (int16_t& v : in.codes) v = int16_t(code(rng));
  const TensorShape out_shape{layer.cout, 5, 6, 8, 0, false};
  const ConvFolding folding{ArrayPins::kPE, ArrayPins::kSIMD};

  ArrayPins array_pins(fold_conv(layer, in, out_shape.height, out_shape.width, folding));
  StreamHarness<Vmac_array_w8a12, ArrayPins> array("array", array_pins, array_pins.beats().size(),
                                                   array_pins.output_count(), {0.1, 0.1, 1}, test_waves_path());
  array.set_stops_simulation(false);
  RequantPins<Vrequant_a8> requant_pins;
  StreamHarness<Vrequant_a8, RequantPins<Vrequant_a8>> requant("requant", requant_pins, 0, 0, {0.1, 0.1, 2});
  requant.start_after(array.done(), [&] {
    requant_pins.beats = requant_beats(layer, array_pins.outputs, folding);
    return std::pair{requant_pins.beats.size(), requant_pins.beats.size()};
  });
  array.simulate();
  ASSERT_FALSE(array.stats().timed_out);
  ASSERT_FALSE(requant.stats().timed_out);

  const CodeMap rtl = unfold_codes(layer, requant_pins.codes, out_shape.height, out_shape.width);
  const CodeMap expected = naive_conv(layer, in, out_shape);
  EXPECT_EQ(rtl.codes, expected.codes);
  int distinct = 0;
  for (int16_t v : expected.codes) distinct += v > 0 && v < 255;
  EXPECT_GT(distinct, int(expected.codes.size()) / 2);  // codes inside the range, not clamped
}

INSTANTIATE_TEST_SUITE_P(Inputs, ConvLayer, ::testing::Values(0, 4),
                         [](const auto& param_info) { return param_info.param ? "upsampled" : "activations"; });

}  // namespace
}  // namespace qflow::rtl
