// A GTKWave save file next to a VCD, so that `gtkwave waves/qflow.gtkw` opens on the whole frame
// with the pipeline laid out: a group per unit in pipeline order (its busy/stalled/starved/row and,
// as analog steps, the levels of the FIFOs it writes; under co-simulation its RTL array and
// requant unit), the CSRs and the interrupt in their own group, markers at the frame's start (A)
// and at the interrupt (B), every trace labelled with its unit.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace qflow::sim {

// `units`: the pipeline's units in order (the input streamer, the package's layers, the flow
// writer). Signals the layout does not know go to a last group, so that none is left out.
// `dumpfile`: the waves the save file opens (the VCD itself, or its FST conversion).
void write_gtkwave_save(const std::filesystem::path& vcd, const std::filesystem::path& save,
                        const std::vector<std::string>& units, const std::filesystem::path& dumpfile);

// Converts a VCD into GTKWave's compressed FST next to it (same name, .fst) with vcd2fst (Debian:
// gtkwave) and removes the VCD.
void convert_to_fst(const std::filesystem::path& vcd);

}  // namespace qflow::sim
