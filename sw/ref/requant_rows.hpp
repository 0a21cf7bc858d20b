// The requant stage of the fast kernels: a block of output pixels' accumulators (channel-last, as
// the conv kernels produce them) requantized into the layer's C x H x W codes and, for layers
// whose codes fit a byte, into the next layers' channel-last bytes.
#pragma once

#include <cstdint>

#include "channel_last.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

// Pixels per block: a block's channel-last scratch stays in L1/L2 for every FlowNetQ width.
inline constexpr int kRequantBlock = 32;

struct RequantTarget {
  CodeMap* codes;        // C x H x W
  ChannelLast* bytes;    // may be null (the flow head's int16 codes have no byte form)
};

// Pixels [first, first + count) in raster order; acc = acc_low + 2^high_shift * acc_high (acc_high
// may be null), each count x C, channel-last.
void requantize_block(const Layer& layer, const int32_t* acc_low, const int32_t* acc_high, int high_shift,
                      int64_t first, int count, const RequantTarget& out);
// The same from int64 accumulators.
void requantize_block(const Layer& layer, const int64_t* acc, int64_t first, int count, const RequantTarget& out);

}  // namespace qflow
