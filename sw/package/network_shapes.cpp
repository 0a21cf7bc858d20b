#include "network_shapes.hpp"

#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "errors.hpp"
#include "layer_limits.hpp"

namespace qflow {
namespace {

[[noreturn]] void fail(const Layer& layer, const std::string& problem) {
  throw PackageError(fmt::format("network.json: layer '{}': {}", layer.name, problem));
}

TensorShape conv_output(const Layer& layer, const TensorShape& in) {
  if (const std::string problem = layer_limit_problem(layer); !problem.empty()) fail(layer, problem);
  if (in.is_signed) fail(layer, "its input is the signed flow head output");
  if (layer.cin != in.channels)
    fail(layer, fmt::format("cin = {} but its input has {} channels", layer.cin, in.channels));
  if (layer.in_bits != in.bits)
    fail(layer, fmt::format("in_bits = {} but its input carries {}-bit codes", layer.in_bits, in.bits));
  if (layer.in_frac != in.frac)
    fail(layer, fmt::format("in_frac = {} but its input carries {} fractional bits", layer.in_frac,
                            in.frac));
  if (int64_t(layer.mult.size()) != layer.cout || int64_t(layer.bias.size()) != layer.cout)
    fail(layer, fmt::format("mult has {} and bias {} entries, cout is {}", layer.mult.size(),
                            layer.bias.size(), layer.cout));
  const int64_t mult_limit = int64_t(1) << (kMultBits - 1);
  int64_t max_bias = 0;
  for (int c = 0; c < layer.cout; ++c) {
    if (layer.mult[c] <= -mult_limit || layer.mult[c] >= mult_limit)
      fail(layer, fmt::format("mult[{}] = {} does not fit the {}-bit multiplier", c, layer.mult[c],
                              kMultBits));
    max_bias = std::max(max_bias, std::abs(layer.bias[c]));
  }
  // acc * M + B must be exact in int64.
  const double worst = double(accumulator_bound(layer, in)) * double(mult_limit) + double(max_bias);
  if (worst >= 0x1p62) fail(layer, "acc * mult + bias could overflow 64 bits");

  if (in.height + 2 * layer.pad < layer.kernel || in.width + 2 * layer.pad < layer.kernel)
    fail(layer, fmt::format("the {}x{} kernel does not fit its {}x{} input", layer.kernel,
                            layer.kernel, in.height, in.width));
  return conv_output_shape(layer, in.height, in.width);
}

}  // namespace

int64_t TensorShape::max_code() const {
  const int64_t base = is_signed ? (int64_t(1) << (bits - 1)) : (int64_t(1) << bits) - 1;
  return base << frac;
}

TensorShape conv_output_shape(const Layer& layer, int in_height, int in_width) {
  return {layer.cout, (in_height + 2 * layer.pad - layer.kernel) / layer.stride + 1,
          (in_width + 2 * layer.pad - layer.kernel) / layer.stride + 1, layer.out_bits, 0,
          layer.op == LayerOp::FlowHead};
}

TensorShape input_shape(const Package& package) {
  return {kInputChannels, package.height, package.width, 8, 0, false};
}

int64_t accumulator_bound(const Layer& layer, const TensorShape& in) {
  const int64_t depth = int64_t(layer.cin) * layer.kernel * layer.kernel;
  return depth * (int64_t(1) << (layer.w_bits - 1)) * in.max_code();
}

std::map<std::string, TensorShape> shapes_by_name(const Package& package) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  std::map<std::string, TensorShape> by_name{{"input", input_shape(package)}};
  for (size_t i = 0; i < shapes.size(); ++i) by_name[package.layers[i].name] = shapes[i];
  return by_name;
}

std::vector<TensorShape> infer_shapes(const Package& package) {
  if (package.layers.empty()) throw PackageError("network.json: the package has no layers");
  if (package.height < 1 || package.width < 1)
    throw PackageError(fmt::format("network.json: input size {}x{} is not positive", package.height,
                                   package.width));
  std::map<std::string, TensorShape> known{{"input", input_shape(package)}};
  std::vector<TensorShape> shapes;
  shapes.reserve(package.layers.size());
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    if (layer.name.empty() || known.count(layer.name))
      fail(layer, "layer names must be non-empty and unique (and not 'input')");
    std::vector<TensorShape> ins;
    for (const std::string& input : layer.inputs) {
      auto it = known.find(input);
      if (it == known.end())
        fail(layer, fmt::format("input '{}' is not the graph input or an earlier layer", input));
      ins.push_back(it->second);
    }
    const bool last = i + 1 == package.layers.size();
    if ((layer.op == LayerOp::FlowHead) != last)
      fail(layer, last ? "the last layer must be the flow_head" : "only the last layer may be a flow_head");

    TensorShape out;
    if (layer.is_conv()) {
      if (ins.size() != 1) fail(layer, fmt::format("a {} takes one input, got {}", to_string(layer.op), ins.size()));
      out = conv_output(layer, ins[0]);
    } else if (layer.op == LayerOp::Upsample2x) {
      if (ins.size() != 1) fail(layer, fmt::format("an upsample2x takes one input, got {}", ins.size()));
      if (ins[0].frac != 0 || ins[0].is_signed) fail(layer, "its input is already upsampled or signed");
      out = ins[0];
      out.height *= 2;
      out.width *= 2;
      out.frac = 4;
    } else {
      if (ins.size() < 2) fail(layer, "a concat takes two or more inputs");
      out = ins[0];
      out.channels = 0;
      for (size_t k = 0; k < ins.size(); ++k) {
        const TensorShape& in = ins[k];
        if (in.height != out.height || in.width != out.width)
          fail(layer, fmt::format("input '{}' is {}x{}, input '{}' is {}x{}", layer.inputs[k],
                                  in.height, in.width, layer.inputs[0], out.height, out.width));
        if (in.bits != out.bits || in.frac != out.frac || in.is_signed != out.is_signed)
          fail(layer, fmt::format("input '{}' has another number format ({} bits, {} frac) than '{}' "
                                  "({} bits, {} frac): concat inputs share one scale",
                                  layer.inputs[k], in.bits, in.frac, layer.inputs[0], out.bits, out.frac));
        out.channels += in.channels;
      }
    }
    known.emplace(layer.name, out);
    shapes.push_back(out);
  }
  const TensorShape& flow = shapes.back();
  if (flow.channels != 2 || flow.height * 4 != package.height || flow.width * 4 != package.width)
    fail(package.layers.back(),
         fmt::format("the flow head gives {} x {}x{}; the host expects 2 x {}x{} (input / 4)",
                     flow.channels, flow.height, flow.width, package.height / 4, package.width / 4));
  return shapes;
}

std::map<std::string, std::string> scale_groups(const Package& package) {
  // Union-find whose root is always the group's earliest layer, hence a conv: a layer's inputs
  // come before it.
  std::map<std::string, size_t> order;
  std::map<std::string, std::string> parent;
  const auto find = [&](std::string name) {
    while (parent.at(name) != name) name = parent.at(name);
    return name;
  };
  for (const Layer& layer : package.layers) {
    if (layer.op == LayerOp::FlowHead) continue;
    order[layer.name] = order.size();
    parent[layer.name] = layer.name;
    if (layer.is_conv()) continue;
    for (const std::string& input : layer.inputs) {
      if (!parent.count(input)) continue;  // the graph input
      const std::string a = find(input), b = find(layer.name);
      if (order.at(a) < order.at(b)) parent[b] = a;
      else parent[a] = b;
    }
  }
  std::map<std::string, std::string> groups;
  for (const auto& [name, unused] : parent) groups[name] = find(name);
  return groups;
}

int64_t network_macs(const Package& package) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  int64_t macs = 0;
  for (size_t i = 0; i < package.layers.size(); ++i) macs += layer_macs(package.layers[i], shapes[i]);
  return macs;
}

}  // namespace qflow
