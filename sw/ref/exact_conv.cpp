// qflow's own exact conv kernel: the fallback wherever oneDNN's kernel is not exact.
#include <limits>
#include <type_traits>
#include <vector>

#include "conv_kernel.hpp"
#include "cpu_clones.hpp"
#include "layout.hpp"
#include "requant_rows.hpp"

namespace qflow {
namespace {

// Dot product of two int16 runs; the clones let the compiler use pmaddwd at the widest ISA the CPU has.
template <typename Acc>
inline __attribute__((always_inline)) Acc dot_body(const int16_t* a, const int16_t* b, int n) {
  Acc sum = 0;
  for (int i = 0; i < n; ++i) sum += Acc(a[i]) * Acc(b[i]);
  return sum;
}
QFLOW_CPU_CLONES int32_t dot_int32(const int16_t* a, const int16_t* b, int n) { return dot_body<int32_t>(a, b, n); }
QFLOW_CPU_CLONES int64_t dot_int64(const int16_t* a, const int16_t* b, int n) { return dot_body<int64_t>(a, b, n); }

template <typename Acc>
Acc dot(const int16_t* a, const int16_t* b, int n) {
  static_assert(std::is_same_v<Acc, int32_t> || std::is_same_v<Acc, int64_t>);
  if constexpr (std::is_same_v<Acc, int32_t>)
    return dot_int32(a, b, n);
  else
    return dot_int64(a, b, n);
}

template <typename RowAcc>
class ExactConv final : public ConvKernel {
 public:
  ExactConv(const Layer& layer, const TensorShape& out, std::string why)
      : layer_(layer), out_shape_(out), why_(std::move(why)) {
    // (cout, cin, kh, kw) -> (cout, kh, kw, cin): one kernel row is then one contiguous run of
    // the zero-padded channel-last input.
    const int k = layer.kernel, cin = layer.cin;
    weights_.resize(layer.weights.size());
    for (int co = 0; co < layer.cout; ++co)
      for (int ci = 0; ci < cin; ++ci)
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx)
            weights_[((size_t(co) * k + ky) * k + kx) * cin + ci] =
                layer.weights[((size_t(co) * cin + ci) * k + ky) * k + kx];
  }

  void run(const ChannelLast& in, CodeMap& out, ChannelLast* bytes) override {
    const PaddedHwc padded = to_padded_hwc(in, layer_.pad);
    const int k = layer_.kernel, s = layer_.stride, row = k * layer_.cin, cout = layer_.cout;
    resize_outputs(out_shape_.channels, out_shape_.height, out_shape_.width, out, bytes);
#pragma omp parallel for schedule(dynamic)
    for (int oy = 0; oy < out.height; ++oy) {
      std::vector<int64_t> acc(static_cast<size_t>(out.width) * cout);
      for (int ox = 0; ox < out.width; ++ox)
        for (int co = 0; co < cout; ++co) {
          const int16_t* w = weights_.data() + size_t(co) * k * row;
          int64_t sum = 0;
          for (int ky = 0; ky < k; ++ky)
            sum += dot<RowAcc>(padded.pixel(oy * s + ky, ox * s), w + size_t(ky) * row, row);
          acc[size_t(ox) * cout + co] = sum;
        }
      requantize_block(layer_, acc.data(), int64_t(oy) * out.width, out.width, {&out, bytes});
    }
  }

  std::string name() const override { return "exact:" + why_; }

 private:
  const Layer& layer_;
  TensorShape out_shape_;
  std::string why_;
  std::vector<int16_t> weights_;
};

}  // namespace

std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in,
                                            const TensorShape& out) {
  // One kernel row's partial sum stays in int32 when its worst case fits; otherwise int64.
  const int64_t row_bound = int64_t(layer.kernel) * layer.cin *
                            (int64_t(1) << (layer.w_bits - 1)) * in.max_code();
  if (row_bound <= std::numeric_limits<int32_t>::max())
    return std::make_unique<ExactConv<int32_t>>(layer, out, "int32 rows");
  return std::make_unique<ExactConv<int64_t>>(layer, out, "int64 rows");
}

}  // namespace qflow
