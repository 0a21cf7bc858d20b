#include "requant_rows.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>

#include "cpu_clones.hpp"

namespace qflow {
namespace {

// One pixel's channels, channel-last in and out: contiguous, so it vectorizes over channels.
template <typename AccLow, bool kSplit>
inline __attribute__((always_inline)) void requantize_pixel_body(const RequantTable& t, const AccLow* low,
                                                                 const int32_t* high, int high_shift,
                                                                 int channels, int16_t* out) {
  const int32_t* mult = t.mult.data();
  const int64_t* bias = t.bias.data();
  for (int c = 0; c < channels; ++c) {
    int64_t acc = int64_t(low[c]);
    if constexpr (kSplit) acc += int64_t(high[c]) * (int64_t(1) << high_shift);
    const int64_t v = (acc * int64_t(mult[c]) + bias[c]) >> t.shift;
    out[c] = int16_t(std::clamp(v, t.lo, t.hi));
  }
}

// The body cloned per CPU (AVX-512's 64-bit lanes where the CPU has them), one function per
// accumulator kind.
QFLOW_CPU_CLONES void requantize_pixel_split(const RequantTable& t, const int32_t* low, const int32_t* high,
                                             int high_shift, int channels, int16_t* out) {
  requantize_pixel_body<int32_t, true>(t, low, high, high_shift, channels, out);
}
QFLOW_CPU_CLONES void requantize_pixel_int32(const RequantTable& t, const int32_t* low, int channels, int16_t* out) {
  requantize_pixel_body<int32_t, false>(t, low, nullptr, 0, channels, out);
}
QFLOW_CPU_CLONES void requantize_pixel_int64(const RequantTable& t, const int64_t* low, int channels, int16_t* out) {
  requantize_pixel_body<int64_t, false>(t, low, nullptr, 0, channels, out);
}

// tile (count x channels) -> codes' planes at pixel `first`. Eight channels at a time: each pixel's
// eight codes are one contiguous read, and the eight planes are written in step.
void write_planes(const int16_t* tile, int count, int channels, CodeMap& codes, int64_t first) {
  constexpr int kChannels = 8;
  const size_t plane = size_t(codes.height) * codes.width;
  int16_t* base = codes.codes.data() + first;
  int c0 = 0;
  for (; c0 + kChannels <= channels; c0 += kChannels) {
    int16_t* dst[kChannels];
    for (int j = 0; j < kChannels; ++j) dst[j] = base + (c0 + j) * plane;
    for (int i = 0; i < count; ++i) {
      const int16_t* pixel = tile + size_t(i) * channels + c0;
      for (int j = 0; j < kChannels; ++j) dst[j][i] = pixel[j];
    }
  }
  for (; c0 < channels; ++c0)
    for (int i = 0; i < count; ++i) base[c0 * plane + i] = tile[size_t(i) * channels + c0];
}

// Requantize channel-last into a scratch tile, then write it out in both layouts.
template <typename AccLow, bool kSplit>
void requantize(const RequantTable& t, const AccLow* low, const int32_t* high, int high_shift, int64_t first,
                int count, const RequantTarget& out) {
  const int channels = int(t.mult.size());
  thread_local std::vector<int16_t> tile;
  tile.resize(size_t(count) * channels);
  for (int i = 0; i < count; ++i) {
    const AccLow* pixel = low + size_t(i) * channels;
    int16_t* codes_out = tile.data() + size_t(i) * channels;
    if constexpr (kSplit)
      requantize_pixel_split(t, pixel, high + size_t(i) * channels, high_shift, channels, codes_out);
    else if constexpr (std::is_same_v<AccLow, int32_t>)
      requantize_pixel_int32(t, pixel, channels, codes_out);
    else
      requantize_pixel_int64(t, pixel, channels, codes_out);
  }
  write_planes(tile.data(), count, channels, *out.codes, first);
  if (out.bytes) std::copy(tile.begin(), tile.end(), out.bytes->low.begin() + first * channels);
}

}  // namespace

RequantTable requant_table(const Layer& layer) {
  const bool head = layer.op == LayerOp::FlowHead;
  RequantTable t;
  t.mult.reserve(layer.mult.size());
  for (const int64_t m : layer.mult) {
    if (m < std::numeric_limits<int32_t>::min() || m > std::numeric_limits<int32_t>::max())
      throw std::invalid_argument(fmt::format("layer '{}': mult {} does not fit the {}-bit multiplier", layer.name,
                                              m, kMultBits));
    t.mult.push_back(int32_t(m));
  }
  t.bias = layer.bias;
  t.shift = layer.shift;
  t.lo = head ? INT16_MIN : 0;
  t.hi = head ? INT16_MAX : (int64_t(1) << layer.out_bits) - 1;
  return t;
}

void requantize_block(const RequantTable& table, const int32_t* acc_low, const int32_t* acc_high, int high_shift,
                      int64_t first, int count, const RequantTarget& out) {
  if (acc_high)
    requantize<int32_t, true>(table, acc_low, acc_high, high_shift, first, count, out);
  else
    requantize<int32_t, false>(table, acc_low, nullptr, 0, first, count, out);
}

void requantize_block(const RequantTable& table, const int64_t* acc, int64_t first, int count,
                      const RequantTarget& out) {
  requantize<int64_t, false>(table, acc, nullptr, 0, first, count, out);
}

}  // namespace qflow
