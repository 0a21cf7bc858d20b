#include "baselines.hpp"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "errors.hpp"

namespace qflow {

Baseline parse_baseline(const std::string& name) {
  if (name == "dis") return Baseline::Dis;
  if (name == "farneback") return Baseline::Farneback;
  throw FlowIoError(fmt::format("unknown baseline '{}' (dis or farneback)", name));
}

cv::Mat compute_baseline_flow(Baseline method, const ImagePair& pair) {
  cv::Mat grey1, grey2, flow;
  cv::cvtColor(pair.img1, grey1, cv::COLOR_RGB2GRAY);
  cv::cvtColor(pair.img2, grey2, cv::COLOR_RGB2GRAY);
  if (method == Baseline::Dis) {
    cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM)->calc(grey1, grey2, flow);
  } else {
    // OpenCV's documented example settings: 3 levels at scale 0.5, 15 px window, 3 iterations,
    // 5-pixel polynomial neighbourhood with sigma 1.2.
    cv::calcOpticalFlowFarneback(grey1, grey2, flow, 0.5, 3, 15, 3, 5, 1.2, 0);
  }
  return flow;
}

}  // namespace qflow
