#include "row.hpp"

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

RowRef make_row(int y, CodeMap codes, bool with_bytes, bool split) {
  auto row = std::make_shared<Row>();
  row->y = y;
  row->codes = std::move(codes);
  if (with_bytes) to_channel_last(row->codes, split, row->bytes);
  return row;
}

}  // namespace qflow
