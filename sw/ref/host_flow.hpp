// What the host does with the flow head's codes: scale to pixels and upsample x4 to full size.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "flow/image_pair.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

// The 6 x H x W input codes: R, G, B of image 1 then of image 2 (both CV_8UC3 in RGB order).
CodeMap stack_input(const cv::Mat& rgb1, const cv::Mat& rgb2);

// Throws FlowIoError when the pair's size is not the package's input size.
void check_pair_size(const ImagePair& pair, const Package& package);
// The network input for a pair (its size checked).
CodeMap input_codes(const ImagePair& pair, const Package& package);

// Full-resolution float flow (CV_32FC2, u then v, pixels) from the flow head's 2 x H/4 x W/4
// int16 codes in 1/2^flow_frac_bits pixel: bilinear x4 as PyTorch's align_corners = false.
cv::Mat flow_from_head(const CodeMap& head, const Package& package);

}  // namespace qflow
