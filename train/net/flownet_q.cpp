#include "flownet_q.hpp"

#include <fmt/format.h>

#include "quantizers.hpp"

namespace qflow::train {

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

ConvBlockImpl::ConvBlockImpl(const Layer& l, double range) : layer(l), weight_range(range) {
  weight = register_parameter("weight", torch::empty({l.cout, l.cin, l.kernel, l.kernel}));
  torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanIn, torch::kReLU);
  if (l.op == LayerOp::FlowHead) {
    weight.data().mul_(0.1);  // start near zero flow
    bias = register_parameter("bias", torch::zeros({l.cout}));
  } else {
    bn = register_module("bn", torch::nn::BatchNorm2d(l.cout));
  }
}

torch::Tensor ConvBlockImpl::quantized_weight() const { return quantize_weight(weight, layer.w_bits, weight_range); }

torch::Tensor ConvBlockImpl::forward(const torch::Tensor& x, double div_flow, int flow_frac_bits) {
  namespace F = torch::nn::functional;
  const torch::Tensor y =
      F::conv2d(x, quantized_weight(), F::Conv2dFuncOptions().stride(layer.stride).padding(layer.pad));
  if (layer.op == LayerOp::FlowHead) {
    const torch::Tensor flow = div_flow * (y + bias.view({1, -1, 1, 1}));
    return layer.w_bits ? quantize_flow(flow, flow_frac_bits) : flow;
  }
  return quantize_activation(bn->forward(y), layer.out_bits);
}

FlowNetQ::FlowNetQ(Package graph, double weight_range) : graph_(std::move(graph)) {
  graph_.weight_range = weight_range;
  for (const Layer& layer : graph_.layers)
    if (layer.is_conv()) blocks_.emplace(layer.name, register_module(layer.name, ConvBlock(layer, weight_range)));
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
      out = blocks_.at(layer.name)->forward(by_name.at(layer.inputs[0]), graph_.div_flow, graph_.flow_frac_bits);
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
  return fmt::format("FlowNetQ {} (w{} a{}, weight range {})", graph_.name, first.w_bits, first.out_bits,
                     graph_.weight_range);
}

}  // namespace qflow::train
