#include "sensitivity.hpp"

#include <map>

#include <fmt/format.h>

#include "package/network_shapes.hpp"

namespace qflow::train {

std::vector<SensitivityUnit> sensitivity_units(const FlowNetQ& net) {
  const Package& g = net.graph();
  std::vector<SensitivityUnit> units;
  for (const Layer& l : g.layers)
    if (l.is_conv()) units.push_back({l.name, true, {l.name}});
  // Activations move by scale group: the producers of a concat's inputs share a scale.
  const std::map<std::string, std::string> group = scale_groups(g);
  std::map<std::string, std::vector<std::string>> members;
  for (const Layer& l : g.layers)
    if (l.op == LayerOp::Conv) members[group.at(l.name)].push_back(l.name);
  for (const Layer& l : g.layers)
    if (l.op == LayerOp::Conv && group.at(l.name) == l.name) {
      std::string name;
      for (const std::string& m : members.at(l.name)) name += (name.empty() ? "" : "+") + m;
      units.push_back({name, false, members.at(l.name)});
    }
  return units;
}

nlohmann::json measure_sensitivity(const Checkpoint& base, const FlowDataset& data, const std::vector<int>& widths,
                                   int64_t samples) {
  const auto* q = dynamic_cast<const FlowNetQ*>(base.net.get());
  if (!q || !q->quantized()) throw std::runtime_error("sensitivity: the checkpoint must be a quantized FlowNetQ");
  // A learned step belongs to its width: lowered without retraining it would clip at another range.
  if (base.config.learned_ranges)
    throw std::runtime_error("sensitivity: the checkpoint has learned ranges, whose steps belong to its widths; "
                             "measure the sensitivity on a fixed-range run");
  const double base_epe = evaluate(*base.net, data, samples, 8, torch::kCPU).epe;
  nlohmann::json rows = nlohmann::json::array();
  for (const SensitivityUnit& unit : sensitivity_units(*q))
    for (int bits : widths) {
      NetworkConfig config = base.config;
      for (const std::string& name : unit.layers) {
        const Layer& l = q->graph().layer(name);
        config.layer_bits[name] = unit.weights ? std::pair{bits, l.out_bits} : std::pair{l.w_bits, bits};
      }
      const std::shared_ptr<FlowNetwork> lowered = make_network(config);
      copy_weights(*base.net, *lowered, "sensitivity");
      const double epe = evaluate(*lowered, data, samples, 8, torch::kCPU).epe;
      rows.push_back({{"unit", unit.name}, {"kind", unit.weights ? "weights" : "activations"}, {"layers", unit.layers},
                      {"bits", bits}, {"epe", epe}, {"delta", epe - base_epe}});
      fmt::print("{:>24} {:<11} {} bits: EPE {:.4f} ({:+.4f})\n", unit.name, unit.weights ? "weights" : "activations",
                 bits, epe, epe - base_epe);
    }
  return {{"base_epe", base_epe}, {"samples", std::min<int64_t>(samples, int64_t(data.size()))}, {"widths", widths},
          {"network", base.net->describe()}, {"data", data.describe()}, {"rows", rows}};
}

}  // namespace qflow::train
