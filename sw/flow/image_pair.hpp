// Loading the two frames of a pair as 8-bit RGB (grey frames repeated into three channels).
#pragma once

#include <filesystem>

#include <opencv2/core.hpp>

namespace qflow {

struct ImagePair {
  cv::Mat img1, img2;  // CV_8UC3, RGB order
};

cv::Mat load_rgb(const std::filesystem::path& file);
// Throws FlowIoError when a file is missing or unreadable, or the two sizes differ.
ImagePair load_image_pair(const std::filesystem::path& file1, const std::filesystem::path& file2);
void save_rgb(const std::filesystem::path& file, const cv::Mat& rgb);

}  // namespace qflow
