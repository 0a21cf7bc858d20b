// A GTKWave save file next to a VCD, so that `gtkwave waves/qflow.gtkw` opens with the pipeline's
// signals laid out: per unit busy/stalled/starved and row, FIFO levels, CSR status, interrupt,
// and under co-simulation the RTL handshakes.
#pragma once

#include <filesystem>

namespace qflow::sim {

// Reads the VCD's declarations and writes `save` listing every traced signal in declaration order.
void write_gtkwave_save(const std::filesystem::path& vcd, const std::filesystem::path& save);

}  // namespace qflow::sim
