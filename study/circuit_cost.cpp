#include "circuit_cost.hpp"

#include <vector>

#include <fmt/format.h>

#include "study_plan.hpp"

namespace qflow::study {

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

nlohmann::json estimate_circuit(const std::vector<FoldedLayer>& layers, const CircuitCostModel& cost) {
  double luts = 0, ffs = 0, dsps = 0, array_luts = 0, requant_luts = 0;
  nlohmann::json per_layer = nlohmann::json::array();
  for (const FoldedLayer& l : layers) {
    const LogicCost array = cost.mac_array(l.w_bits, l.in_bits, l.pe, l.simd, MultiplierImpl::Lut);
    const LogicCost requant = cost.requant_lanes(l.w_bits, l.in_bits, l.pe, MultiplierImpl::Dsp);
    const double f = array.flip_flops + requant.flip_flops, d = array.dsps + requant.dsps;
    per_layer.push_back({{"name", l.name}, {"w_bits", l.w_bits}, {"in_bits", l.in_bits}, {"out_bits", l.out_bits},
                         {"pe", l.pe}, {"simd", l.simd}, {"array_luts", array.luts}, {"requant_luts", requant.luts},
                         {"flip_flops", f}, {"dsps", d}});
    array_luts += array.luts, requant_luts += requant.luts, luts += array.luts + requant.luts, ffs += f, dsps += d;
  }
  return {{"luts", luts}, {"array_luts", array_luts}, {"requant_luts", requant_luts}, {"flip_flops", ffs},
          {"dsps", dsps}, {"layers", per_layer}};
}

}  // namespace qflow::study
