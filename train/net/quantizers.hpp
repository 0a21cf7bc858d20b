// The seed's quantizers (DESIGN section 2) as fake-quant ops with straight-through gradients.
// bits = 0 means float: no quantization.
#pragma once

#include <torch/torch.h>

namespace qflow::train {

// Activation: a = clamp(floor(0.25 z 2^b + 0.5), 0, 2^b - 1), value a * 4 / 2^b. Backward:
// straight through inside (0, max), zero outside (the seed's clipped STE).
torch::Tensor quantize_activation(const torch::Tensor& z, int bits);
// The activation codes of a quantized value tensor (value * 2^b / 4), as int64.
torch::Tensor activation_codes(const torch::Tensor& value, int bits);

// Weight: code w = clamp(floor(v / r * 2^(b-1) + 0.5), -2^(b-1), 2^(b-1) - 1), value w r / 2^(b-1).
// The float shadow weights get the gradient of the quantized ones (the seed's
// save / quantize / restore, as an identity straight-through estimator).
torch::Tensor quantize_weight(const torch::Tensor& w, int bits, double range);
torch::Tensor weight_codes(const torch::Tensor& w, int bits, double range);

// Flow in 1/2^frac_bits pixel, saturated to int16 codes; straight through.
torch::Tensor quantize_flow(const torch::Tensor& flow, int frac_bits);

}  // namespace qflow::train
