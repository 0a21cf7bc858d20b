// The inner loop of qflow's exact conv kernel: a tile of output pixels of one row x 16 output
// channels, summed over a range of the window's taps and input channel pairs. Codes and weights
// are int16; two neighbouring input channels' products are added in int32 at once (pmaddwd),
// which is exact for any int16 code times an 8-bit weight (|pair| <= 2^23), unlike the saturating
// int16 pair sums of the u8 x s8 instructions.
#pragma once

#include <cstdint>
#include <vector>

#include "vector_isa.hpp"

namespace qflow {

inline constexpr int kTileChannels = 16;
inline constexpr int kMaxTilePixels = 12;

// Where a tile reads. Input: channel-last int16 with a zero border and an even channel count
// (`pairs` pairs per pixel); `in` is the first pixel's top-left tap. Weights: per 16-channel block,
// [ky][kx][pair][16 channels as 2 x 8][2]; `weights` is the block's start.
struct TileArgs {
  const int16_t* in;
  int64_t row_stride;    // int16s from one input row to the next
  int pixel_step;        // int16s from one output pixel's window to the next (stride x channels)
  int kernel;            // k (square windows)
  int pairs;             // channel pairs per pixel
  const int16_t* weights;
  int64_t block_stride;      // int16s from one block's weights to the next
  int ky_begin, ky_end;      // window rows summed by this call
  int pair_begin, pair_end;  // channel pairs summed by this call
};

// Sums a tile of `pixels` (1..the kernel's pixels) into `out` (pixels x 16 int32, or 32 for two
// blocks, `out_step` int32s from one pixel to the next), overwriting it.
using TileFn = void (*)(const TileArgs&, int pixels, int32_t* out, int64_t out_step);

struct TileKernel {
  TileFn run;        // one block of 16 channels
  TileFn run_pair;   // two neighbouring blocks at once (each code broadcast once for both); null
                     // where the ISA has too few registers
  int pixels;        // per tile: as many as the ISA's registers hold accumulators for
  const char* isa;
};
inline constexpr int kMaxTileBlocks = 2;

// The widest this CPU runs (vector_isa.hpp): AVX-512 registers, AVX2 ones, or plain loops.
TileKernel int16_tile_kernel();
// One ISA's tiles; the tests run every one the CPU has.
TileKernel int16_tile_kernel(VectorIsa isa);

}  // namespace qflow
