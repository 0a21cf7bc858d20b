// The contract's scalar rules against independent evaluations: requant against the float formula
// (ties included), bilinear x2 against PyTorch's rule worked by hand.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "ref/integer_ops.hpp"
#include "ref/naive_ops.hpp"
#include "ref/reference.hpp"

namespace qflow {
namespace {

// a = clamp(floor(acc * m + o + 0.5), 0, 2^b - 1) with m = M / 2^S and o = (B - 2^(S-1)) / 2^S,
// evaluated in long double (exact for these magnitudes: every value is a dyadic rational with
// fewer than 64 significant bits).
int64_t float_formula(int64_t acc, int64_t mult, int64_t bias, int shift, int out_bits) {
  const long double scale = std::ldexp(1.0L, -shift);
  const long double m = (long double)mult * scale;
  const long double o = (long double)(bias - (int64_t(1) << (shift - 1))) * scale;
  const long double a = std::floor((long double)acc * m + o + 0.5L);
  return std::clamp<int64_t>(int64_t(a), 0, (int64_t(1) << out_bits) - 1);
}

TEST(Requantize, MatchesTheFloatFormulaOnRandomValues) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> acc(-(int64_t(1) << 31), int64_t(1) << 31);
  std::uniform_int_distribution<int64_t> mult(-(1 << 23) + 1, (1 << 23) - 1);
  std::uniform_int_distribution<int> shift(1, 40), bits(2, 8);
  for (int i = 0; i < 200000; ++i) {
    const int s = shift(rng), b = bits(rng);
    const int64_t a = acc(rng), m = mult(rng);
    const int64_t bias = std::uniform_int_distribution<int64_t>(-(int64_t(1) << (s + 8)), int64_t(1) << (s + 8))(rng);
    ASSERT_EQ(requantize(a, m, bias, s, b, false), float_formula(a, m, bias, s, b))
        << "acc " << a << " mult " << m << " bias " << bias << " shift " << s;
  }
}

TEST(Requantize, RoundsHalfUpAtTies) {
  // acc * m + o = k + 0.5 exactly: m = 1/2, o = 0, odd acc.
  const int shift = 4;
  const int64_t mult = 8, bias = int64_t(1) << (shift - 1);
  for (int64_t acc = 1; acc < 40; acc += 2) {
    EXPECT_EQ(requantize(acc, mult, bias, shift, 8, false), float_formula(acc, mult, bias, shift, 8));
    EXPECT_EQ(requantize(acc, mult, bias, shift, 8, false), (acc + 1) / 2);  // 0.5 -> 1, 1.5 -> 2, ...
  }
  // Negative ties round towards +inf as well (floor(x + 0.5)), then clamp at 0 for activations;
  // the flow head keeps the sign: -2.5 -> -2.
  EXPECT_EQ(requantize(-5, mult, bias, shift, 8, true), -2);
  EXPECT_EQ(requantize(-5, mult, bias, shift, 8, false), 0);
}

TEST(Requantize, ClampsActivationsAndSaturatesTheFlowHead) {
  EXPECT_EQ(requantize(1000, 1, 0, 0, 4, false), 15);
  EXPECT_EQ(requantize(-1000, 1, 0, 0, 4, false), 0);
  EXPECT_EQ(requantize(int64_t(1) << 40, 1, 0, 0, 16, true), 32767);
  EXPECT_EQ(requantize(-(int64_t(1) << 40), 1, 0, 0, 16, true), -32768);
}

CodeMap map_of(int c, int h, int w, std::vector<int16_t> codes) { return {c, h, w, std::move(codes)}; }

// PyTorch, align_corners=False, scale 2: out o samples src = max((o + 0.5) / 2 - 0.5, 0), between
// floor(src) and the next index clamped to n - 1. For n = 2 rows: o = 0 -> row 0; o = 1 -> 3/4
// row 0 + 1/4 row 1; o = 2 -> 1/4 row 0 + 3/4 row 1; o = 3 -> row 1. In 1/16 units, per axis x4.
TEST(Upsample2x, TwoByTwoByHand) {
  const CodeMap in = map_of(1, 2, 2, {1, 2, 3, 4});  // [[a, b], [c, d]]
  // Row weights (in quarters) per output row: {4,0}, {3,1}, {1,3}, {0,4}; same for columns.
  const int wy[4][2] = {{4, 0}, {3, 1}, {1, 3}, {0, 4}};
  std::vector<int16_t> expected;
  for (int oy = 0; oy < 4; ++oy)
    for (int ox = 0; ox < 4; ++ox) {
      int v = 0;
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) v += wy[oy][i] * wy[ox][j] * in.codes[size_t(i) * 2 + j];
      expected.push_back(int16_t(v));
    }
  // Spot values: corner = 16a; (1,1) = 9a + 3b + 3c + d.
  EXPECT_EQ(expected[0], 16);
  EXPECT_EQ(expected[5], 9 * 1 + 3 * 2 + 3 * 3 + 4);
  EXPECT_EQ(naive_upsample2x(in).codes, expected);
  Layer up;
  up.op = LayerOp::Upsample2x;
  EXPECT_EQ(run_layer_fast(up, {&in}).codes, expected);
}

TEST(Upsample2x, ThreeWideRowWithBordersByHand) {
  // One row [10, 20, 40]: out x = 0..5 -> 10, (3*10+20)/4, (10+3*20)/4, (3*20+40)/4, (20+3*40)/4, 40.
  // In 1/16 units (x4 for the single row, whose vertical weights sum to 4): quarters x 4.
  const CodeMap in = map_of(1, 1, 3, {10, 20, 40});
  const std::vector<int16_t> quarters = {40, 50, 70, 100, 140, 160};
  std::vector<int16_t> row;
  for (int16_t q : quarters) row.push_back(int16_t(4 * q));
  std::vector<int16_t> expected = row;
  expected.insert(expected.end(), row.begin(), row.end());  // two identical output rows
  EXPECT_EQ(naive_upsample2x(in).codes, expected);
  Layer up;
  up.op = LayerOp::Upsample2x;
  EXPECT_EQ(run_layer_fast(up, {&in}).codes, expected);
}

TEST(Concat, StacksChannelsInInputOrder) {
  const CodeMap a = map_of(1, 1, 2, {1, 2}), b = map_of(2, 1, 2, {3, 4, 5, 6});
  const std::vector<int16_t> expected = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(naive_concat({&a, &b}).codes, expected);
  Layer cat;
  cat.op = LayerOp::Concat;
  EXPECT_EQ(run_layer_fast(cat, {&a, &b}).codes, expected);
}

}  // namespace
}  // namespace qflow
