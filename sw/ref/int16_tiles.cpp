#include "int16_tiles.hpp"

#include <immintrin.h>

#include <cstring>

namespace qflow {
namespace {

// An input pixel's channel pair as one int32 (two int16 codes, low address first).
inline int32_t code_pair(const int16_t* at) {
  int32_t pair;
  std::memcpy(&pair, at, sizeof pair);
  return pair;
}

template <int P>
__attribute__((target("avx2"))) void tile_avx2(const TileArgs& t, int32_t* out, int64_t out_step) {
  __m256i acc[P][2];
  for (int p = 0; p < P; ++p) acc[p][0] = acc[p][1] = _mm256_setzero_si256();
  const int64_t tap_weights = int64_t(t.pairs) * 2 * kTileChannels;
  for (int ky = t.ky_begin; ky < t.ky_end; ++ky)
    for (int kx = 0; kx < t.kernel; ++kx) {
      const int16_t* window = t.in + ky * t.row_stride + int64_t(kx) * t.pairs * 2;
      const int16_t* w = t.weights + (int64_t(ky) * t.kernel + kx) * tap_weights + t.pair_begin * 2 * kTileChannels;
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

// The same sums in plain loops, for CPUs without AVX2.
template <int P>
void tile_portable(const TileArgs& t, int32_t* out, int64_t out_step) {
  int32_t acc[P][kTileChannels] = {};
  const int64_t tap_weights = int64_t(t.pairs) * 2 * kTileChannels;
  for (int ky = t.ky_begin; ky < t.ky_end; ++ky)
    for (int kx = 0; kx < t.kernel; ++kx) {
      const int16_t* window = t.in + ky * t.row_stride + int64_t(kx) * t.pairs * 2;
      const int16_t* w = t.weights + (int64_t(ky) * t.kernel + kx) * tap_weights + t.pair_begin * 2 * kTileChannels;
      for (int c = t.pair_begin; c < t.pair_end; ++c, w += 2 * kTileChannels)
        for (int p = 0; p < P; ++p) {
          const int16_t* codes = window + int64_t(p) * t.pixel_step + 2 * c;
          for (int o = 0; o < kTileChannels; ++o) {
            const int half = o / 8, lane = o % 8;  // the AVX2 register order: 8 channels per register
            const int16_t* pair = w + half * kTileChannels + lane * 2;
            acc[p][o] += int32_t(codes[0]) * pair[0] + int32_t(codes[1]) * pair[1];
          }
        }
    }
  for (int p = 0; p < P; ++p) std::memcpy(out + p * out_step, acc[p], sizeof acc[p]);
}

template <int P>
struct Avx2 {
  static void run(const TileArgs& t, int32_t* out, int64_t step) { tile_avx2<P>(t, out, step); }
};
template <int P>
struct Portable {
  static void run(const TileArgs& t, int32_t* out, int64_t step) { tile_portable<P>(t, out, step); }
};

template <template <int> class Tile>
void by_pixels(const TileArgs& t, int pixels, int32_t* out, int64_t out_step) {
  static_assert(kTilePixels == 6);
  switch (pixels) {
    case 1: return Tile<1>::run(t, out, out_step);
    case 2: return Tile<2>::run(t, out, out_step);
    case 3: return Tile<3>::run(t, out, out_step);
    case 4: return Tile<4>::run(t, out, out_step);
    case 5: return Tile<5>::run(t, out, out_step);
    default: return Tile<6>::run(t, out, out_step);
  }
}

}  // namespace

TileFn int16_tile_kernel(bool portable) {
  if (!portable && __builtin_cpu_supports("avx2")) return &by_pixels<Avx2>;
  return &by_pixels<Portable>;
}

const char* int16_tile_isa(TileFn fn) { return fn == &by_pixels<Avx2> ? "avx2" : "portable"; }

}  // namespace qflow
