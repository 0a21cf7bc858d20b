#include "flownet_q.hpp"

#include <fmt/format.h>

#include "package/network_shapes.hpp"
#include "quantizers.hpp"

namespace qflow::train {

namespace {
// Parameter names of the learned ranges (checkpoints hold them by name).
constexpr const char* kRangeName = "learned_range";
constexpr const char* kStepPrefix = "step_";
}  // namespace

torch::Tensor masked_epe(const torch::Tensor& estimate, const torch::Tensor& flow, const torch::Tensor& valid) {
  const torch::Tensor epe = (estimate - flow).pow(2).sum(1, /*keepdim=*/true).sqrt();
  return (epe * valid).sum() / valid.sum().clamp_min(1);
}

torch::Tensor masked_l1(const torch::Tensor& estimate, const torch::Tensor& flow, const torch::Tensor& valid) {
  return ((estimate - flow).abs() * valid).sum() / (2 * valid.sum()).clamp_min(1);
}

torch::Tensor upsample_bilinear(const torch::Tensor& x, double factor) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{factor, factor})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

torch::Tensor network_input(const torch::Tensor& img1, const torch::Tensor& img2) {
  return torch::cat({img1, img2}, 1) / 255.0;
}

ConvBlockImpl::ConvBlockImpl(const Layer& l, double range, bool learned) : layer(l), weight_range(range) {
  weight = register_parameter("weight", torch::empty({l.cout, l.cin, l.kernel, l.kernel}));
  // Starts at the fixed range: a learned-range run fine-tuned from float starts where the fixed one does.
  if (learned && l.w_bits) learned_range = register_parameter(kRangeName, torch::full({}, range));
  torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanIn, torch::kReLU);
  if (l.op == LayerOp::FlowHead) {
    weight.data().mul_(0.1);  // start near zero flow
    bias = register_parameter("bias", torch::zeros({l.cout}));
  } else {
    bn = register_module("bn", torch::nn::BatchNorm2d(l.cout));
  }
}

torch::Tensor ConvBlockImpl::quantized_weight() const {
  if (learned_range.defined()) return quantize_weight_learned(weight, layer.w_bits, learned_range);
  return quantize_weight(weight, layer.w_bits, weight_range);
}

double ConvBlockImpl::range() const {
  return learned_range.defined() ? learned_range.detach().clamp_min(1e-6).item<double>() : weight_range;
}

torch::Tensor ConvBlockImpl::forward(const torch::Tensor& x, double div_flow, int flow_frac_bits,
                                     const torch::Tensor& out_step) {
  namespace F = torch::nn::functional;
  const torch::Tensor y =
      F::conv2d(x, quantized_weight(), F::Conv2dFuncOptions().stride(layer.stride).padding(layer.pad));
  if (layer.op == LayerOp::FlowHead) {
    const torch::Tensor flow = div_flow * (y + bias.view({1, -1, 1, 1}));
    return layer.w_bits ? quantize_flow(flow, flow_frac_bits) : flow;
  }
  const torch::Tensor normalized = rank_sum && is_training() ? synced_batch_norm(y, *bn, rank_sum) : bn->forward(y);
  if (out_step.defined()) return quantize_activation_learned(normalized, layer.out_bits, out_step);
  return quantize_activation(normalized, layer.out_bits);
}

bool is_learned_quantizer_range(const std::string& name) {
  const std::string suffix = std::string(".") + kRangeName;
  return name.rfind(kStepPrefix, 0) == 0 ||
         (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0);
}

FlowNetQ::FlowNetQ(Package graph, double weight_range, bool learned_ranges) : graph_(std::move(graph)) {
  graph_.weight_range = weight_range;
  for (const Layer& layer : graph_.layers)
    if (layer.is_conv())
      blocks_.emplace(layer.name, register_module(layer.name, ConvBlock(layer, weight_range, learned_ranges)));
  if (!learned_ranges || !quantized()) return;
  // One learned step per group of layers whose codes share a scale, registered at its first conv.
  step_group_ = scale_groups(graph_);
  for (const Layer& layer : graph_.layers)
    if (step_group_.count(layer.name) && step_group_.at(layer.name) == layer.name)
      steps_[layer.name] = register_parameter(kStepPrefix + layer.name, torch::full({}, 4.0 / std::ldexp(1.0, layer.out_bits)));
}

void FlowNetQ::synchronize_batch_norm(RankSum rank_sum) {
  for (auto& [name, block] : blocks_) block->rank_sum = rank_sum;
}

torch::Tensor FlowNetQ::step_tensor(const std::string& layer_name) const {
  const auto group = step_group_.find(layer_name);
  return group == step_group_.end() ? torch::Tensor() : steps_.at(group->second);
}

double FlowNetQ::activation_step(const std::string& layer_name) const {
  if (const torch::Tensor step = step_tensor(layer_name); step.defined())
    return step.detach().clamp_min(1e-6).item<double>();
  // Fixed steps: an upsample or concat carries its (first) input's width.
  const Layer* layer = &graph_.layer(layer_name);
  while (!layer->is_conv()) layer = &graph_.layer(layer->inputs[0]);
  return 4.0 / std::ldexp(1.0, layer->out_bits);
}

bool FlowNetQ::quantized() const {
  for (const Layer& l : graph_.layers)
    if (l.is_conv() && (l.w_bits == 0 || l.out_bits == 0)) return false;
  return true;
}

std::vector<torch::Tensor> FlowNetQ::forward_layers(const torch::Tensor& img1, const torch::Tensor& img2) {
  std::map<std::string, torch::Tensor> by_name{{"input", network_input(img1, img2)}};
  std::vector<torch::Tensor> outputs;
  for (const Layer& layer : graph_.layers) {
    torch::Tensor out;
    if (layer.is_conv()) {
      out = blocks_.at(layer.name)->forward(by_name.at(layer.inputs[0]), graph_.div_flow, graph_.flow_frac_bits,
                                            step_tensor(layer.name));
    } else if (layer.op == LayerOp::Upsample2x) {
      out = upsample_bilinear(by_name.at(layer.inputs[0]), 2.0);
    } else {
      std::vector<torch::Tensor> parts;
      for (const std::string& name : layer.inputs) parts.push_back(by_name.at(name));
      out = torch::cat(parts, 1);
    }
    by_name[layer.name] = out;
    outputs.push_back(out);
  }
  return outputs;
}

torch::Tensor FlowNetQ::predict(const torch::Tensor& img1, const torch::Tensor& img2) {
  return upsample_flow4(forward_layers(img1, img2).back());
}

torch::Tensor FlowNetQ::loss(const torch::Tensor& img1, const torch::Tensor& img2, const torch::Tensor& flow,
                             const torch::Tensor& valid) {
  return masked_l1(predict(img1, img2), flow, valid);
}

std::string FlowNetQ::describe() const {
  const Layer& first = graph_.layers.front();
  return fmt::format("FlowNetQ {} (w{} a{}, {})", graph_.name, first.w_bits, first.out_bits,
                     steps_.empty() ? fmt::format("weight range {}", graph_.weight_range)
                                    : fmt::format("learned ranges, {} activation steps", steps_.size()));
}

}  // namespace qflow::train
