#include "row_ops.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "ref/fast_ops.hpp"

namespace qflow {

RowRef input_row(int y, const uint8_t* rgb1, const uint8_t* rgb2, int width) {
  CodeMap codes{6, 1, width, std::vector<int16_t>(size_t(6) * width)};
  for (int image = 0; image < 2; ++image) {
    const uint8_t* rgb = image == 0 ? rgb1 : rgb2;
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) codes.codes[size_t(image * 3 + c) * width + x] = rgb[size_t(x) * 3 + c];
  }
  return make_row(y, std::move(codes), /*with_bytes=*/true, /*split=*/false);
}

RowRef upsample_row(int oy, const Row& near, const Row& far, RowPool& pool) {
  const int c = near.codes.channels, w = near.codes.width;
  if (near.bytes.split() || near.bytes.low.size() != size_t(c) * w || far.bytes.low.size() != near.bytes.low.size())
    throw std::invalid_argument(fmt::format("upsample row {}: its source rows {} and {} lack their 8-bit byte form", oy,
                                            near.y, far.y));
  const std::shared_ptr<Row> row = pool.take(oy);
  row->codes.channels = c;
  row->codes.height = 1;
  row->codes.width = 2 * w;
  row->codes.codes.resize(size_t(c) * 2 * w);
  thread_local std::vector<int16_t> column;
  column.resize(size_t(w));
  for (int ch = 0; ch < c; ++ch)
    upsample2x_row(near.channel(ch), far.channel(ch), w, column.data(), row->codes.codes.data() + size_t(ch) * 2 * w);
  row->bytes.resize(c, 1, 2 * w, /*with_high=*/true);
  upsample2x_row(near.bytes.low.data(), far.bytes.low.data(), w, c, row->bytes.low.data(), row->bytes.high.data());
  return row;
}

RowRef concat_row(int y, const std::vector<const Row*>& parts, RowPool& pool) {
  const std::shared_ptr<Row> row = pool.take(y);
  std::vector<const CodeMap*> codes;
  std::vector<const ChannelLast*> bytes;
  for (const Row* p : parts) {
    codes.push_back(&p->codes);
    bytes.push_back(&p->bytes);
  }
  fast_concat(codes, row->codes);
  fast_concat(bytes, row->bytes);
  return row;
}

}  // namespace qflow
