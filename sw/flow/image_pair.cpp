#include "image_pair.hpp"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "errors.hpp"
#include "image_file.hpp"

namespace qflow {

cv::Mat load_rgb(const std::filesystem::path& file) {
  const cv::Mat bgr = read_image_file(file, cv::IMREAD_COLOR, kPairFormats);
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
