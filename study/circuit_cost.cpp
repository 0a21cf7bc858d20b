#include "circuit_cost.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "study_plan.hpp"

namespace qflow::study {

CostTable read_cost_table(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  if (!in) throw PlanError(fmt::format("{}: missing or unreadable cost table", csv.string()));
  std::string line;
  std::getline(in, line);
  if (line.rfind("bits,flow,unit,pe,simd,luts,flip_flops,dsps", 0) != 0)
    throw PlanError(fmt::format("{}: not scripts/circuit_cost.py's table (header '{}')", csv.string(), line));
  CostTable table;
  for (int row = 2; std::getline(in, line); ++row) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string s; std::getline(fields, s, ',');) f.push_back(s);
    if (f.size() < 8) throw PlanError(fmt::format("{}:{}: expected at least 8 fields", csv.string(), row));
    try {
      const int bits = std::stoi(f[0]), pe = std::stoi(f[3]), simd = std::stoi(f[4]);
      const double luts = std::stod(f[5]), ffs = std::stod(f[6]), dsps = std::stod(f[7]);
      if (f[2] != "mac_array" && f[2] != "requant_x_pe") continue;  // pe_datapath is their sum
      const double per = f[2] == "mac_array" ? double(pe * simd) : double(pe);  // per multiplier / per lane
      UnitCost& unit = f[2] == "mac_array" ? table.mac[bits] : table.requant[bits];
      if (f[1] == "generic") unit.luts = luts / per, unit.flip_flops = ffs / per;
      if (f[1] == "xilinx") unit.dsps = dsps / per;
    } catch (const std::logic_error&) {
      throw PlanError(fmt::format("{}:{}: a field is not a number", csv.string(), row));
    }
  }
  for (int b = 2; b <= 8; ++b)
    if (!table.mac.count(b) || !table.requant.count(b))
      throw PlanError(fmt::format("{}: no mac_array/requant_x_pe rows for {} bits", csv.string(), b));
  return table;
}

std::vector<FoldedLayer> folded_layers(const nlohmann::json& network, const nlohmann::json& sim_report) {
  std::map<std::string, nlohmann::json> folded;  // name -> the simulated layer (pe, simd)
  for (const auto& l : sim_report.at("layers")) folded[l.at("name").get<std::string>()] = l;
  std::vector<FoldedLayer> layers;
  for (const auto& l : network.at("layers")) {
    const std::string op = l.at("op"), name = l.at("name");
    if (op != "conv" && op != "flow_head") continue;
    const auto it = folded.find(name);
    if (it == folded.end()) throw PlanError(fmt::format("layer '{}' is not in the simulation report", name));
    layers.push_back({name, op, l.at("inputs").get<std::vector<std::string>>(), l.at("w_bits"), l.at("in_bits"),
                      l.at("out_bits"), it->second.at("pe"), it->second.at("simd")});
  }
  return layers;
}

nlohmann::json estimate_circuit(const std::vector<FoldedLayer>& layers, const CostTable& table) {
  const auto at = [](const std::map<int, UnitCost>& unit, int bits) { return unit.at(std::clamp(bits, 2, 8)); };
  double luts = 0, ffs = 0, dsps = 0, array_luts = 0, requant_luts = 0;
  nlohmann::json per_layer = nlohmann::json::array();
  for (const FoldedLayer& l : layers) {
    const UnitCost w = at(table.mac, l.w_bits), in = at(table.mac, l.in_bits), rq = at(table.requant, l.out_bits);
    const double multipliers = double(l.pe) * l.simd;
    const double a = multipliers * (w.luts + in.luts) / 2, r = rq.luts * l.pe;
    const double f = multipliers * (w.flip_flops + in.flip_flops) / 2 + rq.flip_flops * l.pe;
    const double d = multipliers * (w.dsps + in.dsps) / 2 + rq.dsps * l.pe;
    per_layer.push_back({{"name", l.name}, {"w_bits", l.w_bits}, {"in_bits", l.in_bits}, {"out_bits", l.out_bits},
                         {"pe", l.pe}, {"simd", l.simd}, {"array_luts", a}, {"requant_luts", r}, {"flip_flops", f},
                         {"dsps", d}});
    array_luts += a, requant_luts += r, luts += a + r, ffs += f, dsps += d;
  }
  return {{"luts", luts}, {"array_luts", array_luts}, {"requant_luts", requant_luts}, {"flip_flops", ffs},
          {"dsps", dsps}, {"layers", per_layer}};
}

}  // namespace qflow::study
