// Weight ROM images ($readmemh hex): the first byte picks the width (2..8 bits), the next two the
// code count; the rest is the file. Any bytes give exactly that many codes in range, or a PackageError.
#include "errors.hpp"
#include "fuzz_support.hpp"
#include "package/rom_hex.hpp"

using namespace qflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile file("rom.hex");
  if (size < 3) return 0;
  const int bits = 2 + data[0] % 7;
  const int64_t count = data[1] | (int64_t(data[2]) << 8);
  std::vector<int8_t> codes;
  try {
    codes = read_rom_hex(file.write(data + 3, size - 3), count, bits);
  } catch (const PackageError&) {
    return 0;
  }
  fuzz::expect(int64_t(codes.size()) == count, "a ROM read with another number of codes than asked");
  for (int8_t c : codes)
    fuzz::expect(c >= -(1 << (bits - 1)) && c < (1 << (bits - 1)), "a code outside its bit width");
  return 0;
}
