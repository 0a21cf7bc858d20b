#include "mixed_precision.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "study_plan.hpp"

namespace qflow::study {

namespace {

struct Unit {
  bool weights = true;
  std::vector<std::string> layers;
  std::map<int, double> delta;  // width -> measured EPE change (8: none)
  int bits = 8;                 // current width
};

// Each conv's input width is its producer's output width (upsample and concat pass it through).
void propagate_input_widths(const nlohmann::json& network, std::vector<FoldedLayer>& layers) {
  std::map<std::string, int> width{{"input", 8}};
  std::map<std::string, FoldedLayer*> conv;
  for (FoldedLayer& l : layers) conv[l.name] = &l;
  for (const auto& l : network.at("layers")) {
    const std::string name = l.at("name");
    const int in = width.at(l.at("inputs").at(0).get<std::string>());
    if (const auto it = conv.find(name); it != conv.end()) {
      it->second->in_bits = in;
      width[name] = it->second->out_bits;
    } else {
      width[name] = in;
    }
  }
}

}  // namespace

std::string MixedChoice::layer_bits() const {
  std::string spec;
  for (const FoldedLayer& l : layers)
    spec += fmt::format("{}{}={}:{}", spec.empty() ? "" : ",", l.name, l.w_bits, l.op == "flow_head" ? 8 : l.out_bits);
  return spec;
}

nlohmann::json MixedChoice::to_json() const {
  nlohmann::json widths = nlohmann::json::object();
  for (const FoldedLayer& l : layers) widths[l.name] = {{"w_bits", l.w_bits}, {"in_bits", l.in_bits}, {"out_bits", l.out_bits}};
  return {{"layer_bits", layer_bits()}, {"base_luts", base_luts}, {"luts", luts}, {"budget_luts", budget_luts},
          {"predicted_delta_epe", predicted_delta_epe}, {"moves", moves}, {"widths", widths}};
}

MixedChoice choose_mixed_precision(const nlohmann::json& network, const std::vector<FoldedLayer>& folded,
                                   const nlohmann::json& sensitivity, const CircuitCostModel& table, double luts_fraction) {
  if (!(luts_fraction > 0 && luts_fraction < 1))
    throw PlanError(fmt::format("the LUT budget {} is not a fraction of W8A8's in (0, 1)", luts_fraction));
  std::map<std::string, Unit> units;
  for (const auto& row : sensitivity.at("rows")) {
    Unit& u = units[row.at("unit").get<std::string>() + "/" + row.at("kind").get<std::string>()];
    u.weights = row.at("kind") == "weights";
    u.layers = row.at("layers").get<std::vector<std::string>>();
    u.delta[row.at("bits").get<int>()] = row.at("delta").get<double>();
    u.delta[8] = 0;
  }
  if (units.empty()) throw PlanError("the sensitivity table has no rows");

  MixedChoice c;
  c.layers = folded;
  for (const FoldedLayer& l : c.layers)
    if (l.w_bits != 8 || (l.op != "flow_head" && l.out_bits != 8))
      throw PlanError(fmt::format("layer '{}' of the base run is not W8A8", l.name));
  const auto luts_of = [&](const std::vector<FoldedLayer>& layers) { return estimate_circuit(layers, table)["luts"].get<double>(); };
  const auto lowered = [&](const Unit& u, int bits) {
    std::vector<FoldedLayer> layers = c.layers;
    for (FoldedLayer& l : layers)
      if (std::find(u.layers.begin(), u.layers.end(), l.name) != u.layers.end()) (u.weights ? l.w_bits : l.out_bits) = bits;
    propagate_input_widths(network, layers);
    return layers;
  };
  c.base_luts = c.luts = luts_of(c.layers);
  c.budget_luts = luts_fraction * c.base_luts;
  while (c.luts > c.budget_luts) {
    std::string best;
    int best_bits = 0;
    double best_score = std::numeric_limits<double>::infinity(), best_saving = 0, best_delta = 0;
    for (const auto& [name, u] : units) {
      const auto next = std::find_if(u.delta.rbegin(), u.delta.rend(), [&](const auto& d) { return d.first < u.bits; });
      if (next == u.delta.rend()) continue;  // at its lowest measured width
      const double saving = c.luts - luts_of(lowered(u, next->first));
      const double delta = next->second - u.delta.at(u.bits);
      if (saving <= 0) continue;
      const double score = std::max(delta, 0.0) / saving;
      if (score < best_score || (score == best_score && saving > best_saving))
        best = name, best_bits = next->first, best_score = score, best_saving = saving, best_delta = delta;
    }
    if (best.empty())
      throw PlanError(fmt::format("no lowering reaches {:.0f} LUTs (the lowest measured widths give {:.0f})", c.budget_luts, c.luts));
    Unit& u = units.at(best);
    c.moves.push_back(fmt::format("{} {}->{} ({:+.4f} EPE, -{:.0f} LUTs)", best, u.bits, best_bits, best_delta, best_saving));
    c.layers = lowered(u, best_bits);
    u.bits = best_bits;
    c.luts -= best_saving;
    c.predicted_delta_epe += best_delta;
  }
  return c;
}

}  // namespace qflow::study
