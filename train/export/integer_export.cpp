#include "integer_export.hpp"

#include <cmath>

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include "flow/flo_io.hpp"
#include "flow/image_pair.hpp"
#include "net/quantizers.hpp"
#include "package/layer_dump.hpp"
#include "package/requant_params.hpp"
#include "training.hpp"

namespace qflow::train {
namespace {

namespace F = torch::nn::functional;

// Value of one code of a conv layer's input: 1/255 for pixels, the producer's activation step
// (4/2^b, or the learned one), and 1/16 of that for the upsampled 1/16-unit codes.
double input_scale(const FlowNetQ& net, const Layer& layer) {
  if (layer.inputs[0] == "input") return 1.0 / 255.0;
  return net.activation_step(layer.inputs[0]) / (layer.in_frac ? 16.0 : 1.0);
}

CodeMap to_code_map(const torch::Tensor& codes) {  // one sample, C x H x W
  const torch::Tensor c = codes.to(torch::kInt16).contiguous();
  CodeMap m{int(c.size(0)), int(c.size(1)), int(c.size(2)), {}};
  m.codes.assign(c.data_ptr<int16_t>(), c.data_ptr<int16_t>() + c.numel());
  return m;
}

}  // namespace

cv::Mat to_rgb_mat(const torch::Tensor& image) {
  const torch::Tensor hw3 = image.round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  return cv::Mat(int(hw3.size(0)), int(hw3.size(1)), CV_8UC3, hw3.data_ptr<uint8_t>()).clone();
}

cv::Mat to_flow_mat(const torch::Tensor& flow) {
  const torch::Tensor hw2 = flow.to(torch::kFloat32).permute({1, 2, 0}).contiguous();
  return cv::Mat(int(hw2.size(0)), int(hw2.size(1)), CV_32FC2, hw2.data_ptr<float>()).clone();
}

torch::Tensor from_flow_mat(const cv::Mat& flow) {
  return torch::from_blob(flow.data, {flow.rows, flow.cols, 2}, torch::kFloat32).permute({2, 0, 1}).unsqueeze(0).clone();
}

Package fold_package(FlowNetQ& net) {
  if (!net.quantized()) throw std::runtime_error("only a fully quantized FlowNetQ exports (every layer 2..8 bits)");
  torch::NoGradGuard no_grad;
  Package p = net.graph();
  for (Layer& layer : p.layers) {
    if (!layer.is_conv()) continue;
    ConvBlock block = net.block(layer.name);
    const torch::Tensor w = block->weight.detach().cpu().to(torch::kFloat64);
    // With learned ranges each layer's range and each group's step fold into its multipliers.
    const double range = block->range();
    const torch::Tensor codes = weight_codes(w, layer.w_bits, range).to(torch::kInt8).contiguous();
    layer.weights.assign(codes.data_ptr<int8_t>(), codes.data_ptr<int8_t>() + codes.numel());
    const double s = input_scale(net, layer) * range / std::ldexp(1.0, layer.w_bits - 1);
    std::vector<double> m(size_t(layer.cout)), o(size_t(layer.cout));
    if (layer.op == LayerOp::FlowHead) {
      const double unit = p.div_flow * std::ldexp(1.0, p.flow_frac_bits);  // output in 1/32 px
      const torch::Tensor bias = block->bias.detach().cpu().to(torch::kFloat64);
      for (int c = 0; c < layer.cout; ++c) {
        m[size_t(c)] = unit * s;
        o[size_t(c)] = unit * bias[c].item<double>();
      }
    } else {
      const auto& bn = block->bn;
      const torch::Tensor gamma = bn->weight.detach().cpu().to(torch::kFloat64);
      const torch::Tensor beta = bn->bias.detach().cpu().to(torch::kFloat64);
      const torch::Tensor mu = bn->running_mean.detach().cpu().to(torch::kFloat64);
      const torch::Tensor sigma = (bn->running_var.detach().cpu().to(torch::kFloat64) + bn->options.eps()).sqrt();
      const double unit = 1.0 / net.activation_step(layer.name);  // output codes per unit value
      for (int c = 0; c < layer.cout; ++c) {
        const double g = gamma[c].item<double>() / sigma[c].item<double>();
        m[size_t(c)] = unit * g * s;
        o[size_t(c)] = unit * (beta[c].item<double>() - g * mu[c].item<double>());
      }
    }
    set_requant(layer, m, o);
  }
  validate_package(p);
  return p;
}

std::vector<torch::Tensor> integer_forward(const Package& p, const torch::Tensor& img1, const torch::Tensor& img2) {
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> by_name{{"input", torch::cat({img1, img2}, 1).round().to(torch::kInt64)}};
  std::vector<torch::Tensor> out;
  for (const Layer& layer : p.layers) {
    torch::Tensor codes;
    const torch::Tensor& in = by_name.at(layer.inputs[0]);
    if (layer.is_conv()) {
      const torch::Tensor w = torch::tensor(std::vector<int64_t>(layer.weights.begin(), layer.weights.end()))
                                  .view({layer.cout, layer.cin, layer.kernel, layer.kernel})
                                  .to(torch::kFloat64);
      // Every product and partial sum is an integer below 2^53: exact in float64.
      const torch::Tensor acc =
          F::conv2d(in.to(torch::kFloat64), w, F::Conv2dFuncOptions().stride(layer.stride).padding(layer.pad))
              .round()
              .to(torch::kInt64);
      const torch::Tensor mult = torch::tensor(layer.mult).view({1, -1, 1, 1});
      const torch::Tensor bias = torch::tensor(layer.bias).view({1, -1, 1, 1});
      const torch::Tensor v = torch::div(acc * mult + bias, int64_t(1) << layer.shift, "floor");
      codes = layer.op == LayerOp::FlowHead ? v.clamp(-32768, 32767) : v.clamp(0, (int64_t(1) << layer.out_bits) - 1);
    } else if (layer.op == LayerOp::Upsample2x) {
      codes = (upsample_bilinear(in.to(torch::kFloat64), 2.0) * 16).round().to(torch::kInt64);  // exact: 1/16 steps
    } else {
      std::vector<torch::Tensor> parts;
      for (const std::string& name : layer.inputs) parts.push_back(by_name.at(name));
      codes = torch::cat(parts, 1);
    }
    by_name[layer.name] = codes;
    out.push_back(codes);
  }
  return out;
}

std::vector<torch::Tensor> fake_quant_codes(FlowNetQ& net, const torch::Tensor& img1, const torch::Tensor& img2) {
  torch::NoGradGuard no_grad;
  net.eval();
  const std::vector<torch::Tensor> values = net.forward_layers(img1, img2);
  const Package& p = net.graph();
  std::vector<torch::Tensor> codes;
  for (size_t i = 0; i < values.size(); ++i) {
    const Layer& layer = p.layers[i];
    if (layer.op == LayerOp::FlowHead)
      codes.push_back(torch::round(values[i] * std::ldexp(1.0, p.flow_frac_bits)).to(torch::kInt64));
    else if (layer.op == LayerOp::Upsample2x)
      codes.push_back(torch::round(values[i] * (16.0 / net.activation_step(layer.name))).to(torch::kInt64));
    else
      codes.push_back(torch::round(values[i] / net.activation_step(layer.name)).to(torch::kInt64));
  }
  return codes;
}

torch::Tensor integer_flow(const Package& p, const torch::Tensor& head_codes) {
  return upsample_flow4(head_codes.to(torch::kFloat32) / std::ldexp(1.0, p.flow_frac_bits));
}

void export_package(FlowNetQ& net, const FlowDataset& data, const nlohmann::json& provenance,
                    const ExportOptions& options, const std::filesystem::path& out) {
  net.to(torch::kCPU);
  net.eval();
  Package package = fold_package(net);
  // Both paths on the evaluation samples: EPE each, and per layer the fraction of codes that differ.
  std::vector<double> differing(package.layers.size(), 0), totals(package.layers.size(), 0);
  double float_epe = 0, int_epe = 0;
  const int64_t n = std::min<int64_t>(options.eval_samples, int64_t(data.size()));
  for (int64_t i = 0; i < n; ++i) {
    const FlowSample s = collate({data.get(size_t(i))});
    const std::vector<torch::Tensor> ints = integer_forward(package, s.img1, s.img2);
    const std::vector<torch::Tensor> floats = fake_quant_codes(net, s.img1, s.img2);
    for (size_t l = 0; l < ints.size(); ++l) {
      differing[l] += (ints[l] != floats[l]).sum().item<double>();
      totals[l] += double(ints[l].numel());
    }
    float_epe += masked_epe(net.predict(s.img1, s.img2), s.flow, s.valid).item<double>();
    int_epe += masked_epe(integer_flow(package, ints.back()), s.flow, s.valid).item<double>();
  }
  nlohmann::json mismatch = nlohmann::json::object();
  for (size_t l = 0; l < package.layers.size(); ++l) mismatch[package.layers[l].name] = differing[l] / totals[l];
  package.provenance = provenance;
  package.provenance["eval_samples"] = n;
  package.provenance["float_epe"] = float_epe / double(n);
  package.provenance["integer_epe"] = int_epe / double(n);
  package.provenance["float_vs_integer_code_mismatch"] = mismatch;
  write_package(package, out);

  for (int c = 0; c < options.golden_cases && c < int(data.size()); ++c) {
    const FlowSample s = collate({data.get(size_t(c))});
    const std::vector<torch::Tensor> ints = integer_forward(package, s.img1, s.img2);
    std::vector<CodeMap> codes;
    for (const torch::Tensor& t : ints) codes.push_back(to_code_map(t[0]));
    const std::filesystem::path dir = out / "golden" / fmt::format("case{}", c);
    write_layer_dump(dir, package, codes);
    save_rgb(dir / "img1.png", to_rgb_mat(s.img1[0]));
    save_rgb(dir / "img2.png", to_rgb_mat(s.img2[0]));
    qflow::write_flo(dir / "flow.flo", to_flow_mat(integer_flow(package, ints.back())[0]));
    qflow::write_flo(dir / "gt.flo", to_flow_mat(s.flow[0]));
  }
}

}  // namespace qflow::train
