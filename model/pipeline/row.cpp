#include "row.hpp"

#include <emmintrin.h>

#include <algorithm>
#include <atomic>

namespace qflow {
namespace {

// 16 x 16 bytes (rows `stride` apart) transposed in registers: byte i of every row ends in
// r[kBitReversed[i]] (each round interleaves the pairs (2i, 2i + 1), which reverses the order).
constexpr int kBitReversed[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
inline void transpose_16x16(const uint8_t* src, size_t stride, __m128i r[16]) {
  for (int i = 0; i < 16; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i * stride));
  // Four rounds of interleaving pairs of registers, at 1, 2, 4 and 8 bytes.
  for (int round = 0; round < 4; ++round) {
    __m128i t[16];
    for (int i = 0; i < 8; ++i) {
      const __m128i a = r[2 * i], b = r[2 * i + 1];
      switch (round) {
        case 0: t[i] = _mm_unpacklo_epi8(a, b), t[i + 8] = _mm_unpackhi_epi8(a, b); break;
        case 1: t[i] = _mm_unpacklo_epi16(a, b), t[i + 8] = _mm_unpackhi_epi16(a, b); break;
        case 2: t[i] = _mm_unpacklo_epi32(a, b), t[i + 8] = _mm_unpackhi_epi32(a, b); break;
        default: t[i] = _mm_unpacklo_epi64(a, b), t[i + 8] = _mm_unpackhi_epi64(a, b); break;
      }
    }
    std::copy_n(t, 16, r);
  }
}

}  // namespace

uint64_t next_row_serial() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::shared_ptr<Row> RowPool::take(int y) {
  auto free = std::find_if(rows_.begin(), rows_.end(),
                           [](const std::shared_ptr<Row>& row) { return row.use_count() == 1; });
  if (free == rows_.end()) free = rows_.insert(rows_.end(), std::make_shared<Row>());
  (*free)->y = y;
  (*free)->serial = next_row_serial();
  return *free;
}

RowRef map_row(const CodeMap& map, int y, bool split) {
  CodeMap row{map.channels, 1, map.width, std::vector<int16_t>(size_t(map.channels) * map.width)};
  for (int c = 0; c < map.channels; ++c)
    std::copy_n(map.codes.data() + (size_t(c) * map.height + y) * map.width, map.width,
                row.codes.data() + size_t(c) * map.width);
  return make_row(y, std::move(row), /*head=*/false, split);
}

RowRef make_row(int y, CodeMap codes, bool head, bool split) {
  auto row = std::make_shared<Row>();
  row->y = y;
  row->serial = next_row_serial();
  if (head)
    row->head_codes = std::move(codes);
  else
    to_channel_last(codes, split, row->bytes);
  return row;
}

void Row::write_codes(int16_t* dst, size_t channel_stride) const {
  const int c_count = channels(), w = width();
  if (is_head()) {
    for (int c = 0; c < c_count; ++c)
      std::copy_n(head_codes.codes.data() + size_t(c) * w, w, dst + c * channel_stride);
    return;
  }
  // Blocks of 16 pixels x 16 channels transposed in registers; low and high bytes interleave into
  // int16 codes. The rest channel by channel.
  const bool split = bytes.split();
  const __m128i zero = _mm_setzero_si128();
  int x0 = 0;
  for (; x0 + 16 <= w; x0 += 16)
    for (int c0 = 0; c0 + 16 <= c_count; c0 += 16) {
      __m128i low[16], high[16];
      const size_t at = size_t(x0) * c_count + c0;
      transpose_16x16(bytes.low.data() + at, size_t(c_count), low);
      if (split) transpose_16x16(bytes.high.data() + at, size_t(c_count), high);
      for (int c = 0; c < 16; ++c) {
        const int at_register = kBitReversed[c];
        const __m128i l = low[at_register], h = split ? high[at_register] : zero;
        auto* out = reinterpret_cast<__m128i*>(dst + (c0 + c) * channel_stride + x0);
        _mm_storeu_si128(out, _mm_unpacklo_epi8(l, h));
        _mm_storeu_si128(out + 1, _mm_unpackhi_epi8(l, h));
      }
    }
  const int blocked_channels = x0 > 0 ? c_count / 16 * 16 : 0;
  for (int c = 0; c < c_count; ++c) {
    const int from = c < blocked_channels ? x0 : 0;  // the pixels the blocks left
    const uint8_t* low = bytes.low.data() + c;
    int16_t* out = dst + c * channel_stride;
    if (split) {
      const uint8_t* high = bytes.high.data() + c;
      for (int x = from; x < w; ++x) out[x] = int16_t(low[size_t(x) * c_count] | high[size_t(x) * c_count] << 8);
    } else {
      for (int x = from; x < w; ++x) out[x] = low[size_t(x) * c_count];
    }
  }
}

}  // namespace qflow
