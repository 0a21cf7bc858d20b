#include "hwc_map.hpp"

namespace qflow {

HwcMap to_hwc(const CodeMap& chw) {
  HwcMap out(chw.channels, chw.height, chw.width);
  const size_t plane = size_t(chw.height) * chw.width;
#pragma omp parallel for
  for (int y = 0; y < chw.height; ++y)
    for (int x = 0; x < chw.width; ++x) {
      int16_t* dst = out.pixel(y, x);
      const size_t at = size_t(y) * chw.width + x;
      for (int c = 0; c < chw.channels; ++c) dst[c] = chw.codes[c * plane + at];
    }
  return out;
}

CodeMap to_chw(const HwcMap& hwc) {
  CodeMap out{hwc.channels, hwc.height, hwc.width, {}};
  out.codes.resize(hwc.codes.size());
  const size_t plane = size_t(hwc.height) * hwc.width;
  constexpr int kTile = 16;  // a pixel tile keeps both sides of the transpose in cache
#pragma omp parallel for
  for (int y = 0; y < hwc.height; ++y)
    for (int x0 = 0; x0 < hwc.width; x0 += kTile) {
      const int x1 = std::min(x0 + kTile, hwc.width);
      for (int c = 0; c < hwc.channels; ++c) {
        int16_t* dst = out.codes.data() + c * plane + size_t(y) * hwc.width;
        for (int x = x0; x < x1; ++x) dst[x] = hwc.pixel(y, x)[c];
      }
    }
  return out;
}

}  // namespace qflow
