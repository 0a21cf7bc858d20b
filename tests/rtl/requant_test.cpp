// requant through Verilator against the contract's requantize(): activations at 8 and 3 bits and
// the flow head's int16 saturation, on random values, rounding ties and the clamps; the variant
// whose shift is a constant of the layer ignores the shift pin.
#include <random>

#include <gtest/gtest.h>

#include "Vrequant_a3_sc.h"
#include "Vrequant_a3_sc_params.hpp"
#include "Vrequant_a8_sc.h"
#include "Vrequant_a8_sc_params.hpp"
#include "Vrequant_a8_fixed_shift.h"
#include "Vrequant_a8_fixed_shift_params.hpp"
#include "Vrequant_flow_sc.h"
#include "Vrequant_flow_sc_params.hpp"
#include "ref/integer_ops.hpp"
#include "requant_pins.hpp"
#include "waves.hpp"

namespace qflow::rtl {
namespace {

std::vector<RequantBeat> random_requant_beats(int acc_bits, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t acc_max = (int64_t(1) << (acc_bits - 1)) - 1;
  std::uniform_int_distribution<int64_t> acc(-acc_max, acc_max), mult(-(1 << 23) + 1, (1 << 23) - 1);
  std::uniform_int_distribution<int> shift(1, 47);
  std::vector<RequantBeat> beats;
  for (int i = 0; i < 3000; ++i) {
    const int s = shift(rng);
    // Small accumulators too, so that codes land inside the range and not only on the clamps.
    const int64_t a = i % 2 ? acc(rng) : acc(rng) >> 20;
    const int64_t bound = int64_t(1) << std::min(46, s + 8);
    beats.push_back({a, mult(rng), std::uniform_int_distribution<int64_t>(-bound, bound)(rng), s});
  }
  // Ties: acc * 1/2 exactly between two codes, and the clamps' edges.
  for (int64_t a = -9; a <= 9; ++a) beats.push_back({a, 8, 8, 4});
  beats.push_back({acc_max, (1 << 23) - 1, 0, 0});
  beats.push_back({-acc_max, (1 << 23) - 1, 0, 0});
  return beats;
}

// fixed_shift >= 0: the unit was built with that FixedShift and must ignore its shift pin.
template <class Vtop, class Params>
void expect_matches_contract(uint64_t seed, int fixed_shift = -1) {
  using Pins = RequantPins<Vtop>;
  Pins pins;
  pins.beats = random_requant_beats(Pins::kAccBits, seed);
  StreamHarness<Vtop, Pins> harness("requant", pins, pins.beats.size(), pins.beats.size(), {0.2, 0.3, seed},
                                    test_waves_path());
  harness.simulate();
  ASSERT_FALSE(harness.stats().timed_out);
  ASSERT_EQ(pins.codes.size(), pins.beats.size());
  int inside = 0;
  for (size_t i = 0; i < pins.beats.size(); ++i) {
    const RequantBeat& b = pins.beats[i];
    const int expected =
        requantize(b.acc, b.mult, b.bias, fixed_shift >= 0 ? fixed_shift : b.shift, Params::kOutBits, Params::kFlowHead != 0);
    ASSERT_EQ(pins.codes[i], expected) << "acc " << b.acc << " mult " << b.mult << " bias " << b.bias << " shift "
                                       << b.shift;
    inside += expected > 0 && expected < (1 << Params::kOutBits) - 1;
  }
  EXPECT_GT(inside, int(pins.beats.size()) / 100);  // the arithmetic is exercised, not only the clamps
}

TEST(Requant, EightBitActivations) { expect_matches_contract<Vrequant_a8_sc, Vrequant_a8_sc_params>(1); }
TEST(Requant, ThreeBitActivations) { expect_matches_contract<Vrequant_a3_sc, Vrequant_a3_sc_params>(2); }
TEST(Requant, FixedShiftIgnoresTheShiftPin) {
  expect_matches_contract<Vrequant_a8_fixed_shift, Vrequant_a8_fixed_shift_params>(4, Vrequant_a8_fixed_shift_params::kFixedShift);
}
TEST(Requant, FlowHeadSaturatesToInt16) { expect_matches_contract<Vrequant_flow_sc, Vrequant_flow_sc_params>(3); }

}  // namespace
}  // namespace qflow::rtl
