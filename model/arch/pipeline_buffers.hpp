// The row buffers between the pipeline's units: each map's first consumer reads a FIFO; a later
// consumer (a decoder concat) reads a skip buffer holding the whole map, on chip or in DRAM behind
// a FIFO to the DMA and one back. The accelerator builds its channels from this list, by name (and
// refuses a channel it lacks), and the resource estimate prices it without simulating.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch_config.hpp"
#include "arch/folding_model.hpp"
#include "package/package.hpp"

namespace qflow {

struct BufferSpec {
  std::string name;      // the channel's name in the simulation: "<from>_to_<layer>", ...
  int depth_rows = 0;
  int map_rows = 0;      // rows of the map it carries: the most it can ever hold
  int64_t row_bits = 0;  // one row of the map it carries
  int64_t beat_bits = 0; // what its producer writes per cycle: PE codes of a conv, a pixel otherwise
  bool skip = false;
  bool in_dram = false;  // the rows wait in DRAM: no on-chip memory
};

// Throws ArchError when config.fifo_depths names a channel the pipeline does not have.
std::vector<BufferSpec> pipeline_buffers(const Package& package, const ArchConfig& config,
                                         const std::vector<LayerPlan>& plans);

}  // namespace qflow
