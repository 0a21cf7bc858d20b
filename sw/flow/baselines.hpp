// The classical flow methods a user compares a network with: OpenCV's DIS and Farneback.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "image_pair.hpp"

namespace qflow {

enum class Baseline { Dis, Farneback };

// Throws FlowIoError for an unknown name ("dis" or "farneback").
Baseline parse_baseline(const std::string& name);
// CV_32FC2 flow from img1 to img2, computed on the grey images.
cv::Mat compute_baseline_flow(Baseline method, const ImagePair& pair);

}  // namespace qflow
