#include "quantizers.hpp"

#include <cmath>

namespace qflow::train {

// Fake quantization rounds in float: under bfloat16 autocast a pre-activation of up to 2^8 codes
// would round to the nearest bfloat16 (8 significant bits) before it rounds to a code.
torch::Tensor quantize_activation(const torch::Tensor& z_in, int bits) {
  if (bits == 0) return torch::relu(z_in);
  const torch::Tensor z = z_in.to(torch::kFloat);
  const double levels = std::ldexp(1.0, bits);
  const double max_value = 4.0 * (levels - 1) / levels;
  const torch::Tensor clipped = torch::clamp(z, 0.0, max_value);  // gradient 1 inside, 0 outside
  const torch::Tensor codes = torch::clamp(torch::floor(0.25 * z * levels + 0.5), 0.0, levels - 1);
  return clipped + (codes * (4.0 / levels) - clipped).detach();
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

namespace {

// The value of `x` forward, its gradient times `scale` backward.
torch::Tensor scale_gradient(const torch::Tensor& x, double scale) { return (x - x * scale).detach() + x * scale; }

// Round half up with a straight-through gradient.
torch::Tensor round_straight_through(const torch::Tensor& v) { return v + (torch::floor(v + 0.5) - v).detach(); }

}  // namespace

torch::Tensor quantize_activation_learned(const torch::Tensor& z_in, int bits, const torch::Tensor& step) {
  const torch::Tensor z = z_in.to(torch::kFloat);
  const double top = std::ldexp(1.0, bits) - 1;
  const torch::Tensor s = scale_gradient(step.clamp_min(1e-6), 1.0 / std::sqrt(double(z.numel()) * top));
  return round_straight_through(torch::clamp(z / s, 0.0, top)) * s;
}

torch::Tensor quantize_weight_learned(const torch::Tensor& w, int bits, const torch::Tensor& range) {
  const double half = std::ldexp(1.0, bits - 1);
  const torch::Tensor r = scale_gradient(range.clamp_min(1e-6), 1.0 / std::sqrt(double(w.numel()) * (half - 1)));
  return round_straight_through(torch::clamp(w / r * half, -half, half - 1)) * (r / half);
}

torch::Tensor quantize_flow(const torch::Tensor& flow_in, int frac_bits) {
  const torch::Tensor flow = flow_in.to(torch::kFloat);
  const double scale = std::ldexp(1.0, frac_bits);
  const torch::Tensor codes = torch::clamp(torch::floor(flow * scale + 0.5), -32768.0, 32767.0);
  return flow + (codes / scale - flow).detach();
}

}  // namespace qflow::train
