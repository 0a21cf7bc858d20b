#include "int16_tiles.hpp"

#include <immintrin.h>

#include <cstring>
#include <stdexcept>

namespace qflow {
namespace {

// An input pixel's channel pair as one int32 (two int16 codes, low address first).
inline int32_t code_pair(const int16_t* at) {
  int32_t pair;
  std::memcpy(&pair, at, sizeof pair);
  return pair;
}

// Where tap (ky, kx) starts: the first pixel's codes, and the tap's weights at the call's first pair.
inline const int16_t* tap_codes(const TileArgs& t, int ky, int kx) {
  return t.in + ky * t.row_stride + int64_t(kx) * t.pairs * 2;
}
inline const int16_t* tap_weights(const TileArgs& t, int ky, int kx) {
  return t.weights + ((int64_t(ky) * t.kernel + kx) * t.pairs + t.pair_begin) * 2 * kTileChannels;
}

// AVX2: P pixels x 16 channels in 2P registers of 8 lanes (P = 6: 12 accumulators, 2 weights and
// a broadcast code of the 16 registers).
template <int P>
__attribute__((target("avx2"))) void tile_avx2(const TileArgs& t, int32_t* out, int64_t out_step) {
  __m256i acc[P][2];
  for (int p = 0; p < P; ++p) acc[p][0] = acc[p][1] = _mm256_setzero_si256();
  for (int ky = t.ky_begin; ky < t.ky_end; ++ky)
    for (int kx = 0; kx < t.kernel; ++kx) {
      const int16_t* window = tap_codes(t, ky, kx);
      const int16_t* w = tap_weights(t, ky, kx);
      for (int c = t.pair_begin; c < t.pair_end; ++c, w += 2 * kTileChannels) {
        const __m256i w_low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
        const __m256i w_high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + kTileChannels));
        for (int p = 0; p < P; ++p) {
          const __m256i codes = _mm256_set1_epi32(code_pair(window + int64_t(p) * t.pixel_step + 2 * c));
          acc[p][0] = _mm256_add_epi32(acc[p][0], _mm256_madd_epi16(codes, w_low));
          acc[p][1] = _mm256_add_epi32(acc[p][1], _mm256_madd_epi16(codes, w_high));
        }
      }
    }
  for (int p = 0; p < P; ++p) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + p * out_step), acc[p][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + p * out_step + 8), acc[p][1]);
  }
}

// AVX-512: P pixels x B blocks of 16 channels, one register of 16 lanes per pixel and block (P = 12,
// B = 2: 24 accumulators of the 32 registers). A tap's channel pair for a block's 16 channels is one
// 512-bit load; pmaddwd's lane j sums pair j, so the lanes come out as channels 0..15, the AVX2
// tile's two registers end to end. Each code pair is broadcast once for the B blocks.
template <int P, int B>
__attribute__((target("avx512f,avx512bw"))) void tile_avx512(const TileArgs& t, int32_t* out, int64_t out_step) {
  __m512i acc[P][B];
  for (int p = 0; p < P; ++p)
    for (int b = 0; b < B; ++b) acc[p][b] = _mm512_setzero_si512();
  for (int ky = t.ky_begin; ky < t.ky_end; ++ky)
    for (int kx = 0; kx < t.kernel; ++kx) {
      const int16_t* window = tap_codes(t, ky, kx);
      const int16_t* w = tap_weights(t, ky, kx);
      for (int c = t.pair_begin; c < t.pair_end; ++c, w += 2 * kTileChannels) {
        __m512i weights[B];
        for (int b = 0; b < B; ++b) weights[b] = _mm512_loadu_si512(w + b * t.block_stride);
        for (int p = 0; p < P; ++p) {
          const __m512i codes = _mm512_set1_epi32(code_pair(window + int64_t(p) * t.pixel_step + 2 * c));
          for (int b = 0; b < B; ++b) acc[p][b] = _mm512_add_epi32(acc[p][b], _mm512_madd_epi16(codes, weights[b]));
        }
      }
    }
  for (int p = 0; p < P; ++p)
    for (int b = 0; b < B; ++b) _mm512_storeu_si512(out + p * out_step + b * kTileChannels, acc[p][b]);
}

// The same sums in plain loops, for CPUs without AVX2.
template <int P>
void tile_portable(const TileArgs& t, int32_t* out, int64_t out_step) {
  int32_t acc[P][kTileChannels] = {};
  for (int ky = t.ky_begin; ky < t.ky_end; ++ky)
    for (int kx = 0; kx < t.kernel; ++kx) {
      const int16_t* window = tap_codes(t, ky, kx);
      const int16_t* w = tap_weights(t, ky, kx);
      for (int c = t.pair_begin; c < t.pair_end; ++c, w += 2 * kTileChannels)
        for (int p = 0; p < P; ++p) {
          const int16_t* codes = window + int64_t(p) * t.pixel_step + 2 * c;
          for (int o = 0; o < kTileChannels; ++o) {
            const int half = o / 8, lane = o % 8;  // the registers' order: 8 channels per 256 bits
            const int16_t* pair = w + half * kTileChannels + lane * 2;
            acc[p][o] += int32_t(codes[0]) * pair[0] + int32_t(codes[1]) * pair[1];
          }
        }
    }
  for (int p = 0; p < P; ++p) std::memcpy(out + p * out_step, acc[p], sizeof acc[p]);
}

template <int P>
struct Avx512 {
  static void run(const TileArgs& t, int32_t* out, int64_t step) { tile_avx512<P, 1>(t, out, step); }
};
template <int P>
struct Avx512Pair {
  static void run(const TileArgs& t, int32_t* out, int64_t step) { tile_avx512<P, 2>(t, out, step); }
};
template <int P>
struct Avx2 {
  static void run(const TileArgs& t, int32_t* out, int64_t step) { tile_avx2<P>(t, out, step); }
};
template <int P>
struct Portable {
  static void run(const TileArgs& t, int32_t* out, int64_t step) { tile_portable<P>(t, out, step); }
};

// pixels in 1..N, each count its own instantiation (the accumulators stay in registers).
template <template <int> class Tile, int N>
void by_pixels(const TileArgs& t, int pixels, int32_t* out, int64_t out_step) {
  if constexpr (N > 1)
    if (pixels < N) return by_pixels<Tile, N - 1>(t, pixels, out, out_step);
  Tile<N>::run(t, out, out_step);
}

}  // namespace

TileKernel int16_tile_kernel(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::Avx512:
      return {&by_pixels<Avx512, 12>, &by_pixels<Avx512Pair, 12>, 12, "avx512"};
    case VectorIsa::Avx2:
      return {&by_pixels<Avx2, 6>, nullptr, 6, "avx2"};
    case VectorIsa::Portable:
      return {&by_pixels<Portable, 6>, nullptr, 6, "portable"};
  }
  throw std::logic_error("unknown tile ISA");
}

TileKernel int16_tile_kernel() { return int16_tile_kernel(vector_isas_of_this_cpu().front()); }

}  // namespace qflow
