// mac_array through Verilator against the integer contract: exact accumulators for every weight
// width 2..8 and activation width 2..8 and 12, the deepest FlowNetQ accumulation at the extreme
// codes, back-to-back outputs, and random valid gaps and ready stalls.
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "Vmac_array_w3a2.h"
#include "Vmac_array_w3a2_params.hpp"
#include "Vmac_array_w8a12.h"
#include "Vmac_array_w8a12_params.hpp"
#include "mac_array_pins.hpp"
#include "waves.hpp"

namespace qflow::rtl {
namespace {

using WidePins = MacArrayPins<Vmac_array_w8a12, Vmac_array_w8a12_params>;
using NarrowPins = MacArrayPins<Vmac_array_w3a2, Vmac_array_w3a2_params>;

// Random outputs of 1..max_folds beats each, codes uniform in the given widths.
std::vector<MacBeat> random_beats(int pe, int simd, int w_bits, int a_bits, int outputs, int max_folds,
                                  uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> act(0, (1 << a_bits) - 1);
  std::uniform_int_distribution<int> wgt(-(1 << (w_bits - 1)), (1 << (w_bits - 1)) - 1);
  std::uniform_int_distribution<int> folds(1, max_folds);
  std::vector<MacBeat> beats;
  for (int o = 0; o < outputs; ++o) {
    const int n = folds(rng);
    for (int f = 0; f < n; ++f) {
      MacBeat b;
      for (int s = 0; s < simd; ++s) b.act.push_back(act(rng));
      for (int k = 0; k < pe * simd; ++k) b.wgt.push_back(wgt(rng));
      b.last = f + 1 == n;
      beats.push_back(std::move(b));
    }
  }
  return beats;
}

// The contract's accumulators: sum of w * a over each output's beats, in int64.
std::vector<std::vector<int64_t>> expected_accumulators(const std::vector<MacBeat>& beats, int pe, int simd) {
  std::vector<std::vector<int64_t>> out;
  std::vector<int64_t> acc(size_t(pe), 0);
  for (const MacBeat& b : beats) {
    for (int p = 0; p < pe; ++p)
      for (int s = 0; s < simd; ++s) acc[size_t(p)] += int64_t(b.wgt[size_t(p * simd + s)]) * b.act[size_t(s)];
    if (b.last) {
      out.push_back(acc);
      std::fill(acc.begin(), acc.end(), 0);
    }
  }
  return out;
}

template <class Vtop, class Pins>
StreamStats run_stream(Pins& pins, StreamTiming timing, const std::string& vcd = test_waves_path()) {
  StreamHarness<Vtop, Pins> harness("mac", pins, pins.beats().size(), pins.output_count(), timing, vcd);
  harness.simulate();
  return harness.stats();
}

class AllWidths : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(AllWidths, ExactAccumulatorsOnTheWideArray) {
  const auto [w_bits, a_bits] = GetParam();
  WidePins pins(random_beats(WidePins::kPE, WidePins::kSIMD, w_bits, a_bits, 40, 6, uint64_t(w_bits * 100 + a_bits)));
  const StreamStats stats = run_stream<Vmac_array_w8a12>(pins, {0.1, 0.1, 7});
  ASSERT_FALSE(stats.timed_out);
  EXPECT_EQ(pins.outputs, expected_accumulators(pins.beats(), WidePins::kPE, WidePins::kSIMD));
}

INSTANTIATE_TEST_SUITE_P(Bits, AllWidths,
                         ::testing::Combine(::testing::Range(2, 9), ::testing::Values(2, 3, 4, 5, 6, 7, 8, 12)),
                         [](const auto& param_info) {
                           return fmt::format("w{}a{}", std::get<0>(param_info.param), std::get<1>(param_info.param));
                         });

TEST(MacArray, NarrowParametersWorkToo) {
  NarrowPins pins(random_beats(NarrowPins::kPE, NarrowPins::kSIMD, 3, 2, 60, 4, 5));
  const StreamStats stats = run_stream<Vmac_array_w3a2>(pins, {0.2, 0.2, 3});
  ASSERT_FALSE(stats.timed_out);
  EXPECT_EQ(pins.outputs, expected_accumulators(pins.beats(), NarrowPins::kPE, NarrowPins::kSIMD));
}

TEST(MacArray, AccumulatorHoldsTheDeepestLayerAtExtremeCodes) {
  // conv6_1: 3 x 3 x 1024 terms of the most negative 8-bit weight times the largest 12-bit code,
  // and the same with the largest positive weight.
  constexpr int kDepth = 9 * 1024;
  std::vector<MacBeat> beats;
  for (int sign : {-1, 1})
    for (int f = 0; f < kDepth / WidePins::kSIMD; ++f) {
      MacBeat b;
      b.act.assign(WidePins::kSIMD, 4095);
      b.wgt.assign(WidePins::kPE * WidePins::kSIMD, sign < 0 ? -128 : 127);
      b.last = f + 1 == kDepth / WidePins::kSIMD;
      beats.push_back(std::move(b));
    }
  WidePins pins(std::move(beats));
  ASSERT_FALSE(run_stream<Vmac_array_w8a12>(pins, {}).timed_out);
  ASSERT_EQ(pins.outputs.size(), 2u);
  EXPECT_EQ(pins.outputs[0], std::vector<int64_t>(WidePins::kPE, -int64_t(kDepth) * 128 * 4095));
  EXPECT_EQ(pins.outputs[1], std::vector<int64_t>(WidePins::kPE, int64_t(kDepth) * 127 * 4095));
}

TEST(MacArray, BackToBackOutputsWithNoIdleCycle) {
  constexpr int kOutputs = 200;
  WidePins pins(random_beats(WidePins::kPE, WidePins::kSIMD, 8, 8, kOutputs, 1, 9));  // one beat per output
  const StreamStats stats = run_stream<Vmac_array_w8a12>(pins, {});
  EXPECT_EQ(pins.outputs, expected_accumulators(pins.beats(), WidePins::kPE, WidePins::kSIMD));
  // One output per cycle after the four-stage pipeline (operands, products, tree, output) fills.
  EXPECT_EQ(stats.cycles, uint64_t(kOutputs + 4));
}

TEST(MacArray, RandomStallsAndGapsLoseAndDuplicateNothing) {
  WidePins pins(random_beats(WidePins::kPE, WidePins::kSIMD, 8, 12, 300, 3, 11));
  const StreamStats stats = run_stream<Vmac_array_w8a12>(pins, {0.35, 0.5, 13});
  ASSERT_FALSE(stats.timed_out);
  EXPECT_EQ(pins.outputs, expected_accumulators(pins.beats(), WidePins::kPE, WidePins::kSIMD));
}

TEST(MacArray, WavesAreWrittenOnlyWhenAsked) {
  const std::filesystem::path vcd = std::filesystem::temp_directory_path() / "qflow-mac_array-test.vcd";
  std::filesystem::remove(vcd);
  WidePins pins(random_beats(WidePins::kPE, WidePins::kSIMD, 8, 8, 5, 2, 1));
  run_stream<Vmac_array_w8a12>(pins, {}, vcd.string());
  std::ifstream in(vcd);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("in_valid_i"), std::string::npos);
  EXPECT_NE(text.find("out_acc_o"), std::string::npos);
  EXPECT_NE(text.find("acc_q"), std::string::npos);
}

}  // namespace
}  // namespace qflow::rtl
