#include "row_upset.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "fault.hpp"

namespace qflow {

RowRef upset_row(const Row& row, int64_t element, int bit, int burst, int code_bits, WordProtection protection,
                 bool& detected) {
  if (row.computing) RowJobs::wait_for(row.computing);  // its codes, and its size
  const int64_t codes = int64_t(row.channels()) * row.width();
  if (element >= codes)
    throw FaultError(fmt::format("element {} is past the row's {} codes ({} channels x {} pixels)", element, codes,
                                 row.channels(), row.width()));
  if (bit + burst > code_bits)
    throw FaultError(fmt::format("bits {}..{} are past the {}-bit codes of the row", bit, bit + burst - 1, code_bits));
  CodeMap map{row.channels(), 1, row.width(), std::vector<int16_t>(size_t(codes))};
  row.write_codes(map.codes.data(), size_t(row.width()));
  // Bit i of the row's bit string: bit i % code_bits of code i / code_bits.
  const int64_t total = codes * code_bits;
  const auto get = [&](int64_t i) { return uint64_t(uint16_t(map.codes[size_t(i / code_bits)]) >> (i % code_bits)) & 1; };
  const auto set = [&](int64_t i, uint64_t v) {
    uint16_t& code = reinterpret_cast<uint16_t&>(map.codes[size_t(i / code_bits)]);
    code = uint16_t((code & ~(1u << (i % code_bits))) | (v << (i % code_bits)));
  };
  const int64_t first = element * code_bits + bit, last = first + burst - 1;
  for (int64_t group = first / 64; group <= last / 64; ++group) {
    const int64_t base = group * 64, end = std::min(base + 64, total);
    uint64_t data = 0, flips = 0;
    for (int64_t i = base; i < end; ++i) data |= get(i) << (i - base);
    for (int64_t i = std::max(first, base); i <= std::min(last, end - 1); ++i) flips |= uint64_t(1) << (i - base);
    const Decoded read = decode(protection, data ^ flips, encode(protection, data));
    detected = detected || read.status == Decoded::Detected;
    for (int64_t i = base; i < end; ++i) set(i, (read.data >> (i - base)) & 1);
  }
  return make_row(row.y, std::move(map), row.is_head(), !row.is_head() && row.bytes.split());
}

}  // namespace qflow
