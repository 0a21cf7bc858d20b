// A conv layer's fast implementation: HWC codes in, requantized HWC codes out, bit-exact.
#pragma once

#include <memory>
#include <string>

#include "hwc_map.hpp"
#include "integer_ops.hpp"
#include "package/network_shapes.hpp"
#include "package/package.hpp"

namespace qflow {

class ConvKernel {
 public:
  virtual ~ConvKernel() = default;
  virtual HwcMap run(const HwcMap& in) = 0;
  virtual std::string name() const = 0;
};

// qflow's own exact kernel: int16 patch rows x int16 weights, int32 partial sums per kernel row
// (int64 when even those could overflow), threaded over output rows, vectorized per ISA.
std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in,
                                            const TensorShape& out);

// oneDNN's u8 x s8 -> s32 convolution, or nullptr when the kernel oneDNN picks for this shape is
// not exact (only its VNNI and AMX kernels are: the others saturate or sum in float).
std::unique_ptr<ConvKernel> make_onednn_conv(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out);

// The fastest exact kernel for the layer: oneDNN's when it is exact, qflow's own otherwise.
std::unique_ptr<ConvKernel> make_conv_kernel(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out);

// Requantizes one HWC output pixel's accumulators, the last step both kernels share.
template <typename Acc>
inline void requantize_pixel(const Layer& layer, const Acc* acc, int16_t* out) {
  const bool head = layer.op == LayerOp::FlowHead;
  for (int c = 0; c < layer.cout; ++c)
    out[c] = requantize(int64_t(acc[c]), layer.mult[c], layer.bias[c], layer.shift, layer.out_bits, head);
}

}  // namespace qflow
