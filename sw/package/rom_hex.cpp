#include "rom_hex.hpp"

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow {
namespace {
int hex_digits(int bits) { return (bits + 3) / 4; }
}  // namespace

void write_rom_hex(const std::filesystem::path& file, const std::vector<int8_t>& codes, int bits) {
  std::ofstream out(file);
  if (!out) throw PackageError(fmt::format("{}: cannot open for writing", file.string()));
  const unsigned mask = (1u << bits) - 1u;
  for (int8_t code : codes) out << fmt::format("{:0{}x}\n", unsigned(code) & mask, hex_digits(bits));
  if (!out) throw PackageError(fmt::format("{}: write failed", file.string()));
}

std::vector<int8_t> read_rom_hex(const std::filesystem::path& file, int64_t count, int bits) {
  std::ifstream in(file);
  if (!in) throw PackageError(fmt::format("{}: ROM file missing or unreadable", file.string()));
  std::vector<int8_t> codes;
  codes.reserve(size_t(count));
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (int64_t(codes.size()) == count)
      throw PackageError(fmt::format("{}:{}: ROM is longer than the {} codes the layer needs",
                                     file.string(), line_no, count));
    size_t used = 0;
    unsigned long raw = 0;
    try {
      raw = std::stoul(line, &used, 16);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != line.size() || int(line.size()) > hex_digits(bits) || raw >> bits)
      throw PackageError(fmt::format("{}:{}: '{}' is not a {}-bit hex code", file.string(), line_no,
                                     line, bits));
    const long value = long(raw) - ((raw >> (bits - 1)) ? (1L << bits) : 0L);
    codes.push_back(int8_t(value));
  }
  if (int64_t(codes.size()) != count)
    throw PackageError(fmt::format("{}: ROM is short: {} codes, the layer needs {}", file.string(),
                                   codes.size(), count));
  return codes;
}

}  // namespace qflow
