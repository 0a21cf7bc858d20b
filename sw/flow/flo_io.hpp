// Middlebury .flo files (float32 magic 202021.25, int32 width, height, then u, v interleaved).
#pragma once

#include <filesystem>

#include <opencv2/core.hpp>

namespace qflow {

// CV_32FC2. Throws FlowIoError naming the file and the problem (missing, bad magic, bad size...).
cv::Mat read_flo(const std::filesystem::path& file);
void write_flo(const std::filesystem::path& file, const cv::Mat& flow);

}  // namespace qflow
