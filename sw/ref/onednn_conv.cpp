// oneDNN's int8 convolution wherever it is exact. Its kernels take u8 activations x s8 weights:
// - VNNI (vpdpbusd) and AMX sum every product exactly in s32;
// - AVX2 and AVX-512 without VNNI add two products into a saturating int16 first (vpmaddubsw), so
//   they are exact only while 2 * max activation * max |weight| <= 32767: always with activations
//   below 128 (A <= 7 bits: 2 * 127 * 128 = 32512) or weights in [-64, 64] (W <= 7: 2 * 255 * 64);
// - the reference kernel sums in float: never used.
// With exact sums the 12-bit upsampled codes run as two convolutions of their low byte and high
// part, recombined in the requant: acc = conv(low) + 256 conv(high). On a saturating kernel an
// input that does not fit would need two passes of parts below 128; qflow's int16 kernel does it
// in one (about 1.3x one saturating pass, measured), so it takes those layers. 8-bit codes times
// 8-bit weights fit whenever a frame's codes all stay below 128: such frames run oneDNN, the others
// the int16 kernel, decided frame by frame. (Running oneDNN on the low 7 bits and adding the few
// codes' high bits one element at a time was slower than the int16 kernel on the bundled model,
// whose activations have 0 to 4 % of codes at 128 or more: 16.2, 16.3 and 15.6 ms a frame against
// 15.0, 15.0 and 14.7 AVX2-capped.) All are exact.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "conv_kernel.hpp"
#include "requant_rows.hpp"

namespace qflow {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

bool sums_exactly(const std::string& impl) {
  return impl.find("vnni") != std::string::npos || impl.find("amx") != std::string::npos;
}

// Whether a kernel that saturates int16 pair sums is still exact for activations up to `max_code`.
bool pairs_fit_int16(int64_t max_code, int w_bits) { return 2 * max_code * (int64_t(1) << (w_bits - 1)) <= 32767; }

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

class OneDnnConv final : public ConvKernel {
 public:
  // `split_shift`: 0 (one convolution of the stored bytes) or 8 (the stored low and high bytes).
  // `wide_frames`: for 8-bit codes on a saturating kernel, the kernel of frames with a code of 128
  // or more; null otherwise.
  OneDnnConv(const Layer& layer, const TensorShape& out, dnnl::convolution_forward::primitive_desc pd,
             int split_shift, std::unique_ptr<ConvKernel> wide_frames)
      : layer_(layer), requant_(requant_table(layer)), out_shape_(out), split_shift_(split_shift),
        wide_frames_(std::move(wide_frames)), pd_(std::move(pd)), conv_(pd_), stream_(cpu_engine()) {
    // Allocated once by oneDNN (aligned as its kernels like): every run overwrites them whole.
    scratchpad_ = memory(pd_.scratchpad_desc(), cpu_engine());
    const int k = layer.kernel;
    memory::desc user_w({layer.cout, layer.cin, k, k}, Dt::s8, Tag::oihw);
    memory user_weights(user_w, cpu_engine(), const_cast<int8_t*>(layer.weights.data()));
    weights_ = memory(pd_.weights_desc(), cpu_engine());
    dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
    stream_.wait();
    // The arguments of each convolution, built once: a run only points src at its input. (Built per
    // run, the memory objects and the map cost a few microseconds, which the model pays every row.)
    for (int half = 0; half < (split_shift_ ? 2 : 1); ++half) {
      dst_[half] = memory(pd_.dst_desc(), cpu_engine());
      src_[half] = memory(pd_.src_desc(), cpu_engine(), DNNL_MEMORY_NONE);
      args_[half] = {{DNNL_ARG_SRC, src_[half]},
                     {DNNL_ARG_WEIGHTS, weights_},
                     {DNNL_ARG_DST, dst_[half]},
                     {DNNL_ARG_SCRATCHPAD, scratchpad_}};
    }
  }

  void run(const ChannelLastView& in, CodeMap* out, ChannelLast* bytes) override {
    if (wide_frames_ && any_code_above_127(in)) return wide_frames_->run(in, out, bytes);
    const uint8_t* halves[2] = {in.low, in.high};  // read in place
    const int convs = split_shift_ ? 2 : 1;
    for (int half = 0; half < convs; ++half) {
      src_[half].set_data_handle(const_cast<uint8_t*>(halves[half]));
      conv_.execute(stream_, args_[half]);
    }
    stream_.wait();
    const auto* acc_low = static_cast<const int32_t*>(dst_[0].get_data_handle());
    const auto* acc_high = convs == 2 ? static_cast<const int32_t*>(dst_[1].get_data_handle()) : nullptr;
    resize_outputs(out_shape_.channels, out_shape_.height, out_shape_.width, out, bytes);
    const int64_t pixels = int64_t(out_shape_.height) * out_shape_.width;
    const int cout = layer_.cout;
#pragma omp parallel for
    for (int64_t p = 0; p < pixels; p += kRequantBlock) {
      const int count = int(std::min<int64_t>(kRequantBlock, pixels - p));
      requantize_block(requant_, acc_low + p * cout, acc_high ? acc_high + p * cout : nullptr, split_shift_, cout, p,
                       count, {out, bytes});
    }
  }

  std::string name() const override {
    const std::string kernel = "onednn:" + std::string(pd_.impl_info_str());
    if (wide_frames_)
      return fmt::format("{} on frames whose codes all stay below 128 (int16 pair sums fit); other frames: {}", kernel,
                         wide_frames_->name());
    return sums_exactly(pd_.impl_info_str()) ? kernel : kernel + " (int16 pair sums fit)";
  }

 private:
  // Eight codes at a time: the top bits of a word are clear unless one of its codes is 128 or more.
  static bool any_code_above_127(const ChannelLastView& in) {
    constexpr uint64_t kTopBits = 0x8080808080808080ull;
    const int64_t words = int64_t(in.size() / 8);
    const uint8_t* bytes = in.low;
    uint64_t seen = 0;
#pragma omp parallel for if (words * 8 >= kParallelCodes) reduction(| : seen)
    for (int64_t i = 0; i < words; ++i) {
      uint64_t word;
      std::memcpy(&word, bytes + i * 8, sizeof word);
      seen |= word;
    }
    for (size_t i = size_t(words) * 8; i < in.size(); ++i) seen |= bytes[i];
    return (seen & kTopBits) != 0;
  }

  const Layer& layer_;
  RequantTable requant_;
  TensorShape out_shape_;
  int split_shift_;
  std::unique_ptr<ConvKernel> wide_frames_;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  dnnl::stream stream_;
  memory weights_;
  memory dst_[2];  // accumulators of the low part, and of the high part when the input is split
  memory src_[2];  // the input's low and high parts, wherever the run's input is
  std::unordered_map<int, memory> args_[2];
  // The kernel's own (AMX kernels use one): oneDNN's default shares one among the primitives a
  // thread created, which the model's host threads would then use at once.
  memory scratchpad_;
};

}  // namespace

std::unique_ptr<ConvKernel> make_onednn_conv(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out) {
  // Split parts are u8 with at most 8 significant bits; weights must fit s8.
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
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, cpu_engine());
    const std::string impl = pd.impl_info_str();
    const int64_t max_code = in.max_code();
    const int split_shift = max_code > 255 ? 8 : 0;
    if (sums_exactly(impl)) return std::make_unique<OneDnnConv>(layer, out, std::move(pd), split_shift, nullptr);
    if (impl.find("ref") != std::string::npos || split_shift) return nullptr;  // sums in float; two passes
    if (pairs_fit_int16(max_code, layer.w_bits))
      return std::make_unique<OneDnnConv>(layer, out, std::move(pd), 0, nullptr);
    return std::make_unique<OneDnnConv>(layer, out, std::move(pd), 0, make_exact_conv(layer, in, out));
  } catch (const dnnl::error&) {
    return nullptr;  // no oneDNN kernel for this shape: the exact kernel takes it
  }
}

}  // namespace qflow
