// oneDNN's int8 convolution where it is exact. Inputs wider than 8 bits (the 1/16-unit upsampled
// codes, up to 12 bits) run as two u8 convolutions, low byte and high part, recombined in int64:
// acc = 256 * conv(u >> 8) + conv(u & 255), each half exact in s32.
#include <algorithm>
#include <memory>
#include <string>

#include <oneapi/dnnl/dnnl.hpp>

#include "conv_kernel.hpp"
#include "requant_rows.hpp"

namespace qflow {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

// Only the VNNI (vpdpbusd) and AMX kernels sum u8 x s8 products exactly in s32; the AVX2 and
// AVX512-without-VNNI kernels saturate 16-bit pair sums, the reference kernel sums in float.
bool is_exact_impl(const std::string& impl) {
  return impl.find("vnni") != std::string::npos || impl.find("amx") != std::string::npos;
}

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

class OneDnnConv final : public ConvKernel {
 public:
  OneDnnConv(const Layer& layer, const TensorShape& in, const TensorShape& out,
             dnnl::convolution_forward::primitive_desc pd)
      : layer_(layer), out_shape_(out), split_(in.max_code() > 255), pd_(std::move(pd)), conv_(pd_),
        stream_(cpu_engine()) {
    // Allocated once by oneDNN (aligned as its kernels like): every run overwrites them whole.
    for (int half = 0; half < (split_ ? 2 : 1); ++half) dst_[half] = memory(pd_.dst_desc(), cpu_engine());
    const int k = layer.kernel;
    memory::desc user_w({layer.cout, layer.cin, k, k}, Dt::s8, Tag::oihw);
    memory user_weights(user_w, cpu_engine(), const_cast<int8_t*>(layer.weights.data()));
    weights_ = memory(pd_.weights_desc(), cpu_engine());
    dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
    stream_.wait();
  }

  void run(const ChannelLast& in, CodeMap& out, ChannelLast* bytes) override {
    const std::vector<uint8_t>* halves[2] = {&in.low, &in.high};  // read in place
    for (int half = 0; half < (split_ ? 2 : 1); ++half) {
      memory src(pd_.src_desc(), cpu_engine(), const_cast<uint8_t*>(halves[half]->data()));
      conv_.execute(stream_, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_[half]}});
    }
    stream_.wait();
    const auto* acc_low = static_cast<const int32_t*>(dst_[0].get_data_handle());
    const auto* acc_high = split_ ? static_cast<const int32_t*>(dst_[1].get_data_handle()) : nullptr;
    resize_outputs(out_shape_.channels, out_shape_.height, out_shape_.width, out, bytes);
    const int64_t pixels = int64_t(out.height) * out.width;
    const int cout = layer_.cout;
#pragma omp parallel for
    for (int64_t p = 0; p < pixels; p += kRequantBlock) {
      const int count = int(std::min<int64_t>(kRequantBlock, pixels - p));
      requantize_block(layer_, acc_low + p * cout, acc_high ? acc_high + p * cout : nullptr, p, count,
                       {&out, bytes});
    }
  }

  std::string name() const override { return "onednn:" + std::string(pd_.impl_info_str()); }

 private:
  const Layer& layer_;
  TensorShape out_shape_;
  bool split_;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  dnnl::stream stream_;
  memory weights_;
  memory dst_[2];  // accumulators of the low byte, and of the high part when the input is split
};

}  // namespace

std::unique_ptr<ConvKernel> make_onednn_conv(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out) {
  // Split halves are u8 with at most 8 significant bits; weights must fit s8.
  if (layer.w_bits > 8 || in.is_signed || in.max_code() > 255 * 16) return nullptr;
  const int k = layer.kernel;
  memory::desc src({1, layer.cin, in.height, in.width}, Dt::u8, Tag::nhwc);
  memory::desc weights({layer.cout, layer.cin, k, k}, Dt::s8, Tag::any);
  memory::desc dst({1, layer.cout, out.height, out.width}, Dt::s32, Tag::nhwc);
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                       dnnl::algorithm::convolution_direct, src, weights, dst,
                                       {layer.stride, layer.stride}, {layer.pad, layer.pad},
                                       {layer.pad, layer.pad});
  try {
    dnnl::convolution_forward::primitive_desc pd(desc, cpu_engine());
    if (!is_exact_impl(pd.impl_info_str())) return nullptr;
    return std::make_unique<OneDnnConv>(layer, in, out, std::move(pd));
  } catch (const dnnl::error&) {
    return nullptr;  // no oneDNN kernel for this shape: the exact kernel takes it
  }
}

}  // namespace qflow
