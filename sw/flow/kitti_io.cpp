#include "kitti_io.hpp"

#include <cmath>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "errors.hpp"
#include "image_file.hpp"

namespace qflow {
namespace {
constexpr float kScale = 64.0f;
constexpr float kOffset = 32768.0f;
}  // namespace

KittiFlow read_kitti_flow(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) throw FlowIoError(fmt::format("{}: no such KITTI flow file", file.string()));
  const cv::Mat png = read_image_file(file, cv::IMREAD_UNCHANGED, {ImageFormat::Png});
  if (png.type() != CV_16UC3)
    throw FlowIoError(fmt::format("{}: a KITTI flow PNG is 16-bit RGB, this one has type {}", file.string(),
                                  cv::typeToString(png.type())));
  KittiFlow out{cv::Mat(png.size(), CV_32FC2), cv::Mat(png.size(), CV_8U)};
  for (int y = 0; y < png.rows; ++y)
    for (int x = 0; x < png.cols; ++x) {
      const cv::Vec3w bgr = png.at<cv::Vec3w>(y, x);  // OpenCV orders channels B, G, R
      out.flow.at<cv::Vec2f>(y, x) = {(float(bgr[2]) - kOffset) / kScale, (float(bgr[1]) - kOffset) / kScale};
      out.valid.at<uint8_t>(y, x) = bgr[0] ? 1 : 0;
    }
  return out;
}

void write_kitti_flow(const std::filesystem::path& file, const cv::Mat& flow, const cv::Mat& valid) {
  if (flow.type() != CV_32FC2 || flow.empty())
    throw FlowIoError(fmt::format("{}: only a non-empty CV_32FC2 flow can be written", file.string()));
  if (!valid.empty() && (valid.type() != CV_8U || valid.size() != flow.size()))
    throw FlowIoError(fmt::format("{}: the validity mask must be CV_8U of the flow's size", file.string()));
  cv::Mat png(flow.size(), CV_16UC3);
  const auto encode = [](float v) {
    return cv::saturate_cast<uint16_t>(std::lround(v * kScale + kOffset));
  };
  for (int y = 0; y < flow.rows; ++y)
    for (int x = 0; x < flow.cols; ++x) {
      const cv::Vec2f f = flow.at<cv::Vec2f>(y, x);
      const bool ok = std::isfinite(f[0]) && std::isfinite(f[1]) && (valid.empty() || valid.at<uint8_t>(y, x));
      png.at<cv::Vec3w>(y, x) = ok ? cv::Vec3w(1, encode(f[1]), encode(f[0])) : cv::Vec3w(0, 0, 0);
    }
  if (!cv::imwrite(file.string(), png)) throw FlowIoError(fmt::format("{}: cannot write", file.string()));
}

}  // namespace qflow
