// Flow accuracy over a validity mask: end-point error, L1 and the KITTI outlier rate.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace qflow {

struct FlowMetrics {
  double epe = 0;    // mean end-point error |f - g|_2 (pixels)
  double l1 = 0;     // mean |f - g| over both components (torch.nn.L1Loss, the seed's loss)
  double fl = 0;     // percent of pixels with EPE > 3 px and > 5 % of |g| (KITTI Fl)
  int64_t valid = 0; // pixels counted
};

// CV_8U mask: 1 where the flow is known (finite, |u| and |v| <= 1e9, Middlebury's convention).
cv::Mat valid_flow_mask(const cv::Mat& flow);

// Over pixels valid in `gt` (and in `mask` when given). Throws FlowIoError on size or type mismatch
// or when no pixel is valid.
FlowMetrics flow_metrics(const cv::Mat& gt, const cv::Mat& estimate, const cv::Mat& mask = {});

}  // namespace qflow
