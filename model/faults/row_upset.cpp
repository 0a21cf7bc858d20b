#include "row_upset.hpp"

#include <fmt/format.h>

#include "fault.hpp"

namespace qflow {

RowRef upset_row(const Row& row, int64_t element, int bit, int burst, int code_bits) {
  const int64_t codes = int64_t(row.channels()) * row.width();
  if (element >= codes)
    throw FaultError(fmt::format("element {} is past the row's {} codes ({} channels x {} pixels)", element, codes,
                                 row.channels(), row.width()));
  if (bit + burst > code_bits)
    throw FaultError(fmt::format("bits {}..{} are past the {}-bit codes of the row", bit, bit + burst - 1, code_bits));
  if (row.computing) RowJobs::wait_for(row.computing);
  CodeMap map{row.channels(), 1, row.width(), std::vector<int16_t>(size_t(codes))};
  row.write_codes(map.codes.data(), size_t(row.width()));
  uint16_t code = uint16_t(map.codes[size_t(element)]);
  for (int b = bit; b < bit + burst; ++b) code ^= uint16_t(1u << b);
  map.codes[size_t(element)] = int16_t(code);
  return make_row(row.y, std::move(map), row.is_head(), !row.is_head() && row.bytes.split());
}

}  // namespace qflow
