#include "host_flow.hpp"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "errors.hpp"

namespace qflow {

CodeMap stack_input(const cv::Mat& rgb1, const cv::Mat& rgb2) {
  if (rgb1.type() != CV_8UC3 || rgb2.type() != CV_8UC3 || rgb1.size() != rgb2.size())
    throw FlowIoError("stack_input: expects two 8-bit RGB images of one size");
  CodeMap input{6, rgb1.rows, rgb1.cols, {}};
  input.codes.resize(size_t(6) * rgb1.rows * rgb1.cols);
  const size_t plane = size_t(rgb1.rows) * rgb1.cols;
  for (int y = 0; y < rgb1.rows; ++y)
    for (int x = 0; x < rgb1.cols; ++x) {
      const cv::Vec3b a = rgb1.at<cv::Vec3b>(y, x), b = rgb2.at<cv::Vec3b>(y, x);
      const size_t at = size_t(y) * rgb1.cols + x;
      for (int c = 0; c < 3; ++c) {
        input.codes[c * plane + at] = a[c];
        input.codes[(c + 3) * plane + at] = b[c];
      }
    }
  return input;
}

void check_pair_size(const ImagePair& pair, const Package& package) {
  if (pair.img1.rows != package.height || pair.img1.cols != package.width)
    throw FlowIoError(fmt::format("the image pair is {}x{} (WxH) but package '{}' takes {}x{}", pair.img1.cols,
                                  pair.img1.rows, package.name, package.width, package.height));
}

CodeMap input_codes(const ImagePair& pair, const Package& package) {
  check_pair_size(pair, package);
  return stack_input(pair.img1, pair.img2);
}

cv::Mat flow_from_head(const CodeMap& head, const Package& package) {
  if (head.channels != 2 || head.height * 4 != package.height || head.width * 4 != package.width)
    throw PackageError("flow_from_head: the flow head's codes do not match the package input size");
  const float scale = 1.0f / float(1 << package.flow_frac_bits);
  cv::Mat quarter(head.height, head.width, CV_32FC2);
  const size_t plane = size_t(head.height) * head.width;
  for (int y = 0; y < head.height; ++y)
    for (int x = 0; x < head.width; ++x) {
      const size_t at = size_t(y) * head.width + x;
      quarter.at<cv::Vec2f>(y, x) = {head.codes[at] * scale, head.codes[plane + at] * scale};
    }
  // OpenCV's INTER_LINEAR on floats samples at (dst + 0.5) / 4 - 0.5 clamped at the borders:
  // the same rule as PyTorch's bilinear with align_corners = false.
  cv::Mat full;
  cv::resize(quarter, full, cv::Size(package.width, package.height), 0, 0, cv::INTER_LINEAR);
  return full;
}

}  // namespace qflow
