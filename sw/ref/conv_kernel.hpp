// A conv layer's fast implementation: channel-last bytes in; requantized C x H x W codes out, and
// their channel-last bytes for the next layers when `bytes` is given. Bit-exact. Outputs are
// resized as needed, so buffers from a previous frame are reused.
#pragma once

#include <memory>
#include <string>

#include "channel_last.hpp"
#include "package/network_shapes.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

class ConvKernel {
 public:
  virtual ~ConvKernel() = default;
  virtual void run(const ChannelLast& in, CodeMap& codes, ChannelLast* bytes) = 0;
  virtual std::string name() const = 0;
};

// qflow's own exact kernel: int16 patch rows x int16 weights, int32 partial sums per kernel row
// (int64 when even those could overflow), threaded over output rows, vectorized per ISA.
std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in,
                                            const TensorShape& out);

// oneDNN's u8 x s8 -> s32 convolution, exact on every x86 ISA: where its kernel saturates int16
// pair sums (AVX2, AVX-512 without VNNI) the input runs in parts small enough not to. nullptr when
// oneDNN offers only its reference kernel (which sums in float) or none for this shape.
std::unique_ptr<ConvKernel> make_onednn_conv(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out);

// The fastest exact kernel for the layer: oneDNN's where it has one, qflow's own otherwise.
std::unique_ptr<ConvKernel> make_conv_kernel(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out);

}  // namespace qflow
