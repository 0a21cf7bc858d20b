// The Middlebury flow colour coding (Baker et al. 2011): hue = direction, saturation = magnitude.
#pragma once

#include <opencv2/core.hpp>

namespace qflow {

// CV_8UC3 in OpenCV's BGR order (ready for imwrite). Magnitudes are normalized by max_flow when
// it is positive, else by the largest known magnitude; unknown pixels (|u| or |v| > 1e9, or not
// finite) are black.
cv::Mat colorize_flow(const cv::Mat& flow, float max_flow = 0.0f);

// The wheel itself: 55 RGB colours, red -> yellow -> green -> cyan -> blue -> magenta.
const std::vector<cv::Vec3b>& color_wheel();

}  // namespace qflow
