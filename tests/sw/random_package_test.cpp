// The random-package generator: valid, deterministic, and with activations in a realistic range.
#include <gtest/gtest.h>

#include "gen/random_package.hpp"
#include "package/flownetq_graph.hpp"
#include "package/network_shapes.hpp"

namespace qflow {
namespace {

TEST(RandomPackage, IsValidAndDeterministicPerSeed) {
  const RandomPackage a = make_random_package({0.125, 64, 128, 6, 5}, 9);
  const RandomPackage b = make_random_package({0.125, 64, 128, 6, 5}, 9);
  const RandomPackage c = make_random_package({0.125, 64, 128, 6, 5}, 10);
  EXPECT_NO_THROW(validate_package(a.package));
  EXPECT_EQ(package_to_json(a.package), package_to_json(b.package));
  EXPECT_EQ(a.package.layers[0].weights, b.package.layers[0].weights);
  EXPECT_NE(a.package.layers[0].weights, c.package.layers[0].weights);
}

TEST(FlowNetQGraph, InputSizesAreHxWInMultiplesOf64) {
  EXPECT_EQ(parse_input_size("--size", "384x512"), (std::pair{384, 512}));
  EXPECT_THROW(parse_input_size("--size", "100x128"), std::invalid_argument);
  EXPECT_THROW(parse_input_size("--size", "128"), std::invalid_argument);
  EXPECT_THROW(parse_input_size("--size", "128x128x3"), std::invalid_argument);
}

class RealisticRange : public ::testing::TestWithParam<std::tuple<double, int, int, int>> {};

// Every activation layer uses its range: not all zero, not mostly saturated; the flow is not flat.
TEST_P(RealisticRange, ActivationsNeitherDieNorSaturate) {
  const auto [width_mult, height, width, bits] = GetParam();
  const RandomPackage made = make_random_package({width_mult, height, width, bits, bits}, 1);
  const std::vector<TensorShape> shapes = infer_shapes(made.package);
  for (size_t i = 0; i < made.codes.size(); ++i) {
    const Layer& layer = made.package.layers[i];
    if (layer.op != LayerOp::Conv) continue;
    const int max_code = (1 << shapes[i].bits) - 1;
    int64_t zeros = 0, saturated = 0;
    for (int16_t v : made.codes[i].codes) {
      zeros += v == 0;
      saturated += v == max_code;
    }
    const double n = double(made.codes[i].codes.size());
    EXPECT_LT(double(zeros) / n, 0.6) << layer.name;
    EXPECT_LT(double(saturated) / n, 0.1) << layer.name;
  }
  const auto& flow = made.codes.back().codes;
  const auto [lo, hi] = std::minmax_element(flow.begin(), flow.end());
  EXPECT_GT(*hi - *lo, 32) << "flow head output is flat";
  EXPECT_GT(*lo, INT16_MIN);
  EXPECT_LT(*hi, INT16_MAX);
}

INSTANTIATE_TEST_SUITE_P(Sizes, RealisticRange,
                         ::testing::Values(std::tuple{0.25, 128, 192, 8}, std::tuple{0.125, 64, 64, 4},
                                           std::tuple{1.0, 384, 512, 8}));

TEST(RandomPackage, RefusesSizesNotDivisibleBy64) {
  EXPECT_THROW(flownetq_skeleton({1.0, 100, 128, 8, 8}), std::invalid_argument);
  EXPECT_THROW(flownetq_skeleton({0.001, 64, 64, 8, 8}), std::invalid_argument);
}

TEST(RandomPackage, FullSizeMatchesDesignTotals) {
  const Package p = flownetq_skeleton({1.0, 384, 512, 8, 8});
  int64_t weights = 0;
  for (const Layer& layer : p.layers) weights += layer.is_conv() ? layer.weight_count() : 0;
  EXPECT_EQ(weights, 32233216);                                // DESIGN: 32.2 M weights
  EXPECT_NEAR(double(network_macs(p)) / 1e9, 20.27, 0.01);  // DESIGN: 20.3 GMAC per 384x512 frame
}

}  // namespace
}  // namespace qflow
