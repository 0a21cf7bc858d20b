// Channel-last codes, the layout the fast path computes in (what oneDNN's int8 kernels and
// contiguous patch rows want); CodeMap (C x H x W) is the layout the contract exchanges.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "package/npy.hpp"

namespace qflow {

struct HwcMap {
  int channels = 0, height = 0, width = 0;
  std::vector<int16_t> codes;  // H x W x C

  HwcMap() = default;
  HwcMap(int c, int h, int w) : channels(c), height(h), width(w), codes(size_t(c) * h * w) {}
  int16_t* pixel(int y, int x) { return codes.data() + (size_t(y) * width + x) * channels; }
  const int16_t* pixel(int y, int x) const { return codes.data() + (size_t(y) * width + x) * channels; }
};

HwcMap to_hwc(const CodeMap& chw);
CodeMap to_chw(const HwcMap& hwc);

}  // namespace qflow
