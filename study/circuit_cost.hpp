// The MAC-array + requant circuit of a simulated accelerator, estimated from the yosys runs of
// rtl/cost/circuit_cost.csv (scripts/circuit_cost.py): each conv layer's PE x SIMD multipliers at
// its widths and its PE requant lanes, priced per MAC and per lane at the 8x8 array yosys measured.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qflow::study {

struct UnitCost {
  double luts = 0, flip_flops = 0, dsps = 0;  // per multiplier (mac_array) or per PE lane (requant)
};

// Per bit width 2..8: the generic LUT-6 mapping (luts, flip-flops) and synth_xilinx's DSP48E1s.
struct CostTable {
  std::map<int, UnitCost> mac, requant;
};

CostTable read_cost_table(const std::filesystem::path& csv);

// One conv layer of a simulated accelerator: its widths and its folding.
struct FoldedLayer {
  std::string name, op;             // op: conv | flow_head
  std::vector<std::string> inputs;  // as in network.json
  int w_bits = 8, in_bits = 8, out_bits = 8, pe = 1, simd = 1;
};

// network: a package's network.json; sim_report: `qflow-sim run`'s report.json of that package.
std::vector<FoldedLayer> folded_layers(const nlohmann::json& network, const nlohmann::json& sim_report);

// Totals and per layer. A multiplier of w x a bits is priced at the mean of the table's w x w and
// a x a per-MAC figures (the table has equal widths only); a requant lane at its output width.
// Widths are clamped to the table's 2..8 (the 12-bit upsampled inputs and the flow head's 16-bit
// output are priced at 8).
nlohmann::json estimate_circuit(const std::vector<FoldedLayer>& layers, const CostTable& table);

}  // namespace qflow::study
