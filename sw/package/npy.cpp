#include "npy.hpp"

#include <fstream>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow {
namespace {
constexpr char kMagic[] = "\x93NUMPY";
constexpr long kMaxNpySide = 1 << 20;  // far beyond any layer map (FlowNetS: 1024 x 384 x 512)
}

void write_npy(const std::filesystem::path& file, const CodeMap& map) {
  std::string header = fmt::format("{{'descr': '<i2', 'fortran_order': False, 'shape': ({}, {}, {}), }}",
                                   map.channels, map.height, map.width);
  // Version 1.0: magic(6) + version(2) + header length(2) + header, padded to 64 bytes with '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(file, std::ios::binary);
  if (!out) throw PackageError(fmt::format("{}: cannot open for writing", file.string()));
  out.write(kMagic, 6);
  const char version[2] = {1, 0};
  out.write(version, 2);
  const uint16_t len = uint16_t(header.size());
  const char len_le[2] = {char(len & 0xff), char(len >> 8)};
  out.write(len_le, 2);
  out << header;
  // x86 and every target qflow supports is little-endian, the layout the file declares.
  out.write(reinterpret_cast<const char*>(map.codes.data()), std::streamsize(map.codes.size() * 2));
  if (!out) throw PackageError(fmt::format("{}: write failed", file.string()));
}

CodeMap read_npy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PackageError(fmt::format("{}: missing or unreadable", file.string()));
  char prefix[10] = {};
  in.read(prefix, 10);
  if (!in || std::string(prefix, 6) != std::string(kMagic, 6))
    throw PackageError(fmt::format("{}: not a .npy file (bad magic)", file.string()));
  if (prefix[6] != 1)
    throw PackageError(fmt::format("{}: .npy version {} is not supported (1.0 only)", file.string(),
                                   int(prefix[6])));
  const size_t len = uint8_t(prefix[8]) | (size_t(uint8_t(prefix[9])) << 8);
  std::string header(len, '\0');
  in.read(header.data(), std::streamsize(len));
  static const std::regex descr(R"('descr':\s*'<i2')");
  static const std::regex order(R"('fortran_order':\s*False)");
  static const std::regex shape(R"('shape':\s*\((\d+),\s*(\d+),\s*(\d+),?\))");
  std::smatch m;
  if (!in || !std::regex_search(header, descr) || !std::regex_search(header, order) ||
      !std::regex_search(header, m, shape))
    throw PackageError(fmt::format("{}: expected a C-order little-endian int16 array of shape "
                                   "(C, H, W), header is {}", file.string(), header));
  // Found by fuzz_npy: a shape of huge numbers threw std::out_of_range, or asked for terabytes.
  // Each side is bounded and the payload's size checked against the file before allocating.
  const auto side = [&](const std::string& digits) {
    const long value = digits.size() > 9 ? kMaxNpySide + 1 : std::stol(digits);  // 9 digits fit a long
    if (value > kMaxNpySide)
      throw PackageError(fmt::format("{}: shape side {} is beyond {}", file.string(), digits, kMaxNpySide));
    return int(value);
  };
  CodeMap map{side(m[1]), side(m[2]), side(m[3]), {}};
  const uint64_t count = uint64_t(map.channels) * uint64_t(map.height) * uint64_t(map.width);
  const uint64_t payload = std::filesystem::file_size(file) - uint64_t(10 + len);
  if (payload != count * 2)
    throw PackageError(fmt::format("{}: data does not match the shape ({}, {}, {}): {} bytes, {} expected",
                                   file.string(), map.channels, map.height, map.width, payload, count * 2));
  map.codes.resize(count);
  in.read(reinterpret_cast<char*>(map.codes.data()), std::streamsize(map.codes.size() * 2));
  if (!in)
    throw PackageError(fmt::format("{}: data does not match the shape ({}, {}, {})", file.string(),
                                   map.channels, map.height, map.width));
  return map;
}

}  // namespace qflow
