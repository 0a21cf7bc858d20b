// What the trainer needs of a flow network: full-resolution flow, and the training loss.
#pragma once

#include <memory>
#include <string>

#include <torch/torch.h>

#include "synced_batch_norm.hpp"

namespace qflow::train {

class FlowNetwork : public torch::nn::Module {
 public:
  // Full-resolution flow (N, 2, H, W) in pixels from two (N, 3, H, W) images in [0, 255].
  virtual torch::Tensor predict(const torch::Tensor& img1, const torch::Tensor& img2) = 0;
  // The training loss against ground truth (N, 2, H, W) over `valid` (N, 1, H, W).
  virtual torch::Tensor loss(const torch::Tensor& img1, const torch::Tensor& img2, const torch::Tensor& flow,
                             const torch::Tensor& valid) = 0;
  virtual std::string describe() const = 0;
  // In a data-parallel run: how batch statistics are summed across ranks (none: each BatchNorm
  // normalizes over its own batch). A network without BatchNorm has nothing to synchronize.
  virtual void synchronize_batch_norm(RankSum) {}
};

// Mean end-point error and mean |difference| over both components, over valid pixels.
torch::Tensor masked_epe(const torch::Tensor& estimate, const torch::Tensor& flow, const torch::Tensor& valid);
torch::Tensor masked_l1(const torch::Tensor& estimate, const torch::Tensor& flow, const torch::Tensor& valid);

// Bilinear upsampling by an integer factor, align_corners = false (DESIGN's rule for x2 in the
// network and x4 on the host).
torch::Tensor upsample_bilinear(const torch::Tensor& x, double factor);
// Bilinear x4: the host's step from the 1/4-resolution flow head.
inline torch::Tensor upsample_flow4(const torch::Tensor& flow) { return upsample_bilinear(flow, 4.0); }

}  // namespace qflow::train
