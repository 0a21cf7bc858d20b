// The folding optimizer for an FPGA part: the highest frame rate whose folding fits the part,
// each layer's multipliers in DSPs or in LUTs (at narrow widths a LUT multiplier is cheap, which
// is what quantizing buys), optionally two narrow MACs per DSP48E2, and each layer's weights in an
// on-chip ROM or streamed from the part's DDR in bands of output rows.
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

// Moves layers' weights from on-chip ROMs to DDR while block RAM (or UltraRAM) binds: the layers
// that can save the most block RAM first, each with the band that saves the most while the layer
// stays within 5 % of `interval_cycles` (its weight stream's waits) and the DDR traffic under its ceiling.
void place_weights(ArchConfig& config, const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                   const CircuitCostModel& cost, int64_t interval_cycles);

// The smallest initiation interval whose folding (arch_for_interval), with multipliers assigned
// and weights placed, fits the part, with the skip buffers on chip or in DRAM, whichever is faster (on chip on a
// tie). Throws ArchError when even the narrowest folding does not fit, naming the resource.
// `dsp_packing` applies only where the part's DSP48E2 can pack.
ArchConfig arch_for_part(const Package& package, const FpgaPart& part, const PartCatalog& catalog,
                         const CircuitCostModel& cost, bool dsp_packing, double clock_mhz);

}  // namespace qflow
