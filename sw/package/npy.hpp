// Layer codes as .npy files (little-endian int16, shape C x H x W), as DESIGN section 3 fixes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace qflow {

struct CodeMap {
  int channels = 0, height = 0, width = 0;
  std::vector<int16_t> codes;  // row-major C x H x W
};

void write_npy(const std::filesystem::path& file, const CodeMap& map);
// Throws PackageError naming the file when it is not a 3-D little-endian int16 C-order array.
CodeMap read_npy(const std::filesystem::path& file);

}  // namespace qflow
