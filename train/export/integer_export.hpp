// From a trained FlowNetQ to the model package: BN and the quantizers folded into the requant
// integers of DESIGN section 2, the integer path computed exactly (float64 sums of integer
// products are exact below 2^53; requant in int64), and golden cases.
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "data/flow_dataset.hpp"
#include "net/flownet_q.hpp"
#include "package/package.hpp"

namespace qflow::train {

// The package's layers with weight codes and requant integers (eval-mode BN statistics).
Package fold_package(FlowNetQ& net);

// Every layer's integer codes (int64, N x C x H x W) for images in [0, 255].
std::vector<torch::Tensor> integer_forward(const Package& package, const torch::Tensor& img1, const torch::Tensor& img2);
// The float fake-quant path's codes of the same layers (activation, 1/16-unit or 1/32-px codes).
std::vector<torch::Tensor> fake_quant_codes(FlowNetQ& net, const torch::Tensor& img1, const torch::Tensor& img2);
// Full-resolution flow in pixels from the integer path's flow head codes.
torch::Tensor integer_flow(const Package& package, const torch::Tensor& head_codes);

// Between (C, H, W) tensors and OpenCV: RGB images in [0, 255] and flows.
cv::Mat to_rgb_mat(const torch::Tensor& image);
cv::Mat to_flow_mat(const torch::Tensor& flow);
torch::Tensor from_flow_mat(const cv::Mat& flow);  // (1, 2, H, W)

struct ExportOptions {
  int golden_cases = 1;
  int eval_samples = 64;
};

// Writes the package and golden/<case>/ (images, codes, flow) for the first samples of `data`,
// with per-layer float-vs-integer differences and both paths' EPE in the provenance.
void export_package(FlowNetQ& net, const FlowDataset& data, const nlohmann::json& provenance,
                    const ExportOptions& options, const std::filesystem::path& out);

}  // namespace qflow::train
