// The plain C++ loop (rtl/cosim/clocked_model.hpp) that co-simulation now runs against the SystemC
// harness it replaced (rtl/cosim/stream_harness.hpp), on the same RTL at the same parameters: the
// same outputs in the same cycles, with random valid gaps and ready stalls, for a conv layer's
// folded stream through the array and its accumulators through the requant unit.
#include <random>

#include <gtest/gtest.h>

#include "Vmac_array_4x8_params.hpp"
#include "Vmac_array_w8a12.h"
#include "Vmac_array_w8a12_params.hpp"
#include "Vrequant_a8_sc.h"
#include "clocked_loops.hpp"
#include "conv_folding.hpp"
#include "mac_array_pins.hpp"
#include "requant_pins.hpp"
#include "small_conv.hpp"

namespace qflow::rtl {
namespace {

// The SystemC array and the C++ one are the same RTL at the same parameters.
static_assert(Vmac_array_w8a12_params::kPE == Vmac_array_4x8_params::kPE &&
              Vmac_array_w8a12_params::kSIMD == Vmac_array_4x8_params::kSIMD &&
              Vmac_array_w8a12_params::kWBits == Vmac_array_4x8_params::kWBits &&
              Vmac_array_w8a12_params::kABits == Vmac_array_4x8_params::kABits &&
              Vmac_array_w8a12_params::kMaxDepth == Vmac_array_4x8_params::kMaxDepth);
using ArrayPins = MacArrayPins<Vmac_array_w8a12, Vmac_array_w8a12_params>;

// The small conv layer folded for the array, as the PEs fold theirs: every beat, weights included.
std::vector<MacBeat> layer_beats(const Layer& layer, uint64_t seed, const ConvFolding& f) {
  std::mt19937_64 rng(seed);
  return fold_conv(layer, small_conv_input(layer, 9, 11, rng), 5, 6, f);
}

TEST(ClockedLoop, ArrayMatchesTheSystemCHarnessCycleForCycle) {
  const ConvFolding f{ArrayPins::kPE, ArrayPins::kSIMD};
  std::mt19937_64 rng(11);
  const std::vector<MacBeat> beats = layer_beats(small_conv(0, rng), 11, f);
  const StreamTiming timing{0.2, 0.3, 5};
  ArrayPins pins(beats);
  StreamHarness<Vmac_array_w8a12, ArrayPins> harness("mac", pins, beats.size(), pins.output_count(), timing);
  harness.simulate();
  ASSERT_FALSE(harness.stats().timed_out);

  std::vector<std::vector<int64_t>> outputs;
  const StreamStats loop = array_loop(beats, timing, outputs);
  ASSERT_FALSE(loop.timed_out);
  EXPECT_EQ(loop.cycles, harness.stats().cycles);
  EXPECT_EQ(outputs, pins.outputs);
  EXPECT_GT(loop.cycles, beats.size() + 4) << "the gaps and stalls must have cost cycles";
}

TEST(ClockedLoop, ArrayWithoutGapsTakesABeatACyclePlusItsPipeline) {
  const ConvFolding f{4, 8};
  std::mt19937_64 rng(12);
  const std::vector<MacBeat> beats = layer_beats(small_conv(4, rng), 12, f);
  std::vector<std::vector<int64_t>> outputs;
  const StreamStats loop = array_loop(beats, {}, outputs);
  // Four stages; the last output's handshake is sampled in the cycle after its register loads.
  EXPECT_EQ(loop.cycles, beats.size() + 4);
}

TEST(ClockedLoop, RequantMatchesTheSystemCHarnessCycleForCycle) {
  // The accumulators of a conv layer through the array's contract, then its requant integers.
  std::mt19937_64 rng(13);
  const Layer layer = small_conv(0, rng);
  const ConvFolding f{4, 8};
  const std::vector<MacBeat> beats = layer_beats(layer, 13, f);
  std::vector<std::vector<int64_t>> accumulators;
  std::vector<int64_t> acc(size_t(f.pe), 0);
  for (const MacBeat& b : beats) {
    for (int p = 0; p < f.pe; ++p)
      for (int s = 0; s < f.simd; ++s) acc[size_t(p)] += int64_t(b.wgt[size_t(p * f.simd + s)]) * b.act[size_t(s)];
    if (b.last) accumulators.push_back(acc), std::fill(acc.begin(), acc.end(), 0);
  }
  const std::vector<RequantBeat> requant = requant_beats(layer, accumulators, f);
  const StreamTiming timing{0.25, 0.25, 9};

  RequantPins<Vrequant_a8_sc> pins;
  pins.beats = requant;
  StreamHarness<Vrequant_a8_sc, RequantPins<Vrequant_a8_sc>> harness("requant", pins, requant.size(), requant.size(),
                                                                     timing);
  harness.simulate();
  ASSERT_FALSE(harness.stats().timed_out);

  std::vector<int> codes;
  const StreamStats loop = requant_loop(requant, timing, codes);
  ASSERT_FALSE(loop.timed_out);
  EXPECT_EQ(loop.cycles, harness.stats().cycles);
  EXPECT_EQ(codes, pins.codes);
}

}  // namespace
}  // namespace qflow::rtl
