#include "memory_blocks.hpp"

#include <algorithm>
#include <limits>

namespace qflow {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Aspect {
  int64_t depth, width;
};
constexpr Aspect kRamb36[] = {{32768, 1}, {16384, 2}, {8192, 4}, {4096, 9}, {2048, 18}, {1024, 36}, {512, 72}};
constexpr Aspect kRamb18[] = {{16384, 1}, {8192, 2}, {4096, 4}, {2048, 9}, {1024, 18}, {512, 36}};

}  // namespace

MemoryBlocks block_ram(const MemoryShape& m) {
  MemoryBlocks blocks;
  if (m.width_bits <= 0 || m.depth <= 0) return blocks;
  if (m.depth <= kLutRamMaxDepth) {
    blocks.lutram_luts = m.width_bits;
    return blocks;
  }
  double best = std::numeric_limits<double>::max();
  for (const Aspect& a : kRamb36) best = std::min(best, double(ceil_div(m.depth, a.depth) * ceil_div(m.width_bits, a.width)));
  for (const Aspect& a : kRamb18)
    best = std::min(best, 0.5 * double(ceil_div(m.depth, a.depth) * ceil_div(m.width_bits, a.width)));
  blocks.bram36 = best;
  return blocks;
}

MemoryBlocks ultra_ram(const MemoryShape& m) {
  MemoryBlocks blocks;
  if (m.width_bits > 0 && m.depth > 0) blocks.uram = ceil_div(m.depth, 4096) * ceil_div(m.width_bits, 72);
  return blocks;
}

}  // namespace qflow
