#include "flow_metrics.hpp"

#include <cmath>

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow {
namespace {
constexpr float kUnknownFlow = 1e9f;
}

cv::Mat valid_flow_mask(const cv::Mat& flow) {
  cv::Mat mask(flow.size(), CV_8U);
  for (int y = 0; y < flow.rows; ++y)
    for (int x = 0; x < flow.cols; ++x) {
      const cv::Vec2f f = flow.at<cv::Vec2f>(y, x);
      mask.at<uint8_t>(y, x) = std::isfinite(f[0]) && std::isfinite(f[1]) &&
                               std::abs(f[0]) <= kUnknownFlow && std::abs(f[1]) <= kUnknownFlow;
    }
  return mask;
}

FlowMetrics flow_metrics(const cv::Mat& gt, const cv::Mat& estimate, const cv::Mat& mask) {
  if (gt.type() != CV_32FC2 || estimate.type() != CV_32FC2)
    throw FlowIoError("flow_metrics: both flows must be CV_32FC2");
  if (gt.size() != estimate.size())
    throw FlowIoError(fmt::format("flow_metrics: ground truth is {}x{}, estimate is {}x{}", gt.cols,
                                  gt.rows, estimate.cols, estimate.rows));
  if (!mask.empty() && (mask.type() != CV_8U || mask.size() != gt.size()))
    throw FlowIoError("flow_metrics: the mask must be CV_8U of the flows' size");
  const cv::Mat known = valid_flow_mask(gt);
  const cv::Mat est_known = valid_flow_mask(estimate);
  FlowMetrics m;
  double epe_sum = 0, l1_sum = 0;
  int64_t outliers = 0;
  for (int y = 0; y < gt.rows; ++y)
    for (int x = 0; x < gt.cols; ++x) {
      if (!known.at<uint8_t>(y, x) || (!mask.empty() && !mask.at<uint8_t>(y, x))) continue;
      if (!est_known.at<uint8_t>(y, x))
        throw FlowIoError(fmt::format("flow_metrics: the estimate is not finite at ({}, {})", x, y));
      const cv::Vec2f g = gt.at<cv::Vec2f>(y, x), f = estimate.at<cv::Vec2f>(y, x);
      const double du = double(f[0]) - g[0], dv = double(f[1]) - g[1];
      const double epe = std::hypot(du, dv);
      epe_sum += epe;
      l1_sum += std::abs(du) + std::abs(dv);
      outliers += epe > 3.0 && epe > 0.05 * std::hypot(double(g[0]), double(g[1]));
      ++m.valid;
    }
  if (m.valid == 0) throw FlowIoError("flow_metrics: no pixel has known ground truth");
  m.epe = epe_sum / double(m.valid);
  m.l1 = l1_sum / double(2 * m.valid);
  m.fl = 100.0 * double(outliers) / double(m.valid);
  return m;
}

}  // namespace qflow
