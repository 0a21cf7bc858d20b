// FlowNetQ's export: BN folding reproduces the float path's codes but for rare ties, evaluation
// leaves the float shadow weights untouched, and the integer path stays exact.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "errors.hpp"
#include "export/integer_export.hpp"
#include "package/flownetq_graph.hpp"
#include "training.hpp"

namespace qflow::train {
namespace {

// A small FlowNetQ after a few steps, so that BN's running statistics are not the identity. With
// learned ranges, each range and step is then moved well off its start, so that an export that
// ignored them would not match.
std::shared_ptr<FlowNetQ> trained_net(int bits, bool learned_ranges = false) {
  torch::manual_seed(3);
  auto net = std::make_shared<FlowNetQ>(flownetq_skeleton({1.0 / 16, 64, 64, bits, bits}), 0.125, learned_ranges);
  SyntheticOptions o;
  o.height = o.width = 64;
  const auto data = make_synthetic_dataset(o);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  for (int step = 0; step < 5; ++step) {
    std::vector<FlowSample> batch;
    for (int i = 0; i < 4; ++i) batch.push_back(data->get(size_t(step * 4 + i)));
    const FlowSample b = collate(batch);
    adam.zero_grad();
    net->loss(b.img1, b.img2, b.flow, b.valid).backward();
    adam.step();
  }
  if (learned_ranges) {
    torch::NoGradGuard no_grad;
    double factor = 0.7;
    for (auto& p : net->named_parameters())
      if (is_learned_quantizer_range(p.key())) p.value().mul_(factor += 0.1);
  }
  return net;
}

// (bits, learned ranges)
class Folding : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(Folding, IntegerPathMatchesFakeQuantButForTies) {
  auto net = trained_net(std::get<0>(GetParam()), std::get<1>(GetParam()));
  const Package p = fold_package(*net);
  SyntheticOptions o;
  o.height = o.width = 64;
  o.validation = true;
  const FlowSample s = collate({make_synthetic_dataset(o)->get(0), make_synthetic_dataset(o)->get(1)});
  const std::vector<torch::Tensor> ints = integer_forward(p, s.img1, s.img2);
  const std::vector<torch::Tensor> floats = fake_quant_codes(*net, s.img1, s.img2);
  for (size_t l = 0; l < ints.size(); ++l) {
    const double differ = (ints[l] != floats[l]).to(torch::kFloat64).mean().item<double>();
    EXPECT_LT(differ, 0.01) << p.layers[l].name;  // rounding of M and ties only, and what they carry
    EXPECT_LE((ints[l] - floats[l]).abs().max().item<int64_t>(), 16 * 2) << p.layers[l].name;
  }
}

INSTANTIATE_TEST_SUITE_P(Bits, Folding, ::testing::Combine(::testing::Values(8, 4), ::testing::Bool()));

// One learned step per group of layers a concat joins (the contract's one scale per concat), one
// learned range per quantized conv; a float checkpoint initializes such a net, its ranges at the start.
TEST(LearnedRanges, OneStepPerConcatGroupAndTheyInitFromFloat) {
  auto net = trained_net(4, true);
  int ranges = 0, steps = 0;
  for (auto& p : net->named_parameters())
    if (is_learned_quantizer_range(p.key())) (p.key().rfind("step_", 0) == 0 ? steps : ranges)++;
  int convs = 0;
  for (const Layer& l : net->graph().layers) convs += l.is_conv();
  EXPECT_EQ(ranges, convs);
  EXPECT_DOUBLE_EQ(net->activation_step("conv5_1"), net->activation_step("deconv5"));  // cat5
  EXPECT_DOUBLE_EQ(net->activation_step("conv2"), net->activation_step("deconv2"));    // cat2
  EXPECT_DOUBLE_EQ(net->activation_step("up5"), net->activation_step("cat5"));
  EXPECT_NE(net->activation_step("conv1"), net->activation_step("conv2"));
  // 7 groups: conv1, conv3, conv4, conv5, conv6 (into deconv5 via up6 alone), and the concat chains.
  EXPECT_GT(steps, 4);
  EXPECT_LT(steps, convs - 1);

  FlowNetQ float_net(flownetq_skeleton({1.0 / 16, 64, 64, 0, 0}), 0.125);
  FlowNetQ fresh(flownetq_skeleton({1.0 / 16, 64, 64, 4, 4}), 0.125, true);
  copy_weights(float_net, fresh, "float");
  EXPECT_DOUBLE_EQ(fresh.activation_step("conv1"), 0.25);
  EXPECT_DOUBLE_EQ(fresh.block("conv1")->range(), 0.125);
}

TEST(Evaluation, LeavesTheFloatShadowWeightsUntouched) {
  auto net = trained_net(4);
  std::vector<torch::Tensor> before;
  for (const torch::Tensor& p : net->parameters()) before.push_back(p.detach().clone());
  for (const torch::Tensor& b : net->buffers()) before.push_back(b.detach().clone());
  SyntheticOptions o;
  o.height = o.width = 64;
  evaluate(*net, *make_synthetic_dataset(o), 8, 4, torch::kCPU);
  size_t i = 0;
  for (const torch::Tensor& p : net->parameters()) EXPECT_TRUE(torch::equal(p, before[i++]));
  for (const torch::Tensor& b : net->buffers()) EXPECT_TRUE(torch::equal(b, before[i++]));
  EXPECT_TRUE(net->is_training());  // and the mode is restored
}

TEST(Export, RefusesAFloatNetwork) {
  FlowNetQ net(flownetq_skeleton({1.0 / 16, 64, 64, 0, 0}), 0.125);
  EXPECT_THROW(fold_package(net), std::runtime_error);
}

TEST(LayerBits, PerLayerWidthsChainIntoAValidPackage) {
  NetworkConfig c{"flownetq", 1.0 / 16, 64, 64, 6, 6, 0.125, parse_layer_bits("conv1=8:8,conv2=4:6,conv3=5:7,predict_flow2=3:0")};
  auto net = std::dynamic_pointer_cast<FlowNetQ>(make_network(c));
  const Package p = fold_package(*net);  // validates: every conv reads what its producer writes
  EXPECT_EQ(p.layer("conv1").out_bits, 8);
  EXPECT_EQ(p.layer("conv2").in_bits, 8);
  EXPECT_EQ(p.layer("conv2").w_bits, 4);
  EXPECT_EQ(p.layer("conv3_1").in_bits, 7);
  EXPECT_EQ(p.layer("predict_flow2").w_bits, 3);
  EXPECT_EQ(p.layer("deconv5").in_bits, 6);
  EXPECT_THROW(parse_layer_bits("conv1=8"), std::runtime_error);
  c.layer_bits = {{"up6", {4, 4}}};
  EXPECT_THROW(make_network(c), std::runtime_error);
  // conv2 feeds cat2 next to deconv2: different widths cannot share the concat's one scale.
  c.layer_bits = {{"conv2", {6, 5}}};
  auto mixed = std::dynamic_pointer_cast<FlowNetQ>(make_network(c));
  EXPECT_THROW(fold_package(*mixed), PackageError);
}

TEST(FlowNetS, ForwardAndMultiScaleLossRun) {
  auto net = make_network({"flownets", 1.0 / 16, 64, 64, 0, 0, 0.125});
  SyntheticOptions o;
  o.height = o.width = 64;
  const FlowSample s = collate({make_synthetic_dataset(o)->get(0)});
  EXPECT_EQ(net->predict(s.img1, s.img2).sizes(), s.flow.sizes());
  const torch::Tensor loss = net->loss(s.img1, s.img2, s.flow, s.valid);
  loss.backward();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
}

}  // namespace
}  // namespace qflow::train
