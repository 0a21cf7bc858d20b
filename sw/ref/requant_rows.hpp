// The requant stage of the fast kernels: a block of output pixels' accumulators (channel-last, as
// the conv kernels produce them) requantized into the layer's C x H x W codes and/or, for layers
// whose codes fit a byte, into the next layers' channel-last bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "channel_last.hpp"
#include "integer_ops.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

// Pixels per block: a block's channel-last scratch stays in L1/L2 for every FlowNetQ width.
inline constexpr int kRequantBlock = 32;

// A layer's requant constants as the vector loop wants them, made once per kernel: the
// multipliers as int32 (every |M_c| fits kMultBits), so that acc * M_c is one widening multiply.
struct RequantTable {
  std::vector<int32_t> mult;
  std::vector<int64_t> bias;
  int shift = 0;
  CodeRange range{};
};
RequantTable requant_table(const Layer& layer);

struct RequantTarget {
  CodeMap* codes;        // C x H x W; may be null when bytes is not
  ChannelLast* bytes;    // may be null (the flow head's int16 codes have no byte form)
};

// Pixels [first, first + count) in raster order; acc = acc_low + 2^high_shift * acc_high (acc_high
// may be null), channel-last, each pixel's C accumulators `stride` apart (C or more: a kernel's
// channel blocks may hold unused channels at the end).
void requantize_block(const RequantTable& table, const int32_t* acc_low, const int32_t* acc_high, int high_shift,
                      int64_t stride, int64_t first, int count, const RequantTarget& out);
// The same from int64 accumulators.
void requantize_block(const RequantTable& table, const int64_t* acc, int64_t stride, int64_t first, int count,
                      const RequantTarget& out);

}  // namespace qflow
