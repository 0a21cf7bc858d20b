#include "requant_rows.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "cpu_clones.hpp"

namespace qflow {
namespace {

struct RequantParams {
  const int64_t* mult;
  const int64_t* bias;
  int shift;
  int64_t lo, hi;  // [0, 2^b - 1] for activations, int16 for the flow head
  int high_shift;  // weight 2^high_shift of the high part's accumulator (split inputs)
};

RequantParams params_of(const Layer& layer, int high_shift) {
  const bool head = layer.op == LayerOp::FlowHead;
  return {layer.mult.data(), layer.bias.data(), layer.shift, head ? INT16_MIN : 0,
          head ? INT16_MAX : (int64_t(1) << layer.out_bits) - 1, high_shift};
}

// One pixel's channels, channel-last in and out: contiguous, so it vectorizes over channels.
template <typename AccLow, bool kSplit>
inline __attribute__((always_inline)) void requantize_pixel_body(const RequantParams& p, const AccLow* low,
                                                                 const int32_t* high, int channels, int16_t* out) {
  for (int c = 0; c < channels; ++c) {
    int64_t acc = int64_t(low[c]);
    if constexpr (kSplit) acc += int64_t(high[c]) * (int64_t(1) << p.high_shift);
    const int64_t v = (acc * p.mult[c] + p.bias[c]) >> p.shift;
    out[c] = int16_t(std::clamp(v, p.lo, p.hi));
  }
}

// The body cloned per CPU (AVX-512's 64-bit multiply where the CPU has it), one function per
// accumulator kind.
QFLOW_CPU_CLONES void requantize_pixel_split(const RequantParams& p, const int32_t* low, const int32_t* high,
                                             int channels, int16_t* out) {
  requantize_pixel_body<int32_t, true>(p, low, high, channels, out);
}
QFLOW_CPU_CLONES void requantize_pixel_int32(const RequantParams& p, const int32_t* low, int channels, int16_t* out) {
  requantize_pixel_body<int32_t, false>(p, low, nullptr, channels, out);
}
QFLOW_CPU_CLONES void requantize_pixel_int64(const RequantParams& p, const int64_t* low, int channels, int16_t* out) {
  requantize_pixel_body<int64_t, false>(p, low, nullptr, channels, out);
}

// Requantize channel-last into a scratch tile, then write it out in both layouts.
template <typename AccLow, bool kSplit>
void requantize(const Layer& layer, const AccLow* low, const int32_t* high, int high_shift, int64_t first,
                int count, const RequantTarget& out) {
  const RequantParams p = params_of(layer, high_shift);
  const int channels = layer.cout;
  thread_local std::vector<int16_t> tile;
  tile.resize(size_t(count) * channels);
  for (int i = 0; i < count; ++i) {
    const AccLow* pixel = low + size_t(i) * channels;
    int16_t* codes_out = tile.data() + size_t(i) * channels;
    if constexpr (kSplit)
      requantize_pixel_split(p, pixel, high + size_t(i) * channels, channels, codes_out);
    else if constexpr (std::is_same_v<AccLow, int32_t>)
      requantize_pixel_int32(p, pixel, channels, codes_out);
    else
      requantize_pixel_int64(p, pixel, channels, codes_out);
  }
  CodeMap& codes = *out.codes;
  const size_t plane = size_t(codes.height) * codes.width;
  for (int c = 0; c < channels; ++c) {
    int16_t* dst = codes.codes.data() + c * plane + first;
    for (int i = 0; i < count; ++i) dst[i] = tile[size_t(i) * channels + c];
  }
  if (out.bytes) std::copy(tile.begin(), tile.end(), out.bytes->low.begin() + first * channels);
}

}  // namespace

void requantize_block(const Layer& layer, const int32_t* acc_low, const int32_t* acc_high, int high_shift,
                      int64_t first, int count, const RequantTarget& out) {
  if (acc_high)
    requantize<int32_t, true>(layer, acc_low, acc_high, high_shift, first, count, out);
  else
    requantize<int32_t, false>(layer, acc_low, nullptr, 0, first, count, out);
}

void requantize_block(const Layer& layer, const int64_t* acc, int64_t first, int count, const RequantTarget& out) {
  requantize<int64_t, false>(layer, acc, nullptr, 0, first, count, out);
}

}  // namespace qflow
