#include "row_ops.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "ref/fast_ops.hpp"

namespace qflow {

RowRef input_row(int y, const uint8_t* rgb1, const uint8_t* rgb2, int width, RowPool& pool) {
  const std::shared_ptr<Row> row = pool.take(y);
  row->bytes.resize(6, 1, width, /*with_high=*/false);
  // Byte by byte: three-byte std::copy_n calls were a libc memmove call each, 393 k on a 384x512
  // frame, on the simulation thread.
  uint8_t* out = row->bytes.low.data();
  for (size_t x = 0; x < size_t(width); ++x)
    for (size_t c = 0; c < 3; ++c) {
      out[x * 6 + c] = rgb1[x * 3 + c];
      out[x * 6 + 3 + c] = rgb2[x * 3 + c];
    }
  return row;
}

void upsample_row(const Row& near, const Row& far, Row& out) {
  const int c = near.bytes.channels, w = near.bytes.width;
  if (near.is_head() || near.bytes.split() || far.bytes.low.size() != near.bytes.low.size())
    throw std::invalid_argument(fmt::format("upsample row {}: its source rows {} and {} are not 8-bit rows of one map",
                                            out.y, near.y, far.y));
  out.bytes.resize(c, 1, 2 * w, /*with_high=*/true);
  upsample2x_row(near.bytes.low.data(), far.bytes.low.data(), w, c, out.bytes.low.data(), out.bytes.high.data());
}

void concat_row(const std::vector<RowRef>& parts, Row& out) {
  std::vector<const ChannelLast*> bytes;
  for (const RowRef& p : parts) bytes.push_back(&p->bytes);
  fast_concat(bytes, out.bytes);
}

}  // namespace qflow
