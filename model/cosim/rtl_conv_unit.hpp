// Co-simulation: a conv layer's rows through the Verilated mac_array and requant RTL, clocked in a
// plain C++ loop (no SystemC signals), so a row runs on any host thread and the PE advances its
// simulated time by the cycles the RTL took. The arrays are the Verilated size with the fewest lanes
// that holds the layer's folding, several side by side for a taller PE (rtl/cosim/array_choice.hpp,
// model/cosim/array_tiles.hpp); the requant unit takes the accumulators as they leave the array,
// one channel per cycle, as the hardware's serializer would. Verilated types stay in the .cpp files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "array_tiles.hpp"
#include "datapath/weight_rom.hpp"
#include "package/network_shapes.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

class RequantLane;

// One row through the RTL.
struct RtlRow {
  CodeMap codes;              // C_out x 1 x W_out
  uint64_t cycles = 0;        // the row's first beat to its last code
  uint64_t array_cycles = 0;  // the row's first beat to the array's last output
};

class RtlConvUnit {
 public:
  // Throws ArchError when no Verilated array holds the folding, or the layer's inputs, weights,
  // accumulator bound or requant integers do not fit the RTL's widths. `waves_dir`: where each
  // Verilated unit writes its FST (<layer>_mac_array.fst, <layer>_requant.fst); empty for none.
  RtlConvUnit(const Layer& layer, const TensorShape& in, int pe, int simd, double period_ns,
              const std::filesystem::path& waves_dir = {});
  ~RtlConvUnit();

  // One output row from the window `strip` (C x k x (W + 2 pad), padding zero; `strip_layer` is the
  // layer without padding) and the ROM's words, starting at `start_ps` on the frame's time axis (the
  // waves'). From any thread, one row at a time.
  RtlRow run_row(const Layer& strip_layer, const CodeMap& strip, const WeightRom& rom, uint64_t start_ps);
  // The fewest cycles a row of this width can take: one per beat.
  uint64_t min_row_cycles(int out_w) const;
  // The arrays it runs on, e.g. "mac_array 16x32 x2 + requant".
  std::string hardware() const;

 private:
  rtl::ConvFolding folding_;
  ArrayChoice choice_;
  int words_per_pixel_;  // ROM words per output pixel: the array's beats
  std::vector<std::unique_ptr<ArrayTile>> tiles_;
  std::unique_ptr<RequantLane> requant_;
  uint64_t max_cycles_ = 0;  // a row that takes longer has hung
};

}  // namespace qflow
