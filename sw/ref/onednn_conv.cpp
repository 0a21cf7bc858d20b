// oneDNN's int8 convolution where it is exact. Inputs wider than 8 bits (the 1/16-unit upsampled
// codes, up to 12 bits) run as two u8 convolutions, low byte and high part, recombined in int64:
// acc = 256 * conv(u >> 8) + conv(u & 255), each half exact in s32.
#include <string>

#include <oneapi/dnnl/dnnl.hpp>

#include "conv_kernel.hpp"

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
      : layer_(layer), in_shape_(in), out_shape_(out), split_(in.max_code() > 255), pd_(std::move(pd)),
        conv_(pd_), stream_(cpu_engine()) {
    const int k = layer.kernel;
    memory::desc user_w({layer.cout, layer.cin, k, k}, Dt::s8, Tag::oihw);
    memory user_weights(user_w, cpu_engine(), const_cast<int8_t*>(layer.weights.data()));
    weights_ = memory(pd_.weights_desc(), cpu_engine());
    dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
    stream_.wait();
  }

  HwcMap run(const HwcMap& in) override {
    const size_t n = in.codes.size();
    std::vector<uint8_t> low(n), high(split_ ? n : 0);
#pragma omp parallel for
    for (size_t i = 0; i < n; ++i) low[i] = uint8_t(in.codes[i] & 255);
    std::vector<int32_t> acc_low = convolve(low), acc_high;
    if (split_) {
#pragma omp parallel for
      for (size_t i = 0; i < n; ++i) high[i] = uint8_t(in.codes[i] >> 8);
      acc_high = convolve(high);
    }
    HwcMap out(out_shape_.channels, out_shape_.height, out_shape_.width);
    const int pixels = out.height * out.width, cout = layer_.cout;
#pragma omp parallel
    {
      std::vector<int64_t> acc(static_cast<size_t>(cout));
#pragma omp for
      for (int p = 0; p < pixels; ++p) {
        const int32_t* lo = acc_low.data() + size_t(p) * cout;
        if (split_) {
          const int32_t* hi = acc_high.data() + size_t(p) * cout;
          for (int c = 0; c < cout; ++c) acc[size_t(c)] = 256 * int64_t(hi[c]) + lo[c];
          requantize_pixel(layer_, acc.data(), out.codes.data() + size_t(p) * cout);
        } else {
          requantize_pixel(layer_, lo, out.codes.data() + size_t(p) * cout);
        }
      }
    }
    return out;
  }

  std::string name() const override { return "onednn:" + std::string(pd_.impl_info_str()); }

 private:
  std::vector<int32_t> convolve(std::vector<uint8_t>& src) {
    std::vector<int32_t> dst(size_t(out_shape_.size()));
    memory src_mem(pd_.src_desc(), cpu_engine(), src.data());
    memory dst_mem(pd_.dst_desc(), cpu_engine(), dst.data());
    conv_.execute(stream_, {{DNNL_ARG_SRC, src_mem}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_mem}});
    stream_.wait();
    return dst;
  }

  const Layer& layer_;
  TensorShape in_shape_, out_shape_;
  bool split_;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  dnnl::stream stream_;
  memory weights_;
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
