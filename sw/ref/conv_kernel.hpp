// A conv layer's fast implementation: channel-last bytes in; the requantized codes out as C x H x W
// `codes` and/or channel-last `bytes` for the next layers (either may be null, not both: a frame
// that only wants the flow skips the planes of the layers before the head, which has no byte
// form). Bit-exact. Outputs are resized as needed, so buffers from a previous frame are reused.
// A kernel keeps its working buffers: one kernel runs on one thread at a time, but different
// kernels may run at once on any threads.
#pragma once

#include <memory>
#include <string>

#include "channel_last.hpp"
#include "int16_tiles.hpp"
#include "package/network_shapes.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

class ConvKernel {
 public:
  virtual ~ConvKernel() = default;
  virtual void run(const ChannelLastView& in, CodeMap* codes, ChannelLast* bytes) = 0;
  virtual std::string name() const = 0;
};

// qflow's own exact kernel: int16 codes x int16 weights, two products at a time summed in int32
// (pmaddwd), register tiles of pixels x 16 channels (int16_tiles.hpp) at the widest ISA the CPU
// has; int64 over int32 partial sums where the window's worst case needs it. Threaded over output
// rows and channel blocks. The second form picks the tiles' ISA (for the tests).
std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in,
                                            const TensorShape& out);
std::unique_ptr<ConvKernel> make_exact_conv(const Layer& layer, const TensorShape& in,
                                            const TensorShape& out, VectorIsa isa);

// oneDNN's u8 x s8 -> s32 convolution wherever it is exact: where its kernel saturates int16 pair
// sums (AVX2, AVX-512 without VNNI) only for inputs that fit, and for 8-bit codes times 8-bit
// weights only on frames whose codes all stay below 128 (other frames go to the exact kernel).
// nullptr when oneDNN offers only its reference kernel (which sums in float), none for this shape,
// or would need two passes on a saturating kernel (qflow's int16 kernel is faster than two).
std::unique_ptr<ConvKernel> make_onednn_conv(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out);

// The fastest exact kernel for the layer: oneDNN's where it has one, qflow's own otherwise.
std::unique_ptr<ConvKernel> make_conv_kernel(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out);

}  // namespace qflow
