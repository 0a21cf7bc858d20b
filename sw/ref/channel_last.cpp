// Layout changes between the contract's C x H x W codes and the fast path's channel-last bytes.
#include "channel_last.hpp"

#include <algorithm>

namespace qflow {

void resize_outputs(int channels, int height, int width, CodeMap* codes, ChannelLast* bytes) {
  if (codes) {
    codes->channels = channels;
    codes->height = height;
    codes->width = width;
    codes->codes.resize(size_t(channels) * height * width);
  }
  if (bytes) bytes->resize(channels, height, width, false);
}

void to_channel_last(const CodeMap& chw, bool split, ChannelLast& out) {
  constexpr int kTile = 32;  // pixels per tile: one cache line of each input plane
  out.resize(chw.channels, chw.height, chw.width, split);
  const int64_t plane = int64_t(chw.height) * chw.width;
  const int channels = chw.channels;
#pragma omp parallel for if (plane * channels >= kParallelCodes)
  for (int64_t p0 = 0; p0 < plane; p0 += kTile) {
    const int64_t p1 = std::min(p0 + kTile, plane);
    for (int c = 0; c < channels; ++c) {
      const int16_t* src = chw.codes.data() + c * plane;
      for (int64_t p = p0; p < p1; ++p) {
        out.low[size_t(p * channels + c)] = uint8_t(src[p] & 255);
        if (split) out.high[size_t(p * channels + c)] = uint8_t(src[p] >> 8);
      }
    }
  }
}

}  // namespace qflow
