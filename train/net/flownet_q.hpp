// FlowNetQ (DESIGN section 1) with the seed's quantization-aware training, built from the same
// layer graph the package describes, so the export is a walk over the same layers.
#pragma once

#include "flow_network.hpp"
#include "package/package.hpp"

namespace qflow::train {

// One conv layer: bias-free conv, BatchNorm, x0.25 and the activation quantizer (ReLU included by
// its clamp at 0); or the flow head: conv with bias, x div_flow, flow quantized to 1/32 px.
class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(const Layer& layer, double weight_range);
  torch::Tensor forward(const torch::Tensor& x, double div_flow, int flow_frac_bits);
  torch::Tensor quantized_weight() const;

  Layer layer;  // shape and bits (0 bits: float)
  double weight_range;
  torch::Tensor weight, bias;  // bias: the flow head only
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ConvBlock);

class FlowNetQ : public FlowNetwork {
 public:
  // `graph`: a FlowNetQ skeleton (package/flownetq_graph.hpp); layer bits 0 mean float.
  FlowNetQ(Package graph, double weight_range);

  torch::Tensor predict(const torch::Tensor& img1, const torch::Tensor& img2) override;
  // The seed's loss: L1 on the full-resolution flow.
  torch::Tensor loss(const torch::Tensor& img1, const torch::Tensor& img2, const torch::Tensor& flow,
                     const torch::Tensor& valid) override;
  std::string describe() const override;

  // Every layer's output, in package order (activation values, upsampled maps, the head's flow).
  std::vector<torch::Tensor> forward_layers(const torch::Tensor& img1, const torch::Tensor& img2);
  const Package& graph() const { return graph_; }
  ConvBlock block(const std::string& name) const { return blocks_.at(name); }
  bool quantized() const;

 private:
  Package graph_;
  std::map<std::string, ConvBlock> blocks_;
};

// Network input: both images stacked and scaled to [0, 1] (DESIGN: value = p / 255).
torch::Tensor network_input(const torch::Tensor& img1, const torch::Tensor& img2);

}  // namespace qflow::train
