// BatchNorm whose batch statistics span every rank of a data-parallel run (SyncBatchNorm), so that
// N ranks of batch B train as one process of batch N x B would. Each rank sums its per-channel
// count, sum and sum of squares (about the running mean, which every rank holds alike, so the
// float sums cancel little), and `rank_sum` adds them up across ranks: it must be differentiable,
// its backward summing the gradients across ranks too.
#pragma once

#include <functional>

#include <torch/torch.h>

namespace qflow::train {

using RankSum = std::function<torch::Tensor(const torch::Tensor&)>;

// Training mode only: normalizes with the statistics of all ranks' batches and updates `bn`'s
// running mean and variance (unbiased) with them, as BatchNorm2d would over the whole batch.
torch::Tensor synced_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn, const RankSum& rank_sum);

}  // namespace qflow::train
