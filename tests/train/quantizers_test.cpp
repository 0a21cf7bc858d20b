// The seed's quantizers: values on the contract's grid and straight-through gradients.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "net/quantizers.hpp"

namespace qflow::train {
namespace {

TEST(Quantizers, ActivationCodesFollowTheContract) {
  // a = clamp(floor(0.25 z 2^b + 0.5), 0, 2^b - 1), value = a * 4 / 2^b; b = 3: step 0.5.
  const torch::Tensor z = torch::tensor({-1.0, 0.0, 0.24, 0.25, 0.74, 1.0, 3.4, 3.5, 9.0});
  const torch::Tensor q = quantize_activation(z, 3);
  const std::vector<double> expected = {0, 0, 0, 0.5, 0.5, 1.0, 3.5, 3.5, 3.5};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(q[int64_t(i)].item<double>(), expected[i]) << i;
  EXPECT_TRUE(torch::equal(torch::round(q / 0.5).to(torch::kInt64), torch::tensor({0, 0, 0, 1, 1, 2, 7, 7, 7}, torch::kInt64)));
}

TEST(Quantizers, ActivationGradientIsClippedStraightThrough) {
  const torch::Tensor z = torch::tensor({-0.5, 0.3, 2.0, 3.9, 5.0}, torch::requires_grad());
  quantize_activation(z, 4).sum().backward();
  // max value = 4 * 15 / 16 = 3.75: inside (0, 3.75) the gradient is 1, outside 0.
  EXPECT_TRUE(torch::equal(z.grad(), torch::tensor({0.0, 1.0, 1.0, 0.0, 0.0})));
}

TEST(Quantizers, WeightCodesAndIdentityGradient) {
  // r = 1/8, b = 4: step 1/64, codes -8..7.
  const torch::Tensor w = torch::tensor({-1.0, -0.125, -0.0078, 0.0079, 0.05, 0.2}, torch::requires_grad());
  EXPECT_TRUE(torch::equal(weight_codes(w.detach(), 4, 0.125), torch::tensor({-8.0, -8.0, 0.0, 1.0, 3.0, 7.0})));
  const torch::Tensor q = quantize_weight(w, 4, 0.125);
  EXPECT_NEAR(q[4].item<double>(), 3.0 / 64, 1e-7);
  (q * torch::arange(6)).sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), torch::arange(6).to(torch::kFloat32)));  // the float weights learn
}

// Learned ranges start where the fixed quantizers are (the same codes), and their ranges learn:
// values clipped at the top pull the step up, LSQ's gradient scaled by 1/sqrt(N x top code).
TEST(Quantizers, LearnedRangesStartAtTheFixedCodesAndLearn) {
  const torch::Tensor z = torch::tensor({-1.0, 0.0, 0.24, 0.25, 0.74, 1.0, 3.4, 3.5, 9.0});
  const torch::Tensor step = torch::full({}, 0.5, torch::requires_grad());
  const torch::Tensor q = quantize_activation_learned(z, 3, step);
  EXPECT_TRUE(torch::equal(q.detach(), quantize_activation(z, 3)));
  q.sum().backward();
  // d/ds of round(clamp(z/s)) s, straight through: round(v) - v inside (0.48, 0.5, 1.48, 2, 6.8,
  // and 7 at the edge), the top code 7 where clipped (9.0), 0 below zero.
  const double inside = (0 - 0.48) + (1 - 0.5) + (1 - 1.48) + (2 - 2.0) + (7 - 6.8) + (7 - 7.0);
  EXPECT_NEAR(step.grad().item<double>(), (7 + inside) / std::sqrt(9.0 * 7), 1e-5);

  const torch::Tensor w = torch::tensor({-1.0, -0.125, -0.0078, 0.0079, 0.05, 0.2});
  const torch::Tensor range = torch::full({}, 0.125, torch::requires_grad());
  const torch::Tensor qw = quantize_weight_learned(w, 4, range);
  EXPECT_TRUE(torch::allclose(qw.detach(), quantize_weight(w, 4, 0.125)));
  qw.sum().backward();
  EXPECT_TRUE(range.grad().defined() && range.grad().item<double>() != 0.0);
}

TEST(Quantizers, ZeroBitsIsFloat) {
  const torch::Tensor z = torch::tensor({-1.0, 0.123456, 7.0});
  EXPECT_TRUE(torch::equal(quantize_activation(z, 0), torch::relu(z)));
  EXPECT_TRUE(torch::equal(quantize_weight(z, 0, 0.125), z));
}

TEST(Quantizers, FlowInThirtySecondsOfAPixel) {
  const torch::Tensor f = torch::tensor({0.0, 0.015, 0.016, -0.015625, 5000.0});
  const torch::Tensor q = quantize_flow(f, 5);
  EXPECT_DOUBLE_EQ(q[1].item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(q[2].item<double>(), 1.0 / 32);
  EXPECT_DOUBLE_EQ(q[3].item<double>(), 0.0);  // -0.5 code rounds up (floor(x + 0.5))
  EXPECT_DOUBLE_EQ(q[4].item<double>(), 32767.0 / 32);
}

}  // namespace
}  // namespace qflow::train
