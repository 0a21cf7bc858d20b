// The fast path's working form of a map: channel-last bytes, what oneDNN's int8 kernels read.
// 8-bit codes are one byte; the 12-bit upsampled codes are split into low = u & 255 and
// high = u >> 8, which the convs take as two u8 inputs. Every layer emits this form next to its
// C x H x W codes, so no layer transposes its input.
#pragma once

#include <cstdint>
#include <vector>

#include "package/npy.hpp"

namespace qflow {

// Rows of channel-last bytes read in place: a whole ChannelLast, or some of its rows.
struct ChannelLastView {
  int channels = 0, height = 0, width = 0;
  const uint8_t* low = nullptr;
  const uint8_t* high = nullptr;  // null unless the codes exceed 8 bits

  bool split() const { return high != nullptr; }
  size_t size() const { return size_t(channels) * height * width; }
};

struct ChannelLast {
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> low, high;  // H x W x C each; high is empty unless the codes exceed 8 bits

  bool split() const { return !high.empty(); }
  // Rows [first, first + count).
  ChannelLastView rows(int first, int count) const {
    const size_t at = size_t(first) * width * channels;
    return {channels, count, width, low.data() + at, split() ? high.data() + at : nullptr};
  }
  operator ChannelLastView() const { return rows(0, height); }
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
