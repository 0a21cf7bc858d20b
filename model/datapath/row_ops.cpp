#include "row_ops.hpp"

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

RowRef upsample_row(int oy, const Row& near, const Row& far) {
  const int c = near.codes.channels, w = near.codes.width;
  CodeMap codes{c, 1, 2 * w, std::vector<int16_t>(size_t(c) * 2 * w)};
  std::vector<int16_t> column(static_cast<size_t>(w));
  for (int ch = 0; ch < c; ++ch)
    upsample2x_row(near.channel(ch), far.channel(ch), w, column.data(), codes.codes.data() + size_t(ch) * 2 * w);
  return make_row(oy, std::move(codes), /*with_bytes=*/true, /*split=*/true);
}

RowRef concat_row(int y, const std::vector<const Row*>& parts) {
  auto row = std::make_shared<Row>();
  row->y = y;
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
