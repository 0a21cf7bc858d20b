#include "requant_rows.hpp"

#include <immintrin.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>

#include "cpu_clones.hpp"
#include "vector_isa.hpp"

namespace qflow {
namespace {

// One pixel's channels, channel-last in and out: contiguous, so it vectorizes over channels.
template <typename AccLow, bool kSplit>
inline __attribute__((always_inline)) void requantize_pixel_body(const RequantTable& t, const AccLow* low,
                                                                 const int32_t* high, int high_shift,
                                                                 int channels, int16_t* out) {
  const int32_t* mult = t.mult.data();
  const int64_t* bias = t.bias.data();
  for (int c = 0; c < channels; ++c) {
    int64_t acc = int64_t(low[c]);
    if constexpr (kSplit) acc += int64_t(high[c]) * (int64_t(1) << high_shift);
    out[c] = requantize(acc, mult[c], bias[c], t.shift, t.range);
  }
}

// The body cloned per CPU, one function per accumulator kind: what runs without the AVX-512 loop
// below (and for int64 accumulators). GCC leaves the AVX-512 clone scalar (it does not inline
// the contract's requantize() across arch=); that scalar form measured faster here than what GCC's vectorizer made
// of the loop (AVX2 emulating the 64-bit arithmetic shift, AVX-512 with mask blends).
QFLOW_CPU_CLONES void requantize_pixel_split(const RequantTable& t, const int32_t* low, const int32_t* high,
                                             int high_shift, int channels, int16_t* out) {
  requantize_pixel_body<int32_t, true>(t, low, high, high_shift, channels, out);
}
QFLOW_CPU_CLONES void requantize_pixel_int32(const RequantTable& t, const int32_t* low, int channels, int16_t* out) {
  requantize_pixel_body<int32_t, false>(t, low, nullptr, 0, channels, out);
}
QFLOW_CPU_CLONES void requantize_pixel_int64(const RequantTable& t, const int64_t* low, int channels, int16_t* out) {
  requantize_pixel_body<int64_t, false>(t, low, nullptr, 0, channels, out);
}

// 8 pixels x 8 channels (rows `stride` int16s apart) -> 8 channels x 8 pixels, at dst[c] + at.
inline void transpose_8x8(const int16_t* src, size_t stride, int16_t* const* dst, size_t at) {
  __m128i r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i * stride));
  for (int i = 0; i < 8; i += 2) {
    t[i / 2] = _mm_unpacklo_epi16(r[i], r[i + 1]);      // channels 0..3 of pixels i, i+1
    t[4 + i / 2] = _mm_unpackhi_epi16(r[i], r[i + 1]);  // channels 4..7
  }
  for (int h = 0; h < 2; ++h) {  // channels 0..3, then 4..7
    u[4 * h + 0] = _mm_unpacklo_epi32(t[4 * h + 0], t[4 * h + 1]);  // 2 channels x pixels 0..3
    u[4 * h + 1] = _mm_unpackhi_epi32(t[4 * h + 0], t[4 * h + 1]);
    u[4 * h + 2] = _mm_unpacklo_epi32(t[4 * h + 2], t[4 * h + 3]);  // the same for pixels 4..7
    u[4 * h + 3] = _mm_unpackhi_epi32(t[4 * h + 2], t[4 * h + 3]);
  }
  for (int h = 0; h < 2; ++h)
    for (int j = 0; j < 2; ++j) {
      const __m128i low = u[4 * h + j], high = u[4 * h + 2 + j];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[4 * h + 2 * j] + at), _mm_unpacklo_epi64(low, high));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst[4 * h + 2 * j + 1] + at), _mm_unpackhi_epi64(low, high));
    }
}

// tile (count x channels) -> codes' planes at pixel `first`, in 8 x 8 blocks.
void write_planes(const int16_t* tile, int count, int channels, CodeMap& codes, int64_t first) {
  constexpr int kBlock = 8;
  const size_t plane = size_t(codes.height) * codes.width;
  int16_t* base = codes.codes.data() + first;
  int c0 = 0;
  for (; c0 + kBlock <= channels; c0 += kBlock) {
    int16_t* dst[kBlock];
    for (int j = 0; j < kBlock; ++j) dst[j] = base + (c0 + j) * plane;
    int i = 0;
    for (; i + kBlock <= count; i += kBlock)
      transpose_8x8(tile + size_t(i) * channels + c0, size_t(channels), dst, size_t(i));
    for (; i < count; ++i)
      for (int j = 0; j < kBlock; ++j) dst[j][i] = tile[size_t(i) * channels + c0 + j];
  }
  for (; c0 < channels; ++c0)
    for (int i = 0; i < count; ++i) base[c0 * plane + i] = tile[size_t(i) * channels + c0];
}

// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own undefined-register idiom.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// AVX-512: eight channels per register in 64-bit lanes (vpsraq, vpminsq/vpmaxsq and vpmovqw are
// AVX-512's own; AVX2 has none of them). acc * M_c by vpmuldq while acc fits 32 bits, by vpmullq
// when it carries a split input's high part.
template <bool kSplit>
__attribute__((target("avx512f,avx512dq"))) void requantize_pixel_avx512(const RequantTable& t, const int32_t* low,
                                                                          const int32_t* high, int high_shift,
                                                                          int channels, int16_t* out) {
  const __m512i lo = _mm512_set1_epi64(t.range.lo), hi = _mm512_set1_epi64(t.range.hi);
  const __m128i shift = _mm_cvtsi32_si128(t.shift), up = _mm_cvtsi32_si128(high_shift);
  int c = 0;
  for (; c + 8 <= channels; c += 8) {
    __m512i acc = _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(low + c)));
    const __m512i mult = _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.mult.data() + c)));
    __m512i v;
    if constexpr (kSplit) {
      const __m512i h = _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(high + c)));
      acc = _mm512_add_epi64(acc, _mm512_sll_epi64(h, up));
      v = _mm512_mullo_epi64(acc, mult);
    } else {
      v = _mm512_mul_epi32(acc, mult);
    }
    v = _mm512_add_epi64(v, _mm512_loadu_si512(t.bias.data() + c));
    v = _mm512_min_epi64(_mm512_max_epi64(_mm512_sra_epi64(v, shift), lo), hi);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c), _mm512_cvtepi64_epi16(v));
  }
  for (; c < channels; ++c) {
    int64_t acc = int64_t(low[c]);
    if constexpr (kSplit) acc += int64_t(high[c]) * (int64_t(1) << high_shift);
    out[c] = requantize(acc, t.mult[size_t(c)], t.bias[size_t(c)], t.shift, t.range);
  }
}
#pragma GCC diagnostic pop

// Requantize channel-last into a scratch tile, then write it out in both layouts.
template <typename AccLow, bool kSplit>
void requantize(const RequantTable& t, const AccLow* low, const int32_t* high, int high_shift, int64_t stride,
                int64_t first, int count, const RequantTarget& out) {
  const int channels = int(t.mult.size());
  static const bool avx512 = vector_isas_of_this_cpu().front() == VectorIsa::Avx512;
  thread_local std::vector<int16_t> tile;
  tile.resize(size_t(count) * channels);
  for (int i = 0; i < count; ++i) {
    const AccLow* pixel = low + i * stride;
    const int32_t* pixel_high = kSplit ? high + i * stride : nullptr;
    int16_t* codes_out = tile.data() + size_t(i) * channels;
    if constexpr (std::is_same_v<AccLow, int64_t>)
      requantize_pixel_int64(t, pixel, channels, codes_out);
    else if (avx512)
      requantize_pixel_avx512<kSplit>(t, pixel, pixel_high, high_shift, channels, codes_out);
    else if constexpr (kSplit)
      requantize_pixel_split(t, pixel, pixel_high, high_shift, channels, codes_out);
    else
      requantize_pixel_int32(t, pixel, channels, codes_out);
  }
  if (out.codes) write_planes(tile.data(), count, channels, *out.codes, first);
  if (out.bytes) std::copy(tile.begin(), tile.end(), out.bytes->low.begin() + first * channels);
}

}  // namespace

RequantTable requant_table(const Layer& layer) {
  RequantTable t;
  t.mult.reserve(layer.mult.size());
  for (const int64_t m : layer.mult) {
    if (m < std::numeric_limits<int32_t>::min() || m > std::numeric_limits<int32_t>::max())
      throw std::invalid_argument(fmt::format("layer '{}': mult {} does not fit the {}-bit multiplier", layer.name,
                                              m, kMultBits));
    t.mult.push_back(int32_t(m));
  }
  t.bias = layer.bias;
  t.shift = layer.shift;
  t.range = code_range(layer.out_bits, layer.op == LayerOp::FlowHead);
  return t;
}

void requantize_block(const RequantTable& table, const int32_t* acc_low, const int32_t* acc_high, int high_shift,
                      int64_t stride, int64_t first, int count, const RequantTarget& out) {
  if (acc_high)
    requantize<int32_t, true>(table, acc_low, acc_high, high_shift, stride, first, count, out);
  else
    requantize<int32_t, false>(table, acc_low, nullptr, 0, stride, first, count, out);
}

void requantize_block(const RequantTable& table, const int64_t* acc, int64_t stride, int64_t first, int count,
                      const RequantTarget& out) {
  requantize<int64_t, false>(table, acc, nullptr, 0, stride, first, count, out);
}

}  // namespace qflow
