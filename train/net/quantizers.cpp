#include "quantizers.hpp"

#include <cmath>

namespace qflow::train {

torch::Tensor quantize_activation(const torch::Tensor& z, int bits) {
  if (bits == 0) return torch::relu(z);
  const double levels = std::ldexp(1.0, bits);
  const double max_value = 4.0 * (levels - 1) / levels;
  const torch::Tensor clipped = torch::clamp(z, 0.0, max_value);  // gradient 1 inside, 0 outside
  const torch::Tensor codes = torch::clamp(torch::floor(0.25 * z * levels + 0.5), 0.0, levels - 1);
  return clipped + (codes * (4.0 / levels) - clipped).detach();
}

torch::Tensor activation_codes(const torch::Tensor& value, int bits) {
  return torch::round(value * (std::ldexp(1.0, bits) / 4.0)).to(torch::kInt64);
}

torch::Tensor weight_codes(const torch::Tensor& w, int bits, double range) {
  const double half = std::ldexp(1.0, bits - 1);
  return torch::clamp(torch::floor(w / range * half + 0.5), -half, half - 1);
}

torch::Tensor quantize_weight(const torch::Tensor& w, int bits, double range) {
  if (bits == 0) return w;
  const torch::Tensor value = weight_codes(w, bits, range) * (range / std::ldexp(1.0, bits - 1));
  return w + (value - w).detach();
}

torch::Tensor quantize_flow(const torch::Tensor& flow, int frac_bits) {
  const double scale = std::ldexp(1.0, frac_bits);
  const torch::Tensor codes = torch::clamp(torch::floor(flow * scale + 0.5), -32768.0, 32767.0);
  return flow + (codes / scale - flow).detach();
}

}  // namespace qflow::train
