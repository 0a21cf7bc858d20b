#include "row.hpp"

namespace qflow {

RowRef make_row(int y, CodeMap codes, bool with_bytes, bool split) {
  auto row = std::make_shared<Row>();
  row->y = y;
  row->codes = std::move(codes);
  if (with_bytes) to_channel_last(row->codes, split, row->bytes);
  return row;
}

}  // namespace qflow
