#include "synced_batch_norm.hpp"

namespace qflow::train {

torch::Tensor synced_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn, const RankSum& rank_sum) {
  const int64_t channels = x.size(1);
  const auto per_channel = [channels](const torch::Tensor& t) { return t.view({1, channels, 1, 1}); };
  // Statistics in float also under bfloat16 autocast.
  const torch::Tensor shifted = x.to(torch::kFloat) - per_channel(bn.running_mean);
  const double count = double(x.size(0) * x.size(2) * x.size(3));
  const torch::Tensor sums = rank_sum(torch::stack(
      {shifted.sum({0, 2, 3}), shifted.square().sum({0, 2, 3}), torch::full({channels}, count, x.options().dtype(torch::kFloat))}));
  const torch::Tensor n = sums[2];
  const torch::Tensor mean_shift = sums[0] / n;
  const torch::Tensor var = (sums[1] / n - mean_shift.square()).clamp_min(0);
  const torch::Tensor mean = mean_shift + bn.running_mean;
  {
    torch::NoGradGuard no_grad;
    const double momentum = bn.options.momentum().value();
    bn.running_mean.mul_(1 - momentum).add_(mean.detach(), momentum);
    bn.running_var.mul_(1 - momentum).add_(var.detach() * n / (n - 1), momentum);
    bn.num_batches_tracked.add_(1);
  }
  const torch::Tensor normalized = (shifted - per_channel(mean_shift)) * per_channel(torch::rsqrt(var + bn.options.eps()));
  return normalized * per_channel(bn.weight) + per_channel(bn.bias);
}

}  // namespace qflow::train
