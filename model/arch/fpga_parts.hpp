// FPGA parts an accelerator may be fitted to: capacities, the ceilings for timing closure, and
// what a soft DDR controller costs. Read from a JSON catalog (model/arch/fpga_parts.json is the
// bundled one; a user extends a copy of it).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace qflow {

// LUTs, flip-flops, RAMB36 blocks (a RAMB18 is half), UltraRAMs, DSP slices.
struct FabricResources {
  double luts = 0, flip_flops = 0, bram36 = 0, uram = 0, dsps = 0;
};

struct FpgaPart {
  std::string name, device, dsp_slice;  // dsp_slice: DSP48E1 (7-series) or DSP48E2 (UltraScale+)
  FabricResources capacity;
  bool hard_memory_controller = true;   // a Zynq's PS: DDR costs no fabric
  double ddr_gbps = 0;                  // the DRAM's peak bandwidth the accelerator reaches, GB/s (0: none)
  std::string ddr;                      // what that DRAM is, for the reports
  bool packs_two_macs_per_dsp() const { return dsp_slice == "DSP48E2"; }
};

struct PartCatalog {
  std::vector<FpgaPart> parts;
  FabricResources ceilings;                // the fraction of each resource a design may use
  double ddr_ceiling = 0.7;                // the fraction of the DRAM's peak bandwidth a design may use
  FabricResources soft_memory_controller;  // the fabric a DDR controller takes where no hard one is
  // The part of that name (case-insensitive); throws ArchError listing the known names.
  const FpgaPart& find(const std::string& name) const;
};

// Throws ArchError naming the file and the entry at fault.
PartCatalog read_part_catalog(const std::filesystem::path& file);
// model/arch/fpga_parts.json of this source tree.
const PartCatalog& bundled_parts();

}  // namespace qflow
