// FPGA resources of an architecture without synthesis: per conv layer its MAC array and requant
// lanes (the yosys-fitted CircuitCostModel at the layer's widths, folding and multiplier choice)
// and its memories (weight ROM, line buffer, requant parameters), plus the pipeline's FIFOs and
// on-chip skip buffers, each mapped onto block RAM by its shape. Fitted to a part: memories move
// to UltraRAM while block RAM is over its ceiling, a soft DDR controller is added where the part
// has no hard one, and each resource is compared with the part's ceiling.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_config.hpp"
#include "arch/circuit_cost.hpp"
#include "arch/folding_model.hpp"
#include "arch/fpga_parts.hpp"
#include "arch/memory_blocks.hpp"
#include "arch/run_plan.hpp"
#include "package/package.hpp"

namespace qflow {

struct LayerResources {
  std::string name;
  MultiplierImpl multipliers = MultiplierImpl::Dsp;
  LogicCost array, requant;
  LogicCost memory_check;  // the checkers of its ROM's and line buffer's parity or SECDED (none in block RAM's ECC)
  double fixed_shift_saving_luts = 0;  // the requant variant with the layer's shift built in
  std::vector<MemoryShape> memories;
};

// A frame's DRAM traffic, by master, and the rate it asks of the DRAM at the pipeline's frame rate.
struct DramTraffic {
  double input_bytes = 0, flow_bytes = 0, skip_bytes = 0;  // the pair in, the flow out, skip rows out and back
  std::vector<std::pair<std::string, double>> weight_bytes;  // per conv layer with weights on DDR
  double frames_per_second = 0;  // the clock over the slowest layer's cycles
  double bytes_per_frame() const;
  double gbps() const { return bytes_per_frame() * frames_per_second / 1e9; }
};

struct ResourceEstimate {
  std::vector<LayerResources> layers;  // conv layers, package order
  std::vector<MemoryShape> buffers;    // FIFOs and on-chip skip buffers
  DramTraffic dram;
};

ResourceEstimate estimate_resources(const Package& package, const ArchConfig& config, const std::vector<LayerPlan>& plans,
                                    const CircuitCostModel& cost = CircuitCostModel::bundled());
ResourceEstimate estimate_resources(const RunPlan& plan, const CircuitCostModel& cost = CircuitCostModel::bundled());
// A conv layer's memories for its plan: weight ROM, or weight buffer and band outputs when its
// weights are on DDR; line buffer; requant parameters.
// Under protection each ROM word, and each line-buffer word, carries its check bits.
std::vector<MemoryShape> conv_memories(const Layer& layer, const LayerPlan& plan, const TensorShape& in,
                                       WordProtection rom_protection = WordProtection::None,
                                       WordProtection line_protection = WordProtection::None);

struct PlacedMemory {
  std::string owner;  // the layer, or "pipeline" for FIFOs and skip buffers
  MemoryShape shape;
  MemoryBlocks blocks;
};

struct ResourceUse {
  FabricResources used;  // logic, LUT RAM in luts, memories placed
  FabricResources logic, lutram, memory, memory_controller;
  std::vector<PlacedMemory> memories;
};

// Without a part: every memory in block RAM (or LUT RAM) and no memory controller.
ResourceUse total_resources(const ResourceEstimate& estimate);

struct PartFit {
  const FpgaPart* part = nullptr;
  ResourceUse use;
  FabricResources limit;       // capacity x ceiling
  double ddr_gbps_used = 0, ddr_gbps_limit = 0;  // the frame's DRAM traffic at its frame rate; peak x ceiling
  bool fits = false;
  std::string binding;         // the resource nearest its ceiling (or furthest over it)
  double binding_fraction = 0; // its use / its ceiling
};

PartFit fit_to_part(const ResourceEstimate& estimate, const FpgaPart& part, const PartCatalog& catalog);

nlohmann::json resources_json(const ResourceEstimate& estimate, const ResourceUse& use);
nlohmann::json part_fit_json(const PartFit& fit);

}  // namespace qflow
