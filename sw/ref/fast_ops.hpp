// The fast path's non-conv operations, on both forms of a map: C x H x W codes (vectorized along
// rows) and channel-last bytes (vectorized along channels). Outputs are resized as needed.
#pragma once

#include <cstdint>
#include <vector>

#include "channel_last.hpp"
#include "package/npy.hpp"

namespace qflow {

void fast_upsample2x(const CodeMap& in, CodeMap& out);
// 8-bit channel-last in; the 1/16-unit result split into low and high bytes.
void fast_upsample2x(const ChannelLast& in, ChannelLast& out);
// One output row of that upsample: `near` and `far` the two source rows (w x channels bytes each),
// `low` and `high` get 2 w x channels bytes each.
void upsample2x_row(const uint8_t* near, const uint8_t* far, int w, int channels, uint8_t* low, uint8_t* high);
void fast_concat(const std::vector<const CodeMap*>& ins, CodeMap& out);
void fast_concat(const std::vector<const ChannelLast*>& ins, ChannelLast& out);

}  // namespace qflow
