// Layout changes between the contract's C x H x W codes and the fast path's channel-last forms.
#pragma once

#include <cstdint>
#include <vector>

#include "channel_last.hpp"

namespace qflow {

// Channel-last int16 codes with a zero border of `pad` pixels: every kernel row of a conv is then
// one contiguous run (qflow's exact kernel).
struct PaddedHwc {
  int channels = 0, height = 0, width = 0;  // including the border
  std::vector<int16_t> codes;
  const int16_t* pixel(int y, int x) const { return codes.data() + (size_t(y) * width + x) * channels; }
};
PaddedHwc to_padded_hwc(const ChannelLast& in, int pad);

}  // namespace qflow
