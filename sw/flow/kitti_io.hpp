// KITTI flow PNGs: 16-bit RGB, R = u * 64 + 2^15, G = v * 64 + 2^15, B = valid (0 or 1).
#pragma once

#include <filesystem>

#include <opencv2/core.hpp>

namespace qflow {

struct KittiFlow {
  cv::Mat flow;   // CV_32FC2
  cv::Mat valid;  // CV_8U, 1 where the ground truth is known
};

KittiFlow read_kitti_flow(const std::filesystem::path& file);
// Pixels with an empty mask entry are written as invalid; values are clamped to the +-512 px range.
void write_kitti_flow(const std::filesystem::path& file, const cv::Mat& flow, const cv::Mat& valid = {});

}  // namespace qflow
