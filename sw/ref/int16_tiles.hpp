// The inner loop of qflow's exact conv kernel: a tile of up to kTilePixels output pixels of one
// row x 16 output channels, summed over a range of the window's taps and input channel pairs.
// Codes and weights are int16; two neighbouring input channels' products are added in int32 at
// once (pmaddwd), which is exact for any int16 code times an 8-bit weight (|pair| <= 2^23), unlike
// the saturating int16 pair sums of the u8 x s8 instructions.
#pragma once

#include <cstdint>

namespace qflow {

inline constexpr int kTilePixels = 6;   // 6 x 2 accumulator registers of 8 lanes, 2 weights, 1 code
inline constexpr int kTileChannels = 16;

// Where a tile reads and writes. Input: channel-last int16 with a zero border and an even channel
// count (`pairs` pairs per pixel); `in` is the first pixel's top-left tap. Weights: per 16-channel
// block, [ky][kx][pair][16 channels][2] (the layout `pack_tile_weights` writes); `weights` is the
// block's start.
struct TileArgs {
  const int16_t* in;
  int64_t row_stride;    // int16s from one input row to the next
  int pixel_step;        // int16s from one output pixel's window to the next (stride x channels)
  int kernel;            // k (square windows)
  int pairs;             // channel pairs per pixel
  const int16_t* weights;
  int ky_begin, ky_end;      // window rows summed by this call
  int pair_begin, pair_end;  // channel pairs summed by this call
};

// Sums the tile into `out` (pixels x 16 int32, `out_step` int32s from one pixel to the next),
// overwriting it. `pixels` in 1..kTilePixels.
using TileFn = void (*)(const TileArgs&, int pixels, int32_t* out, int64_t out_step);

// AVX2 registers where the CPU has them, plain loops otherwise; `portable` forces the plain loops
// (the tests run both).
TileFn int16_tile_kernel(bool portable = false);
const char* int16_tile_isa(TileFn fn);

}  // namespace qflow
