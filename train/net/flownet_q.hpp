// FlowNetQ (DESIGN section 1) with the seed's quantization-aware training, built from the same
// layer graph the package describes, so the export is a walk over the same layers.
#pragma once

#include "flow_network.hpp"
#include "package/package.hpp"

namespace qflow::train {

// One conv layer: bias-free conv, BatchNorm, x0.25 and the activation quantizer (ReLU included by
// its clamp at 0); or the flow head: conv with bias, x div_flow, flow quantized to 1/32 px.
// With learned ranges the weight range is a parameter of the block, and the activation step one
// of the network's (shared by the layers a concat joins), passed in.
class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(const Layer& layer, double weight_range, bool learned_range);
  // `out_step`: the learned activation step of this layer's output, undefined for the fixed one.
  torch::Tensor forward(const torch::Tensor& x, double div_flow, int flow_frac_bits, const torch::Tensor& out_step = {});
  torch::Tensor quantized_weight() const;
  // The range its weight codes are taken in: the learned one, or the package's.
  double range() const;

  Layer layer;  // shape and bits (0 bits: float)
  double weight_range;
  torch::Tensor weight, bias;  // bias: the flow head only
  torch::Tensor learned_range;  // a scalar parameter with learned ranges, else undefined
  torch::nn::BatchNorm2d bn{nullptr};
  RankSum rank_sum;  // set in a data-parallel run: batch statistics over every rank's batch
};
TORCH_MODULE(ConvBlock);

class FlowNetQ : public FlowNetwork {
 public:
  // `graph`: a FlowNetQ skeleton (package/flownetq_graph.hpp); layer bits 0 mean float.
  // `learned_ranges`: LSQ-style trained weight ranges and activation steps (quantized layers only).
  FlowNetQ(Package graph, double weight_range, bool learned_ranges = false);

  torch::Tensor predict(const torch::Tensor& img1, const torch::Tensor& img2) override;
  // The seed's loss: L1 on the full-resolution flow.
  torch::Tensor loss(const torch::Tensor& img1, const torch::Tensor& img2, const torch::Tensor& flow,
                     const torch::Tensor& valid) override;
  std::string describe() const override;
  void synchronize_batch_norm(RankSum rank_sum) override;

  // Every layer's output, in package order (activation values, upsampled maps, the head's flow).
  std::vector<torch::Tensor> forward_layers(const torch::Tensor& img1, const torch::Tensor& img2);
  const Package& graph() const { return graph_; }
  ConvBlock block(const std::string& name) const { return blocks_.at(name); }
  bool quantized() const;
  // The value of one activation code of a layer's output (an upsample's and a concat's: their
  // inputs'): 4 / 2^bits, or the learned step of its concat group.
  double activation_step(const std::string& layer_name) const;

 private:
  torch::Tensor step_tensor(const std::string& layer_name) const;  // undefined without learned steps

  Package graph_;
  std::map<std::string, ConvBlock> blocks_;
  // Learned activation steps: one parameter per scale group (package/network_shapes.hpp), keyed
  // by the group's first conv, and each layer's group.
  std::map<std::string, torch::Tensor> steps_;
  std::map<std::string, std::string> step_group_;
};

// A learned weight range or activation step, by its parameter name (a float run has none).
bool is_learned_quantizer_range(const std::string& parameter_name);

// Network input: both images stacked and scaled to [0, 1] (DESIGN: value = p / 255).
torch::Tensor network_input(const torch::Tensor& img1, const torch::Tensor& img2);

}  // namespace qflow::train
