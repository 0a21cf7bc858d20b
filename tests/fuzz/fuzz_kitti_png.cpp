// KITTI flow PNG reader: any bytes give a flow with its mask or a FlowIoError.
#include <cmath>

#include "errors.hpp"
#include "flow/kitti_io.hpp"
#include "fuzz_support.hpp"

using namespace qflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile file("input.png");
  KittiFlow kitti;
  try {
    kitti = read_kitti_flow(file.write(data, size));
  } catch (const FlowIoError&) {
    return 0;
  }
  fuzz::expect(kitti.flow.type() == CV_32FC2 && kitti.valid.type() == CV_8U && kitti.flow.size() == kitti.valid.size(),
               "flow and mask differ in type or size");
  for (int y = 0; y < kitti.flow.rows; ++y)
    for (int x = 0; x < kitti.flow.cols; ++x) {
      const cv::Vec2f f = kitti.flow.at<cv::Vec2f>(y, x);
      fuzz::expect(kitti.valid.at<uint8_t>(y, x) <= 1, "a mask value other than 0 and 1");
      fuzz::expect(std::abs(f[0]) <= 512 && std::abs(f[1]) <= 512, "a flow value beyond the 16-bit code range");
    }
  return 0;
}
