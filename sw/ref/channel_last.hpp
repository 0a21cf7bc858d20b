// The fast path's working form of a map: channel-last bytes, what oneDNN's int8 kernels read.
// 8-bit codes are one byte; the 12-bit upsampled codes are split into low = u & 255 and
// high = u >> 8, which the convs take as two u8 inputs. Every layer emits this form next to its
// C x H x W codes, so no layer transposes its input.
#pragma once

#include <cstdint>
#include <vector>

#include "package/npy.hpp"

namespace qflow {

struct ChannelLast {
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> low, high;  // H x W x C each; high is empty unless the codes exceed 8 bits

  bool split() const { return !high.empty(); }
  void resize(int c, int h, int w, bool with_high) {
    channels = c;
    height = h;
    width = w;
    low.resize(size_t(c) * h * w);
    high.resize(with_high ? low.size() : 0);
  }
};

// Below this many codes a layout pass runs on the calling thread: forking threads would cost more
// than the copy (the accelerator model converts one row at a time).
inline constexpr int64_t kParallelCodes = int64_t(1) << 16;

// The transposing conversion, for the graph input only; `split` for codes wider than 8 bits.
void to_channel_last(const CodeMap& chw, bool split, ChannelLast& out);

// Sizes the output forms a layer writes (either may be null; buffers are reused across frames).
void resize_outputs(int channels, int height, int width, CodeMap* codes, ChannelLast* bytes);

}  // namespace qflow
