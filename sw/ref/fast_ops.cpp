#include "fast_ops.hpp"

#include <algorithm>
#include <cstring>

#include "integer_ops.hpp"

namespace qflow {

namespace {

// One output row of one channel: `near` and `far` are the two source rows (upsample_taps), `w`
// wide; `column` is scratch of w codes; `dst` gets 2 w codes.
void upsample2x_row(const int16_t* near, const int16_t* far, int w, int16_t* column, int16_t* dst) {
  for (int x = 0; x < w; ++x) column[x] = int16_t(3 * near[x] + far[x]);  // vertical pass, in quarters
  // Horizontal pass: out 2i takes 3 v[i] + v[i-1], out 2i+1 takes 3 v[i] + v[i+1], the neighbours
  // clamped at the edges. The edges apart, so that the interior loop has no clamps and vectorizes.
  dst[0] = int16_t(4 * column[0]);
  for (int i = 1; i < w; ++i) dst[2 * i] = int16_t(3 * column[i] + column[i - 1]);
  for (int i = 0; i + 1 < w; ++i) dst[2 * i + 1] = int16_t(3 * column[i] + column[i + 1]);
  dst[2 * w - 1] = int16_t(4 * column[w - 1]);
}

}  // namespace

void fast_upsample2x(const CodeMap& in, CodeMap& out) {
  out.channels = in.channels;
  out.height = in.height * 2;
  out.width = in.width * 2;
  out.codes.resize(size_t(out.channels) * out.height * out.width);
  const int w = in.width;
#pragma omp parallel
  {
    std::vector<int16_t> column(static_cast<size_t>(w));
#pragma omp for
    for (int row = 0; row < in.channels * out.height; ++row) {
      const int c = row / out.height, oy = row % out.height;
      const UpsampleTaps ty = upsample_taps(oy, in.height);
      upsample2x_row(in.codes.data() + (size_t(c) * in.height + ty.near) * w,
                     in.codes.data() + (size_t(c) * in.height + ty.far) * w, w, column.data(),
                     out.codes.data() + (size_t(c) * out.height + oy) * out.width);
    }
  }
}

void upsample2x_row(const uint8_t* near, const uint8_t* far, int w, int channels, uint8_t* low, uint8_t* high) {
  for (int ox = 0; ox < 2 * w; ++ox) {
    const UpsampleTaps tx = upsample_taps(ox, w);
    const uint8_t* nn = near + size_t(tx.near) * channels;
    const uint8_t* nf = near + size_t(tx.far) * channels;
    const uint8_t* fn = far + size_t(tx.near) * channels;
    const uint8_t* ff = far + size_t(tx.far) * channels;
    uint8_t* out_low = low + size_t(ox) * channels;
    uint8_t* out_high = high + size_t(ox) * channels;
    for (int c = 0; c < channels; ++c) {
      const int u = 9 * nn[c] + 3 * nf[c] + 3 * fn[c] + ff[c];
      out_low[c] = uint8_t(u & 255);
      out_high[c] = uint8_t(u >> 8);
    }
  }
}

void fast_upsample2x(const ChannelLast& in, ChannelLast& out) {
  out.resize(in.channels, in.height * 2, in.width * 2, /*with_high=*/true);
  const size_t in_row = size_t(in.width) * in.channels, out_row = size_t(out.width) * out.channels;
#pragma omp parallel for
  for (int oy = 0; oy < out.height; ++oy) {
    const UpsampleTaps ty = upsample_taps(oy, in.height);
    upsample2x_row(in.low.data() + ty.near * in_row, in.low.data() + ty.far * in_row, in.width, in.channels,
                   out.low.data() + oy * out_row, out.high.data() + oy * out_row);
  }
}

void fast_concat(const std::vector<const CodeMap*>& ins, CodeMap& out) {
  out.channels = 0;
  out.height = ins[0]->height;
  out.width = ins[0]->width;
  std::vector<size_t> offsets;
  for (const CodeMap* in : ins) {
    offsets.push_back(size_t(out.channels) * out.height * out.width);
    out.channels += in->channels;
  }
  out.codes.resize(size_t(out.channels) * out.height * out.width);
  for (size_t i = 0; i < ins.size(); ++i)
    std::memcpy(out.codes.data() + offsets[i], ins[i]->codes.data(), ins[i]->codes.size() * sizeof(int16_t));
}

void fast_concat(const std::vector<const ChannelLast*>& ins, ChannelLast& out) {
  int channels = 0;
  for (const ChannelLast* in : ins) channels += in->channels;
  out.resize(channels, ins[0]->height, ins[0]->width, ins[0]->split());
  const int64_t pixels = int64_t(out.height) * out.width;
#pragma omp parallel for if (pixels * channels >= kParallelCodes)
  for (int64_t p = 0; p < pixels; ++p) {
    size_t at = size_t(p) * channels;
    for (const ChannelLast* in : ins) {
      const size_t from = size_t(p) * in->channels;
      std::memcpy(out.low.data() + at, in->low.data() + from, size_t(in->channels));
      if (out.split()) std::memcpy(out.high.data() + at, in->high.data() + from, size_t(in->channels));
      at += size_t(in->channels);
    }
  }
}

}  // namespace qflow
