#include "row_ops.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "ref/fast_ops.hpp"

namespace qflow {

RowRef input_row(int y, const uint8_t* rgb1, const uint8_t* rgb2, int width, RowPool& pool) {
  const std::shared_ptr<Row> row = pool.take(y);
  row->bytes.resize(6, 1, width, /*with_high=*/false);
  for (int x = 0; x < width; ++x) {
    std::copy_n(rgb1 + size_t(x) * 3, 3, row->bytes.low.data() + size_t(x) * 6);
    std::copy_n(rgb2 + size_t(x) * 3, 3, row->bytes.low.data() + size_t(x) * 6 + 3);
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

void concat_row(const std::vector<const Row*>& parts, Row& out) {
  std::vector<const ChannelLast*> bytes;
  for (const Row* p : parts) bytes.push_back(&p->bytes);
  fast_concat(bytes, out.bytes);
}

}  // namespace qflow
