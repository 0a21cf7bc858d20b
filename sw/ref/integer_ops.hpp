// The scalar pieces of the integer contract (DESIGN section 2), shared by every implementation.
#pragma once

#include <algorithm>
#include <cstdint>

namespace qflow {

// The codes a requant may give: [0, 2^out_bits - 1] for activations, int16 for the flow head.
struct CodeRange {
  int64_t lo, hi;
};
inline CodeRange code_range(int out_bits, bool flow_head) {
  return flow_head ? CodeRange{INT16_MIN, INT16_MAX} : CodeRange{0, (int64_t(1) << out_bits) - 1};
}

// a_out = clamp((acc * M + B) >> S, 0, 2^out_bits - 1), or saturated to int16 for the flow head.
// >> on a negative int64 is an arithmetic shift (floor) on every compiler qflow supports (C++20
// makes it normative); B already holds the 2^(S-1) rounding term.
inline int16_t requantize(int64_t acc, int64_t mult, int64_t bias, int shift, CodeRange range) {
  return int16_t(std::clamp<int64_t>((acc * mult + bias) >> shift, range.lo, range.hi));
}
inline int16_t requantize(int64_t acc, int64_t mult, int64_t bias, int shift, int out_bits,
                          bool flow_head) {
  return requantize(acc, mult, bias, shift, code_range(out_bits, flow_head));
}

// Bilinear x2 (align_corners = false) along one axis, in quarters: output index o takes
// 1*a[max(i-1,0)] + 3*a[i] when o = 2i, and 3*a[i] + 1*a[min(i+1,n-1)] when o = 2i+1.
struct UpsampleTaps {
  int near, far;  // the 3/4 and the 1/4 source index, clamped at the borders
};
inline UpsampleTaps upsample_taps(int o, int n) {
  const int i = o / 2;
  const int far = (o % 2 == 0) ? std::max(i - 1, 0) : std::min(i + 1, n - 1);
  return {i, far};
}

}  // namespace qflow
