// The seed's quantizers (DESIGN section 2) as fake-quant ops with straight-through gradients.
// bits = 0 means float: no quantization.
#pragma once

#include <torch/torch.h>

namespace qflow::train {

// Activation: a = clamp(floor(0.25 z 2^b + 0.5), 0, 2^b - 1), value a * 4 / 2^b. Backward:
// straight through inside (0, max), zero outside (the seed's clipped STE).
torch::Tensor quantize_activation(const torch::Tensor& z, int bits);

// Weight: code w = clamp(floor(v / r * 2^(b-1) + 0.5), -2^(b-1), 2^(b-1) - 1), value w r / 2^(b-1).
// The float shadow weights get the gradient of the quantized ones (the seed's
// save / quantize / restore, as an identity straight-through estimator).
torch::Tensor quantize_weight(const torch::Tensor& w, int bits, double range);
torch::Tensor weight_codes(const torch::Tensor& w, int bits, double range);

// Learned ranges (LSQ, Esser et al. 2020): the same codes as above, but the activation step `step`
// (4 / 2^b above) and the weight range `range` are trained. Their gradients are scaled by
// 1/sqrt(elements x top code), as LSQ does, so that they move at the pace of the weights. Both
// still export to the integer contract: the scales fold into the requant multipliers.
torch::Tensor quantize_activation_learned(const torch::Tensor& z, int bits, const torch::Tensor& step);
torch::Tensor quantize_weight_learned(const torch::Tensor& w, int bits, const torch::Tensor& range);

// Flow in 1/2^frac_bits pixel, saturated to int16 codes; straight through.
torch::Tensor quantize_flow(const torch::Tensor& flow, int frac_bits);

}  // namespace qflow::train
