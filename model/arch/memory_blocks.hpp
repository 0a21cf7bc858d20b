// How an on-chip memory of a given width and depth maps onto FPGA memory primitives. A block RAM's
// count depends on its shape, not its bits alone: a RAMB36 is 32K x 1, 16K x 2, 8K x 4, 4K x 9,
// 2K x 18, 1K x 36 or 512 x 72 (simple dual port), a RAMB18 half of each; an UltraRAM 4K x 72.
// Shallow memories (64 words or fewer) go to LUT RAM, as synthesis tools put them.
#pragma once

#include <cstdint>
#include <string>

namespace qflow {

struct MemoryShape {
  std::string name;
  std::string kind;  // weight_rom | weight_buffer | band_outputs | line_buffer | requant_params | fifo | skip_buffer
  int64_t width_bits = 0, depth = 0;
  int64_t bits() const { return width_bits * depth; }
};

struct MemoryBlocks {
  double bram36 = 0;  // in RAMB36 units: a RAMB18 counts 0.5
  int64_t uram = 0;
  int64_t lutram_luts = 0;
};

inline constexpr int64_t kLutRamMaxDepth = 64;
inline constexpr int64_t kBlockRamPortBits = 72;  // a RAMB36's widest (simple dual port), an UltraRAM's

// The fewest RAMB36 (halves for RAMB18) holding the memory, over the aspect ratios; LUT RAM when
// it is shallow (one LUT per bit and 64 words).
MemoryBlocks block_ram(const MemoryShape& m);
// The same memory in UltraRAM.
MemoryBlocks ultra_ram(const MemoryShape& m);

}  // namespace qflow
