// A whole small conv layer through the Verilated mac_array and requant equals the naive reference.
#include <random>

#include <gtest/gtest.h>

#include "Vmac_array_w8a12.h"
#include "Vmac_array_w8a12_params.hpp"
#include "Vrequant_a8_sc.h"
#include "conv_folding.hpp"
#include "small_conv.hpp"
#include "mac_array_pins.hpp"
#include "requant_pins.hpp"
#include "waves.hpp"
#include "ref/naive_ops.hpp"

namespace qflow::rtl {
namespace {

using ArrayPins = MacArrayPins<Vmac_array_w8a12, Vmac_array_w8a12_params>;

class ConvLayer : public ::testing::TestWithParam<int> {};

TEST_P(ConvLayer, ThroughTheRtlEqualsTheReference) {
  const int in_frac = GetParam();
  std::mt19937_64 rng(4);
  const Layer layer = small_conv(in_frac, rng);
  const CodeMap in = small_conv_input(layer, 9, 11, rng);
  const TensorShape out_shape{layer.cout, 5, 6, 8, 0, false};
  const ConvFolding folding{ArrayPins::kPE, ArrayPins::kSIMD};

  ArrayPins array_pins(fold_conv(layer, in, out_shape.height, out_shape.width, folding));
  StreamHarness<Vmac_array_w8a12, ArrayPins> array("array", array_pins, array_pins.beats().size(),
                                                   array_pins.output_count(), {0.1, 0.1, 1}, test_waves_path());
  array.set_stops_simulation(false);
  RequantPins<Vrequant_a8_sc> requant_pins;
  StreamHarness<Vrequant_a8_sc, RequantPins<Vrequant_a8_sc>> requant("requant", requant_pins, 0, 0, {0.1, 0.1, 2});
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
