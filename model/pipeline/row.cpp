#include "row.hpp"

#include <algorithm>

namespace qflow {

std::shared_ptr<Row> RowPool::take(int y) {
  for (const std::shared_ptr<Row>& row : rows_)
    if (row.use_count() == 1) {
      row->y = y;
      return row;
    }
  rows_.push_back(std::make_shared<Row>());
  rows_.back()->y = y;
  return rows_.back();
}

RowRef map_row(const CodeMap& map, int y, bool split) {
  CodeMap row{map.channels, 1, map.width, std::vector<int16_t>(size_t(map.channels) * map.width)};
  for (int c = 0; c < map.channels; ++c)
    std::copy_n(map.codes.data() + (size_t(c) * map.height + y) * map.width, map.width,
                row.codes.data() + size_t(c) * map.width);
  return make_row(y, std::move(row), /*with_bytes=*/true, split);
}

RowRef make_row(int y, CodeMap codes, bool with_bytes, bool split) {
  auto row = std::make_shared<Row>();
  row->y = y;
  row->codes = std::move(codes);
  if (with_bytes) to_channel_last(row->codes, split, row->bytes);
  return row;
}

}  // namespace qflow
