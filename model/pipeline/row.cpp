#include "row.hpp"

namespace qflow {

RowRef make_row(int y, CodeMap codes, bool with_bytes, bool split) {
  auto row = std::make_shared<Row>();
  row->y = y;
  row->codes = std::move(codes);
  if (with_bytes) {
    const int c = row->codes.channels, w = row->codes.width;
    row->bytes.resize(c, 1, w, split);
    for (int ch = 0; ch < c; ++ch) {
      const int16_t* src = row->channel(ch);
      for (int x = 0; x < w; ++x) {
        const size_t at = size_t(x) * c + ch;
        row->bytes.low[at] = uint8_t(src[x] & 255);
        if (split) row->bytes.high[at] = uint8_t(src[x] >> 8);
      }
    }
  }
  return row;
}

}  // namespace qflow
