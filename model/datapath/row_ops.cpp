#include "row_ops.hpp"

#include <algorithm>
#include <cstring>

#include "ref/integer_ops.hpp"

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
  const int c = near.codes.channels, w = near.codes.width, ow = 2 * w;
  CodeMap codes{c, 1, ow, std::vector<int16_t>(size_t(c) * ow)};
  std::vector<int16_t> column(static_cast<size_t>(w));  // the vertical pass, in quarters
  for (int ch = 0; ch < c; ++ch) {
    const int16_t *a = near.channel(ch), *b = far.channel(ch);
    for (int x = 0; x < w; ++x) column[size_t(x)] = int16_t(3 * a[x] + b[x]);
    int16_t* dst = codes.codes.data() + size_t(ch) * ow;
    for (int ox = 0; ox < ow; ++ox) {
      const UpsampleTaps t = upsample_taps(ox, w);
      dst[ox] = int16_t(3 * column[size_t(t.near)] + column[size_t(t.far)]);
    }
  }
  return make_row(oy, std::move(codes), /*with_bytes=*/true, /*split=*/true);
}

RowRef concat_row(int y, const std::vector<const Row*>& parts) {
  auto row = std::make_shared<Row>();
  row->y = y;
  const int w = parts[0]->codes.width;
  int channels = 0;
  for (const Row* p : parts) channels += p->codes.channels;
  row->codes = {channels, 1, w, {}};
  row->codes.codes.reserve(size_t(channels) * w);
  for (const Row* p : parts) row->codes.codes.insert(row->codes.codes.end(), p->codes.codes.begin(), p->codes.codes.end());
  const bool split = parts[0]->bytes.split();
  row->bytes.resize(channels, 1, w, split);
  for (int x = 0; x < w; ++x) {
    size_t at = size_t(x) * channels;
    for (const Row* p : parts) {
      const size_t n = size_t(p->codes.channels), from = size_t(x) * n;
      std::memcpy(row->bytes.low.data() + at, p->bytes.low.data() + from, n);
      if (split) std::memcpy(row->bytes.high.data() + at, p->bytes.high.data() + from, n);
      at += n;
    }
  }
  return row;
}

}  // namespace qflow
