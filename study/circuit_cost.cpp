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

nlohmann::json estimate_circuit(const nlohmann::json& network, const nlohmann::json& sim_report, const CostTable& table) {
  std::map<std::string, nlohmann::json> folded;  // name -> the simulated layer (pe, simd)
  for (const auto& l : sim_report.at("layers")) folded[l.at("name").get<std::string>()] = l;
  double luts = 0, ffs = 0, dsps = 0, array_luts = 0, requant_luts = 0;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : network.at("layers")) {
    const std::string op = l.at("op"), name = l.at("name");
    if (op != "conv" && op != "flow_head") continue;
    const auto it = folded.find(name);
    if (it == folded.end()) throw PlanError(fmt::format("layer '{}' is not in the simulation report", name));
    const int pe = it->second.at("pe"), simd = it->second.at("simd");
    const int bits = std::clamp(std::max(l.at("w_bits").get<int>(), l.at("in_bits").get<int>()), 2, 8);
    const UnitCost& mac = table.mac.at(bits);
    const UnitCost& rq = table.requant.at(bits);
    const double multipliers = double(pe) * simd;
    const double a = mac.luts * multipliers, r = rq.luts * pe;
    const double f = mac.flip_flops * multipliers + rq.flip_flops * pe, d = mac.dsps * multipliers + rq.dsps * pe;
    layers.push_back({{"name", name}, {"bits", bits}, {"pe", pe}, {"simd", simd}, {"array_luts", a},
                      {"requant_luts", r}, {"flip_flops", f}, {"dsps", d}});
    array_luts += a, requant_luts += r, luts += a + r, ffs += f, dsps += d;
  }
  return {{"luts", luts}, {"array_luts", array_luts}, {"requant_luts", requant_luts}, {"flip_flops", ffs},
          {"dsps", dsps}, {"layers", layers}};
}

}  // namespace qflow::study
