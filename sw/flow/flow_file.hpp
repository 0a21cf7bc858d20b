// Any flow file a user hands the tools, by extension: Middlebury .flo or KITTI 16-bit .png.
#pragma once

#include <filesystem>

#include "kitti_io.hpp"

namespace qflow {

// The flow and its validity mask (CV_8U). Throws FlowIoError for other extensions.
KittiFlow read_flow_file(const std::filesystem::path& file);
void write_flow_file(const std::filesystem::path& file, const cv::Mat& flow);

}  // namespace qflow
