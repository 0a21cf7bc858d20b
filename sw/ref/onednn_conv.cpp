// oneDNN's int8 convolution wherever it is exact. Its kernels take u8 activations x s8 weights:
// - VNNI (vpdpbusd) and AMX sum every product exactly in s32;
// - AVX2 and AVX-512 without VNNI add two products into a saturating int16 first (vpmaddubsw), so
//   they are exact only while 2 * max activation * max |weight| <= 32767: always with activations
//   below 128 (A <= 7 bits: 2 * 127 * 128 = 32512) or weights in [-64, 64] (W <= 7: 2 * 255 * 64);
// - the reference kernel sums in float: never used.
// With exact sums the 12-bit upsampled codes run as two convolutions of their low byte and high
// part, recombined in the requant: acc = conv(low) + 256 conv(high). On a saturating kernel an
// input that does not fit would need two passes of parts below 128; qflow's int16 kernel does it
// in one (about 1.3x one saturating pass, measured), so it takes those layers, with one exception:
// 8-bit codes of which few reach 128 (trained activations: 0 to 4 %). Their high bit is set only
// there, so oneDNN convolves the low 7 bits and those elements' products are added one at a time
// (128 x the element's weights into every output its window reaches). A denser frame goes to the
// int16 kernel. All are exact.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "conv_kernel.hpp"
#include "requant_rows.hpp"

namespace qflow {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

// The high bits are added one element at a time while at most 1 in this many input codes has
// one; past that, the int16 kernel is cheaper.
constexpr int64_t kSparseHighBits = 16;

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
  // `dense`: for 8-bit codes on a saturating kernel, the kernel of frames whose codes >= 128 are
  // too many to add apart; null otherwise.
  OneDnnConv(const Layer& layer, const TensorShape& out, dnnl::convolution_forward::primitive_desc pd,
             int split_shift, std::unique_ptr<ConvKernel> dense)
      : layer_(layer), requant_(requant_table(layer)), out_shape_(out), split_shift_(split_shift), dense_(std::move(dense)), pd_(std::move(pd)),
        conv_(pd_), stream_(cpu_engine()) {
    // Allocated once by oneDNN (aligned as its kernels like): every run overwrites them whole.
    for (int half = 0; half < (split_shift_ ? 2 : 1); ++half) dst_[half] = memory(pd_.dst_desc(), cpu_engine());
    const int k = layer.kernel;
    memory::desc user_w({layer.cout, layer.cin, k, k}, Dt::s8, Tag::oihw);
    memory user_weights(user_w, cpu_engine(), const_cast<int8_t*>(layer.weights.data()));
    weights_ = memory(pd_.weights_desc(), cpu_engine());
    dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
    stream_.wait();
  }

  void run(const ChannelLast& in, CodeMap& out, ChannelLast* bytes) override {
    const std::vector<uint8_t>* halves[2] = {&in.low, &in.high};  // read in place
    if (dense_) {
      if (count_high_codes(in) * kSparseHighBits > int64_t(in.low.size())) return dense_->run(in, out, bytes);
      low_7_bits(in);
      halves[0] = &low7_;
    }
    const int convs = split_shift_ ? 2 : 1;
    for (int half = 0; half < convs; ++half) {
      memory src(pd_.src_desc(), cpu_engine(), const_cast<uint8_t*>(halves[half]->data()));
      conv_.execute(stream_, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_[half]}});
    }
    stream_.wait();
    if (dense_) add_high_bit_products(in);
    const auto* acc_low = static_cast<const int32_t*>(dst_[0].get_data_handle());
    const auto* acc_high = convs == 2 ? static_cast<const int32_t*>(dst_[1].get_data_handle()) : nullptr;
    resize_outputs(out_shape_.channels, out_shape_.height, out_shape_.width, out, bytes);
    const int64_t pixels = int64_t(out.height) * out.width;
    const int cout = layer_.cout;
#pragma omp parallel for
    for (int64_t p = 0; p < pixels; p += kRequantBlock) {
      const int count = int(std::min<int64_t>(kRequantBlock, pixels - p));
      requantize_block(requant_, acc_low + p * cout, acc_high ? acc_high + p * cout : nullptr, split_shift_, p,
                       count, {&out, bytes});
    }
  }

  std::string name() const override {
    const std::string kernel = "onednn:" + std::string(pd_.impl_info_str());
    if (dense_)
      return fmt::format("{} on the low 7 bits, codes >= 128 added one by one while at most 1 in {} (int16 pair "
                         "sums fit); denser frames: {}", kernel, kSparseHighBits, dense_->name());
    return sums_exactly(pd_.impl_info_str()) ? kernel : kernel + " (int16 pair sums fit)";
  }

 private:
  int64_t count_high_codes(const ChannelLast& in) const {
    const int64_t n = int64_t(in.low.size());
    const uint8_t* low = in.low.data();
    int64_t high = 0;
#pragma omp parallel for if (n >= kParallelCodes) reduction(+ : high)
    for (int64_t i = 0; i < n; ++i) high += low[i] >> 7;
    return high;
  }

  void low_7_bits(const ChannelLast& in) {
    const int64_t n = int64_t(in.low.size());
    low7_.resize(size_t(n));
    const uint8_t* low = in.low.data();
    uint8_t* low7 = low7_.data();
#pragma omp parallel for if (n >= kParallelCodes)
    for (int64_t i = 0; i < n; ++i) low7[i] = uint8_t(low[i] & 127);
  }

  // acc += 128 x conv(high bit), by scattering: each input element whose code is 128 or more adds
  // 128 x its weights (one per output channel, contiguous in taps_) to every output its window
  // reaches. The elements are listed per input row first (few have the bit: test 8 bytes at a
  // time); then threads take output rows, so no two add to one accumulator.
  void add_high_bit_products(const ChannelLast& in) {
    if (taps_.empty()) transpose_taps();
    const int k = layer_.kernel, stride = layer_.stride, pad = layer_.pad, cout = layer_.cout, cin = in.channels;
    const int64_t row_codes = int64_t(in.width) * cin;
    constexpr uint64_t kHighBits = 0x8080808080808080ull;
    high_rows_.assign(size_t(in.height) + 1, 0);
    high_at_.clear();
    for (int y = 0; y < in.height; ++y) {
      const uint8_t* row = in.low.data() + y * row_codes;
      for (int64_t i = 0; i < row_codes; i += 8) {
        uint64_t word = 0;
        std::memcpy(&word, row + i, size_t(std::min<int64_t>(8, row_codes - i)));
        if ((word & kHighBits) == 0) continue;
        for (int64_t j = i; j < std::min(i + 8, row_codes); ++j)
          if (row[j] >= 128) high_at_.push_back(int32_t(j));  // x * cin + c
      }
      high_rows_[size_t(y) + 1] = int64_t(high_at_.size());
    }
    auto* acc = static_cast<int32_t*>(dst_[0].get_data_handle());
    const int out_h = out_shape_.height, out_w = out_shape_.width;
#pragma omp parallel for schedule(dynamic) if (high_at_.size() * size_t(k * cout) >= size_t(kParallelCodes))
    for (int oy = 0; oy < out_h; ++oy)
      for (int ky = 0; ky < k; ++ky) {
        const int y = oy * stride - pad + ky;
        if (y < 0 || y >= in.height) continue;
        for (int64_t e = high_rows_[size_t(y)]; e < high_rows_[size_t(y) + 1]; ++e) {
          const int x = high_at_[size_t(e)] / cin, c = high_at_[size_t(e)] % cin;
          for (int kx = 0; kx < k; ++kx) {
            const int sx = x + pad - kx;  // = ox * stride
            if (sx < 0 || sx % stride || sx / stride >= out_w) continue;
            int32_t* a = acc + (int64_t(oy) * out_w + sx / stride) * cout;
            const int8_t* w = taps_.data() + ((int64_t(c) * k + ky) * k + kx) * cout;
            for (int co = 0; co < cout; ++co) a[co] += int32_t(w[co]) * 128;
          }
        }
      }
  }

  // The weights as (cin, kh, kw, cout): one tap's output channels side by side.
  void transpose_taps() {
    const int k = layer_.kernel, cout = layer_.cout, cin = layer_.cin;
    taps_.resize(layer_.weights.size());
    for (int co = 0; co < cout; ++co)
      for (int c = 0; c < cin; ++c)
        for (int t = 0; t < k * k; ++t)
          taps_[(int64_t(c) * k * k + t) * cout + co] = layer_.weights[(int64_t(co) * cin + c) * k * k + t];
  }

  const Layer& layer_;
  RequantTable requant_;
  TensorShape out_shape_;
  int split_shift_;
  std::unique_ptr<ConvKernel> dense_;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  dnnl::stream stream_;
  memory weights_;
  memory dst_[2];  // accumulators of the low part, and of the high part when the input is split
  std::vector<uint8_t> low7_;
  std::vector<int8_t> taps_;  // for add_high_bit_products, made on its first use
  std::vector<int64_t> high_rows_;  // per input row, where its elements start in high_at_
  std::vector<int32_t> high_at_;    // the input elements at 128 or more, x * cin + c, row by row
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
    dnnl::convolution_forward::primitive_desc pd(desc, cpu_engine());
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
