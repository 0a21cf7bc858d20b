#include "flo_io.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <opencv2/video/tracking.hpp>

#include "errors.hpp"

namespace qflow {
namespace {

constexpr float kFloMagic = 202021.25f;
constexpr int kMaxSide = 1 << 15;

// OpenCV's reader only says "empty": check the header ourselves so the error can say why.
void check_header(const std::filesystem::path& file) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(file, ec);
  if (ec) throw FlowIoError(fmt::format("{}: no such .flo file", file.string()));
  std::ifstream in(file, std::ios::binary);
  char header[12];
  if (!in.read(header, 12)) throw FlowIoError(fmt::format("{}: too short for a .flo header", file.string()));
  float magic;
  int32_t width, height;
  std::memcpy(&magic, header, 4);
  std::memcpy(&width, header + 4, 4);
  std::memcpy(&height, header + 8, 4);
  if (magic != kFloMagic)
    throw FlowIoError(fmt::format("{}: not a .flo file (magic {} instead of 202021.25)", file.string(), magic));
  if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide)
    throw FlowIoError(fmt::format("{}: implausible size {}x{}", file.string(), width, height));
  const auto expected = 12 + uint64_t(width) * uint64_t(height) * 8;
  if (bytes != expected)
    throw FlowIoError(fmt::format("{}: {} bytes, a {}x{} flow needs {}", file.string(), bytes, width,
                                  height, expected));
}

}  // namespace

cv::Mat read_flo(const std::filesystem::path& file) {
  check_header(file);
  cv::Mat flow = cv::readOpticalFlow(file.string());
  if (flow.empty()) throw FlowIoError(fmt::format("{}: OpenCV could not read it", file.string()));
  return flow;
}

void write_flo(const std::filesystem::path& file, const cv::Mat& flow) {
  if (flow.type() != CV_32FC2 || flow.empty())
    throw FlowIoError(fmt::format("{}: only a non-empty CV_32FC2 flow can be written", file.string()));
  if (!cv::writeOpticalFlow(file.string(), flow))
    throw FlowIoError(fmt::format("{}: cannot write", file.string()));
}

}  // namespace qflow
