// Layer dumps (.npy, int16 C x H x W): any bytes give a code map or a PackageError; a map read
// writes back to a file that reads as the same map.
#include "errors.hpp"
#include "fuzz_support.hpp"
#include "package/npy.hpp"

using namespace qflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile file("input.npy"), copy("copy.npy");
  CodeMap map;
  try {
    map = read_npy(file.write(data, size));
  } catch (const PackageError&) {
    return 0;
  }
  fuzz::expect(map.channels >= 0 && map.height >= 0 && map.width >= 0 &&
                   map.codes.size() == size_t(map.channels) * size_t(map.height) * size_t(map.width),
               "the codes do not match the shape");
  write_npy(copy.path(), map);
  const CodeMap again = read_npy(copy.path());
  fuzz::expect(again.channels == map.channels && again.height == map.height && again.width == map.width &&
                   again.codes == map.codes,
               "a map read does not survive writing and reading again");
  return 0;
}
