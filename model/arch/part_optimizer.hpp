// The folding optimizer for an FPGA part: the highest frame rate whose folding fits the part,
// each layer's multipliers in DSPs or in LUTs (at narrow widths a LUT multiplier is cheap, which
// is what quantizing buys), optionally two narrow MACs per DSP48E2.
#pragma once

#include "arch/arch_config.hpp"
#include "arch/circuit_cost.hpp"
#include "arch/fpga_parts.hpp"
#include "package/package.hpp"

namespace qflow {

// Moves layers' multipliers from DSPs to LUTs, cheapest LUTs per DSP freed first, until the DSPs
// fit the part's ceiling (or every layer is in LUTs).
void assign_multipliers(ArchConfig& config, const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                        const CircuitCostModel& cost);

// The smallest initiation interval whose folding (arch_for_interval), with multipliers assigned,
// fits the part, with the skip buffers on chip or in DRAM, whichever is faster (on chip on a
// tie). Throws ArchError when even the narrowest folding does not fit, naming the resource.
// `dsp_packing` applies only where the part's DSP48E2 can pack.
ArchConfig arch_for_part(const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                         const CircuitCostModel& cost, bool dsp_packing, double clock_mhz);

}  // namespace qflow
