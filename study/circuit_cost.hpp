// The MAC-array + requant circuit of a simulated accelerator: each conv layer's PE x SIMD
// multipliers at its widths and its PE requant lanes, priced by the hardware side's yosys-fitted
// cost model (model/arch/circuit_cost). The MAC arrays in LUTs (synth_xilinx -nodsp): the size
// quantizing buys, in one currency that shrinks with every bit (with DSP inference, a 5-bit array
// takes fewer LUTs than a 4-bit one, its multipliers having moved into DSPs). The requant lanes'
// 24-bit multipliers stay in DSPs at every width, as a designer would keep them.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/circuit_cost.hpp"

namespace qflow::study {

// One conv layer of a simulated accelerator: its widths and its folding.
struct FoldedLayer {
  std::string name, op;             // op: conv | flow_head
  std::vector<std::string> inputs;  // as in network.json
  int w_bits = 8, in_bits = 8, out_bits = 8, pe = 1, simd = 1;
};

// network: a package's network.json; sim_report: `qflow-sim run`'s report.json of that package.
std::vector<FoldedLayer> folded_layers(const nlohmann::json& network, const nlohmann::json& sim_report);

// Totals and per layer.
nlohmann::json estimate_circuit(const std::vector<FoldedLayer>& layers, const CircuitCostModel& cost);

}  // namespace qflow::study
