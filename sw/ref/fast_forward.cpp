// FastReference: the graph walk of the integer contract over the fast kernels, in HWC.
#include <map>

#include <omp.h>

#include "conv_kernel.hpp"
#include "integer_ops.hpp"
#include "package/network_shapes.hpp"
#include "reference.hpp"

namespace qflow {
namespace {

HwcMap upsample(const HwcMap& in) {
  HwcMap out(in.channels, in.height * 2, in.width * 2);
  const int c_n = in.channels;
#pragma omp parallel for
  for (int oy = 0; oy < out.height; ++oy) {
    const UpsampleTaps ty = upsample_taps(oy, in.height);
    for (int ox = 0; ox < out.width; ++ox) {
      const UpsampleTaps tx = upsample_taps(ox, in.width);
      const int16_t* nn = in.pixel(ty.near, tx.near);
      const int16_t* nf = in.pixel(ty.near, tx.far);
      const int16_t* fn = in.pixel(ty.far, tx.near);
      const int16_t* ff = in.pixel(ty.far, tx.far);
      int16_t* dst = out.pixel(oy, ox);
      for (int c = 0; c < c_n; ++c) dst[c] = int16_t(9 * nn[c] + 3 * nf[c] + 3 * fn[c] + ff[c]);
    }
  }
  return out;
}

HwcMap concat(const std::vector<const HwcMap*>& ins) {
  int channels = 0;
  for (const HwcMap* in : ins) channels += in->channels;
  HwcMap out(channels, ins[0]->height, ins[0]->width);
#pragma omp parallel for
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      int16_t* dst = out.pixel(y, x);
      for (const HwcMap* in : ins) dst = std::copy_n(in->pixel(y, x), in->channels, dst);
    }
  return out;
}

TensorShape shape_of(const HwcMap& m, int bits, int frac) {
  return {m.channels, m.height, m.width, bits, frac, false};
}

}  // namespace

CodeMap run_layer_fast(const Layer& layer, const std::vector<const CodeMap*>& inputs) {
  std::vector<HwcMap> ins;
  for (const CodeMap* in : inputs) ins.push_back(to_hwc(*in));
  if (layer.op == LayerOp::Upsample2x) return to_chw(upsample(ins.at(0)));
  if (layer.op == LayerOp::Concat) {
    std::vector<const HwcMap*> ptrs;
    for (const HwcMap& in : ins) ptrs.push_back(&in);
    return to_chw(concat(ptrs));
  }
  const TensorShape in = shape_of(ins.at(0), layer.in_bits, layer.in_frac);
  const TensorShape out{layer.cout, (in.height + 2 * layer.pad - layer.kernel) / layer.stride + 1,
                        (in.width + 2 * layer.pad - layer.kernel) / layer.stride + 1, layer.out_bits,
                        0, layer.op == LayerOp::FlowHead};
  return to_chw(make_conv_kernel(layer, in, out)->run(ins[0]));
}

struct FastReference::Impl {
  Package package;  // a copy: the kernels refer to its layers for the object's lifetime
  std::vector<std::unique_ptr<ConvKernel>> kernels;  // per layer; null for non-conv layers
};

FastReference::FastReference(const Package& source, int threads) : impl_(new Impl{source, {}}) {
  if (threads > 0) omp_set_num_threads(threads);
  const Package& package = impl_->package;
  const std::vector<TensorShape> shapes = infer_shapes(package);
  std::map<std::string, TensorShape> known{{"input", input_shape(package)}};
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    std::unique_ptr<ConvKernel> kernel;
    if (layer.is_conv()) kernel = make_conv_kernel(layer, known.at(layer.inputs[0]), shapes[i]);
    impl_->kernels.push_back(std::move(kernel));
    known[layer.name] = shapes[i];
  }
}

FastReference::~FastReference() = default;

LayerCodes FastReference::run(const CodeMap& input) {
  const Package& package = impl_->package;
  std::vector<HwcMap> hwc;
  hwc.reserve(package.layers.size());
  const HwcMap input_hwc = to_hwc(input);
  std::map<std::string, const HwcMap*> by_name{{"input", &input_hwc}};
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    std::vector<const HwcMap*> ins;
    for (const std::string& name : layer.inputs) ins.push_back(by_name.at(name));
    if (layer.is_conv())
      hwc.push_back(impl_->kernels[i]->run(*ins[0]));
    else if (layer.op == LayerOp::Upsample2x)
      hwc.push_back(upsample(*ins[0]));
    else
      hwc.push_back(concat(ins));
    by_name[layer.name] = &hwc.back();
  }
  LayerCodes outputs;
  outputs.reserve(hwc.size());
  for (const HwcMap& m : hwc) outputs.push_back(to_chw(m));
  return outputs;
}

std::vector<std::string> FastReference::kernel_names() const {
  std::vector<std::string> names;
  for (const auto& kernel : impl_->kernels) names.push_back(kernel ? kernel->name() : "");
  return names;
}

}  // namespace qflow
