// FastReference: the graph walk of the integer contract over the fast kernels. Every layer
// produces its C x H x W codes (the result) and its channel-last bytes (what the next layers read).
#include <map>

#include <omp.h>

#include "conv_kernel.hpp"
#include "fast_ops.hpp"
#include "package/network_shapes.hpp"
#include "reference.hpp"

namespace qflow {
namespace {

// One layer into the forms wanted: `codes` may be null when `bytes` is given (then only the byte
// forms of the inputs are read); `bytes` is null for the flow head (its int16 codes have no byte form).
void run_op(const Layer& layer, ConvKernel* kernel, const std::vector<const CodeMap*>& codes_in,
            const std::vector<const ChannelLast*>& bytes_in, CodeMap* codes, ChannelLast* bytes) {
  if (layer.is_conv()) {
    kernel->run(*bytes_in[0], codes, bytes);
  } else if (layer.op == LayerOp::Upsample2x) {
    if (codes) fast_upsample2x(*codes_in[0], *codes);
    fast_upsample2x(*bytes_in[0], *bytes);
  } else {
    if (codes) fast_concat(codes_in, *codes);
    fast_concat(bytes_in, *bytes);
  }
}

}  // namespace

CodeMap run_layer_fast(const Layer& layer, const std::vector<const CodeMap*>& inputs) {
  std::vector<ChannelLast> bytes(inputs.size());
  std::vector<const ChannelLast*> bytes_in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    to_channel_last(*inputs[i], layer.in_frac > 0, bytes[i]);
    bytes_in.push_back(&bytes[i]);
  }
  std::unique_ptr<ConvKernel> kernel;
  if (layer.is_conv()) {
    const CodeMap& in = *inputs.at(0);
    const TensorShape in_shape{in.channels, in.height, in.width, layer.in_bits, layer.in_frac, false};
    kernel = make_conv_kernel(layer, in_shape, conv_output_shape(layer, in.height, in.width));
  }
  CodeMap codes;
  ChannelLast out_bytes;
  run_op(layer, kernel.get(), inputs, bytes_in, &codes, layer.op == LayerOp::FlowHead ? nullptr : &out_bytes);
  return codes;
}

struct FastReference::Impl {
  Package package;  // a copy: the kernels refer to its layers for the object's lifetime
  std::vector<std::unique_ptr<ConvKernel>> kernels;  // per layer; null for non-conv layers
  ChannelLast input_bytes;
  std::vector<ChannelLast> bytes;  // per layer, reused from frame to frame
};

FastReference::FastReference(const Package& source, int threads) : impl_(new Impl{source, {}, {}, {}}) {
  if (threads > 0) omp_set_num_threads(threads);
  const Package& package = impl_->package;
  const std::map<std::string, TensorShape> shapes = shapes_by_name(package);
  for (const Layer& layer : package.layers) {
    std::unique_ptr<ConvKernel> kernel;
    if (layer.is_conv()) kernel = make_conv_kernel(layer, shapes.at(layer.inputs[0]), shapes.at(layer.name));
    impl_->kernels.push_back(std::move(kernel));
  }
  impl_->bytes.resize(package.layers.size());
}

FastReference::~FastReference() = default;

LayerCodes FastReference::run(const CodeMap& input) {
  LayerCodes outputs;
  run(input, outputs);
  return outputs;
}

void FastReference::run(const CodeMap& input, LayerCodes& outputs) {
  outputs.resize(impl_->package.layers.size());
  std::vector<CodeMap*> planes;
  for (CodeMap& codes : outputs) planes.push_back(&codes);
  walk(input, planes);
}

void FastReference::run_flow(const CodeMap& input, CodeMap& flow) {
  // Every layer before the head lives only in its channel-last bytes: nothing reads its planes.
  std::vector<CodeMap*> planes(impl_->package.layers.size(), nullptr);
  planes.back() = &flow;
  walk(input, planes);
}

void FastReference::walk(const CodeMap& input, const std::vector<CodeMap*>& planes) {
  Impl& impl = *impl_;
  const Package& package = impl.package;
  to_channel_last(input, /*split=*/false, impl.input_bytes);
  std::map<std::string, size_t> index;
  const auto codes_of = [&](const std::string& name) -> const CodeMap* {
    return name == "input" ? &input : planes[index.at(name)];
  };
  const auto bytes_of = [&](const std::string& name) {
    return name == "input" ? &impl.input_bytes : &impl.bytes[index.at(name)];
  };
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    std::vector<const CodeMap*> codes_in;
    std::vector<const ChannelLast*> bytes_in;
    for (const std::string& name : layer.inputs) {
      codes_in.push_back(codes_of(name));
      bytes_in.push_back(bytes_of(name));
    }
    run_op(layer, impl.kernels[i].get(), codes_in, bytes_in, planes[i],
           layer.op == LayerOp::FlowHead ? nullptr : &impl.bytes[i]);
    index[layer.name] = i;
  }
}

std::map<std::string, std::vector<std::string>> FastReference::layers_by_kernel() const {
  std::map<std::string, std::vector<std::string>> layers;
  for (size_t i = 0; i < impl_->kernels.size(); ++i)
    if (impl_->kernels[i]) layers[impl_->kernels[i]->name()].push_back(impl_->package.layers[i].name);
  return layers;
}

std::vector<std::string> FastReference::kernel_names() const {
  std::vector<std::string> names;
  for (const auto& kernel : impl_->kernels) names.push_back(kernel ? kernel->name() : "");
  return names;
}

}  // namespace qflow
