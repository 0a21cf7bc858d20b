#include "flow_color.hpp"

#include <cmath>

#include "flow_metrics.hpp"
#include "errors.hpp"

namespace qflow {

const std::vector<cv::Vec3b>& color_wheel() {
  // Segment lengths chosen by Baker et al. for perceptual uniformity.
  static const std::vector<cv::Vec3b> wheel = [] {
    constexpr int kRY = 15, kYG = 6, kGC = 4, kCB = 11, kBM = 13, kMR = 6;
    std::vector<cv::Vec3b> w;
    const auto ramp = [](int i, int n) { return uchar(255 * i / n); };
    for (int i = 0; i < kRY; ++i) w.emplace_back(255, ramp(i, kRY), 0);
    for (int i = 0; i < kYG; ++i) w.emplace_back(255 - ramp(i, kYG), 255, 0);
    for (int i = 0; i < kGC; ++i) w.emplace_back(0, 255, ramp(i, kGC));
    for (int i = 0; i < kCB; ++i) w.emplace_back(0, 255 - ramp(i, kCB), 255);
    for (int i = 0; i < kBM; ++i) w.emplace_back(ramp(i, kBM), 0, 255);
    for (int i = 0; i < kMR; ++i) w.emplace_back(255, 0, 255 - ramp(i, kMR));
    return w;
  }();
  return wheel;
}

cv::Mat colorize_flow(const cv::Mat& flow, float max_flow) {
  if (flow.type() != CV_32FC2) throw FlowIoError("colorize_flow: expects a CV_32FC2 flow");
  const cv::Mat known = valid_flow_mask(flow);
  float max_rad = max_flow;
  if (!(max_rad > 0)) {
    max_rad = 0;
    for (int y = 0; y < flow.rows; ++y)
      for (int x = 0; x < flow.cols; ++x)
        if (known.at<uint8_t>(y, x)) {
          const cv::Vec2f f = flow.at<cv::Vec2f>(y, x);
          max_rad = std::max(max_rad, std::hypot(f[0], f[1]));
        }
  }
  if (!(max_rad > 0)) max_rad = 1;  // all-zero flow: everything white
  const auto& wheel = color_wheel();
  const int ncols = int(wheel.size());
  cv::Mat bgr(flow.size(), CV_8UC3, cv::Scalar::all(0));
  for (int y = 0; y < flow.rows; ++y)
    for (int x = 0; x < flow.cols; ++x) {
      if (!known.at<uint8_t>(y, x)) continue;
      const cv::Vec2f f = flow.at<cv::Vec2f>(y, x) / max_rad;
      const float rad = std::hypot(f[0], f[1]);
      const float a = std::atan2(-f[1], -f[0]) / float(CV_PI);
      const float fk = (a + 1) / 2 * float(ncols - 1);
      const int k0 = int(fk), k1 = (k0 + 1) % ncols;
      const float frac = fk - float(k0);
      cv::Vec3b& out = bgr.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) {
        float col = (1 - frac) * float(wheel[k0][c]) / 255 + frac * float(wheel[k1][c]) / 255;
        col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75f;  // out of range: darker
        out[2 - c] = uchar(int(255 * col));
      }
    }
  return bgr;
}

}  // namespace qflow
