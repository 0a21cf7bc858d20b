// Image pair loading: the first input byte splits the rest into the two files. Any bytes give two
// RGB frames of one size or a FlowIoError.
#include "errors.hpp"
#include "flow/image_pair.hpp"
#include "fuzz_support.hpp"

using namespace qflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile first("frame1"), second("frame2");
  if (size < 1) return 0;
  const size_t rest = size - 1;
  const size_t split = rest * data[0] / 255;
  ImagePair pair;
  try {
    pair = load_image_pair(first.write(data + 1, split), second.write(data + 1 + split, rest - split));
  } catch (const FlowIoError&) {
    return 0;
  }
  fuzz::expect(pair.img1.type() == CV_8UC3 && pair.img2.type() == CV_8UC3, "a frame that is not 8-bit RGB");
  fuzz::expect(pair.img1.size() == pair.img2.size() && !pair.img1.empty(), "frames of different or empty size");
  return 0;
}
