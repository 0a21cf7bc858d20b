#include "requant_params.hpp"

#include <algorithm>
#include <cmath>

namespace qflow {

void set_requant(Layer& layer, const std::vector<double>& m, const std::vector<double>& o) {
  double max_m = 0, max_o = 0;
  for (double v : m) max_m = std::max(max_m, std::abs(v));
  for (double v : o) max_o = std::max(max_o, std::abs(v));
  const double limit = std::ldexp(1.0, kMultBits - 1);
  int shift = kMaxShift;
  while (shift > 0 && (max_m * std::ldexp(1.0, shift) >= limit - 1 || max_o * std::ldexp(1.0, shift) >= 0x1p60))
    --shift;
  layer.shift = shift;
  layer.mult.resize(m.size());
  layer.bias.resize(m.size());
  for (size_t c = 0; c < m.size(); ++c) {
    layer.mult[c] = std::llround(m[c] * std::ldexp(1.0, shift));
    layer.bias[c] = std::llround(o[c] * std::ldexp(1.0, shift)) + (shift > 0 ? int64_t(1) << (shift - 1) : 0);
  }
}

}  // namespace qflow
