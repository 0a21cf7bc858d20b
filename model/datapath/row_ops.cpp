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

RowRef upsample_row(int oy, const Row& near, const Row& far, RowPool& pool) {
  const int c = near.bytes.channels, w = near.bytes.width;
  if (near.is_head() || near.bytes.split() || far.bytes.low.size() != near.bytes.low.size())
    throw std::invalid_argument(fmt::format("upsample row {}: its source rows {} and {} are not 8-bit rows of one map",
                                            oy, near.y, far.y));
  const std::shared_ptr<Row> row = pool.take(oy);
  row->bytes.resize(c, 1, 2 * w, /*with_high=*/true);
  upsample2x_row(near.bytes.low.data(), far.bytes.low.data(), w, c, row->bytes.low.data(), row->bytes.high.data());
  return row;
}

RowRef concat_row(int y, const std::vector<const Row*>& parts, RowPool& pool) {
  const std::shared_ptr<Row> row = pool.take(y);
  std::vector<const ChannelLast*> bytes;
  for (const Row* p : parts) bytes.push_back(&p->bytes);
  fast_concat(bytes, row->bytes);
  return row;
}

}  // namespace qflow
