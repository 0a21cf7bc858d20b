// Middlebury .flo reader: any bytes give a flow or a FlowIoError; a flow read is the file's payload.
#include <cstring>

#include "errors.hpp"
#include "flow/flo_io.hpp"
#include "fuzz_support.hpp"

using namespace qflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile file("input.flo");
  cv::Mat flow;
  try {
    flow = read_flo(file.write(data, size));
  } catch (const FlowIoError&) {
    return 0;
  }
  fuzz::expect(flow.type() == CV_32FC2 && flow.isContinuous(), "read_flo returned a flow that is not CV_32FC2");
  int32_t width = 0, height = 0;
  std::memcpy(&width, data + 4, 4);
  std::memcpy(&height, data + 8, 4);
  fuzz::expect(flow.cols == width && flow.rows == height, "the flow's size is not the header's");
  fuzz::expect(size == 12 + flow.total() * 8 && std::memcmp(flow.data, data + 12, size - 12) == 0,
               "the flow's values are not the file's payload");
  return 0;
}
