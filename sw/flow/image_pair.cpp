#include "image_pair.hpp"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "errors.hpp"

namespace qflow {

cv::Mat load_rgb(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file))
    throw FlowIoError(fmt::format("{}: no such image file", file.string()));
  const cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) throw FlowIoError(fmt::format("{}: not an image OpenCV can read", file.string()));
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

ImagePair load_image_pair(const std::filesystem::path& file1, const std::filesystem::path& file2) {
  ImagePair pair{load_rgb(file1), load_rgb(file2)};
  if (pair.img1.size() != pair.img2.size())
    throw FlowIoError(fmt::format("image pair sizes differ: {} is {}x{}, {} is {}x{}", file1.string(),
                                  pair.img1.cols, pair.img1.rows, file2.string(), pair.img2.cols,
                                  pair.img2.rows));
  return pair;
}

void save_rgb(const std::filesystem::path& file, const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  if (!cv::imwrite(file.string(), bgr)) throw FlowIoError(fmt::format("{}: cannot write", file.string()));
}

}  // namespace qflow
